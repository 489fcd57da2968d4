// Appointments (docs/counter.md): #/appointments books a place in a slot (centre, service, day, slot with
// free places), #/me/appointments lists the citizen's with cancel, #/checkin[/<code>] checks one in at the
// kiosk (the QR of the booking's email opens it; a kiosk opens #/checkin?centre=<id>).

import { ApiError, encode, get, isCitizen, post } from "../api.js";
import { lang, t, tx } from "../i18n.js";
import { facts, h, notice } from "../dom.js";
import { backLink, errorBlock } from "./common.js";

const TZ = "Asia/Ho_Chi_Minh";

function hhmm(iso) {
  return new Intl.DateTimeFormat("en-GB", { hour: "2-digit", minute: "2-digit", hour12: false, timeZone: TZ }).format(new Date(iso));
}

function dayLabel(isoDay) {
  const locale = lang() === "en" ? "en-GB" : "vi-VN";
  // The day's noon in Vietnam: the same calendar day in any browser's time zone.
  const date = new Date(`${isoDay}T12:00:00+07:00`);
  return new Intl.DateTimeFormat(locale, { weekday: "long", day: "2-digit", month: "2-digit", year: "numeric", timeZone: TZ }).format(date);
}

function dayOf(iso) {
  return new Intl.DateTimeFormat("en-CA", { timeZone: TZ }).format(new Date(iso));
}

function when(b) {
  return `${hhmm(b.start)}–${hhmm(b.end)}, ${dayLabel(dayOf(b.start))}`;
}

function select(name, options, value) {
  return h(
    "select",
    { name, id: `appt-${name}`, class: "input" },
    options.map(([v, label]) => h("option", { value: v, selected: v === value }, label)),
  );
}

function labelled(name, label, control) {
  return h("div", { class: "field" }, h("label", { class: "field__label", for: control.id }, label), control);
}

/** The booking's facts: code, state, when, where. */
function bookingFacts(b) {
  return facts([
    [t("appt.code"), h("strong", { class: "appt__code" }, b.code)],
    [t("appt.state"), t(`appt.state.${b.state}`)],
    [t("appt.service"), tx(b.service_name)],
    [t("appt.when"), when(b)],
    [t("appt.where"), `${tx(b.centre_name)} — ${tx(b.centre_address)}`],
    ...(b.ticket ? [[t("appt.ticket"), h("strong", {}, b.ticket)]] : []),
  ]);
}

// --- #/appointments -------------------------------------------------------------------------

export async function bookView(ctx) {
  ctx.title(t("appt.title"));
  const head = [h("h1", {}, t("appt.title")), h("p", { class: "lead" }, t("appt.intro"))];
  let centres;
  try {
    centres = (await get("/appointments/centres", { auth: false })).items;
  } catch (error) {
    ctx.render(head, errorBlock(error, ctx.reload));
    return;
  }
  if (!centres.length) {
    ctx.render(head, notice(t("appt.none"), "info"));
    return;
  }
  const state = { centre: ctx.query.get("centre") || centres[0].id, service: ctx.query.get("service"), day: ctx.query.get("day") };
  const slotsBox = h("div", { class: "appt-slots", "aria-live": "polite" });
  const message = h("div", { class: "appt-message" });
  const form = h("form", { class: "appt-form panel", novalidate: true });

  function centre() {
    return centres.find((c) => c.id === state.centre) || centres[0];
  }

  function build() {
    const c = centre();
    if (!c.services.some((s) => s.code === state.service)) state.service = c.services[0].code;
    if (!c.days.includes(state.day)) state.day = c.days[0];
    const centreSel = select("centre", centres.map((x) => [x.id, tx(x.name)]), c.id);
    const serviceSel = select("service", c.services.map((s) => [s.code, `${s.code} — ${tx(s.name)}`]), state.service);
    const daySel = select("day", c.days.map((d) => [d, dayLabel(d)]), state.day);
    centreSel.addEventListener("change", () => {
      state.centre = centreSel.value;
      build();
    });
    serviceSel.addEventListener("change", () => {
      state.service = serviceSel.value;
      loadSlots();
    });
    daySel.addEventListener("change", () => {
      state.day = daySel.value;
      loadSlots();
    });
    form.replaceChildren(
      labelled("centre", t("appt.centre"), centreSel),
      h("p", { class: "field__hint" }, tx(c.address)),
      labelled("service", t("appt.service"), serviceSel),
      labelled("day", t("appt.day"), daySel),
      slotsBox,
      message,
    );
    loadSlots();
  }

  async function loadSlots(preselect) {
    message.replaceChildren();
    slotsBox.replaceChildren(h("p", { class: "loading" }, t("loading")));
    let day;
    try {
      day = await get("/appointments/slots", { auth: false, query: { centre: state.centre, service: state.service, day: state.day } });
    } catch (error) {
      slotsBox.replaceChildren(errorBlock(error, () => loadSlots()));
      return;
    }
    const free = day.slots.filter((s) => s.free > 0);
    const radios = day.slots.map((s) => {
      const id = `slot-${s.start.slice(11, 16).replace(":", "")}`;
      const input = h("input", { type: "radio", name: "slot", id, value: s.start, disabled: s.free === 0, checked: s.start === preselect });
      return h(
        "li",
        { class: `appt-slot${s.free === 0 ? " appt-slot--full" : ""}` },
        input,
        h("label", { for: id }, h("span", { class: "appt-slot__time" }, `${hhmm(s.start)}–${hhmm(s.end)}`), " ", h("span", { class: "appt-slot__free" }, s.free === 0 ? t("appt.full") : t("appt.free", { n: s.free }))),
      );
    });
    const submit = h("button", { type: "submit", class: "btn btn--primary btn--large" }, t("appt.book"));
    slotsBox.replaceChildren(
      h(
        "fieldset",
        { class: "fieldset appt-slots__set" },
        h("legend", { class: "fieldset__legend" }, t("appt.slot")),
        free.length ? null : h("p", {}, t("appt.dayfull")),
        h("ul", { class: "appt-slot-list" }, radios),
      ),
      submit,
    );
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const chosen = form.querySelector("input[name=slot]:checked");
    if (!chosen) {
      message.replaceChildren(notice(t("appt.choose"), "error"));
      message.querySelector(".notice")?.focus?.();
      return;
    }
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      const booking = await post("/appointments", { centre: state.centre, service: state.service, start: chosen.value });
      done(booking);
    } catch (error) {
      button.disabled = false;
      const next = error instanceof ApiError ? error.body?.error?.next_slots || [] : [];
      const offers = next.map((s) =>
        h(
          "button",
          {
            type: "button",
            class: "btn btn--secondary appt-next",
            onclick: () => {
              state.day = dayOf(s.start);
              build();
              loadSlots(s.start);
            },
          },
          `${hhmm(s.start)} ${dayLabel(dayOf(s.start))} — ${t("appt.free", { n: s.free })}`,
        ),
      );
      message.replaceChildren(notice(error.message, "error", offers.length ? [h("p", {}, t("appt.next")), h("div", { class: "appt-next-list" }, offers)] : []));
      if (error instanceof ApiError && error.code === "slot_full") loadSlots();
    }
  });

  function done(booking) {
    ctx.render(
      h("h1", { tabindex: "-1" }, t("appt.done")),
      notice(t("appt.sent"), "success"),
      bookingFacts(booking),
      h("p", {}, t("appt.howto")),
      h("p", {}, h("a", { href: "#/me/appointments", class: "btn btn--secondary" }, t("appt.mine"))),
    );
    ctx.title(t("appt.done"));
    document.querySelector("#main h1")?.focus();
  }

  ctx.render(head, h("p", {}, h("a", { href: "#/me/appointments" }, t("appt.mine"))), form);
  build();
}

// --- #/me/appointments ----------------------------------------------------------------------

export async function myAppointmentsView(ctx) {
  ctx.title(t("appt.mine"));
  const head = [backLink("#/me", t("me.title")), h("h1", {}, t("appt.mine"))];
  if (!isCitizen()) {
    ctx.render(head, notice(t("me.citizen"), "warning"));
    return;
  }
  let items;
  try {
    items = (await get("/me/appointments")).items;
  } catch (error) {
    ctx.render(head, errorBlock(error, ctx.reload));
    return;
  }
  const status = h("div", { class: "appt-message", role: "status" });
  const now = Date.now();
  const cards = items.map((b) => {
    const cancel =
      b.state === "booked" && new Date(b.start).getTime() > now
        ? h(
            "button",
            {
              type: "button",
              class: "btn btn--secondary appt-cancel",
              "aria-label": t("appt.cancel.of", { code: b.code }),
              onclick: async (event) => {
                event.target.disabled = true;
                try {
                  await post(`/appointments/${encode(b.code)}/cancel`, {});
                  await ctx.reload();
                  document.querySelector(".appt-message")?.replaceChildren(notice(t("appt.cancelled", { code: b.code }), "success"));
                } catch (error) {
                  event.target.disabled = false;
                  status.replaceChildren(errorBlock(error));
                }
              },
            },
            t("appt.cancel"),
          )
        : null;
    return h("li", { class: `card appt-card appt-card--${b.state}` }, h("h2", { class: "card__title" }, `${tx(b.service_name)} — ${when(b)}`), bookingFacts(b), cancel);
  });
  ctx.render(
    head,
    status,
    h("p", {}, h("a", { href: "#/appointments", class: "btn btn--primary" }, t("appt.new"))),
    items.length ? h("ul", { class: "cards appt-cards" }, cards) : h("p", {}, t("appt.empty")),
  );
}

// --- #/checkin[/<code>][?centre=<id>] ----------------------------------------------------------

/** The kiosk's way to the check-in of an appointment (open or closed: a booking's window decides). */
export function appointmentCheckIn(centreId) {
  return h("p", { class: "kiosk__appointment" }, h("a", { href: `#/checkin?centre=${encode(centreId)}`, class: "btn btn--secondary btn--large" }, t("checkin.fromkiosk")));
}

export async function checkInView(ctx) {
  ctx.title(t("checkin.title"));
  const centre = ctx.query.get("centre") || undefined;
  const input = h("input", {
    id: "checkin-code",
    name: "code",
    class: "input checkin__code",
    autocomplete: "off",
    autocapitalize: "characters",
    spellcheck: "false",
    value: ctx.params[0] || "",
  });
  const result = h("div", { class: "checkin__result", "aria-live": "polite" });
  const form = h(
    "form",
    { class: "checkin panel", novalidate: true },
    h("div", { class: "field" }, h("label", { class: "field__label", for: "checkin-code" }, t("checkin.code")), h("p", { class: "field__hint", id: "checkin-hint" }, t("checkin.hint")), input),
    h("button", { type: "submit", class: "btn btn--primary btn--large checkin__go" }, t("checkin.go")),
  );
  input.setAttribute("aria-describedby", "checkin-hint");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const code = input.value.trim().split("/").pop().toUpperCase();
    if (!code) {
      result.replaceChildren(notice(t("checkin.empty"), "error"));
      return;
    }
    try {
      const b = await post(`/appointments/${encode(code)}/check-in`, centre ? { centre } : {}, { auth: false });
      result.replaceChildren(
        h(
          "div",
          { class: "notice notice--success checkin__ok", role: "status" },
          h("p", { class: "checkin__big" }, b.ticket ? t("checkin.ticket", { ticket: b.ticket }) : t("checkin.ok")),
          h("p", {}, t("checkin.wait")),
        ),
        bookingFacts(b),
      );
      input.value = "";
    } catch (error) {
      result.replaceChildren(errorBlock(error));
    }
  });
  const back = centre ? h("p", {}, h("a", { href: `#/kiosk/${encode(centre)}` }, t("checkin.back"))) : null;
  ctx.render(h("h1", {}, t("checkin.title")), h("p", { class: "lead" }, t("checkin.intro")), form, result, back);
}

