"""The procedure catalog and the province's agencies: public, read only."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib.http.area import Area
from chalicelib.http.endpoints import Access, Link
from chalicelib.models import AgencyList, AgencyView, ProcedureDetail, ProcedureQuery
from chalicelib.routes import links
from motcua.domain.models import Page
from motcua.presentation.views import ProcedureSummary

if TYPE_CHECKING:
    from chalicelib.http.call import Call

area = Area(__name__, tag="catalog")
CACHE = "public, max-age=300"


@area.route(
    "GET",
    "/v1/procedures",
    access=Access.PUBLIC,
    query=ProcedureQuery,
    response=Page[ProcedureSummary],
    cache=CACHE,
    links=(
        Link(
            "GetProcedure",
            "get_procedure",
            {"procedure_code": "$response.body#/items/0/code"},
            "The procedure's papers, fee, time and form.",
        ),
        *links.agency("/items/0/agency"),
    ),
)
def list_procedures(call: Call) -> Page[ProcedureSummary]:
    """Find procedures by words, receiving agency and service level."""
    query, services = call.query(ProcedureQuery), call.container
    page = services.catalog.search(
        q=query.q, agency=query.agency, level=query.level, limit=query.limit, token=query.next_token
    )
    items = [services.presenter.procedure(p, call.language) for p in page.items]
    return Page[ProcedureSummary](items=items, next_token=page.next_token)


@area.route(
    "GET",
    "/v1/procedures/{procedure_code}",
    access=Access.PUBLIC,
    response=ProcedureDetail,
    errors=(404,),
    cache=CACHE,
)
def get_procedure(call: Call, procedure_code: str) -> ProcedureDetail:
    """A procedure: papers, fee, legal time, service level, receiving agency and application form schema."""
    services = call.container
    procedure = services.catalog.get(procedure_code)
    agency_name = services.presenter.agency_name(procedure.agency, call.language)
    return ProcedureDetail.model_validate(procedure.model_dump() | {"agency_name": agency_name})


@area.route(
    "GET",
    "/v1/agencies",
    access=Access.PUBLIC,
    response=AgencyList,
    cache=CACHE,
    links=links.agency("/items/0/code"),
)
def list_agencies(call: Call) -> AgencyList:
    """The province's agencies, merged ones included (their dossier codes stay valid)."""
    agencies = call.container.province.agencies
    return AgencyList(
        items=[
            AgencyView(
                code=a.code,
                name=a.name.in_(call.language),
                kind=a.kind,
                parent=a.parent,
                merged_into=a.merged_into,
            )
            for a in agencies
        ]
    )
