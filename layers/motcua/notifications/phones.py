"""Phone numbers as the SMS gateway wants them: E.164, read the Vietnamese way (0912 345 678)."""

from __future__ import annotations

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberType

REGION = "VN"
# A person's phone; not a premium-rate, toll-free or shared-cost service number (1900…, 1800…).
_PERSONAL = frozenset(
    {PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE, PhoneNumberType.FIXED_LINE_OR_MOBILE}
)


def normalise_phone(raw: str) -> str | None:
    """'0912 345 678', '+84912345678' or '84 912 345 678' → '+84912345678'; None when not a valid number."""
    try:
        number = phonenumbers.parse(raw, REGION)
    except NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number) or phonenumbers.number_type(number) not in _PERSONAL:
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def is_mobile(e164: str) -> bool:
    """Whether an SMS can reach the number: a landline (024 3…) takes the call, not the text."""
    kind = phonenumbers.number_type(phonenumbers.parse(e164, REGION))
    return kind in (PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE)
