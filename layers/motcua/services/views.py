"""What the API shows of a dossier, a task or a procedure, in the caller's language."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from motcua.domain.calendar import Timeliness
from motcua.domain.models import Apology, Applicant, Dossier, Task, TimelineEvent

if TYPE_CHECKING:
    from motcua.config.province import Province
    from motcua.domain.catalog import Procedure
    from motcua.domain.i18n import Language


class AttachmentView(BaseModel):
    paper_code: str
    filename: str
    content_type: str
    size: int
    download_url: str | None = None


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


class Renderer:
    """Turns domain objects into views in one language, naming agencies from the province file."""

    def __init__(self, province: Province, portal_url: str) -> None:
        self.province = province
        self.portal_url = portal_url.rstrip("/")

    def agency_name(self, code: str, language: Language) -> str:
        agency = self.province.agencies_by_code.get(code)
        return agency.name.in_(language) if agency else code

    def tracking_url(self, code: str) -> str:
        return f"{self.portal_url}/#/tracking/{code}"

    def created(self, dossier: Dossier, language: Language) -> DossierCreated:
        return DossierCreated(
            code=dossier.code,
            status=int(dossier.status),
            status_label=dossier.status.label.in_(language),
            filed_at=dossier.filed_at,
            due_at=dossier.due_at,
            tracking_url=self.tracking_url(dossier.code),
            procedure_code=dossier.procedure_code,
            procedure_name=dossier.procedure_name.in_(language),
            agency=dossier.agency,
            agency_name=self.agency_name(dossier.agency, language),
        )

    def summary(self, dossier: Dossier, language: Language) -> DossierSummary:
        return DossierSummary(
            code=dossier.code,
            procedure_code=dossier.procedure_code,
            procedure_name=dossier.procedure_name.in_(language),
            status=int(dossier.status),
            status_label=dossier.status.label.in_(language),
            filed_at=dossier.filed_at,
            due_at=dossier.due_at,
            tracking_url=self.tracking_url(dossier.code),
        )

    def entry(self, event: TimelineEvent, language: Language) -> TimelineEntry:
        return TimelineEntry(
            at=event.at,
            status=int(event.status),
            status_label=event.status.label.in_(language),
            action=event.action.value if event.action else None,
            agency=event.agency,
            agency_name=self.agency_name(event.agency, language),
            due_at=event.due_at,
        )

    def entry_detail(self, event: TimelineEvent, language: Language) -> TimelineEntryDetail:
        return TimelineEntryDetail(
            **self.entry(event, language).model_dump(),
            actor_role=event.actor_role.value,
            reason=event.reason,
        )

    def task(self, task: Task, language: Language, allowed: list[str] | None = None) -> TaskView:
        return TaskView(
            task_id=task.task_id,
            dossier_code=task.dossier_code,
            agency=task.agency,
            role=task.role.value,
            kind=task.kind.value,
            state=task.state.value,
            created_at=task.created_at,
            due_at=task.due_at,
            closed_at=task.closed_at,
            procedure_code=task.procedure_code,
            procedure_name=task.procedure_name.in_(language),
            applicant_name=task.applicant_name,
            dossier_status=int(task.dossier_status),
            dossier_status_label=task.dossier_status.label.in_(language),
            timeliness=task.timeliness,
            allowed_actions=allowed or [],
            escalated=task.escalated_at is not None,
            escalated_at=task.escalated_at,
            stage=task.stage,
            step=task.step,
            step_name=task.name.in_(language) if task.name else None,
            allowance_days=task.days,
            assignee=task.assignee,
            decided_by=(task.decided.by_name or task.decided.by) if task.decided else None,
            attention=task.attention,
        )

    def apology(self, apology: Apology, language: Language) -> ApologyView:
        return ApologyView(
            number=apology.number,
            issued_at=apology.issued_at,
            agency=apology.agency,
            agency_name=self.agency_name(apology.agency, language),
            previous_appointment_at=apology.previous_appointment_at,
            appointment_at=apology.appointment_at,
            reason=apology.reason.in_(language),
        )

    def apologies(self, dossier: Dossier, language: Language) -> list[ApologyView]:
        return [self.apology(apology, language) for apology in dossier.apologies]

    def tracking(
        self, dossier: Dossier, events: tuple[TimelineEvent, ...], language: Language
    ) -> TrackingView:
        return TrackingView(
            code=dossier.code,
            procedure_code=dossier.procedure_code,
            procedure_name=dossier.procedure_name.in_(language),
            agency=dossier.agency,
            agency_name=self.agency_name(dossier.agency, language),
            status=int(dossier.status),
            status_label=dossier.status.label.in_(language),
            filed_at=dossier.filed_at,
            due_at=dossier.due_at,
            timeline=[self.entry(event, language) for event in events],
            appointment_at=dossier.appointment,
            apologies=self.apologies(dossier, language),
        )


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


def procedure_summary(renderer: Renderer, procedure: Procedure, language: Language) -> ProcedureSummary:
    return ProcedureSummary(
        code=procedure.code,
        name=procedure.name.in_(language),
        field=procedure.field.in_(language),
        agency=procedure.agency,
        agency_name=renderer.agency_name(procedure.agency, language),
        level=procedure.level.value,
        legacy_level=procedure.legacy_level,
        legal_days=procedure.legal_days,
        fee_vnd=procedure.fee.amount_vnd,
    )


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
