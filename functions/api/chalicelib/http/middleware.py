"""What runs around requests: `handle` around each route's function, `install` around all of the app's."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from pydantic import BaseModel

from chalicelib.errors import error_body, framework_error, internal_body, unanswered
from chalicelib.http.call import Call
from chalicelib.http.responses import (
    SECURITY_HEADERS,
    FileReply,
    Reply,
    error_response,
    file_response,
    json_response,
)
from motcua.domain.errors import DomainError
from motcua.domain.i18n import pick_language
from motcua.observability import flush, logger

if TYPE_CHECKING:
    from chalice.app import Chalice, Request, Response

    from chalicelib.http.endpoints import Endpoint

RouteFunction = Callable[..., BaseModel | Reply | FileReply]


def handle(request: Request, endpoint: Endpoint, function: RouteFunction, params: dict[str, str]) -> Response:
    """Run one route: check the call, call `function`, and shape its answer, or its error, as the API's."""
    language = pick_language(request.headers.get("accept-language"))
    try:
        call = Call(request, endpoint, language)
        call.open()
        result = function(call, **params)
        if isinstance(result, FileReply):
            return file_response(result, endpoint.status, endpoint.cache)
        reply = result if isinstance(result, Reply) else Reply(result)
        if reply.status == 304:  # Not Modified: the headers only (the board's ETag)
            from chalice.app import Response as Answer

            kept: dict[str, str | list[str]] = {
                "Cache-Control": endpoint.cache or "no-store",
                **reply.headers,
            }
            return Answer(body="", status_code=304, headers=kept)
        return json_response(
            reply.body,
            reply.status or endpoint.status,
            language,
            {"Cache-Control": endpoint.cache or "no-store"} | reply.headers,
        )
    except DomainError as error:
        return error_response(error, language)
    except Exception as error:
        busy = unanswered(error)
        if busy is not None:
            logger.warning(
                "an AWS call went unanswered",
                extra={"route": f"{endpoint.method} {endpoint.path}", "error": type(error).__name__},
            )
            return error_response(busy, language)
        logger.exception(
            "unhandled error", extra={"route": f"{endpoint.method} {endpoint.path}", "params": params}
        )
        return json_response(internal_body(language), 500, language, {"Cache-Control": "no-store"})


def install(app: Chalice) -> None:
    """Tag the request's log lines, answer in our error shape the few requests chalice refuses before
    any route runs (405, 415), and send the security headers on every answer, whoever shaped it."""

    @app.middleware("http")
    def around_every_request(request: Request, get_response: Callable[[Request], Response]) -> Response:
        # Every log line of this request carries API Gateway's request id, to find it from a user's report.
        logger.append_keys(request_id=(request.context or {}).get("requestId") if request else None)
        try:
            response = _shaped(request, get_response)
        finally:
            flush()
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response


def _shaped(request: Request, get_response: Callable[[Request], Response]) -> Response:
    """The route's answer, or chalice's own refusal said in our error shape."""
    response = get_response(request)
    body = response.body
    if response.status_code < 400 or not isinstance(body, dict) or "Code" not in body:
        return response
    language = pick_language(request.headers.get("accept-language") if request else None)
    if response.status_code >= 500:
        logger.error("framework error", extra={"body": body})
        return json_response(internal_body(language), 500, language, {"Cache-Control": "no-store"})
    error = framework_error(response.status_code, request.headers.get("content-type") if request else None)
    extra = {k: str(v) for k, v in response.headers.items() if k.lower() == "allow"}
    return json_response(error_body(error, language), response.status_code, language, extra)
