// #/results — the province's results, for everyone (no sign-in, no personal data): the on-time rate
// of the dossiers resolved this year and this month, for the province and per agency, as a bar chart
// and the table beside it. GET /v1/public/results?year= (cacheable, docs/statistics.md).

import { get } from "../api.js";
import { dayKey, formatDateTime, t, tx } from "../i18n.js";
import { h } from "../dom.js";
import { errorBlock } from "./common.js";
import { barChart, tableWrap } from "./charts.js";
import { formatCount, formatRate, monthLabel } from "./stats-format.js";

export async function resultsView(ctx) {
  ctx.title(t("results.title"));
  const heading = h("h1", {}, t("results.title"));
  const thisYear = Number(dayKey(new Date()).slice(0, 4));
  const asked = Number(ctx.query.get("year"));
  const year = Number.isInteger(asked) && asked >= 2000 && asked <= thisYear ? asked : thisYear;
  let data;
  try {
    data = await get("/public/results", { query: { year }, auth: false });
  } catch (error) {
    ctx.render(heading, errorBlock(error, ctx.reload));
    return;
  }
  const month = data.month ? monthLabel(data.month) : "";
  const rows = (data.rows || []).map((row) => ({ ...row, label: tx(row.name) || row.agency }));
  const province = data.province || {};
  const thisMonth = rows.reduce(
    (sum, row) => ({ resolved: sum.resolved + (row.month?.resolved || 0), on_time: sum.on_time + (row.month?.on_time || 0) }),
    { resolved: 0, on_time: 0 },
  );
  const monthRate = thisMonth.resolved ? thisMonth.on_time / thisMonth.resolved : null;
  const keys = h(
    "dl",
    { class: "stats-keys" },
    h("div", { class: "stats-key", dataset: { key: "year" } }, h("dt", {}, t("results.key.year", { year: data.year ?? year })), h("dd", {}, formatRate(province.on_time_rate))),
    h("div", { class: "stats-key", dataset: { key: "year-count" } }, h("dt", {}, t("results.key.resolved", { year: data.year ?? year })), h("dd", {}, formatCount(province.resolved))),
    h("div", { class: "stats-key", dataset: { key: "month" } }, h("dt", {}, t("results.key.month", { month })), h("dd", {}, formatRate(monthRate))),
  );
  const chart = barChart(rows.map((row) => ({ label: row.label, value: row.year?.on_time_rate, text: formatRate(row.year?.on_time_rate) })), { max: 1, label: "results" });
  const cell = (value) => h("td", { class: "num" }, value);
  const table = tableWrap(
    h(
      "table",
      { class: "stats-table" },
      h("caption", {}, t("results.caption", { year: data.year ?? year, month })),
      h(
        "thead",
        {},
        h("tr", {}, h("th", { scope: "col", rowspan: "2" }, t("stats.col.agency")), h("th", { scope: "colgroup", colspan: "3", class: "num" }, t("results.col.year", { year: data.year ?? year })), h("th", { scope: "colgroup", colspan: "3", class: "num" }, t("results.col.month", { month }))),
        h("tr", {}, ["resolved", "on_time", "rate", "resolved", "on_time", "rate"].map((key) => h("th", { scope: "col", class: "num" }, t(`results.col.${key}`)))),
      ),
      h(
        "tbody",
        {},
        rows.map((row) =>
          h(
            "tr",
            {},
            h("th", { scope: "row" }, row.label),
            cell(formatCount(row.year?.resolved)),
            cell(formatCount(row.year?.on_time)),
            cell(formatRate(row.year?.on_time_rate)),
            cell(formatCount(row.month?.resolved)),
            cell(formatCount(row.month?.on_time)),
            cell(formatRate(row.month?.on_time_rate)),
          ),
        ),
      ),
    ),
  );
  const years = [thisYear, thisYear - 1, thisYear - 2];
  ctx.render(
    heading,
    h("p", { class: "lead" }, t("results.intro")),
    h(
      "nav",
      { class: "results-years", "aria-label": t("results.years") },
      h("ul", { class: "link-list" }, years.map((y) => h("li", {}, h("a", { href: `#/results?year=${y}`, "aria-current": y === year ? "page" : null }, String(y))))),
    ),
    keys,
    h(
      "section",
      { class: "stats-section", "aria-labelledby": "results-agencies" },
      h("h2", { id: "results-agencies" }, t("results.agencies")),
      rows.length ? h("div", { class: "stats-pair" }, h("div", { class: "stats-pair__chart" }, chart), h("div", { class: "stats-pair__table" }, table)) : h("p", { class: "empty" }, t("results.empty")),
    ),
    h("p", { class: "hint" }, t("results.definition")),
    data.updated_at ? h("p", { class: "hint" }, t("results.updated", { at: formatDateTime(data.updated_at) })) : null,
  );
}
