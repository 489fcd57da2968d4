"""A citizen's notifications page: every email and SMS sent to them is kept under their account, once,
masked, for as long as the dossier; only they read it (on fakes, through the API)."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

import pytest

from motcua.domain.roles import Role
from motcua.domain.sent import mask_address, summary_of

if TYPE_CHECKING:
    from motcua.domain.models import Principal
    from tests.fakes.world import World

SI, SOCIAL_INSURANCE = "1.000058", "000.00.22.H99"  # one agency, no flow


def notifications(world: World, who: Principal, **query: Any) -> dict[str, Any]:
    path = "/v1/me/notifications"
    if query:
        path += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    with world.api() as api:
        answer = api.call("GET", path, who)
    assert answer.status == 200, answer.body
    body: dict[str, Any] = answer.body
    return body


def test_the_citizen_sees_what_was_sent_to_them_newest_first_masked_and_nobody_else_does(
    world: World,
) -> None:
    # Given a citizen with a verified email and phone who files, and whose dossier is accepted
    an = world.citizen(phone="+84912345678")
    code = world.file(an, SI).code
    world.deliver()
    world.clock.advance(timedelta(hours=1))
    world.decide(world.staff(SOCIAL_INSURANCE, Role.RECEIVER), f"{code}-T1", "accept")
    world.deliver()

    # When they open their notifications
    items = notifications(world, an)["items"]

    # Then the acceptance comes first, then the filing: an email and an SMS each
    assert [i["event"] for i in items] == ["accepted", "accepted", "filed", "filed"]
    assert [i["channel"] for i in items].count("sms") == 2
    filed_email = next(i for i in items if i["event"] == "filed" and i["channel"] == "email")
    assert filed_email["dossier_code"] == code
    assert filed_email["summary"] == world.mail.sent[0].subject
    assert filed_email["event_label"] == "Đã nộp hồ sơ"
    assert filed_email["tracking_url"].endswith(f"/#/tracking/{code}")
    # addresses are masked: never the whole address or number
    assert filed_email["to"] == f"{an.email[0]}***@example.vn"
    assert {i["to"] for i in items if i["channel"] == "sms"} == {"+84******678"}
    assert an.email not in str(items) and "912345678" not in str(items)

    # and another citizen sees none of it
    assert notifications(world, world.citizen("Trần Thị Bình"))["items"] == []


def test_a_message_delivered_again_is_kept_once_and_not_sent_again(world: World) -> None:
    an = world.citizen()
    world.file(an, SI)
    world.deliver()

    # When the stream's record comes again later (SQS delivers twice, or a redrive from the DLQ)
    world.clock.advance(timedelta(minutes=7))
    world._delivered = 0  # noqa: SLF001 — the same entries once more
    world.deliver()

    # Then one email went out, and one is listed
    assert len(world.mail.sent) == 1
    assert len(notifications(world, an)["items"]) == 1


def test_a_message_whose_keeping_failed_is_kept_on_the_retry_without_a_second_send(world: World) -> None:
    an = world.citizen()
    world.file(an, SI)
    real = world.sent.record
    calls = 0

    def failing_once(*args: Any, **kwargs: Any) -> bool:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("the table is unavailable")
        return real(*args, **kwargs)

    world.sent.record = failing_once  # type: ignore[method-assign]
    with pytest.raises(RuntimeError, match="not sent now"):  # DeliveryFailed: the record comes back
        world.deliver()
    world.clock.advance(timedelta(minutes=1))
    world._delivered = 0  # noqa: SLF001 — the queue hands the record over again
    world.deliver()

    assert len(world.mail.sent) == 1
    assert len(notifications(world, an)["items"]) == 1


def test_messages_are_kept_as_long_as_the_dossier(world: World) -> None:
    an = world.citizen()
    dossier = world.file(an, SI)
    world.deliver()

    ((_, expires_at),) = world.sent.kept.values()
    assert expires_at == dossier.filed_at + timedelta(days=world.province.retention.dossiers_days)


def test_the_list_is_paged_and_a_page_token_reads_no_other_citizens_messages(world: World) -> None:
    an, bình = world.citizen(), world.citizen("Trần Thị Bình")
    for _ in range(3):
        world.file(an, SI)
        world.clock.advance(timedelta(minutes=5))
    world.file(bình, SI)
    world.deliver()

    first = notifications(world, an, limit=2)
    assert len(first["items"]) == 2 and first["next_token"]
    second = notifications(world, an, limit=2, next_token=first["next_token"])
    assert len(second["items"]) == 1 and second["next_token"] is None
    codes = [i["dossier_code"] for i in first["items"] + second["items"]]
    assert len(set(codes)) == 3

    # Another citizen handing in the first citizen's token gets a 400, not their messages
    with world.api() as api:
        answer = api.call("GET", f"/v1/me/notifications?limit=2&next_token={first['next_token']}", bình)
    assert answer.status == 400 and answer.error_code == "invalid_next_token"


def test_staff_have_no_notifications_page(world: World) -> None:
    with world.api() as api:
        answer = api.call("GET", "/v1/me/notifications", world.staff(SOCIAL_INSURANCE, Role.RECEIVER))
    assert answer.status == 403


@pytest.mark.parametrize(
    ("channel", "address", "masked"),
    [
        ("email", "nguyen.van.an@example.vn", "n***@example.vn"),
        ("email", "a@b.vn", "a***@b.vn"),
        ("sms", "+84912345678", "+84******678"),
        ("sms", "0912", "****"),
    ],
)
def test_addresses_are_masked(channel: str, address: str, masked: str) -> None:
    assert mask_address(channel, address) == masked


def test_a_summary_is_one_short_line() -> None:
    assert summary_of("Đã nhận hồ sơ\n  X", "body") == "Đã nhận hồ sơ X"
    assert summary_of(None, "Ho so X da nop") == "Ho so X da nop"
    assert len(summary_of("x" * 500, "")) == 300
