"""The leaders' statistics (docs/statistics.md): reports per agency, procedure and month read from the
counters, the procedures late most often, what falls due, the dossiers behind a number, and the
province's public results.

Who sees what: a leader their agency and the agencies merged into it, an administrator any agency or
the whole province; everyone else nothing (403). An agency merged into another counts into it from
the month of its merger (`merged_on`), and is reported alone for the months before.

Every number is read from the counter items (BatchGetItem, growing with the months asked and the
agencies shown, never with the dossiers); the dossiers behind a number are a Query on an index.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, fields, replace
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Protocol

from motcua.domain.calendar import VIETNAM_TZ
from motcua.domain.catalog import Agency
from motcua.domain.drilldown import (
    DONE_PREFIX,
    FILED_PREFIX,
    OPEN,
    OPEN_PREFIX,
    RECEIVED,
    Column,
    Listing,
    stamp,
)
from motcua.domain.errors import FieldError, Forbidden, InvalidInput, NotFound
from motcua.domain.i18n import Text
from motcua.domain.models import PrincipalKind
from motcua.domain.roles import Role
from motcua.domain.statistics import NOW, Figures, months_between, report

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from motcua.config.province import Province
    from motcua.domain.models import Dossier, Page, Principal
    from motcua.domain.ports import Clock

PROVINCE = "*"  # the province's own counter items (motcua.adapters.statistics.PROVINCE)
NOW_BY_PROCEDURE = "now|p"  # an agency's open dossiers per procedure (motcua.adapters.statistics)
MAX_MONTHS = 36
LATE_TOP = 10
DRILL_PAGE = 50

Counters = dict[str, dict[str, int]]  # period → name → value, what `report` reads


class CounterReader(Protocol):
    def read_keys(self, wanted: Sequence[tuple[str, str]]) -> dict[tuple[str, str], dict[str, int]]: ...


class DossierIndex(Protocol):
    def dossiers(self, listings: Sequence[Listing], *, limit: int, token: str | None) -> Page[Dossier]: ...


class Grouping(StrEnum):
    AGENCY = "agency"
    PROCEDURE = "procedure"
    MONTH = "month"


@dataclass(frozen=True, slots=True)
class Part:
    """An agency whose counters count into a report from month `since` on (None: every month)."""

    agency: str
    since: str | None = None


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


def add(a: Figures, b: Figures) -> Figures:
    """Two reports' figures summed (an agency and the agencies merged into it)."""
    summed: dict[str, Any] = {}
    for f in fields(Figures):
        x, y = getattr(a, f.name), getattr(b, f.name)
        summed[f.name] = None if x is None and y is None else (x or 0) + (y or 0)
    return Figures(**summed)


ZERO = Figures(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, None, 0)


def _month(value: date) -> str:
    return f"{value:%Y-%m}"


def _field_error(field: str, vi: str, en: str) -> InvalidInput:
    message = Text(vi=vi, en=en)
    return InvalidInput(message, fields=(FieldError(field=field, code="invalid", message=message),))


def _only(names: Mapping[str, int], prefix: str) -> dict[str, int]:
    """The fields `<prefix><name>` of an item, as plain names."""
    return {n[len(prefix) :]: v for n, v in names.items() if n.startswith(prefix)}


def _plain(names: Mapping[str, int]) -> dict[str, int]:
    return {n: v for n, v in names.items() if "|" not in n and n != "expires_at"}


class StatisticsService:
    def __init__(
        self, *, province: Province, counters: CounterReader, index: DossierIndex, clock: Clock
    ) -> None:
        self.province = province
        self.counters = counters
        self.index = index
        self.clock = clock

    # --- who sees what ------------------------------------------------------------------------

    def today(self) -> date:
        return self.clock.now().astimezone(VIETNAM_TZ).date()

    def scope(self, who: Principal, agency: str | None) -> Agency | None:
        """The agency a caller may report on (None: the province, an administrator's only)."""
        if who.kind is not PrincipalKind.STAFF or who.role not in (Role.LEADER, Role.ADMIN):
            raise Forbidden(
                Text(
                    vi="Chỉ lãnh đạo và quản trị viên xem được số liệu thống kê.",
                    en="Only leaders and administrators see the statistics.",
                )
            )
        if agency is not None and agency not in self.province.agencies_by_code:
            raise NotFound(Text(vi="cơ quan", en="agency"), agency)
        if who.role is Role.ADMIN:
            return self.province.agencies_by_code[agency] if agency else None
        mine = who.agency or ""
        asked = agency or mine
        if asked != mine and asked not in {part.agency for part in self.parts(mine)}:
            raise Forbidden(
                Text(
                    vi="Lãnh đạo chỉ xem số liệu của cơ quan mình và các cơ quan đã sáp nhập vào đó.",
                    en="A leader sees the figures of their agency and of the agencies merged into it.",
                )
            )
        return self.province.agencies_by_code[asked]

    def parts(self, code: str, since: str | None = None) -> list[Part]:
        """An agency and, from the month of each merger, the agencies merged into it (and into them)."""
        found = [Part(code, since)]
        for agency in self.province.agencies:
            if agency.merged_into == code:
                merged = _month(agency.merged_on) if agency.merged_on else None
                later = max(filter(None, (since, merged)), default=None)
                found.extend(self.parts(agency.code, later))
        return found

    # --- the period ---------------------------------------------------------------------------

    def period(self, first: str, last: str, names: tuple[str, str] = ("from", "to")) -> tuple[str, str]:
        """The months asked, checked: each YYYY-MM, in order, by this month, at most MAX_MONTHS."""
        this_month = _month(self.today())
        for name, value in zip(names, (first, last), strict=True):
            if not (
                len(value) == 7 and value[4] == "-" and value[:4].isdigit() and value[5:].isdigit()
            ) or not (1 <= int(value[5:]) <= 12 and int(value[:4]) >= 2000):
                raise _field_error(
                    name,
                    f"{name}: tháng phải có dạng YYYY-MM (ví dụ 2026-11).",
                    f"{name}: a month is written YYYY-MM (e.g. 2026-11).",
                )
        if last > this_month:
            name = names[1]
            raise _field_error(
                name, f"{name}: tháng {last} chưa tới.", f"{name}: the month {last} has not come yet."
            )
        if first > last:
            raise _field_error(
                "from",
                "from: tháng đầu phải trước tháng cuối.",
                "from: the first month must come before the last.",
            )
        if len(months_between(first, last)) > MAX_MONTHS:
            raise _field_error(
                "from",
                f"from: một báo cáo bao gồm tối đa {MAX_MONTHS} tháng.",
                f"from: a report covers at most {MAX_MONTHS} months.",
            )
        return first, last

    # --- reading the counters -----------------------------------------------------------------

    def _load(
        self, owners: Mapping[str, str], *, extra: Sequence[tuple[str, str]] = ()
    ) -> dict[tuple[str, str], dict[str, int]]:
        """One batch read: each owner's items from its first month to today's, and `now`."""
        this_month = _month(self.today())
        wanted = [
            (owner, period)
            for owner, first in owners.items()
            for period in [*months_between(first, this_month), NOW]
        ]
        return self.counters.read_keys([*wanted, *extra])

    @staticmethod
    def _counters(
        found: Mapping[tuple[str, str], Mapping[str, int]], owner: str, prefix: str = ""
    ) -> Counters:
        """An owner's items as `report` reads them: plain names, or those of one `prefix` (`p|<code>|`)."""
        counters: Counters = {}
        for (who, period), names in found.items():
            if who == owner:
                counters[period] = _only(names, prefix) if prefix else _plain(names)
        return counters

    def _figures(self, counters: Counters, first: str, last: str, since: str | None) -> Figures | None:
        """The figures of `first`..`last`, counted from `since` on (None when nothing falls after)."""
        start = max(first, since) if since else first
        if start > last:
            return None
        return report(counters, start, last, self.today())

    def _sum(self, pieces: Sequence[Figures | None]) -> Figures:
        total: Figures | None = None
        for piece in pieces:
            if piece is not None:
                total = piece if total is None else add(total, piece)
        return total or replace(ZERO, waiting=None)

    def report(self, who: Principal, first: str, last: str, agency: str | None, by: Grouping) -> Report:
        first, last = self.period(first, last)
        scoped = self.scope(who, agency)
        if scoped is None:
            total, rows = self._province(first, last, by)
        else:
            total, rows = self._agency(scoped.code, first, last, by)
        return Report(first=first, last=last, agency=scoped, by=by, total=total, rows=rows)

    def _agency(self, code: str, first: str, last: str, by: Grouping) -> tuple[Figures, list[Row]]:
        parts = self.parts(code)
        starts = {p.agency: max(first, p.since) if p.since else first for p in parts}
        extra = [(p.agency, NOW_BY_PROCEDURE) for p in parts] if by is Grouping.PROCEDURE else []
        found = self._load({a: s for a, s in starts.items() if s <= last}, extra=extra)
        own = {p.agency: self._counters(found, p.agency) for p in parts}
        total = self._sum([self._figures(own[p.agency], first, last, p.since) for p in parts])
        if by is Grouping.AGENCY:
            rows = [
                Row(p.agency, self.province.agencies_by_code[p.agency].name, figures)
                for p in parts
                if (figures := self._figures(own[p.agency], first, last, p.since)) is not None
            ]
        elif by is Grouping.MONTH:
            rows = [
                Row(
                    month,
                    _month_name(month),
                    self._sum([self._figures(own[p.agency], month, month, p.since) for p in parts]),
                )
                for month in months_between(first, last)
            ]
        else:
            rows = self._procedures(found, parts, first, last)
        return total, rows

    def _procedures(
        self, found: Mapping[tuple[str, str], Mapping[str, int]], parts: Sequence[Part], first: str, last: str
    ) -> list[Row]:
        codes = sorted(
            {
                name.split("|")[1]
                for (owner, _), names in found.items()
                if owner != PROVINCE
                for name in names
                if name.startswith("p|")
            }
        )
        rows = []
        for code in codes:
            pieces = []
            for part in parts:
                counters = self._counters(found, part.agency, f"p|{code}|")
                counters[NOW] = {**counters.get(NOW, {}), **counters.pop(NOW_BY_PROCEDURE, {})}
                pieces.append(self._figures(counters, first, last, part.since))
            procedure = self.province.procedures_by_code.get(code)
            rows.append(Row(code, procedure.name if procedure else Text(vi=code, en=code), self._sum(pieces)))
        return [row for row in rows if _anything(row.figures)]

    def _province(self, first: str, last: str, by: Grouping) -> tuple[Figures, list[Row]]:
        if by is Grouping.PROCEDURE:
            # Per procedure: every agency's items (they hold their procedures side by side).
            codes = [a.code for a in self.province.agencies]
            extra = [(code, NOW_BY_PROCEDURE) for code in codes]
            found = self._load({PROVINCE: first, **dict.fromkeys(codes, first)}, extra=extra)
            total = report(self._counters(found, PROVINCE), first, last, self.today())
            return total, self._procedures(found, [Part(code) for code in codes], first, last)
        if by is Grouping.MONTH:
            found = self._load({PROVINCE: first})
            counters = self._counters(found, PROVINCE)
            rows = [
                Row(m, _month_name(m), report(counters, m, m, self.today()))
                for m in months_between(first, last)
            ]
            return report(counters, first, last, self.today()), rows
        total, rows = self._by_agency(first, last)
        return total, rows

    def _by_agency(self, first: str, last: str) -> tuple[Figures, list[Row]]:
        """The province and its agencies side by side: the province's items (which hold every agency's
        names as `a|<agency>|<name>`) and each agency's `now` (its open dossiers by due day)."""
        codes = [a.code for a in self.province.agencies]
        found = self._load({PROVINCE: first}, extra=[(code, NOW) for code in codes])
        total = report(self._counters(found, PROVINCE), first, last, self.today())
        per_agency: dict[str, Counters] = {}
        for code in codes:
            counters = {
                period: _only(names, f"a|{code}|")
                for (owner, period), names in found.items()
                if owner == PROVINCE
            }
            counters[NOW] = _plain(found.get((code, NOW), {}))
            per_agency[code] = counters
        rows = []
        for agency in self.province.agencies:
            if agency.merged_into is not None:
                # Reported alone for the months before its merger; from then on in its successor's row.
                merged = _month(agency.merged_on) if agency.merged_on else None
                end = min(last, _previous(merged)) if merged else None
                figures = self._figures(per_agency[agency.code], first, end, None) if end else None
            else:
                figures = self._sum(
                    [
                        self._figures(per_agency[p.agency], first, last, p.since)
                        for p in self.parts(agency.code)
                    ]
                )
            if figures is not None and _anything(figures):
                rows.append(Row(agency.code, agency.name, figures))
        return total, rows

    # --- the procedures late most often -------------------------------------------------------

    def late_procedures(
        self, who: Principal, first: str, last: str, agency: str | None
    ) -> list[LateProcedure]:
        first, last = self.period(first, last)
        scoped = self.scope(who, agency)
        late: Counter[str] = Counter()
        resolved: Counter[str] = Counter()
        parts = [Part(PROVINCE)] if scoped is None else self.parts(scoped.code)
        wanted = [
            (part.agency, month)
            for part in parts
            for month in months_between(max(first, part.since) if part.since else first, last)
        ]
        for names in self.counters.read_keys(wanted).values():
            for name, value in names.items():
                if name.startswith("p|") and ".".join(name.split("|")[2:]).startswith("resolved."):
                    _, code, column = name.split("|")
                    if column in ("resolved.early", "resolved.on_time", "resolved.late"):
                        resolved[code] += value
                    if column == "resolved.late":
                        late[code] += value
        ranked = sorted((code for code in late if late[code] > 0), key=lambda c: (-late[c], c))[:LATE_TOP]
        return [
            LateProcedure(code, self._procedure_name(code), late[code], resolved[code]) for code in ranked
        ]

    def _procedure_name(self, code: str) -> Text:
        procedure = self.province.procedures_by_code.get(code)
        return procedure.name if procedure else Text(vi=code, en=code)

    # --- what falls due -----------------------------------------------------------------------

    def due(self, who: Principal, agency: str | None) -> list[tuple[date, int]]:
        """The open dossiers falling due on each working day of this week and the next."""
        scoped = self.scope(who, agency)
        owners = [PROVINCE] if scoped is None else [p.agency for p in self.parts(scoped.code)]
        found = self.counters.read_keys([(owner, NOW) for owner in owners])
        by_day: Counter[str] = Counter()
        for names in found.values():
            by_day.update(_only(names, "open.due."))
        today = self.today()
        monday = today - timedelta(days=today.weekday())
        calendar = self.province.working_calendar
        days = [monday + timedelta(days=n) for n in range(14)]
        return [(day, by_day[f"{day:%Y-%m-%d}"]) for day in days if calendar.is_working_day(day)]

    # --- the dossiers behind a number ---------------------------------------------------------

    def dossiers(
        self, who: Principal, agency: str, month: str, column: Column, token: str | None
    ) -> Page[Dossier]:
        self.period(month, month, ("month", "month"))
        scoped = self.scope(who, agency)
        assert scoped is not None
        this_month = _month(self.today())
        # An agency merged into this one counts from its merger's month: it is listed from then on.
        codes = [p.agency for p in self.parts(scoped.code) if p.since is None or p.since <= month]
        if column in RECEIVED:
            listings = [
                Listing("GSI2", f"{FILED_PREFIX}{c}#{month}", prefix=f"{RECEIVED[column]}#") for c in codes
            ]
        elif column in OPEN and month != this_month:
            listings = self._open_at_end(codes, month, this_month, overdue=column is Column.OVERDUE)
        elif column in OPEN:
            start_of_today = datetime.combine(self.today(), datetime.min.time(), tzinfo=VIETNAM_TZ)
            edge = stamp(start_of_today)
            listings = [
                Listing("GSI4", f"{OPEN_PREFIX}{c}", below=edge)
                if column is Column.OVERDUE
                else Listing("GSI4", f"{OPEN_PREFIX}{c}", from_=edge)
                for c in codes
            ]
        else:
            listings = [
                Listing("GSI4", f"{DONE_PREFIX}{c}#{month}", prefix=f"{column.value}#") for c in codes
            ]
        return self.index.dossiers(listings, limit=DRILL_PAGE, token=token)

    @staticmethod
    def _open_at_end(codes: Sequence[str], month: str, this_month: str, *, overdue: bool) -> list[Listing]:
        """The dossiers open at the end of a past month: filed before its end and open now, or finished
        in a month since; overdue: due before its end (as the report counts them)."""
        end = stamp(
            datetime.combine(date.fromisoformat(f"{_next(month)}-01"), datetime.min.time(), VIETNAM_TZ)
        )
        since = months_between(_next(month), this_month)
        listings = []
        for code in codes:
            if overdue:
                listings.append(Listing("GSI4", f"{OPEN_PREFIX}{code}", below=end))
                listings += [Listing("GSI4", f"{DONE_PREFIX}{code}#{m}", due_below=end) for m in since]
            else:
                listings.append(Listing("GSI4", f"{OPEN_PREFIX}{code}", from_=end, filed_below=end))
                listings += [
                    Listing("GSI4", f"{DONE_PREFIX}{code}#{m}", due_from=end, filed_below=end) for m in since
                ]
        return listings

    # --- the public page ----------------------------------------------------------------------

    def public(self, year: int) -> PublicResults:
        today = self.today()
        if not 2000 <= year <= today.year:
            raise _field_error(
                "year", f"year: năm {year} không có số liệu.", f"year: there are no figures for {year}."
            )
        last = _month(today) if year == today.year else f"{year}-12"
        first = f"{year}-01"
        total, rows = self._by_agency(first, last)
        months: dict[str, Figures] = {}
        _, month_rows = self._by_agency(last, last)
        for row in month_rows:
            months[row.key] = row.figures
        empty = replace(ZERO, waiting=None)
        return PublicResults(
            year=year,
            month=last,
            updated_at=self.clock.now(),
            province_year=total,
            rows=[
                PublicRow(self.province.agencies_by_code[row.key], row.figures, months.get(row.key, empty))
                for row in rows
            ],
        )


def _anything(figures: Figures) -> bool:
    return any(
        (
            figures.received,
            figures.resolved,
            figures.refused,
            figures.withdrawn,
            figures.stopped,
            figures.steps_late,
        )
    )


def _next(month: str) -> str:
    year, number = int(month[:4]), int(month[5:])
    return f"{year + 1:04d}-01" if number == 12 else f"{year:04d}-{number + 1:02d}"


def _previous(month: str) -> str:
    year, number = int(month[:4]), int(month[5:])
    return f"{year - 1:04d}-12" if number == 1 else f"{year:04d}-{number - 1:02d}"


def _month_name(month: str) -> Text:
    return Text(vi=f"Tháng {int(month[5:])}/{month[:4]}", en=f"{month[5:]}/{month[:4]}")
