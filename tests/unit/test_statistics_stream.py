"""The statistics from the table's stream: facts read from images, and each record applied exactly once
(a redelivered record, a retried batch) through the stats Lambda's handler, on a moto table."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, date, datetime
from types import SimpleNamespace
from typing import Any

import pytest
from botocore.exceptions import ClientError

from infra.devstack.queues import LocalContext, sqs_event
from motcua.adapters import clients
from motcua.adapters.statistics import (
    PROVINCE,
    DynamoCounterStore,
    facts_from_image,
    item_moves,
    moves_of_record,
    step_facts_from_image,
)
from motcua.domain.calendar import Timeliness, WorkingCalendar
from motcua.domain.statistics import NOW, Channel, Facts, StepFacts
from motcua.domain.status import Status
from tests.conftest import REGION

TABLE = "statistics"
FILED = "2026-11-02T02:00:00+00:00"  # a Monday, 09:00 in Vietnam
DUE = "2026-11-04T10:00:00+00:00"


def dossier_image(status: int, **data: Any) -> dict[str, Any]:
    body = {
        "code": "000.01.01.H99-261102-0001",
        "agency": "000.01.01.H99",
        "procedure_code": "1.001193",
        "filed_at": FILED,
        "due_at": DUE,
        "status": status,
        "days_paused": 0,
        **data,
    }
    return {"PK": {"S": "D#x"}, "SK": {"S": "D"}, "type": {"S": "dossier"}, "data": {"S": json.dumps(body)}}


def task_image(**data: Any) -> dict[str, Any]:
    body = {
        "task_id": "x-T2",
        "agency": "000.02.01.H99",
        "procedure_code": "1.001193",
        "kind": "step",
        "closed_at": "2026-11-03T03:00:00+00:00",
        "timeliness": "late",
        **data,
    }
    return {"PK": {"S": "D#x"}, "SK": {"S": "T#x-T2"}, "type": {"S": "task"}, "data": {"S": json.dumps(body)}}


def record(event_id: str, new: dict[str, Any] | None, old: dict[str, Any] | None = None) -> dict[str, Any]:
    change: dict[str, Any] = {"Keys": {"PK": {"S": "D#x"}, "SK": {"S": "D"}}}
    if new is not None:
        change["NewImage"] = new
    if old is not None:
        change["OldImage"] = old
    name = "MODIFY" if new and old else "INSERT" if new else "REMOVE"
    return {"eventID": event_id, "eventName": name, "dynamodb": change}


def test_facts_of_a_dossier_image() -> None:
    facts = facts_from_image(dossier_image(9, finished_at="2026-11-03T04:00:00Z", days_paused=1))
    assert facts == Facts(
        agency="000.01.01.H99",
        procedure="1.001193",
        channel=Channel.ONLINE,  # no channel written: online
        filed_at=datetime(2026, 11, 2, 2, tzinfo=UTC),
        due_at=datetime(2026, 11, 4, 10, tzinfo=UTC),
        status=Status.PROCESSED,
        finished_at=datetime(2026, 11, 3, 4, tzinfo=UTC),
        days_paused=1,
    )
    other = facts_from_image(dossier_image(4, channel="counter", competent_agency="000.02.01.H99"))
    assert other is not None
    assert (other.channel, other.agency, other.finished_at) == (Channel.COUNTER, "000.02.01.H99", None)
    assert facts_from_image(task_image()) is None and facts_from_image(None) is None


def test_facts_of_a_step_image_and_only_of_steps() -> None:
    assert step_facts_from_image(task_image()) == StepFacts(
        agency="000.02.01.H99",
        procedure="1.001193",
        finished_at=datetime(2026, 11, 3, 3, tzinfo=UTC),
        timeliness=Timeliness.LATE,
    )
    assert step_facts_from_image(task_image(kind="reception")) is None
    assert step_facts_from_image(dossier_image(2)) is None


def test_a_record_moves_the_difference_of_its_images() -> None:
    calendar = WorkingCalendar()
    moved = moves_of_record(
        record("e1", dossier_image(9, finished_at="2026-11-03T04:00:00Z"), dossier_image(4)), calendar
    )
    ward = "000.01.01.H99"
    assert moved == {
        (NOW, ward, "1.001193", "open.due.2026-11-04"): -1,
        ("2026-11", ward, "1.001193", "finished.due.2026-11"): 1,
        ("2026-11", ward, "1.001193", "resolved.early"): 1,
        ("2026-11", ward, "1.001193", "resolved.working_days"): 1,
    }
    assert moves_of_record(record("e2", dossier_image(4), dossier_image(4)), calendar) == {}
    items = item_moves(moved)
    assert items[(PROVINCE, "2026-11")] == Counter(
        {
            "finished.due.2026-11": 1,
            "resolved.early": 1,
            "resolved.working_days": 1,
            f"a|{ward}|finished.due.2026-11": 1,
            f"a|{ward}|resolved.early": 1,
            f"a|{ward}|resolved.working_days": 1,
            "p|1.001193|resolved.early": 1,
        }
    )
    assert items[(ward, NOW)] == Counter({"open.due.2026-11-04": -1})


@pytest.fixture
def client(aws: None) -> Any:
    dynamodb = clients.client("dynamodb", REGION)
    dynamodb.create_table(
        TableName=TABLE,
        KeySchema=[{"AttributeName": "PK", "KeyType": "HASH"}, {"AttributeName": "SK", "KeyType": "RANGE"}],
        AttributeDefinitions=[
            {"AttributeName": "PK", "AttributeType": "S"},
            {"AttributeName": "SK", "AttributeType": "S"},
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    return dynamodb


HISTORY = [
    record("filed", dossier_image(2)),
    record("accepted", dossier_image(4), dossier_image(2)),
    record("processed", dossier_image(9, finished_at="2026-11-05T04:00:00Z"), dossier_image(4)),
    record("step", task_image(), task_image(closed_at=None, timeliness=None)),
]


def totals(store: DynamoCounterStore) -> dict[str, dict[str, int]]:
    return store.counters(None, "2026-11", datetime(2026, 11, 20, tzinfo=UTC).date())


def test_a_redelivered_record_changes_nothing(client: Any) -> None:
    store = DynamoCounterStore(client, TABLE)
    # Accepting it moves nothing (open before, open after): no write at all.
    assert [store.apply_record(r) for r in HISTORY] == [True, False, True, True]
    once = totals(store)
    assert [store.apply_record(r) for r in reversed(HISTORY)] == [False, False, False, False]
    assert totals(store) == once
    assert once["2026-11"] == {
        "received.online": 1,
        "finished.due.2026-11": 1,
        "resolved.late": 1,
        "resolved.working_days": 3,
        "steps.late": 1,
    }
    assert set(once[NOW].values()) == {0}  # open, then no longer: the counter went back to nothing
    assert store.calls.writes == 6 and store.calls.skipped == 3  # one transaction per record that moves


class Flaky:
    """A DynamoDB client whose transactions fail the `nth` time (throttled past the SDK's retries)."""

    def __init__(self, inner: Any, nth: int) -> None:
        self.inner = inner
        self.nth = nth
        self.transactions = 0

    def transact_write_items(self, **request: Any) -> Any:
        self.transactions += 1
        if self.transactions == self.nth:
            raise ClientError(
                {"Error": {"Code": "ThrottlingException", "Message": "slow down"}}, "TransactWriteItems"
            )
        return self.inner.transact_write_items(**request)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def test_a_retried_batch_counts_each_record_once(client: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    import stats.app

    store = DynamoCounterStore(Flaky(client, nth=2), TABLE)
    monkeypatch.setattr(stats.app, "get_container", lambda: SimpleNamespace(statistics=store))
    messages = [
        {"MessageId": r["eventID"], "ReceiptHandle": r["eventID"], "Body": json.dumps(r)} for r in HISTORY
    ]
    event = sqs_event(messages, f"arn:aws:sqs:{REGION}:123456789012:stats")

    first = stats.app.handler(event, LocalContext())
    assert first["batchItemFailures"] == [{"itemIdentifier": "processed"}]
    # The whole batch comes again (the function timed out after applying it, say): only the failed one moves.
    assert stats.app.handler(event, LocalContext())["batchItemFailures"] == []
    assert store.calls.skipped == 2

    alone = DynamoCounterStore(client, TABLE)
    assert totals(alone)["2026-11"]["resolved.late"] == 1
    assert totals(alone)["2026-11"]["received.online"] == 1


def test_an_agency_merged_into_another_is_reported_with_it_and_alone(client: Any) -> None:
    store = DynamoCounterStore(client, TABLE)
    merged, successor = "000.03.01.H99", "000.01.01.H99"
    store.apply_record(record("old", dossier_image(9, agency=merged, finished_at="2026-11-03T04:00:00Z")))
    store.apply_record(record("new", dossier_image(2)))
    today = date(2026, 11, 20)

    together = store.figures([successor, merged], "2026-11", "2026-11", today)
    assert (together.new, together.early, together.in_progress) == (2, 1, 1)
    alone = store.figures([merged], "2026-11", "2026-11", today)
    assert (alone.new, alone.early, alone.in_progress) == (1, 1, 0)
    assert store.figures(None, "2026-11", "2026-11", today) == together


def test_a_dossier_with_papers_as_files_is_digitised_and_with_a_signed_result_electronic() -> None:
    attachments = [{"paper_code": "TK", "key": "uploads/x.pdf"}]
    results = [{"code": "000.01.01.H99-261102-0001-KQ1"}]
    both = facts_from_image(dossier_image(10, attachments=attachments, results=results))
    assert both is not None and (both.digitised, both.electronic_result) == (True, True)
    neither = facts_from_image(dossier_image(10, attachments=[], results=[]))
    assert neither is not None and (neither.digitised, neither.electronic_result) == (False, False)
