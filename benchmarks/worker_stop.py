"""How long the local stack's workers take to stop (Ctrl-C), idle or busy. Printed, never asserted.

Each worker of infra/devstack/workers.py runs on a thread that sleeps between rounds on an Event, so
that stop() wakes it at once instead of waiting for the pause to end. Measured here, RUNS times each
in this one run, on in-memory fakes (no moto): from the stop() call to its return (the thread
joined), for a routing poller resting between looks at an empty queue (POLL_SECONDS), one in the
middle of a batch whose handler takes BATCH_SECONDS (stop lets it finish), a sweep timer between two
runs an interval of a minute apart, and the stream pipe resting on a stream read to its end.
Medians and maxima in ms, and each median as a share of the pause it cut short (or of the batch).
"""

from __future__ import annotations

import os
import statistics
import sys
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from report import record

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from infra.devstack.workers import POLL_SECONDS, RoutingPoller, StreamPipe, SweepTimer  # noqa: E402

if TYPE_CHECKING:
    from collections.abc import Callable

RUNS = int(os.environ.get("RUNS", "20"))
BATCH_SECONDS = 0.2
SWEEP_SECONDS = 60.0


class OneMessageQueue:
    """Just enough of an SQS client for the poller: one message, received until deleted."""

    def __init__(self) -> None:
        self.bodies = ["step"]

    def receive_message(self, **kwargs: Any) -> dict[str, Any]:
        return {"Messages": [{"MessageId": b, "ReceiptHandle": b, "Body": b} for b in self.bodies]}

    def get_queue_attributes(self, **kwargs: Any) -> dict[str, Any]:
        return {"Attributes": {"QueueArn": "arn:aws:sqs:ap-southeast-1:123456789012:routing"}}

    def delete_message_batch(self, **kwargs: Any) -> None:
        self.bodies.clear()


class EndOfStream:
    """A stream forwarder with nothing left to read."""

    position = 0
    reads = 0

    def forward_once(self) -> int:
        self.reads += 1
        return 0


def stop_time(worker: Any, ready: Callable[[], bool]) -> float:
    """Seconds from stop() to its return, once `ready()` says the worker is where it should be."""
    worker.start()
    while not ready():
        time.sleep(0.001)
    started = time.perf_counter()
    worker.stop()
    took = time.perf_counter() - started
    assert not worker.running
    return took


def idle_poller() -> float:
    looks = 0

    def waiting() -> int:
        nonlocal looks
        looks += 1
        return 0

    poller = RoutingPoller(OneMessageQueue(), "http://q", lambda event, context: {}, waiting=waiting)
    return stop_time(poller, lambda: looks >= 1)


def busy_poller() -> float:
    in_batch = threading.Event()

    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        in_batch.set()
        time.sleep(BATCH_SECONDS)  # the routing handler at work
        return {}

    poller = RoutingPoller(OneMessageQueue(), "http://q", handler, waiting=lambda: 1)
    return stop_time(poller, in_batch.is_set)


def waiting_sweep() -> float:
    ran = threading.Event()

    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        ran.set()
        return {"escalated": 0, "apologised": 0, "skipped": 0}

    timer = SweepTimer(handler, every=SWEEP_SECONDS, first=0.0)
    return stop_time(timer, lambda: ran.is_set() and timer.runs == 1)


def resting_pipe() -> float:
    stream = EndOfStream()
    pipe = StreamPipe(stream)  # type: ignore[arg-type]
    return stop_time(pipe, lambda: stream.reads >= 1)


def summary(times: list[float], cut_short: float) -> dict[str, float]:
    """Median and max in ms; the median as a share of the pause the stop cut short (or of the batch)."""
    median = statistics.median(times)
    return {
        "median_ms": round(median * 1000, 2),
        "max_ms": round(max(times) * 1000, 2),
        "median / the pause (or batch) it ends": float(f"{median / cut_short:.2g}"),
    }


def main() -> None:
    import contextlib
    import io

    cases: dict[str, tuple[Callable[[], float], float]] = {
        f"routing poller, resting between looks ({POLL_SECONDS:g} s)": (idle_poller, POLL_SECONDS),
        f"routing poller, in a batch of {BATCH_SECONDS:g} s (finishes it)": (busy_poller, BATCH_SECONDS),
        f"sweep timer, between runs {SWEEP_SECONDS:g} s apart": (waiting_sweep, SWEEP_SECONDS),
        f"stream pipe, resting at the stream's end ({POLL_SECONDS:g} s)": (resting_pipe, POLL_SECONDS),
    }
    with contextlib.redirect_stderr(io.StringIO()):  # the sweep's one line per first run
        for name, (case, pause) in cases.items():
            for figure, value in summary([case() for _ in range(RUNS)], pause).items():
                unit = "ms" if figure.endswith("_ms") else ""
                record("worker stop", f"{name}: {figure.removesuffix('_ms')}", value, unit=unit)


if __name__ == "__main__":
    main()
