// #/inbox — the agency's open tasks by due date; #/tasks/<id> — the dossier and the decision.

import { ApiError, encode, get, post, procedure as loadProcedure, session } from "../api.js";
import { dayKey, formatDate, formatDateTime, t } from "../i18n.js";
import { announce, clearErrors, field, h, notice, showErrors, statusBadge } from "../dom.js";
import { actionLabel, backLink, errorBlock, pagedList } from "./common.js";
import { dossierBody } from "./dossiers.js";
import { agencyName } from "./procedure.js";

const NEEDS_REASON = new Set(["refuse", "request_papers", "reject"]);
const DANGER = new Set(["refuse", "reject"]);

/** "late", "today" or null, judged on Vietnam's calendar day. */
export function dueState(iso, now = new Date()) {
  const due = new Date(iso);
  if (Number.isNaN(due.getTime())) return null;
  if (due < now) return "late";
  return dayKey(due) === dayKey(now) ? "today" : null;
}

function dueBadge(iso) {
  const state = dueState(iso);
  return h(
    "span",
    { class: `due${state ? ` due--${state}` : ""}` },
    `${t("inbox.due")}: `,
    h("strong", {}, formatDate(iso)),
    state ? h("span", { class: "due__flag" }, ` — ${t(state === "late" ? "inbox.late" : "inbox.today")}`) : null,
  );
}

function taskCard(task) {
  const state = dueState(task.due_at);
  return h(
    "li",
    { class: `card task${state ? ` task--${state}` : ""}` },
    h("p", { class: "card__due" }, dueBadge(task.due_at)),
    h("h2", { class: "card__title card__title--code" }, h("a", { href: `#/tasks/${encodeURIComponent(task.task_id)}` }, task.dossier_code)),
    h("p", { class: "card__body" }, task.procedure_name),
    h(
      "p",
      { class: "card__facts" },
      statusBadge(task.dossier_status, task.dossier_status_label),
      h("span", {}, `${t("inbox.applicant")}: ${task.applicant_name}`),
      h("span", {}, `${t("inbox.received")}: ${formatDateTime(task.created_at)}`),
    ),
  );
}

export async function inboxView(ctx) {
  ctx.title(t("inbox.title"));
  const claims = session()?.claims || {};
  const agency = claims["custom:agency_code"];
  if (!agency) {
    ctx.render(h("h1", {}, t("inbox.title")), notice(t("inbox.noagency"), "error"));
    return;
  }
  const name = await agencyName(agency);
  let list;
  try {
    list = await pagedList({
      fetchPage: (token) => get(`/agencies/${encode(agency)}/tasks`, { query: { limit: 20, next_token: token } }),
      renderItem: taskCard,
      empty: t("inbox.empty"),
    });
  } catch (error) {
    ctx.render(h("h1", {}, t("inbox.title")), errorBlock(error, ctx.reload));
    return;
  }
  ctx.render(h("h1", {}, t("inbox.title")), h("p", { class: "lead" }, t("inbox.agency", { agency: name === agency ? agency : `${name} (${agency})` })), list);
}

export async function taskView(ctx) {
  const id = ctx.params[0];
  ctx.title(id);
  let detail;
  try {
    detail = await get(`/tasks/${encode(id)}`);
  } catch (error) {
    ctx.render(backLink("#/inbox", t("nav.inbox")), h("h1", {}, t("task.title")), errorBlock(error, ctx.reload));
    return;
  }
  const { task, dossier } = detail;
  const p = await loadProcedure(dossier.procedure_code).catch(() => null);
  ctx.title(`${t("task.title")} ${dossier.code}`);
  const decision = decisionForm(ctx, task);
  ctx.render(
    backLink("#/inbox", t("nav.inbox")),
    h("h1", {}, t("task.title"), " ", h("span", { class: "h1-code" }, dossier.code)),
    h(
      "p",
      { class: "card__facts" },
      dueBadge(task.due_at),
      h("span", {}, `${t("task.state")}: ${t(`state.${task.state}`)}`),
      h("span", {}, `${t("task.role")}: ${t(`role.${task.role}`)}`),
      task.timeliness ? h("span", {}, t(`timeliness.${task.timeliness}`)) : null,
    ),
    // The officer reads the dossier first; the decision waits below it, a tap away.
    task.allowed_actions?.length ? h("p", {}, h("a", { href: "#decision", onclick: (e) => { e.preventDefault(); decision.scrollIntoView(); decision.querySelector("textarea, button")?.focus(); } }, `${t("task.decision")} ↓`)) : null,
    dossierBody(dossier, p, { beforeTimeline: decision }),
  );
}

function decisionForm(ctx, task) {
  const actions = task.allowed_actions || [];
  if (!actions.length) return notice(t("task.noactions"), "info");
  const reason = h("textarea", { name: "reason", rows: "3", maxlength: "2000" });
  const summary = h("div", { class: "summary-slot" });
  const reasonField = field({ label: t("task.reason"), name: "reason", control: reason, hint: t("task.reason.hint"), required: false });
  const buttonRow = h("div", { class: "actions decision__buttons" });
  let buttons = [];

  function showActions(list) {
    buttons = list.map((action) =>
      h(
        "button",
        {
          type: "button",
          class: `btn ${DANGER.has(action) ? "btn--danger" : ["accept", "approve", "return_result"].includes(action) ? "btn--primary" : "btn--secondary"}`,
          dataset: { action },
          onclick: () => decide(action),
        },
        actionLabel(action),
      ),
    );
    buttonRow.replaceChildren(...buttons);
    reasonField.hidden = !list.some((a) => NEEDS_REASON.has(a));
    if (!list.length) buttonRow.replaceChildren(h("p", {}, t("task.noactions")));
  }

  const form = h(
    "form",
    { class: "panel panel--accent decision", id: "decision", novalidate: true, "aria-labelledby": "decision-title", onsubmit: (e) => e.preventDefault() },
    h("h2", { id: "decision-title" }, t("task.decision")),
    summary,
    reasonField,
    buttonRow,
  );
  showActions(actions);

  let busy = false;
  async function decide(action) {
    if (busy) return;
    clearErrors(form, summary);
    const text = reason.value.trim();
    if (NEEDS_REASON.has(action) && !text) {
      showErrors(form, summary, { errors: [{ field: "reason", message: t("task.reason.required") }] });
      return;
    }
    busy = true;
    for (const b of buttons) b.disabled = true;
    try {
      const body = { action };
      if (text) body.reason = text;
      const result = await post(`/tasks/${encode(task.task_id)}/decision`, body);
      announce(t("task.done", { status: result.status_label }), "success");
      ctx.reload();
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      // 409: the dossier moved on meanwhile; the message names the actions still allowed, and
      // the buttons become those.
      showErrors(form, summary, { message: error.message, errors: error.fields });
      const allowed = error.body?.error?.allowed;
      if (error.status === 409 && Array.isArray(allowed)) {
        showActions(allowed.map((a) => a.action).filter((a) => a !== "supplement" && a !== "withdraw"));
      }
    } finally {
      busy = false;
      for (const b of buttons) b.disabled = false;
    }
  }
  return form;
}
