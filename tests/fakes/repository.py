"""An in-memory DossierRepository: the DynamoDB adapter's observable behaviour, with no AWS at all.

Same conditions (a dossier's version, a day's counter, an idempotency key, append-only audit
numbers), same orders (the indexes' sort keys) and opaque page tokens that continue only the listing
they came from. What the table's stream would take to the notifier is kept in `notified`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any, TypeVar

from motcua.domain.errors import BadRequest, DossierChanged
from motcua.domain.i18n import Text
from motcua.domain.models import Dossier, DossierRecord, IdempotencyRecord, Page, Task, TaskState
from motcua.domain.paging import decode_token, encode_token
from motcua.domain.ports import DossierRepository, IdempotentReplay, SequenceTaken
from tests.fakes.drafts import InMemoryDraftRepository

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from motcua.domain.audit import AuditEntry
    from motcua.domain.changes import Change
    from motcua.domain.events import Event
    from motcua.domain.models import TimelineEvent


T = TypeVar("T")


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass
class _Stored:
    dossier: Dossier
    events: dict[str, TimelineEvent] = field(default_factory=dict)  # by the table's sort key
    tasks: dict[str, Task] = field(default_factory=dict)
    audit: dict[int, AuditEntry] = field(default_factory=dict)


class InMemoryDossierRepository:
    def __init__(self) -> None:
        self._dossiers: dict[str, _Stored] = {}
        self._counters: dict[tuple[str, date], int] = {}
        self._idempotency: dict[tuple[str, str], IdempotencyRecord] = {}
        self.notified: list[tuple[str, AuditEntry, Event]] = []
        self.writes = 0  # changes stored, filings included
        self._racers: list[Callable[[], None]] = []
        self._racing = False
        # The citizens' drafts, in the same table: filing a procedure removes its draft.
        self.drafts = InMemoryDraftRepository()

    def race(self, writer: Callable[[], None]) -> None:
        """Test hook: `writer` runs (and may write) just before the next change is stored, as a
        background writer (the flows, the sweep, another officer) would between a read and a write."""
        self._racers.append(writer)

    # --- filing ----------------------------------------------------------------------------------

    def last_sequence(self, agency: str, day: date) -> int:
        return self._counters.get((agency, day), 0)

    def file(
        self, change: Change, *, agency: str, day: date, sequence: int, idempotency: IdempotencyRecord
    ) -> None:
        seen = self._idempotency.get((idempotency.owner, idempotency.key))
        if seen is not None:
            raise IdempotentReplay(seen)
        if self._counters.get((agency, day), 0) != sequence - 1 or change.dossier.code in self._dossiers:
            raise SequenceTaken(f"{agency} {day} {sequence}")
        self._counters[(agency, day)] = sequence
        self._idempotency[(idempotency.owner, idempotency.key)] = idempotency
        self._dossiers[change.dossier.code] = _Stored(dossier=change.dossier)
        self._store(change)
        self.drafts.filed(change.dossier.owner, change.dossier.procedure_code)

    def seed_counter(self, agency: str, day: date, last: int) -> None:
        """Test hook: the agency has already numbered `last` dossiers that day."""
        self._counters[(agency, day)] = last

    def get_idempotency(self, owner: str, key: str) -> IdempotencyRecord | None:
        return self._idempotency.get((owner, key))

    # --- reading ---------------------------------------------------------------------------------

    def get(self, code: str) -> DossierRecord | None:
        stored = self._dossiers.get(code)
        if stored is None:
            return None
        return DossierRecord(
            dossier=stored.dossier,
            events=tuple(stored.events[k] for k in sorted(stored.events)),
            tasks=tuple(stored.tasks[k] for k in sorted(stored.tasks)),
        )

    def audit_trail(self, code: str) -> list[AuditEntry]:
        stored = self._dossiers.get(code)
        return [stored.audit[seq] for seq in sorted(stored.audit)] if stored else []

    def list_by_owner(self, owner: str, *, limit: int, token: str | None) -> Page[Dossier]:
        mine = [s.dossier for s in self._dossiers.values() if s.dossier.owner == owner]
        return _page(
            f"OWNER#{owner}",
            mine,
            lambda d: f"{_stamp(d.filed_at)}#{d.code}",
            limit,
            token,
            newest_first=True,
        )

    def inbox(
        self,
        agency: str,
        *,
        limit: int,
        token: str | None,
        after: datetime | None = None,
        until: datetime | None = None,
        latest_first: bool = False,
    ) -> Page[Task]:
        window = self._inbox_window(agency, after, until)
        return _page(f"INBOX#{agency}", window, _by_due, limit, token, newest_first=latest_first)

    def count_inbox(
        self, agency: str, *, at_most: int, after: datetime | None = None, until: datetime | None = None
    ) -> int:
        return min(len(self._inbox_window(agency, after, until)), at_most + 1)

    def _inbox_window(self, agency: str, after: datetime | None, until: datetime | None) -> list[Task]:
        return [
            t
            for t in self._open_tasks(agency)
            if (after is None or t.due_at > after) and (until is None or t.due_at <= until)
        ]

    def due_by(self, agency: str, until: datetime, *, limit: int, token: str | None) -> Page[Dossier]:
        due = [
            s.dossier
            for s in self._dossiers.values()
            if s.dossier.agency == agency and s.dossier.owes_result and s.dossier.appointment <= until
        ]
        return _page(f"DUE#{agency}", due, lambda d: f"{_stamp(d.appointment)}#{d.code}", limit, token)

    def open_tasks_due_by(self, agency: str, until: datetime, *, limit: int, token: str | None) -> Page[Task]:
        due = [t for t in self._open_tasks(agency) if t.due_at <= until]
        return _page(f"INBOX#{agency}", due, _by_due, limit, token)

    def escalated(self, agency: str, *, limit: int, token: str | None) -> Page[Task]:
        escalated = [t for t in self._open_tasks(agency) if t.escalated_at is not None]
        return _page(f"ESCALATED#{agency}", escalated, _by_due, limit, token)

    def _open_tasks(self, agency: str) -> list[Task]:
        return [
            task
            for stored in self._dossiers.values()
            for task in stored.tasks.values()
            if task.agency == agency and task.state is TaskState.OPEN
        ]

    # --- changing --------------------------------------------------------------------------------

    def apply(self, change: Change) -> None:
        if self._racers and not self._racing:
            self._racing = True  # the racer's own writes go through undisturbed
            try:
                self._racers.pop(0)()
            finally:
                self._racing = False
        stored = self._dossiers.get(change.dossier.code)
        if (
            stored is None
            or change.expected_version is None
            or stored.dossier.version != change.expected_version
            or change.audit.seq in stored.audit
        ):
            raise DossierChanged()
        stored.dossier = change.dossier
        self._store(change)

    def _store(self, change: Change) -> None:
        dossier = change.dossier
        stored = self._dossiers[dossier.code]
        for task in change.tasks:
            stored.tasks[f"T#{task.task_id}"] = task
        for i, event in enumerate(change.events):
            stored.events[f"E#{_stamp(event.at)}#{dossier.version:06d}#{i:02d}"] = event
        stored.audit[change.audit.seq] = change.audit
        if change.notify is not None:
            self.notified.append((dossier.code, change.audit, change.notify))
        self.writes += 1


def _by_due(task: Task) -> str:
    return f"{_stamp(task.due_at)}#{task.task_id}"


def _page(
    listing: str,
    items: Iterable[T],
    key: Callable[[T], str],
    limit: int,
    token: str | None,
    *,
    newest_first: bool = False,
) -> Page[T]:
    """One page of a listing sorted by `key`; the token carries the listing and the last key given."""
    ordered = sorted(items, key=key, reverse=newest_first)
    if token:
        start: dict[str, Any] = decode_token(token)
        if start.get("listing") != listing or not isinstance(start.get("after"), str):
            raise BadRequest(
                Text(vi="next_token không hợp lệ.", en="The next_token is not valid."),
                code="invalid_next_token",
            )
        after = start["after"]
        ordered = [i for i in ordered if (key(i) < after if newest_first else key(i) > after)]
    chosen = ordered[:limit]
    more = len(ordered) > limit
    next_token = encode_token({"listing": listing, "after": key(chosen[-1])}) if more else None
    return Page(items=chosen, next_token=next_token)


def _conforms() -> DossierRepository:
    return InMemoryDossierRepository()
