"""View models: what the API shows of a dossier, a task or a procedure, in the caller's language."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel

from motcua.domain.calendar import Timeliness
from motcua.domain.models import Applicant


class AttachmentView(BaseModel):
    paper_code: str
    filename: str
    content_type: str
    size: int
    download_url: str | None = None
    # A link that shows a PDF or an image in the browser (the console's preview), as short-lived.
    preview_url: str | None = None


class TimelineEntry(BaseModel):
    at: datetime
    status: int
    status_label: str
    action: str | None
    agency: str
    agency_name: str
    due_at: datetime | None = None


class TimelineEntryDetail(TimelineEntry):
    actor_role: str
    reason: str | None = None


class ApologyView(BaseModel):
    """Mẫu 04 (phiếu xin lỗi và hẹn lại ngày trả kết quả): the agency's apology and the new date."""

    number: int
    issued_at: datetime
    agency: str
    agency_name: str
    previous_appointment_at: datetime
    appointment_at: datetime
    reason: str


class DossierCreated(BaseModel):
    """The receipt of a filing (Mẫu 01 in data): code, status, due date and where to follow it."""

    code: str
    status: int
    status_label: str
    filed_at: datetime
    due_at: datetime
    tracking_url: str
    procedure_code: str
    procedure_name: str
    agency: str
    agency_name: str


class DossierSummary(BaseModel):
    code: str
    procedure_code: str
    procedure_name: str
    status: int
    status_label: str
    filed_at: datetime
    due_at: datetime
    tracking_url: str


class NotificationView(BaseModel):
    """One email or SMS sent to the signed-in citizen, as their notifications page lists it."""

    sent_at: datetime
    channel: str  # "email" | "sms"
    to: str  # masked: "n***@example.vn", "+84*******678"
    dossier_code: str
    event: str  # "filed", "accepted", … (motcua.domain.events.Event)
    event_label: str  # in the caller's language
    summary: str  # the email's subject, or the SMS's text
    tracking_url: str


class TaskView(BaseModel):
    task_id: str
    dossier_code: str
    agency: str
    role: str
    kind: str
    state: str
    created_at: datetime
    due_at: datetime
    closed_at: datetime | None = None
    procedure_code: str
    procedure_name: str
    applicant_name: str
    dossier_status: int
    dossier_status_label: str
    timeliness: Timeliness | None = None
    allowed_actions: list[str] = []
    # The scheduled sweep found it late, or due by the next working day, and told the agency's leaders.
    escalated: bool = False
    escalated_at: datetime | None = None
    # A flow's step: where it stands, what it is for, its allowance in working days.
    stage: int | None = None
    step: int | None = None
    step_name: str | None = None
    allowance_days: int | None = None
    assignee: str | None = None  # the officer it was forwarded to
    assignee_name: str | None = None  # their name in the staff directory
    decided_by: str | None = None
    # Why the desk has it back without an answer from the flow (flow_stalled, flow_failed).
    attention: str | None = None


class DossierView(BaseModel):
    """The whole dossier, for its owner and the staff of the agencies involved."""

    code: str
    procedure_code: str
    procedure_name: str
    agency: str
    agency_name: str
    # Received at another agency's desk (receiving anywhere): the agency that decides it; `agency`
    # is the desk that received it and returns the result. None: the receiving agency decides it.
    competent_agency: str | None = None
    competent_agency_name: str | None = None
    agencies: list[str]
    status: int
    status_label: str
    filed_at: datetime
    due_at: datetime
    legal_days: int
    days_paused: int
    reason: str | None
    applicant: Applicant
    form: dict[str, Any]
    attachments: list[AttachmentView]
    timeline: list[TimelineEntryDetail]
    tasks: list[TaskView] = []
    tracking_url: str
    # When the result is promised: due_at, or the later date the last apology (Mẫu 04) gave.
    appointment_at: datetime | None = None
    apologies: list[ApologyView] = []
    channel: str = "online"  # online, counter (trực tiếp) or post
    received_by: str | None = None  # the receiving officer's name, for a dossier taken at the counter
    ticket: str | None = None
    fee_at_counter_vnd: int | None = None  # the fee the desk collected at the intake (domain/fees.py)


class TrackingView(BaseModel):
    """What anyone with the code may see: no names, no numbers, no files."""

    code: str
    procedure_code: str
    procedure_name: str
    agency: str
    agency_name: str
    status: int
    status_label: str
    filed_at: datetime
    due_at: datetime
    timeline: list[TimelineEntry]
    # When the result is promised: due_at, or the later date the last apology (Mẫu 04) gave.
    appointment_at: datetime | None = None
    apologies: list[ApologyView] = []


class ProcedureSummary(BaseModel):
    code: str
    name: str
    field: str
    agency: str
    agency_name: str
    level: str
    legacy_level: int
    legal_days: int
    fee_vnd: int


class ControlSlipRow(BaseModel):
    """One hand-over of Mẫu 05: who had the dossier, from when to when, and whether on time."""

    order: int
    kind: str  # reception (the one-stop desk) or step (an agency of the flow)
    stage: int | None
    step: int | None
    step_name: str | None
    agency: str
    agency_name: str
    officer: str | None
    received_at: datetime
    finished_at: datetime | None
    allowance_days: int
    due_at: datetime
    timeliness: Timeliness | None  # None while the step is still open and not yet late
    decision: str | None


class ControlSlip(BaseModel):
    """Phiếu kiểm soát quá trình giải quyết hồ sơ (Mẫu 05, Circular 01/2018)."""

    code: str
    procedure_code: str
    procedure_name: str
    agency: str
    agency_name: str
    filed_at: datetime
    due_at: datetime
    status: int
    status_label: str
    rows: list[ControlSlipRow]


class TaskDetail(BaseModel):
    task: TaskView
    dossier: DossierView


class DecisionResult(BaseModel):
    task: TaskView
    dossier_code: str
    status: int
    status_label: str
    due_at: datetime
