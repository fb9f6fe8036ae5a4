// Managing canned replies from the inbox: every agent adds, edits and deletes their own;
// ops and admins also the shared ones (PATCH/DELETE refuse anything else with 403/404).
import { get, post, request } from "./api.js";
import { h } from "./dom.js";
import { t } from "./i18n.js";

const SUPERVISORS = ["ops", "admin"];

function replyForm(me, reply, onSaved, onCancel) {
  const error = h("p", { className: "error", role: "alert" });
  const form = h("form", { className: "canned-form" },
    h("label", {}, t("canned.title"), h("input", { name: "title", maxLength: 80, required: true, value: reply?.title || "" })),
    h("label", {}, t("canned.language"),
      h("select", { name: "language" }, ["id", "en"].map((code) => h("option", { value: code, text: code.toUpperCase(), selected: reply?.language === code })))),
    h("label", {}, t("canned.text"), h("textarea", { name: "text", rows: 4, maxLength: 4000, required: true, value: reply?.text || "" })),
    h("p", { className: "muted", text: t("canned.placeholders") }),
    !reply && SUPERVISORS.includes(me.role) && h("label", { className: "check" },
      h("input", { type: "checkbox", name: "shared" }), t("canned.sharedLabel")),
    error,
    h("div", { className: "actions" },
      h("button", { type: "button", className: "ghost", text: t("ui.cancel"), onclick: onCancel }),
      h("button", { type: "submit", className: "primary", text: t("canned.save") })));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = { title: form.elements.title.value, language: form.elements.language.value, text: form.elements.text.value };
    try {
      if (reply) await request("PATCH", `/api/v1/canned-replies/${reply.id}`, { body });
      else await post("/api/v1/canned-replies", { ...body, shared: Boolean(form.elements.shared?.checked) });
      onSaved();
    } catch (failure) {
      error.textContent = failure.message;
    }
  });
  return form;
}

function replyItem(reply, onEdit, onDelete) {
  return h("li", { className: "canned-item", "data-id": reply.id },
    h("div", { className: "canned-head" },
      h("strong", { text: reply.title }),
      h("span", { className: "tag", text: reply.language.toUpperCase() }),
      h("span", { className: "tag", text: reply.shared ? t("canned.shared") : t("canned.mine") })),
    h("p", { className: "canned-text", text: reply.text }),
    reply.editable && h("div", { className: "actions" },
      h("button", { type: "button", className: "ghost", text: t("canned.edit"), onclick: () => onEdit(reply) }),
      h("button", { type: "button", className: "ghost danger", text: t("canned.delete"), onclick: () => onDelete(reply) })));
}

/** Opens the manager; onChange() runs after every change (the composer reloads its list). */
export function openCannedManager(me, onChange) {
  const list = h("ol", { className: "canned-list" });
  const body = h("div", {});
  const dialog = h("dialog", { className: "canned-dialog", "aria-labelledby": "canned-title" },
    h("h3", { id: "canned-title", text: t("canned.manage") }),
    body,
    h("div", { className: "actions" },
      h("button", { type: "button", className: "primary", text: t("canned.add"), onclick: () => edit(null) }),
      h("button", { type: "button", className: "ghost", text: t("canned.close"), onclick: () => dialog.close() })));

  async function showList() {
    const { items } = await get("/api/v1/canned-replies");
    list.replaceChildren(...items.map((reply) => replyItem(reply, edit, remove)));
    body.replaceChildren(list);
  }
  function edit(reply) {
    body.replaceChildren(replyForm(me, reply, async () => { await showList(); onChange(); }, showList));
  }
  async function remove(reply) {
    await request("DELETE", `/api/v1/canned-replies/${reply.id}`);
    await showList();
    onChange();
  }

  dialog.addEventListener("close", () => dialog.remove());
  document.body.append(dialog);
  showList().then(() => dialog.showModal());
  return dialog;
}
