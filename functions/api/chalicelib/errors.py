"""Errors at the edge: domain exceptions mapped to HTTP in one place, and the one error body of all routes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from botocore.exceptions import (
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    ReadTimeoutError,
)
from pydantic import BaseModel, ConfigDict

from motcua.domain.errors import (
    BadRequest,
    Conflict,
    DomainError,
    FieldError,
    Forbidden,
    InvalidInput,
    NotFound,
    PayloadTooLarge,
    PreconditionFailed,
    PreconditionRequired,
    TooManyRequests,
    Unauthenticated,
    Unavailable,
)
from motcua.domain.i18n import Language, Text
from motcua.domain.json_input import MAX_DEPTH, MAX_INT_DIGITS

if TYPE_CHECKING:
    from pydantic import ValidationError
    from pydantic_core import ErrorDetails


class UnsupportedMediaType(DomainError):
    """The body is not sent as application/json (HTTP 415); chalice refuses it, we say so."""

    code = "unsupported_media_type"


class NotAcceptable(BadRequest):
    """A file answer (a PDF) asked for without an `Accept` that takes its type; answered 400, as API
    Gateway and chalice do for a binary answer, with what to send instead."""

    code = "not_acceptable"

    def __init__(self, media_type: str) -> None:
        super().__init__(
            Text(
                vi=f"Văn bản này được gửi dạng {media_type}: hãy gửi kèm tiêu đề Accept: {media_type}.",
                en=f"This document is sent as {media_type}: send the header Accept: {media_type}.",
            )
        )


class MethodNotAllowed(DomainError):
    """HTTP 405: the path exists, the method does not."""

    code = "method_not_allowed"


# The one mapping from domain exception class to HTTP status; subclasses follow their nearest base
# (InvalidTransition is a Conflict, IdempotencyKeyReused an InvalidInput).
STATUS: dict[type[DomainError], int] = {
    BadRequest: 400,
    Unauthenticated: 401,
    Forbidden: 403,
    NotFound: 404,
    MethodNotAllowed: 405,
    Conflict: 409,
    PreconditionFailed: 412,
    PayloadTooLarge: 413,
    UnsupportedMediaType: 415,
    InvalidInput: 422,
    PreconditionRequired: 428,
    TooManyRequests: 429,
    Unavailable: 503,
    DomainError: 400,
}

# What each status means in the OpenAPI document's shared responses.
DESCRIPTIONS: dict[int, str] = {
    400: "The request cannot be read: invalid JSON, a body that is not an object, JSON nested more than "
    f"{MAX_DEPTH} levels deep or with an integer of more than {MAX_INT_DIGITS} digits, a bad query "
    "parameter or header, or a file asked for without an `Accept` header naming its type (or `*/*`).",
    401: "No valid `Authorization: Bearer <id token>`: missing, forged or expired.",
    403: "Signed in, but not allowed to see or change this object.",
    404: "No such object.",
    409: "The object is not in a state that allows this; `allowed` lists what it does allow.",
    412: "The object changed since the version named by `If-Match` (or exists, with `If-None-Match: *`); "
    "`current_version` says which version it is at now.",
    413: "The body is larger than 256 KiB (a draft: its answers larger than the province allows).",
    415: "The body is not sent as `application/json`.",
    422: "The request is well formed but its content breaks a rule; `fields` names each problem.",
    428: "A change that could overwrite another's names the version it replaces (`If-Match`) or that it "
    "creates (`If-None-Match: *`).",
    429: "Too many requests; slow down and try again later.",
    500: "Something went wrong on our side; nothing about it is shown.",
    503: "A service the platform relies on does not answer now; nothing was changed. Send the same "
    "request again after `Retry-After` seconds (also in the body as `retry_after`).",
}


def status_of(error: DomainError) -> int:
    for cls in type(error).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return 400  # pragma: no cover — DomainError itself is in the map


class FieldProblem(BaseModel):
    """One thing wrong with one field or file of the request."""

    field: str
    code: str
    message: str


class ErrorDetail(BaseModel):
    # Errors may carry more members, e.g. `status` and `allowed` for an action a status does not allow.
    model_config = ConfigDict(extra="allow")

    code: str
    message: str
    fields: list[FieldProblem] = []


class ErrorBody(BaseModel):
    """Every error the API returns: `{"error": {"code", "message", "fields"}}`."""

    error: ErrorDetail


def error_body(error: DomainError, language: Language) -> ErrorBody:
    return ErrorBody(
        error=ErrorDetail(
            code=error.code,
            message=error.message.in_(language),
            fields=[
                FieldProblem(field=f.field, code=f.code, message=f.message.in_(language))
                for f in error.fields
            ],
            **error.details(language),
        )
    )


INTERNAL = Text(
    vi="Hệ thống đang gặp sự cố, vui lòng thử lại sau.",
    en="Something went wrong on our side; please try again later.",
)


# An AWS call that got no answer after the SDK's own retries (clients.py): the service is slow or out of
# reach under load. What the call did is unknown, but every write is idempotent (the Idempotency-Key,
# conditional puts), so the same request again is safe: a 503 with Retry-After, not a 500.
UNANSWERED = (ReadTimeoutError, ConnectTimeoutError, EndpointConnectionError, ConnectionClosedError)
BUSY_RETRY_AFTER = 5  # seconds; as DynamoDB's throttling (adapters/dynamodb.py)
NO_ANSWER = Text(
    vi="Hệ thống đang bận, chưa trả lời kịp. Vui lòng gửi lại đúng yêu cầu này sau ít giây.",
    en="The service is busy and did not answer in time. Please send the same request again in a few seconds.",
)


def unanswered(error: Exception) -> Unavailable | None:
    """A 503 `busy` for an AWS call left unanswered (a timeout, a dropped connection); None for others."""
    if isinstance(error, UNANSWERED):
        return Unavailable(NO_ANSWER, retry_after=BUSY_RETRY_AFTER, code="busy")
    return None


def internal_body(language: Language) -> ErrorBody:
    return ErrorBody(error=ErrorDetail(code="internal_error", message=INTERNAL.in_(language)))


# --- pydantic validation errors, in Vietnamese (generic per error type) and English (pydantic's) ---

_VI: dict[str, str] = {
    "missing": "Trường bắt buộc chưa được điền.",
    "extra_forbidden": "Trường này không được phép.",
    "string_too_short": "Giá trị quá ngắn.",
    "string_too_long": "Giá trị quá dài.",
    "too_short": "Danh sách có quá ít phần tử.",
    "too_long": "Danh sách có quá nhiều phần tử.",
    "string_pattern_mismatch": "Giá trị không đúng định dạng.",
    "literal_error": "Giá trị không nằm trong danh sách cho phép.",
    "enum": "Giá trị không nằm trong danh sách cho phép.",
    "greater_than": "Giá trị quá nhỏ.",
    "greater_than_equal": "Giá trị quá nhỏ.",
    "less_than": "Giá trị quá lớn.",
    "less_than_equal": "Giá trị quá lớn.",
    "value_error": "Giá trị không hợp lệ.",
}
_VI_TYPE = "Giá trị không đúng kiểu dữ liệu."
_VI_OTHER = "Giá trị không hợp lệ."


def _vietnamese(error_type: str) -> str:
    if error_type in _VI:
        return _VI[error_type]
    if error_type.endswith(("_type", "_parsing")):
        return _VI_TYPE
    return _VI_OTHER


def _path(location: tuple[int | str, ...], root: str) -> str:
    """("attachments", 0, "upload_id") -> "attachments[0].upload_id", the way the services name fields."""
    path = ""
    for part in location:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path or root


def _field_error(detail: ErrorDetails, root: str) -> FieldError:
    return FieldError(
        field=_path(tuple(detail["loc"]), root),
        code=detail["type"],
        message=Text(vi=_vietnamese(detail["type"]), en=detail["msg"]),
    )


def invalid_body(error: ValidationError) -> InvalidInput:
    return InvalidInput(
        Text(
            vi="Dữ liệu gửi lên chưa hợp lệ, vui lòng kiểm tra các trường được nêu.",
            en="The request body is not valid; please check the fields listed.",
        ),
        fields=tuple(_field_error(d, "body") for d in error.errors(include_url=False)),
    )


def invalid_query(error: ValidationError) -> BadRequest:
    return BadRequest(
        Text(vi="Tham số truy vấn không hợp lệ.", en="A query parameter is not valid."),
        fields=tuple(_field_error(d, "query") for d in error.errors(include_url=False)),
        code="invalid_query",
    )


def framework_error(status: int, content_type: str | None) -> DomainError:
    """Chalice answers a few requests itself (405, 415); say the same in our words and shape."""
    if status == 415:
        return UnsupportedMediaType(
            Text(
                vi=f"Nội dung phải gửi dạng application/json (đã nhận: {content_type}).",
                en=f"Send the body as application/json (got {content_type}).",
            )
        )
    if status == 405:
        return MethodNotAllowed(
            Text(vi="Phương thức này không được hỗ trợ.", en="This method is not supported here.")
        )
    return DomainError(Text(vi="Yêu cầu không hợp lệ.", en="The request is not valid."))
