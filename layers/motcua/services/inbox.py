"""An agency's work: its inbox, a task with its dossier, and an officer's decision on a task.

A decision is checked here (who holds the task, whether it is still open, a reason where one is
needed, a repeat of the same decision) and handed to its owner: the desk for the receiving agency's
task, the flow coordinator for a step of a flow. Forwarding to a colleague is the same for both.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field

from motcua.domain.changes import Change, seal
from motcua.domain.codes import is_dossier_code
from motcua.domain.errors import Conflict, FieldError, Forbidden, InvalidInput, NotFound
from motcua.domain.i18n import Text
from motcua.domain.models import Decided, Dossier, DossierRecord, Page, Principal, Task, TaskKind, TaskState
from motcua.domain.permissions import WORK, RoleRequired, check_act, check_role, holders
from motcua.domain.status import Action
from motcua.domain.tasks import dossier_code_of_task
from motcua.observability import count
from motcua.services.auditing import record as record_change
from motcua.services.retry import on_fresh_read

if TYPE_CHECKING:
    from collections.abc import Callable

    from motcua.config.province import Province
    from motcua.domain.ports import Clock, DossierRepository, StaffDirectory, StaffMember
    from motcua.services.coordinator import FlowCoordinator
    from motcua.services.desk import DeskService
    from motcua.services.dossiers import DossierService

TASK = Text(vi="công việc", en="task")
AGENCY = Text(vi="cơ quan", en="agency")
INBOX = Text(vi="xem hộp công việc của cơ quan", en="read the agency's inbox")
OPEN_TASK = Text(vi="mở công việc", en="open a task")
ESCALATIONS = Text(vi="xem danh sách hồ sơ báo lãnh đạo", en="read the escalations")

DecisionAction = Literal[
    "accept", "refuse", "request_papers", "approve", "reject", "return_result", "forward", "restart_flow"
]


class Decision(BaseModel):
    """An officer's decision on a task."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    action: DecisionAction
    reason: str | None = Field(default=None, max_length=2000)
    to: str | None = Field(default=None, max_length=128, description="forward: the officer's username")


class InboxService:
    def __init__(
        self,
        *,
        province: Province,
        repository: DossierRepository,
        dossiers: DossierService,
        desk: DeskService,
        coordinator: FlowCoordinator,
        directory: Callable[[], StaffDirectory],
        clock: Clock,
    ) -> None:
        self.province = province
        self.repository = repository
        self.dossiers = dossiers
        self.desk = desk
        self.coordinator = coordinator
        self.directory = directory  # built on first use: only a forward asks it
        self.clock = clock

    def inbox(self, principal: Principal, agency: str, *, limit: int, token: str | None) -> Page[Task]:
        """The agency's open tasks, the soonest due first."""
        check_staff_of(self.province, principal, agency)
        check_role(principal, WORK, INBOX)
        return self.repository.inbox(agency, limit=limit, token=token)

    def open(self, principal: Principal, task_id: str) -> tuple[Task, DossierRecord]:
        """A task and its whole dossier, for the staff of the task's agency."""
        task, record = self._load(principal, task_id)
        self.dossiers.access.opened_task(principal, record.dossier.code, task_id)
        return task, record

    def decide(self, principal: Principal, task_id: str, decision: Decision) -> tuple[Task, Dossier]:
        """Decide on a task; the task and the dossier as they are after it."""
        return on_fresh_read(lambda: self._decide(principal, task_id, decision))

    def _decide(self, principal: Principal, task_id: str, decision: Decision) -> tuple[Task, Dossier]:
        task, record = self._load(principal, task_id)
        action = Action(decision.action)
        if _same_decision(task, decision, principal):
            # A double click or a retry: nothing changes; a lost answer to the flow is sent again.
            self.coordinator.answer(task, action, decision.reason)
            return task, record.dossier
        # The role, and whom the task was forwarded to, are checked in the service, not only at the edge.
        check_act(principal, task, action, record.dossier.status)
        if task.state is not TaskState.OPEN:
            raise Conflict(
                Text(
                    vi=f"Công việc {task_id} không còn mở ({task.state.value}).",
                    en=f"Task {task_id} is no longer open ({task.state.value}).",
                ),
                code="task_not_open",
            )
        if action.needs_reason and not decision.reason:
            raise _field("reason", "reason_required", Text(vi="Cần nêu lý do.", en="A reason is required."))
        if action is Action.RESTART_FLOW:
            self.desk.restart_flow(task, record)
            fresh = self.dossiers.load(record.dossier.code)
            return fresh.task(task.task_id) or task, fresh.dossier
        decided = Decided(
            action=action.value,
            reason=decision.reason,
            by=principal.username,
            by_name=principal.name,
            at=self.clock.now(),
        )
        if action is Action.FORWARD:
            change = self._forward(principal, task, record, decision, decided)
            self.repository.apply(change)
        elif task.kind is TaskKind.STEP:
            change = self.coordinator.decide(principal, task, record, action, decided)
        else:
            change = self.desk.decide(principal, task, record, action, decided)
        count("Decision", action=action.value)
        return next(t for t in change.tasks if t.task_id == task.task_id), change.dossier

    def _forward(
        self, principal: Principal, task: Task, record: DossierRecord, decision: Decision, decided: Decided
    ) -> Change:
        """Hand the task to a colleague of the same agency; the dossier does not move."""
        colleague = self._colleague(principal, task, decision.to)
        roles = holders(task, record.dossier.status)
        if colleague.role not in roles:
            raise _field(
                "to",
                "forward_to_wrong_role",
                RoleRequired(roles, Text(vi="nhận công việc này", en="take this task")).message,
            )
        dossier = record.dossier
        forwarded = task.model_copy(
            update={"assignee": colleague.username, "assignee_name": colleague.name, "decided": decided}
        )
        to = f"{colleague.name} ({colleague.username})" if colleague.name else colleague.username
        audit = record_change(
            principal,
            Action.FORWARD.value,
            before=dossier.status,
            after=dossier,
            at=decided.at,
            task_id=task.task_id,
            reason=f"→ {to}" + (f": {decision.reason}" if decision.reason else ""),
        )
        return seal(dossier, dossier, audit, tasks=(forwarded,))

    def _colleague(self, principal: Principal, task: Task, username: str | None) -> StaffMember:
        """The active member of staff of the task's agency that `username` names, other than the caller.

        The staff directory, not the request, says who they are: anyone else (a citizen, another
        agency's officer, a disabled account, a made-up name) is refused alike, so that the answer
        tells nothing about who has an account where.
        """
        if not username:
            raise _field(
                "to", "forward_to_required", Text(vi="Cần chọn cán bộ nhận.", en="Name the officer.")
            )
        member = self.directory().member(username)
        if member is None or not member.enabled or member.role is None or member.agency != task.agency:
            raise _field(
                "to",
                "forward_to_not_colleague",
                Text(
                    vi=f"“{username}” không phải cán bộ đang làm việc tại cơ quan xử lý công việc này.",
                    en=f"“{username}” is not an active officer of the agency this task belongs to.",
                ),
            )
        if member.username == principal.username:
            raise _field(
                "to",
                "forward_to_self",
                Text(
                    vi="Không thể chuyển công việc cho chính mình; hãy chọn một cán bộ khác.",
                    en="You cannot forward a task to yourself; name another officer.",
                ),
            )
        return member

    def _load(self, principal: Principal, task_id: str) -> tuple[Task, DossierRecord]:
        code = dossier_code_of_task(task_id)
        record = self.repository.get(code) if "-T" in task_id and is_dossier_code(code) else None
        task = record.task(task_id) if record else None
        if record is None or task is None:
            raise NotFound(TASK, task_id, code="task_not_found")
        if not principal.is_staff or principal.agency != task.agency:
            raise Forbidden()
        check_role(principal, WORK, OPEN_TASK)
        return task, record


def check_staff_of(province: Province, principal: Principal, agency: str) -> None:
    """The agency exists and the caller is on its staff."""
    if agency not in province.agencies_by_code:
        raise NotFound(AGENCY, agency, code="agency_not_found")
    if not principal.is_staff or principal.agency != agency:
        raise Forbidden(
            Text(vi="Bạn không thuộc cơ quan này.", en="You are not on the staff of this agency.")
        )


def _same_decision(task: Task, decision: Decision, principal: Principal) -> bool:
    decided = task.decided
    return (
        decided is not None
        and decided.action == decision.action
        and decided.reason == decision.reason
        and decided.by == principal.username
        and (decision.action != Action.FORWARD.value or task.assignee == decision.to)
    )


def _field(name: str, code: str, message: Text) -> InvalidInput:
    return InvalidInput(message, fields=(FieldError(field=name, code=code, message=message),))
