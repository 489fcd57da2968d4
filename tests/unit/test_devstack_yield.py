"""The local stack's notification work yields to the API's requests (infra/devstack/web.py InFlight,
workers.py), and is never held back for more than a moment however busy the API is."""

from __future__ import annotations

import threading

from infra.devstack.web import InFlight
from infra.devstack.workers import _Loop


class _Rounds(_Loop):
    name = "rounds"

    def __init__(self) -> None:
        super().__init__()
        self.done = threading.Event()

    def round(self) -> float:
        self.done.set()
        return 60.0


def test_in_flight_counts_the_api_requests_in_hand() -> None:
    in_flight = InFlight()
    assert in_flight.wait_idle(0)
    with in_flight, in_flight:
        assert in_flight.count == 2
        assert not in_flight.wait_idle(0)
    assert in_flight.wait_idle(0)


def test_a_round_waits_for_the_api_request_in_hand_to_end() -> None:
    in_flight = InFlight()
    worker = _Rounds()
    worker.yield_to = in_flight.wait_idle
    try:
        with in_flight:  # a filing being handled
            worker.start()
            assert not worker.done.wait(0.3)
        # Then, the request answered, the round comes
        assert worker.done.wait(10)
    finally:
        worker.stop()


def test_a_round_comes_anyway_while_the_api_never_rests() -> None:
    in_flight = InFlight()
    worker = _Rounds()
    worker.yield_to = in_flight.wait_idle
    try:
        with in_flight:
            worker.start()
            assert worker.done.wait(10)  # after YIELD_AT_MOST, busy or not
    finally:
        worker.stop()
