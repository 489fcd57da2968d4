"""The receiving desk (bộ phận một cửa): accept, refuse, ask for papers, return the result, restart a flow.

The desk's task follows the dossier from receipt to the returned result (một cửa): whatever the other
agencies do, the citizen deals with this desk alone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from motcua.domain.errors import InvalidTransition
from motcua.domain.models import (
    Decided,
    Dossier,
    DossierRecord,
    Principal,
    PrincipalKind,
    Task,
    TaskKind,
    TaskState,
)
from motcua.domain.permissions import holders
from motcua.domain.receiving import competent_agency, hand_over, handed_over, receiving_agency
from motcua.domain.status import OFFICER_ACTIONS, Action, plan
from motcua.domain.tasks import moved
from motcua.observability import count
from motcua.services.auditing import officer_decision

if TYPE_CHECKING:
    from motcua.config.province import Province
    from motcua.domain.changes import Change
    from motcua.domain.ports import DossierRepository
    from motcua.services.coordinator import FlowCoordinator


class DeskService:
    def __init__(
        self, *, province: Province, repository: DossierRepository, coordinator: FlowCoordinator
    ) -> None:
        self.province = province
        self.repository = repository
        self.coordinator = coordinator

    def decide(
        self, principal: Principal, task: Task, record: DossierRecord, action: Action, decided: Decided
    ) -> Change:
        """A decision on the desk's task; accepting a dossier whose procedure has a flow starts it."""
        change = self._change(principal, task, record, action, decided)
        self.repository.apply(change)
        new_task = next(t for t in change.tasks if t.task_id == task.task_id)
        if new_task.timeliness is not None:
            count("DossierFinished", timeliness=new_task.timeliness.value)
        if action is Action.ACCEPT and change.dossier.flow:
            self.coordinator.start(change.dossier)
        return change

    def restart_flow(self, task: Task, record: DossierRecord) -> None:
        """Start a flow that stalled again; the steps already decided are not asked twice."""
        if task.kind is not TaskKind.RECEPTION or not task.attention:
            raise InvalidTransition(record.dossier.status, Action.RESTART_FLOW, [])
        self.coordinator.restart(record.dossier.code)

    def _change(
        self, principal: Principal, task: Task, record: DossierRecord, action: Action, decided: Decided
    ) -> Change:
        dossier, now = record.dossier, decided.at
        path = plan(action, dossier.status, actions=OFFICER_ACTIONS)
        final = path[-1]
        procedure = self.province.procedures_by_code[dossier.procedure_code]
        update: dict[str, object] = {"status": final}
        state = TaskState.OPEN
        if action.needs_reason:
            update["reason"] = decided.reason
        if action is Action.REQUEST_PAPERS:
            update |= {"resume_to": dossier.status, "paused_at": now}
            state = TaskState.WAITING
        elif final.terminal:
            state = TaskState.CLOSED
        elif action is Action.ACCEPT and procedure.flow is not None:
            # The other agencies act now; the receiving agency gets the dossier back at the end.
            update |= {"flow": True, "agencies": _with(dossier.agencies, procedure.flow.agencies())}
            state = TaskState.WAITING
        after = dossier.model_copy(update=update)
        new_task = moved(task, after, state, now).model_copy(update={"decided": decided, "attention": None})
        holder = _holder(self.province, after, action)
        if holder is not None and holder != task.agency:
            new_task = new_task.model_copy(update={"agency": holder})
        if holders(task, dossier.status) != holders(new_task, after.status) or new_task.agency != task.agency:
            # The dossier goes from the desk to the officers, or back: a forward was for the last stage.
            new_task = new_task.model_copy(update={"assignee": None, "assignee_name": None})
        change = officer_decision(
            principal, task, dossier, after, tasks=(new_task,), path=path, action=action, decided=decided
        )
        if new_task.agency != task.agency:
            # Received at another agency's desk: the hand-over, one way or back, is on the timeline.
            role = principal.role or PrincipalKind.STAFF
            change = change.model_copy(
                update={"events": (*change.events, hand_over(after, new_task.agency, role, now))}
            )
        return change


def _holder(province: Province, dossier: Dossier, action: Action) -> str | None:
    """Who holds the desk's task after `action`, when the dossier was received at another agency's
    desk: the competent agency from acceptance to its decision, the receiving desk before and after."""
    if not handed_over(dossier):
        return None
    if action is Action.ACCEPT:
        return competent_agency(province, dossier)
    if action is Action.APPROVE:
        return receiving_agency(province, dossier)
    return None


def _with(agencies: tuple[str, ...], more: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys((*agencies, *more)))
