"""The counter's domain: the CCCD number's shape, a dossier's channel, and which desk may receive what."""

from __future__ import annotations

from datetime import date

import pytest

from motcua.config.province import load_province
from motcua.domain.cccd import PROVINCE_CODES, birth_year, cccd_problem
from motcua.domain.counter import Channel
from motcua.domain.models import Dossier
from motcua.domain.receiving import may_receive
from tests.conftest import DEMO_PROVINCE

TODAY = date(2026, 11, 17)


@pytest.mark.parametrize(
    "number",
    [
        "001090012345",  # Hà Nội, a man born in 1990
        "079301012345",  # Hồ Chí Minh, a woman born in 2001
        "096 205 123456",  # Cà Mau, as the card prints it in groups
        "001226000001",  # born this very year (2026)
    ],
)
def test_a_well_shaped_number_passes(number: str) -> None:
    assert cccd_problem(number, TODAY) is None


@pytest.mark.parametrize(
    ("number", "code"),
    [
        ("00109001234", "cccd_digits"),  # 11 digits
        ("0010900123456", "cccd_digits"),  # 13
        ("00109001234O", "cccd_digits"),  # a letter O for a zero
        ("", "cccd_digits"),
        ("003090012345", "cccd_province"),  # 003 was never a province code
        ("097090012345", "cccd_province"),  # past the last one (096, Cà Mau)
        ("000090012345", "cccd_province"),
        ("001227000001", "cccd_birth_year"),  # a man born in 2027, next year
        ("001490012345", "cccd_birth_year"),  # the 22nd century
    ],
)
def test_a_badly_shaped_number_says_what_is_wrong(number: str, code: str) -> None:
    problem = cccd_problem(number, TODAY)

    assert problem is not None
    assert problem.code == code
    assert problem.message.vi and problem.message.en


def test_the_province_table_is_the_63_codes_of_circular_07_2016() -> None:
    assert len(PROVINCE_CODES) == 63
    assert PROVINCE_CODES["001"] == "Hà Nội" and PROVINCE_CODES["096"] == "Cà Mau"
    assert all(len(code) == 3 and code.isdigit() for code in PROVINCE_CODES)


@pytest.mark.parametrize(
    ("number", "year"),
    [("001090012345", 1990), ("001190012345", 1990), ("001201012345", 2001), ("001399012345", 2099)],
)
def test_the_fourth_digit_gives_the_century(number: str, year: int) -> None:
    assert birth_year(number) == year


def test_a_dossier_stored_before_the_counter_existed_reads_as_filed_online() -> None:
    stored = {
        "code": "000.00.01.H99-261117-0001",
        "procedure_code": "2.001610",
        "procedure_name": {"vi": "Đăng ký doanh nghiệp", "en": "Business registration"},
        "agency": "000.00.01.H99",
        "agencies": ["000.00.01.H99"],
        "owner": "b3c1e7f0-0000-4000-8000-000000000001",
        "applicant": {
            "full_name": "Nguyễn Văn An",
            "id_number": "001090012345",
            "phone": "0901234567",
            "address": "Số 1 đường Lê Lợi",
        },
        "form": {},
        "attachments": [],
        "status": 1,
        "filed_at": "2026-11-17T02:00:00Z",
        "due_at": "2026-11-20T10:00:00Z",
        "legal_days": 3,
    }

    dossier = Dossier.model_validate(stored)

    assert dossier.channel is Channel.ONLINE
    assert dossier.received_by is None and dossier.ticket is None


def test_only_the_procedures_receiving_agency_may_receive_it_for_now() -> None:
    province = load_province(DEMO_PROVINCE)
    business = province.procedures_by_code["2.001610"]  # received by the Department of Finance

    assert may_receive(province, business, "000.00.01.H99")
    assert not may_receive(province, business, "000.00.20.H99")  # Tax takes part in its flow only
    assert not may_receive(province, business, "000.00.99.H99")  # no such agency


def test_a_merged_agencys_desk_receives_what_the_agency_it_joined_receives() -> None:
    province = load_province(DEMO_PROVINCE)
    business = province.procedures_by_code["2.001610"]

    # The former Department of Planning and Investment, merged into Finance: its counter is Finance's.
    assert may_receive(province, business, "000.00.07.H99")
