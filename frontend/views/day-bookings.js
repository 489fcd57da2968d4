// #/appointments/day?centre=<id>&day=<YYYY-MM-DD> — the day's bookings of a centre, for the receiving
// officers and leaders of its counters' agencies: by slot, who (the name masked), the service, the state
// (booked, checked in, called, no-show, cancelled) and the no-shows (docs/counter.md). Linked from the
// counter console.

import { encode, get, session } from "../api.js";
import { h, notice } from "../dom.js";
import { dayKey, t, tx } from "../i18n.js";
import { backLink, errorBlock } from "./common.js";

const TZ = "Asia/Ho_Chi_Minh";
const REFRESH_MS = 15000;
const STATES = ["booked", "checked_in", "called", "no_show", "cancelled"];

function hhmm(iso) {
  return new Intl.DateTimeFormat("en-GB", { hour: "2-digit", minute: "2-digit", hour12: false, timeZone: TZ }).format(new Date(iso));
}

function stateBadge(booking) {
  const label = t(`dayappt.state.${booking.state}`);
  return h("span", { class: `badge dayappt__state dayappt__state--${booking.state}`, "data-state": booking.state }, label);
}

function bookingRow(booking) {
  const where = booking.ticket ? (booking.counter ? t("dayappt.ticket.at", { ticket: booking.ticket, counter: booking.counter }) : booking.ticket) : "";
  return h(
    "tr",
    { "data-state": booking.state, "data-ticket": booking.ticket || "" },
    h("td", {}, `${hhmm(booking.start)}–${hhmm(booking.end)}`),
    h("td", { class: "dayappt__name" }, booking.name),
    h("td", {}, `${booking.service} — ${tx(booking.service_name)}`),
    h("td", {}, stateBadge(booking)),
    h("td", {}, where),
  );
}

function table(caption, bookings) {
  return h(
    "div",
    { class: "table-wrap" },
    h(
      "table",
      { class: "dayappt__table" },
      h("caption", {}, caption),
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          ["dayappt.col.slot", "dayappt.col.who", "dayappt.col.service", "dayappt.col.state", "dayappt.col.ticket"].map((key) =>
            h("th", { scope: "col" }, t(key)),
          ),
        ),
      ),
      h("tbody", {}, bookings.map(bookingRow)),
    ),
  );
}

export async function dayBookingsView(ctx) {
  ctx.title(t("dayappt.title"));
  const agency = session()?.claims?.["custom:agency_code"];
  const { items } = await get("/centres");
  const mine = items.filter((centre) => centre.counters.some((c) => c.agency === agency));
  if (!mine.length) {
    ctx.render(h("h1", {}, t("dayappt.title")), notice(t("queue.counter.none"), "info"));
    return;
  }
  const centre = mine.find((c) => c.id === ctx.query.get("centre")) || mine[0];
  const day = ctx.query.get("day") || dayKey(new Date());
  const go = (centreId, dayValue) => {
    location.hash = `#/appointments/day?centre=${encodeURIComponent(centreId)}&day=${encodeURIComponent(dayValue)}`;
  };
  const centrePick = h(
    "select",
    { id: "dayappt-centre", class: "field__control", onchange: (e) => go(e.target.value, day) },
    mine.map((c) => h("option", { value: c.id, selected: c.id === centre.id }, tx(c.name))),
  );
  const dayPick = h("input", {
    id: "dayappt-day",
    type: "date",
    class: "field__control",
    value: day,
    onchange: (e) => e.target.value && go(centre.id, e.target.value),
  });
  const controls = h(
    "div",
    { class: "dayappt__controls" },
    h("div", { class: "field" }, h("label", { for: "dayappt-centre", class: "field__label" }, t("dayappt.centre")), centrePick),
    h("div", { class: "field" }, h("label", { for: "dayappt-day", class: "field__label" }, t("dayappt.day")), dayPick),
  );
  const body = h("div", { class: "dayappt__body", "aria-live": "polite" });
  ctx.render(
    backLink("#/counter", t("queue.counter.title")),
    h("h1", {}, t("dayappt.title")),
    controls,
    body,
  );

  const draw = async () => {
    let found;
    try {
      found = await get(`/centres/${encode(centre.id)}/appointments?day=${encodeURIComponent(day)}`);
    } catch (error) {
      if (ctx.alive()) body.replaceChildren(errorBlock(error));
      return;
    }
    if (!ctx.alive()) return;
    const counts = h(
      "ul",
      { class: "dayappt__counts" },
      STATES.map((state) => h("li", { "data-state": state }, `${t(`dayappt.state.${state}`)}: `, h("strong", {}, String(found.counts[state] ?? 0)))),
    );
    const slots = found.slots.length
      ? found.slots.map((slot) =>
          h(
            "section",
            { class: "dayappt__slot", "aria-label": `${hhmm(slot.start)}–${hhmm(slot.end)}` },
            table(t("dayappt.slot", { from: hhmm(slot.start), to: hhmm(slot.end), n: slot.bookings.length }), slot.bookings),
          ),
        )
      : [notice(t("dayappt.none"), "info")];
    body.replaceChildren(
      h("h2", { id: "dayappt-summary" }, t("dayappt.summary")),
      counts,
      h("h2", { id: "dayappt-slots" }, t("dayappt.slots")),
      ...slots,
      h("h2", { id: "dayappt-noshows" }, t("dayappt.noshows")),
      found.no_shows.length ? table(t("dayappt.noshows"), found.no_shows) : h("p", {}, t("dayappt.noshows.none")),
    );
  };
  await draw();
  const refresh = async () => {
    if (!ctx.alive()) return;
    await draw();
    setTimeout(refresh, REFRESH_MS);
  };
  setTimeout(refresh, REFRESH_MS);
}
