"""Running flows in tests: the routing queue drained through the routing Lambda's own handler."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

from infra.devstack.queues import poll_once
from motcua.adapters import clients
from tests.conftest import REGION

T = TypeVar("T")


class Router:
    """Delivers what the state machines put on the routing queue, as Lambda's SQS trigger would."""

    def __init__(self, container: Any) -> None:
        from routing.app import handler

        self.handler = handler
        self.queue_url = container.settings.routing_queue_url
        self.sqs = clients.client("sqs", REGION)

    def run(self) -> int:
        return poll_once(self.sqs, self.queue_url, self.handler)

    def until(self, check: Callable[[], T | None], *, timeout: float = 15.0) -> T:
        """Deliver messages until `check` answers something (moto runs executions in threads)."""
        deadline = time.monotonic() + timeout
        while True:
            found = check()
            if found:
                return found
            if time.monotonic() > deadline:
                raise AssertionError(f"nothing came of the flow within {timeout} s")
            if not self.run():
                time.sleep(0.05)

    def drain(self, *, timeout: float = 15.0) -> None:
        """Deliver until the queue holds nothing, waiting or in flight: what the flows sent so far is handled.

        Enough where nothing is still on its way: the flow has ended, or its history shows it waiting.
        """
        self.until(self._empty, timeout=timeout)

    def _empty(self) -> bool:
        counts = self.sqs.get_queue_attributes(
            QueueUrl=self.queue_url,
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        )["Attributes"]
        return all(int(count) == 0 for count in counts.values())
