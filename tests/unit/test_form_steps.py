"""A long form asked in steps and what to bring for the result: the province file's `steps` and `collect`."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from motcua.config.province import Province, load_province
from motcua.domain.catalog import Procedure
from tests.conftest import DEMO_PROVINCE

BIRTH_REGISTRATION = "1.001193"


@pytest.fixture(scope="module")
def province() -> Province:
    return load_province(DEMO_PROVINCE)


def birth_registration(province: Province, **changes: Any) -> dict[str, Any]:
    data = province.procedures_by_code[BIRTH_REGISTRATION].model_dump(mode="json")
    return data | changes


def test_the_birth_registration_asks_about_the_child_then_the_parents(province: Province) -> None:
    steps = province.procedures_by_code[BIRTH_REGISTRATION].steps
    assert [step.title.vi for step in steps] == ["Thông tin về trẻ", "Thông tin về cha, mẹ"]
    assert [step.title.en for step in steps] == ["About the child", "About the parents"]
    assert steps[0].fields[:3] == ("child_full_name", "child_sex", "child_date_of_birth")


def test_every_field_of_a_stepped_demo_form_is_asked_once(province: Province) -> None:
    stepped = [p for p in province.procedures if p.steps]
    assert len(stepped) >= 5  # the long demo forms
    for procedure in stepped:
        asked = [name for step in procedure.steps for name in step.fields]
        assert sorted(asked) == sorted(procedure.form["properties"]), procedure.code


def test_short_demo_forms_stay_on_one_page(province: Province) -> None:
    assert not province.procedures_by_code["1.000894"].steps  # marriage: five fields


def test_every_demo_procedure_says_what_to_bring_for_the_result(province: Province) -> None:
    for procedure in province.procedures:
        assert procedure.collect is not None and procedure.collect.bring, procedure.code
        for item in procedure.collect.bring:
            assert item.vi.strip() and item.en.strip(), procedure.code


def test_a_date_field_says_whether_it_is_in_the_past_or_the_future(province: Province) -> None:
    form = province.procedures_by_code[BIRTH_REGISTRATION].form
    assert form["properties"]["child_date_of_birth"]["x-when"] == "past"
    wish = province.procedures_by_code["1.000894"].form["properties"]["marriage_date_wish"]
    assert wish["x-when"] == "future"
    # The hint no longer asks for year-month-day: the portal asks day, month and year apart.
    assert "năm-tháng-ngày" not in str(form)


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ([["child_full_name", "child_sex", "nickname"]], "the form does not have: nickname"),
        ([["child_full_name", "child_sex"], ["child_sex"]], "more than one step: child_sex"),
        ([["child_full_name", "child_sex"]], "in no step: child_date_of_birth"),
    ],
)
def test_steps_that_do_not_cover_the_form_once_do_not_load(
    province: Province, fields: list[list[str]], problem: str
) -> None:
    steps = [
        {"title": {"vi": f"Bước {i}", "en": f"Step {i}"}, "fields": names} for i, names in enumerate(fields)
    ]
    with pytest.raises(ValidationError, match=problem):
        Procedure.model_validate(birth_registration(province, steps=steps), context={"forms_checked": True})


def test_a_step_asks_at_least_one_field(province: Province) -> None:
    steps = [{"title": {"vi": "Trống", "en": "Empty"}, "fields": []}]
    with pytest.raises(ValidationError, match="at least 1"):
        Procedure.model_validate(birth_registration(province, steps=steps), context={"forms_checked": True})
