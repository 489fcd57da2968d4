// #/ratings — the agency's satisfaction ratings for its staff (officers, the desk, leaders, its
// administrator): counts and means per criterion, per month and per procedure, and the comments.
// Nothing here names a dossier or who rated. GET /v1/agencies/<agency>/ratings?from=&to=&token=.

import { encode, get, session } from "../api.js";
import { formatDate, t, tx } from "../i18n.js";
import { field, h, loading, nextId, notice } from "../dom.js";
import { errorBlock } from "./common.js";

function thisMonth() {
  // Vietnam's month (UTC+7), as the tallies count them.
  return new Date(Date.now() + 7 * 3600_000).toISOString().slice(0, 7);
}

function monthsBefore(month, n) {
  const index = Number(month.slice(0, 4)) * 12 + Number(month.slice(5)) - 1 - n;
  return `${String(Math.floor(index / 12)).padStart(4, "0")}-${String((index % 12) + 1).padStart(2, "0")}`;
}

function mean(figure) {
  return figure.mean === null || figure.mean === undefined ? "—" : figure.mean.toLocaleString(document.documentElement.lang || "vi", { maximumFractionDigits: 2 });
}

/** A table with a caption: one row per item, a first column that names it, then each criterion's mean. */
function criteriaTable(caption, rows, criteria) {
  return h(
    "div",
    { class: "table-wrap", tabindex: "0", role: "region", "aria-label": caption },
    h(
      "table",
      { class: "table ratings-table" },
      h("caption", {}, caption),
      h(
        "thead",
        {},
        h("tr", {}, h("th", { scope: "col" }, rows.head), h("th", { scope: "col" }, t("ratings.count")), criteria.map((c) => h("th", { scope: "col" }, tx(c.name)))),
      ),
      h(
        "tbody",
        {},
        rows.items.map((row) =>
          h("tr", {}, h("th", { scope: "row" }, row.label), h("td", {}, String(row.ratings)), row.criteria.map((f) => h("td", {}, mean(f)))),
        ),
      ),
    ),
  );
}

function comments(list) {
  return list.map((c) =>
    h(
      "li",
      { class: "card rating-note" },
      h("p", { class: "rating-note__meta" }, `${formatDate(c.day)} · ${c.procedure_code} · ${t("ratings.overall")}: ${c.scores.overall}/5`),
      h("p", { class: "rating-comment" }, c.comment),
    ),
  );
}

export async function ratingsView(ctx) {
  ctx.title(t("ratings.title"));
  const heading = h("h1", {}, t("ratings.title"));
  const agency = session()?.claims?.["custom:agency_code"];
  if (!agency) {
    ctx.render(heading, notice(t("inbox.noagency"), "error"));
    return;
  }
  const last = /^\d{4}-\d{2}$/.test(ctx.query.get("to") || "") ? ctx.query.get("to") : thisMonth();
  const first = /^\d{4}-\d{2}$/.test(ctx.query.get("from") || "") ? ctx.query.get("from") : monthsBefore(last, 11);
  const fromInput = h("input", { type: "month", name: "from", value: first, required: true });
  const toInput = h("input", { type: "month", name: "to", value: last, required: true });
  const range = h(
    "form",
    {
      class: "ratings-range no-print",
      onsubmit: (event) => {
        event.preventDefault();
        const query = new URLSearchParams({ from: fromInput.value, to: toInput.value });
        location.hash = `#/ratings?${query}`;
      },
    },
    field({ label: t("ratings.from"), name: "from", control: fromInput, required: true }),
    field({ label: t("ratings.to"), name: "to", control: toInput, required: true }),
    h("div", { class: "actions" }, h("button", { type: "submit", class: "btn btn--secondary" }, t("ratings.show"))),
  );
  ctx.render(heading, range, loading());
  let view;
  try {
    view = await get(`/agencies/${encode(agency)}/ratings`, { query: { from: first, to: last } });
  } catch (error) {
    ctx.render(heading, range, errorBlock(error, ctx.reload));
    return;
  }
  if (!ctx.alive()) return;
  const criteria = view.criteria;
  const list = h("ul", { class: "cards rating-notes" }, comments(view.comments));
  const more = h("button", { type: "button", class: "btn btn--secondary more" }, t("more"));
  let token = view.next_token;
  more.hidden = !token;
  more.addEventListener("click", async () => {
    more.disabled = true;
    try {
      const page = await get(`/agencies/${encode(agency)}/ratings`, { query: { from: first, to: last, token } });
      const added = comments(page.comments);
      list.append(...added);
      token = page.next_token;
      more.hidden = !token;
      added[0]?.setAttribute("tabindex", "-1");
      added[0]?.focus();
    } finally {
      more.disabled = false;
    }
  });
  const notesId = nextId("notes");
  ctx.render(
    heading,
    h("p", { class: "lead" }, t("ratings.intro", { agency: `${tx(view.agency_name)} (${agency})` })),
    range,
    h("p", { class: "ratings-total" }, t("ratings.total", { n: view.ratings, from: first, to: last })),
    criteriaTable(t("ratings.criteria"), { head: t("ratings.range"), items: [{ label: `${first} – ${last}`, ratings: view.ratings, criteria: view.criteria }] }, criteria),
    h("p", { class: "field__hint" }, t("ratings.scale")),
    criteriaTable(t("ratings.bymonth"), { head: t("ratings.month"), items: view.months.map((m) => ({ label: m.month, ...m })) }, criteria),
    criteriaTable(
      t("ratings.byprocedure"),
      { head: t("ratings.procedure"), items: view.procedures.map((p) => ({ label: `${tx(p.procedure_name)} (${p.procedure_code})`, ...p })) },
      criteria,
    ),
    h(
      "section",
      { "aria-labelledby": notesId },
      h("h2", { id: notesId }, t("ratings.comments")),
      view.comments.length ? list : h("p", {}, t("ratings.nocomments")),
      more,
    ),
  );
}
