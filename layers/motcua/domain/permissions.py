"""Who of an agency's staff may do what (phân quyền theo vai trò): one place for every role rule.

The receiving desk (bộ phận một cửa) receives, refuses, asks for papers at intake and returns the
result; processing officers (chuyên viên) decide; leaders (lãnh đạo) may do what either does, and alone
take a step whose role is `leader` and see the escalations; an administrator manages accounts only and
sees no dossier, task or personal data. docs/roles.md is the same table in words.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from motcua.domain.errors import Forbidden
from motcua.domain.i18n import Text
from motcua.domain.models import PrincipalKind, TaskKind, TaskState
from motcua.domain.roles import Role
from motcua.domain.status import Action, Status, task_actions

if TYPE_CHECKING:
    from collections.abc import Iterable

    from motcua.domain.models import Principal, Task

# The roles that do the work of dossiers; an administrator is not among them.
WORK = frozenset({Role.RECEIVER, Role.OFFICER, Role.LEADER})
DESK = frozenset({Role.RECEIVER, Role.LEADER})
PROCESSING = frozenset({Role.OFFICER, Role.LEADER})
LEADERS = frozenset({Role.LEADER})
# Who reads a dossier's audit trail: its supervisors, and the desk that owns the dossier (một cửa).
AUDIT = DESK

# The desk's own actions, whatever the dossier's status.
_DESK_ACTIONS = frozenset({Action.ACCEPT, Action.REFUSE, Action.RETURN_RESULT, Action.RESTART_FLOW})
# Deciding a dossier the receiving agency handles itself (no flow) is processing, not receiving.
_DECIDING_ACTIONS = frozenset({Action.APPROVE, Action.REJECT})
# While the dossier is new or its result is ready, the desk holds the receiving agency's task.
_AT_THE_DESK = frozenset({Status.SUBMITTED, Status.PROCESSED})

ROLE_NAMES = {
    Role.RECEIVER: Text(vi="cán bộ tiếp nhận (bộ phận một cửa)", en="receiving officer (one-stop desk)"),
    Role.OFFICER: Text(vi="chuyên viên xử lý", en="processing officer"),
    Role.LEADER: Text(vi="lãnh đạo", en="leader"),
    Role.ADMIN: Text(vi="quản trị viên", en="administrator"),
}


class RoleRequired(Forbidden):
    """Signed in as staff of the right agency, but in a role that may not do this (HTTP 403)."""

    code = "role_required"

    def __init__(self, roles: Iterable[Role], what: Text) -> None:
        self.roles = tuple(role for role in Role if role in set(roles))
        vi = " hoặc ".join(ROLE_NAMES[role].vi for role in self.roles)
        en = " or ".join(ROLE_NAMES[role].en for role in self.roles)
        super().__init__(
            Text(vi=f"Cần vai trò {vi} để {what.vi}.", en=f"{what.en.capitalize()} needs the role of {en}.")
        )


class NotAssignee(Forbidden):
    """A task forwarded to a colleague: only they, or a leader of the agency, may act on it."""

    code = "task_forwarded"

    def __init__(self, task: Task) -> None:
        to = task.assignee_name or task.assignee or ""
        super().__init__(
            Text(
                vi=f"Công việc đã được chuyển cho {to}; chỉ cán bộ đó hoặc lãnh đạo được xử lý.",
                en=f"This task was forwarded to {to}; only they or a leader may act on it.",
            )
        )


def holders(task: Task, status: Status) -> frozenset[Role]:
    """The roles that hold `task` now: who may decide it, and to whom it may be forwarded."""
    if task.kind is TaskKind.STEP:
        return frozenset({task.role}) | LEADERS
    return DESK if status in _AT_THE_DESK else PROCESSING


def roles_for(task: Task, action: Action, status: Status) -> frozenset[Role]:
    """The roles that may take `action` on `task` while its dossier is in `status`."""
    if task.kind is TaskKind.RECEPTION and action in _DESK_ACTIONS:
        return DESK
    if task.kind is TaskKind.RECEPTION and action in _DECIDING_ACTIONS:
        return PROCESSING
    return holders(task, status)


def may_act(principal: Principal, task: Task, action: Action, status: Status) -> bool:
    """Whether `principal` may take `action` on `task` (its agency, its role, whom it was forwarded to)."""
    return _refusal(principal, task, action, status) is None


def check_act(principal: Principal, task: Task, action: Action, status: Status) -> None:
    """Forbidden, saying which role is needed, unless `principal` may take `action` on `task`."""
    refusal = _refusal(principal, task, action, status)
    if refusal is not None:
        raise refusal


def _refusal(principal: Principal, task: Task, action: Action, status: Status) -> Forbidden | None:
    if not principal.is_staff or principal.agency != task.agency:
        return Forbidden()
    roles = roles_for(task, action, status)
    if principal.role not in roles:
        return RoleRequired(roles, Text(vi=f"“{action.label.vi}”", en=action.label.en))
    if task.assignee and task.assignee != principal.username and principal.role is not Role.LEADER:
        return NotAssignee(task)
    return None


def check_role(principal: Principal, roles: frozenset[Role], what: Text) -> None:
    """Forbidden, saying which role is needed, unless `principal` is staff in one of `roles`."""
    if not principal.is_staff or principal.role not in roles:
        raise RoleRequired(roles, what)


def may_read_dossiers(principal: Principal) -> bool:
    """Citizens (their own) and the working staff (their agencies'); never an administrator."""
    return principal.kind is PrincipalKind.CITIZEN or (principal.is_staff and principal.role in WORK)


def allowed_actions(principal: Principal, task: Task) -> list[str]:
    """The actions `principal` may take on `task` now, as the inbox and the task page offer them."""
    offered = task_actions(
        step=task.kind is TaskKind.STEP,
        open_=task.state is TaskState.OPEN,
        dossier_status=task.dossier_status,
        attention=bool(task.attention),
    )
    return [a.value for a in offered if may_act(principal, task, a, task.dossier_status)]
