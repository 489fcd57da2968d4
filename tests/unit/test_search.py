"""Search as citizens type it: 40+ real queries, each with the procedure it must find first, and the
ways out of an empty result (close matches, browsing by life event and by field)."""

from __future__ import annotations

import unicodedata

import pytest

from motcua.config.province import Province, load_province
from motcua.domain.search import SearchIndex, canonical, sound, untelex, words
from motcua.services.catalog import CatalogService
from tests.conftest import DEMO_PROVINCE

BUSINESS = "2.001610"
LAND = "1.013978"
BUILDING = "1.013225"
DRIVING = "3.000347"
WORK_PERMIT = "1.014199"
DELEGATION = "2.002151"
INSURANCE = "1.000058"
BIRTH = "1.001193"
JUDICIAL = "3.000333"
MARRIAGE = "1.000894"
DEATH = "1.000656"

# (query, procedure it must find first, what the query tries)
QUERIES: list[tuple[str, str, str]] = [
    ("đăng ký khai sinh", BIRTH, "the name, as written"),
    ("dang ky khai sinh", BIRTH, "without diacritics"),
    ("đăng kí khai sinh", BIRTH, "kí for ký"),
    ("DANG KI KHAI SINH", BIRTH, "capitals, i for y"),
    ("giấy khai sinh", BIRTH, "the paper people ask for"),
    ("khaisinh", BIRTH, "a missing space"),
    ("làm giấy khai sinh cho con", BIRTH, "everyday phrasing"),
    ("khai sinh cho em bé mới sinh", BIRTH, "everyday phrasing"),
    ("khai sinh dang ky", BIRTH, "words in another order"),
    ("khia sinh", BIRTH, "a typo: letters swapped"),
    ("dang ki khai sing", BIRTH, "a southern spelling: final ng for nh"),
    ("khai si", BIRTH, "half typed"),
    ("ddawng kys khai sinh", BIRTH, "Telex typed with the input method off"),
    ("birth certificate", BIRTH, "English"),
    ("register a baby", BIRTH, "English, everyday"),
    ("đăng ký kết hôn", MARRIAGE, "the name"),
    ("dang ki ket hon", MARRIAGE, "without diacritics, i for y"),
    ("giấy chứng nhận kết hôn", MARRIAGE, "the paper"),
    ("lấy vợ cần làm gì", MARRIAGE, "a question"),
    ("marriage certificate", MARRIAGE, "English"),
    ("dangky kethon", MARRIAGE, "two missing spaces"),
    ("giấy trứng nhận kết hôn", MARRIAGE, "tr for ch"),
    ("khai tử", DEATH, "the name"),
    ("giay chung tu cho bo", DEATH, "everyday, without diacritics"),
    ("người thân mất", DEATH, "everyday phrasing"),
    ("death certificate", DEATH, "English"),
    ("đăng ký kinh doanh", BUSINESS, "everyday name"),
    ("mở công ty", BUSINESS, "everyday phrasing"),
    ("thanh lap doanh nghiep tu nhan", BUSINESS, "without diacritics"),
    ("ma so thue", BUSINESS, "the tax code"),
    ("start a business", BUSINESS, "English"),
    ("làm sổ đỏ", LAND, "the everyday name"),
    ("so do lan dau", LAND, "without diacritics"),
    ("cấp giấy chứng nhận quyền sử dụng đất", LAND, "the official words"),
    ("land title", LAND, "English"),
    ("sổ hồng", LAND, "the other everyday name"),
    ("xin giấy phép xây nhà", BUILDING, "everyday phrasing"),
    ("giay phep xay dung nha o", BUILDING, "without diacritics"),
    ("building permit", BUILDING, "English"),
    ("giấy phép xây dựn", BUILDING, "the last letter missing"),
    ("đổi bằng lái xe", DRIVING, "everyday name"),
    ("doi giay phep lai xe", DRIVING, "without diacritics"),
    ("bang lai het han", DRIVING, "everyday phrasing"),
    ("GPLX", DRIVING, "an abbreviation"),
    ("driver license", DRIVING, "English, American spelling"),
    ("driving licence renewal", DRIVING, "English"),
    ("giấy phép lao động người nước ngoài", WORK_PERMIT, "the name"),
    ("work permit", WORK_PERMIT, "English"),
    ("lý lịch tư pháp", JUDICIAL, "the name"),
    ("lí lịch tư pháp", JUDICIAL, "lí for lý"),
    ("ly lich tu phap xin viec", JUDICIAL, "everyday phrasing"),
    ("criminal record", JUDICIAL, "English"),
    ("bảo hiểm xã hội cho nhân viên", INSURANCE, "everyday phrasing"),
    ("BHXH", INSURANCE, "an abbreviation"),
    ("the bao hiem y te", INSURANCE, "without diacritics"),
    ("thẻ bảo hiểm y tế", INSURANCE, "thẻ (a card) is not the English 'the'"),
    ("đoàn khách nước ngoài", DELEGATION, "everyday phrasing"),
    ("foreign delegation", DELEGATION, "English"),
    ("1.001193", BIRTH, "the procedure's code"),
]


PROVINCE = load_province(DEMO_PROVINCE)
catalog = CatalogService(PROVINCE)


def found(q: str, **filters: str) -> list[str]:
    return [p.code for p in catalog.search(q=q, limit=50, **filters).items]


@pytest.mark.parametrize(("q", "expected", "tries"), QUERIES, ids=[q for q, _, _ in QUERIES])
def test_a_query_finds_its_procedure_first(q: str, expected: str, tries: str) -> None:
    assert found(q)[:1] == [expected], tries


def test_the_table_is_at_least_forty_queries_over_every_demo_procedure() -> None:
    assert len(QUERIES) >= 40
    assert {expected for _, expected, _ in QUERIES} == {p.code for p in PROVINCE.procedures}


def test_a_name_counts_more_than_a_keyword_and_a_keyword_more_than_a_field() -> None:
    index = SearchIndex(
        [
            ("in-field", {"name": "Cấp phép", "keywords": "giấy tờ", "field": "Khai sinh"}),
            ("in-keywords", {"name": "Cấp giấy", "keywords": "khai sinh", "field": "Hộ tịch"}),
            ("in-name", {"name": "Khai sinh", "keywords": "giấy tờ", "field": "Hộ tịch"}),
        ],
        {"name": 3.0, "keywords": 2.0, "field": 1.0},
    )

    assert [hit.key for hit in index.search("khai sinh").hits] == ["in-name", "in-keywords", "in-field"]


def test_a_word_typed_with_its_marks_prefers_the_same_marks() -> None:
    # Folded, "so" is both the "số" of "mã số thuế" and the "sổ" of "sổ đỏ"; "do" is the English "do".
    assert found("số")[0] == BUSINESS
    assert found("sổ")[0] == LAND and found("sổ").index(BUSINESS) > 0
    assert found("làm sổ đỏ") == [LAND]
    assert found("đăng kí khai sinh")[0] == BIRTH  # kí and ký are the same marks


def test_words_that_only_ask_find_nothing() -> None:
    assert found("tôi muốn làm thủ tục như thế nào") == []
    assert found("khong-co-thu-tuc-nao-nhu-the-nay") == []


def test_an_empty_result_offers_the_procedures_that_come_close() -> None:
    # Three procedures in one query: none of them alone is what was asked for.
    page = catalog.search(q="khai sinh doanh nghiep lai xe")

    assert page.items == []
    assert {p.code for p in page.suggestions} == {BIRTH, BUSINESS, DRIVING}


def test_a_word_the_catalog_lacks_keeps_a_common_word_from_matching_everything() -> None:
    # "đăng ký" is in many names; "nghĩa vụ quân sự" in none: no list of every "đăng ký".
    page = catalog.search(q="đăng ký nghĩa vụ quân sự")

    assert page.items == []
    assert page.suggestions
    assert catalog.search(q="qwxzv").suggestions == []


def test_a_four_letter_typo_is_only_two_letters_swapped() -> None:
    # "nuôi" is a letter away from nước, người, cưới: a dog's licence is none of those.
    assert found("giay phep nuoi cho") == []
    assert found("khia sihn") == [BIRTH]


def test_browse_by_life_event_and_by_field() -> None:
    assert found("", event="birth") == [BIRTH]
    assert set(found("", event="house")) == {BUILDING, LAND}
    assert set(found("", field="ho-tich")) == {BIRTH, MARRIAGE, DEATH}
    assert found("giay phep", event="house") == [BUILDING]
    assert found("", event="no-such-event") == []


def test_topics_list_life_events_in_the_files_order_and_fields_with_their_counts() -> None:
    topics = catalog.topics()

    events = {t.id: t for t in topics.life_events}
    assert [t.id for t in topics.life_events] == [e.id for e in PROVINCE.life_events]
    assert events["birth"].name.vi == "Sinh con" and events["birth"].name.en == "Having a baby"
    assert events["house"].count == 2 and events["marriage"].count == 1 and events["death"].count == 1
    fields = {t.id: t for t in topics.fields}
    assert fields["ho-tich"].count == 3 and fields["ho-tich"].name.en == "Civil status"
    assert sum(t.count for t in topics.fields) == len(PROVINCE.procedures)
    for topic in topics.fields:
        assert found("", field=topic.id), topic.id


def test_spelling_variants_fold_to_one_form() -> None:
    assert words("Đăng ký LÝ LỊCH") == words("dang ki li lich")
    assert words(unicodedata.normalize("NFD", "Hộ tịch")) == ["ho", "tich"]  # marks typed apart
    assert canonical("quy") == canonical("qui") and canonical("huy") == "huy"
    assert sound("trung") == sound("chun") and sound("giay") == sound("day") and sound("sinh") == sound("xin")
    assert untelex("ddawngs") == "dang" and untelex("kys") == "ky"


def _province_with(**changes: object) -> dict[str, object]:
    data = PROVINCE.model_dump(mode="json", exclude_none=True)
    data.update(changes)
    return data


def test_the_province_file_refuses_a_life_event_no_procedure_can_name() -> None:
    procedures = _province_with()["procedures"]
    assert isinstance(procedures, list)
    procedures[0]["life_events"] = ["moving-abroad"]
    with pytest.raises(ValueError, match="unknown life events: moving-abroad"):
        Province.model_validate(_province_with(procedures=procedures))
    twice = [{"id": "birth", "name": {"vi": "Sinh con", "en": "Baby"}}] * 2
    with pytest.raises(ValueError, match="more than once: birth"):
        Province.model_validate(_province_with(life_events=twice, procedures=[]))
    unknown_key = [{"id": "birth", "name": {"vi": "Sinh con", "en": "Baby"}, "icon": "baby"}]
    with pytest.raises(ValueError, match="icon"):
        Province.model_validate(_province_with(life_events=unknown_key, procedures=[]))
