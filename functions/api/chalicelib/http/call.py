"""What a route function gets (Call): who calls, its query and body parsed and checked, body size limits."""

from __future__ import annotations

from json import JSONDecodeError
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel, ValidationError

from chalicelib import deps
from chalicelib.errors import NotAcceptable, invalid_body, invalid_query
from chalicelib.http.auth import authenticate
from chalicelib.http.endpoints import Access
from motcua.domain.errors import BadRequest, PayloadTooLarge, Unauthenticated
from motcua.domain.i18n import Text
from motcua.domain.json_input import MAX_DEPTH, MAX_INT_DIGITS, NumberTooLong, TooDeep, read_json

if TYPE_CHECKING:
    from chalice.app import Request

    from chalicelib.http.endpoints import Endpoint
    from motcua.container import Container
    from motcua.domain.i18n import Language
    from motcua.domain.models import Principal


MAX_BODY_BYTES = 256 * 1024
# A file sent as the body itself (a PDF to verify): what API Gateway and Lambda carry in one request.
MAX_RAW_BYTES = 4 * 1024 * 1024

M = TypeVar("M", bound=BaseModel)


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
            self._principal = authenticate(self.header("Authorization"), self.endpoint.access)
        if self.endpoint.query is not None:
            # The last value of a repeated parameter; an empty one (`?agency=`) counts as absent.
            params = {k: v for k, v in (self.request.query_params or {}).items() if v != ""}
            try:
                self._query = self.endpoint.query.model_validate(params)
            except ValidationError as error:
                raise invalid_query(error) from error
        if self.endpoint.produces != "application/json" and not any(
            accepts(self.header("Accept"), media) for media in self.endpoint.produces.split(", ")
        ):
            raise NotAcceptable(self.endpoint.produces)
        media_type = (self.header("Content-Type") or "").split(";")[0].strip().lower()
        if media_type and media_type in self.endpoint.raw:
            self._raw = self._raw_body()
        elif self.endpoint.body is not None:
            try:
                self._body = self.endpoint.body.model_validate(self._json_object())
            except ValidationError as error:
                raise invalid_body(error) from error

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
            value = read_json(raw)
        except TooDeep as error:
            raise BadRequest(
                Text(
                    vi=f"Nội dung yêu cầu lồng nhau quá {MAX_DEPTH} cấp.",
                    en=f"The request body is nested more than {MAX_DEPTH} levels deep.",
                ),
                code="json_too_deep",
            ) from error
        except NumberTooLong as error:
            raise BadRequest(
                Text(
                    vi=f"Nội dung yêu cầu có số nguyên dài quá {MAX_INT_DIGITS} chữ số.",
                    en=f"The request body has an integer of more than {MAX_INT_DIGITS} digits.",
                ),
                code="number_too_long",
            ) from error
        except UnicodeDecodeError as error:
            raise _bad_json("body is not UTF-8") from error
        except JSONDecodeError as error:
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


def accepts(accept: str | None, media_type: str) -> bool:
    """Whether an `Accept` header takes `media_type`: named, or `*/*`. No header takes nothing: chalice
    (and API Gateway) refuse to send a binary answer to a request that did not ask for one."""
    offered = {part.split(";")[0].strip().lower() for part in (accept or "").split(",")}
    return "*/*" in offered or media_type in offered


def _bad_json(reason: str) -> BadRequest:
    return BadRequest(
        Text(
            vi=f"Nội dung yêu cầu không phải JSON hợp lệ ({reason}).",
            en=f"The request body is not valid JSON ({reason}).",
        ),
        code="invalid_json",
    )
