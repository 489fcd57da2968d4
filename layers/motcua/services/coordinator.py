"""The flow coordinator (điều phối liên thông): the one owner of an inter-agency flow's state.

It starts a dossier's flow, turns what the state machine says into step tasks and dossier changes,
takes each agency's decision on its step, stops a step while the citizen is asked for papers and
lets it go on when they come, ends the flow when the dossier ends, and starts it again where it
stood. Nothing else answers the state machine.

Every message may come more than once (SQS delivers at least once) and in any order with the
officers' decisions: each handler looks at the dossier as it is and does only what is still to do.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict

from motcua import asl
from motcua.domain.calendar import end_of_day
from motcua.domain.changes import Change, seal
from motcua.domain.errors import DossierChanged, InvalidTransition
from motcua.domain.models import (
    Decided,
    Dossier,
    DossierRecord,
    Principal,
    PrincipalKind,
    Task,
    TaskKind,
    TaskState,
    TimelineEvent,
)
from motcua.domain.receiving import hand_over, handed_over, receiving_agency
from motcua.domain.roles import Role
from motcua.domain.status import OFFICER_ACTIONS, STEP_ACTIONS, Action, Status, plan
from motcua.domain.tasks import close, step_task_id
from motcua.observability import count, logger
from motcua.services.auditing import officer_decision, timeline
from motcua.services.auditing import record as record_change

if TYPE_CHECKING:
    from collections.abc import Callable

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


class MissingDossier(Exception):  # noqa: N818 — the message goes back to the queue and, in the end, the DLQ
    """A message names a dossier that is not there (yet)."""


class FlowCoordinator:
    def __init__(
        self,
        *,
        province: Province,
        repository: DossierRepository,
        workflow: Callable[[], Workflow],
        clock: Clock,
    ) -> None:
        self.province = province
        self.repository = repository
        self._workflow = workflow  # built on first use: most requests never touch a flow
        self.clock = clock
        # What each of the state machine's messages does, by its kind.
        self._handlers: dict[str, Callable[[DossierRecord, FlowMessage], None]] = {
            asl.STEP: self._step_started,
            asl.STEP_OVERDUE: self._step_overdue,
            asl.AWAIT_CITIZEN: self._await_citizen,
            asl.FLOW_DONE: self._flow_done,
            asl.FLOW_REJECTED: self._flow_rejected,
            asl.FLOW_ABANDONED: self._flow_abandoned,
            asl.FLOW_STALLED: self._needs_attention,
            asl.FLOW_FAILED: self._needs_attention,
        }

    @property
    def workflow(self) -> Workflow:
        return self._workflow()

    # --- starting -------------------------------------------------------------------------------

    def start(self, dossier: Dossier) -> None:
        """The receiving desk accepted a dossier whose procedure has a flow: the other agencies act now."""
        self.workflow.start(dossier.procedure_code, dossier.code)

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

    # --- the state machine's messages -----------------------------------------------------------

    def handle(self, message: FlowMessage) -> None:
        record = self.repository.get(message.dossier_code)
        if record is None:
            raise MissingDossier(message.dossier_code)
        handler = self._handlers[message.kind]
        for attempt in range(3):
            try:
                handler(record, message)
                count("FlowMessage", kind=message.kind)
                return
            except DossierChanged:
                # A decision changed the dossier meanwhile: read it again and redo what is left.
                if attempt == 2:
                    raise
                record = self.repository.get(message.dossier_code) or record

    def _step_started(self, record: DossierRecord, message: FlowMessage) -> None:
        """A step starts (a new task in the agency's inbox), or waits again with a new token."""
        dossier, token = record.dossier, message.token
        assert message.stage is not None and message.step is not None and token is not None
        if dossier.status.terminal:
            # Rejected or withdrawn while the message travelled: end the flow.
            self.workflow.fail(token, asl.REJECTED, "the dossier is closed")
            return
        task_id = step_task_id(dossier.code, message.stage, message.step)
        existing = record.task(task_id)
        if existing is not None:
            self._step_again(record, existing, token)
            return
        procedure = self.province.procedures_by_code[dossier.procedure_code]
        assert procedure.flow is not None
        step = procedure.flow.step(message.stage, message.step)
        now = self.clock.now()
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

    def _step_again(self, record: DossierRecord, existing: Task, token: str) -> None:
        """The step has a task already: the same message again, or the flow asking it once more."""
        dossier = record.dossier
        if existing.token == token:
            return  # the same message again
        if existing.state is TaskState.CLOSED:
            if existing.decided is not None:
                # Decided on a token that had timed out (TaskTimedOut): the flow escalated the step
                # and waits on this new token; it hears the decision now instead of stalling.
                self.answer(
                    existing.model_copy(update={"token": token}),
                    Action(existing.decided.action),
                    existing.decided.reason,
                )
            return
        if dossier.status is Status.MORE_PAPERS and existing.state is TaskState.WAITING:
            # A restarted flow reached the step that asked for papers: wait for the citizen again.
            self.workflow.succeed(token, {"outcome": "papers"})
            return
        resumed = dossier.status is Status.IN_PROCESS
        task = existing.model_copy(
            update={"token": token, "state": TaskState.OPEN if resumed else existing.state}
        )
        self._apply(dossier, dossier, (task,), (), action="step_resumed")

    def _step_overdue(self, record: DossierRecord, message: FlowMessage) -> None:
        assert message.stage is not None and message.step is not None
        task = record.task(step_task_id(record.dossier.code, message.stage, message.step))
        if task is None or task.state is TaskState.CLOSED or task.escalated_at is not None:
            return
        logger.warning("step overdue, escalated", extra={"task_id": task.task_id})
        escalated = task.model_copy(update={"escalated_at": self.clock.now()})
        self._apply(record.dossier, record.dossier, (escalated,), (), action="step_overdue")

    def _await_citizen(self, record: DossierRecord, message: FlowMessage) -> None:
        """The flow waits for the citizen's papers with this token (kept on the dossier)."""
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

    def _flow_done(self, record: DossierRecord, message: FlowMessage) -> None:
        """Every agency approved: the dossier is processed and goes back to the desk to be returned."""
        dossier = record.dossier
        if dossier.status is not Status.IN_PROCESS:
            return
        path = plan(Action.APPROVE, dossier.status)
        done = dossier.model_copy(update={"status": path[-1]})
        # Back to the desk that received it, the receiving agency's or another's (receiving anywhere).
        desk = receiving_agency(self.province, dossier)
        tasks = tuple(
            task.model_copy(update={"state": TaskState.OPEN, "role": Role.RECEIVER, "agency": desk})
            for task in record.tasks
            if task.kind is TaskKind.RECEPTION
        )
        now = self.clock.now()
        events = timeline(path, Action.APPROVE, dossier.agency, PrincipalKind.SYSTEM, None, now)
        if handed_over(dossier):
            events = (*events, hand_over(done, desk, PrincipalKind.SYSTEM, now))
        self._apply(dossier, done, tasks, events, action="flow_done")

    def _flow_rejected(self, record: DossierRecord, message: FlowMessage) -> None:
        if record.dossier.status is Status.IN_PROCESS:  # else the rejecting decision has stopped it already
            self._stop(record, Action.REJECT, _rejection_reason(record) or message.cause)

    def _flow_abandoned(self, record: DossierRecord, message: FlowMessage) -> None:
        """The papers asked for never came."""
        if record.dossier.status is Status.MORE_PAPERS:
            self._stop(record, Action.EXPIRE, message.cause)

    def _needs_attention(self, record: DossierRecord, message: FlowMessage) -> None:
        """The flow ended without an answer: the receiving agency gets the dossier back in its inbox."""
        dossier, why = record.dossier, message.kind
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
        if desk:
            logger.error("flow ended without an answer", extra={"dossier": dossier.code, "why": why})
            self._apply(dossier, dossier, desk + steps, (), action=why)

    def _stop(self, record: DossierRecord, action: Action, reason: str | None) -> None:
        dossier, now = record.dossier, self.clock.now()
        path = plan(action, dossier.status)
        stopped = dossier.model_copy(update={"status": path[-1], "reason": reason or dossier.reason})
        tasks = tuple(
            close(task, stopped, now) for task in record.tasks if task.state is not TaskState.CLOSED
        )
        events = timeline(path, action, dossier.agency, PrincipalKind.SYSTEM, reason, now)
        self._apply(dossier, stopped, tasks, events, action=action.value, reason=reason)

    # --- the agencies' decisions on their steps -------------------------------------------------

    def decide(
        self, principal: Principal, task: Task, record: DossierRecord, action: Action, decided: Decided
    ) -> Change:
        """An agency's decision on its step: written first, then the state machine hears of it."""
        change = self._step_change(principal, task, record, action, decided)
        self.repository.apply(change)
        new_task = next(t for t in change.tasks if t.task_id == task.task_id)
        self.answer(new_task, action, decided.reason)
        return change

    def _step_change(
        self, principal: Principal, task: Task, record: DossierRecord, action: Action, decided: Decided
    ) -> Change:
        dossier, now = record.dossier, decided.at
        if action not in STEP_ACTIONS:
            raise InvalidTransition(dossier.status, action, [a for a in Action if a in STEP_ACTIONS])
        update: dict[str, object] = {}
        if action is Action.APPROVE:
            path: tuple[Status, ...] = (dossier.status,)
            tasks: tuple[Task, ...] = (close(task, dossier, now),)
        elif action is Action.REJECT:
            path = plan(Action.REJECT, dossier.status, actions=OFFICER_ACTIONS)
            update |= {"status": path[-1], "reason": decided.reason}
            stopped = dossier.model_copy(update=update)
            tasks = tuple(close(t, stopped, now) for t in record.tasks if t.state is not TaskState.CLOSED)
        else:  # papers: the dossier's clock and this step's stop until the citizen answers
            path = plan(Action.REQUEST_PAPERS, dossier.status, actions=OFFICER_ACTIONS)
            update |= {
                "status": path[-1],
                "reason": decided.reason,
                "resume_to": dossier.status,
                "paused_at": now,
            }
            tasks = (task.model_copy(update={"state": TaskState.WAITING}),)
        # The decided task keeps its token until the flow has its answer, so a retry can send it again.
        tasks = tuple(
            t.model_copy(update={"decided": decided, "token": task.token}) if t.task_id == task.task_id else t
            for t in tasks
        )
        after = dossier.model_copy(update=update)
        return officer_decision(
            principal, task, dossier, after, tasks=tasks, path=path, action=action, decided=decided
        )

    def answer(self, task: Task, action: Action, reason: str | None) -> None:
        """Tell the state machine what came of a step (again, when a retry finds it decided)."""
        if task.kind is not TaskKind.STEP or task.token is None:
            return
        if action is Action.APPROVE:
            answered = self.workflow.succeed(task.token, {"outcome": "approved"})
        elif action is Action.REQUEST_PAPERS:
            answered = self.workflow.succeed(task.token, {"outcome": "papers"})
        elif action is Action.REJECT:
            # The officer's reason stays on the dossier: a state machine's history keeps no personal
            # data, and a reason may name the applicant. The cause says only which step rejected.
            answered = self.workflow.fail(task.token, asl.REJECTED, f"rejected at {task.task_id}")
        else:
            return
        if not answered:
            # Answered already, or the wait timed out: the step's next wait (escalated) gets the
            # decision when its message comes (_step_again); a flow that stalled keeps it as decided.
            logger.info("the flow no longer waits on this token", extra={"task_id": task.task_id})

    # --- what the citizen did -------------------------------------------------------------------

    def papers_added(self, before: Dossier) -> None:
        """The citizen added the papers a step asked for: that step goes on."""
        if before.resume_token:
            self.workflow.succeed(before.resume_token, {"resumed": True})

    def dossier_withdrawn(self, before: DossierRecord) -> None:
        """The citizen withdrew: every step still waited for hears that the dossier is gone."""
        waiting = [t.token for t in before.tasks if t.token and t.state is not TaskState.CLOSED]
        resume = [before.dossier.resume_token] if before.dossier.resume_token else []
        for token in [*waiting, *resume]:
            self.workflow.fail(token, asl.REJECTED, "withdrawn by the applicant")

    # --- writing --------------------------------------------------------------------------------

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
        """The platform's own change to the dossier, recorded as the system's."""
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
        self.repository.apply(seal(before, after, draft, tasks=tasks, events=events))


def _rejection_reason(record: DossierRecord) -> str | None:
    """The reason the officer gave when rejecting a step of the flow (the flow's own cause holds none)."""
    for task in record.tasks:
        if (
            task.kind is TaskKind.STEP
            and task.decided is not None
            and task.decided.action == Action.REJECT.value
        ):
            return task.decided.reason
    return None
