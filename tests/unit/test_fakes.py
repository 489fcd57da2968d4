"""The fakes of the ports keep the promises of the adapters they stand for."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from motcua.asl import REJECTED, definition
from motcua.config.province import load_province
from motcua.domain.errors import Conflict, Forbidden, InvalidInput, NotFound, Unauthenticated
from motcua.domain.files import HEAD_BYTES
from motcua.domain.models import Contacts, Principal, PrincipalKind
from motcua.domain.ports import OutgoingMessage
from motcua.domain.roles import Role
from motcua.services.coordinator import FlowMessage, MissingDossier
from tests.conftest import DEMO_PROVINCE
from tests.examples import PDF
from tests.fakes import (
    FrozenClock,
    InMemoryAttachmentStore,
    InMemoryCertificateStore,
    InMemoryIdentityProvider,
    InMemoryOnceOnly,
    InMemoryStaffDirectory,
    InMemoryTokenVerifier,
    InMemoryWorkflow,
    MarkingSigner,
    ProviderDown,
    RecordingMessenger,
    UnmodelledAnswer,
)
from tests.fakes.identity import AUTHENTICATOR_CODE, CONFIRMATION_CODE

STRONG = "Mật-khẩu-2026!"
FINANCE = "000.00.01.H99"


# --- AttachmentStore ------------------------------------------------------------------------------


def test_an_upload_is_inspected_by_its_first_bytes_and_read_only_within_a_size() -> None:
    store = InMemoryAttachmentStore()
    assert store.inspect("uploads/u1/a") is None and store.read("uploads/u1/a", max_bytes=10) is None
    store.presign_upload(
        key="uploads/u1/a",
        content_type="application/pdf",
        size=len(PDF),
        max_bytes=1000,
        filename="điều lệ.pdf",
        expires_seconds=60,
    )

    store.post("uploads/u1/a", PDF)

    seen = store.inspect("uploads/u1/a")
    assert seen is not None
    assert (seen.size, seen.head, seen.filename, seen.declared_size) == (
        len(PDF),
        PDF[:HEAD_BYTES],
        "điều lệ.pdf",
        len(PDF),
    )
    assert store.read("uploads/u1/a", max_bytes=len(PDF)) == PDF
    with pytest.raises(ValueError):
        store.read("uploads/u1/a", max_bytes=len(PDF) - 1)
    assert not store.kept("uploads/u1/a")
    assert store.keep("uploads/u1/a", into="filed/u1/a/x", etag=seen.etag)
    assert store.kept("filed/u1/a/x") and not store.kept("uploads/u1/a")
    assert store.read("filed/u1/a/x", max_bytes=len(PDF)) == PDF
    # Posted again (other bytes, same size): the write seen before is no longer there to copy or read.
    store.post("uploads/u1/a", PDF[:-1] + b" ")
    assert not store.keep("uploads/u1/a", into="filed/u1/a/y", etag=seen.etag)
    assert store.read("uploads/u1/a", max_bytes=len(PDF), etag=seen.etag) is None
    assert store.read("filed/u1/a/x", max_bytes=len(PDF)) == PDF


def test_an_upload_outside_the_presigned_conditions_is_refused() -> None:
    clock = FrozenClock()
    store = InMemoryAttachmentStore(clock)
    store.presign_upload(
        key="k", content_type="image/png", size=1, max_bytes=8, filename="a.png", expires_seconds=60
    )
    with pytest.raises(ValueError):
        store.post("k", b"123456789")
    with pytest.raises(ValueError):  # not the size declared for the slot
        store.post("k", b"12")
    with pytest.raises(PermissionError):
        store.post("other", b"1")
    clock.advance(timedelta(seconds=61))
    with pytest.raises(PermissionError):
        store.post("k", b"1")
    assert store.inspect("k") is None


# --- identity -------------------------------------------------------------------------------------


def test_the_verifier_knows_only_the_tokens_it_issued() -> None:
    verifier = InMemoryTokenVerifier()
    an = Principal(sub="s-1", kind=PrincipalKind.CITIZEN, username="an@example.vn")
    token = verifier.issue(an)

    assert verifier.verify(token) == an
    with pytest.raises(Unauthenticated):
        verifier.verify("forged")
    verifier.expire(token)
    with pytest.raises(Unauthenticated):
        verifier.verify(token)
    with pytest.raises(Forbidden):  # staff without an agency and a role, as the Cognito verifier refuses
        verifier.verify(verifier.issue(Principal(sub="s-2", kind=PrincipalKind.STAFF, username="x")))


def test_a_citizen_signs_up_confirms_and_signs_in_to_a_token_that_verifies() -> None:
    verifier = InMemoryTokenVerifier()
    citizens = InMemoryIdentityProvider(verifier)
    with pytest.raises(InvalidInput) as weak:
        citizens.sign_up(username="an@example.vn", password="short", attributes={})
    assert weak.value.fields[0].field == "password"
    citizens.sign_up(
        username="an@example.vn",
        password=STRONG,
        attributes={"name": "Nguyễn Văn An", "email": "an@example.vn", "phone_number": "+84901234567"},
    )
    with pytest.raises(Conflict):
        citizens.sign_up(username="an@example.vn", password=STRONG, attributes={})
    with pytest.raises(Forbidden):
        citizens.sign_in(username="an@example.vn", password=STRONG)
    with pytest.raises(InvalidInput):
        citizens.confirm_sign_up(username="an@example.vn", code="000000")
    citizens.confirm_sign_up(username="an@example.vn", code=CONFIRMATION_CODE)
    with pytest.raises(Unauthenticated):
        citizens.sign_in(username="an@example.vn", password="Wrong-password-1")

    tokens = citizens.sign_in(username="an@example.vn", password=STRONG)

    an = verifier.verify(tokens["id_token"])
    assert (an.kind, an.username, an.name, an.agency) == (
        PrincipalKind.CITIZEN,
        "an@example.vn",
        "Nguyễn Văn An",
        None,
    )
    # Confirming with the code sent to the email verified it; nothing verified the phone.
    assert an.contacts == Contacts(email="an@example.vn", phone=None)
    assert verifier.verify(citizens.refresh(refresh_token=tokens["refresh_token"])["id_token"]).sub == an.sub


def test_a_new_officer_chooses_a_password_then_sets_up_an_authenticator() -> None:
    verifier = InMemoryTokenVerifier()
    staff = InMemoryIdentityProvider(verifier, kind=PrincipalKind.STAFF)
    staff.add_user(
        "canbo",
        "Temporary-pass-1",
        {"name": "Cán bộ", "custom:agency_code": FINANCE, "custom:role": "officer"},
        temporary=True,
        mfa=True,
    )

    first = staff.sign_in(username="canbo", password="Temporary-pass-1")
    assert first["challenge"] == "NEW_PASSWORD_REQUIRED"
    setup = staff.answer_challenge(
        username="canbo", challenge=first["challenge"], session=first["session"], answer=STRONG
    )
    assert setup["challenge"] == "MFA_SETUP"
    secret = staff.start_mfa_setup(session=setup["session"])
    with pytest.raises(InvalidInput):  # a wrong code; the session stays open for another try
        staff.answer_challenge(username="canbo", challenge="MFA_SETUP", session=secret["session"], answer="0")

    tokens = staff.answer_challenge(
        username="canbo", challenge="MFA_SETUP", session=secret["session"], answer=AUTHENTICATOR_CODE
    )

    officer = verifier.verify(tokens["id_token"])
    assert (officer.agency, officer.role) == (FINANCE, Role.OFFICER)
    later = staff.sign_in(username="canbo", password=STRONG)
    assert later["challenge"] == "SOFTWARE_TOKEN_MFA"
    with pytest.raises(Unauthenticated):  # a session answers the challenge it was given for only
        staff.answer_challenge(username="canbo", challenge="MFA_SETUP", session=later["session"], answer="0")


# --- the staff directory -------------------------------------------------------------------------


def test_the_directory_knows_staff_by_username_as_the_pool_spells_them() -> None:
    directory = InMemoryStaffDirectory()
    directory.add("CanBo.TaiChinh", agency=FINANCE, role=Role.OFFICER, name="Cán bộ Tài chính")

    member = directory.member("canbo.taichinh")  # the staff pool's sign-in names ignore case
    assert member is not None and member.username == "CanBo.TaiChinh"
    assert (member.agency, member.role, member.name, member.enabled) == (
        FINANCE,
        Role.OFFICER,
        "Cán bộ Tài chính",
        True,
    )
    directory.disable("canbo.taichinh")
    assert directory.member("CanBo.TaiChinh").enabled is False  # type: ignore[union-attr]
    assert directory.member("an@example.vn") is None


# --- messages and once-only actions ---------------------------------------------------------------


def test_an_action_runs_once_per_key_and_again_only_after_it_failed() -> None:
    once, mailer = InMemoryOnceOnly(), RecordingMessenger("email")
    message = OutgoingMessage(channel="email", to="an@example.vn", text="Hồ sơ đã được tiếp nhận")

    def deliver() -> dict[str, str]:
        return {"provider_id": mailer.send(message)}

    mailer.fail_next()
    with pytest.raises(ProviderDown):
        once.run("receipt#1", deliver)
    first = once.run("receipt#1", deliver)
    assert once.run("receipt#1", deliver) == first
    assert mailer.sent == [message]
    with pytest.raises(ValueError):
        mailer.send(OutgoingMessage(channel="sms", to="+84901234567", text="x"))


# --- signing --------------------------------------------------------------------------------------


def test_certificates_are_written_only_where_nobody_got_there_first() -> None:
    store = InMemoryCertificateStore()
    assert store.add_authority("ca-key", b"ca-1")
    assert not store.add_authority("ca-key", b"ca-2")
    assert store.put_agency(FINANCE, b"cert-1", replaces=None)
    assert not store.put_agency(FINANCE, b"cert-2", replaces=None)
    assert not store.put_agency(FINANCE, b"cert-2", replaces=b"stale")
    assert store.put_agency(FINANCE, b"cert-2", replaces=b"cert-1")
    loaded = store.load()
    loaded.agencies.clear()
    assert store.load() == type(loaded)(authorities={"ca-key": b"ca-1"}, agencies={FINANCE: b"cert-2"})


def test_the_marking_signer_signs_pdfs_of_agencies_with_a_key() -> None:
    signer = MarkingSigner(agencies=[FINANCE])
    signed = signer.sign_pdf(PDF, agency=FINANCE, signer_name="Cán bộ", reason="KQ1", location="Minh Họa")
    assert signed.startswith(PDF) and MarkingSigner.signed_by(signed) == FINANCE
    assert MarkingSigner.signed_by(PDF) is None
    with pytest.raises(ValueError):
        signer.sign_pdf(b"GIF89a", agency=FINANCE, signer_name="x", reason="x", location="x")
    with pytest.raises(NotFound):
        signer.sign_pdf(PDF, agency="000.00.20.H99", signer_name="x", reason="x", location="x")


# --- Workflow: the in-memory flow engine on the demo province's flows ------------------------------

PROVINCE = load_province(DEMO_PROVINCE)
BUSINESS, WORK_PERMIT = "2.001610", "1.014199"  # Finance then Tax; Home Affairs and Police at once
CODE = "000.00.01.H99-261117-0001"
APPROVED = {"outcome": "approved"}


class Routing:
    """Stands in for FlowCoordinator.handle: keeps what arrives, and each wait's latest token."""

    def __init__(self) -> None:
        self.seen: list[FlowMessage] = []
        self.tokens: dict[tuple[str, int | None, int | None], str] = {}

    def __call__(self, message: FlowMessage) -> None:
        self.seen.append(message)
        if message.token:
            self.tokens[(message.kind, message.stage, message.step)] = message.token

    def kinds(self) -> list[tuple[str, int | None, int | None]]:
        return [(m.kind, m.stage, m.step) for m in self.seen]

    def step(self, stage: int, step: int) -> str:
        return self.tokens[("step", stage, step)]


def run(flow: InMemoryWorkflow, routing: Routing) -> list[tuple[str, int | None, int | None]]:
    """Deliver what is queued; what arrived this time."""
    before = len(routing.seen)
    flow.drain(routing)
    return routing.kinds()[before:]


def test_a_business_registration_goes_from_finance_to_tax_then_ends() -> None:
    flow, routing = InMemoryWorkflow(PROVINCE), Routing()

    flow.start(BUSINESS, CODE)

    assert list(flow.messages) == [
        {
            "kind": "step",
            "dossier_code": CODE,
            "execution": flow.execution_arn(BUSINESS, CODE),
            "stage": 1,
            "step": 1,
            "token": flow.waiting(CODE)[0].token,
        }
    ]
    assert run(flow, routing) == [("step", 1, 1)]
    flow.start(BUSINESS, CODE)  # the same attempt again: the execution exists, nothing happens
    assert run(flow, routing) == []

    assert flow.succeed(routing.step(1, 1), APPROVED)
    assert run(flow, routing) == [("step", 2, 1)]
    assert not flow.succeed(routing.step(1, 1), APPROVED)  # answered already

    assert flow.succeed(routing.step(2, 1), APPROVED)
    assert run(flow, routing) == [("flow_done", None, None)]
    assert flow.status(CODE) == "SUCCEEDED" and flow.waiting() == []


def test_a_parallel_stage_ends_when_every_agency_has_approved() -> None:
    flow, routing = InMemoryWorkflow(PROVINCE), Routing()
    flow.start(WORK_PERMIT, CODE)
    assert run(flow, routing) == [("step", 1, 1), ("step", 1, 2)]

    flow.succeed(routing.step(1, 2), APPROVED)
    assert run(flow, routing) == []  # one branch done is not the stage done

    flow.succeed(routing.step(1, 1), APPROVED)
    assert run(flow, routing) == [("flow_done", None, None)]


def test_papers_asked_for_wait_for_the_citizen_then_the_same_step_is_asked_again() -> None:
    flow, routing = InMemoryWorkflow(PROVINCE), Routing()
    flow.start(BUSINESS, CODE)
    run(flow, routing)
    first = routing.step(1, 1)

    assert flow.succeed(first, {"outcome": "papers"})
    assert run(flow, routing) == [("await_citizen", 1, 1)]
    assert not flow.succeed(first, APPROVED)  # the step waits no more: the citizen's answer does

    assert flow.succeed(routing.tokens[("await_citizen", 1, 1)], {"resumed": True})
    assert run(flow, routing) == [("step", 1, 1)]
    assert routing.step(1, 1) != first
    flow.succeed(routing.step(1, 1), APPROVED)
    assert run(flow, routing) == [("step", 2, 1)]


def test_a_rejection_in_one_branch_ends_the_flow_and_the_other_branch_waits_no_more() -> None:
    flow, routing = InMemoryWorkflow(PROVINCE), Routing()
    flow.start(WORK_PERMIT, CODE)
    run(flow, routing)

    assert flow.fail(routing.step(1, 2), REJECTED, "Người lao động có tiền án")

    assert run(flow, routing) == [("flow_rejected", None, None)]
    assert routing.seen[-1].cause == "Người lao động có tiền án"
    assert routing.seen[-1].failure == {"Error": "Rejected", "Cause": "Người lao động có tiền án"}
    assert not flow.succeed(routing.step(1, 1), APPROVED)
    assert not flow.fail(routing.step(1, 1), REJECTED, "withdrawn by the applicant")
    assert flow.status(CODE) == "SUCCEEDED" and run(flow, routing) == []


def test_a_flow_started_again_skips_the_steps_decided_and_runs_once_per_attempt() -> None:
    flow, routing = InMemoryWorkflow(PROVINCE), Routing()
    flow.start(BUSINESS, CODE)
    run(flow, routing)
    flow.succeed(routing.step(1, 1), APPROVED)
    run(flow, routing)
    lost = routing.step(2, 1)
    flow.stop(CODE)
    assert flow.status(CODE) == "ABORTED" and not flow.succeed(lost, APPROVED)

    flow.start(BUSINESS, CODE, completed=((1, 1),), attempt=1)

    assert run(flow, routing) == [("step", 2, 1)]  # Finance's review is not asked twice
    assert routing.seen[-1].execution == flow.execution_arn(BUSINESS, CODE, 1)
    flow.start(BUSINESS, CODE, completed=((1, 1),), attempt=1)
    flow.start(BUSINESS, CODE)  # attempt 0 ran already
    assert run(flow, routing) == []
    flow.succeed(routing.step(2, 1), APPROVED)
    assert run(flow, routing) == [("flow_done", None, None)]
    # every step decided: the flow ends at once
    flow.start(BUSINESS, CODE, completed=((1, 1), (2, 1)), attempt=2)
    assert run(flow, routing) == [("flow_done", None, None)]


def test_a_step_out_of_time_is_escalated_then_the_flow_stalls() -> None:
    flow, routing = InMemoryWorkflow(PROVINCE), Routing()
    flow.start(WORK_PERMIT, CODE)
    run(flow, routing)
    first = routing.step(1, 1)

    assert flow.time_out(first)
    assert run(flow, routing) == [("step_overdue", 1, 1), ("step", 1, 1)]
    assert [w.escalated for w in flow.waiting(CODE) if w.step == 1] == [True]
    assert flow.time_out(routing.step(1, 1))

    assert run(flow, routing) == [("flow_stalled", None, None)]
    assert routing.seen[-1].cause == "stage 1 step 1"
    assert flow.status(CODE) == "FAILED" and not flow.succeed(routing.step(1, 2), APPROVED)


def test_papers_that_never_come_abandon_the_flow() -> None:
    flow, routing = InMemoryWorkflow(PROVINCE), Routing()
    flow.start(BUSINESS, CODE)
    run(flow, routing)
    flow.succeed(routing.step(1, 1), {"outcome": "papers"})
    run(flow, routing)

    assert flow.time_out(routing.tokens[("await_citizen", 1, 1)])

    assert run(flow, routing) == [("flow_abandoned", None, None)]
    assert flow.status(CODE) == "SUCCEEDED"


def test_drain_delivers_what_the_handler_causes_and_keeps_what_it_could_not_handle() -> None:
    flow, routing = InMemoryWorkflow(PROVINCE), Routing()
    flow.start(BUSINESS, CODE)

    def officer(message: FlowMessage) -> None:
        routing(message)
        if message.kind == "step" and message.token:
            flow.succeed(message.token, APPROVED)

    assert flow.drain(officer) == 3
    assert routing.kinds() == [("step", 1, 1), ("step", 2, 1), ("flow_done", None, None)]

    def broken(message: FlowMessage) -> None:
        raise MissingDossier(message.dossier_code)

    flow.start(BUSINESS, "000.00.01.H99-261117-0002")
    with pytest.raises(MissingDossier):
        flow.drain(broken)
    assert len(flow.messages) == 1  # SQS would deliver it again


def test_the_engine_refuses_what_the_definition_cannot_run() -> None:
    flow = InMemoryWorkflow(PROVINCE)
    with pytest.raises(LookupError):
        flow.start("1.001193", CODE)  # birth registration has no flow
    flow.start(BUSINESS, CODE)
    with pytest.raises(UnmodelledAnswer):
        flow.succeed(flow.waiting(CODE)[0].token, {"resumed": True})


def bodies(document: dict[str, Any]) -> dict[str, set[str]]:
    """The keys of every message body the definition sends, by kind ("x.$" read as "x")."""
    found: dict[str, set[str]] = {}
    for state in document["States"].values():
        body = state.get("Parameters", {}).get("MessageBody")
        if body:
            found.setdefault(body["kind"], set()).update(k.removesuffix(".$") for k in body)
        for branch in state.get("Branches", []):
            for kind, keys in bodies(branch).items():
                found.setdefault(kind, set()).update(keys)
    return found


def every_kind_of_message(code: str) -> list[dict[str, Any]]:
    """What the engine sends for `code`'s flow over one attempt per way a flow can go."""
    flow = InMemoryWorkflow(PROVINCE)

    def first(attempt: int) -> str:
        flow.start(code, CODE, attempt=attempt)
        arn = flow.execution_arn(code, CODE, attempt)
        return next(w.token for w in flow.waiting(CODE) if w.execution == arn)

    def latest() -> str:
        return flow.waiting(CODE)[-1].token

    first(0)  # 0: approved to the end
    while waiting := flow.waiting(CODE):
        flow.succeed(waiting[0].token, APPROVED)
    flow.succeed(first(1), {"outcome": "papers"})  # 1: papers, brought
    flow.succeed(latest(), {"resumed": True})
    flow.time_out(first(2))  # 2: out of time twice
    flow.time_out(latest())
    flow.succeed(first(3), {"outcome": "papers"})  # 3: papers never brought
    flow.time_out(latest())
    flow.fail(first(4), REJECTED, "why")  # 4: rejected
    flow.fail(first(5), "States.TaskFailed", "why")  # 5: anything else
    return list(flow.messages)


@pytest.mark.parametrize("code", [BUSINESS, WORK_PERMIT])
def test_the_engine_sends_every_message_of_the_definition_with_its_keys(code: str) -> None:
    expected = bodies(definition(PROVINCE.procedures_by_code[code]))

    sent = every_kind_of_message(code)

    assert {body["kind"] for body in sent} == set(expected)
    for body in sent:
        assert set(body) == expected[body["kind"]], body["kind"]
        FlowMessage.model_validate(body)
