"""Checks an application form against its procedure's JSON Schema, with messages in both languages."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from motcua.domain.errors import FieldError
from motcua.domain.i18n import Text

if TYPE_CHECKING:
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


def check_form(
    validator: Draft202012Validator, data: dict[str, Any], *, field: str = "form"
) -> list[FieldError]:
    return [_field_error(error, field) for error in sorted(validator.iter_errors(data), key=str)]


def form_validator(schema: dict[str, Any]) -> Draft202012Validator:
    # jsonschema is imported on the first filing, not on the API's cold start (docs/cost.md).
    from jsonschema import Draft202012Validator

    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def _field_error(error: ValidationError, field: str) -> FieldError:
    path = [str(part) for part in error.absolute_path]
    if error.validator == "required" and isinstance(error.instance, dict):
        required = list(error.validator_value) if isinstance(error.validator_value, list) else []
        missing = next((name for name in required if name not in error.instance), None)
        if missing is not None:
            path.append(str(missing))
    vi = _VI.get(str(error.validator), "Giá trị không hợp lệ.")
    return FieldError(
        field=".".join([field, *path]),
        code=f"form_{error.validator}",
        message=Text(vi=vi, en=error.message),
    )
