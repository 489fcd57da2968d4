"""Starts the local stack's services in order, stops them in reverse, and turns Ctrl-C into a clean stop.

Today the services are moto's server and the web server. What AWS would trigger on its own (queue
consumers, the schedules' timer) slots in as more services between the two: each is a thread with
`start()` and `stop()`, calling the very handler functions Lambda calls.
"""

from __future__ import annotations

import os
import signal
import sys
import traceback
from typing import TYPE_CHECKING, Protocol

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


def on_signals_raise_stop() -> None:
    """The first SIGINT / SIGTERM raises Stop; a second one while stopping ends the process at once."""

    def first(signum: int, frame: FrameType | None) -> None:
        signal.signal(signal.SIGINT, again)
        signal.signal(signal.SIGTERM, again)
        raise Stop

    def again(signum: int, frame: FrameType | None) -> None:
        os._exit(128 + signum)

    signal.signal(signal.SIGINT, first)
    signal.signal(signal.SIGTERM, first)
