// "Hồ sơ của tôi": the citizen's drafts (GET /v1/me/drafts) — procedure, last saved, expires on,
// continue (the filing form, which restores it) or delete (DELETE with If-Match).

import { ApiError, api, encode, get } from "../api.js";
import { formatDate, formatDateTime, t } from "../i18n.js";
import { announce, h, notice } from "../dom.js";

function draftCard(d, list) {
  const remove = h(
    "button",
    {
      type: "button",
      class: "btn btn--secondary btn--small",
      onclick: async () => {
        remove.disabled = true;
        try {
          await api("DELETE", `/me/drafts/${encode(d.procedure_code)}`, { headers: { "If-Match": `"${d.version}"` } });
          try {
            localStorage.removeItem(`motcua.draft.${list.dataset.owner}.${d.procedure_code}`);
          } catch {
            /* nothing kept in this browser */
          }
          item.remove();
          if (!list.children.length) list.replaceWith(notice(t("drafts.empty")));
          announce(t("drafts.deleted", { name: d.procedure_name }), "success");
        } catch (error) {
          remove.disabled = false;
          const message = error instanceof ApiError ? error.message : String(error);
          item.append(notice(message, "error"));
        }
      },
    },
    t("drafts.delete"),
    h("span", { class: "visually-hidden" }, ` ${d.procedure_name}`),
  );
  const item = h(
    "li",
    { class: "card draft-card", dataset: { procedure: d.procedure_code } },
    h("h3", { class: "card__title" }, d.procedure_name),
    h(
      "p",
      { class: "card__facts" },
      h("span", {}, t("drafts.saved", { at: formatDateTime(d.saved_at) })),
      h("span", {}, t("drafts.expires", { on: formatDate(d.expires_at) })),
      d.papers ? h("span", {}, t("drafts.papers", { n: d.papers })) : null,
    ),
    h(
      "div",
      { class: "actions" },
      h("a", { class: "btn btn--primary btn--small", href: `#/file/${encodeURIComponent(d.procedure_code)}` }, t("drafts.continue"), h("span", { class: "visually-hidden" }, ` ${d.procedure_name}`)),
      remove,
    ),
  );
  return item;
}

/** The drafts section of "my dossiers"; an error in it leaves the rest of the page as it is. */
export async function draftsSection(owner) {
  let drafts;
  try {
    drafts = (await get("/me/drafts")).items || [];
  } catch (error) {
    return h("section", { class: "panel drafts", "aria-labelledby": "drafts-title" }, h("h2", { id: "drafts-title" }, t("drafts.title")), notice(error.message, "error"));
  }
  const list = h("ul", { class: "cards drafts__list", dataset: { owner: owner || "anon" } });
  for (const d of drafts) list.append(draftCard(d, list));
  return h(
    "section",
    { class: "panel drafts", "aria-labelledby": "drafts-title" },
    h("h2", { id: "drafts-title" }, t("drafts.title")),
    h("p", { class: "field__hint" }, t("drafts.hint")),
    drafts.length ? list : notice(t("drafts.empty")),
  );
}
