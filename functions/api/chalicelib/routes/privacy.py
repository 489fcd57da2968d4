"""Personal data: the staff access log for an agency's leaders, and a citizen's export of their own data."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import BaseModel

from chalicelib.http.area import Area
from chalicelib.http.endpoints import Access
from chalicelib.http.responses import FileReply
from chalicelib.models import PageQuery
from motcua.domain.access import AccessEntry
from motcua.domain.models import Page

if TYPE_CHECKING:
    from chalicelib.http.call import Call

area = Area(__name__, tag="privacy")
ZIP = "application/zip"


class ExportArchive(BaseModel):
    """A ZIP archive (documented as a file: this model is not what is sent)."""


@area.route(
    "GET",
    "/v1/agencies/{agency_code}/access-log",
    access=Access.STAFF,
    query=PageQuery,
    response=Page[AccessEntry],
    errors=(404,),
)
def agency_access_log(call: Call, agency_code: str) -> Page[AccessEntry]:
    """Who of the agency's staff opened which dossier's personal data, newest first (leaders only)."""
    query = call.query(PageQuery)
    return call.container.access.for_agency(
        call.principal, agency_code, limit=query.limit, token=query.next_token
    )


@area.route(
    "GET",
    "/v1/dossiers/{code}/access-log",
    access=Access.STAFF,
    query=PageQuery,
    response=Page[AccessEntry],
    errors=(404,),
)
def dossier_access_log(call: Call, code: str) -> Page[AccessEntry]:
    """Who opened the dossier's personal data, newest first (leaders of an agency involved)."""
    query = call.query(PageQuery)
    services = call.container
    dossier = services.dossiers.load_for(call.principal, code).dossier
    return services.access.for_dossier(call.principal, dossier, limit=query.limit, token=query.next_token)


@area.route("GET", "/v1/me/export", access=Access.CITIZEN, response=ExportArchive, produces=ZIP)
def my_data(call: Call) -> FileReply:
    """Everything held about the signed-in citizen, as one ZIP (send Accept: application/zip).

    `du-lieu-cua-toi.json` holds the account and every dossier (record, status history, messages
    sent); the papers and signed results follow as files, up to 4 MB in all; the files left out are
    listed in `files_not_included` with a link valid for a few minutes.
    """
    content, filename = call.container.export.export(call.principal)
    return FileReply(content=content, content_type=ZIP, filename=filename, download=True)
