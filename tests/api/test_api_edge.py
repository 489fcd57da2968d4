"""What every route shares: who may call, how the body is read, the error shape, the language, no 500s.

All of it happens before and without AWS, so these run on in-memory fakes of the ports (`offline`);
the checks of real Cognito tokens (tampered, foreign, expired, access tokens) are in test_api_auth.py.
"""

from __future__ import annotations

import base64
import logging
import re
from typing import Any

import pytest

from tests.api.conftest import FINANCE, Answer, Api, Person

pytestmark = pytest.mark.offline

# Every route that takes a body, with values for its path parameters; the body is read before any
# dossier or task is looked up, so the codes need not exist.
BODY_ROUTES = [
    ("/v1/uploads", "citizen"),
    ("/v1/dossiers", "citizen"),
    ("/v1/dossiers/000.00.01.H99-261117-0001/supplements", "citizen"),
    ("/v1/tasks/000.00.01.H99-261117-0001-T1/decision", "staff"),
    ("/v1/auth/citizens/sign-up", "public"),
    ("/v1/auth/citizens/confirm", "public"),
    ("/v1/auth/citizens/sign-in", "public"),
    ("/v1/auth/staff/sign-in", "public"),
    ("/v1/auth/refresh", "public"),
]
EXAMPLE_PARAMS = {
    "code": "000.00.01.H99-261117-0001",
    "task_id": "000.00.01.H99-261117-0001-T1",
    "agency_code": FINANCE,
    "procedure_code": "2.001610",
}


def concrete(path: str) -> str:
    for name, value in EXAMPLE_PARAMS.items():
        path = path.replace("{" + name + "}", value)
    return path


def protected_operations(document: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [
        (method.upper(), concrete(path), operation["x-motcua-access"])
        for path, methods in document["paths"].items()
        for method, operation in methods.items()
        if operation["security"]
    ]


def token_for(access: str, citizen: Person, staff: Person) -> str | None:
    return {"citizen": citizen.token, "staff": staff.token}.get(access)


def assert_error_shape(answer: Answer) -> None:
    assert set(answer.json) == {"error"}
    assert {"code", "message", "fields"} <= set(answer.error)
    assert isinstance(answer.error["message"], str) and answer.error["message"]


# --- who calls -----------------------------------------------------------------------------------


def test_every_protected_route_refuses_a_call_without_a_token(api: Api) -> None:
    operations = protected_operations(api.document)
    assert len(operations) >= 8

    for method, path, _ in operations:
        answer = api.request(method, path, json_body={} if method == "POST" else None)
        assert answer.status == 401, f"{method} {path} answered {answer.status}"
        assert answer.error["code"] == "unauthenticated"
        assert_error_shape(answer)


def test_a_token_must_come_as_bearer(api: Api, an: Person) -> None:
    answer = api.get("/v1/me/dossiers", headers={"Authorization": f"Basic {an.token}"})

    assert answer.status == 401


def test_the_bearer_scheme_is_case_insensitive(api: Api, an: Person) -> None:
    answer = api.get("/v1/me/dossiers", headers={"Authorization": f"bearer {an.token}"})

    assert answer.status == 200


def test_a_citizen_may_not_use_staff_routes(api: Api, an: Person) -> None:
    for method, path, access in protected_operations(api.document):
        if access == "staff":
            answer = api.request(method, path, token=an.token, json_body={"action": "accept"})
            assert answer.status == 403, f"{method} {path}"
            assert answer.error["code"] == "forbidden"


def test_staff_may_not_use_citizen_routes(api: Api, receiver: Person) -> None:
    citizen_routes = [(m, p) for m, p, access in protected_operations(api.document) if access == "citizen"]
    assert ("POST", "/v1/dossiers") in citizen_routes

    for method, path in citizen_routes:
        answer = api.request(method, path, token=receiver.token, json_body={})
        assert answer.status == 403, f"{method} {path}"


# --- the body ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("path", "access"), BODY_ROUTES)
def test_a_body_that_is_not_json_is_a_400(
    api: Api, an: Person, receiver: Person, path: str, access: str
) -> None:
    answer = api.post(path, token=token_for(access, an, receiver), raw=b'{"filename": "a.pdf",', lang="en")

    assert answer.status == 400
    assert answer.error["code"] == "invalid_json"
    assert "not valid JSON" in answer.error["message"]


@pytest.mark.parametrize(("path", "access"), BODY_ROUTES)
def test_a_body_that_is_not_an_object_is_a_400(
    api: Api, an: Person, receiver: Person, path: str, access: str
) -> None:
    for raw in (b"[1, 2]", b'"text"', b"null", b""):
        answer = api.post(path, token=token_for(access, an, receiver), raw=raw)
        assert answer.status == 400, raw
        assert answer.error["code"] in ("body_not_object", "invalid_json")


@pytest.mark.parametrize(("path", "access"), BODY_ROUTES)
def test_a_body_over_256_kib_is_a_413(api: Api, an: Person, receiver: Person, path: str, access: str) -> None:
    big = b'{"note": "' + b"x" * (256 * 1024) + b'"}'

    answer = api.post(path, token=token_for(access, an, receiver), raw=big)

    assert answer.status == 413
    assert answer.error["code"] == "payload_too_large"


@pytest.mark.parametrize(("path", "access"), BODY_ROUTES)
def test_a_body_nested_too_deeply_is_a_400_before_it_is_parsed(
    api: Api, an: Person, receiver: Person, path: str, access: str
) -> None:
    token = token_for(access, an, receiver)
    for raw in (b"[" * 100_000, b"[" * 5000 + b"]" * 5000, b'{"filename": ' + b"[" * 40 + b"]" * 40 + b"}"):
        answer = api.post(path, token=token, raw=raw, lang="en")
        assert answer.status == 400, raw[:50]
        assert answer.error["code"] == "json_too_deep"
        assert "nested more than 32 levels deep" in answer.error["message"]


def test_a_body_nested_within_the_limit_is_read_and_checked(api: Api, an: Person) -> None:
    answer = api.post("/v1/uploads", token=an.token, raw=b'{"filename": ' + b"[" * 31 + b"]" * 31 + b"}")

    assert answer.status == 422
    assert "filename" in answer.field_names()


def test_an_integer_of_thousands_of_digits_is_a_400_in_either_language(api: Api, an: Person) -> None:
    raw = b'{"filename": "a.pdf", "content_type": "application/pdf", "size": ' + b"9" * 5000 + b"}"

    english = api.post("/v1/uploads", token=an.token, raw=raw, lang="en")
    vietnamese = api.post("/v1/uploads", token=an.token, raw=raw, lang="vi")

    assert english.status == vietnamese.status == 400
    assert english.error["code"] == vietnamese.error["code"] == "number_too_long"
    assert "more than 38 digits" in english.error["message"]
    assert "quá 38 chữ số" in vietnamese.error["message"]


def test_query_parameters_of_the_same_kinds_are_a_400(api: Api, receiver: Person) -> None:
    deep_token = base64.urlsafe_b64encode(b"[" * 1500).decode()
    big_int_token = base64.urlsafe_b64encode(b'{"o": ' + b"9" * 5000 + b"}").decode()

    for query in (
        f"limit={'9' * 5000}",
        f"next_token={deep_token}",
        f"next_token={big_int_token}",
    ):
        for path in ("/v1/procedures", f"/v1/agencies/{FINANCE}/tasks"):
            answer = api.get(f"{path}?{query}", token=receiver.token)
            assert answer.status == 400, f"{path}?{query[:40]}: {answer.body[:200]!r}"


@pytest.mark.parametrize("value", ["9" * 5000, "[" * 5000, "%00%0d%0a%e2%80%ae", "%ff%fe", "a" * 2000])
def test_path_parameters_of_any_shape_are_never_a_500(
    api: Api, an: Person, receiver: Person, value: str
) -> None:
    for method, path, access in [
        (m, p, operation["x-motcua-access"])
        for p, methods in api.document["paths"].items()
        for m, operation in methods.items()
        if "{" in p
    ]:
        concrete_path = re.sub(r"{\w+}", value, path)
        token = token_for(access, an, receiver) or an.token
        answer = api.request(
            method.upper(), concrete_path, token=token, json_body={} if method == "post" else None
        )
        assert answer.status < 500, f"{method} {path}: {answer.body[:200]!r}"


@pytest.mark.parametrize(("path", "access"), BODY_ROUTES)
def test_an_empty_object_is_a_422_naming_the_missing_fields(
    api: Api, an: Person, receiver: Person, path: str, access: str
) -> None:
    answer = api.post(path, token=token_for(access, an, receiver), json_body={"unexpected": 1})

    assert answer.status == 422
    assert answer.error["code"] == "invalid_input"
    codes = {f["field"]: f["code"] for f in answer.error["fields"]}
    assert codes.pop("unexpected") == "extra_forbidden"
    assert codes and set(codes.values()) == {"missing"}


def test_validation_errors_name_each_field_in_vietnamese_by_default(api: Api, an: Person) -> None:
    answer = api.post(
        "/v1/uploads", token=an.token, json_body={"filename": "", "content_type": "text/html", "size": 0}
    )

    assert answer.status == 422
    fields = {f["field"]: f for f in answer.error["fields"]}
    assert set(fields) == {"filename", "content_type", "size"}
    assert fields["filename"]["message"] == "Giá trị quá ngắn."
    assert fields["content_type"]["message"] == "Giá trị không nằm trong danh sách cho phép."
    assert fields["size"]["message"] == "Giá trị quá nhỏ."
    assert answer.error["message"].startswith("Dữ liệu gửi lên chưa hợp lệ")
    assert answer.header("Content-Language") == "vi"


def test_validation_errors_in_english_when_asked(api: Api, an: Person) -> None:
    answer = api.post(
        "/v1/uploads",
        token=an.token,
        lang="en",
        json_body={"filename": "", "content_type": "text/html", "size": 0},
    )

    fields = {f["field"]: f for f in answer.error["fields"]}
    assert fields["size"]["message"] == "Input should be greater than 0"
    assert fields["size"]["code"] == "greater_than"
    assert answer.error["message"] == "The request body is not valid; please check the fields listed."
    assert answer.header("Content-Language") == "en"


def test_nested_fields_are_named_by_their_path(api: Api, an: Person) -> None:
    answer = api.post(
        "/v1/dossiers",
        token=an.token,
        headers={"Idempotency-Key": "key-nested-1"},
        json_body={
            "procedure_code": "2.001610",
            "applicant": {"full_name": "An", "id_number": "12", "phone": "0901234567", "address": "Số 1"},
            "attachments": [{"upload_id": "nope", "paper_code": "x"}],
        },
    )

    assert answer.status == 422
    assert set(answer.field_names()) == {"applicant.id_number", "attachments[0].upload_id"}


def test_a_body_not_sent_as_json_is_a_415_in_the_same_error_shape(api: Api, an: Person) -> None:
    answer = api.post(
        "/v1/uploads", token=an.token, raw=b"filename=a.pdf", headers={"Content-Type": "text/plain"}
    )

    assert answer.status == 415
    assert answer.error["code"] == "unsupported_media_type"
    assert_error_shape(answer)


@pytest.mark.parametrize("accept", [None, "application/json", "text/html, application/xhtml+xml"])
def test_a_document_asked_for_without_accepting_a_pdf_is_a_documented_400_saying_what_to_send(
    api: Api, an: Person, accept: str | None
) -> None:
    """Found by hand while fuzzing (schemathesis always sends `Accept: */*`): chalice refuses a binary
    answer to such a request with a bare 400 that the operation did not document and whose message
    said nothing of use."""
    path = "/v1/dossiers/000.00.01.H99-261117-0001/documents/receipt"
    headers = {} if accept is None else {"Accept": accept}

    vietnamese = api.get(path, token=an.token, headers=headers)
    english = api.get(path, token=an.token, headers=headers, lang="en")

    assert vietnamese.status == english.status == 400  # and the document lists it (the client checks)
    assert vietnamese.error["code"] == english.error["code"] == "not_acceptable"
    assert "Accept: application/pdf" in vietnamese.error["message"]
    assert (
        english.error["message"]
        == "This document is sent as application/pdf: send the header Accept: application/pdf."
    )
    assert_error_shape(vietnamese)


def test_a_document_is_read_with_any_accept_that_takes_a_pdf(api: Api, an: Person) -> None:
    for accept in ("application/pdf", "*/*", "text/html;q=0.9, */*;q=0.8"):
        answer = api.get(
            "/v1/dossiers/000.00.01.H99-261117-0001/documents/receipt",
            token=an.token,
            headers={"Accept": accept},
        )

        assert answer.status == 404, accept  # the Accept is taken; there is no such dossier on the fakes


@pytest.mark.parametrize("content_type", ["text/plain", "qzA", "multipart/form-data; boundary=x"])
def test_a_route_that_reads_no_body_ignores_the_content_type_named(
    api: Api, an: Person, content_type: str
) -> None:
    """Found by fuzzing: a GET naming a Content-Type other than JSON was a 415 no operation documents."""
    catalog = api.get("/v1/procedures", headers={"Content-Type": content_type})
    slip = api.get(
        "/v1/dossiers/000.00.01.H99-261117-0001/control-slip",
        token=an.token,
        headers={"Content-Type": content_type},
    )

    assert catalog.status == 200  # and both answers are as documented (the client checks)
    assert slip.status == 404  # the dossier is looked up: there is none on the fakes


def test_a_method_the_path_does_not_have_is_a_405_in_the_same_error_shape(api: Api) -> None:
    answer = api.request("DELETE", "/v1/procedures", check=False)

    assert answer.status == 405
    assert answer.header("Allow") == "GET"
    assert_error_shape(answer)


# --- language ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("accept_language", "expected"),
    [
        (None, "vi"),
        ("vi-VN", "vi"),
        ("en", "en"),
        ("en-US,en;q=0.9", "en"),
        ("fr-FR, en;q=0.5, vi;q=0.8", "vi"),
        ("fr", "vi"),
    ],
)
def test_messages_follow_accept_language(api: Api, accept_language: str | None, expected: str) -> None:
    answer = api.get("/v1/dossiers/000.00.01.H99-261117-0001", lang=accept_language)

    assert answer.status == 401
    assert answer.header("Content-Language") == expected
    message = {"vi": "Bạn cần đăng nhập để thực hiện thao tác này.", "en": "You need to sign in to do this."}
    assert answer.error["message"] == message[expected]


# --- headers -------------------------------------------------------------------------------------


def test_every_answer_tells_browsers_not_to_sniff_its_type(api: Api, an: Person) -> None:
    answers = {
        "a success": api.get("/v1/procedures"),
        "the OpenAPI document": api.get("/v1/openapi.json"),
        "the health check": api.get("/v1/health"),
        "a domain error": api.get("/v1/me/dossiers"),
        "a body that is not JSON": api.post("/v1/uploads", token=an.token, raw=b"{"),
        "a validation error": api.post("/v1/uploads", token=an.token, json_body={}),
        "a 415 of the framework": api.post(
            "/v1/uploads", token=an.token, raw=b"a=b", headers={"Content-Type": "text/plain"}
        ),
        "a 405 of the framework": api.request("DELETE", "/v1/procedures", check=False),
    }

    for what, answer in answers.items():
        assert answer.header("X-Content-Type-Options") == "nosniff", what


# --- the unexpected ------------------------------------------------------------------------------


class Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def test_an_unexpected_error_is_logged_and_answered_with_a_generic_500(
    api: Api, container: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(**_: Any) -> None:
        raise RuntimeError("table motcua-secret-dossiers is on fire")

    monkeypatch.setattr(container.catalog, "search", broken)
    records = Records()
    logging.getLogger("motcua").addHandler(records)
    try:
        answer = api.get("/v1/procedures", lang="en")
    finally:
        logging.getLogger("motcua").removeHandler(records)

    assert answer.status == 500
    assert answer.header("X-Content-Type-Options") == "nosniff"
    assert answer.error["code"] == "internal_error"
    assert answer.error["message"] == "Something went wrong on our side; please try again later."
    assert b"secret" not in answer.body and b"Traceback" not in answer.body
    assert any(r.exc_info and "on fire" in str(r.exc_info[1]) for r in records.records)


def test_health_answers_without_touching_aws(
    api: Api, container: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from chalicelib import deps

    def no_container() -> None:
        raise AssertionError("health must not build the container")

    monkeypatch.setattr(deps, "get_container", no_container)

    answer = api.get("/v1/health")

    assert answer.status == 200
    assert answer.json == {"status": "ok"}
