"""The shape of a citizen identity card number (số định danh cá nhân / CCCD): 12 digits, read by position.

Circular 07/2016/TT-BCA (Art. 7), implementing Decree 137/2015/ND-CP (Art. 13): the first 3 digits are
the code of the province (or centrally-run city) where the citizen's birth was registered, the 4th gives
the sex and the century of birth, the next 2 the last digits of the year of birth, the last 6 are random.
Only the shape is checked here: whether the number belongs to the person is the officer's check of the
card at the counter (or the national population database's, which the platform does not reach).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, NamedTuple

from motcua.domain.i18n import Text

if TYPE_CHECKING:
    from datetime import date

# The province codes of Circular 07/2016's annex (the 63 provinces of the time). Since the merger of
# 1 July 2025 the 34 provinces issue numbers under codes of this same list, and a number is never
# re-issued: every card in the hands of a citizen starts with one of them.
PROVINCE_CODES: dict[str, str] = {
    "001": "Hà Nội",
    "002": "Hà Giang",
    "004": "Cao Bằng",
    "006": "Bắc Kạn",
    "008": "Tuyên Quang",
    "010": "Lào Cai",
    "011": "Điện Biên",
    "012": "Lai Châu",
    "014": "Sơn La",
    "015": "Yên Bái",
    "017": "Hòa Bình",
    "019": "Thái Nguyên",
    "020": "Lạng Sơn",
    "022": "Quảng Ninh",
    "024": "Bắc Giang",
    "025": "Phú Thọ",
    "026": "Vĩnh Phúc",
    "027": "Bắc Ninh",
    "030": "Hải Dương",
    "031": "Hải Phòng",
    "033": "Hưng Yên",
    "034": "Thái Bình",
    "035": "Hà Nam",
    "036": "Nam Định",
    "037": "Ninh Bình",
    "038": "Thanh Hóa",
    "040": "Nghệ An",
    "042": "Hà Tĩnh",
    "044": "Quảng Bình",
    "045": "Quảng Trị",
    "046": "Thừa Thiên Huế",
    "048": "Đà Nẵng",
    "049": "Quảng Nam",
    "051": "Quảng Ngãi",
    "052": "Bình Định",
    "054": "Phú Yên",
    "056": "Khánh Hòa",
    "058": "Ninh Thuận",
    "060": "Bình Thuận",
    "062": "Kon Tum",
    "064": "Gia Lai",
    "066": "Đắk Lắk",
    "067": "Đắk Nông",
    "068": "Lâm Đồng",
    "070": "Bình Phước",
    "072": "Tây Ninh",
    "074": "Bình Dương",
    "075": "Đồng Nai",
    "077": "Bà Rịa - Vũng Tàu",
    "079": "Hồ Chí Minh",
    "080": "Long An",
    "082": "Tiền Giang",
    "083": "Bến Tre",
    "084": "Trà Vinh",
    "086": "Vĩnh Long",
    "087": "Đồng Tháp",
    "089": "An Giang",
    "091": "Kiên Giang",
    "092": "Cần Thơ",
    "093": "Hậu Giang",
    "094": "Sóc Trăng",
    "095": "Bạc Liêu",
    "096": "Cà Mau",
}

_DIGITS = re.compile(r"^\d{12}$")


class CccdProblem(NamedTuple):
    code: str  # cccd_digits, cccd_province, cccd_birth_year
    message: Text


def clean_cccd(number: str) -> str:
    """The 12 digits, without the spaces a card prints between groups."""
    return number.replace(" ", "")


def birth_year(number: str) -> int:
    """The year of birth a well-formed number gives: the 4th digit's century (0–1: 1900s, 2–3: 2000s,
    4–5: 2100s, …; even for men, odd for women) and the next two digits."""
    return 1900 + 100 * (int(number[3]) // 2) + int(number[4:6])


def cccd_problem(number: str, today: date) -> CccdProblem | None:
    """What is wrong with the shape of `number` (spaces allowed between groups), or None."""
    digits = clean_cccd(number)
    if not _DIGITS.match(digits):
        return CccdProblem(
            "cccd_digits",
            Text(vi="Số CCCD phải gồm đúng 12 chữ số.", en="A CCCD number has exactly 12 digits."),
        )
    if digits[:3] not in PROVINCE_CODES:
        return CccdProblem(
            "cccd_province",
            Text(
                vi=f"Ba số đầu ({digits[:3]}) không phải mã tỉnh nơi đăng ký khai sinh.",
                en=f"The first three digits ({digits[:3]}) are not a province code of birth registration.",
            ),
        )
    if birth_year(digits) > today.year:
        return CccdProblem(
            "cccd_birth_year",
            Text(
                vi="Chữ số thứ 4 đến thứ 6 (thế kỷ và năm sinh) cho một năm sinh chưa tới.",
                en="Digits 4 to 6 (century and year of birth) give a year of birth still to come.",
            ),
        )
    return None
