"""A change (unit of work): everything one action writes, finished here and stored all or nothing."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from motcua.domain.audit import GENESIS, AuditDraft, AuditEntry, chain
from motcua.domain.events import Event, event_for
from motcua.domain.models import Dossier, Task, TimelineEvent
from motcua.domain.statistics import FINISHED


class Change(BaseModel):
    """What one action writes, complete: the repository stores it as it is and decides nothing.

    The dossier is one version on and carries the new head of its audit trail; the audit entry is
    numbered and chained; `notify` says which event the citizen hears of (None: nothing).
    """

    model_config = ConfigDict(frozen=True)

    dossier: Dossier
    expected_version: int | None  # None: a new dossier, which must not exist yet
    tasks: tuple[Task, ...] = ()
    events: tuple[TimelineEvent, ...] = ()
    audit: AuditEntry
    notify: Event | None = None


def seal(
    before: Dossier | None,
    after: Dossier,
    draft: AuditDraft,
    *,
    tasks: tuple[Task, ...] = (),
    events: tuple[TimelineEvent, ...] = (),
) -> Change:
    """The finished change from `before` (None: the dossier is new) to `after`.

    `after`'s version, audit head and its tasks' copy of the status are set here, so that no caller
    can get them wrong: the entry is chained to the head `before` had, and the version check is
    against the version `before` was read at.
    """
    seq, prev = (before.audit_seq + 1, before.audit_head) if before else (1, GENESIS)
    entry = chain(draft, seq=seq, prev_hash=prev)
    update: dict[str, object] = {
        "version": before.version + 1 if before else 1,
        "audit_seq": seq,
        "audit_head": entry.hash,
    }
    if after.status in FINISHED and (before is None or before.status not in FINISHED):
        update["finished_at"] = draft.at
    dossier = after.model_copy(update=update)
    return Change(
        dossier=dossier,
        expected_version=before.version if before else None,
        tasks=tuple(task.model_copy(update={"dossier_status": dossier.status}) for task in tasks),
        events=events,
        audit=entry,
        notify=event_for(entry),
    )
