"""An in-memory AccessLog: the DynamoDB adapter's orders and page tokens, and what each entry keeps."""

from __future__ import annotations

from typing import TYPE_CHECKING

from motcua.domain.ports import AccessLog
from tests.fakes.repository import _page, _stamp

if TYPE_CHECKING:
    from datetime import datetime

    from motcua.domain.access import AccessEntry
    from motcua.domain.models import Page


class InMemoryAccessLog:
    def __init__(self) -> None:
        self.entries: list[tuple[AccessEntry, datetime]] = []  # with when each expires

    def record(self, entry: AccessEntry, *, expires_at: datetime) -> None:
        self.entries.append((entry, expires_at))

    def by_agency(self, agency: str, *, limit: int, token: str | None) -> Page[AccessEntry]:
        mine = [e for e, _ in self.entries if e.agency == agency]
        return _page(f"ACCESS#{agency}", mine, _by_time, limit, token, newest_first=True)

    def by_dossier(self, code: str, *, limit: int, token: str | None) -> Page[AccessEntry]:
        opened = [e for e, _ in self.entries if e.dossier_code == code]
        return _page(f"D#{code}", opened, _by_time, limit, token, newest_first=True)


def _by_time(entry: AccessEntry) -> str:
    return f"{_stamp(entry.at)}#{entry.id}"


def _conforms() -> AccessLog:
    return InMemoryAccessLog()
