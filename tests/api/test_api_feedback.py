"""The feedback API: send (201 with a code and due date), the agency's list, answer once (409 after),
publish without personal data; errors name the field, in vi and en."""

from __future__ import annotations

import json

import pytest

from motcua.domain.roles import Role
from motcua.services.feedback import FeedbackRequest
from tests.conftest import DEMO_PROVINCE
from tests.fakes.world import World

pytestmark = pytest.mark.offline

FINANCE = "000.00.01.H99"
BUSINESS = "2.001610"


@pytest.fixture
def world() -> World:
    return World(DEMO_PROVINCE)


def test_a_citizen_sends_the_officer_answers_and_publishes_and_the_public_sees_no_personal_data(
    world: World,
) -> None:
    an = world.citizen("Nguyễn Văn An", phone="+84912345678")
    dossier = world.file(an, BUSINESS).code
    officer = world.staff(FINANCE, Role.OFFICER, name="Lê Văn Xử")
    body = {
        "dossier_code": dossier,
        "subject": "Hồ sơ chậm",
        "text": "Hồ sơ của tôi đã quá hạn mà chưa có kết quả.",
    }
    with world.api() as api:
        sent = api.call("POST", "/v1/feedback", an, body)
        code = sent.body["code"]
        listed = api.call("GET", f"/v1/agencies/{FINANCE}/feedback", officer)
        answered = api.call(
            "POST", f"/v1/feedback/{code}/answer", officer, {"text": "Hồ sơ đã có kết quả, mời ông nhận."}
        )
        again = api.call(
            "POST",
            f"/v1/feedback/{code}/answer",
            officer,
            {"text": "Một câu trả lời nữa ạ."},
            Accept_Language="en",
        )
        mine = api.call("GET", "/v1/me/feedback", an)
        open_now = api.call("GET", f"/v1/agencies/{FINANCE}/feedback?state=open", officer)
        answered_list = api.call("GET", f"/v1/agencies/{FINANCE}/feedback?state=answered", officer)
        published = api.call(
            "POST",
            f"/v1/feedback/{code}/publication",
            officer,
            {
                "subject": "Hồ sơ đăng ký kinh doanh chậm",
                "question": "Hồ sơ đăng ký kinh doanh của tôi quá hạn mà chưa có kết quả.",
                "answer": "Hồ sơ đã có kết quả; cơ quan xin lỗi vì sự chậm trễ.",
            },
        )
        public = api.call("GET", "/v1/feedback/public")
    assert sent.status == 201, sent.body
    assert sent.headers["location"] == f"/v1/feedback/{code}"
    assert code == f"PAKN-{FINANCE}-261117-0001"
    assert (sent.body["state"], sent.body["due_at"], sent.body["agency"]) == (
        "open",
        "2026-12-02T17:00:00+07:00",
        FINANCE,
    )
    assert "sender" not in json.dumps(sent.body) or sent.body["sender"] is None
    assert listed.status == 200
    [item] = listed.body["items"]
    assert (item["code"], item["overdue"], item["sender"]) == (code, False, "Nguyễn Văn An")
    assert answered.status == 200
    assert answered.body["answer"]["by"] == "Lê Văn Xử"
    assert again.status == 409
    assert again.error_code == "feedback_answered"
    assert again.body["error"]["message"] == f"Feedback {code} has already been answered."
    assert open_now.body["items"] == []
    assert [i["code"] for i in answered_list.body["items"]] == [code]
    assert mine.body["items"][0]["answer"]["text"] == "Hồ sơ đã có kết quả, mời ông nhận."
    assert mine.body["items"][0]["answer"]["by"] is None  # the citizen sees the answer, not the officer
    assert published.status == 200, published.body
    [entry] = public.body["items"]
    assert entry["question"] == "Hồ sơ đăng ký kinh doanh của tôi quá hạn mà chưa có kết quả."
    text = json.dumps(public.body, ensure_ascii=False)
    for personal in ("Nguyễn Văn An", an.email, "0912345678", dossier, code, "Lê Văn Xử", an.sub):
        assert personal not in text
    # and the citizen was told, by email and by SMS
    channels = {m.channel for m in world.deliver() if code in (m.subject or m.text)}
    assert channels == {"email", "sms"}


def test_bad_feedback_names_the_field_in_both_languages(world: World) -> None:
    an, binh = world.citizen(), world.citizen()
    dossier = world.file(an, BUSINESS).code
    with world.api() as api:
        short = api.call("POST", "/v1/feedback", an, {"agency": FINANCE, "subject": "Hỏi", "text": "ngắn"})
        nobody = api.call(
            "POST", "/v1/feedback", an, {"subject": "Thái độ", "text": "Cán bộ chưa nhiệt tình."}
        )
        unknown = api.call(
            "POST",
            "/v1/feedback",
            an,
            {"agency": "999.99.99.Z99", "subject": "Thái độ", "text": "Cán bộ chưa nhiệt tình."},
        )
        not_mine = api.call(
            "POST",
            "/v1/feedback",
            binh,
            {"dossier_code": dossier, "subject": "Hồ sơ chậm", "text": "Hồ sơ này chậm quá."},
            Accept_Language="en",
        )
        missing = api.call("GET", f"/v1/feedback/PAKN-{FINANCE}-261117-0099", an)
        answer_unanswerable = api.call(
            "POST",
            f"/v1/feedback/PAKN-{FINANCE}-261117-0099/answer",
            world.staff(FINANCE),
            {"text": "Trả lời đây ạ."},
        )
    assert short.status == 422
    assert {f["field"] for f in short.body["error"]["fields"]} == {"text"}
    assert (nobody.status, nobody.body["error"]["fields"][0]["field"]) == (422, "agency")
    assert "Hãy chọn cơ quan" in nobody.body["error"]["message"]
    assert (unknown.status, unknown.body["error"]["fields"][0]["field"]) == (422, "agency")
    assert (not_mine.status, not_mine.body["error"]["fields"][0]["field"]) == (422, "dossier_code")
    assert not_mine.body["error"]["message"] == f"“{dossier}” is not the code of one of your dossiers."
    assert (missing.status, missing.error_code) == (404, "feedback_not_found")
    assert "Không tìm thấy" in missing.body["error"]["message"]
    assert answer_unanswerable.status == 404


def test_publishing_before_answering_is_a_conflict_and_a_dossier_code_is_refused(world: World) -> None:
    an, officer = world.citizen(), world.staff(FINANCE, Role.LEADER)
    code = world.container.feedback.send(an, _ask()).code
    texts = {
        "subject": "Thái độ phục vụ",
        "question": "Cán bộ chưa nhiệt tình.",
        "answer": "Đã nhắc nhở cán bộ.",
    }
    with world.api() as api:
        early = api.call("POST", f"/v1/feedback/{code}/publication", officer, texts)
        api.call("POST", f"/v1/feedback/{code}/answer", officer, {"text": "Đã nhắc nhở cán bộ."})
        leaked = api.call(
            "POST",
            f"/v1/feedback/{code}/publication",
            officer,
            texts | {"question": f"Hồ sơ {FINANCE}-261117-0001 chậm quá."},
        )
        public = api.call("GET", "/v1/feedback/public")
    assert (early.status, early.error_code) == (409, "feedback_not_answered")
    assert leaked.status == 422
    assert leaked.body["error"]["fields"][0]["field"] == "question"
    assert public.body["items"] == []


def _ask() -> FeedbackRequest:
    return FeedbackRequest(agency=FINANCE, subject="Thái độ phục vụ", text="Cán bộ hướng dẫn chưa rõ ràng.")
