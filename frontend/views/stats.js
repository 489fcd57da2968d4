// #/stats — the leaders' dashboard (a leader: their agency and the agencies merged into it; an
// administrator: the province or any agency): the key numbers of a range of months, and four charts,
// each with its table beside it: the on-time rate by month, the agencies side by side, the ten
// procedures late most often, what falls due this week and the next. Every count in a table links to
// #/stats/dossiers, the dossiers behind it. GET /v1/statistics, …/late-procedures, …/due, …/export
// (the contract: docs/statistics.md).

import { ApiError, agencies, get, getBlob, session, staffRole } from "../api.js";
import { dayKey, formatDate, t, tx } from "../i18n.js";
import { h, notice } from "../dom.js";
import { backLink, errorBlock, pagedList, statusLabel } from "./common.js";
import { saveBlob } from "./documents.js";
import { barChart, tableWrap } from "./charts.js";
import { indicatorSection } from "./stats-indicators.js";
import { formatCount, formatDays, formatRate, monthLabel, thisMonth } from "./stats-format.js";

const MONTH_RE = /^\d{4}-(0[1-9]|1[0-2])$/;
const DAY_RE = /^\d{4}-\d{2}-\d{2}$/;
// The columns GET /v1/statistics/dossiers lists, and what a number of the tables is made of.
const DRILL_COLUMNS = ["late", "on_time", "early", "overdue", "in_time", "refused", "withdrawn", "stopped", "received_online", "received_counter", "received_post"];
const MADE_OF = {
  new: ["received_online", "received_counter", "received_post"],
  resolved: ["early", "on_time", "late"],
  in_time_resolved: ["early", "on_time"],
  late: ["late"],
  overdue: ["overdue"],
  in_time: ["in_time"],
};
// How many pages of the drill-down are asked for at once.
const PARALLEL_READS = 6;
// Counted at the end of the period, not over it: their dossiers are those of its last month.
const AT_END = new Set(["overdue", "in_time"]);

function monthsBetween(first, last) {
  const months = [];
  let [year, month] = first.split("-").map(Number);
  const [lastYear, lastMonth] = last.split("-").map(Number);
  while ((year < lastYear || (year === lastYear && month <= lastMonth)) && months.length < 120) {
    months.push(`${year}-${String(month).padStart(2, "0")}`);
    month += 1;
    if (month > 12) {
      month = 1;
      year += 1;
    }
  }
  return months;
}

/** The period and agency the address asks for, with this year's months by default. */
function chosen(query, role, ownAgency) {
  const now = thisMonth();
  const to = MONTH_RE.test(query.get("to") || "") ? query.get("to") : now;
  const from = MONTH_RE.test(query.get("from") || "") ? query.get("from") : `${to.slice(0, 4)}-01`;
  const asked = query.get("agency") || "";
  const agency = role === "admin" ? asked : asked || ownAgency || "";
  return { from, to, agency };
}

function statsQuery({ from, to, agency }, extra = {}) {
  return { from, to, agency: agency || undefined, ...extra };
}

/** The dashboard's own address for a period and agency. */
function dashboardHref({ from, to, agency }) {
  const params = new URLSearchParams({ from, to });
  if (agency) params.set("agency", agency);
  return `#/stats?${params.toString()}`;
}

/** The address of the dossiers behind a number. */
function drillHref({ from, to, agency }, made, extra = {}) {
  const params = new URLSearchParams();
  const months = AT_END.has(made) ? { from: to, to } : { from, to };
  params.set("from", months.from);
  params.set("to", months.to);
  if (agency) params.set("agency", agency);
  params.set("column", MADE_OF[made].join(","));
  for (const [key, value] of Object.entries(extra)) if (value) params.set(key, value);
  return `#/stats/dossiers?${params.toString()}`;
}

function countLink(n, href, label) {
  if (n === null || n === undefined) return "—";
  return h("a", { href, "aria-label": label ? `${formatCount(n)} — ${label}` : null }, formatCount(n));
}

// --- the agencies one may look at ----------------------------------------------------------------

/** [{code, name}] the picker offers: an administrator the province ("") and every agency; a leader their own and those merged into it. */
async function agencyChoices(role, ownAgency) {
  let list = [];
  try {
    list = await agencies();
  } catch {
    list = [];
  }
  if (role === "admin") return [{ code: "", name: t("stats.province") }, ...list.map((a) => ({ code: a.code, name: tx(a.name) }))];
  const own = list.find((a) => a.code === ownAgency);
  const merged = list.filter((a) => a.merged_into === ownAgency);
  return [{ code: ownAgency, name: own ? tx(own.name) : ownAgency }, ...merged.map((a) => ({ code: a.code, name: tx(a.name) }))];
}

// --- exports -------------------------------------------------------------------------------------

function exportButtons(period, by, { slug }) {
  const live = h("p", { class: "hint stats-export__live", role: "status", "aria-live": "polite" });
  const button = (format) => {
    const b = h(
      "button",
      { type: "button", class: "btn btn--secondary btn--small", dataset: { export: `${slug}.${format}` } },
      t(`stats.export.${format}`),
    );
    b.addEventListener("click", async () => {
      b.disabled = true;
      live.textContent = t("export.fetching");
      const fallback = `thong-ke-${slug}-${period.from}-${period.to}.${format}`;
      try {
        const accept = format === "xlsx" ? "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" : "text/csv";
        const { blob, filename } = await getBlob("/statistics/export", { accept, query: statsQuery(period, { format, by }) });
        saveBlob(blob, filename || fallback);
        live.textContent = t("export.saved", { name: filename || fallback });
      } catch (error) {
        live.textContent = error instanceof ApiError ? error.message : t("stats.export.failed");
      } finally {
        b.disabled = false;
      }
    });
    return b;
  };
  return h("div", { class: "stats-export" }, h("span", { class: "stats-export__label" }, t("stats.export.label")), button("xlsx"), button("csv"), live);
}

/** A table the API cannot export (what falls due): a CSV made here, UTF-8 with a BOM as the API's. */
function csvButton(rows, filename) {
  const live = h("p", { class: "hint stats-export__live", role: "status", "aria-live": "polite" });
  const b = h("button", { type: "button", class: "btn btn--secondary btn--small", dataset: { export: "due.csv" } }, t("stats.export.csv"));
  b.addEventListener("click", () => {
    const quote = (value) => `"${String(value).replace(/"/g, '""')}"`;
    const text = rows.map((row) => row.map(quote).join(",")).join("\r\n");
    saveBlob(new Blob(["\ufeff", text, "\r\n"], { type: "text/csv;charset=utf-8" }), filename);
    live.textContent = t("export.saved", { name: filename });
  });
  return h("div", { class: "stats-export" }, h("span", { class: "stats-export__label" }, t("stats.export.label")), b, live);
}

// --- the tables ----------------------------------------------------------------------------------

const FIGURE_COLUMNS = [
  ["new", "new", "new"],
  ["resolved", "resolved", "resolved"],
  ["in_time_resolved", null, "in_time_resolved"],
  ["late", "late", "late"],
  ["rate", "on_time_rate", null],
  ["overdue", "overdue", "overdue"],
];

function figureValue(row, field) {
  if (field === null) return (row.early ?? 0) + (row.on_time ?? 0);
  return row[field];
}

/** One row of figures: its header cell, then a linked count per column (the rate is not a count). */
function figureCells(row, period, rowLabel) {
  return FIGURE_COLUMNS.map(([key, field, made]) => {
    if (key === "rate") return h("td", { class: "num" }, formatRate(row.on_time_rate));
    const value = figureValue(row, field);
    return h("td", { class: "num" }, countLink(value, drillHref(period, made), `${t(`stats.col.${key}`)}, ${rowLabel}`));
  });
}

function figureTable({ caption, firstColumn, rows, total, period, rowPeriod }) {
  const head = h("tr", {}, h("th", { scope: "col" }, firstColumn), FIGURE_COLUMNS.map(([key]) => h("th", { scope: "col", class: "num" }, t(`stats.col.${key}`))));
  const body = rows.map((row) => {
    const label = row.label;
    return h("tr", {}, h("th", { scope: "row" }, label), figureCells(row, rowPeriod(row), label));
  });
  const foot = total ? h("tfoot", {}, h("tr", {}, h("th", { scope: "row" }, t("stats.total")), figureCells(total, period, t("stats.total")))) : null;
  return tableWrap(h("table", { class: "stats-table" }, h("caption", {}, caption), h("thead", {}, head), h("tbody", {}, body), foot));
}

function section(id, title, chart, table, exports, empty) {
  return h(
    "section",
    { class: "stats-section", "aria-labelledby": id, id: `${id}-section` },
    h("h2", { id }, title),
    empty ? h("p", { class: "empty" }, empty) : h("div", { class: "stats-pair" }, h("div", { class: "stats-pair__chart" }, chart), h("div", { class: "stats-pair__table" }, table)),
    exports,
  );
}

function keyNumbers(total, period) {
  const item = (key, value, href) =>
    h("div", { class: "stats-key", dataset: { key } }, h("dt", {}, t(`stats.key.${key}`)), h("dd", {}, href ? h("a", { href }, value) : value));
  return h(
    "dl",
    { class: "stats-keys" },
    item("received", formatCount(total.received)),
    item("resolved", formatCount(total.resolved), drillHref(period, "resolved")),
    item("rate", formatRate(total.on_time_rate)),
    item("days", formatDays(total.average_working_days)),
    item("overdue", formatCount(total.overdue), drillHref(period, "overdue")),
  );
}

// --- the view ------------------------------------------------------------------------------------

function pickerForm(period, choices, ctx) {
  const from = h("input", { type: "month", id: "stats-from", name: "from", value: period.from, class: "field__control", required: true });
  const to = h("input", { type: "month", id: "stats-to", name: "to", value: period.to, max: thisMonth(), class: "field__control", required: true });
  const agency = h(
    "select",
    { id: "stats-agency", name: "agency", class: "field__control", disabled: choices.length < 2 },
    choices.map((c) => h("option", { value: c.code, selected: c.code === period.agency }, c.name)),
  );
  const error = h("p", { class: "field__error", id: "stats-period-error", role: "alert", hidden: true });
  const form = h(
    "form",
    { class: "stats-picker", novalidate: true },
    h("div", { class: "field" }, h("label", { for: "stats-from", class: "field__label" }, t("stats.from")), from),
    h("div", { class: "field" }, h("label", { for: "stats-to", class: "field__label" }, t("stats.to")), to),
    h("div", { class: "field" }, h("label", { for: "stats-agency", class: "field__label" }, t("stats.agency")), agency),
    h("div", { class: "stats-picker__go" }, h("button", { type: "submit", class: "btn" }, t("stats.show"))),
    error,
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (!MONTH_RE.test(from.value) || !MONTH_RE.test(to.value) || from.value > to.value) {
      error.hidden = false;
      error.textContent = t("stats.badperiod");
      from.setAttribute("aria-invalid", "true");
      from.setAttribute("aria-describedby", error.id);
      from.focus();
      return;
    }
    ctx.navigate(dashboardHref({ from: from.value, to: to.value, agency: agency.value }));
  });
  return form;
}

export async function statsView(ctx) {
  ctx.title(t("stats.title"));
  const heading = h("h1", {}, t("stats.title"));
  const role = staffRole(session());
  const ownAgency = session()?.claims?.["custom:agency_code"] || "";
  if (!["leader", "admin"].includes(role)) {
    ctx.render(heading, notice(t("stats.forbidden"), "error"));
    return;
  }
  const period = chosen(ctx.query, role, ownAgency);
  const choices = await agencyChoices(role, ownAgency);
  const agencyLabel = choices.find((c) => c.code === period.agency)?.name || period.agency || t("stats.province");
  let byMonth;
  let byAgency;
  let late;
  let due;
  let measured;
  try {
    [byMonth, byAgency, late, due, measured] = await Promise.all([
      get("/statistics", { query: statsQuery(period, { by: "month" }) }),
      get("/statistics", { query: statsQuery(period, { by: "agency" }) }),
      get("/statistics/late-procedures", { query: statsQuery(period) }),
      get("/statistics/due", { query: { agency: period.agency || undefined } }),
      get("/statistics/indicators", { query: statsQuery(period) }),
    ]);
  } catch (error) {
    const missing = error instanceof ApiError && error.status === 404 && !error.code.startsWith("agency");
    ctx.render(heading, pickerForm(period, choices, ctx), missing ? notice(t("stats.unavailable"), "info") : errorBlock(error, ctx.reload));
    return;
  }
  if (!ctx.alive()) return;
  const periodText = t("stats.period", { from: monthLabel(period.from), to: monthLabel(period.to), agency: agencyLabel });

  // On-time rate by month.
  const months = (byMonth.rows || []).map((row) => ({ ...row, label: monthLabel(row.key) }));
  const monthChart = barChart(months.map((row) => ({ label: row.label, value: row.on_time_rate, text: formatRate(row.on_time_rate) })), { max: 1, label: "months" });
  const monthTable = figureTable({
    caption: t("stats.bymonth.caption", { period: periodText }),
    firstColumn: t("stats.col.month"),
    rows: months,
    total: byMonth.total,
    period,
    rowPeriod: (row) => ({ ...period, from: row.key, to: row.key }),
  });

  // Agencies side by side.
  const agencyRows = (byAgency.rows || []).map((row) => ({ ...row, label: tx(row.name) || row.key }));
  const agencyChart = barChart(agencyRows.map((row) => ({ label: row.label, value: row.on_time_rate, text: formatRate(row.on_time_rate) })), { max: 1, label: "agencies" });
  const agencyTable = figureTable({
    caption: t("stats.byagency.caption", { period: periodText }),
    firstColumn: t("stats.col.agency"),
    rows: agencyRows,
    total: null,
    period,
    rowPeriod: (row) => ({ ...period, agency: row.key }),
  });

  // The ten procedures late most often.
  const lateRows = (late.rows || []).map((row) => ({ ...row, label: tx(row.name) || row.procedure }));
  const lateChart = barChart(lateRows.map((row) => ({ label: row.label, value: row.late, text: formatCount(row.late), tone: "late" })), { label: "late" });
  const lateTable = tableWrap(
    h(
      "table",
      { class: "stats-table" },
      h("caption", {}, t("stats.late.caption", { period: periodText })),
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, t("stats.col.procedure")), h("th", { scope: "col", class: "num" }, t("stats.col.late")), h("th", { scope: "col", class: "num" }, t("stats.col.resolved")))),
      h(
        "tbody",
        {},
        lateRows.map((row) =>
          h(
            "tr",
            {},
            h("th", { scope: "row" }, row.label, h("span", { class: "stats-code" }, ` (${row.procedure})`)),
            h("td", { class: "num" }, countLink(row.late, drillHref(period, "late", { procedure: row.procedure }), `${t("stats.col.late")}, ${row.label}`)),
            h("td", { class: "num" }, countLink(row.resolved, drillHref(period, "resolved", { procedure: row.procedure }), `${t("stats.col.resolved")}, ${row.label}`)),
          ),
        ),
      ),
    ),
  );

  // What falls due on each working day of this week and the next.
  const days = due.days || [];
  const dueChart = barChart(days.map((d) => ({ label: formatDate(`${d.date}T12:00:00+07:00`), value: d.count, text: formatCount(d.count) })), { label: "due" });
  const now = thisMonth();
  const dueTable = tableWrap(
    h(
      "table",
      { class: "stats-table" },
      h("caption", {}, t("stats.due.caption", { agency: agencyLabel })),
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, t("stats.col.day")), h("th", { scope: "col", class: "num" }, t("stats.col.due")))),
      h(
        "tbody",
        {},
        days.map((d) =>
          h(
            "tr",
            {},
            h("th", { scope: "row" }, formatDate(`${d.date}T12:00:00+07:00`)),
            h("td", { class: "num" }, countLink(d.count, drillHref({ ...period, from: now, to: now }, "in_time", { due: d.date }), `${t("stats.col.due")}, ${formatDate(`${d.date}T12:00:00+07:00`)}`)),
          ),
        ),
      ),
    ),
  );
  const dueCsv = [[t("stats.col.day"), t("stats.col.due")], ...days.map((d) => [d.date, d.count])];

  ctx.render(
    heading,
    h("p", { class: "lead" }, periodText),
    pickerForm(period, choices, ctx),
    h("section", { class: "stats-section", "aria-labelledby": "stats-key-title" }, h("h2", { id: "stats-key-title" }, t("stats.key.title")), keyNumbers(byMonth.total || {}, period)),
    section("stats-months", t("stats.bymonth.title"), monthChart, monthTable, exportButtons(period, "month", { slug: "thang" }), months.length ? null : t("stats.empty")),
    section("stats-agencies", t("stats.byagency.title"), agencyChart, agencyTable, exportButtons(period, "agency", { slug: "co-quan" }), agencyRows.length ? null : t("stats.empty")),
    section("stats-late", t("stats.late.title"), lateChart, lateTable, exportButtons(period, "procedure", { slug: "thu-tuc" }), lateRows.length ? null : t("stats.late.empty")),
    section("stats-due", t("stats.due.title"), dueChart, dueTable, csvButton(dueCsv, `den-han-${dayKey(new Date())}.csv`), days.length ? null : t("stats.due.empty")),
    indicatorSection(measured, periodText),
  );
}

// --- #/stats/dossiers: the dossiers behind a number ----------------------------------------------

/**
 * The dossiers behind a number: `column` (one or several of the API's, comma separated) of `agency`
 * (or of every agency, for the province) in each month from `from` to `to`, optionally only those of
 * one `procedure` or falling due on one day (`due`). GET /v1/statistics/dossiers answers one agency,
 * month and column at a time: they are read one after the other, a page at a time.
 */
export async function statsDossiersView(ctx) {
  ctx.title(t("stats.drill.title"));
  const heading = h("h1", {}, t("stats.drill.title"));
  const role = staffRole(session());
  const ownAgency = session()?.claims?.["custom:agency_code"] || "";
  if (!["leader", "admin"].includes(role)) {
    ctx.render(heading, notice(t("stats.forbidden"), "error"));
    return;
  }
  const q = ctx.query;
  const period = chosen(q, role, ownAgency);
  const columns = (q.get("column") || "").split(",").filter((c) => DRILL_COLUMNS.includes(c));
  const procedure = q.get("procedure") || "";
  const due = DAY_RE.test(q.get("due") || "") ? q.get("due") : "";
  const back = backLink(dashboardHref(period), t("stats.drill.back"));
  if (!columns.length || period.from > period.to) {
    ctx.render(back, heading, notice(t("stats.drill.bad"), "error"));
    return;
  }
  let agencyCodes = [period.agency];
  if (!period.agency) agencyCodes = (await agencies()).filter((a) => !a.merged_into).map((a) => a.code);
  const choices = await agencyChoices(role, ownAgency);
  const agencyLabel = choices.find((c) => c.code === period.agency)?.name || period.agency || t("stats.province");
  const sources = [];
  for (const agency of agencyCodes) for (const month of monthsBetween(period.from, period.to)) for (const column of columns) sources.push({ agency, month, column });
  // What is left to read: each an agency, month and column, and the token of its next page.
  const cursors = sources.map((source) => ({ ...source, token: null }));
  const keep = (item) => (!procedure || item.procedure === procedure) && (!due || (item.due_at && dayKey(new Date(item.due_at)) === due));

  // A few cursors at a time, at once (a province's year is agencies × months × columns of them);
  // their items in the cursors' order, a cursor with more pages read again next.
  const fetchPage = async () => {
    const items = [];
    while (cursors.length && items.length < 20) {
      const round = cursors.splice(0, PARALLEL_READS);
      const pages = await Promise.all(
        round.map((c) => get("/statistics/dossiers", { query: { agency: c.agency, month: c.month, column: c.column, next_token: c.token } })),
      );
      const again = [];
      pages.forEach((page, i) => {
        items.push(...(page.items || []).filter(keep).map((item) => ({ ...item, column: round[i].column })));
        if (page.next_token) again.push({ ...round[i], token: page.next_token });
      });
      cursors.unshift(...again);
    }
    return { items, next_token: cursors.length ? "more" : null };
  };
  const what = columns.map((c) => t(`stats.drill.col.${c}`)).join(", ");
  const described = [
    t("stats.period", { from: monthLabel(period.from), to: monthLabel(period.to), agency: agencyLabel }),
    procedure ? t("stats.drill.procedure", { code: procedure }) : null,
    due ? t("stats.drill.due", { day: formatDate(`${due}T12:00:00+07:00`) }) : null,
  ].filter(Boolean).join(" · ");
  let list;
  try {
    list = await pagedList({
      fetchPage,
      listClass: "cards stats-dossiers",
      empty: t("stats.drill.empty"),
      renderItem: (item) =>
        h(
          "li",
          { class: "card stats-dossier" },
          h("h2", { class: "card__title" }, h("a", { href: `#/dossiers/${encodeURIComponent(item.code)}` }, item.code)),
          h("p", {}, tx(item.procedure_name) || item.procedure),
          h(
            "p",
            { class: "card__meta" },
            h("span", {}, statusLabel(item.status)),
            h("span", {}, `${t("stats.drill.col." + item.column)}`),
            item.filed_at ? h("span", {}, `${t("stats.drill.filed")}: ${formatDate(item.filed_at)}`) : null,
            item.due_at ? h("span", {}, `${t("stats.drill.dueat")}: ${formatDate(item.due_at)}`) : null,
            item.finished_at ? h("span", {}, `${t("stats.drill.finished")}: ${formatDate(item.finished_at)}`) : null,
          ),
        ),
    });
  } catch (error) {
    ctx.render(back, heading, errorBlock(error, ctx.reload));
    return;
  }
  ctx.render(back, heading, h("p", { class: "lead" }, `${what} — ${described}`), list);
}
