"""Whom the platform writes to: only the verified email and phone of the account that filed, on fakes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from motcua.domain.roles import Role

if TYPE_CHECKING:
    from motcua.domain.models import Principal
    from tests.fakes.world import World

SI, SOCIAL_INSURANCE = "1.000058", "000.00.22.H99"  # one agency, no flow
TYPED = {"email": "nguoi.khac@example.org", "phone": "0987 654 321"}  # someone else's, typed in


def file_with_typed_contacts(world: World, citizen: Principal) -> str:
    """A declaration filed through the API whose applicant's email and phone are not the account's."""
    request = world.filing_request(citizen, SI)
    body = request.model_dump() | {"applicant": request.applicant.model_dump() | TYPED}
    with world.api() as api:
        answer = api.call("POST", "/v1/dossiers", citizen, body, Idempotency_Key=f"typed-{citizen.sub}")
    assert answer.status == 201, answer.body
    return str(answer.body["code"])


def test_messages_go_to_the_accounts_verified_contacts_never_to_those_typed_in_the_filing(
    world: World,
) -> None:
    # Given a citizen whose account has a verified email and phone files with someone else's
    an = world.citizen(phone="+84912345678")
    code = file_with_typed_contacts(world, an)

    # When the filing and the acceptance are told
    world.decide(world.staff(SOCIAL_INSURANCE, Role.RECEIVER), f"{code}-T1", "accept")
    sent = world.deliver()

    # Then every email went to the account's address and every SMS to its phone, none elsewhere
    assert [m.to for m in world.mail.sent] == [an.email, an.email]
    assert [m.to for m in world.sms.sent] == ["+84912345678", "+84912345678"]
    assert not [m for m in sent if m.to in (TYPED["email"], "+84987654321")]
    # and what was typed stays the application's data (the receipt prints it)
    assert world.record(code).dossier.applicant.email == TYPED["email"]


def test_an_account_without_a_verified_contact_files_and_nobody_is_written_to(world: World) -> None:
    # Given a citizen whose email is not verified and whose phone is not either
    an = world.citizen(email_verified=False, phone="+84912345678", phone_verified=False)

    # When they file with contacts typed in
    code = file_with_typed_contacts(world, an)

    # Then the dossier is filed and nothing is sent, to them or to what they typed
    assert world.record(code).dossier.status.value == 1
    assert world.deliver() == []


def test_only_the_verified_one_of_the_accounts_contacts_is_written_to(world: World) -> None:
    an = world.citizen(phone="+84912345678", phone_verified=False)
    file_with_typed_contacts(world, an)

    assert [(m.channel, m.to) for m in world.deliver()] == [("email", an.email)]
