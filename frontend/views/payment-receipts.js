// The payment receipts (biên lai thu phí, lệ phí) of a dossier: listed on its page, each a PDF.

import { encode, get } from "../api.js";
import { formatDateTime, formatVnd, t } from "../i18n.js";
import { h } from "../dom.js";
import { pdfButton } from "./documents.js";

function receiptItem(item) {
  return h(
    "li",
    { class: "doc payment-receipt", dataset: { ref: item.ref } },
    h("h3", { class: "doc__title" }, `${formatVnd(item.amount_vnd)} · ${formatDateTime(item.paid_at)}`),
    item.transaction_no ? h("p", { class: "doc__code" }, `${t("pay.transaction")}: `, h("strong", { class: "code" }, item.transaction_no)) : null,
    h("p", { class: "doc__file" }, item.filename),
    pdfButton({ label: t("receipts.download"), detail: item.ref, resolve: async () => ({ href: item.href, filename: item.filename }) }),
  );
}

/** The "Biên lai thanh toán" panel: loads its list by itself and stays hidden while there is none. */
export function paymentReceiptsPanel(code) {
  const panel = h("section", { class: "panel payment-receipts", "aria-labelledby": "payment-receipts-heading", hidden: true });
  get(`/dossiers/${encode(code)}/payment-receipts`)
    .then((list) => {
      if (!list.items.length) return;
      panel.replaceChildren(
        h("h2", { id: "payment-receipts-heading" }, t("receipts.title")),
        h("ul", { class: "docs__list" }, list.items.map(receiptItem)),
      );
      panel.hidden = false;
    })
    .catch(() => {
      /* no receipt to show: the rest of the page stands */
    });
  return panel;
}
