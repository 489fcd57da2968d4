// #/escalations — for the agency's leaders (and its staff): open tasks the scheduled sweep found
// late or due by the next working day, soonest due first. GET /v1/agencies/<agency>/escalations.

import { ApiError, encode, get, session } from "../api.js";
import { formatDateTime, t } from "../i18n.js";
import { h, notice } from "../dom.js";
import { errorBlock, pagedList } from "./common.js";
import { taskCard } from "./inbox.js";
import { agencyName } from "./procedure.js";

export async function escalationsView(ctx) {
  ctx.title(t("esc.title"));
  const heading = h("h1", {}, t("esc.title"));
  const agency = session()?.claims?.["custom:agency_code"];
  if (!agency) {
    ctx.render(heading, notice(t("inbox.noagency"), "error"));
    return;
  }
  const name = await agencyName(agency);
  let list;
  try {
    list = await pagedList({
      fetchPage: (token) => get(`/agencies/${encode(agency)}/escalations`, { query: { limit: 20, next_token: token } }),
      renderItem: (task) =>
        taskCard(task, {
          extra: task.escalated_at ? h("span", {}, `${t("task.escalated_at")}: ${formatDateTime(task.escalated_at)}`) : null,
        }),
      empty: t("esc.empty"),
    });
  } catch (error) {
    // A 404 that is not the API's "no such agency" means the route is not deployed here yet.
    const missingRoute = error instanceof ApiError && error.status === 404 && error.code !== "agency_not_found";
    ctx.render(
      heading,
      missingRoute
        ? notice(t("esc.unavailable"), "info", [h("a", { href: "#/inbox", class: "btn btn--secondary" }, t("nav.inbox"))])
        : errorBlock(error, ctx.reload),
    );
    return;
  }
  ctx.render(heading, h("p", { class: "lead" }, t("esc.intro", { agency: name === agency ? agency : `${name} (${agency})` })), list);
}
