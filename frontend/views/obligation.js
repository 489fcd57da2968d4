// Financial obligations (status 6): the officer asks for one from the task page (items, amount,
// reason) or cancels it; the dossier page shows it with its items and, for the applicant, a pay button.
// The gateway's IPN resumes the dossier by itself; these panels only show and ask.

import { ApiError, encode, get, post } from "../api.js";
import { announce, clearErrors, facts, field, h, showErrors } from "../dom.js";
import { formatDateTime, formatVnd, t } from "../i18n.js";

const IN_PROCESS = 4;
const FEES_DUE = 6;

function itemsList(items) {
  return h(
    "ul",
    { class: "obligation-items" },
    items.map((item) => h("li", {}, h("span", {}, item.name), " ", h("span", { class: "obligation-items__amount" }, formatVnd(item.amount_vnd)))),
  );
}

function stateBadge(state) {
  const cls = { due: "badge--s6", paid: "badge--s9", cancelled: "badge--s8" }[state] || "badge--s6";
  return h("span", { class: `badge ${cls}`, id: "obligation-state", dataset: { state } }, t(`obligation.state.${state}`));
}

function details(ob) {
  return [
    facts(
      [
        [t("obligation.amount"), formatVnd(ob.amount_vnd)],
        [t("obligation.status"), stateBadge(ob.state)],
        [t("obligation.reason"), ob.reason],
        [t("obligation.requested_at"), formatDateTime(ob.requested_at)],
        ob.settled_at ? [t("obligation.settled_at"), formatDateTime(ob.settled_at)] : null,
        ob.transaction_no ? [t("pay.transaction"), ob.transaction_no] : null,
      ].filter(Boolean),
    ),
    h("h3", {}, t("obligation.items")),
    itemsList(ob.items),
  ];
}

async function pay(code, button) {
  button.disabled = true;
  try {
    const started = await post(`/dossiers/${encode(code)}/obligation/payments`, {});
    announce(t("pay.redirecting"));
    location.assign(started.pay_url);
  } catch (error) {
    button.disabled = false;
    announce(error instanceof ApiError ? error.message : t("error.generic"), "error");
  }
}

/** The dossier page: the last obligation asked for, and for its applicant, while due, a pay button. */
export function obligationSection(code) {
  const panel = h("section", { class: "panel obligation-panel", "aria-labelledby": "obligation-heading", hidden: true });
  get(`/dossiers/${encode(code)}/obligation`)
    .then((ob) => {
      const button = ob.can_pay
        ? h("button", { type: "button", class: "btn btn--primary pay-button", id: "obligation-pay", onclick: () => pay(code, button) }, t("obligation.pay"))
        : null;
      panel.replaceChildren(
        h("h2", { id: "obligation-heading" }, t("obligation.title")),
        ob.state === "due" ? h("p", {}, t("obligation.due.intro")) : "",
        ...details(ob),
        button || "",
      );
      panel.hidden = false;
    })
    .catch(() => {
      /* none asked for: nothing to show */
    });
  return panel;
}

function itemRow(list, index) {
  const name = h("input", { type: "text", name: `items[${index}].name`, maxlength: "200", required: true, autocomplete: "off" });
  const amount = h("input", { type: "number", name: `items[${index}].amount_vnd`, min: "1", step: "1", inputmode: "numeric", required: true });
  return h(
    "div",
    { class: "obligation-item", dataset: { index: String(index) } },
    field({ label: t("obligation.item.name", { n: index + 1 }), name: `items[${index}].name`, control: name, required: true }),
    field({ label: t("obligation.item.amount", { n: index + 1 }), name: `items[${index}].amount_vnd`, control: amount, required: true }),
  );
}

/**
 * The task page: while the dossier is in process and the task open, a form to ask for an obligation;
 * while it is due (status 6), the obligation and a cancel button. Null otherwise.
 */
export function obligationPanel(ctx, task, dossier) {
  if (dossier.status === FEES_DUE) return duePanel(ctx, task, dossier);
  if (dossier.status !== IN_PROCESS || task.state !== "open") return null;
  const summary = h("div", { class: "form-errors", tabindex: "-1" });
  const rows = h("div", { class: "obligation-rows" });
  let count = 0;
  const addRow = () => {
    rows.append(itemRow(rows, count));
    count += 1;
  };
  addRow();
  const total = h("output", { id: "obligation-total", "aria-live": "polite" }, formatVnd(0));
  const reason = h("textarea", { name: "reason", rows: "2", maxlength: "2000", required: true });
  const amountOf = () =>
    [...rows.querySelectorAll("input[type=number]")].reduce((sum, input) => sum + (Number.parseInt(input.value, 10) || 0), 0);
  const form = h(
    "form",
    { class: "obligation-form", novalidate: true, hidden: true, "aria-labelledby": "obligation-form-title" },
    h("h3", { id: "obligation-form-title" }, t("obligation.ask")),
    summary,
    rows,
    h("button", { type: "button", class: "btn btn--secondary", onclick: () => addRow() }, t("obligation.add_item")),
    h("p", { class: "obligation-total" }, t("obligation.total"), " ", total),
    field({ label: t("obligation.reason"), name: "reason", control: reason, required: true }),
    h("button", { type: "submit", class: "btn btn--primary" }, t("obligation.send")),
  );
  form.addEventListener("input", () => {
    total.textContent = formatVnd(amountOf());
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form, summary);
    const items = [...rows.querySelectorAll(".obligation-item")].map((row) => ({
      name: row.querySelector("input[type=text]").value.trim(),
      amount_vnd: Number.parseInt(row.querySelector("input[type=number]").value, 10) || 0,
    }));
    const body = { amount_vnd: amountOf(), items, reason: reason.value.trim() };
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      await post(`/tasks/${encode(task.task_id)}/obligation`, body);
      announce(t("obligation.sent"), "success");
      ctx.reload();
    } catch (error) {
      button.disabled = false;
      if (error instanceof ApiError) showErrors(form, summary, { message: error.message, errors: error.fields || [] });
      else announce(t("error.generic"), "error");
    }
  });
  const open = h(
    "button",
    {
      type: "button",
      class: "btn btn--secondary",
      id: "obligation-open",
      "aria-expanded": "false",
      onclick: () => {
        form.hidden = !form.hidden;
        open.setAttribute("aria-expanded", String(!form.hidden));
        if (!form.hidden) form.querySelector("input")?.focus();
      },
    },
    t("obligation.ask"),
  );
  return h("section", { class: "panel obligation-panel", "aria-labelledby": "obligation-heading" }, h("h2", { id: "obligation-heading" }, t("obligation.title")), open, form);
}

function duePanel(ctx, task, dossier) {
  const panel = h("section", { class: "panel obligation-panel", "aria-labelledby": "obligation-heading" }, h("h2", { id: "obligation-heading" }, t("obligation.title")));
  get(`/dossiers/${encode(dossier.code)}/obligation`)
    .then((ob) => {
      const cancel = ob.can_cancel
        ? h(
            "button",
            {
              type: "button",
              class: "btn btn--secondary",
              id: "obligation-cancel",
              onclick: async () => {
                cancel.disabled = true;
                try {
                  await post(`/tasks/${encode(task.task_id)}/obligation/cancel`, {});
                  announce(t("obligation.cancelled"), "success");
                  ctx.reload();
                } catch (error) {
                  cancel.disabled = false;
                  announce(error instanceof ApiError ? error.message : t("error.generic"), "error");
                }
              },
            },
            t("obligation.cancel"),
          )
        : null;
      panel.append(...details(ob), cancel || "");
    })
    .catch(() => {});
  return panel;
}
