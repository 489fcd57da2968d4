"""An in-memory FeedbackBox: the DynamoDB adapter's conditions and orders, under one lock."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from motcua.domain.feedback import (
    AlreadyAnswered,
    Feedback,
    FeedbackBox,
    FeedbackChanged,
    FeedbackSequenceTaken,
    FeedbackState,
    Publication,
)

if TYPE_CHECKING:
    from datetime import date, datetime


class InMemoryFeedbackBox:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.items: dict[str, Feedback] = {}
        self.counters: dict[tuple[str, date], int] = {}
        self.public: dict[str, Publication] = {}  # by code; the public list shows none of it
        self.notified: list[Feedback] = []  # what the table's stream would carry to the notifier

    def last_sequence(self, agency: str, day: date) -> int:
        with self.lock:
            return self.counters.get((agency, day), 0)

    def add(self, feedback: Feedback, *, sequence: int, expires_at: datetime) -> None:
        from motcua.domain.feedback import FeedbackCode

        key = (feedback.agency, FeedbackCode.parse(feedback.code).day)
        with self.lock:
            if self.counters.get(key, 0) != sequence - 1 or feedback.code in self.items:
                raise FeedbackSequenceTaken(feedback.code)
            self.counters[key] = sequence
            self.items[feedback.code] = feedback

    def get(self, code: str) -> Feedback | None:
        with self.lock:
            return self.items.get(code)

    def answer(self, feedback: Feedback) -> None:
        with self.lock:
            stored = self.items.get(feedback.code)
            if stored is None or stored.answer is not None:
                raise AlreadyAnswered(feedback.code)
            self.items[feedback.code] = feedback
            self.notified.append(feedback)

    def publish(self, feedback: Feedback) -> None:
        if feedback.published is None:
            raise ValueError("nothing to publish")
        with self.lock:
            stored = self.items.get(feedback.code)
            if stored is None or stored.answer is None:
                raise FeedbackChanged(feedback.code)
            self.items[feedback.code] = feedback
            self.public[feedback.code] = feedback.published

    def for_owner(self, owner: str, *, limit: int) -> list[Feedback]:
        with self.lock:
            mine = [f for f in self.items.values() if f.owner == owner]
        return sorted(mine, key=lambda f: (f.sent_at, f.code), reverse=True)[:limit]

    def for_agency(
        self, agency: str, state: FeedbackState, *, limit: int, after: str | None
    ) -> tuple[list[Feedback], str | None]:
        with self.lock:
            found = [f for f in self.items.values() if f.agency == agency and f.state is state]
        if state is FeedbackState.OPEN:
            keyed = sorted(((f"{f.due_at.isoformat()}#{f.code}", f) for f in found), key=lambda p: p[0])
        else:
            keyed = sorted(
                ((f"{f.answer.at.isoformat() if f.answer else ''}#{f.code}", f) for f in found),
                key=lambda p: p[0],
                reverse=True,
            )
        if after is not None:
            keyed = [p for p in keyed if (p[0] > after if state is FeedbackState.OPEN else p[0] < after)]
        page = keyed[:limit]
        more = len(keyed) > limit
        return [f for _, f in page], page[-1][0] if more else None

    def published(self, *, limit: int, after: str | None) -> tuple[list[Publication], str | None]:
        with self.lock:
            keyed = sorted(
                ((f"{p.published_at.isoformat()}#{code}", p) for code, p in self.public.items()),
                key=lambda pair: pair[0],
                reverse=True,
            )
        if after is not None:
            keyed = [pair for pair in keyed if pair[0] < after]
        page = keyed[:limit]
        return [p for _, p in page], page[-1][0] if len(keyed) > limit else None


def _conforms() -> FeedbackBox:
    return InMemoryFeedbackBox()  # mypy checks that the fake implements the port
