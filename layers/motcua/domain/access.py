"""Staff access to personal data (nhật ký truy cập dữ liệu cá nhân): who opened which dossier, what and when.

Decree 13/2023/NĐ-CP and the 2025 Personal Data Protection Law ask a controller to be able to show who
processed a person's data: every time a member of staff opens a dossier's personal data, an entry is
written, and the agency's leaders can read them (services/access.py).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from motcua.domain.roles import Role


class AccessKind(StrEnum):
    """What of a dossier was opened."""

    TASK = "task"  # a task with its whole dossier (the inbox's detail)
    DOSSIER = "dossier"  # the whole dossier, with links to its papers
    CONTROL_SLIP = "control_slip"  # Mẫu 05
    DOCUMENT = "document"  # one document or signed result, as a PDF
    AUDIT = "audit"  # the audit trail


class AccessEntry(BaseModel):
    """One opening of a dossier's personal data by a member of staff."""

    model_config = ConfigDict(frozen=True)

    id: str
    at: datetime
    dossier_code: str
    what: AccessKind
    detail: str | None = None  # the task id, the document's name
    username: str
    name: str | None = None
    agency: str  # the agency the member of staff works for
    role: Role | None = None
