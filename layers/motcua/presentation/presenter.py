"""The presenter: domain objects as the views the API answers with, in the caller's language."""

from __future__ import annotations

from typing import TYPE_CHECKING

from motcua.domain.calendar import Timeliness
from motcua.domain.events import event_label
from motcua.domain.fees import FeeCollection
from motcua.domain.models import TaskKind
from motcua.domain.permissions import allowed_actions
from motcua.presentation.views import (
    ApologyView,
    AttachmentView,
    ControlSlip,
    ControlSlipRow,
    DecisionResult,
    DossierCreated,
    DossierSummary,
    DossierView,
    NotificationView,
    ProcedureSummary,
    TaskView,
    TimelineEntry,
    TimelineEntryDetail,
    TrackingView,
)

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime

    from motcua.config.province import Province
    from motcua.domain.catalog import Procedure
    from motcua.domain.i18n import Language
    from motcua.domain.models import (
        Apology,
        Attachment,
        Dossier,
        DossierRecord,
        Principal,
        Task,
        TimelineEvent,
    )
    from motcua.domain.sent import SentMessage


class Presenter:
    """Turns domain objects into views in one language, naming agencies from the province file."""

    def __init__(self, province: Province, portal_url: str) -> None:
        self.province = province
        self.portal_url = portal_url.rstrip("/")

    def agency_name(self, code: str, language: Language) -> str:
        agency = self.province.agencies_by_code.get(code)
        return agency.name.in_(language) if agency else code

    def tracking_url(self, code: str) -> str:
        return f"{self.portal_url}/#/tracking/{code}"

    def notification(self, message: SentMessage, language: Language) -> NotificationView:
        return NotificationView(
            sent_at=message.sent_at,
            channel=message.channel,
            to=message.to,
            dossier_code=message.dossier_code,
            event=message.event.value,
            event_label=event_label(message.event).in_(language),
            summary=message.summary,
            tracking_url=self.tracking_url(message.dossier_code),
        )

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
        """A task; `allowed` lists what its holder may do now (the inbox and the task page show it)."""
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
            assignee_name=task.assignee_name,
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

    def procedure(self, procedure: Procedure, language: Language) -> ProcedureSummary:
        return ProcedureSummary(
            code=procedure.code,
            name=procedure.name.in_(language),
            field=procedure.field.in_(language),
            agency=procedure.agency,
            agency_name=self.agency_name(procedure.agency, language),
            level=procedure.level.value,
            legacy_level=procedure.legacy_level,
            legal_days=procedure.legal_days,
            fee_vnd=procedure.fee.amount_vnd,
        )

    def open_task(self, task: Task, language: Language, viewer: Principal) -> TaskView:
        """A task with the actions `viewer` may take on it now (none that their role may not take)."""
        return self.task(task, language, allowed_actions(viewer, task))

    def decision(self, task: Task, dossier: Dossier, language: Language, viewer: Principal) -> DecisionResult:
        return DecisionResult(
            task=self.open_task(task, language, viewer),
            dossier_code=dossier.code,
            status=int(dossier.status),
            status_label=dossier.status.label.in_(language),
            due_at=dossier.due_at,
        )

    def dossier(
        self,
        record: DossierRecord,
        language: Language,
        *,
        viewer: Principal,
        download_url: Callable[[Attachment], str],
        preview_url: Callable[[Attachment], str | None] | None = None,
    ) -> DossierView:
        """The whole dossier; staff also see its tasks. Files come with short-lived download links."""
        dossier = record.dossier
        attachments = [
            AttachmentView(
                paper_code=a.paper_code,
                filename=a.filename,
                content_type=a.content_type,
                size=a.size,
                download_url=download_url(a),
                preview_url=preview_url(a) if preview_url else None,
            )
            for a in dossier.attachments
        ]
        return DossierView(
            code=dossier.code,
            procedure_code=dossier.procedure_code,
            procedure_name=dossier.procedure_name.in_(language),
            agency=dossier.agency,
            agency_name=self.agency_name(dossier.agency, language),
            competent_agency=dossier.competent_agency,
            competent_agency_name=(
                self.agency_name(dossier.competent_agency, language) if dossier.competent_agency else None
            ),
            agencies=list(dossier.agencies),
            status=int(dossier.status),
            status_label=dossier.status.label.in_(language),
            filed_at=dossier.filed_at,
            due_at=dossier.due_at,
            legal_days=dossier.legal_days,
            days_paused=dossier.days_paused,
            reason=dossier.reason,
            applicant=dossier.applicant,
            form=dossier.form,
            attachments=attachments,
            timeline=[self.entry_detail(e, language) for e in record.events],
            tasks=[self.open_task(t, language, viewer) for t in record.tasks] if viewer.is_staff else [],
            tracking_url=self.tracking_url(dossier.code),
            appointment_at=dossier.appointment,
            apologies=self.apologies(dossier, language),
            channel=dossier.channel.value,
            received_by=received_by_name(dossier),
            ticket=dossier.ticket,
            fee_at_counter_vnd=dossier.fee.amount_vnd
            if dossier.fee is not None and dossier.fee.collection is FeeCollection.COUNTER
            else None,
        )

    def control_slip(self, record: DossierRecord, language: Language, now: datetime) -> ControlSlip:
        """Mẫu 05: every hand-over of the dossier, built from its tasks."""
        dossier = record.dossier
        # The desk first, then the flow's steps in order; each row is one agency's hold of the dossier.
        tasks = sorted(
            record.tasks,
            key=lambda t: (t.kind is not TaskKind.RECEPTION, t.stage or 0, t.step or 0, t.created_at),
        )
        rows = []
        for order, task in enumerate(tasks, start=1):
            timeliness = task.timeliness
            if timeliness is None and now > task.due_at:
                timeliness = Timeliness.LATE  # still open and already late
            rows.append(
                ControlSlipRow(
                    order=order,
                    kind=task.kind.value,
                    stage=task.stage,
                    step=task.step,
                    step_name=task.name.in_(language) if task.name else None,
                    agency=task.agency,
                    agency_name=self.agency_name(task.agency, language),
                    officer=(task.decided.by_name or task.decided.by) if task.decided else task.assignee,
                    received_at=task.created_at,
                    finished_at=task.closed_at,
                    allowance_days=task.days if task.days is not None else dossier.legal_days,
                    due_at=task.due_at,
                    timeliness=timeliness,
                    decision=task.decided.action if task.decided else None,
                )
            )
        return ControlSlip(
            code=dossier.code,
            procedure_code=dossier.procedure_code,
            procedure_name=dossier.procedure_name.in_(language),
            agency=dossier.agency,
            agency_name=self.agency_name(dossier.agency, language),
            filed_at=dossier.filed_at,
            due_at=dossier.due_at,
            status=int(dossier.status),
            status_label=dossier.status.label.in_(language),
            rows=rows,
        )


def received_by_name(dossier: Dossier) -> str | None:
    """Who took a dossier at the counter (their name, else their username); None for one filed online."""
    officer = dossier.received_by
    return (officer.name or officer.username) if officer else None
