"""What a statistics report is (docs/statistics.md): the rows the services compute from the counters and
the API, the exports and the documents present."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime  # noqa: TC003 — a dataclass field's type
from enum import StrEnum

from motcua.domain.catalog import Agency  # noqa: TC001 — dataclass fields' types
from motcua.domain.i18n import Text  # noqa: TC001
from motcua.domain.statistics import Figures  # noqa: TC001


class Grouping(StrEnum):
    AGENCY = "agency"
    PROCEDURE = "procedure"
    MONTH = "month"


@dataclass(frozen=True, slots=True)
class Row:
    key: str
    name: Text
    figures: Figures


@dataclass(frozen=True, slots=True)
class Report:
    first: str
    last: str
    agency: Agency | None  # None: the province
    by: Grouping
    total: Figures
    rows: list[Row]


@dataclass(frozen=True, slots=True)
class LateProcedure:
    code: str
    name: Text
    late: int
    resolved: int


@dataclass(frozen=True, slots=True)
class PublicRow:
    agency: Agency
    year: Figures
    month: Figures


@dataclass(frozen=True, slots=True)
class PublicResults:
    year: int
    month: str
    updated_at: datetime
    province_year: Figures
    rows: list[PublicRow]
