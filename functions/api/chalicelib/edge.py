"""The HTTP edge: one decorator declares a route, checks who calls, reads its input, shapes every answer."""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import quote

from chalice.app import Blueprint, Response
from pydantic import BaseModel, ValidationError

from chalicelib import deps
from chalicelib.errors import (
    error_body,
    framework_error,
    internal_body,
    invalid_body,
    invalid_query,
    status_of,
)
from motcua.domain.errors import BadRequest, DomainError, Forbidden, PayloadTooLarge, Unauthenticated
from motcua.domain.i18n import Language, Text, pick_language
from motcua.domain.models import PrincipalKind
from motcua.observability import flush, logger

if TYPE_CHECKING:
    from chalice.app import Chalice, Request

    from motcua.container import Container
    from motcua.domain.models import Principal


MAX_BODY_BYTES = 256 * 1024
# A file sent as the body itself (a PDF to verify): what API Gateway and Lambda carry in one request.
MAX_RAW_BYTES = 4 * 1024 * 1024
JSON_TYPE = "application/json; charset=utf-8"
_PATH_PARAM = re.compile(r"{(\w+)}")


class Access(StrEnum):
    """Who may call a route; the OpenAPI document turns it into per-operation security."""

    PUBLIC = "public"
    CITIZEN = "citizen"
    STAFF = "staff"
    SIGNED_IN = "signed_in"  # a citizen or a member of staff


@dataclass(frozen=True)
class Header:
    """A request header a route reads (documented; the service checks its value)."""

    name: str
    description: str
    required: bool = False
    schema: Mapping[str, Any] = field(default_factory=lambda: {"type": "string"})


@dataclass(frozen=True)
class Endpoint:
    """What the registry knows of a route: enough to run it and to document it."""

    method: str
    path: str
    name: str
    summary: str
    description: str
    tag: str
    access: Access
    response: type[BaseModel]
    status: int
    body: type[BaseModel] | None
    query: type[BaseModel] | None
    headers: tuple[Header, ...]
    response_headers: Mapping[str, str]
    errors: frozenset[int]
    cache: str | None
    # What a success answers with: JSON (`response`), or a file of this media type (a PDF).
    produces: str = "application/json"
    # Media types the body may also be sent as, raw (a PDF), instead of the JSON `body`.
    raw: tuple[str, ...] = ()

    @property
    def path_params(self) -> list[str]:
        return _PATH_PARAM.findall(self.path)


@dataclass
class Reply:
    """A success answer that needs more than the route's declared status: headers, another status."""

    body: BaseModel
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class FileReply:
    """A success answer that is a file (a PDF), shown in the browser under `filename`."""

    content: bytes
    content_type: str
    filename: str


M = TypeVar("M", bound=BaseModel)
RouteFunction = Callable[..., BaseModel | Reply | FileReply]


class Call:
    """What a route function gets: who calls, in which language, its checked input and the services."""

    def __init__(self, request: Request, endpoint: Endpoint, language: Language) -> None:
        self.request = request
        self.endpoint = endpoint
        self.language = language
        self._principal: Principal | None = None
        self._body: BaseModel | None = None
        self._query: BaseModel | None = None
        self._raw: bytes | None = None

    @property
    def container(self) -> Container:
        return deps.get_container()

    @property
    def principal(self) -> Principal:
        if self._principal is None:  # a public route asked who calls
            raise Unauthenticated()
        return self._principal

    def body(self, model: type[M]) -> M:
        if not isinstance(self._body, model):
            raise TypeError(f"{self.endpoint.name} declares body {self.endpoint.body}, not {model}")
        return self._body

    def raw(self) -> bytes | None:
        """The body as sent, when it came as one of the endpoint's raw media types (else None)."""
        return self._raw

    def query(self, model: type[M]) -> M:
        if not isinstance(self._query, model):
            raise TypeError(f"{self.endpoint.name} declares query {self.endpoint.query}, not {model}")
        return self._query

    def header(self, name: str) -> str | None:
        value = self.request.headers.get(name.lower())
        return str(value) if value is not None else None

    def open(self) -> None:
        """Check, in this order, who calls, the query and the body; raise the first problem."""
        if self.endpoint.access is not Access.PUBLIC:
            self._principal = self._authenticate()
        if self.endpoint.query is not None:
            # The last value of a repeated parameter; an empty one (`?agency=`) counts as absent.
            params = {k: v for k, v in (self.request.query_params or {}).items() if v != ""}
            try:
                self._query = self.endpoint.query.model_validate(params)
            except ValidationError as error:
                raise invalid_query(error) from error
        media_type = (self.header("Content-Type") or "").split(";")[0].strip().lower()
        if media_type and media_type in self.endpoint.raw:
            self._raw = self._raw_body()
        elif self.endpoint.body is not None:
            try:
                self._body = self.endpoint.body.model_validate(self._json_object())
            except ValidationError as error:
                raise invalid_body(error) from error

    def _authenticate(self) -> Principal:
        scheme, _, token = (self.header("Authorization") or "").strip().partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthenticated()
        principal = self.container.verifier.verify(token.strip())
        if self.endpoint.access is Access.CITIZEN and principal.kind is not PrincipalKind.CITIZEN:
            raise Forbidden(Text(vi="Chức năng này chỉ dành cho công dân.", en="This is for citizens only."))
        if self.endpoint.access is Access.STAFF and principal.kind is not PrincipalKind.STAFF:
            raise Forbidden(
                Text(vi="Chức năng này chỉ dành cho cán bộ.", en="This is for agency staff only.")
            )
        return principal

    def _raw_body(self) -> bytes:
        body = self.request.raw_body or b""
        raw = body if isinstance(body, bytes) else body.encode()
        if len(raw) > MAX_RAW_BYTES:
            megabytes = MAX_RAW_BYTES // (1024 * 1024)
            raise PayloadTooLarge(
                Text(
                    vi=f"Tệp gửi lên vượt quá {megabytes} MB.",
                    en=f"The file sent is larger than {megabytes} MB.",
                )
            )
        return raw

    def _json_object(self) -> dict[str, Any]:
        body = self.request.raw_body or b""
        raw = body if isinstance(body, bytes) else body.encode()
        if len(raw) > MAX_BODY_BYTES:
            raise PayloadTooLarge(
                Text(
                    vi=f"Nội dung yêu cầu vượt quá {MAX_BODY_BYTES // 1024} KiB.",
                    en=f"The request body is larger than {MAX_BODY_BYTES // 1024} KiB.",
                )
            )
        try:
            value = json.loads(raw.decode("utf-8"))
        except UnicodeDecodeError as error:
            raise _bad_json("body is not UTF-8") from error
        except json.JSONDecodeError as error:
            raise _bad_json(f"{error.msg} at line {error.lineno}, column {error.colno}") from error
        if not isinstance(value, dict):
            raise BadRequest(
                Text(
                    vi="Nội dung yêu cầu phải là một đối tượng JSON ({…}).",
                    en="The request body must be a JSON object ({…}).",
                ),
                code="body_not_object",
            )
        return value


def _bad_json(reason: str) -> BadRequest:
    return BadRequest(
        Text(
            vi=f"Nội dung yêu cầu không phải JSON hợp lệ ({reason}).",
            en=f"The request body is not valid JSON ({reason}).",
        ),
        code="invalid_json",
    )


class Area:
    """One area of the API: a chalice Blueprint whose routes are declared, run and documented alike."""

    def __init__(self, import_name: str, *, tag: str) -> None:
        self.blueprint = Blueprint(import_name)
        self.tag = tag

    def route(
        self,
        method: str,
        path: str,
        *,
        access: Access,
        response: type[BaseModel],
        status: int = 200,
        body: type[BaseModel] | None = None,
        query: type[BaseModel] | None = None,
        headers: tuple[Header, ...] = (),
        response_headers: Mapping[str, str] | None = None,
        errors: tuple[int, ...] = (),
        cache: str | None = None,
        produces: str = "application/json",
        raw: tuple[str, ...] = (),
    ) -> Callable[[RouteFunction], RouteFunction]:
        """Declare a route. `errors` lists what the route's service may answer beyond what its
        access, query and body imply (401/403, 400, 413/415/422), which are added here."""

        def register(function: RouteFunction) -> RouteFunction:
            doc = (function.__doc__ or "").strip()
            summary, _, description = doc.partition("\n")
            endpoint = Endpoint(
                method=method,
                path=path,
                name=function.__name__,
                summary=summary.strip(),
                description=description.strip(),
                tag=self.tag,
                access=access,
                response=response,
                status=status,
                body=body,
                query=query,
                headers=headers,
                response_headers=response_headers or {},
                errors=frozenset(errors) | _implied_errors(access, body, query),
                cache=cache,
                produces=produces,
                raw=raw,
            )

            @functools.wraps(function)
            def view(**params: str) -> Response:
                return handle(self.blueprint.current_request, endpoint, function, params)

            view.endpoint = endpoint  # type: ignore[attr-defined]  # read by the OpenAPI builder
            content_types = ["application/json", *raw]
            self.blueprint.route(path, methods=[method], content_types=content_types)(view)
            return function

        return register


def _implied_errors(
    access: Access, body: type[BaseModel] | None, query: type[BaseModel] | None
) -> frozenset[int]:
    implied = {429, 500}  # API Gateway's throttling answers 429 on any route
    if access is not Access.PUBLIC:
        implied |= {401, 403}
    if query is not None:
        implied.add(400)
    if body is not None:
        implied |= {400, 413, 415, 422}
    return frozenset(implied)


def endpoint_of(view: Callable[..., Any]) -> Endpoint | None:
    found = getattr(view, "endpoint", None)
    return found if isinstance(found, Endpoint) else None


def handle(request: Request, endpoint: Endpoint, function: RouteFunction, params: dict[str, str]) -> Response:
    language = pick_language(request.headers.get("accept-language"))
    try:
        call = Call(request, endpoint, language)
        call.open()
        result = function(call, **params)
        if isinstance(result, FileReply):
            return _file(result, endpoint.status, endpoint.cache)
        reply = result if isinstance(result, Reply) else Reply(result)
        return _json(
            reply.body,
            reply.status or endpoint.status,
            language,
            {"Cache-Control": endpoint.cache or "no-store"} | reply.headers,
        )
    except DomainError as error:
        return error_response(error, language)
    except Exception:
        logger.exception(
            "unhandled error", extra={"route": f"{endpoint.method} {endpoint.path}", "params": params}
        )
        return _json(internal_body(language), 500, language, {"Cache-Control": "no-store"})


def error_response(error: DomainError, language: Language) -> Response:
    status = status_of(error)
    if status >= 500:  # pragma: no cover — no domain error maps there today
        logger.error("domain error answered as a server error", extra={"code": error.code})
    return _json(error_body(error, language), status, language, {"Cache-Control": "no-store"})


def _json(body: BaseModel, status: int, language: Language, headers: Mapping[str, str]) -> Response:
    sent: dict[str, str | list[str]] = {
        "Content-Type": JSON_TYPE,
        "Content-Language": language,
        "Vary": "Accept-Language",
    }
    sent.update(headers)
    return Response(body=body.model_dump_json(), status_code=status, headers=sent)


def _file(reply: FileReply, status: int, cache: str | None) -> Response:
    # Opened in the browser; a name with Vietnamese letters travels percent-encoded (RFC 6266).
    disposition = f"inline; filename*=UTF-8''{quote(reply.filename, safe='')}"
    return Response(
        body=reply.content,
        status_code=status,
        headers={
            "Content-Type": reply.content_type,
            "Content-Disposition": disposition,
            "Cache-Control": cache or "private, no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )


def install(app: Chalice) -> None:
    """Tag the request's log lines, and answer in our error shape the few requests chalice refuses before
    any route runs (405, 415)."""

    @app.middleware("http")
    def around_every_request(request: Request, get_response: Callable[[Request], Response]) -> Response:
        # Every log line of this request carries API Gateway's request id, to find it from a user's report.
        logger.append_keys(request_id=(request.context or {}).get("requestId") if request else None)
        try:
            response = get_response(request)
        finally:
            flush()
        body = response.body
        if response.status_code < 400 or not isinstance(body, dict) or "Code" not in body:
            return response
        language = pick_language(request.headers.get("accept-language") if request else None)
        if response.status_code >= 500:
            logger.error("framework error", extra={"body": body})
            return _json(internal_body(language), 500, language, {"Cache-Control": "no-store"})
        error = framework_error(
            response.status_code, request.headers.get("content-type") if request else None
        )
        extra = {k: str(v) for k, v in response.headers.items() if k.lower() == "allow"}
        return _json(error_body(error, language), response.status_code, language, extra)
