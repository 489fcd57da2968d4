"""Checks an application form against its procedure's JSON Schema, with messages in both languages."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from motcua.domain.errors import FieldError
from motcua.domain.i18n import Text

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import ValidationError

_VI = {
    "required": "Trường bắt buộc chưa được điền.",
    "type": "Giá trị không đúng kiểu dữ liệu.",
    "pattern": "Giá trị không đúng định dạng.",
    "format": "Giá trị không đúng định dạng.",
    "enum": "Giá trị không nằm trong danh sách cho phép.",
    "minLength": "Giá trị quá ngắn.",
    "maxLength": "Giá trị quá dài.",
    "minimum": "Giá trị quá nhỏ.",
    "maximum": "Giá trị quá lớn.",
    "additionalProperties": "Biểu mẫu có trường không được phép.",
}
# `x-when` on a date field (docs/forms.md): the day must be today or before it, or today or after it.
_WHEN = {
    "past": ("phải là hôm nay hoặc một ngày đã qua", "must be today or in the past"),
    "future": ("phải là hôm nay hoặc một ngày sắp tới", "must be today or in the future"),
}


def check_form(
    validator: Draft202012Validator, data: dict[str, Any], *, field: str = "form"
) -> list[FieldError]:
    return [_field_error(error, field) for error in sorted(validator.iter_errors(data), key=str)]


def form_validator(schema: dict[str, Any], *, today: Callable[[], date]) -> Draft202012Validator:
    """The form's validator, which also holds a date field to its `x-when` (`past`: not after
    `today()`, the day in Vietnam; `future`: not before it), as the portal does before sending."""
    # jsonschema is imported on the first filing, not on the API's cold start (docs/cost.md).
    from jsonschema import Draft202012Validator, validators
    from jsonschema.exceptions import ValidationError

    def when(_validator: Any, direction: Any, instance: Any, _schema: Any) -> Iterator[ValidationError]:
        if direction not in _WHEN or not isinstance(instance, str):
            return
        try:
            day = date.fromisoformat(instance)
        except ValueError:  # not a date: the field's `format: date` says so
            return
        now = today()
        if (direction == "past" and day > now) or (direction == "future" and day < now):
            label = (_schema.get("x-en") or {}).get("title") or _schema.get("title") or "The date"
            yield ValidationError(f"{label} {_WHEN[direction][1]}: {instance} (today is {now.isoformat()}).")

    checker = validators.extend(Draft202012Validator, {"x-when": when})  # type: ignore[no-untyped-call]
    validator: Draft202012Validator = checker(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    return validator


def _field_error(error: ValidationError, field: str) -> FieldError:
    path = [str(part) for part in error.absolute_path]
    if error.validator == "required" and isinstance(error.instance, dict):
        required = list(error.validator_value) if isinstance(error.validator_value, list) else []
        missing = next((name for name in required if name not in error.instance), None)
        if missing is not None:
            path.append(str(missing))
    if error.validator == "x-when":
        label = error.schema.get("title", "Ngày") if isinstance(error.schema, dict) else "Ngày"
        vi = f"{label} {_WHEN[str(error.validator_value)][0]}."
        code = f"form_not_{error.validator_value}"
    else:
        vi, code = _VI.get(str(error.validator), "Giá trị không hợp lệ."), f"form_{error.validator}"
    return FieldError(
        field=".".join([field, *path]),
        code=code,
        message=Text(vi=vi, en=error.message),
    )
