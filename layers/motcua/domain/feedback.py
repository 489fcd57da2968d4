"""Feedback and complaints (phản ánh, kiến nghị): a citizen's question to an agency, its code, due date,
answer and, where the agency chooses, its publication without personal data.

The rules are pure; the service (`motcua.services.feedback`) applies them and the box (`FeedbackBox`)
stores them under conditions: a code is taken with a conditional write on the agency's day counter (as
a dossier code is), and an answer is written only if the item has none (answering twice is a 409).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import ClassVar, Protocol

from pydantic import BaseModel, ConfigDict

from motcua.domain.codes import DayNumbered, day_numbered_pattern
from motcua.domain.errors import Conflict, DomainError, NotFound
from motcua.domain.i18n import Language, Text
from motcua.domain.models import Contacts

PREFIX = "PAKN"


@dataclass(frozen=True, slots=True)
class FeedbackCode(DayNumbered):
    """`PAKN-<agency code>-YYMMDD-XXXX`: the agency asked, the day it was sent, that day's sequence
    (its own counter, apart from the dossiers': a feedback never takes a dossier's number)."""

    PREFIX: ClassVar[str] = PREFIX
    KIND: ClassVar[str] = "feedback code"
    PATTERN: ClassVar[re.Pattern[str]] = day_numbered_pattern(PREFIX)


def is_feedback_code(text: str) -> bool:
    return FeedbackCode.matches(text)


class FeedbackState(StrEnum):
    OPEN = "open"  # waiting for the agency's answer (đang xử lý)
    ANSWERED = "answered"  # answered, the citizen told (đã trả lời)


class Answer(BaseModel):
    """The agency's answer: its text, who gave it and when."""

    model_config = ConfigDict(frozen=True)

    text: str
    by: str  # the officer's username
    by_name: str | None = None
    at: datetime


class Publication(BaseModel):
    """What the public page shows: the question and the answer as an officer edited them for it. Never
    the sender's name or contacts, nor the dossier's code."""

    model_config = ConfigDict(frozen=True)

    agency: str
    subject: str
    question: str
    answer: str
    sent_on: date
    answered_at: datetime
    published_at: datetime
    published_by: str


class Feedback(BaseModel):
    """A citizen's feedback or complaint (phản ánh, kiến nghị) to an agency, about a dossier or not."""

    model_config = ConfigDict(frozen=True)

    code: str
    agency: str
    owner: str  # the citizen's account (Cognito sub)
    name: str | None = None
    # The account's verified email and phone when it was sent: the only places the answer goes to.
    contacts: Contacts = Contacts()
    language: Language = "vi"
    dossier_code: str | None = None
    subject: str
    text: str
    sent_at: datetime
    due_at: datetime
    answer: Answer | None = None
    published: Publication | None = None

    @property
    def state(self) -> FeedbackState:
        return FeedbackState.OPEN if self.answer is None else FeedbackState.ANSWERED

    def overdue(self, now: datetime) -> bool:
        """Open past its due date, or answered after it."""
        finished = self.answer.at if self.answer else now
        return finished > self.due_at

    def answered(self, answer: Answer) -> Feedback:
        if self.answer is not None:
            raise AlreadyAnswered(self.code)
        return self.model_copy(update={"answer": answer})

    def publish(self, publication: Publication) -> Feedback:
        if self.answer is None:
            raise NotAnswered(self.code)
        return self.model_copy(update={"published": publication})


class FeedbackNotFound(NotFound):
    """No such feedback, or not one the caller may see (HTTP 404); the message does not echo the code."""

    def __init__(self) -> None:
        DomainError.__init__(
            self,
            Text(
                vi="Không tìm thấy phản ánh, kiến nghị này, hoặc bạn không có quyền xem.",
                en="This feedback was not found, or you may not see it.",
            ),
            code="feedback_not_found",
        )


class AlreadyAnswered(Conflict):
    """A feedback is answered once (HTTP 409)."""

    code = "feedback_answered"

    def __init__(self, code: str) -> None:
        super().__init__(
            Text(
                vi=f"Phản ánh, kiến nghị {code} đã được trả lời.",
                en=f"Feedback {code} has already been answered.",
            )
        )


class NotAnswered(Conflict):
    """Only an answered feedback may be published (HTTP 409)."""

    code = "feedback_not_answered"

    def __init__(self, code: str) -> None:
        super().__init__(
            Text(
                vi=f"Phản ánh, kiến nghị {code} chưa được trả lời nên chưa thể công khai.",
                en=f"Feedback {code} has no answer yet, so it cannot be published.",
            )
        )


class FeedbackSequenceTaken(Exception):  # noqa: N818 — a signal from the box: read the counter again
    """Another feedback took this number of the day first."""


class FeedbackChanged(Exception):  # noqa: N818 — a signal from the box: the item is not as read
    """The feedback was answered or published meanwhile."""


class FeedbackBox(Protocol):
    """Where feedback is kept; every write is conditional."""

    def last_sequence(self, agency: str, day: date) -> int:
        """The last feedback number the agency gave on `day` (0: none yet); a consistent read."""
        ...

    def add(self, feedback: Feedback, *, sequence: int, expires_at: datetime) -> None:
        """Store a new feedback and move the agency's day counter to `sequence`, all or nothing:
        FeedbackSequenceTaken when the counter is no longer at `sequence - 1`."""
        ...

    def get(self, code: str) -> Feedback | None: ...

    def answer(self, feedback: Feedback) -> None:
        """Store `feedback` with its answer, if it had none (AlreadyAnswered otherwise), and the note
        that tells the citizen (the table's stream carries it to the notifier)."""
        ...

    def publish(self, feedback: Feedback) -> None:
        """Store `feedback` with its publication (FeedbackChanged if it changed meanwhile) and put it on
        the public list, or replace it there."""
        ...

    def for_owner(self, owner: str, *, limit: int) -> list[Feedback]:
        """The owner's feedback, newest first."""
        ...

    def for_agency(
        self, agency: str, state: FeedbackState, *, limit: int, after: str | None
    ) -> tuple[list[Feedback], str | None]:
        """A page of the agency's feedback: open ones by due date, the soonest first; answered ones the
        latest answer first. The second value continues the listing (None: no more)."""
        ...

    def published(self, *, limit: int, after: str | None) -> tuple[list[Publication], str | None]:
        """A page of the published answers, the latest first."""
        ...
