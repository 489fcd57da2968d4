// Satisfaction rating (đánh giá mức độ hài lòng), once per dossier after its result: on the owner's
// dossier page (signed in), and at #/rate/<token>, the link of the final email or SMS (no sign-in).
// GET/POST /v1/dossiers/<code>/rating, GET/POST /v1/rating-links/<token>, GET /v1/ratings/criteria.

import { ApiError, cached, encode, get, post } from "../api.js";
import { formatDateTime, t, tx } from "../i18n.js";
import { announce, clearErrors, field, h, loading, nextId, notice, showErrors } from "../dom.js";
import { errorBlock } from "./common.js";

function criteria() {
  return cached("rating-criteria", () => get("/ratings/criteria"));
}

/** The words for one value of a criterion: a score (1 … 5) or a number of contacts (5: five or more). */
function valueLabel(criterion, value) {
  return criterion.kind === "count" ? t(value === criterion.high ? "rate.count.max" : "rate.count", { n: value }) : t(`rate.score.${value}`);
}

/** One rating, read back: each criterion with the value given, and the comment. */
function givenRating(form, rating) {
  return h(
    "div",
    { class: "rating-given" },
    h("p", {}, t("rate.given.at", { at: formatDateTime(rating.at) })),
    h(
      "dl",
      { class: "facts" },
      form.criteria.map((c) =>
        h("div", { class: "facts__row" }, h("dt", {}, tx(c.name)), h("dd", {}, valueLabel(c, rating.scores[c.key]))),
      ),
      rating.comment ? h("div", { class: "facts__row" }, h("dt", {}, t("rate.comment")), h("dd", { class: "rating-comment" }, rating.comment)) : null,
    ),
  );
}

/** The form: one group of radio buttons per criterion, and the comment. `send(body)` posts it. */
function ratingForm(form, send, done) {
  const summary = h("div", { class: "summary-slot" });
  const groups = form.criteria.map((c) => {
    const legendId = nextId("rate");
    const options = [];
    for (let value = c.low; value <= c.high; value += 1) {
      const id = nextId("rate");
      options.push(
        h(
          "li",
          { class: "rating-option" },
          h("input", { type: "radio", name: c.key, id, value: String(value), required: true }),
          h("label", { for: id }, h("span", { class: "rating-option__n", "aria-hidden": "true" }, String(value)), " ", valueLabel(c, value)),
        ),
      );
    }
    return h(
      "fieldset",
      { class: "fieldset rating-set", dataset: { field: c.key }, "aria-labelledby": legendId },
      h("legend", { class: "fieldset__legend", id: legendId }, tx(c.name), h("span", { class: "req", "aria-hidden": "true" }, "*")),
      h("p", { class: "field__error", id: `${legendId}-error`, hidden: true }),
      h("ul", { class: "rating-options" }, options),
    );
  });
  const comment = h("textarea", { name: "comment", rows: "4", maxlength: String(form.comment_limit) });
  const submit = h("button", { type: "submit", class: "btn btn--primary" }, t("rate.submit"));
  let busy = false;
  const element = h(
    "form",
    {
      class: "rating-form",
      novalidate: true,
      onsubmit: async (event) => {
        event.preventDefault();
        if (busy) return;
        clearErrors(element, summary);
        const body = {};
        const missing = [];
        for (const c of form.criteria) {
          const chosen = element.querySelector(`input[name="${c.key}"]:checked`);
          if (chosen) body[c.key] = Number(chosen.value);
          else missing.push({ field: c.key, message: t("rate.missing", { name: tx(c.name) }), focus: element.querySelector(`input[name="${c.key}"]`).id });
        }
        if (missing.length) {
          showErrors(element, summary, { message: t("error.summary"), errors: missing });
          return;
        }
        if (comment.value.trim()) body.comment = comment.value.trim();
        busy = true;
        submit.disabled = true;
        try {
          const answer = await send(body);
          announce(t("rate.thanks"), "success");
          done(answer);
        } catch (error) {
          if (!(error instanceof ApiError)) throw error;
          if (error.status === 409) {
            done(null, error);
            return;
          }
          showErrors(element, summary, { message: error.message, errors: error.fields });
        } finally {
          busy = false;
          submit.disabled = false;
        }
      },
    },
    summary,
    groups,
    field({ label: t("rate.comment"), name: "comment", control: comment, hint: t("rate.comment.hint", { n: form.comment_limit }), required: false }),
    h("div", { class: "actions" }, submit),
  );
  return element;
}

/** What a rating's page or section shows for a dossier's state: the form, the rating given, or why not. */
function ratingBody(form, state, send, reload) {
  if (state.rating) return [notice(t("rate.done"), "success"), givenRating(form, state.rating)];
  if (!state.ratable) return [notice(t("rate.notyet"), "info")];
  return [
    h("p", {}, t("rate.intro")),
    ratingForm(form, send, (answer, error) => reload(answer, error)),
  ];
}

/** On the owner's dossier page, once the result is out (status 10, or 9 with an electronic result). */
export function ratingSection(d) {
  const headingId = nextId("rating");
  const section = h("section", { class: "rating no-print", "aria-labelledby": headingId });
  const heading = h("h2", { id: headingId }, t("rate.title"));
  const show = async (state, conflict) => {
    try {
      const form = await criteria();
      const current = state || (await get(`/dossiers/${encode(d.code)}/rating`));
      const send = (body) => post(`/dossiers/${encode(d.code)}/rating`, body);
      const parts = [heading, conflict ? notice(conflict.message, "warning") : null, ratingBody(form, current, send, (answer, error) => show(answer, error))];
      section.replaceChildren(...parts.flat().filter(Boolean));
      if (state || conflict) {
        heading.setAttribute("tabindex", "-1");
        heading.focus();
      }
    } catch (error) {
      section.replaceChildren(heading, errorBlock(error, () => show()));
    }
  };
  section.append(heading, loading());
  show();
  return section;
}

/** #/rate/<token>: the final message's link, no sign-in; the token names the dossier. */
export async function rateLinkView(ctx) {
  const token = ctx.params[0];
  ctx.title(t("rate.title"));
  const heading = h("h1", {}, t("rate.title"));
  let form;
  let state;
  try {
    [form, state] = await Promise.all([criteria(), get(`/rating-links/${encode(token)}`, { auth: false })]);
  } catch (error) {
    const expired = error instanceof ApiError && error.code === "rating_link_expired";
    ctx.render(
      heading,
      errorBlock(error),
      expired ? h("p", {}, h("a", { href: "#/me" }, t("rate.signin"))) : null,
    );
    return;
  }
  const draw = (current, conflict) => {
    ctx.render(
      heading,
      h(
        "dl",
        { class: "facts" },
        h("div", { class: "facts__row" }, h("dt", {}, t("receipt.code")), h("dd", {}, current.code)),
        h("div", { class: "facts__row" }, h("dt", {}, t("rate.procedure")), h("dd", {}, tx(current.procedure_name))),
        h("div", { class: "facts__row" }, h("dt", {}, t("rate.agency")), h("dd", {}, tx(current.agency_name))),
      ),
      conflict ? notice(conflict.message, "warning") : null,
      ratingBody(form, current, (body) => post(`/rating-links/${encode(token)}`, body, { auth: false }), async (answer, error) => {
        draw(answer || (await get(`/rating-links/${encode(token)}`, { auth: false })), error);
      }),
      h("p", {}, h("a", { href: `#/tracking/${encodeURIComponent(current.code)}` }, t("rate.track"))),
    );
  };
  draw(state, null);
}
