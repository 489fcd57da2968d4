"""Reading dossiers: the owner's and the agencies' full view, the owner's list, public tracking."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import BaseModel

from motcua.domain.audit import AuditCheck, AuditEntry, verify
from motcua.domain.codes import is_dossier_code
from motcua.domain.errors import Forbidden, NotFound
from motcua.domain.i18n import Language, Text
from motcua.domain.models import (
    Dossier,
    DossierRecord,
    Page,
    Principal,
    PrincipalKind,
    Task,
    TaskKind,
    TaskState,
)
from motcua.domain.status import task_actions
from motcua.services.control_slip import control_slip
from motcua.services.views import (
    AttachmentView,
    ControlSlip,
    DossierSummary,
    DossierView,
    Renderer,
    TrackingView,
)

if TYPE_CHECKING:
    from datetime import datetime

    from motcua.config.province import UploadPolicy
    from motcua.domain.ports import AttachmentStore, DossierRepository

DOSSIER = Text(vi="hồ sơ", en="dossier")


class AuditTrail(BaseModel):
    code: str
    check: AuditCheck
    entries: list[AuditEntry]


def allowed_for(task: Task) -> list[str]:
    """The actions the holder of `task` may take now, as the inbox and the task page show them."""
    return [
        a.value
        for a in task_actions(
            step=task.kind is TaskKind.STEP,
            open_=task.state is TaskState.OPEN,
            dossier_status=task.dossier_status,
            attention=bool(task.attention),
        )
    ]


def can_see(principal: Principal, dossier: Dossier) -> bool:
    """The owner, or staff of an agency involved in the dossier."""
    if principal.kind is PrincipalKind.CITIZEN:
        return principal.sub == dossier.owner
    return principal.agency is not None and principal.agency in dossier.agencies


class DossierService:
    def __init__(
        self,
        *,
        repository: DossierRepository,
        store: AttachmentStore,
        renderer: Renderer,
        uploads: UploadPolicy,
    ) -> None:
        self.repository = repository
        self.store = store
        self.renderer = renderer
        self.uploads = uploads

    def load(self, code: str) -> DossierRecord:
        record = self.repository.get(code) if is_dossier_code(code) else None
        if record is None:
            raise NotFound(DOSSIER, code, code="dossier_not_found")
        return record

    def load_for(self, principal: Principal, code: str) -> DossierRecord:
        record = self.load(code)
        if not can_see(principal, record.dossier):
            raise Forbidden()
        return record

    def get(self, principal: Principal, code: str, language: Language) -> DossierView:
        return self.view(self.load_for(principal, code), language, staff=principal.is_staff)

    def view(self, record: DossierRecord, language: Language, *, staff: bool) -> DossierView:
        dossier, render = record.dossier, self.renderer
        attachments = [
            AttachmentView(
                paper_code=a.paper_code,
                filename=a.filename,
                content_type=a.content_type,
                size=a.size,
                download_url=self.store.download_url(
                    key=a.key, filename=a.filename, expires_seconds=self.uploads.download_expires_seconds
                ),
            )
            for a in dossier.attachments
        ]
        tasks = (
            [
                render.task(
                    t,
                    language,
                    allowed_for(t),
                )
                for t in record.tasks
            ]
            if staff
            else []
        )
        return DossierView(
            code=dossier.code,
            procedure_code=dossier.procedure_code,
            procedure_name=dossier.procedure_name.in_(language),
            agency=dossier.agency,
            agency_name=render.agency_name(dossier.agency, language),
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
            timeline=[render.entry_detail(e, language) for e in record.events],
            tasks=tasks,
            tracking_url=render.tracking_url(dossier.code),
            appointment_at=dossier.appointment,
            apologies=render.apologies(dossier, language),
        )

    def mine(
        self, principal: Principal, *, limit: int, token: str | None, language: Language
    ) -> Page[DossierSummary]:
        if principal.kind is not PrincipalKind.CITIZEN:
            raise Forbidden(Text(vi="Chỉ dành cho công dân.", en="For citizens only."))
        page = self.repository.list_by_owner(principal.sub, limit=limit, token=token)
        return Page(
            items=[self.renderer.summary(d, language) for d in page.items], next_token=page.next_token
        )

    def control_slip(self, principal: Principal, code: str, language: Language, now: datetime) -> ControlSlip:
        """Mẫu 05, for the owner and the staff of the agencies involved."""
        return control_slip(self.load_for(principal, code), self.renderer, language, now)

    def audit(self, principal: Principal, code: str) -> AuditTrail:
        """The audit trail and whether it is intact; staff of the agencies involved only."""
        record = self.load_for(principal, code)
        if not principal.is_staff:
            raise Forbidden(Text(vi="Chỉ dành cho cán bộ.", en="For agency staff only."))
        entries = self.repository.audit_trail(code)
        dossier = record.dossier
        check = verify(entries, head_seq=dossier.audit_seq, head_hash=dossier.audit_head)
        return AuditTrail(code=code, check=check, entries=entries)

    def track(self, code: str, language: Language) -> TrackingView:
        record = self.load(code)
        return self.renderer.tracking(record.dossier, record.events, language)
