// #/tracking/<code> — public tracking: status, due date and timeline, no personal data.

import { encode, get } from "../api.js";
import { formatDate, formatDateTime, t } from "../i18n.js";
import { facts, h, nextId, statusBadge } from "../dom.js";
import { DOSSIER_CODE_RE, errorBlock, timeline } from "./common.js";
import { apologySlips } from "./dossiers.js";

/** The "Track a dossier" box: on the home page (compact) and on the tracking page. */
export function trackingBox({ compact = false, value = "" } = {}) {
  const id = nextId("track");
  const input = h("input", {
    type: "text",
    id,
    name: "code",
    value,
    autocomplete: "off",
    autocapitalize: "characters",
    spellcheck: "false",
    inputmode: "text",
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
        const code = input.value.trim().toUpperCase();
        if (!DOSSIER_CODE_RE.test(code)) {
          error.hidden = false;
          error.textContent = t("track.invalid");
          box.classList.add("field--error");
          input.setAttribute("aria-invalid", "true");
          input.focus();
          return;
        }
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
    h("div", { class: "search__row" }, input, h("button", { type: "submit", class: "btn btn--primary" }, t("track.submit"))),
  );
  return form;
}

export async function trackingView(ctx) {
  const code = (ctx.params[0] || "").trim();
  ctx.title(code ? `${t("track.title")} ${code}` : t("track.title"));
  const head = [h("h1", {}, t("track.title")), trackingBox({ value: code })];
  if (!code) {
    ctx.render(head);
    return;
  }
  let view;
  try {
    view = await get(`/tracking/${encode(code)}`, { auth: false });
  } catch (error) {
    ctx.render(head, errorBlock(error, ctx.reload));
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
    apologySlips(view.apologies),
    h("section", { class: "panel" }, h("h2", {}, t("track.timeline")), timeline(view.timeline)),
  );
}
