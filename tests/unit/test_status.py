"""The status machine: every allowed and every forbidden transition, and what each action walks."""

from __future__ import annotations

import itertools

import pytest

from motcua.domain.errors import InvalidTransition
from motcua.domain.status import (
    OFFICER_ACTIONS,
    TRANSITIONS,
    Action,
    Status,
    allowed_actions,
    plan,
)

S = Status

ALLOWED = {
    (S.SUBMITTED, S.ACCEPTED),
    (S.SUBMITTED, S.REFUSED),
    (S.SUBMITTED, S.MORE_PAPERS),
    (S.SUBMITTED, S.WITHDRAWN),
    (S.ACCEPTED, S.IN_PROCESS),
    (S.ACCEPTED, S.WITHDRAWN),
    (S.IN_PROCESS, S.MORE_PAPERS),
    (S.IN_PROCESS, S.FEES_DUE),
    (S.IN_PROCESS, S.STOPPED),
    (S.IN_PROCESS, S.PROCESSED),
    (S.IN_PROCESS, S.WITHDRAWN),
    (S.MORE_PAPERS, S.SUBMITTED),
    (S.MORE_PAPERS, S.IN_PROCESS),
    (S.MORE_PAPERS, S.STOPPED),
    (S.MORE_PAPERS, S.WITHDRAWN),
    (S.FEES_DUE, S.IN_PROCESS),
    (S.FEES_DUE, S.STOPPED),
    (S.FEES_DUE, S.WITHDRAWN),
    (S.PROCESSED, S.RETURNED),
}


@pytest.mark.parametrize(("source", "target"), list(itertools.product(Status, Status)))
def test_each_transition_is_allowed_exactly_when_the_table_says(source: Status, target: Status) -> None:
    assert (target in TRANSITIONS[source]) == ((source, target) in ALLOWED)


def test_terminal_statuses() -> None:
    assert {s for s in Status if s.terminal} == {S.REFUSED, S.WITHDRAWN, S.STOPPED, S.RETURNED}


def test_the_clock_stops_only_while_the_citizen_must_act() -> None:
    assert {s for s in Status if s.clock_stopped} == {S.MORE_PAPERS, S.FEES_DUE}


def test_every_status_has_both_labels() -> None:
    assert Status.SUBMITTED.label.vi == "Mới đăng ký"
    assert Status.RETURNED.label.vi == "Đã trả kết quả"
    assert all(s.label.vi and s.label.en for s in Status)


@pytest.mark.parametrize(
    ("action", "source", "path"),
    [
        (Action.ACCEPT, S.SUBMITTED, (S.ACCEPTED, S.IN_PROCESS)),
        (Action.REFUSE, S.SUBMITTED, (S.REFUSED,)),
        (Action.REQUEST_PAPERS, S.SUBMITTED, (S.MORE_PAPERS,)),
        (Action.REQUEST_PAPERS, S.IN_PROCESS, (S.MORE_PAPERS,)),
        (Action.APPROVE, S.IN_PROCESS, (S.PROCESSED,)),
        (Action.REJECT, S.IN_PROCESS, (S.STOPPED,)),
        (Action.RETURN_RESULT, S.PROCESSED, (S.RETURNED,)),
        (Action.WITHDRAW, S.ACCEPTED, (S.WITHDRAWN,)),
    ],
)
def test_actions_walk_allowed_transitions(action: Action, source: Status, path: tuple[Status, ...]) -> None:
    assert plan(action, source) == path


@pytest.mark.parametrize("resume_to", [S.SUBMITTED, S.IN_PROCESS])
def test_supplement_goes_back_where_the_dossier_was(resume_to: Status) -> None:
    assert plan(Action.SUPPLEMENT, S.MORE_PAPERS, resume_to=resume_to) == (resume_to,)


def test_supplement_cannot_jump_to_a_status_the_machine_forbids() -> None:
    with pytest.raises(InvalidTransition):
        plan(Action.SUPPLEMENT, S.MORE_PAPERS, resume_to=S.RETURNED)


@pytest.mark.parametrize(
    ("action", "source"),
    [
        (Action.ACCEPT, S.IN_PROCESS),
        (Action.APPROVE, S.SUBMITTED),
        (Action.RETURN_RESULT, S.IN_PROCESS),
        (Action.REFUSE, S.IN_PROCESS),
        (Action.REJECT, S.SUBMITTED),
        (Action.SUPPLEMENT, S.IN_PROCESS),
        (Action.WITHDRAW, S.RETURNED),
        (Action.ACCEPT, S.RETURNED),
    ],
)
def test_forbidden_actions_say_what_is_allowed(action: Action, source: Status) -> None:
    with pytest.raises(InvalidTransition) as raised:
        plan(action, source, actions=OFFICER_ACTIONS | {action})
    assert raised.value.allowed == allowed_actions(source, OFFICER_ACTIONS | {action})
    details = raised.value.details("en")
    assert details["status"] == int(source)
    assert [a["action"] for a in details["allowed"]] == [a.value for a in raised.value.allowed]


def test_an_officer_is_never_offered_a_citizen_action() -> None:
    with pytest.raises(InvalidTransition) as raised:
        plan(Action.WITHDRAW, S.IN_PROCESS, actions=OFFICER_ACTIONS)
    assert Action.WITHDRAW not in raised.value.allowed
    assert raised.value.details("vi")["allowed"] == [
        {"action": "request_papers", "to": [5]},
        {"action": "approve", "to": [9]},
        {"action": "reject", "to": [8]},
    ]


def test_officers_may_accept_refuse_or_ask_for_papers_on_a_new_dossier() -> None:
    assert allowed_actions(S.SUBMITTED) == [Action.ACCEPT, Action.REFUSE, Action.REQUEST_PAPERS]
    assert allowed_actions(S.MORE_PAPERS) == []
    assert allowed_actions(S.PROCESSED) == [Action.RETURN_RESULT]
