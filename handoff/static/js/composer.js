// The reply box of the inbox: a reply to the customer or an internal note, canned replies
// in the conversation's language with placeholders filled by the server (a filterable menu,
// also on the "t" key), a length counter, and throttled typing notifications.
import { get, post, upload } from "./api.js";
import { ACCEPT } from "./attachments.js";
import { openCannedManager } from "./canned-replies.js";
import { h } from "./dom.js";
import { t } from "./i18n.js";

const TYPING_EVERY_MS = 3000;
const MAX_CHARS = 4000; // handoff.schemas.MAX_MESSAGE_CHARS
const COUNTER_FROM = 3600;
const chars = (text) => [...text.trim()].length; // as the server counts: code points

/** What the agent reads when the server refuses a file. */
function uploadRefusal(failure) {
  if (failure.status === 413) return t("composer.fileTooLarge", Math.round((failure.detail?.limit || 0) / 1024 / 1024));
  if (failure.status === 415) return t("composer.fileUnsupported");
  if (failure.status === 409) return t("composer.fileNotYours");
  return failure.message;
}

export function createComposer({ handoff, me, draft = "", onMessage, onNote, onError }) {
  let mode = "reply";
  let blockedBecause = t("composer.claimFirst"); // why replying is not possible now, or null
  let lastTyping = 0;
  let replies = null; // until loaded

  // No maxLength: the browser would cut a long paste without a word; the counter warns.
  const input = h("textarea", { rows: 3, "aria-label": t("composer.text"), value: draft });
  const counter = h("span", { className: "composer-counter", hidden: true, "aria-live": "polite" });
  const who = h("span", { className: "composer-who" });
  const send = h("button", { type: "submit", className: "primary", text: t("composer.send") });
  // A photo or video for the customer; the text in the box, if any, goes with it as caption.
  const fileInput = h("input", { type: "file", accept: ACCEPT, hidden: true,
    onchange: () => { const [file] = fileInput.files; fileInput.value = ""; if (file) sendFile(file); } });
  const attach = h("button", { type: "button", className: "ghost attach-button", text: t("composer.attach"),
    title: t("composer.attachHint"), onclick: () => fileInput.click() });
  let uploading = false;
  const cannedButton = h("button", { type: "button", className: "ghost canned-button", text: t("composer.canned"),
    "aria-haspopup": "listbox", "aria-keyshortcuts": "t", onclick: () => openCanned() });
  const filter = h("input", { type: "search", className: "canned-filter", "aria-label": t("composer.cannedFilter"),
    placeholder: t("composer.cannedFilter") });
  const options = h("ul", { className: "canned-options", role: "listbox", "aria-label": t("composer.canned") });
  const menu = h("div", { className: "canned-menu", hidden: true }, filter, options);
  const manage = h("button", { type: "button", className: "ghost", text: t("canned.manage"),
    onclick: () => openCannedManager(me, loadCanned) });
  const tabs = ["reply", "note"].map((name) => h("button", {
    type: "button", className: "tab", "data-mode": name, text: t(`composer.${name}`), onclick: () => setMode(name),
  }));
  const form = h("form", { className: "composer" },
    h("div", { className: "composer-bar" }, h("div", { className: "tabs", role: "group" }, tabs),
      h("div", { className: "canned-bar" }, cannedButton, manage)),
    menu,
    input,
    h("div", { className: "composer-bar" }, who, counter, fileInput, attach, send));

  function refresh() {
    const blocked = mode === "reply" && blockedBecause !== null;
    const over = chars(input.value) > MAX_CHARS;
    form.classList.toggle("note-mode", mode === "note");
    tabs.forEach((tab) => tab.setAttribute("aria-pressed", String(tab.dataset.mode === mode)));
    input.disabled = blocked;
    send.disabled = blocked || over;
    cannedButton.disabled = blocked;
    attach.hidden = mode !== "reply";
    attach.disabled = blocked || uploading || over;
    attach.textContent = t(uploading ? "composer.uploading" : "composer.attach");
    input.placeholder = blocked ? blockedBecause : t(mode === "reply" ? "composer.replyPlaceholder" : "composer.notePlaceholder");
    who.textContent = mode === "reply" ? t("composer.replyingAs", me.display_name) : t("composer.noteHint");
    counter.hidden = chars(input.value) < COUNTER_FROM;
    counter.classList.toggle("over", over);
    counter.textContent = `${chars(input.value)} / ${MAX_CHARS}`;
  }

  function setMode(next) {
    mode = next;
    refresh();
    input.focus();
  }

  async function submit() {
    const text = input.value.trim();
    if (!text || send.disabled) return;
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

  async function sendFile(file) {
    const caption = input.value.trim();
    const headers = { "X-File-Name": encodeURIComponent(file.name) };
    if (caption) headers["X-Caption"] = encodeURIComponent(caption);
    uploading = true;
    refresh();
    try {
      onMessage(await upload(`/api/v1/handoffs/${handoff.id}/attachments`, file, headers));
      if (caption && input.value.trim() === caption) input.value = ""; // it went as the caption
      onError("");
    } catch (failure) {
      onError(uploadRefusal(failure));
    } finally {
      uploading = false;
      refresh();
    }
  }

  // ---- canned replies: a menu filtered as you type; Enter or a click inserts one ----
  function renderOptions() {
    if (replies === null) { options.replaceChildren(); return; } // filled when they arrive
    const wanted = filter.value.trim().toLowerCase();
    const shown = replies.filter((r) => !wanted || `${r.title} ${r.text}`.toLowerCase().includes(wanted));
    options.replaceChildren(...(shown.length ? shown.map((reply, index) => h("li", {
      role: "option", className: "canned-option", "aria-selected": String(index === 0), "data-id": reply.id,
      onmousedown: (event) => { event.preventDefault(); insert(reply); },
    }, h("strong", { text: reply.title }), h("span", { text: reply.text })))
      : [h("li", { className: "muted", text: t("composer.cannedNone") })]));
  }

  function moveSelection(step) {
    const items = [...options.querySelectorAll("[role=option]")];
    if (!items.length) return;
    const at = items.findIndex((item) => item.getAttribute("aria-selected") === "true");
    const next = items[(at + step + items.length) % items.length];
    items.forEach((item) => item.setAttribute("aria-selected", String(item === next)));
    next.scrollIntoView({ block: "nearest" });
  }

  function insert(reply) {
    input.value = input.value ? `${input.value} ${reply.text}` : reply.text;
    // A value this conversation lacks: the agent replaces it (the server refuses it raw).
    onError(reply.missing?.length ? t("composer.cannedMissing", reply.missing.map((name) => `{${name}}`).join(", ")) : "");
    closeCanned();
    refresh();
  }

  /** Opens the menu, also before the replies arrived (just after opening a conversation):
   * what the agent types goes into its filter meanwhile, the list appears when they do. */
  function openCanned() {
    if (cannedButton.disabled || replies?.length === 0) return false;
    menu.hidden = false;
    filter.value = "";
    renderOptions();
    filter.focus();
    return true;
  }

  function closeCanned() {
    menu.hidden = true;
    input.focus();
  }

  filter.addEventListener("input", renderOptions);
  filter.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") { event.preventDefault(); moveSelection(event.key === "ArrowDown" ? 1 : -1); }
    else if (event.key === "Escape") { event.preventDefault(); event.stopPropagation(); closeCanned(); }
    else if (event.key === "Enter") {
      event.preventDefault();
      const chosen = options.querySelector("[aria-selected=true]");
      const reply = (replies || []).find((r) => String(r.id) === chosen?.dataset.id);
      if (reply) insert(reply);
    }
  });
  filter.addEventListener("blur", () => { menu.hidden = true; });

  form.addEventListener("submit", (event) => { event.preventDefault(); submit(); });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) { event.preventDefault(); submit(); }
  });
  input.addEventListener("input", () => {
    refresh();
    if (mode !== "reply" || blockedBecause !== null || Date.now() - lastTyping < TYPING_EVERY_MS) return;
    lastTyping = Date.now();
    post(`/api/v1/handoffs/${handoff.id}/typing`).catch(() => {}); // a lost typing hint is harmless
  });

  // Filled for this handoff, in the conversation's language (GET /handoffs/{id}/canned-replies).
  function loadCanned() {
    get(`/api/v1/handoffs/${handoff.id}/canned-replies`).then(({ items }) => {
      replies = items;
      cannedButton.hidden = false;
      if (!menu.hidden) { if (items.length) renderOptions(); else closeCanned(); }
    }, () => { replies = []; cannedButton.hidden = true; });
  }
  loadCanned();

  refresh();
  return {
    node: form,
    /** null when the agent may reply, else the reason shown in the reply box. */
    setBlocked(reason) { blockedBecause = reason; refresh(); },
    setHandoff(next) { handoff = next; },
    openCanned,
    draft: () => input.value,
  };
}
