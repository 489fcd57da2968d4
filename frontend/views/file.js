// #/file/<code> — filing a dossier: applicant, the procedure's form from its JSON Schema, one
// file picker per paper; POST /v1/dossiers with an Idempotency-Key kept across retries.
// A long form (the procedure's `steps`) is asked one step per page (#/file/<code>?step=2), a short
// one on one page; either ends on "check your answers" (?step=check), from where it is filed.

import { ApiError, isStaff, post, procedure as loadProcedure, session } from "../api.js";
import { lang, t, tx } from "../i18n.js";
import { clearErrors, field, h, notice, showErrors } from "../dom.js";
import { schemaForm, schemaText } from "../schema-form.js";
import { filePicker } from "../uploads.js";
import { draftKeeper } from "../drafts.js";
import { backLink, errorBlock } from "./common.js";

export const RECEIPT_KEY = "motcua.receipt.";

// What the citizen has typed and uploaded, kept while they stay on this procedure (a language
// switch re-renders the page) and the filing attempt, whose Idempotency-Key every retry reuses.
let draft = null;

function freshDraft(code, owner) {
  // pending: errors found when filing from the check page, shown on the step they belong to.
  return { code, owner, applicant: null, form: {}, papers: {}, attempt: null, pending: null };
}

const formHooks = new Set();

/**
 * Called with each filing form as it is shown — {procedure, element, values(), setValues(v)} —
 * so that a draft can be kept as the person types (the form's `input` and `change` events) and
 * brought back: values() is {applicant, form, papers}, setValues(v) puts v in and redraws.
 */
export function onFilingForm(hook) {
  formHooks.add(hook);
  return () => formHooks.delete(hook);
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
    answers() {
      const v = this.read();
      return Object.keys(controls).map((name) => ({ field: `applicant.${name}`, label: t(`applicant.${name}`), value: v[name] || t("check.empty") }));
    },
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

function missingPapers(pickers) {
  return pickers
    .filter((picker) => picker.paper.required && !picker.hasFiles())
    .map((picker) => ({ field: `attachments.${picker.paper.code}`, message: t("v.paper", { label: tx(picker.paper.name) }) }));
}

/** An upload entry's file name (a file chosen now, or one a draft brought back by name). */
function fileName(entry) {
  return entry.file?.name ?? entry.filename ?? "";
}

function papersAnswers(pickers) {
  return pickers.map((picker) => ({
    field: `attachments.${picker.paper.code}`,
    label: tx(picker.paper.name),
    value: picker.entries.length ? picker.entries.map(fileName) : t("check.nofile"),
  }));
}

/**
 * The form's steps, [{title, fields}]: the procedure's `steps`; without them, a form made of
 * sections (two or more objects at its top) asks one section a step, its loose fields first; else
 * none (one page).
 */
export function formSteps(p) {
  if (p.steps?.length) return p.steps.map((step) => ({ title: tx(step.title), fields: step.fields }));
  const props = Object.entries(p.form?.properties || {});
  const isSection = ([, schema]) => schema?.type === "object" || (schema?.properties && schema?.type !== "array");
  const sections = props.filter(isSection);
  if (sections.length < 2) return [];
  const loose = props.filter((prop) => !isSection(prop)).map(([name]) => name);
  return [
    ...(loose.length ? [{ title: t("file.form"), fields: loose }] : []),
    ...sections.map(([name, schema]) => ({ title: schemaText(schema, "title") || name, fields: [name] })),
  ];
}

/**
 * The pages the form is asked on: one for a short form; for a procedure with `steps`, the
 * applicant, each of its steps, then the papers. Each page: {title, parts, validate(), sections()}.
 */
function planSteps(p, applicant, form, pickers) {
  const papers = h(
    "fieldset",
    { class: "fieldset panel", dataset: { field: "attachments" } },
    h("legend", { class: "fieldset__legend" }, t("file.papers")),
    h("p", { class: "field__hint" }, t("file.papers.hint")),
    h("p", { class: "field__error", hidden: true }),
    pickers.map((picker) => picker.element),
  );
  const applicantPage = { title: t("file.applicant"), parts: [applicant.element], validate: () => applicant.validate(), sections: () => [{ title: t("file.applicant"), rows: applicant.answers() }] };
  const papersPage = { title: t("file.papers"), parts: [papers], validate: () => missingPapers(pickers), sections: () => [{ title: t("file.papers"), rows: papersAnswers(pickers) }] };
  const steps = formSteps(p);
  if (!steps.length) {
    const formPart = h("fieldset", { class: "fieldset panel" }, h("legend", { class: "fieldset__legend" }, t("file.form")), form.element);
    return [
      {
        title: null,
        parts: [applicant.element, formPart, papers],
        validate: () => [...applicant.validate(), ...form.validate(), ...missingPapers(pickers)],
        sections: () => [...applicantPage.sections(), { title: t("file.form"), rows: form.answers() }, ...papersPage.sections()],
      },
    ];
  }
  const middle = steps.map(({ title, fields }) => {
    const nodes = fields.map((name) => form.parts.get(name)).filter(Boolean);
    return {
      title,
      parts: [h("div", { class: "panel schema-form" }, nodes.map((node) => node.element))],
      validate: () => nodes.flatMap((node) => node.validate()),
      sections: () => [{ title, rows: nodes.flatMap((node) => node.answers()) }],
    };
  });
  return [applicantPage, ...middle, papersPage];
}

/** Which page holds the field a (server) error names: its data-field, or its closest parent's. */
function pageOf(pages, name) {
  let candidate = name || "";
  while (candidate) {
    const i = pages.findIndex((page) => page.parts.some((part) => part.matches?.(`[data-field="${CSS.escape(candidate)}"]`) || part.querySelector(`[data-field="${CSS.escape(candidate)}"]`)));
    if (i >= 0) return i;
    const cut = Math.max(candidate.lastIndexOf("."), candidate.lastIndexOf("["));
    candidate = cut > 0 ? candidate.slice(0, cut) : "";
  }
  return -1;
}

/** A date's error marks the boxes that are wrong (day, month or year), not the whole date. */
function markDateBoxes(root, errors) {
  for (const error of errors) {
    if (!error.invalid) continue;
    const group = root.querySelector(`[data-field="${CSS.escape(error.field)}"]`);
    for (const input of group?.querySelectorAll("input") || []) {
      const bad = error.invalid.includes(input.id);
      input.classList.toggle("date-input__input--error", bad);
      if (bad) input.setAttribute("aria-invalid", "true");
      else input.removeAttribute("aria-invalid");
    }
  }
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
    return filePicker(paper, { fieldName: `attachments.${paper.code}`, entries: d.papers[paper.code], limits: p.upload_limits });
  });
  const pages = planSteps(p, applicant, form, pickers);

  const base = `#/file/${encodeURIComponent(p.code)}`;
  const pageHash = (i) => `${base}?step=${i + 1}`;
  const checkHash = `${base}?step=check`;
  const where = ctx.query.get("step");
  const onCheck = where === "check";
  const index = onCheck ? pages.length : Math.min(Math.max(Number.parseInt(where, 10) || 1, 1), pages.length) - 1;
  const fromCheck = ctx.query.get("from") === "check";

  const remember = () => {
    d.applicant = applicant.read();
    d.form = form.read();
  };
  const values = () => ({
    applicant: applicant.read(),
    form: form.read(),
    papers: Object.fromEntries(pickers.map((picker) => [picker.paper.code, picker.refs()])),
  });
  const setValues = (v) => {
    if (v?.applicant) d.applicant = v.applicant;
    if (v?.form) d.form = v.form;
    ctx.reload();
  };

  const summary = h("div", { class: "summary-slot" });
  const head = [backLink(onCheck || index > 0 ? (onCheck ? pageHash(pages.length - 1) : pageHash(index - 1)) : `#/procedures/${encodeURIComponent(p.code)}`, onCheck || index > 0 ? t("step.back") : name), h("h1", {}, t("file.title")), h("p", { class: "lead" }, name)];
  let formEl;
  let focusTarget;

  if (!onCheck) {
    const page = pages[index];
    const count = pages.length > 1 ? t("step.count", { n: index + 1, total: pages.length }) : null;
    ctx.title([count, page.title, t("file.title")].filter(Boolean).join(": "));
    const heading = page.title ? h("h2", { class: "step__title", tabindex: "-1" }, h("span", { class: "step__count" }, count), " ", page.title) : null;
    const next = h("button", { type: "submit", class: "btn btn--primary btn--large" }, fromCheck ? t("step.tocheck") : t("step.next"));
    formEl = h(
      "form",
      {
        class: "filing",
        novalidate: true,
        onsubmit: (e) => {
          e.preventDefault();
          clearErrors(formEl, summary);
          const errors = page.validate();
          if (errors.length) {
            showErrors(formEl, summary, { errors });
            markDateBoxes(formEl, errors);
            return;
          }
          remember();
          ctx.navigate(fromCheck || index === pages.length - 1 ? checkHash : pageHash(index + 1));
        },
      },
      heading,
      restored,
      summary,
      page.parts,
      h("div", { class: "actions" }, next),
      d.keeper.element(),
    );
    ctx.render(head, formEl);
    focusTarget = heading;
    const wanted = ctx.query.get("field");
    if (wanted) focusTarget = formEl.querySelector(`[data-field="${CSS.escape(wanted)}"]`)?.querySelector("input:not([type=file]), select, textarea, input") || focusTarget;
  } else {
    ctx.title(`${t("check.title")}: ${t("file.title")}`);
    const heading = h("h2", { class: "step__title", tabindex: "-1" }, t("check.title"));
    const sections = pages.flatMap((page, i) => page.sections().map((section) => ({ ...section, page: i })));
    const change = (section, row) => `${pageHash(section.page)}&from=check&field=${encodeURIComponent(row.field)}`;
    const submit = h("button", { type: "submit", class: "btn btn--primary btn--large" }, t("file.submit"));
    const progress = h("p", { class: "submit-status", role: "status", "aria-live": "polite" });
    formEl = h(
      "form",
      { class: "filing check-answers", novalidate: true, onsubmit: (e) => { e.preventDefault(); fileIt(submit, progress); } },
      heading,
      restored,
      summary,
      h("p", {}, t("check.intro")),
      sections.map((section) =>
        h(
          "section",
          { class: "panel check-section" },
          h("h3", { class: "check__title" }, section.title),
          h(
            "dl",
            { class: "check__list" },
            section.rows.map((row) =>
              h(
                "div",
                { class: "check__row" },
                h("dt", { class: "check__key" }, row.label),
                h("dd", { class: "check__value" }, Array.isArray(row.value) ? h("ul", { class: "check__lines" }, row.value.map((line) => h("li", {}, line))) : row.value),
                h("dd", { class: "check__action" }, h("a", { href: change(section, row) }, t("check.change"), h("span", { class: "visually-hidden" }, ` ${row.label}`))),
              ),
            ),
          ),
        ),
      ),
      deskChoice(p, d),
      h("p", { class: "check__note" }, t("check.note")),
      h("div", { class: "actions" }, submit, progress),
    );
    ctx.render(head, formEl);
    focusTarget = heading;
  }
  formEl.addEventListener("input", remember);
  formEl.addEventListener("change", remember);
  d.keeper.watch(formEl, d);

  if (d.pending && d.pending.page === index) {
    const { message, errors } = d.pending;
    d.pending = null;
    showErrors(formEl, summary, { message, errors });
    markDateBoxes(formEl, errors);
  } else {
    d.pending = null;
    focusTarget?.focus();
  }
  const api = { procedure: p, element: formEl, values, setValues };
  for (const hook of formHooks) hook(api);

  /** Shows errors on the page that holds their fields (the first such page), else here. */
  function sendBack(errors, message) {
    const found = errors.map((error) => ({ error, page: pageOf(pages, error.field) })).filter((x) => x.page >= 0);
    if (!found.length) {
      showErrors(formEl, summary, { message, errors });
      return;
    }
    const page = Math.min(...found.map((x) => x.page));
    d.pending = { page, message, errors: found.filter((x) => x.page === page).map((x) => x.error) };
    ctx.navigate(pageHash(page));
  }

  let busy = false;
  async function fileIt(submit, progress) {
    if (busy) return; // a second tap while the first is on its way files nothing more
    busy = true;
    submit.disabled = true;
    submit.setAttribute("aria-busy", "true");
    clearErrors(formEl, summary);
    try {
      // Everything again: an answer may have been changed by a draft or left half typed.
      const i = pages.findIndex((page) => page.validate().length);
      if (i >= 0) {
        const errors = pages[i].validate();
        d.pending = { page: i, errors };
        ctx.navigate(pageHash(i));
        return;
      }
      progress.textContent = t("file.uploading");
      const uploaded = await Promise.all(pickers.map((picker) => picker.settled()));
      if (uploaded.includes(false)) {
        const failed = pickers.filter((_, k) => !uploaded[k]).map((picker) => ({ field: `attachments.${picker.paper.code}`, message: t("file.upload.pending") }));
        sendBack(failed);
        return;
      }
      const refs = pickers.flatMap((picker) => picker.refs());
      const body = { procedure_code: p.code, applicant: applicant.read(), form: form.read(), attachments: refs, language: lang() };
      if (d.desk && (p.desks || []).some((desk) => desk.code === d.desk)) body.desk = d.desk;
      d.attempt ||= { key: uuid() };
      progress.textContent = t("file.submitting");
      await d.keeper.hold(); // no draft saved behind the filing, which removes it
      let created;
      try {
        created = await post("/dossiers", body, { headers: { "Idempotency-Key": d.attempt.key } });
      } catch (error) {
        d.keeper.release();
        if (!(error instanceof ApiError)) throw error;
        // No answer, a server error or "slow down": the dossier may or may not be filed, so the
        // retry keeps the same key. A clear "no" (400, 409, 422) means nothing was filed: the
        // corrected dossier is a new attempt with a new key.
        if (error.status !== 0 && error.status < 500 && error.status !== 429 && error.status !== 401) d.attempt = null;
        const fields = mapAttachmentErrors(error.fields, refs);
        if (fields.length) sendBack(fields, error.message);
        else showErrors(formEl, summary, { message: error.message, errors: [] });
        return;
      }
      // The receipt lists the papers received (Mẫu 01): which paper, which file.
      const papers = pickers.flatMap((picker) => picker.entries.filter((e) => e.status === "done").map((e) => ({ paper_code: picker.paper.code, filename: fileName(e) })));
      sessionStorage.setItem(RECEIPT_KEY + created.code, JSON.stringify({ ...created, papers }));
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

/**
 * Receiving anywhere: when the procedure may be received at several one-stop desks, the citizen
 * chooses where the dossier is received and the result collected (its own agency's by default).
 */
function deskChoice(p, d) {
  const desks = p.desks || [];
  if (desks.length < 2) return null;
  const chosen = desks.some((desk) => desk.code === d.desk) ? d.desk : desks[0].code;
  d.desk = chosen;
  const control = h(
    "select",
    { name: "desk", onchange: (e) => { d.desk = e.target.value; } },
    desks.map((desk) => h("option", { value: desk.code, selected: desk.code === chosen }, desk.name)),
  );
  return h(
    "section",
    { class: "panel check-section desk-choice" },
    field({ label: t("anywhere.desk"), name: "desk", control, hint: t("anywhere.desk.hint"), required: true }),
  );
}
