// Agent inbox: the live queue (SSE + heartbeat) on the left, the chosen conversation on the right.
import { get, post, token } from "./api.js";
import { $, formatDuration, h } from "./dom.js";
import { onLanguageChange, t } from "./i18n.js";
import { conversationEvents, showConversation } from "./conversation.js";
import { startSession } from "./session.js";

const HEARTBEAT_MS = 30000;
const BASE_TITLE = document.title;
const queue = new Map(); // handoff id -> { handoff, receivedAt } (receivedAt lets waits tick locally)
let unseen = 0;
let selectedId = null;
let audio = null;
let me = null; // the signed-in agent

const waitingSeconds = ({ handoff, receivedAt }) => (handoff.status === "queued"
  ? (handoff.waiting_seconds || 0) + (Date.now() - receivedAt) / 1000
  : handoff.waiting_seconds);

// Same order as the API: higher priority first, then whoever waited longest.
const ordered = () => [...queue.values()].sort((a, b) =>
  (b.handoff.priority - a.handoff.priority) || (waitingSeconds(b) - waitingSeconds(a)));

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
      handoff.status === "assigned" && h("span", { className: `tag ${mine ? "mine" : "taken"}`, text: handoff.agent?.display_name || t("status.assigned") })),
    h("span", { className: "summary", text: handoff.summary || handoff.last_message?.text || "" })));
}

function renderQueue() {
  const entries = ordered();
  $("#queue").replaceChildren(...entries.map(queueItem));
  $("#queue-empty").hidden = entries.length > 0;
}

function tickWaits() {
  for (const entry of queue.values()) {
    const node = document.querySelector(`[data-wait-for="${entry.handoff.id}"]`);
    if (node) node.textContent = formatDuration(waitingSeconds(entry));
  }
}

function beep() {
  try {
    audio = audio || new AudioContext();
    const oscillator = audio.createOscillator();
    const gain = audio.createGain();
    oscillator.frequency.value = 880;
    gain.gain.setValueAtTime(0.15, audio.currentTime);
    gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + 0.4);
    oscillator.connect(gain).connect(audio.destination);
    oscillator.start();
    oscillator.stop(audio.currentTime + 0.4);
  } catch { /* no audio device: the title badge still tells */ }
}

// The badge counts new handoffs until the agent comes back to the tab or touches the page.
function announceNewHandoff() {
  beep();
  unseen += 1;
  document.title = `(${unseen}) ${BASE_TITLE}`;
}

function clearBadge() {
  unseen = 0;
  document.title = BASE_TITLE;
}

function upsert(handoff) {
  const isNew = !queue.has(handoff.id);
  if (handoff.status === "resolved") queue.delete(handoff.id);
  else queue.set(handoff.id, { handoff, receivedAt: Date.now() });
  if (isNew && handoff.status === "queued") announceNewHandoff();
}

async function loadQueue() {
  const { items } = await get("/api/v1/handoffs?status=open");
  queue.clear();
  items.forEach((handoff) => queue.set(handoff.id, { handoff, receivedAt: Date.now() }));
  renderQueue();
}

function select(handoffId) {
  selectedId = handoffId;
  history.replaceState(null, "", `#handoff-${handoffId}`);
  renderQueue();
  showConversation(handoffId, me);
}

function listen() {
  const source = new EventSource(`/api/v1/events?token=${encodeURIComponent(token())}`);
  const live = $("#live-state");
  let dropped = false;
  source.addEventListener("open", () => {
    live.textContent = t("queue.live");
    live.className = "live on";
    if (dropped) loadQueue(); // events missed while disconnected: take a fresh snapshot
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
    renderQueue();
    conversationEvents.handoff(handoff);
  });
  source.addEventListener("message", (event) => conversationEvents.message(JSON.parse(event.data)));
  source.addEventListener("typing", (event) => conversationEvents.typing(JSON.parse(event.data)));
  source.addEventListener("delivery", (event) => conversationEvents.delivery(JSON.parse(event.data)));
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
  onLanguageChange(renderQueue);
  await loadQueue();
  listen();
  const linked = Number((window.location.hash.match(/^#handoff-(\d+)$/) || [])[1]);
  if (linked) select(linked);
});
