"""The audit trail: every change recorded, chained, and any edited or removed entry detected."""

from __future__ import annotations

import json
from typing import Any

import pytest

from motcua.adapters import clients
from motcua.domain.errors import Forbidden
from motcua.services.inbox import Decision
from tests.conftest import REGION
from tests.integration.conftest import filing_request
from tests.shown import decide

WARD = "000.01.01.H99"


@pytest.fixture
def walked(container: Any, people: Any) -> tuple[str, Any]:
    """A birth registration filed, accepted, approved and returned by the ward: four entries."""
    an = people.citizen("an@example.vn")
    desk = people.staff("tiepnhan.phuong", WARD, "receiver")
    officer = people.staff("chuyenvien.phuong", WARD, "officer")
    code = container.filing.file(an, filing_request(container, an), "audit-key-0001").dossier.code
    decide(container, desk, f"{code}-T1", Decision(action="accept"))
    decide(container, officer, f"{code}-T1", Decision(action="approve"))
    decide(container, desk, f"{code}-T1", Decision(action="return_result"))
    return code, desk


def raw_entries(container: Any, code: str) -> list[dict[str, Any]]:
    table = container.settings.table_name
    response = clients.client("dynamodb", REGION).query(
        TableName=table,
        KeyConditionExpression="PK = :pk AND begins_with(SK, :a)",
        ExpressionAttributeValues={":pk": {"S": f"D#{code}"}, ":a": {"S": "A#"}},
    )
    return list(response["Items"])


def test_every_change_is_recorded_with_who_when_and_the_statuses(container: Any, walked: Any) -> None:
    code, desk = walked

    trail = container.dossiers.audit(desk, code)

    assert trail.check.intact and trail.check.entries == 4
    assert [(e.action, e.status_before, e.status_after) for e in trail.entries] == [
        ("filed", None, 1),
        ("accept", 1, 4),
        ("approve", 4, 9),
        ("return_result", 9, 10),
    ]
    assert [e.actor for e in trail.entries[1:]] == ["tiepnhan.phuong", "chuyenvien.phuong", "tiepnhan.phuong"]
    assert [e.role for e in trail.entries] == ["citizen", "receiver", "officer", "receiver"]
    assert all(b.prev_hash == a.hash for a, b in zip(trail.entries, trail.entries[1:], strict=False))


def test_an_edited_entry_is_detected_where_it_was_edited(container: Any, walked: Any) -> None:
    code, desk = walked
    item = raw_entries(container, code)[1]
    data = json.loads(item["data"]["S"])
    data["actor"] = "someone.else"  # rewriting who accepted the dossier
    item["data"] = {"S": json.dumps(data)}
    clients.client("dynamodb", REGION).put_item(TableName=container.settings.table_name, Item=item)

    check = container.dossiers.audit(desk, code).check

    assert not check.intact and check.broken_at == 2
    assert check.problem_code == "changed"


@pytest.mark.parametrize(("removed", "broken_at"), [(2, 2), (4, 4)])
def test_a_deleted_entry_is_detected(container: Any, walked: Any, removed: int, broken_at: int) -> None:
    code, desk = walked
    item = raw_entries(container, code)[removed - 1]
    clients.client("dynamodb", REGION).delete_item(
        TableName=container.settings.table_name, Key={"PK": item["PK"], "SK": item["SK"]}
    )

    check = container.dossiers.audit(desk, code).check

    assert not check.intact and check.broken_at == broken_at


def test_a_rewritten_chain_does_not_match_the_dossiers_head(container: Any, walked: Any) -> None:
    code, desk = walked
    # Deleting the last entry and nothing else still leaves the dossier pointing past it
    items = raw_entries(container, code)
    clients.client("dynamodb", REGION).delete_item(
        TableName=container.settings.table_name, Key={"PK": items[-1]["PK"], "SK": items[-1]["SK"]}
    )
    assert container.dossiers.audit(desk, code).check.problem_code == "missing_tail"


def test_only_staff_of_the_agencies_involved_read_the_trail(container: Any, people: Any, walked: Any) -> None:
    code, _ = walked
    with pytest.raises(Forbidden):
        container.dossiers.audit(people.staff("canbo.congan", "000.00.21.H99"), code)
    with pytest.raises(Forbidden):
        container.dossiers.audit(people.citizen("an@example.vn"), code)
