"""Dossiers (hồ sơ), their attachments, timeline and tasks, and the people who act on them."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from motcua.domain.audit import GENESIS
from motcua.domain.calendar import Timeliness
from motcua.domain.catalog import ContentType
from motcua.domain.codes import AGENCY_CODE_PATTERN
from motcua.domain.counter import Channel, ReceivedBy
from motcua.domain.fees import FilingFee
from motcua.domain.i18n import Language, Text
from motcua.domain.obligations import Obligation
from motcua.domain.roles import Role
from motcua.domain.status import Action, Status


class PrincipalKind(StrEnum):
    CITIZEN = "citizen"
    STAFF = "staff"
    SYSTEM = "system"  # the platform itself: flows and the scheduled sweep


class Contacts(BaseModel):
    """Where the platform may write to an account: only the email and phone its owner proved to be
    theirs (verified in the user pool), never what anyone typed into a form."""

    model_config = ConfigDict(frozen=True)

    email: str | None = None
    phone: str | None = None  # E.164, as the user pool keeps it


class Principal(BaseModel):
    """Whoever calls: a citizen, or a member of an agency's staff with a role."""

    model_config = ConfigDict(frozen=True)

    sub: str
    kind: PrincipalKind
    username: str
    name: str | None = None
    email: str | None = None
    email_verified: bool = False
    phone: str | None = None
    phone_verified: bool = False
    agency: str | None = None
    role: Role | None = None

    @property
    def is_staff(self) -> bool:
        return self.kind is PrincipalKind.STAFF

    @property
    def contacts(self) -> Contacts:
        """The account's email and phone that its owner verified; the others are left out."""
        return Contacts(
            email=self.email if self.email_verified else None,
            phone=self.phone if self.phone_verified else None,
        )


class Applicant(BaseModel):
    """The person or business the dossier is for (người nộp hồ sơ)."""

    model_config = ConfigDict(frozen=True, str_strip_whitespace=True)

    full_name: str = Field(min_length=2, max_length=120)
    id_number: str = Field(pattern=r"^(\d{12}|\d{10}(-\d{3})?)$", description="CCCD (12 digits) or tax code")
    phone: str = Field(pattern=r"^\+?[0-9 .-]{9,15}$")
    email: str | None = Field(default=None, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=254)
    address: str = Field(min_length=3, max_length=300)


class Attachment(BaseModel):
    """A file the applicant uploaded, checked when the dossier was filed."""

    model_config = ConfigDict(frozen=True)

    paper_code: str
    upload_id: str
    key: str
    filename: str
    content_type: ContentType
    size: int


class TimelineEvent(BaseModel):
    """One step of the dossier's history, as the citizen and the officers see it."""

    model_config = ConfigDict(frozen=True)

    at: datetime
    action: Action | None  # None when the dossier is filed
    status: Status
    agency: str
    actor_role: Role | PrincipalKind
    reason: str | None = None
    due_at: datetime | None = None


class TaskState(StrEnum):
    OPEN = "open"  # in the agency's inbox
    WAITING = "waiting"  # the citizen must act, or the other agencies of the flow
    CLOSED = "closed"


class TaskKind(StrEnum):
    # The receiving agency's task: it owns the dossier from receipt to the returned result.
    RECEPTION = "reception"
    # One agency's step of an inter-agency flow, waited for by the state machine.
    STEP = "step"


class Decided(BaseModel):
    """Who decided a task, and what (kept so that a repeated decision changes nothing)."""

    model_config = ConfigDict(frozen=True)

    action: str
    reason: str | None = None
    by: str  # username
    by_name: str | None = None
    at: datetime


class Task(BaseModel):
    """A piece of work waiting for an agency (công việc trong hộp thư của cơ quan)."""

    model_config = ConfigDict(frozen=True)

    task_id: str
    dossier_code: str
    agency: str = Field(pattern=AGENCY_CODE_PATTERN)
    role: Role
    kind: TaskKind
    state: TaskState
    created_at: datetime
    due_at: datetime
    closed_at: datetime | None = None
    procedure_code: str
    procedure_name: Text
    applicant_name: str
    dossier_status: Status
    timeliness: Timeliness | None = None
    # Flow steps: where the step is, its allowance, and the state machine's token to answer it.
    stage: int | None = None
    step: int | None = None
    days: int | None = None
    name: Text | None = None
    token: str | None = Field(default=None, repr=False)
    assignee: str | None = None  # the officer it was forwarded to
    assignee_name: str | None = None  # their name, as the staff directory gave it when forwarded
    escalated_at: datetime | None = None
    decided: Decided | None = None
    # Set when the flow stopped without an answer: the receiving agency must look at it.
    attention: str | None = None


# Statuses in which the agency owes the citizen a result and the legal clock runs: the promised
# date can still be missed. Not 5 / 6 (the clock stands still on the citizen), not 9 (the result is
# ready; only handing it over is left), not the terminal ones.
APPOINTMENT_STATUSES = frozenset({Status.SUBMITTED, Status.ACCEPTED, Status.IN_PROCESS})


class Apology(BaseModel):
    """Mẫu 04 — phiếu xin lỗi và hẹn lại ngày trả kết quả: the agency will miss its appointment."""

    model_config = ConfigDict(frozen=True)

    number: int = Field(ge=1)  # 1, 2, … on this dossier
    issued_at: datetime
    agency: str  # the receiving agency, which apologises for every agency of the flow (một cửa)
    previous_appointment_at: datetime
    appointment_at: datetime  # the new date the result is promised for
    reason: Text


class Result(BaseModel):
    """A signed result (kết quả giải quyết) `<dossier code>-KQ<n>` (Decree 45/2020), kept in the bucket."""

    model_config = ConfigDict(frozen=True)

    number: int = Field(ge=1)
    code: str  # <dossier code>-KQ<n>
    key: str  # where the signed PDF is
    sha256: str
    size: int
    agency: str  # the competent agency, whose key signed it
    signed_at: datetime
    officer: str  # username of who issued it
    officer_name: str | None = None
    rendered: bool  # the platform drew it from the dossier; False: the officer uploaded it


class Dossier(BaseModel):
    """An administrative-procedure dossier (hồ sơ thủ tục hành chính)."""

    model_config = ConfigDict(frozen=True)

    code: str
    procedure_code: str
    procedure_name: Text
    agency: str  # the receiving agency: it owns the dossier to the end (một cửa)
    # The agency that decides it, when the dossier was received at another agency's desk (receiving
    # anywhere in the province, domain/receiving.py); None: the receiving agency decides it.
    competent_agency: str | None = None
    agencies: tuple[str, ...]  # every agency involved, whose staff may see the dossier
    owner: str  # the citizen's identity (Cognito sub)
    language: Language = "vi"
    # The application's data (the receipt prints it); its email and phone are never written to.
    applicant: Applicant
    # The filing account's verified email and phone at filing: the only places messages go.
    contacts: Contacts = Field(default_factory=Contacts)
    form: dict[str, Any]
    attachments: tuple[Attachment, ...]
    status: Status
    filed_at: datetime
    due_at: datetime
    legal_days: int
    resume_to: Status | None = None  # where a dossier waiting for papers goes back to
    paused_at: datetime | None = None
    days_paused: int = 0  # working days the clock stood still
    reason: str | None = None  # the last refusal, stop or request for papers
    flow: bool = False  # other agencies take part through the procedure's flow
    flow_attempt: int = 0  # how many times the flow was started again (after a stall, or a lost machine)
    # The state machine's token waiting for the citizen's papers, if a step asked for them.
    resume_token: str | None = Field(default=None, repr=False)
    # The head of the audit trail: the number and hash of its last entry (see domain/audit.py).
    audit_seq: int = 0
    audit_head: str = GENESIS
    version: int = 1  # optimistic concurrency: every change expects the version it read
    # The date promised to the citizen when an apology (Mẫu 04) moved it; None: due_at.
    appointment_at: datetime | None = None
    apologies: tuple[Apology, ...] = ()
    results: tuple[Result, ...] = ()
    # When it reached a finished status (3, 7, 8 or 9; a returned dossier keeps the time it was processed):
    # the statistics count it in that month (domain/statistics.py). Set by `seal`, never by a service.
    finished_at: datetime | None = None
    # How it arrived; dossiers stored before the counter existed were all filed online.
    channel: Channel = Channel.ONLINE
    received_by: ReceivedBy | None = None  # the officer who took it at the counter
    ticket: str | None = None  # the queue ticket the citizen was called with, if any
    # The last financial obligation asked for during processing (status 6; domain/obligations.py).
    obligation: Obligation | None = None
    # The fee asked at filing and where it is paid (domain/fees.py); None: none, or filed before it was kept.
    fee: FilingFee | None = None

    @property
    def appointment(self) -> datetime:
        """When the result is promised: the due date, or the later date the last apology gave.

        Never before `due_at`: a clock that stood still (papers asked for) moves the due date on.
        """
        if self.appointment_at is None:
            return self.due_at
        return max(self.appointment_at, self.due_at)

    @property
    def owes_result(self) -> bool:
        """The agency still owes the result and the clock runs: the appointment can be missed."""
        return self.status in APPOINTMENT_STATUSES


class DossierRecord(BaseModel):
    """A dossier with its timeline and tasks, as read in one query."""

    model_config = ConfigDict(frozen=True)

    dossier: Dossier
    events: tuple[TimelineEvent, ...]
    tasks: tuple[Task, ...]

    def task(self, task_id: str) -> Task | None:
        return next((task for task in self.tasks if task.task_id == task_id), None)


class IdempotencyRecord(BaseModel):
    """A client's Idempotency-Key, the hash of the body it came with, and what it produced."""

    model_config = ConfigDict(frozen=True)

    owner: str
    key: str
    body_hash: str
    dossier_code: str
    created_at: datetime


T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_token: str | None = None
