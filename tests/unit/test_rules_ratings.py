"""Satisfaction ratings (docs/ratings.md): once per dossier after its result, by the portal or the signed
link of the final message; the agency's staff see tallies and comments, never who rated."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from motcua.domain.errors import InvalidInput
from motcua.domain.ratings import (
    COMMENT_LIMIT,
    LinkExpired,
    LinkInvalid,
    RatingForm,
    clean_comment,
    make_token,
    months_between,
    read_token,
)
from motcua.domain.roles import Role
from motcua.domain.status import Status
from tests.fakes.ratings import HmacKey
from tests.fakes.world import World
from tests.unit.test_rules_dossiers import SOCIAL_INSURANCE, at_status

GOOD = {"overall": 5, "convenience": 4, "on_time": 5, "attitude": 4, "contacts": 1}
POOR = {"overall": 2, "convenience": 1, "on_time": 3, "attitude": 2, "contacts": 3}
CODE = "000.00.22.H99-261201-0001"


# --- the domain ---------------------------------------------------------------------------------


def test_a_comment_is_cleaned_of_control_and_direction_characters() -> None:
    raw = "  Cán bộ\u202e nhiệt\x00 tình\t\tvà   chu đáo.\r\n\r\n\r\n\r\nCảm ơn\x07!  "
    assert clean_comment(raw) == "Cán bộ nhiệt tình và chu đáo.\n\nCảm ơn!"
    assert clean_comment(" \x00\u200b ") is None


def test_a_comment_longer_than_the_limit_is_refused_after_cleaning() -> None:
    assert RatingForm(**GOOD, comment="a" * COMMENT_LIMIT + "\x00" * 50).comment == "a" * COMMENT_LIMIT
    with pytest.raises(ValueError, match="at most"):
        RatingForm(**GOOD, comment="a" * (COMMENT_LIMIT + 1))


@pytest.mark.parametrize("value", [0, 6])
def test_a_score_outside_one_to_five_is_refused(value: int) -> None:
    with pytest.raises(ValueError, match="overall"):
        RatingForm(**(GOOD | {"overall": value}))


def test_months_between_counts_across_a_year_and_refuses_a_reversed_or_too_wide_range() -> None:
    assert months_between("2025-11", "2026-02") == ["2025-11", "2025-12", "2026-01", "2026-02"]
    with pytest.raises(InvalidInput):
        months_between("2026-03", "2026-02")
    with pytest.raises(InvalidInput):
        months_between("2024-01", "2026-01")  # 25 months
    with pytest.raises(InvalidInput):
        months_between("2026-13", "2026-12")


def test_a_token_names_its_dossier_until_it_expires(world: World) -> None:
    key, now = HmacKey(), world.clock.now()
    token = make_token(key, CODE, now=now, days=30)
    assert read_token(key, token, now=now + timedelta(days=29)) == CODE
    with pytest.raises(LinkExpired):
        read_token(key, token, now=now + timedelta(days=30))


def test_a_forged_token_is_refused(world: World) -> None:
    key, now = HmacKey(), world.clock.now()
    token = make_token(key, CODE, now=now)
    other = CODE.replace("0001", "0002")
    payload, _, mac = token.rpartition(".")
    forged = [
        f"{payload.replace(CODE, other)}.{mac}",  # another dossier, the same MAC
        make_token(HmacKey(b"another key"), CODE, now=now),  # another key
        f"{payload.rpartition('.')[0]}.{'f' * 10}.{mac}",  # a later expiry
        token[:-1] + ("A" if token[-1] != "A" else "B"),  # one character changed
        "not-a-token",
        "",
    ]
    for bad in forged:
        with pytest.raises(LinkInvalid):
            read_token(key, bad, now=now)


def test_the_link_fits_an_sms_and_names_no_person(world: World) -> None:
    token = make_token(HmacKey(), CODE, now=world.clock.now())
    assert len(token) < 70
    assert token.startswith(f"{CODE}.")


# --- the rules, through the API -------------------------------------------------------------------


def test_the_owner_rates_once_after_the_result_and_a_second_rating_is_a_409(world: World) -> None:
    code = at_status(world, Status.RETURNED)
    owner = world.owner(code)
    with world.api() as api:
        before = api.call("GET", f"/v1/dossiers/{code}/rating", owner)
        first = api.call("POST", f"/v1/dossiers/{code}/rating", owner, GOOD | {"comment": "Rất tốt"})
        again = api.call("POST", f"/v1/dossiers/{code}/rating", owner, POOR)
        again_en = api.call("POST", f"/v1/dossiers/{code}/rating", owner, POOR, Accept_Language="en")
        after = api.call("GET", f"/v1/dossiers/{code}/rating", owner)
    assert before.status == 200 and before.body["ratable"] is True and before.body["rating"] is None
    assert first.status == 201 and first.body["rating"]["scores"] == GOOD
    assert again.status == 409 and again.error_code == "already_rated"
    assert "một lần" in again.body["error"]["message"]
    assert "once only" in again_en.body["error"]["message"]
    assert after.body["ratable"] is False and after.body["rating"]["comment"] == "Rất tốt"
    assert world.ratings.kept[f"{SOCIAL_INSURANCE}#2026-11"].ratings == 1  # counted once


@pytest.mark.parametrize("status", [Status.SUBMITTED, Status.IN_PROCESS, Status.REFUSED, Status.PROCESSED])
def test_a_dossier_without_its_result_cannot_be_rated(world: World, status: Status) -> None:
    code = at_status(world, status)
    with world.api() as api:
        state = api.call("GET", f"/v1/dossiers/{code}/rating", world.owner(code))
        answer = api.call("POST", f"/v1/dossiers/{code}/rating", world.owner(code), GOOD)
    assert state.body["ratable"] is False
    assert answer.status == 409 and answer.error_code == "not_ratable"
    assert world.ratings.ratings == {}


def test_only_the_owner_rates_on_the_portal(world: World) -> None:
    code = at_status(world, Status.RETURNED)
    with world.api() as api:
        stranger = api.call("POST", f"/v1/dossiers/{code}/rating", world.citizen(), GOOD)
        officer = api.call("POST", f"/v1/dossiers/{code}/rating", world.staff(SOCIAL_INSURANCE), GOOD)
        nobody = api.call("POST", f"/v1/dossiers/{code}/rating", None, GOOD)
    assert stranger.status == 403 and officer.status == 403 and nobody.status == 401
    assert world.ratings.ratings == {}


def test_an_invalid_rating_is_a_422_with_its_field(world: World) -> None:
    code = at_status(world, Status.RETURNED)
    with world.api() as api:
        answer = api.call("POST", f"/v1/dossiers/{code}/rating", world.owner(code), GOOD | {"on_time": 9})
    assert answer.status == 422
    assert [f["field"] for f in answer.body["error"]["fields"]] == ["on_time"]


def returned_to_a_phone(world: World) -> str:
    """A social insurance declaration, filed by a citizen with a verified mobile, its result returned."""
    an = world.citizen(phone="+84912345678")
    desk, officer = world.staff(SOCIAL_INSURANCE, Role.RECEIVER), world.staff(SOCIAL_INSURANCE, Role.OFFICER)
    code = world.file(an, "1.000058").code
    for who, action in ((desk, "accept"), (officer, "approve"), (desk, "return_result")):
        world.decide(who, f"{code}-T1", action)
    assert world.record(code).dossier.status is Status.RETURNED
    return code


def test_the_final_email_and_sms_carry_a_link_that_rates_without_signing_in(world: World) -> None:
    code = returned_to_a_phone(world)
    sent = [m for m in world.deliver() if code in m.text and "/#/rate/" in m.text]
    assert {m.channel for m in sent} == {"email", "sms"}
    sms = next(m for m in sent if m.channel == "sms")
    assert len(sms.text) <= 160
    token = sms.text.rsplit("/#/rate/", 1)[1]
    # No earlier message carries one: only the result's return.
    assert sum("/#/rate/" in m.text for m in world.deliver()) == 2
    with world.api() as api:
        page = api.call("GET", f"/v1/rating-links/{token}")
        first = api.call("POST", f"/v1/rating-links/{token}", None, POOR)
        again = api.call("POST", f"/v1/rating-links/{token}", None, GOOD)
        portal = api.call("POST", f"/v1/dossiers/{code}/rating", world.owner(code), GOOD)
    assert page.status == 200 and page.body["code"] == code and page.body["ratable"] is True
    assert first.status == 201 and first.body["rating"]["scores"] == POOR
    assert again.status == 409 and portal.status == 409
    assert world.ratings.ratings[code].way == "link"


def test_an_expired_link_is_a_401_and_a_forged_one_a_403(world: World) -> None:
    code = at_status(world, Status.RETURNED)
    token = world.container.ratings.link(code).rsplit("/", 1)[1]
    forged = make_token(HmacKey(b"guessed"), code, now=world.clock.now())
    with world.api() as api:
        bad = api.call("POST", f"/v1/rating-links/{forged}", None, GOOD)
        world.clock.advance(timedelta(days=31))
        old = api.call("POST", f"/v1/rating-links/{token}", None, GOOD)
        old_page = api.call("GET", f"/v1/rating-links/{token}")
    assert bad.status == 403 and bad.error_code == "rating_link_invalid"
    assert old.status == 401 and old.error_code == "rating_link_expired"
    assert old_page.status == 401
    assert world.ratings.ratings == {}


def test_staff_see_their_agencys_tallies_and_comments_but_never_who_rated(world: World) -> None:
    codes = [at_status(world, Status.RETURNED) for _ in range(3)]
    owners = [world.record(code).dossier for code in codes]
    with world.api() as api:
        api.call(
            "POST", f"/v1/dossiers/{codes[0]}/rating", world.owner(codes[0]), GOOD | {"comment": "Nhanh"}
        )
        api.call("POST", f"/v1/dossiers/{codes[1]}/rating", world.owner(codes[1]), POOR | {"comment": "Chậm"})
        api.call("POST", f"/v1/dossiers/{codes[2]}/rating", world.owner(codes[2]), GOOD)
        views = {
            role: api.call(
                "GET", f"/v1/agencies/{SOCIAL_INSURANCE}/ratings", world.staff(SOCIAL_INSURANCE, role)
            )
            for role in (Role.OFFICER, Role.RECEIVER, Role.LEADER, Role.ADMIN)
        }
        other = api.call(
            "GET", f"/v1/agencies/{SOCIAL_INSURANCE}/ratings", world.staff("000.00.01.H99", Role.LEADER)
        )
        citizen = api.call("GET", f"/v1/agencies/{SOCIAL_INSURANCE}/ratings", world.owner(codes[0]))
    assert {role: v.status for role, v in views.items()} == dict.fromkeys(views, 200)
    body = views[Role.OFFICER].body
    assert body["ratings"] == 3
    overall = next(c for c in body["criteria"] if c["key"] == "overall")
    assert (overall["count"], overall["total"], overall["mean"]) == (3, 12, 4.0)
    contacts = next(c for c in body["criteria"] if c["key"] == "contacts")
    assert contacts["mean"] == round(5 / 3, 2)
    assert [c["comment"] for c in body["comments"]] == ["Chậm", "Nhanh"]
    assert next(m for m in body["months"] if m["month"] == "2026-11")["ratings"] == 3
    # Nothing in the answer names a dossier or a person.
    text = json.dumps(body, ensure_ascii=False)
    for code, dossier in zip(codes, owners, strict=True):
        assert code not in text
        assert dossier.owner not in text
        assert dossier.applicant.full_name not in text
        assert dossier.applicant.id_number not in text
    assert other.status == 403 and citizen.status == 403


def test_satisfaction_gives_counts_and_means_per_criterion_for_an_agency_or_the_province(
    world: World,
) -> None:
    first, second = at_status(world, Status.RETURNED), at_status(world, Status.RETURNED)
    ratings = world.container.ratings
    ratings.rate(world.owner(first), first, RatingForm(**GOOD))
    world.clock.advance(timedelta(days=31))  # the next month
    ratings.rate(world.owner(second), second, RatingForm(**POOR))
    reads = world.ratings.reads
    agency = ratings.satisfaction(SOCIAL_INSURANCE, "2026-10", "2026-12")
    assert world.ratings.reads - reads == 3  # one per month, whatever the ratings
    province = ratings.satisfaction(None, "2026-11", "2026-11")
    none = ratings.satisfaction("000.00.01.H99", "2026-11", "2026-12")
    by_key = {c.key: c for c in agency.criteria}
    assert agency.ratings == 2
    assert (by_key["overall"].count, by_key["overall"].mean) == (2, 3.5)
    assert (by_key["contacts"].count, by_key["contacts"].mean) == (2, 2.0)
    assert province.ratings == 1 and {c.key: c.mean for c in province.criteria}["on_time"] == 5.0
    assert none.ratings == 0 and all(c.mean is None for c in none.criteria)
