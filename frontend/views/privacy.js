// Personal data: a citizen's "Tải dữ liệu của tôi" (GET /v1/me/export, one ZIP) on #/me, and
// #/access-log for an agency's leaders: who opened which dossier's personal data, newest first
// (GET /v1/agencies/<agency>/access-log).

import { ApiError, encode, get, getBlob, session } from "../api.js";
import { formatDateTime, t } from "../i18n.js";
import { h, notice } from "../dom.js";
import { errorBlock, pagedList } from "./common.js";
import { saveBlob } from "./documents.js";
import { agencyName } from "./procedure.js";

/** The citizen's button that downloads everything held about them, with its explanation. */
export function exportSection() {
  const live = h("p", { class: "hint", role: "status", "aria-live": "polite" });
  const button = h("button", { type: "button", class: "btn btn--secondary", id: "export-my-data" }, t("export.button"));
  button.addEventListener("click", async () => {
    button.disabled = true;
    live.textContent = t("export.fetching");
    try {
      const { blob, filename } = await getBlob("/me/export", { accept: "application/zip" });
      saveBlob(blob, filename || "du-lieu-cua-toi.zip");
      live.textContent = t("export.saved", { name: filename || "du-lieu-cua-toi.zip" });
    } catch (error) {
      live.textContent = error instanceof ApiError ? error.message : t("export.failed");
    } finally {
      button.disabled = false;
    }
  });
  return h("section", { class: "export", "aria-labelledby": "export-title" },
    h("h2", { id: "export-title" }, t("export.title")),
    h("p", {}, t("export.intro")),
    button,
    live);
}

const WHAT = ["task", "dossier", "control_slip", "document", "audit"];

function entryRow(entry) {
  const what = WHAT.includes(entry.what) ? t(`access.what.${entry.what}`) : entry.what;
  return h("li", { class: "card access-entry" },
    h("p", {}, h("strong", {}, formatDateTime(entry.at)), " · ", entry.name ? `${entry.name} (${entry.username})` : entry.username),
    h("p", {}, `${what}${entry.detail ? ` — ${entry.detail}` : ""} · `,
      h("a", { href: `#/dossiers/${encode(entry.dossier_code)}` }, entry.dossier_code)));
}

export async function accessLogView(ctx) {
  ctx.title(t("access.title"));
  const heading = h("h1", {}, t("access.title"));
  const claims = session()?.claims || {};
  const agency = claims["custom:agency_code"];
  if (!agency || claims["custom:role"] !== "leader") {
    ctx.render(heading, notice(t("access.leaders"), "warning"));
    return;
  }
  const name = await agencyName(agency);
  let list;
  try {
    list = await pagedList({
      fetchPage: (token) => get(`/agencies/${encode(agency)}/access-log`, { query: { limit: 20, next_token: token } }),
      renderItem: entryRow,
      empty: t("access.empty"),
    });
  } catch (error) {
    ctx.render(heading, errorBlock(error, ctx.reload));
    return;
  }
  ctx.render(heading, h("p", { class: "lead" }, t("access.intro", { agency: name === agency ? agency : `${name} (${agency})` })), list);
}
