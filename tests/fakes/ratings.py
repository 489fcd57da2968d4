"""Ratings in memory: the rating once per dossier, its tallies and comments, as the table keeps them."""

from __future__ import annotations

import hashlib
import hmac
from typing import TYPE_CHECKING

from motcua.domain.calendar import VIETNAM_TZ
from motcua.domain.models import Page
from motcua.domain.paging import decode_token, encode_token
from motcua.domain.ratings import Comment, Rating, RatingTaken, Tally

if TYPE_CHECKING:
    from datetime import datetime


class HmacKey:
    """A MacKey with its secret in memory (KMS keeps it on AWS)."""

    def __init__(self, secret: bytes = b"in-memory rating links") -> None:
        self.secret = secret
        self.calls = 0

    def mac(self, message: bytes) -> bytes:
        self.calls += 1
        return hmac.new(self.secret, message, hashlib.sha256).digest()


class InMemoryRatingStore:
    def __init__(self) -> None:
        self.ratings: dict[str, Rating] = {}
        self.kept: dict[str, Tally] = {}  # "<agency or *>#<month>[#<procedure>]"
        self.notes: dict[str, list[Comment]] = {}
        self.reads = 0

    def add(self, rating: Rating, *, expires_at: datetime) -> None:
        if rating.code in self.ratings:
            raise RatingTaken(rating.code)
        self.ratings[rating.code] = rating
        one = Tally(ratings=1, sums=dict(rating.scores), counts={k: 1 for k in rating.scores})
        for key in (
            f"{rating.agency}#{rating.month}",
            f"{rating.agency}#{rating.month}#{rating.procedure_code}",
            f"*#{rating.month}",
        ):
            self.kept[key] = self.kept.get(key, Tally()).plus(one)
        if rating.comment:
            day = rating.at.astimezone(VIETNAM_TZ).date().isoformat()
            self.notes.setdefault(rating.agency, []).append(
                Comment(
                    day=day,
                    procedure_code=rating.procedure_code,
                    scores=rating.scores,
                    comment=rating.comment,
                )
            )

    def get(self, code: str) -> Rating | None:
        return self.ratings.get(code)

    def tallies(self, agency: str | None, months: list[str], procedures: list[str]) -> dict[str, Tally]:
        found = {}
        owner = agency or "*"
        for month in months:
            self.reads += 1
            if f"{owner}#{month}" in self.kept:
                found[month] = self.kept[f"{owner}#{month}"]
            for procedure in procedures if agency is not None else ():
                self.reads += 1
                if f"{owner}#{month}#{procedure}" in self.kept:
                    found[f"{month}#{procedure}"] = self.kept[f"{owner}#{month}#{procedure}"]
        return found

    def comments(self, agency: str, *, first: str, last: str, limit: int, token: str | None) -> Page[Comment]:
        notes = [c for c in reversed(self.notes.get(agency, [])) if first <= c.day <= last]
        start = int(decode_token(token)["at"]) if token else 0
        page = notes[start : start + limit]
        more = start + limit < len(notes)
        return Page(items=page, next_token=encode_token({"at": start + limit}) if more else None)
