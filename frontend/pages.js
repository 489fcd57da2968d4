// Several photos of one paper (the pages of a contract, both sides of an ID card) put together as one
// PDF in the browser: the citizen adds photos page by page (the camera on a phone), sees them in order,
// moves or removes pages, then one PDF is made (photos.js) and uploaded as any other file.

import { t } from "./i18n.js";
import { h, nextId } from "./dom.js";
import { decode, jpegOf, pdfOfPages, thumbnailOf } from "./photos.js";

/**
 *   onReady(file): the PDF made, as a File, to upload
 *   maxPages: the most pages a PDF may have (the province's limit)
 *   label: the paper's name, for the controls' accessible names
 */
export function pagesPanel({ onReady, maxPages = 300, label = "" }) {
  const pages = []; // {name, bitmap, thumb}
  const cameraId = nextId("pages-camera");
  const pickId = nextId("pages-pick");
  const list = h("ol", { class: "pages__list" });
  const status = h("p", { class: "pages__status", role: "status", "aria-live": "polite" });
  const error = h("p", { class: "field__error", hidden: true });
  const make = h("button", { type: "button", class: "btn btn--primary btn--small", hidden: true, onclick: () => combine() });

  const chosen = (input) => async () => {
    const files = [...input.files];
    input.value = "";
    error.hidden = true;
    for (const file of files) {
      if (pages.length >= maxPages) {
        showError(t("pages.max", { n: maxPages }));
        break;
      }
      const bitmap = await decode(file);
      if (!bitmap) {
        // HEIC outside Safari, or not a picture: the browser cannot draw it on a page.
        showError(t("pages.unreadable", { name: file.name }));
        continue;
      }
      pages.push({ name: file.name, bitmap, thumb: thumbnailOf(bitmap) });
    }
    render();
  };
  const camera = h("input", { type: "file", id: cameraId, class: "file-input visually-hidden", accept: "image/*", capture: "environment" });
  const pick = h("input", { type: "file", id: pickId, class: "file-input visually-hidden", accept: "image/jpeg,image/png", multiple: true });
  camera.addEventListener("change", chosen(camera));
  pick.addEventListener("change", chosen(pick));

  function showError(message) {
    error.textContent = message;
    error.hidden = false;
  }

  function move(index, by) {
    const [page] = pages.splice(index, 1);
    pages.splice(index + by, 0, page);
    render();
    status.textContent = t("pages.moved", { name: page.name, n: index + by + 1 });
    list.children[index + by]?.querySelector(by < 0 ? "[data-move=up]" : "[data-move=down]")?.focus();
  }

  function remove(index) {
    const [page] = pages.splice(index, 1);
    page.bitmap.close?.();
    render();
    status.textContent = t("pages.removed", { name: page.name });
    pick.focus();
  }

  function render() {
    list.replaceChildren(
      ...pages.map((page, i) => {
        const n = i + 1;
        const named = (text) => h("span", { class: "visually-hidden" }, ` ${t("pages.page", { n })}`, text ? ` ${text}` : "");
        return h(
          "li",
          { class: "pages__item", dataset: { page: String(n) } },
          h("img", { src: page.thumb, alt: t("pages.thumb", { n }), class: "pages__thumb" }),
          h("span", { class: "pages__name" }, h("strong", {}, t("pages.page", { n })), " ", page.name),
          h(
            "span",
            { class: "pages__actions" },
            h("button", { type: "button", class: "btn btn--small btn--secondary", disabled: i === 0, dataset: { move: "up" }, onclick: () => move(i, -1) }, t("pages.up"), named()),
            h("button", { type: "button", class: "btn btn--small btn--secondary", disabled: i === pages.length - 1, dataset: { move: "down" }, onclick: () => move(i, 1) }, t("pages.down"), named()),
            h("button", { type: "button", class: "btn btn--small btn--link", onclick: () => remove(i) }, t("pages.remove"), named()),
          ),
        );
      }),
    );
    make.hidden = pages.length === 0;
    make.textContent = t("pages.make", { n: pages.length });
  }

  async function combine() {
    make.disabled = true;
    status.textContent = t("pages.making", { n: pages.length });
    try {
      const jpegs = [];
      for (const page of pages) jpegs.push(await jpegOf(page.bitmap));
      const blob = await pdfOfPages(jpegs);
      const name = `${t("pages.filename", { n: pages.length })}.pdf`;
      for (const page of pages) page.bitmap.close?.();
      pages.length = 0;
      render();
      status.textContent = t("pages.made", { name });
      onReady(new File([blob], name, { type: "application/pdf" }));
    } catch (e) {
      showError(t("pages.failed", { error: e.message }));
    } finally {
      make.disabled = false;
    }
  }

  return h(
    "details",
    { class: "pages" },
    h("summary", {}, t("pages.title"), h("span", { class: "visually-hidden" }, ` — ${label}`)),
    h("p", { class: "field__hint" }, t("pages.intro", { n: maxPages })),
    h(
      "div",
      { class: "pages__add" },
      camera,
      h("label", { for: cameraId, class: "btn btn--secondary btn--small" }, t("pages.camera")),
      pick,
      h("label", { for: pickId, class: "btn btn--secondary btn--small" }, t("pages.pick")),
    ),
    error,
    list,
    make,
    status,
  );
}
