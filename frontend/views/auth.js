// #/sign-in, #/sign-up (+ confirmation code, + forgotten password) for citizens, with an email or a
// mobile number; #/staff for officers, with the steps Cognito may ask for: a new password, setting up
// an authenticator app (QR code and secret), and its code at each sign-in.

import { ApiError, POOL, post, roleCan, saveSession } from "../api.js";
import { t } from "../i18n.js";
import { announce, clearErrors, field, h, nextId, showErrors } from "../dom.js";
import { returnAfterSignIn } from "../app.js";

function passwordControl(name, autocomplete) {
  const input = h("input", { type: "password", name, autocomplete, required: true });
  const id = nextId("show");
  const toggle = h("div", { class: "check check--small" },
    h("input", { type: "checkbox", id, onchange: (e) => { input.type = e.target.checked ? "text" : "password"; } }),
    h("label", { for: id }, t("auth.show")),
  );
  return { input, toggle };
}

/** A form posting to the API: local checks first, then the API's message and field errors
 * (`rename` maps the API's field names to the form's, e.g. email and phone to the one login field). */
function authForm({ fields, submitLabel, check, send, rename = {} }) {
  const summary = h("div", { class: "summary-slot" });
  const submit = h("button", { type: "submit", class: "btn btn--primary btn--large" }, submitLabel);
  let busy = false;
  const form = h("form", { class: "panel auth-form", novalidate: true }, summary, fields, h("div", { class: "actions" }, submit));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (busy) return;
    clearErrors(form, summary);
    const errors = check ? check() : [];
    if (errors.length) {
      showErrors(form, summary, { errors });
      return;
    }
    busy = true;
    submit.disabled = true;
    submit.setAttribute("aria-busy", "true");
    try {
      await send();
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      const errors = (error.fields || []).map((f) => ({ ...f, field: rename[f.field] || f.field }));
      showErrors(form, summary, { message: error.message, errors });
    } finally {
      busy = false;
      submit.disabled = false;
      submit.removeAttribute("aria-busy");
    }
  });
  return form;
}

const required = (pairs) =>
  pairs.filter(([control]) => !control.value.trim()).map(([control, name, label]) => ({ field: name, message: t("v.required", { label }) }));

const MIN_PASSWORD = 10; // NIST SP 800-63B: a length, no composition rules (motcua.domain.passwords)
const LOGIN_FIELDS = { email: "login", phone: "login" };

/** An email or a mobile number, as the citizen typed it: {email} or {phone} for the API. */
function account(value) {
  const text = value.trim();
  return text.includes("@") ? { email: text } : { phone: text.replace(/[\s.()-]/g, "") };
}

function checkLogin(control) {
  const value = control.value.trim();
  if (!value) return [];
  if (value.includes("@")) return /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(value) ? [] : [{ field: "login", message: t("v.email") }];
  return /^\+?[0-9]{9,15}$/.test(value.replace(/[\s.()-]/g, "")) ? [] : [{ field: "login", message: t("v.login") }];
}

function checkPassword(control, name = "password") {
  const value = control.value;
  return value && value.length < MIN_PASSWORD ? [{ field: name, message: t("v.password") }] : [];
}

function loginControl(value = "") {
  return h("input", { type: "text", name: "login", autocomplete: "username", autocapitalize: "none", spellcheck: "false", value });
}

/** A step's page: its heading takes the focus, so that a screen reader starts there. */
function step(ctx, title, ...content) {
  ctx.title(title);
  ctx.render(h("h1", { tabindex: "-1" }, title), ...content);
  document.querySelector("main h1")?.focus();
}

function codeControl(name = "code", { oneTime = true } = {}) {
  return h("input", {
    type: "text",
    name,
    inputmode: oneTime ? "numeric" : "text",
    autocomplete: "one-time-code",
    autocapitalize: "none",
    spellcheck: "false",
    maxlength: "64",
  });
}

function signedIn(pool, tokens, fallback) {
  saveSession(pool, tokens);
  returnAfterSignIn(typeof fallback === "function" ? fallback() : fallback);
}

export async function signInView(ctx) {
  ctx.title(t("auth.signin.title"));
  const login = loginControl(ctx.query.get("login") || ctx.query.get("email") || "");
  const password = passwordControl("password", "current-password");
  const form = authForm({
    fields: [
      field({ label: t("auth.login"), name: "login", control: login, hint: t("auth.login.hint"), required: true }),
      field({ label: t("auth.password"), name: "password", control: password.input, required: true }),
      password.toggle,
    ],
    submitLabel: t("auth.submit"),
    rename: LOGIN_FIELDS,
    check: () => [...required([[login, "login", t("auth.login")], [password.input, "password", t("auth.password")]]), ...checkLogin(login)],
    send: async () => {
      const tokens = await post("/auth/citizens/sign-in", { ...account(login.value), password: password.input.value }, { auth: false });
      if (!tokens?.id_token) throw new ApiError({ status: 401, code: "challenge", message: t("auth.challenge", { challenge: tokens?.challenge || "?" }) });
      signedIn(POOL.citizen, tokens, "#/me");
    },
  });
  ctx.render(
    h("h1", {}, t("auth.signin.title")),
    h("p", { class: "lead" }, t("auth.signin.intro")),
    form,
    h("p", {}, h("a", { href: "#/sign-in", onclick: (e) => { e.preventDefault(); resetStart(ctx, login.value); } }, t("auth.forgot.link"))),
    h("p", {}, `${t("auth.noaccount")} `, h("a", { href: "#/sign-up" }, t("auth.signup.link"))),
    h("p", {}, h("a", { href: "#/staff" }, t("auth.staff.link"))),
  );
}

export async function signUpView(ctx) {
  ctx.title(t("auth.signup.title"));
  const name = h("input", { type: "text", name: "name", autocomplete: "name", maxlength: "120" });
  const login = loginControl();
  const password = passwordControl("password", "new-password");
  const form = authForm({
    fields: [
      field({ label: t("auth.name"), name: "name", control: name, required: true }),
      field({ label: t("auth.login"), name: "login", control: login, hint: t("auth.login.signup.hint"), required: true }),
      field({ label: t("auth.password"), name: "password", control: password.input, hint: t("auth.password.hint"), required: true }),
      password.toggle,
    ],
    submitLabel: t("auth.signup.submit"),
    rename: LOGIN_FIELDS,
    check: () => [
      ...required([[name, "name", t("auth.name")], [login, "login", t("auth.login")], [password.input, "password", t("auth.password")]]),
      ...checkLogin(login),
      ...checkPassword(password.input),
    ],
    send: async () => {
      const accepted = await post("/auth/citizens/sign-up", { ...account(login.value), password: password.input.value, name: name.value.trim() }, { auth: false });
      confirmStep(ctx, accepted);
    },
  });
  ctx.render(h("h1", {}, t("auth.signup.title")), form, h("p", {}, h("a", { href: "#/sign-in" }, t("auth.signin.title"))));
}

function confirmStep(ctx, accepted) {
  const who = accepted.channel === "sms" ? { phone: accepted.phone } : { email: accepted.email };
  const shown = who.phone || who.email;
  const code = codeControl();
  const form = authForm({
    fields: [field({ label: t("auth.code"), name: "code", control: code, required: true })],
    submitLabel: t("auth.confirm.submit"),
    check: () => required([[code, "code", t("auth.code")]]),
    send: async () => {
      await post("/auth/citizens/confirm", { ...who, code: code.value.trim() }, { auth: false });
      announce(t("auth.confirmed"), "success");
      ctx.navigate(`#/sign-in?login=${encodeURIComponent(shown)}`);
    },
  });
  const intro = accepted.channel === "sms" ? "auth.confirm.intro.sms" : "auth.confirm.intro";
  step(ctx, t("auth.confirm.title"), h("p", { class: "lead" }, t(intro, { email: shown, phone: shown })), form);
}

// --- a forgotten password: a code to the email or the phone, then a new password ----------------

function resetStart(ctx, typed = "") {
  const login = loginControl(typed.trim());
  const form = authForm({
    fields: [field({ label: t("auth.login"), name: "login", control: login, hint: t("auth.login.hint"), required: true })],
    submitLabel: t("auth.reset.send"),
    rename: LOGIN_FIELDS,
    check: () => [...required([[login, "login", t("auth.login")]]), ...checkLogin(login)],
    send: async () => {
      const who = account(login.value);
      await post("/auth/citizens/password-reset", who, { auth: false });
      resetFinish(ctx, who, login.value.trim());
    },
  });
  step(ctx, t("auth.reset.title"), h("p", { class: "lead" }, t("auth.reset.intro")), form,
    h("p", {}, h("a", { href: "#/sign-in" }, t("auth.signin.title"))));
}

function resetFinish(ctx, who, shown) {
  const code = codeControl("code", { oneTime: false });
  const password = passwordControl("password", "new-password");
  const form = authForm({
    fields: [
      field({ label: t("auth.code"), name: "code", control: code, required: true }),
      field({ label: t("auth.password.new"), name: "password", control: password.input, hint: t("auth.password.hint"), required: true }),
      password.toggle,
    ],
    submitLabel: t("auth.reset.submit"),
    rename: LOGIN_FIELDS,
    check: () => [...required([[code, "code", t("auth.code")], [password.input, "password", t("auth.password.new")]]), ...checkPassword(password.input)],
    send: async () => {
      await post("/auth/citizens/password-reset/confirm", { ...who, code: code.value.trim(), password: password.input.value }, { auth: false });
      announce(t("auth.reset.done"), "success");
      ctx.navigate(`#/sign-in?login=${encodeURIComponent(shown)}`);
    },
  });
  step(ctx, t("auth.reset.code.title"), h("p", { class: "lead" }, t("auth.reset.code.intro", { login: shown })), form,
    h("p", {}, h("a", { href: "#/sign-in", onclick: (e) => { e.preventDefault(); resetStart(ctx, shown); } }, t("auth.reset.again"))));
}

// --- staff: password, then whatever step Cognito asks for -------------------------------------

export async function staffSignInView(ctx) {
  ctx.title(t("auth.staff.title"));
  const username = h("input", { type: "text", name: "username", autocomplete: "username", autocapitalize: "none", spellcheck: "false" });
  const password = passwordControl("password", "current-password");
  const form = authForm({
    fields: [
      field({ label: t("auth.username"), name: "username", control: username, required: true }),
      field({ label: t("auth.password"), name: "password", control: password.input, required: true }),
      password.toggle,
    ],
    submitLabel: t("auth.submit"),
    check: () => required([[username, "username", t("auth.username")], [password.input, "password", t("auth.password")]]),
    send: async () => {
      const name = username.value.trim();
      const answer = await post("/auth/staff/sign-in", { username: name, password: password.input.value }, { auth: false });
      await staffNext(ctx, name, answer);
    },
  });
  ctx.render(h("h1", {}, t("auth.staff.title")), h("p", { class: "lead" }, t("auth.staff.intro")), form);
}

/** Tokens: signed in. A challenge: its step. */
async function staffNext(ctx, username, answer) {
  if (answer?.id_token) {
    // An administrator keeps accounts and has no inbox (docs/roles.md): the home page, not the inbox.
    signedIn(POOL.staff, answer, () => (roleCan("work") ? "#/inbox" : "#/"));
    return;
  }
  const { challenge, session } = answer || {};
  if (challenge === "NEW_PASSWORD_REQUIRED") newPasswordStep(ctx, username, session);
  else if (challenge === "MFA_SETUP") await mfaSetupStep(ctx, username, session);
  else if (challenge === "SOFTWARE_TOKEN_MFA") mfaCodeStep(ctx, username, session);
  else throw new ApiError({ status: 401, code: "challenge", message: t("auth.challenge", { challenge: challenge || "?" }) });
}

function answerChallenge(username, challenge, session, answer) {
  return post("/auth/staff/challenge", { username, challenge, session, answer }, { auth: false });
}

function newPasswordStep(ctx, username, session) {
  const password = passwordControl("password", "new-password");
  const again = h("input", { type: "password", name: "again", autocomplete: "new-password", required: true });
  const form = authForm({
    fields: [
      field({ label: t("auth.password.new"), name: "password", control: password.input, hint: t("auth.password.hint"), required: true }),
      field({ label: t("auth.password.again"), name: "again", control: again, required: true }),
      password.toggle,
    ],
    submitLabel: t("auth.newpassword.submit"),
    rename: { answer: "password" },
    check: () => {
      const errors = [...required([[password.input, "password", t("auth.password.new")], [again, "again", t("auth.password.again")]]), ...checkPassword(password.input)];
      if (password.input.value && again.value && password.input.value !== again.value) errors.push({ field: "again", message: t("v.password.again") });
      return errors;
    },
    send: async () => staffNext(ctx, username, await answerChallenge(username, "NEW_PASSWORD_REQUIRED", session, password.input.value)),
  });
  step(ctx, t("auth.newpassword.title"), h("p", { class: "lead" }, t("auth.newpassword.intro")), form);
}

/** The secret in groups of four, as authenticator apps show it and people type it. */
const grouped = (secret) => secret.replace(/(.{4})/g, "$1 ").trim();

async function mfaSetupStep(ctx, username, session) {
  const setup = await post("/auth/staff/mfa-setup", { session, username }, { auth: false });
  const code = codeControl("answer");
  const form = authForm({
    fields: [field({ label: t("auth.mfa.code"), name: "answer", control: code, hint: t("auth.mfa.code.hint"), required: true })],
    submitLabel: t("auth.mfa.setup.submit"),
    check: () => required([[code, "answer", t("auth.mfa.code")]]),
    send: async () => staffNext(ctx, username, await answerChallenge(username, "MFA_SETUP", setup.session, code.value.replace(/\s/g, ""))),
  });
  const qr = h("img", {
    class: "mfa-qr",
    src: `data:image/svg+xml;charset=utf-8,${encodeURIComponent(setup.qr_svg)}`,
    alt: t("auth.mfa.qr.alt"),
    width: "220",
    height: "220",
  });
  step(
    ctx,
    t("auth.mfa.setup.title"),
    h("p", { class: "lead" }, t("auth.mfa.setup.intro")),
    h("ol", { class: "mfa-steps" },
      h("li", {}, t("auth.mfa.setup.app")),
      h("li", {}, t("auth.mfa.setup.scan"), h("div", { class: "mfa-qr-box" }, qr)),
      h("li", {},
        t("auth.mfa.setup.type"),
        h("p", {}, h("code", { class: "mfa-secret", "data-secret": setup.secret_code }, grouped(setup.secret_code))),
      ),
      h("li", {}, t("auth.mfa.setup.enter")),
    ),
    form,
  );
}

function mfaCodeStep(ctx, username, session) {
  const code = codeControl("answer");
  const form = authForm({
    fields: [field({ label: t("auth.mfa.code"), name: "answer", control: code, hint: t("auth.mfa.code.hint"), required: true })],
    submitLabel: t("auth.mfa.submit"),
    check: () => required([[code, "answer", t("auth.mfa.code")]]),
    send: async () => staffNext(ctx, username, await answerChallenge(username, "SOFTWARE_TOKEN_MFA", session, code.value.replace(/\s/g, ""))),
  });
  step(ctx, t("auth.mfa.title"), h("p", { class: "lead" }, t("auth.mfa.intro")), form);
}
