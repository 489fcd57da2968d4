"""Drafts: a signed-in citizen's unfinished forms, one per procedure, kept with a version (ETag)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from chalicelib.http.area import Area
from chalicelib.http.endpoints import Access, Header
from chalicelib.http.responses import Reply
from motcua.domain.drafts import Draft, DraftPaper, etag
from motcua.services.drafts import DraftSave

if TYPE_CHECKING:
    from chalicelib.http.call import Call

area = Area(__name__, tag="drafts")

IF_MATCH = Header(
    "If-Match",
    'The version of the draft being replaced, as its `ETag` gave it (`"3"`): a draft saved meanwhile from '
    "another device is not overwritten (412, with its `current_version`).",
)
IF_NONE_MATCH = Header(
    "If-None-Match",
    "`*`: create the draft only if the citizen has none for this procedure (412 if they have). A save "
    "sends this or `If-Match` (428 without either).",
    schema={"type": "string", "enum": ["*"]},
)
ETAG = {"ETag": 'The draft\'s version (`"3"`), to send back as `If-Match`.'}


class DraftView(BaseModel):
    """A draft as the portal restores it: the answers, the papers uploaded, its version and dates."""

    procedure_code: str
    procedure_name: str
    answers: dict[str, Any]
    papers: list[DraftPaper]
    version: int
    saved_at: datetime
    expires_at: datetime


class DraftSummary(BaseModel):
    procedure_code: str
    procedure_name: str
    papers: int
    version: int
    saved_at: datetime
    expires_at: datetime


class DraftList(BaseModel):
    """The citizen's drafts, the most recently saved first (a province caps how many: all fit)."""

    items: list[DraftSummary]


class DraftDeleted(BaseModel):
    procedure_code: str
    deleted: bool


def _name(call: Call, code: str) -> str:
    procedure = call.container.province.procedures_by_code.get(code)
    return procedure.name.in_(call.language) if procedure else code


def _view(call: Call, draft: Draft) -> Reply:
    view = DraftView(
        procedure_code=draft.procedure_code,
        procedure_name=_name(call, draft.procedure_code),
        answers=draft.answers,
        papers=list(draft.papers),
        version=draft.version,
        saved_at=draft.saved_at,
        expires_at=draft.expires_at,
    )
    return Reply(view, headers={"ETag": etag(draft.version)})


@area.route("GET", "/v1/me/drafts", access=Access.CITIZEN, response=DraftList)
def my_drafts(call: Call) -> DraftList:
    """The signed-in citizen's drafts, the most recently saved first, with when each expires."""
    drafts = call.container.drafts.mine(call.principal)
    return DraftList(
        items=[
            DraftSummary(
                procedure_code=draft.procedure_code,
                procedure_name=_name(call, draft.procedure_code),
                papers=len(draft.papers),
                version=draft.version,
                saved_at=draft.saved_at,
                expires_at=draft.expires_at,
            )
            for draft in drafts
        ]
    )


@area.route(
    "GET",
    "/v1/me/drafts/{procedure_code}",
    access=Access.CITIZEN,
    response=DraftView,
    errors=(404,),
    response_headers=ETAG,
)
def get_draft(call: Call, procedure_code: str) -> Reply:
    """The signed-in citizen's draft of a procedure: answers and uploaded papers, to continue the form."""
    return _view(call, call.container.drafts.get(call.principal, procedure_code))


@area.route(
    "PUT",
    "/v1/me/drafts/{procedure_code}",
    access=Access.CITIZEN,
    body=DraftSave,
    response=DraftView,
    headers=(IF_MATCH, IF_NONE_MATCH),
    response_headers=ETAG,
    errors=(404, 409, 412, 428),
)
def save_draft(call: Call, procedure_code: str) -> Reply:
    """Save the draft of a procedure: create it (`If-None-Match: *`) or replace a version (`If-Match`).

    A draft expires the province's `drafts.keep_days` after its first save; filing the procedure removes
    it. 413 when the answers are larger than the province allows; 409 when the citizen has as many
    drafts as allowed.
    """
    draft = call.container.drafts.save(
        call.principal,
        procedure_code,
        call.body(DraftSave),
        if_match=call.header("If-Match"),
        if_none_match=call.header("If-None-Match"),
    )
    return _view(call, draft)


@area.route(
    "DELETE",
    "/v1/me/drafts/{procedure_code}",
    access=Access.CITIZEN,
    response=DraftDeleted,
    headers=(IF_MATCH,),
    errors=(400, 404, 412),
)
def delete_draft(call: Call, procedure_code: str) -> DraftDeleted:
    """Delete the signed-in citizen's draft of a procedure (of that version, with `If-Match`)."""
    call.container.drafts.delete(call.principal, procedure_code, if_match=call.header("If-Match"))
    return DraftDeleted(procedure_code=procedure_code, deleted=True)
