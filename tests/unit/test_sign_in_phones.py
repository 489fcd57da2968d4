"""A citizen's mobile number as they type it, read into E.164: the username of a phone account."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from chalicelib.models import CitizenSignIn, PasswordReset, SignUp


@pytest.mark.parametrize(
    "typed",
    ["0912 345 678", "0912.345.678", "0912-345-678", "+84 912 345 678", "84912345678", "(+84) 912 345 678"],
)
def test_a_vietnamese_mobile_number_as_people_write_it_is_one_username(typed: str) -> None:
    signed_in = CitizenSignIn(phone=typed, password="mot cum tu de nho")

    assert signed_in.phone == "+84912345678"
    assert signed_in.username == "+84912345678"


def test_a_ten_digit_number_after_the_2018_renumbering_reads_the_same() -> None:
    # 0167 … numbers became 037 … in 2018; the new ones are what a pool may hold.
    assert PasswordReset(phone="0372 345 678").username == "+84372345678"


@pytest.mark.parametrize(
    "typed",
    [
        "024 3825 2525",  # a landline in Hà Nội: no SMS code reaches it
        "1900 1234",  # a premium-rate service number
        "0912 345",  # too short
        "09123456789012",  # too long
        "không có",
    ],
)
def test_what_cannot_take_an_sms_code_is_refused_naming_the_phone(typed: str) -> None:
    with pytest.raises(ValidationError) as raised:
        SignUp(phone=typed, password="mot cum tu de nho", name="Lê Văn Phong")

    assert [error["loc"] for error in raised.value.errors()] == [("phone",)]


def test_an_email_account_signs_up_with_its_phone_kept_in_e164() -> None:
    signed_up = SignUp(email="an@example.vn", phone="0912 345 678", password="x" * 10, name="An")

    assert signed_up.username == "an@example.vn"
    assert signed_up.phone == "+84912345678"


def test_a_sign_in_names_one_account_email_or_phone() -> None:
    for both_or_neither in ({"email": "an@example.vn", "phone": "0912345678"}, {}):
        with pytest.raises(ValidationError):
            CitizenSignIn(password="mot cum tu de nho", **both_or_neither)
