"""Faults injected at the botocore level, on moto: lost answers, throttling, a process that dies.

Each injector is a handler of the client's own events, registered first so that it runs before moto's
stubber (which answers `before-send` like the network would).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from botocore.awsrequest import AWSResponse
from botocore.exceptions import ReadTimeoutError

if TYPE_CHECKING:
    import pytest


class ProcessDied(Exception):  # noqa: N818 — stands for a Lambda stopped mid-request
    """The function stopped (timeout, out of memory, a deploy) after a call's answer came back."""


class LostAnswers:
    """The next `times` calls of `operation` reach the service, which does them; the client never hears
    back (a read timeout), and its SDK retries as it would on AWS."""

    def __init__(self, client: Any, operation: str, *, times: int = 1) -> None:
        self.left = times
        self.lost = 0
        self.calls = 0
        service = client.meta.service_model.service_id.hyphenize()
        client.meta.events.register_first(f"before-send.{service}.{operation}", self)

    def __call__(self, request: Any, event_name: str, **_: Any) -> None:
        from moto.core.models import botocore_stubber

        self.calls += 1
        if self.left <= 0:
            return None
        self.left -= 1
        self.lost += 1
        botocore_stubber(event_name, request)  # the service does the work; its answer goes nowhere
        raise ReadTimeoutError(endpoint_url=request.url)


class Refusals:
    """The next `times` calls of `operation` are refused with `code` before the service does anything
    (throttling: ProvisionedThroughputExceededException, ThrottlingException; KMSInternalException).

    Every `before-send` handler runs whatever the first answered, so the refusal stands in front of
    moto's stubber itself (patched for the test) rather than beside it.
    """

    def __init__(
        self,
        monkeypatch: pytest.MonkeyPatch,
        service: str,
        operation: str,
        code: str,
        *,
        times: int = 1,
        status: int = 400,
    ) -> None:
        from moto.core.botocore_stubber import BotocoreStubber

        self.left = times
        self.refused = 0
        event = f"before-send.{service}.{operation}"
        original = BotocoreStubber.__call__
        body = json.dumps({"__type": code, "message": "Rate exceeded"}).encode()
        headers = {"Content-Type": "application/x-amz-json-1.1", "x-amzn-ErrorType": code}

        def call(stubber: Any, event_name: str, request: Any, **kwargs: Any) -> AWSResponse | None:
            if event_name == event and self.left > 0 and stubber.enabled:
                self.left -= 1
                self.refused += 1
                return AWSResponse(request.url, status, headers, _Raw(body))
            return original(stubber, event_name, request, **kwargs)

        monkeypatch.setattr(BotocoreStubber, "__call__", call)


class DiesAfter:
    """The process dies right after the next `times` successful `operation` calls: the work is stored,
    nobody hears of it."""

    def __init__(self, client: Any, operation: str, *, times: int = 1) -> None:
        self.left = times
        service = client.meta.service_model.service_id.hyphenize()
        client.meta.events.register(f"after-call.{service}.{operation}", self)

    def __call__(self, http_response: Any, parsed: dict[str, Any], **_: Any) -> None:
        if self.left > 0 and http_response.status_code == 200:
            self.left -= 1
            raise ProcessDied()


class _Raw:
    """The raw stream botocore reads an HTTP body from."""

    def __init__(self, body: bytes) -> None:
        self.body = body

    def stream(self, **_: Any) -> Any:
        yield self.body

    def read(self, *_: Any) -> bytes:
        body, self.body = self.body, b""
        return body
