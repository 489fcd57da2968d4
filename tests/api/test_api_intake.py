"""Walk-in intake through the API (POST /v1/agencies/{code}/intake): bad input is a 4xx naming the field,
never a 5xx; only the desk of the receiving agency may file; the dossier is the counter's."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from motcua.domain.models import Principal
from motcua.domain.roles import Role
from tests.conftest import DEMO_PROVINCE
from tests.examples import PDF, PNG, filing_body
from tests.fakes.world import World

pytestmark = pytest.mark.offline

BUSINESS, FINANCE, TAX = "2.001610", "000.00.01.H99", "000.00.20.H99"
POLICE = "000.00.21.H99"  # receives driving licences, not foreign delegations
DELEGATION = "2.002151"  # Foreign Affairs; received there and at two wards (receive_at), not by the police
INTAKE = f"/v1/agencies/{FINANCE}/intake"


@pytest.fixture
def world() -> World:
    return World(DEMO_PROVINCE)


@pytest.fixture
def desk(world: World) -> Principal:
    return world.staff(FINANCE, Role.RECEIVER, "tiepnhan.stc", name="Lê Thị Tiếp Nhận")


def intake_body(world: World, officer: Principal, **changes: Any) -> dict[str, Any]:
    """A complete intake: the papers uploaded by the officer at the counter, a CCCD and a mobile."""

    def send(content_type: str) -> str:
        return world.upload(officer, PDF if content_type == "application/pdf" else PNG, content_type)

    body = filing_body(world.province, BUSINESS, "Trần Văn Quầy", None, send)
    body["applicant"] |= {"id_number": "001 090 012 345", "phone": "0912 345 678"}
    return body | changes


def post(world: World, who: Principal | None, body: Any, path: str = INTAKE, **headers: str) -> Any:
    headers = {"Idempotency_Key": f"counter-{uuid.uuid4().hex}", **headers}
    with world.api() as api:
        return api.call("POST", path, who, body, **headers)


def fields(reply: Any) -> dict[str, str]:
    return {f["field"]: f["code"] for f in reply.body["error"]["fields"]}


def test_the_desk_files_for_the_person_at_the_counter(world: World, desk: Principal) -> None:
    reply = post(world, desk, intake_body(world, desk, ticket="A-007"))

    assert reply.status == 201, reply.body
    assert reply.body["code"].startswith(f"{FINANCE}-261117-")
    assert reply.body["status"] == 1
    assert reply.body["channel"] == "counter"
    assert reply.body["received_by"] == "Lê Thị Tiếp Nhận"
    assert reply.body["ticket"] == "A-007"
    assert reply.body["accepted"] is False
    dossier = world.record(reply.body["code"]).dossier
    assert dossier.applicant.id_number == "001090012345"
    assert dossier.contacts.phone == "+84912345678"  # where the SMS goes
    assert dossier.owner == f"counter#{FINANCE}"
    assert world.task(dossier.code, f"{dossier.code}-T1").state.value == "open"


def test_accept_in_the_same_step_decides_the_desk_task_and_records_both(
    world: World, desk: Principal
) -> None:
    reply = post(world, desk, intake_body(world, desk, accept=True))

    assert reply.status == 201, reply.body
    assert reply.body["accepted"] is True
    code = reply.body["code"]
    record = world.record(code)
    assert record.dossier.status.value == 4  # past the desk: Finance's step of the flow is under way
    desk_task = record.task(f"{code}-T1")
    assert desk_task is not None and desk_task.decided is not None
    assert (desk_task.decided.action, desk_task.decided.by) == ("accept", "tiepnhan.stc")
    trail = world.repository.audit_trail(code)
    assert [(e.action, e.actor) for e in trail][:2] == [("filed", "tiepnhan.stc"), ("accept", "tiepnhan.stc")]


def test_a_retry_with_the_same_key_answers_the_same_dossier(world: World, desk: Principal) -> None:
    body = intake_body(world, desk, accept=True)
    first = post(world, desk, body, Idempotency_Key="counter-key-0001")
    again = post(world, desk, body, Idempotency_Key="counter-key-0001")

    assert (first.status, again.status) == (201, 201)
    assert again.body["code"] == first.body["code"]
    assert again.headers.get("idempotent-replayed") == "true"


def test_the_citizen_hears_what_an_online_filer_hears_at_the_counters_phone(
    world: World, desk: Principal
) -> None:
    body = intake_body(world, desk)
    body["applicant"]["email"] = "quay@example.vn"
    code = post(world, desk, body).body["code"]

    sent = world.deliver()

    assert {(m.channel, m.to) for m in sent} == {("sms", "+84912345678"), ("email", "quay@example.vn")}
    assert all(code in m.text for m in sent)
    email = next(m for m in sent if m.channel == "email")
    assert "tiếp nhận tại quầy" in email.text and "trực tuyến" not in email.text


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        ({"id_number": "00109001234"}, "applicant.id_number", "cccd_digits"),
        ({"id_number": "00109001234a"}, "applicant.id_number", "cccd_digits"),
        ({"id_number": "003090012345"}, "applicant.id_number", "cccd_province"),  # 003 is no province
        ({"id_number": "001390012345"}, "applicant.id_number", "cccd_birth_year"),  # born in 2090
        ({"phone": "0243 825 1234"}, "applicant.phone", "phone_not_mobile"),  # a Hà Nội landline
        ({"phone": "12345"}, "applicant.phone", "phone_not_mobile"),
        ({"phone": "+1 202 555 0143"}, "applicant.phone", "phone_not_mobile"),
    ],
)
def test_a_bad_identity_is_a_422_naming_the_field(
    world: World, desk: Principal, change: dict[str, str], field: str, code: str
) -> None:
    body = intake_body(world, desk)
    body["applicant"] |= change

    reply = post(world, desk, body)

    assert reply.status == 422, reply.body
    assert fields(reply) == {field: code}
    assert reply.body["error"]["message"]


def test_missing_papers_are_a_422_naming_the_attachments(world: World, desk: Principal) -> None:
    reply = post(world, desk, intake_body(world, desk, attachments=[]))

    assert reply.status == 422
    assert set(fields(reply).values()) == {"paper_missing"}
    assert set(fields(reply)) == {"attachments"}


def test_an_unknown_procedure_is_a_422_naming_it(world: World, desk: Principal) -> None:
    reply = post(world, desk, intake_body(world, desk, procedure_code="9.999999"))

    assert reply.status == 422
    assert fields(reply) == {"procedure_code": "unknown_procedure"}


def test_a_desk_that_does_not_receive_the_procedure_is_a_422_naming_it(world: World) -> None:
    police_desk = world.staff(POLICE, Role.RECEIVER, "tiepnhan.ca")

    body = intake_body(world, police_desk, procedure_code=DELEGATION)
    reply = post(world, police_desk, body, f"/v1/agencies/{POLICE}/intake")

    assert reply.status == 422
    assert fields(reply) == {"procedure_code": "not_received_here"}


@pytest.mark.parametrize(
    ("who", "status", "code"),
    [
        ("citizen", 403, "forbidden"),
        ("officer", 403, "role_required"),  # the processing officer of the receiving agency
        ("other desk", 403, "forbidden"),  # a receiver of another agency, at Finance's address
        ("anonymous", 401, "unauthenticated"),
    ],
)
def test_only_the_agencys_desk_may_file_there(
    world: World, desk: Principal, who: str, status: int, code: str
) -> None:
    callers = {
        "citizen": world.citizen(),
        "officer": world.staff(FINANCE, Role.OFFICER),
        "other desk": world.staff(POLICE, Role.RECEIVER),
        "anonymous": None,
    }
    reply = post(world, callers[who], intake_body(world, desk))

    assert reply.status == status, reply.body
    assert reply.error_code == code
    assert world.repository.writes == 0  # nothing filed


def test_errors_speak_the_callers_language(world: World, desk: Principal) -> None:
    body = intake_body(world, desk)
    body["applicant"]["id_number"] = "123"
    vi = post(world, desk, body, Accept_Language="vi")
    en = post(world, desk, body, Accept_Language="en")

    assert vi.body["error"]["fields"][0]["message"] == "Số CCCD phải gồm đúng 12 chữ số."
    assert en.body["error"]["fields"][0]["message"] == "A CCCD number has exactly 12 digits."


def test_an_unknown_agency_is_a_404(world: World, desk: Principal) -> None:
    reply = post(world, desk, intake_body(world, desk), "/v1/agencies/000.00.99.H99/intake")

    assert reply.status == 404


def test_the_receiver_uploads_photos_of_papers_but_an_officer_only_pdf_results(world: World) -> None:
    receiver = world.staff(FINANCE, Role.RECEIVER)
    officer = world.staff(FINANCE, Role.OFFICER)
    photo = {"filename": "cccd.jpg", "content_type": "image/jpeg", "size": 2000}
    with world.api() as api:
        assert api.call("POST", "/v1/uploads", receiver, photo).status == 201
        assert api.call("POST", "/v1/uploads", officer, photo).status == 403


def test_the_counters_dossier_is_read_by_the_desk_not_by_a_citizen_with_the_same_phone(
    world: World, desk: Principal
) -> None:
    code = post(world, desk, intake_body(world, desk)).body["code"]
    same_phone = world.citizen(phone="+84912345678")

    with world.api() as api:
        by_desk = api.call("GET", f"/v1/dossiers/{code}", desk)
        by_citizen = api.call("GET", f"/v1/dossiers/{code}", same_phone)
        mine = api.call("GET", "/v1/me/dossiers", same_phone)
        tracked = api.call("GET", f"/v1/tracking/{code}")

    assert by_desk.status == 200 and by_desk.body["channel"] == "counter"
    assert by_desk.body["received_by"] == "Lê Thị Tiếp Nhận"
    assert by_citizen.status == 403
    assert mine.body["items"] == []
    assert tracked.status == 200 and "Trần Văn Quầy" not in str(tracked.body)


def test_a_walk_in_at_a_ward_for_a_department_procedure_is_numbered_by_the_ward_and_decided_there(
    world: World,
) -> None:
    ward = "000.01.01.H99"  # business registration is received at any desk (receive_at: any)
    ward_desk = world.staff(ward, Role.RECEIVER, "tiepnhan.phuong")

    reply = post(world, ward_desk, intake_body(world, ward_desk), f"/v1/agencies/{ward}/intake")

    assert reply.status == 201, reply.body
    dossier = world.record(reply.body["code"]).dossier
    assert dossier.code.startswith(f"{ward}-")
    assert (dossier.agency, dossier.competent_agency) == (ward, FINANCE)
    assert set(dossier.agencies) == {ward, FINANCE}


def test_the_fee_is_collected_at_the_counter_and_the_dossier_says_so(world: World, desk: Principal) -> None:
    # The business registration's 100,000 VND, paid online by those who file online, is collected here
    reply = post(world, desk, intake_body(world, desk))

    assert reply.status == 201, reply.body
    fee = world.record(reply.body["code"]).dossier.fee
    assert fee is not None and (fee.amount_vnd, fee.collection.value) == (100000, "counter")
    with world.api() as api:
        shown = api.call("GET", f"/v1/dossiers/{reply.body['code']}", desk)
    assert shown.status == 200 and shown.body["fee_at_counter_vnd"] == 100000
