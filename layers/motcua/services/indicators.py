"""The Decision 766/QĐ-TTg indicators of a period, for an agency or the province (docs/indicators.md).

Leaders read their agency's (with the agencies merged into it, or one of those alone); administrators
read any agency's or the province's. The numbers come from the statistics' counters (BatchGetItem of
the months asked and since, never the dossiers) and are computed by domain/indicators.py.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from motcua.domain.calendar import VIETNAM_TZ
from motcua.domain.catalog import Agency
from motcua.domain.errors import FieldError, Forbidden, InvalidInput, NotFound
from motcua.domain.i18n import Text
from motcua.domain.indicators import EXTRA_COUNTERS, RATED, RATED_POINTS, Indicator, indicators
from motcua.domain.permissions import check_role
from motcua.domain.roles import Role
from motcua.domain.statistics import months_between, report

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import date

    from motcua.config.province import Province
    from motcua.domain.models import Principal
    from motcua.domain.ports import Clock
    from motcua.services.ratings import Satisfaction

MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
MOST_MONTHS = 36
READERS = frozenset({Role.LEADER, Role.ADMIN})


class CounterReader(Protocol):
    """What the indicators read of the statistics' counters (adapters/statistics.py)."""

    def counters(
        self, agencies: Sequence[str] | None, first: str, today: date
    ) -> dict[str, dict[str, int]]: ...


class SatisfactionReader(Protocol):
    """What the indicators read of the ratings' tallies (services/ratings.py, docs/ratings.md)."""

    def satisfaction(self, agency: str | None, first_month: str, last_month: str) -> Satisfaction: ...


@dataclass(frozen=True)
class PeriodIndicators:
    first: str
    last: str
    agency: Agency | None  # None: the province
    items: list[Indicator]


class IndicatorService:
    def __init__(
        self, province: Province, statistics: CounterReader, ratings: SatisfactionReader, clock: Clock
    ) -> None:
        self.province = province
        self.statistics = statistics
        self.ratings = ratings
        self.clock = clock

    def read(
        self, principal: Principal, first: str | None, last: str | None, agency: str | None
    ) -> PeriodIndicators:
        """The period's indicators; `last` this month and `first` January of its year when not given."""
        check_role(
            principal, READERS, Text(vi="xem các chỉ số Quyết định 766", en="see the Decision 766 indicators")
        )
        today = self.clock.now().astimezone(VIETNAM_TZ).date()
        last = last or f"{today:%Y-%m}"
        first = first or f"{last[:4]}-01"
        _check_period(first, last, f"{today:%Y-%m}")
        asked = self._scope(principal, agency)
        agencies = None if asked is None else self.merged_into(asked.code)
        counters = self.statistics.counters(agencies, first, today)
        figures = report(counters, first, last, today)
        extra: Counter[str] = Counter()
        for month in months_between(first, last):
            extra.update({name: counters.get(month, {}).get(name, 0) for name in EXTRA_COUNTERS})
        extra.update(self._overall_ratings(agencies, first, last))
        return PeriodIndicators(first, last, asked, indicators(figures, extra))

    def _overall_ratings(self, agencies: Sequence[str] | None, first: str, last: str) -> dict[str, int]:
        """RATED and RATED_POINTS of the period: a rating counts for the agency that received the dossier,
        or its successor once merged, so an agency's are its own and those of the agencies merged into it
        (one BatchGetItem of the months' tallies each; the province's are one tally)."""
        found = {RATED: 0, RATED_POINTS: 0}
        for agency in [None] if agencies is None else agencies:
            for criterion in self.ratings.satisfaction(agency, first, last).criteria:
                if criterion.key == "overall":
                    found[RATED] += criterion.count
                    found[RATED_POINTS] += criterion.total
        return found

    def merged_into(self, code: str) -> list[str]:
        """The agency and every agency merged into it, directly or through another."""
        found = [code]
        for other in self.province.agencies:
            current = other
            while current.merged_into is not None:
                if current.merged_into == code:
                    found.append(other.code)
                    break
                current = self.province.agencies_by_code[current.merged_into]
        return found

    def _scope(self, principal: Principal, code: str | None) -> Agency | None:
        """The agency whose indicators are read (None: the province's), as the caller may read it."""
        if principal.role is Role.ADMIN:
            if code is None:
                return None
            return self._agency(code)
        own = principal.agency or ""
        if code is None:
            return self._agency(own)
        agency = self._agency(code)
        if code not in self.merged_into(own):
            raise Forbidden(
                Text(
                    vi="Lãnh đạo chỉ xem được chỉ số của cơ quan mình (và các cơ quan đã sáp nhập vào).",
                    en="A leader sees the indicators of their own agency (and of those merged into it) only.",
                )
            )
        return agency

    def _agency(self, code: str) -> Agency:
        agency = self.province.agencies_by_code.get(code)
        if agency is None:
            raise NotFound(Text(vi="cơ quan", en="agency"), code)
        return agency


def _check_period(first: str, last: str, this_month: str) -> None:
    problems = []
    for name, month in (("from", first), ("to", last)):
        if not MONTH.match(month):
            problems.append(
                FieldError(
                    field=name,
                    code="month",
                    message=Text(vi="Tháng viết theo dạng YYYY-MM.", en="A month is written YYYY-MM."),
                )
            )
    if not problems and last > this_month:
        problems.append(
            FieldError(
                field="to",
                code="future",
                message=Text(
                    vi=f"Kỳ báo cáo kết thúc chậm nhất là tháng này ({this_month}).",
                    en=f"The period ends by this month ({this_month}) at the latest.",
                ),
            )
        )
    if not problems and first > last:
        problems.append(
            FieldError(
                field="from",
                code="after_to",
                message=Text(
                    vi="Tháng bắt đầu phải trước tháng kết thúc.", en="`from` must come before `to`."
                ),
            )
        )
    if not problems and len(months_between(first, last)) > MOST_MONTHS:
        problems.append(
            FieldError(
                field="from",
                code="too_long",
                message=Text(
                    vi=f"Kỳ báo cáo dài nhất {MOST_MONTHS} tháng.",
                    en=f"A period is {MOST_MONTHS} months at most.",
                ),
            )
        )
    if problems:
        raise InvalidInput(
            Text(vi="Kỳ báo cáo không hợp lệ.", en="The period is not valid."), fields=tuple(problems)
        )
