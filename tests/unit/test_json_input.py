"""JSON from outside is read within limits: bounded nesting and integers, never a RecursionError."""

from __future__ import annotations

import json

import pytest

from motcua.domain.json_input import MAX_DEPTH, MAX_INT_DIGITS, NumberTooLong, TooDeep, read_json


def nested(depth: int) -> bytes:
    return b'{"a": ' + b"[" * (depth - 1) + b"]" * (depth - 1) + b"}"


def test_nesting_up_to_the_limit_is_read() -> None:
    assert read_json(nested(MAX_DEPTH)) == json.loads(nested(MAX_DEPTH))


@pytest.mark.parametrize(
    "raw",
    [
        nested(MAX_DEPTH + 1),
        b"[" * 100_000,  # not even closed: refused before the parser recurses
        b"[" * 5000 + b"]" * 5000,
        b'{"a": "' + b"x" * 10 + b'", "b": ' + b"{" * 40,
    ],
)
def test_deeper_nesting_is_refused_without_recursing(raw: bytes) -> None:
    with pytest.raises(TooDeep):
        read_json(raw)


def test_brackets_inside_strings_do_not_count() -> None:
    text = {"note": "[[[[" * 50 + '\\"[' + "{" * 40, "quote": '"]]]]'}
    raw = json.dumps(text).encode()

    assert read_json(raw) == text


def test_an_escaped_quote_does_not_end_a_string() -> None:
    raw = b'{"a": "\\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\\\\"}'

    assert read_json(raw) == {"a": '"' + "[" * 50 + "\\"}


def test_an_integer_of_thousands_of_digits_is_refused() -> None:
    with pytest.raises(NumberTooLong):
        read_json(b'{"size": ' + b"9" * 5000 + b"}")
    with pytest.raises(NumberTooLong):
        read_json(b"[-" + b"1" * (MAX_INT_DIGITS + 1) + b"]")


def test_integers_within_the_limit_are_read() -> None:
    assert read_json(b"[" + b"9" * MAX_INT_DIGITS + b", -12, 1.5e3]") == [
        int("9" * MAX_INT_DIGITS),
        -12,
        1500.0,
    ]


def test_every_refusal_is_a_value_error() -> None:
    for raw in (b"[" * 100, b"9" * 100, b"{", b"\xff"):
        with pytest.raises(ValueError):  # noqa: PT011 — the callers catch ValueError, that is the point
            read_json(raw)
