// The reply box of the inbox: a reply to the customer or an internal note, canned replies
// in the conversation's language, and throttled typing notifications.
import { get, post, query } from "./api.js";
import { h } from "./dom.js";
import { t } from "./i18n.js";

const TYPING_EVERY_MS = 3000;

export function createComposer({ handoff, language, me, onMessage, onNote, onError }) {
  let mode = "reply";
  let canReply = false;
  let lastTyping = 0;

  const input = h("textarea", { rows: 3, maxLength: 4000, "aria-label": t("composer.text") });
  const who = h("span", { className: "composer-who" });
  const send = h("button", { type: "submit", className: "primary", text: t("composer.send") });
  const canned = h("select", { "aria-label": t("composer.canned") }, h("option", { value: "", text: t("composer.canned") }));
  const tabs = ["reply", "note"].map((name) => h("button", {
    type: "button", className: "tab", "data-mode": name, text: t(`composer.${name}`), onclick: () => setMode(name),
  }));
  const form = h("form", { className: "composer" },
    h("div", { className: "composer-bar" }, h("div", { className: "tabs", role: "group" }, tabs), canned),
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
  canned.addEventListener("change", () => {
    const reply = canned.selectedOptions[0]?.dataset.text;
    if (reply) input.value = input.value ? `${input.value} ${reply}` : reply;
    canned.value = "";
    input.focus();
  });

  get(`/api/v1/canned-replies${query({ language })}`).then(({ items }) => {
    canned.append(...items.map((item) => h("option", { value: String(item.id), text: item.title, "data-text": item.text })));
  }, () => { canned.hidden = true; });

  refresh();
  return {
    node: form,
    setCanReply(value) { canReply = value; refresh(); },
    setHandoff(next) { handoff = next; },
  };
}
