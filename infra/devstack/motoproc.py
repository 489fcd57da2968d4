"""moto's server in a process of its own, so that moto and the API each have a core.

One interpreter has one lock (the GIL): with moto in a thread of the stack's process, a request to
moto and the API's own work (pydantic, JSON, the workers) took turns on one core, and ten filings at
once took more than five times one (docs/local-stack.md, "Ten at once"). `MotoProcess` starts
`python -m infra.devstack.motoproc` and drives it; the child runs `cloud.MotoServer`, its gate and
its recorder, as the stack's own thread used to, and nothing else.

What the stack reads from moto's memory (queues' lengths, the table's stream, the items of a start,
the outbox) and the snapshots are module-level functions of `infra/devstack/cloud.py`, sent pickled
over a control socket (a Unix socket in a private folder, with a key of this start's own) and run in
the child by `MotoServer.inside`, between two requests, as before; so the snapshot is still taken
and loaded where moto's memory is.

The child dies with the stack: the kernel kills it when the stack's process ends however it ends
(Linux's parent-death signal), and it also exits when its standard input, a pipe from the stack,
reaches its end. It ignores Ctrl-C, which the terminal sends to both: the stack stops it in order
(closes its gate, takes the last snapshot if due, then ends it).
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from multiprocessing.connection import Client, Connection, Listener
from multiprocessing.context import AuthenticationError
from typing import TYPE_CHECKING, Any, TypeVar

from .cloud import MotoMemory, MotoServer, die_with_parent
from .config import ROOT

if TYPE_CHECKING:
    from collections.abc import Callable

T = TypeVar("T")

CONTROL = "MOTCUA_MOTO_CONTROL"  # the control socket's path
KEY = "MOTCUA_MOTO_KEY"  # the control socket's key (hex), this start's own
PARENT = "MOTCUA_MOTO_PARENT"  # the stack's process id
BUSY = 98  # the child's exit code when moto's port is taken
START_TIMEOUT = 120.0  # seconds for the child to import moto and listen
EXIT_TIMEOUT = 10.0


class MotoProcessError(RuntimeError):
    """moto's process answered with an error (its traceback is the message), or is gone."""


class MotoProcess(MotoMemory):
    """moto's server in a child process; the environment (MOTO_*) must be set before this is started."""

    name = "moto"

    def __init__(
        self,
        host: str,
        port: int,
        region: str = "ap-southeast-1",
        *,
        on_stop: Callable[[str], None] | None = None,
        start_timeout: float = START_TIMEOUT,
    ) -> None:
        self.host = host
        self.port = port
        self.region = region
        # Told moto's random generator's `fingerprint` once no request can come in any more.
        self.on_stop = on_stop
        self.start_timeout = start_timeout
        self.process: subprocess.Popen[bytes] | None = None
        self._folder: str | None = None
        self._address = ""
        self._key = b""
        self._idle: list[Connection] = []  # control connections not in use (one per caller at a time)
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def pid(self) -> int | None:
        return None if self.process is None else self.process.pid

    def start(self) -> None:
        """Start the child and return once moto listens; OSError (EADDRINUSE) when its port is taken."""
        self._folder = tempfile.mkdtemp(prefix="motcua-moto-")  # 0700: only this user reaches the socket
        self._address = os.path.join(self._folder, "control")
        self._key = secrets.token_bytes(32)
        paths = [str(ROOT), *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join(paths),
            CONTROL: self._address,
            KEY: self._key.hex(),
            PARENT: str(os.getpid()),
        }
        # Started from the main thread: the parent-death signal follows the thread that started it.
        self.process = subprocess.Popen(
            [sys.executable, "-m", "infra.devstack.motoproc", self.host, str(self.port), self.region],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
        )
        deadline = time.monotonic() + self.start_timeout
        while True:
            code = self.process.poll()
            if code is not None:
                self._clean()
                if code == BUSY:
                    raise OSError(errno.EADDRINUSE, os.strerror(errno.EADDRINUSE))
                raise MotoProcessError(f"moto's process exited with {code} as it started (above).")
            with contextlib.suppress(FileNotFoundError, ConnectionRefusedError):
                self._idle.append(Client(self._address, family="AF_UNIX", authkey=self._key))
                return
            if time.monotonic() > deadline:
                self._end()
                raise MotoProcessError(f"moto's process did not listen within {self.start_timeout:g} s.")
            time.sleep(0.05)

    def _call(self, op: str, work: Callable[[], Any] | None = None) -> Any:
        with self._lock:
            connection = self._idle.pop() if self._idle else None
        try:
            if connection is None:
                connection = Client(self._address, family="AF_UNIX", authkey=self._key)
            connection.send((op, work))
            status, value = connection.recv()
        except (EOFError, OSError) as error:
            if connection is not None:
                connection.close()
            raise MotoProcessError("moto's process is gone.") from error
        with self._lock:
            self._idle.append(connection)
        if status != "ok":
            raise MotoProcessError(f"in moto's process:\n{value}")
        return value

    def inside(self, look: Callable[[], T]) -> T:
        """`look` (a module-level function, or a partial of one) run on moto's memory between two requests."""
        result: T = self._call("inside", look)
        return result

    def after_close(self, work: Callable[[], T]) -> T:
        result: T = self._call("outside", work)
        return result

    def stop(self) -> None:
        if self.process is None:
            return
        try:
            if self.process.poll() is None:
                random = self._call("close")
                if self.on_stop is not None:
                    self.on_stop(random)
        finally:
            self._end()

    def _end(self) -> None:
        assert self.process is not None
        if self.process.poll() is None:
            with contextlib.suppress(MotoProcessError):
                self._call("exit")
        with self._lock:
            idle, self._idle = self._idle, []
        for connection in idle:
            connection.close()
        if self.process.stdin is not None:
            with contextlib.suppress(OSError):
                self.process.stdin.close()  # the child's watch on its input ends it, if nothing else did
        try:
            self.process.wait(timeout=EXIT_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._clean()

    def _clean(self) -> None:
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)
            self._folder = None


# --- the child ------------------------------------------------------------------------------------


def _watch_input() -> None:
    """The stack holds our input's pipe open while it runs: its end means the stack is gone."""
    while os.read(sys.stdin.fileno(), 65536):
        pass
    os._exit(0)


def _serve(server: MotoServer, connection: Connection) -> None:
    with connection:
        while True:
            try:
                op, work = connection.recv()
            except (EOFError, OSError):
                return
            try:
                if op == "inside":
                    value: Any = server.inside(work)
                elif op == "outside":
                    value = work()
                elif op == "close":
                    value = server.close()
                elif op == "exit":
                    connection.send(("ok", None))
                    sys.stdout.flush()
                    sys.stderr.flush()
                    os._exit(0)
                else:
                    raise ValueError(f"unknown operation {op!r}")
                connection.send(("ok", value))
            except Exception:
                with contextlib.suppress(Exception):
                    connection.send(("error", traceback.format_exc()))


def main() -> int:
    host, port, region = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    die_with_parent(int(os.environ[PARENT]))
    # Ctrl-C reaches every process of the terminal's group; the stack stops this one in order.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM})
    server = MotoServer(host, port, region)
    try:
        server.start()
    except OSError as error:
        print(f"devstack: moto cannot listen on {host}:{port} ({error.strerror})", file=sys.stderr)
        return BUSY
    listener = Listener(os.environ[CONTROL], family="AF_UNIX", authkey=bytes.fromhex(os.environ[KEY]))
    threading.Thread(target=_watch_input, name="parent watch", daemon=True).start()
    while True:
        try:
            connection = listener.accept()
        except (AuthenticationError, OSError):
            continue
        threading.Thread(target=_serve, args=(server, connection), name="control", daemon=True).start()


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
