// #/verify — anyone checks a result (kết quả) the platform signed: a PDF file sent as it is, or the
// result's code (<dossier code>-KQ<n>). POST /v1/verify, no sign-in. `?code=` checks that code at once.

import { ApiError, post, postFile } from "../api.js";
import { formatBytes, formatDateTime, t } from "../i18n.js";
import { clearErrors, facts, field, h, nextId, showErrors } from "../dom.js";

// The API refuses a body over 4 MB (413; what one Lambda answer can carry back); said before sending rather than after uploading it.
const MAX_BYTES = 4 * 1024 * 1024;
const RESULT_CODE_RE = /^\S+-KQ\d+$/i;

/**
 * [label key, passed?] for each check, in the order a person reads them. "Not modified after
 * signing" passes only where there is a signature: a file never signed has nothing to be true to.
 */
function checks(v) {
  const signed = Boolean(v.signer || v.signed_at);
  return [
    ["verify.check.intact", v.intact],
    ["verify.check.trusted", v.trusted],
    ["verify.check.whole", v.covers_whole_file],
    ["verify.check.unmodified", signed && !v.modified_after_signing],
  ];
}

/** Each check as ✓ / ✗ and words ("Đạt" / "Không đạt" for a screen reader), never colour alone. */
function checkList(v) {
  return h(
    "ul",
    { class: "checks", "aria-label": t("verify.checks") },
    checks(v).map(([key, passed]) =>
      h(
        "li",
        { class: `checks__item checks__item--${passed ? "ok" : "fail"}` },
        h("span", { class: "checks__icon", "aria-hidden": "true" }, passed ? "✓" : "✗"),
        h("span", { class: "visually-hidden" }, `${t(passed ? "verify.pass" : "verify.fail")}: `),
        t(key),
      ),
    ),
  );
}

function signerName(signer) {
  if (!signer) return "";
  return signer.name || signer.organisation || signer.agency_code || "";
}

/** The verdict first (green or red, in words), then each check with ✓ / ✗, then who signed. */
export function verdict(v, subject) {
  const ok = v.valid === true;
  const who = signerName(v.signer);
  const title = ok
    ? t(v.signed_at ? "verify.valid" : "verify.valid.nodate", { who: who || t("verify.unknown"), at: formatDateTime(v.signed_at) })
    : t("verify.invalid");
  const problem = v.problem?.message || (ok ? "" : t("verify.problem.unknown"));
  return h(
    "section",
    { class: `verdict verdict--${ok ? "ok" : "broken"} verify__verdict`, "aria-labelledby": "verify-verdict-title", dataset: { valid: String(ok) } },
    h("span", { class: "verdict__icon", "aria-hidden": "true" }, ok ? "✓" : "✗"),
    h(
      "div",
      { class: "verdict__text" },
      h("h2", { id: "verify-verdict-title", class: "verdict__title", tabindex: "-1" }, title),
      problem ? h("p", { class: "verify__problem" }, problem) : null,
      h("p", { class: "verify__subject muted" }, subject),
      checkList(v),
      facts([
        [t("verify.signer"), who],
        [t("verify.person"), v.signer?.person && v.signer.person !== who ? v.signer.person : ""],
        [t("verify.organisation"), v.signer?.organisation && v.signer.organisation !== who ? v.signer.organisation : ""],
        [t("verify.agency_code"), v.signer?.agency_code ? h("span", { class: "code" }, v.signer.agency_code) : ""],
        [t("verify.signed_at"), v.signed_at ? formatDateTime(v.signed_at) : ""],
        [t("doc.result_code"), v.result_code ? h("strong", { class: "code" }, v.result_code) : ""],
      ]),
    ),
  );
}

export async function verifyView(ctx) {
  ctx.title(t("verify.title"));
  const initialCode = (ctx.query.get("code") || "").trim();
  const outcome = h("div", { class: "verify__outcome", "aria-live": "polite" });

  function show(node) {
    outcome.replaceChildren(node);
    outcome.scrollIntoView({ block: "nearest" });
  }

  function failed(error) {
    // A 413 from a gateway in front of the API comes without the API's own words.
    const tooLarge = error instanceof ApiError && error.status === 413 && !error.body?.error?.message;
    const message = tooLarge ? t("verify.toolarge") : error instanceof Error ? error.message : t("error.generic");
    return h("div", { class: "notice notice--error", role: "alert" }, h("p", {}, message));
  }

  // --- a file ---------------------------------------------------------------------------------
  const fileId = nextId("verify-file");
  const chosen = h("span", { class: "file-pick__none" }, t("upload.none"));
  const fileInput = h("input", {
    type: "file",
    id: fileId,
    name: "file",
    class: "file-input visually-hidden",
    accept: "application/pdf,.pdf",
    onchange: () => {
      const file = fileInput.files[0];
      chosen.textContent = file ? `${file.name} · ${formatBytes(file.size)}` : t("upload.none");
      chosen.className = file ? "file-pick__name" : "file-pick__none";
    },
  });
  const fileErrors = h("div", { class: "summary-slot" });
  const fileSubmit = h("button", { type: "submit", class: "btn btn--primary" }, t("verify.file.submit"));
  const fileField = field({ label: t("verify.file"), name: "file", control: fileInput, hint: t("verify.file.hint"), required: true });
  // The native input stays (labelled, focusable) but unseen; the button beside it speaks our language.
  fileField.append(
    h(
      "div",
      { class: "file-pick", "aria-hidden": "true" },
      h("span", { class: "btn btn--secondary btn--small file-btn", onclick: () => fileInput.click() }, t("verify.file.choose")),
      chosen,
    ),
  );
  const fileForm = h(
    "form",
    {
      class: "panel verify__form",
      novalidate: true,
      "aria-labelledby": "verify-file-title",
      onsubmit: async (event) => {
        event.preventDefault();
        clearErrors(fileForm, fileErrors);
        const file = fileInput.files[0];
        if (!file) {
          showErrors(fileForm, fileErrors, { errors: [{ field: "file", message: t("verify.file.required") }] });
          return;
        }
        if (file.size > MAX_BYTES) {
          showErrors(fileForm, fileErrors, { errors: [{ field: "file", message: t("verify.toolarge") }] });
          return;
        }
        await check(fileSubmit, () => postFile("/verify", file, "application/pdf", { auth: false }), t("verify.subject.file", { name: file.name }));
      },
    },
    h("h2", { id: "verify-file-title" }, t("verify.file.title")),
    fileErrors,
    fileField,
    h("div", { class: "actions" }, fileSubmit),
  );

  // --- a result code --------------------------------------------------------------------------
  const codeInput = h("input", {
    type: "text",
    name: "result_code",
    value: initialCode,
    autocomplete: "off",
    autocapitalize: "characters",
    spellcheck: "false",
    maxlength: "64",
    class: "code",
  });
  const codeErrors = h("div", { class: "summary-slot" });
  const codeSubmit = h("button", { type: "submit", class: "btn btn--primary" }, t("verify.code.submit"));
  const codeForm = h(
    "form",
    {
      class: "panel verify__form",
      novalidate: true,
      "aria-labelledby": "verify-code-title",
      onsubmit: (event) => {
        event.preventDefault();
        checkCode();
      },
    },
    h("h2", { id: "verify-code-title" }, t("verify.code.title")),
    codeErrors,
    field({ label: t("verify.code"), name: "result_code", control: codeInput, hint: t("verify.code.hint"), required: true }),
    h("div", { class: "actions" }, codeSubmit),
  );

  async function checkCode() {
    clearErrors(codeForm, codeErrors);
    const code = codeInput.value.trim();
    if (!RESULT_CODE_RE.test(code)) {
      showErrors(codeForm, codeErrors, { errors: [{ field: "result_code", message: t(code ? "verify.code.invalid" : "verify.code.required") }] });
      return;
    }
    // The code in the address, so that the check can be shared (no new history entry).
    history.replaceState(null, "", `#/verify?code=${encodeURIComponent(code)}`);
    await check(codeSubmit, () => post("/verify", { result_code: code }, { auth: false }), t("verify.subject.code", { code }));
  }

  let busy = false;
  async function check(button, call, subject) {
    if (busy) return;
    busy = true;
    button.disabled = true;
    button.setAttribute("aria-busy", "true");
    outcome.replaceChildren(h("p", { class: "loading" }, h("span", { class: "spinner", "aria-hidden": "true" }), t("verify.checking")));
    try {
      show(verdict(await call(), subject));
    } catch (error) {
      if (!(error instanceof Error)) throw error;
      show(failed(error));
    } finally {
      busy = false;
      button.disabled = false;
      button.removeAttribute("aria-busy");
    }
  }

  ctx.render(
    h("h1", {}, t("verify.title")),
    h("p", { class: "lead" }, t("verify.intro")),
    h("div", { class: "verify__forms" }, fileForm, codeForm),
    outcome,
  );
  if (initialCode) checkCode();
}
