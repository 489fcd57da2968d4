"""Documents (Mẫu 01–05 as PDFs), signed results, and their verification by anyone."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib.http.area import Area
from chalicelib.http.endpoints import Access, Link
from chalicelib.http.responses import FileReply
from motcua.services.results import DocumentList, IssueResult, ResultIssued, VerifyAnswer, VerifyByCode

if TYPE_CHECKING:
    from chalicelib.http.call import Call

area = Area(__name__, tag="documents")
PDF = "application/pdf"


@area.route(
    "GET",
    "/v1/dossiers/{code}/documents",
    access=Access.SIGNED_IN,
    response=DocumentList,
    errors=(404,),
    links=(
        Link(
            "GetDocument",
            "get_document",
            {"code": "$request.path.code", "name": "$response.body#/items/0/name"},
            "The first document as a PDF.",
        ),
    ),
)
def list_documents(call: Call, code: str) -> DocumentList:
    """The dossier's documents: receipt, requests, refusal, apologies, control slip and signed results."""
    return call.container.results.documents(call.principal, code, call.language)


@area.route(
    "GET",
    "/v1/dossiers/{code}/documents/{name}",
    access=Access.SIGNED_IN,
    response=DocumentList,
    produces=PDF,
    errors=(404,),
)
def get_document(call: Call, code: str, name: str) -> FileReply:
    """One document as a PDF (send Accept: application/pdf); a result is the signed file itself."""
    content, filename = call.container.results.document(call.principal, code, name, call.language)
    return FileReply(content=content, content_type=PDF, filename=filename)


@area.route(
    "POST",
    "/v1/dossiers/{code}/results",
    access=Access.STAFF,
    body=IssueResult,
    response=ResultIssued,
    status=201,
    errors=(404, 409),
    links=(
        Link("ListDocuments", "list_documents", {"code": "$request.path.code"}, "The dossier's documents."),
    ),
)
def issue_result(call: Call, code: str) -> ResultIssued:
    """Issue the result `<code>-KQ<n>`: drawn by the platform or uploaded, signed with the agency's key.

    For officers and leaders of the agency that received the dossier.
    """
    return call.container.results.issue(call.principal, code, call.body(IssueResult), call.language)


@area.route(
    "POST",
    "/v1/verify",
    access=Access.PUBLIC,
    body=VerifyByCode,
    raw=(PDF,),
    response=VerifyAnswer,
    errors=(404,),
)
def verify(call: Call) -> VerifyAnswer:
    """Whether a result is what the agency signed: send the PDF itself, or `{"result_code": …}`."""
    results = call.container.results
    pdf = call.raw()
    code = None if pdf is not None else call.body(VerifyByCode).result_code
    return results.verify(pdf=pdf, result_code=code, language=call.language)
