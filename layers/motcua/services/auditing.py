"""What a change records: the audit trail's draft (who did what, from which status to which) and the
timeline events the citizen and the officers see."""

from __future__ import annotations

from typing import TYPE_CHECKING

from motcua.domain.audit import AuditDraft
from motcua.domain.changes import seal
from motcua.domain.models import PrincipalKind, TimelineEvent

if TYPE_CHECKING:
    from datetime import datetime

    from motcua.domain.changes import Change
    from motcua.domain.models import Decided, Dossier, Principal, Task
    from motcua.domain.roles import Role
    from motcua.domain.status import Action, Status

SYSTEM = "system"


def record(
    actor: Principal | None,
    action: str,
    *,
    before: Status | None,
    after: Dossier,
    at: datetime,
    task_id: str | None = None,
    agency: str | None = None,
    reason: str | None = None,
) -> AuditDraft:
    """An audit draft; `actor` None is the platform itself (flows, the sweep)."""
    if actor is None:
        who, name, role = SYSTEM, None, SYSTEM
    else:
        who, name = actor.username, actor.name
        role = actor.role.value if actor.role else actor.kind.value
    return AuditDraft(
        at=at,
        actor=who,
        actor_name=name,
        role=role,
        agency=agency if agency is not None else (actor.agency if actor else None),
        action=action,
        task_id=task_id,
        status_before=int(before) if before is not None else None,
        status_after=int(after.status),
        reason=reason,
    )


def timeline(
    path: tuple[Status, ...],
    action: Action,
    agency: str,
    actor_role: Role | PrincipalKind,
    reason: str | None,
    at: datetime,
) -> tuple[TimelineEvent, ...]:
    """One timeline event per status the action passed through; the reason goes with the last."""
    return tuple(
        TimelineEvent(
            at=at,
            action=action,
            status=status,
            agency=agency,
            actor_role=actor_role,
            reason=reason if status is path[-1] else None,
        )
        for status in path
    )


def officer_decision(
    principal: Principal,
    task: Task,
    before: Dossier,
    after: Dossier,
    *,
    tasks: tuple[Task, ...],
    path: tuple[Status, ...],
    action: Action,
    decided: Decided,
) -> Change:
    """What an officer's decision on a task writes: the dossier, the tasks, the timeline and the audit."""
    audit = record(
        principal,
        action.value,
        before=before.status,
        after=after,
        at=decided.at,
        task_id=task.task_id,
        reason=decided.reason,
    )
    actor = principal.role or PrincipalKind.STAFF
    events = timeline(path, action, task.agency, actor, decided.reason, decided.at)
    return seal(before, after, audit, tasks=tasks, events=events)
