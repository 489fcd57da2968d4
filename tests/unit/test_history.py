"""The local stack's history (infra/devstack/history.py) on the services over in-memory fakes: each
dossier at its own working moment of the past months, decided as a desk would, the same every time."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from infra.devstack.history import History, later, working_moment
from motcua.domain.calendar import VIETNAM_TZ
from motcua.domain.roles import Role
from tests.fakes.clock import FrozenClock
from tests.fakes.payments import TEST_CREDENTIALS
from tests.fakes.world import World

DEMO = Path(__file__).resolve().parents[2] / "provinces" / "demo.yaml"
UNTIL = datetime(2026, 11, 30, 10, tzinfo=UTC)


def _history(seed: int, dossiers: int) -> tuple[World, list[str], dict[int, int]]:
    world = World(DEMO, clock=FrozenClock())
    citizens = [world.citizen("Nguyễn Văn An"), world.citizen("Trần Thị Bình")]
    # A leader at every agency that receives procedures or has a flow's step (as the demo accounts).
    deciding = {p.agency for p in world.province.procedures} | {
        s.agency for p in world.province.procedures if p.flow for stage in p.flow.stages for s in stage.steps
    }
    desks = {code: world.staff(code, Role.LEADER, f"lanhdao.{code}") for code in deciding}

    def post(url: str, fields: dict[str, str], filename: str, content: bytes) -> None:
        world.store.post(fields["key"], content)

    history = History(
        world.container,
        world.province,
        world.clock,
        citizens=citizens,
        desks=desks,
        post=post,
        route=world.settle,
        seed=seed,
        gateway=lambda: TEST_CREDENTIALS,
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
    # filed for many applicants, so that the console's search by name has names to tell apart
    applicants = {world.record(code).dossier.applicant.full_name for code in codes}
    assert len(applicants) > 20
    # some handed in at a one-stop counter, by its officer, from a queue ticket, and decided as the others
    counter = [d for d in (world.record(code).dossier for code in codes) if d.channel.value == "counter"]
    assert 3 <= len(counter) < 30
    assert all(d.received_by is not None and d.ticket and d.owner.startswith("counter#") for d in counter)
    assert any(d.status.value == 10 for d in counter)
    # some received at another agency's desk (receiving anywhere), numbered by it, returned by it
    elsewhere = [world.record(code) for code in codes if world.record(code).dossier.competent_agency]
    assert elsewhere
    for record in elsewhere:
        assert record.dossier.code.startswith(record.dossier.agency)
    returned = [r for r in elsewhere if r.dossier.status == 10]
    assert returned and all(r.task(f"{r.dossier.code}-T1").agency == r.dossier.agency for r in returned)


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
        moment = working_moment(rng, start, start + timedelta(days=30))
        local = moment.astimezone(VIETNAM_TZ)
        assert local.weekday() < 5 and 8 <= local.hour < 17
        # the next moment of a dossier's life: later (never back in time), at work too
        after = later(rng, moment, 2, 30)
        assert after > moment
        local = after.astimezone(VIETNAM_TZ)
        assert local.weekday() < 5 and 8 <= local.hour < 17


def test_dossiers_of_procedures_with_a_flow_go_through_their_flows_step_by_step() -> None:
    world, codes, _ = _history(seed=7, dossiers=300)
    flows = [code for code in codes if world.record(code).dossier.flow]

    assert 0.1 * len(codes) <= len(flows) <= 0.3 * len(codes)  # about a fifth
    assert not world.flows.messages  # every message the flows sent was routed
    outcomes: dict[int, int] = {}
    for code in flows:
        record = world.record(code)
        dossier = record.dossier
        outcomes[dossier.status] = outcomes.get(dossier.status, 0) + 1
        procedure = world.province.procedures_by_code[dossier.procedure_code]
        assert procedure.flow is not None
        steps = {(t.stage, t.step): t for t in record.tasks if t.stage is not None}
        if dossier.status == 10:
            # every step of every stage decided, stage after stage, then the desk returned the result
            wanted = {
                (i, j)
                for i, stage in enumerate(procedure.flow.stages, 1)
                for j in range(1, len(stage.steps) + 1)
            }
            assert set(steps) == wanted
            assert all(t.decided is not None and t.decided.action == "approve" for t in steps.values())
            # each stage closed after the one before: its last step's decision
            closed = [
                max(t.closed_at or dossier.filed_at for (i, _), t in steps.items() if i == stage)
                for stage in range(1, len(procedure.flow.stages) + 1)
            ]
            assert closed == sorted(closed) and dossier.filed_at < closed[0]
            desk = next(t for t in record.tasks if t.stage is None)
            assert desk.decided is not None and desk.decided.action == "return_result"
            assert desk.closed_at is not None and desk.closed_at >= closed[-1]
        if dossier.status == 4:  # still in its flow at the end: a step open, its token waited for
            waited = {(w.stage, w.step) for w in world.flows.waiting(code)}
            assert waited and waited == {k for k, t in steps.items() if t.state.value == "open"}
    assert outcomes.get(10, 0) > len(flows) / 2, outcomes
    assert outcomes.get(8, 0) >= 1 and outcomes.get(4, 0) >= 1, outcomes  # rejected at a step; under way
    kinds = [m["kind"] for m in world.flows.delivered]
    assert "await_citizen" in kinds  # a step asked for papers ...
    asked = {m["dossier_code"] for m in world.flows.delivered if m["kind"] == "await_citizen"}
    assert any(world.record(code).dossier.status == 10 for code in asked)  # ... which came, and it went on


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
    # each dossier's filing told once a channel: by email (the history's citizens have no phone), and
    # by SMS too to the applicant of a walk-in at the counter (their phone taken there)
    filed = Counter((m.dossier_code, m.key.rsplit("#", 1)[1]) for m in kept if m.event.value == "filed")
    assert {code for code, _ in filed} == set(codes) and set(filed.values()) == {1}
    walk_ins = {c for c in codes if world.record(c).dossier.channel.value == "counter"}
    assert {code for code, channel in filed if channel == "sms"} == walk_ins


def test_most_fees_at_filing_are_paid_online_and_walk_ins_pay_at_the_counter() -> None:
    world, codes, _ = _history(seed=7, dossiers=80)
    dossiers = [world.record(code).dossier for code in codes]

    online = [d for d in dossiers if d.fee is not None and d.fee.collection.value == "online"]
    paid = [d for d in online if (fee := world.payments.fees.get((d.code, "filing"))) and fee.paid]
    assert 0 < len(paid) < len(online), (len(paid), len(online))  # most paid, some never
    for dossier in paid:  # a few minutes after filing, by the history's clock, through an order
        fee = world.payments.fees[(dossier.code, "filing")]
        assert fee.paid_at is not None and timedelta(0) < fee.paid_at - dossier.filed_at < timedelta(
            minutes=15
        )
    counter = [d for d in dossiers if d.fee is not None and d.fee.collection.value == "counter"]
    assert counter and all(d.channel.value == "counter" for d in counter)
