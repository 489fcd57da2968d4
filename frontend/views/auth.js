// #/sign-in, #/sign-up (+ confirmation code) for citizens, #/staff for officers.

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

/** A form posting to the API: local checks first, then the API's message and field errors. */
function authForm({ fields, submitLabel, check, send }) {
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
      showErrors(form, summary, { message: error.message, errors: error.fields });
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

function signedIn(pool, tokens, fallback) {
  if (!tokens?.id_token) {
    throw new ApiError({ status: 401, code: "challenge", message: t("auth.challenge", { challenge: tokens?.challenge || "?" }) });
  }
  saveSession(pool, tokens);
  returnAfterSignIn(typeof fallback === "function" ? fallback() : fallback);
}

export async function signInView(ctx) {
  ctx.title(t("auth.signin.title"));
  const email = h("input", { type: "email", name: "email", autocomplete: "username", inputmode: "email", value: ctx.query.get("email") || "" });
  const password = passwordControl("password", "current-password");
  const form = authForm({
    fields: [
      field({ label: t("auth.email"), name: "email", control: email, required: true }),
      field({ label: t("auth.password"), name: "password", control: password.input, required: true }),
      password.toggle,
    ],
    submitLabel: t("auth.submit"),
    check: () => required([[email, "email", t("auth.email")], [password.input, "password", t("auth.password")]]),
    send: async () => {
      const tokens = await post("/auth/citizens/sign-in", { email: email.value.trim(), password: password.input.value }, { auth: false });
      signedIn(POOL.citizen, tokens, "#/me");
    },
  });
  ctx.render(
    h("h1", {}, t("auth.signin.title")),
    h("p", { class: "lead" }, t("auth.signin.intro")),
    form,
    h("p", {}, `${t("auth.noaccount")} `, h("a", { href: "#/sign-up" }, t("auth.signup.link"))),
    h("p", {}, h("a", { href: "#/staff" }, t("auth.staff.link"))),
  );
}

export async function signUpView(ctx) {
  ctx.title(t("auth.signup.title"));
  const name = h("input", { type: "text", name: "name", autocomplete: "name", maxlength: "120" });
  const email = h("input", { type: "email", name: "email", autocomplete: "email", inputmode: "email" });
  const phone = h("input", { type: "tel", name: "phone", autocomplete: "tel" });
  const password = passwordControl("password", "new-password");
  const form = authForm({
    fields: [
      field({ label: t("auth.name"), name: "name", control: name, required: true }),
      field({ label: t("auth.email"), name: "email", control: email, required: true }),
      field({ label: t("auth.phone"), name: "phone", control: phone, required: true }),
      field({ label: t("auth.password"), name: "password", control: password.input, hint: t("auth.password.hint"), required: true }),
      password.toggle,
    ],
    submitLabel: t("auth.signup.submit"),
    check: () => {
      const errors = required([
        [name, "name", t("auth.name")],
        [email, "email", t("auth.email")],
        [phone, "phone", t("auth.phone")],
        [password.input, "password", t("auth.password")],
      ]);
      const pw = password.input.value;
      if (pw && !(pw.length >= 12 && /[A-Z]/.test(pw) && /[a-z]/.test(pw) && /\d/.test(pw) && /[^A-Za-z0-9]/.test(pw)))
        errors.push({ field: "password", message: t("v.password") });
      if (email.value && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email.value.trim())) errors.push({ field: "email", message: t("v.email") });
      if (phone.value && !/^(\+[1-9][0-9]{7,14}|0[0-9]{9,10})$/.test(phone.value.trim().replace(/[\s.-]/g, ""))) errors.push({ field: "phone", message: t("v.phone") });
      return errors;
    },
    send: async () => {
      const address = email.value.trim();
      await post(
        "/auth/citizens/sign-up",
        { email: address, password: password.input.value, name: name.value.trim(), phone: phone.value.trim().replace(/[\s.-]/g, "") },
        { auth: false },
      );
      confirmStep(ctx, address);
    },
  });
  ctx.render(h("h1", {}, t("auth.signup.title")), form, h("p", {}, h("a", { href: "#/sign-in" }, t("auth.signin.title"))));
}

function confirmStep(ctx, email) {
  ctx.title(t("auth.confirm.title"));
  const code = h("input", { type: "text", name: "code", inputmode: "numeric", autocomplete: "one-time-code", maxlength: "10" });
  const form = authForm({
    fields: [field({ label: t("auth.code"), name: "code", control: code, required: true })],
    submitLabel: t("auth.confirm.submit"),
    check: () => required([[code, "code", t("auth.code")]]),
    send: async () => {
      await post("/auth/citizens/confirm", { email, code: code.value.trim() }, { auth: false });
      announce(t("auth.confirmed"), "success");
      ctx.navigate(`#/sign-in?email=${encodeURIComponent(email)}`);
    },
  });
  ctx.render(h("h1", { tabindex: "-1" }, t("auth.confirm.title")), h("p", { class: "lead" }, t("auth.confirm.intro", { email })), form);
  document.querySelector("main h1")?.focus();
}

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
      const tokens = await post("/auth/staff/sign-in", { username: username.value.trim(), password: password.input.value }, { auth: false });
      // An administrator keeps accounts and has no inbox (docs/roles.md): the home page, not the inbox.
      signedIn(POOL.staff, tokens, () => (roleCan("work") ? "#/inbox" : "#/"));
    },
  });
  ctx.render(h("h1", {}, t("auth.staff.title")), h("p", { class: "lead" }, t("auth.staff.intro")), form);
}
