"""The local stack's history (infra/devstack/history.py) on the services over in-memory fakes: each
dossier at its own working moment of the past months, decided as a desk would, the same every time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from infra.devstack.history import History, working_moment
from motcua.domain.calendar import VIETNAM_TZ
from motcua.domain.roles import Role
from tests.fakes.clock import FrozenClock
from tests.fakes.world import World

DEMO = Path(__file__).resolve().parents[2] / "provinces" / "demo.yaml"
UNTIL = datetime(2026, 11, 30, 10, tzinfo=UTC)


def _history(seed: int, dossiers: int) -> tuple[World, list[str], dict[int, int]]:
    world = World(DEMO, clock=FrozenClock())
    citizens = [world.citizen("Nguyễn Văn An"), world.citizen("Trần Thị Bình")]
    desks = {
        agency.code: world.staff(agency.code, Role.LEADER, f"lanhdao.{agency.code}")
        for agency in world.province.agencies
        if any(p.agency == agency.code for p in world.province.procedures)
    }

    def post(url: str, fields: dict[str, str], filename: str, content: bytes) -> None:
        world.store.post(fields["key"], content)

    history = History(
        world.container, world.province, world.clock, citizens=citizens, desks=desks, post=post, seed=seed
    )
    filled = history.fill(dossiers, until=UNTIL, months=3, progress=lambda n: None)
    return world, filled.codes, filled.by_status


def test_history_files_each_dossier_at_a_working_moment_of_the_months_before_and_decides_some() -> None:
    world, codes, by_status = _history(seed=7, dossiers=60)

    assert len(codes) == 60
    for code in codes:
        dossier = world.record(code).dossier
        local = dossier.filed_at.astimezone(VIETNAM_TZ)
        assert local.weekday() < 5 and 8 <= local.hour < 17, dossier.filed_at
        assert UNTIL - timedelta(days=90) <= dossier.filed_at <= UNTIL
    # finished ones (returned: 10), and others still open or stopped along the way
    assert by_status.get(10, 0) > 30
    assert len(by_status) >= 3, by_status
    # each agency's numbers of a day follow on from 1, none skipped
    days: dict[str, list[int]] = {}
    for code in codes:
        prefix, _, number = code.rpartition("-")
        days.setdefault(prefix, []).append(int(number))
    for numbers in days.values():
        assert sorted(numbers) == list(range(1, len(numbers) + 1))


def test_the_same_seed_gives_the_same_history_and_another_seed_another() -> None:
    _, first, statuses = _history(seed=11, dossiers=25)
    _, again, statuses_again = _history(seed=11, dossiers=25)
    _, other, _ = _history(seed=12, dossiers=25)

    assert (first, statuses) == (again, statuses_again)
    assert first != other


def test_a_working_moment_is_never_at_night_or_on_a_weekend() -> None:
    import random

    rng = random.Random(3)
    start = datetime(2026, 11, 1, tzinfo=UTC)
    for _ in range(500):
        local = working_moment(rng, start, start + timedelta(days=30)).astimezone(VIETNAM_TZ)
        assert local.weekday() < 5 and 8 <= local.hour < 17


def test_the_historys_messages_are_not_sent_but_listed_on_the_citizens_notifications_page() -> None:
    world, codes, _ = _history(seed=5, dossiers=12)

    assert world.mail.sent == [] and world.sms.sent == []
    kept = [message for message, _ in world.sent.kept.values()]
    assert {m.dossier_code for m in kept} == set(codes)
    for message in kept:  # at the moment of the change it tells of, under the dossier's owner
        dossier = world.record(message.dossier_code).dossier
        assert message.owner == dossier.owner
        seq = int(message.key.split("#")[1])
        entry = next(e for e in world.repository.audit_trail(dossier.code) if e.seq == seq)
        assert message.sent_at == entry.at <= UNTIL
    filed = [m for m in kept if m.event.value == "filed"]
    assert len(filed) == len(codes)  # email only: the history's citizens have no phone
