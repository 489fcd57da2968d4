"""One HTTP server on loopback: `/v1/...` through Chalice's local API Gateway, the rest from the built portal
(infra/site.py, built again when a source changes), compressed and cached as CloudFront serves it."""

from __future__ import annotations

import functools
import gzip
import hashlib
import importlib.util
import json
import mimetypes
import os
import re
import sys
import threading
import traceback
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

import brotli
from chalice.config import Config
from chalice.local import ChaliceRequestHandler, CustomLocalChalice, LocalChalice, ThreadedHTTPServer

from infra.site import NOT_FOUND, REVALIDATE, BuildError, cache_control
from motcua.presentation.security import portal_headers

# A route only the local stack serves: the query string in, a JSON document out.
LocalRoute = Callable[[str], dict[str, Any]]
# A page only the local stack serves (an email of the outbox): the query string in, HTML out (None: 404).
LocalPage = Callable[[str], str | None]

if TYPE_CHECKING:
    from http.server import HTTPServer

    from chalice.app import Chalice

API_PREFIX = "/v1"
# An email shown in the outbox's frame: its own inline styles and data: images, no script, no request out;
# framed by the portal only, and sandboxed even when opened alone.
MAIL_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'; sandbox"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}

# What browsers need to hear; mimetypes alone depends on the machine's /etc/mime.types.
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".json": "application/json; charset=utf-8",
    ".map": "application/json; charset=utf-8",
    ".webmanifest": "application/manifest+json; charset=utf-8",
    ".svg": "image/svg+xml; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".ico": "image/x-icon",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".pdf": "application/pdf",
}


# Compressed as CloudFront compresses (text, not images or PDFs); brotli first where the browser takes it.
COMPRESSIBLE = ("text/", "application/json", "application/manifest+json", "image/svg+xml", "application/xml")
MIN_COMPRESS_BYTES = 1024  # CloudFront's floor too: smaller files go as they are
_compressed: dict[tuple[str, int, str], bytes] = {}
_compressed_lock = threading.Lock()


def compressed(target: Path, body: bytes, encoding: str) -> bytes:
    """`body` in `encoding` (br or gzip), kept per file version so that brotli's best level costs once."""
    key = (str(target), target.stat().st_mtime_ns, encoding)
    with _compressed_lock:
        known = _compressed.get(key)
    if known is None:
        known = brotli.compress(body, quality=11) if encoding == "br" else gzip.compress(body, 9, mtime=0)
        with _compressed_lock:
            if len(_compressed) > 512:
                _compressed.clear()
            _compressed[key] = known
    return known


def chosen_encoding(accept_encoding: str, kind: str, size: int) -> str | None:
    """br, gzip or None (identity) for a file of type `kind` and `size` bytes."""
    if size < MIN_COMPRESS_BYTES or not kind.startswith(COMPRESSIBLE):
        return None
    offered = {part.split(";")[0].strip().lower() for part in accept_encoding.split(",")}
    refused = {
        part.split(";")[0].strip().lower()
        for part in accept_encoding.split(",")
        if re.search(r";\s*q=0(\.0*)?\s*$", part)
    }
    for encoding in ("br", "gzip"):
        if encoding in offered and encoding not in refused:
            return encoding
    return None


def content_type(path: Path) -> str:
    known = CONTENT_TYPES.get(path.suffix.lower())
    if known:
        return known
    guessed, _ = mimetypes.guess_type(path.name)
    return guessed or "application/octet-stream"


def load_app(api_dir: Path) -> Chalice:
    """The Chalice `app` of `<api_dir>/app.py`, imported as the module `app` as Lambda would."""
    source = api_dir / "app.py"
    if not source.is_file():
        raise FileNotFoundError(f"no Chalice app at {source}")
    if str(api_dir) not in sys.path:
        sys.path.insert(0, str(api_dir))  # for its chalicelib/
    spec = importlib.util.spec_from_file_location("app", source)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["app"] = module
    spec.loader.exec_module(module)
    app: Chalice = module.app
    return app


# How many API requests are handled at once; the others wait their turn, in about the order they came.
# Every request shares one interpreter (the GIL) and moto's one-at-a-time gate: admitted all at once,
# ten filings share the CPU and finish together near the end (their median about the sum of their
# times); admitted a few at a time they finish more one after another, for the same throughput
# (docs/local-stack.md, "Ten at once", says what it gained and what it did not).
API_AT_ONCE = 4


class PortalHandler(ChaliceRequestHandler):
    """Chalice's local handler, with everything outside `/v1` served from a folder."""

    server_version = "motcua-devstack"
    # An answer goes out as two writes (headers, then body): with Nagle's algorithm on, the body waits
    # for the client's delayed ACK, some 40 ms on every request.
    disable_nagle_algorithm = True
    path: str  # BaseHTTPRequestHandler sets it per request
    command: str

    def __init__(
        self,
        request: Any,
        client_address: Any,
        server: HTTPServer,
        *,
        app_object: Chalice,
        config: Config,
        static_root: Callable[[], Path],
        strip_prefix: bool,
        local_routes: Mapping[str, LocalRoute],
        local_pages: Mapping[str, LocalPage],
        portal_headers: Mapping[str, str],
    ) -> None:
        # Set before the base class, whose __init__ handles the request.
        self.local_pages = local_pages
        self.portal_headers = portal_headers
        self.static_root = static_root
        self.strip_prefix = strip_prefix
        self.local_routes = local_routes
        super().__init__(request, client_address, server, app_object=app_object, config=config)

    def _dispatch(self) -> None:
        path = urlsplit(self.path).path
        try:
            if path in self.local_routes and self.command == "GET":
                self._local(self.local_routes[path])
            elif path in self.local_pages and self.command == "GET":
                self._page(self.local_pages[path])
            elif path == API_PREFIX or path.startswith(API_PREFIX + "/"):
                self._api()
            elif self.command in ("GET", "HEAD"):
                self._static(path)
            else:
                self._plain(405, "Method not allowed", {"Allow": "GET, HEAD"})
        except ConnectionError:  # the client left before the answer (a page reload, a probe that gave up)
            self.close_connection = True

    do_GET = do_PUT = do_POST = do_HEAD = do_DELETE = do_PATCH = do_OPTIONS = _dispatch

    def _api(self) -> None:
        if self.strip_prefix:
            rest = self.path[len(API_PREFIX) :]
            self.path = rest if rest.startswith("/") else "/" + rest
        try:
            with self.server.in_flight, self.server.api_slots:
                self._generic_handle()
        except ConnectionError:
            raise
        except Exception:  # a bug in the app or the gateway: say so instead of dropping the connection
            traceback.print_exc()
            error = {"code": "local_gateway_error", "message": "The local API crashed; see the console."}
            sent = {"Content-Type": "application/json", **self.portal_headers}
            self._send_http_response(502, sent, json.dumps({"error": error}))

    def _local(self, route: LocalRoute) -> None:
        """A route only the local stack has (the outbox): JSON, never cached."""
        body = json.dumps(route(urlsplit(self.path).query), ensure_ascii=False).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self._send_security_headers()
        self.end_headers()
        self.wfile.write(body)

    def _page(self, page: LocalPage) -> None:
        """An email's HTML, framed by the portal's outbox: inline styles as every email has, nothing else."""
        html = page(urlsplit(self.path).query)
        if html is None:
            self._plain(404, "Not found")
            return
        self._html(200, html.encode(), "no-store", MAIL_HEADERS)

    def _static(self, path: str) -> None:
        try:
            root = self.static_root().resolve()
        except BuildError as error:  # a source being edited: say why in the browser, build again on reload
            traceback.print_exc()
            self._plain(500, f"The portal did not build.\n{error}")
            return
        relative = unquote(path).lstrip("/")
        if "\x00" in relative:
            self._plain(400, "Bad request")
            return
        target = (root / relative).resolve()
        if not target.is_relative_to(root):  # ../ or a symlink out of the folder
            self._not_found(root)
            return
        if target.is_dir():
            if not path.endswith("/"):  # so that the page's relative links resolve inside the folder
                self._plain(301, "Moved", {"Location": path + "/"})
                return
            target = target / "index.html"
        if not target.is_file():
            self._not_found(root)
            return
        self._send_file(path, target)

    def _not_found(self, root: Path) -> None:
        """The site's page-not-found (infra/site.py), with the status 404, as CloudFront answers."""
        page = root / NOT_FOUND.lstrip("/")
        if not page.is_file():
            self._plain(404, "Not found")
            return
        self._html(404, page.read_bytes(), REVALIDATE, self.portal_headers)

    def _html(self, status: int, body: bytes, cache: str, headers: Mapping[str, str]) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", cache)
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _send_file(self, path: str, target: Path) -> None:
        """A file as CloudFront sends it: its Cache-Control, an ETag (304 when unchanged), compressed."""
        body = target.read_bytes()
        kind = content_type(target)
        etag = f'W/"{hashlib.sha256(body).hexdigest()[:20]}"'  # weak: the same for every encoding
        cache = cache_control(path)
        if etag in {tag.strip() for tag in (self.headers.get("If-None-Match") or "").split(",")}:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.send_header("Cache-Control", cache)
            self.send_header("Vary", "Accept-Encoding")
            self._send_security_headers()
            self.end_headers()
            return
        encoding = chosen_encoding(self.headers.get("Accept-Encoding") or "", kind, len(body))
        if encoding:
            body = compressed(target, body, encoding)
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        if encoding:
            self.send_header("Content-Encoding", encoding)
        self.send_header("Vary", "Accept-Encoding")
        self.send_header("ETag", etag)
        self.send_header("Cache-Control", cache)  # as CloudFront sends it (infra/site.py)
        self._send_security_headers()
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _plain(self, status: int, text: str, headers: dict[str, str] | None = None) -> None:
        body = f"{status} {text}\n".encode()
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self._send_security_headers()
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _send_security_headers(self) -> None:
        """What CloudFront's response headers policy adds on AWS (motcua.presentation.security), but HSTS:
        the local stack is plain HTTP on loopback."""
        for name, value in self.portal_headers.items():
            self.send_header(name, value)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 — the base class's name
        sys.stderr.write(f"{self.log_date_time_string()} {format % args}\n")


# Connections the kernel completes and holds until the server accepts them. http.server's default is 5:
# 200 citizens connecting at once overflowed it, and the connections past it were dropped or reset
# (benchmarks/load.py). Linux caps it at net.core.somaxconn (4096 on current kernels).
LISTEN_BACKLOG = 1024


class InFlight:
    """How many API requests are in hand (handled, or waiting for a slot): background work yields to them.

    The notification pipe and its notifier share moto with the API: in a burst of filings, the
    notifications of the first ones (about as many requests to moto as the filings themselves) would
    be sent while the others wait. On AWS they run on capacity of their own; here they wait for a
    moment without API requests, for at most a second a round (`wait_idle`), so none is held back
    for long however busy the API is.
    """

    def __init__(self) -> None:
        self.count = 0
        self._changed = threading.Condition()

    def __enter__(self) -> None:
        with self._changed:
            self.count += 1

    def __exit__(self, *exc: object) -> None:
        with self._changed:
            self.count -= 1
            if self.count == 0:
                self._changed.notify_all()

    def wait_idle(self, timeout: float) -> bool:
        """Until no API request is in hand, `timeout` seconds at most; whether none is."""
        with self._changed:
            return self._changed.wait_for(lambda: self.count == 0, timeout)


class PortalServer(ThreadedHTTPServer):
    """Chalice's threaded server (one daemon thread per connection), with room for a burst of connects,
    `api_slots`, the API requests it handles at once, and `in_flight`, those in hand."""

    request_queue_size = LISTEN_BACKLOG
    api_slots: threading.BoundedSemaphore
    in_flight: InFlight


class WebServer:
    """The portal and the API on one port, one thread per connection."""

    name = "web"

    def __init__(
        self,
        app: Chalice,
        *,
        host: str,
        port: int,
        static_root: Path | Callable[[], Path],
        local_routes: Mapping[str, LocalRoute] | None = None,
        local_pages: Mapping[str, LocalPage] | None = None,
        upload_origins: Sequence[str] = (),
        api_at_once: int | None = None,
    ) -> None:
        # As `chalice local` does: the current request lives in a thread-local, one per connection.
        CustomLocalChalice.__bases__ = (LocalChalice, app.__class__)
        app.__class__ = CustomLocalChalice
        # API Gateway strips its stage; the routes carry /v1 themselves, unless an app leaves it out.
        strip = not any(route == API_PREFIX or route.startswith(API_PREFIX + "/") for route in app.routes)
        handler = functools.partial(
            PortalHandler,
            app_object=app,
            config=Config.create(chalice_stage="local", app_name="motcua-api", lambda_timeout=30),
            # A folder, or what gives the folder at each request (the site built again if a source changed).
            static_root=static_root
            if callable(static_root)
            else functools.partial(Path.resolve, static_root),
            strip_prefix=strip,
            local_routes=dict(local_routes or {}),
            local_pages=dict(local_pages or {}),
            portal_headers=portal_headers(upload_origins),
        )
        self.server = PortalServer((host, port), handler)
        at_once = api_at_once or int(os.environ.get("MOTCUA_API_AT_ONCE", "") or API_AT_ONCE)
        self.server.api_slots = threading.BoundedSemaphore(at_once)
        self.in_flight = self.server.in_flight = InFlight()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._serve, name="web", daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        self.server.serve_forever(poll_interval=0.1)

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=10)
