"""Dossier codes (mã hồ sơ, Circular 01/2018 Art. 19) and result codes (Decree 45/2020 Art. 14)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import ClassVar, Self

# QCVN 102:2016/BTTTT identifier of an agency: V1V2V3.Z1Z2.Y1Y2.MX1X2, e.g. 000.00.01.H29.
AGENCY_CODE_PATTERN = r"^\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}$"
MAX_SEQUENCE = 9999
DOSSIER_CODE_PATTERN = AGENCY_CODE_PATTERN[:-1] + r"-\d{6}-\d{4}$"


def day_numbered_pattern(prefix: str = "") -> re.Pattern[str]:
    """`[<prefix>-]<agency code>-YYMMDD-XXXX`, its parts named agency, day and seq."""
    lead = f"{re.escape(prefix)}-" if prefix else ""
    return re.compile(rf"^{lead}(?P<agency>{AGENCY_CODE_PATTERN[1:-1]})-(?P<day>\d{{6}})-(?P<seq>\d{{4}})$")


@dataclass(frozen=True, slots=True)
class DayNumbered:
    """A code numbered without gaps per agency and day, `[<PREFIX>-]<agency code>-YYMMDD-XXXX`: the
    agency, the day, that day's sequence (1 to 9999, each kind on its own counter)."""

    PREFIX: ClassVar[str] = ""
    KIND: ClassVar[str] = "code"
    PATTERN: ClassVar[re.Pattern[str]] = day_numbered_pattern()

    agency: str
    day: date
    sequence: int

    def __post_init__(self) -> None:
        if not 1 <= self.sequence <= MAX_SEQUENCE:
            raise ValueError(f"sequence {self.sequence} is outside 1..{MAX_SEQUENCE}")
        if not re.match(AGENCY_CODE_PATTERN, self.agency):
            raise ValueError(f"{self.agency!r} is not a QCVN 102 agency code")

    def __str__(self) -> str:
        lead = f"{self.PREFIX}-" if self.PREFIX else ""
        return f"{lead}{self.agency}-{self.day:%y%m%d}-{self.sequence:04d}"

    @classmethod
    def parse(cls, text: str) -> Self:
        match = cls.PATTERN.match(text)
        if match is None:
            raise ValueError(f"{text!r} is not a {cls.KIND}")
        day = match["day"]
        return cls(
            agency=match["agency"],
            day=date(2000 + int(day[:2]), int(day[2:4]), int(day[4:])),
            sequence=int(match["seq"]),
        )

    @classmethod
    def matches(cls, text: str) -> bool:
        return cls.PATTERN.match(text) is not None


@dataclass(frozen=True, slots=True)
class DossierCode(DayNumbered):
    """`<agency code>-YYMMDD-XXXX`: the receiving agency, the day of receipt, that day's sequence."""

    KIND: ClassVar[str] = "dossier code"

    def result_code(self, n: int = 1) -> str:
        """The name of the n-th electronic result of this dossier: `<dossier code>-KQ<n>`."""
        if n < 1:
            raise ValueError("result numbers start at 1")
        return f"{self}-KQ{n}"


def is_dossier_code(text: str) -> bool:
    return DossierCode.matches(text)
