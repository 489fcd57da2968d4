// #/receipt/<code> — the receipt (Mẫu 01 in spirit): dossier code, status, filing and due dates,
// the papers received, and what happens next in plain words: how long, how the citizen will hear,
// how the result comes and what to bring for it.

import { encode, get, isCitizen, procedure as loadProcedure, session } from "../api.js";
import { formatDate, formatDateTime, t, tx } from "../i18n.js";
import { announce, facts, h, statusBadge } from "../dom.js";
import { errorBlock } from "./common.js";
import { RECEIPT_KEY } from "./file.js";
import { pdfButton, receiptDocument } from "./documents.js";
import { feePanel } from "./payment.js";

async function copy(text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // Older browsers, or no permission: select the code so the user can copy it by hand.
    const range = document.createRange();
    const node = document.getElementById("receipt-code");
    if (node) {
      range.selectNodeContents(node);
      const selection = getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
    }
    return false;
  }
}

/** The receipt's facts, and whether the person signed in is the dossier's owner (who may have the PDF). */
async function loadReceipt(code) {
  const saved = sessionStorage.getItem(RECEIPT_KEY + code);
  if (saved) {
    try {
      const receipt = JSON.parse(saved);
      // Labels in the current language come from the API; the saved copy keeps the rest.
      const fresh = await get(`/tracking/${encode(code)}`, { auth: false }).catch(() => null);
      // Saved in this tab when the dossier was filed: whoever is signed in as a citizen filed it.
      return { r: fresh ? { ...receipt, ...fresh } : receipt, owner: isCitizen() };
    } catch {
      /* fall through to the API */
    }
  }
  if (isCitizen()) {
    try {
      return { r: await get(`/dossiers/${encode(code)}`), owner: true };
    } catch {
      /* not the owner: the public view still has what the receipt shows */
    }
  }
  return { r: await get(`/tracking/${encode(code)}`, { auth: false }), owner: false };
}

/** "What happens next", from the procedure (time, delivery, what to bring) and the account's contacts. */
function nextSteps(r, p, owner) {
  const agency = r.agency_name;
  const claims = owner ? session()?.claims || {} : {};
  const email = claims.email;
  const phone = claims.phone_number ? claims.phone_number.replace(/^\+84/, "0") : null;
  const hear = email && phone ? "next.hear.both" : email ? "next.hear.email" : phone ? "next.hear.phone" : "next.hear.none";
  const ways = (p?.result_delivery || []).map((way) => t(`next.way.${way}`, { agency }));
  const bring = (p?.collect?.bring || []).map((item) => tx(item));
  return h(
    "section",
    { class: "panel next-steps", "aria-labelledby": "next-steps-title" },
    h("h2", { id: "next-steps-title" }, t("next.title")),
    h(
      "ol",
      { class: "next-steps__list" },
      p ? h("li", {}, t("next.review", { agency, n: p.legal_days })) : null,
      h("li", {}, t("next.papers")),
      h("li", {}, t(hear, { email, phone }), hear === "next.hear.none" ? null : [" ", t("next.hear.none")]),
      ways.length ? h("li", {}, t("next.result"), h("ul", { class: "next-steps__sub" }, ways.map((way) => h("li", {}, way)))) : null,
      bring.length ? h("li", {}, t("next.bring"), h("ul", { class: "next-steps__sub" }, bring.map((item) => h("li", {}, item)))) : null,
    ),
  );
}

/** The papers received (Mẫu 01, item 1): the paper's name and the file, where this page knows them. */
function papersReceived(r, p) {
  const list = r.papers || r.attachments || [];
  if (!list.length) return null;
  const nameOf = (code) => tx((p?.papers || []).find((paper) => paper.code === code)?.name) || code;
  return h("ul", { class: "receipt__papers" }, list.map((item) => h("li", {}, `${nameOf(item.paper_code)}: ${item.filename}`)));
}

export async function receiptView(ctx) {
  const code = ctx.params[0];
  ctx.title(`${t("receipt.title")} ${code}`);
  let r;
  let owner;
  try {
    ({ r, owner } = await loadReceipt(code));
  } catch (error) {
    ctx.render(h("h1", {}, t("receipt.title")), errorBlock(error, ctx.reload));
    return;
  }
  // The procedure says the time allowed, how the result comes and what to bring; a receipt
  // without it still shows what the law asks.
  const p = r.procedure_code ? await loadProcedure(r.procedure_code).catch(() => null) : null;
  const trackingHash = `#/tracking/${encodeURIComponent(r.code)}`;
  const trackingUrl = new URL(trackingHash, location.href).href;
  ctx.render(
    h("h1", {}, t("receipt.title")),
    h("div", { class: "notice notice--success" }, h("p", {}, t("receipt.intro"))),
    h(
      "section",
      { class: "panel receipt", "aria-labelledby": "receipt-code-label" },
      h("p", { class: "receipt__label", id: "receipt-code-label" }, t("receipt.code")),
      h(
        "div",
        { class: "receipt__code-row" },
        h("output", { class: "receipt__code", id: "receipt-code", "aria-labelledby": "receipt-code-label" }, r.code),
        h(
          "button",
          {
            type: "button",
            class: "btn btn--secondary btn--small no-print",
            onclick: async () => {
              const ok = await copy(r.code);
              announce(ok ? t("copied") : r.code, "success");
            },
          },
          t("copy"),
          h("span", { class: "visually-hidden" }, ` ${t("receipt.code")}`),
        ),
      ),
      facts([
        [t("receipt.procedure"), r.procedure_name],
        [t("receipt.agency"), r.agency_name],
        [t("receipt.status"), statusBadge(r.status, r.status_label)],
        [t("receipt.filed"), formatDateTime(r.filed_at)],
        [t("receipt.legal"), p ? t("proc.days.value", { n: p.legal_days }) : null],
        [t("receipt.due"), h("strong", { class: "receipt__due" }, formatDate(r.appointment_at || r.due_at))],
        [t("receipt.papers"), papersReceived(r, p)],
        [t("receipt.track"), h("a", { href: trackingHash, class: "break" }, trackingUrl)],
      ]),
    ),
    owner ? feePanel(r.code) : null,
    nextSteps(r, p, owner),
    h(
      "p",
      { class: "actions no-print" },
      h("a", { class: "btn btn--primary", href: trackingHash }, t("receipt.track")),
      h("button", { type: "button", class: "btn btn--secondary", onclick: () => window.print() }, t("receipt.print")),
    ),
    owner
      ? h(
          "section",
          { class: "panel no-print receipt-pdf", "aria-labelledby": "receipt-pdf-title" },
          h("h2", { id: "receipt-pdf-title" }, t("receipt.pdf.title")),
          h("p", {}, t("receipt.pdf.intro")),
          pdfButton({ label: t("receipt.pdf"), resolve: () => receiptDocument(r.code), primary: true }),
        )
      : null,
  );
}
