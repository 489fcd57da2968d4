// Feedback and complaints (phản ánh, kiến nghị; docs/feedback.md), the citizen's side:
// #/feedback/new[?dossier=<code>] sends one, #/me/feedback lists the citizen's with the agencies' answers,
// #/feedback/public lists the answers the agencies published (no sign-in, no personal data).

import { ApiError, agencies, get, post } from "../api.js";
import { formatDate, formatDateTime, t, tx } from "../i18n.js";
import { announce, clearErrors, facts, field, h, notice, showErrors } from "../dom.js";
import { errorBlock, pagedList } from "./common.js";

/** "Đang xử lý" / "Đã trả lời" as a badge (the dossier badges' colours: in process, done). */
export function feedbackState(item) {
  return h("span", { class: `badge badge--s${item.state === "answered" ? "9" : "4"}` }, t(`fb.state.${item.state}`));
}

// --- #/feedback/new -------------------------------------------------------------------------

export async function feedbackNewView(ctx) {
  ctx.title(t("fb.new.title"));
  const head = [h("h1", {}, t("fb.new.title")), h("p", { class: "lead" }, t("fb.new.intro"))];
  let list;
  try {
    list = (await agencies()).filter((a) => !a.merged_into);
  } catch (error) {
    ctx.render(head, errorBlock(error, ctx.reload));
    return;
  }
  const dossier = h("input", { type: "text", name: "dossier_code", class: "input", autocomplete: "off", value: ctx.query.get("dossier") || "" });
  const agency = h(
    "select",
    { name: "agency", class: "input" },
    h("option", { value: "" }, t("fb.new.agency.none")),
    list.map((a) => h("option", { value: a.code }, tx(a.name))),
  );
  const subject = h("input", { type: "text", name: "subject", class: "input", maxlength: "200" });
  const text = h("textarea", { name: "text", class: "input", rows: "7", maxlength: "4000" });
  const summary = h("div");
  const submit = h("button", { type: "submit", class: "btn" }, t("fb.new.send"));
  const form = h(
    "form",
    { class: "panel fb-form", novalidate: true },
    summary,
    field({ label: t("fb.field.dossier"), name: "dossier_code", control: dossier, hint: t("fb.field.dossier.hint") }),
    field({ label: t("fb.field.agency"), name: "agency", control: agency, hint: t("fb.field.agency.hint") }),
    field({ label: t("fb.field.subject"), name: "subject", control: subject, required: true }),
    field({ label: t("fb.field.text"), name: "text", control: text, required: true, hint: t("fb.field.text.hint") }),
    h("p", { class: "field__hint" }, t("fb.new.privacy")),
    h("div", { class: "actions" }, submit),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form, summary);
    submit.disabled = true;
    const body = { subject: subject.value, text: text.value };
    if (dossier.value.trim()) body.dossier_code = dossier.value.trim();
    if (agency.value) body.agency = agency.value;
    try {
      const sent = await post("/feedback", body);
      announce(t("fb.new.sent", { code: sent.code, due: formatDate(sent.due_at) }), "success");
      ctx.navigate("#/me/feedback");
    } catch (error) {
      if (error instanceof ApiError && error.status === 422) showErrors(form, summary, { message: error.message, errors: error.fields });
      else showErrors(form, summary, { message: error.message });
    } finally {
      submit.disabled = false;
    }
  });
  ctx.render(head, form, h("p", {}, h("a", { href: "#/me/feedback" }, t("fb.mine.title"))));
}

// --- #/me/feedback --------------------------------------------------------------------------

function answerBlock(answer) {
  if (!answer) return null;
  return h(
    "div",
    { class: "fb-answer" },
    h("h3", { class: "fb-answer__title" }, t("fb.answer.title", { when: formatDateTime(answer.at) })),
    h("p", { class: "fb-text" }, answer.text),
  );
}

function mineCard(item) {
  return h(
    "li",
    { class: "card fb-card" },
    h("h2", { class: "card__title" }, item.subject),
    h("p", { class: "card__facts" }, feedbackState(item), h("span", { class: "fb-code" }, item.code)),
    facts([
      [t("fb.agency"), tx(item.agency_name)],
      [t("fb.dossier"), item.dossier_code || ""],
      [t("fb.sent"), formatDateTime(item.sent_at)],
      [t("fb.due"), formatDate(item.due_at)],
    ]),
    h("p", { class: "fb-text" }, item.text),
    answerBlock(item.answer) || h("p", { class: "fb-waiting" }, t("fb.waiting")),
  );
}

export async function myFeedbackView(ctx) {
  ctx.title(t("fb.mine.title"));
  const head = [
    h("h1", {}, t("fb.mine.title")),
    h("p", { class: "lead" }, t("fb.mine.intro")),
    h("p", {}, h("a", { href: "#/feedback/new", class: "btn" }, t("fb.new.title"))),
  ];
  let items;
  try {
    items = (await get("/me/feedback")).items;
  } catch (error) {
    ctx.render(head, errorBlock(error, ctx.reload));
    return;
  }
  ctx.render(
    head,
    items.length ? h("ul", { class: "cards fb-list" }, items.map(mineCard)) : notice(t("fb.mine.empty"), "info"),
    h("p", {}, h("a", { href: "#/feedback/public" }, t("fb.public.title"))),
  );
}

// --- #/feedback/public ----------------------------------------------------------------------

function publicCard(item) {
  return h(
    "li",
    { class: "card fb-card" },
    h("h2", { class: "card__title" }, item.subject),
    h("p", { class: "card__facts" }, h("span", {}, tx(item.agency_name)), h("span", {}, `${t("fb.published")}: ${formatDate(item.published_at)}`)),
    h("h3", { class: "fb-answer__title" }, t("fb.question")),
    h("p", { class: "fb-text" }, item.question),
    h("div", { class: "fb-answer" }, h("h3", { class: "fb-answer__title" }, t("fb.public.answer", { when: formatDate(item.answered_at) })), h("p", { class: "fb-text" }, item.answer)),
  );
}

export async function publicFeedbackView(ctx) {
  ctx.title(t("fb.public.title"));
  const head = [
    h("h1", {}, t("fb.public.title")),
    h("p", { class: "lead" }, t("fb.public.intro")),
    h("p", {}, h("a", { href: "#/feedback/new", class: "btn btn--secondary" }, t("fb.new.title"))),
  ];
  let list;
  try {
    list = await pagedList({
      fetchPage: (token) => get("/feedback/public", { auth: false, query: { limit: 10, next_token: token } }),
      renderItem: publicCard,
      empty: t("fb.public.empty"),
    });
  } catch (error) {
    ctx.render(head, errorBlock(error, ctx.reload));
    return;
  }
  ctx.render(head, list);
}
