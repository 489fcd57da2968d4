"""The one-stop counter (quầy tiếp nhận): how a dossier arrived, who received it, whose it is."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict


class Channel(StrEnum):
    """How a dossier reached the agency (Decree 118/2025: trực tuyến, trực tiếp, bưu chính)."""

    ONLINE = "online"
    COUNTER = "counter"
    POST = "post"


class ReceivedBy(BaseModel):
    """The receiving officer who took the dossier at the counter."""

    model_config = ConfigDict(frozen=True)

    username: str
    name: str | None = None


COUNTER_OWNER_PREFIX = "counter#"


def counter_owner(agency: str) -> str:
    """The owner of a dossier received at `agency`'s counter: the desk's own identity, which no citizen's
    token carries (a citizen's is a Cognito sub, a UUID), so that no citizen account reads the dossier,
    whatever phone or email it shares with the applicant."""
    return f"{COUNTER_OWNER_PREFIX}{agency}"
