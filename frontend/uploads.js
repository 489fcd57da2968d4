// Attachments: a file picker per paper. Each chosen file gets an upload slot from the API
// (POST /v1/uploads) and goes straight to the bucket with a multipart POST, showing its progress.

import { ApiError, post } from "./api.js";
import { formatBytes, t, tx } from "./i18n.js";
import { h, marker, nextId } from "./dom.js";

const TYPE_NAMES = { "application/pdf": "PDF", "image/jpeg": "JPG", "image/png": "PNG" };
const EXTENSIONS = { pdf: "application/pdf", jpg: "image/jpeg", jpeg: "image/jpeg", png: "image/png" };
const DEFAULT_TYPES = ["application/pdf", "image/jpeg", "image/png"];

export function typeNames(types) {
  return (types || DEFAULT_TYPES).map((type) => TYPE_NAMES[type] || type).join(", ");
}

function contentTypeOf(file) {
  if (file.type) return file.type === "image/jpg" ? "image/jpeg" : file.type;
  const ext = file.name.split(".").pop().toLowerCase();
  return EXTENSIONS[ext] || "application/octet-stream";
}

/** POST the file to the presigned URL: every policy field first, the file last. */
export function uploadToBucket(slot, file, contentType, onProgress) {
  return new Promise((resolve, reject) => {
    const form = new FormData();
    for (const [key, value] of Object.entries(slot.fields || {})) form.append(key, value);
    if (!("Content-Type" in (slot.fields || {}))) form.append("Content-Type", contentType);
    form.append("file", file, file.name);
    const xhr = new XMLHttpRequest();
    xhr.open("POST", slot.url);
    xhr.upload.addEventListener("progress", (event) => {
      if (event.lengthComputable) onProgress(Math.round((event.loaded / event.total) * 100));
    });
    xhr.addEventListener("load", () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(100);
        resolve();
      } else {
        const code = /<Code>([^<]+)<\/Code>/.exec(xhr.responseText || "")?.[1] || `HTTP ${xhr.status}`;
        reject(new Error(t("upload.s3error", { code })));
      }
    });
    xhr.addEventListener("error", () => reject(new Error(t("error.network"))));
    xhr.addEventListener("abort", () => reject(new Error(t("upload.failed"))));
    xhr.send(form);
  });
}

/**
 * A picker for one paper. Files upload as soon as they are chosen; `refs()` gives the
 * {upload_id, paper_code} of the finished ones, `settled()` waits for those still running.
 *   paper: {code, name, required, content_types, max_files}
 *   fieldName: the data-field that server errors about this paper point at
 */
export function filePicker(paper, { fieldName, required = paper.required, entries = [] } = {}) {
  const types = paper.content_types?.length ? paper.content_types : DEFAULT_TYPES;
  const maxFiles = paper.max_files || 5;
  const inputId = nextId("paper");
  const list = h("ul", { class: "files" });
  const none = h("span", { class: "file-pick__none" }, t("upload.none"));
  const refreshNone = () => {
    none.hidden = entries.length > 0;
  };
  const live = h("p", { class: "visually-hidden", "aria-live": "polite" });
  const errorSlot = h("p", { class: "field__error", id: `${inputId}-error`, hidden: true });
  const input = h("input", {
    type: "file",
    id: inputId,
    class: "file-input visually-hidden",
    accept: types.join(","),
    multiple: maxFiles > 1,
    "aria-describedby": `${inputId}-hint ${inputId}-error`,
    "aria-required": required ? "true" : null,
    dataset: { paper: paper.code },
    onchange: () => {
      for (const file of input.files) add(file);
      input.value = "";
    },
  });
  const element = h(
    "div",
    { class: "field paper", dataset: { field: fieldName } },
    h("div", { class: "field__label-row" }, h("label", { for: inputId, class: "field__label" }, tx(paper.name)), marker(required)),
    h("p", { class: "field__hint", id: `${inputId}-hint` }, t("proc.paper.types", { types: typeNames(types) }), maxFiles > 1 ? ` · ${t("upload.max", { n: maxFiles })}` : ""),
    errorSlot,
    input,
    h(
      "div",
      { class: "file-pick", "aria-hidden": "true" },
      h("span", { class: "btn btn--secondary btn--small file-btn", onclick: () => input.click() }, t("upload.choose")),
      none,
    ),
    list,
    live,
  );

  function setError(message) {
    errorSlot.hidden = !message;
    errorSlot.textContent = message || "";
    element.classList.toggle("field--error", Boolean(message));
  }

  function add(file) {
    setError("");
    const contentType = contentTypeOf(file);
    if (entries.length >= maxFiles) {
      setError(t("v.maxfiles", { n: maxFiles }));
      return;
    }
    if (!types.includes(contentType)) {
      setError(t("v.filetype", { name: file.name, types: typeNames(types) }));
      return;
    }
    if (file.size === 0) {
      setError(t("v.fileempty", { name: file.name }));
      return;
    }
    const entry = { file, contentType, status: "waiting", progress: 0, upload_id: null, error: null };
    entries.push(entry);
    renderEntry(entry);
    start(entry);
  }

  async function start(entry) {
    entry.status = "uploading";
    entry.error = null;
    entry.progress = 0;
    update(entry);
    entry.promise = (async () => {
      try {
        if (!entry.slot || Date.parse(entry.slot.expires_at) < Date.now() + 10_000) {
          entry.slot = await post("/uploads", {
            filename: entry.file.name,
            content_type: entry.contentType,
            size: entry.file.size,
          });
        }
        if (entry.slot.max_bytes && entry.file.size > entry.slot.max_bytes) {
          throw new Error(t("v.filesize", { name: entry.file.name, mb: entry.slot.max_bytes / 1048576 }));
        }
        await uploadToBucket(entry.slot, entry.file, entry.contentType, (p) => {
          entry.progress = p;
          update(entry);
        });
        entry.upload_id = entry.slot.upload_id;
        entry.status = "done";
        live.textContent = `${entry.file.name}: ${t("upload.done")}`;
      } catch (error) {
        entry.status = "failed";
        entry.error = error instanceof ApiError || error instanceof Error ? error.message : String(error);
        entry.slot = error instanceof ApiError ? null : entry.slot;
        live.textContent = `${entry.file.name}: ${t("upload.failed")}. ${entry.error}`;
      }
      update(entry);
    })();
    return entry.promise;
  }

  function renderEntry(entry) {
    const progress = h("progress", { max: "100", value: String(entry.progress), "aria-label": entry.file.name });
    const state = h("span", { class: "file__state" });
    const message = h("p", { class: "file__error", hidden: true });
    const retry = h("button", { type: "button", class: "btn btn--small btn--secondary", hidden: true, onclick: () => start(entry) }, t("upload.retry"));
    const remove = h(
      "button",
      {
        type: "button",
        class: "btn btn--small btn--link",
        onclick: () => {
          entries.splice(entries.indexOf(entry), 1);
          entry.row.remove();
          refreshNone();
          input.focus();
        },
      },
      t("upload.remove"),
      h("span", { class: "visually-hidden" }, ` ${entry.file.name}`),
    );
    entry.row = h(
      "li",
      { class: "file" },
      h("div", { class: "file__head" }, h("span", { class: "file__name" }, entry.file.name), h("span", { class: "file__size" }, formatBytes(entry.file.size))),
      progress,
      h("div", { class: "file__foot" }, state, retry, remove),
      message,
    );
    entry.ui = { progress, state, message, retry };
    list.append(entry.row);
    refreshNone();
    update(entry);
  }

  function update(entry) {
    if (!entry.ui) return;
    const { progress, state, message, retry } = entry.ui;
    progress.value = entry.progress;
    const labels = {
      waiting: t("upload.waiting"),
      uploading: t("upload.progress", { p: entry.progress }),
      done: t("upload.done"),
      failed: t("upload.failed"),
    };
    state.textContent = labels[entry.status];
    state.className = `file__state file__state--${entry.status}`;
    entry.row.dataset.status = entry.status;
    message.hidden = !entry.error;
    message.textContent = entry.error || "";
    retry.hidden = entry.status !== "failed";
  }

  // Entries kept from an earlier render (language switch) are shown again.
  for (const entry of entries) renderEntry(entry);
  refreshNone();

  return {
    element,
    paper,
    entries,
    input,
    setError,
    hasFiles: () => entries.length > 0,
    refs: () => entries.filter((e) => e.status === "done").map((e) => ({ upload_id: e.upload_id, paper_code: paper.code })),
    /** Waits for running uploads; true when every chosen file is uploaded. */
    async settled() {
      await Promise.all(entries.map((e) => e.promise).filter(Boolean));
      return entries.every((e) => e.status === "done");
    },
  };
}
