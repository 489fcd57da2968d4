// Queue tickets (bấm số thứ tự), public, no sign-in (docs/counter.md):
//   #/kiosk/<centre>                 the touch-screen kiosk: a service, a priority if any, a printed ticket
//   #/board/<centre>                 the TV board: the number at each counter, the next ones, calls announced
//   #/queue/<centre>/<day>/<ticket>  a ticket's place, opened from the QR on the printed ticket

import { apiUrl, encode, get, post } from "../api.js";
import { h, notice } from "../dom.js";
import { formatDate, formatDateTime, lang, loadStrings, setLang, t, tx } from "../i18n.js";
import { appointmentCheckIn } from "./appointments.js";

const KINDS = ["walk_in", "elderly", "disability", "pregnant", "small_children"];
const POLL_MS = 1500; // the board sees a call within two seconds
const TICKET_POLL_MS = 5000;

/** The kiosk and the board fill the screen: no site header, footer or menu. */
function fullScreen(ctx, name) {
  const classes = ["queue-screen", `queue-screen--${name}`];
  document.body.classList.add(...classes);
  const onChange = () =>
    setTimeout(() => {
      if (ctx.alive()) return;
      document.body.classList.remove(...classes);
      window.removeEventListener("hashchange", onChange);
    }, 0);
  window.addEventListener("hashchange", onChange);
}

function langSwitch(ctx) {
  const other = lang() === "vi" ? "en" : "vi";
  return h(
    "button",
    {
      type: "button",
      class: "btn btn--secondary queue-lang",
      lang: other,
      onclick: async () => {
        await loadStrings(other);
        setLang(other);
        ctx.reload();
      },
    },
    other === "en" ? "English" : "Tiếng Việt",
  );
}

function closedText(kiosk) {
  const when = kiosk.next_open ? `${timeOf(kiosk.next_open)} ${formatDate(kiosk.next_open)}` : "";
  return when ? t("queue.closed.until", { when }) : t("queue.closed");
}

function timeOf(iso) {
  return formatDateTime(iso).split(" ").find((part) => /\d{1,2}:\d{2}/.test(part)) || "";
}

// ---------------------------------------------------------------------------------------------
// The kiosk

export async function kioskView(ctx) {
  const centreId = ctx.params[0];
  fullScreen(ctx, "kiosk");
  const kiosk = await get(`/centres/${encode(centreId)}/kiosk`, { auth: false });
  const centre = kiosk.centre;
  ctx.title(`${t("queue.kiosk.title")} — ${tx(centre.name)}`);
  const stage = h("div", { class: "kiosk__stage" });
  const head = h(
    "header",
    { class: "kiosk__head" },
    h("div", {}, h("h1", { class: "kiosk__title" }, t("queue.kiosk.title")), h("p", { class: "kiosk__centre" }, tx(centre.name))),
    langSwitch(ctx),
  );
  ctx.render(h("div", { class: "kiosk" }, head, stage));

  const show = (...nodes) => {
    stage.replaceChildren(...nodes.flat().filter(Boolean));
    const heading = stage.querySelector("h2");
    if (heading) {
      heading.setAttribute("tabindex", "-1");
      heading.focus();
    }
  };

  const chooseService = () => {
    if (!kiosk.open) {
      show(h("h2", {}, t("queue.kiosk.closed")), notice(closedText(kiosk), "warning"), appointmentCheckIn(centre.id));
      return;
    }
    show(
      h("h2", {}, t("queue.kiosk.choose")),
      h(
        "div",
        { class: "kiosk__grid" },
        centre.services.map((service) =>
          h(
            "button",
            { type: "button", class: "kiosk__button", onclick: () => choosePriority(service) },
            h("span", { class: "kiosk__letter", "aria-hidden": "true" }, service.code),
            h("span", {}, tx(service.name)),
          ),
        ),
      ),
      appointmentCheckIn(centre.id),
    );
  };

  const choosePriority = (service) => {
    show(
      h("h2", {}, t("queue.kiosk.priority")),
      h("p", { class: "kiosk__hint" }, tx(service.name)),
      h(
        "div",
        { class: "kiosk__grid kiosk__grid--kinds" },
        KINDS.map((kind) =>
          h(
            "button",
            { type: "button", class: `kiosk__button${kind === "walk_in" ? " kiosk__button--plain" : ""}`, onclick: () => take(service, kind) },
            t(`queue.kind.${kind}`),
          ),
        ),
      ),
      h("button", { type: "button", class: "btn btn--secondary kiosk__back", onclick: chooseService }, t("queue.kiosk.back")),
    );
  };

  const take = async (service, kind) => {
    let ticket;
    try {
      ticket = await post(`/centres/${encode(centre.id)}/tickets`, { service: service.code, kind }, { auth: false });
    } catch (error) {
      show(
        h("h2", {}, t("queue.kiosk.none")),
        notice(error.message, "error"),
        h("button", { type: "button", class: "btn btn--primary kiosk__back", onclick: chooseService }, t("queue.kiosk.again")),
      );
      return;
    }
    show(
      h("h2", {}, t("queue.kiosk.yours")),
      printedTicket(centre, ticket),
      h(
        "div",
        { class: "kiosk__actions" },
        h("button", { type: "button", class: "btn btn--primary kiosk__print", onclick: () => window.print() }, t("queue.kiosk.print")),
        h("button", { type: "button", class: "btn btn--secondary", onclick: nextPerson }, t("queue.kiosk.done")),
      ),
    );
  };

  // The next person finds the kiosk in Vietnamese again.
  const nextPerson = async () => {
    if (lang() === "vi") {
      chooseService();
      return;
    }
    await loadStrings("vi");
    setLang("vi");
    ctx.reload();
  };

  chooseService();
}

/** The 80 mm ticket: number, service, time, people ahead and the QR of its page (print CSS). */
function printedTicket(centre, ticket) {
  return h(
    "section",
    { class: "queue-ticket", "aria-label": t("queue.ticket.label", { id: ticket.id }) },
    h("p", { class: "queue-ticket__centre" }, tx(centre.name)),
    h("p", { class: "queue-ticket__number", "data-ticket": ticket.id }, ticket.id),
    h("p", { class: "queue-ticket__service" }, tx(ticket.service_name)),
    ticket.kind !== "walk_in" ? h("p", { class: "queue-ticket__kind" }, t(`queue.kind.${ticket.kind}`)) : null,
    h("p", { class: "queue-ticket__ahead" }, t("queue.ticket.ahead", { n: ticket.ahead })),
    h("p", { class: "queue-ticket__time" }, formatDateTime(ticket.issued_at)),
    ticket.qr ? h("img", { class: "queue-ticket__qr", src: ticket.qr, alt: t("queue.ticket.qr"), width: "128", height: "128" }) : null,
    h("p", { class: "queue-ticket__hint" }, t("queue.ticket.follow")),
  );
}

// ---------------------------------------------------------------------------------------------
// The board

export async function boardView(ctx) {
  const centreId = ctx.params[0];
  fullScreen(ctx, "board");
  const url = apiUrl(`/centres/${encode(centreId)}/board`);
  let etag = null;
  let board = null;
  const seen = new Map(); // counter -> the call's seq last shown
  const sound = { on: false, audio: null };
  const live = h("p", { class: "board__live", role: "status", "aria-live": "assertive" });
  const root = h("div", { class: "board" });

  const load = async () => {
    const headers = { Accept: "application/json", "Accept-Language": lang() };
    if (etag) headers["If-None-Match"] = etag;
    const response = await fetch(url, { headers, credentials: "omit", cache: "no-store" });
    if (response.status === 304) return false;
    if (!response.ok) throw new Error(t("error.generic"));
    etag = response.headers.get("ETag");
    board = await response.json();
    return true;
  };

  const draw = () => {
    ctx.title(`${t("queue.board.title")} — ${tx(board.name)}`);
    root.replaceChildren(
      h(
        "header",
        { class: "board__head" },
        h("h1", { class: "board__title" }, tx(board.name)),
        h(
          "button",
          {
            type: "button",
            class: "btn btn--secondary board__sound",
            "aria-pressed": String(sound.on),
            onclick: (event) => {
              sound.on = !sound.on;
              if (sound.on && !sound.audio && window.AudioContext) sound.audio = new AudioContext();
              event.currentTarget.setAttribute("aria-pressed", String(sound.on));
            },
          },
          t("queue.board.sound"),
        ),
      ),
      board.open ? null : h("p", { class: "board__closed" }, closedText(board)),
      h(
        "div",
        { class: "board__body" },
        h(
          "table",
          { class: "board__calls" },
          h("caption", {}, t("queue.board.calls")),
          h("thead", {}, h("tr", {}, h("th", { scope: "col" }, t("queue.board.counter")), h("th", { scope: "col" }, t("queue.board.number")))),
          h(
            "tbody",
            {},
            board.calls.map((call) =>
              h(
                "tr",
                { class: `board__call${call.ticket ? "" : " board__call--free"}`, "data-counter": String(call.counter) },
                h("th", { scope: "row" }, tx(call.name)),
                h("td", { class: "board__number" }, call.ticket || "—"),
              ),
            ),
          ),
        ),
        h(
          "section",
          { class: "board__next", "aria-labelledby": "board-next" },
          h("h2", { id: "board-next" }, t("queue.board.next")),
          board.next.length
            ? h("ol", { class: "board__next-list" }, board.next.map((w) => h("li", { "data-ticket": w.ticket }, w.ticket)))
            : h("p", {}, t("queue.board.nobody")),
          h(
            "p",
            { class: "board__waiting" },
            Object.entries(board.waiting)
              .map(([code, n]) => t("queue.board.waiting", { code, n }))
              .join(" · "),
          ),
        ),
      ),
      live,
    );
  };

  const announceCalls = (first) => {
    for (const call of board.calls) {
      const before = seen.get(call.counter);
      seen.set(call.counter, call.seq);
      if (first || !call.ticket || before === call.seq) continue;
      const counterName = tx(call.name);
      live.textContent = t("queue.board.call", { ticket: call.ticket, counter: counterName });
      live.dataset.ticket = call.ticket;
      speak(call, sound);
    }
  };

  await load();
  ctx.render(root);
  draw();
  announceCalls(true);
  const tick = async () => {
    if (!ctx.alive()) return;
    try {
      if (await load()) {
        draw();
        announceCalls(false);
      }
    } catch {
      /* the next poll tries again; the board keeps what it shows */
    }
    setTimeout(tick, POLL_MS);
  };
  setTimeout(tick, POLL_MS);
}

/** Say the call in Vietnamese when the browser has a Vietnamese voice; a chime otherwise. */
function speak(call, sound) {
  if (!sound.on) return;
  const synth = window.speechSynthesis;
  const voice = synth?.getVoices().find((v) => v.lang && v.lang.toLowerCase().startsWith("vi"));
  if (synth && voice) {
    const spelled = call.ticket.replace("-", " ").split("").join(" ");
    const utterance = new SpeechSynthesisUtterance(`Mời số ${spelled} đến quầy số ${call.counter}`);
    utterance.voice = voice;
    utterance.lang = voice.lang;
    synth.speak(utterance);
    return;
  }
  chime(sound);
}

function chime(sound) {
  const audio = sound.audio;
  if (!audio) return;
  const now = audio.currentTime;
  [880, 660].forEach((frequency, i) => {
    const osc = audio.createOscillator();
    const gain = audio.createGain();
    osc.frequency.value = frequency;
    gain.gain.setValueAtTime(0.0001, now + i * 0.35);
    gain.gain.exponentialRampToValueAtTime(0.3, now + i * 0.35 + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, now + i * 0.35 + 0.3);
    osc.connect(gain).connect(audio.destination);
    osc.start(now + i * 0.35);
    osc.stop(now + i * 0.35 + 0.32);
  });
}

// ---------------------------------------------------------------------------------------------
// A ticket's place, on the citizen's phone

export async function queueTicketView(ctx) {
  const [centreId, day, ticketId] = ctx.params;
  const path = `/centres/${encode(centreId)}/tickets/${encode(day)}/${encode(ticketId)}`;
  const ticket = await get(path, { auth: false });
  ctx.title(`${t("queue.ticket.title")} ${ticket.id}`);
  const state =
    ticket.state === "waiting"
      ? t("queue.ticket.ahead", { n: ticket.ahead })
      : ticket.state === "called"
        ? t("queue.ticket.called", { counter: tx(ticket.counter_name) })
        : t(`queue.state.${ticket.state}`);
  ctx.render(
    h("h1", {}, t("queue.ticket.title"), " ", h("span", { class: "queue-place__number" }, ticket.id)),
    h("p", { class: "queue-place__service" }, tx(ticket.service_name), " · ", formatDate(ticket.day)),
    h("p", { class: `queue-place__state queue-place__state--${ticket.state}`, role: "status" }, state),
    h("p", { class: "field__hint" }, t("queue.ticket.refresh")),
  );
  if (ticket.state === "waiting" || ticket.state === "called") {
    setTimeout(() => {
      if (ctx.alive()) ctx.reload();
    }, TICKET_POLL_MS);
  }
}
