// #/dossiers/<code>/control-slip — Mẫu 05, phiếu kiểm soát quá trình giải quyết hồ sơ: every
// hand-over of the dossier (the desk, then each agency of the flow), its allowance and whether it
// finished early, on time or late. A table on a wide screen and on paper, cards on a phone.

import { encode, get } from "../api.js";
import { formatDate, formatDateTime, t } from "../i18n.js";
import { facts, h, statusBadge } from "../dom.js";
import { backLink, daysLabel, errorBlock, stepLabel, timelinessBadge } from "./common.js";

// [cell, column heading, the shorter label a phone's card shows beside the value]
const COLUMNS = [
  ["order", "slip.order", "slip.order"],
  ["agency", "slip.agency", "slip.agency"],
  ["step", "slip.step", "slip.step"],
  ["officer", "slip.officer", "slip.officer"],
  ["received", "slip.received", "slip.received"],
  ["finished", "slip.finished", "slip.finished"],
  ["allowance", "slip.allowance", "slip.allowance"],
  ["due", "slip.due", "slip.due"],
  ["timeliness", "slip.timeliness", "task.timeliness"],
];

function workOf(row) {
  return row.kind === "step" ? stepLabel(row) : t("slip.reception");
}

function cells(row) {
  return {
    order: String(row.order),
    agency: row.agency_name || row.agency,
    step: workOf(row),
    officer: row.officer || "—",
    received: h("time", { datetime: row.received_at }, formatDateTime(row.received_at)),
    finished: row.finished_at ? h("time", { datetime: row.finished_at }, formatDateTime(row.finished_at)) : "—",
    allowance: daysLabel(row.allowance_days),
    due: h("time", { datetime: row.due_at }, formatDate(row.due_at)),
    timeliness: timelinessBadge(row.timeliness),
  };
}

/**
 * The table keeps explicit ARIA roles: on a phone its rows are laid out as cards (display: block),
 * which would otherwise drop the table semantics in some browsers.
 */
function slipTable(rows) {
  return h(
    "table",
    { class: "slip-table", role: "table" },
    h("caption", { class: "slip-table__caption" }, t("slip.caption")),
    h(
      "thead",
      { role: "rowgroup" },
      h("tr", { role: "row" }, COLUMNS.map(([key, label]) => h("th", { scope: "col", role: "columnheader", class: `slip-table__${key}` }, t(label)))),
    ),
    h(
      "tbody",
      { role: "rowgroup" },
      rows.map((row) => {
        const values = cells(row);
        return h(
          "tr",
          { role: "row", class: `slip-table__row slip-table__row--${row.timeliness || "pending"}` },
          COLUMNS.map(([key, , label]) =>
            key === "order"
              ? h("th", { scope: "row", role: "rowheader", class: `slip-table__${key}`, dataset: { label: t(label) } }, values[key])
              : h("td", { role: "cell", class: `slip-table__${key}`, dataset: { label: t(label) } }, values[key]),
          ),
        );
      }),
    ),
  );
}

export async function controlSlipView(ctx) {
  const code = ctx.params[0];
  ctx.title(`${t("slip.title")} ${code}`);
  const back = backLink(`#/dossiers/${encodeURIComponent(code)}`, `${t("receipt.code")} ${code}`);
  let slip;
  try {
    slip = await get(`/dossiers/${encode(code)}/control-slip`);
  } catch (error) {
    ctx.render(back, h("h1", {}, t("slip.title")), errorBlock(error, ctx.reload));
    return;
  }
  const rows = slip.rows || [];
  ctx.render(
    back,
    h(
      "article",
      { class: "slip", "aria-labelledby": "slip-title" },
      h(
        "header",
        { class: "slip__head" },
        h("p", { class: "slip__form" }, h("strong", {}, t("slip.form")), h("span", { class: "slip__basis" }, t("slip.basis"))),
        h("h1", { id: "slip-title", class: "slip__title" }, t("slip.title")),
        h("p", { class: "slip__code" }, `${t("slip.code")}: `, h("strong", { class: "code" }, slip.code)),
      ),
      h(
        "section",
        { class: "panel slip__facts" },
        facts([
          [t("dossier.procedure"), slip.procedure_name],
          [t("dossier.agency"), slip.agency_name],
          [t("dossier.filed"), formatDateTime(slip.filed_at)],
          [t("dossier.due"), h("strong", {}, formatDate(slip.due_at))],
          [t("dossier.status"), statusBadge(slip.status, slip.status_label)],
        ]),
      ),
      rows.length ? slipTable(rows) : h("p", { class: "empty" }, t("slip.empty")),
      h("p", { class: "slip__generated muted" }, t("slip.generated", { at: formatDateTime(new Date().toISOString()) })),
    ),
    h(
      "p",
      { class: "actions no-print" },
      h("button", { type: "button", class: "btn btn--primary", onclick: () => window.print() }, t("slip.print")),
    ),
  );
}
