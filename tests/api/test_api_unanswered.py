"""An AWS call left unanswered under load (a read timeout, a connection refused or dropped) is a 503
`busy` with Retry-After, never a 500; the client's retry with the same Idempotency-Key is then safe."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ConnectionClosedError, EndpointConnectionError

from motcua.adapters import clients
from tests.api.conftest import Api, Person, business_registration, file, new_key
from tests.api.test_api_dossiers import my_dossiers
from tests.conftest import REGION
from tests.integration.faults import LostAnswers

ATTEMPTS = 5  # the first and the SDK's four retries per call (motcua.adapters.clients)


@pytest.fixture
def no_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    """The SDK retries at once: its backoff (up to seconds, random) is the one thing not under test."""
    from botocore.retries import standard

    monkeypatch.setattr(standard.ExponentialBackoff, "delay_amount", lambda self, context: 0)


class Unreachable:
    """The next `times` calls of `operation` never reach the service: `error` is raised before moto's
    stubber answers, as when the endpoint refuses or drops the connection."""

    def __init__(self, client: Any, operation: str, error: type[Exception], *, times: int) -> None:
        self.left = times
        self.error = error
        service = client.meta.service_model.service_id.hyphenize()
        client.meta.events.register_first(f"before-send.{service}.{operation}", self)

    def __call__(self, request: Any, **_: Any) -> None:
        if self.left <= 0:
            return
        self.left -= 1
        raise self.error(endpoint_url=request.url)


def assert_busy(answer: Any, language: str) -> None:
    assert answer.status == 503, answer.body
    assert answer.header("Retry-After") == "5"
    assert answer.error["code"] == "busy" and answer.error["retry_after"] == 5
    assert answer.header("Content-Language") == language


def test_a_filing_whose_answers_were_all_lost_is_a_503_and_the_retry_is_the_same_dossier(
    api: Api, an: Person, no_backoff: None
) -> None:
    body, key = business_registration(api, an), new_key()
    dynamodb = clients.client("dynamodb", REGION)
    # Given moto stores the filing's transaction but the API never hears back, through every attempt
    lost = LostAnswers(dynamodb, "TransactWriteItems", times=ATTEMPTS)

    # When the citizen files
    first = file(api, an, body, key)

    # Then the answer is a 503 busy, in the citizen's language, with when to try again
    assert (lost.lost, lost.calls) == (ATTEMPTS, ATTEMPTS)
    assert_busy(first, "vi")
    assert "thử lại" in first.error["message"] or "gửi lại" in first.error["message"]

    # And the same request again is the dossier stored the first time, once
    again = file(api, an, body, key)
    assert again.status == 201, again.body
    assert [d["code"] for d in my_dossiers(api, an)] == [again.json["code"]]


@pytest.mark.parametrize("error", [EndpointConnectionError, ConnectionClosedError])
def test_a_filing_that_never_reached_the_table_is_a_503_and_the_retry_files_it_once(
    api: Api, an: Person, no_backoff: None, error: type[Exception]
) -> None:
    body, key = business_registration(api, an), new_key()
    dynamodb = clients.client("dynamodb", REGION)
    Unreachable(dynamodb, "TransactWriteItems", error, times=ATTEMPTS)

    first = api.post(
        "/v1/dossiers", token=an.token, json_body=body, headers={"Idempotency-Key": key}, lang="en"
    )

    assert_busy(first, "en")
    assert "again" in first.error["message"]
    assert my_dossiers(api, an) == []
    again = file(api, an, body, key)
    assert again.status == 201, again.body
    assert [d["code"] for d in my_dossiers(api, an)] == [again.json["code"]]
