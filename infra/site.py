"""The deployable portal, built from frontend/ and a province file: what CloudFront serves and `make dev` too.

    python -m infra.site provinces/demo.yaml out/     builds it into out/

- `assets/`: the scripts (esbuild: bundled, minified, split) and the stylesheet, each named by a hash of its
  content, so that they are cached for a year and never revalidated (`IMMUTABLE`).
- The citizen's bundle holds no officer screen: a view that ROUTES guards with `staff: true` is imported on
  demand (`import()`), in its own chunk, when an officer opens it. New staff views are found in ROUTES.
- The strings: frontend/i18n.js holds both languages; here each goes into its own module, loaded for the
  language the person reads (the other one only if they switch).
- `index.html`: the shell, pointing at the hashed files, with a `modulepreload` for each chunk the
  entry imports (no chain of module requests), revalidated on every visit (`REVALIDATE`).
- `thu-tuc/<code>/` (Vietnamese) and `en/procedures/<code>/` (English): every procedure of the province as
  a static page, pre-rendered with Jinja2 (frontend/pages/), readable without JavaScript; `sitemap.xml` and
  `robots.txt` list them for search engines.
- `asset-manifest.json`: which file holds what (the entry, its chunks, the staff views, the strings).

CloudFront's caching (infra/constructs/frontend.py) and the local web server (infra/devstack/web.py) both
read `cache_control()` below.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass
from html import escape as html_escape
from pathlib import Path
from typing import Any

import jinja2

from motcua.config.province import Province, load_province

ROOT = Path(__file__).resolve().parents[1]
FRONTEND = ROOT / "frontend"
ESBUILD = ROOT / "node_modules" / ".bin" / "esbuild"
ASSETS = "assets"
LANGS = ("vi", "en")

# One place for the cache headers: CloudFront (S3 object metadata) and the local server send these.
IMMUTABLE = "public, max-age=31536000, immutable"  # a hashed file never changes under its name
REVALIDATE = "no-cache"  # pages: kept, but asked again (304 when unchanged) so that a deploy shows at once
NOT_FOUND = "/404.html"  # what an address the site does not have shows, with the status 404


def cache_control(path: str) -> str:
    """The Cache-Control of a site path (`/assets/app-3F2A….js`, `/thu-tuc/1.001193/`, `/`)."""
    return IMMUTABLE if path.lstrip("/").startswith(ASSETS + "/") else REVALIDATE


def procedure_path(code: str, language: str) -> str:
    """Where the static page of a procedure is: `/thu-tuc/<code>/` in Vietnamese, `/en/procedures/<code>/`."""
    return f"/thu-tuc/{code}/" if language == "vi" else f"/en/procedures/{code}/"


class BuildError(RuntimeError):
    """The sources could not be built; the message says where."""


# ---------------------------------------------------------------------------------------------------
# The strings of frontend/i18n.js

_STRINGS_START = "const STRINGS = {"
_LANG_START = re.compile(r"^  (vi|en): \{$")
_ENTRY = re.compile(r'^\s*"((?:[^"\\]|\\.)+)":\s*("(?:[^"\\]|\\.)*"),?\s*$')


def _strings_blocks(source: str) -> tuple[int, int, dict[str, list[str]]]:
    """Where STRINGS begins and ends (line numbers) and each language's lines, as written."""
    lines = source.split("\n")
    try:
        start = lines.index(_STRINGS_START)
        end = lines.index("};", start)
    except ValueError as error:
        raise BuildError("frontend/i18n.js: no `const STRINGS = {` … `};` block") from error
    blocks: dict[str, list[str]] = {}
    current: str | None = None
    for line in lines[start + 1 : end]:
        found = _LANG_START.match(line)
        if found:
            current = found.group(1)
            blocks[current] = []
        elif line == "  },":
            current = None
        elif current is not None:
            blocks[current].append(line)
    if set(blocks) != set(LANGS):
        raise BuildError(f"frontend/i18n.js: STRINGS has {sorted(blocks)}, not {list(LANGS)}")
    return start, end, blocks


def read_strings(i18n_source: str) -> dict[str, dict[str, str]]:
    """Every `"key": "text"` of each language in frontend/i18n.js."""
    _, _, blocks = _strings_blocks(i18n_source)
    strings: dict[str, dict[str, str]] = {}
    for language, lines in blocks.items():
        table: dict[str, str] = {}
        for line in lines:
            found = _ENTRY.match(line)
            if found:
                table[json.loads(f'"{found.group(1)}"')] = json.loads(found.group(2))
        strings[language] = table
    return strings


def split_i18n(i18n_source: str) -> tuple[str, dict[str, str]]:
    """i18n.js without its strings (loaded per language by `loadStrings`), and one module per language."""
    start, end, blocks = _strings_blocks(i18n_source)
    lines = i18n_source.split("\n")
    loaders = ", ".join(f'{lang}: () => import("./strings/{lang}.js")' for lang in LANGS)
    replacement = [
        "// Built: each language's strings are a module of their own, loaded when that language is read.",
        "const STRINGS = {};",
        f"const LOADERS = {{ {loaders} }};",
    ]
    code = "\n".join([*lines[:start], *replacement, *lines[end + 1 :]])
    hook = re.compile(
        r"^export async function loadStrings\([^)]*\) \{(?:\}|\n.*?^\})$", re.MULTILINE | re.DOTALL
    )
    if not hook.search(code):
        raise BuildError("frontend/i18n.js: no `export async function loadStrings(…) { … }` to replace")
    code = hook.sub(
        "export async function loadStrings(value) {\n"
        "  if (LOADERS[value] && !STRINGS[value]) STRINGS[value] = (await LOADERS[value]()).default;\n"
        "}",
        code,
    )
    # English may be read before the Vietnamese strings (the fallback) were ever loaded.
    code = code.replace("STRINGS.vi[", "STRINGS.vi?.[").replace("STRINGS[current][", "STRINGS[current]?.[")
    modules = {lang: "export default {\n" + "\n".join(blocks[lang]) + "\n};\n" for lang in LANGS}
    return code, modules


# ---------------------------------------------------------------------------------------------------
# Staff views on demand

_ROUTE = re.compile(r"^\s*\[/.*/,\s*(\w+)(?:,\s*\{([^}]*)\})?\s*\],?\s*$")
_VIEW_IMPORT = re.compile(r'^import \{([^}]*)\} from "(\./views/[\w./-]+\.js)";$')


def staff_views(app_source: str) -> set[str]:
    """The views that ROUTES guards with `staff: true`, and no route opens without it."""
    guarded: set[str] = set()
    open_to_others: set[str] = set()
    for line in app_source.split("\n"):
        found = _ROUTE.match(line)
        if found:
            view, guard = found.group(1), found.group(2) or ""
            (guarded if re.search(r"\bstaff:\s*true\b", guard) else open_to_others).add(view)
    return guarded - open_to_others


def lazy_staff_imports(app_source: str) -> tuple[str, list[str]]:
    """app.js with each import of staff views only made an `import()` on first use; the modules so made."""
    staff = staff_views(app_source)
    lazy: list[str] = []
    out: list[str] = []
    for line in app_source.split("\n"):
        found = _VIEW_IMPORT.match(line)
        names = [n.strip() for n in found.group(1).split(",") if n.strip()] if found else []
        if found and names and all(n in staff for n in names):
            module = found.group(2)
            lazy.append(module)
            out.extend(f'const {n} = (ctx) => import("{module}").then((m) => m.{n}(ctx));' for n in names)
        else:
            out.append(line)
    return "\n".join(out), lazy


# ---------------------------------------------------------------------------------------------------
# The build


@dataclass(frozen=True)
class Manifest:
    entry: str  # /assets/app-<hash>.js
    preloads: list[str]  # the chunks the entry imports
    stylesheet: str
    favicon: str
    signed_in: str  # /assets/signed-in-<hash>.js: a procedure page's header says who is signed in
    staff: dict[str, str]  # views/inbox.js → /assets/chunks/inbox-<hash>.js
    staff_only: list[str]  # every file an officer's screen loads and a citizen's never does
    strings: dict[str, str]  # vi → /assets/chunks/vi-<hash>.js
    pages: dict[str, dict[str, str]]  # procedure code → {vi: /thu-tuc/<code>/, en: …}

    def to_json(self) -> str:
        return json.dumps(self.__dict__, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def _esbuild(staging: Path, out: Path) -> dict[str, Any]:
    if not ESBUILD.exists():
        raise BuildError(f"no esbuild at {ESBUILD}: `make .venv` installs it (npm ci)")
    meta = staging / "meta.json"
    command = [
        str(ESBUILD),
        "app.js",
        "styles.css",
        "--bundle",
        "--splitting",
        "--format=esm",
        "--minify",
        "--target=es2020",
        "--legal-comments=none",
        "--charset=utf8",
        f"--outdir={out / ASSETS}",
        "--entry-names=[name]-[hash]",
        "--chunk-names=chunks/[name]-[hash]",
        "--asset-names=[name]-[hash]",
        f"--metafile={meta}",
        "--log-level=warning",
    ]
    done = subprocess.run(command, cwd=staging, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BuildError(f"esbuild failed:\n{done.stderr}")
    meta_json: dict[str, Any] = json.loads(meta.read_text(encoding="utf-8"))
    return meta_json


def _site_path(out: Path, staging: Path, output: str) -> str:
    """The site path (`/assets/…`) of a file that esbuild, run in `staging`, names relative to it."""
    return "/" + os.path.relpath(staging / output, out).replace(os.sep, "/")


def build_site(province_file: Path, out: Path, *, frontend: Path = FRONTEND) -> Manifest:
    """Build the site of `province_file` into `out` (emptied first)."""
    province = load_province(province_file)
    out = out.resolve()
    i18n_source = (frontend / "i18n.js").read_text(encoding="utf-8")
    strings = read_strings(i18n_source)
    with tempfile.TemporaryDirectory(prefix="motcua-site-") as tmp:
        staging = Path(tmp).resolve() / "src"
        shutil.copytree(frontend, staging, ignore=shutil.ignore_patterns("*.html", "pages", "README.md"))
        code, modules = split_i18n(i18n_source)
        (staging / "i18n.js").write_text(code, encoding="utf-8")
        (staging / "strings").mkdir()
        for language, module in modules.items():
            (staging / "strings" / f"{language}.js").write_text(module, encoding="utf-8")
        app, lazy = lazy_staff_imports((frontend / "app.js").read_text(encoding="utf-8"))
        (staging / "app.js").write_text(app, encoding="utf-8")
        if out.exists():
            shutil.rmtree(out)
        out.mkdir(parents=True)
        meta = _esbuild(staging, out)

    def site_path(output: str) -> str:
        return _site_path(out, staging, output)

    outputs: dict[str, dict[str, Any]] = meta["outputs"]
    by_entry = {
        Path(o["entryPoint"]).as_posix(): site_path(name) for name, o in outputs.items() if "entryPoint" in o
    }
    entry = by_entry["app.js"]
    entry_output = next(o for name, o in outputs.items() if o.get("entryPoint") == "app.js")
    preloads = [
        site_path(i["path"]) for i in entry_output.get("imports", []) if i["kind"] == "import-statement"
    ]
    staff = {module.removeprefix("./"): by_entry[module.removeprefix("./")] for module in lazy}
    static_imports = {
        site_path(name): [
            site_path(i["path"]) for i in o.get("imports", []) if i["kind"] == "import-statement"
        ]
        for name, o in outputs.items()
    }

    def closure(roots: list[str]) -> set[str]:
        seen: set[str] = set()
        todo = list(roots)
        while todo:
            path = todo.pop()
            if path not in seen:
                seen.add(path)
                todo.extend(static_imports.get(path, []))
        return seen

    staff_only = sorted(closure(list(staff.values())) - closure([entry]))
    strings_chunks = {language: by_entry[f"strings/{language}.js"] for language in LANGS}
    favicon_bytes = (frontend / "favicon.svg").read_bytes()
    favicon = f"/{ASSETS}/favicon-{hashlib.sha256(favicon_bytes).hexdigest()[:8].upper()}.svg"
    (out / favicon.lstrip("/")).write_bytes(favicon_bytes)
    signed_in_bytes = (frontend / "pages" / "signed-in.js").read_bytes()
    signed_in = f"/{ASSETS}/signed-in-{hashlib.sha256(signed_in_bytes).hexdigest()[:8].upper()}.js"
    (out / signed_in.lstrip("/")).write_bytes(signed_in_bytes)

    manifest = Manifest(
        entry=entry,
        preloads=preloads,
        stylesheet=by_entry["styles.css"],
        favicon=favicon,
        signed_in=signed_in,
        staff=staff,
        staff_only=staff_only,
        strings=strings_chunks,
        pages={p.code: {lang: procedure_path(p.code, lang) for lang in LANGS} for p in province.procedures},
    )
    _write_shell(
        frontend / "index.html", out / "index.html", manifest, _procedure_links(province, strings["vi"])
    )
    _write_pages(province, strings, out, manifest, frontend / "pages")
    (out / "asset-manifest.json").write_text(manifest.to_json(), encoding="utf-8")
    return manifest


def _procedure_links(province: Province, strings: dict[str, str]) -> str:
    """Without JavaScript (and for a crawler), the home page still lists the procedures' pages."""
    items = "".join(
        f'<li><a href="{procedure_path(p.code, "vi")}">{html_escape(_tx(p.name.model_dump(), "vi"))}</a></li>'
        for p in province.procedures
    )
    return f'<h2>{html_escape(strings.get("nav.catalog", ""))}</h2><ul class="plain-list">{items}</ul>'


def _write_shell(source: Path, target: Path, manifest: Manifest, links: str = "") -> None:
    html = source.read_text(encoding="utf-8")
    # The <noscript> of <main>, if it is still there, gets the list of procedure pages.
    html = re.sub(
        r"(<noscript>.*?)(</noscript>)", lambda m: m.group(1) + links + m.group(2), html, count=1, flags=re.S
    )
    swaps = [
        ('<link rel="icon" href="favicon.svg"', f'<link rel="icon" href="{manifest.favicon}"'),
        (
            '<link rel="stylesheet" href="styles.css">',
            f'<link rel="stylesheet" href="{manifest.stylesheet}">',
        ),
        (
            '<script type="module" src="app.js"></script>',
            "\n  ".join(
                [f'<link rel="modulepreload" href="{p}">' for p in manifest.preloads]
                + [f'<script type="module" src="{manifest.entry}"></script>']
            ),
        ),
    ]
    for old, new in swaps:
        if old not in html:
            raise BuildError(f"frontend/index.html: no `{old}` to point at the built file")
        html = html.replace(old, new)
    target.write_text(html, encoding="utf-8")


# ---------------------------------------------------------------------------------------------------
# Pre-rendered procedure pages

TYPE_NAMES = {"application/pdf": "PDF", "image/jpeg": "JPG", "image/png": "PNG"}  # as uploads.js
DEFAULT_TYPES = ("application/pdf", "image/jpeg", "image/png")


def _tx(value: Any, language: str) -> str:
    """As i18n.js's tx: plain text, or {vi, en} in the language read (Vietnamese when missing)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return str(value.get(language) or value.get("vi") or "")


def format_vnd(amount: int) -> str:
    """As Intl.NumberFormat("vi-VN", {style: "currency", currency: "VND"}): 50.000 ₫."""
    return f"{amount:,}".replace(",", ".") + "\u00a0₫"


def procedure_context(
    province: Province, code: str, strings: dict[str, str], language: str
) -> dict[str, Any]:
    """What views/procedure.js shows of a procedure, as text in `language`."""

    def t(key: str, **values: object) -> str:
        one = strings.get(f"{key}.one") if values.get("n") == 1 else None
        text = one or strings.get(key) or key
        return re.sub(r"\{(\w+)\}", lambda m: str(values.get(m.group(1), m.group(0))), text)

    procedure = province.procedures_by_code[code]
    p = procedure.model_dump(mode="json")
    agency = province.current_agency(procedure.agency)
    fee = int((p.get("fee") or {}).get("amount_vnd") or 0)
    level = p["level"]
    papers = [
        {
            "name": _tx(paper["name"], language),
            "required": paper.get("required", True),
            "tag": t("required") if paper.get("required", True) else t("optional"),
            "types": t(
                "proc.paper.types",
                types=", ".join(TYPE_NAMES.get(c, c) for c in (paper.get("content_types") or DEFAULT_TYPES)),
            ),
            "copies": t("proc.paper.copies", n=paper["copies"]) if (paper.get("copies") or 1) > 1 else "",
        }
        for paper in p.get("papers") or []
    ]
    return {
        "code": code,
        "name": _tx(p["name"], language),
        "level_long": t("level.full.long") if level == "full" else t("level.partial.long"),
        "level_class": f"tag tag--{level}",
        "legacy": t("level.legacy", n=p["legacy_level"]) if p.get("legacy_level") else "",
        "facts": [
            (t("proc.code"), code),
            (t("proc.field"), _tx(p.get("field"), language)),
            (t("proc.agency"), _tx(agency.name.model_dump(), language) if agency else procedure.agency),
            (
                t("proc.level"),
                f"{t('level.full') if level == 'full' else t('level.partial')} · "
                f"{t('level.legacy', n=p.get('legacy_level'))}",
            ),
            (t("proc.days"), t("proc.days.value", n=p["legal_days"])),
        ],
        "fee": format_vnd(fee) if fee > 0 else t("proc.fee.free"),
        "fee_note": _tx((p.get("fee") or {}).get("note"), language),
        "delivery": ", ".join(t(f"delivery.{d}") for d in p.get("result_delivery") or []),
        "papers": papers,
        "legal_basis": [_tx(b, language) for b in p.get("legal_basis") or []],
        "file_href": f"/?lang={language}#/file/{code}",  # the app opens in the page's language
    }


def _write_pages(
    province: Province, all_strings: dict[str, dict[str, str]], out: Path, manifest: Manifest, templates: Path
) -> None:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    page = env.get_template("procedure.html")
    base = province.portal_url.rstrip("/")
    for procedure in province.procedures:
        for language in LANGS:
            strings = all_strings[language]
            other = "en" if language == "vi" else "vi"
            context = procedure_context(province, procedure.code, strings, language)
            html = page.render(
                lang=language,
                other=other,
                p=context,
                s=strings,
                province=_tx(province.name.model_dump(), language),
                here=procedure_path(procedure.code, language),
                there=procedure_path(procedure.code, other),
                base=base,
                manifest=manifest,
                home="/#/",
                roles={
                    role: strings.get(f"role.{role}", role)
                    for role in ("receiver", "officer", "leader", "admin")
                },
            )
            target = out / procedure_path(procedure.code, language).strip("/") / "index.html"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(html, encoding="utf-8")
    (out / NOT_FOUND.lstrip("/")).write_text(
        env.get_template("404.html").render(
            lang="vi",
            s=all_strings["vi"],
            home="/",
            vi=all_strings["vi"],
            en=all_strings["en"],
            province=_tx(province.name.model_dump(), "vi"),
            manifest=manifest,
        ),
        encoding="utf-8",
    )
    urls = [f"{base}/"] + [f"{base}{path}" for pages in manifest.pages.values() for path in pages.values()]
    sitemap = env.get_template("sitemap.xml").render(urls=urls)
    (out / "sitemap.xml").write_text(sitemap, encoding="utf-8")
    (out / "robots.txt").write_text(
        f"User-agent: *\nAllow: /\nSitemap: {base}/sitemap.xml\n", encoding="utf-8"
    )


def sources_digest(province_file: Path, frontend: Path = FRONTEND) -> str:
    """A hash of everything a build reads: the province file, frontend/ and esbuild's version."""
    digest = hashlib.sha256()
    lock = ROOT / "package-lock.json"
    for path in [province_file, lock, *sorted(p for p in frontend.rglob("*") if p.is_file())]:
        if path.is_file():
            digest.update(path.as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    digest.update(Path(__file__).read_bytes())
    return digest.hexdigest()


def build_into(province_file: Path, out: Path) -> Path:
    """The site of `province_file` in `out`, built unless the same sources built it there already (CDK
    synth in several processes at once: one builds, the others wait and reuse)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    stamp = out.parent / f"{out.name}.sources"
    with (out.parent / f"{out.name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        digest = sources_digest(province_file)
        if not (out.is_dir() and stamp.is_file() and stamp.read_text(encoding="utf-8") == digest):
            build_site(province_file, out)
            stamp.write_text(digest, encoding="utf-8")
    return out


# ---------------------------------------------------------------------------------------------------
# The local stack: built again when a source changed


class SiteBuilder:
    """Keeps `out` built from the current sources: `fresh()` rebuilds when a file under frontend/ or the
    province file changed since the last build (esbuild takes well under a second)."""

    def __init__(self, province_file: Path, out: Path, *, frontend: Path = FRONTEND) -> None:
        self.province_file = province_file
        self.out = out
        self.frontend = frontend
        self._lock = threading.Lock()
        self._built: tuple[float, int] | None = None

    def _stamp(self) -> tuple[float, int]:
        files = [self.province_file, *(p for p in self.frontend.rglob("*") if p.is_file())]
        return max(p.stat().st_mtime for p in files), len(files)

    def fresh(self) -> Path:
        with self._lock:
            stamp = self._stamp()
            if stamp != self._built:
                build_site(self.province_file, self.out, frontend=self.frontend)
                self._built = stamp
        return self.out


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: python -m infra.site <province.yaml> <out dir>", file=sys.stderr)
        return 2
    manifest = build_site(Path(argv[0]), Path(argv[1]))
    print(manifest.to_json(), end="")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
