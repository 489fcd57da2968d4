// #/receipt/<code> — the receipt (Mẫu 01 in spirit): dossier code, status, filing and due dates.

import { encode, get, isCitizen } from "../api.js";
import { formatDate, formatDateTime, t } from "../i18n.js";
import { announce, facts, h, statusBadge } from "../dom.js";
import { errorBlock } from "./common.js";
import { RECEIPT_KEY } from "./file.js";
import { pdfButton, receiptDocument } from "./documents.js";

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
        [t("receipt.due"), h("strong", { class: "receipt__due" }, formatDate(r.due_at))],
        [t("receipt.track"), h("a", { href: trackingHash, class: "break" }, trackingUrl)],
      ]),
    ),
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
