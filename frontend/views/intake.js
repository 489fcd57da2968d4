// #/desk/intake — walk-in intake at the counter (tiếp nhận hồ sơ trực tiếp): the receiving officer
// picks the procedure, fills the same form as online, uploads the scanned or photographed papers,
// types the applicant's CCCD and mobile, may accept at once, and files: POST
// /v1/agencies/<agency>/intake with an Idempotency-Key kept across retries. Then the receipt, printed
// on A5 (Mẫu 01 as the API draws it, with the tracking QR code).
// ?ticket=<id>&service=<code> come from the queue's counter console: the ticket is kept on the
// dossier and its receipt; nothing else is filled in from them.
// ?procedure=<code>&step=<n|check> walk the form; ?done=<code> is the receipt.

import { ApiError, encode, get, getBlob, post, procedure as loadProcedure, session, staffRole } from "../api.js";
import { formatDate, formatDateTime, formatVnd, lang, t, tx } from "../i18n.js";
import { announce, clearErrors, facts, field, h, notice, showErrors, statusBadge } from "../dom.js";
import { schemaForm } from "../schema-form.js";
import { filePicker } from "../uploads.js";
import { errorBlock } from "./common.js";
import { formSteps, mapAttachmentErrors, uuid } from "./file.js";
import { fetchPdf, pdfButton, receiptDocument } from "./documents.js";

const DESK_ROLES = new Set(["receiver", "leader"]);
// The person at the counter, kept while the officer walks the steps (a language switch redraws).
let intake = null;

function fresh(code, ticket) {
  return { code, ticket, applicant: {}, form: {}, papers: {}, accept: false, attempt: null, pending: null };
}

function hashFor(query) {
  const qs = new URLSearchParams(Object.entries(query).filter(([, v]) => v !== undefined && v !== null && v !== ""));
  return `#/desk/intake?${qs}`;
}

function applicantPart(values) {
  const input = (name, attrs) => h("input", { name: `applicant.${name}`, value: values[name] ?? "", autocomplete: "off", ...attrs });
  const controls = {
    full_name: input("full_name", { type: "text", maxlength: "120" }),
    id_number: input("id_number", { type: "text", inputmode: "numeric", maxlength: "14" }),
    phone: input("phone", { type: "tel", maxlength: "20" }),
    email: input("email", { type: "email", maxlength: "254" }),
    address: h("textarea", { name: "applicant.address", rows: "2", maxlength: "300", value: values.address ?? "" }),
  };
  const element = h(
    "fieldset",
    { class: "fieldset panel" },
    h("legend", { class: "fieldset__legend" }, t("intake.applicant")),
    field({ label: t("applicant.full_name"), name: "applicant.full_name", control: controls.full_name, required: true }),
    field({ label: t("intake.cccd"), name: "applicant.id_number", control: controls.id_number, hint: t("intake.cccd.hint"), required: true }),
    field({ label: t("intake.phone"), name: "applicant.phone", control: controls.phone, hint: t("intake.phone.hint"), required: true }),
    field({ label: t("applicant.email"), name: "applicant.email", control: controls.email, required: false }),
    field({ label: t("applicant.address"), name: "applicant.address", control: controls.address, required: true }),
  );
  const read = () => Object.fromEntries(Object.entries(controls).map(([name, c]) => [name, c.value.trim()]).filter(([, v]) => v));
  return {
    element,
    read,
    rows: () => Object.keys(controls).map((name) => ({ label: name === "id_number" ? t("intake.cccd") : t(`applicant.${name}`), value: read()[name] || t("check.empty") })),
    validate() {
      const v = read();
      const errors = [];
      const need = (name, label) => (v[name] ? true : (errors.push({ field: `applicant.${name}`, message: t("v.required", { label }) }), false));
      if (need("full_name", t("applicant.full_name")) && [...v.full_name].length < 2)
        errors.push({ field: "applicant.full_name", message: t("v.minLength", { label: t("applicant.full_name"), n: 2 }) });
      // The shape only: the province code and the year are checked by the API, which names what is wrong.
      if (need("id_number", t("intake.cccd")) && !/^\d{12}$/.test(v.id_number.replace(/ /g, "")))
        errors.push({ field: "applicant.id_number", message: t("v.cccd") });
      need("phone", t("intake.phone"));
      if (v.email && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(v.email)) errors.push({ field: "applicant.email", message: t("v.email") });
      if (need("address", t("applicant.address")) && [...v.address].length < 3)
        errors.push({ field: "applicant.address", message: t("v.minLength", { label: t("applicant.address"), n: 3 }) });
      return errors;
    },
  };
}

export async function intakeView(ctx) {
  const s = session();
  const agency = s?.claims?.["custom:agency_code"];
  ctx.title(t("intake.title"));
  if (!DESK_ROLES.has(staffRole(s))) {
    ctx.render(h("h1", {}, t("intake.title")), notice(t("intake.role"), "warning"));
    return;
  }
  const q = ctx.query;
  const ticket = q.get("ticket") || undefined;
  if (q.get("done")) return receiptScreen(ctx, q.get("done"));
  if (!q.get("procedure")) return pickProcedure(ctx, agency, ticket);
  return walkForm(ctx, agency, q.get("procedure"), ticket);
}

function ticketLine(ticket) {
  return ticket ? h("p", { class: "intake__ticket" }, t("intake.ticket"), " ", h("strong", {}, ticket)) : null;
}

async function pickProcedure(ctx, agency, ticket) {
  let items;
  try {
    const page = await get("/procedures", { auth: false, query: { limit: 100 } });
    items = (page.items || []).filter((p) => p.agency === agency);
  } catch (error) {
    ctx.render(h("h1", {}, t("intake.title")), errorBlock(error, ctx.reload));
    return;
  }
  const list = h("ul", { class: "intake__procedures" });
  const count = h("p", { class: "visually-hidden", "aria-live": "polite" });
  const search = h("input", { type: "search", id: "intake-search", name: "q", autocomplete: "off" });
  const show = () => {
    const words = search.value.trim().toLowerCase().normalize("NFC");
    const found = items.filter((p) => !words || `${p.code} ${p.name} ${p.field}`.toLowerCase().normalize("NFC").includes(words));
    list.replaceChildren(
      ...found.map((p) =>
        h("li", {}, h("a", { class: "intake__procedure", href: hashFor({ procedure: p.code, ticket, step: 1 }) }, h("span", { class: "intake__name" }, p.name), h("span", { class: "intake__meta" }, `${p.code} · ${t("proc.days.value", { n: p.legal_days })}`))),
      ),
    );
    count.textContent = t("intake.found", { n: found.length });
    if (!found.length) list.append(h("li", {}, t("intake.none")));
  };
  search.addEventListener("input", show);
  show();
  ctx.render(
    h("h1", {}, t("intake.title")),
    ticketLine(ticket),
    h("p", { class: "lead" }, t("intake.pick")),
    field({ label: t("intake.search"), name: "q", control: search, hint: t("intake.search.hint") }),
    count,
    list,
  );
}

async function walkForm(ctx, agency, code, ticket) {
  let p;
  try {
    p = await loadProcedure(code);
  } catch (error) {
    ctx.render(h("h1", {}, t("intake.title")), errorBlock(error, ctx.reload));
    return;
  }
  if (!intake || intake.code !== p.code || intake.ticket !== ticket) intake = fresh(p.code, ticket);
  const d = intake;
  const applicant = applicantPart(d.applicant);
  const form = schemaForm(p.form || { type: "object", properties: {} }, { prefix: "form", values: d.form });
  const pickers = (p.papers || []).map((paper) => {
    d.papers[paper.code] ||= [];
    return filePicker(paper, { fieldName: `attachments.${paper.code}`, entries: d.papers[paper.code], limits: p.upload_limits });
  });
  const papersPart = h(
    "fieldset",
    { class: "fieldset panel", dataset: { field: "attachments" } },
    h("legend", { class: "fieldset__legend" }, t("file.papers")),
    h("p", { class: "field__hint" }, t("intake.papers.hint")),
    h("p", { class: "field__error", hidden: true }),
    pickers.map((picker) => picker.element),
  );
  const missing = () => pickers.filter((k) => k.paper.required && !k.hasFiles()).map((k) => ({ field: `attachments.${k.paper.code}`, message: t("v.paper", { label: tx(k.paper.name) }) }));
  const steps = formSteps(p);
  const formPages = steps.length
    ? steps.map(({ title, fields }) => {
        const nodes = fields.map((name) => form.parts.get(name)).filter(Boolean);
        return { title, parts: [h("div", { class: "panel schema-form" }, nodes.map((n) => n.element))], validate: () => nodes.flatMap((n) => n.validate()), rows: () => nodes.flatMap((n) => n.answers()) };
      })
    : [{ title: t("file.form"), parts: [h("div", { class: "panel schema-form" }, form.element)], validate: () => form.validate(), rows: () => form.answers() }];
  const pages = [
    { title: t("intake.applicant"), parts: [applicant.element], validate: () => applicant.validate(), rows: () => applicant.rows() },
    ...formPages,
    { title: t("file.papers"), parts: [papersPart], validate: missing, rows: () => pickers.map((k) => ({ label: tx(k.paper.name), value: k.entries.length ? k.entries.map((e) => e.file?.name ?? e.filename ?? "").join(", ") : t("check.nofile") })) },
  ];
  const where = ctx.query.get("step");
  const onCheck = where === "check";
  const index = onCheck ? pages.length : Math.min(Math.max(Number.parseInt(where, 10) || 1, 1), pages.length) - 1;
  const stepHash = (i) => hashFor({ procedure: p.code, ticket, step: i === pages.length ? "check" : i + 1 });
  const remember = () => {
    d.applicant = applicant.read();
    d.form = form.read();
  };
  const summary = h("div", { class: "summary-slot" });
  const back = index > 0 ? h("a", { class: "back no-print", href: stepHash(index - 1) }, t("step.back")) : h("a", { class: "back no-print", href: hashFor({ ticket }) }, t("intake.change"));
  const count = t("step.count", { n: Math.min(index + 1, pages.length + 1), total: pages.length + 1 });
  const head = [back, h("h1", {}, t("intake.title")), ticketLine(ticket), h("p", { class: "lead" }, tx(p.name))];
  const title = onCheck ? t("intake.check") : pages[index].title;
  ctx.title(`${count}: ${title} — ${t("intake.title")}`);
  const heading = h("h2", { class: "step__title", tabindex: "-1" }, h("span", { class: "step__count" }, count), " ", title);
  let formEl;
  if (!onCheck) {
    const page = pages[index];
    formEl = h(
      "form",
      {
        class: "filing intake",
        novalidate: true,
        onsubmit: (e) => {
          e.preventDefault();
          clearErrors(formEl, summary);
          const errors = page.validate();
          if (errors.length) {
            showErrors(formEl, summary, { errors });
            return;
          }
          remember();
          ctx.navigate(stepHash(index + 1));
        },
      },
      heading,
      summary,
      page.parts,
      h("div", { class: "actions" }, h("button", { type: "submit", class: "btn btn--primary btn--large" }, t("step.next"))),
    );
  } else {
    const accept = h("input", { type: "checkbox", id: "intake-accept", name: "accept", checked: d.accept, class: "checkbox__input" });
    accept.addEventListener("change", () => {
      d.accept = accept.checked;
    });
    const submit = h("button", { type: "submit", class: "btn btn--primary btn--large" }, t("intake.submit"));
    const progress = h("p", { class: "submit-status", role: "status", "aria-live": "polite" });
    formEl = h(
      "form",
      { class: "filing intake check-answers", novalidate: true, onsubmit: (e) => { e.preventDefault(); fileIt(submit, progress); } },
      heading,
      summary,
      pages.map((page, i) =>
        h(
          "section",
          { class: "panel check-section" },
          h("h3", { class: "check__title" }, page.title, " ", h("a", { href: stepHash(i), class: "check__change" }, t("check.change"), h("span", { class: "visually-hidden" }, ` ${page.title}`))),
          h("dl", { class: "check__list" }, page.rows().map((row) => h("div", { class: "check__row" }, h("dt", { class: "check__key" }, row.label), h("dd", { class: "check__value" }, Array.isArray(row.value) ? row.value.join(", ") : row.value)))),
        ),
      ),
      p.fee?.amount_vnd > 0 ? h("p", { class: "intake__fee" }, h("strong", {}, `${t("intake.fee")}: `), t("intake.fee.collect", { amount: formatVnd(p.fee.amount_vnd) })) : null,
      h("div", { class: "panel intake__accept" }, h("div", { class: "checkbox" }, accept, h("label", { for: "intake-accept", class: "checkbox__label" }, t("intake.accept"))), h("p", { class: "field__hint" }, t("intake.accept.hint"))),
      h("div", { class: "actions" }, submit, progress),
    );
  }
  formEl.addEventListener("input", remember);
  formEl.addEventListener("change", remember);
  ctx.render(head, formEl);
  if (d.pending && d.pending.page === index) {
    const { message, errors } = d.pending;
    d.pending = null;
    showErrors(formEl, summary, { message, errors });
  } else {
    heading.focus();
  }

  let busy = false;
  async function fileIt(submit, progress) {
    if (busy) return;
    busy = true;
    submit.disabled = true;
    clearErrors(formEl, summary);
    try {
      const bad = pages.findIndex((page) => page.validate().length);
      if (bad >= 0) {
        d.pending = { page: bad, errors: pages[bad].validate() };
        ctx.navigate(stepHash(bad));
        return;
      }
      progress.textContent = t("file.uploading");
      const done = await Promise.all(pickers.map((k) => k.settled()));
      if (done.includes(false)) {
        d.pending = { page: pages.length - 1, errors: [{ field: "attachments", message: t("file.upload.pending") }] };
        ctx.navigate(stepHash(pages.length - 1));
        return;
      }
      const refs = pickers.flatMap((k) => k.refs());
      const body = { procedure_code: p.code, applicant: applicant.read(), form: form.read(), attachments: refs, language: lang(), accept: d.accept, ...(ticket ? { ticket } : {}) };
      d.attempt ||= { key: uuid() };
      progress.textContent = t("file.submitting");
      let created;
      try {
        created = await post(`/agencies/${encode(agency)}/intake`, body, { headers: { "Idempotency-Key": d.attempt.key } });
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
        if (error.status !== 0 && error.status < 500 && error.status !== 429 && error.status !== 401) d.attempt = null;
        const fields = mapAttachmentErrors(error.fields, refs);
        const found = fields.map((f) => ({ f, page: f.field.startsWith("applicant.") ? 0 : f.field.startsWith("attachments") ? pages.length - 1 : f.field.startsWith("form") ? 1 : -1 })).filter((x) => x.page >= 0);
        if (found.length) {
          const page = Math.min(...found.map((x) => x.page));
          d.pending = { page, message: error.message, errors: found.filter((x) => x.page === page).map((x) => x.f) };
          ctx.navigate(stepHash(page));
        } else showErrors(formEl, summary, { message: error.message, errors: fields });
        return;
      }
      intake = null;
      ctx.navigate(hashFor({ done: created.code }));
    } finally {
      busy = false;
      if (ctx.alive()) {
        submit.disabled = false;
        progress.textContent = "";
      }
    }
  }
}

/** The receipt on screen, and printed on A5: the Mẫu 01 PDF the API draws, with its QR code. */
async function receiptScreen(ctx, code) {
  let d;
  try {
    d = await get(`/dossiers/${encode(code)}`);
  } catch (error) {
    ctx.render(h("h1", {}, t("intake.done")), errorBlock(error, ctx.reload));
    return;
  }
  ctx.title(`${t("intake.done")} ${d.code}`);
  const trackingHash = `#/tracking/${encodeURIComponent(d.code)}`;
  const error = h("p", { class: "doc-error", role: "alert", hidden: true });
  const print = h("button", { type: "button", class: "btn btn--primary btn--large" }, t("intake.print"));
  print.addEventListener("click", async () => {
    // The tab is opened by the click itself (no pop-up blocker stands in the way), then given the PDF:
    // the browser's PDF viewer prints it on A5, QR code and all.
    const tab = window.open("", "_blank");
    print.disabled = true;
    error.hidden = true;
    try {
      const { href } = await receiptDocument(d.code);
      const { blob } = await fetchPdf(href, `${d.code}.pdf`);
      const url = URL.createObjectURL(blob);
      if (!tab) throw new Error(t("intake.print.blocked"));
      tab.location.href = url;
      announce(t("intake.printing"), "info");
    } catch (e) {
      tab?.close();
      error.textContent = e instanceof Error ? e.message : t("error.generic");
      error.hidden = false;
    } finally {
      print.disabled = false;
    }
  });
  ctx.render(
    h("h1", {}, t("intake.done")),
    h("div", { class: "notice notice--success" }, h("p", {}, d.status === 1 ? t("intake.done.intro") : t("intake.done.accepted"))),
    h(
      "section",
      { class: "panel receipt intake-receipt", "aria-labelledby": "intake-code-label" },
      h("p", { class: "receipt__label", id: "intake-code-label" }, t("receipt.code")),
      h("output", { class: "receipt__code", id: "receipt-code", "aria-labelledby": "intake-code-label" }, d.code),
      facts([
        [t("receipt.procedure"), d.procedure_name],
        [t("intake.applicant"), d.applicant?.full_name],
        [t("receipt.status"), statusBadge(d.status, d.status_label)],
        [t("intake.received"), formatDateTime(d.filed_at)],
        [t("intake.received_by"), d.received_by],
        [t("intake.ticket"), d.ticket],
        [t("intake.fee"), d.fee_at_counter_vnd ? t("intake.fee.collected", { amount: formatVnd(d.fee_at_counter_vnd) }) : null],
        [t("receipt.due"), h("strong", { class: "receipt__due" }, formatDate(d.appointment_at || d.due_at))],
      ]),
    ),
    h("p", { class: "actions" }, print, h("a", { class: "btn btn--secondary", href: trackingHash }, t("receipt.track")), h("a", { class: "btn btn--secondary", href: hashFor({}) }, t("intake.next"))),
    error,
    pdfButton({ label: t("intake.pdf"), resolve: () => receiptDocument(d.code) }),
  );
}
