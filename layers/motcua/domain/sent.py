"""What the platform sent a citizen (email, SMS): the record their notifications page lists.

One record per message that went out, kept under the account that filed the dossier, as long as the
dossier itself (docs/privacy.md). It keeps what a person needs to recognise the message, and no more:
the address masked, the subject of an email or the text of an SMS (one short segment), never the
email's body.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict

from motcua.domain.events import Event
from motcua.domain.i18n import Language

Channel = Literal["email", "sms"]
SUMMARY_LIMIT = 300  # an email's subject, or an SMS (≤ 160): never a whole message body


class SentMessage(BaseModel):
    """One email or SMS that went out to the owner of a dossier."""

    model_config = ConfigDict(frozen=True)

    key: str  # "<dossier code>#<audit seq>#<channel>": the message's once-only key
    owner: str  # the account (Cognito sub) the dossier was filed from
    dossier_code: str
    channel: Channel
    to: str  # masked: "n***@example.vn", "+84*******678"
    sent_at: datetime
    event: Event
    language: Language
    summary: str  # the email's subject, or the SMS's text
    template: str  # "v1/filed"


def mask_address(channel: str, address: str) -> str:
    """An address as the notifications page shows it: enough to recognise, not enough to reuse."""
    if channel == "email":
        local, _, domain = address.rpartition("@")
        if not local:
            return "***"
        return f"{local[0]}***@{domain}"
    digits = address.strip()
    if len(digits) <= 6:
        return "*" * len(digits)
    head = 3 if digits.startswith("+") else 2
    return digits[:head] + "*" * (len(digits) - head - 3) + digits[-3:]


def summary_of(subject: str | None, text: str) -> str:
    """What a record keeps of a message: the subject of an email, the text of an SMS; at most a line."""
    line = " ".join((subject or text).split())
    return line if len(line) <= SUMMARY_LIMIT else line[: SUMMARY_LIMIT - 1] + "…"
