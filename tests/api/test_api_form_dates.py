"""A form's date fields held to their `x-when` by the API, as the portal holds them (docs/forms.md):
a birth after today or a wished date before today is refused with the field named, in vi and en."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from tests.api.conftest import Api, Person, file, new_key, upload
from tests.examples import filing_body
from tests.fakes.clock import TUESDAY_MORNING

BIRTH, MARRIAGE = "1.001193", "1.000894"
TODAY = TUESDAY_MORNING.date()  # 09:00 in Vietnam: the same day there


def with_form(api: Api, container: Any, person: Person, code: str, **form: str) -> dict[str, Any]:
    def send(content_type: str) -> str:
        return upload(api, person)

    body = filing_body(container.province, code, "Nguyễn Văn An", "an.nguyen@example.vn", send)
    return body | {"form": body["form"] | form}


@pytest.mark.parametrize(
    ("code", "name", "wrong", "refused", "vi", "en"),
    [
        (
            BIRTH,
            "child_date_of_birth",
            TODAY + timedelta(days=1),
            "form_not_past",
            "Ngày, tháng, năm sinh phải là hôm nay hoặc một ngày đã qua.",
            "Date of birth must be today or in the past",
        ),
        (
            MARRIAGE,
            "marriage_date_wish",
            TODAY - timedelta(days=1),
            "form_not_future",
            "Ngày mong muốn nhận giấy chứng nhận kết hôn phải là hôm nay hoặc một ngày sắp tới.",
            "must be today or in the future",
        ),
    ],
)
def test_a_date_on_the_wrong_side_of_today_is_refused_with_its_field_and_today_is_not(
    api: Api, container: Any, an: Person, code: str, name: str, wrong: Any, refused: str, vi: str, en: str
) -> None:
    for lang, said in (("vi", vi), ("en", en)):
        body = with_form(api, container, an, code, **{name: wrong.isoformat()})
        answer = api.post(
            "/v1/dossiers", token=an.token, json_body=body, headers={"Idempotency-Key": new_key()}, lang=lang
        )

        assert answer.status == 422
        [error] = answer.error["fields"]
        assert (error["field"], error["code"]) == (f"form.{name}", refused)
        assert said in error["message"], error

    today = file(api, an, with_form(api, container, an, code, **{name: TODAY.isoformat()}))
    assert today.status == 201, today.body
