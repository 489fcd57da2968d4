// #/me/notifications — what was sent to the signed-in citizen (email, SMS), newest first, a page at a time.
// The addresses come masked from the API; the list holds the subject of an email or the text of an SMS.

import { get, isCitizen } from "../api.js";
import { formatDateTime, t } from "../i18n.js";
import { h, notice } from "../dom.js";
import { backLink, errorBlock, pagedList } from "./common.js";

const PAGE = 10;

/** The link from "my dossiers" to this page. */
export function notificationsLink() {
  return h("p", { class: "me-notifications-link" }, h("a", { href: "#/me/notifications" }, t("notes.link")));
}

function noteCard(n) {
  return h(
    "li",
    { class: "card note" },
    h(
      "h2",
      { class: "card__title note__title" },
      h("span", { class: `note__channel note__channel--${n.channel}` }, t(`notes.channel.${n.channel}`)),
      " ",
      n.event_label,
    ),
    h("p", { class: "card__body note__summary" }, n.summary),
    h(
      "p",
      { class: "card__facts note__facts" },
      h("span", {}, `${t("notes.sent")}: `, h("time", { datetime: n.sent_at }, formatDateTime(n.sent_at))),
      h("span", {}, `${t("notes.to")}: ${n.to}`),
      h(
        "span",
        {},
        `${t("notes.dossier")}: `,
        h("a", { href: `#/dossiers/${encodeURIComponent(n.dossier_code)}`, class: "note__code" }, n.dossier_code),
      ),
    ),
  );
}

export async function notificationsView(ctx) {
  ctx.title(t("notes.title"));
  const head = [backLink("#/me", t("me.title")), h("h1", {}, t("notes.title"))];
  if (!isCitizen()) {
    ctx.render(head, notice(t("me.citizen"), "warning"));
    return;
  }
  let list;
  try {
    list = await pagedList({
      fetchPage: (token) => get("/me/notifications", { query: { limit: PAGE, next_token: token } }),
      renderItem: noteCard,
      empty: t("notes.empty"),
    });
  } catch (error) {
    ctx.render(head, errorBlock(error, ctx.reload));
    return;
  }
  ctx.render(head, h("p", { class: "lead" }, t("notes.intro")), list);
}
