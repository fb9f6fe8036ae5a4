// Ops review: search and filter transcripts, read one (redacted unless asked), print, export.
import { get, query, request } from "./api.js";
import { releaseAttachments } from "./attachments.js";
import { $, formatDateTime, h, isoDate, saveBlob } from "./dom.js";
import { onLanguageChange, t } from "./i18n.js";
import { startSession } from "./session.js";
import { renderTranscript } from "./transcript.js";

const PAGE_SIZE = 25;
const FILTERS = ["q", "from", "to", "channel", "language", "reason", "ces", "agent_id", "resolved_by"];
const REASONS = ["customer_request", "complaint", "not_understood", "answer_not_helpful", "verification_failed",
  "order_not_found", "order_already_shipped", "order_delayed", "order_delivered_issue", "refund_request",
  "assistant_unavailable"];
let offset = 0;
let total = 0;
let openId = null;
let canUnredact = false;
let team = []; // [{id, display_name}] from GET /api/v1/team: the agent filter shows names

/** The form's filters, without empty ones: the same object drives the list and the export. */
function filters() {
  const form = $("#filters");
  return Object.fromEntries(FILTERS.map((name) => [name, form.elements[name].value.trim()]).filter(([, v]) => v));
}

function fillReasons() {
  const select = $("#reason-filter");
  const chosen = select.value;
  select.replaceChildren(h("option", { value: "", text: t("ops.any") }),
    ...REASONS.map((reason) => h("option", { value: reason, text: t(`reason.${reason}`, reason) })));
  select.value = chosen;
}

/** The agent filter lists people by name; the request still carries the id. */
function fillAgents() {
  const select = $("#agent-filter");
  const chosen = select.value || new URLSearchParams(window.location.search).get("agent_id") || "";
  select.replaceChildren(h("option", { value: "", text: t("ops.any") }),
    ...team.map((agent) => h("option", { value: String(agent.id), text: agent.display_name })));
  select.value = chosen;
}

function resultRow(item) {
  return h("tr", { "data-id": item.id, className: item.id === openId ? "selected" : "", tabIndex: 0,
    onclick: () => openTranscript(item.id),
    onkeydown: (event) => { if (event.key === "Enter") openTranscript(item.id); } },
  h("td", { text: formatDateTime(item.created_at) }),
  h("td", { text: item.channel }),
  h("td", { text: (item.language || "–").toUpperCase() }),
  h("td", {}, item.reason ? h("span", { className: "tag reason", text: t(`reason.${item.reason}`, item.reason) })
    : h("span", { className: "muted", text: item.resolved_by === "bot" ? t("ops.bot") : "–" })),
  h("td", { text: item.ces_score ?? "–" }),
  h("td", { text: item.message_count ?? "" }),
  h("td", { className: "preview", text: item.preview || "" }));
}

async function loadList() {
  const params = { ...filters(), limit: PAGE_SIZE, offset };
  history.replaceState(null, "", query({ ...filters(), offset: offset || "" }) || window.location.pathname);
  const data = await get(`/api/v1/conversations${query(params)}`);
  total = data.total ?? data.items.length;
  $("#results").replaceChildren(...(data.items.length ? data.items.map(resultRow)
    : [h("tr", {}, h("td", { colSpan: 7, className: "empty", text: t("ops.noResults") }))]));
  $("#result-count").textContent = t("ops.results", total);
  $("#page-info").textContent = total ? `${offset + 1}–${Math.min(offset + PAGE_SIZE, total)} / ${total}` : "";
  $("#prev-page").disabled = offset === 0;
  $("#next-page").disabled = offset + PAGE_SIZE >= total;
}

function conversationFacts(conversation) {
  const reason = conversation.handoffs?.[0]?.reason;
  const survey = conversation.survey;
  return h("dl", {},
    h("dt", { text: t("ops.date") }), h("dd", { text: formatDateTime(conversation.created_at) }),
    h("dt", { text: t("ops.closeReason") }), h("dd", { text: `${formatDateTime(conversation.closed_at)}${conversation.close_reason ? ` (${conversation.close_reason})` : ""}` }),
    h("dt", { text: t("ops.channel") }), h("dd", { text: `${conversation.channel} · ${(conversation.language || "?").toUpperCase()}` }),
    reason && [h("dt", { text: t("ops.reason") }), h("dd", { text: t(`reason.${reason}`, reason) })],
    survey && [h("dt", { text: t("ops.survey") }), h("dd", { text: survey.score ? `${survey.score} / 7${survey.comment ? ` — ${survey.comment}` : ""}` : "–" })]);
}

async function openTranscript(id, unredacted = false) {
  openId = id;
  document.querySelectorAll("#results tr").forEach((row) => row.classList.toggle("selected", row.dataset.id === id));
  const view = $("#transcript-view");
  view.replaceChildren(h("p", { className: "empty", text: t("ui.loading") }));
  releaseAttachments();
  const conversation = await get(`/api/v1/conversations/${encodeURIComponent(id)}${query({ unredacted: unredacted ? "true" : "" })}`);
  if (openId !== id) return;
  const original = conversation.redacted === false;
  const toggle = h("input", { type: "checkbox", id: "show-original", checked: original,
    onchange: () => openTranscript(id, toggle.checked) });
  const transcript = h("ol", { className: "transcript" });
  renderTranscript(transcript, conversation.messages || []);
  view.replaceChildren(
    h("header", {},
      h("h2", { className: "print-only", text: `Toko Nusa — ${t("conv.transcript")}` }),
      h("h2", { text: conversation.id }),
      conversationFacts(conversation),
      h("p", { className: `redaction ${original ? "original" : ""}`, text: original ? t("ops.original") : t("ops.redacted") }),
      h("div", { className: "toolbar" },
        canUnredact && h("label", {}, toggle, ` ${t("ops.showOriginal")}`),
        h("button", { type: "button", className: "ghost", text: t("ops.print"), onclick: () => window.print() }))),
    transcript);
}

async function exportSelection(format) {
  const response = await request("GET", `/api/v1/conversations/export${query({ ...filters(), format })}`, { raw: true });
  saveBlob(await response.blob(), `transcripts-${isoDate(new Date())}.${format}`);
}

function restoreFiltersFromUrl() {
  const params = new URLSearchParams(window.location.search);
  const form = $("#filters");
  FILTERS.forEach((name) => { if (params.has(name)) form.elements[name].value = params.get(name); });
  offset = Number(params.get("offset")) || 0;
}

startSession({ roles: ["ops", "admin"] }).then(async (agent) => {
  canUnredact = ["ops", "admin"].includes(agent.role);
  team = (await get("/api/v1/team")).items;
  fillReasons();
  fillAgents();
  onLanguageChange(() => { fillReasons(); fillAgents(); loadList(); });
  restoreFiltersFromUrl();
  const form = $("#filters");
  form.addEventListener("submit", (event) => { event.preventDefault(); offset = 0; loadList(); });
  form.addEventListener("reset", () => setTimeout(() => { offset = 0; loadList(); })); // after the fields clear
  $("#prev-page").addEventListener("click", () => { offset = Math.max(0, offset - PAGE_SIZE); loadList(); });
  $("#next-page").addEventListener("click", () => { offset += PAGE_SIZE; loadList(); });
  $("#export-csv").addEventListener("click", () => exportSelection("csv"));
  $("#export-jsonl").addEventListener("click", () => exportSelection("jsonl"));
  loadList();
});
