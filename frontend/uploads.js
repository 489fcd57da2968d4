// Attachments: a file picker per paper. Each chosen file gets an upload slot from the API
// (POST /v1/uploads) and goes straight to the bucket with a multipart POST, showing its progress.
// Made for a phone on a weak network: a photo is made lighter first (photos.js), an upload that makes
// no progress for STALL_MS is stopped and tried again after a wait (a new slot when the old one is about
// to expire), and only what another try can cure is tried again. The limits are said before choosing.

import { ApiError, post } from "./api.js";
import { formatBytes, t, tx } from "./i18n.js";
import { h, marker, nextId } from "./dom.js";
import { downscale } from "./photos.js";
import { pagesPanel } from "./pages.js";

const HEIC = "image/heic";
const TYPE_NAMES = { "application/pdf": "PDF", "image/jpeg": "JPG", "image/png": "PNG" };
const EXTENSIONS = { pdf: "application/pdf", jpg: "image/jpeg", jpeg: "image/jpeg", png: "image/png", heic: HEIC, heif: HEIC };
const DEFAULT_TYPES = ["application/pdf", "image/jpeg", "image/png"];
// No byte acknowledged for this long: the connection is stuck, not slow (3G sends 64 KB in a second).
export const STALL_MS = 20_000;
// The waits before each automatic try after the first (a little jitter is added); then a button.
export const RETRY_WAITS_MS = [2_000, 5_000, 10_000];
// A slot this close to its expiry is not used for a new try: another is asked for.
const SLOT_MARGIN_MS = 60_000;

/** The types a paper takes, as people know them; an iPhone photo (HEIC) wherever a JPEG is taken. */
export function typeNames(types) {
  const list = types || DEFAULT_TYPES;
  const names = list.map((type) => TYPE_NAMES[type] || type);
  if (list.includes("image/jpeg")) names.push(t("upload.heic"));
  return names.join(", ");
}

function accepted(types) {
  return types.includes("image/jpeg") ? [...types, HEIC] : types;
}

function contentTypeOf(file) {
  const declared = { "image/jpg": "image/jpeg", "image/heif": HEIC }[file.type] || file.type;
  if (declared) return declared;
  const ext = file.name.split(".").pop().toLowerCase();
  return EXTENSIONS[ext] || "application/octet-stream";
}

/** Why an upload failed, and whether another try can cure it (`retry`) and what to do instead (`advice`). */
export class UploadError extends Error {
  constructor(message, { retry = false, advice = "" } = {}) {
    super(message);
    this.retry = retry;
    this.advice = advice;
  }
}

// What the bucket answers that no new try can cure: the file itself is refused.
const REFUSED_BY_BUCKET = new Set(["EntityTooLarge", "EntityTooSmall", "InvalidArgument"]);

/**
 * POST the file to the presigned URL: every policy field first, the file last. Rejects with an
 * UploadError: `upload.stalled` when nothing moved for `stallMs` (the request is aborted).
 */
export function uploadToBucket(slot, file, contentType, onProgress, { stallMs = STALL_MS } = {}) {
  return new Promise((resolve, reject) => {
    const form = new FormData();
    for (const [key, value] of Object.entries(slot.fields || {})) form.append(key, value);
    if (!("Content-Type" in (slot.fields || {}))) form.append("Content-Type", contentType);
    form.append("file", file, file.name);
    const xhr = new XMLHttpRequest();
    let moved = Date.now();
    let over = false;
    const finish = (error) => {
      if (over) return;
      over = true;
      clearInterval(watch);
      if (error) reject(error);
      else resolve();
    };
    // Progress-aware: a slow upload that keeps moving is never cut, a stuck one is, after stallMs.
    const watch = setInterval(() => {
      if (Date.now() - moved < stallMs) return;
      finish(new UploadError(t("upload.stalled", { s: Math.round(stallMs / 1000) }), { retry: true }));
      xhr.abort();
    }, 1000);
    xhr.open("POST", slot.url);
    xhr.upload.addEventListener("progress", (event) => {
      moved = Date.now();
      if (event.lengthComputable) onProgress(Math.min(99, Math.round((event.loaded / event.total) * 100)));
    });
    xhr.addEventListener("readystatechange", () => {
      moved = Date.now();
    });
    xhr.addEventListener("load", () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(100);
        finish();
        return;
      }
      const code = /<Code>([^<]+)<\/Code>/.exec(xhr.responseText || "")?.[1] || `HTTP ${xhr.status}`;
      const refused = REFUSED_BY_BUCKET.has(code);
      // AccessDenied: the slot's policy expired on the way (a new slot cures it); 5xx, 429: the bucket.
      finish(new UploadError(t("upload.s3error", { code }), { retry: !refused, advice: refused ? t("upload.advice.again") : "" }));
    });
    xhr.addEventListener("error", () => finish(new UploadError(t("error.network"), { retry: true })));
    xhr.addEventListener("abort", () => finish(new UploadError(t("upload.failed"), { retry: true })));
    xhr.send(form);
  });
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** The text that says, before a file is chosen, what it may be: types, size, pages, how many. */
export function limitsText(types, { limits, maxFiles } = {}) {
  const parts = [t("proc.paper.types", { types: typeNames(types) })];
  if (limits?.max_bytes) parts.push(t("upload.limit.size", { mb: Math.round((limits.max_bytes / 1048576) * 10) / 10 }));
  if (limits?.max_pages && types.includes("application/pdf")) parts.push(t("upload.limit.pages", { n: limits.max_pages }));
  if (maxFiles > 1) parts.push(t("upload.max", { n: maxFiles }));
  return parts.join(" · ");
}

/**
 * A picker for one paper. Files upload as soon as they are chosen; `refs()` gives the
 * {upload_id, paper_code} of the finished ones, `settled()` waits for those still running.
 *   paper: {code, name, required, content_types, max_files}
 *   fieldName: the data-field that server errors about this paper point at
 *   limits: {max_bytes, max_pages} of the province (the procedure's upload_limits), said up front
 */
export function filePicker(paper, { fieldName, required = paper.required, entries = [], limits = null } = {}) {
  const types = accepted(paper.content_types?.length ? paper.content_types : DEFAULT_TYPES);
  const photos = types.includes("image/jpeg");
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
    accept: [...types, ...(types.includes(HEIC) ? [".heic", ".heif"] : [])].join(","),
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
    h(
      "p",
      { class: "field__hint upload-limits", id: `${inputId}-hint` },
      limitsText(types.filter((type) => type !== HEIC), { limits, maxFiles }),
      photos ? h("span", { class: "upload-limits__photo" }, ` ${t("upload.limit.photos")}`) : "",
    ),
    errorSlot,
    input,
    h(
      "div",
      { class: "file-pick", "aria-hidden": "true" },
      h("span", { class: "btn btn--secondary btn--small file-btn", onclick: () => input.click() }, t("upload.choose")),
      none,
    ),
    // The camera beside the file button, both before the list: choosing, then what was chosen.
    photos ? cameraButton() : "",
    list,
    types.includes("application/pdf") && photos
      ? pagesPanel({ maxPages: limits?.max_pages, onReady: (file) => add(file), label: tx(paper.name) })
      : "",
    live,
  );

  // On a phone the camera opens straight away for a photo of the paper (capture), beside the files.
  function cameraButton() {
    const cameraId = nextId("camera");
    const camera = h("input", {
      type: "file",
      id: cameraId,
      class: "file-input visually-hidden",
      accept: "image/*",
      capture: "environment",
      dataset: { camera: paper.code },
      onchange: () => {
        for (const file of camera.files) add(file);
        camera.value = "";
      },
    });
    return h(
      "div",
      { class: "file-camera" },
      camera,
      // The paper's name is not in the label: the paper's own label names the file control alone.
      h("label", { for: cameraId, class: "btn btn--secondary btn--small" }, t("upload.camera")),
    );
  }

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
      setError(`${t("v.filetype", { name: file.name, types: typeNames(types.filter((type) => type !== HEIC)) })} ${t("upload.advice.type")}`);
      return;
    }
    if (file.size === 0) {
      setError(`${t("v.fileempty", { name: file.name })} ${t("upload.advice.again")}`);
      return;
    }
    const entry = { file, original: file, contentType, status: "waiting", progress: 0, upload_id: null, error: null };
    entries.push(entry);
    renderEntry(entry);
    start(entry);
  }

  /** A photo made lighter once (a JPEG, where the paper takes one), then the size checked. */
  async function prepare(entry) {
    if (entry.prepared) return;
    if (entry.contentType === "image/jpeg" || (entry.contentType === "image/png" && types.includes("image/jpeg"))) {
      entry.status = "preparing";
      update(entry);
      const lighter = await downscale(entry.original);
      if (lighter) {
        entry.file = lighter.file;
        entry.contentType = "image/jpeg";
        if (entry.ui) entry.ui.size.textContent = `${formatBytes(entry.original.size)} → ${formatBytes(lighter.file.size)}`;
      }
    }
    entry.prepared = true;
    const maxBytes = limits?.max_bytes || entry.slot?.max_bytes;
    if (maxBytes && entry.file.size > maxBytes) {
      throw new UploadError(t("v.filesize", { name: entry.file.name, mb: Math.round((maxBytes / 1048576) * 10) / 10 }), {
        advice: t(entry.contentType === "application/pdf" ? "upload.advice.pdf" : "upload.advice.size"),
      });
    }
  }

  /** One try: a slot (a new one when there is none or it is about to expire), then the POST. */
  async function sendOnce(entry) {
    if (!entry.slot || Date.parse(entry.slot.expires_at) < Date.now() + SLOT_MARGIN_MS) {
      try {
        entry.slot = await post("/uploads", {
          filename: entry.file.name,
          content_type: entry.contentType,
          size: entry.file.size,
        });
      } catch (error) {
        // The API refused the file itself (too large, a type or a name it does not take): no new try
        // cures that; the network, a throttle or a fault of the server may be gone the next time.
        const transient = error instanceof ApiError && (error.status === 0 || error.status === 429 || error.status >= 500);
        throw new UploadError(error.message, { retry: transient, advice: transient ? "" : t("upload.advice.again") });
      }
    }
    try {
      await uploadToBucket(entry.slot, entry.file, entry.contentType, (p) => {
        entry.progress = p;
        update(entry);
      });
    } catch (error) {
      if (error instanceof UploadError && error.retry && /AccessDenied|HTTP 403/.test(error.message)) entry.slot = null;
      throw error;
    }
  }

  async function start(entry) {
    entry.status = "uploading";
    entry.error = null;
    entry.advice = "";
    entry.retryable = false;
    entry.progress = 0;
    entry.attempt = 0;
    update(entry);
    entry.promise = (async () => {
      try {
        await prepare(entry);
        for (let attempt = 0; ; attempt += 1) {
          entry.attempt = attempt;
          entry.status = "uploading";
          update(entry);
          try {
            await sendOnce(entry);
            break;
          } catch (error) {
            if (!(error instanceof UploadError) || !error.retry || attempt >= RETRY_WAITS_MS.length) throw error;
            entry.status = "retrying";
            entry.error = error.message;
            update(entry);
            live.textContent = `${entry.file.name}: ${t("upload.retrying", { n: attempt + 2 })}`;
            await sleep(RETRY_WAITS_MS[attempt] * (0.9 + Math.random() * 0.2));
            entry.error = null;
          }
        }
        entry.upload_id = entry.slot.upload_id;
        entry.status = "done";
        live.textContent = `${entry.file.name}: ${t("upload.done")}`;
      } catch (error) {
        entry.status = "failed";
        entry.error = error instanceof Error ? error.message : String(error);
        entry.retryable = error instanceof UploadError ? error.retry : true;
        entry.advice = error instanceof UploadError ? error.advice : "";
        live.textContent = `${entry.file.name}: ${t("upload.failed")}. ${entry.error} ${entry.advice || ""}`;
      }
      update(entry);
    })();
    return entry.promise;
  }

  function renderEntry(entry) {
    const progress = h("progress", { max: "100", value: String(entry.progress), "aria-label": entry.file.name });
    const state = h("span", { class: "file__state" });
    const message = h("p", { class: "file__error", hidden: true });
    const advice = h("p", { class: "file__advice", hidden: true });
    const size = h("span", { class: "file__size" }, formatBytes(entry.file.size));
    const retry = h(
      "button",
      { type: "button", class: "btn btn--small btn--secondary", hidden: true, onclick: () => start(entry) },
      t("upload.retry"),
      h("span", { class: "visually-hidden" }, ` ${entry.file.name}`),
    );
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
      h("div", { class: "file__head" }, h("span", { class: "file__name" }, entry.file.name), size),
      progress,
      h("div", { class: "file__foot" }, state, retry, remove),
      message,
      advice,
    );
    entry.ui = { progress, state, message, retry, advice, size };
    if (entry.file !== entry.original) size.textContent = `${formatBytes(entry.original.size)} → ${formatBytes(entry.file.size)}`;
    list.append(entry.row);
    refreshNone();
    update(entry);
  }

  function update(entry) {
    if (!entry.ui) return;
    const { progress, state, message, retry, advice } = entry.ui;
    progress.value = entry.progress;
    const labels = {
      waiting: t("upload.waiting"),
      preparing: t("upload.preparing"),
      uploading: entry.attempt ? t("upload.progress.again", { p: entry.progress, n: entry.attempt + 1 }) : t("upload.progress", { p: entry.progress }),
      retrying: t("upload.retrying", { n: entry.attempt + 2 }),
      done: t("upload.done"),
      failed: t("upload.failed"),
    };
    state.textContent = labels[entry.status];
    state.className = `file__state file__state--${entry.status}`;
    entry.row.dataset.status = entry.status;
    message.hidden = !entry.error;
    message.textContent = entry.error || "";
    advice.hidden = !(entry.status === "failed" && entry.advice);
    advice.textContent = entry.advice || "";
    // A manual try only where one can work: never for a file refused for what it is.
    retry.hidden = !(entry.status === "failed" && entry.retryable);
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
