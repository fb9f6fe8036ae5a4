// Agent inbox: the views (Mine / Queue / Resolved, with counts) and search on the left, kept
// live by server-sent events; the chosen conversation on the right; keyboard shortcuts (?).
import { get, post, query, sessionEnded, token } from "./api.js";
import { $, formatDuration, h } from "./dom.js";
import { onLanguageChange, t } from "./i18n.js";
import { conversationEvents, conversationShortcuts, setTeam, showConversation, summaryText } from "./conversation.js";
import { attachmentTag } from "./attachments.js";
import { announceNewHandoff, clearBadge, notifyButton } from "./notify.js";
import { startSession } from "./session.js";

const HEARTBEAT_MS = 30000;
const RESOLVED_VIEW_MS = 24 * 3600 * 1000; // as the API's view=resolved
const VIEWS = ["mine", "queue", "resolved"];
const handoffs = new Map(); // id -> { handoff, receivedAt }: open ones and those resolved lately
let view = "queue";
let results = null; // search results (handoff list) while the search box has text
let selectedId = null;
let me = null; // the signed-in agent

const waitingSeconds = ({ handoff, receivedAt }) => (handoff.status === "queued"
  ? (handoff.waiting_seconds || 0) + (Date.now() - receivedAt) / 1000
  : handoff.waiting_seconds);

const inView = {
  mine: ({ handoff }) => handoff.status === "assigned" && handoff.agent?.id === me.id,
  queue: ({ handoff }) => handoff.status === "queued",
  resolved: ({ handoff }) => handoff.status === "resolved"
    && Date.now() - new Date(handoff.resolved_at).getTime() < RESOLVED_VIEW_MS,
};

// Same order as the API: higher priority first, then whoever waited longest; the Resolved
// view shows the latest first.
function entriesOf(name) {
  const entries = [...handoffs.values()].filter(inView[name]);
  if (name === "resolved") return entries.sort((a, b) => b.handoff.resolved_at.localeCompare(a.handoff.resolved_at));
  return entries.sort((a, b) => (b.handoff.priority - a.handoff.priority) || (waitingSeconds(b) - waitingSeconds(a)));
}

/** What the list shows now: the search results, or the chosen view. */
const shownEntries = () => (results ? results.map((handoff) => ({ handoff, receivedAt: Date.now() })) : entriesOf(view));

function customerLabel(handoff) {
  const customer = handoff.customer;
  return customer?.name || customer?.email || customer?.phone || `${t("queue.customer")} ${handoff.conversation_id.slice(0, 6)}`;
}

function queueItem(entry) {
  const { handoff } = entry;
  const mine = handoff.agent?.id === me?.id;
  return h("li", {},
    h("button", {
      type: "button", className: `queue-item priority-${Math.min(handoff.priority, 2)}${handoff.id === selectedId ? " selected" : ""}`,
      "data-handoff-id": handoff.id, onclick: () => select(handoff.id),
    },
    h("span", { className: "row" },
      h("strong", { className: "customer", text: customerLabel(handoff) }),
      h("span", { className: "wait", "data-wait-for": handoff.id, text: formatDuration(waitingSeconds(entry)) })),
    h("span", { className: "row tags" },
      h("span", { className: "tag reason", text: t(`reason.${handoff.reason}`, handoff.reason) }),
      h("span", { className: "tag", text: handoff.channel }),
      h("span", { className: "tag", text: (handoff.language || "?").toUpperCase() }),
      handoff.status === "assigned" && h("span", { className: `tag ${mine ? "mine" : "taken"}`, text: handoff.agent?.display_name || t("status.assigned") }),
      handoff.status === "resolved" && h("span", { className: "tag status resolved", text: t("status.resolved") })),
    h("span", { className: "summary", text: summaryText(handoff) || lastMessageText(handoff.last_message) })));
}

/** The last message for the list: its text, or "[Photo]" / "[Video]" for a file without one. */
function lastMessageText(message) {
  return message?.text || attachmentTag(message?.attachment_kind);
}

function renderList() {
  const entries = shownEntries();
  $("#queue").replaceChildren(...entries.map(queueItem));
  const empty = $("#queue-empty");
  empty.hidden = entries.length > 0;
  empty.textContent = results ? t("search.none") : t(view === "queue" ? "queue.empty" : `empty.${view}`);
  $("#search-count").textContent = results ? t("search.results", results.length) : "";
  for (const name of VIEWS) {
    const tab = document.querySelector(`[data-view="${name}"]`);
    tab.setAttribute("aria-pressed", String(!results && name === view));
    tab.querySelector(".count").textContent = String(entriesOf(name).length);
  }
}

function tickWaits() {
  for (const entry of handoffs.values()) {
    const node = document.querySelector(`[data-wait-for="${entry.handoff.id}"]`);
    if (node) node.textContent = formatDuration(waitingSeconds(entry));
  }
}

function upsert(handoff) {
  const isNew = !handoffs.has(handoff.id);
  handoffs.set(handoff.id, { handoff, receivedAt: Date.now() });
  if (isNew && handoff.status === "queued") announceNewHandoff(handoff, summaryText(handoff), () => select(handoff.id));
}

async function loadHandoffs() {
  const [open, resolved] = await Promise.all([get("/api/v1/handoffs?status=open"), get("/api/v1/handoffs?view=resolved")]);
  handoffs.clear();
  [...open.items, ...resolved.items].forEach((handoff) => handoffs.set(handoff.id, { handoff, receivedAt: Date.now() }));
  renderList();
}

function showView(name) {
  view = name;
  clearSearch();
  renderList();
}

let searchVersion = 0;
async function search(text) {
  const version = ++searchVersion;
  if (!text.trim()) { results = null; renderList(); return; }
  const found = await get(`/api/v1/handoffs${query({ q: text.trim(), limit: 50 })}`);
  if (version !== searchVersion) return; // a newer search was typed meanwhile
  results = found.items;
  renderList();
}

function clearSearch() {
  $("#inbox-search").value = "";
  searchVersion += 1;
  results = null;
}

/** The open conversation moved (claimed: Queue → Mine, resolved: → Resolved): the list
 * follows it, so it stays in sight. */
function followSelected(handoff) {
  if (handoff.id !== selectedId || results) return;
  const entry = handoffs.get(handoff.id);
  if (!inView[view](entry)) view = VIEWS.find((name) => inView[name](entry)) || view;
}

function select(handoffId) {
  selectedId = handoffId;
  history.replaceState(null, "", `#handoff-${handoffId}`);
  renderList();
  showConversation(handoffId, me);
}

/** The next (step 1) or previous (-1) conversation of the list, from the open one. */
function selectNeighbour(step) {
  const ids = shownEntries().map((entry) => entry.handoff.id);
  if (!ids.length) return;
  const at = ids.indexOf(selectedId);
  const next = at < 0 ? (step > 0 ? 0 : ids.length - 1) : Math.min(ids.length - 1, Math.max(0, at + step));
  select(ids[next]);
  document.querySelector(`[data-handoff-id="${ids[next]}"]`)?.focus();
}

// ---- keyboard shortcuts, listed in the help overlay (?) ----
const SHORTCUTS = [
  [["c"], "help.claim", () => conversationShortcuts.claim()],
  [["r"], "help.resolve", () => conversationShortcuts.resolve()],
  [["t"], "help.canned", () => conversationShortcuts.canned()],
  [["j", "n"], "help.next", () => { selectNeighbour(1); return true; }],
  [["k", "p"], "help.previous", () => { selectNeighbour(-1); return true; }],
  [["/"], "help.search", () => { $("#inbox-search").focus(); return true; }],
  [["1", "2", "3"], "help.views", (key) => { showView(VIEWS[Number(key) - 1]); return true; }],
  [["?"], "help.help", () => { toggleHelp(); return true; }],
];

function helpDialog() {
  const dialog = h("dialog", { id: "shortcuts", "aria-labelledby": "shortcuts-title" },
    h("h3", { id: "shortcuts-title", text: t("help.title") }),
    h("dl", { className: "shortcuts" },
      ...SHORTCUTS.flatMap(([keys, label]) => [h("dt", {}, keys.map((key) => h("kbd", { text: key }))), h("dd", { text: t(label) })]),
      h("dt", {}, h("kbd", { text: "Esc" })), h("dd", { text: t("help.escape") })),
    h("form", { method: "dialog", className: "actions" }, h("button", { className: "ghost", text: t("ops.close") })));
  return dialog;
}

function toggleHelp() {
  const shown = $("#shortcuts");
  if (shown?.open) { shown.close(); return; }
  shown?.remove();
  const dialog = helpDialog();
  document.body.append(dialog);
  dialog.showModal();
}

function typingInAField(target) {
  return target.closest?.("input, textarea, select, [contenteditable]") !== null;
}

function onShortcut(event) {
  if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
  if (typingInAField(event.target) || document.querySelector("dialog[open]:not(#shortcuts)")) return;
  if ($("#shortcuts")?.open && event.key !== "?") return; // the dialog closes with Esc
  const shortcut = SHORTCUTS.find(([keys]) => keys.includes(event.key));
  if (shortcut && shortcut[2](event.key)) event.preventDefault();
}

function listen() {
  const opened = token();
  const source = new EventSource(`/api/v1/events?token=${encodeURIComponent(opened)}`);
  const live = $("#live-state");
  let dropped = false;
  source.addEventListener("open", () => {
    live.textContent = t("queue.live");
    live.className = "live on";
    if (dropped) loadHandoffs(); // events missed while disconnected: take a fresh snapshot
    dropped = false;
  });
  source.addEventListener("error", () => {
    dropped = true;
    live.textContent = t("queue.reconnecting");
    live.className = "live off";
  });
  source.addEventListener("handoff", (event) => {
    const { handoff } = JSON.parse(event.data);
    upsert(handoff);
    if (results) results = results.map((found) => (found.id === handoff.id ? handoff : found));
    followSelected(handoff);
    renderList();
    conversationEvents.handoff(handoff);
  });
  source.addEventListener("message", (event) => conversationEvents.message(JSON.parse(event.data)));
  source.addEventListener("typing", (event) => conversationEvents.typing(JSON.parse(event.data)));
  source.addEventListener("delivery", (event) => conversationEvents.delivery(JSON.parse(event.data)));
  // Logged out elsewhere, deactivated or expired: back to the sign-in form. After this tab
  // changed the password it holds a new token: follow the events with that one.
  source.addEventListener("session_ended", () => {
    source.close();
    if (token() && token() !== opened) listen();
    else sessionEnded();
  });
}

function wirePane() {
  for (const name of VIEWS) document.querySelector(`[data-view="${name}"]`).addEventListener("click", () => showView(name));
  const box = $("#inbox-search");
  let timer = 0;
  box.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(() => search(box.value), 250); });
  box.addEventListener("keydown", (event) => {
    if (event.key === "Escape") { clearSearch(); renderList(); box.blur(); }
  });
  $("#search-form").addEventListener("submit", (event) => { event.preventDefault(); clearTimeout(timer); search(box.value); });
  $("#help-button").addEventListener("click", toggleHelp);
  $("#notify-slot").replaceChildren(notifyButton());
  document.addEventListener("keydown", onShortcut);
}

startSession({ roles: ["agent", "ops", "admin"] }).then(async (agent) => {
  me = agent;
  const heartbeat = () => post("/api/v1/agents/heartbeat").catch(() => {});
  heartbeat();
  setInterval(heartbeat, HEARTBEAT_MS);
  setInterval(tickWaits, 1000);
  window.addEventListener("focus", clearBadge);
  document.addEventListener("pointerdown", clearBadge);
  document.addEventListener("keydown", clearBadge);
  document.addEventListener("visibilitychange", () => { if (document.visibilityState === "visible") clearBadge(); });
  onLanguageChange(() => { renderList(); $("#notify-slot").replaceChildren(notifyButton()); });
  wirePane();
  if (["ops", "admin"].includes(agent.role)) setTeam((await get("/api/v1/team")).items);
  await loadHandoffs();
  listen();
  const linked = Number((window.location.hash.match(/^#handoff-(\d+)$/) || [])[1]);
  if (linked) select(linked);
});
