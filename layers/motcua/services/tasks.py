"""Agency work: the inbox, a task's dossier, officers' decisions and the citizen's added papers."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field

from motcua.domain.calendar import WorkingCalendar
from motcua.domain.errors import Conflict, FieldError, Forbidden, InvalidInput, NotFound
from motcua.domain.i18n import Language, Text
from motcua.domain.models import (
    Change,
    Dossier,
    DossierRecord,
    Page,
    Principal,
    PrincipalKind,
    Task,
    TaskState,
    TimelineEvent,
)
from motcua.domain.status import CITIZEN_ACTIONS, OFFICER_ACTIONS, Action, allowed_actions, plan
from motcua.observability import count
from motcua.services.filing import dossier_code_of_task
from motcua.services.uploads import AttachmentRef
from motcua.services.views import DossierView, TaskView

if TYPE_CHECKING:
    from motcua.config.province import Province
    from motcua.domain.ports import Clock, DossierRepository
    from motcua.services.dossiers import DossierService
    from motcua.services.uploads import UploadService

TASK = Text(vi="công việc", en="task")
AGENCY = Text(vi="cơ quan", en="agency")

DecisionAction = Literal["accept", "refuse", "request_papers", "approve", "reject", "return_result"]


class Decision(BaseModel):
    """An officer's decision on a task."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    action: DecisionAction
    reason: str | None = Field(default=None, max_length=2000)


class DecisionResult(BaseModel):
    task: TaskView
    dossier_code: str
    status: int
    status_label: str
    due_at: datetime


class TaskDetail(BaseModel):
    task: TaskView
    dossier: DossierView


class Supplement(BaseModel):
    """Papers the citizen adds when asked (bổ sung hồ sơ)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    attachments: list[AttachmentRef] = Field(min_length=1, max_length=20)
    note: str | None = Field(default=None, max_length=2000)


class Withdrawal(BaseModel):
    """The citizen withdraws the dossier (rút hồ sơ)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    reason: str | None = Field(default=None, max_length=2000)


class TaskService:
    def __init__(
        self,
        *,
        province: Province,
        repository: DossierRepository,
        dossiers: DossierService,
        uploads: UploadService,
        clock: Clock,
    ) -> None:
        self.province = province
        self.repository = repository
        self.dossiers = dossiers
        self.uploads = uploads
        self.clock = clock

    def inbox(
        self, principal: Principal, agency: str, *, limit: int, token: str | None, language: Language
    ) -> Page[TaskView]:
        if agency not in self.province.agencies_by_code:
            raise NotFound(AGENCY, agency, code="agency_not_found")
        if not principal.is_staff or principal.agency != agency:
            raise Forbidden(
                Text(vi="Bạn không thuộc cơ quan này.", en="You are not on the staff of this agency.")
            )
        page = self.repository.inbox(agency, limit=limit, token=token)
        render = self.dossiers.renderer
        return Page(
            items=[render.task(t, language, _allowed(t)) for t in page.items],
            next_token=page.next_token,
        )

    def open(self, principal: Principal, task_id: str, language: Language) -> TaskDetail:
        task, record = self._load(principal, task_id)
        return TaskDetail(
            task=self.dossiers.renderer.task(task, language, _allowed(task)),
            dossier=self.dossiers.view(record, language, staff=True),
        )

    def decide(
        self, principal: Principal, task_id: str, decision: Decision, language: Language
    ) -> DecisionResult:
        task, record = self._load(principal, task_id)
        dossier = record.dossier
        action = Action(decision.action)
        if task.state is not TaskState.OPEN:
            raise Conflict(
                Text(
                    vi=f"Công việc {task_id} không còn mở ({task.state.value}).",
                    en=f"Task {task_id} is no longer open ({task.state.value}).",
                ),
                code="task_not_open",
            )
        path = plan(action, dossier.status, actions=OFFICER_ACTIONS)
        if action.needs_reason and not decision.reason:
            message = Text(vi="Cần nêu lý do.", en="A reason is required.")
            raise InvalidInput(
                message, fields=(FieldError(field="reason", code="reason_required", message=message),)
            )

        now = self.clock.now()
        final = path[-1]
        changes: dict[str, object] = {"status": final, "version": dossier.version + 1}
        task_state = TaskState.OPEN
        if action.needs_reason:
            changes["reason"] = decision.reason
        if action is Action.REQUEST_PAPERS:
            changes |= {"resume_to": dossier.status, "paused_at": now}
            task_state = TaskState.WAITING
        elif final.terminal:
            task_state = TaskState.CLOSED
        new_dossier = dossier.model_copy(update=changes)
        new_task = _moved(task, new_dossier, task_state, now)
        events = tuple(
            TimelineEvent(
                at=now,
                action=action,
                status=status,
                agency=task.agency,
                actor_role=principal.role or PrincipalKind.STAFF,
                reason=decision.reason if status is final else None,
            )
            for status in path
        )
        self.repository.apply(
            Change(dossier=new_dossier, expected_version=dossier.version, tasks=(new_task,), events=events)
        )
        count("Decision", action=action.value)
        if new_task.timeliness is not None:
            count("DossierFinished", timeliness=new_task.timeliness.value)
        return DecisionResult(
            task=self.dossiers.renderer.task(new_task, language, _allowed(new_task)),
            dossier_code=dossier.code,
            status=int(final),
            status_label=final.label.in_(language),
            due_at=new_dossier.due_at,
        )

    def supplement(
        self, principal: Principal, code: str, supplement: Supplement, language: Language
    ) -> DossierView:
        record = self.dossiers.load_for(principal, code)
        dossier = record.dossier
        if principal.kind is not PrincipalKind.CITIZEN:
            raise Forbidden(
                Text(vi="Chỉ người nộp hồ sơ được bổ sung.", en="Only the applicant adds papers.")
            )
        plan(Action.SUPPLEMENT, dossier.status, resume_to=dossier.resume_to, actions=CITIZEN_ACTIONS)
        procedure = self.province.procedures_by_code[dossier.procedure_code]
        added, errors = self.uploads.check(
            dossier.owner, procedure, supplement.attachments, require_papers=False
        )
        known = {a.upload_id for a in dossier.attachments}
        errors += [
            FieldError(
                field=f"attachments[{i}].upload_id",
                code="duplicate_upload",
                message=Text(vi="Tệp này đã có trong hồ sơ.", en="This file is already in the dossier."),
            )
            for i, ref in enumerate(supplement.attachments)
            if ref.upload_id in known
        ]
        if errors:
            raise InvalidInput(
                Text(vi="Giấy tờ bổ sung chưa hợp lệ.", en="The added papers are not valid."),
                fields=tuple(errors),
            )
        now = self.clock.now()
        assert dossier.paused_at is not None and dossier.resume_to is not None  # status 5 sets both
        due_at, stood_still = self.province.working_calendar.resume(dossier.due_at, dossier.paused_at, now)
        resumed = dossier.model_copy(
            update={
                "status": dossier.resume_to,
                "resume_to": None,
                "paused_at": None,
                "due_at": due_at,
                "days_paused": dossier.days_paused + stood_still,
                "attachments": dossier.attachments + tuple(added),
                "version": dossier.version + 1,
            }
        )
        tasks = tuple(
            _moved(t, resumed, TaskState.OPEN, now, due_at=due_at)
            for t in record.tasks
            if t.state is TaskState.WAITING
        )
        event = TimelineEvent(
            at=now,
            action=Action.SUPPLEMENT,
            status=resumed.status,
            agency=dossier.agency,
            actor_role=PrincipalKind.CITIZEN,
            reason=supplement.note,
            due_at=due_at,
        )
        self.repository.apply(
            Change(dossier=resumed, expected_version=dossier.version, tasks=tasks, events=(event,))
        )
        return self.dossiers.get(principal, code, language)

    def withdraw(
        self, principal: Principal, code: str, withdrawal: Withdrawal, language: Language
    ) -> DossierView:
        record = self.dossiers.load_for(principal, code)
        dossier = record.dossier
        if principal.kind is not PrincipalKind.CITIZEN:
            raise Forbidden(
                Text(vi="Chỉ người nộp hồ sơ được rút hồ sơ.", en="Only the applicant withdraws.")
            )
        path = plan(Action.WITHDRAW, dossier.status, actions=CITIZEN_ACTIONS)
        now = self.clock.now()
        withdrawn = dossier.model_copy(
            update={"status": path[-1], "reason": withdrawal.reason, "version": dossier.version + 1}
        )
        tasks = tuple(
            _moved(t, withdrawn, TaskState.CLOSED, now)
            for t in record.tasks
            if t.state is not TaskState.CLOSED
        )
        event = TimelineEvent(
            at=now,
            action=Action.WITHDRAW,
            status=path[-1],
            agency=dossier.agency,
            actor_role=PrincipalKind.CITIZEN,
            reason=withdrawal.reason,
        )
        self.repository.apply(
            Change(dossier=withdrawn, expected_version=dossier.version, tasks=tasks, events=(event,))
        )
        return self.dossiers.get(principal, code, language)

    def _load(self, principal: Principal, task_id: str) -> tuple[Task, DossierRecord]:
        record = self.dossiers.load(dossier_code_of_task(task_id)) if "-T" in task_id else None
        task = record.task(task_id) if record else None
        if record is None or task is None:
            raise NotFound(TASK, task_id, code="task_not_found")
        if not principal.is_staff or principal.agency != task.agency:
            raise Forbidden()
        return task, record


def _allowed(task: Task) -> list[str]:
    if task.state is not TaskState.OPEN:
        return []
    return [a.value for a in allowed_actions(task.dossier_status)]


def _moved(
    task: Task, dossier: Dossier, state: TaskState, now: datetime, *, due_at: datetime | None = None
) -> Task:
    update: dict[str, object] = {"state": state, "dossier_status": dossier.status}
    if due_at is not None:
        update["due_at"] = due_at
    if state is TaskState.CLOSED:
        update["closed_at"] = now
        update["timeliness"] = WorkingCalendar.timeliness(now, dossier.due_at)
    return task.model_copy(update=update)
