"""The amount in Vietnamese words, as a receipt writes it (expected words written by hand)."""

from __future__ import annotations

import pytest

from motcua.documents.amount_words import amount_in_words, figures


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        (135_000, "Một trăm ba mươi lăm nghìn đồng"),
        (1_005_000, "Một triệu không trăm lẻ năm nghìn đồng"),
        (21_000_000, "Hai mươi mốt triệu đồng"),
        (100_000, "Một trăm nghìn đồng"),
        (1_050_000, "Một triệu không trăm năm mươi nghìn đồng"),
        (15_000, "Mười lăm nghìn đồng"),
        (105_000, "Một trăm lẻ năm nghìn đồng"),
        (1_500, "Một nghìn năm trăm đồng"),
        (2_000_100, "Hai triệu một trăm đồng"),
        (24, "Hai mươi bốn đồng"),
        (111, "Một trăm mười một đồng"),
        (1_000_005_000, "Một tỷ không trăm lẻ năm nghìn đồng"),
        (
            1_234_567_891,
            "Một tỷ hai trăm ba mươi bốn triệu năm trăm sáu mươi bảy nghìn tám trăm chín mươi mốt đồng",
        ),
        (3_000_000_000_000, "Ba nghìn tỷ đồng"),
        (0, "Không đồng"),
    ],
)
def test_amounts_read_as_the_administrative_wording(amount: int, words: str) -> None:
    assert amount_in_words(amount) == words


def test_figures_group_thousands_with_dots_and_a_negative_amount_is_refused() -> None:
    assert figures(1_005_000) == "1.005.000"
    assert figures(135_000) == "135.000"
    with pytest.raises(ValueError, match="negative"):
        amount_in_words(-1)
