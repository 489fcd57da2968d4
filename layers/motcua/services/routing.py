"""Routing (điều phối): turns what the flows' state machines say into agencies' tasks and dossier changes.

Every message may come more than once (SQS delivers at least once) and in any order with the
officers' decisions: each handler looks at the dossier as it is and does only what is still to do.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict

from motcua import workflow as asl
from motcua.domain.calendar import end_of_day
from motcua.domain.errors import Conflict
from motcua.domain.models import (
    Change,
    Dossier,
    DossierRecord,
    PrincipalKind,
    Task,
    TaskKind,
    TaskState,
    TimelineEvent,
)
from motcua.domain.roles import Role
from motcua.domain.status import Action, Status, plan
from motcua.observability import count, logger
from motcua.services.auditing import record as record_change

if TYPE_CHECKING:
    from datetime import datetime

    from motcua.config.province import Province
    from motcua.domain.ports import Clock, DossierRepository, Workflow

Kind = Literal[
    "step",
    "step_overdue",
    "await_citizen",
    "flow_done",
    "flow_rejected",
    "flow_stalled",
    "flow_abandoned",
    "flow_failed",
]


class FlowMessage(BaseModel):
    """A message from a flow's state machine on the routing queue."""

    model_config = ConfigDict(extra="ignore")

    kind: Kind
    dossier_code: str
    execution: str | None = None
    stage: int | None = None
    step: int | None = None
    token: str | None = None
    failure: dict[str, Any] | None = None

    @property
    def cause(self) -> str | None:
        return str(self.failure.get("Cause")) if self.failure and self.failure.get("Cause") else None


def step_task_id(dossier_code: str, stage: int, step: int) -> str:
    return f"{dossier_code}-T{stage}.{step}"


class MissingDossier(Exception):  # noqa: N818 — the message goes back to the queue and, in the end, the DLQ
    """A message names a dossier that is not there (yet)."""


class RoutingService:
    def __init__(
        self, *, province: Province, repository: DossierRepository, workflow: Workflow, clock: Clock
    ) -> None:
        self.province = province
        self.repository = repository
        self.workflow = workflow
        self.clock = clock

    def handle(self, message: FlowMessage) -> None:
        record = self.repository.get(message.dossier_code)
        if record is None:
            raise MissingDossier(message.dossier_code)
        handler = getattr(self, f"_{message.kind}")
        for attempt in range(3):
            try:
                handler(record, message)
                count("FlowMessage", kind=message.kind)
                return
            except Conflict:
                # A decision changed the dossier meanwhile: read it again and redo what is left.
                if attempt == 2:
                    raise
                record = self.repository.get(message.dossier_code) or record

    def restart(self, code: str) -> bool:
        """Start the dossier's flow again where it stood: decided steps are skipped, open ones wait again.

        For a flow that stalled, or whose execution was lost (a local stack restarted); False when
        the dossier has no flow in progress.
        """
        record = self.repository.get(code)
        if record is None or not record.dossier.flow:
            return False
        dossier = record.dossier
        if dossier.status not in (Status.IN_PROCESS, Status.MORE_PAPERS):
            return False
        completed = tuple(
            (t.stage, t.step)
            for t in record.tasks
            if t.kind is TaskKind.STEP
            and t.state is TaskState.CLOSED
            and t.stage is not None
            and t.step is not None
        )
        attempt = dossier.flow_attempt + 1
        # Open steps wait for the new attempt's token: the old one answers nothing any more.
        tasks = tuple(
            t.model_copy(update={"token": None, "state": TaskState.WAITING})
            if t.kind is TaskKind.STEP
            else t.model_copy(update={"attention": None})
            for t in record.tasks
            if t.attention or (t.kind is TaskKind.STEP and t.state is not TaskState.CLOSED)
        )
        restarted = dossier.model_copy(update={"flow_attempt": attempt, "resume_token": None})
        self._apply(dossier, restarted, tasks, (), action="flow_restarted")
        self.workflow.start(dossier.procedure_code, code, completed=completed, attempt=attempt)
        return True

    # --- a step starts, or waits again ---------------------------------------------------------

    def _step(self, record: DossierRecord, message: FlowMessage) -> None:
        dossier, token = record.dossier, message.token
        assert message.stage is not None and message.step is not None and token is not None
        if dossier.status.terminal:
            # Rejected or withdrawn while the message travelled: end the flow.
            self.workflow.fail(token, asl.REJECTED, "the dossier is closed")
            return
        procedure = self.province.procedures_by_code[dossier.procedure_code]
        assert procedure.flow is not None
        step = procedure.flow.step(message.stage, message.step)
        task_id = step_task_id(dossier.code, message.stage, message.step)
        existing = record.task(task_id)
        now = self.clock.now()
        if existing is not None:
            if existing.state is TaskState.CLOSED or existing.token == token:
                return  # decided already, or the same message again
            if dossier.status is Status.MORE_PAPERS and existing.state is TaskState.WAITING:
                # A restarted flow reached the step that asked for papers: wait for the citizen again.
                self.workflow.succeed(token, {"outcome": "papers"})
                return
            resumed = dossier.status is Status.IN_PROCESS
            task = existing.model_copy(
                update={"token": token, "state": TaskState.OPEN if resumed else existing.state}
            )
            self._apply(dossier, dossier, (task,), (), action="step_resumed")
            return
        calendar = self.province.working_calendar
        due = end_of_day(calendar.add_working_days(calendar.effective_receipt_day(now), step.days))
        task = Task(
            task_id=task_id,
            dossier_code=dossier.code,
            agency=step.agency,
            role=step.role,
            kind=TaskKind.STEP,
            state=TaskState.OPEN if dossier.status is Status.IN_PROCESS else TaskState.WAITING,
            created_at=now,
            due_at=due,
            procedure_code=dossier.procedure_code,
            procedure_name=dossier.procedure_name,
            applicant_name=dossier.applicant.full_name,
            dossier_status=dossier.status,
            stage=message.stage,
            step=message.step,
            days=step.days,
            name=step.name,
            token=token,
        )
        agencies = dossier.agencies if step.agency in dossier.agencies else (*dossier.agencies, step.agency)
        event = TimelineEvent(
            at=now,
            action=None,
            status=dossier.status,
            agency=step.agency,
            actor_role=PrincipalKind.SYSTEM,
            due_at=due,
        )
        self._apply(
            dossier,
            dossier.model_copy(update={"agencies": agencies}),
            (task,),
            (event,),
            action="step_started",
        )

    def _step_overdue(self, record: DossierRecord, message: FlowMessage) -> None:
        assert message.stage is not None and message.step is not None
        task = record.task(step_task_id(record.dossier.code, message.stage, message.step))
        if task is None or task.state is TaskState.CLOSED or task.escalated_at is not None:
            return
        logger.warning("step overdue, escalated", extra={"task_id": task.task_id})
        escalated = task.model_copy(update={"escalated_at": self.clock.now()})
        self._apply(record.dossier, record.dossier, (escalated,), (), action="step_overdue")

    # --- the citizen's papers -----------------------------------------------------------------

    def _await_citizen(self, record: DossierRecord, message: FlowMessage) -> None:
        dossier, token = record.dossier, message.token
        assert token is not None
        if dossier.status is Status.MORE_PAPERS:
            if dossier.resume_token != token:
                self._apply(
                    dossier,
                    dossier.model_copy(update={"resume_token": token}),
                    (),
                    (),
                    action="await_citizen",
                )
            return
        # The citizen answered before this message arrived (or the dossier ended): go on at once.
        self.workflow.succeed(token, {"resumed": True})

    # --- the flow ends --------------------------------------------------------------------------

    def _flow_done(self, record: DossierRecord, message: FlowMessage) -> None:
        dossier = record.dossier
        if dossier.status is not Status.IN_PROCESS:
            return
        path = plan(Action.APPROVE, dossier.status)
        done = dossier.model_copy(update={"status": path[-1]})
        tasks = tuple(
            task.model_copy(
                update={"state": TaskState.OPEN, "dossier_status": done.status, "role": Role.RECEIVER}
            )
            for task in record.tasks
            if task.kind is TaskKind.RECEPTION
        )
        self._apply(dossier, done, tasks, self._events(done, path, Action.APPROVE, None), action="flow_done")

    def _flow_rejected(self, record: DossierRecord, message: FlowMessage) -> None:
        dossier = record.dossier
        if dossier.status is not Status.IN_PROCESS:
            return  # the rejecting decision has stopped it already
        self._stop(record, Action.REJECT, message.cause)

    def _flow_abandoned(self, record: DossierRecord, message: FlowMessage) -> None:
        if record.dossier.status is Status.MORE_PAPERS:
            self._stop(record, Action.EXPIRE, message.cause)

    def _flow_stalled(self, record: DossierRecord, message: FlowMessage) -> None:
        self._needs_attention(record, message.kind)

    def _flow_failed(self, record: DossierRecord, message: FlowMessage) -> None:
        self._needs_attention(record, message.kind)

    def _stop(self, record: DossierRecord, action: Action, reason: str | None) -> None:
        dossier, now = record.dossier, self.clock.now()
        path = plan(action, dossier.status)
        stopped = dossier.model_copy(update={"status": path[-1], "reason": reason or dossier.reason})
        tasks = tuple(
            close(task, stopped, now) for task in record.tasks if task.state is not TaskState.CLOSED
        )
        self._apply(
            dossier,
            stopped,
            tasks,
            self._events(stopped, path, action, reason),
            action=action.value,
            reason=reason,
        )

    def _needs_attention(self, record: DossierRecord, why: str) -> None:
        """The flow ended without an answer: the receiving agency gets the dossier back in its inbox."""
        dossier = record.dossier
        desk = tuple(
            task.model_copy(update={"state": TaskState.OPEN, "attention": why})
            for task in record.tasks
            if task.kind is TaskKind.RECEPTION and task.attention != why
        )
        # The flow no longer waits for its open steps: they leave the inboxes until it starts again.
        steps = tuple(
            task.model_copy(update={"state": TaskState.WAITING, "token": None})
            for task in record.tasks
            if task.kind is TaskKind.STEP and task.state is TaskState.OPEN
        )
        tasks = desk + steps if desk else ()
        if tasks:
            logger.error("flow ended without an answer", extra={"dossier": dossier.code, "why": why})
            self._apply(dossier, dossier, tasks, (), action=why)

    # --- writing --------------------------------------------------------------------------------

    def _events(
        self, dossier: Dossier, path: tuple[Status, ...], action: Action, reason: str | None
    ) -> tuple[TimelineEvent, ...]:
        now = self.clock.now()
        return tuple(
            TimelineEvent(
                at=now,
                action=action,
                status=status,
                agency=dossier.agency,
                actor_role=PrincipalKind.SYSTEM,
                reason=reason if status is path[-1] else None,
            )
            for status in path
        )

    def _apply(
        self,
        before: Dossier,
        after: Dossier,
        tasks: tuple[Task, ...],
        events: tuple[TimelineEvent, ...],
        *,
        action: str,
        reason: str | None = None,
    ) -> None:
        after = after.model_copy(update={"version": before.version + 1})
        tasks = tuple(task.model_copy(update={"dossier_status": after.status}) for task in tasks)
        draft = record_change(
            None,
            action,
            before=before.status,
            after=after,
            at=self.clock.now(),
            task_id=tasks[0].task_id if len(tasks) == 1 else None,
            agency=tasks[0].agency if len(tasks) == 1 else before.agency,
            reason=reason,
        )
        self.repository.apply(
            Change(dossier=after, expected_version=before.version, tasks=tasks, events=events, audit=draft)
        )


def close(task: Task, dossier: Dossier, now: datetime) -> Task:
    """A task closed because the dossier ended: judged against its own due date."""
    from motcua.domain.calendar import WorkingCalendar

    return task.model_copy(
        update={
            "state": TaskState.CLOSED,
            "closed_at": now,
            "dossier_status": dossier.status,
            "timeliness": WorkingCalendar.timeliness(now, task.due_at),
            "token": None,
        }
    )
