"""Satisfaction ratings (đánh giá mức độ hài lòng): the criteria, the once-per-dossier rule, the signed
link of the final message, and the monthly tallies per agency and procedure (docs/ratings.md)."""

from __future__ import annotations

import base64
import hmac
import re
import unicodedata
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol

from pydantic import BaseModel, ConfigDict, Field, field_validator

from motcua.domain.calendar import VIETNAM_TZ
from motcua.domain.errors import Conflict, Forbidden, InvalidInput, Unauthenticated
from motcua.domain.i18n import Text
from motcua.domain.status import Status

if TYPE_CHECKING:
    from motcua.domain.models import Dossier, Page

COMMENT_LIMIT = 1000  # characters, after cleaning
LINK_DAYS = 30  # how long the link of the final message lets its holder rate
MAC_BYTES = 16  # of the HMAC-SHA-256, in the link: 128 bits, and short enough for one SMS
MAX_MONTHS = 24  # the widest range a staff view or the satisfaction function reads at once
MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


class Kind(StrEnum):
    SCORE = "score"  # 1 (very dissatisfied) … 5 (very satisfied): higher is better
    COUNT = "count"  # how many times: 1 … 5 (5: five or more), lower is better


class Criterion(BaseModel):
    """One question of the rating form, as the national public service portal asks it."""

    model_config = ConfigDict(frozen=True)

    key: str
    name: Text
    kind: Kind
    low: int = 1
    high: int = 5


# The portal's evaluation form (Decree 61/2018/NĐ-CP Art. 33, as the national and provincial portals
# ask it; docs/ratings.md names the source): what a citizen answers about one dossier.
CRITERIA: tuple[Criterion, ...] = (
    Criterion(
        key="overall",
        name=Text(vi="Đánh giá tổng thể dịch vụ", en="The service as a whole"),
        kind=Kind.SCORE,
    ),
    Criterion(
        key="convenience",
        name=Text(
            vi="Mức độ thuận tiện khi thực hiện thủ tục",
            en="How convenient the procedure was to go through",
        ),
        kind=Kind.SCORE,
    ),
    Criterion(
        key="on_time",
        name=Text(
            vi="Mức độ đúng hạn trong xử lý, trả kết quả",
            en="Whether the result came on time",
        ),
        kind=Kind.SCORE,
    ),
    Criterion(
        key="attitude",
        name=Text(
            vi="Thái độ của cán bộ, công chức khi hướng dẫn, xử lý hồ sơ",
            en="The attitude and helpfulness of the staff",
        ),
        kind=Kind.SCORE,
    ),
    Criterion(
        key="contacts",
        name=Text(
            vi="Số lần phải liên hệ với nơi tiếp nhận để hoàn thiện hồ sơ",
            en="How many times you had to contact the desk to complete the dossier",
        ),
        kind=Kind.COUNT,
    ),
)
CRITERION_KEYS = tuple(c.key for c in CRITERIA)

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]")


def clean_comment(text: str | None) -> str | None:
    """A comment as kept: NFC, no control or direction characters, tabs as spaces, at most two line
    breaks in a row, no blank edges; None when nothing is left."""
    if text is None:
        return None
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    text = _CONTROL.sub("", text)
    text = re.sub(r"[ \u00a0]{2,}", " ", text)
    text = re.sub(r"\n{3,}", "\n\n", text)
    text = "\n".join(line.strip() for line in text.split("\n")).strip()
    return text or None


class RatingForm(BaseModel):
    """What the citizen answers: one value per criterion, and a comment if they wish."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    overall: int = Field(
        ge=1, le=5, description="Đánh giá tổng thể: 1 (rất không hài lòng) … 5 (rất hài lòng)"
    )
    convenience: int = Field(ge=1, le=5, description="Mức độ thuận tiện: 1 … 5")
    on_time: int = Field(ge=1, le=5, description="Mức độ đúng hạn: 1 … 5")
    attitude: int = Field(ge=1, le=5, description="Thái độ của cán bộ: 1 … 5")
    contacts: int = Field(ge=1, le=5, description="Số lần phải liên hệ: 1 … 5 (5: năm lần trở lên)")
    # Read generously (control characters are cleaned away), then held to the limit.
    comment: str | None = Field(default=None, max_length=4 * COMMENT_LIMIT, description="Ý kiến khác")

    @field_validator("comment")
    @classmethod
    def _clean(cls, value: str | None) -> str | None:
        cleaned = clean_comment(value)
        if cleaned is not None and len(cleaned) > COMMENT_LIMIT:
            raise ValueError(f"at most {COMMENT_LIMIT} characters")
        return cleaned

    def scores(self) -> dict[str, int]:
        return {key: int(getattr(self, key)) for key in CRITERION_KEYS}


class Way(StrEnum):
    PORTAL = "portal"  # the signed-in owner, on the dossier's page
    LINK = "link"  # the signed link of the final email or SMS


class Rating(BaseModel):
    """A dossier's rating, as kept: what the agency is rated on, never who rated."""

    model_config = ConfigDict(frozen=True)

    code: str
    agency: str  # the receiving agency (một cửa: it answers for the whole dossier)
    procedure_code: str
    month: str  # YYYY-MM in Vietnam's time, the period its tallies count it in
    at: datetime
    scores: dict[str, int]
    comment: str | None = None
    way: Way


class Comment(BaseModel):
    """A rating as the agency's staff see it: the day, the procedure, the scores, the words; no code."""

    model_config = ConfigDict(frozen=True)

    day: str  # YYYY-MM-DD: the day only, so that a time does not point to a dossier
    procedure_code: str
    scores: dict[str, int]
    comment: str


class Tally(BaseModel):
    """One month's sums and counts per criterion (of one agency, or one of its procedures)."""

    model_config = ConfigDict(frozen=True)

    ratings: int = 0
    sums: dict[str, int] = Field(default_factory=dict)
    counts: dict[str, int] = Field(default_factory=dict)

    def plus(self, other: Tally) -> Tally:
        keys = set(self.sums) | set(other.sums)
        return Tally(
            ratings=self.ratings + other.ratings,
            sums={k: self.sums.get(k, 0) + other.sums.get(k, 0) for k in keys},
            counts={k: self.counts.get(k, 0) + other.counts.get(k, 0) for k in keys},
        )


class CriterionFigure(BaseModel):
    """How a criterion was rated over a range: how many answered, their sum and mean."""

    model_config = ConfigDict(frozen=True)

    key: str
    name: Text
    kind: Kind
    count: int
    total: int
    mean: float | None  # None when nobody answered


def figures(tally: Tally) -> list[CriterionFigure]:
    return [
        CriterionFigure(
            key=c.key,
            name=c.name,
            kind=c.kind,
            count=tally.counts.get(c.key, 0),
            total=tally.sums.get(c.key, 0),
            mean=round(tally.sums[c.key] / tally.counts[c.key], 2) if tally.counts.get(c.key) else None,
        )
        for c in CRITERIA
    ]


# --- the rules -------------------------------------------------------------------------------------


class AlreadyRated(Conflict):
    code = "already_rated"

    def __init__(self) -> None:
        super().__init__(
            Text(
                vi="Hồ sơ này đã được đánh giá; mỗi hồ sơ chỉ được đánh giá một lần.",
                en="This dossier has already been rated; each dossier is rated once only.",
            )
        )


class NotRatable(Conflict):
    code = "not_ratable"

    def __init__(self, status: Status) -> None:
        super().__init__(
            Text(
                vi=(
                    f"Hồ sơ đang ở trạng thái {int(status)} “{status.label.vi}”: chỉ đánh giá được "
                    "sau khi đã trả kết quả."
                ),
                en=(
                    f"The dossier is in status {int(status)} “{status.label.en}”: it can be rated only "
                    "once its result has been returned."
                ),
            )
        )


class LinkExpired(Unauthenticated):
    code = "rating_link_expired"

    def __init__(self) -> None:
        super().__init__(
            Text(
                vi="Đường dẫn đánh giá đã hết hạn; vui lòng đăng nhập và đánh giá trên trang hồ sơ.",
                en="This rating link has expired; sign in and rate on the dossier's page instead.",
            )
        )


class LinkInvalid(Forbidden):
    code = "rating_link_invalid"

    def __init__(self) -> None:
        super().__init__(
            Text(
                vi="Đường dẫn đánh giá không hợp lệ.",
                en="This rating link is not valid.",
            )
        )


def may_rate(dossier: Dossier) -> bool:
    """After the result: returned (10), or processed (9) with an electronic result the citizen holds."""
    return dossier.status == Status.RETURNED or (dossier.status == Status.PROCESSED and bool(dossier.results))


def check_may_rate(dossier: Dossier) -> None:
    if not may_rate(dossier):
        raise NotRatable(dossier.status)


def month_of(moment: datetime) -> str:
    return moment.astimezone(VIETNAM_TZ).strftime("%Y-%m")


def months_between(first: str, last: str) -> list[str]:
    """Every month from `first` to `last` (YYYY-MM), both included; at most MAX_MONTHS."""
    for name, value in (("from", first), ("to", last)):
        if not MONTH.match(value):
            raise _bad_range(name, "Tháng phải có dạng YYYY-MM.", "A month is written YYYY-MM.")
    if first > last:
        raise _bad_range(
            "from", "Tháng đầu phải trước tháng cuối.", "The first month must not follow the last."
        )
    year, month = int(first[:4]), int(first[5:])
    months = []
    while f"{year:04d}-{month:02d}" <= last:
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        if len(months) > MAX_MONTHS:
            raise _bad_range(
                "to", f"Tối đa {MAX_MONTHS} tháng mỗi lần.", f"At most {MAX_MONTHS} months at a time."
            )
    return months


def _bad_range(name: str, vi: str, en: str) -> InvalidInput:
    from motcua.domain.errors import FieldError

    message = Text(vi=vi, en=en)
    return InvalidInput(message, fields=(FieldError(field=name, code="invalid", message=message),))


# --- the signed link -------------------------------------------------------------------------------


class MacKey(Protocol):
    """A secret key that authenticates short messages (on AWS a KMS HMAC key; it never leaves KMS)."""

    def mac(self, message: bytes) -> bytes: ...


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def make_token(key: MacKey, code: str, *, now: datetime, days: int = LINK_DAYS) -> str:
    """`<dossier code>.<expiry, unix seconds in hex>.<MAC>`: it names the dossier only, never a person."""
    expires = int((now + timedelta(days=days)).timestamp())
    payload = f"{code}.{expires:x}"
    return f"{payload}.{_b64(key.mac(payload.encode())[:MAC_BYTES])}"


def read_token(key: MacKey, token: str, *, now: datetime) -> str:
    """The dossier code a token names; LinkInvalid when forged or garbled, LinkExpired when old."""
    payload, _, mac = token.rpartition(".")
    code, _, expiry = payload.rpartition(".")
    if not code or not re.fullmatch(r"[0-9a-f]{1,12}", expiry) or len(mac) != len(_b64(bytes(MAC_BYTES))):
        raise LinkInvalid()
    expected = _b64(key.mac(payload.encode())[:MAC_BYTES])
    if not hmac.compare_digest(expected, mac):
        raise LinkInvalid()
    if datetime.fromtimestamp(int(expiry, 16), UTC) <= now:
        raise LinkExpired()
    return code


# --- the port --------------------------------------------------------------------------------------


class RatingTaken(Exception):
    """The dossier's rating item is already there: written once, by the first to rate."""


class RatingStore(Protocol):
    """Ratings and their monthly tallies, kept together (one transaction per rating)."""

    def add(self, rating: Rating, *, expires_at: datetime) -> None:
        """Keep the rating and add it to its tallies at once; RatingTaken when the dossier has one."""
        ...

    def get(self, code: str) -> Rating | None: ...

    def tallies(self, agency: str | None, months: list[str], procedures: list[str]) -> dict[str, Tally]:
        """Keyed `<month>` (the agency's, or the province's when `agency` is None) and
        `<month>#<procedure>` for each of `procedures` (an agency's only); absent when nobody rated."""
        ...

    def comments(self, agency: str, *, first: str, last: str, limit: int, token: str | None) -> Page[Comment]:
        """The agency's ratings with a comment, from month `first` to `last`, newest first."""
        ...
