// Refunds (hoàn phí): the dossier's payments with their refunds, on its page; for the collecting
// agency's desk and leaders a "Hoàn phí" action with a reason and a confirmation (docs/payments.md).

import { ApiError, encode, get, post } from "../api.js";
import { formatDateTime, formatVnd, t } from "../i18n.js";
import { announce, clearErrors, facts, field, h, showErrors } from "../dom.js";

const REFUND_BADGE = { done: "badge--s9", requested: "badge--s4", failed: "badge--s3" };
const ORDER_BADGE = { paid: "badge--s9", refund_due: "badge--s6", pending: "badge--s1", failed: "badge--s8" };

function refundFacts(refund) {
  return facts(
    [
      [t("refund.state"), h("span", { class: `badge ${REFUND_BADGE[refund.state] || ""} refund-state`, dataset: { state: refund.state } }, t(`refund.state.${refund.state}`))],
      [t("refund.amount"), formatVnd(refund.amount_vnd)],
      [t("refund.reason"), refund.reason],
      [t("refund.at"), formatDateTime(refund.done_at || refund.requested_at)],
      refund.state === "failed" && refund.response_code ? [t("refund.code"), refund.response_code] : null,
      refund.transaction_no ? [t("pay.transaction"), refund.transaction_no] : null,
    ].filter(Boolean),
  );
}

function refundForm(item, reload) {
  const summary = h("div", { class: "form-errors", tabindex: "-1" });
  const reason = h("textarea", { name: "reason", rows: "2", maxlength: "500", minlength: "3", required: true });
  const confirm = h("div", { class: "refund-confirm", hidden: true, role: "group", "aria-labelledby": `refund-confirm-${item.ref}` });
  const form = h(
    "form",
    { class: "refund-form", novalidate: true, hidden: true, "aria-labelledby": `refund-form-${item.ref}` },
    h("h4", { id: `refund-form-${item.ref}` }, t("refund.form.title", { amount: formatVnd(item.amount_vnd) })),
    summary,
    field({ label: t("refund.reason"), name: "reason", control: reason, required: true, hint: t("refund.reason.hint") }),
    h("button", { type: "submit", class: "btn btn--primary refund-next" }, t("refund.next")),
    confirm,
  );
  const send = async (button) => {
    button.disabled = true;
    try {
      const done = await post(`/payments/${encode(item.ref)}/refund`, { reason: reason.value.trim() });
      const state = done.refund?.state;
      announce(state === "done" ? t("refund.done") : t("refund.failed", { code: done.refund?.response_code || "—" }), state === "done" ? "success" : "error");
      reload();
    } catch (error) {
      button.disabled = false;
      confirm.hidden = true;
      if (error instanceof ApiError) showErrors(form, summary, { message: error.message, errors: error.fields || [] });
      else announce(t("error.generic"), "error");
    }
  };
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    clearErrors(form, summary);
    if (reason.value.trim().length < 3) {
      showErrors(form, summary, { message: t("refund.reason.required"), errors: [{ field: "reason", message: t("refund.reason.required") }] });
      return;
    }
    const yes = h("button", { type: "button", class: "btn btn--primary refund-confirm__yes", onclick: () => send(yes) }, t("refund.confirm.yes"));
    confirm.replaceChildren(
      h("p", { id: `refund-confirm-${item.ref}` }, t("refund.confirm", { amount: formatVnd(item.amount_vnd) })),
      yes,
      h("button", { type: "button", class: "btn btn--secondary", onclick: () => { confirm.hidden = true; reason.focus(); } }, t("refund.confirm.no")),
    );
    confirm.hidden = false;
    yes.focus();
  });
  return form;
}

function paymentItem(item, reload) {
  const form = item.can_refund ? refundForm(item, reload) : null;
  const open = form
    ? h(
        "button",
        {
          type: "button",
          class: "btn btn--secondary refund-open",
          "aria-expanded": "false",
          onclick: () => {
            form.hidden = !form.hidden;
            open.setAttribute("aria-expanded", String(!form.hidden));
            if (!form.hidden) form.querySelector("textarea")?.focus();
          },
        },
        item.refund ? t("refund.retry") : t("refund.open"),
      )
    : null;
  return h(
    "li",
    { class: "refund-item", dataset: { ref: item.ref, state: item.state } },
    h("h3", { class: "refund-item__title" }, `${formatVnd(item.amount_vnd)} · `, h("span", { class: `badge ${ORDER_BADGE[item.state] || ""}` }, t(`refund.order.${item.state}`))),
    facts([
      [t("pay.order"), h("span", { class: "code" }, item.ref)],
      item.confirmed_at ? [t("pay.confirmed_at"), formatDateTime(item.confirmed_at)] : null,
      item.transaction_no ? [t("pay.transaction"), item.transaction_no] : null,
    ].filter(Boolean)),
    item.refund ? refundFacts(item.refund) : null,
    open,
    form,
  );
}

/** The dossier page's "Thanh toán và hoàn phí" panel: hidden while no payment was confirmed. */
export function refundsPanel(code) {
  const panel = h("section", { class: "panel refunds-panel", "aria-labelledby": "refunds-heading", hidden: true });
  const load = () =>
    get(`/dossiers/${encode(code)}/payments`)
      .then((list) => {
        const shown = list.items.filter((i) => i.state === "paid" || i.state === "refund_due" || i.refund);
        if (!shown.length) return;
        panel.replaceChildren(
          h("h2", { id: "refunds-heading" }, t("refund.title")),
          list.refunded_vnd ? h("p", { class: "refunds-total", id: "refunded-total" }, t("refund.total", { amount: formatVnd(list.refunded_vnd) })) : null,
          h("ul", { class: "refund-list" }, shown.map((item) => paymentItem(item, load))),
        );
        panel.hidden = false;
      })
      .catch(() => {
        /* nothing to show: the rest of the page stands */
      });
  load();
  return panel;
}
