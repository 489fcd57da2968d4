// #/dossiers/<code>/audit — the dossier's audit trail (nhật ký), for the staff of the agencies
// involved: first whether the hash chain holds, then every entry, its hashes folded away.

import { agencies, encode, get } from "../api.js";
import { formatDateTime, t, tx } from "../i18n.js";
import { facts, h, statusBadge } from "../dom.js";
import { actionLabel, backLink, errorBlock, statusLabel } from "./common.js";

const SHORT_HASH = 12;

/** The API words the problem in English; the known ones are said in the portal's language. */
function problemText(problem) {
  if (!problem) return "";
  const missing = /^entry (\d+) is missing$/.exec(problem);
  if (missing) return t("audit.problem.missing", { n: missing[1] });
  if (/link to the entry before/.test(problem)) return t("audit.problem.link");
  if (/content was changed/.test(problem)) return t("audit.problem.content");
  if (/last entries are missing/.test(problem)) return t("audit.problem.tail");
  return problem;
}

function verdict(check) {
  const ok = Boolean(check?.intact);
  return h(
    "section",
    { class: `verdict verdict--${ok ? "ok" : "broken"}`, role: ok ? "status" : "alert", "aria-labelledby": "verdict-title" },
    h("span", { class: "verdict__icon", "aria-hidden": "true" }, ok ? "✓" : "✗"),
    h(
      "div",
      { class: "verdict__text" },
      h("h2", { id: "verdict-title", class: "verdict__title" }, ok ? t("audit.intact") : t("audit.broken", { n: check?.broken_at ?? "?" })),
      h(
        "p",
        {},
        ok
          ? t("audit.intact.detail", { n: check?.entries ?? 0 })
          : t("audit.problem", { problem: problemText(check?.problem) || t("error.generic") }),
      ),
    ),
  );
}

function actionWords(action, agencyName) {
  if (action === "step_started" && agencyName) return t("timeline.handover", { agency: agencyName });
  const key = `audit.action.${action}`;
  const words = t(key);
  return words === key ? actionLabel(action) : words;
}

function actorWords(entry) {
  if (entry.role === "system" || entry.actor === "system") return t("audit.system");
  if (entry.role === "citizen") return entry.actor_name || t("audit.citizen"); // a citizen's id is an opaque number
  return entry.actor_name && entry.actor_name !== entry.actor ? `${entry.actor_name} (${entry.actor})` : entry.actor;
}

function roleWords(role) {
  const key = `role.${role}`;
  return t(key) === key ? role : t(key);
}

function shortHash(hash) {
  return h("code", { class: "hash", title: hash }, `${String(hash || "").slice(0, SHORT_HASH)}…`);
}

/** "Mới đăng ký → Đang xử lý", or one status marked unchanged. */
function statusChange(entry) {
  const after = statusBadge(entry.status_after, statusLabel(entry.status_after));
  if (entry.status_before === entry.status_after) {
    return h("span", { class: "audit-entry__status" }, after, h("span", { class: "muted" }, t("audit.same")));
  }
  return h(
    "span",
    { class: "audit-entry__status" },
    entry.status_before != null ? statusBadge(entry.status_before, statusLabel(entry.status_before)) : h("span", { class: "muted" }, t("audit.new")),
    h("span", { class: "audit-entry__arrow", "aria-hidden": "true" }, "→"),
    h("span", { class: "visually-hidden" }, ` ${t("audit.to")} `),
    after,
  );
}

/** The task's own part of its id (T1, T1.2): the dossier's code is the page's heading already. */
function taskLink(taskId) {
  const cut = taskId.lastIndexOf("-T");
  return h("a", { href: `#/tasks/${encodeURIComponent(taskId)}`, class: "code", title: taskId }, cut > 0 ? taskId.slice(cut + 1) : taskId);
}

function entryCard(entry, names, brokenAt) {
  const broken = brokenAt != null && entry.seq >= brokenAt;
  const agency = entry.agency ? names[entry.agency] || entry.agency : "";
  return h(
    "li",
    { class: `card audit-entry${broken ? " audit-entry--broken" : ""}`, id: `audit-${entry.seq}` },
    h(
      "p",
      { class: "audit-entry__head" },
      h("span", { class: "audit-entry__seq" }, t("audit.entry", { n: entry.seq })),
      h("time", { datetime: entry.at }, formatDateTime(entry.at)),
    ),
    h("h3", { class: "audit-entry__action" }, actionWords(entry.action, agency)),
    facts([
      [t("audit.actor"), entry.role === "system" ? actorWords(entry) : `${actorWords(entry)} · ${roleWords(entry.role)}`],
      [t("audit.agency"), agency],
      [t("audit.status"), statusChange(entry)],
      [t("audit.reason"), entry.reason],
      [t("audit.task"), entry.task_id ? taskLink(entry.task_id) : ""],
    ]),
    h(
      "details",
      { class: "audit-entry__hashes" },
      h("summary", {}, t("audit.hashes")),
      facts([
        [t("audit.prev"), shortHash(entry.prev_hash)],
        [t("audit.hash"), shortHash(entry.hash)],
      ]),
    ),
  );
}

export async function auditView(ctx) {
  const code = ctx.params[0];
  ctx.title(`${t("audit.title")} ${code}`);
  const back = backLink(`#/dossiers/${encodeURIComponent(code)}`, `${t("receipt.code")} ${code}`);
  let trail;
  try {
    trail = await get(`/dossiers/${encode(code)}/audit`);
  } catch (error) {
    ctx.render(back, h("h1", {}, t("audit.title")), errorBlock(error, ctx.reload));
    return;
  }
  let names = {};
  try {
    names = Object.fromEntries((await agencies()).map((a) => [a.code, tx(a.name)]));
  } catch {
    /* codes instead of names */
  }
  const entries = [...(trail.entries || [])].sort((a, b) => a.seq - b.seq);
  ctx.render(
    back,
    h("h1", {}, t("audit.title"), " ", h("span", { class: "h1-code" }, trail.code || code)),
    h("p", { class: "lead" }, t("audit.intro")),
    verdict(trail.check),
    h("h2", { id: "audit-entries" }, `${t("audit.entries")} (${entries.length})`),
    h("ol", { class: "cards audit-list", "aria-labelledby": "audit-entries" }, entries.map((e) => entryCard(e, names, trail.check?.broken_at))),
  );
}
