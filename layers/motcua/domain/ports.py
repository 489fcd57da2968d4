"""Ports: what the domain needs from the outside world; adapters implement them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Protocol

from motcua.domain.roles import Role

if TYPE_CHECKING:
    from collections.abc import Callable

    from motcua.domain.access import AccessEntry
    from motcua.domain.audit import AuditEntry
    from motcua.domain.changes import Change
    from motcua.domain.models import (
        Dossier,
        DossierRecord,
        IdempotencyRecord,
        Page,
        Principal,
        Task,
    )
    from motcua.domain.queue import CounterCall, QueueDay, Ticket
    from motcua.domain.sent import SentMessage


class Clock(Protocol):
    def now(self) -> datetime: ...


class IdempotentReplay(Exception):  # noqa: N818 — a signal, not a failure
    """The Idempotency-Key was seen before; carries what it produced."""

    def __init__(self, record: IdempotencyRecord) -> None:
        super().__init__(record.key)
        self.record = record


class SequenceTaken(Exception):  # noqa: N818 — a signal: read the counter again and renumber
    """Another filing took the agency's next number of the day first."""


class DossierRepository(Protocol):
    """Stores and loads dossiers; every decision is made before a change reaches it."""

    def last_sequence(self, agency: str, day: date) -> int:
        """The agency's last dossier number of `day` (0 before its first filing that day)."""
        ...

    def file(
        self, change: Change, *, agency: str, day: date, sequence: int, idempotency: IdempotencyRecord
    ) -> None:
        """Store a new dossier's change as the agency's number `sequence` of `day`, with the
        idempotency record, all or nothing. SequenceTaken when the counter is no longer at
        `sequence - 1`; IdempotentReplay when the key was used before."""
        ...

    def get_idempotency(self, owner: str, key: str) -> IdempotencyRecord | None: ...

    def get(self, code: str) -> DossierRecord | None: ...

    def audit_trail(self, code: str) -> list[AuditEntry]: ...

    def apply(self, change: Change) -> None:
        """Store a change if the dossier is still at `expected_version`; DossierChanged otherwise."""
        ...

    def list_by_owner(self, owner: str, *, limit: int, token: str | None) -> Page[Dossier]: ...

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
        """The agency's open tasks by due date, due after `after` and at or before `until` if given."""
        ...

    def count_inbox(
        self, agency: str, *, at_most: int, after: datetime | None = None, until: datetime | None = None
    ) -> int:
        """How many open tasks `inbox` would list with the same window (every page), counting no
        further than `at_most` + 1: more than `at_most` answers `at_most` + 1."""
        ...

    def due_by(self, agency: str, until: datetime, *, limit: int, token: str | None) -> Page[Dossier]:
        """The agency's dossiers whose appointment can still be missed and falls at or before `until`."""
        ...

    def open_tasks_due_by(self, agency: str, until: datetime, *, limit: int, token: str | None) -> Page[Task]:
        """The agency's open tasks due at or before `until`, the soonest first."""
        ...

    def escalated(self, agency: str, *, limit: int, token: str | None) -> Page[Task]:
        """The agency's open tasks escalated to its leaders, the soonest due first."""
        ...


class AccessLog(Protocol):
    """Where staff's openings of dossiers' personal data are recorded, and read back newest first."""

    def record(self, entry: AccessEntry, *, expires_at: datetime) -> None:
        """Store one entry, kept until `expires_at` (the province's access-log retention)."""
        ...

    def by_agency(self, agency: str, *, limit: int, token: str | None) -> Page[AccessEntry]:
        """What the staff of `agency` opened, newest first."""
        ...

    def by_dossier(self, code: str, *, limit: int, token: str | None) -> Page[AccessEntry]:
        """Who opened dossier `code`, newest first."""
        ...


class SentMessages(Protocol):
    """What was sent to each citizen, kept under their account and read back newest first."""

    def record(self, message: SentMessage, *, expires_at: datetime) -> bool:
        """Keep one message until `expires_at`; False when the same message was kept before."""
        ...

    def for_owner(self, owner: str, *, limit: int, token: str | None) -> Page[SentMessage]:
        """The messages sent to the account `owner`, newest first."""
        ...


@dataclass(frozen=True, slots=True)
class PresignedUpload:
    url: str
    fields: dict[str, str]
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class StoredObject:
    """What the store says about an uploaded object: enough to check it without downloading it."""

    key: str
    size: int
    content_type: str
    head: bytes  # the first HEAD_BYTES (or the whole file), for the type check
    tail: bytes  # the last TAIL_BYTES (or the whole file), where each type puts its end mark
    filename: str | None
    declared_size: int | None = None  # the size asked for with the slot, when the slot recorded it
    etag: str | None = None  # which write of the key was seen: a later post to the slot changes it


class AttachmentStore(Protocol):
    def presign_upload(  # a slot for exactly `size` bytes (at most `max_bytes`) of `content_type`
        self, *, key: str, content_type: str, size: int, max_bytes: int, filename: str, expires_seconds: int
    ) -> PresignedUpload: ...

    def inspect(self, key: str) -> StoredObject | None: ...

    def keep(self, key: str, *, into: str, etag: str | None) -> bool:
        """The upload is now a dossier's paper: copied server-side to `into`, a key no upload slot can
        write and the rule that expires abandoned uploads never reaches; only if `key` still holds the
        write `etag` (False when it was replaced or is gone). Copying again to the same key is harmless."""
        ...

    def read(self, key: str, *, max_bytes: int, etag: str | None = None) -> bytes | None:
        """The whole object (None if absent, or with `etag` if it is no longer that write); ValueError when
        it is larger than `max_bytes`."""
        ...

    def put(self, key: str, content: bytes, *, content_type: str) -> None: ...

    def download_url(
        self, *, key: str, filename: str, expires_seconds: int, inline_as: str | None = None
    ) -> str:
        """A short-lived link that saves the file under `filename`; with `inline_as`, one that shows it
        in the browser as that content type (a preview in place) instead."""
        ...


class TokenVerifier(Protocol):
    def verify(self, token: str) -> Principal:
        """The principal a token speaks for; Unauthenticated if it is not valid."""
        ...


@dataclass(frozen=True, slots=True)
class StaffMember:
    """A member of staff as the staff directory knows them (cán bộ), whatever a request says of them."""

    username: str  # as the directory spells it
    name: str | None
    agency: str | None  # the agency code the account is assigned to; None: not assigned
    role: Role | None
    enabled: bool  # False: the account was disabled (left the agency, suspended)


class StaffDirectory(Protocol):
    """Who is on the staff of the agencies: the staff pool, read by username."""

    def member(self, username: str) -> StaffMember | None:
        """The member of staff who signs in as `username`; None when the staff pool has no such user."""
        ...


class Workflow(Protocol):
    """The state machines of the procedures' flows."""

    def start(
        self,
        procedure_code: str,
        dossier_code: str,
        *,
        completed: tuple[tuple[int, int], ...] = (),
        attempt: int = 0,
    ) -> None:
        """Start the dossier's flow, skipping the (stage, step)s `completed`; an attempt runs once."""
        ...

    def succeed(self, token: str, output: dict[str, Any]) -> bool:
        """Answer a waiting step; False when the token is no longer waited for."""
        ...

    def fail(self, token: str, error: str, cause: str) -> bool:
        """End a waiting step with an error (a rejection); False when no longer waited for."""
        ...


class IdentityProvider(Protocol):
    """Sign-up and sign-in against a user pool (citizens or staff)."""

    def sign_up(self, *, username: str, password: str, attributes: dict[str, str]) -> None: ...

    def confirm_sign_up(self, *, username: str, code: str) -> None: ...

    def sign_in(self, *, username: str, password: str) -> dict[str, Any]: ...

    def refresh(self, *, refresh_token: str) -> dict[str, Any]: ...

    def answer_challenge(
        self, *, username: str, challenge: str, session: str, answer: str
    ) -> dict[str, Any]: ...

    def start_mfa_setup(self, *, session: str) -> dict[str, str]: ...

    def forget_password(self, *, username: str) -> None:
        """Send the account a code to choose a new password; nothing, and no error, if there is none."""
        ...

    def reset_password(self, *, username: str, code: str, password: str) -> None:
        """A new password for the account the code was sent for; a wrong code and no account alike."""
        ...


class Messenger(Protocol):
    """Sends one message to a citizen over one channel (SES email, SNS SMS); the provider's message id.

    A provider that fails raises: the caller retries later, the dossier never waits for it.
    """

    def send(self, message: OutgoingMessage) -> str: ...


class OnceOnly(Protocol):
    """Runs `action` once for `key`, however often it is asked: a repeat returns the first answer."""

    def run(self, key: str, action: Callable[[], dict[str, str]]) -> dict[str, str]: ...


@dataclass(frozen=True, slots=True)
class OutgoingMessage:
    """What a messenger sends: the channel's address, and the text (an email also has a subject, HTML)."""

    channel: str  # "email" | "sms"
    to: str
    text: str
    subject: str = ""
    html: str = ""


# --- queue tickets (docs/counter.md) ------------------------------------------------------------


class QueueChanged(Exception):  # noqa: N818 — a signal: read the day again and decide again
    """A ticket or a counter was no longer as read: another counter called it, or the counter moved on."""


class AppointmentCheckedIn(Exception):  # noqa: N818 — a signal: the booking has its ticket already
    def __init__(self, ticket_id: str) -> None:
        super().__init__(ticket_id)
        self.ticket_id = ticket_id


class QueueStore(Protocol):
    """A centre's day of tickets: one read for everything a board or a counter needs, and conditional
    writes so that a number is given once and a ticket is called once."""

    def day(self, centre: str, day: date) -> QueueDay:
        """The counters' calls, the last number of each service and the waiting tickets (one read)."""
        ...

    def ticket(self, centre: str, day: date, ticket_id: str) -> Ticket | None: ...

    def issue(self, ticket: Ticket) -> None:
        """Store a new ticket as its service's number `ticket.number` of the day: SequenceTaken when the
        service's last number is no longer `ticket.number - 1`; AppointmentCheckedIn when its booking
        has a ticket already."""
        ...

    def change(
        self,
        *,
        tickets: tuple[tuple[Ticket, Ticket], ...],
        counter: tuple[CounterCall, CounterCall] | None = None,
        centre: str,
        day: date,
    ) -> None:
        """All or nothing: each ticket from what was read (before) to after, and the counter's call from
        before to after; QueueChanged when any of them is no longer as read."""
        ...
