// A dossier's documents as PDFs (Mẫu 01–05 and the signed result): the list, and a download button
// that fetches each with the session's token (a plain link could not carry it) and saves it.

import { ApiError, encode, get, getBlob } from "../api.js";
import { t } from "../i18n.js";
import { h, loading } from "../dom.js";
import { errorBlock } from "./common.js";

// Blob URLs made for the documents on screen; released when another list or page makes new ones.
const liveUrls = new Set();

function releaseUrls() {
  for (const url of liveUrls) URL.revokeObjectURL(url);
  liveUrls.clear();
}

/** A signed result of the dossier (result-1, …), as opposed to one of the forms. */
export function isResult(doc) {
  return Boolean(doc?.result_code) || /^result-\d+$/.test(doc?.name || "");
}

/** The PDF behind an API href, checked to be one: {blob, filename}. */
export async function fetchPdf(href, fallbackName) {
  const { blob, filename } = await getBlob(href);
  const head = new Uint8Array(await blob.slice(0, 5).arrayBuffer());
  if (String.fromCharCode(...head) !== "%PDF-") {
    throw new ApiError({ status: 200, code: "not_a_pdf", message: t("doc.notpdf") });
  }
  const pdf = blob.type === "application/pdf" ? blob : new Blob([blob], { type: "application/pdf" });
  return { blob: pdf, filename: filename || fallbackName || "document.pdf" };
}

/** Save a blob under `filename` (the browser's download), and give back its URL to open it too. */
export function saveBlob(blob, filename) {
  const url = URL.createObjectURL(blob);
  liveUrls.add(url);
  const link = h("a", { href: url, download: filename, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  return url;
}

/**
 * "Tải về": fetch the PDF, save it under its name, then show "Xem" (opens it in a new tab, from the
 * person's own tap so that no pop-up blocker stands in the way).
 *   resolve(): {href, filename} — may call the API first (the receipt page looks its href up)
 */
export function pdfButton({ label, detail = "", resolve, primary = false }) {
  const button = h(
    "button",
    { type: "button", class: `btn ${primary ? "btn--primary" : "btn--secondary btn--small"}` },
    label,
    detail ? h("span", { class: "visually-hidden" }, ` ${detail}`) : null,
  );
  const open = h("a", { class: "btn btn--link btn--small", target: "_blank", rel: "noopener", hidden: true }, t("doc.open"), detail ? h("span", { class: "visually-hidden" }, ` ${detail}`) : null);
  const error = h("p", { class: "doc-error", role: "alert", hidden: true });
  const live = h("p", { class: "visually-hidden", "aria-live": "polite" });
  button.addEventListener("click", async () => {
    if (button.disabled) return;
    button.disabled = true;
    button.setAttribute("aria-busy", "true");
    error.hidden = true;
    error.textContent = "";
    live.textContent = t("doc.fetching");
    try {
      const { href, filename } = await resolve();
      const pdf = await fetchPdf(href, filename);
      open.href = saveBlob(pdf.blob, filename || pdf.filename);
      open.hidden = false;
      live.textContent = t("doc.saved", { name: filename || pdf.filename });
    } catch (e) {
      live.textContent = "";
      error.textContent = e instanceof Error ? e.message : t("error.generic");
      error.hidden = false;
    } finally {
      button.disabled = false;
      button.removeAttribute("aria-busy");
    }
  });
  return h("div", { class: "doc-actions" }, h("div", { class: "doc-actions__row" }, button, open), error, live);
}

/** "Kết quả đã ký số — kiểm tra tại trang Xác minh", the link in the sentence. */
export function verifyNote(resultCode) {
  const href = resultCode ? `#/verify?code=${encodeURIComponent(resultCode)}` : "#/verify";
  const [before, after = ""] = t("doc.signed", { link: "\u0000" }).split("\u0000");
  return h("p", { class: "doc__signed" }, h("span", { class: "doc__seal", "aria-hidden": "true" }, "✓"), before, h("a", { href }, t("doc.signed.link")), after);
}

/** A title printed in capitals on the form ("GIẤY TIẾP NHẬN…"), in sentence case for the screen. */
export function sentenceCase(text) {
  const value = String(text || "");
  if (!value || value !== value.toLocaleUpperCase("vi") || value === value.toLocaleLowerCase("vi")) return value;
  const lower = value.toLocaleLowerCase("vi");
  return lower.charAt(0).toLocaleUpperCase("vi") + lower.slice(1);
}

function documentItem(doc) {
  const result = isResult(doc);
  const title = sentenceCase(doc.title) || doc.name;
  const form = result ? t("doc.result", { n: doc.number || 1 }) : [doc.form, doc.number > 1 ? t("doc.number", { n: doc.number }) : null].filter(Boolean).join(" · ");
  // The button is named after the form ("Tải về Mẫu 01") or the result's code: short, and distinct.
  const detail = (result ? doc.result_code : form) || title;
  return h(
    "li",
    { class: `doc${result ? " doc--result" : ""}`, dataset: { name: doc.name || "" } },
    h("p", { class: "doc__form" }, form),
    h("h3", { class: "doc__title" }, title),
    result && doc.result_code ? h("p", { class: "doc__code" }, `${t("doc.result_code")}: `, h("strong", { class: "code" }, doc.result_code)) : null,
    doc.filename ? h("p", { class: "doc__file" }, doc.filename) : null,
    result ? verifyNote(doc.result_code) : null,
    pdfButton({ label: t("doc.download"), detail, resolve: async () => ({ href: doc.href, filename: doc.filename }) }),
  );
}

/**
 * The "Giấy tờ" panel of a dossier: loads its list by itself (the page does not wait for it) and
 * `refresh()` loads it again (after a result is issued).
 */
export function documentsSection(code) {
  const body = h("div", { class: "docs__body", "aria-busy": "true" }, loading());
  const section = h(
    "section",
    { class: "panel docs", id: "documents", "aria-labelledby": "documents-title" },
    h("h2", { id: "documents-title" }, t("doc.title")),
    h("p", { class: "muted docs__intro" }, t("doc.intro")),
    body,
  );
  async function refresh() {
    releaseUrls();
    body.setAttribute("aria-busy", "true");
    try {
      const data = await get(`/dossiers/${encode(code)}/documents`);
      const items = data?.items || [];
      // The signed results first: they are what the applicant came for.
      const ordered = [...items.filter(isResult), ...items.filter((d) => !isResult(d))];
      body.replaceChildren(ordered.length ? h("ul", { class: "docs__list" }, ordered.map(documentItem)) : h("p", { class: "empty" }, t("doc.empty")));
    } catch (error) {
      body.replaceChildren(errorBlock(error, refresh));
    } finally {
      body.removeAttribute("aria-busy");
    }
  }
  refresh();
  return { element: section, refresh };
}

/** The receipt's entry in the dossier's documents (Mẫu 01): {href, filename}; an error if not there yet. */
export async function receiptDocument(code) {
  const data = await get(`/dossiers/${encode(code)}/documents`);
  const receipt = (data?.items || []).find((d) => d.name === "receipt");
  if (!receipt) throw new ApiError({ status: 404, code: "document_not_found", message: t("doc.receipt.pending") });
  return { href: receipt.href, filename: receipt.filename };
}
