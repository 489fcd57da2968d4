"""Documents and results through the API: PDFs for those who may see the dossier, results signed with
the agency's key, and verification for anyone, by file or by code."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from tests.api.conftest import Api, Person, decide, filed_alone, upload

pytestmark = pytest.mark.signing
PDF_TYPE = {"Accept": "application/pdf"}


def text_of(pdf: bytes) -> str:
    return " ".join(
        " ".join((page.extract_text() or "").split()) for page in PdfReader(io.BytesIO(pdf)).pages
    )


def documents(api: Api, person: Person, code: str) -> dict[str, dict[str, object]]:
    answer = api.get(f"/v1/dossiers/{code}/documents", token=person.token)
    assert answer.status == 200, answer.body
    return {item["name"]: item for item in answer.json["items"]}


def test_the_owner_downloads_the_receipt_and_the_control_slip_as_pdfs(api: Api, an: Person) -> None:
    code = filed_alone(api, an)

    listed = documents(api, an, code)
    assert list(listed) == ["receipt", "control-slip"]
    assert listed["receipt"]["form"] == "Mẫu 01"

    receipt = api.get(str(listed["receipt"]["href"]), token=an.token, headers=PDF_TYPE)
    assert receipt.status == 200
    assert code in text_of(receipt.body) and "Nguyễn Văn An" in text_of(receipt.body)
    assert "filename*=UTF-8''" in (receipt.header("Content-Disposition") or "")


def test_a_stranger_sees_no_documents(api: Api, an: Person, binh: Person, outsider: Person) -> None:
    code = filed_alone(api, an)
    for person in (binh, outsider):
        answer = api.get(f"/v1/dossiers/{code}/documents/receipt", token=person.token, headers=PDF_TYPE)
        assert answer.status in (403, 404), answer.body
    assert api.get(f"/v1/dossiers/{code}/documents/receipt", headers=PDF_TYPE).status == 401


def test_an_unknown_document_is_a_404(api: Api, an: Person) -> None:
    code = filed_alone(api, an)
    answer = api.get(f"/v1/dossiers/{code}/documents/apology-1", token=an.token, headers=PDF_TYPE)
    assert answer.status == 404 and answer.error["code"] == "document_not_found"


def test_the_deciding_agency_issues_a_signed_result_that_anyone_can_verify(
    api: Api, an: Person, si_receiver: Person, si_officer: Person
) -> None:
    code = filed_alone(api, an)
    assert decide(api, si_receiver, f"{code}-T1", "accept").status == 200

    issued = api.post(
        f"/v1/dossiers/{code}/results",
        token=si_officer.token,
        json_body={"render": True, "summary": "Đồng ý xác nhận tờ khai."},
    )

    assert issued.status == 201, issued.body
    result = issued.json
    assert result["result_code"] == f"{code}-KQ1" and result["agency"] == "000.00.22.H99"
    # The owner finds it among the documents and downloads the signed file.
    listed = documents(api, an, code)
    assert listed["result-1"]["result_code"] == f"{code}-KQ1"
    signed = api.get(str(listed["result-1"]["href"]), token=an.token, headers=PDF_TYPE).body
    assert "Đồng ý xác nhận tờ khai." in text_of(signed)

    # Anyone checks it, by its code or by the file itself, without signing in.
    by_code = api.post("/v1/verify", json_body={"result_code": f"{code}-KQ1"}, lang="vi")
    by_file = api.post("/v1/verify", raw=signed, headers={"Content-Type": "application/pdf"})
    for answer in (by_code, by_file):
        assert answer.status == 200, answer.body
        assert answer.json["valid"] is True and answer.json["problem"] is None
        assert answer.json["signer"]["agency_code"] == "000.00.22.H99"
        assert answer.json["signed_at"] is not None
    assert by_file.json["result_code"] == f"{code}-KQ1"

    # One changed byte inside the signed part: invalid, and the answer says the file was changed.
    tampered = bytearray(signed)
    at = signed.index(b"stream") + 200
    tampered[at] = (tampered[at] + 1) % 256
    changed = api.post(
        "/v1/verify", raw=bytes(tampered), headers={"Content-Type": "application/pdf"}, lang="en"
    )
    assert changed.status == 200
    assert changed.json["valid"] is False and changed.json["problem"]["code"] in (
        "tampered",
        "invalid_signature",
    )


def test_an_officer_uploads_the_result_and_it_is_signed(
    api: Api, an: Person, si_receiver: Person, si_officer: Person
) -> None:
    code = filed_alone(api, an)
    decide(api, si_receiver, f"{code}-T1", "accept")
    # A PDF made elsewhere (here: the dossier's control slip, printed from the portal).
    made = api.get(
        f"/v1/dossiers/{code}/documents/control-slip", token=si_officer.token, headers=PDF_TYPE
    ).body
    results = f"/v1/dossiers/{code}/results"

    issued = api.post(results, token=si_officer.token, json_body={"upload_id": upload(api, si_officer, made)})

    assert issued.status == 201, issued.body
    verdict = api.post("/v1/verify", json_body={"result_code": issued.json["result_code"]})
    assert verdict.json["valid"] is True
    # A file that only starts like a PDF cannot be signed: the officer is told, nothing is issued.
    only_looks = b"%PDF-1.4\n1 0 obj <</Type /Catalog>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n"
    broken = upload(api, si_officer, only_looks, filename="hỏng.pdf")
    refused = api.post(results, token=si_officer.token, json_body={"upload_id": broken})
    assert refused.status == 422 and refused.error["code"] == "unreadable_pdf"
    assert [n for n in documents(api, an, code) if n.startswith("result-")] == ["result-1"]


def test_no_result_before_acceptance_and_none_from_another_agency(
    api: Api, an: Person, si_receiver: Person, si_officer: Person, outsider: Person
) -> None:
    code = filed_alone(api, an)
    early = api.post(f"/v1/dossiers/{code}/results", token=si_officer.token, json_body={"render": True})
    assert early.status == 409 and early.error["code"] == "result_not_allowed"
    decide(api, si_receiver, f"{code}-T1", "accept")
    other = api.post(f"/v1/dossiers/{code}/results", token=outsider.token, json_body={"render": True})
    assert other.status in (403, 404)


def documents_of_a_new_dossier(api: Api, person: Person) -> bytes:
    code = filed_alone(api, person)
    return api.get(f"/v1/dossiers/{code}/documents/receipt", token=person.token, headers=PDF_TYPE).body


def test_verification_of_something_that_is_not_a_signed_result(api: Api, an: Person) -> None:
    receipt = documents_of_a_new_dossier(api, an)
    unsigned = api.post("/v1/verify", raw=receipt, headers={"Content-Type": "application/pdf"}, lang="en")
    assert unsigned.status == 200 and unsigned.json["problem"]["code"] == "not_signed"
    assert unsigned.json["problem"]["message"] == "The file carries no digital signature."
    garbage = api.post("/v1/verify", raw=b"not a pdf at all", headers={"Content-Type": "application/pdf"})
    assert garbage.status == 200 and garbage.json["valid"] is False
    unknown = api.post("/v1/verify", json_body={"result_code": "000.00.22.H99-261117-0099-KQ1"})
    assert unknown.status == 404
