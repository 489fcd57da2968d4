// #/payments — the agency's payments of a day (its receivers and leaders): each order made that day,
// when, its dossier, the amount, its state and the gateway's transaction number, with the day's totals.
// #/payments/reconciliation — the daily reconciliation (its leaders; an administrator the province's):
// each difference between the gateway's list of the day and our orders, in plain words, with counts and
// totals; a day picker. GET /v1/payments?day= and GET /v1/reconciliations/<day> (docs/payments.md).

import { encode, get, session, staffRole } from "../api.js";
import { formatDate, formatDateTime, formatVnd, t } from "../i18n.js";
import { field, h, loading, notice } from "../dom.js";
import { errorBlock } from "./common.js";

const DAY_RE = /^\d{4}-\d{2}-\d{2}$/;
const KINDS = ["paid_there_not_here", "amount_differs", "here_not_there"];

function vietnamDay(offsetDays = 0) {
  // The gateway's day is Vietnam's (UTC+7).
  return new Date(Date.now() + 7 * 3600_000 + offsetDays * 86_400_000).toISOString().slice(0, 10);
}

function dayPicker(route, day) {
  const input = h("input", { type: "date", name: "day", value: day, required: true, max: vietnamDay() });
  return h(
    "form",
    {
      class: "recon-day no-print",
      onsubmit: (event) => {
        event.preventDefault();
        if (DAY_RE.test(input.value)) location.hash = `${route}?day=${input.value}`;
      },
    },
    field({ label: t("recon.day"), name: "day", control: input, required: true }),
    h("div", { class: "actions" }, h("button", { type: "submit", class: "btn btn--secondary" }, t("recon.show"))),
  );
}

function table(caption, head, rows) {
  return h(
    "div",
    { class: "table-wrap", tabindex: "0", role: "region", "aria-label": caption },
    h(
      "table",
      { class: "table recon-table" },
      h("caption", {}, caption),
      h("thead", {}, h("tr", {}, head.map((label) => h("th", { scope: "col" }, label)))),
      h("tbody", {}, rows),
    ),
  );
}

function dossierLink(code) {
  return code ? h("a", { href: `#/dossiers/${encode(code)}` }, code) : "—";
}

export async function paymentsDayView(ctx) {
  ctx.title(t("payday.title"));
  const heading = h("h1", {}, t("payday.title"));
  if (!["receiver", "leader"].includes(staffRole())) {
    ctx.render(heading, notice(t("payday.forbidden"), "error"));
    return;
  }
  const day = DAY_RE.test(ctx.query.get("day") || "") ? ctx.query.get("day") : vietnamDay();
  const picker = dayPicker("#/payments", day);
  const links = staffRole() === "leader" ? h("p", {}, h("a", { href: `#/payments/reconciliation?day=${day}` }, t("recon.title"))) : null;
  ctx.render(heading, picker, links, loading());
  const lines = [];
  let token = null;
  let paidCount = 0;
  let paidVnd = 0;
  try {
    do {
      const page = await get("/payments", { query: { day, limit: 100, ...(token ? { next_token: token } : {}) } });
      lines.push(...page.items);
      paidCount += page.paid_count;
      paidVnd += page.paid_vnd;
      token = page.next_token;
    } while (token && lines.length < 1000);
  } catch (error) {
    ctx.render(heading, picker, links, errorBlock(error, ctx.reload));
    return;
  }
  if (!ctx.alive()) return;
  const summary = h(
    "p",
    { class: "recon-totals", id: "payday-totals" },
    t("payday.totals", { day: formatDate(day), orders: lines.length, paid: paidCount, amount: formatVnd(paidVnd) }),
  );
  if (!lines.length) {
    ctx.render(heading, picker, links, summary, notice(t("payday.empty")));
    return;
  }
  const rows = lines.map((line) =>
    h(
      "tr",
      {},
      h("td", {}, formatDateTime(line.confirmed_at || line.created_at)),
      h("td", {}, dossierLink(line.dossier)),
      h("td", { class: "num" }, formatVnd(line.amount_vnd)),
      h("td", {}, h("span", { class: `badge recon-state recon-state--${line.state}` }, t(`payday.state.${line.state}`))),
      h("td", {}, line.transaction_no && line.transaction_no !== "0" ? line.transaction_no : "—"),
    ),
  );
  const head = [t("payday.time"), t("payday.dossier"), t("payday.amount"), t("payday.state"), t("payday.txn")];
  ctx.render(heading, picker, links, summary, table(t("payday.caption", { day: formatDate(day) }), head, rows));
}

export async function reconciliationView(ctx) {
  ctx.title(t("recon.title"));
  const heading = h("h1", {}, t("recon.title"));
  if (!["leader", "admin"].includes(staffRole()) || !session()) {
    ctx.render(heading, notice(t("recon.forbidden"), "error"));
    return;
  }
  const day = DAY_RE.test(ctx.query.get("day") || "") ? ctx.query.get("day") : vietnamDay(-1);
  const picker = dayPicker("#/payments/reconciliation", day);
  const intro = h("p", { class: "recon-intro" }, t("recon.intro"));
  ctx.render(heading, intro, picker, loading());
  let report;
  try {
    report = await get(`/reconciliations/${encode(day)}`);
  } catch (error) {
    if (error.status === 404) {
      ctx.render(heading, intro, picker, notice(t("recon.none", { day: formatDate(day) })));
      return;
    }
    ctx.render(heading, intro, picker, errorBlock(error, ctx.reload));
    return;
  }
  if (!ctx.alive()) return;
  const totals = report.totals;
  const counts = Object.fromEntries(KINDS.map((kind) => [kind, report.differences.filter((d) => d.kind === kind).length]));
  const facts = h(
    "dl",
    { class: "recon-facts" },
    h("dt", {}, t("recon.here")),
    h("dd", { id: "recon-here" }, t("recon.sum", { n: totals.here_count, amount: formatVnd(totals.here_vnd) })),
    h("dt", {}, t("recon.there")),
    h("dd", { id: "recon-there" }, t("recon.sum", { n: totals.there_count, amount: formatVnd(totals.there_vnd) })),
    totals.refunds_count ? [h("dt", {}, t("recon.refunds")), h("dd", {}, t("recon.sum", { n: totals.refunds_count, amount: formatVnd(totals.refunds_vnd) }))] : null,
    KINDS.map((kind) => [h("dt", {}, t(`recon.kind.${kind}`)), h("dd", { id: `recon-count-${kind}` }, String(counts[kind]))]),
    h("dt", {}, t("recon.ran")),
    h("dd", {}, formatDateTime(report.ran_at)),
  );
  const status = report.differences.length
    ? notice(t("recon.found", { n: report.differences.length }), "warning")
    : notice(t("recon.clean"), "success");
  if (!report.differences.length) {
    ctx.render(heading, intro, picker, status, facts);
    return;
  }
  const rows = report.differences.map((d) =>
    h(
      "tr",
      {},
      h("td", {}, h("strong", {}, t(`recon.kind.${d.kind}`)), h("p", { class: "recon-explain" }, t(`recon.explain.${d.kind}`))),
      h("td", {}, d.ref),
      h("td", {}, dossierLink(d.dossier)),
      h("td", { class: "num" }, d.amount_here === null || d.amount_here === undefined ? "—" : formatVnd(d.amount_here)),
      h("td", { class: "num" }, d.amount_there === null || d.amount_there === undefined ? "—" : formatVnd(d.amount_there)),
      h("td", {}, d.state_here ? t(`payday.state.${d.state_here}`) : t("recon.nothere")),
      h("td", {}, d.transaction_no && d.transaction_no !== "0" ? d.transaction_no : "—"),
    ),
  );
  const head = [t("recon.col.kind"), t("recon.col.ref"), t("payday.dossier"), t("recon.col.here"), t("recon.col.there"), t("recon.col.state"), t("payday.txn")];
  ctx.render(heading, intro, picker, status, facts, table(t("recon.caption", { day: formatDate(day) }), head, rows));
}
