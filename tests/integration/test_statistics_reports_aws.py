"""The statistics' reports and drill-down on moto: dossiers changed through the real services, the
table's stream applied to the counters, then the API's service reads the counters (BatchGetItem) and
lists the dossiers behind a number with Queries on the indexes the dossier items carry (GSI2, GSI4)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from motcua.adapters import clients
from motcua.adapters.statistics import DynamoCounterStore
from motcua.adapters.statistics_index import backfill
from motcua.domain.drilldown import Column, Listing
from motcua.domain.roles import Role
from motcua.domain.statistics import month_of
from motcua.services import statistics
from motcua.services.inbox import Decision
from motcua.services.statistics import Grouping
from tests.conftest import REGION
from tests.integration.conftest import filing_request
from tests.integration.test_statistics_counters import stream
from tests.shown import decide

WARD = "000.01.01.H99"  # receives birth registrations (one working day)
BIRTH = "1.001193"


def test_reports_and_the_dossiers_behind_them_on_dynamodb(
    container: Any, people: Any, outputs: Any, clock: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    citizen = people.citizen("an@example.vn")
    desk = people.staff("canbo.phuong", WARD, "receiver")
    officer = people.staff("chuyenvien.phuong", WARD, "officer")
    leader = people.staff("lanhdao.phuong", WARD, "leader")
    assert leader.role is Role.LEADER

    def file(key: str) -> str:
        return str(container.filing.file(citizen, filing_request(container, citizen), key).dossier.code)

    month = month_of(clock.now())
    early = [file(f"reports-{n}") for n in range(3)]  # accepted and approved the same day: early
    for code in early:
        decide(container, desk, f"{code}-T1", Decision(action="accept"))
        decide(container, officer, f"{code}-T1", Decision(action="approve"))
    late = file("reports-late")
    decide(container, desk, f"{late}-T1", Decision(action="accept"))
    clock.advance(timedelta(days=6))
    decide(container, officer, f"{late}-T1", Decision(action="approve"))
    assert month_of(clock.now()) == month

    store = DynamoCounterStore(clients.client("dynamodb", REGION), outputs.table_name)
    for record in stream(outputs):
        store.apply_record(record)

    service = container.statistics_reports
    report = service.report(leader, month, month, None, Grouping.PROCEDURE)
    assert [row.key for row in report.rows] == [BIRTH]
    assert (report.total.new, report.total.early, report.total.late, report.total.on_time_rate) == (
        4,
        3,
        1,
        0.75,
    )
    assert report.rows[0].figures == report.total
    late_ones = service.late_procedures(leader, month, month, None)
    assert [(p.code, p.late, p.resolved) for p in late_ones] == [(BIRTH, 1, 4)]

    # Two a page: the three early ones over two pages, by the time they finished; one Query a page.
    monkeypatch.setattr(statistics, "DRILL_PAGE", 2)
    index = container.statistics_index
    first = service.dossiers(leader, WARD, month, Column.EARLY, None)
    assert first.next_token is not None
    second = service.dossiers(leader, WARD, month, Column.EARLY, first.next_token)
    assert [d.code for d in first.items + second.items] == early and second.next_token is None
    assert index.queries == 2
    assert [d.code for d in service.dossiers(leader, WARD, month, Column.LATE, None).items] == [late]
    # The filters a past month's open dossiers need (due and filed times) hold on DynamoDB too.
    done = f"DONE#{WARD}#{month}"
    assert len(index.dossiers([Listing("GSI4", done, due_below="9999")], limit=10, token=None).items) == 4
    assert index.dossiers([Listing("GSI4", done, due_from="9999")], limit=10, token=None).items == []
    assert index.dossiers([Listing("GSI4", done, filed_below="2000")], limit=10, token=None).items == []
    received = service.dossiers(leader, WARD, month, Column.RECEIVED_ONLINE, None)
    assert len(received.items) == 2 and received.next_token is not None


def test_an_older_table_gets_the_drill_down_entries_and_the_counters_back(
    container: Any, people: Any, outputs: Any, clock: Any
) -> None:
    citizen = people.citizen("an@example.vn")
    leader = people.staff("lanhdao.phuong", WARD, "leader")
    code = str(
        container.filing.file(citizen, filing_request(container, citizen), "older-dossier-1").dossier.code
    )
    client = clients.client("dynamodb", REGION)
    # As a dossier written before the entries existed, with no counters kept yet.
    client.update_item(
        TableName=outputs.table_name,
        Key={"PK": {"S": f"D#{code}"}, "SK": {"S": "D"}},
        UpdateExpression="REMOVE GSI2PK, GSI2SK, GSI4PK, GSI4SK",
    )
    month = month_of(clock.now())
    service = container.statistics_reports
    assert service.dossiers(leader, WARD, month, Column.IN_TIME, None).items == []
    assert service.report(leader, month, month, None, Grouping.PROCEDURE).rows == []

    assert backfill(client, outputs.table_name, container.province.working_calendar) == 1

    assert [d.code for d in service.dossiers(leader, WARD, month, Column.IN_TIME, None).items] == [code]
    assert [row.key for row in service.report(leader, month, month, None, Grouping.PROCEDURE).rows] == [BIRTH]
    assert backfill(client, outputs.table_name) == 0  # once only
