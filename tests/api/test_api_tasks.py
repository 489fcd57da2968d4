"""Agency work through the API: the inbox, decisions, papers asked for and added, and public tracking."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import requests

from tests.api.conftest import (
    APPLICANT,
    FINANCE,
    POLICE,
    SOCIAL_INSURANCE,
    Answer,
    Api,
    People,
    Person,
    decide,
    filed,
    filed_alone,
    upload,
)
from tests.examples import PDF, PNG


def task_of(code: str) -> str:
    return f"{code}-T1"


def inbox(api: Api, person: Person, agency: str = FINANCE, query: str = "") -> list[dict[str, Any]]:
    answer = api.get(f"/v1/agencies/{agency}/tasks{query}", token=person.token)
    assert answer.status == 200, answer.body
    items: list[dict[str, Any]] = answer.json["items"]
    return items


# --- the whole walk ------------------------------------------------------------------------------


def test_a_dossier_walks_from_filing_to_result_and_tracking_shows_it_without_personal_data(
    api: Api, an: Person, si_receiver: Person, si_officer: Person
) -> None:
    # Given a filed declaration that the social insurance agency decides alone
    receiver = si_receiver
    code = filed_alone(api, an)
    task_id = task_of(code)

    # the receiving agency finds it in its inbox, with what it may do
    [task] = inbox(api, receiver, SOCIAL_INSURANCE)
    assert task["task_id"] == task_id and task["applicant_name"] == "Nguyễn Văn An"
    assert task["allowed_actions"] == ["accept", "refuse", "request_papers", "forward"]

    # and opens it, files included, through short-lived links
    opened = api.get(f"/v1/tasks/{task_id}", token=receiver.token)
    assert opened.status == 200
    assert opened.json["dossier"]["code"] == code
    link = opened.json["dossier"]["attachments"][0]["download_url"]
    assert requests.get(link, timeout=10).content == PDF

    # When the desk accepts it, its processing officer approves it and the desk returns the result
    accepted = decide(api, receiver, task_id, "accept")
    assert (accepted.status, accepted.json["status"], accepted.json["status_label"]) == (200, 4, "Đang xử lý")
    assert accepted.json["task"]["allowed_actions"] == []  # in process: the officers' to decide
    to_decide = api.get(f"/v1/tasks/{task_id}", token=si_officer.token).json["task"]
    assert to_decide["allowed_actions"] == ["request_papers", "approve", "reject", "forward"]
    approved = decide(api, si_officer, task_id, "approve")
    assert approved.json["status"] == 9
    returned = decide(api, receiver, task_id, "return_result")
    assert returned.json["status"] == 10 and returned.json["status_label"] == "Đã trả kết quả"

    # Then the task is closed, early (done on the day of filing, due five working days later)
    assert returned.json["task"]["state"] == "closed"
    assert returned.json["task"]["timeliness"] == "early"
    assert inbox(api, receiver, SOCIAL_INSURANCE) == []
    # the owner sees the result returned
    assert api.get(f"/v1/dossiers/{code}", token=an.token).json["status"] == 10

    # and anyone with the code follows the whole timeline, without a name, number or file
    tracking = api.get(f"/v1/tracking/{code}", lang="en")
    assert tracking.status == 200
    assert tracking.json["status"] == 10 and tracking.json["status_label"] == "Result returned"
    assert [e["status"] for e in tracking.json["timeline"]] == [1, 2, 4, 9, 10]
    assert [e["action"] for e in tracking.json["timeline"]] == [
        None,
        "accept",
        "accept",
        "approve",
        "return_result",
    ]
    text = json.dumps(tracking.json, ensure_ascii=False)
    for personal in (
        APPLICANT["full_name"],
        APPLICANT["id_number"],
        APPLICANT["phone"],
        APPLICANT["email"],
        APPLICANT["address"],
        "download_url",
        "applicant",
        "Cán bộ",
    ):
        assert personal not in text


# --- the inbox -----------------------------------------------------------------------------------


def test_the_inbox_is_ordered_by_due_date_and_paged(
    api: Api, an: Person, receiver: Person, clock: Any
) -> None:
    # Filed on Wednesday 18/11: due Monday 23/11. Filed on Tuesday 17/11: due Friday 20/11.
    clock.set(datetime(2026, 11, 18, 2, 0, tzinfo=UTC))
    later = filed(api, an)
    clock.set(datetime(2026, 11, 17, 2, 0, tzinfo=UTC))
    sooner = filed(api, an)

    first = api.get(f"/v1/agencies/{FINANCE}/tasks?limit=1", token=receiver.token)
    second = api.get(
        f"/v1/agencies/{FINANCE}/tasks?limit=1&next_token={first.json['next_token']}", token=receiver.token
    )

    assert [t["dossier_code"] for t in first.json["items"]] == [sooner]
    assert [t["dossier_code"] for t in second.json["items"]] == [later]
    assert second.json["next_token"] is None
    assert [t["due_at"] for t in first.json["items"] + second.json["items"]] == [
        "2026-11-20T17:00:00+07:00",
        "2026-11-23T17:00:00+07:00",
    ]


def test_staff_of_another_agency_may_not_read_the_inbox(api: Api, an: Person, outsider: Person) -> None:
    filed(api, an)

    answer = api.get(f"/v1/agencies/{FINANCE}/tasks", token=outsider.token)

    assert answer.status == 403
    assert inbox(api, outsider, POLICE) == []  # their own is empty


def test_the_inbox_of_an_unknown_agency_is_a_404(api: Api, receiver: Person) -> None:
    answer = api.get("/v1/agencies/999.99.99.H99/tasks", token=receiver.token)

    assert answer.status == 404
    assert answer.error["code"] == "agency_not_found"


def test_the_inbox_limit_is_checked(api: Api, receiver: Person) -> None:
    answer = api.get(f"/v1/agencies/{FINANCE}/tasks?limit=0", token=receiver.token)

    assert answer.status == 400
    assert answer.field_names() == ["limit"]


# --- tasks and decisions -------------------------------------------------------------------------


def test_staff_of_another_agency_may_neither_open_nor_decide_a_task(
    api: Api, an: Person, outsider: Person, receiver: Person
) -> None:
    task_id = task_of(filed(api, an))

    assert api.get(f"/v1/tasks/{task_id}", token=outsider.token).status == 403
    assert decide(api, outsider, task_id, "accept").status == 403
    assert inbox(api, receiver)[0]["dossier_status"] == 1  # nothing changed


def test_an_unknown_task_is_a_404(api: Api, receiver: Person) -> None:
    for task_id in ("000.00.01.H99-261117-0099-T1", "nothing"):
        assert api.get(f"/v1/tasks/{task_id}", token=receiver.token).status == 404
        answer = decide(api, receiver, task_id, "accept")
        assert answer.status == 404
        assert answer.error["code"] in ("task_not_found", "dossier_not_found")


def test_a_decision_the_status_does_not_allow_is_a_409_listing_what_it_allows(
    api: Api, an: Person, people: People
) -> None:
    task_id = task_of(filed(api, an))
    leader = people.staff("lanhdao.taichinh", FINANCE, "leader")  # a role that may approve, in time

    answer = decide(api, leader, task_id, "approve")

    assert answer.status == 409
    assert answer.error["code"] == "invalid_transition"
    assert answer.error["status"] == 1
    assert answer.error["allowed"] == [
        {"action": "accept", "to": [2, 4]},
        {"action": "refuse", "to": [3]},
        {"action": "request_papers", "to": [5]},
    ]
    assert "accept" in answer.error["message"]


def test_a_decision_that_needs_a_reason_names_the_field(api: Api, an: Person, receiver: Person) -> None:
    task_id = task_of(filed(api, an))

    answer = decide(api, receiver, task_id, "refuse")  # without a reason

    assert answer.status == 422
    assert answer.field_names() == ["reason"]


def test_a_task_is_forwarded_only_to_an_active_colleague_in_the_staff_pool(
    api: Api, people: People, an: Person, receiver: Person, outsider: Person
) -> None:
    # Given a filed registration, and in the pools: a colleague at Finance's desk, a Finance officer
    # whose account was disabled, the police officer, the citizen
    task_id = task_of(filed(api, an))
    colleague = people.staff("tiepnhan2.taichinh", FINANCE, "receiver")
    people.staff("nghiviec.taichinh", FINANCE, "officer")
    people.cognito.admin_disable_user(UserPoolId=people.outputs.staff_pool_id, Username="nghiviec.taichinh")

    def forward(to: str, lang: str = "vi") -> Answer:
        body = {"action": "forward", "to": to}
        return api.post(f"/v1/tasks/{task_id}/decision", token=receiver.token, json_body=body, lang=lang)

    # When the desk forwards it to anyone but the colleague, it is refused, naming the field
    for to in ("khongco.taichinh", an.username, outsider.username, "nghiviec.taichinh", receiver.username):
        for lang, word in (("vi", "cán bộ"), ("en", "officer")):
            refused = forward(to, lang)
            assert refused.status == 422, (to, refused.body)
            assert refused.field_names() == ["to"]
            assert word in refused.error["fields"][0]["message"]
    assert inbox(api, receiver)[0]["assignee"] is None

    # Then to the colleague it goes, named as the staff pool names them
    forwarded = forward(colleague.username)
    assert forwarded.status == 200, forwarded.body
    assert forwarded.json["task"]["assignee"] == "tiepnhan2.taichinh"
    assert forwarded.json["task"]["assignee_name"] == colleague.name == "Cán bộ tiepnhan2.taichinh"
    assert decide(api, colleague, task_id, "accept").status == 200


def test_an_unknown_action_is_a_422_naming_it(api: Api, an: Person, receiver: Person) -> None:
    task_id = task_of(filed(api, an))

    answer = decide(api, receiver, task_id, "approve_quickly")

    assert answer.status == 422
    assert answer.field_names() == ["action"]
    assert answer.error["fields"][0]["code"] == "literal_error"


def test_a_refusal_ends_the_dossier_with_its_reason(api: Api, an: Person, receiver: Person) -> None:
    code = filed(api, an)

    answer = decide(api, receiver, task_of(code), "refuse", "Ngành nghề kinh doanh không hợp lệ")

    assert answer.json["status"] == 3
    mine = api.get(f"/v1/dossiers/{code}", token=an.token).json
    assert mine["status"] == 3 and mine["reason"] == "Ngành nghề kinh doanh không hợp lệ"
    assert decide(api, receiver, task_of(code), "accept").status == 409


# --- papers asked for and added -------------------------------------------------------------------


def test_papers_asked_for_stop_the_clock_and_adding_them_moves_the_due_date(
    api: Api, an: Person, si_receiver: Person, si_officer: Person, clock: Any
) -> None:
    # Given a declaration filed on Tuesday 17/11/2026, due Wednesday 25/11 (Tuesday 24/11 is Vietnam
    # Culture Day), accepted and then asked for papers
    receiver = si_receiver
    code = filed_alone(api, an)
    task_id = task_of(code)
    decide(api, receiver, task_id, "accept")
    asked = decide(api, si_officer, task_id, "request_papers", "Thiếu bản sao căn cước có chứng thực")
    assert asked.json["status"] == 5 and asked.json["task"]["state"] == "waiting"
    assert inbox(api, receiver, SOCIAL_INSURANCE) == []  # nothing to do while the citizen is away
    assert decide(api, si_officer, task_id, "approve").status == 409
    mine = api.get(f"/v1/dossiers/{code}", token=an.token).json
    assert mine["status"] == 5 and mine["reason"] == "Thiếu bản sao căn cước có chứng thực"
    assert api.get(f"/v1/tracking/{code}").json["status"] == 5

    # When the citizen adds it on Thursday 19/11, two working days later
    clock.set(datetime(2026, 11, 19, 3, 0, tzinfo=UTC))
    paper = upload(api, an, filename="căn cước chứng thực.pdf")
    answer = api.post(
        f"/v1/dossiers/{code}/supplements",
        token=an.token,
        json_body={
            "attachments": [{"upload_id": paper, "paper_code": "hop_dong_lao_dong"}],
            "note": "Đã bổ sung",
        },
    )

    # Then the dossier is back in process, due two working days later: Thursday 26/11, Friday 27/11
    assert answer.status == 200
    dossier = answer.json
    assert dossier["status"] == 4 and dossier["days_paused"] == 2
    assert dossier["due_at"] == "2026-11-27T17:00:00+07:00"
    assert [a["filename"] for a in dossier["attachments"]][-1] == "căn cước chứng thực.pdf"
    [task] = inbox(api, receiver, SOCIAL_INSURANCE)
    assert task["task_id"] == task_id and task["due_at"] == "2026-11-27T17:00:00+07:00"
    assert decide(api, si_officer, task_id, "approve").json["status"] == 9


def test_papers_asked_for_at_reception_bring_the_dossier_back_to_submitted(
    api: Api, an: Person, receiver: Person
) -> None:
    code = filed(api, an)
    decide(api, receiver, task_of(code), "request_papers", "Ảnh căn cước bị mờ")

    answer = api.post(
        f"/v1/dossiers/{code}/supplements",
        token=an.token,
        json_body={
            "attachments": [{"upload_id": upload(api, an), "paper_code": "giay_to_phap_ly_chu_doanh_nghiep"}]
        },
    )

    assert answer.json["status"] == 1 and answer.json["days_paused"] == 0
    assert inbox(api, receiver)[0]["allowed_actions"] == ["accept", "refuse", "request_papers", "forward"]


def test_papers_nobody_asked_for_are_a_409(api: Api, an: Person) -> None:
    code = filed(api, an)

    answer = api.post(
        f"/v1/dossiers/{code}/supplements",
        token=an.token,
        json_body={
            "attachments": [{"upload_id": upload(api, an), "paper_code": "giay_to_phap_ly_chu_doanh_nghiep"}]
        },
    )

    assert answer.status == 409
    assert answer.error["code"] == "invalid_transition"
    assert answer.error["status"] == 1
    assert "supplement" not in [a["action"] for a in answer.error["allowed"]]


def test_only_the_owner_adds_papers(api: Api, an: Person, binh: Person, receiver: Person) -> None:
    code = filed(api, an)
    decide(api, receiver, task_of(code), "request_papers", "Thiếu giấy tờ")
    body = {
        "attachments": [{"upload_id": upload(api, binh), "paper_code": "giay_to_phap_ly_chu_doanh_nghiep"}]
    }

    assert api.post(f"/v1/dossiers/{code}/supplements", token=binh.token, json_body=body).status == 403
    assert api.post(f"/v1/dossiers/{code}/supplements", token=receiver.token, json_body=body).status == 403
    assert api.get(f"/v1/dossiers/{code}", token=an.token).json["status"] == 5


def test_added_papers_are_checked_like_filed_ones(api: Api, an: Person, receiver: Person) -> None:
    code = filed(api, an)
    decide(api, receiver, task_of(code), "request_papers", "Thiếu giấy tờ")
    disguised = upload(api, an, PNG, content_type="application/pdf", filename="giả.pdf")

    answer = api.post(
        f"/v1/dossiers/{code}/supplements",
        token=an.token,
        lang="en",
        json_body={
            "attachments": [{"upload_id": disguised, "paper_code": "giay_de_nghi_dang_ky_doanh_nghiep"}]
        },
    )

    assert answer.status == 422
    [problem] = answer.error["fields"]
    assert problem["field"] == "attachments[0]" and problem["code"] == "type_mismatch"
    assert problem["message"].startswith("File “giả.pdf”")


def test_adding_no_papers_is_a_422(api: Api, an: Person) -> None:
    answer = api.post(
        "/v1/dossiers/000.00.01.H99-261117-0001/supplements", token=an.token, json_body={"attachments": []}
    )

    assert answer.status == 422
    assert answer.field_names() == ["attachments"]


def test_papers_for_an_unknown_dossier_are_a_404(api: Api, an: Person) -> None:
    body = {"attachments": [{"upload_id": "0" * 32, "paper_code": "giay_to_phap_ly_chu_doanh_nghiep"}]}

    answer = api.post("/v1/dossiers/000.00.01.H99-261117-0042/supplements", token=an.token, json_body=body)

    assert answer.status == 404


# --- tracking ------------------------------------------------------------------------------------


def test_tracking_an_unknown_code_is_a_404(api: Api) -> None:
    for code in ("000.00.01.H99-261117-0042", "000.00.01.H99"):
        answer = api.get(f"/v1/tracking/{code}", lang="en")
        assert answer.status == 404
        assert code in answer.error["message"]


def test_tracking_needs_no_sign_in_and_is_not_cached(api: Api, an: Person) -> None:
    code = filed(api, an)

    answer = api.get(f"/v1/tracking/{code}")

    assert answer.status == 200 and answer.json["code"] == code
    assert answer.json["agency_name"] == "Sở Tài chính"
    assert answer.header("Cache-Control") == "no-store"
