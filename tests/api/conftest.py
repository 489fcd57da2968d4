"""API test fixtures: the chalice app on moto, signed-in people, uploads, and a client that checks every
answer against the app's own OpenAPI document."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from chalice.test import Client
from jsonschema import Draft202012Validator

from infra.devstack.provision import create_citizen, create_staff
from motcua.adapters import clients
from motcua.domain.models import Principal, PrincipalKind
from motcua.domain.roles import Role
from tests.conftest import REGION, ROOT
from tests.examples import EXAMPLES, PASSWORD, PDF, post_to_slot

API_DIR = ROOT / "functions" / "api"

BUSINESS = "2.001610"  # business registration, received by the Department of Finance, 3 working days
FINANCE = "000.00.01.H99"
POLICE = "000.00.21.H99"  # an agency with no part in a business registration
# A procedure one agency decides alone (no flow): a company's social insurance declaration, 5 days.
SINGLE = "1.000058"
SOCIAL_INSURANCE = "000.00.22.H99"


# The files the API answers with, by media type, and how each begins.
FILE_MAGIC = {
    "application/pdf": b"%PDF-",
    "application/zip": b"PK\x03\x04",
    # the statistics' tables: a workbook is a ZIP; a CSV starts with UTF-8's byte-order mark
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": b"PK\x03\x04",
    "text/csv": b"\xef\xbb\xbf",
}


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def error(self) -> dict[str, Any]:
        error: dict[str, Any] = self.json["error"]
        return error

    def field_names(self) -> list[str]:
        return [f["field"] for f in self.error["fields"]]

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers.items() if k.lower() == name.lower()), None)


class Api:
    """Chalice's test client, speaking JSON, that holds every answer to the OpenAPI document: the status
    must be one the operation documents and the body must match that response's schema."""

    def __init__(self, client: Client, document: dict[str, Any]) -> None:
        self.client = client
        self.document = document
        self._templates = [
            (re.compile("^" + re.sub(r"{\w+}", "[^/]+", path) + "$"), path) for path in document["paths"]
        ]

    def get(self, path: str, **kwargs: Any) -> Answer:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> Answer:
        return self.request("POST", path, **kwargs)

    def request(
        self,
        method: str,
        path: str,
        *,
        token: str | None = None,
        json_body: Any = None,
        raw: bytes | None = None,
        headers: dict[str, str] | None = None,
        lang: str | None = None,
        check: bool = True,
    ) -> Answer:
        sent = {"Content-Type": "application/json"} | (headers or {})
        if token is not None:
            sent["Authorization"] = f"Bearer {token}"
        if lang is not None:
            sent["Accept-Language"] = lang
        body = raw if raw is not None else (b"" if json_body is None else json.dumps(json_body).encode())
        response = self.client.http.request(method, path, headers=sent, body=body)
        answer = Answer(response.status_code, dict(response.headers), response.body)
        if check:
            self._check(method, path, answer)
        return answer

    def _check(self, method: str, path: str, answer: Answer) -> None:
        template = next((t for regex, t in self._templates if regex.match(path.split("?")[0])), None)
        assert template is not None, f"{path} is not in the OpenAPI document"
        operation = self.document["paths"][template][method.lower()]
        response = operation["responses"].get(str(answer.status))
        assert response is not None, (
            f"{method} {template} answered {answer.status}, which its OpenAPI operation does not list: "
            f"{answer.body[:500]!r}"
        )
        if "$ref" in response:
            response = self.document["components"]["responses"][response["$ref"].rsplit("/", 1)[1]]
        sent = (answer.header("Content-Type") or "").split(";")[0]
        for media, magic in FILE_MAGIC.items():  # a file: its bytes, said so (one of those it may be)
            if media in response["content"] and (media == sent or len(response["content"]) == 1):
                assert sent == media, answer.headers
                assert answer.body.startswith(magic), answer.body[:40]
                return
        schema = response["content"]["application/json"]["schema"]
        validator = Draft202012Validator({**schema, "components": self.document["components"]})
        errors = sorted(validator.iter_errors(answer.json), key=str)
        assert not errors, f"{method} {template} {answer.status} does not match its schema: {errors[0]}"
        assert answer.header("Content-Language") in ("vi", "en")


@pytest.fixture
def api(container: Any) -> Iterator[Api]:
    from app import app

    from chalicelib import deps
    from chalicelib.openapi import document

    deps.set_container(container)
    try:
        with Client(app, project_dir=str(API_DIR)) as client:
            yield Api(client, document(app))
    finally:
        deps.set_container(None)


@dataclass(frozen=True)
class Person:
    username: str
    token: str
    sub: str
    name: str


class People:
    def __init__(self, container: Any, outputs: Any) -> None:
        self.container = container
        self.outputs = outputs
        self.cognito = clients.client("cognito-idp", REGION)

    def citizen(self, email: str, name: str, phone: str = "+84901234567") -> Person:
        create_citizen(
            self.cognito,
            pool_id=self.outputs.citizen_pool_id,
            email=email,
            password=PASSWORD,
            name=name,
            phone=phone,
        )
        token = self.container.citizens.sign_in(username=email, password=PASSWORD)["id_token"]
        return Person(email, token, self.container.verifier.verify(token).sub, name)

    def staff(self, username: str, agency: str, role: str) -> Person:
        name = f"Cán bộ {username}"
        create_staff(
            self.cognito,
            pool_id=self.outputs.staff_pool_id,
            username=username,
            password=PASSWORD,
            name=name,
            email=f"{username}@minhhoa.example.gov.vn",
            agency=agency,
            role=role,
        )
        token = self.container.staff.sign_in(username=username, password=PASSWORD)["id_token"]
        return Person(username, token, self.container.verifier.verify(token).sub, name)


class OfflinePeople:
    """The same people on in-memory fakes: tokens the fake verifier knows (tests marked `offline`)."""

    def __init__(self, container: Any) -> None:
        self.container = container

    def citizen(self, email: str, name: str, phone: str = "+84901234567") -> Person:
        sub = str(uuid.uuid5(uuid.NAMESPACE_URL, email))
        who = Principal(
            sub=sub, kind=PrincipalKind.CITIZEN, username=email, name=name, email=email, phone=phone
        )
        return Person(email, self.container.verifier.issue(who), sub, name)

    def staff(self, username: str, agency: str, role: str) -> Person:
        name = f"Cán bộ {username}"
        who = Principal(
            sub=username,
            kind=PrincipalKind.STAFF,
            username=username,
            name=name,
            agency=agency,
            role=Role(role),
        )
        return Person(username, self.container.verifier.issue(who), username, name)


@pytest.fixture
def people(container: Any, request: pytest.FixtureRequest) -> People | OfflinePeople:
    if request.node.get_closest_marker("offline") is not None:
        return OfflinePeople(container)
    return People(container, request.getfixturevalue("outputs"))


@pytest.fixture
def an(people: People | OfflinePeople) -> Person:
    """A citizen who files dossiers."""
    return people.citizen("an.nguyen@example.vn", "Nguyễn Văn An", "+84901234567")


@pytest.fixture
def binh(people: People | OfflinePeople) -> Person:
    """Another citizen, who must not see An's dossiers."""
    return people.citizen("binh.le@example.vn", "Lê Thị Bình", "+84907654321")


@pytest.fixture
def si_receiver(people: People | OfflinePeople) -> Person:
    """A receiving officer of the provincial social insurance, which decides its procedures alone."""
    return people.staff("tiepnhan.bhxh", SOCIAL_INSURANCE, "receiver")


@pytest.fixture
def si_officer(people: People | OfflinePeople) -> Person:
    """A processing officer of the provincial social insurance: it decides and issues the results."""
    return people.staff("chuyenvien.bhxh", SOCIAL_INSURANCE, "officer")


@pytest.fixture
def receiver(people: People | OfflinePeople) -> Person:
    """A receiving officer of the Department of Finance, which receives business registrations."""
    return people.staff("tiepnhan.taichinh", FINANCE, "receiver")


@pytest.fixture
def outsider(people: People | OfflinePeople) -> Person:
    """An officer of the provincial police, which has no part in a business registration."""
    return people.staff("canbo.congan", POLICE, "officer")


def upload(
    api: Api,
    person: Person,
    content: bytes = PDF,
    *,
    content_type: str = "application/pdf",
    filename: str = "giấy đề nghị.pdf",
) -> str:
    """Ask the API for a slot and POST the file to storage with it, as a browser does; the upload id."""
    slot = api.post(
        "/v1/uploads",
        token=person.token,
        json_body={"filename": filename, "content_type": content_type, "size": len(content)},
    )
    assert slot.status == 201, slot.body
    post_to_slot(slot.json["url"], slot.json["fields"], filename, content)
    return str(slot.json["upload_id"])


APPLICANT = {
    "full_name": "Nguyễn Văn An",
    "id_number": "001090012345",
    "phone": "0901234567",
    "email": "an.nguyen@example.vn",
    "address": "Số 1 đường Lê Lợi, phường Minh Họa",
}


def business_registration(api: Api, person: Person, **changes: Any) -> dict[str, Any]:
    """A complete business registration: form filled in, both required papers uploaded as PDFs."""
    body = {
        "procedure_code": BUSINESS,
        "applicant": APPLICANT,
        "form": EXAMPLES[BUSINESS],
        "attachments": [
            {"upload_id": upload(api, person), "paper_code": "giay_de_nghi_dang_ky_doanh_nghiep"},
            {
                "upload_id": upload(api, person, filename="căn cước.pdf"),
                "paper_code": "giay_to_phap_ly_chu_doanh_nghiep",
            },
        ],
    }
    return body | changes


def social_declaration(api: Api, person: Person) -> dict[str, Any]:
    """A complete social insurance declaration: the form and the list of workers as a PDF."""
    return {
        "procedure_code": SINGLE,
        "applicant": APPLICANT,
        "form": EXAMPLES[SINGLE],
        "attachments": [
            {
                "upload_id": upload(api, person, filename="danh sách lao động.pdf"),
                "paper_code": "danh_sach_lao_dong_d02_lt",
            }
        ],
    }


def filed_alone(api: Api, person: Person) -> str:
    """The code of a declaration that the social insurance agency decides alone."""
    answer = file(api, person, social_declaration(api, person))
    assert answer.status == 201, answer.body
    return str(answer.json["code"])


def new_key() -> str:
    return str(uuid.uuid4())


def file(api: Api, person: Person, body: dict[str, Any] | None = None, key: str | None = None) -> Answer:
    answer = api.post(
        "/v1/dossiers",
        token=person.token,
        json_body=body or business_registration(api, person),
        headers={"Idempotency-Key": key or new_key()},
    )
    return answer


def filed(api: Api, person: Person) -> str:
    """The code of a business registration `person` has just filed."""
    answer = file(api, person)
    assert answer.status == 201, answer.body
    return str(answer.json["code"])


def decide(api: Api, person: Person, task_id: str, action: str, reason: str | None = None) -> Answer:
    body: dict[str, Any] = {"action": action} | ({"reason": reason} if reason else {})
    return api.post(f"/v1/tasks/{task_id}/decision", token=person.token, json_body=body)
