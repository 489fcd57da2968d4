// A procedure's application form, rendered from its JSON Schema: one control per property
// (text, number, date, select, checkbox, lists and repeated groups), read back as JSON and checked
// with the same rules the API applies, so most mistakes show before anything is sent.
//
// Bilingual schemas: `title`, `description` and `x-enum-labels` are Vietnamese; an `x-en` object on
// the same node holds the English `title`, `description` and `enum-labels`. English readers get
// `x-en` (falling back to the Vietnamese text where it is missing), everyone else the Vietnamese.

import { dayKey, lang, t } from "./i18n.js";
import { field, h, marker, nextId } from "./dom.js";

/**
 * schema: a JSON Schema of type object; prefix: the API field path ("form");
 * values: answers to show (a draft kept across a language switch).
 * Returns {element, read(), validate(), answers(), parts} — validate() gives [{field, message}],
 * answers() the rows of a "check your answers" list [{field, label, value}], and parts the
 * top-level fields by name ({element, read, validate, answers}) for a form asked in steps.
 */
export function schemaForm(schema, { prefix = "form", values = {} } = {}) {
  const node = objectNode(schema, [prefix], values || {}, { root: true });
  return {
    element: node.element,
    read: () => node.read() ?? {},
    validate: () => node.validate(),
    answers: () => node.answers(),
    parts: node.parts,
  };
}

/** The node's `title` or `description` in the current language. */
export function schemaText(schema, key) {
  if (!schema) return "";
  if (lang() === "en") {
    const en = schema["x-en"]?.[key];
    if (typeof en === "string" && en.trim()) return en;
  }
  return schema[key] || "";
}

function labelOf(schema, name) {
  return schemaText(schema, "title") || humanize(name);
}

function hintOf(schema) {
  return schemaText(schema, "description") || null;
}

/** What a person reads for one enum value: its label in the current language, else the value. */
export function enumLabel(schema, option) {
  const values = schema?.enum;
  const i = Array.isArray(values) ? values.indexOf(option) : -1;
  if (i < 0) return String(option ?? "");
  const fits = (labels) => (Array.isArray(labels) && labels.length === values.length && labels[i] ? labels[i] : null);
  const en = lang() === "en" ? fits(schema["x-en"]?.["enum-labels"]) : null;
  return String(en ?? fits(schema["x-enum-labels"]) ?? option);
}

function humanize(name) {
  const text = String(name).replace(/_/g, " ");
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function node(schema, path, value, required) {
  const type = Array.isArray(schema.type) ? schema.type.find((x) => x !== "null") : schema.type;
  if (type === "object" || schema.properties) return objectNode(schema, path, value || {}, { required });
  if (type === "array") return arrayNode(schema, path, value, required);
  if (type === "boolean") return booleanNode(schema, path, value, required);
  if (type === "integer" || type === "number") return numberNode(schema, path, value, required, type);
  return stringNode(schema, path, value, required);
}

function objectNode(schema, path, values, { root = false, required = false } = {}) {
  const requiredNames = new Set(schema.required || []);
  const children = Object.entries(schema.properties || {}).map(([name, prop]) => ({
    name,
    child: node(prop, [...path, name], values?.[name], requiredNames.has(name)),
  }));
  const body = children.map(({ child }) => child.element);
  const element = root
    ? h("div", { class: "schema-form" }, body)
    : h(
        "fieldset",
        { class: "fieldset fieldset--nested", dataset: { field: path.join(".") } },
        h("legend", {}, labelOf(schema, path[path.length - 1])),
        hintOf(schema) ? h("p", { class: "field__hint" }, hintOf(schema)) : null,
        h("p", { class: "field__error", hidden: true }),
        body,
      );
  return {
    element,
    parts: new Map(children.map(({ name, child }) => [name, child])),
    read() {
      const out = {};
      for (const { name, child } of children) {
        const v = child.read();
        if (v !== undefined) out[name] = v;
      }
      return root || required || Object.keys(out).length ? out : undefined;
    },
    validate() {
      return children.flatMap(({ child }) => child.validate());
    },
    answers() {
      return children.flatMap(({ child }) => child.answers());
    },
  };
}

/** One row of the "check your answers" list. */
function answer(name, label, value) {
  const empty = value === undefined || value === null || value === "" || (Array.isArray(value) && !value.length);
  return [{ field: name, label, value: empty ? t("check.empty") : value }];
}

function stringNode(schema, path, value, required) {
  if (schema.format === "date" && !Array.isArray(schema.enum)) return dateNode(schema, path, value, required);
  const name = path.join(".");
  const label = labelOf(schema, path[path.length - 1]);
  let control;
  if (Array.isArray(schema.enum)) {
    control = h(
      "select",
      { name },
      h("option", { value: "" }, t("choose")),
      schema.enum.map((option) => h("option", { value: String(option), selected: value === option }, enumLabel(schema, option))),
    );
  } else if ((schema.maxLength || 0) > 200 && !schema.format) {
    control = h("textarea", { name, rows: "3", maxlength: schema.maxLength, value: value ?? "" });
  } else {
    const type = { date: "date", email: "email", "date-time": "datetime-local", uri: "url" }[schema.format] || "text";
    control = h("input", {
      type,
      name,
      value: value ?? "",
      maxlength: schema.maxLength,
      autocomplete: "off",
      inputmode: schema.format === "email" ? "email" : null,
    });
  }
  const element = field({ label, name, control, hint: hintOf(schema), required });
  return {
    element,
    read() {
      const v = control.value.trim();
      return v === "" ? undefined : v;
    },
    validate() {
      const v = control.value.trim();
      const message = checkString(v, schema, label, required, Boolean(schema.enum));
      return message ? [{ field: name, message }] : [];
    },
    answers() {
      const v = control.value.trim();
      return answer(name, label, Array.isArray(schema.enum) && v ? enumLabel(schema, v) : v);
    },
  };
}

/**
 * A date as three boxes, day / month / year (the GOV.UK pattern): a phone's date picker shows
 * month/day/year to some and a hint year-month-day to others, while people here write 27/3/2024.
 * Read back as an ISO date (YYYY-MM-DD), as the API wants. `x-when: past | future` on the schema
 * refuses a day after (before) today, in Vietnam.
 */
function dateNode(schema, path, value, required) {
  const name = path.join(".");
  const label = labelOf(schema, path[path.length - 1]);
  const [year, month, day] = /^\d{4}-\d{2}-\d{2}$/.test(value || "") ? value.split("-") : ["", "", ""];
  const id = nextId("date");
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const box = (key, text, v, size) => {
    const input = h("input", {
      type: "text",
      id: `${id}-${key}`,
      name: `${name}.${key}`,
      class: `date-input__input date-input__input--${size}`,
      inputmode: "numeric",
      maxlength: String(size),
      autocomplete: "off",
      value: v ? String(Number(v)) : "",
      "aria-describedby": `${hintId} ${errorId}`,
      "aria-required": required ? "true" : null,
    });
    return { input, el: h("div", { class: "date-input__item" }, h("label", { for: input.id, class: "date-input__label" }, text), input) };
  };
  const parts = { day: box("day", t("date.day"), day, 2), month: box("month", t("date.month"), month, 2), year: box("year", t("date.year"), year, 4) };
  const hint = [hintOf(schema), t("date.example", { example: exampleDate(schema["x-when"]) })].filter(Boolean).join(" ");
  const element = h(
    "fieldset",
    { class: "field date-field", dataset: { field: name }, role: "group", "aria-describedby": `${hintId} ${errorId}` },
    h("legend", { class: "field__label-row" }, h("span", { class: "field__label" }, label), marker(required)),
    h("p", { class: "field__hint", id: hintId }, hint),
    h("p", { class: "field__error", id: errorId, hidden: true }),
    h("div", { class: "date-input" }, parts.day.el, parts.month.el, parts.year.el),
  );
  // Once the person types again, the old error no longer describes the date.
  element.addEventListener("input", () => {
    if (!element.classList.contains("field--error")) return;
    element.classList.remove("field--error");
    const slot = element.querySelector(":scope > .field__error");
    slot.textContent = "";
    slot.hidden = true;
    for (const { input } of Object.values(parts)) input.removeAttribute("aria-invalid");
  });
  const raw = () => ({ day: parts.day.input.value.trim(), month: parts.month.input.value.trim(), year: parts.year.input.value.trim() });
  return {
    element,
    read() {
      const checked = checkDate(raw(), schema, label, required);
      return checked.iso;
    },
    validate() {
      const { message, bad } = checkDate(raw(), schema, label, required);
      if (!message) return [];
      // The summary's link lands on the first box that is wrong.
      const first = parts[bad?.[0] || "day"].input;
      return [{ field: name, message, focus: first.id, invalid: (bad || ["day", "month", "year"]).map((k) => parts[k].input.id) }];
    },
    answers() {
      const { iso } = checkDate(raw(), schema, label, false);
      return answer(name, label, iso ? displayDate(iso) : "");
    },
  };
}

/** dd/mm/yyyy of an ISO date, as people here write it. */
export function displayDate(iso) {
  const [y, m, d] = iso.split("-");
  return `${d}/${m}/${y}`;
}

function exampleDate(when) {
  const today = new Date();
  const shift = when === "future" ? 30 : when === "past" ? -400 : 0;
  const [y, m, d] = dayKey(new Date(today.getTime() + shift * 86_400_000)).split("-");
  return `${Number(d)} ${Number(m)} ${y}`;
}

/**
 * {day, month, year} as typed → {iso} for a real date, else {message, bad: the boxes to mark}.
 * Empty and not required: no date and no message.
 */
export function checkDate({ day, month, year }, schema, label, required) {
  const missing = [["day", day], ["month", month], ["year", year]].filter(([, v]) => v === "").map(([k]) => k);
  if (missing.length === 3) return required ? { message: t("v.required", { label }), bad: ["day"] } : {};
  if (missing.length) return { message: t("date.missing", { label, parts: missing.map((k) => t(`date.${k}.word`)).join(t("date.and")) }), bad: missing };
  const notNumbers = [["day", day], ["month", month], ["year", year]].filter(([, v]) => !/^\d+$/.test(v)).map(([k]) => k);
  if (notNumbers.length) return { message: t("date.real", { label }), bad: notNumbers };
  if (year.length !== 4) return { message: t("date.year4", { label }), bad: ["year"] };
  const [d, m, y] = [Number(day), Number(month), Number(year)];
  const probe = new Date(Date.UTC(y, m - 1, d));
  if (m < 1 || m > 12 || d < 1 || probe.getUTCFullYear() !== y || probe.getUTCMonth() !== m - 1 || probe.getUTCDate() !== d)
    return { message: t("date.real", { label }), bad: m < 1 || m > 12 ? ["month"] : ["day"] };
  const iso = `${String(y).padStart(4, "0")}-${String(m).padStart(2, "0")}-${String(d).padStart(2, "0")}`;
  const today = dayKey(new Date());
  if (schema?.["x-when"] === "past" && iso > today) return { message: t("date.past", { label }), bad: ["day", "month", "year"] };
  if (schema?.["x-when"] === "future" && iso < today) return { message: t("date.future", { label }), bad: ["day", "month", "year"] };
  return { iso };
}

function checkString(v, schema, label, required, isChoice) {
  if (v === "") return required ? t(isChoice ? "v.choose" : "v.required", { label }) : null;
  const length = [...v].length;
  if (schema.minLength && length < schema.minLength) return t("v.minLength", { label, n: schema.minLength });
  if (schema.maxLength && length > schema.maxLength) return t("v.maxLength", { label, n: schema.maxLength });
  if (schema.pattern && !safeTest(schema.pattern, v)) return t("v.pattern", { label });
  if (schema.format === "email" && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(v)) return t("v.email");
  if (schema.format === "date" && !/^\d{4}-\d{2}-\d{2}$/.test(v)) return t("v.pattern", { label });
  if (Array.isArray(schema.enum) && !schema.enum.map(String).includes(v)) return t("v.choose", { label });
  return null;
}

function safeTest(pattern, value) {
  try {
    return new RegExp(pattern, "u").test(value);
  } catch {
    return true; // a pattern the browser cannot read is left to the API
  }
}

function parseNumber(raw, integer) {
  let s = raw.replace(/\s/g, "");
  if (s === "") return undefined;
  if (integer) s = s.replace(/[.,](?=\d{3}(\D|$))/g, "");
  else if (/^-?\d{1,3}(\.\d{3})+(,\d+)?$/.test(s)) s = s.replace(/\./g, "").replace(",", ".");
  else s = s.replace(",", ".");
  if (!/^-?\d+(\.\d+)?$/.test(s)) return NaN;
  return Number(s);
}

function numberNode(schema, path, value, required, type) {
  const name = path.join(".");
  const label = labelOf(schema, path[path.length - 1]);
  const integer = type === "integer";
  const control = h("input", {
    type: "text",
    name,
    inputmode: integer ? "numeric" : "decimal",
    value: value ?? "",
    autocomplete: "off",
  });
  const element = field({ label, name, control, hint: hintOf(schema), required });
  return {
    element,
    read() {
      const n = parseNumber(control.value, integer);
      return n === undefined || Number.isNaN(n) ? undefined : n;
    },
    validate() {
      const n = parseNumber(control.value, integer);
      const message = checkNumber(n, schema, label, required, integer);
      return message ? [{ field: name, message }] : [];
    },
    answers() {
      const n = parseNumber(control.value, integer);
      return answer(name, label, n === undefined || Number.isNaN(n) ? control.value.trim() : n.toLocaleString(lang() === "en" ? "en-GB" : "vi-VN"));
    },
  };
}

function checkNumber(n, schema, label, required, integer) {
  if (n === undefined) return required ? t("v.required", { label }) : null;
  if (Number.isNaN(n)) return t("v.number", { label });
  if (integer && !Number.isInteger(n)) return t("v.integer", { label });
  const fmt = (x) => x.toLocaleString("vi-VN");
  if (schema.minimum !== undefined && n < schema.minimum) return t("v.minimum", { label, n: fmt(schema.minimum) });
  if (schema.maximum !== undefined && n > schema.maximum) return t("v.maximum", { label, n: fmt(schema.maximum) });
  if (schema.exclusiveMinimum !== undefined && n <= schema.exclusiveMinimum)
    return t("v.exclusiveMinimum", { label, n: fmt(schema.exclusiveMinimum) });
  if (schema.exclusiveMaximum !== undefined && n >= schema.exclusiveMaximum)
    return t("v.maximum", { label, n: fmt(schema.exclusiveMaximum) });
  return null;
}

function booleanNode(schema, path, value, required) {
  const name = path.join(".");
  const control = h("input", { type: "checkbox", name, checked: value === true });
  const element = field({ label: labelOf(schema, path[path.length - 1]), name, control, hint: hintOf(schema), required: false });
  return {
    element,
    read: () => control.checked,
    validate: () => [],
    answers: () => answer(name, labelOf(schema, path[path.length - 1]), control.checked ? t("yes") : t("no")),
  };
}

function arrayNode(schema, path, value, required) {
  const items = schema.items || { type: "string" };
  if (items.type === "object" || items.properties) return groupNode(schema, path, value, required);
  if (Array.isArray(items.enum)) return choicesNode(schema, path, value, required);
  return listNode(schema, path, value, required);
}

/** A list of simple values, typed one per line or separated by commas. */
function listNode(schema, path, value, required) {
  const name = path.join(".");
  const label = labelOf(schema, path[path.length - 1]);
  const items = schema.items || { type: "string" };
  const numeric = items.type === "integer" || items.type === "number";
  const control = h("textarea", { name, rows: "3", value: Array.isArray(value) ? value.join("\n") : "" });
  const hint = [hintOf(schema), t("array.hint")].filter(Boolean).join(" ");
  const element = field({ label, name, control, hint, required: required || (schema.minItems || 0) > 0 });
  const parts = () =>
    control.value
      .split(/[\n,;]+/)
      .map((s) => s.trim())
      .filter(Boolean);
  return {
    element,
    read() {
      const list = parts().map((s) => (numeric ? parseNumber(s, items.type === "integer") : s));
      return list.length ? list : undefined;
    },
    validate() {
      const list = parts();
      const errors = [];
      if (list.length === 0) {
        if (required || schema.minItems) errors.push({ field: name, message: t("v.required", { label }) });
        return errors;
      }
      if (schema.minItems && list.length < schema.minItems) errors.push({ field: name, message: t("v.minItems", { label, n: schema.minItems }) });
      for (const item of list) {
        const message = numeric
          ? checkNumber(parseNumber(item, items.type === "integer"), items, `“${item}”`, true, items.type === "integer")
          : checkString(item, items, `“${item}”`, true, false);
        if (message) errors.push({ field: name, message });
      }
      return errors;
    },
    answers: () => answer(name, label, parts().join(", ")),
  };
}

/** An array of choices from an enum: a group of checkboxes. */
function choicesNode(schema, path, value, required) {
  const name = path.join(".");
  const label = labelOf(schema, path[path.length - 1]);
  const chosen = new Set(Array.isArray(value) ? value : []);
  const boxes = schema.items.enum.map((option) => {
    const id = nextId("opt");
    const input = h("input", { type: "checkbox", id, name, value: String(option), checked: chosen.has(option) });
    return { option, input, el: h("div", { class: "check" }, input, h("label", { for: id }, enumLabel(schema.items, option))) };
  });
  const errorId = nextId("err");
  const element = h(
    "fieldset",
    { class: "fieldset field", dataset: { field: name }, "aria-describedby": errorId },
    h("legend", { class: "field__label" }, label, required ? h("span", { class: "req", "aria-hidden": "true" }, " *") : null),
    hintOf(schema) ? h("p", { class: "field__hint" }, hintOf(schema)) : null,
    h("p", { class: "field__error", id: errorId, hidden: true }),
    boxes.map((b) => b.el),
  );
  return {
    element,
    read() {
      const list = boxes.filter((b) => b.input.checked).map((b) => b.option);
      return list.length ? list : undefined;
    },
    validate() {
      const n = boxes.filter((b) => b.input.checked).length;
      if ((required || schema.minItems) && n < Math.max(1, schema.minItems || 0))
        return [{ field: name, message: t("v.choose", { label }) }];
      return [];
    },
    answers: () => answer(name, label, boxes.filter((b) => b.input.checked).map((b) => enumLabel(schema.items, b.option)).join(", ")),
  };
}

/** An array of objects: a group of fields repeated, with rows added and removed. */
function groupNode(schema, path, value, required) {
  const name = path.join(".");
  const label = labelOf(schema, path[path.length - 1]);
  const rows = [];
  const list = h("div", { class: "group__rows" });
  const addButton = h("button", { type: "button", class: "btn btn--secondary btn--small", onclick: () => addRow({}, true) }, t("array.add"));
  const element = h(
    "fieldset",
    { class: "fieldset group", dataset: { field: name } },
    h("legend", { class: "field__label" }, label, required ? h("span", { class: "req", "aria-hidden": "true" }, " *") : null),
    hintOf(schema) ? h("p", { class: "field__hint" }, hintOf(schema)) : null,
    h("p", { class: "field__error", hidden: true }),
    list,
    addButton,
  );

  function renumber() {
    rows.forEach((row, i) => {
      row.title.textContent = t("array.item", { n: i + 1 });
      row.remove.textContent = t("array.remove", { n: i + 1 });
      row.remove.hidden = rows.length <= (schema.minItems || (required ? 1 : 0));
    });
    addButton.hidden = schema.maxItems !== undefined && rows.length >= schema.maxItems;
  }

  function addRow(values, focus = false) {
    // Row paths are fixed when built; read() and validate() use the row's current position.
    const row = {};
    row.build = (index) => objectNode(schema.items, [...path, String(index)], values, { required: true });
    row.node = row.build(rows.length);
    row.title = h("h3", { class: "group__title" });
    row.remove = h("button", {
      type: "button",
      class: "btn btn--link btn--small",
      onclick: () => {
        rows.splice(rows.indexOf(row), 1);
        row.el.remove();
        renumber();
        addButton.focus();
      },
    });
    row.el = h("div", { class: "group__row" }, h("div", { class: "group__head" }, row.title, row.remove), row.node.element);
    rows.push(row);
    list.append(row.el);
    renumber();
    if (focus) row.el.querySelector("input, select, textarea")?.focus();
  }

  const initial = Array.isArray(value) && value.length ? value : Array.from({ length: Math.max(schema.minItems || 0, required ? 1 : 0) }, () => ({}));
  for (const v of initial) addRow(v);

  const relabel = () => {
    // Keep data-field paths in step with positions so server errors land on the right row.
    rows.forEach((row, i) => {
      for (const box of row.el.querySelectorAll("[data-field]")) {
        box.dataset.field = box.dataset.field.replace(new RegExp(`^${escapeRe(name)}\\.\\d+`), `${name}.${i}`);
      }
    });
  };

  return {
    element,
    read() {
      relabel();
      const out = rows.map((row) => row.node.read()).filter((v) => v && Object.keys(v).length);
      return out.length ? out : undefined;
    },
    validate() {
      relabel();
      const errors = rows.flatMap((row, i) =>
        row.node.validate().map((e) => ({ ...e, field: e.field.replace(new RegExp(`^${escapeRe(name)}\\.\\d+`), `${name}.${i}`) })),
      );
      if ((required || schema.minItems) && rows.length < Math.max(1, schema.minItems || 0))
        errors.push({ field: name, message: t("v.minItems", { label, n: Math.max(1, schema.minItems || 0) }) });
      return errors;
    },
    answers() {
      // One line per row: "Mục 1: Từ năm 2010; Nơi cư trú …".
      const lines = rows.map((row, i) => {
        const said = row.node.answers().filter((a) => a.value !== t("check.empty"));
        return `${t("array.item", { n: i + 1 })}: ${said.map((a) => `${a.label} ${a.value}`).join("; ")}`;
      });
      return answer(name, label, lines);
    },
  };
}

function escapeRe(s) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
