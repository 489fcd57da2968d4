"""`python -m infra.devstack` as a child process, for what drives the stack from outside: tests, benchmarks.

    from infra.devstack.process import LocalStack

    with LocalStack(tmp / "data", tmp / "stack.log", env={"MOTCUA_SWEEP_SECONDS": "0"}) as stack:
        requests.get(f"{stack.url}/v1/health")

`LocalStack` picks two free loopback ports (the portal and API, moto), starts the stack with its own
data folder and a clean environment (no AWS_*, MOTO_* or MOTCUA_* variable of the caller leaks in;
`env` adds or overrides), waits a bounded time for `GET /v1/health` to answer 200, and stops it as a
user would: SIGINT (Ctrl-C), then a kill if it has not exited in time. Its console goes to a log
file, appended to, so that several starts on one data folder can share one log.

Nothing here imports moto or the app: starting a stack costs this process a subprocess and a few
HTTP requests.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from typing import TYPE_CHECKING

from .config import HOST, ROOT

if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path
    from types import TracebackType

START_TIMEOUT = 90.0  # seconds; a cold start imports moto and provisions, a restart replays
STOP_TIMEOUT = 30.0  # seconds between SIGINT and a kill
HEALTH_PATH = "/v1/health"
# What the caller's environment may not pass on: the stack sets these itself, and a stray one
# (a real AWS profile, another stack's MOTCUA_DATA_DIR) would change what it does.
CLEARED_PREFIXES = ("AWS_", "MOTO_", "MOTCUA_")

_handed_out: set[int] = set()  # ports this process gave a stack already: never twice


class StackError(RuntimeError):
    """The stack did not come up (it exited, or did not answer in time), or was not started."""


def free_port() -> int:
    """A TCP port free on loopback now (and not handed out by this process before)."""
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.bind((HOST, 0))
            port = int(sock.getsockname()[1])
        if port not in _handed_out:
            _handed_out.add(port)
            return port


class LocalStack:
    """One `python -m infra.devstack` on free ports with `data_dir`; start it, stop it, read its log.

    The ports are chosen once, here: starting the same object again (after a stop) reuses them,
    while another `LocalStack` on the same data folder gets ports of its own.
    """

    def __init__(
        self,
        data_dir: Path,
        log_path: Path,
        *,
        env: Mapping[str, str] | None = None,
        province: str = "demo",
        start_timeout: float = START_TIMEOUT,
        stop_timeout: float = STOP_TIMEOUT,
        python: str = sys.executable,
    ) -> None:
        self.data_dir = data_dir
        self.log_path = log_path
        self.env = dict(env or {})
        self.province = province
        self.start_timeout = start_timeout
        self.stop_timeout = stop_timeout
        self.python = python
        self.port = free_port()
        self.moto_port = free_port()
        self.url = f"http://{HOST}:{self.port}"
        self.moto_url = f"http://{HOST}:{self.moto_port}"
        self.process: subprocess.Popen[bytes] | None = None
        self.started_in: float | None = None  # seconds from the start to the first 200 of /v1/health

    # --- the process --------------------------------------------------------------------------

    def environment(self) -> dict[str, str]:
        """What the child runs with: the caller's environment, cleared of AWS/moto/motcua settings."""
        env = {k: v for k, v in os.environ.items() if not k.startswith(CLEARED_PREFIXES)}
        env.update(
            # The Lambdas' code (the API's app.py and chalicelib, routing, sweep, notify) imports as
            # top-level packages, as on Lambda; the stack itself is the package infra.devstack.
            PYTHONPATH=os.pathsep.join([str(ROOT / "functions"), str(ROOT / "functions" / "api"), str(ROOT)]),
            PORT=str(self.port),
            MOTO_PORT=str(self.moto_port),
            PROVINCE=self.province,
            MOTCUA_DATA_DIR=str(self.data_dir),
            PYTHONUNBUFFERED="1",  # the log shows each line as it is printed
            # No history at a new folder's first start unless the caller asks (MOTCUA_HISTORY=N):
            # the tests' and benchmarks' stacks start empty, and fast.
            MOTCUA_HISTORY="0",
        )
        env.update(self.env)
        return env

    def start(self) -> None:
        """Start the stack and return once `GET /v1/health` answers 200.

        Raises StackError, with the end of the log, if it exits first or does not answer within
        `start_timeout` seconds; it is then no longer running.
        """
        if self.running:
            raise StackError(f"the stack on {self.url} is running already")
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        started = time.monotonic()
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [self.python, "-m", "infra.devstack"],
                cwd=ROOT,
                env=self.environment(),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = started + self.start_timeout
        while True:
            if self.process.poll() is not None:
                raise StackError(f"the stack exited with {self.process.returncode}:\n{self.log()}")
            if self.healthy():
                self.started_in = time.monotonic() - started
                return
            if time.monotonic() > deadline:
                self.kill()
                raise StackError(
                    f"the stack did not answer {HEALTH_PATH} within {self.start_timeout:g} s:\n{self.log()}"
                )
            time.sleep(0.3)

    def healthy(self, timeout: float = 2.0) -> bool:
        """Whether `GET /v1/health` answers 200 now (the port is bound before a replay ends)."""
        try:
            with urllib.request.urlopen(f"{self.url}{HEALTH_PATH}", timeout=timeout) as response:
                return int(response.status) == 200
        except (urllib.error.URLError, OSError):  # HTTPError is a URLError too
            return False

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    @property
    def returncode(self) -> int | None:
        return None if self.process is None else self.process.poll()

    def stop(self, timeout: float | None = None) -> int:
        """Ctrl-C, as a user stops `make dev`; a kill if it has not exited in `timeout` s. The exit code.

        0 is a clean stop; a negative code is the signal that ended it (-9: it had to be killed).
        """
        if self.process is None:
            raise StackError("the stack was never started")
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=self.stop_timeout if timeout is None else timeout)
            except subprocess.TimeoutExpired:
                self._print_threads()  # into its log: what the stop was waiting for
                self.kill()
        return self.process.wait()

    def _print_threads(self) -> None:
        assert self.process is not None
        try:
            self.process.send_signal(signal.SIGUSR1)
            self.process.wait(timeout=2.0)  # it goes on (or ends); two seconds to write the stacks
        except (subprocess.TimeoutExpired, ProcessLookupError):
            pass

    def kill(self) -> None:
        """End it at once, if it runs (for clean-ups; `stop()` is the clean way)."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=self.stop_timeout)

    def log(self, *, whole: bool = False, tail: int = 6000) -> str:
        """What the stack printed (its last `tail` characters unless `whole`); "" before any start."""
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return ""
        return text if whole else text[-tail:]

    # --- with LocalStack(...) as stack --------------------------------------------------------

    def __enter__(self) -> LocalStack:
        self.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self.process is not None:
            self.stop()

    def __repr__(self) -> str:
        state = "running" if self.running else f"exit code {self.returncode}"
        return f"LocalStack({self.url}, data={self.data_dir}, {state})"
