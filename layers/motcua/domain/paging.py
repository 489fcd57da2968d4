"""Opaque pagination tokens: clients hand them back unchanged and never read them."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from motcua.domain.errors import BadRequest
from motcua.domain.i18n import Text
from motcua.domain.json_input import read_json

_INVALID = Text(vi="next_token không hợp lệ.", en="The next_token is not valid.")


def encode_token(value: dict[str, Any]) -> str:
    raw = json.dumps(value, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_token(token: str) -> dict[str, Any]:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        value = read_json(raw)  # a forged token may nest deeply or hold a huge number
    except (binascii.Error, ValueError) as error:
        raise BadRequest(_INVALID, code="invalid_next_token") from error
    if not isinstance(value, dict):
        raise BadRequest(_INVALID, code="invalid_next_token")
    return value
