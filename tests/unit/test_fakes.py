"""The fakes of the ports keep the promises of the adapters they stand for."""

from __future__ import annotations

from datetime import timedelta

import pytest

from motcua.domain.errors import Conflict, Forbidden, InvalidInput, NotFound, Unauthenticated
from motcua.domain.files import HEAD_BYTES
from motcua.domain.models import Principal, PrincipalKind
from motcua.domain.ports import OutgoingMessage
from motcua.domain.roles import Role
from tests.examples import PDF
from tests.fakes import (
    FrozenClock,
    InMemoryAttachmentStore,
    InMemoryCertificateStore,
    InMemoryIdentityProvider,
    InMemoryOnceOnly,
    InMemoryTokenVerifier,
    MarkingSigner,
    ProviderDown,
    RecordingMessenger,
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
        max_bytes=1000,
        filename="điều lệ.pdf",
        expires_seconds=60,
    )

    store.post("uploads/u1/a", PDF)

    seen = store.inspect("uploads/u1/a")
    assert seen is not None
    assert (seen.size, seen.head, seen.filename) == (len(PDF), PDF[:HEAD_BYTES], "điều lệ.pdf")
    assert store.read("uploads/u1/a", max_bytes=len(PDF)) == PDF
    with pytest.raises(ValueError):
        store.read("uploads/u1/a", max_bytes=len(PDF) - 1)
    assert not store.kept("uploads/u1/a")
    store.keep("uploads/u1/a")
    assert store.kept("uploads/u1/a")


def test_an_upload_outside_the_presigned_conditions_is_refused() -> None:
    clock = FrozenClock()
    store = InMemoryAttachmentStore(clock)
    store.presign_upload(key="k", content_type="image/png", max_bytes=8, filename="a.png", expires_seconds=60)
    with pytest.raises(ValueError):
        store.post("k", b"123456789")
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
    citizens.sign_up(username="an@example.vn", password=STRONG, attributes={"name": "Nguyễn Văn An"})
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
