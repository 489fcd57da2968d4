// Feedback and complaints (docs/feedback.md), the agency's side (officers and leaders):
// #/feedback lists the agency's open feedback by due date (overdue marked) or the answered ones;
// #/feedback/<code> shows one, records the answer once, and publishes an edited question and answer.

import { ApiError, encode, get, post, session } from "../api.js";
import { formatDate, formatDateTime, t, tx } from "../i18n.js";
import { announce, clearErrors, facts, field, h, notice, showErrors } from "../dom.js";
import { errorBlock, pagedList } from "./common.js";
import { feedbackState } from "./feedback.js";

function dueLine(item) {
  return h(
    "span",
    { class: `due${item.overdue ? " due--late" : ""}` },
    `${t("fb.due")}: `,
    h("strong", {}, formatDate(item.due_at)),
    item.overdue ? h("span", { class: "due__flag" }, ` — ${t("fb.overdue")}`) : null,
  );
}

function deskCard(item) {
  return h(
    "li",
    { class: `card fb-card${item.overdue ? " fb-card--late" : ""}` },
    h("p", { class: "card__due" }, dueLine(item)),
    h("h2", { class: "card__title card__title--code" }, h("a", { href: `#/feedback/${encodeURIComponent(item.code)}` }, item.code)),
    h("p", { class: "card__body" }, item.subject),
    h(
      "p",
      { class: "card__facts" },
      feedbackState(item),
      h("span", {}, `${t("fb.sender")}: ${item.sender}`),
      h("span", {}, `${t("fb.sent")}: ${formatDateTime(item.sent_at)}`),
      item.published ? h("span", {}, t("fb.is_published")) : null,
    ),
  );
}

export async function feedbackDeskView(ctx) {
  ctx.title(t("fb.desk.title"));
  const heading = h("h1", {}, t("fb.desk.title"));
  const agency = session()?.claims?.["custom:agency_code"];
  if (!agency) {
    ctx.render(heading, notice(t("inbox.noagency"), "error"));
    return;
  }
  const state = ctx.query.get("state") === "answered" ? "answered" : "open";
  const tabs = h(
    "nav",
    { class: "fb-tabs", "aria-label": t("fb.desk.tabs") },
    h(
      "ul",
      {},
      ["open", "answered"].map((s) =>
        h("li", {}, h("a", { href: s === "open" ? "#/feedback" : "#/feedback?state=answered", "aria-current": s === state ? "page" : null }, t(`fb.desk.tab.${s}`))),
      ),
    ),
  );
  let list;
  try {
    list = await pagedList({
      fetchPage: (token) => get(`/agencies/${encode(agency)}/feedback`, { query: { state, limit: 20, next_token: token } }),
      renderItem: deskCard,
      empty: t(`fb.desk.empty.${state}`),
    });
  } catch (error) {
    ctx.render(heading, tabs, errorBlock(error, ctx.reload));
    return;
  }
  ctx.render(heading, h("p", { class: "lead" }, t("fb.desk.intro")), tabs, list);
}

// --- #/feedback/<code> ----------------------------------------------------------------------

function textForm({ fields, submitLabel, onSubmit }) {
  const summary = h("div");
  const submit = h("button", { type: "submit", class: "btn" }, submitLabel);
  const form = h("form", { class: "panel fb-form", novalidate: true }, summary, fields.map((f) => field(f)), h("div", { class: "actions" }, submit));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form, summary);
    submit.disabled = true;
    try {
      await onSubmit();
    } catch (error) {
      const errors = error instanceof ApiError && error.status === 422 ? error.fields : [];
      showErrors(form, summary, { message: error.message, errors });
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}

export async function feedbackItemView(ctx) {
  const code = ctx.params[0];
  ctx.title(code);
  const back = h("p", { class: "back" }, h("a", { href: "#/feedback", class: "back__link" }, t("fb.desk.title")));
  let item;
  try {
    item = await get(`/feedback/${encode(code)}`);
  } catch (error) {
    ctx.render(back, h("h1", {}, code), errorBlock(error, ctx.reload));
    return;
  }
  const parts = [
    back,
    h("h1", { class: "fb-title" }, item.subject),
    h("p", { class: "card__facts" }, feedbackState(item), dueLine(item)),
    facts([
      [t("fb.code"), h("strong", {}, item.code)],
      [t("fb.sender"), item.sender],
      [t("fb.told_by"), (item.told_by || []).join(", ") || t("fb.told_by.none")],
      [t("fb.dossier"), item.dossier_code ? h("a", { href: `#/dossiers/${encodeURIComponent(item.dossier_code)}` }, item.dossier_code) : ""],
      [t("fb.agency"), tx(item.agency_name)],
      [t("fb.sent"), formatDateTime(item.sent_at)],
    ]),
    h("h2", {}, t("fb.question")),
    h("p", { class: "fb-text" }, item.text),
  ];
  if (!item.answer) {
    const answer = h("textarea", { name: "text", class: "input", rows: "7", maxlength: "4000" });
    parts.push(
      h("h2", {}, t("fb.answer.form")),
      textForm({
        fields: [{ label: t("fb.answer.text"), name: "text", control: answer, required: true, hint: t("fb.answer.hint") }],
        submitLabel: t("fb.answer.send"),
        onSubmit: async () => {
          await post(`/feedback/${encode(code)}/answer`, { text: answer.value });
          announce(t("fb.answer.sent"), "success");
          ctx.reload();
        },
      }),
    );
    ctx.render(parts);
    return;
  }
  parts.push(
    h("div", { class: "fb-answer" }, h("h2", { class: "fb-answer__title" }, t("fb.answer.by", { who: item.answer.by || "", when: formatDateTime(item.answer.at) })), h("p", { class: "fb-text" }, item.answer.text)),
  );
  const published = item.published;
  const subject = h("input", { type: "text", name: "subject", class: "input", maxlength: "200", value: published?.subject || item.subject });
  const question = h("textarea", { name: "question", class: "input", rows: "5", maxlength: "4000" });
  question.value = published?.question || item.text;
  const reply = h("textarea", { name: "answer", class: "input", rows: "5", maxlength: "4000" });
  reply.value = published?.answer || item.answer.text;
  parts.push(
    h("h2", {}, t(published ? "fb.publish.again" : "fb.publish.title")),
    published ? notice(t("fb.publish.done", { when: formatDateTime(published.published_at) }), "info") : null,
    h("p", {}, t("fb.publish.intro")),
    textForm({
      fields: [
        { label: t("fb.field.subject"), name: "subject", control: subject, required: true },
        { label: t("fb.question"), name: "question", control: question, required: true },
        { label: t("fb.publish.answer"), name: "answer", control: reply, required: true },
      ],
      submitLabel: t("fb.publish.send"),
      onSubmit: async () => {
        await post(`/feedback/${encode(code)}/publication`, { subject: subject.value, question: question.value, answer: reply.value });
        announce(t("fb.publish.sent"), "success");
        ctx.reload();
      },
    }),
  );
  ctx.render(parts);
}
