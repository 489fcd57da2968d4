// Fees paid online: the fee panel (dossier page, receipt) with its pay button, and #/payments/<ref>,
// where the gateway sends the browser back. That page only shows what the gateway's IPN recorded:
// paid, not paid, or still waiting (it asks again every few seconds while it waits).

import { ApiError, encode, get, post } from "../api.js";
import { announce, facts, h } from "../dom.js";
import { formatDateTime, formatVnd, t, tx } from "../i18n.js";
import { backLink, errorBlock } from "./common.js";

const POLL_MS = 2000;
const POLL_TIMES = 45; // about a minute and a half; then the page says to come back later

/** Start a payment of the dossier's fee and send the browser to the gateway. */
async function pay(code, button) {
  button.disabled = true;
  try {
    const started = await post(`/dossiers/${encode(code)}/payments`, {});
    announce(t("pay.redirecting"));
    location.assign(started.pay_url);
  } catch (error) {
    button.disabled = false;
    announce(error instanceof ApiError ? error.message : t("error.generic"), "error");
  }
}

function payButton(code, label = t("pay.button")) {
  const button = h("button", { type: "button", class: "btn btn--primary pay-button", onclick: () => pay(code, button) }, label);
  return button;
}

/**
 * The dossier's fee: the amount, paid or not (the desk sees it too), and for its owner a button to pay
 * online. An empty element when the procedure has no fee paid online.
 */
export function feePanel(code) {
  const panel = h("section", { class: "panel fee-panel", "aria-labelledby": "fee-heading", hidden: true });
  get(`/dossiers/${encode(code)}/fee`)
    .then((fee) => {
      if (!fee.online || !fee.amount_vnd) return;
      const state = fee.paid
        ? h("span", { class: "badge badge--s9", id: "fee-state" }, t("pay.state.paid"))
        : h("span", { class: "badge badge--s6", id: "fee-state" }, t("pay.state.due"));
      panel.replaceChildren(
        h("h2", { id: "fee-heading" }, t("pay.fee")),
        facts([
          [t("pay.amount"), formatVnd(fee.amount_vnd)],
          [t("pay.status"), state],
          fee.paid && fee.paid_at ? [t("pay.paid_at"), formatDateTime(fee.paid_at)] : null,
          fee.paid && fee.transaction_no ? [t("pay.transaction"), fee.transaction_no] : null,
        ].filter(Boolean)),
        fee.note ? h("p", { class: "hint" }, tx(fee.note)) : null,
        !fee.paid && fee.waits ? h("p", {}, t("pay.waits")) : null,
        fee.can_pay ? payButton(code) : null,
      );
      panel.hidden = false;
    })
    .catch(() => {
      /* no fee to show: the rest of the page stands */
    });
  return panel;
}

const SHOWN = {
  paid: ["success", "pay.shown.paid"],
  not_paid: ["warning", "pay.shown.not_paid"],
  waiting: ["info", "pay.shown.waiting"],
  refund_due: ["warning", "pay.shown.refund_due"],
};

/** #/payments/<ref>: the return page. */
export async function paymentView(ctx) {
  const ref = ctx.params[0];
  ctx.title(t("pay.title"));
  let order;
  try {
    order = await get(`/payments/${encode(ref)}`);
  } catch (error) {
    ctx.render(h("h1", {}, t("pay.title")), errorBlock(error, ctx.reload));
    return;
  }
  render(ctx, order);
  // The page is ready now; while the IPN has not come it asks again, in the background.
  if (order.shown === "waiting") poll(ctx, ref, order);
}

async function poll(ctx, ref, shown) {
  let order = shown;
  for (let i = 0; order.shown === "waiting" && i < POLL_TIMES; i += 1) {
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    if (!ctx.alive()) return;
    try {
      const fresh = await get(`/payments/${encode(ref)}`);
      if (!ctx.alive()) return;
      if (fresh.shown !== order.shown) {
        order = fresh;
        render(ctx, order);
        announce(t(SHOWN[order.shown][1]), SHOWN[order.shown][0] === "success" ? "success" : "info");
      }
    } catch {
      /* try again at the next round */
    }
  }
}

function render(ctx, order) {
  const [kind, key] = SHOWN[order.shown] || SHOWN.waiting;
  const dossierHash = `#/dossiers/${encodeURIComponent(order.dossier)}`;
  ctx.render(
    backLink(dossierHash, t("pay.back")),
    h("h1", {}, t("pay.title")),
    h(
      "div",
      { class: `notice notice--${kind}`, role: "status", id: "payment-state", dataset: { shown: order.shown } },
      h("p", {}, t(key)),
      order.shown === "not_paid" && order.expired ? h("p", {}, t("pay.expired")) : null,
    ),
    h(
      "section",
      { class: "panel", "aria-labelledby": "payment-facts" },
      h("h2", { id: "payment-facts" }, t("pay.details")),
      facts([
        [t("receipt.code"), h("a", { href: dossierHash }, order.dossier)],
        [t("pay.amount"), formatVnd(order.amount_vnd)],
        [t("pay.order"), order.ref],
        order.transaction_no ? [t("pay.transaction"), order.transaction_no] : null,
        order.confirmed_at ? [t("pay.confirmed_at"), formatDateTime(order.confirmed_at)] : null,
      ].filter(Boolean)),
    ),
    order.can_pay ? payButton(order.dossier, t("pay.again")) : null,
  );
}
