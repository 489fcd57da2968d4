// #/procedures/<code> — what a procedure asks for and how it is served, and the way to file it.

import { agencies, isCitizen, isStaff, procedure as loadProcedure, session } from "../api.js";
import { t, tx } from "../i18n.js";
import { facts, h } from "../dom.js";
import { typeNames } from "../uploads.js";
import { backLink, errorBlock } from "./common.js";
import { feeLabel } from "./catalog.js";

export async function agencyName(code, fallback) {
  if (fallback) return fallback;
  try {
    const found = (await agencies()).find((a) => a.code === code);
    return found ? tx(found.name) : code;
  } catch {
    return code;
  }
}

export async function procedureView(ctx) {
  const code = ctx.params[0];
  let p;
  try {
    p = await loadProcedure(code);
  } catch (error) {
    ctx.title(code);
    ctx.render(backLink("#/"), h("h1", {}, code), errorBlock(error, ctx.reload));
    return;
  }
  const name = tx(p.name);
  ctx.title(name);
  const agency = await agencyName(p.agency, tx(p.agency_name));
  const fee = p.fee?.amount_vnd ?? p.fee_vnd ?? 0;
  const feeNote = tx(p.fee?.note);
  const s = session();
  const fileHref = `#/file/${encodeURIComponent(p.code)}`;
  const action = isStaff(s)
    ? null
    : h(
        "p",
        { class: "actions" },
        h("a", { class: "btn btn--primary btn--large", href: fileHref }, t("proc.file")),
        isCitizen(s) ? null : h("span", { class: "actions__hint" }, t("proc.file.signin")),
      );

  ctx.render(
    backLink("#/", t("nav.catalog")),
    h("h1", {}, name),
    h(
      "p",
      { class: "card__tags" },
      h("span", { class: `tag tag--${p.level}` }, p.level === "full" ? t("level.full.long") : t("level.partial.long")),
      p.legacy_level ? h("span", { class: "tag" }, t("level.legacy", { n: p.legacy_level })) : null,
    ),
    action,
    h(
      "section",
      { class: "panel" },
      facts([
        [t("proc.code"), p.code],
        [t("proc.field"), tx(p.field)],
        [t("proc.agency"), agency],
        [
          t("proc.level"),
          `${p.level === "full" ? t("level.full") : t("level.partial")} · ${t("level.legacy", { n: p.legacy_level })}`,
        ],
        [t("proc.days"), t("proc.days.value", { n: p.legal_days })],
        [t("proc.fee"), h("span", {}, h("strong", {}, feeLabel(fee)), feeNote ? h("span", { class: "muted" }, ` — ${feeNote}`) : null)],
        [
          t("proc.delivery"),
          (p.result_delivery || []).map((d) => t(`delivery.${d}`)).join(", "),
        ],
      ]),
    ),
    h(
      "section",
      { class: "panel" },
      h("h2", {}, t("proc.papers")),
      h(
        "ol",
        { class: "papers" },
        (p.papers || []).map((paper) =>
          h(
            "li",
            { class: "papers__item" },
            h("p", { class: "papers__name" }, tx(paper.name), " ", h("span", { class: paper.required ? "tag tag--req" : "tag tag--plain" }, paper.required ? t("required") : t("optional"))),
            h(
              "p",
              { class: "muted" },
              t("proc.paper.types", { types: typeNames(paper.content_types) }),
              paper.copies > 1 ? ` · ${t("proc.paper.copies", { n: paper.copies })}` : "",
            ),
          ),
        ),
      ),
    ),
    p.legal_basis?.length
      ? h("section", { class: "panel" }, h("h2", {}, t("proc.legal")), h("ul", { class: "plain-list" }, p.legal_basis.map((b) => h("li", {}, tx(b)))))
      : null,
    action ? action.cloneNode(true) : null,
  );
}
