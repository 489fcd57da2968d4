"""Starts the local stack's services in order, stops them in reverse, and turns Ctrl-C into a clean stop.

Today the services are moto's server and the web server. What AWS would trigger on its own (queue
consumers, the schedules' timer) slots in as more services between the two: each is a thread with
`start()` and `stop()`, calling the very handler functions Lambda calls.
"""

from __future__ import annotations

import faulthandler
import os
import signal
import sys
import time
import traceback
from typing import TYPE_CHECKING, NoReturn, Protocol

if TYPE_CHECKING:
    from types import FrameType


class Service(Protocol):
    name: str

    def start(self) -> None: ...

    def stop(self) -> None: ...


class Stop(BaseException):
    """Raised in the main thread by SIGINT or SIGTERM (a BaseException, like KeyboardInterrupt)."""


class Runner:
    def __init__(self) -> None:
        self.services: list[Service] = []

    def start(self, service: Service) -> None:
        with threads_without_stop_signals():  # its threads leave Ctrl-C to the main thread
            service.start()
        self.services.append(service)

    def stop(self) -> None:
        while self.services:
            service = self.services.pop()
            try:
                service.stop()
            except Exception:  # keep stopping the others
                print(f"devstack: {service.name} did not stop cleanly:", file=sys.stderr)
                traceback.print_exc()


STOPPING = {signal.SIGINT, signal.SIGTERM}


def on_signals_raise_stop() -> None:
    """The first SIGINT / SIGTERM raises Stop; a second one while stopping ends the process at once.

    SIGUSR1 prints every thread's stack (what a stop that hangs is waiting for): the process
    harness sends it before it has to kill a stack that did not stop in time.
    """
    faulthandler.register(signal.SIGUSR1, all_threads=True)

    def first(signum: int, frame: FrameType | None) -> None:
        signal.signal(signal.SIGINT, again)
        signal.signal(signal.SIGTERM, again)
        raise Stop

    def again(signum: int, frame: FrameType | None) -> None:
        os._exit(128 + signum)

    signal.signal(signal.SIGINT, first)
    signal.signal(signal.SIGTERM, first)


def serve_until_stopped() -> NoReturn:
    """The main thread's wait, once every service runs: until Stop.

    Python runs a signal's handler in the main thread only, but the kernel may hand a process's
    signal to any of its threads; a main thread asleep for an hour would then see Ctrl-C an hour
    late. The services' threads were started with the stop signals blocked (`threads_without_stop_signals`),
    so the kernel gives them to this thread, and it wakes every second regardless.
    """
    while True:
        time.sleep(1.0)


class threads_without_stop_signals:  # noqa: N801 - used as a `with` statement
    """Threads started inside `with` (and the threads they start) never take SIGINT or SIGTERM.

    A signal that comes meanwhile waits, and the main thread takes it on leaving the `with`.
    """

    def __enter__(self) -> None:
        signal.pthread_sigmask(signal.SIG_BLOCK, STOPPING)

    def __exit__(self, *exc: object) -> None:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, STOPPING)
