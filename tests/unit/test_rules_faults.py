"""Faults in our services' own logic, on the fakes: a decision after its step's wait timed out, a
routing worker killed in the middle of a batch, a signer that does not answer (docs/operations.md,
"Faults"). The faults only AWS shows (lost answers, throttling, KMS) are in tests/integration/test_faults.py.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from infra.devstack.queues import LocalContext, sqs_event
from motcua.container import use
from motcua.domain.errors import Unavailable
from motcua.domain.i18n import Text
from motcua.domain.models import TaskState
from motcua.domain.roles import Role
from motcua.domain.status import Status
from motcua.services.inbox import Decision
from tests.fakes.world import World

BUSINESS, FINANCE, TAX = "2.001610", "000.00.01.H99", "000.00.20.H99"
WORK_PERMIT, HOME_AFFAIRS, POLICE = "1.014199", "000.00.02.H99", "000.00.21.H99"
SI, SOCIAL_INSURANCE = "1.000058", "000.00.22.H99"


# --- 1. the API dies after the filing's transaction, before it answers ---------------------------


class Died(Exception):  # noqa: N818 — the request ends without an answer from the platform
    """The function stopped right after the filing was stored."""


def test_a_filing_retried_after_the_api_died_answers_the_same_dossier(world: World) -> None:
    an = world.citizen()
    body = world.filing_request(an, SI).model_dump(mode="json")
    file, calls = world.repository.file, []

    def stored_then_died(change: Any, **kwargs: Any) -> None:
        file(change, **kwargs)
        calls.append(change.dossier.code)
        if len(calls) == 1:
            raise Died()

    world.repository.file = stored_then_died  # type: ignore[method-assign]
    with world.api() as api:
        died = api.call("POST", "/v1/dossiers", an, body, Idempotency_Key="died-key-0001")
        again = api.call("POST", "/v1/dossiers", an, body, Idempotency_Key="died-key-0001")

    assert died.status == 500 and died.error_code == "internal_error"
    assert again.status == 201, again.body
    assert again.headers["idempotent-replayed"] == "true"
    assert again.body["code"] == calls[0]
    assert [d.code for d in world.repository.list_by_owner(an.sub, limit=50, token=None).items] == calls[:1]
    assert [e.action for e in world.repository.audit_trail(calls[0])] == ["filed"]


def test_a_filing_that_never_gets_a_number_is_a_503_to_retry_and_stores_nothing(world: World) -> None:
    from motcua.domain.ports import SequenceTaken

    an = world.citizen()
    body = world.filing_request(an, SI).model_dump(mode="json")
    file = world.repository.file
    world.container.filing.pause = lambda seconds: None

    def always_taken(change: Any, **kwargs: Any) -> None:
        raise SequenceTaken("another filing took it")

    world.repository.file = always_taken  # type: ignore[method-assign]
    with world.api() as api:
        busy = api.call("POST", "/v1/dossiers", an, body, Idempotency_Key="busy-key-0001")
        world.repository.file = file  # type: ignore[method-assign]
        again = api.call("POST", "/v1/dossiers", an, body, Idempotency_Key="busy-key-0001")

    assert busy.status == 503 and busy.error_code == "busy" and busy.headers["retry-after"] == "2"
    assert again.status == 201 and "idempotent-replayed" not in again.headers
    assert len(world.repository.list_by_owner(an.sub, limit=50, token=None).items) == 1


# --- 4. a Step Functions callback after its step timed out ----------------------------------------


def test_a_step_decided_after_its_wait_timed_out_reaches_the_flow(world: World) -> None:
    # Given Finance's review open with the flow's first token
    code = world.file(world.citizen(), BUSINESS).code
    world.decide(world.staff(FINANCE, Role.RECEIVER), f"{code}-T1", "accept")
    first = world.task(code, f"{code}-T1.1").token
    assert first is not None
    # and the step's wait runs out: the flow escalates it and waits on a new token, whose message
    # routing has not delivered yet
    assert world.flows.time_out(first)

    # When the officer approves, on the token that timed out (SendTaskSuccess: TaskTimedOut)
    with world.api() as api:
        answer = api.call(
            "POST", f"/v1/tasks/{code}-T1.1/decision", world.staff(FINANCE), {"action": "approve"}
        )

    # Then the officer is told the decision stands
    assert answer.status == 200, answer.body
    assert answer.body["task"]["state"] == "closed"
    # and once routing delivers the escalated wait, the flow has the decision and goes on to the tax office
    world.settle()
    assert world.task(code, f"{code}-T2.1").state is TaskState.OPEN
    assert [e.action for e in world.repository.audit_trail(code)].count("approve") == 1
    assert world.record(code).dossier.status is Status.IN_PROCESS


def test_a_callback_on_a_token_that_timed_out_is_an_answer_not_an_error() -> None:
    import boto3
    from botocore.stub import Stubber

    from motcua.adapters.stepfunctions import StepFunctionsWorkflow

    client = boto3.client("stepfunctions", region_name="ap-southeast-1")
    with Stubber(client) as stub:
        stub.add_client_error("send_task_success", service_error_code="TaskTimedOut", http_status_code=400)
        stub.add_client_error("send_task_failure", service_error_code="TaskTimedOut", http_status_code=400)
        workflow = StepFunctionsWorkflow(client, {})
        # False: nothing waits on that token any more; the coordinator decides what follows
        assert workflow.succeed("timed-out-token", {"outcome": "approved"}) is False
        assert workflow.fail("timed-out-token", "Rejected", "…") is False


# --- 6. the routing worker killed in the middle of a batch ----------------------------------------


class Killed(BaseException):  # noqa: N818 — what a Lambda timeout is to the code: no except catches it
    """The worker stops mid-batch; no record's answer reaches SQS."""


@pytest.fixture
def routing(world: World) -> Iterator[Any]:
    from routing.app import handler

    use(world.container)
    yield handler
    use(None)


def batch(bodies: list[dict[str, Any]]) -> dict[str, Any]:
    """An SQS event as Lambda passes it for these messages (ids fixed: a redelivery is the same messages)."""
    received = [
        {
            "MessageId": str(
                uuid.UUID(bytes=hashlib.sha256(json.dumps(b, sort_keys=True).encode()).digest()[:16])
            ),
            "ReceiptHandle": f"handle-{i}",
            "Body": json.dumps(b),
        }
        for i, b in enumerate(bodies)
    ]
    return sqs_event(received, "arn:aws:sqs:ap-southeast-1:123456789012:routing")


def test_a_batch_redelivered_after_the_worker_died_is_handled_once(world: World, routing: Any) -> None:
    # Given two work permits accepted: four step messages on the routing queue (two agencies each)
    desk = world.staff(HOME_AFFAIRS, Role.RECEIVER)
    codes = []
    for _ in range(2):
        code = world.file(world.citizen(), WORK_PERMIT).code
        world.container.inbox.decide(desk, f"{code}-T1", Decision(action="accept"))
        codes.append(code)
    bodies = list(world.flows.messages)
    assert [b["kind"] for b in bodies] == ["step"] * 4
    world.flows.messages.clear()
    event = batch(bodies)

    # When the worker dies after storing the third message's task, before answering SQS
    apply, writes = world.repository.apply, []

    def dies_on_the_third(change: Any) -> None:
        apply(change)
        writes.append(change)
        if len(writes) == 3:
            raise Killed()

    world.repository.apply = dies_on_the_third  # type: ignore[method-assign]
    with pytest.raises(Killed):
        routing(event, LocalContext())
    world.repository.apply = apply  # type: ignore[method-assign]

    # Then SQS delivers the whole batch again, and every message counts once
    answer = routing(event, LocalContext())
    assert answer == {"batchItemFailures": []}
    for code in codes:
        record = world.record(code)
        steps = [t.task_id for t in record.tasks if t.stage is not None]
        assert sorted(steps) == [f"{code}-T1.1", f"{code}-T1.2"]
        assert all(t.state is TaskState.OPEN for t in record.tasks if t.stage is not None)
        assert [e.action for e in world.repository.audit_trail(code)].count("step_started") == 2
    # and the same batch a third time (SQS is at least once) changes nothing
    versions = [world.record(code).dossier.version for code in codes]
    assert routing(event, LocalContext()) == {"batchItemFailures": []}
    assert [world.record(code).dossier.version for code in codes] == versions


# --- 5. the signer does not answer: the API's 503 -------------------------------------------------


class SignerDown:
    """KMS does not answer: what motcua.signing.kms raises once the SDK's retries are spent."""

    def sign_pdf(self, pdf: bytes, **_: Any) -> bytes:
        from motcua.signing.kms import signing_unavailable

        raise signing_unavailable()


def test_a_result_asked_while_signing_is_down_is_a_503_to_retry_and_issues_nothing(world: World) -> None:
    code = world.file(world.citizen(), SI).code
    world.decide(world.staff(SOCIAL_INSURANCE, Role.RECEIVER), f"{code}-T1", "accept")
    officer = world.staff(SOCIAL_INSURANCE, Role.OFFICER)  # officers issue results
    signer = world.container.__dict__["signer"]
    world.container.__dict__["signer"] = SignerDown()
    stored = len(world.store.objects)

    with world.api() as api:
        vi = api.call("POST", f"/v1/dossiers/{code}/results", officer, {"render": True})
        en = api.call("POST", f"/v1/dossiers/{code}/results", officer, {"render": True}, Accept_Language="en")
        world.container.__dict__["signer"] = signer
        again = api.call("POST", f"/v1/dossiers/{code}/results", officer, {"render": True})

    assert vi.status == en.status == 503
    assert vi.error_code == "signing_unavailable" and vi.headers["retry-after"] == "60"
    assert vi.body["error"]["retry_after"] == 60
    assert "thử lại" in vi.body["error"]["message"] and "try again" in en.body["error"]["message"]
    # nothing half-issued: the retry is the first result
    assert again.status == 201, again.body
    assert again.body["result_code"] == f"{code}-KQ1"
    assert len(world.store.objects) == stored + 1
    assert [r.code for r in world.record(code).dossier.results] == [f"{code}-KQ1"]


def test_two_results_racing_for_one_number_leave_the_winner_its_own_file(world: World) -> None:
    """A stores its PDF, B stores its PDF, A's record wins, B's is refused: the record names A's file."""
    import hashlib
    import threading

    from motcua.domain.errors import Conflict
    from motcua.services.results import IssueResult

    code = world.file(world.citizen(), SI).code
    desk = world.staff(SOCIAL_INSURANCE, Role.LEADER)  # a leader and an officer: both may issue
    other = world.staff(SOCIAL_INSURANCE, Role.OFFICER)
    world.decide(desk, f"{code}-T1", "accept")
    put, apply = world.store.put, world.repository.apply
    b_stored, a_recorded = threading.Event(), threading.Event()
    outcome: dict[str, Any] = {}

    def b_issues() -> None:
        try:
            world.container.results.issue(other, code, IssueResult(render=True, summary="B"), "vi")
        except Conflict as error:
            outcome["b"] = error

    def racing_put(key: str, content: bytes, *, content_type: str) -> None:
        put(key, content, content_type=content_type)
        if threading.current_thread() is threading.main_thread():  # A's file is in: B issues now
            b.start()
            assert b_stored.wait(5)
        else:  # B's file is in: B's record waits until A's is written
            b_stored.set()
            assert a_recorded.wait(5)

    def recording_apply(change: Any) -> None:
        try:
            apply(change)
        finally:
            if threading.current_thread() is threading.main_thread():
                a_recorded.set()

    b = threading.Thread(target=b_issues)
    world.store.put = racing_put  # type: ignore[method-assign]
    world.repository.apply = recording_apply  # type: ignore[method-assign]
    issued = world.container.results.issue(desk, code, IssueResult(render=True, summary="A"), "vi")
    b.join(5)

    assert issued.result_code == f"{code}-KQ1" and isinstance(outcome.get("b"), Conflict)
    (result,) = world.record(code).dossier.results
    stored = world.store.read(result.key, max_bytes=10_000_000)
    assert stored is not None and hashlib.sha256(stored).hexdigest() == result.sha256


def test_unavailable_says_when_to_try_again() -> None:
    error = Unavailable(Text(vi="Thử lại sau.", en="Try again later."), retry_after=7)
    assert error.details("vi") == {"retry_after": 7} and error.code == "unavailable"
