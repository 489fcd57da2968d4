"""The user pools' password policy, also checked before a sign-up reaches a pool (Cognito checks it too)."""

from __future__ import annotations

import re

from motcua.domain.errors import FieldError, InvalidInput
from motcua.domain.i18n import Text

MIN_LENGTH = 12
# Upper and lower case, a digit and a symbol, as the pools require (infra.constructs.identity).
_CLASSES = (re.compile(r"[a-z]"), re.compile(r"[A-Z]"), re.compile(r"\d"), re.compile(r"[^A-Za-z0-9]"))

WEAK = Text(
    vi=f"Mật khẩu chưa đủ mạnh (ít nhất {MIN_LENGTH} ký tự, có chữ hoa, chữ thường, số và ký hiệu).",
    en=f"The password is too weak ({MIN_LENGTH}+ characters with upper and lower case, digits and symbols).",
)


def check_strength(password: str) -> None:
    """InvalidInput naming `password` unless it meets the policy.

    Checked before the pool is asked, so that a weak password gets the same answer whether or not the
    address already has an account (the pool might look at the address first).
    """
    if len(password) < MIN_LENGTH or not all(c.search(password) for c in _CLASSES):
        raise InvalidInput(
            WEAK, fields=(FieldError(field="password", code="InvalidPasswordException", message=WEAK),)
        )
