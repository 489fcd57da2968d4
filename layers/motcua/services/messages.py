"""A citizen's notifications page: the emails and SMS sent to them, newest first."""

from __future__ import annotations

from typing import TYPE_CHECKING

from motcua.domain.errors import Forbidden
from motcua.domain.i18n import Text
from motcua.domain.models import PrincipalKind

if TYPE_CHECKING:
    from motcua.domain.models import Page, Principal
    from motcua.domain.ports import SentMessages
    from motcua.domain.sent import SentMessage


class MessageHistory:
    def __init__(self, sent: SentMessages) -> None:
        self.sent = sent

    def mine(self, principal: Principal, *, limit: int, token: str | None) -> Page[SentMessage]:
        """What was sent to the signed-in citizen's account: only theirs, whatever the token says."""
        if principal.kind is not PrincipalKind.CITIZEN:
            raise Forbidden(Text(vi="Chỉ dành cho công dân.", en="For citizens only."))
        return self.sent.for_owner(principal.sub, limit=limit, token=token)
