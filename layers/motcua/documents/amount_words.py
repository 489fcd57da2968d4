"""An amount of money in Vietnamese words, as receipts and accounting documents write it.

The administrative wording reads every group of three digits after the first in full: 1.005.000 is
"Một triệu không trăm lẻ năm nghìn đồng" (num2words' "một triệu năm nghìn" drops "không trăm",
which the receipts of the State Treasury and of accounting software keep).
"""

from __future__ import annotations

DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")
# The names of the groups of three digits; past "tỷ" the names repeat ("nghìn tỷ", "triệu tỷ").
GROUPS = ("", "nghìn", "triệu")


def _group(number: int, *, full: bool) -> list[str]:
    """Words for 0 < number < 1000; `full` reads a zero hundreds ("không trăm") and a lone unit ("lẻ")."""
    hundreds, tens, units = number // 100, number // 10 % 10, number % 10
    words: list[str] = []
    if hundreds or full:
        words += [DIGITS[hundreds], "trăm"]
    if tens == 0:
        if units and words:
            words.append("lẻ")
    elif tens == 1:
        words.append("mười")
    else:
        words += [DIGITS[tens], "mươi"]
    if units == 0:
        return words
    if units == 1 and tens >= 2:
        words.append("mốt")
    elif units == 5 and tens >= 1:
        words.append("lăm")
    else:
        words.append(DIGITS[units])
    return words


def _words(number: int, *, full: bool) -> list[str]:
    if number >= 1_000_000_000:
        above, rest = divmod(number, 1_000_000_000)
        words = [*_words(above, full=full), "tỷ"]
        return words + (_words(rest, full=True) if rest else [])
    groups: list[int] = []
    while number:
        number, group = divmod(number, 1000)
        groups.append(group)
    words = []
    for position in range(len(groups) - 1, -1, -1):
        group = groups[position]
        if group == 0:
            continue
        leading = not words and not full
        words += _group(group, full=not leading)
        if GROUPS[position]:
            words.append(GROUPS[position])
    return words


def amount_in_words(amount_vnd: int) -> str:
    """“Một trăm ba mươi lăm nghìn đồng” for 135000: the first letter a capital, the unit at the end."""
    if amount_vnd < 0:
        raise ValueError("an amount is never negative")
    words = _words(amount_vnd, full=False) if amount_vnd else ["không"]
    text = " ".join([*words, "đồng"])
    return text[0].upper() + text[1:]


def figures(amount_vnd: int) -> str:
    """135000 → “135.000”: Vietnamese groups digits with dots."""
    return f"{amount_vnd:,}".replace(",", ".")
