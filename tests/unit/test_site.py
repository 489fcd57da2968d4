"""The built portal (infra/site.py): hashed bundles without the officers' screens or the other language,
and every procedure of the demo province as a static page in both languages, saying what the province
file says."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest

from infra import site
from motcua.config.province import Province, load_province
from tests.conftest import DEMO_PROVINCE

# Elements that never have an end tag (HTML's void elements), and those whose end tag may be left out.
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
SVG_SELF_CLOSING = {"circle", "polygon", "path", "rect"}


class Checker(HTMLParser):
    """Every element closed in order, one <html lang>, one <title>, one <h1>, ids unique: what a
    validator would complain about first; the text as a reader would see it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.problems: list[str] = []
        self.lang: str | None = None
        self.counts: dict[str, int] = {}
        self.ids: set[str] = set()
        self.text: list[str] = []
        self.doctype = False

    def handle_decl(self, decl: str) -> None:
        self.doctype = self.doctype or decl.lower() == "doctype html"

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.counts[tag] = self.counts.get(tag, 0) + 1
        values = dict(attrs)
        if tag == "html":
            self.lang = values.get("lang")
        if values.get("id"):
            if values["id"] in self.ids:
                self.problems.append(f"duplicate id {values['id']}")
            self.ids.add(str(values["id"]))
        if tag not in VOID:
            self.open.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in VOID and tag not in SVG_SELF_CLOSING:
            self.problems.append(f"<{tag}/> is not a void element")

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open[-1] != tag:
            self.problems.append(f"</{tag}> closes {self.open[-1] if self.open else 'nothing'}")
        else:
            self.open.pop()

    def handle_data(self, data: str) -> None:
        if self.open and self.open[-1] not in ("title", "style", "script"):
            self.text.append(data)

    def check(self, html: str) -> Checker:
        self.feed(html)
        self.close()
        if self.open:
            self.problems.append(f"never closed: {self.open}")
        if not self.doctype:
            self.problems.append("no <!doctype html>")
        for tag in ("html", "head", "body", "title", "h1", "main"):
            if self.counts.get(tag) != 1:
                self.problems.append(f"{self.counts.get(tag, 0)} <{tag}>")
        return self

    @property
    def words(self) -> str:
        return re.sub(r"\s+", " ", " ".join(self.text))


@pytest.fixture(scope="module")
def province() -> Province:
    return load_province(DEMO_PROVINCE)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, site.Manifest]:
    out = tmp_path_factory.mktemp("site") / "site"
    return out, site.build_site(Path(DEMO_PROVINCE), out)


def _text(value: dict[str, str], language: str) -> str:
    return value.get(language) or value["vi"]


@pytest.mark.parametrize("language", site.LANGS)
def test_every_procedure_has_a_valid_page_saying_what_the_province_file_says(
    built: tuple[Path, site.Manifest], province: Province, language: str
) -> None:
    out, manifest = built
    strings = site.read_strings((site.FRONTEND / "i18n.js").read_text(encoding="utf-8"))[language]
    assert len(province.procedures) >= 10
    assert set(manifest.pages) == {p.code for p in province.procedures}
    for procedure in province.procedures:
        path = site.procedure_path(procedure.code, language)
        page = out / path.strip("/") / "index.html"
        checked = Checker().check(page.read_text(encoding="utf-8"))
        assert not checked.problems, f"{path}: {checked.problems}"
        assert checked.lang == language
        p = procedure.model_dump(mode="json")
        agency = province.current_agency(procedure.agency)
        assert agency is not None
        fee = int(p["fee"]["amount_vnd"])
        expected = [
            _text(p["name"], language),
            _text(p["field"], language),
            _text(agency.name.model_dump(), language),
            procedure.code,
            strings["proc.days.value"].replace("{n}", str(p["legal_days"]))
            if p["legal_days"] != 1
            else strings.get("proc.days.value.one", strings["proc.days.value"]).replace("{n}", "1"),
            f"{fee:,}".replace(",", ".") + "\u00a0₫" if fee else strings["proc.fee.free"],
            strings["proc.file"],
            *(_text(paper["name"], language) for paper in p["papers"]),
            *(
                _text(basis, language) if isinstance(basis, dict) else basis
                for basis in p.get("legal_basis") or []
            ),
        ]
        for text in expected:
            assert re.sub(r"\s+", " ", text) in checked.words, f"{path}: {text!r} missing"
        html = page.read_text(encoding="utf-8")
        assert (
            f'href="/?lang={language}#/file/{procedure.code}"' in html
        )  # into the app's form, same language
        other = "en" if language == "vi" else "vi"
        assert f'href="{site.procedure_path(procedure.code, other)}"' in html


def test_the_sitemap_lists_every_page_and_robots_names_it(
    built: tuple[Path, site.Manifest], province: Province
) -> None:
    out, _ = built
    namespace = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    urls = {loc.text for loc in ET.parse(out / "sitemap.xml").getroot().findall("s:url/s:loc", namespace)}
    base = province.portal_url.rstrip("/")
    expected = {
        f"{base}{site.procedure_path(p.code, lang)}" for p in province.procedures for lang in site.LANGS
    }
    assert urls == expected | {f"{base}/"}
    assert f"Sitemap: {base}/sitemap.xml" in (out / "robots.txt").read_text(encoding="utf-8")


def test_the_shell_points_at_hashed_files_and_preloads_what_the_entry_imports(
    built: tuple[Path, site.Manifest],
) -> None:
    out, manifest = built
    html = (out / "index.html").read_text(encoding="utf-8")
    hashed = re.compile(r"^/assets/(chunks/)?[\w]+-[A-Z0-9]{8}\.(js|css|svg)$")
    for path in [manifest.entry, manifest.stylesheet, manifest.favicon, *manifest.preloads]:
        assert hashed.match(path), path
        assert (out / path.lstrip("/")).is_file()
        assert f'"{path}"' in html
    assert f'<script type="module" src="{manifest.entry}"></script>' in html
    assert html.count("modulepreload") == len(manifest.preloads) >= 1
    assert 'src="app.js"' not in html and 'href="styles.css"' not in html
    noscript = html.split("<noscript>", 1)[1].split("</noscript>", 1)[0]  # no script: the pages, listed
    assert all(f'<a href="{pages["vi"]}">' in noscript for pages in manifest.pages.values())
    entry = (out / manifest.entry.lstrip("/")).read_text(encoding="utf-8")
    imported = set(re.findall(r'from\s*"\./(chunks/[^"]+)"', entry))
    assert {f"/assets/{i}" for i in imported} == set(manifest.preloads)  # no import left to chain


def test_a_citizen_loads_neither_the_officers_screens_nor_any_language_up_front(
    built: tuple[Path, site.Manifest],
) -> None:
    out, manifest = built
    first = [manifest.entry, *manifest.preloads]
    code = "".join((out / path.lstrip("/")).read_text(encoding="utf-8") for path in first)
    staff = "".join((out / path.lstrip("/")).read_text(encoding="utf-8") for path in manifest.staff_only)
    # Each staff view is a chunk of its own, loaded on demand, and its code is nowhere in the first files.
    assert {"views/inbox.js", "views/audit.js", "views/escalations.js"} <= set(manifest.staff)
    assert "task__kind" in staff and "task__kind" not in code  # the inbox's cards
    assert not set(manifest.staff_only) & set(first)
    # The strings: one module per language, neither in the first files.
    vi = (out / manifest.strings["vi"].lstrip("/")).read_text(encoding="utf-8")
    en = (out / manifest.strings["en"].lstrip("/")).read_text(encoding="utf-8")
    assert "Bỏ qua, đến nội dung chính" in vi and "Skip to main content" in en
    assert "Skip to main content" not in vi and "Bỏ qua, đến nội dung chính" not in en
    assert "Skip to main content" not in code and "Thành phần hồ sơ" not in code


def test_a_new_staff_route_is_found_and_loaded_on_demand() -> None:
    app = "\n".join(
        [
            'import { catalogView } from "./views/catalog.js";',
            'import { reportView, reportsView } from "./views/reports.js";',
            'import { meView, dossierView } from "./views/dossiers.js";',
            "const ROUTES = [",
            "  [/^\\/?$/, catalogView],",
            "  [/^\\/me$/, meView, { citizen: true }],",
            "  [/^\\/dossiers\\/([^/]+)$/, dossierView, { signedIn: true }],",
            "  [/^\\/reports$/, reportsView, { staff: true }],",
            "  [/^\\/reports\\/([^/]+)$/, reportView, { staff: true, wide: true }],",
            "];",
        ]
    )
    lazy_app, lazy = site.lazy_staff_imports(app)
    assert site.staff_views(app) == {"reportView", "reportsView"}
    assert lazy == ["./views/reports.js"]
    assert (
        'const reportsView = (ctx) => import("./views/reports.js").then((m) => m.reportsView(ctx));'
        in lazy_app
    )
    assert 'import { meView, dossierView } from "./views/dossiers.js";' in lazy_app
    assert 'from "./views/reports.js"' not in lazy_app


def test_the_strings_split_keeps_every_entry_and_says_when_i18n_js_changed_shape() -> None:
    source = (site.FRONTEND / "i18n.js").read_text(encoding="utf-8")
    strings = site.read_strings(source)
    code, modules = site.split_i18n(source)
    assert len(strings["vi"]) > 300 and len(strings["en"]) > 300
    assert '"site.name": "Dịch vụ công trực tuyến"' in modules["vi"]
    assert "Dịch vụ công trực tuyến" not in code and "Online public services" not in code
    assert 'import("./strings/en.js")' in code
    with pytest.raises(site.BuildError, match="STRINGS"):
        site.split_i18n(source.replace("const STRINGS = {", "const TEXTS = {"))


def test_hashed_files_are_kept_a_year_and_pages_asked_again() -> None:
    assert site.cache_control("/assets/app-ABCDEFGH.js") == "public, max-age=31536000, immutable"
    assert site.cache_control("/assets/chunks/vi-ABCDEFGH.js") == site.IMMUTABLE
    for path in ("/", "/index.html", "/thu-tuc/1.001193/", "/sitemap.xml", "/favicon.svg"):
        assert site.cache_control(path) == "no-cache"


def _top_level_statements(source: str) -> list[str]:
    """Each `const|let|var` statement at a module's top level, whole (to its closing `;` at column 0)."""
    statements: list[str] = []
    current: list[str] | None = None
    for line in source.split("\n"):
        if current is None and re.match(r"^(export )?(const|let|var) ", line):
            current = []
        if current is not None:
            current.append(line)
            if line.rstrip().endswith(";") and (len(current) == 1 or not line.startswith(" ")):
                statements.append("\n".join(current))
                current = None
    return statements


def test_no_module_reads_a_string_before_the_strings_are_loaded() -> None:
    # Built, each language's strings arrive after the modules are evaluated (loadStrings): a top-level
    # `const LABEL = t("…")` would keep the key. Strings are read in functions, when a page is drawn.
    for path in sorted(site.FRONTEND.rglob("*.js")):
        for statement in _top_level_statements(path.read_text(encoding="utf-8")):
            if "=>" in statement or "function" in statement:
                continue  # a function: it runs later
            assert not re.search(r"\b(t|tx)\(", statement), f"{path.name}: {statement[:120]}"
    assert _top_level_statements('const A = t("x");\nfunction f() {}\n') == ['const A = t("x");']
