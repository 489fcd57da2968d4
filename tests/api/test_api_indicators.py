"""The Decision 766/QĐ-TTg indicators over HTTP (docs/indicators.md): a leader reads their agency's,
an administrator any agency's or the province's, each with the decision's criterion beside it."""

from __future__ import annotations

from typing import Any

import pytest

from motcua.domain.roles import Role
from tests.conftest import DEMO_PROVINCE
from tests.fakes.clock import FrozenClock
from tests.fakes.world import World

pytestmark = pytest.mark.offline

SINGLE, SOCIAL_INSURANCE = "1.000058", "000.00.22.H99"  # decided by social insurance alone, 5 days
FINANCE, MERGED = "000.00.01.H99", "000.00.07.H99"  # the department merged into Finance in 2025
PATH = "/v1/statistics/indicators"


def items(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {item["key"]: item for item in body["items"]}


def test_a_leader_reads_the_indicators_of_their_agency_computed_from_its_dossiers() -> None:
    # Given three declarations filed online on Tuesday 17/11/2026 at social insurance: one resolved and
    # returned the same day (early), one refused, one still open
    world = World(DEMO_PROVINCE, clock=FrozenClock())
    leader = world.staff(SOCIAL_INSURANCE, Role.LEADER)
    citizen = world.citizen()
    resolved, refused, _open = (world.file(citizen, SINGLE).code for _ in range(3))
    for action in ("accept", "approve", "return_result"):
        world.decide(leader, f"{resolved}-T1", action)
    world.decide(leader, f"{refused}-T1", "refuse", "Hồ sơ không thuộc thẩm quyền.")

    # When the agency's leader asks for November
    with world.api() as api:
        answer = api.call("GET", f"{PATH}?from=2026-11&to=2026-11", leader)

    # Then each measured indicator is its fraction of the agency's dossiers
    assert answer.status == 200, answer.body
    body = answer.body
    assert (body["from"], body["to"], body["agency"]["code"]) == ("2026-11", "2026-11", SOCIAL_INSURANCE)
    got = items(body)
    assert (got["on_time_rate"]["numerator"], got["on_time_rate"]["denominator"]) == (1, 1)
    assert got["on_time_rate"]["value"] == 1.0
    assert (got["online_filing_rate"]["numerator"], got["online_filing_rate"]["denominator"]) == (3, 3)
    assert (got["papers_digitised"]["numerator"], got["papers_digitised"]["denominator"]) == (3, 3)
    assert (got["electronic_results"]["numerator"], got["electronic_results"]["value"]) == (0, 0.0)
    # … no fee was asked (the declaration is free): no online-payment rate, though it is held
    payment = got["online_payment_rate"]
    assert (payment["held"], payment["denominator"], payment["value"]) == (True, 0, None)
    # … and those motcua cannot measure say so, with the decision's criterion beside each
    assert got["dossiers_synced"]["held"] is False and "motcua" in got["dossiers_synced"]["missing"]
    assert all(item["clause"].startswith("Quyết định 766/QĐ-TTg") for item in body["items"])
    assert [g["key"] for g in body["groups"]] == [
        "transparency",
        "progress",
        "digitisation",
        "online",
        "satisfaction",
    ]

    # In English when asked, the same numbers; the province for an administrator, no agency named
    admin = world.staff(FINANCE, Role.ADMIN)
    with world.api() as api:
        english = api.call("GET", f"{PATH}?from=2026-11&to=2026-11", leader, Accept_Language="en")
        province = api.call("GET", f"{PATH}?from=2026-11&to=2026-11", admin)
    assert items(english.body)["on_time_rate"]["name"] == "Dossiers resolved early or on time"
    assert items(english.body)["on_time_rate"]["value"] == 1.0
    assert province.status == 200 and province.body["agency"] is None
    assert items(province.body)["online_filing_rate"]["denominator"] == 3


def test_satisfaction_is_read_from_the_agencys_ratings() -> None:
    # Given three declarations returned at social insurance in November, two rated by their owners on
    # the service as a whole: 5 and 2 (the third not rated)
    world = World(DEMO_PROVINCE, clock=FrozenClock())
    leader = world.staff(SOCIAL_INSURANCE, Role.LEADER)
    codes = [world.file(world.citizen(), SINGLE).code for _ in range(3)]
    for code in codes:
        for action in ("accept", "approve", "return_result"):
            world.decide(leader, f"{code}-T1", action)
    rest = {"convenience": 3, "on_time": 3, "attitude": 3, "contacts": 1}
    with world.api() as api:
        for code, overall in zip(codes, (5, 2), strict=False):
            rated = api.call(
                "POST", f"/v1/dossiers/{code}/rating", world.owner(code), rest | {"overall": overall}
            )
            assert rated.status == 201, rated.body

        # When the leader, and an administrator for the province, ask for November
        mine = api.call("GET", f"{PATH}?from=2026-11&to=2026-11", leader, Accept_Language="en")
        province = api.call("GET", f"{PATH}?from=2026-11&to=2026-11", world.staff(FINANCE, Role.ADMIN))
        finance = api.call(
            "GET", f"{PATH}?from=2026-11&to=2026-11&agency={FINANCE}", world.staff(FINANCE, Role.ADMIN)
        )

    # Then satisfaction is the points given of the most possible: (5 + 2) / (2 × 5)
    satisfaction = items(mine.body)["dossier_satisfaction"]
    assert satisfaction["held"] is True and satisfaction["missing"] is None
    assert (satisfaction["numerator"], satisfaction["denominator"], satisfaction["value"]) == (7, 10, 0.7)
    assert "mean score out of 5" in satisfaction["formula"]
    assert items(province.body)["dossier_satisfaction"]["value"] == 0.7
    # … and another agency, rated by nobody, has no value rather than zero
    other = items(finance.body)["dossier_satisfaction"]
    assert (other["numerator"], other["denominator"], other["value"]) == (0, 0, None)


def test_a_leader_is_refused_another_agency_but_reads_one_merged_into_theirs() -> None:
    world = World(DEMO_PROVINCE, clock=FrozenClock())
    leader = world.staff(FINANCE, Role.LEADER)
    officer = world.staff(FINANCE, Role.OFFICER)
    with world.api() as api:
        other = api.call("GET", f"{PATH}?agency={SOCIAL_INSURANCE}", leader)
        merged = api.call("GET", f"{PATH}?agency={MERGED}", leader)
        default = api.call("GET", PATH, leader)
        by_officer = api.call("GET", PATH, officer)
        unknown = api.call("GET", f"{PATH}?agency=999.99.99.H99", world.staff(FINANCE, Role.ADMIN))

    assert other.status == 403 and other.body["error"]["code"] == "forbidden"
    assert merged.status == 200 and merged.body["agency"]["code"] == MERGED
    # no period given: January of this year to this month (the clock's November 2026)
    assert (default.body["from"], default.body["to"], default.body["agency"]["code"]) == (
        "2026-01",
        "2026-11",
        FINANCE,
    )
    assert by_officer.status == 403 and by_officer.body["error"]["code"] == "role_required"
    assert unknown.status == 404


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("from=2026-13&to=2026-11", "from"),  # not a month
        ("from=2026-11&to=2026-12", "to"),  # after this month
        ("from=2026-11&to=2026-10", "from"),  # upside down
        ("from=2023-01&to=2026-11", "from"),  # longer than 36 months
    ],
)
def test_a_period_that_is_not_one_is_a_422_naming_the_field(query: str, field: str) -> None:
    world = World(DEMO_PROVINCE, clock=FrozenClock())
    with world.api() as api:
        answer = api.call("GET", f"{PATH}?{query}", world.staff(FINANCE, Role.LEADER))

    assert answer.status == 422, answer.body
    assert [f["field"] for f in answer.body["error"]["fields"]] == [field]
    assert answer.body["error"]["message"]


def test_the_online_payment_rate_counts_the_fees_paid_online_over_those_asked() -> None:
    # Given at the police (driving licences, 135,000 VND paid at filing) in November: three renewals
    # filed online, one paid through the gateway (its signed IPN), and one walk-in who paid at the counter
    from urllib.parse import parse_qsl, urlsplit

    from motcua.adapters.vnpay import signed_query
    from tests.examples import PDF, PNG, filing_body
    from tests.fakes.payments import TEST_CREDENTIALS

    world = World(DEMO_PROVINCE, clock=FrozenClock())
    police = "000.00.21.H99"
    leader = world.staff(police, Role.LEADER)
    codes = [world.file(world.citizen(), "3.000347").code for _ in range(3)]
    started = world.container.payments.start(
        world.owner(codes[0]), codes[0], client_ip="127.0.0.1", language="vi"
    )
    params = dict(parse_qsl(urlsplit(started.pay_url).query))
    notice = {name: params[name] for name in ("vnp_Amount", "vnp_TmnCode", "vnp_TxnRef")}
    notice |= {"vnp_ResponseCode": "00", "vnp_TransactionStatus": "00", "vnp_TransactionNo": "14000001"}
    assert (
        world.container.payments.notify(
            dict(parse_qsl(signed_query(notice, TEST_CREDENTIALS.hash_secret)))
        ).value
        == "00"
    )
    desk = world.staff(police, Role.RECEIVER)

    def send(content_type: str) -> str:
        return world.upload(desk, PDF if content_type == "application/pdf" else PNG, content_type)

    body = filing_body(world.province, "3.000347", "Trần Văn Quầy", None, send)
    body["applicant"] |= {"id_number": "001090012345", "phone": "0912345678"}
    with world.api() as api:
        walk_in = api.call("POST", f"/v1/agencies/{police}/intake", desk, body, Idempotency_Key="walk-in-1")
    assert walk_in.status == 201, walk_in.body

    # When the police's leader asks for November
    with world.api() as api:
        answer = api.call("GET", f"{PATH}?from=2026-11&to=2026-11", leader)
        english = api.call("GET", f"{PATH}?from=2026-11&to=2026-11", leader, Accept_Language="en")
        report = api.call("GET", "/v1/statistics?from=2026-11&to=2026-11", leader)

    # Then one of the four asked to pay paid online: 25 %, beside the report's own two counts
    assert answer.status == 200, answer.body
    payment = items(answer.body)["online_payment_rate"]
    assert (payment["held"], payment["numerator"], payment["denominator"], payment["value"]) == (
        True,
        1,
        4,
        0.25,
    )
    assert payment["missing"] is None and "thanh toán trực tuyến" in payment["clause"]
    assert items(english.body)["online_payment_rate"]["name"] == "Fees paid online"
    assert (report.body["total"]["fees_due"], report.body["total"]["fees_online"]) == (4, 1)
