"""What AWS triggers on its own, done by threads of the local stack with the same handler functions.

- `RoutingPoller`: Lambda's SQS event source mapping for the routing queue. It hands each batch to
  `routing.app.handler` through `queues.poll_once` (receive, call, delete what succeeded;
  what failed comes back after the queue's visibility timeout and ends in the dead-letter queue).
- `SweepTimer`: the EventBridge schedule of the sweep, calling `sweep.app.handler({}, context)`.

Both run until stopped, log one line per error and go on, and sleep between rounds. moto serves one
request at a time (devstack/cloud.py), so the poller never long-polls: it asks moto's memory whether
a message is waiting (no request, nothing recorded) and only then sends ReceiveMessage, with
WaitTimeSeconds=0.
"""

from __future__ import annotations

import sys
import threading
import time
from typing import TYPE_CHECKING, Any

from .queues import LocalContext, poll_once

if TYPE_CHECKING:
    from collections.abc import Callable

    from .queues import Handler
    from .streams import StreamForwarder

POLL_SECONDS = 0.25  # how long the poller sleeps when the queue is empty (or after an error)
ERROR_PAUSE = 2.0  # after an error, so that a broken handler does not fill the console
IDLE_SWEEP_SECONDS = 3600.0  # the longest the sweep waits while nothing at all happens


def _say(line: str) -> None:
    print(f"devstack: {line}", file=sys.stderr, flush=True)


def _one_line(error: BaseException) -> str:
    text = " ".join(str(error).split())
    return f"{type(error).__name__}: {text[:300]}" if text else type(error).__name__


YIELD_AT_MOST = 1.0  # seconds a background round waits for a moment without API requests


class _Loop:
    """A daemon thread that calls `round()` until stopped; `round()` says how long to sleep.

    With `yield_to` (the web server's `InFlight.wait_idle`), each round first waits for a moment
    without API requests, `YIELD_AT_MOST` seconds at most: background work yields to users.
    """

    name = "worker"
    yield_to: Callable[[float], object] | None = None

    def __init__(self) -> None:
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            # A handler in the middle of a batch finishes it first (its calls time out on their own).
            self._thread.join(timeout=30)
            if self._thread.is_alive():
                _say(f"{self.name} is still busy; leaving it behind.")

    @property
    def running(self) -> bool:
        """Whether its thread is alive: started, and not stopped (or still finishing a batch)."""
        return self._thread is not None and self._thread.is_alive()

    def _run(self) -> None:
        pause = self.first_pause()
        while not self._stopping.wait(pause):
            if self.yield_to is not None:
                self.yield_to(YIELD_AT_MOST)
            pause = self.round()

    def first_pause(self) -> float:
        return 0.0

    def round(self) -> float:
        raise NotImplementedError


class RoutingPoller(_Loop):
    """Delivers a queue to its Lambda's handler, as the SQS trigger does on AWS (routing, notify)."""

    name = "routing poller"

    def __init__(
        self,
        sqs: Any,
        queue_url: str,
        handler: Handler,
        *,
        waiting: Callable[[], int] | None = None,
        idle: float = POLL_SECONDS,
        error_pause: float = ERROR_PAUSE,
        label: str = "routing",
    ) -> None:
        super().__init__()
        self.label = label
        self.name = f"{label} poller"
        self.sqs = sqs
        self.queue_url = queue_url
        self.handler = handler
        # How many messages are visible, without a request; None: always ask SQS.
        self.waiting = waiting
        self.idle = idle
        self.error_pause = error_pause
        self.handled = 0
        self.errors = 0

    def round(self) -> float:
        try:
            if self.waiting is not None and not self.waiting():
                return self.idle
            handled = poll_once(self.sqs, self.queue_url, self.handler, wait_seconds=0)
        except Exception as error:  # the batch stays on the queue and comes back after its timeout
            self.errors += 1
            _say(f"{self.label}: {_one_line(error)}")
            return self.error_pause
        self.handled += handled
        return 0.0 if handled else self.idle


class StreamPipe(_Loop):
    """The notification pipe: the table's stream, filtered, into the notification queue."""

    name = "stream pipe"

    def __init__(
        self,
        forwarder: StreamForwarder,
        *,
        idle: float = POLL_SECONDS,
        error_pause: float = ERROR_PAUSE,
        on_progress: Callable[[int], None] | None = None,
    ) -> None:
        super().__init__()
        self.forwarder = forwarder
        self.idle = idle
        self.error_pause = error_pause
        # Told the stream position after every round that read something (the local stack keeps it).
        self.on_progress = on_progress
        self.errors = 0

    def round(self) -> float:
        try:
            read = self.forwarder.forward_once()
        except Exception as error:
            self.errors += 1
            _say(f"stream: {_one_line(error)}")
            return self.error_pause
        if read and self.on_progress is not None:
            self.on_progress(self.forwarder.position)
        return 0.0 if read else self.idle


class SnapshotTimer(_Loop):
    """Every second, lets the local stack take a snapshot of moto's memory if one is due (a file's size)."""

    name = "snapshots"

    def __init__(
        self,
        take_when_due: Callable[[], None],
        *,
        every: float = 1.0,
        interrupt: Callable[[], None] | None = None,
    ) -> None:
        super().__init__()
        self.take_when_due = take_when_due
        self.every = every
        self.interrupt = interrupt  # told first at the stop: a snapshot being written is abandoned

    def stop(self) -> None:
        if self.interrupt is not None:
            self.interrupt()
        super().stop()

    def first_pause(self) -> float:
        return self.every

    def round(self) -> float:
        try:
            self.take_when_due()
        except Exception as error:
            _say(f"snapshot: {_one_line(error)}")
        return self.every


class SweepTimer(_Loop):
    """Runs the scheduled sweep every `every` seconds, the first time soon after the start.

    Every run reads the table (a Query per agency and index, about 30 requests for the demo
    province) and moto's recorder keeps every request, so a stack left alone would grow its
    recording by some 40,000 requests a day. When `activity()` (the recording's size) shows that
    nothing at all reached moto since the last run, the timer lets that round pass, for at most
    `idle_at_most` seconds: with nothing written, a new run could only find what the last one
    found, until the clock crosses into another day.
    """

    name = "sweep timer"

    def __init__(
        self,
        handler: Handler,
        *,
        every: float,
        first: float = 1.0,
        activity: Callable[[], object] | None = None,
        idle_at_most: float = IDLE_SWEEP_SECONDS,
        clock: Callable[[], float] = time.time,  # the wall clock: a laptop's sleep counts as time
    ) -> None:
        super().__init__()
        self.handler = handler
        self.every = every
        self.first = min(first, every)
        self.activity = activity
        self.idle_at_most = idle_at_most
        self.clock = clock
        self.runs = 0
        self.passed = 0
        self.errors = 0
        self._after_last: object = None
        self._last_run = 0.0

    def first_pause(self) -> float:
        return self.first

    def round(self) -> float:
        started = self.clock()
        if self._idle(started):
            self.passed += 1
            return self.every
        try:
            report = self.handler({}, LocalContext())
        except Exception as error:
            self.errors += 1
            _say(f"sweep: {_one_line(error)}")
        else:
            self.runs += 1
            done = {k: report.get(k, 0) for k in ("escalated", "apologised", "skipped")}
            if self.runs == 1 or any(done.values()):
                _say(
                    f"sweep: {done['escalated']} escalated, {done['apologised']} apology slips, "
                    f"{done['skipped']} left for the next run (every {self.every:g} s)"
                )
        self._last_run = started
        self._after_last = self._activity()
        # Every `every` seconds from one start to the next, however long a run took (at least 1 s apart).
        return max(self.every - (self.clock() - started), min(self.every, 1.0))

    def _idle(self, now: float) -> bool:
        if self.runs + self.errors == 0 or self.activity is None:
            return False
        return self._activity() == self._after_last and now - self._last_run < self.idle_at_most

    def _activity(self) -> object:
        try:
            return None if self.activity is None else self.activity()
        except OSError:
            return None
