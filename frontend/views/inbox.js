// #/inbox — the agency's open tasks by due date; #/tasks/<id> — the dossier and the decision.

import { ApiError, agencies, canReadAudit, encode, get, post, procedure as loadProcedure } from "../api.js";
import { dayKey, formatDate, formatDateTime, t, tx } from "../i18n.js";
import { announce, clearErrors, facts, field, h, notice, showErrors, statusBadge } from "../dom.js";
import { actionLabel, backLink, daysLabel, dossierLinks, errorBlock, stepLabel, timelinessBadge } from "./common.js";
import { dossierBody } from "./dossiers.js";
import { documentsSection } from "./documents.js";
import { canIssueResult, issueResultPanel } from "./result.js";
import { worklistRow, worklistView } from "./worklist.js";
import { attachmentPreviews } from "./preview.js";
import { feePanel } from "./payment.js";
import { obligationPanel } from "./obligation.js";

const NEEDS_REASON = new Set(["refuse", "request_papers", "reject"]);
const DANGER = new Set(["refuse", "reject"]);
const PRIMARY = new Set(["accept", "approve", "return_result"]);
// The dossier waits on the citizen (papers, fees), not on the other agencies.
const CITIZEN_STATUSES = new Set([5, 6]);

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

/** What the task waits on, in words: "waiting" means the citizen or the other agencies. */
export function stateLabel(task, dossierStatus = task.dossier_status) {
  if (task.state === "waiting") return t(CITIZEN_STATUSES.has(dossierStatus) ? "state.waiting" : "state.waiting.flow");
  return t(`state.${task.state}`);
}

/** Escalated (late or due soon, leaders told) and attention (the flow stalled) as text badges. */
export function taskFlags(task, now = new Date()) {
  const flags = [];
  if (task.escalated) {
    const late = new Date(task.due_at) < now;
    flags.push(
      h(
        "span",
        { class: `flag flag--${late ? "late" : "soon"}` },
        h("span", { class: "flag__icon", "aria-hidden": "true" }, "⚠"),
        t(late ? "inbox.escalated.late" : "inbox.escalated.soon"),
      ),
    );
  }
  if (task.attention) {
    const key = `attention.${task.attention}`;
    const text = t(key) === key ? t("attention.other", { why: task.attention }) : t(key);
    flags.push(h("span", { class: "flag flag--attention" }, h("span", { class: "flag__icon", "aria-hidden": "true" }, "!"), text));
  }
  return flags.length ? h("p", { class: "flags" }, flags) : null;
}

/** The desk's own dossier, or "Bước 1.2 — name · 3 ngày làm việc" of a flow. */
export function kindLine(task, { allowance = true } = {}) {
  const step = task.kind === "step";
  return h(
    "p",
    { class: `task__kind task__kind--${step ? "step" : "desk"}` },
    h("span", { class: "task__kind-name" }, step ? stepLabel(task) : t("inbox.kind.reception")),
    step && allowance && task.allowance_days != null ? h("span", { class: "task__allowance" }, `${t("task.allowance")}: ${daysLabel(task.allowance_days)}`) : null,
  );
}

export function taskCard(task, { extra = [] } = {}) {
  const state = dueState(task.due_at);
  const classes = ["card", "task", state ? `task--${state}` : "", task.kind === "step" ? "task--step" : "task--desk", task.attention ? "task--attention" : ""];
  return h(
    "li",
    { class: classes.filter(Boolean).join(" ") },
    h("p", { class: "card__due" }, dueBadge(task.due_at)),
    taskFlags(task),
    h("h2", { class: "card__title card__title--code" }, h("a", { href: `#/tasks/${encodeURIComponent(task.task_id)}` }, task.dossier_code)),
    kindLine(task),
    h("p", { class: "card__body" }, task.procedure_name),
    h(
      "p",
      { class: "card__facts" },
      statusBadge(task.dossier_status, task.dossier_status_label),
      h("span", {}, `${t("inbox.applicant")}: ${task.applicant_name}`),
      h("span", {}, `${t("inbox.received")}: ${formatDateTime(task.created_at)}`),
      task.assignee ? h("span", { class: "task__assignee" }, t("inbox.assignee", { who: task.assignee })) : null,
      extra,
    ),
  );
}

export function inboxView(ctx) {
  return worklistView(ctx, {
    taskRow: (task) => worklistRow(task, { dueBadge: dueBadge(task.due_at), flags: taskFlags(task), kind: kindLine(task), state: dueState(task.due_at) }),
  });
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
  const [p, names] = await Promise.all([loadProcedure(dossier.procedure_code).catch(() => null), agencyNames()]);
  ctx.title(`${t("task.title")} ${dossier.code}`);
  const steps = (dossier.tasks || []).filter((x) => x.kind === "step");
  // The desk's task while the flow runs: nothing to decide, the other agencies have the dossier.
  const waitingForFlow = task.kind !== "step" && task.state === "waiting" && !CITIZEN_STATUSES.has(dossier.status);
  const decision = waitingForFlow ? null : decisionForm(ctx, task);
  const documents = documentsSection(dossier.code);
  // The desk issues the signed result (kết quả) before it approves or returns it; not while the
  // other agencies of a flow still have the dossier (it comes back to the desk at 9).
  const issue = canIssueResult(task, dossier) && !waitingForFlow ? issueResultPanel(dossier, { onIssued: () => documents.refresh() }) : null;
  const summary = h(
    "section",
    { class: "panel task-facts", "aria-label": t("task.kind") },
    h("p", { class: "card__due" }, dueBadge(task.due_at)),
    facts([
      [t("task.state"), stateLabel(task, dossier.status)],
      [t("task.role"), t(`role.${task.role}`)],
      [t("task.allowance"), task.kind === "step" ? daysLabel(task.allowance_days) : ""],
      [t("task.assignee"), task.assignee],
      [t("task.decided_by"), task.decided_by],
      [t("task.timeliness"), task.timeliness ? timelinessBadge(task.timeliness) : ""],
      [t("task.escalated_at"), task.escalated_at ? formatDateTime(task.escalated_at) : ""],
    ]),
    dossierLinks(dossier.code, { audit: canReadAudit(dossier) }),
  );
  // The decision beside the dossier on a desk screen (always in view), right after the summary on a phone.
  const side = h(
    "aside",
    { class: "task-layout__side", "aria-labelledby": "next-title" },
    h(
      "section",
      { class: "panel next-action" },
      h("h2", { id: "next-title" }, t("work.next")),
      h("p", { class: "next-action__text", id: "next-action" }, t(`work.next.${nextAction(task, dossier, { waitingForFlow, issuing: Boolean(issue) })}`)),
    ),
    issue,
    feePanel(dossier.code),
    obligationPanel(ctx, task, dossier),
    decision,
  );
  ctx.render(
    backLink("#/inbox", t("nav.inbox")),
    h("h1", {}, t("task.title"), " ", h("span", { class: "h1-code" }, dossier.code)),
    kindLine(task, { allowance: false }),
    taskFlags(task),
    h(
      "div",
      { class: "task-layout" },
      h(
        "div",
        { class: "task-layout__summary" },
        summary,
        task.attention ? notice(t("task.attention.intro"), "warning") : null,
        waitingForFlow ? waitingPanel(steps, names) : null,
        task.state === "waiting" && !waitingForFlow ? notice(t("task.waiting.citizen"), "info") : null,
      ),
      side,
      h(
        "div",
        { class: "task-layout__dossier" },
        steps.length && !waitingForFlow ? h("section", { class: "panel", "aria-labelledby": "steps-title" }, h("h2", { id: "steps-title" }, t("task.steps")), flowSteps(steps, names, task.task_id)) : null,
        dossierBody(dossier, p, { afterHead: documents.element, files: attachmentPreviews }),
      ),
    ),
  );
}

/**
 * The next action in words, in the order the flow needs it: the desk issues the result before it
 * approves or hands it over; a step is reviewed then approved; the desk's new dossier is checked first.
 */
export function nextAction(task, dossier, { waitingForFlow = false, issuing = false } = {}) {
  const actions = task.allowed_actions || [];
  if (waitingForFlow) return "flow";
  if (task.state === "waiting") return "citizen";
  if (!actions.length) return "none";
  if (issuing && actions.includes("approve")) return "issue_approve";
  if (issuing && actions.includes("return_result")) return "issue_return";
  if (actions.includes("accept")) return "accept";
  if (task.kind === "step" && actions.includes("approve")) return "step";
  if (actions.includes("return_result")) return "return";
  if (actions.includes("approve")) return "approve";
  return "choose";
}

async function agencyNames() {
  try {
    return Object.fromEntries((await agencies()).map((a) => [a.code, tx(a.name)]));
  } catch {
    return {};
  }
}

function waitingPanel(steps, names) {
  return h(
    "section",
    { class: "panel panel--waiting", "aria-labelledby": "waiting-title" },
    h("h2", { id: "waiting-title", class: "panel__title-icon" }, clockIcon(), t("task.waiting.title")),
    h("p", {}, t("task.waiting.intro")),
    steps.length ? flowSteps(steps, names) : null,
  );
}

/** A small clock, drawn (an emoji may have no glyph on the officer's machine). */
function clockIcon() {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("class", "icon");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  for (const [tag, attrs] of [
    ["circle", { cx: "12", cy: "12", r: "10", fill: "none", stroke: "currentColor", "stroke-width": "2.2" }],
    ["path", { d: "M12 6.5V12l3.8 2.4", fill: "none", stroke: "currentColor", "stroke-width": "2.2", "stroke-linecap": "round" }],
  ]) {
    const el = document.createElementNS(ns, tag);
    for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
    svg.append(el);
  }
  return svg;
}

/** The flow's steps in order: which agency, what for, and where each stands. */
function flowSteps(steps, names, current = null) {
  const sorted = [...steps].sort((a, b) => (a.stage ?? 0) - (b.stage ?? 0) || (a.step ?? 0) - (b.step ?? 0));
  return h(
    "ol",
    { class: "steps" },
    sorted.map((s) =>
      h(
        "li",
        { class: `steps__item steps__item--${s.state}`, "aria-current": s.task_id === current ? "step" : null },
        h("p", { class: "steps__name" }, stepLabel(s)),
        h("p", { class: "steps__agency" }, names[s.agency] || s.agency),
        h(
          "p",
          { class: "card__facts" },
          h("span", { class: `steps__state steps__state--${s.state}` }, s.state === "closed" ? t("state.step.closed") : s.state === "open" ? t("state.step.open") : stateLabel(s)),
          s.state === "closed" ? timelinessBadge(s.timeliness) : h("span", {}, `${t("inbox.due")}: ${formatDate(s.due_at)}`),
          s.decided_by ? h("span", {}, `${t("task.decided_by")}: ${s.decided_by}`) : null,
          s.assignee && s.state !== "closed" ? h("span", {}, t("inbox.assignee", { who: s.assignee })) : null,
        ),
      ),
    ),
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

  // Chuyển xử lý: to a colleague of the same agency, named by username, with an optional note.
  const to = h("input", { type: "text", name: "to", autocomplete: "off", autocapitalize: "none", spellcheck: "false", maxlength: "128" });
  const note = h("textarea", { name: "note", rows: "2", maxlength: "2000" });
  const forwardSubmit = h("button", { type: "button", class: "btn btn--primary", onclick: () => decide("forward") }, t("task.forward.submit"));
  const forwardBox = h(
    "fieldset",
    { class: "fieldset forward", id: "forward-box", hidden: true },
    h("legend", { class: "fieldset__legend" }, t("task.forward.title")),
    field({ label: t("task.forward.to"), name: "to", control: to, hint: t("task.forward.to.hint"), required: true }),
    field({ label: t("task.forward.note"), name: "note", control: note, required: false }),
    h(
      "div",
      { class: "actions" },
      forwardSubmit,
      h("button", { type: "button", class: "btn btn--link", onclick: () => toggleForward(false) }, t("task.forward.cancel")),
    ),
  );
  let forwardToggle = null;

  function toggleForward(open) {
    forwardBox.hidden = !open;
    forwardToggle?.setAttribute("aria-expanded", String(open));
    if (open) to.focus();
    else forwardToggle?.focus();
  }

  function showActions(list) {
    // The decision that moves the dossier on first (under the thumb), the one that stops it last.
    const rank = (action) => (PRIMARY.has(action) ? 0 : DANGER.has(action) ? 2 : 1);
    buttons = list
      .filter((action) => action !== "forward")
      .sort((a, b) => rank(a) - rank(b))
      .map((action) =>
        h(
          "button",
          {
            type: "button",
            class: `btn ${DANGER.has(action) ? "btn--danger" : PRIMARY.has(action) ? "btn--primary" : "btn--secondary"}`,
            dataset: { action },
            onclick: () => decide(action),
          },
          actionLabel(action),
        ),
      );
    forwardToggle = list.includes("forward")
      ? h(
          "button",
          {
            type: "button",
            class: "btn btn--secondary",
            dataset: { action: "forward" },
            "aria-expanded": "false",
            "aria-controls": "forward-box",
            onclick: () => toggleForward(forwardBox.hidden),
          },
          actionLabel("forward"),
        )
      : null;
    buttonRow.replaceChildren(...buttons, ...(forwardToggle ? [forwardToggle] : []));
    if (forwardToggle) buttons.push(forwardToggle);
    forwardBox.hidden = true;
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
    forwardBox,
  );
  showActions(actions);

  let busy = false;
  async function decide(action) {
    if (busy) return;
    clearErrors(form, summary);
    const forwarding = action === "forward";
    const text = (forwarding ? note : reason).value.trim();
    const who = to.value.trim();
    if (NEEDS_REASON.has(action) && !text) {
      showErrors(form, summary, { errors: [{ field: "reason", message: t("task.reason.required") }] });
      return;
    }
    if (forwarding && !who) {
      showErrors(form, summary, { errors: [{ field: "to", message: t("task.forward.required") }] });
      return;
    }
    busy = true;
    for (const b of [...buttons, forwardSubmit]) b.disabled = true;
    try {
      const body = { action };
      if (text) body.reason = text;
      if (forwarding) body.to = who;
      const result = await post(`/tasks/${encode(task.task_id)}/decision`, body);
      announce(forwarding ? t("task.forwarded", { who }) : t("task.done", { status: result.status_label }), "success");
      ctx.reload();
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      // 409: the dossier moved on meanwhile; the message names the actions still allowed, and
      // the buttons become those.
      const allowed = error.body?.error?.allowed;
      if (error.status === 409 && Array.isArray(allowed)) {
        showActions(allowed.map((a) => a.action).filter((a) => a !== "supplement" && a !== "withdraw"));
      }
      if (forwarding && error.fields?.some((f) => f.field === "to")) toggleForward(true);
      showErrors(form, summary, { message: error.message, errors: error.fields });
    } finally {
      busy = false;
      for (const b of [...buttons, forwardSubmit]) b.disabled = false;
    }
  }
  return form;
}
