"""The staff access log: each opening of a dossier's personal data is recorded; an agency's leaders read it.

Recording comes before the data is shown: when the entry cannot be written the request fails, so that
nothing is opened without a trace. Citizens opening their own dossiers are not recorded (the data is
theirs); the platform's own work (flows, sweep, notifier) reads dossiers without a person behind it.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import TYPE_CHECKING

from motcua.domain.access import AccessEntry, AccessKind
from motcua.domain.errors import Forbidden, NotFound
from motcua.domain.i18n import Text
from motcua.domain.roles import Role

if TYPE_CHECKING:
    from motcua.config.province import Province
    from motcua.domain.models import Dossier, Page, Principal
    from motcua.domain.ports import AccessLog, Clock

AGENCY = Text(vi="cơ quan", en="agency")
LEADERS_ONLY = Text(
    vi="Chỉ lãnh đạo cơ quan được xem nhật ký truy cập dữ liệu cá nhân.",
    en="Only the agency's leaders may read the personal data access log.",
)


class AccessLogService:
    def __init__(self, *, province: Province, log: AccessLog, clock: Clock) -> None:
        self.province = province
        self.log = log
        self.clock = clock

    def opened(self, principal: Principal, code: str, what: AccessKind, detail: str | None = None) -> None:
        """Record that a member of staff opened dossier `code`'s personal data (`what`, `detail`)."""
        if not principal.is_staff or principal.agency is None:
            return
        now = self.clock.now()
        entry = AccessEntry(
            id=uuid.uuid4().hex,
            at=now,
            dossier_code=code,
            what=what,
            detail=detail,
            username=principal.username,
            name=principal.name,
            agency=principal.agency,
            role=principal.role,
        )
        self.log.record(entry, expires_at=now + timedelta(days=self.province.retention.access_log_days))

    def opened_task(self, principal: Principal, code: str, task_id: str) -> None:
        """Record that a member of staff opened a task with its whole dossier."""
        self.opened(principal, code, AccessKind.TASK, task_id)

    def for_agency(
        self, principal: Principal, agency: str, *, limit: int, token: str | None
    ) -> Page[AccessEntry]:
        """What the agency's staff opened, newest first: for the agency's leaders."""
        if agency not in self.province.agencies_by_code:
            raise NotFound(AGENCY, agency, code="agency_not_found")
        if not principal.is_staff or principal.agency != agency or principal.role is not Role.LEADER:
            raise Forbidden(LEADERS_ONLY)
        return self.log.by_agency(agency, limit=limit, token=token)

    def for_dossier(
        self, principal: Principal, dossier: Dossier, *, limit: int, token: str | None
    ) -> Page[AccessEntry]:
        """Who opened the dossier, newest first: for leaders of an agency involved in it."""
        if (
            not principal.is_staff
            or principal.agency not in dossier.agencies
            or principal.role is not Role.LEADER
        ):
            raise Forbidden(LEADERS_ONLY)
        return self.log.by_dossier(dossier.code, limit=limit, token=token)
