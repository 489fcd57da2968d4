// #/ — the procedure catalog: search that forgives (diacritics, variants, typos), agency and level filters,
// "More"; browsing by life event and by field; an empty result offers close matches and the ways to browse.

import { agencies, cached, get } from "../api.js";
import { formatVnd, lang, t, tx } from "../i18n.js";
import { h, nextId } from "../dom.js";
import { errorBlock, pagedList } from "./common.js";
import { trackingBox } from "./tracking.js";

export function levelLabel(level) {
  return level === "full" ? t("level.full") : level === "partial" ? t("level.partial") : level;
}

/** The pre-rendered page of a procedure, in the language read (infra/site.py's procedure_path). */
export function procedurePage(code) {
  const encoded = encodeURIComponent(code);
  return lang() === "en" ? `/en/procedures/${encoded}/` : `/thu-tuc/${encoded}/`;
}

export function feeLabel(amount) {
  return Number(amount) > 0 ? formatVnd(amount) : t("proc.fee.free");
}

/** The life events and fields to browse by, cached per language for the page's life. */
function catalogTopics() {
  return cached("catalog-topics", () => get("/catalog", { auth: false }));
}

function topicLinks(topics, param, current) {
  return h(
    "ul",
    { class: "topics" },
    topics
      .filter((topic) => topic.count > 0)
      .map((topic) =>
        h(
          "li",
          {},
          h(
            "a",
            {
              class: `topic${topic.id === current ? " topic--current" : ""}`,
              href: `#/?${new URLSearchParams({ [param]: topic.id })}`,
              "aria-current": topic.id === current ? "page" : null,
            },
            h("span", { class: "topic__name" }, topic.name),
            h("span", { class: "topic__count" }, t("catalog.topic.count", { n: topic.count })),
          ),
        ),
      ),
  );
}

/** Browse by life event and by field: on the home page, and where a search found nothing. */
function browsePanel(topics, { event = "", field = "" } = {}) {
  return h(
    "section",
    { class: "panel browse", "aria-labelledby": "browse-events" },
    h("h2", { id: "browse-events", class: "browse__title" }, t("catalog.browse.events")),
    topicLinks(topics.life_events || [], "event", event),
    h("h2", { id: "browse-fields", class: "browse__title" }, t("catalog.browse.fields")),
    topicLinks(topics.fields || [], "field", field),
  );
}

function procedureCard(p) {
  return h(
    "li",
    { class: "card proc" },
    h("h3", { class: "card__title" }, h("a", { href: procedurePage(p.code) }, p.name)),
    h("p", { class: "card__meta" }, h("span", { class: "code" }, p.code), " · ", p.agency_name || p.agency),
    h(
      "p",
      { class: "card__tags" },
      h("span", { class: `tag tag--${p.level}` }, levelLabel(p.level)),
      p.legacy_level ? h("span", { class: "tag" }, t("level.legacy", { n: p.legacy_level })) : null,
      p.field ? h("span", { class: "tag tag--plain" }, p.field) : null,
    ),
    h(
      "p",
      { class: "card__facts" },
      h("span", {}, `${t("proc.days")}: ${t("proc.days.value", { n: p.legal_days })}`),
      h("span", {}, `${t("proc.fee")}: ${feeLabel(p.fee_vnd ?? p.fee?.amount_vnd)}`),
    ),
  );
}

export async function catalogView(ctx) {
  const q = ctx.query.get("q") || "";
  const agency = ctx.query.get("agency") || "";
  const level = ctx.query.get("level") || "";
  const event = ctx.query.get("event") || "";
  const field = ctx.query.get("field") || "";
  ctx.title(t("catalog.title"));

  const qId = nextId("q");
  const input = h("input", {
    type: "search",
    id: qId,
    name: "q",
    value: q,
    autocomplete: "off",
    enterkeyhint: "search",
    "aria-describedby": `${qId}-hint`,
  });
  const agencySelect = h("select", { id: nextId("agency"), name: "agency" }, h("option", { value: "" }, t("all")));
  const levelSelect = h(
    "select",
    { id: nextId("level"), name: "level" },
    h("option", { value: "" }, t("all")),
    h("option", { value: "full", selected: level === "full" }, t("level.full")),
    h("option", { value: "partial", selected: level === "partial" }, t("level.partial")),
    ["4", "3", "2", "1"].map((n) => h("option", { value: n, selected: level === n }, t("level.legacy", { n }))),
  );
  const results = h("div", { class: "results" });
  const count = h("p", { class: "results__count", role: "status", "aria-live": "polite" });
  // What the page is browsing (a life event or a field), with the way back to the whole catalog.
  const browsing = h("div", { class: "browsing" });
  // Browsing comes before the whole catalog on the home page, after the close matches of an empty search.
  const browseTop = h("div");
  const browse = h("div");

  const form = h(
    "form",
    { class: "search", role: "search", onsubmit: (e) => { e.preventDefault(); search(); } },
    h(
      "div",
      { class: "field" },
      h("label", { for: qId, class: "field__label" }, t("catalog.q")),
      h("p", { class: "field__hint", id: `${qId}-hint` }, t("catalog.q.hint")),
      h("div", { class: "search__row" }, input, h("button", { type: "submit", class: "btn btn--primary" }, t("catalog.search"))),
    ),
    h(
      "div",
      { class: "search__filters" },
      h("div", { class: "field" }, h("label", { for: agencySelect.id, class: "field__label" }, t("catalog.agency")), agencySelect),
      h("div", { class: "field" }, h("label", { for: levelSelect.id, class: "field__label" }, t("catalog.level")), levelSelect),
    ),
  );
  agencySelect.addEventListener("change", () => search());
  levelSelect.addEventListener("change", () => search());

  ctx.render(
    h(
      "section",
      { class: "hero" },
      h("h1", {}, t("catalog.title")),
      h("p", { class: "lead" }, t("catalog.intro")),
    ),
    trackingBox({ compact: true }),
    h("section", { class: "panel", "aria-labelledby": "search-title" }, h("h2", { id: "search-title", class: "visually-hidden" }, t("catalog.search")), form),
    browsing,
    browseTop,
    count,
    results,
    browse,
  );

  let topics = null;
  const topicsReady = catalogTopics()
    .then((found) => {
      topics = found;
      const chosen = event
        ? (found.life_events || []).find((x) => x.id === event)
        : field
          ? (found.fields || []).find((x) => x.id === field)
          : null;
      if (chosen && ctx.alive()) {
        browsing.replaceChildren(
          h(
            "p",
            { class: "browsing__line" },
            t(event ? "catalog.browsing.event" : "catalog.browsing.field"),
            " ",
            h("strong", {}, chosen.name),
            " · ",
            h("a", { href: "#/" }, t("catalog.browsing.all")),
          ),
        );
      }
    })
    .catch(() => {
      /* browsing stays hidden; searching still works */
    });

  agencies()
    .then((list) => {
      for (const a of list.filter((x) => !x.merged_into)) {
        agencySelect.append(h("option", { value: a.code, selected: a.code === agency }, tx(a.name) || a.code));
      }
    })
    .catch(() => {
      /* the filter stays at "All"; searching still works */
    });

  let searchSeq = 0;
  async function search(initial = false) {
    const params = {
      q: input.value.trim(),
      agency: agencySelect.value || (initial ? agency : ""),
      level: levelSelect.value,
      event,
      field,
    };
    if (!initial) {
      // The search lives in the address, so Back and a shared link show the same results.
      const qs = new URLSearchParams(Object.entries(params).filter(([, v]) => v)).toString();
      history.replaceState(null, "", `#/${qs ? `?${qs}` : ""}`);
    }
    const seq = ++searchSeq;
    results.setAttribute("aria-busy", "true");
    try {
      let first = null;
      let found = 0;
      const list = await pagedList({
        fetchPage: async (token) => {
          const page = await get("/procedures", { auth: false, query: { ...params, limit: 10, next_token: token } });
          if (!token) first = page;
          return page;
        },
        renderItem: procedureCard,
        empty: params.q ? t("catalog.empty.q", { q: params.q }) : t("catalog.empty"),
        onCount: (n, more) => {
          found = n;
          if (seq === searchSeq) count.textContent = more ? t("catalog.results.more", { n }) : t("catalog.results", { n });
        },
      });
      if (seq === searchSeq && ctx.alive()) {
        results.replaceChildren(list);
        await topicsReady;
        showWaysOn(found === 0, first?.suggestions || []);
      }
    } catch (error) {
      if (seq === searchSeq && ctx.alive()) {
        count.textContent = "";
        results.replaceChildren(errorBlock(error, () => search()));
      }
    } finally {
      results.removeAttribute("aria-busy");
    }
  }

  /** Close matches when nothing was found; browsing on the home page and after an empty search. */
  function showWaysOn(empty, suggestions) {
    const blocks = [];
    if (empty && suggestions.length) {
      blocks.push(
        h(
          "section",
          { class: "suggestions", "aria-labelledby": "suggestions-title" },
          h("h2", { id: "suggestions-title", class: "suggestions__title" }, t("catalog.suggestions")),
          h("ul", { class: "cards" }, suggestions.map(procedureCard)),
        ),
      );
    }
    const home = !input.value.trim() && !event && !field;
    if (topics && empty) blocks.push(browsePanel(topics, { event, field }));
    browse.replaceChildren(...blocks);
    browseTop.replaceChildren(...(topics && home && !empty ? [browsePanel(topics)] : []));
  }

  await search(true);
}
