// Small DOM helpers: elements built from data (never from HTML strings), messages and field errors.

import { t } from "./i18n.js";

/**
 * h("a", {href: "#/", class: "x", onclick: fn}, "text", child) — attributes set as properties where
 * that is what they are (value, checked, disabled…), children appended as text or nodes.
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") {
      el.addEventListener(name.slice(2), value);
    } else if (name === "class") {
      el.className = value;
    } else if (name === "dataset") {
      Object.assign(el.dataset, value);
    } else if (["value", "checked", "selected", "disabled", "multiple", "hidden"].includes(name)) {
      el[name] = value;
    } else {
      el.setAttribute(name, value === true ? "" : String(value));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

let uid = 0;
export function nextId(prefix = "f") {
  uid += 1;
  return `${prefix}-${uid}`;
}

let announcedAt = 0;

/** Announce a short status to screen readers (and show it) through the page's live region. */
export function announce(message, kind = "info") {
  const region = document.getElementById("status");
  if (!region) return;
  announcedAt = Date.now();
  region.textContent = "";
  region.className = `status status--${kind}`;
  // A fresh text node, a tick later, so that the same message twice is read twice.
  setTimeout(() => {
    region.textContent = message || "";
  }, 30);
}

/** Clear the live region, unless its message was just written for the page that is opening. */
export function clearAnnouncement({ unlessNewerThan = 1500 } = {}) {
  const region = document.getElementById("status");
  if (region && Date.now() - announcedAt > unlessNewerThan) region.textContent = "";
}

/** A message box inside a view. kind: info | success | error | warning. */
export function notice(message, kind = "info", extra = []) {
  return h(
    "div",
    { class: `notice notice--${kind}`, role: kind === "error" ? "alert" : "status" },
    h("p", {}, message),
    extra,
  );
}

export function loading() {
  return h("p", { class: "loading", role: "status" }, h("span", { class: "spinner", "aria-hidden": "true" }), t("loading"));
}

/**
 * A form field: label, optional hint, the control, and an error slot tied to it by aria-describedby.
 * `name` is the API field path (applicant.full_name, form.child_sex …) used to place server errors.
 */
export function field({ label, name, control, hint, required, id }) {
  const controlId = id || control.id || nextId("f");
  control.id = controlId;
  const hintId = `${controlId}-hint`;
  const errorId = `${controlId}-error`;
  const describedBy = [hint ? hintId : null, errorId].filter(Boolean).join(" ");
  control.setAttribute("aria-describedby", describedBy);
  if (required) control.setAttribute("aria-required", "true");
  const isCheckbox = control.type === "checkbox";
  // Once the person changes the field, its old error no longer describes it.
  const clearOwn = () => {
    const box = control.closest(".field");
    if (!box?.classList.contains("field--error")) return;
    box.classList.remove("field--error");
    const slot = box.querySelector(":scope > .field__error");
    if (slot) {
      slot.textContent = "";
      slot.hidden = true;
    }
    control.removeAttribute("aria-invalid");
  };
  control.addEventListener("input", clearOwn);
  control.addEventListener("change", clearOwn);
  // The marker sits beside the label, not in it: the label stays the field's plain name and
  // assistive technology hears "required" from aria-required instead of "star".
  const labelEl = h(
    "div",
    { class: "field__label-row" },
    h("label", { for: controlId, class: "field__label" }, label),
    marker(required),
  );
  return h(
    "div",
    { class: `field${isCheckbox ? " field--check" : ""}`, dataset: { field: name || "" } },
    isCheckbox ? [control, labelEl] : [labelEl],
    hint ? h("p", { class: "field__hint", id: hintId }, hint) : null,
    h("p", { class: "field__error", id: errorId, hidden: true }),
    isCheckbox ? null : control,
  );
}

/** The visible "required" star or "(optional)" note after a label. */
export function marker(required) {
  return required
    ? h("span", { class: "req", "aria-hidden": "true" }, "*")
    : h("span", { class: "opt", "aria-hidden": "true" }, `(${t("optional")})`);
}

/** Show `message` under the field whose data-field is `name`; returns the field element if found. */
export function setFieldError(root, name, message) {
  const box = findField(root, name);
  if (!box) return null;
  box.classList.add("field--error");
  const slot = box.querySelector(":scope > .field__error");
  if (slot) {
    slot.hidden = false;
    slot.textContent = slot.textContent ? `${slot.textContent} ${message}` : message;
  }
  const control = box.querySelector("input, select, textarea");
  if (control) control.setAttribute("aria-invalid", "true");
  return box;
}

function findField(root, name) {
  let candidate = name;
  // "form.residence_history.0.address" may not exist as such: fall back to the closest parent.
  while (candidate) {
    const box = root.querySelector(`[data-field="${CSS.escape(candidate)}"]`);
    if (box) return box;
    const cut = Math.max(candidate.lastIndexOf("."), candidate.lastIndexOf("["));
    candidate = cut > 0 ? candidate.slice(0, cut) : "";
  }
  return null;
}

export function clearFieldErrors(root) {
  for (const box of root.querySelectorAll(".field--error")) box.classList.remove("field--error");
  for (const slot of root.querySelectorAll(".field__error")) {
    slot.textContent = "";
    slot.hidden = true;
  }
  for (const control of root.querySelectorAll("[aria-invalid]")) control.removeAttribute("aria-invalid");
}

/**
 * The error summary at the top of a form (role=alert, focused): the API's message, then one
 * link per field error that jumps to the field.
 */
export function showErrors(form, summarySlot, { message, errors = [] }) {
  clearFieldErrors(form);
  summarySlot.replaceChildren();
  const items = [];
  for (const error of errors) {
    const box = setFieldError(form, error.field, error.message);
    // A field of several boxes (a date) names the one that is wrong.
    const named = error.focus ? form.querySelector(`#${CSS.escape(error.focus)}`) : null;
    const control = named || box?.querySelector("input, select, textarea, button");
    items.push(
      h(
        "li",
        {},
        control
          ? h("a", { href: `#${control.id}`, onclick: (e) => { e.preventDefault(); control.focus(); } }, error.message)
          : error.message,
      ),
    );
  }
  const box = h(
    "div",
    { class: "error-summary", role: "alert", tabindex: "-1" },
    h("h2", { class: "error-summary__title" }, message || t("error.summary")),
    items.length ? h("ul", {}, items) : null,
  );
  summarySlot.append(box);
  box.focus();
}

export function clearErrors(form, summarySlot) {
  clearFieldErrors(form);
  summarySlot.replaceChildren();
}

/** A definition list of [term, value] pairs, skipping empty values. */
export function facts(pairs) {
  return h(
    "dl",
    { class: "facts" },
    pairs
      .filter(([, value]) => value !== undefined && value !== null && value !== "")
      .map(([term, value]) => h("div", { class: "facts__row" }, h("dt", {}, term), h("dd", {}, value))),
  );
}

export function statusBadge(status, label) {
  return h("span", { class: `badge badge--s${status}` }, label);
}
