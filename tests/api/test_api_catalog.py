"""The public catalog: finding procedures, reading one, listing agencies."""

from __future__ import annotations

import pytest

from tests.api.conftest import BUSINESS, FINANCE, Api

pytestmark = pytest.mark.offline  # the catalog needs no AWS: the API runs on in-memory fakes

PLANNING_AND_INVESTMENT = "000.00.07.H99"  # merged into Finance in 2025


def all_procedures(api: Api, query: str = "") -> list[dict[str, object]]:
    answer = api.get(f"/v1/procedures?limit=100{query}")
    assert answer.status == 200
    items: list[dict[str, object]] = answer.json["items"]
    return items


def test_anyone_finds_a_procedure_by_words_without_diacritics(api: Api) -> None:
    answer = api.get("/v1/procedures?q=dang%20ky%20doanh%20nghiep")

    assert answer.status == 200
    codes = [p["code"] for p in answer.json["items"]]
    assert codes[0] == BUSINESS  # best match first
    business = next(p for p in answer.json["items"] if p["code"] == BUSINESS)
    assert business["agency_name"] == "Sở Tài chính"
    assert business["level"] == "full" and business["legacy_level"] == 4


def test_procedures_filter_by_agency_and_by_either_level_scale(api: Api) -> None:
    everything = all_procedures(api)

    by_finance = all_procedures(api, f"&agency={FINANCE}")
    full = all_procedures(api, "&level=full")
    level_4 = all_procedures(api, "&level=4")

    assert {p["code"] for p in by_finance} == {p["code"] for p in everything if p["agency"] == FINANCE}
    assert by_finance and len(by_finance) < len(everything)
    assert full and all(p["level"] == "full" for p in full)
    assert {p["code"] for p in level_4} == {p["code"] for p in everything if p["legacy_level"] == 4}
    assert not all_procedures(api, "&q=khong-co-thu-tuc-nao-nhu-the-nay")


def test_procedure_pages_follow_next_token_to_the_end_without_repeats(api: Api) -> None:
    everything = [p["code"] for p in all_procedures(api)]
    seen: list[str] = []
    token = None
    while True:
        answer = api.get("/v1/procedures?limit=2" + (f"&next_token={token}" if token else ""))
        assert answer.status == 200 and len(answer.json["items"]) <= 2
        seen += [p["code"] for p in answer.json["items"]]
        token = answer.json["next_token"]
        if token is None:
            break

    assert seen == everything
    assert len(everything) > 2  # so that there was more than one page


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("limit=0", "limit"),
        ("limit=101", "limit"),
        ("limit=abc", "limit"),
        ("level=5", "level"),
        ("agency=not-a-code", "agency"),
    ],
)
def test_a_bad_query_parameter_is_a_400_naming_it(api: Api, query: str, field: str) -> None:
    answer = api.get(f"/v1/procedures?{query}")

    assert answer.status == 400
    assert answer.error["code"] == "invalid_query"
    assert answer.field_names() == [field]


def test_empty_parameters_count_as_absent(api: Api) -> None:
    answer = api.get("/v1/procedures?q=&agency=&level=&limit=&next_token=")

    assert answer.status == 200
    assert len(answer.json["items"]) == min(20, len(all_procedures(api)))


def test_a_forged_next_token_is_a_400(api: Api) -> None:
    answer = api.get("/v1/procedures?next_token=not-a-token!!")

    assert answer.status == 400
    assert answer.error["code"] == "invalid_next_token"


def test_a_procedure_shows_papers_fee_time_levels_agency_and_form(api: Api) -> None:
    answer = api.get(f"/v1/procedures/{BUSINESS}")

    assert answer.status == 200
    procedure = answer.json
    assert procedure["code"] == BUSINESS
    assert procedure["agency"] == FINANCE and procedure["agency_name"] == "Sở Tài chính"
    assert procedure["legal_days"] == 3 and procedure["fee"]["amount_vnd"] == 100000
    assert procedure["level"] == "full" and procedure["legacy_level"] == 4
    assert procedure["name"]["vi"].startswith("Đăng ký thành lập doanh nghiệp")
    assert procedure["name"]["en"].startswith("Registration of a private enterprise")
    required = {p["code"] for p in procedure["papers"] if p["required"]}
    assert required == {"giay_de_nghi_dang_ky_doanh_nghiep", "giay_to_phap_ly_chu_doanh_nghiep"}
    assert procedure["form"]["type"] == "object"
    assert "enterprise_name" in procedure["form"]["required"]


def test_a_procedure_names_its_agency_in_the_callers_language(api: Api) -> None:
    answer = api.get(f"/v1/procedures/{BUSINESS}", lang="en-GB,en;q=0.9")

    assert answer.json["agency_name"] == "Department of Finance"
    assert answer.header("Content-Language") == "en"


def test_an_unknown_procedure_is_a_404_naming_it(api: Api) -> None:
    answer = api.get("/v1/procedures/9.999999", lang="en")

    assert answer.status == 404
    assert answer.error["code"] == "procedure_not_found"
    assert "9.999999" in answer.error["message"]


def test_agencies_list_the_province_with_merged_ones_pointing_to_their_successor(api: Api) -> None:
    answer = api.get("/v1/agencies")

    assert answer.status == 200
    agencies = {a["code"]: a for a in answer.json["items"]}
    assert agencies[FINANCE]["name"] == "Sở Tài chính" and agencies[FINANCE]["kind"] == "department"
    assert agencies[FINANCE]["merged_into"] is None
    assert agencies[PLANNING_AND_INVESTMENT]["merged_into"] == FINANCE
    assert {"province", "department", "branch", "commune"} <= {a["kind"] for a in agencies.values()}


def test_agencies_in_english(api: Api) -> None:
    answer = api.get("/v1/agencies", lang="en")

    names = {a["code"]: a["name"] for a in answer.json["items"]}
    assert names[FINANCE] == "Department of Finance"


def test_the_catalog_may_be_cached_by_the_browser_and_cdn(api: Api) -> None:
    answer = api.get("/v1/procedures")

    assert answer.header("Cache-Control") == "public, max-age=300"
    assert "Accept-Language" in (answer.header("Vary") or "")


def test_a_search_that_finds_nothing_answers_with_close_matches(api: Api) -> None:
    answer = api.get("/v1/procedures?q=khai%20sinh%20doanh%20nghiep%20lai%20xe")

    assert answer.status == 200
    assert answer.json["items"] == []
    assert {p["code"] for p in answer.json["suggestions"]} == {"1.001193", BUSINESS, "3.000347"}
    assert all(p["name"] and p["agency_name"] for p in answer.json["suggestions"])


def test_anyone_browses_by_life_event_and_field_listed_in_both_languages(api: Api) -> None:
    vi = api.get("/v1/catalog")
    en = api.get("/v1/catalog", lang="en")

    assert vi.status == 200 and en.status == 200
    events = {t["id"]: t for t in vi.json["life_events"]}
    assert events["birth"] == {"id": "birth", "name": "Sinh con", "count": 1}
    assert {t["id"]: t["name"] for t in en.json["life_events"]}["marriage"] == "Getting married"
    for topic in vi.json["life_events"]:
        assert len(all_procedures(api, f"&event={topic['id']}")) == topic["count"], topic["id"]
    for topic in vi.json["fields"]:
        assert len(all_procedures(api, f"&field={topic['id']}")) == topic["count"], topic["id"]
    assert [p["code"] for p in all_procedures(api, "&event=birth")] == ["1.001193"]


def test_a_malformed_life_event_is_a_400(api: Api) -> None:
    answer = api.get("/v1/procedures?event=Sinh%20con")

    assert answer.status == 400
    assert answer.field_names() == ["event"]


def test_a_procedure_gives_its_form_steps_and_what_to_bring_for_the_result(api: Api) -> None:
    answer = api.get("/v1/procedures/1.001193")

    assert answer.status == 200
    steps = answer.json["steps"]
    assert [step["title"]["vi"] for step in steps] == ["Thông tin về trẻ", "Thông tin về cha, mẹ"]
    assert steps[1]["fields"] == ["mother_full_name", "father_full_name", "requester_relationship"]
    assert answer.json["collect"]["bring"][0] == {
        "vi": "Căn cước của người đi nhận",
        "en": "The ID card of the person collecting it",
    }
    assert answer.json["form"]["properties"]["child_date_of_birth"]["x-when"] == "past"
