// The reply box of the inbox: a reply to the customer or an internal note, canned replies
// in the conversation's language (placeholders filled by the server), and throttled typing
// notifications.
import { get, post } from "./api.js";
import { openCannedManager } from "./canned-replies.js";
import { h } from "./dom.js";
import { t } from "./i18n.js";

const TYPING_EVERY_MS = 3000;

export function createComposer({ handoff, me, onMessage, onNote, onError }) {
  let mode = "reply";
  let canReply = false;
  let lastTyping = 0;

  const input = h("textarea", { rows: 3, maxLength: 4000, "aria-label": t("composer.text") });
  const who = h("span", { className: "composer-who" });
  const send = h("button", { type: "submit", className: "primary", text: t("composer.send") });
  const canned = h("select", { "aria-label": t("composer.canned") });
  const manage = h("button", { type: "button", className: "ghost", text: t("canned.manage"),
    onclick: () => openCannedManager(me, loadCanned) });
  const tabs = ["reply", "note"].map((name) => h("button", {
    type: "button", className: "tab", "data-mode": name, text: t(`composer.${name}`), onclick: () => setMode(name),
  }));
  const form = h("form", { className: "composer" },
    h("div", { className: "composer-bar" }, h("div", { className: "tabs", role: "group" }, tabs),
      h("div", { className: "canned-bar" }, canned, manage)),
    input,
    h("div", { className: "composer-bar" }, who, send));

  function refresh() {
    const blocked = mode === "reply" && !canReply;
    form.classList.toggle("note-mode", mode === "note");
    tabs.forEach((tab) => tab.setAttribute("aria-pressed", String(tab.dataset.mode === mode)));
    input.disabled = blocked;
    send.disabled = blocked;
    input.placeholder = blocked ? t("composer.claimFirst") : t(mode === "reply" ? "composer.replyPlaceholder" : "composer.notePlaceholder");
    who.textContent = mode === "reply" ? t("composer.replyingAs", me.display_name) : t("composer.noteHint");
  }

  function setMode(next) {
    mode = next;
    refresh();
    input.focus();
  }

  async function submit() {
    const text = input.value.trim();
    if (!text) return;
    send.disabled = true;
    try {
      if (mode === "reply") onMessage(await post(`/api/v1/handoffs/${handoff.id}/messages`, { text }));
      else onNote(await post(`/api/v1/handoffs/${handoff.id}/notes`, { text }));
      input.value = "";
      onError("");
    } catch (failure) {
      onError(failure.message);
    } finally {
      refresh();
    }
  }

  form.addEventListener("submit", (event) => { event.preventDefault(); submit(); });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) { event.preventDefault(); submit(); }
  });
  input.addEventListener("input", () => {
    if (mode !== "reply" || !canReply || Date.now() - lastTyping < TYPING_EVERY_MS) return;
    lastTyping = Date.now();
    post(`/api/v1/handoffs/${handoff.id}/typing`).catch(() => {}); // a lost typing hint is harmless
  });
  let cannedReplies = [];
  canned.addEventListener("change", () => {
    const reply = cannedReplies.find((item) => String(item.id) === canned.value);
    if (reply) input.value = input.value ? `${input.value} ${reply.text}` : reply.text;
    // A value this conversation lacks: the agent replaces it (the server refuses it raw).
    onError(reply?.missing?.length ? t("composer.cannedMissing", reply.missing.map((name) => `{${name}}`).join(", ")) : "");
    canned.value = "";
    input.focus();
  });

  // Filled for this handoff, in the conversation's language (GET /handoffs/{id}/canned-replies).
  function loadCanned() {
    get(`/api/v1/handoffs/${handoff.id}/canned-replies`).then(({ items }) => {
      cannedReplies = items;
      canned.replaceChildren(h("option", { value: "", text: t("composer.canned") }),
        ...items.map((item) => h("option", { value: String(item.id), text: item.title })));
      canned.hidden = false;
    }, () => { canned.hidden = true; });
  }
  loadCanned();

  refresh();
  return {
    node: form,
    setCanReply(value) { canReply = value; refresh(); },
    setHandoff(next) { handoff = next; },
  };
}
