// A dossier's papers on the task page: each PDF or image previewed in place (a PDF in a frame, an image
// inline, from the API's short-lived preview link to the attachments bucket), its download kept.

import { formatBytes, t, tx } from "../i18n.js";
import { h, nextId } from "../dom.js";

/** The attachments with a "Preview" toggle (a button: keyboard and screen readers) and a download link. */
export function attachmentPreviews(attachments = [], papers = []) {
  if (!attachments.length) return h("p", {}, t("none"));
  const names = Object.fromEntries((papers || []).map((p) => [p.code, tx(p.name)]));
  return h("ul", { class: "attachments previews" }, attachments.map((a) => previewItem(a, names[a.paper_code] || a.paper_code)));
}

function previewItem(a, paper) {
  const slot = h("div", { class: "preview", id: nextId("preview"), hidden: true });
  const toggle = a.preview_url
    ? h("button", { type: "button", class: "btn btn--secondary btn--small preview__toggle", "aria-expanded": "false", "aria-controls": slot.id }, t("work.preview"), h("span", { class: "visually-hidden" }, ` ${a.filename}`))
    : null;
  toggle?.addEventListener("click", () => {
    const open = slot.hidden;
    if (open && !slot.firstChild) slot.append(viewer(a));
    slot.hidden = !open;
    toggle.setAttribute("aria-expanded", String(open));
    toggle.firstChild.textContent = open ? t("work.preview.hide") : t("work.preview");
  });
  return h(
    "li",
    { class: "attachment" },
    h("span", { class: "attachment__paper" }, paper),
    h(
      "span",
      { class: "attachment__file" },
      a.filename,
      h("span", { class: "attachment__size" }, ` · ${formatBytes(a.size || 0)}`),
    ),
    h(
      "span",
      { class: "preview__actions" },
      toggle,
      a.download_url
        ? h("a", { href: a.download_url, rel: "noopener", download: a.filename, class: "btn btn--link btn--small" }, t("work.download"), h("span", { class: "visually-hidden" }, ` ${a.filename}`))
        : null,
    ),
    slot,
  );
}

function viewer(a) {
  const label = t("work.preview.of", { name: a.filename });
  if (a.content_type === "application/pdf") {
    return h("iframe", { src: a.preview_url, title: label, class: "preview__frame", loading: "lazy", referrerpolicy: "no-referrer" });
  }
  return h("img", { src: a.preview_url, alt: label, class: "preview__image", referrerpolicy: "no-referrer" });
}
