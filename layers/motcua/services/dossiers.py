"""Reading dossiers: for the owner and the agencies involved, the owner's list, public tracking, the audit."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import BaseModel

from motcua.domain.access import AccessKind
from motcua.domain.audit import AuditCheck, AuditEntry, verify
from motcua.domain.codes import is_dossier_code
from motcua.domain.errors import Forbidden, NotFound
from motcua.domain.i18n import Text
from motcua.domain.models import Attachment, Dossier, DossierRecord, Page, Principal, PrincipalKind
from motcua.domain.permissions import AUDIT, WORK, RoleRequired, may_read_dossiers
from motcua.domain.roles import Role

# What a browser shows by itself: previewed in place in the console (docs/console.md).
PREVIEWABLE = frozenset({"application/pdf", "image/jpeg", "image/png"})

if TYPE_CHECKING:
    from motcua.config.province import UploadPolicy
    from motcua.domain.ports import AttachmentStore, DossierRepository
    from motcua.services.access import AccessLogService

DOSSIER = Text(vi="hồ sơ", en="dossier")


class AuditTrail(BaseModel):
    code: str
    check: AuditCheck
    entries: list[AuditEntry]


def can_see(principal: Principal, dossier: Dossier) -> bool:
    """The owner, or the working staff (not an administrator) of an agency involved in the dossier."""
    if not may_read_dossiers(principal):
        return False
    if principal.kind is PrincipalKind.CITIZEN:
        return principal.sub == dossier.owner
    return principal.agency is not None and principal.agency in dossier.agencies


class DossierService:
    def __init__(
        self,
        *,
        repository: DossierRepository,
        store: AttachmentStore,
        uploads: UploadPolicy,
        access: AccessLogService,
    ) -> None:
        self.repository = repository
        self.store = store
        self.uploads = uploads
        self.access = access  # every opening of personal data by staff is recorded there

    def load(self, code: str) -> DossierRecord:
        record = self.repository.get(code) if is_dossier_code(code) else None
        if record is None:
            raise NotFound(DOSSIER, code, code="dossier_not_found")
        return record

    def load_for(self, principal: Principal, code: str) -> DossierRecord:
        if not may_read_dossiers(principal):  # an administrator: accounts only
            raise RoleRequired(WORK, Text(vi="xem hồ sơ", en="read a dossier"))
        record = self.load(code)
        if not can_see(principal, record.dossier):
            raise Forbidden()
        return record

    def get(self, principal: Principal, code: str, what: AccessKind = AccessKind.DOSSIER) -> DossierRecord:
        """The whole dossier (or its control slip, `what`), for its owner and the agencies involved."""
        record = self.load_for(principal, code)
        self.access.opened(principal, record.dossier.code, what)
        return record

    def preview_url(self, attachment: Attachment) -> str | None:
        """A short-lived link that shows a PDF or an image in place (the console's preview)."""
        if attachment.content_type not in PREVIEWABLE:
            return None
        return self.store.download_url(
            key=attachment.key,
            filename=attachment.filename,
            expires_seconds=self.uploads.download_expires_seconds,
            inline_as=attachment.content_type,
        )

    def download_url(self, attachment: Attachment) -> str:
        """A short-lived link to one of the dossier's files."""
        return self.store.download_url(
            key=attachment.key,
            filename=attachment.filename,
            expires_seconds=self.uploads.download_expires_seconds,
        )

    def mine(self, principal: Principal, *, limit: int, token: str | None) -> Page[Dossier]:
        """The citizen's dossiers, newest first."""
        if principal.kind is not PrincipalKind.CITIZEN:
            raise Forbidden(Text(vi="Chỉ dành cho công dân.", en="For citizens only."))
        return self.repository.list_by_owner(principal.sub, limit=limit, token=token)

    def audit(self, principal: Principal, code: str) -> AuditTrail:
        """The audit trail and whether it is intact: for the leaders of the agencies involved, and the
        receiving desk that owns the dossier."""
        record = self.load_for(principal, code)
        if not principal.is_staff:
            raise Forbidden(Text(vi="Chỉ dành cho cán bộ.", en="For agency staff only."))
        desk = principal.role is Role.RECEIVER and principal.agency == record.dossier.agency
        if principal.role is not Role.LEADER and not desk:
            raise RoleRequired(AUDIT, Text(vi="xem nhật ký hồ sơ", en="read the audit trail"))
        self.access.opened(principal, code, AccessKind.AUDIT)
        entries = self.repository.audit_trail(code)
        dossier = record.dossier
        check = verify(entries, head_seq=dossier.audit_seq, head_hash=dossier.audit_head)
        return AuditTrail(code=code, check=check, entries=entries)

    def track(self, code: str) -> DossierRecord:
        """Anyone with the code; the presenter shows only what tracking may show."""
        return self.load(code)
