// Admin: the accounts, and what an admin does to one (docs/api.md "Accounts"). Every action is
// audited by the server; a new password is shown here once and never stored in the page.
import { ApiError, get, request } from "./api.js";
import { $, formatDateTime, h } from "./dom.js";
import { onLanguageChange, t } from "./i18n.js";
import { startSession } from "./session.js";

let me = null;
let accounts = [];

function notify(...content) {
  const notice = $("#admin-notice");
  notice.replaceChildren(...content);
  notice.hidden = content.length === 0;
}

async function act(method, path, done) {
  try {
    const result = await request(method, path, { body: method === "POST" ? {} : undefined });
    done(result);
  } catch (failure) {
    notify(h("span", { className: "error", text: failure instanceof ApiError ? failure.message : String(failure) }));
  }
  await load();
}

function actionsFor(account) {
  const path = `/api/v1/agents/${account.id}`;
  const name = account.username;
  const button = (label, onclick, disabled = false) => h("button", { type: "button", className: "ghost", text: t(label), disabled, onclick });
  return [
    account.is_active
      ? button("admin.deactivate", () => act("POST", `${path}/deactivate`, () => notify(t("admin.deactivated", name))), account.id === me.id)
      : button("admin.reactivate", () => act("POST", `${path}/reactivate`, () => notify(t("admin.reactivated", name)))),
    button("admin.resetPassword", () => act("POST", `${path}/password`, ({ password }) => notify(
      t("admin.newPassword", name), " ", h("code", { className: "new-password", text: password })))),
    button("admin.endSessions", () => act("DELETE", `${path}/sessions`, ({ sessions_ended: n }) => notify(t("admin.sessionsEnded", name, n)))),
    button("admin.clearFailures", () => act("DELETE", `${path}/login-failures`, ({ failures_cleared: n }) => notify(t("admin.failuresCleared", name, n))), account.login_failures === 0),
  ];
}

function render() {
  $("#accounts tbody").replaceChildren(...accounts.map((account) => h("tr", { "data-username": account.username },
    h("td", { text: account.username }),
    h("td", { text: account.display_name }),
    h("td", { text: account.role }),
    h("td", {}, h("span", { className: `tag ${account.is_active ? "active" : "inactive"}`, text: t(account.is_active ? "admin.active" : "admin.inactive") })),
    h("td", { text: formatDateTime(account.last_seen_at) }),
    h("td", { className: "failures", text: String(account.login_failures) }),
    h("td", {}, h("div", { className: "actions" }, actionsFor(account))))));
}

async function load() {
  accounts = (await get("/api/v1/agents")).items;
  render();
}

startSession({ roles: ["admin"] }).then(async (agent) => {
  me = agent;
  onLanguageChange(render);
  await load();
});
