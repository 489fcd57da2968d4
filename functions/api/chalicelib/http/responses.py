"""What a route answers (Reply, FileReply), sent as JSON or as a file; a domain error as our error body."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from chalice.app import Response
from pydantic import BaseModel

from chalicelib.errors import error_body, status_of
from motcua.domain.errors import Unavailable
from motcua.domain.files import content_disposition
from motcua.observability import logger
from motcua.presentation.security import API_HEADERS, FILE_HEADERS

if TYPE_CHECKING:
    from collections.abc import Mapping

    from motcua.domain.errors import DomainError
    from motcua.domain.i18n import Language

JSON_TYPE = "application/json; charset=utf-8"
# On every answer, whoever calls: a browser that opens the API directly must take each answer as the
# type it says (an error quoting a citizen's text is JSON, never HTML to run).
SECURITY_HEADERS: Mapping[str, str] = API_HEADERS


@dataclass
class Reply:
    """A success answer that needs more than the route's declared status: headers, another status."""

    body: BaseModel
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class FileReply:
    """A success answer that is a file (a PDF, a ZIP), shown in the browser under `filename`, or saved."""

    content: bytes
    content_type: str
    filename: str
    download: bool = False


def error_response(error: DomainError, language: Language) -> Response:
    status = status_of(error)
    headers = {"Cache-Control": "no-store"}
    if isinstance(error, Unavailable):
        logger.warning("a dependency is unavailable", extra={"code": error.code})
        headers["Retry-After"] = str(error.retry_after)
    elif status >= 500:  # pragma: no cover — no other domain error maps there today
        logger.error("domain error answered as a server error", extra={"code": error.code})
    return json_response(error_body(error, language), status, language, headers)


def json_response(body: BaseModel, status: int, language: Language, headers: Mapping[str, str]) -> Response:
    sent: dict[str, str | list[str]] = {
        "Content-Type": JSON_TYPE,
        "Content-Language": language,
        "Vary": "Accept-Language",
        **SECURITY_HEADERS,
    }
    sent.update(headers)
    return Response(body=body.model_dump_json(), status_code=status, headers=sent)


def file_response(reply: FileReply, status: int, cache: str | None) -> Response:
    # Opened in the browser, or saved (an archive); a Vietnamese name percent-encoded, after an ASCII one.
    disposition = content_disposition(reply.filename, inline=not reply.download)
    return Response(
        body=reply.content,
        status_code=status,
        headers={
            "Content-Type": reply.content_type,
            "Content-Disposition": disposition,
            "Cache-Control": cache or "private, no-store",
            **FILE_HEADERS,
        },
    )
