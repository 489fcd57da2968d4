"""The leaders' statistics: reports per agency, procedure and month, their exports, the procedures late
most often, what falls due, the dossiers behind a number; and the province's public results
(docs/statistics.md)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field

from chalicelib.http.area import Area
from chalicelib.http.endpoints import Access
from chalicelib.http.responses import FileReply
from motcua.documents.statistics_table import CSV, XLSX, csv_bytes, filename, xlsx
from motcua.domain.drilldown import Column
from motcua.presentation.statistics import (
    DrillView,
    DueDay,
    DueView,
    LateView,
    PublicView,
    ReportView,
    drill_item,
    late_view,
    public_view,
    report_view,
)
from motcua.services.statistics import Grouping

if TYPE_CHECKING:
    from chalicelib.http.call import Call

area = Area(__name__, tag="statistics")

MONTH = "A month, YYYY-MM in Vietnam's time (422 naming the field when it is not one)."


class ReportQuery(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    from_: str = Field(alias="from", max_length=16, description=f"The first month. {MONTH}")
    to: str = Field(max_length=16, description=f"The last month, at most 36 after `from`. {MONTH}")
    agency: str | None = Field(
        default=None,
        max_length=32,
        description=(
            "An agency's code. Absent: a leader's own agency, an administrator's whole province. "
            "A leader may ask their agency and the agencies merged into it (403 otherwise)."
        ),
    )
    by: Literal["agency", "procedure", "month"] = Field(
        default="agency", description="The rows: per agency, per procedure or per month."
    )


class ExportQuery(ReportQuery):
    format: Literal["xlsx", "csv"] = Field(
        default="xlsx", description="XLSX (the default) or CSV (UTF-8 with BOM)."
    )


class LateQuery(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    from_: str = Field(alias="from", max_length=16, description=f"The first month. {MONTH}")
    to: str = Field(max_length=16, description=f"The last month. {MONTH}")
    agency: str | None = Field(default=None, max_length=32, description="As for the report.")


class DueQuery(BaseModel):
    agency: str | None = Field(default=None, max_length=32, description="As for the report.")


class DrillQuery(BaseModel):
    agency: str = Field(
        max_length=32, description="The agency whose number it is (with those merged into it)."
    )
    month: str = Field(max_length=16, description=f"The month of the number. {MONTH}")
    column: Literal[
        "received_online",
        "received_counter",
        "received_post",
        "early",
        "on_time",
        "late",
        "refused",
        "withdrawn",
        "stopped",
        "in_time",
        "overdue",
    ] = Field(
        description="The report's column; `in_time` and `overdue` for the current month only (422 otherwise)."
    )
    next_token: str | None = Field(
        default=None, max_length=2048, description="The previous page's next_token."
    )


class PublicQuery(BaseModel):
    year: int | None = Field(default=None, description="The year; absent: this year. 422 for a year to come.")


@area.route(
    "GET", "/v1/statistics", access=Access.STAFF, query=ReportQuery, response=ReportView, errors=(404, 422)
)
def statistics_report(call: Call) -> ReportView:
    """A report of a range of months in the columns provinces publish, per agency, procedure or month.

    Read from the counters kept from the table's stream: its cost grows with the months and the
    agencies shown, never with the dossiers. An agency merged into another counts into it from the
    month of its merger; before that month it is reported alone (docs/statistics.md).
    """
    query = call.query(ReportQuery)
    found = call.container.statistics_reports.report(
        call.principal, query.from_, query.to, query.agency, Grouping(query.by)
    )
    return report_view(found, call.language)


@area.route(
    "GET",
    "/v1/statistics/export",
    access=Access.STAFF,
    query=ExportQuery,
    response=ReportView,
    produces=f"{XLSX}, text/csv",
    errors=(404, 422),
)
def statistics_export(call: Call) -> FileReply:
    """The same report as a file to keep: XLSX with Vietnamese headers, the period and the agency above
    the table, or CSV (UTF-8 with a byte-order mark)."""
    query = call.query(ExportQuery)
    container = call.container
    found = container.statistics_reports.report(
        call.principal, query.from_, query.to, query.agency, Grouping(query.by)
    )
    if query.format == "csv":
        return FileReply(csv_bytes(found), CSV, filename(found, "csv"), download=True)
    return FileReply(xlsx(found, container.province.name.vi), XLSX, filename(found, "xlsx"), download=True)


@area.route(
    "GET",
    "/v1/statistics/late-procedures",
    access=Access.STAFF,
    query=LateQuery,
    response=LateView,
    errors=(404, 422),
)
def late_procedures(call: Call) -> LateView:
    """The ten procedures resolved late most often in a range of months, with how many were resolved."""
    query = call.query(LateQuery)
    rows = call.container.statistics_reports.late_procedures(
        call.principal, query.from_, query.to, query.agency
    )
    return late_view(rows, call.language)


@area.route("GET", "/v1/statistics/due", access=Access.STAFF, query=DueQuery, response=DueView, errors=(404,))
def due(call: Call) -> DueView:
    """The open dossiers falling due on each working day of this week and the next."""
    query = call.query(DueQuery)
    days = call.container.statistics_reports.due(call.principal, query.agency)
    return DueView(days=[DueDay(date=day, count=count) for day, count in days])


@area.route(
    "GET",
    "/v1/statistics/dossiers",
    access=Access.STAFF,
    query=DrillQuery,
    response=DrillView,
    errors=(404, 422),
)
def statistics_dossiers(call: Call) -> DrillView:
    """The dossiers behind a number of the report (no personal data), a page at a time.

    One Query on an index per page, never a Scan.
    """
    query = call.query(DrillQuery)
    container = call.container
    page = container.statistics_reports.dossiers(
        call.principal, query.agency, query.month, Column(query.column), query.next_token
    )
    return DrillView(
        items=[drill_item(d, container.province, call.language) for d in page.items],
        next_token=page.next_token,
    )


@area.route(
    "GET",
    "/v1/public/results",
    access=Access.PUBLIC,
    query=PublicQuery,
    response=PublicView,
    errors=(422,),
    cache="public, max-age=300",
)
def public_results(call: Call) -> PublicView:
    """The province's results (tình hình giải quyết hồ sơ): the on-time rate per agency this year and
    this month. No sign-in, no personal data."""
    query = call.query(PublicQuery)
    reports = call.container.statistics_reports
    return public_view(reports.public(query.year or reports.today().year), call.language)
