// #/me — the citizen's dossiers; #/dossiers/<code> — one dossier in full, and adding papers
// when the agency asks for them (status 5).

import { ApiError, canReadAudit, encode, get, isCitizen, isStaff, post, procedure as loadProcedure, session } from "../api.js";
import { formatDate, formatDateTime, t } from "../i18n.js";
import { announce, clearErrors, facts, field, h, notice, showErrors, statusBadge } from "../dom.js";
import { filePicker } from "../uploads.js";
import { answers, applicantFacts, attachmentList, backLink, dossierLinks, errorBlock, isHandOver, pagedList, stepLabel, timeline } from "./common.js";
import { mapAttachmentErrors } from "./file.js";
import { documentsSection } from "./documents.js";
import { exportSection } from "./privacy.js";
import { draftsSection } from "./drafts-list.js";
import { notificationsLink } from "./notifications.js";
import { feePanel } from "./payment.js";
import { obligationSection } from "./obligation.js";
import { paymentReceiptsPanel } from "./payment-receipts.js";
import { refundsPanel } from "./refund.js";
import { ratingSection } from "./rating.js";

const MORE_PAPERS = 5;
// Statuses from which the applicant may still withdraw (no result yet): 1, 2, 4, 5, 6.
const WITHDRAWABLE = new Set([1, 2, 4, 5, 6]);

function dossierCard(d) {
  return h(
    "li",
    { class: "card" },
    h("h2", { class: "card__title card__title--code" }, h("a", { href: `#/dossiers/${encodeURIComponent(d.code)}` }, d.code)),
    h("p", { class: "card__body" }, d.procedure_name),
    h(
      "p",
      { class: "card__facts" },
      statusBadge(d.status, d.status_label),
      h("span", {}, `${t("dossier.filed")}: ${formatDate(d.filed_at)}`),
      h("span", {}, `${t("dossier.due")}: ${formatDate(d.due_at)}`),
    ),
  );
}

export async function meView(ctx) {
  ctx.title(t("me.title"));
  if (!isCitizen()) {
    ctx.render(h("h1", {}, t("me.title")), notice(t("me.citizen"), "warning"));
    return;
  }
  let list;
  try {
    list = await pagedList({
      fetchPage: (token) => get("/me/dossiers", { query: { limit: 10, next_token: token } }),
      renderItem: dossierCard,
      empty: t("me.empty"),
    });
  } catch (error) {
    ctx.render(h("h1", {}, t("me.title")), errorBlock(error, ctx.reload));
    return;
  }
  const drafts = await draftsSection(session()?.claims?.sub);
  ctx.render(h("h1", {}, t("me.title")), notificationsLink(), drafts, list, exportSection());
}

/** The whole dossier: shared by the citizen's page and the officer's task page. */
export function dossierBody(d, p, { afterHead = null, beforeTimeline = null, files = attachmentList } = {}) {
  return [
    h(
      "section",
      { class: "panel dossier-head" },
      h("p", { class: "dossier-head__code" }, d.code),
      h("p", { class: "dossier-head__status" }, statusBadge(d.status, d.status_label)),
      facts([
        [t("dossier.procedure"), d.procedure_name],
        [t("dossier.agency"), d.agency_name],
        [t("anywhere.competent"), d.competent_agency_name || ""],
        [t("dossier.filed"), formatDateTime(d.filed_at)],
        [t("dossier.due"), h("strong", {}, formatDate(d.due_at))],
        [t("dossier.appointment"), d.appointment_at ? h("strong", {}, formatDate(d.appointment_at)) : ""],
        [t("dossier.paused"), d.days_paused ? String(d.days_paused) : ""],
        [t("dossier.reason"), d.reason],
      ]),
    ),
    afterHead,
    apologySlips(d.apologies),
    handOvers(d),
    h("section", { class: "panel" }, h("h2", {}, t("dossier.applicant")), applicantFacts(d.applicant)),
    h("section", { class: "panel" }, h("h2", {}, t("dossier.form")), answers(d.form, p?.form)),
    h("section", { class: "panel" }, h("h2", {}, t("dossier.files")), files(d.attachments, p?.papers)),
    beforeTimeline,
    h("section", { class: "panel" }, h("h2", {}, t("dossier.timeline")), timeline(d.timeline)),
  ];
}

/**
 * The agencies the dossier went through: the desk that received it, then every hand-over of the
 * flow (timeline entries without an action after the filing). Null when there was none.
 */
export function handOvers(d) {
  const entries = d.timeline || [];
  const moves = entries.filter((entry, index) => isHandOver(entry, index));
  if (!moves.length) return null;
  return h(
    "section",
    { class: "panel", "aria-labelledby": "handovers-title" },
    h("h2", { id: "handovers-title" }, t("dossier.handovers")),
    h(
      "ol",
      { class: "handovers" },
      h(
        "li",
        { class: "handovers__item" },
        h("strong", {}, t("dossier.handovers.desk", { agency: d.agency_name })),
        entries[0] ? h("span", { class: "handovers__at" }, formatDateTime(entries[0].at)) : null,
      ),
      moves.map((entry) =>
        h(
          "li",
          { class: "handovers__item" },
          h("strong", {}, t("timeline.handover", { agency: entry.agency_name || entry.agency })),
          h("span", { class: "handovers__at" }, formatDateTime(entry.at)),
          entry.due_at ? h("span", { class: "handovers__due" }, `${t("dossier.due")}: ${formatDate(entry.due_at)}`) : null,
        ),
      ),
    ),
  );
}

/** Mẫu 04: each apology for a missed date, with the new appointment. */
export function apologySlips(list = []) {
  if (!Array.isArray(list) || !list.length) return null;
  return list.map((a) =>
    h(
      "section",
      { class: "panel apology", "aria-labelledby": `apology-${a.number}` },
      h("h2", { id: `apology-${a.number}` }, t("apology.title", { n: a.number })),
      h("p", {}, t("apology.intro")),
      facts([
        [t("apology.issued"), formatDate(a.issued_at)],
        [t("apology.agency"), a.agency_name || a.agency],
        [t("apology.reason"), a.reason],
        [t("apology.previous"), formatDate(a.previous_appointment_at)],
        [t("apology.new"), h("strong", {}, formatDate(a.appointment_at))],
      ]),
    ),
  );
}

export async function dossierView(ctx) {
  const code = ctx.params[0];
  ctx.title(code);
  let d;
  try {
    d = await get(`/dossiers/${encode(code)}`);
  } catch (error) {
    ctx.render(backLink("#/me", t("me.title")), h("h1", {}, code), errorBlock(error, ctx.reload));
    return;
  }
  const p = await loadProcedure(d.procedure_code).catch(() => null);
  const documents = documentsSection(d.code);
  const body = dossierBody(d, p, { afterHead: documents.element });
  const supplement = d.status === MORE_PAPERS && isCitizen() ? supplementForm(ctx, d, p) : null;
  const staff = isStaff();
  ctx.render(
    backLink(isCitizen() ? "#/me" : "#/inbox", isCitizen() ? t("me.title") : t("nav.inbox")),
    h("h1", {}, t("receipt.code"), " ", h("span", { class: "h1-code" }, d.code)),
    dossierLinks(d.code, { audit: canReadAudit(d) }),
    staff ? ownTasks(d) : null,
    supplement ? notice(`${t("dossier.supplement.intro")}${d.reason ? ` — ${d.reason}` : ""}`, "warning") : null,
    supplement,
    feePanel(d.code),
    d.status >= 4 ? obligationSection(d.code) : null,
    paymentReceiptsPanel(d.code),
    refundsPanel(d.code),
    body,
    isCitizen() && WITHDRAWABLE.has(d.status) ? withdrawal(ctx, d) : null,
    isCitizen() && (d.status === 9 || d.status === 10) ? ratingSection(d) : null,
  );
}

/** For staff: their own agency's tasks on this dossier, to open. */
function ownTasks(d) {
  const agency = session()?.claims?.["custom:agency_code"];
  const mine = (d.tasks || []).filter((task) => task.agency === agency);
  if (!mine.length) return null;
  return h(
    "ul",
    { class: "link-list no-print" },
    mine.map((task) =>
      h("li", {}, h("a", { href: `#/tasks/${encodeURIComponent(task.task_id)}` }, `${t("task.open")}: ${stepLabel(task)}`)),
    ),
  );
}

/** "Rút hồ sơ": a button, then a modal dialog that asks to confirm, with an optional reason. */
function withdrawal(ctx, d) {
  const reason = h("textarea", { name: "reason", rows: "3", maxlength: "2000" });
  const summary = h("div", { class: "summary-slot" });
  const confirm = h("button", { type: "submit", class: "btn btn--danger btn--danger-solid" }, t("withdraw.confirm"));
  const cancel = h("button", { type: "button", class: "btn btn--secondary", onclick: () => dialog.close() }, t("withdraw.cancel"));
  let busy = false;
  const form = h(
    "form",
    {
      novalidate: true,
      onsubmit: async (event) => {
        event.preventDefault();
        if (busy) return;
        busy = true;
        confirm.disabled = true;
        clearErrors(form, summary);
        try {
          const body = reason.value.trim() ? { reason: reason.value.trim() } : {};
          await post(`/dossiers/${encode(d.code)}/withdrawal`, body);
          dialog.close();
          announce(t("withdraw.done"), "success");
          ctx.reload();
        } catch (error) {
          if (!(error instanceof ApiError)) throw error;
          showErrors(form, summary, { message: error.message, errors: error.fields });
        } finally {
          busy = false;
          confirm.disabled = false;
        }
      },
    },
    h("h2", { id: "withdraw-title", class: "dialog__title" }, t("withdraw.title")),
    h("p", { id: "withdraw-intro" }, t("withdraw.intro")),
    summary,
    field({ label: t("withdraw.reason"), name: "reason", control: reason, required: false }),
    h("div", { class: "actions" }, confirm, cancel),
  );
  const dialog = h("dialog", { class: "dialog", "aria-labelledby": "withdraw-title", "aria-describedby": "withdraw-intro" }, form);
  const open = h(
    "button",
    { type: "button", class: "btn btn--danger", "aria-haspopup": "dialog", onclick: () => dialog.showModal() },
    t("withdraw.button"),
  );
  dialog.addEventListener("close", () => {
    if (open.isConnected) open.focus();
  });
  return h("div", { class: "actions no-print withdraw" }, open, dialog);
}

function supplementForm(ctx, d, p) {
  const papers = p?.papers?.length ? p.papers : [{ code: "bo_sung", name: t("dossier.supplement"), required: false }];
  const pickers = papers.map((paper) => filePicker(paper, { fieldName: `attachments.${paper.code}`, required: false, limits: p?.upload_limits }));
  const note = h("textarea", { name: "note", rows: "3", maxlength: "2000" });
  const summary = h("div", { class: "summary-slot" });
  const submit = h("button", { type: "submit", class: "btn btn--primary" }, t("dossier.supplement.submit"));
  let busy = false;
  const form = h(
    "form",
    {
      class: "panel panel--accent",
      novalidate: true,
      "aria-labelledby": "supplement-title",
      onsubmit: async (event) => {
        event.preventDefault();
        if (busy) return;
        busy = true;
        submit.disabled = true;
        clearErrors(form, summary);
        try {
          const done = await Promise.all(pickers.map((picker) => picker.settled()));
          const refs = pickers.flatMap((picker) => picker.refs());
          if (done.includes(false)) {
            showErrors(form, summary, { errors: [{ field: "attachments", message: t("file.upload.pending") }] });
            return;
          }
          if (!refs.length) {
            showErrors(form, summary, { errors: [{ field: "attachments", message: t("dossier.supplement.none") }] });
            return;
          }
          const body = { attachments: refs };
          if (note.value.trim()) body.note = note.value.trim();
          try {
            await post(`/dossiers/${encode(d.code)}/supplements`, body);
          } catch (error) {
            if (!(error instanceof ApiError)) throw error;
            showErrors(form, summary, { message: error.message, errors: mapAttachmentErrors(error.fields, refs) });
            return;
          }
          announce(t("dossier.supplement.done"), "success");
          ctx.reload();
        } finally {
          busy = false;
          submit.disabled = false;
        }
      },
    },
    h("h2", { id: "supplement-title" }, t("dossier.supplement")),
    summary,
    h("div", { dataset: { field: "attachments" } }, h("p", { class: "field__error", hidden: true }), pickers.map((picker) => picker.element)),
    field({ label: t("dossier.supplement.note"), name: "note", control: note, required: false }),
    h("div", { class: "actions" }, submit),
  );
  return form;
}
