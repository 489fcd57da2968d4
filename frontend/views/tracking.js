// #/tracking/<code> — public tracking: status, due date, progress and timeline, no personal data.
// Opened from the box on the home page, from a message's link, and from the QR code of the receipt
// (Mẫu 01), which encodes <portal>/#/tracking/<code>: no sign-in is needed.

import { encode, get, isCitizen } from "../api.js";
import { formatDate, formatDateTime, t } from "../i18n.js";
import { facts, h, nextId, statusBadge } from "../dom.js";
import { DOSSIER_CODE_RE, errorBlock, timeline } from "./common.js";
import { apologySlips } from "./dossiers.js";

const EXAMPLE = "000.01.01.H99-261206-0001";
// The way a dossier usually goes (statuses 1 → 2 → 4 → 9 → 10); the others branch off it.
const MAIN_PATH = [1, 2, 4, 9, 10];
const ENDED = new Set([3, 7, 8]);
const WAITING = new Set([5, 6]);

/**
 * A dossier code as people type or paste it: lowercase, spaces, missing or odd dashes and dots,
 * `000.01.01.h99 261206 0001` → `000.01.01.H99-261206-0001`. Anything else is returned trimmed and
 * upper-cased (and then fails DOSSIER_CODE_RE).
 */
export function normaliseCode(raw) {
  const text = String(raw || "").toUpperCase().normalize("NFKC");
  const compact = text.replace(/[\s\u00a0\u2010-\u2015\u2212_\-–—]+/g, "").replace(/[,·]/g, ".");
  const m = /^(\d{3})\.?(\d{2})\.?(\d{2})\.?([A-Z]\d{2})(\d{6})(\d{4})$/.exec(compact);
  return m ? `${m[1]}.${m[2]}.${m[3]}.${m[4]}-${m[5]}-${m[6]}` : text.trim();
}

/** The "Track a dossier" box: on the home page (compact) and on the tracking page. */
export function trackingBox({ compact = false, value = "" } = {}) {
  const id = nextId("track");
  const input = h("input", {
    type: "text",
    id,
    name: "code",
    class: "track-box__code",
    value,
    autocomplete: "off",
    autocapitalize: "off",
    autocorrect: "off",
    spellcheck: "false",
    inputmode: "text",
    enterkeyhint: "search",
    "aria-describedby": `${id}-hint ${id}-error`,
  });
  const error = h("p", { class: "field__error", id: `${id}-error`, hidden: true });
  const box = h("div", { class: "field" });
  const form = h(
    "form",
    {
      class: `track-box${compact ? " track-box--compact" : ""}`,
      "aria-label": t("track.title"),
      onsubmit: (event) => {
        event.preventDefault();
        const code = normaliseCode(input.value);
        if (!DOSSIER_CODE_RE.test(code)) {
          error.hidden = false;
          error.textContent = t("track.invalid");
          box.classList.add("field--error");
          input.setAttribute("aria-invalid", "true");
          input.focus();
          return;
        }
        input.value = code;
        location.hash = `#/tracking/${encodeURIComponent(code)}`;
      },
    },
    compact ? h("h2", { class: "track-box__title" }, t("track.title")) : null,
    box,
  );
  box.append(
    h("label", { for: id, class: "field__label" }, t("track.code")),
    h("p", { class: "field__hint", id: `${id}-hint` }, t("track.hint")),
    error,
    h("div", { class: "search__row track-box__row" }, input, h("button", { type: "submit", class: "btn btn--primary" }, t("track.submit"))),
  );
  return form;
}

export async function trackingView(ctx) {
  const typed = (ctx.params[0] || "").trim();
  const code = normaliseCode(typed);
  if (typed && code !== typed && DOSSIER_CODE_RE.test(code)) {
    // A link or a scan with the code spelled loosely: show it at its proper address.
    ctx.navigate(`#/tracking/${encodeURIComponent(code)}`, { replace: true });
    return;
  }
  ctx.title(code ? `${t("track.title")} ${code}` : t("track.title"));
  const head = [h("h1", {}, t("track.title")), trackingBox({ value: code })];
  if (!code) {
    ctx.render(head, notFoundHelp(null));
    return;
  }
  if (!DOSSIER_CODE_RE.test(code)) {
    ctx.render(head, notFoundHelp(code));
    return;
  }
  let view;
  try {
    view = await get(`/tracking/${encode(code)}`, { auth: false });
  } catch (error) {
    ctx.render(head, error?.status === 404 ? notFoundHelp(code) : errorBlock(error, ctx.reload));
    return;
  }
  ctx.render(
    head,
    h(
      "section",
      { class: "panel dossier-head", "aria-labelledby": "tracking-code" },
      h("h2", { id: "tracking-code", class: "dossier-head__code" }, view.code),
      h("p", { class: "dossier-head__status" }, statusBadge(view.status, view.status_label)),
      facts([
        [t("dossier.procedure"), view.procedure_name],
        [t("dossier.agency"), view.agency_name],
        [t("dossier.filed"), formatDateTime(view.filed_at)],
        [t("dossier.due"), h("strong", {}, formatDate(view.due_at))],
        [t("dossier.appointment"), view.appointment_at ? h("strong", {}, formatDate(view.appointment_at)) : ""],
      ]),
    ),
    progress(view),
    apologySlips(view.apologies),
    h("section", { class: "panel" }, h("h2", {}, t("track.timeline")), timeline(view.timeline)),
  );
}

/**
 * What to check when no dossier answers to a code (or none was given yet): the code's shape with an
 * example, where the receipt prints it, the paper receipt of a dossier filed at the counter, and,
 * for a signed-in citizen, their own dossiers.
 */
function notFoundHelp(code) {
  const missing = code !== null;
  const valid = missing && DOSSIER_CODE_RE.test(code);
  return h(
    "section",
    { class: `panel track-help${missing ? " track-help--missing" : ""}`, "aria-labelledby": "track-help-title", role: missing ? "status" : null },
    h(
      "h2",
      { id: "track-help-title" },
      !missing ? t("track.help.title") : valid ? t("track.notfound.title", { code }) : t("track.badcode.title", { code }),
    ),
    missing ? h("p", {}, t(valid ? "track.notfound.intro" : "track.badcode.intro")) : null,
    h(
      "ul",
      { class: "track-help__list" },
      h("li", {}, t("track.help.format"), " ", h("code", { class: "track-help__example" }, EXAMPLE), ". ", t("track.help.parts")),
      h("li", {}, t("track.help.receipt")),
      h("li", {}, t("track.help.counter")),
      h("li", {}, t("track.help.typing")),
      isCitizen()
        ? h("li", {}, t("track.help.mine"), " ", h("a", { href: "#/me" }, t("track.help.mine.link")), ".")
        : h("li", {}, t("track.help.signin"), " ", h("a", { href: "#/sign-in" }, t("track.help.signin.link")), "."),
    ),
  );
}

/** The dossier's way so far as a short list of steps: done, now, still to come (a phone reads it top down). */
function progress(view) {
  const reached = new Set([1, ...(view.timeline || []).map((entry) => entry.status), view.status]);
  const current = view.status;
  let steps = MAIN_PATH.map((status) => ({ status }));
  if (ENDED.has(current)) {
    steps = [...MAIN_PATH.filter((s) => reached.has(s) && s !== current).map((status) => ({ status })), { status: current, ended: true }];
  } else if (WAITING.has(current)) {
    const at = steps.findIndex((s) => s.status === 9);
    steps.splice(at, 0, { status: current, waiting: true });
  }
  const index = steps.findIndex((s) => s.status === current);
  const label = (status) => {
    const entry = [...(view.timeline || [])].reverse().find((e) => e.status === status);
    return status === current ? view.status_label : entry?.status_label || t(`status.${status}`);
  };
  return h(
    "section",
    { class: "panel", "aria-labelledby": "track-progress" },
    h("h2", { id: "track-progress" }, t("track.progress")),
    h(
      "ol",
      { class: "progress" },
      steps.map((step, i) => {
        const state = i < index ? "done" : i === index ? "current" : "todo";
        const at = (view.timeline || []).find((e) => e.status === step.status)?.at;
        return h(
          "li",
          {
            class: `progress__step progress__step--${state}${step.ended ? " progress__step--ended" : ""}${step.waiting ? " progress__step--waiting" : ""}`,
            "aria-current": state === "current" ? "step" : null,
          },
          h("span", { class: "progress__mark", "aria-hidden": "true" }, state === "done" ? "✓" : state === "current" ? "●" : "○"),
          h(
            "span",
            { class: "progress__text" },
            h("span", { class: "progress__label" }, label(step.status)),
            h("span", { class: "progress__state" }, t(`track.step.${state}`)),
            state !== "todo" && at ? h("time", { class: "progress__at", datetime: at }, formatDateTime(at)) : null,
            step.waiting ? h("span", { class: "progress__note" }, t("track.step.waiting")) : null,
          ),
        );
      }),
    ),
  );
}
