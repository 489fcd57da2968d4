// #/counter — the counter console (quầy tiếp nhận): the receiving officer picks their counter (remembered
// in this browser), calls the next ticket, recalls, marks a no-show, finishes, transfers, sees how many
// wait per service, and starts the walk-in intake from the ticket (docs/counter.md).

import { encode, get, post, session } from "../api.js";
import { h, notice } from "../dom.js";
import { t, tx } from "../i18n.js";

const KEY = "motcua.counter"; // {centre, counter} last chosen in this browser
const REFRESH_MS = 3000;

function remembered() {
  try {
    return JSON.parse(localStorage.getItem(KEY) || "null");
  } catch {
    return null;
  }
}

export async function counterView(ctx) {
  ctx.title(t("queue.counter.title"));
  const agency = session()?.claims?.["custom:agency_code"];
  const { items } = await get("/centres");
  const mine = items.flatMap((centre) => centre.counters.filter((c) => c.agency === agency).map((c) => ({ centre, counter: c })));
  const chosen = remembered();
  const current = mine.find((m) => chosen && m.centre.id === chosen.centre && m.counter.number === chosen.counter);
  const picker = h(
    "select",
    {
      id: "counter-pick",
      class: "field__control",
      onchange: (event) => {
        const [centre, number] = event.target.value.split("/");
        localStorage.setItem(KEY, JSON.stringify({ centre, counter: Number(number) }));
        ctx.reload();
      },
    },
    h("option", { value: "" }, t("queue.counter.choose")),
    mine.map((m) =>
      h(
        "option",
        { value: `${m.centre.id}/${m.counter.number}`, selected: current === m },
        `${tx(m.centre.name)} — ${tx(m.counter.name)}`,
      ),
    ),
  );
  const choose = h(
    "div",
    { class: "field counter__pick" },
    h("label", { for: "counter-pick", class: "field__label" }, t("queue.counter.which")),
    picker,
  );
  if (!current) {
    ctx.render(h("h1", {}, t("queue.counter.title")), mine.length ? choose : notice(t("queue.counter.none"), "info"));
    return;
  }
  const base = `/centres/${encode(current.centre.id)}/counters/${current.counter.number}`;
  const panel = h("div", { class: "counter__panel" });
  const message = h("div", { class: "counter__message", role: "status" });
  const bookings = h(
    "p",
    { class: "counter__bookings" },
    h("a", { href: `#/appointments/day?centre=${encodeURIComponent(current.centre.id)}` }, t("dayappt.link")),
  );
  ctx.render(h("h1", {}, t("queue.counter.title")), choose, bookings, message, panel);

  const act = async (path, body = {}) => {
    try {
      await post(`${base}/${path}`, body);
      message.replaceChildren();
    } catch (error) {
      message.replaceChildren(notice(error.message, "error"));
    }
    await draw();
    // The buttons were drawn again: the focus goes back to the one pressed (or "call next").
    const again = panel.querySelector(`[data-action="${path}"]:not([disabled])`) || panel.querySelector('[data-action="next"]');
    again?.focus();
  };

  const draw = async () => {
    const state = await get(base);
    if (!ctx.alive()) return;
    const call = state.call;
    const centre = state.centre;
    const ticket = call.ticket;
    const transferTo = h(
      "select",
      { id: "transfer-to", class: "field__control" },
      centre.services.map((s) => h("option", { value: `service:${s.code}` }, `${t("queue.counter.service")} ${s.code} — ${tx(s.name)}`)),
      centre.counters
        .filter((c) => c.number !== state.counter)
        .map((c) => h("option", { value: `counter:${c.number}` }, tx(c.name))),
    );
    const intake = ticket
      ? `#/desk/intake?ticket=${encodeURIComponent(ticket)}&service=${encodeURIComponent(call.service)}&centre=${encodeURIComponent(centre.id)}`
      : null;
    panel.replaceChildren(
      h(
        "section",
        { class: "counter__now", "aria-labelledby": "counter-now" },
        h("h2", { id: "counter-now" }, tx(current.counter.name)),
        h("p", { class: "counter__ticket", "data-ticket": ticket || "" }, ticket || t("queue.counter.free")),
        h(
          "div",
          { class: "counter__actions" },
          h("button", { type: "button", class: "btn btn--primary", "data-action": "next", onclick: () => act("next") }, t("queue.counter.next")),
          h("button", { type: "button", class: "btn btn--secondary", disabled: !ticket, "data-action": "recall", onclick: () => act("recall") }, t("queue.counter.recall")),
          h("button", { type: "button", class: "btn btn--secondary", disabled: !ticket, "data-action": "no-show", onclick: () => act("no-show") }, t("queue.counter.noshow")),
          h("button", { type: "button", class: "btn btn--secondary", disabled: !ticket, "data-action": "done", onclick: () => act("done") }, t("queue.counter.done")),
          intake ? h("a", { class: "btn btn--primary counter__intake", href: intake }, t("queue.counter.intake")) : null,
        ),
        ticket
          ? h(
              "div",
              { class: "counter__transfer" },
              h("label", { for: "transfer-to", class: "field__label" }, t("queue.counter.transfer.to")),
              transferTo,
              h(
                "button",
                {
                  type: "button",
                  class: "btn btn--secondary",
                  onclick: () => {
                    const [kind, value] = transferTo.value.split(":");
                    act("transfer", kind === "service" ? { service: value } : { counter: Number(value) });
                  },
                },
                t("queue.counter.transfer"),
              ),
            )
          : null,
      ),
      h(
        "section",
        { class: "counter__waiting", "aria-labelledby": "counter-waiting" },
        h("h2", { id: "counter-waiting" }, t("queue.counter.waiting")),
        h(
          "ul",
          {},
          centre.services.map((s) =>
            h("li", { "data-service": s.code }, `${s.code} — ${tx(s.name)}: `, h("strong", {}, String(state.waiting[s.code] ?? 0))),
          ),
        ),
        state.mine.length
          ? h("p", {}, t("queue.counter.mine"), " ", state.mine.map((w) => w.ticket).join(", "))
          : h("p", {}, t("queue.board.nobody")),
      ),
    );
  };

  await draw();
  const refresh = async () => {
    if (!ctx.alive()) return;
    // Not while the officer is on the panel (choosing where to transfer…): it would be drawn again under them.
    const focused = document.activeElement;
    if (!panel.contains(focused) || focused.dataset.action) {
      try {
        await draw();
        // A button that had the focus has it again once drawn anew.
        if (focused?.dataset.action) panel.querySelector(`[data-action="${focused.dataset.action}"]`)?.focus();
      } catch {
        /* the next refresh tries again */
      }
    }
    setTimeout(refresh, REFRESH_MS);
  };
  setTimeout(refresh, REFRESH_MS);
}
