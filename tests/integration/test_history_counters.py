"""The local stack's history on moto (infra/devstack/history.py): the dossiers it files through the
services, then its recount of the statistics' counters; the report read from those counters equals a
count of the dossiers themselves, made here from each dossier's status and dates."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any

import pytest

from infra.devstack.history import History, _credentials, recount
from motcua.adapters import clients
from motcua.domain.calendar import VIETNAM_TZ
from motcua.domain.statistics import month_of
from tests.conftest import REGION
from tests.examples import post_to_slot
from tests.fakes.workflow import InMemoryWorkflow

FINISHED = {3, 7, 8, 9, 10}


def _count_by_hand(dossiers: list[Any], today: Any) -> dict[str, int]:
    """The report's columns for the whole history, from the dossiers' own fields (docs/statistics.md)."""
    counts: Counter[str] = Counter()
    for dossier in dossiers:
        status = int(dossier.status)
        counts[f"received_{dossier.channel.value}"] += 1
        if status in (9, 10):
            finished, due = dossier.finished_at, dossier.due_at
            if finished > due:
                counts["late"] += 1
            elif finished.astimezone(VIETNAM_TZ).date() < due.astimezone(VIETNAM_TZ).date():
                counts["early"] += 1
            else:
                counts["on_time"] += 1
        elif status in FINISHED:
            counts[{3: "refused", 7: "withdrawn", 8: "stopped"}[status]] += 1
        elif dossier.due_at.astimezone(VIETNAM_TZ).date() < today:
            counts["overdue"] += 1
        else:
            counts["in_time"] += 1
        if status in (5, 6):
            counts["waiting"] += 1
    return dict(counts)


@pytest.mark.signing  # the history issues signed results
def test_the_report_after_a_filled_history_equals_a_count_of_its_dossiers(
    container: Any, people: Any, outputs: Any, clock: Any
) -> None:
    province = container.province
    citizens = [people.citizen("an@example.vn"), people.citizen("binh@example.vn", "Trần Thị Bình")]
    deciding = {p.agency for p in province.procedures} | {
        s.agency for p in province.procedures if p.flow for stage in p.flow.stages for s in stage.steps
    }
    desks = {code: people.staff(f"lanhdao.{code}", code, "leader") for code in sorted(deciding)}
    workflow = InMemoryWorkflow(province)
    container.__dict__["workflow"] = workflow  # the flows of the past run in memory, as the filler's
    until = clock.now()
    history = History(
        container,
        province,
        clock,
        citizens=citizens,
        desks=desks,
        post=post_to_slot,
        route=lambda: workflow.drain(container.coordinator.handle),
        seed=5,
        gateway=_credentials(container),
    )

    filled = history.fill(40, until=until, months=3, progress=lambda n: None)
    written = recount(clients.client("dynamodb", REGION), outputs.table_name, province.working_calendar)

    dossiers = [container.repository.get(code).dossier for code in filled.codes]
    today = until.astimezone(VIETNAM_TZ).date()
    expected = _count_by_hand(dossiers, today)
    # the history holds what the dashboard should show: late ones, refused, withdrawn, stopped, open
    assert {"late", "refused", "withdrawn", "stopped", "received_counter"} <= expected.keys(), expected
    assert written > 0
    first, last = month_of(until - timedelta(days=91)), month_of(until)
    figures = container.statistics.figures(None, first, last, today)
    assert figures.carried_over == 0
    got = {
        name: getattr(figures, name)
        for name in (
            "received_online",
            "received_counter",
            "received_post",
            "early",
            "on_time",
            "late",
            "refused",
            "withdrawn",
            "stopped",
            "overdue",
            "in_time",
            "waiting",
        )
    }
    assert {k: v for k, v in got.items() if v} == expected
    # the Decision 766 indicators' counters: papers held as files, results issued signed
    counters = container.statistics.counters(None, first, today)
    summed: Counter[str] = Counter()
    for month, names in counters.items():
        if month != "now":
            summed.update(names)
    electronic = [d for d in dossiers if d.results and int(d.status) in (9, 10)]
    assert electronic, "the history issues some results electronically"
    assert summed["resolved.electronic"] == len(electronic)
    assert summed["received.digitised"] == sum(1 for d in dossiers if d.attachments)
    # … and the online-payment rate's: the fees asked (at filing: online or at the counter), those paid online
    online = [d for d in dossiers if d.fee is not None and d.fee.collection.value == "online"]
    paid = [
        d
        for d in online
        if (fee := container.payments.store.dossier_and_fee(d.code, "filing")[1]) and fee.paid
    ]
    assert paid, "the history pays fees online"
    assert summed["fees.due"] == sum(1 for d in dossiers if d.fee is not None)
    assert summed["fees.online"] == len(paid) > 0
    assert summed["fees.counter"] == sum(
        1 for d in dossiers if d.fee is not None and d.channel.value == "counter"
    )
    # … and agency by agency: each counts the dossiers it resolves
    by_agency = Counter(d.competent_agency or d.agency for d in dossiers)
    for agency, received in by_agency.items():
        assert container.statistics.figures([agency], first, last, today).new == received, agency
