"""The procedure catalog and the province's agencies: public, read only."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib.http.area import Area
from chalicelib.http.endpoints import Access, Link
from chalicelib.models import (
    AgencyList,
    AgencyView,
    CatalogTopics,
    DeskView,
    ProcedureDetail,
    ProcedureQuery,
    ProcedureResults,
    TopicView,
)
from chalicelib.routes import links
from motcua.domain.receiving import receiving_desks

if TYPE_CHECKING:
    from chalicelib.http.call import Call
    from motcua.services.catalog import Topic

area = Area(__name__, tag="catalog")
CACHE = "public, max-age=300"


@area.route(
    "GET",
    "/v1/procedures",
    access=Access.PUBLIC,
    query=ProcedureQuery,
    response=ProcedureResults,
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
def list_procedures(call: Call) -> ProcedureResults:
    """Find procedures by words (best first), life event, field, receiving agency and service level."""
    query, services = call.query(ProcedureQuery), call.container
    page = services.catalog.search(
        q=query.q,
        agency=query.agency,
        level=query.level,
        event=query.event,
        field=query.field,
        limit=query.limit,
        token=query.next_token,
    )
    return ProcedureResults(
        items=[services.presenter.procedure(p, call.language) for p in page.items],
        next_token=page.next_token,
        suggestions=[services.presenter.procedure(p, call.language) for p in page.suggestions],
    )


@area.route("GET", "/v1/catalog", access=Access.PUBLIC, response=CatalogTopics, cache=CACHE)
def catalog_topics(call: Call) -> CatalogTopics:
    """What to browse the catalog by: life events (sinh con, kết hôn…) and fields, each with its count."""
    topics = call.container.catalog.topics()

    def views(found: list[Topic]) -> list[TopicView]:
        return [TopicView(id=t.id, name=t.name.in_(call.language), count=t.count) for t in found]

    return CatalogTopics(life_events=views(topics.life_events), fields=views(topics.fields))


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
    policy = services.province.uploads
    limits = {"max_bytes": policy.max_bytes, "max_pages": policy.max_pages}
    desks = [
        DeskView(code=desk.code, name=desk.name.in_(call.language))
        for desk in receiving_desks(services.province, procedure)
    ]
    return ProcedureDetail.model_validate(
        procedure.model_dump() | {"agency_name": agency_name, "upload_limits": limits, "desks": desks}
    )


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
