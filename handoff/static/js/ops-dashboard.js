// Ops dashboard: every service measure of GET /api/v1/metrics, each labelled with what it means.
import { get, query } from "./api.js";
import { $, formatDuration, formatNumber, formatPercent, h } from "./dom.js";
import { onLanguageChange, t } from "./i18n.js";
import { barChart, columnChart } from "./charts.js";
import { startSession } from "./session.js";

let metrics = null;

function tile(label, value, hint, testId) {
  return h("article", { className: "card tile", "data-metric": testId },
    h("span", { className: "label", text: label }),
    h("span", { className: "value", text: value }),
    h("span", { className: "hint", text: hint }));
}

// Answered minus promised: "−1m 20s" sooner than the customer was told, "+2m" later.
const signedDuration = (seconds) => (seconds === null || seconds === undefined ? "–"
  : `${seconds < 0 ? "−" : "+"}${formatDuration(Math.abs(seconds))}`);
const promiseError = (w) => (w?.n ? `${signedDuration(w.error_p50_seconds)} / ${signedDuration(w.error_p90_seconds)}` : "–");

const timeText = (times) => (times?.n ? `${formatDuration(times.p50_seconds)} / ${formatDuration(times.p90_seconds)}` : "–");
const timeHint = (hint, times) => `p50 / p90 · ${hint} · ${t("dash.sample", times?.n ?? 0)}`;

function tiles(m) {
  const { containment: c, handoffs, ces, bot_resolutions: bot, reopened_within_24h: reopened } = m;
  const promises = m.wait_promises;
  return [
    tile(t("dash.conversations"), formatNumber(m.conversations.total), t("dash.conversationsHint"), "conversations"),
    tile(t("dash.containment"), formatPercent(c.rate), t("dash.containmentHint", c.without_human, c.closed), "containment"),
    tile(t("dash.handoffRate"), formatPercent(handoffs.rate), t("dash.handoffRateHint", handoffs.total), "handoff-rate"),
    tile(t("dash.botResolved"), formatNumber((bot?.confirmed ?? 0) + (bot?.assumed ?? 0)), t("dash.botResolvedHint", bot?.confirmed ?? 0, bot?.assumed ?? 0), "bot-resolutions"),
    tile(t("dash.cesMean"), formatNumber(ces.mean, 1), t("dash.cesMeanHint", ces.answers), "ces-mean"),
    tile(t("dash.easyShare"), formatPercent(ces.easy_share), t("dash.easyShareHint"), "easy-share"),
    tile(t("dash.netEffort"), formatPercent(ces.net_effort), t("dash.netEffortHint"), "net-effort"),
    tile(t("dash.responseRate"), formatPercent(ces.response_rate), t("dash.responseRateHint", ces.answers, ces.surveys_sent), "response-rate"),
    tile(t("dash.reopened"), formatPercent(reopened.rate), t("dash.reopenedHint", reopened.reopened, reopened.closed), "reopened"),
    tile(t("dash.timeToAgent"), timeText(m.time_to_agent), timeHint(t("dash.timeToAgentHint"), m.time_to_agent), "time-to-agent"),
    tile(t("dash.firstResponse"), timeText(m.first_agent_response), timeHint(t("dash.firstResponseHint"), m.first_agent_response), "first-response"),
    tile(t("dash.handling"), timeText(m.handling_time), timeHint(t("dash.handlingHint"), m.handling_time), "handling-time"),
    tile(t("dash.promiseKept"), formatPercent(promises?.under_promised_share),
      t("dash.promiseKeptHint", promises?.under_promised ?? 0, promises?.n ?? 0, promises?.no_time_promised ?? 0), "wait-promise-kept"),
    tile(t("dash.promiseError"), promiseError(promises),
      `p50 / p90 · ${t("dash.promiseErrorHint")} · ${t("dash.sample", promises?.n ?? 0)}`, "wait-promise-error"),
  ];
}

function chartCard(title, svgOrEmpty) {
  return h("section", { className: "card chart" }, h("h3", { text: title }), svgOrEmpty);
}

const noData = () => h("p", { className: "empty", text: t("dash.noData") });
const effortClass = (score) => (score <= 3 ? "hard" : score === 4 ? "neutral" : "easy");

function charts(m) {
  const perDay = m.conversations.by_day.map((d) => ({ label: d.date.slice(5), value: d.count }));
  const reasons = m.handoffs.by_reason.map((r) => ({
    label: t(`reason.${r.reason}`, r.reason), value: r.rate, valueLabel: `${formatPercent(r.rate)} (${r.count})`, className: "warn" }));
  const distribution = [1, 2, 3, 4, 5, 6, 7].map((score) => ({
    label: String(score), value: m.ces.distribution?.[score] ?? 0, className: effortClass(score) }));
  const cesGroup = (label, group, className) => ({ label, value: group?.mean ?? 0, className,
    valueLabel: group?.answers ? `${formatNumber(group.mean, 1)} · ${t("dash.answers", group.answers)}` : "–" });
  const cesCompare = [
    cesGroup(t("dash.botOnly"), m.ces.bot_only, ""),
    cesGroup(t("dash.handedOff"), m.ces.handed_off, "alt"),
    ...(m.ces.by_reason || []).map((r) => cesGroup(t(`reason.${r.reason}`, r.reason), r, "warn")),
  ];
  const times = [["dash.timeToAgent", m.time_to_agent], ["dash.firstResponse", m.first_agent_response], ["dash.handling", m.handling_time]]
    .flatMap(([key, v]) => [
      { label: `${t(key)} p50`, value: v?.p50_seconds ?? 0, valueLabel: formatDuration(v?.p50_seconds) },
      { label: `${t(key)} p90`, value: v?.p90_seconds ?? 0, valueLabel: formatDuration(v?.p90_seconds), className: "alt" },
    ]);
  const hasAnswers = distribution.some((d) => d.value > 0);
  return [
    chartCard(t("dash.perDay"), perDay.length ? columnChart(t("dash.perDay"), perDay) : noData()),
    chartCard(t("dash.byReason"), reasons.length ? barChart(t("dash.byReason"), reasons) : noData()),
    chartCard(t("dash.cesDistribution"), hasAnswers ? columnChart(t("dash.cesDistribution"), distribution, { height: 180 }) : noData()),
    chartCard(t("dash.cesCompare"), m.ces.answers ? barChart(t("dash.cesCompare"), cesCompare, { max: 7 }) : noData()),
    chartCard(t("dash.times"), barChart(t("dash.times"), times, { labelWidth: 200 })),
  ];
}

function render() {
  if (!metrics) return;
  $("#tiles").replaceChildren(...tiles(metrics));
  $("#charts").replaceChildren(...charts(metrics));
}

async function load() {
  const form = $("#range");
  $("#dash-error").textContent = "";
  try {
    metrics = await get(`/api/v1/metrics${query({ from: form.elements.from.value, to: form.elements.to.value })}`);
    // Empty fields get the server's default: the last 30 days of the *store's* calendar,
    // which may already be tomorrow for a browser west of the store.
    form.elements.from.value = metrics.from;
    form.elements.to.value = metrics.to;
    render();
  } catch (failure) {
    $("#dash-error").textContent = failure.message;
  }
}

startSession({ roles: ["ops", "admin"] }).then(() => {
  const form = $("#range");
  form.addEventListener("submit", (event) => { event.preventDefault(); load(); });
  onLanguageChange(render);
  load();
});
