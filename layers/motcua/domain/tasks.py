"""Tasks' names and how a task moves with its dossier: ids, closing, waiting, the actions it offers."""

from __future__ import annotations

from typing import TYPE_CHECKING

from motcua.domain.calendar import WorkingCalendar
from motcua.domain.models import Task, TaskState

if TYPE_CHECKING:
    from datetime import datetime

    from motcua.domain.models import Dossier


def task_id_for(code: str, n: int) -> str:
    """The receiving desk's task of a dossier (n = 1)."""
    return f"{code}-T{n}"


def step_task_id(dossier_code: str, stage: int, step: int) -> str:
    """An agency's step of the dossier's flow."""
    return f"{dossier_code}-T{stage}.{step}"


def dossier_code_of_task(task_id: str) -> str:
    return task_id.rsplit("-T", 1)[0]


def close(task: Task, dossier: Dossier, now: datetime) -> Task:
    """A task closed because the dossier ended: judged against its own due date."""
    return task.model_copy(
        update={
            "state": TaskState.CLOSED,
            "closed_at": now,
            "dossier_status": dossier.status,
            "timeliness": WorkingCalendar.timeliness(now, task.due_at),
            "token": None,
        }
    )


def moved(
    task: Task, dossier: Dossier, state: TaskState, now: datetime, *, due_at: datetime | None = None
) -> Task:
    """The desk's task following its dossier; closed, it is judged against the dossier's due date."""
    update: dict[str, object] = {"state": state, "dossier_status": dossier.status}
    if due_at is not None:
        update["due_at"] = due_at
    if state is TaskState.CLOSED:
        update["closed_at"] = now
        update["timeliness"] = WorkingCalendar.timeliness(now, dossier.due_at)
    return task.model_copy(update=update)
