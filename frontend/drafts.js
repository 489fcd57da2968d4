// Drafts that survive (docs/drafts.md): the filing form kept as the citizen types — at once in this
// browser (localStorage), and, for a signed-in citizen, on the server a moment later
// (PUT /v1/me/drafts/<code>, If-Match: two devices never silently overwrite each other). A reload, a
// killed tab or another device brings the answers and the uploaded papers back.
// file.js hooks in with a few calls: restore() when the form opens, watch() on the form, filed().

import { ApiError, api, encode, isCitizen } from "./api.js";
import { formatDateTime, t } from "./i18n.js";
import { h } from "./dom.js";

const LOCAL = "motcua.draft.";
const SERVER_DELAY = 1200; // ms after the last change before the server copy is saved

function localKey(code, owner) {
  return `${LOCAL}${owner || "anon"}.${code}`;
}

function readLocal(code, owner) {
  try {
    const value = JSON.parse(localStorage.getItem(localKey(code, owner)) || "null");
    return value && value.answers ? value : null;
  } catch {
    return null; // storage disabled or a broken entry: nothing to restore
  }
}

function writeLocal(code, owner, value) {
  try {
    localStorage.setItem(localKey(code, owner), JSON.stringify(value));
  } catch {
    /* storage full or disabled: the server copy (signed in) still keeps it */
  }
}

function removeLocal(code, owner) {
  try {
    localStorage.removeItem(localKey(code, owner));
  } catch {
    /* nothing kept */
  }
}

/** The papers of the pickers' entries that finished uploading, as a draft keeps them. */
function papersOf(papers) {
  return Object.entries(papers || {}).flatMap(([paperCode, entries]) =>
    entries
      .filter((e) => e.status === "done" && e.upload_id)
      .map((e) => ({ upload_id: e.upload_id, paper_code: paperCode, filename: e.file.name, size: e.file.size, content_type: e.contentType })),
  );
}

/** Picker entries (uploads.js) for the papers a draft keeps: shown as uploaded, by name and size. */
function entriesOf(papers) {
  const out = {};
  for (const p of papers || []) {
    const file = { name: p.filename || p.upload_id, size: p.size || 0 };
    // original: the file as chosen (uploads.js shows "before → after" when a photo was made lighter).
    (out[p.paper_code] ||= []).push({
      file,
      original: file,
      contentType: p.content_type,
      status: "done",
      progress: 100,
      upload_id: p.upload_id,
      error: null,
    });
  }
  return out;
}

function isEmpty(value) {
  const answers = value?.answers || {};
  const filled = (o) => Object.values(o || {}).some((v) => v !== "" && v !== null && v !== undefined && !(Array.isArray(v) && !v.length));
  return !filled(answers.applicant) && !filled(answers.form) && !(value?.papers || []).length;
}

/**
 * The keeper of one procedure's draft for one person (owner: the account's sub, none when signed out).
 * restart(): what "start again" does once the draft is gone (file.js: a blank form).
 */
export function draftKeeper(code, owner, { restart }) {
  const server = Boolean(owner) && isCitizen();
  const path = `/me/drafts/${encode(code)}`;
  let version = null; // the server's version this browser last saw; null: none yet
  let latest = null; // what to save next
  let timer = null;
  let saving = Promise.resolve();
  let held = false; // a filing is on its way: nothing is saved meanwhile
  let watched = new WeakSet();
  let kept = ""; // the answers and papers last kept, to keep nothing twice
  const status = h("p", { class: "draft-status", role: "status", "aria-live": "polite" });
  const conflictSlot = h("div", { class: "draft-conflict" });

  function say(text) {
    status.textContent = text;
  }

  async function push() {
    timer = null;
    const body = latest;
    if (!body || held) return;
    const headers = version ? { "If-Match": `"${version}"` } : { "If-None-Match": "*" };
    try {
      const saved = await api("PUT", path, { body: { answers: body.answers, papers: body.papers }, headers });
      version = saved.version;
      if (latest === body) latest = null; // kept; nothing newer waits
      // This browser's copy now stands on that version: were the server's draft later gone, it was
      // filed or deleted elsewhere, and this copy goes too (restore).
      const local = readLocal(code, owner);
      if (local) writeLocal(code, owner, { ...local, version });
      conflictSlot.replaceChildren();
      say(t("draft.saved", { at: formatDateTime(saved.saved_at) }));
    } catch (error) {
      if (error instanceof ApiError && error.status === 412) conflict(error.body?.error?.current_version ?? null, error.message);
      else say(t("draft.local", { reason: error.message }));
    }
  }

  function schedule() {
    if (!server || held) return;
    clearTimeout(timer);
    timer = setTimeout(() => {
      saving = saving.then(push);
    }, SERVER_DELAY);
  }

  /** Saved meanwhile from another device: the citizen chooses; nothing is overwritten unasked. */
  function conflict(current, message) {
    conflictSlot.replaceChildren(
      h(
        "div",
        { class: "notice notice--warning", role: "alert" },
        h("p", {}, message || t("draft.conflict")),
        h(
          "div",
          { class: "actions" },
          h("button", { type: "button", class: "btn btn--secondary btn--small", onclick: () => { removeLocal(code, owner); restart(); } }, t("draft.conflict.load")),
          h("button", { type: "button", class: "btn btn--secondary btn--small", onclick: () => { version = current; conflictSlot.replaceChildren(); saving = saving.then(push); } }, t("draft.conflict.keep")),
        ),
      ),
    );
  }

  return {
    /** Fills `d` (file.js's form state) from the newest kept copy; the notice to show, or null. */
    async restore(d) {
      let local = readLocal(code, owner);
      let remote = null;
      if (server) {
        try {
          remote = await api("GET", path);
          version = remote.version;
        } catch (error) {
          if (!(error instanceof ApiError) || error.status !== 404) say(t("draft.local", { reason: error.message }));
          else if (local?.version) {
            // It reached the server once and is gone: filed or deleted on another device.
            removeLocal(code, owner);
            local = null;
          }
        }
      }
      // This browser's copy wins when it is newer and stands on the server's version (edits not yet
      // sent); a draft saved meanwhile from another device wins over it.
      const localNewer =
        local &&
        (!remote || ((local.version || 0) >= remote.version && Date.parse(local.saved_at) > Date.parse(remote.saved_at)));
      const found = localNewer ? local : remote;
      if (!found || isEmpty(found)) return null;
      const answers = found.answers || {};
      d.applicant = answers.applicant || null;
      d.form = answers.form || {};
      d.papers = entriesOf(found.papers);
      kept = JSON.stringify([{ applicant: d.applicant, form: d.form }, found.papers || []]);
      if (localNewer) {
        latest = local;
        schedule(); // this browser's copy is newer: the server gets it
      }
      const again = h(
        "button",
        {
          type: "button",
          class: "btn btn--secondary btn--small",
          onclick: async () => {
            clearTimeout(timer);
            removeLocal(code, owner);
            if (server) {
              try {
                await api("DELETE", path, version ? { headers: { "If-Match": `"${version}"` } } : {});
              } catch {
                /* gone already, or saved elsewhere meanwhile: the blank form is what was asked for */
              }
            }
            restart();
          },
        },
        t("draft.restart"),
      );
      return h(
        "div",
        { class: "notice notice--info draft-restored", role: "status" },
        h("p", {}, t("draft.restored", { at: formatDateTime(found.saved_at) })),
        again,
      );
    },

    /** The line that says where the draft is saved, and the place of a conflict's choice. */
    element() {
      return h("div", { class: "draft-bar" }, conflictSlot, status);
    },

    /** Keep `d` whenever the form changes, a file finishes uploading or one is removed. */
    watch(formEl, d) {
      const keep = () => {
        const value = { answers: { applicant: d.applicant, form: d.form }, papers: papersOf(d.papers), saved_at: new Date().toISOString(), version };
        for (const entries of Object.values(d.papers || {})) {
          for (const entry of entries) {
            if (entry.promise && !watched.has(entry)) {
              watched.add(entry);
              entry.promise.then(keep);
            }
          }
        }
        const same = JSON.stringify([value.answers, value.papers]);
        if (same === kept) return;
        if (!kept && isEmpty(value)) return; // a press on an untouched form (Continue) is no draft
        kept = same;
        writeLocal(code, owner, value);
        latest = value;
        if (!server) say(t("draft.device"));
        schedule();
      };
      for (const type of ["input", "change", "click"]) formEl.addEventListener(type, () => setTimeout(keep));
    },

    /**
     * A filing is about to be sent: no save starts until it is answered, and one already sent has been
     * answered first. A save reaching the server after the filing would create the draft again that
     * the filing removed (a fast typist files before the first save, SERVER_DELAY after the last key).
     */
    async hold() {
      held = true;
      clearTimeout(timer);
      timer = null;
      await saving;
    },

    /** The filing was not made (refused, or no answer): what waits to be saved is saved. */
    release() {
      held = false;
      if (latest) schedule();
    },

    /** The dossier is filed: the server removed its draft in the same transaction; this browser's goes too. */
    filed() {
      clearTimeout(timer);
      latest = null;
      removeLocal(code, owner);
      watched = new WeakSet();
    },
  };
}
