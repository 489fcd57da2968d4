"""JSON from outside (request bodies, page tokens) read within limits: never a RecursionError or a crash."""

from __future__ import annotations

import json
import re
from typing import Any

# How deeply arrays and objects may nest, the outermost counting 1. Our deepest body (a dossier's form)
# nests 4 levels; 32 leaves room for any form and stops a body of thousands of `[` before it is parsed,
# where Python's parser would give up with a RecursionError.
MAX_DEPTH = 32
# Digits of an integer: DynamoDB keeps numbers to 38 digits, and past 4,300 Python refuses to convert.
MAX_INT_DIGITS = 38

# The bytes that matter to nesting: brackets, and what opens, closes or escapes inside a string. All are
# ASCII, so none occurs inside a multi-byte UTF-8 character.
_STRUCTURE = re.compile(rb'[\[\]{}"\\]')
_OPEN, _CLOSE, _QUOTE, _BACKSLASH = frozenset(b"[{"), frozenset(b"]}"), ord('"'), ord("\\")


class TooDeep(ValueError):
    """Arrays and objects nest more deeply than `MAX_DEPTH`."""


class NumberTooLong(ValueError):
    """An integer has more than `MAX_INT_DIGITS` digits."""


def read_json(raw: bytes, *, max_depth: int = MAX_DEPTH) -> Any:
    """The value `raw` holds, once its nesting is known to be within `max_depth`.

    Raises TooDeep, NumberTooLong, UnicodeDecodeError or json.JSONDecodeError, all ValueErrors.
    """
    if _deeper_than(raw, max_depth):
        raise TooDeep(f"arrays and objects nest more than {max_depth} deep")
    return json.loads(raw.decode("utf-8"), parse_int=_integer)


def _deeper_than(raw: bytes, limit: int) -> bool:
    """Whether brackets outside strings nest beyond `limit`; a scan of the structural bytes only, which
    stops as soon as it is. Malformed JSON is left to the parser."""
    depth = 0
    in_string = False
    skip_to = -1  # the character after a backslash in a string is escaped, whatever it is
    for match in _STRUCTURE.finditer(raw):
        at = match.start()
        if at < skip_to:
            continue
        byte = raw[at]
        if in_string:
            if byte == _BACKSLASH:
                skip_to = at + 2
            elif byte == _QUOTE:
                in_string = False
        elif byte == _QUOTE:
            in_string = True
        elif byte in _OPEN:
            depth += 1
            if depth > limit:
                return True
        elif byte in _CLOSE:
            depth -= 1
    return False


def _integer(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise NumberTooLong(f"an integer has more than {MAX_INT_DIGITS} digits")
    return int(text)
