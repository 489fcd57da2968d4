"""Agency work: the inbox, a task's dossier, officers' decisions and the citizen's added papers."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field

from motcua import workflow as asl
from motcua.domain.calendar import WorkingCalendar
from motcua.domain.errors import Conflict, FieldError, Forbidden, InvalidInput, InvalidTransition, NotFound
from motcua.domain.i18n import Language, Text
from motcua.domain.models import (
    Change,
    Decided,
    Dossier,
    DossierRecord,
    Page,
    Principal,
    PrincipalKind,
    Task,
    TaskKind,
    TaskState,
    TimelineEvent,
)
from motcua.domain.status import CITIZEN_ACTIONS, OFFICER_ACTIONS, STEP_ACTIONS, Action, Status, plan
from motcua.observability import count, logger
from motcua.services.auditing import record as record_change
from motcua.services.dossiers import allowed_for
from motcua.services.filing import dossier_code_of_task
from motcua.services.routing import close
from motcua.services.uploads import AttachmentRef
from motcua.services.views import DossierView, TaskView

if TYPE_CHECKING:
    from collections.abc import Callable

    from motcua.config.province import Province
    from motcua.domain.ports import Clock, DossierRepository, Workflow
    from motcua.services.dossiers import DossierService
    from motcua.services.uploads import UploadService

TASK = Text(vi="công việc", en="task")
AGENCY = Text(vi="cơ quan", en="agency")

DecisionAction = Literal[
    "accept", "refuse", "request_papers", "approve", "reject", "return_result", "forward", "restart_flow"
]


class Decision(BaseModel):
    """An officer's decision on a task."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    action: DecisionAction
    reason: str | None = Field(default=None, max_length=2000)
    to: str | None = Field(default=None, max_length=128, description="forward: the officer's username")


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
        workflow: Callable[[], Workflow],
        restart: Callable[[str], bool],
    ) -> None:
        self.province = province
        self.repository = repository
        self.dossiers = dossiers
        self.uploads = uploads
        self.clock = clock
        self._workflow = workflow  # built on first use: only flows need the Step Functions client
        self.restart = restart  # start a dossier's flow again where it stood

    @property
    def workflow(self) -> Workflow:
        return self._workflow()

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
            items=[render.task(t, language, allowed_for(t)) for t in page.items],
            next_token=page.next_token,
        )

    def open(self, principal: Principal, task_id: str, language: Language) -> TaskDetail:
        task, record = self._load(principal, task_id)
        return TaskDetail(
            task=self.dossiers.renderer.task(task, language, allowed_for(task)),
            dossier=self.dossiers.view(record, language, staff=True),
        )

    def decide(
        self, principal: Principal, task_id: str, decision: Decision, language: Language
    ) -> DecisionResult:
        task, record = self._load(principal, task_id)
        action = Action(decision.action)
        if _same_decision(task, decision, principal):
            # A double click or a retry: nothing changes; a lost answer to the flow is sent again.
            self._answer_flow(task, action, decision.reason)
            return self._result(task, record.dossier, language)
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
        now = self.clock.now()
        decided = Decided(
            action=action.value, reason=decision.reason, by=principal.username, by_name=principal.name, at=now
        )
        if action is Action.RESTART_FLOW:
            return self._restart_flow(task, record, language)
        if action is Action.FORWARD:
            change = self._forward(principal, task, record, decision, decided)
        elif task.kind is TaskKind.STEP:
            change = self._step_change(principal, task, record, action, decided)
        else:
            change = self._reception_change(principal, task, record, action, decided)
        self.repository.apply(change)
        new_task = next(t for t in change.tasks if t.task_id == task.task_id)
        count("Decision", action=action.value)
        if new_task.timeliness is not None and new_task.kind is TaskKind.RECEPTION:
            count("DossierFinished", timeliness=new_task.timeliness.value)
        if task.kind is TaskKind.STEP:
            self._answer_flow(new_task, action, decision.reason)
        elif action is Action.ACCEPT and change.dossier.flow:
            self.workflow.start(change.dossier.procedure_code, change.dossier.code)
        return self._result(new_task, change.dossier, language)

    def _reception_change(
        self, principal: Principal, task: Task, record: DossierRecord, action: Action, decided: Decided
    ) -> Change:
        dossier, now = record.dossier, decided.at
        path = plan(action, dossier.status, actions=OFFICER_ACTIONS)
        final = path[-1]
        procedure = self.province.procedures_by_code[dossier.procedure_code]
        changes: dict[str, object] = {"status": final, "version": dossier.version + 1}
        state = TaskState.OPEN
        if action.needs_reason:
            changes["reason"] = decided.reason
        if action is Action.REQUEST_PAPERS:
            changes |= {"resume_to": dossier.status, "paused_at": now}
            state = TaskState.WAITING
        elif final.terminal:
            state = TaskState.CLOSED
        elif action is Action.ACCEPT and procedure.flow is not None:
            # The other agencies act now; the receiving agency gets the dossier back at the end.
            changes |= {"flow": True, "agencies": _with(dossier.agencies, procedure.flow.agencies())}
            state = TaskState.WAITING
        new_dossier = dossier.model_copy(update=changes)
        new_task = _moved(task, new_dossier, state, now).model_copy(
            update={"decided": decided, "attention": None}
        )
        return _decision(principal, task, dossier, new_dossier, (new_task,), path, action, decided)

    def _step_change(
        self, principal: Principal, task: Task, record: DossierRecord, action: Action, decided: Decided
    ) -> Change:
        """An agency's decision on its step of the flow; the state machine hears of it afterwards."""
        dossier, now = record.dossier, decided.at
        if action not in STEP_ACTIONS:
            raise InvalidTransition(dossier.status, action, [a for a in Action if a in STEP_ACTIONS])
        update: dict[str, object] = {"version": dossier.version + 1}
        if action is Action.APPROVE:
            path: tuple[Status, ...] = (dossier.status,)
            new_task = close(task, dossier, now)
            tasks: tuple[Task, ...] = (new_task,)
        elif action is Action.REJECT:
            path = plan(Action.REJECT, dossier.status, actions=OFFICER_ACTIONS)
            update |= {"status": path[-1], "reason": decided.reason}
            stopped = dossier.model_copy(update=update)
            tasks = tuple(close(t, stopped, now) for t in record.tasks if t.state is not TaskState.CLOSED)
            new_task = next(t for t in tasks if t.task_id == task.task_id)
        else:  # papers: the dossier's clock and this step's stop until the citizen answers
            path = plan(Action.REQUEST_PAPERS, dossier.status, actions=OFFICER_ACTIONS)
            update |= {
                "status": path[-1],
                "reason": decided.reason,
                "resume_to": dossier.status,
                "paused_at": now,
            }
            new_task = task.model_copy(update={"state": TaskState.WAITING})
            tasks = (new_task,)
        new_dossier = dossier.model_copy(update=update)
        # The closed task keeps its token until the flow has its answer, so a retry can send it again.
        tasks = tuple(
            t.model_copy(
                update={"dossier_status": new_dossier.status}
                | ({"decided": decided, "token": task.token} if t.task_id == task.task_id else {})
            )
            for t in tasks
        )
        return _decision(principal, task, dossier, new_dossier, tasks, path, action, decided)

    def _forward(
        self, principal: Principal, task: Task, record: DossierRecord, decision: Decision, decided: Decided
    ) -> Change:
        if not decision.to:
            raise _field(
                "to", "forward_to_required", Text(vi="Cần chọn cán bộ nhận.", en="Name the officer.")
            )
        dossier = record.dossier
        forwarded = task.model_copy(update={"assignee": decision.to, "decided": decided})
        return Change(
            dossier=dossier.model_copy(update={"version": dossier.version + 1}),
            expected_version=dossier.version,
            tasks=(forwarded,),
            audit=record_change(
                principal,
                Action.FORWARD.value,
                before=dossier.status,
                after=dossier,
                at=decided.at,
                task_id=task.task_id,
                reason=f"→ {decision.to}" + (f": {decision.reason}" if decision.reason else ""),
            ),
        )

    def _restart_flow(self, task: Task, record: DossierRecord, language: Language) -> DecisionResult:
        """The desk starts a flow that stalled again; the steps already decided are not asked twice."""
        if task.kind is not TaskKind.RECEPTION or not task.attention:
            raise InvalidTransition(record.dossier.status, Action.RESTART_FLOW, [])
        self.restart(record.dossier.code)
        fresh = self.repository.get(record.dossier.code)
        assert fresh is not None
        return self._result(fresh.task(task.task_id) or task, fresh.dossier, language)

    def _answer_flow(self, task: Task, action: Action, reason: str | None) -> None:
        if task.kind is not TaskKind.STEP or task.token is None:
            return
        if action is Action.APPROVE:
            answered = self.workflow.succeed(task.token, {"outcome": "approved"})
        elif action is Action.REQUEST_PAPERS:
            answered = self.workflow.succeed(task.token, {"outcome": "papers"})
        elif action is Action.REJECT:
            answered = self.workflow.fail(task.token, asl.REJECTED, reason or "")
        else:
            return
        if not answered:
            logger.info("the flow had its answer already", extra={"task_id": task.task_id})

    def _result(self, task: Task, dossier: Dossier, language: Language) -> DecisionResult:
        return DecisionResult(
            task=self.dossiers.renderer.task(task, language, allowed_for(task)),
            dossier_code=dossier.code,
            status=int(dossier.status),
            status_label=dossier.status.label.in_(language),
            due_at=dossier.due_at,
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
        self.uploads.keep(added)
        now = self.clock.now()
        assert dossier.paused_at is not None and dossier.resume_to is not None  # status 5 sets both
        calendar = self.province.working_calendar
        due_at, stood_still = self.province.working_calendar.resume(dossier.due_at, dossier.paused_at, now)
        resumed = dossier.model_copy(
            update={
                "status": dossier.resume_to,
                "resume_to": None,
                "paused_at": None,
                "resume_token": None,
                "due_at": due_at,
                # A date promised after an apology moves by the same working days.
                "appointment_at": calendar.shift(dossier.appointment_at, stood_still)
                if dossier.appointment_at
                else None,
                "days_paused": dossier.days_paused + stood_still,
                "attachments": dossier.attachments + tuple(added),
                "version": dossier.version + 1,
            }
        )
        tasks = tuple(
            # A flow's tasks wait on: the step opens again when the flow hands it a new token.
            _moved(t, resumed, TaskState.WAITING, now, due_at=calendar.shift(t.due_at, stood_still))
            if dossier.flow
            else _moved(t, resumed, TaskState.OPEN, now, due_at=due_at)
            for t in record.tasks
            if t.state is TaskState.WAITING
        )
        self.repository.apply(
            _citizen_change(
                principal, dossier, resumed, tasks, Action.SUPPLEMENT, supplement.note, now, due_at=due_at
            )
        )
        if dossier.resume_token:
            self.workflow.succeed(dossier.resume_token, {"resumed": True})
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
            update={
                "status": path[-1],
                "reason": withdrawal.reason,
                "resume_token": None,
                "version": dossier.version + 1,
            }
        )
        tasks = tuple(close(t, withdrawn, now) for t in record.tasks if t.state is not TaskState.CLOSED)
        self.repository.apply(
            _citizen_change(principal, dossier, withdrawn, tasks, Action.WITHDRAW, withdrawal.reason, now)
        )
        # End the flow, if one runs: every step still waited for hears that the dossier is gone.
        waiting = [t.token for t in record.tasks if t.token and t.state is not TaskState.CLOSED]
        for token in [*waiting, *([dossier.resume_token] if dossier.resume_token else [])]:
            self.workflow.fail(token, asl.REJECTED, "withdrawn by the applicant")
        return self.dossiers.get(principal, code, language)

    def _load(self, principal: Principal, task_id: str) -> tuple[Task, DossierRecord]:
        record = self.dossiers.load(dossier_code_of_task(task_id)) if "-T" in task_id else None
        task = record.task(task_id) if record else None
        if record is None or task is None:
            raise NotFound(TASK, task_id, code="task_not_found")
        if not principal.is_staff or principal.agency != task.agency:
            raise Forbidden()
        return task, record


def _same_decision(task: Task, decision: Decision, principal: Principal) -> bool:
    decided = task.decided
    return (
        decided is not None
        and decided.action == decision.action
        and decided.reason == decision.reason
        and decided.by == principal.username
        and (decision.action != Action.FORWARD.value or task.assignee == decision.to)
    )


def _decision(
    principal: Principal,
    task: Task,
    before: Dossier,
    after: Dossier,
    tasks: tuple[Task, ...],
    path: tuple[Status, ...],
    action: Action,
    decided: Decided,
) -> Change:
    """What an officer's decision writes: the dossier, the tasks, the timeline and the audit entry."""
    return Change(
        dossier=after,
        expected_version=before.version,
        tasks=tasks,
        events=_events(path, action, task.agency, principal, decided.reason, decided.at),
        audit=record_change(
            principal,
            action.value,
            before=before.status,
            after=after,
            at=decided.at,
            task_id=task.task_id,
            reason=decided.reason,
        ),
    )


def _citizen_change(
    principal: Principal,
    before: Dossier,
    after: Dossier,
    tasks: tuple[Task, ...],
    action: Action,
    reason: str | None,
    now: datetime,
    *,
    due_at: datetime | None = None,
) -> Change:
    """What the citizen's own action writes: the dossier, its tasks, one timeline event, the audit."""
    event = TimelineEvent(
        at=now,
        action=action,
        status=after.status,
        agency=before.agency,
        actor_role=PrincipalKind.CITIZEN,
        reason=reason,
        due_at=due_at,
    )
    return Change(
        dossier=after,
        expected_version=before.version,
        tasks=tasks,
        events=(event,),
        audit=record_change(
            principal,
            action.value,
            before=before.status,
            after=after,
            at=now,
            agency=before.agency,
            reason=reason,
        ),
    )


def _with(agencies: tuple[str, ...], more: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys((*agencies, *more)))


def _field(name: str, code: str, message: Text) -> InvalidInput:
    return InvalidInput(message, fields=(FieldError(field=name, code=code, message=message),))


def _events(
    path: tuple[Status, ...],
    action: Action,
    agency: str,
    principal: Principal,
    reason: str | None,
    now: datetime,
) -> tuple[TimelineEvent, ...]:
    return tuple(
        TimelineEvent(
            at=now,
            action=action,
            status=status,
            agency=agency,
            actor_role=principal.role or PrincipalKind.STAFF,
            reason=reason if status is path[-1] else None,
        )
        for status in path
    )


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
