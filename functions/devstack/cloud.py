"""moto's server on loopback in a thread of this process, and its recorder, which makes the data last."""

from __future__ import annotations

import json
import logging
import socket
import threading
from typing import TYPE_CHECKING, Any

import requests

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable
    from pathlib import Path

    from werkzeug.serving import BaseWSGIServer

_RECORDER = "/moto-api/recorder/"


class OneAtATime:
    """Lets moto handle one request at a time.

    moto draws its ids (a Cognito user's `sub`, a session) from one seeded random generator and the
    recorder writes each request down as it arrives. Two requests handled at once could draw in
    another order than they were written, and a replay would then hand a citizen another `sub`.
    The recorder's own endpoints stay outside: a replay sends its requests back through this lock.
    Background pollers added later must therefore short-poll (no long WaitTimeSeconds).
    """

    def __init__(self, app: Any) -> None:
        self._app = app
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if str(environ.get("PATH_INFO", "")).startswith(_RECORDER):
            return self._app(environ, start_response)  # type: ignore[no-any-return]
        with self._lock:
            return self._app(environ, start_response)  # type: ignore[no-any-return]


class MotoServer:
    """moto's server; the environment (MOTO_*) must be set before this is started."""

    name = "moto"

    def __init__(self, host: str, port: int) -> None:
        self.host = host
        self.port = port
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> None:
        # Imported here: moto reads MOTO_* (recorder file, id strategies) when it is first imported.
        from moto.moto_server.werkzeug_app import (
            DomainDispatcherApplication,
            MotoRequestHandler,
            create_backend_app,
        )
        from werkzeug.serving import make_server

        # One line per request to moto is noise next to the portal's own log; errors still show.
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        # werkzeug answers a busy port with a message and sys.exit; an OSError tells the caller more.
        with socket.socket() as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((self.host, self.port))
        app = OneAtATime(DomainDispatcherApplication(create_backend_app))
        self._server = make_server(
            self.host, self.port, app, threaded=True, request_handler=MotoRequestHandler
        )
        self._thread = threading.Thread(target=self._serve, name="moto", daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        assert self._server is not None
        self._server.serve_forever(poll_interval=0.1)  # so that Ctrl-C stops without a wait

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=10)


class Recorder:
    """moto's request recorder, driven through its HTTP API (moto_api/_internal/recorder)."""

    def __init__(self, moto_url: str, path: Path) -> None:
        self.moto_url = moto_url
        self.path = path

    def _post(self, endpoint: str, *, timeout: float | None = 30) -> None:
        response = requests.post(f"{self.moto_url}{endpoint}", timeout=(5, timeout))
        response.raise_for_status()

    @property
    def exists(self) -> bool:
        return self.path.is_file() and self.path.stat().st_size > 0

    def seed(self, value: int) -> None:
        """Make moto's random ids a function of `value` and of the requests made since."""
        self._post(f"/moto-api/seed?a={value}")

    def start(self) -> None:
        """Append every request from now on to the recording."""
        self._post(f"{_RECORDER}start-recording")

    def replay(self) -> int:
        """Send every recorded request again, in order; moto does not record the replay itself."""
        count = self.repair()
        self._post(f"{_RECORDER}replay-recording", timeout=None)
        return count

    def repair(self) -> int:
        """Drop a last line cut short (the process was killed while writing it); count the requests.

        Only the last line can be cut short: moto appends one whole line per request. A bad line
        elsewhere means the file was edited or is not a recording, and nothing is thrown away.
        """
        data = self.path.read_bytes()
        lines = data.split(b"\n")
        if lines and lines[-1] == b"":
            lines.pop()
        for number, line in enumerate(lines, start=1):
            try:
                json.loads(line)
            except ValueError as error:
                if number < len(lines):
                    raise RecordingError(f"{self.path}: line {number} is not a recorded request") from error
                lines.pop()
        kept = b"".join(line + b"\n" for line in lines)
        if kept != data:  # also when a whole last line lost its newline, or the next one would join it
            self.path.write_bytes(kept)
        return len(lines)


class RecordingError(RuntimeError):
    """The recording cannot be replayed as it is."""
