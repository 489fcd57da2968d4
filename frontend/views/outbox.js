// #/outbox — the local stack's outbox (GET /v1/dev/outbox, 404 on AWS): every email and SMS the
// platform sent, newest first, so that a person trying the demo sees what a citizen receives.
// Filter by dossier code; refreshed every 5 s while the page is open and visible.

import { ApiError, apiUrl, get } from "../api.js";
import { t } from "../i18n.js";
import { facts, h, nextId, notice } from "../dom.js";
import { errorBlock } from "./common.js";

const REFRESH_MS = 5000;
const SVG = "http://www.w3.org/2000/svg";

/** An envelope or a speech bubble, drawn (an emoji may have no glyph on the machine). */
function channelIcon(channel) {
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("class", "icon");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  const shapes =
    channel === "sms"
      ? [["path", { d: "M4 4.5h16a1.5 1.5 0 0 1 1.5 1.5v9a1.5 1.5 0 0 1-1.5 1.5H10l-4.5 3.5V16.5H4A1.5 1.5 0 0 1 2.5 15V6A1.5 1.5 0 0 1 4 4.5z" }]]
      : [
          ["rect", { x: "2.5", y: "5", width: "19", height: "14", rx: "1.5" }],
          ["path", { d: "M3 6l9 7 9-7" }],
        ];
  for (const [tag, attrs] of shapes) {
    const el = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries({ fill: "none", stroke: "currentColor", "stroke-width": "2", "stroke-linejoin": "round", ...attrs })) el.setAttribute(k, v);
    svg.append(el);
  }
  return svg;
}

function messageCard(m) {
  const sms = m.channel === "sms";
  const subject = m.subject || (sms ? t("outbox.sms") : t("outbox.nosubject"));
  const titleId = nextId("msg");
  return h(
    "li",
    { class: `card msg msg--${sms ? "sms" : "email"}`, "aria-labelledby": titleId, dataset: { id: m.id || "" } },
    h("p", { class: "msg__channel" }, channelIcon(m.channel), sms ? t("outbox.channel.sms") : t("outbox.channel.email")),
    h("h2", { class: "msg__subject", id: titleId }, subject),
    facts([
      [t("outbox.to"), (m.to || []).join(", ")],
      [t("outbox.from"), m.from || ""],
    ]),
    m.html
      ? // Its own page, not srcdoc: a srcdoc frame would live under the portal's policy, which refuses
        // the inline styles every email carries; the page's policy allows those and no script.
        h("iframe", {
          class: "msg__html",
          sandbox: "",
          src: apiUrl(`/dev/outbox/body?id=${encodeURIComponent(m.id || "")}`),
          title: t("outbox.body", { subject }),
          referrerpolicy: "no-referrer",
        })
      : h("pre", { class: "msg__text" }, m.body || ""),
  );
}

export async function outboxView(ctx) {
  ctx.title(t("outbox.title"));
  const code = (ctx.query.get("code") || "").trim();
  const heading = h("h1", {}, t("outbox.title"));
  const load = () => get("/dev/outbox", { auth: false, query: { code } });
  let data;
  try {
    data = await load();
  } catch (error) {
    const missing = error instanceof ApiError && error.status === 404;
    ctx.render(heading, missing ? notice(t("outbox.unavailable"), "info") : errorBlock(error, ctx.reload));
    return;
  }

  const inputId = nextId("outbox-code");
  const input = h("input", { type: "search", id: inputId, name: "code", value: code, autocomplete: "off", spellcheck: "false", class: "code", "aria-describedby": `${inputId}-hint` });
  const filter = h(
    "form",
    {
      class: "search outbox__filter",
      role: "search",
      onsubmit: (event) => {
        event.preventDefault();
        const value = input.value.trim();
        ctx.navigate(value ? `#/outbox?code=${encodeURIComponent(value)}` : "#/outbox");
      },
    },
    h(
      "div",
      { class: "field" },
      h("label", { for: inputId, class: "field__label" }, t("outbox.filter")),
      h("p", { class: "field__hint", id: `${inputId}-hint` }, t("track.hint")),
      h("div", { class: "search__row" }, input, h("button", { type: "submit", class: "btn btn--primary" }, t("outbox.filter.submit"))),
    ),
    code ? h("p", {}, h("a", { href: "#/outbox" }, t("outbox.filter.clear"))) : null,
  );

  const counts = h("p", { class: "outbox__counts", role: "status" });
  const list = h("div", { class: "outbox__list" });
  const problem = h("div");
  const refresh = h("button", { type: "button", class: "btn btn--secondary btn--small" }, t("outbox.refresh"));
  let shown = null;

  function paint(answer) {
    const messages = answer?.messages || [];
    // Unchanged since the last look: leave the page as it is (no iframe reloads, no re-reading).
    const key = messages.map((m) => `${m.channel}:${m.id}`).join("|");
    if (key === shown) return;
    shown = key;
    counts.textContent = t("outbox.counts", { emails: answer?.emails ?? 0, sms: answer?.sms ?? 0 });
    list.replaceChildren(
      messages.length ? h("ol", { class: "cards msgs" }, messages.map(messageCard)) : h("p", { class: "empty" }, t(code ? "outbox.empty.code" : "outbox.empty")),
    );
  }

  let busy = false;
  async function again() {
    if (busy || !ctx.alive()) return;
    busy = true;
    refresh.setAttribute("aria-busy", "true");
    try {
      paint(await load());
      problem.replaceChildren();
    } catch (error) {
      problem.replaceChildren(errorBlock(error));
    } finally {
      busy = false;
      refresh.removeAttribute("aria-busy");
    }
  }
  refresh.addEventListener("click", again);

  paint(data);
  const shownNow = ctx.render(
    heading,
    h("p", { class: "lead" }, t("outbox.intro")),
    filter,
    h("div", { class: "outbox__bar" }, counts, refresh, h("p", { class: "outbox__auto muted" }, t("outbox.auto"))),
    problem,
    list,
  );
  if (!shownNow) return;
  // Every 5 s while this page is the one open (a new route ends it) and the tab is visible.
  const timer = setInterval(() => {
    if (!ctx.alive()) {
      clearInterval(timer);
      return;
    }
    if (!document.hidden) again();
  }, REFRESH_MS);
}
