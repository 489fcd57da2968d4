"""Uploads and dossiers through the API: slots, filing exactly once, reading, and who may read."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import pytest
import requests

from tests.api.conftest import (
    BUSINESS,
    FINANCE,
    Api,
    Person,
    business_registration,
    file,
    filed,
    new_key,
    upload,
)
from tests.examples import PDF, PNG, pdf_of, post_to_slot
from tests.hostile import Hostile, corpus

CODE = re.compile(r"^000\.00\.01\.H99-261117-\d{4}$")


def my_dossiers(api: Api, person: Person, query: str = "") -> list[dict[str, Any]]:
    answer = api.get(f"/v1/me/dossiers{query}", token=person.token)
    assert answer.status == 200
    items: list[dict[str, Any]] = answer.json["items"]
    return items


# --- uploads -------------------------------------------------------------------------------------


def test_a_citizen_gets_an_upload_slot_limited_to_the_declared_type(api: Api, an: Person) -> None:
    answer = api.post(
        "/v1/uploads",
        token=an.token,
        json_body={"filename": "đơn.pdf", "content_type": "application/pdf", "size": 1200},
    )

    assert answer.status == 201
    slot = answer.json
    assert re.fullmatch(r"[0-9a-f]{32}", slot["upload_id"])
    assert slot["fields"]["Content-Type"] == "application/pdf"
    assert slot["url"].startswith("https://")
    assert slot["max_bytes"] == 10 * 1024 * 1024


def test_an_upload_larger_than_the_limit_is_refused_before_any_slot(api: Api, an: Person) -> None:
    answer = api.post(
        "/v1/uploads",
        token=an.token,
        json_body={"filename": "big.pdf", "content_type": "application/pdf", "size": 11 * 1024 * 1024},
    )

    assert answer.status == 422
    assert answer.field_names() == ["size"]
    assert answer.error["fields"][0]["code"] == "file_too_large"


def test_an_upload_of_a_type_no_paper_accepts_is_a_422(api: Api, an: Person) -> None:
    answer = api.post(
        "/v1/uploads",
        token=an.token,
        json_body={"filename": "a.docx", "content_type": "application/msword", "size": 10},
    )

    assert answer.status == 422
    assert answer.field_names() == ["content_type"]


# --- filing --------------------------------------------------------------------------------------


def test_filing_returns_a_receipt_with_code_status_due_date_and_where_to_follow_it(
    api: Api, an: Person
) -> None:
    answer = file(api, an)

    assert answer.status == 201
    receipt = answer.json
    assert CODE.match(receipt["code"])
    assert receipt["status"] == 1 and receipt["status_label"] == "Mới đăng ký"
    # Filed Tuesday 17/11/2026 at 09:00, three working days: due Friday 20/11 at 17:00.
    assert receipt["due_at"] == "2026-11-20T17:00:00+07:00"
    assert receipt["tracking_url"].endswith(f"/tracking/{receipt['code']}")
    assert receipt["agency"] == FINANCE and receipt["agency_name"] == "Sở Tài chính"
    assert answer.header("Location") == f"/v1/dossiers/{receipt['code']}"
    assert answer.header("Idempotent-Replayed") is None


def test_a_retry_with_the_same_key_returns_the_same_dossier_and_files_nothing_more(
    api: Api, an: Person
) -> None:
    body, key = business_registration(api, an), new_key()

    first = file(api, an, body, key)
    again = file(api, an, body, key)

    assert first.status == again.status == 201
    assert again.json == first.json
    assert again.header("Location") == first.header("Location")
    assert again.header("Idempotent-Replayed") == "true"
    assert [d["code"] for d in my_dossiers(api, an)] == [first.json["code"]]


def test_the_same_key_with_another_body_is_a_422(api: Api, an: Person) -> None:
    body, key = business_registration(api, an), new_key()
    file(api, an, body, key)
    changed = body | {"form": body["form"] | {"enterprise_name": "Doanh nghiệp tư nhân Khác Hẳn"}}

    answer = file(api, an, changed, key)

    assert answer.status == 422
    assert answer.error["code"] == "idempotency_key_reused"
    assert len(my_dossiers(api, an)) == 1


def test_filing_without_an_idempotency_key_is_a_400(api: Api, an: Person) -> None:
    answer = api.post("/v1/dossiers", token=an.token, json_body=business_registration(api, an))

    assert answer.status == 400
    assert answer.error["code"] == "idempotency_key_required"
    assert my_dossiers(api, an) == []


def test_a_file_whose_bytes_are_not_its_declared_type_is_a_422_naming_the_file(api: Api, an: Person) -> None:
    body = business_registration(api, an)
    disguised = upload(api, an, PNG, content_type="application/pdf", filename="đơn đề nghị.pdf")
    body["attachments"][0]["upload_id"] = disguised

    answer = file(api, an, body)

    assert answer.status == 422
    problems = {f["field"]: f for f in answer.error["fields"]}
    assert problems["attachments[0]"]["code"] == "type_mismatch"
    assert "đơn đề nghị.pdf" in problems["attachments[0]"]["message"]
    assert my_dossiers(api, an) == []


@pytest.mark.parametrize(
    ("filename", "content_type"),
    [("hồ sơ.pdf.exe", "application/pdf"), ("ảnh chân dung.pdf", "image/png"), ("không đuôi", "image/jpeg")],
)
def test_an_upload_whose_name_does_not_end_as_its_type_is_refused_naming_the_filename(
    api: Api, an: Person, filename: str, content_type: str
) -> None:
    answer = api.post(
        "/v1/uploads",
        token=an.token,
        lang="en",
        json_body={"filename": filename, "content_type": content_type, "size": 1200},
    )

    assert answer.status == 422
    assert [(f["field"], f["code"]) for f in answer.error["fields"]] == [("filename", "extension_mismatch")]
    assert "extension does not match" in answer.error["message"]


# A whole PDF of 300 kB: its end is beyond the first ranged read.
BIG_PDF = pdf_of(
    b"<</Type /Catalog /Pages 2 0 R>>",
    b"<</Type /Pages /Kids [3 0 R] /Count 1>>",
    b"<</Type /Page /Parent 2 0 R /MediaBox [0 0 595 842]>>",
    b"(" + b"x" * 300_000 + b")",
)


@pytest.mark.parametrize(
    ("content", "accepted"),
    [
        (b"%PDF-1.7\n<html><script>alert(1)</script></html>\n", False),  # the right 16 bytes, then not a PDF
        (BIG_PDF, True),  # its end is read with a second ranged GET
        (PDF + b"x" * 300_000, False),  # no %%EOF within the last 1024 bytes
    ],
)
def test_a_file_is_checked_at_its_end_as_well_as_its_start(
    api: Api, an: Person, content: bytes, accepted: bool
) -> None:
    body = business_registration(api, an)
    body["attachments"][0]["upload_id"] = upload(api, an, content, filename="đơn.pdf")

    answer = file(api, an, body)

    if accepted:
        assert answer.status == 201, answer.body
    else:
        assert answer.status == 422
        assert [(f["field"], f["code"]) for f in answer.error["fields"]] == [
            ("attachments[0]", "type_mismatch")
        ]


def test_a_name_with_controls_bidi_or_a_path_is_refused_naming_it_cleaned(api: Api, an: Person) -> None:
    sent = "../hợp\x00 đồng\r\nX-Evil: 1\u202egnp.pdf"

    slot = api.post(
        "/v1/uploads",
        token=an.token,
        lang="en",
        json_body={"filename": sent, "content_type": "application/pdf", "size": 10},
    )

    assert slot.status == 422
    assert [(f["field"], f["code"]) for f in slot.error["fields"]] == [("filename", "filename_invalid")]
    assert "“_hợp đồng X-Evil: 1gnp.pdf”" in slot.error["message"]


def test_a_name_is_offered_for_download_with_an_ascii_fallback_and_utf8(api: Api, an: Person) -> None:
    sent = 'Hợp đồng "thuê"; nhà.pdf'
    body = business_registration(api, an)
    body["attachments"][0]["upload_id"] = upload(api, an, filename=sent)
    code = file(api, an, body).json["code"]

    dossier = api.get(f"/v1/dossiers/{code}", token=an.token).json

    attachment = dossier["attachments"][0]
    assert attachment["filename"] == sent
    disposition = parse_qs(urlsplit(attachment["download_url"]).query)["response-content-disposition"]
    assert disposition == [
        f"attachment; filename=\"Hop dong _thue_ nha.pdf\"; filename*=UTF-8''{quote(sent, safe='')}"
    ]


def test_an_upload_of_another_citizen_is_never_attached(api: Api, an: Person, people: Any) -> None:
    # Given a citizen's upload id, seen by someone else (a shared screen, a log)
    theirs = upload(api, an, filename="căn cước của An.pdf")
    other = people.citizen("binh.tran@example.vn", "Trần Thị Bình")
    body = business_registration(api, other)
    body["attachments"][0]["upload_id"] = theirs

    answer = file(api, other, body)

    assert answer.status == 422
    assert [(f["field"], f["code"]) for f in answer.error["fields"]] == [("attachments[0]", "file_missing")]
    assert api.get("/v1/me/dossiers", token=other.token).json["items"] == []
    # and the owner may still file it
    body = business_registration(api, an)
    body["attachments"][0]["upload_id"] = theirs
    assert file(api, an, body).status == 201


# A few of the corpus (tests/unit/test_rules_uploads.py files each of them): through S3, each is refused.
THROUGH_S3 = (
    "pdf-then-zip",
    "jpeg-pdf-tail",
    "pdf-open-action-js",
    "png-huge-dimensions",
    "heic-huge-pixel-count",
)


@pytest.mark.parametrize(
    "hostile", [h for h in corpus(1024 * 1024) if h.id in THROUGH_S3], ids=lambda h: h.id
)
def test_a_hostile_file_is_refused_through_the_api_and_never_attached(
    api: Api, an: Person, hostile: Hostile
) -> None:
    body = business_registration(api, an)
    body["attachments"][1] = {
        "upload_id": upload(
            api, an, hostile.content, content_type=hostile.content_type, filename=hostile.name
        ),
        "paper_code": "giay_to_phap_ly_chu_doanh_nghiep",
    }

    answer = file(api, an, body)

    assert answer.status == 422
    assert [(f["field"], f["code"]) for f in answer.error["fields"]] == [("attachments[1]", hostile.code)]
    assert f"“{hostile.name}”" in answer.error["fields"][0]["message"]
    assert api.get("/v1/me/dossiers", token=an.token).json["items"] == []


def test_a_missing_required_paper_and_a_bad_form_are_named(api: Api, an: Person) -> None:
    body = business_registration(api, an)
    body["attachments"] = body["attachments"][:1]
    body["form"] = {k: v for k, v in body["form"].items() if k != "enterprise_name"} | {"vat_method": "Khác"}

    answer = file(api, an, body)

    assert answer.status == 422
    codes = {(f["field"], f["code"]) for f in answer.error["fields"]}
    assert ("attachments", "paper_missing") in codes
    assert ("form.enterprise_name", "form_required") in codes
    assert ("form.vat_method", "form_enum") in codes


def test_a_file_the_citizen_never_uploaded_is_named(api: Api, an: Person, binh: Person) -> None:
    body = business_registration(api, an)
    body["attachments"][1]["upload_id"] = upload(api, binh)  # Bình's file, not An's

    answer = file(api, an, body)

    assert answer.status == 422
    assert ("attachments[1]", "file_missing") in {(f["field"], f["code"]) for f in answer.error["fields"]}


def test_an_unknown_procedure_is_named(api: Api, an: Person) -> None:
    answer = file(api, an, business_registration(api, an, procedure_code="9.999999"))

    assert answer.status == 422
    assert answer.field_names() == ["procedure_code"]


def test_filing_in_english_gives_an_english_receipt(api: Api, an: Person) -> None:
    answer = api.post(
        "/v1/dossiers",
        token=an.token,
        lang="en",
        headers={"Idempotency-Key": new_key()},
        json_body=business_registration(api, an),
    )

    assert answer.json["status_label"] == "Submitted"
    assert answer.json["agency_name"] == "Department of Finance"


# --- reading -------------------------------------------------------------------------------------


def test_the_owner_reads_the_whole_dossier_with_download_links(api: Api, an: Person) -> None:
    code = filed(api, an)

    answer = api.get(f"/v1/dossiers/{code}", token=an.token)

    assert answer.status == 200
    dossier = answer.json
    assert dossier["code"] == code and dossier["procedure_code"] == BUSINESS
    assert dossier["applicant"]["full_name"] == "Nguyễn Văn An"
    assert [a["filename"] for a in dossier["attachments"]] == ["giấy đề nghị.pdf", "căn cước.pdf"]
    assert all(a["download_url"].startswith("https://") for a in dossier["attachments"])
    assert [e["status"] for e in dossier["timeline"]] == [1]
    assert dossier["tasks"] == []  # the agency's work is not the citizen's to see


def test_another_citizen_may_not_read_my_dossier(api: Api, an: Person, binh: Person) -> None:
    code = filed(api, an)

    answer = api.get(f"/v1/dossiers/{code}", token=binh.token)

    assert answer.status == 403
    assert answer.error["code"] == "forbidden"
    assert b"Nguy" not in answer.body


def test_staff_of_the_receiving_agency_read_it_with_its_tasks(api: Api, an: Person, receiver: Person) -> None:
    code = filed(api, an)

    answer = api.get(f"/v1/dossiers/{code}", token=receiver.token)

    assert answer.status == 200
    assert [t["allowed_actions"] for t in answer.json["tasks"]] == [
        ["accept", "refuse", "request_papers", "forward"]
    ]


def test_staff_of_an_uninvolved_agency_may_not_read_it(api: Api, an: Person, outsider: Person) -> None:
    code = filed(api, an)

    answer = api.get(f"/v1/dossiers/{code}", token=outsider.token)

    assert answer.status == 403


def test_an_unknown_or_malformed_dossier_code_is_a_404(api: Api, an: Person) -> None:
    for code in ("000.00.01.H99-261117-0042", "not-a-code"):
        answer = api.get(f"/v1/dossiers/{code}", token=an.token)
        assert answer.status == 404, code
        assert answer.error["code"] == "dossier_not_found"


def test_my_dossiers_are_mine_only_newest_first_and_paged(
    api: Api, an: Person, binh: Person, clock: Any
) -> None:
    from datetime import timedelta

    codes = []
    for _ in range(3):
        codes.append(filed(api, an))
        clock.set(clock.now() + timedelta(minutes=5))
    filed(api, binh)

    first = api.get("/v1/me/dossiers?limit=2", token=an.token)
    rest = api.get(f"/v1/me/dossiers?limit=2&next_token={first.json['next_token']}", token=an.token)

    assert [d["code"] for d in first.json["items"]] == [codes[2], codes[1]]
    assert [d["code"] for d in rest.json["items"]] == [codes[0]]
    assert rest.json["next_token"] is None
    assert [d["status_label"] for d in rest.json["items"]] == ["Mới đăng ký"]


def test_my_dossiers_limit_is_checked(api: Api, an: Person) -> None:
    assert api.get("/v1/me/dossiers?limit=500", token=an.token).status == 400
    assert api.get("/v1/me/dossiers?limit=100", token=an.token).status == 200
    assert api.get("/v1/me/dossiers?next_token=@@@", token=an.token).status == 400


def test_a_pdf_and_an_image_are_both_accepted_for_the_identity_paper(api: Api, an: Person) -> None:
    body = business_registration(api, an)
    body["attachments"][1]["upload_id"] = upload(api, an, PNG, content_type="image/png", filename="cccd.png")

    answer = file(api, an, body)

    assert answer.status == 201
    dossier = api.get(f"/v1/dossiers/{answer.json['code']}", token=an.token).json
    assert [a["content_type"] for a in dossier["attachments"]] == ["application/pdf", "image/png"]


def test_the_owner_withdraws_and_the_task_leaves_the_inbox(api: Api, an: Person, receiver: Person) -> None:
    code = filed(api, an)

    answer = api.post(f"/v1/dossiers/{code}/withdrawal", token=an.token, json_body={"reason": "Nộp nhầm"})

    assert answer.status == 200
    assert answer.json["status"] == 7 and answer.json["reason"] == "Nộp nhầm"
    inbox = api.get(f"/v1/agencies/{FINANCE}/tasks", token=receiver.token).json["items"]
    assert code not in [t["dossier_code"] for t in inbox]
    assert api.get(f"/v1/tracking/{code}").json["status"] == 7


def test_a_withdrawn_dossier_cannot_be_withdrawn_again_nor_by_someone_else(
    api: Api, an: Person, binh: Person
) -> None:
    code = filed(api, an)
    assert api.post(f"/v1/dossiers/{code}/withdrawal", token=binh.token, json_body={}).status == 403
    first = api.post(f"/v1/dossiers/{code}/withdrawal", token=an.token, json_body={"reason": "Nộp nhầm"})

    # The same request again (its first answer lost on the way) is answered as the success it was;
    # another withdrawal of a withdrawn dossier is refused.
    again = api.post(f"/v1/dossiers/{code}/withdrawal", token=an.token, json_body={"reason": "Nộp nhầm"})
    other = api.post(f"/v1/dossiers/{code}/withdrawal", token=an.token, json_body={}, lang="en")

    assert first.status == again.status == 200 and again.json["status"] == 7
    assert other.status == 409
    assert other.error["code"] == "invalid_transition" and other.error["allowed"] == []


def test_a_next_token_that_is_not_a_whole_position_is_a_400(api: Api, an: Person) -> None:
    from motcua.domain.paging import encode_token

    sub = api.get("/v1/me/dossiers", token=an.token)
    assert sub.status == 200
    owner = "OWNER#" + an.sub
    # The listing's own partition key alone, or with a key of another shape: never a 500.
    for forged in (
        {"GSI1PK": owner},
        {"GSI1PK": owner, "GSI1SK": "x", "PK": "D#x"},
        {"GSI1PK": owner, "X": "y"},
    ):
        answer = api.get(f"/v1/me/dossiers?next_token={encode_token(forged)}", token=an.token)
        assert answer.status == 400, (forged, answer.body)
        assert answer.error["code"] == "invalid_next_token"


def test_a_file_posted_to_its_slot_after_filing_never_replaces_the_filed_paper(api: Api, an: Person) -> None:
    # The slot stays valid for 15 minutes: S3 takes a second file of the same size and type in it.
    other = PDF.replace(b"595 842", b"612 792")
    assert other != PDF and len(other) == len(PDF)
    slot = api.post(
        "/v1/uploads",
        token=an.token,
        json_body={"filename": "giấy đề nghị.pdf", "content_type": "application/pdf", "size": len(PDF)},
    ).json
    post_to_slot(slot["url"], slot["fields"], "giấy đề nghị.pdf", PDF)
    body, key = business_registration(api, an), new_key()
    body["attachments"][0]["upload_id"] = slot["upload_id"]
    code = file(api, an, body, key).json["code"]

    post_to_slot(slot["url"], slot["fields"], "giấy đề nghị.pdf", other)

    def downloaded() -> bytes:
        paper = api.get(f"/v1/dossiers/{code}", token=an.token).json["attachments"][0]
        answer = requests.get(paper["download_url"], timeout=10)
        assert answer.status_code == 200, answer.text
        return answer.content

    assert downloaded() == PDF
    # The filing retried after the second post (its answer lost): the same dossier, the paper as checked.
    again = file(api, an, body, key)
    assert again.status == 201 and again.header("Idempotent-Replayed") == "true"
    assert again.json["code"] == code
    assert downloaded() == PDF
