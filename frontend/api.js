// The API client: JSON in and out, Accept-Language on every call, the session's bearer token,
// one refresh on 401, and errors as ApiError {status, code, message, fields}.

import { lang, t } from "./i18n.js";

const SESSION_KEY = "motcua.session";
const BASE = (document.querySelector('meta[name="motcua-api"]')?.content || "/v1").replace(/\/$/, "");

/** The URL of an API path, for what the browser loads itself (a frame's page). */
export function apiUrl(path) {
  return `${BASE}${path}`;
}

// How the API names the two user pools in POST /v1/auth/refresh.
export const POOL = { citizen: "citizens", staff: "staff" };

export class ApiError extends Error {
  constructor({ status = 0, code = "network_error", message, fields = [], body = null }) {
    super(message || t("error.generic"));
    this.status = status;
    this.code = code;
    this.fields = Array.isArray(fields) ? fields : [];
    this.body = body;
  }
}

// ---------------------------------------------------------------------------------------------
// Session: tokens in sessionStorage (gone when the tab closes), claims read for display only.

const listeners = new Set();

export function onSessionChange(fn) {
  listeners.add(fn);
}

export function session() {
  try {
    const raw = sessionStorage.getItem(SESSION_KEY);
    if (!raw) return null;
    const value = JSON.parse(raw);
    return value && value.id_token ? { ...value, claims: decodeJwt(value.id_token) } : null;
  } catch {
    return null;
  }
}

export function saveSession(pool, tokens, previous = null) {
  const value = {
    pool,
    id_token: tokens.id_token,
    refresh_token: tokens.refresh_token || previous?.refresh_token || null,
    expires_at: Date.now() + (Number(tokens.expires_in) || 3600) * 1000,
  };
  sessionStorage.setItem(SESSION_KEY, JSON.stringify(value));
  for (const fn of listeners) fn(session());
}

export function clearSession() {
  sessionStorage.removeItem(SESSION_KEY);
  for (const fn of listeners) fn(null);
}

/** The JWT's payload, decoded without checking it: only to show who is signed in. */
export function decodeJwt(token) {
  try {
    const part = token.split(".")[1];
    const b64 = part.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((part.length + 3) % 4);
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return {};
  }
}

export function isStaff(s = session()) {
  return s?.pool === POOL.staff;
}

export function isCitizen(s = session()) {
  return s?.pool === POOL.citizen;
}

/** The signed-in staff member's role (receiver, officer, leader, admin); null for anyone else. */
export function staffRole(s = session()) {
  return isStaff(s) ? s.claims?.["custom:role"] || null : null;
}

// What the console offers each role (docs/roles.md); the API checks every one of them again.
const ROLE_CAN = {
  work: new Set(["receiver", "officer", "leader"]), // the inbox, tasks and dossiers
  issue: new Set(["officer", "leader"]), // signing and issuing a result
  escalations: new Set(["leader"]),
  accessLog: new Set(["leader"]), // who opened the agency's dossiers (docs/privacy.md)
};

export function roleCan(what, s = session()) {
  return ROLE_CAN[what].has(staffRole(s));
}

/** The audit trail: a leader of any agency involved, or the receiving desk that owns the dossier. */
export function canReadAudit(dossier, s = session()) {
  const role = staffRole(s);
  return role === "leader" || (role === "receiver" && s?.claims?.["custom:agency_code"] === dossier.agency);
}

// ---------------------------------------------------------------------------------------------
// Requests.

let refreshing = null; // one refresh at a time, shared by the calls that need it
let onUnauthorized = () => {};

/** What to do when a signed-in call fails even after a refresh (the app sends the user to sign in). */
export function setUnauthorizedHandler(fn) {
  onUnauthorized = fn;
}

async function refresh(current) {
  if (!current?.refresh_token) return false;
  if (!refreshing) {
    refreshing = (async () => {
      try {
        const tokens = await send("POST", "/auth/refresh", {
          body: { pool: current.pool, refresh_token: current.refresh_token },
          auth: false,
        });
        if (!tokens?.id_token) return false;
        saveSession(current.pool, tokens, current);
        return true;
      } catch {
        return false;
      } finally {
        setTimeout(() => {
          refreshing = null;
        }, 0);
      }
    })();
  }
  return refreshing;
}

async function send(method, path, { body, raw, contentType, headers = {}, auth = true, query, accept = "application/json", as = "json" } = {}) {
  let url = BASE + path;
  if (query) {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== "") params.set(k, v);
    const qs = params.toString();
    if (qs) url += `?${qs}`;
  }
  const h = { Accept: accept, "Accept-Language": lang(), ...headers };
  // A raw body (a file) goes as it is, under its own type; anything else as JSON.
  if (raw !== undefined) h["Content-Type"] = contentType || raw.type || "application/octet-stream";
  else if (body !== undefined) h["Content-Type"] = "application/json";
  const s = auth ? session() : null;
  if (s) h.Authorization = `Bearer ${s.id_token}`;
  let response;
  try {
    response = await fetch(url, {
      method,
      headers: h,
      body: raw !== undefined ? raw : body === undefined ? undefined : JSON.stringify(body),
      credentials: "omit",
    });
  } catch {
    throw new ApiError({ status: 0, code: "network_error", message: t("error.network") });
  }
  if (response.ok && as === "blob") {
    try {
      return { blob: await response.blob(), filename: filenameOf(response.headers.get("Content-Disposition")) };
    } catch {
      throw new ApiError({ status: 0, code: "network_error", message: t("error.network") });
    }
  }
  const text = await response.text();
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (!response.ok) {
    const error = data?.error || {};
    throw new ApiError({
      status: response.status,
      code: error.code || `http_${response.status}`,
      message: error.message || t("error.generic"),
      fields: error.fields || [],
      body: data,
    });
  }
  return data;
}

/** The file name a Content-Disposition header gives (filename* first), or null. */
function filenameOf(disposition) {
  if (!disposition) return null;
  const star = /filename\*\s*=\s*(?:UTF-8|utf-8)''([^;]+)/.exec(disposition);
  if (star) {
    try {
      return decodeURIComponent(star[1].trim());
    } catch {
      /* fall back to the plain parameter */
    }
  }
  const plain = /filename\s*=\s*"?([^";]+)"?/.exec(disposition);
  return plain ? plain[1].trim() : null;
}

/**
 * Calls the API. With a session: a token that has run out is refreshed first; a 401 triggers one
 * refresh and one retry; when that fails the session ends and the unauthorized handler runs.
 */
export async function api(method, path, options = {}) {
  const auth = options.auth !== false;
  let s = auth ? session() : null;
  if (s && s.expires_at && Date.now() > s.expires_at - 30_000) {
    await refresh(s);
    s = session();
  }
  try {
    return await send(method, path, options);
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 401 || !s) throw error;
    if (await refresh(s)) {
      try {
        return await send(method, path, options);
      } catch (again) {
        if (!(again instanceof ApiError) || again.status !== 401) throw again;
      }
    }
    const pool = s.pool;
    clearSession();
    onUnauthorized(pool);
    throw error;
  }
}

export const get = (path, options) => api("GET", path, options);
export const post = (path, body, options = {}) => api("POST", path, { ...options, body });

/** POST a file as the raw body, under `contentType` (the verify page sends a PDF this way). */
export const postFile = (path, file, contentType, options = {}) => api("POST", path, { ...options, raw: file, contentType });

/**
 * GET a binary document (a PDF) with the session's token, as {blob, filename}; errors, refresh and
 * sign-in are those of every call. `path` may be an API href as the API gives it ("/v1/…").
 */
export const getBlob = (path, { accept = "application/pdf", ...options } = {}) =>
  api("GET", apiPath(path), { ...options, accept, as: "blob" });

/**
 * An href the API gives ("/v1/dossiers/…/documents/receipt") as a path under BASE, so that a
 * deployment whose API lives on another domain (see index.html) still reaches it.
 */
export function apiPath(href) {
  return String(href).replace(/^\/v1(?=\/|$)/, "");
}

export function encode(segment) {
  return encodeURIComponent(segment);
}

// ---------------------------------------------------------------------------------------------
// Reference data cached per language for the page's life.

const cache = new Map();

export function cached(key, load) {
  const k = `${lang()}:${key}`;
  if (!cache.has(k)) {
    const promise = load().catch((error) => {
      cache.delete(k);
      throw error;
    });
    cache.set(k, promise);
  }
  return cache.get(k);
}

/** The province's agencies as an array of {code, name, …}, whatever wrapping the API uses. */
export function agencies() {
  return cached("agencies", async () => {
    const data = await get("/agencies", { auth: false });
    return Array.isArray(data) ? data : data?.items || data?.agencies || [];
  });
}

export function procedure(code) {
  return cached(`procedure:${code}`, () => get(`/procedures/${encode(code)}`, { auth: false }));
}
