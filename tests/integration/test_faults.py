"""Faults on moto, each injected where it happens on AWS: the user gets one clear answer, nothing is
doubled, nothing is half-written, nothing is lost (docs/operations.md, "Faults")."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from motcua.adapters import clients
from motcua.adapters.dynamodb import dossier_pk
from motcua.container import use
from motcua.domain.errors import Unavailable
from motcua.domain.models import TaskState
from motcua.domain.status import Status
from motcua.resources import BUCKET
from motcua.services.citizens import Withdrawal
from motcua.services.inbox import Decision
from motcua.services.results import IssueResult
from tests.conftest import REGION
from tests.integration.conftest import BIRTH, filing_request
from tests.integration.faults import DiesAfter, LostAnswers, ProcessDied, Refusals
from tests.integration.flows import Router
from tests.integration.test_flows import BUSINESS, FINANCE, open_task, wait_for_execution_end

WARD = "000.01.01.H99"  # receives birth registrations


@pytest.fixture
def router(container: Any) -> Iterator[Router]:
    use(container)
    yield Router(container)
    use(None)


@pytest.fixture
def dynamodb(aws: None) -> Any:
    return clients.client("dynamodb", REGION)


@pytest.fixture
def no_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    """The SDK retries at once: its backoff (up to seconds, random) is the one thing not under test."""
    from botocore.retries import standard

    monkeypatch.setattr(standard.ExponentialBackoff, "delay_amount", lambda self, context: 0)


def audit_actions(container: Any, code: str) -> list[str]:
    return [entry.action for entry in container.repository.audit_trail(code)]


def everything_of(container: Any, code: str) -> list[dict[str, Any]]:
    """Every item the table holds for a dossier: itself, its tasks, timeline and audit trail."""
    table = container.settings.table_name
    found = clients.client("dynamodb", REGION).query(
        TableName=table,
        KeyConditionExpression="PK = :pk",
        ExpressionAttributeValues={":pk": {"S": dossier_pk(code)}},
        ConsistentRead=True,
    )
    return list(found["Items"])


# --- 1 and 2. filing: the function dies after the write; the write's answer is lost ---------------


def test_a_filing_whose_function_died_or_whose_answer_was_lost_is_one_dossier(
    container: Any, people: Any, dynamodb: Any
) -> None:
    an = people.citizen("an@example.vn")
    request = filing_request(container, an)

    # 1. When the function dies after the filing's transaction, before it answers
    DiesAfter(dynamodb, "TransactWriteItems")
    with pytest.raises(ProcessDied):
        container.filing.file(an, request, "died-after-write-1")

    # Then the client's retry with the same Idempotency-Key is the same dossier, stored once
    again = container.filing.file(an, request, "died-after-write-1")
    assert again.replayed and again.dossier.code == f"{WARD}-261117-0001"
    mine = container.repository.list_by_owner(an.sub, limit=50, token=None).items
    assert [d.code for d in mine] == [again.dossier.code]
    assert [t.dossier_code for t in container.repository.inbox(WARD, limit=50, token=None).items] == [
        again.dossier.code
    ]
    assert audit_actions(container, again.dossier.code) == ["filed"]

    # 2. When the next filing is stored but its answer lost, and the SDK sends it again
    lost = LostAnswers(dynamodb, "TransactWriteItems")
    other = container.filing.file(an, filing_request(container, an), "lost-answer-0001")

    # Then the citizen gets it, numbered next (the counter moved once each time), stored once
    assert lost.lost == 1 and lost.calls == 2  # stored, unheard, sent again by the SDK
    assert other.dossier.code == f"{WARD}-261117-0002"
    assert len(container.repository.list_by_owner(an.sub, limit=50, token=None).items) == 2
    assert audit_actions(container, other.dossier.code) == ["filed"]


# --- 2. a saved write whose answer is lost: the SDK sends it again ------------------------------


def test_decisions_and_a_withdrawal_whose_answers_are_lost_succeed_once_and_reach_the_flow(
    container: Any, people: Any, dynamodb: Any, router: Router
) -> None:
    an = people.citizen("an@example.vn")
    desk = people.staff("tiepnhan.taichinh", FINANCE, "receiver")
    code = container.filing.file(an, filing_request(container, an, BUSINESS), "lost-answers-01").dossier.code
    before = len(everything_of(container, code))
    lost = LostAnswers(dynamodb, "TransactWriteItems")

    # When the desk's accept is stored but its answer lost
    task, dossier = container.inbox.decide(desk, f"{code}-T1", Decision(action="accept"))

    # Then the desk is answered, the accept is stored once and the flow starts
    assert lost.lost == 1
    assert dossier.status is Status.IN_PROCESS and task.decided is not None
    assert audit_actions(container, code) == ["filed", "accept"]
    assert len(everything_of(container, code)) == before + 3  # two timeline events, one audit entry
    step = router.until(lambda: open_task(container, code, f"{code}-T1.1"))
    assert step.agency == FINANCE

    # When the citizen's withdrawal is stored but its answer lost
    LostAnswers(dynamodb, "TransactWriteItems")
    record = container.citizen_actions.withdraw(an, code, Withdrawal(reason="Nộp nhầm thủ tục"))

    # Then the citizen is answered, it is stored once, and the flow hears of it and ends
    assert record.dossier.status is Status.WITHDRAWN
    assert all(t.state is TaskState.CLOSED for t in record.tasks)
    assert audit_actions(container, code).count("withdraw") == 1
    assert wait_for_execution_end(container, code)["status"] == "SUCCEEDED"


# --- 3. DynamoDB throttles: the SDK retries; past its attempts, a 503 and nothing half-written -----


def test_throttled_writes_are_retried_and_past_the_retries_nothing_is_written(
    container: Any, people: Any, no_backoff: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    an = people.citizen("an@example.vn")
    desk = people.staff("tiepnhan.phuong", WARD, "receiver")
    request = filing_request(container, an, BIRTH)

    # When every attempt of the filing's transaction is throttled
    throttled = Refusals(monkeypatch, "dynamodb", "TransactWriteItems", "ThrottlingException", times=100)
    with pytest.raises(Unavailable) as refused:
        container.filing.file(an, request, "throttled-0001")

    # Then the citizen is asked to try again, and nothing of the filing is there
    assert throttled.refused == 5 and refused.value.code == "busy"  # a first try, four retries
    assert "thử lại" in refused.value.message.vi and "try again" in refused.value.message.en
    assert container.repository.list_by_owner(an.sub, limit=50, token=None).items == []
    assert container.repository.last_sequence(WARD, container.clock.now().date()) == 0
    assert container.repository.get_idempotency(an.sub, "throttled-0001") is None

    # When they try again while the table throttles twice more: the SDK's retries carry it
    throttled.left = 2
    code = container.filing.file(an, request, "throttled-0001").dossier.code
    assert code == f"{WARD}-261117-0001"

    # And a decision throttled on its first two attempts is made, once
    Refusals(monkeypatch, "dynamodb", "TransactWriteItems", "ProvisionedThroughputExceededException", times=2)
    _, dossier = container.inbox.decide(desk, f"{code}-T1", Decision(action="accept"))
    assert dossier.status is Status.IN_PROCESS
    assert audit_actions(container, code) == ["filed", "accept"]


# --- 2 and 5. issuing a signed result: KMS does not answer, then the record's answer is lost -----


def stored_results(container: Any) -> list[str]:
    listed = clients.client("s3", REGION).list_objects_v2(
        Bucket=container.settings.bucket_name, Prefix=BUCKET.result_prefix
    )
    return [item["Key"] for item in listed.get("Contents", [])]


@pytest.mark.signing
def test_a_result_is_issued_whole_or_not_at_all_and_once(
    container: Any, people: Any, dynamodb: Any, no_backoff: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    an = people.citizen("an@example.vn")
    desk = people.staff("tiepnhan.phuong", WARD, "receiver")
    officer = people.staff("chuyenvien.phuong", WARD, "officer")  # the desk receives, officers issue
    code = container.filing.file(an, filing_request(container, an, BIRTH), "result-faults-1").dossier.code
    container.inbox.decide(desk, f"{code}-T1", Decision(action="accept"))
    version = container.repository.get(code).dossier.version
    request = IssueResult(render=True)

    # When KMS does not answer, through all of the SDK's attempts
    outage = Refusals(monkeypatch, "kms", "Sign", "KMSInternalException", times=100, status=500)
    with pytest.raises(Unavailable) as refused:
        container.results.issue(officer, code, request, "vi")

    # Then the officer is told to try again later, in both languages, and nothing was issued
    assert outage.refused == 5  # a first try and the four retries clients.py allows
    assert refused.value.code == "signing_unavailable" and refused.value.retry_after > 0
    assert "thử lại" in refused.value.message.vi and "try again" in refused.value.message.en
    assert container.repository.get(code).dossier.results == ()
    assert container.repository.get(code).dossier.version == version
    assert stored_results(container) == []
    assert "result_issued" not in audit_actions(container, code)

    # When KMS is back and the officer tries again, but the record's answer is lost on the way back
    outage.left = 0
    lost = LostAnswers(dynamodb, "TransactWriteItems")
    issued = container.results.issue(officer, code, request, "vi")

    # Then the result is the first one, recorded once, its PDF the one the record names
    assert lost.lost == 1
    assert issued.result_code == f"{code}-KQ1"
    results = container.repository.get(code).dossier.results
    assert [r.code for r in results] == [f"{code}-KQ1"]
    assert stored_results(container) == [results[0].key]
    assert audit_actions(container, code).count("result_issued") == 1
