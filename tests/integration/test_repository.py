"""The DynamoDB repository's access patterns (docs/data-model.md), each checked on moto."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from motcua.domain.errors import BadRequest, Conflict
from motcua.domain.models import TaskState
from motcua.domain.status import Status
from motcua.services.inbox import Decision
from tests.integration.conftest import BIRTH, filing_request
from tests.shown import decide, inbox

WARD = "000.01.01.H99"  # receives birth registrations
SOCIAL_INSURANCE = "000.00.22.H99"  # receives companies' declarations, alone (no flow)
SI = "1.000058"


def test_one_query_reads_a_dossier_with_its_timeline_and_tasks(container: Any, people: Any) -> None:
    an = people.citizen("an@example.vn")
    filed = container.filing.file(an, filing_request(container, an), "key-read-0001").dossier

    record = container.repository.get(filed.code)

    assert record.dossier == filed
    assert [e.status for e in record.events] == [Status.SUBMITTED]
    assert [(t.agency, t.state) for t in record.tasks] == [(WARD, TaskState.OPEN)]
    assert container.repository.get("000.01.01.H99-261117-9999") is None


def test_owner_listing_is_newest_first_and_pages_with_an_opaque_token(
    container: Any, people: Any, clock: Any
) -> None:
    an = people.citizen("an@example.vn")
    codes = []
    for hour in range(5):
        clock.set(datetime(2026, 11, 17, 1 + hour, 0, tzinfo=UTC))
        codes.append(
            container.filing.file(an, filing_request(container, an), f"key-list-{hour:04d}").dossier.code
        )

    first = container.repository.list_by_owner(an.sub, limit=2, token=None)
    second = container.repository.list_by_owner(an.sub, limit=2, token=first.next_token)
    third = container.repository.list_by_owner(an.sub, limit=2, token=second.next_token)

    seen = [d.code for d in first.items + second.items + third.items]
    assert seen == list(reversed(codes))
    assert third.next_token is None


def test_a_token_continues_only_the_listing_it_came_from(container: Any, people: Any) -> None:
    an, binh = people.citizen("an@example.vn"), people.citizen("binh@example.vn")
    for i in range(3):
        container.filing.file(an, filing_request(container, an), f"key-token-{i:04d}")
    token = container.repository.list_by_owner(an.sub, limit=1, token=None).next_token
    assert token is not None

    with pytest.raises(BadRequest):
        container.repository.list_by_owner(binh.sub, limit=1, token=token)
    with pytest.raises(BadRequest):
        container.repository.inbox(WARD, limit=1, token=token)
    with pytest.raises(BadRequest):
        container.repository.inbox(WARD, limit=1, token="not-a-token!")


def test_inbox_is_ordered_by_due_date_across_procedures(container: Any, people: Any, clock: Any) -> None:
    an = people.citizen("an@example.vn")
    officer = people.staff("canbo.phuong", WARD, "receiver")
    # Birth registration takes one working day: filed out of order, the inbox still sorts by due date.
    clock.set(datetime(2026, 11, 17, 2, tzinfo=UTC))
    early = container.filing.file(an, filing_request(container, an), "key-inbox-0001").dossier
    clock.set(datetime(2026, 11, 19, 2, tzinfo=UTC))
    late = container.filing.file(an, filing_request(container, an), "key-inbox-0002").dossier
    clock.set(datetime(2026, 11, 18, 2, tzinfo=UTC))
    middle = container.filing.file(an, filing_request(container, an), "key-inbox-0003").dossier

    page = inbox(container, officer, WARD, limit=2)
    rest = inbox(container, officer, WARD, limit=2, token=page.next_token)

    assert [t.dossier_code for t in page.items + rest.items] == [early.code, middle.code, late.code]
    assert [t.due_at for t in page.items + rest.items] == sorted(t.due_at for t in page.items + rest.items)


def test_the_inbox_window_and_its_count_are_the_index_key_condition(
    container: Any, people: Any, clock: Any
) -> None:
    # Given three birth registrations filed a day apart (each due a working day after its filing)
    an = people.citizen("an@example.vn")
    codes = []
    for day in range(3):
        clock.set(datetime(2026, 11, 17 + day, 2, tzinfo=UTC))
        codes.append(
            container.filing.file(an, filing_request(container, an), f"key-win-{day:04d}").dossier.code
        )
    due = [t.due_at for t in container.repository.inbox(WARD, limit=10, token=None).items]
    repository = container.repository

    # Then a window after, up to, or between due dates reads only the tasks inside it, both ways
    assert repository.count_inbox(WARD, at_most=10) == 3
    assert repository.count_inbox(WARD, at_most=1) == 2  # counts no further than one past the bound
    assert repository.count_inbox(WARD, at_most=10, until=due[0]) == 1
    assert repository.count_inbox(WARD, at_most=10, after=due[0]) == 2
    assert repository.count_inbox(WARD, at_most=10, after=due[0], until=due[1]) == 1
    middle = repository.inbox(WARD, limit=10, token=None, after=due[0], until=due[1])
    assert [t.dossier_code for t in middle.items] == [codes[1]]
    latest = repository.inbox(WARD, limit=2, token=None, latest_first=True)
    rest = repository.inbox(WARD, limit=2, token=latest.next_token, latest_first=True)
    assert [t.dossier_code for t in latest.items + rest.items] == codes[::-1]


def test_decided_and_waiting_tasks_leave_the_inbox(container: Any, people: Any) -> None:
    an = people.citizen("an@example.vn")
    officer = people.staff("canbo.phuong", WARD, "receiver")
    refused = container.filing.file(an, filing_request(container, an), "key-leave-0001").dossier
    waiting = container.filing.file(an, filing_request(container, an), "key-leave-0002").dossier
    kept = container.filing.file(an, filing_request(container, an), "key-leave-0003").dossier

    decide(container, officer, f"{refused.code}-T1", Decision(action="refuse", reason="Sai thủ tục"))
    decide(
        container, officer, f"{waiting.code}-T1", Decision(action="request_papers", reason="Thiếu bản sao")
    )

    listed = inbox(container, officer, WARD)
    assert [t.dossier_code for t in listed.items] == [kept.code]
    assert container.repository.get(refused.code).tasks[0].state is TaskState.CLOSED
    assert container.repository.get(waiting.code).tasks[0].state is TaskState.WAITING


def test_a_change_based_on_a_stale_read_is_refused(container: Any, people: Any) -> None:
    an = people.citizen("an@example.vn")
    officer = people.staff("canbo.phuong", WARD, "receiver")
    dossier = container.filing.file(an, filing_request(container, an), "key-stale-0001").dossier
    stale = container.repository.get(dossier.code)
    decide(container, officer, f"{dossier.code}-T1", Decision(action="accept"))

    from motcua.domain.audit import AuditDraft
    from motcua.domain.changes import seal

    refused = stale.dossier.model_copy(update={"status": Status.REFUSED})
    draft = AuditDraft(
        at=container.clock.now(), actor="canbo.phuong", role="receiver", action="refuse", status_after=3
    )
    with pytest.raises(Conflict):
        container.repository.apply(seal(stale.dossier, refused, draft))
    assert container.repository.get(dossier.code).dossier.status is Status.IN_PROCESS


def test_birth_registration_constant_matches_the_demo_province(container: Any) -> None:
    assert container.province.procedures_by_code[BIRTH].agency == WARD


def test_every_item_of_a_dossier_and_its_idempotency_key_expire_when_their_retention_ends(
    container: Any, people: Any
) -> None:
    # Given a dossier filed, then accepted (a task, events and audit entries of two changes)
    an = people.citizen("an@example.vn")
    filed = container.filing.file(an, filing_request(container, an), "key-ttl-0001").dossier
    officer = people.staff("canbo.ttl", WARD, "receiver")
    decide(container, officer, f"{filed.code}-T1", Decision(action="accept"))

    # Then every item of its partition carries the TTL of the province's dossier retention
    kept = container.province.retention
    items = container.repository.client.query(
        TableName=container.repository.table,
        KeyConditionExpression="PK = :pk",
        ExpressionAttributeValues={":pk": {"S": f"D#{filed.code}"}},
    )["Items"]
    assert {item["SK"]["S"][0] for item in items} == {"A", "D", "E", "T"}
    expected = int(filed.filed_at.timestamp()) + kept.dossiers_days * 86_400
    assert {int(item["expires_at"]["N"]) for item in items} == {expected}
    # and the Idempotency-Key that of the idempotency retention
    idem_key = {"PK": {"S": f"IDEM#{an.sub}#key-ttl-0001"}, "SK": {"S": "IDEM"}}
    key = container.repository.client.get_item(TableName=container.repository.table, Key=idem_key)["Item"]
    assert int(key["expires_at"]["N"]) == int(filed.filed_at.timestamp()) + kept.idempotency_days * 86_400
