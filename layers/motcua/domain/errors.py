"""Typed domain errors, each with a stable code and a message in Vietnamese and English."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict

from motcua.domain.i18n import Language, Text

if TYPE_CHECKING:
    from motcua.domain.status import Action, Status


class FieldError(BaseModel):
    """What is wrong with one field or one file of a request."""

    model_config = ConfigDict(frozen=True)

    field: str
    code: str
    message: Text


class DomainError(Exception):
    """Base of every error the platform shows a user; the API maps each subclass to one HTTP status."""

    code = "error"

    def __init__(self, message: Text, *, fields: tuple[FieldError, ...] = (), code: str | None = None):
        super().__init__(message.en)
        self.message = message
        self.fields = fields
        if code is not None:
            self.code = code

    def details(self, language: Language) -> dict[str, Any]:
        """Extra members of the error body beyond code, message and fields."""
        return {}


class InvalidInput(DomainError):
    """The request is well formed but its content breaks a rule (HTTP 422)."""

    code = "invalid_input"


class BadRequest(DomainError):
    """The request cannot be read (HTTP 400)."""

    code = "bad_request"


class Unauthenticated(DomainError):
    """No valid token (HTTP 401)."""

    code = "unauthenticated"

    def __init__(self, message: Text | None = None) -> None:
        super().__init__(
            message
            or Text(
                vi="Bạn cần đăng nhập để thực hiện thao tác này.",
                en="You need to sign in to do this.",
            )
        )


class Forbidden(DomainError):
    """Signed in, but not allowed to see or change this object (HTTP 403)."""

    code = "forbidden"

    def __init__(self, message: Text | None = None) -> None:
        super().__init__(
            message
            or Text(
                vi="Bạn không có quyền truy cập hồ sơ hoặc công việc này.",
                en="You are not allowed to access this dossier or task.",
            )
        )


class NotFound(DomainError):
    """HTTP 404."""

    code = "not_found"

    def __init__(self, what: Text, key: str, *, code: str = "not_found") -> None:
        super().__init__(
            Text(vi=f"Không tìm thấy {what.vi} “{key}”.", en=f"No {what.en} “{key}” was found."),
            code=code,
        )


class Conflict(DomainError):
    """The object is not in a state that allows this (HTTP 409)."""

    code = "conflict"


class DossierChanged(Conflict):
    """The dossier changed between the read and the write (optimistic concurrency).

    A service reads again and does what is still allowed; only what reaches a user is a 409.
    """

    code = "dossier_changed"

    def __init__(self) -> None:
        super().__init__(
            Text(
                vi="Hồ sơ vừa được người khác cập nhật; vui lòng tải lại và thử lại.",
                en="The dossier was changed by someone else; reload it and try again.",
            )
        )


class AccountExists(Conflict):
    """A sign-up for a username that already has an account; the API never tells the caller so."""

    code = "account_exists"


class TooManyRequests(DomainError):
    """Slow down (HTTP 429)."""

    code = "too_many_requests"


class Unavailable(DomainError):
    """A service the platform relies on does not answer now (signing keys, the table under load).

    Nothing was changed, or what was begun was undone: the same request again later is safe
    (HTTP 503, with Retry-After).
    """

    code = "unavailable"

    def __init__(self, message: Text, *, retry_after: int = 30, code: str | None = None) -> None:
        super().__init__(message, code=code)
        self.retry_after = retry_after

    def details(self, language: Language) -> dict[str, Any]:
        return {"retry_after": self.retry_after}


class PayloadTooLarge(DomainError):
    """HTTP 413."""

    code = "payload_too_large"


class InvalidTransition(Conflict):
    """An action the dossier's current status does not allow; says which actions it does allow."""

    code = "invalid_transition"

    def __init__(self, current: Status, action: Action, allowed: list[Action]) -> None:
        self.current = current
        self.action = action
        self.allowed = allowed
        vi = ", ".join(f"“{a.label.vi}” ({a.value})" for a in allowed) or "không có"
        en = ", ".join(f"“{a.label.en}” ({a.value})" for a in allowed) or "none"
        super().__init__(
            Text(
                vi=(
                    f"Không thể “{action.label.vi}” khi hồ sơ ở trạng thái {int(current)} "
                    f"“{current.label.vi}”. Thao tác được phép: {vi}."
                ),
                en=(
                    f"Cannot {action.label.en} a dossier in status {int(current)} "
                    f"“{current.label.en}”. Allowed: {en}."
                ),
            )
        )

    def details(self, language: Language) -> dict[str, Any]:
        from motcua.domain.status import targets  # the status module imports this one

        allowed = [
            {"action": action.value, "to": [int(s) for s in targets(action, self.current)]}
            for action in self.allowed
        ]
        return {"status": int(self.current), "allowed": allowed}


class PreconditionFailed(DomainError):
    """The object is no longer at the version the request names with `If-Match` (HTTP 412)."""

    code = "precondition_failed"

    def __init__(self, message: Text, *, current: int | None = None, code: str | None = None) -> None:
        super().__init__(message, code=code)
        self.current = current

    def details(self, language: Language) -> dict[str, Any]:
        return {"current_version": self.current}


class PreconditionRequired(DomainError):
    """A change that could overwrite another's must say which version it replaces (HTTP 428)."""

    code = "precondition_required"


class IdempotencyKeyReused(InvalidInput):
    """The same Idempotency-Key came back with a different body (HTTP 422)."""

    code = "idempotency_key_reused"

    def __init__(self) -> None:
        super().__init__(
            Text(
                vi="Khóa Idempotency-Key này đã được dùng cho một yêu cầu khác nội dung.",
                en="This Idempotency-Key was already used with a different request body.",
            )
        )
