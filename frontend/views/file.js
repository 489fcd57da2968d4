// #/file/<code> — filing a dossier: applicant, the procedure's form from its JSON Schema, one
// file picker per paper; POST /v1/dossiers with an Idempotency-Key kept across retries.

import { ApiError, isStaff, post, procedure as loadProcedure, session } from "../api.js";
import { lang, t, tx } from "../i18n.js";
import { clearErrors, field, h, notice, showErrors } from "../dom.js";
import { schemaForm } from "../schema-form.js";
import { filePicker } from "../uploads.js";
import { draftKeeper } from "../drafts.js";
import { backLink, errorBlock } from "./common.js";

export const RECEIPT_KEY = "motcua.receipt.";

// What the citizen has typed and uploaded, kept while they stay on this procedure (a language
// switch re-renders the page) and the filing attempt, whose Idempotency-Key every retry reuses.
let draft = null;

function freshDraft(code, owner) {
  return { code, owner, applicant: null, form: {}, papers: {}, attempt: null };
}

export function uuid() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const x = [...b].map((n) => n.toString(16).padStart(2, "0")).join("");
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

function applicantFields(values) {
  const input = (name, attrs) => h("input", { name: `applicant.${name}`, value: values[name] ?? "", ...attrs });
  const controls = {
    full_name: input("full_name", { type: "text", autocomplete: "name", maxlength: "120" }),
    id_number: input("id_number", { type: "text", inputmode: "numeric", autocomplete: "off", maxlength: "12" }),
    phone: input("phone", { type: "tel", autocomplete: "tel", maxlength: "15" }),
    email: input("email", { type: "email", autocomplete: "email", maxlength: "254" }),
    address: h("textarea", { name: "applicant.address", rows: "2", autocomplete: "street-address", maxlength: "300", value: values.address ?? "" }),
  };
  const element = h(
    "fieldset",
    { class: "fieldset panel" },
    h("legend", { class: "fieldset__legend" }, t("file.applicant")),
    field({ label: t("applicant.full_name"), name: "applicant.full_name", control: controls.full_name, required: true }),
    field({ label: t("applicant.id_number"), name: "applicant.id_number", control: controls.id_number, hint: t("applicant.id_number.hint"), required: true }),
    field({ label: t("applicant.phone"), name: "applicant.phone", control: controls.phone, required: true }),
    field({ label: t("applicant.email"), name: "applicant.email", control: controls.email, required: false }),
    field({ label: t("applicant.address"), name: "applicant.address", control: controls.address, required: true }),
  );
  return {
    element,
    read() {
      const out = {};
      for (const [name, control] of Object.entries(controls)) {
        const v = control.value.trim();
        if (v) out[name] = v;
      }
      return out;
    },
    validate() {
      const v = this.read();
      const errors = [];
      const need = (name, label) => {
        if (!v[name]) errors.push({ field: `applicant.${name}`, message: t("v.required", { label }) });
        return Boolean(v[name]);
      };
      if (need("full_name", t("applicant.full_name")) && [...v.full_name].length < 2)
        errors.push({ field: "applicant.full_name", message: t("v.minLength", { label: t("applicant.full_name"), n: 2 }) });
      if (need("id_number", t("applicant.id_number")) && !/^\d{12}$/.test(v.id_number))
        errors.push({ field: "applicant.id_number", message: t("v.cccd") });
      if (need("phone", t("applicant.phone")) && !/^\+?[0-9 .-]{9,15}$/.test(v.phone))
        errors.push({ field: "applicant.phone", message: t("v.phone") });
      if (v.email && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(v.email)) errors.push({ field: "applicant.email", message: t("v.email") });
      if (need("address", t("applicant.address")) && [...v.address].length < 3)
        errors.push({ field: "applicant.address", message: t("v.minLength", { label: t("applicant.address"), n: 3 }) });
      return errors;
    },
  };
}

/** Server errors about attachments[i] point at the picker of the paper that entry was for. */
export function mapAttachmentErrors(fields, refs) {
  return (fields || []).map((f) => {
    const m = /^attachments\[(\d+)\]/.exec(f.field || "");
    if (m && refs[Number(m[1])]) return { ...f, field: `attachments.${refs[Number(m[1])].paper_code}` };
    return f;
  });
}

export async function fileView(ctx) {
  const code = ctx.params[0];
  const s = session();
  if (isStaff(s)) {
    ctx.title(t("file.title"));
    ctx.render(h("h1", {}, t("file.title")), notice(t("file.staff"), "warning"));
    return;
  }
  let p;
  try {
    p = await loadProcedure(code);
  } catch (error) {
    ctx.title(t("file.title"));
    ctx.render(backLink("#/"), h("h1", {}, t("file.title")), errorBlock(error, ctx.reload));
    return;
  }
  // A draft belongs to one person and one procedure: on a shared phone, the next person to sign
  // in starts from a blank form.
  const owner = s?.claims?.sub;
  if (!draft || draft.code !== p.code || draft.owner !== owner) draft = freshDraft(p.code, owner);
  const d = draft;
  // Drafts that survive a reload, a killed tab or another device (drafts.js).
  d.keeper ||= draftKeeper(p.code, owner, { restart: () => { draft = null; ctx.reload(); } });
  const restored = d.restoreTried ? null : await d.keeper.restore(d);
  d.restoreTried = true;
  const name = tx(p.name);
  ctx.title(`${t("file.title")}: ${name}`);

  // The applicant block starts from the signed-in account: name, email and phone.
  const claims = s?.claims || {};
  const applicant = applicantFields(
    d.applicant || {
      full_name: claims.name,
      email: claims.email,
      phone: claims.phone_number ? claims.phone_number.replace(/^\+84/, "0") : undefined,
    },
  );
  const form = schemaForm(p.form || { type: "object", properties: {} }, { prefix: "form", values: d.form });
  const pickers = (p.papers || []).map((paper) => {
    d.papers[paper.code] ||= [];
    return filePicker(paper, { fieldName: `attachments.${paper.code}`, entries: d.papers[paper.code] });
  });

  const summary = h("div", { class: "summary-slot" });
  const submit = h("button", { type: "submit", class: "btn btn--primary btn--large" }, t("file.submit"));
  const progress = h("p", { class: "submit-status", role: "status", "aria-live": "polite" });
  const formEl = h(
    "form",
    { class: "filing", novalidate: true, onsubmit: (e) => { e.preventDefault(); fileIt(); } },
    restored,
    summary,
    applicant.element,
    h("fieldset", { class: "fieldset panel" }, h("legend", { class: "fieldset__legend" }, t("file.form")), form.element),
    h(
      "fieldset",
      { class: "fieldset panel", dataset: { field: "attachments" } },
      h("legend", { class: "fieldset__legend" }, t("file.papers")),
      h("p", { class: "field__hint" }, t("file.papers.hint")),
      h("p", { class: "field__error", hidden: true }),
      pickers.map((picker) => picker.element),
    ),
    h("div", { class: "actions" }, submit, progress),
    d.keeper.element(),
  );
  const remember = () => {
    d.applicant = applicant.read();
    d.form = form.read();
  };
  formEl.addEventListener("input", remember);
  formEl.addEventListener("change", remember);
  d.keeper.watch(formEl, d);

  ctx.render(backLink(`#/procedures/${encodeURIComponent(p.code)}`, name), h("h1", {}, t("file.title")), h("p", { class: "lead" }, name), formEl);

  let busy = false;
  async function fileIt() {
    if (busy) return; // a second tap while the first is on its way files nothing more
    busy = true;
    submit.disabled = true;
    submit.setAttribute("aria-busy", "true");
    clearErrors(formEl, summary);
    try {
      const errors = [...applicant.validate(), ...form.validate()];
      for (const picker of pickers) {
        if (picker.paper.required && !picker.hasFiles())
          errors.push({ field: `attachments.${picker.paper.code}`, message: t("v.paper", { label: tx(picker.paper.name) }) });
      }
      if (errors.length) {
        showErrors(formEl, summary, { errors });
        return;
      }
      progress.textContent = t("file.uploading");
      const uploaded = await Promise.all(pickers.map((picker) => picker.settled()));
      if (uploaded.includes(false)) {
        const failed = pickers.filter((_, i) => !uploaded[i]).map((picker) => ({ field: `attachments.${picker.paper.code}`, message: t("file.upload.pending") }));
        showErrors(formEl, summary, { errors: failed });
        return;
      }
      const refs = pickers.flatMap((picker) => picker.refs());
      const body = { procedure_code: p.code, applicant: applicant.read(), form: form.read(), attachments: refs, language: lang() };
      d.attempt ||= { key: uuid() };
      progress.textContent = t("file.submitting");
      let created;
      try {
        created = await post("/dossiers", body, { headers: { "Idempotency-Key": d.attempt.key } });
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
        // No answer, a server error or "slow down": the dossier may or may not be filed, so the
        // retry keeps the same key. A clear "no" (400, 409, 422) means nothing was filed: the
        // corrected dossier is a new attempt with a new key.
        if (error.status !== 0 && error.status < 500 && error.status !== 429 && error.status !== 401) d.attempt = null;
        const fields = mapAttachmentErrors(error.fields, refs);
        showErrors(formEl, summary, { message: error.message, errors: fields });
        return;
      }
      sessionStorage.setItem(RECEIPT_KEY + created.code, JSON.stringify(created));
      d.keeper.filed();
      draft = null;
      ctx.navigate(`#/receipt/${encodeURIComponent(created.code)}`);
    } finally {
      busy = false;
      if (ctx.alive()) {
        submit.disabled = false;
        submit.removeAttribute("aria-busy");
        progress.textContent = "";
      }
    }
  }
}
