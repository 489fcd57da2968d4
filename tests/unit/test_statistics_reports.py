"""The statistics service's merge rule (docs/statistics.md, "Agencies merged"): an agency merged into
another counts into it from the month of its merger and is reported alone before it. Counters made
from hand-made dossiers by the stream consumer's own functions; every number worked out by hand."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import pytest

from motcua.adapters.statistics import item_moves
from motcua.config.province import load_province
from motcua.domain.counter import Channel
from motcua.domain.models import Principal, PrincipalKind
from motcua.domain.roles import Role
from motcua.domain.statistics import Facts, contributions
from motcua.domain.status import Status
from motcua.services.statistics import Grouping, StatisticsService
from tests.conftest import DEMO_PROVINCE
from tests.fakes.clock import FrozenClock

if TYPE_CHECKING:
    from collections.abc import Sequence

FINANCE = "000.00.01.H99"
PLANNING = "000.00.07.H99"  # merged into Finance on 1 March 2025 (provinces/demo.yaml)
PROCEDURE = "2.001610"


def at(day: str) -> datetime:
    return datetime.fromisoformat(f"{day}T03:00:00+00:00")  # 10:00 in Vietnam


def dossier(agency: str, filed: str, due: str, finished: str | None = None) -> Facts:
    return Facts(
        agency=agency,
        procedure=PROCEDURE,
        channel=Channel.ONLINE,
        filed_at=at(filed),
        due_at=at(due),
        status=Status.PROCESSED if finished else Status.IN_PROCESS,
        finished_at=at(finished) if finished else None,
    )


# Planning and Investment: one early in February, one open since February (due 27 February: overdue
# from then on), one early in March (after its merger). Finance: one filed in March, early in April.
HISTORY = [
    dossier(PLANNING, "2025-02-10", "2025-02-17", "2025-02-12"),
    dossier(PLANNING, "2025-02-20", "2025-02-27"),
    dossier(PLANNING, "2025-03-10", "2025-03-17", "2025-03-11"),
    dossier(FINANCE, "2025-03-05", "2025-04-10", "2025-04-01"),
]


class Counters:
    """The counter items the stream would have kept for HISTORY (the live counters equal the sum of
    the dossiers' contributions: docs/statistics.md)."""

    def __init__(self, history: Sequence[Facts]) -> None:
        province = load_province(DEMO_PROVINCE)
        totals: Counter[Any] = Counter()
        for facts in history:
            totals.update(contributions(facts, province.working_calendar))
        self.items = item_moves(totals)

    def read_keys(self, wanted: Sequence[tuple[str, str]]) -> dict[tuple[str, str], dict[str, int]]:
        return {key: dict(self.items[key]) for key in wanted if key in self.items}


@pytest.fixture
def service() -> StatisticsService:
    return StatisticsService(
        province=load_province(DEMO_PROVINCE),
        counters=Counters(HISTORY),
        index=None,  # type: ignore[arg-type]  # no drill-down here
        clock=FrozenClock(datetime(2025, 4, 15, 3, tzinfo=UTC)),
    )


def staff(agency: str, role: Role) -> Principal:
    return Principal(sub=f"{role}.{agency}", kind=PrincipalKind.STAFF, username="x", agency=agency, role=role)


LEADER = staff(FINANCE, Role.LEADER)


def test_a_merged_agency_counts_into_its_successor_from_the_month_of_its_merger(
    service: StatisticsService,
) -> None:
    # February, before the merger: Finance alone has nothing.
    february = service.report(LEADER, "2025-02", "2025-02", None, Grouping.AGENCY)
    assert (february.total.received, february.total.resolved) == (0, 0)
    assert [row.key for row in february.rows] == [FINANCE]  # Planning is not Finance's yet
    # March: Finance's own (filed, open in time at the end of March) and, from the merger on, Planning's:
    # the one open since February comes in carried over (and is overdue), the March one is early.
    march = service.report(LEADER, "2025-03", "2025-03", None, Grouping.AGENCY).total
    assert (march.carried_over, march.new, march.received) == (1, 2, 3)
    assert (march.early, march.late, march.in_time, march.overdue) == (1, 0, 1, 1)
    rows = service.report(LEADER, "2025-01", "2025-04", None, Grouping.AGENCY).rows
    assert [(row.key, row.figures.received, row.figures.resolved) for row in rows] == [
        (FINANCE, 1, 1),
        (PLANNING, 2, 1),  # from March: the one carried in and the March one; February's not
    ]
    whole = service.report(LEADER, "2025-01", "2025-04", None, Grouping.AGENCY).total
    assert (whole.carried_over, whole.new, whole.early, whole.overdue) == (1, 2, 2, 1)
    assert whole.received == whole.resolved + whole.in_progress


def test_a_merged_agency_stays_visible_alone_before_its_merger(service: StatisticsService) -> None:
    alone = service.report(LEADER, "2025-02", "2025-02", PLANNING, Grouping.AGENCY).total
    # February: both filed, one early, the other overdue at the end of the month.
    assert (alone.new, alone.early, alone.overdue, alone.in_time) == (2, 1, 1, 0)
    admin = staff(FINANCE, Role.ADMIN)
    province = service.report(admin, "2025-02", "2025-03", None, Grouping.AGENCY)
    by_agency = {row.key: row.figures for row in province.rows}
    # Side by side: Planning's row holds its February only; Finance's, its own and Planning's March.
    assert (by_agency[PLANNING].new, by_agency[PLANNING].early, by_agency[PLANNING].overdue) == (2, 1, 1)
    assert (by_agency[FINANCE].carried_over, by_agency[FINANCE].new, by_agency[FINANCE].early) == (1, 2, 1)
    assert (province.total.new, province.total.early) == (4, 2)


def test_the_month_rows_and_the_procedures_follow_the_merger_too(service: StatisticsService) -> None:
    months = service.report(LEADER, "2025-02", "2025-04", None, Grouping.MONTH).rows
    assert [(row.key, row.figures.new, row.figures.resolved) for row in months] == [
        ("2025-02", 0, 0),
        ("2025-03", 2, 1),
        ("2025-04", 0, 1),
    ]
    procedures = service.report(LEADER, "2025-02", "2025-04", None, Grouping.PROCEDURE)
    assert [row.key for row in procedures.rows] == [PROCEDURE]
    assert procedures.rows[0].figures == procedures.total
    assert [
        (p.code, p.late, p.resolved) for p in service.late_procedures(LEADER, "2025-01", "2025-04", None)
    ] == []
