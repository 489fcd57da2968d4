// The dashboard's section of the Decision 766/QĐ-TTg indicators (#/stats): each indicator of the period
// and agency the pickers chose, its value (or why motcua has none), its formula and the decision's
// criterion in a details/summary. GET /v1/statistics/indicators (docs/indicators.md).

import { t } from "../i18n.js";
import { h } from "../dom.js";
import { tableWrap } from "./charts.js";
import { formatCount, formatRate } from "./stats-format.js";

function valueCell(item) {
  if (!item.held) return h("td", { class: "stats-ind__value stats-ind__value--none" }, t("stats.ind.notheld"));
  if (item.value === null || item.value === undefined) return h("td", { class: "stats-ind__value" }, "—", h("span", { class: "stats-ind__note" }, ` ${t("stats.ind.nothing")}`));
  return h("td", { class: "stats-ind__value num" }, formatRate(item.value));
}

function definition(item) {
  return h(
    "details",
    { class: "stats-ind__details" },
    h("summary", {}, t("stats.ind.definition")),
    h(
      "dl",
      {},
      h("dt", {}, t("stats.ind.formula")),
      h("dd", {}, item.formula),
      h("dt", {}, t("stats.ind.clause")),
      h("dd", { lang: "vi" }, item.clause),
      item.missing ? [h("dt", {}, t("stats.ind.missing")), h("dd", {}, item.missing)] : null,
    ),
  );
}

/** The section, from the API's answer; `periodText` names the period and agency in the caption. */
export function indicatorSection(answer, periodText) {
  const groups = new Map((answer.groups || []).map((g) => [g.key, g.name]));
  const rows = (answer.items || []).map((item) =>
    h(
      "tr",
      { dataset: { key: item.key, held: String(item.held) } },
      h("td", {}, groups.get(item.group) || item.group),
      h("th", { scope: "row" }, h("span", { class: "stats-ind__name" }, item.name), item.held ? null : h("span", { class: "stats-ind__why" }, item.missing), definition(item)),
      valueCell(item),
      h("td", { class: "num" }, item.held ? `${formatCount(item.numerator)} / ${formatCount(item.denominator)}` : "—"),
    ),
  );
  return h(
    "section",
    { class: "stats-section", "aria-labelledby": "stats-ind-title", id: "stats-ind-section" },
    h("h2", { id: "stats-ind-title" }, t("stats.ind.title")),
    h("p", {}, t("stats.ind.lead")),
    tableWrap(
      h(
        "table",
        { class: "stats-table stats-ind" },
        h("caption", {}, t("stats.ind.caption", { period: periodText })),
        h(
          "thead",
          {},
          h(
            "tr",
            {},
            h("th", { scope: "col" }, t("stats.ind.col.group")),
            h("th", { scope: "col" }, t("stats.ind.col.name")),
            h("th", { scope: "col" }, t("stats.ind.col.value")),
            h("th", { scope: "col", class: "num" }, t("stats.ind.col.fraction")),
          ),
        ),
        h("tbody", {}, rows),
      ),
    ),
  );
}
