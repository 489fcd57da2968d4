"""The Decision 766/QĐ-TTg indicators from a period's figures (layers/motcua/domain/indicators.py),
with numbers worked out by hand."""

from __future__ import annotations

from dataclasses import replace

import pytest

from motcua.domain.indicators import (
    DEFINITIONS,
    DIGITISED,
    ELECTRONIC,
    RATED,
    RATED_POINTS,
    Definition,
    Group,
    indicators,
)
from motcua.domain.statistics import Figures

# A quarter of one agency: 20 new dossiers (12 online, 6 at the counter, 2 by post), 3 carried over;
# 20 resolved (5 early, 10 on time, 5 late), 1 refused, 1 withdrawn, 1 still open and overdue.
QUARTER = Figures(
    carried_over=3,
    received_online=12,
    received_counter=6,
    received_post=2,
    early=5,
    on_time=10,
    late=5,
    in_time=0,
    overdue=1,
    refused=1,
    withdrawn=1,
    stopped=0,
    waiting=None,
    working_days=60,
)


def by_key(figures: Figures, extra: dict[str, int]) -> dict[str, tuple[int | None, int | None, float | None]]:
    return {i.definition.key: (i.numerator, i.denominator, i.value) for i in indicators(figures, extra)}


def test_the_held_indicators_worked_out_by_hand() -> None:
    got = by_key(QUARTER, {DIGITISED: 18, ELECTRONIC: 4})

    assert got["on_time_rate"] == (15, 20, 0.75)  # (5 early + 10 on time) / 20 resolved
    assert got["online_filing_rate"] == (12, 20, 0.6)  # 12 online / 20 new (not the 3 carried over)
    assert got["papers_digitised"] == (18, 20, 0.9)  # 18 of the 20 new with their papers as files
    assert got["electronic_results"] == (4, 20, 0.2)  # 4 of the 20 resolved with a signed result


def test_fees_paid_online_is_the_dossiers_paid_online_over_those_asked_to_pay() -> None:
    # Of the 20 new dossiers, 8 were asked to pay (a fee at filing or a financial obligation): 5 paid
    # online, 2 at the counter, 1 not yet
    got = by_key(replace(QUARTER, fees_due=8, fees_online=5), {})

    assert got["online_payment_rate"] == (5, 8, 0.625)
    assert by_key(QUARTER, {})["online_payment_rate"] == (0, 0, None)  # no fee asked: no value


def test_satisfaction_is_the_mean_overall_score_out_of_five() -> None:
    # 8 dossiers rated on the service as a whole: 5, 5, 5, 4, 4, 3, 2, 1 → 29 points of 8 × 5 = 40
    got = by_key(QUARTER, {RATED: 8, RATED_POINTS: 29})

    assert got["dossier_satisfaction"] == (29, 40, 0.725)  # a mean of 3.625 out of 5
    assert by_key(QUARTER, {})["dossier_satisfaction"] == (0, 0, None)  # nobody rated: no value


def test_the_ones_motcua_cannot_measure_say_so_and_have_no_value() -> None:
    measured = {i.definition.key: i for i in indicators(QUARTER, {DIGITISED: 18, ELECTRONIC: 4})}

    not_held = {key for key, i in measured.items() if not i.definition.held}
    assert not_held == {
        "procedures_published_on_time",
        "dossiers_synced",
        "digitised_data_reused",
        "feedback_on_time",
        "feedback_satisfaction",
    }
    for key in not_held:
        item = measured[key]
        assert (item.numerator, item.denominator, item.value) == (None, None, None)
        missing = item.definition.missing
        assert missing is not None and "motcua" in missing.vi and "motcua" in missing.en


def test_nothing_to_divide_is_no_value_not_zero() -> None:
    empty = Figures(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, None, 0)

    got = by_key(empty, {})

    assert got["on_time_rate"] == (0, 0, None)
    assert got["online_filing_rate"] == (0, 0, None)
    assert got["papers_digitised"] == (0, 0, None)


@pytest.mark.parametrize("definition", DEFINITIONS, ids=lambda d: d.key)
def test_every_indicator_names_the_decisions_criterion_and_its_formula_in_both_languages(
    definition: Definition,
) -> None:
    assert definition.clause.startswith("Quyết định 766/QĐ-TTg")
    assert definition.formula.vi and definition.formula.en and definition.name.vi and definition.name.en


def test_the_five_groups_in_the_decisions_order_each_with_an_indicator() -> None:
    groups = [d.group for d in DEFINITIONS]
    assert list(dict.fromkeys(groups)) == list(Group)
