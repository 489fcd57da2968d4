// "Ban hành kết quả" on the receiving desk's task: the platform renders the result from a short
// decision and signs it, or signs a PDF the officer uploads. POST /v1/dossiers/<code>/results.

import { ApiError, encode, post, roleCan } from "../api.js";
import { formatDateTime, t } from "../i18n.js";
import { clearErrors, facts, field, h, nextId, showErrors } from "../dom.js";
import { filePicker } from "../uploads.js";
import { pdfButton, verifyNote } from "./documents.js";

// In process (4) or processed (9): the statuses in which a desk issues the result.
export const RESULT_STATUSES = new Set([4, 9]);
// What the API says about an uploaded file it cannot sign.
const FILE_ERRORS = new Set(["unreadable_pdf", "not_a_pdf", "file_missing", "payload_too_large"]);

/** The deciding agency's task on a dossier, while the result can be issued, for its officers and leaders. */
export function canIssueResult(task, dossier) {
  // Received at another agency's desk: the competent agency issues it (receiving anywhere).
  const deciding = dossier.competent_agency || dossier.agency;
  return roleCan("issue") && task.kind !== "step" && task.agency === deciding && RESULT_STATUSES.has(dossier.status);
}

function choice(name, value, label, checked, onchange) {
  const id = nextId("mode");
  return h(
    "div",
    { class: "check" },
    h("input", { type: "radio", id, name, value, checked, onchange }),
    h("label", { for: id }, label),
  );
}

/** What the platform signed: the result's code, who signed and when, and the file to download. */
function issued(result) {
  return h(
    "div",
    { class: "notice notice--success issue__done" },
    h("p", {}, h("strong", {}, t("issue.done", { code: result.result_code }))),
    facts([
      [t("doc.result_code"), h("strong", { class: "code" }, result.result_code)],
      [t("issue.signer"), result.signer],
      [t("issue.agency"), result.agency],
      [t("issue.signed_at"), formatDateTime(result.signed_at)],
      [t("issue.sha256"), result.sha256 ? h("code", { class: "hash break" }, result.sha256) : ""],
    ]),
    result.href
      ? pdfButton({ label: t("doc.download"), detail: result.result_code, resolve: async () => ({ href: result.href, filename: `${result.result_code}.pdf` }) })
      : null,
    verifyNote(result.result_code),
  );
}

/**
 * The panel: a choice between "render and sign" (a decision summary) and "sign my PDF" (an upload),
 * the result under it once signed. `onIssued(result)` lets the page refresh its documents.
 */
export function issueResultPanel(dossier, { onIssued } = {}) {
  const group = nextId("issue");
  const summaryText = h("textarea", { name: "summary", rows: "4", maxlength: "2000" });
  const renderBox = h(
    "div",
    { class: "issue__mode" },
    field({ label: t("issue.summary"), name: "summary", control: summaryText, hint: t("issue.summary.hint"), required: true }),
  );
  const picker = filePicker(
    { code: "result", name: t("issue.file"), content_types: ["application/pdf"], max_files: 1, required: true },
    { fieldName: "upload_id", required: true },
  );
  const uploadBox = h("div", { class: "issue__mode", hidden: true }, h("p", { class: "field__hint" }, t("issue.file.hint")), picker.element);
  const errors = h("div", { class: "summary-slot" });
  const outcome = h("div", { class: "issue__outcome", "aria-live": "polite" });
  const submit = h("button", { type: "submit", class: "btn btn--primary" }, t("issue.submit"));
  let mode = "render";
  const setMode = (value) => {
    mode = value;
    renderBox.hidden = value !== "render";
    uploadBox.hidden = value !== "upload";
    clearErrors(form, errors);
  };

  let busy = false;
  const form = h(
    "form",
    {
      class: "panel panel--accent issue no-print",
      id: "issue-result",
      novalidate: true,
      "aria-labelledby": `${group}-title`,
      onsubmit: async (event) => {
        event.preventDefault();
        if (busy) return;
        clearErrors(form, errors);
        let body;
        if (mode === "render") {
          const text = summaryText.value.trim();
          if (!text) {
            showErrors(form, errors, { errors: [{ field: "summary", message: t("issue.summary.required") }] });
            return;
          }
          body = { render: true, summary: text };
        }
        busy = true;
        submit.disabled = true;
        submit.setAttribute("aria-busy", "true");
        outcome.replaceChildren(h("p", { class: "muted" }, t("issue.signing")));
        try {
          if (mode === "upload") {
            const done = await picker.settled();
            const refs = picker.refs();
            if (!done || !refs.length) {
              outcome.replaceChildren();
              showErrors(form, errors, { errors: [{ field: "upload_id", message: t(refs.length || picker.hasFiles() ? "file.upload.pending" : "issue.file.required") }] });
              return;
            }
            body = { upload_id: refs[0].upload_id };
          }
          const result = await post(`/dossiers/${encode(dossier.code)}/results`, body);
          outcome.replaceChildren(issued(result));
          summaryText.value = "";
          onIssued?.(result);
        } catch (error) {
          outcome.replaceChildren();
          if (!(error instanceof ApiError)) throw error;
          // A file the platform cannot sign: said under the picker as well as at the top.
          const aboutFile = mode === "upload" && !error.fields.length && FILE_ERRORS.has(error.code);
          if (aboutFile) showErrors(form, errors, { errors: [{ field: "upload_id", message: error.message }] });
          else showErrors(form, errors, { message: error.message, errors: error.fields });
        } finally {
          busy = false;
          submit.disabled = false;
          submit.removeAttribute("aria-busy");
        }
      },
    },
    h("h2", { id: `${group}-title` }, t("issue.title")),
    h("p", {}, t("issue.intro")),
    errors,
    h(
      "fieldset",
      { class: "fieldset issue__choice" },
      h("legend", { class: "fieldset__legend" }, t("issue.how")),
      choice(group, "render", t("issue.mode.render"), true, () => setMode("render")),
      choice(group, "upload", t("issue.mode.upload"), false, () => setMode("upload")),
    ),
    renderBox,
    uploadBox,
    h("div", { class: "actions" }, submit),
    outcome,
  );
  return form;
}
