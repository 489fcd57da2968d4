"""The statistics as the API shows them (docs/statistics.md; the contract in the README's API section)."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field

if TYPE_CHECKING:
    from motcua.config.province import Province
    from motcua.domain.i18n import Language
    from motcua.domain.models import Dossier
    from motcua.domain.reports import LateProcedure, PublicResults, Report
    from motcua.domain.statistics import Figures


class FiguresView(BaseModel):
    carried_over: int = Field(description="Open at the start of the period (kỳ trước chuyển qua).")
    received_online: int
    received_counter: int
    received_post: int
    new: int = Field(description="Filed within the period: online + counter + post.")
    received: int = Field(description="carried_over + new.")
    early: int
    on_time: int
    late: int
    resolved: int = Field(description="early + on_time + late.")
    in_time: int = Field(description="Open at the end of the period, not yet due.")
    overdue: int = Field(description="Open at the end of the period, past its due time.")
    in_progress: int
    refused: int
    withdrawn: int
    stopped: int
    waiting: int | None = Field(
        description="Waiting on the citizen now; null for a period ending before today's month."
    )
    on_time_rate: float | None = Field(
        description="(early + on_time) / resolved, 0..1; null when nothing was resolved."
    )
    average_working_days: float | None
    steps_early: int
    steps_on_time: int
    steps_late: int
    fees_due: int = Field(
        description="New dossiers asked to pay a fee at filing or a financial obligation (status 6)."
    )
    fees_online: int = Field(description="Of fees_due, those paid online through the payment gateway.")


class AgencyRef(BaseModel):
    code: str
    name: str


class ReportRow(FiguresView):
    key: str = Field(description="The agency's code, the procedure's code or the month (YYYY-MM).")
    name: str


class ReportView(BaseModel):
    model_config = ConfigDict(serialize_by_alias=True, validate_by_name=True)

    from_: str = Field(alias="from", serialization_alias="from")
    to: str
    agency: AgencyRef | None = Field(description="null: the whole province.")
    by: str
    total: FiguresView
    rows: list[ReportRow]


class LateRow(BaseModel):
    procedure: str
    name: str
    late: int
    resolved: int


class LateView(BaseModel):
    rows: list[LateRow] = Field(description="Ten at most, the most late first.")


class DueDay(BaseModel):
    date: date
    count: int


class DueView(BaseModel):
    days: list[DueDay] = Field(description="Each working day of this week and the next.")


class DrillItem(BaseModel):
    code: str
    procedure: str
    procedure_name: str
    status: int
    filed_at: datetime
    due_at: datetime
    finished_at: datetime | None


class DrillView(BaseModel):
    items: list[DrillItem]
    next_token: str | None


class PublicFigures(BaseModel):
    resolved: int
    on_time: int = Field(description="Resolved early or on time.")
    on_time_rate: float | None
    received: int


class PublicProvince(BaseModel):
    resolved: int
    on_time: int
    on_time_rate: float | None


class PublicRowView(BaseModel):
    agency: str
    name: str
    year: PublicFigures
    month: PublicFigures


class PublicView(BaseModel):
    year: int
    month: str
    updated_at: datetime
    province: PublicProvince
    rows: list[PublicRowView]


def figures_fields(figures: Figures) -> dict[str, int | float | None]:
    return {
        "carried_over": figures.carried_over,
        "received_online": figures.received_online,
        "received_counter": figures.received_counter,
        "received_post": figures.received_post,
        "new": figures.new,
        "received": figures.received,
        "early": figures.early,
        "on_time": figures.on_time,
        "late": figures.late,
        "resolved": figures.resolved,
        "in_time": figures.in_time,
        "overdue": figures.overdue,
        "in_progress": figures.in_progress,
        "refused": figures.refused,
        "withdrawn": figures.withdrawn,
        "stopped": figures.stopped,
        "waiting": figures.waiting,
        "on_time_rate": figures.on_time_rate,
        "average_working_days": figures.average_working_days,
        "steps_early": figures.steps_early,
        "steps_on_time": figures.steps_on_time,
        "steps_late": figures.steps_late,
        "fees_due": figures.fees_due,
        "fees_online": figures.fees_online,
    }


def report_view(found: Report, language: Language) -> ReportView:
    agency = AgencyRef(code=found.agency.code, name=found.agency.name.in_(language)) if found.agency else None
    return ReportView.model_validate(
        {
            "from": found.first,
            "to": found.last,
            "agency": agency,
            "by": found.by.value,
            "total": figures_fields(found.total),
            "rows": [
                {"key": row.key, "name": row.name.in_(language), **figures_fields(row.figures)}
                for row in found.rows
            ],
        }
    )


def late_view(rows: list[LateProcedure], language: Language) -> LateView:
    return LateView(
        rows=[
            LateRow(procedure=r.code, name=r.name.in_(language), late=r.late, resolved=r.resolved)
            for r in rows
        ]
    )


def drill_item(dossier: Dossier, province: Province, language: Language) -> DrillItem:
    procedure = province.procedures_by_code.get(dossier.procedure_code)
    return DrillItem(
        code=dossier.code,
        procedure=dossier.procedure_code,
        procedure_name=procedure.name.in_(language) if procedure else dossier.procedure_code,
        status=int(dossier.status),
        filed_at=dossier.filed_at,
        due_at=dossier.due_at,
        finished_at=dossier.finished_at,
    )


def _public(figures: Figures) -> PublicFigures:
    return PublicFigures(
        resolved=figures.resolved,
        on_time=figures.early + figures.on_time,
        on_time_rate=figures.on_time_rate,
        received=figures.received,
    )


def public_view(results: PublicResults, language: Language) -> PublicView:
    total = results.province_year
    return PublicView(
        year=results.year,
        month=results.month,
        updated_at=results.updated_at,
        province=PublicProvince(
            resolved=total.resolved, on_time=total.early + total.on_time, on_time_rate=total.on_time_rate
        ),
        rows=[
            PublicRowView(
                agency=row.agency.code,
                name=row.agency.name.in_(language),
                year=_public(row.year),
                month=_public(row.month),
            )
            for row in results.rows
        ],
    )
