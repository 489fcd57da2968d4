// Pieces several views share: the timeline, form answers, attachments, pagination and errors.

import { ApiError } from "../api.js";
import { formatBytes, formatDate, formatDateTime, t, tx } from "../i18n.js";
import { facts, h, notice, statusBadge } from "../dom.js";
import { enumLabel, schemaText } from "../schema-form.js";

export const DOSSIER_CODE_RE = /^\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}-\d{6}-\d{4}$/;

/**
 * A hand-over to an agency of an inter-agency flow: an entry with no action after the filing
 * (the filing is the first entry, also without one).
 */
export function isHandOver(entry, index) {
  return index > 0 && !entry.action;
}

/** The dossier's history, newest last, as a vertical list. */
export function timeline(entries = []) {
  return h(
    "ol",
    { class: "timeline" },
    entries.map((entry, index) => {
      const agency = entry.agency_name || entry.agency;
      const handOver = isHandOver(entry, index);
      return h(
        "li",
        { class: `timeline__item timeline__item--s${entry.status}${handOver ? " timeline__item--handover" : ""}` },
        h("span", { class: "timeline__dot", "aria-hidden": "true" }),
        h("time", { class: "timeline__at", datetime: entry.at }, formatDateTime(entry.at)),
        h(
          "p",
          { class: "timeline__what" },
          statusBadge(entry.status, entry.status_label),
          entry.action ? h("span", { class: "timeline__action" }, actionLabel(entry.action)) : null,
          handOver ? h("strong", { class: "timeline__action" }, t("timeline.handover", { agency })) : null,
        ),
        agency && !handOver ? h("p", { class: "timeline__agency" }, agency) : null,
        entry.reason
          ? h("p", { class: "timeline__reason" }, `${t(entry.action === "supplement" ? "timeline.note" : "dossier.reason")}: ${entry.reason}`)
          : null,
        entry.due_at ? h("p", { class: "timeline__due" }, `${t("dossier.due")}: ${formatDate(entry.due_at)}`) : null,
      );
    }),
  );
}

export function actionLabel(action) {
  const key = `action.${action}`;
  const label = t(key);
  return label === key ? action : label;
}

/** Answers of the application form, labelled with the schema's titles (in the portal's language) when the procedure is known. */
export function answers(form = {}, schema = null) {
  const props = schema?.properties || {};
  const rows = Object.entries(form).map(([name, value]) => [schemaText(props[name], "title") || name, renderValue(value, props[name])]);
  return rows.length ? facts(rows) : h("p", {}, t("none"));
}

function renderValue(value, schema) {
  if (value === true) return t("yes");
  if (value === false) return t("no");
  if (Array.isArray(value)) {
    if (value.every((v) => typeof v !== "object")) return value.map((v) => choice(v, schema?.items)).join(", ");
    const itemProps = schema?.items?.properties || {};
    return h(
      "ol",
      { class: "answers-list" },
      value.map((item) =>
        h(
          "li",
          {},
          Object.entries(item || {})
            .map(([k, v]) => `${schemaText(itemProps[k], "title") || k}: ${choice(v, itemProps[k])}`)
            .join("; "),
        ),
      ),
    );
  }
  if (value && typeof value === "object") return JSON.stringify(value);
  if (schema?.format === "date" && /^\d{4}-\d{2}-\d{2}$/.test(String(value))) {
    const [y, m, d] = String(value).split("-");
    return `${d}/${m}/${y}`;
  }
  if (typeof value === "number") return value.toLocaleString("vi-VN");
  return choice(value, schema);
}

/** An answer picked from an enum, shown with its label; anything else as it is. */
function choice(value, schema) {
  return Array.isArray(schema?.enum) ? enumLabel(schema, value) : String(value ?? "");
}

export function applicantFacts(applicant = {}) {
  return facts([
    [t("applicant.full_name"), applicant.full_name],
    [t("applicant.id_number"), applicant.id_number],
    [t("applicant.phone"), applicant.phone],
    [t("applicant.email"), applicant.email],
    [t("applicant.address"), applicant.address],
  ]);
}

/** Attachments with their download links, named after the procedure's papers when known. */
export function attachmentList(attachments = [], papers = []) {
  if (!attachments.length) return h("p", {}, t("none"));
  const names = Object.fromEntries((papers || []).map((p) => [p.code, tx(p.name)]));
  return h(
    "ul",
    { class: "attachments" },
    attachments.map((a) =>
      h(
        "li",
        { class: "attachment" },
        h("span", { class: "attachment__paper" }, names[a.paper_code] || a.paper_code),
        h(
          "span",
          { class: "attachment__file" },
          a.download_url
            ? h("a", { href: a.download_url, rel: "noopener", download: a.filename }, a.filename, h("span", { class: "visually-hidden" }, ` (${t("dossier.download")})`))
            : a.filename,
          h("span", { class: "attachment__size" }, ` · ${formatBytes(a.size || 0)}`),
        ),
      ),
    ),
  );
}

/** An error in place of a view's content, with the API's own message. */
export function errorBlock(error, retry) {
  const message = error instanceof ApiError || error instanceof Error ? error.message : t("error.generic");
  return notice(message, "error", retry ? [h("button", { type: "button", class: "btn btn--secondary", onclick: retry }, t("retry"))] : []);
}

/**
 * A list fed by a paginated endpoint: fetchPage(token) → {items, next_token}; renderItem(item) → node.
 * The "More" button loads the next page and moves focus to its first new item.
 */
export async function pagedList({ fetchPage, renderItem, empty, listClass = "cards", onCount }) {
  const list = h("ul", { class: listClass });
  const more = h("button", { type: "button", class: "btn btn--secondary more" }, t("more"));
  const status = h("p", { class: "visually-hidden", "aria-live": "polite" });
  const error = h("div");
  const wrapper = h("div", { class: "paged" }, list, error, h("div", { class: "more-wrap" }, more), status);
  let token = null;
  let count = 0;

  async function load(focusNew) {
    more.disabled = true;
    more.setAttribute("aria-busy", "true");
    error.replaceChildren();
    try {
      const page = await fetchPage(token);
      const items = page?.items || [];
      const nodes = items.map((item) => renderItem(item));
      list.append(...nodes);
      count += items.length;
      token = page?.next_token || null;
      more.hidden = !token;
      if (!count) list.replaceWith(h("p", { class: "empty" }, empty));
      onCount?.(count, Boolean(token));
      if (focusNew && nodes[0]) {
        const link = nodes[0].querySelector("a") || nodes[0];
        link.focus();
        status.textContent = `+${items.length}`;
      }
    } catch (e) {
      error.replaceChildren(errorBlock(e, () => load(focusNew)));
      if (!focusNew) throw e;
    } finally {
      more.disabled = false;
      more.removeAttribute("aria-busy");
    }
  }

  more.addEventListener("click", () => load(true));
  more.hidden = true;
  await load(false);
  return wrapper;
}

export function backLink(href, label = t("back")) {
  return h("p", { class: "back" }, h("a", { href, class: "back__link" }, label));
}

/** A dossier status in words when the API gives only its number (the audit trail). */
export function statusLabel(status) {
  if (status === null || status === undefined) return "";
  const key = `status.${status}`;
  const label = t(key);
  return label === key ? String(status) : label;
}

const TIMELINESS_ICON = { early: "✓", on_time: "✓", late: "!", pending: "…" };

/** Sớm hạn / đúng hạn / quá hạn as a badge: an icon and the words, never colour alone. */
export function timelinessBadge(value) {
  const kind = value || "pending";
  return h(
    "span",
    { class: `tl tl--${kind}` },
    h("span", { class: "tl__icon", "aria-hidden": "true" }, TIMELINESS_ICON[kind] || "•"),
    t(`timeliness.${kind}`),
  );
}

/** "3 ngày làm việc" / "3 working days". */
export function daysLabel(n) {
  return n === null || n === undefined ? "" : t("days", { n });
}

/** What a task is: the one-stop desk's, or "Bước 1.2 — name" of a flow. */
export function stepLabel(task) {
  if (task.kind !== "step") return t("kind.reception");
  const where = task.stage != null && task.step != null ? t("kind.step", { stage: task.stage, step: task.step }) : "";
  return [where, task.step_name].filter(Boolean).join(" — ");
}

/** Links to the control slip (Mẫu 05) and, for who may read it (leaders, the owning desk), the audit trail. */
export function dossierLinks(code, { audit = false } = {}) {
  const base = `#/dossiers/${encodeURIComponent(code)}`;
  return h(
    "ul",
    { class: "link-list no-print" },
    h("li", {}, h("a", { href: `${base}/control-slip` }, t("slip.link"))),
    audit ? h("li", {}, h("a", { href: `${base}/audit` }, t("audit.title"))) : null,
  );
}
