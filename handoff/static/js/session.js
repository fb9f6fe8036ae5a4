// The frame every staff page shares: app bar (navigation, language, who is signed in, log out)
// and the sign-in form. A page calls startSession() and gets the signed-in agent.
import { changePassword, currentAgent, get, login, logout, onLoggedOut, token } from "./api.js";
import { $, h } from "./dom.js";
import { applyLabels, language, onLanguageChange, setLanguage, t } from "./i18n.js";

const PAGES = [
  { href: "/inbox", label: "nav.inbox", roles: ["agent", "ops", "admin"] },
  { href: "/ops", label: "nav.transcripts", roles: ["ops", "admin"] },
  { href: "/ops/dashboard", label: "nav.dashboard", roles: ["ops", "admin"] },
  { href: "/admin", label: "nav.admin", roles: ["admin"] },
];

function renderAppBar(agent) {
  const bar = $("#app-bar");
  const languageButton = h("button", {
    type: "button", className: "ghost", text: language() === "id" ? "EN" : "ID",
    "aria-label": t("ui.switchLanguage"), onclick: () => setLanguage(language() === "id" ? "en" : "id"),
  });
  const links = PAGES.filter((page) => !agent || page.roles.includes(agent.role)).map((page) => h("a", {
    href: page.href, text: t(page.label),
    "aria-current": window.location.pathname === page.href ? "page" : null,
  }));
  bar.replaceChildren(
    h("a", { className: "brand", href: "/inbox" }, "Toko", h("span", { text: "Nusa" }), h("small", { text: t("ui.support") })),
    h("nav", { "aria-label": t("ui.pages") }, links),
    h("div", { className: "account" }, languageButton,
      agent && h("span", { className: "agent-name", text: `${agent.display_name} · ${agent.role}` }),
      agent && h("button", { type: "button", className: "ghost", id: "change-password", text: t("password.change"),
        onclick: showPasswordForm }),
      agent && h("button", { type: "button", className: "ghost", id: "logout", text: t("ui.logout"),
        onclick: async () => { await logout(); window.location.reload(); } })),
  );
}

// Changing one's own password ends every other session of the account; this tab gets a new token.
function showPasswordForm() {
  const error = h("p", { className: "error", role: "alert" });
  const field = (name, label, autocomplete) => h("label", {}, t(label),
    h("input", { name, type: "password", autocomplete, required: true }));
  const form = h("form", { className: "dialog-form", method: "dialog" },
    h("h2", { text: t("password.title") }),
    field("current", "password.current", "current-password"),
    field("fresh", "password.new", "new-password"),
    field("again", "password.again", "new-password"),
    error,
    h("div", { className: "actions" },
      h("button", { type: "submit", className: "primary", text: t("password.submit") }),
      h("button", { type: "button", className: "ghost", text: t("ui.cancel"), onclick: () => dialog.close() })));
  const dialog = h("dialog", { id: "password-dialog", className: "password-dialog" }, form);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (form.fresh.value !== form.again.value) { error.textContent = t("password.differ"); return; }
    try {
      await changePassword(form.current.value, form.fresh.value);
      form.replaceChildren(h("p", { role: "status", text: t("password.changed") }),
        h("button", { type: "button", className: "primary", text: "OK", onclick: () => dialog.close() }));
    } catch (failure) {
      error.textContent = failure.message;
    }
  });
  dialog.addEventListener("close", () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
  form.current.focus();
}

function showLogin(resolve, roles) {
  const error = h("p", { className: "error", role: "alert" });
  const form = h("form", { className: "login-card" },
    h("h1", { text: t("login.title") }),
    h("label", {}, t("login.username"), h("input", { name: "username", autocomplete: "username", required: true })),
    h("label", {}, t("login.password"), h("input", { name: "password", type: "password", autocomplete: "current-password", required: true })),
    error,
    h("button", { type: "submit", className: "primary", text: t("login.submit") }));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.textContent = "";
    try {
      const agent = await login(form.username.value, form.password.value);
      enter(agent, resolve, roles);
    } catch (failure) {
      error.textContent = failure.status === 401 ? t("login.bad") : failure.message;
    }
  });
  $("#login").replaceChildren(form);
  $("#login").hidden = false;
  $("#app").hidden = true;
  form.username.focus();
}

function enter(agent, resolve, roles) {
  renderAppBar(agent);
  $("#login").hidden = true;
  if (!roles.includes(agent.role)) {
    $("#login").replaceChildren(h("p", { className: "login-card", text: t("login.forbidden") }));
    $("#login").hidden = false;
    return;
  }
  $("#app").hidden = false;
  resolve(agent);
}

/** Resolves with the signed-in agent once someone with one of `roles` is signed in. */
export function startSession({ roles }) {
  applyLabels();
  renderAppBar(null);
  onLanguageChange(() => renderAppBar(currentAgent()));
  onLoggedOut(() => window.location.reload());
  return new Promise((resolve) => {
    if (!token()) { showLogin(resolve, roles); return; }
    get("/api/v1/auth/me").then(
      (agent) => enter(agent, resolve, roles),
      () => showLogin(resolve, roles),
    );
  });
}
