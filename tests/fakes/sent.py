"""An in-memory SentMessages: the DynamoDB adapter's key, condition, order and page tokens."""

from __future__ import annotations

from typing import TYPE_CHECKING

from motcua.domain.ports import SentMessages
from tests.fakes.repository import _page, _stamp

if TYPE_CHECKING:
    from datetime import datetime

    from motcua.domain.models import Page
    from motcua.domain.sent import SentMessage


class InMemorySentMessages:
    def __init__(self) -> None:
        self.kept: dict[tuple[str, str], tuple[SentMessage, datetime]] = {}  # by key, with its expiry

    def record(self, message: SentMessage, *, expires_at: datetime) -> bool:
        key = (message.owner, _by_time(message))
        if key in self.kept:  # the adapter's attribute_not_exists(PK)
            return False
        self.kept[key] = (message, expires_at)
        return True

    def for_owner(self, owner: str, *, limit: int, token: str | None) -> Page[SentMessage]:
        mine = [m for (who, _), (m, _) in self.kept.items() if who == owner]
        return _page(f"SENT#{owner}", mine, _by_time, limit, token, newest_first=True)


def _by_time(message: SentMessage) -> str:
    return f"{_stamp(message.sent_at)}#{message.key}"


def _conforms() -> SentMessages:
    return InMemorySentMessages()
