"""Dossier codes (Circular 01/2018 Art. 19) and result codes (Decree 45/2020 Art. 14)."""

from __future__ import annotations

from datetime import date

import pytest

from motcua.domain.codes import DossierCode, is_dossier_code


def test_code_has_agency_day_and_four_digit_sequence() -> None:
    code = DossierCode(agency="000.00.01.H29", day=date(2026, 11, 21), sequence=7)
    assert str(code) == "000.00.01.H29-261121-0007"


def test_code_round_trips() -> None:
    text = "000.01.02.H99-270204-9999"
    assert str(DossierCode.parse(text)) == text
    assert DossierCode.parse(text).day == date(2027, 2, 4)


@pytest.mark.parametrize("sequence", [0, 10000, -1])
def test_sequence_stays_within_four_digits_starting_at_one(sequence: int) -> None:
    with pytest.raises(ValueError):
        DossierCode(agency="000.00.01.H29", day=date(2026, 1, 2), sequence=sequence)


@pytest.mark.parametrize(
    "text",
    [
        "000.00.01.H29-261121-007",  # three-digit sequence
        "000.00.01.h29-261121-0007",  # lower-case province letter
        "00.00.01.H29-261121-0007",
        "000.00.01.H29-2611210-0007",
        "000.00.01.H29/261121/0007",
        "",
    ],
)
def test_malformed_codes_are_rejected(text: str) -> None:
    assert not is_dossier_code(text)
    with pytest.raises(ValueError):
        DossierCode.parse(text)


def test_agency_code_must_follow_qcvn_102() -> None:
    with pytest.raises(ValueError):
        DossierCode(agency="SO-TAI-CHINH", day=date(2026, 1, 2), sequence=1)


def test_result_codes_number_each_result() -> None:
    code = DossierCode(agency="000.00.01.H29", day=date(2026, 11, 21), sequence=12)
    assert code.result_code() == "000.00.01.H29-261121-0012-KQ1"
    assert code.result_code(2) == "000.00.01.H29-261121-0012-KQ2"
    with pytest.raises(ValueError):
        code.result_code(0)
