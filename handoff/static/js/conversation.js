// The inbox's conversation view: everything an agent needs before typing (summary, reason,
// whole transcript, verified order, previous conversations), then claim / reply / resolve.
import { ApiError, get, post } from "./api.js";
import { releaseAttachments } from "./attachments.js";
import { $, formatDateTime, formatRupiah, h } from "./dom.js";
import { language, onLanguageChange, t } from "./i18n.js";
import { createComposer } from "./composer.js";
import { appendMessage, renderTranscript, updateMessage } from "./transcript.js";

const TYPING_SHOW_MS = 5000;
let current = null; // { handoff, conversation, me, view }
let viewVersion = 0; // a slow response for a conversation no longer shown is dropped
let team = []; // who ops and admins can assign a handoff to (GET /api/v1/team)

/** The summary in the language of the staff pages (the server rebuilds it per language). */
export const summaryText = (handoff) => handoff.summaries?.find((s) => s.language === language())?.summary
  || handoff.summary;

const root = () => $("#conversation");
const customerName = (customer) => customer?.name || customer?.email || customer?.phone || t("queue.customer");

function fact(label, value) {
  return value === null || value === undefined || value === "" ? null
    : [h("dt", { text: label }), h("dd", { text: String(value) })];
}

function orderCard(order) {
  if (!order) return h("section", { className: "card" }, h("h3", { text: t("conv.order") }), h("p", { className: "muted", text: t("conv.noOrder") }));
  const items = Array.isArray(order.items) ? order.items : [];
  return h("section", { className: "card order-card" },
    h("h3", {}, t("conv.order"), h("span", { className: "tag verified", text: t("conv.verified") })),
    h("dl", {},
      fact(t("order.id"), order.order_id), fact(t("order.status"), order.status),
      fact(t("order.customer"), order.customer_name), fact(t("order.total"), formatRupiah(order.total)),
      fact(t("order.carrier"), [order.carrier, order.tracking_number].filter(Boolean).join(" · ")),
      fact(t("order.eta"), order.estimated_delivery), fact(t("order.address"), order.shipping_address)),
    items.length > 0 && h("ul", { className: "items" }, items.map((item) => h("li", { text: itemText(item) }))));
}

function itemText(item) {
  if (typeof item === "string") return item;
  const quantity = item.qty ?? item.quantity;
  return [quantity && `${quantity}×`, item.name || item.sku, item.price && formatRupiah(item.price)].filter(Boolean).join(" ");
}

function summaryCard(handoff) {
  const intents = handoff.context?.intents || [];
  return h("section", { className: "card summary-card" },
    h("h3", { text: t("conv.summary") }),
    h("p", { className: "summary-text", text: summaryText(handoff) || handoff.context?.summary || t("conv.noSummary") }),
    h("dl", {},
      fact(t("conv.reason"), t(`reason.${handoff.reason}`, handoff.reason)),
      fact(t("conv.priority"), handoff.priority),
      fact(t("conv.since"), formatDateTime(handoff.created_at))),
    intents.length > 0 && h("details", {}, h("summary", { text: t("conv.intents") }),
      h("ul", { className: "intents" }, intents.map((i) => h("li", { text: `${i.intent} (${Math.round((i.confidence || 0) * 100)}%) — ${i.text || ""}` })))));
}

function previousCard(previous) {
  return h("section", { className: "card" },
    h("h3", { text: t("conv.previous") }),
    previous.length === 0 ? h("p", { className: "muted", text: t("conv.noPrevious") })
      : h("ul", { className: "previous" }, previous.map((p) => h("li", {},
        h("span", { className: "muted", text: `${formatDateTime(p.created_at)} · ${p.channel}` }),
        h("span", { text: p.summary || "—" })))));
}

function notesCard(notes) {
  const list = h("ol", { className: "notes" }, notes.map(noteNode));
  return { list, node: h("section", { className: "card notes-card" }, h("h3", { text: t("conv.notes") }), list) };
}

export function noteNode(note) {
  return h("li", { className: "note" },
    h("span", { className: "muted", text: `${note.agent?.display_name || ""} · ${formatDateTime(note.created_at)}` }),
    h("p", { text: note.text }));
}

function statusText(handoff) {
  if (handoff.status === "assigned") return t("status.assignedTo", handoff.agent?.display_name || "?");
  return t(`status.${handoff.status}`);
}

function render() {
  const { handoff, conversation } = current;
  const messages = conversation.messages?.length ? conversation.messages : handoff.context?.transcript || [];
  const transcript = h("ol", { className: "transcript", "aria-label": t("conv.transcript") });
  renderTranscript(transcript, messages);
  // A photo or video makes its line taller once loaded: keep the newest line in view.
  ["load", "loadedmetadata"].forEach((name) => transcript.addEventListener(name, () => scrollDown(transcript), true));
  const typing = h("p", { className: "typing-line", hidden: true, text: t("conv.customerTyping") });
  const error = h("p", { className: "error", role: "alert" });
  const status = h("span", { className: "tag status" });
  const actions = h("div", { className: "actions" });
  const notes = notesCard(handoff.notes || []);
  const composer = createComposer({
    handoff, me: current.me,
    draft: current.view?.composer.draft() || "", // kept when the page is re-rendered
    onMessage: (message) => { appendMessage(transcript, message); scrollDown(transcript); },
    onNote: (note) => notes.list.append(noteNode(note)),
    onError: showError,
  });
  current.view = { transcript, typing, error, status, actions, composer };
  root().replaceChildren(
    h("header", { className: "conv-head" },
      h("div", {},
        h("h2", { text: customerName(handoff.customer || conversation.customer) }),
        h("p", { className: "tags" }, status,
          h("span", { className: "tag reason", text: t(`reason.${handoff.reason}`, handoff.reason) }),
          h("span", { className: "tag", text: `${t("conv.channel")}: ${conversation.channel || handoff.channel}` }),
          h("span", { className: "tag", text: `${t("conv.language")}: ${(conversation.language || handoff.language || "?").toUpperCase()}` }),
          handoff.follow_up && h("span", { className: "tag follow-up", text: t(`conv.followUp.${handoff.follow_up.via}`, handoff.follow_up.address) }))),
      actions),
    error,
    h("div", { className: "conv-body" },
      h("div", { className: "transcript-col" }, transcript, typing, composer.node),
      h("aside", { className: "context-col" }, summaryCard(handoff), orderCard(handoff.context?.order),
        notes.node, previousCard(conversation.previous_conversations || []))),
    confirmDialog());
  updateActions();
  scrollDown(transcript);
}

function scrollDown(list) { list.scrollTop = list.scrollHeight; }

function showError(message) {
  if (current?.view) current.view.error.textContent = message || "";
}

function actionButton(label, className, onclick) {
  return h("button", { type: "button", className, text: label, onclick });
}

const isMine = ({ handoff, me }) => handoff.status === "assigned" && handoff.agent?.id === me.id;

/** Why the agent cannot reply now, in the reply box; null when they can. */
function replyBlocked({ handoff, me }) {
  if (isMine(current)) return null;
  if (handoff.status === "resolved") return t("composer.resolved");
  if (handoff.status === "assigned") return t("composer.heldBy", handoff.agent?.display_name || "?");
  return t("composer.claimFirst");
}

/** Ops and admins give an open handoff to a named agent. */
function assignPicker({ handoff, me }) {
  if (!["ops", "admin"].includes(me.role) || handoff.status === "resolved" || !team.length) return null;
  const select = h("select", { className: "assign", "aria-label": t("conv.assign") },
    h("option", { value: "", text: t("conv.assign") }),
    team.filter((agent) => agent.id !== handoff.agent?.id).map((agent) => h("option", {
      value: String(agent.id), text: agent.online ? `${agent.display_name} (${t("conv.online")})` : agent.display_name })));
  select.addEventListener("change", () => {
    if (select.value) act("assign", { agent_id: Number(select.value) });
  });
  return select;
}

function updateActions() {
  const { handoff, view } = current;
  view.status.textContent = statusText(handoff);
  view.status.className = `tag status ${handoff.status}`;
  const buttons = isMine(current)
    ? [actionButton(t("conv.transfer"), "ghost", () => act("transfer")),
      actionButton(t("conv.resolve"), "success", () => $("#confirm-resolve").showModal())]
    : [handoff.status !== "resolved" && actionButton(t("conv.claim"), "primary", claim)];
  view.actions.replaceChildren(...[assignPicker(current), ...buttons].filter(Boolean));
  view.composer.setBlocked(replyBlocked(current));
}

function confirmDialog() {
  const dialog = h("dialog", { id: "confirm-resolve", "aria-labelledby": "confirm-title" },
    h("form", { method: "dialog" },
      h("h3", { id: "confirm-title", text: t("conv.resolveTitle") }),
      h("p", { text: t("conv.resolveText") }),
      h("div", { className: "actions" },
        h("button", { value: "cancel", className: "ghost", text: t("ui.cancel") }),
        h("button", { value: "resolve", className: "success", text: t("conv.resolve") }))));
  dialog.addEventListener("close", () => { if (dialog.returnValue === "resolve") act("resolve"); });
  return dialog;
}

async function claim() {
  showError("");
  try {
    await post(`/api/v1/handoffs/${current.handoff.id}/claim`);
    // Reload: the agent holding the handoff sees the customer's real details, not the redacted view.
    await showConversation(current.handoff.id, current.me);
  } catch (failure) {
    if (!(failure instanceof ApiError) || failure.status !== 409) { showError(failure.message); return; }
    const latest = await get(`/api/v1/handoffs/${current.handoff.id}`);
    setHandoff(latest);
    showError(latest.status === "resolved" ? t("conv.alreadyResolved") : t("conv.taken", latest.agent?.display_name || "?"));
  }
}

async function act(action, body = {}) {
  showError("");
  try {
    setHandoff(await post(`/api/v1/handoffs/${current.handoff.id}/${action}`, body));
  } catch (failure) {
    showError(failure.message);
  }
}

function setHandoff(handoff) {
  current.handoff = { ...current.handoff, ...handoff };
  current.view.composer.setHandoff(current.handoff);
  updateActions();
}

/** Opens a handoff in the right-hand pane. */
export async function showConversation(handoffId, me) {
  const version = ++viewVersion;
  root().replaceChildren(h("p", { className: "empty", text: t("ui.loading") }));
  releaseAttachments();
  try {
    const handoff = await get(`/api/v1/handoffs/${handoffId}`);
    const conversation = await get(`/api/v1/conversations/${encodeURIComponent(handoff.conversation_id)}`);
    if (version !== viewVersion) return;
    current = { handoff, conversation, me };
    render();
  } catch (failure) {
    if (version === viewVersion) root().replaceChildren(h("p", { className: "error", text: failure.message }));
  }
}

export function setTeam(members) { team = members; }

onLanguageChange(() => { if (current?.view) render(); });

/** What the keyboard shortcuts do to the open conversation; each says whether it could. */
export const conversationShortcuts = {
  claim() {
    if (!current || current.handoff.status !== "queued") return false;
    claim();
    return true;
  },
  resolve() {
    if (!current || !isMine(current)) return false;
    $("#confirm-resolve").showModal();
    return true;
  },
  canned() { return Boolean(current?.view?.composer.openCanned()); },
};

let typingTimer = 0;
/** Live inbox events routed to the open conversation, if they concern it. */
export const conversationEvents = {
  handoff(handoff) {
    if (current?.handoff.id === handoff.id) setHandoff(handoff);
  },
  message({ conversation_id: conversationId, message }) {
    if (current?.conversation.id !== conversationId) return;
    const { transcript, typing } = current.view;
    if (message.sender === "customer") typing.hidden = true;
    if (appendMessage(transcript, message)) scrollDown(transcript);
  },
  delivery({ conversation_id: conversationId, message }) {
    if (current?.conversation.id === conversationId) updateMessage(current.view.transcript, message);
  },
  typing({ conversation_id: conversationId }) {
    if (current?.conversation.id !== conversationId) return;
    const { typing } = current.view;
    typing.hidden = false;
    clearTimeout(typingTimer);
    typingTimer = setTimeout(() => { typing.hidden = true; }, TYPING_SHOW_MS);
  },
};
