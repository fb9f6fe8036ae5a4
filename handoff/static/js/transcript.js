// One transcript look for the inbox and ops: customer, bot, agent and system messages
// are told apart by side, colour and a label.
import { attachmentNode } from "./attachments.js";
import { formatTime, h } from "./dom.js";
import { t } from "./i18n.js";

function senderName(message) {
  if (message.sender === "agent") return message.agent?.display_name || t("sender.agent");
  return t(`sender.${message.sender}`);
}

export function messageNode(message) {
  const buttons = message.buttons?.length
    ? h("div", { className: "msg-buttons" }, message.buttons.map((b) => h("span", { className: "chip", text: b.title })))
    : null;
  return h("li", { className: `msg ${message.sender}`, "data-seq": message.seq ?? "" },
    h("div", { className: "msg-meta" },
      h("span", { className: "msg-sender", text: senderName(message) }),
      h("time", { dateTime: message.created_at || message.timestamp || "", text: formatTime(message.created_at || message.timestamp) }),
      message.intent && h("span", { className: "msg-intent", text: `${message.intent} ${message.confidence !== undefined ? Math.round(message.confidence * 100) + "%" : ""}` })),
    message.attachment && attachmentNode(message.attachment),
    // A photo's caption goes under it; a message without a file always has its text line.
    (message.text || !message.attachment) && h("p", { className: "msg-text", text: message.text }),
    buttons,
    deliveryNote(message));
}

// Where a message went outside the chat (WhatsApp, or email/WhatsApp to a customer who left).
function deliveryNote(message) {
  if (!message.delivery_status) return null;
  const failed = message.delivery_status === "failed";
  return h("small", { className: `msg-delivery${failed ? " failed" : ""}`,
    text: failed ? t("delivery.failed", message.delivery_error || "?") : t(`delivery.${message.delivery_status}`, message.delivery_status) });
}

/** Replaces the list's content with the messages, in seq order. */
export function renderTranscript(list, messages) {
  list.replaceChildren(...messages.map(messageNode));
}

/** Shows a message's new delivery status (a live `delivery` event). */
export function updateMessage(list, message) {
  list.querySelector(`[data-seq="${message.seq}"]`)?.replaceWith(messageNode(message));
}

/** Adds a live message unless that seq is already shown (SSE may repeat after a reconnect). */
export function appendMessage(list, message) {
  if (message.seq !== undefined && list.querySelector(`[data-seq="${message.seq}"]`)) return false;
  list.append(messageNode(message));
  return true;
}
