"""Dossier statuses (trạng thái hồ sơ) of the national public service portal and their allowed transitions."""

from __future__ import annotations

from enum import IntEnum, StrEnum

from motcua.domain.errors import InvalidTransition
from motcua.domain.i18n import Text


class Status(IntEnum):
    SUBMITTED = 1  # Mới đăng ký
    ACCEPTED = 2  # Được tiếp nhận
    REFUSED = 3  # Không được tiếp nhận
    IN_PROCESS = 4  # Đang xử lý
    MORE_PAPERS = 5  # Yêu cầu bổ sung giấy tờ
    FEES_DUE = 6  # Yêu cầu thực hiện nghĩa vụ tài chính
    WITHDRAWN = 7  # Công dân yêu cầu rút hồ sơ
    STOPPED = 8  # Dừng xử lý
    PROCESSED = 9  # Đã xử lý xong
    RETURNED = 10  # Đã trả kết quả

    @property
    def label(self) -> Text:
        return _LABELS[self]

    @property
    def terminal(self) -> bool:
        return not TRANSITIONS[self]

    @property
    def clock_stopped(self) -> bool:
        """The legal clock stands still while the dossier waits on the citizen."""
        return self in (Status.MORE_PAPERS, Status.FEES_DUE)


_LABELS = {
    Status.SUBMITTED: Text(vi="Mới đăng ký", en="Submitted"),
    Status.ACCEPTED: Text(vi="Được tiếp nhận", en="Accepted"),
    Status.REFUSED: Text(vi="Không được tiếp nhận", en="Refused"),
    Status.IN_PROCESS: Text(vi="Đang xử lý", en="In process"),
    Status.MORE_PAPERS: Text(vi="Yêu cầu bổ sung giấy tờ", en="More papers requested"),
    Status.FEES_DUE: Text(vi="Yêu cầu thực hiện nghĩa vụ tài chính", en="Fees due"),
    Status.WITHDRAWN: Text(vi="Công dân yêu cầu rút hồ sơ", en="Withdrawn by the applicant"),
    Status.STOPPED: Text(vi="Dừng xử lý", en="Processing stopped"),
    Status.PROCESSED: Text(vi="Đã xử lý xong", en="Processed"),
    Status.RETURNED: Text(vi="Đã trả kết quả", en="Result returned"),
}

S = Status
TRANSITIONS: dict[Status, frozenset[Status]] = {
    S.SUBMITTED: frozenset({S.ACCEPTED, S.REFUSED, S.MORE_PAPERS, S.WITHDRAWN}),
    S.ACCEPTED: frozenset({S.IN_PROCESS, S.WITHDRAWN}),
    S.REFUSED: frozenset(),
    S.IN_PROCESS: frozenset({S.MORE_PAPERS, S.FEES_DUE, S.STOPPED, S.PROCESSED, S.WITHDRAWN}),
    # Back to where the dossier was when the papers were asked for (1 or 4), or stopped.
    S.MORE_PAPERS: frozenset({S.SUBMITTED, S.IN_PROCESS, S.STOPPED, S.WITHDRAWN}),
    S.FEES_DUE: frozenset({S.IN_PROCESS, S.STOPPED, S.WITHDRAWN}),
    S.WITHDRAWN: frozenset(),
    S.STOPPED: frozenset(),
    S.PROCESSED: frozenset({S.RETURNED}),
    S.RETURNED: frozenset(),
}


class Action(StrEnum):
    """What a person does to a dossier; each walks one or more allowed transitions."""

    ACCEPT = "accept"  # tiếp nhận: 1 → 2 → 4
    REFUSE = "refuse"  # từ chối tiếp nhận: 1 → 3
    REQUEST_PAPERS = "request_papers"  # yêu cầu bổ sung: 1 → 5 or 4 → 5
    APPROVE = "approve"  # 4 → 9
    REJECT = "reject"  # dừng xử lý: 4 → 8
    RETURN_RESULT = "return_result"  # trả kết quả: 9 → 10
    SUPPLEMENT = "supplement"  # the citizen answers: 5 → the status before the request
    WITHDRAW = "withdraw"  # the citizen withdraws: → 7
    FORWARD = "forward"  # chuyển xử lý: to another officer of the same agency; no status change
    EXPIRE = "expire"  # the papers asked for never came: 5 → 8 (the platform, not a person)
    RESTART_FLOW = "restart_flow"  # the desk starts a stalled flow again; no status change
    # Mẫu 04: the agency apologises and gives a new appointment; no status change (the platform's sweep)
    APOLOGISE = "apologise"
    # Nghĩa vụ tài chính: an officer asks for fees during processing (4 → 6); the gateway's confirmed
    # payment (the platform) or the officer's cancel takes the dossier back (6 → 4).
    REQUEST_FEES = "request_fees"
    FEES_PAID = "fees_paid"
    CANCEL_FEES = "cancel_fees"

    @property
    def label(self) -> Text:
        return _ACTION_LABELS[self]

    @property
    def needs_reason(self) -> bool:
        return self in (Action.REFUSE, Action.REQUEST_PAPERS, Action.REJECT)


_ACTION_LABELS = {
    Action.ACCEPT: Text(vi="tiếp nhận", en="accept"),
    Action.REFUSE: Text(vi="từ chối tiếp nhận", en="refuse"),
    Action.REQUEST_PAPERS: Text(vi="yêu cầu bổ sung giấy tờ", en="ask for more papers"),
    Action.APPROVE: Text(vi="phê duyệt", en="approve"),
    Action.REJECT: Text(vi="dừng xử lý", en="stop processing"),
    Action.RETURN_RESULT: Text(vi="trả kết quả", en="return the result"),
    Action.SUPPLEMENT: Text(vi="bổ sung hồ sơ", en="add papers"),
    Action.WITHDRAW: Text(vi="rút hồ sơ", en="withdraw"),
    Action.FORWARD: Text(vi="chuyển xử lý", en="forward"),
    Action.EXPIRE: Text(vi="dừng do quá hạn bổ sung", en="stop: the papers never came"),
    Action.RESTART_FLOW: Text(vi="khởi động lại quy trình liên thông", en="start the flow again"),
    Action.APOLOGISE: Text(
        vi="xin lỗi và hẹn lại ngày trả kết quả", en="apology and a new date for the result"
    ),
    Action.REQUEST_FEES: Text(vi="yêu cầu thực hiện nghĩa vụ tài chính", en="ask for a financial obligation"),
    Action.FEES_PAID: Text(vi="đã thực hiện nghĩa vụ tài chính", en="financial obligation paid"),
    Action.CANCEL_FEES: Text(vi="hủy yêu cầu nghĩa vụ tài chính", en="cancel the financial obligation"),
}

OFFICER_ACTIONS = frozenset(
    {Action.ACCEPT, Action.REFUSE, Action.REQUEST_PAPERS, Action.APPROVE, Action.REJECT, Action.RETURN_RESULT}
)
CITIZEN_ACTIONS = frozenset({Action.SUPPLEMENT, Action.WITHDRAW})
ALL_ACTIONS = frozenset(Action)

_PATHS: dict[Action, dict[Status, tuple[Status, ...]]] = {
    Action.ACCEPT: {S.SUBMITTED: (S.ACCEPTED, S.IN_PROCESS)},
    Action.REFUSE: {S.SUBMITTED: (S.REFUSED,)},
    Action.REQUEST_PAPERS: {S.SUBMITTED: (S.MORE_PAPERS,), S.IN_PROCESS: (S.MORE_PAPERS,)},
    Action.APPROVE: {S.IN_PROCESS: (S.PROCESSED,)},
    Action.REJECT: {S.IN_PROCESS: (S.STOPPED,)},
    Action.RETURN_RESULT: {S.PROCESSED: (S.RETURNED,)},
    Action.EXPIRE: {S.MORE_PAPERS: (S.STOPPED,)},
    Action.REQUEST_FEES: {S.IN_PROCESS: (S.FEES_DUE,)},
    Action.FEES_PAID: {S.FEES_DUE: (S.IN_PROCESS,)},
    Action.CANCEL_FEES: {S.FEES_DUE: (S.IN_PROCESS,)},
    Action.WITHDRAW: {
        status: (S.WITHDRAWN,)
        for status in (S.SUBMITTED, S.ACCEPTED, S.IN_PROCESS, S.MORE_PAPERS, S.FEES_DUE)
    },
}


def targets(action: Action, current: Status) -> tuple[Status, ...]:
    """Where `action` leads from `current` (empty for a supplement: that depends on the dossier)."""
    return _PATHS.get(action, {}).get(current, ())


def allowed_actions(current: Status, actions: frozenset[Action] = OFFICER_ACTIONS) -> list[Action]:
    """The actions among `actions` that `current` allows, in a stable order."""
    allowed = [action for action in Action if action in actions and current in _PATHS.get(action, {})]
    if Action.SUPPLEMENT in actions and current is S.MORE_PAPERS:
        allowed.append(Action.SUPPLEMENT)
    return allowed


def plan(
    action: Action,
    current: Status,
    *,
    resume_to: Status | None = None,
    actions: frozenset[Action] = ALL_ACTIONS,
) -> tuple[Status, ...]:
    """The statuses `action` walks through from `current`; InvalidTransition if it may not."""
    if action is Action.SUPPLEMENT and current is S.MORE_PAPERS and resume_to is not None:
        path: tuple[Status, ...] = (resume_to,)
    else:
        path = _PATHS.get(action, {}).get(current, ())
    if not path or action not in actions:
        raise InvalidTransition(current, action, allowed_actions(current, actions))
    previous = current
    for status in path:
        if status not in TRANSITIONS[previous]:
            raise InvalidTransition(current, action, allowed_actions(current, actions))
        previous = status
    return path


# What an agency may do with its step of a flow (no status change but reject / papers).
STEP_ACTIONS = frozenset({Action.APPROVE, Action.REJECT, Action.REQUEST_PAPERS, Action.FORWARD})


def task_actions(*, step: bool, open_: bool, dossier_status: Status, attention: bool) -> list[Action]:
    """What the holder of a task may do with it now."""
    if not open_:
        return []
    if step:
        return [a for a in Action if a in STEP_ACTIONS]
    restart = [Action.RESTART_FLOW] if attention else []
    return [*allowed_actions(dossier_status), Action.FORWARD, *restart]
