"""The Decision 766/QĐ-TTg indicators of a period, for leaders and administrators (docs/indicators.md)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field

from chalicelib.http.area import Area
from chalicelib.http.endpoints import Access
from motcua.domain.indicators import GROUP_NAMES, Group
from motcua.services.indicators import IndicatorService

if TYPE_CHECKING:
    from chalicelib.http.call import Call

area = Area(__name__, tag="statistics")


class IndicatorQuery(BaseModel):
    """The period (whole months in Vietnam's time) and, if not the caller's own, the agency."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    first: str | None = Field(
        default=None,
        alias="from",
        max_length=20,
        description="First month, YYYY-MM (January of `to`'s year by default).",
    )
    last: str | None = Field(
        default=None,
        alias="to",
        max_length=20,
        description="Last month, YYYY-MM (this month by default).",
    )
    agency: str | None = Field(
        default=None,
        max_length=40,
        description=(
            "An agency's code: the leader's own by default (or one merged into it); "
            "for an administrator, absent means the whole province."
        ),
    )


class AgencyRef(BaseModel):
    code: str
    name: str


class GroupView(BaseModel):
    key: Group
    name: str


class IndicatorView(BaseModel):
    key: str = Field(description="Stable name of the indicator, e.g. `on_time_rate`.")
    group: Group
    name: str
    clause: str = Field(
        description="The criterion of Decision 766/QĐ-TTg it measures, as its appendix names it."
    )
    formula: str = Field(description="How motcua computes it from its counters.")
    held: bool = Field(description="`false`: needs data motcua does not hold yet (`missing` says which).")
    numerator: int | None
    denominator: int | None
    value: float | None = Field(
        description="numerator / denominator, 0..1; null when not held or nothing to divide."
    )
    missing: str | None = None


class IndicatorsAnswer(BaseModel):
    """The indicators of the period, in the decision's order of groups."""

    model_config = ConfigDict(serialize_by_alias=True, populate_by_name=True)

    first: str = Field(alias="from")
    last: str = Field(alias="to")
    agency: AgencyRef | None = Field(description="null: the whole province")
    groups: list[GroupView]
    items: list[IndicatorView]


@area.route(
    "GET",
    "/v1/statistics/indicators",
    access=Access.STAFF,
    query=IndicatorQuery,
    response=IndicatorsAnswer,
    errors=(404,),
)
def indicators(call: Call) -> IndicatorsAnswer:
    """The Decision 766/QĐ-TTg indicators motcua can measure, for a range of months.

    Five groups (công khai, minh bạch; tiến độ, kết quả giải quyết; số hoá hồ sơ; cung cấp dịch vụ trực
    tuyến; mức độ hài lòng): each indicator with its criterion in the decision, its formula on motcua's
    counters and its value; those that need data motcua does not hold yet have `held: false` and say
    which. For leaders (their agency, or one merged into it) and administrators (any agency, or the
    province without `agency`). 422 naming the field for a month not YYYY-MM, a period upside down,
    ending after this month or longer than 36 months; 403 for another agency.
    """
    query = call.query(IndicatorQuery)
    services = call.container
    read = IndicatorService(services.province, services.statistics, services.ratings, services.clock).read(
        call.principal, query.first, query.last, query.agency
    )
    language = call.language
    return IndicatorsAnswer(
        first=read.first,
        last=read.last,
        agency=None
        if read.agency is None
        else AgencyRef(code=read.agency.code, name=read.agency.name.in_(language)),
        groups=[GroupView(key=group, name=GROUP_NAMES[group].in_(language)) for group in Group],
        items=[
            IndicatorView(
                key=item.definition.key,
                group=item.definition.group,
                name=item.definition.name.in_(language),
                clause=item.definition.clause,
                formula=item.definition.formula.in_(language),
                held=item.definition.held,
                numerator=item.numerator,
                denominator=item.denominator,
                value=item.value,
                missing=None if item.definition.missing is None else item.definition.missing.in_(language),
            )
            for item in read.items
        ],
    )
