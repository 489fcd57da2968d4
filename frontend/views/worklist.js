// The console's inbox for a full day's work: a count, search by code or name, filters and orders kept
// in the URL (#/inbox?q=…&due=overdue), a table on a desk screen that becomes cards on a phone.

import { encode, get, session } from "../api.js";
import { formatDateTime, t } from "../i18n.js";
import { field, h, notice, statusBadge } from "../dom.js";
import { errorBlock } from "./common.js";
import { agencyName } from "./procedure.js";

// The filters the API's inbox takes (GET /v1/agencies/<code>/tasks), in the URL's order.
export const FILTERS = ["q", "status", "procedure", "due", "sort"];
// The statuses an open task can be found in (the others are over, or wait on no one).
const OPEN_STATUSES = [1, 2, 4, 5, 6, 9];
const SORTS = ["due", "-due", "filed", "-filed"];
const PAGE = 20;
// The control a filter was applied from: it has focus again once the list is drawn anew.
let refocus = null;

/** The filters the URL holds, the invalid ones dropped (a hand-edited URL must not break the page). */
export function filtersFrom(query) {
  const chosen = {};
  for (const name of FILTERS) {
    const value = (query.get(name) || "").trim();
    if (value) chosen[name] = value;
  }
  if (chosen.status && !OPEN_STATUSES.includes(Number(chosen.status))) delete chosen.status;
  if (chosen.due && !["overdue", "soon"].includes(chosen.due)) delete chosen.due;
  if (chosen.sort && !SORTS.includes(chosen.sort)) delete chosen.sort;
  if (chosen.sort === "due") delete chosen.sort; // the default
  return chosen;
}

function hashOf(chosen) {
  const params = new URLSearchParams(chosen).toString();
  return params ? `#/inbox?${params}` : "#/inbox";
}

async function procedureOptions() {
  try {
    const page = await get("/procedures", { auth: false, query: { limit: 100 } });
    return (page.items || []).map((p) => [p.code, p.name]);
  } catch {
    return [];
  }
}

function select(name, options, value, { any = t("all") } = {}) {
  return h(
    "select",
    { name, id: `work-${name}` },
    any === null ? null : h("option", { value: "" }, any),
    options.map(([v, label]) => h("option", { value: v, selected: String(v) === String(value ?? "") }, label)),
  );
}

export async function worklistView(ctx, { taskRow }) {
  ctx.title(t("inbox.title"));
  const agency = session()?.claims?.["custom:agency_code"];
  if (!agency) {
    ctx.render(h("h1", {}, t("inbox.title")), notice(t("inbox.noagency"), "error"));
    return;
  }
  const chosen = filtersFrom(ctx.query);
  const [name, procedures] = await Promise.all([agencyName(agency), procedureOptions()]);

  const q = h("input", { type: "search", name: "q", id: "work-q", value: chosen.q || "", maxlength: "100", autocomplete: "off", spellcheck: "false" });
  const controls = {
    q,
    status: select("status", OPEN_STATUSES.map((n) => [n, t(`status.${n}`)]), chosen.status),
    procedure: select("procedure", procedures, chosen.procedure),
    due: select("due", [["overdue", t("work.due.overdue")], ["soon", t("work.due.soon")]], chosen.due),
    sort: select("sort", SORTS.map((s) => [s, t(`work.sort.${s}`)]), chosen.sort || "due", { any: null }),
  };
  const form = h(
    "form",
    { class: "panel worklist__filters", role: "search", "aria-label": t("work.search"), onsubmit: (e) => { e.preventDefault(); apply(); } },
    h("div", { class: "worklist__q" }, field({ label: t("work.q"), name: "q", control: q, hint: t("work.q.hint"), required: false })),
    field({ label: t("work.status"), name: "status", control: controls.status, required: false }),
    field({ label: t("work.procedure"), name: "procedure", control: controls.procedure, required: false }),
    field({ label: t("work.due"), name: "due", control: controls.due, required: false }),
    field({ label: t("work.sort"), name: "sort", control: controls.sort, required: false }),
    h(
      "div",
      { class: "actions worklist__actions" },
      h("button", { type: "submit", class: "btn btn--primary" }, t("work.apply")),
      Object.keys(chosen).length ? h("a", { href: "#/inbox", class: "btn btn--link" }, t("work.clear")) : null,
    ),
  );
  // A change of a list applies at once; the search box on Enter or the button.
  for (const key of ["status", "procedure", "due", "sort"]) controls[key].addEventListener("change", () => apply());

  const count = h("p", { class: "worklist__count", id: "work-count", "aria-live": "polite" });
  const body = h("tbody");
  const table = h(
    "table",
    { class: "worklist__table" },
    h("caption", { class: "visually-hidden" }, t("work.caption")),
    h(
      "thead",
      {},
      h("tr", {}, ["code", "applicant", "procedure", "status", "due", "received"].map((c) => h("th", { scope: "col" }, t(`work.col.${c}`)))),
    ),
    body,
  );
  const more = h("button", { type: "button", class: "btn btn--secondary more", hidden: true }, t("more"));
  const status = h("p", { class: "visually-hidden", "aria-live": "polite" });
  const error = h("div");
  const empty = h("p", { class: "worklist__empty", hidden: true });
  let token = null;

  async function load(first) {
    const page = await get(`/agencies/${encode(agency)}/tasks`, { query: { ...chosen, limit: PAGE, count: first ? "true" : undefined, next_token: first ? undefined : token } });
    token = page.next_token || null;
    const rows = page.items.map((task) => taskRow(task));
    body.append(...rows);
    more.hidden = !token;
    if (first) {
      empty.hidden = page.items.length > 0;
      empty.textContent = Object.keys(chosen).length ? t("work.empty.filtered") : t("inbox.empty");
      if (page.count) {
        const partial = page.count.complete ? [] : [h("span", { class: "worklist__partial" }, ` ${t("work.count.partial")}`)];
        count.replaceChildren(h("strong", {}, t("work.count", { n: page.count.total, late: page.count.overdue })), ...partial);
      }
    } else {
      status.textContent = t("work.loaded", { n: page.items.length });
      rows[0]?.querySelector("a")?.focus();
    }
  }

  more.addEventListener("click", async () => {
    more.disabled = true;
    error.replaceChildren();
    try {
      await load(false);
    } catch (e) {
      error.replaceChildren(errorBlock(e));
    } finally {
      more.disabled = false;
    }
  });

  /** The form's filters into the URL (a new history entry: Back returns to the previous ones), then the list. */
  function apply() {
    const next = {};
    for (const key of FILTERS) {
      const value = controls[key].value.trim();
      if (value && !(key === "sort" && value === "due")) next[key] = value;
    }
    refocus = document.activeElement?.id?.startsWith("work-") ? document.activeElement.id : "work-q";
    ctx.navigate(hashOf(next));
  }

  try {
    await load(true);
  } catch (e) {
    ctx.render(h("h1", {}, t("inbox.title")), form, errorBlock(e, ctx.reload));
    return;
  }
  ctx.render(
    h("h1", {}, t("inbox.title")),
    h("p", { class: "lead" }, t("inbox.agency", { agency: name === agency ? agency : `${name} (${agency})` })),
    form,
    count,
    h("div", { class: "worklist" }, table, empty, error, h("div", { class: "more-wrap" }, more), status),
  );
  if (refocus) {
    document.getElementById(refocus)?.focus();
    refocus = null;
  }
}

/** One task as a row of the table; on a phone each row is a card and each cell says what it is. */
export function worklistRow(task, { dueBadge, flags, kind, state }) {
  const cell = (column, ...content) => h("td", { class: `worklist__cell worklist__cell--${column}` }, h("span", { class: "worklist__label", "aria-hidden": "true" }, t(`work.col.${column}`)), ...content);
  const classes = ["worklist__row", "task", `task--${task.kind === "step" ? "step" : "desk"}`, state ? `task--${state}` : "", task.attention ? "task--attention" : ""];
  return h(
    "tr",
    { class: classes.filter(Boolean).join(" "), dataset: { task: task.task_id } },
    cell("code", h("a", { href: `#/tasks/${encodeURIComponent(task.task_id)}`, class: "worklist__code" }, task.dossier_code), flags),
    cell("applicant", task.applicant_name),
    cell("procedure", kind, task.procedure_name),
    cell(
      "status",
      statusBadge(task.dossier_status, task.dossier_status_label),
      task.assignee ? h("span", { class: "task__assignee worklist__assignee" }, t("inbox.assignee", { who: task.assignee })) : null,
    ),
    cell("due", dueBadge),
    cell("received", formatDateTime(task.created_at)),
  );
}
