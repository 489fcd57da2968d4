"""The local web server sends the built portal as CloudFront does (compressed, with infra/site.py's
Cache-Control, 304 when unchanged), and `make dev` builds it again when a source changes."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import brotli
import requests
from chalice.app import Chalice

from infra import site
from infra.devstack.process import free_port
from infra.devstack.web import WebServer
from tests.conftest import DEMO_PROVINCE

SCRIPT = "export const words = [" + ", ".join(f'"từ {n}"' for n in range(400)) + "];\n"


def _raw(url: str, encoding: str, etag: str | None = None) -> requests.Response:
    headers = {"Accept-Encoding": encoding}
    if etag:
        headers["If-None-Match"] = etag
    # stream=True and .raw: the body as it came, not decoded by requests.
    return requests.get(url, headers=headers, timeout=5, stream=True)


def test_text_is_compressed_and_cached_as_cloudfront_sends_it(tmp_path: Path) -> None:
    root = tmp_path / "site"
    (root / "assets").mkdir(parents=True)
    (root / "assets" / "app-ABCDEFGH.js").write_text(SCRIPT, encoding="utf-8")
    (root / "index.html").write_text("<!doctype html><title>Một cửa</title>", encoding="utf-8")
    (root / "assets" / "mark-ABCDEFGH.png").write_bytes(b"\x89PNG" + bytes(4096))
    server = WebServer(Chalice(app_name="throwaway"), host="127.0.0.1", port=free_port(), static_root=root)
    host, port = server.server.server_address[:2]
    server.start()
    try:
        url = f"http://{host}:{port}"
        script = f"{url}/assets/app-ABCDEFGH.js"
        br = _raw(script, "gzip, deflate, br")
        assert br.headers["Content-Encoding"] == "br"
        assert brotli.decompress(br.raw.read()).decode() == SCRIPT
        assert int(br.headers["Content-Length"]) < len(SCRIPT.encode()) / 4
        assert br.headers["Vary"] == "Accept-Encoding"
        assert br.headers["Cache-Control"] == site.IMMUTABLE == "public, max-age=31536000, immutable"
        gz = _raw(script, "gzip")
        assert gz.headers["Content-Encoding"] == "gzip"
        assert gzip.decompress(gz.raw.read()).decode() == SCRIPT
        assert _raw(script, "br;q=0, gzip").headers["Content-Encoding"] == "gzip"
        plain = _raw(script, "identity")
        assert "Content-Encoding" not in plain.headers and plain.raw.read().decode() == SCRIPT
        # An image is sent as it is; a small page too, but asked again on every visit
        assert "Content-Encoding" not in _raw(f"{url}/assets/mark-ABCDEFGH.png", "br").headers
        page = _raw(f"{url}/", "br")
        assert "Content-Encoding" not in page.headers  # under 1 KB, as CloudFront leaves it
        assert page.headers["Cache-Control"] == "no-cache"
        # Unchanged: 304 without a body, for the same ETag whatever the encoding
        again = _raw(f"{url}/", "gzip", etag=page.headers["ETag"])
        assert (again.status_code, again.raw.read()) == (304, b"")
        assert again.headers["Cache-Control"] == "no-cache"
        (root / "index.html").write_text("<!doctype html><title>Một cửa điện tử</title>", encoding="utf-8")
        assert _raw(f"{url}/", "gzip", etag=page.headers["ETag"]).status_code == 200
    finally:
        server.stop()


def test_a_source_changed_is_built_again_on_the_next_request(tmp_path: Path) -> None:
    frontend = tmp_path / "frontend"
    shutil.copytree(site.FRONTEND, frontend)
    builder = site.SiteBuilder(Path(DEMO_PROVINCE), tmp_path / "site", frontend=frontend)
    out = builder.fresh()
    entry = (out / "asset-manifest.json").read_text(encoding="utf-8")
    assert builder.fresh() == out and (out / "asset-manifest.json").read_text(encoding="utf-8") == entry
    styles = frontend / "styles.css"
    styles.write_text(
        styles.read_text(encoding="utf-8") + "\n.fast-test { color: #123456; }\n", encoding="utf-8"
    )
    builder.fresh()
    manifest = (out / "asset-manifest.json").read_text(encoding="utf-8")
    assert manifest != entry  # the stylesheet has a new hash
    stylesheet = next(out.glob("assets/styles-*.css")).read_text(encoding="utf-8")
    assert "#123456" in stylesheet


def test_a_source_that_does_not_build_is_said_in_the_browser_and_built_again_once_fixed(
    tmp_path: Path,
) -> None:
    frontend = tmp_path / "frontend"
    shutil.copytree(site.FRONTEND, frontend)
    builder = site.SiteBuilder(Path(DEMO_PROVINCE), tmp_path / "site", frontend=frontend)
    builder.fresh()
    server = WebServer(
        Chalice(app_name="throwaway"), host="127.0.0.1", port=free_port(), static_root=builder.fresh
    )
    host, port = server.server.server_address[:2]
    server.start()
    try:
        url = f"http://{host}:{port}/"
        assert requests.get(url, timeout=30).status_code == 200
        app = frontend / "app.js"
        source = app.read_text(encoding="utf-8")
        app.write_text(source + "\nconst = ;\n", encoding="utf-8")
        broken = requests.get(url, timeout=30)
        assert broken.status_code == 500 and "esbuild failed" in broken.text
        app.write_text(source, encoding="utf-8")
        assert requests.get(url, timeout=30).status_code == 200
    finally:
        server.stop()
