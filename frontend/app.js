// The portal: hash routes, the header (language, menu, who is signed in) and each view's lifecycle.

import { POOL, clearSession, decodeJwt, get, isCitizen, isStaff, onSessionChange, roleCan, session, setUnauthorizedHandler, staffRole } from "./api.js";
import { announce, clearAnnouncement, h, loading, notice } from "./dom.js";
import { lang, loadStrings, setLang, t } from "./i18n.js";
import { catalogView } from "./views/catalog.js";
import { procedurePage } from "./views/catalog.js";
import { procedureView } from "./views/procedure.js";
import { fileView } from "./views/file.js";
import { receiptView } from "./views/receipt.js";
import { trackingView } from "./views/tracking.js";
import { meView, dossierView } from "./views/dossiers.js";
import { signInView, signUpView, staffSignInView } from "./views/auth.js";
import { inboxView, taskView } from "./views/inbox.js";
import { controlSlipView } from "./views/slip.js";
import { auditView } from "./views/audit.js";
import { escalationsView } from "./views/escalations.js";
import { accessLogView } from "./views/privacy.js";
import { verifyView } from "./views/verify.js";
import { outboxView } from "./views/outbox.js";
import { notificationsView } from "./views/notifications.js";
import { bookView, checkInView, myAppointmentsView } from "./views/appointments.js";
import { boardView, kioskView, queueTicketView } from "./views/queue.js";
import { counterView } from "./views/counter.js";
import { intakeView } from "./views/intake.js";
import { dayBookingsView } from "./views/day-bookings.js";
import { paymentView } from "./views/payment.js";
import { feedbackNewView, myFeedbackView, publicFeedbackView } from "./views/feedback.js";
import { feedbackDeskView, feedbackItemView } from "./views/feedback-desk.js";
import { statsDossiersView, statsView } from "./views/stats.js";
import { resultsView } from "./views/results.js";
import { rateLinkView } from "./views/rating.js";
import { ratingsView } from "./views/ratings-console.js";
import { paymentsDayView, reconciliationView } from "./views/reconciliation.js";

const RETURN_KEY = "motcua.return";

const ROUTES = [
  [/^\/?$/, catalogView],
  [/^\/procedures\/([^/]+)$/, procedureView],
  [/^\/file\/([^/]+)$/, fileView, { citizen: true }],
  [/^\/receipt\/([^/]+)$/, receiptView],
  [/^\/tracking(?:\/([^/]*))?$/, trackingView],
  [/^\/me$/, meView, { citizen: true }],
  [/^\/me\/notifications$/, notificationsView, { citizen: true }],
  [/^\/dossiers\/([^/]+)$/, dossierView, { signedIn: true }],
  [/^\/dossiers\/([^/]+)\/control-slip$/, controlSlipView, { signedIn: true }],
  [/^\/dossiers\/([^/]+)\/audit$/, auditView, { staff: true }],
  [/^\/sign-in$/, signInView],
  [/^\/sign-up$/, signUpView],
  [/^\/staff$/, staffSignInView],
  [/^\/inbox$/, inboxView, { staff: true }],
  [/^\/tasks\/([^/]+)$/, taskView, { staff: true }],
  [/^\/escalations$/, escalationsView, { staff: true }],
  [/^\/access-log$/, accessLogView, { staff: true }],
  [/^\/verify$/, verifyView],
  [/^\/outbox$/, outboxView],
  [/^\/appointments$/, bookView, { citizen: true }],
  [/^\/me\/appointments$/, myAppointmentsView, { citizen: true }],
  [/^\/checkin(?:\/([^/]*))?$/, checkInView],
  [/^\/kiosk\/([^/]+)$/, kioskView],
  [/^\/board\/([^/]+)$/, boardView],
  [/^\/queue\/([^/]+)\/([^/]+)\/([^/]+)$/, queueTicketView],
  [/^\/counter$/, counterView, { staff: true }],
  [/^\/desk\/intake$/, intakeView, { staff: true }],
  [/^\/appointments\/day$/, dayBookingsView, { staff: true }],
  [/^\/payments$/, paymentsDayView, { staff: true }],
  [/^\/payments\/reconciliation$/, reconciliationView, { staff: true }],
  [/^\/payments\/([^/]+)$/, paymentView, { signedIn: true }],
  [/^\/feedback\/new$/, feedbackNewView, { citizen: true }],
  [/^\/feedback\/public$/, publicFeedbackView],
  [/^\/me\/feedback$/, myFeedbackView, { citizen: true }],
  [/^\/feedback$/, feedbackDeskView, { staff: true }],
  [/^\/feedback\/(PAKN-[^/]+)$/, feedbackItemView, { staff: true }],
  [/^\/stats$/, statsView, { staff: true }],
  [/^\/stats\/dossiers$/, statsDossiersView, { staff: true }],
  [/^\/results$/, resultsView],
  [/^\/rate\/([^/]+)$/, rateLinkView],
  [/^\/ratings$/, ratingsView, { staff: true }],
];

const main = () => document.getElementById("main");
// Whether this deployment has the demo outbox (GET /v1/dev/outbox: the local stack only).
let outboxAvailable = false;
let renderSeq = 0;
let lastPath = null;

function parseHash() {
  const raw = location.hash.replace(/^#/, "") || "/";
  const [path, qs = ""] = raw.split("?");
  return { path, query: new URLSearchParams(qs) };
}

export function navigate(hash, { replace = false } = {}) {
  if (replace) {
    history.replaceState(null, "", hash);
    route();
  } else if (location.hash === hash) {
    route();
  } else {
    location.hash = hash;
  }
}

/** Remember where the user was going, then send them to sign in. */
export function requireSignIn(kind = "citizen") {
  sessionStorage.setItem(RETURN_KEY, location.hash || "#/");
  navigate(kind === "staff" ? "#/staff" : "#/sign-in", { replace: true });
}

/** After signing in: back to where the user was going, or to `fallback`. */
export function returnAfterSignIn(fallback) {
  const target = sessionStorage.getItem(RETURN_KEY);
  sessionStorage.removeItem(RETURN_KEY);
  navigate(target && !/sign-in|sign-up|staff$/.test(target) ? target : fallback);
}

async function route({ keepFocus = false } = {}) {
  const { path, query } = parseHash();
  if (!path.startsWith("/")) return; // an in-page anchor such as #main
  const staticPage = /^\/procedures\/([^/]+)$/.exec(path);
  if (staticPage) {
    // A procedure is a page of its own (pre-rendered at build): the old address leads there.
    location.replace(procedurePage(decodeURIComponent(staticPage[1])));
    return;
  }
  const seq = ++renderSeq;
  const pathChanged = path !== lastPath;
  const firstRender = lastPath === null;
  lastPath = path;
  if (!firstRender) closeMenu(); // a menu opened while the strings were coming stays open
  renderHeader();
  if (pathChanged) clearAnnouncement();

  const found = ROUTES.map(([re, view, guard]) => ({ m: re.exec(path), view, guard })).find((r) => r.m);
  const target = main();
  if (!found) {
    document.title = `${t("error.notfound")} — ${t("site.name")}`;
    target.replaceChildren(h("h1", { tabindex: "-1" }, t("error.notfound")), h("p", {}, h("a", { href: "#/" }, t("nav.catalog"))));
    focusHeading(keepFocus);
    return;
  }
  const s = session();
  const guard = found.guard || {};
  document.body.classList.toggle("console", isStaff(s) && Boolean(guard.staff || guard.signedIn));
  if ((guard.citizen && !isCitizen(s) && !isStaff(s)) || (guard.signedIn && !s)) {
    requireSignIn("citizen");
    return;
  }
  if (guard.staff && !isStaff(s)) {
    requireSignIn("staff");
    return;
  }

  const params = found.m.slice(1).map((p) => (p === undefined ? undefined : decodeURIComponent(p)));
  const ctx = {
    params,
    query,
    path,
    alive: () => seq === renderSeq,
    title: (text) => {
      document.title = `${text} — ${t("site.name")}`;
    },
    /** Replace the view's content, unless the user has moved on meanwhile. */
    render: (...nodes) => {
      if (seq !== renderSeq) return false;
      // Optional parts come as null/false: leave them out (replaceChildren would write "null").
      target.replaceChildren(...nodes.flat(Infinity).filter((node) => node !== null && node !== undefined && node !== false));
      return true;
    },
    navigate,
    reload: () => route({ keepFocus: true }),
  };
  target.setAttribute("aria-busy", "true");
  target.replaceChildren(loading());
  try {
    await found.view(ctx);
  } catch (error) {
    if (!ctx.alive()) return;
    console.error(error);
    ctx.render(
      h("h1", { tabindex: "-1" }, t("error.generic")),
      notice(error?.message || t("error.generic"), "error", [
        h("button", { type: "button", class: "btn btn--secondary", onclick: () => route() }, t("retry")),
      ]),
    );
  } finally {
    if (ctx.alive()) target.removeAttribute("aria-busy");
  }
  if (ctx.alive()) focusHeading(keepFocus || !pathChanged);
}

function focusHeading(keepFocus) {
  if (keepFocus) return;
  const heading = main().querySelector("h1");
  if (heading) {
    heading.setAttribute("tabindex", "-1");
    heading.focus({ preventScroll: false });
  }
  window.scrollTo(0, 0);
}

// ---------------------------------------------------------------------------------------------
// Header

function navItems(s) {
  const items = [
    ["#/", t("nav.catalog"), (p) => p === "/" || p.startsWith("/procedures") || p.startsWith("/file")],
    ["#/tracking", t("nav.track"), (p) => p.startsWith("/tracking")],
    ["#/verify", t("nav.verify"), (p) => p === "/verify"],
  ];
  // Booking is the public's: staff menus keep to their work, on one line of a desk screen.
  if (!staffRole(s)) items.push(["#/appointments", t("nav.appointments"), (p) => p.endsWith("/appointments")]);
  if (!staffRole(s)) items.push(["#/feedback/public", t("nav.feedback"), (p) => p.startsWith("/feedback") || p === "/me/feedback"]);
  if (isCitizen(s)) items.push(["#/me", t("nav.me"), (p) => p === "/me" || p.startsWith("/dossiers") || p.startsWith("/receipt")]);
  if (roleCan("work", s)) {
    items.push(["#/inbox", t("nav.inbox"), (p) => p === "/inbox" || p.startsWith("/tasks") || p.startsWith("/dossiers")]);
  }
  if (["receiver", "leader"].includes(s?.claims?.["custom:role"])) items.push(["#/counter", t("nav.counter"), (p) => p === "/counter"]);
  if (["receiver", "leader"].includes(staffRole(s))) items.push(["#/desk/intake", t("intake.nav"), (p) => p === "/desk/intake"]);
  if (["officer", "leader"].includes(staffRole(s))) items.push(["#/feedback", t("nav.feedback.desk"), (p) => p.startsWith("/feedback")]);
  if (["leader", "admin"].includes(staffRole(s))) items.push(["#/stats", t("stats.nav"), (p) => p.startsWith("/stats")]);
  if (["receiver", "leader"].includes(staffRole(s))) items.push(["#/payments", t("payday.nav"), (p) => p === "/payments" || p === "/payments/reconciliation"]);
  if (staffRole(s) === "admin") items.push(["#/payments/reconciliation", t("recon.title"), (p) => p === "/payments/reconciliation"]);
  if (roleCan("escalations", s)) items.push(["#/escalations", t("nav.escalations"), (p) => p === "/escalations"]);
  if (roleCan("accessLog", s)) items.push(["#/access-log", t("nav.accesslog"), (p) => p === "/access-log"]);
  if (staffRole(s)) items.push(["#/ratings", t("nav.ratings"), (p) => p === "/ratings"]);
  if (outboxAvailable) items.push(["#/outbox", t("nav.outbox"), (p) => p === "/outbox"]);
  if (!s) {
    items.push(["#/sign-in", t("nav.signin"), (p) => p === "/sign-in" || p === "/sign-up"]);
    items.push(["#/staff", t("nav.staff"), (p) => p === "/staff"]);
  }
  return items;
}

export function renderHeader() {
  const s = session();
  const { path } = parseHash();
  document.documentElement.lang = lang();
  document.getElementById("skip-link").textContent = t("skip");
  document.getElementById("brand-name").textContent = t("site.name");
  document.getElementById("brand-tagline").textContent = t("site.tagline");
  document.getElementById("menu-label").textContent = t("nav.menu");
  document.getElementById("site-nav").setAttribute("aria-label", t("nav.menu"));
  document.getElementById("lang-switch").setAttribute("aria-label", t("lang.label"));
  document.getElementById("footer-text").textContent = t("footer.text");
  document.getElementById("footer-results").textContent = t("results.footer");
  for (const button of document.querySelectorAll(".lang__btn")) {
    button.setAttribute("aria-pressed", String(button.dataset.lang === lang()));
  }
  document.getElementById("nav-list").replaceChildren(
    ...navItems(s).map(([href, label, active]) =>
      h("li", {}, h("a", { href, class: "site-nav__link", "aria-current": active(path) ? "page" : null }, label)),
    ),
  );
  const bar = document.getElementById("userbar");
  bar.hidden = !s;
  if (s) {
    const c = s.claims || decodeJwt(s.id_token);
    const who = c.name || c.email || c["cognito:username"] || "";
    const extra = isStaff(s) ? [c["custom:role"] ? t(`role.${c["custom:role"]}`) : null, c["custom:agency_code"]].filter(Boolean).join(" · ") : "";
    document.getElementById("userbar-who").replaceChildren(
      h("span", { class: "userbar__label" }, `${t("nav.signedin")} `),
      h("strong", { class: "userbar__name" }, who),
      extra ? h("span", { class: "userbar__extra" }, extra) : "",
    );
    document.getElementById("signout-btn").textContent = t("nav.signout");
  }
}

function closeMenu() {
  const button = document.getElementById("menu-btn");
  button.setAttribute("aria-expanded", "false");
  document.getElementById("site-nav").classList.remove("site-nav--open");
}

function wireHeader() {
  const button = document.getElementById("menu-btn");
  button.addEventListener("click", () => {
    const open = button.getAttribute("aria-expanded") !== "true";
    button.setAttribute("aria-expanded", String(open));
    document.getElementById("site-nav").classList.toggle("site-nav--open", open);
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && button.getAttribute("aria-expanded") === "true") {
      closeMenu();
      button.focus();
    }
  });
  for (const b of document.querySelectorAll(".lang__btn")) {
    b.addEventListener("click", async () => {
      if (b.dataset.lang === lang()) return;
      await loadStrings(b.dataset.lang); // the other language's strings, downloaded only now
      setLang(b.dataset.lang);
      renderHeader();
      route({ keepFocus: true });
    });
  }
  document.getElementById("signout-btn").addEventListener("click", () => {
    const wasStaff = isStaff();
    clearSession();
    navigate(wasStaff ? "#/staff" : "#/");
    announce(t("auth.signedout"), "info");
  });
  document.getElementById("skip-link").addEventListener("click", (event) => {
    event.preventDefault();
    main().focus();
  });
}

setUnauthorizedHandler((pool) => {
  announce(t("auth.expired"), "warning");
  requireSignIn(pool === POOL.staff ? "staff" : "citizen");
});
onSessionChange(() => renderHeader());

/** Once per page load: the menu links the demo outbox only where the API serves it (200). */
async function probeOutbox() {
  try {
    await get("/dev/outbox", { auth: false });
    outboxAvailable = true;
    renderHeader();
  } catch {
    /* 404 on AWS: no outbox, no link */
  }
}

async function start() {
  // The header answers at once (its words are in the page); pages are drawn once the strings are in.
  wireHeader();
  // A procedure page links into the app in its own language (/?lang=en#/file/<code>): keep that choice.
  const q = new URLSearchParams(location.search).get("q"); // the page-not-found's search form (/?q=…)
  const asked = new URLSearchParams(location.search).get("lang");
  if (asked) {
    setLang(asked);
    history.replaceState(null, "", location.pathname + location.hash);
  }
  if (q && !location.hash) history.replaceState(null, "", `${location.pathname}#/?q=${encodeURIComponent(q)}`);
  await loadStrings(lang());
  setLang(lang());
  window.addEventListener("hashchange", () => route());
  route({ keepFocus: true });
  probeOutbox();
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
else start();
