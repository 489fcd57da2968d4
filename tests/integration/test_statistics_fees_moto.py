"""The online-payment indicator on moto and the sandbox gateway, end to end: fees at filing paid online
(or not, or refused first), a fee collected at the counter, financial obligations paid or cancelled →
the table's stream → the statistics' filter (fee items now among its records) → the counters, exactly
once; the indicator equals a count by hand, and the recount equals the live counters (docs/statistics.md)."""

from __future__ import annotations

import json
import uuid
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

from motcua.adapters import clients
from motcua.adapters.statistics import DynamoCounterStore, sums_of_export
from motcua.domain.indicators import indicators
from motcua.domain.obligations import ObligationCancel
from motcua.domain.statistics import FEES_COUNTER, FEES_DUE, FEES_ONLINE, month_of
from motcua.services.inbox import Decision
from motcua.services.intake import IntakeRequest
from tests.conftest import REGION
from tests.examples import PNG, filing_body
from tests.integration.conftest import filing_request, upload
from tests.integration.test_obligations import ASKED
from tests.integration.test_payments import Fresh, aws_requests_atomic, clock, people, sandbox, world
from tests.integration.test_statistics_counters import counter_items, stream

if TYPE_CHECKING:
    from infra.devstack.sandbox_gateway import SandboxGateway
    from motcua.container import Container
    from motcua.domain.models import Principal
    from tests.fakes.clock import FrozenClock

__all__ = ["aws_requests_atomic", "clock", "people", "sandbox", "world"]  # the payments module's world

DRIVING, ROADS = "3.000347", "000.00.21.H99"  # 135,000 VND paid at filing, the desk waits for it
BIRTH, CIVIL = "1.001193", "000.01.01.H99"  # free at filing: a fee can only come as an obligation


def pay(gateway: SandboxGateway, pay_url: str) -> None:
    gateway.pay(dict(parse_qsl(urlsplit(pay_url).query, keep_blank_values=True)), "twice")  # the IPN twice


def test_fees_from_the_stream_equal_a_hand_count_and_the_recount(
    world: Any, sandbox: tuple[SandboxGateway, Container], people: Fresh, clock: FrozenClock
) -> None:
    gateway, container = sandbox
    outputs = world[2].outputs
    roads_desk = people.staff("roads.desk", ROADS, "receiver")
    civil_desk = people.staff("civil.desk", CIVIL, "receiver")

    def file(procedure: str) -> tuple[str, Principal]:
        citizen = people.citizen("an@example.vn")
        request = filing_request(container, citizen, procedure)
        return container.filing.file(citizen, request, uuid.uuid4().hex).dossier.code, citizen

    # Fees at filing: one paid online (its IPN twice), one not paid yet, one refused before paying
    paid, payer = file(DRIVING)
    pay(gateway, container.payments.start(payer, paid, client_ip="127.0.0.1", language="vi").pay_url)
    file(DRIVING)  # not paid (no order made)
    refused, _ = file(DRIVING)
    container.inbox.decide(roads_desk, f"{refused}-T1", Decision(action="refuse", reason="Thiếu giấy tờ"))

    # A walk-in at the counter: the desk collects the fee at the intake
    def send(content_type: str) -> str:
        if content_type == "application/pdf":
            return upload(container, roads_desk)
        return upload(container, roads_desk, PNG, content_type="image/png", filename="ảnh.png")

    body = filing_body(container.province, DRIVING, "Trần Văn Quầy", "quay@example.vn", send)
    body["applicant"] |= {"id_number": "001090012345", "phone": "0987 654 321"}
    walk_in = container.intake.receive(
        roads_desk, ROADS, IntakeRequest.model_validate(body | {"accept": True}), uuid.uuid4().hex
    ).dossier
    assert (
        walk_in.fee is not None and walk_in.fee.collection == "counter" and walk_in.fee.amount_vnd == 135000
    )
    # Financial obligations (status 6) on free procedures: one paid online, one cancelled
    obliged, citizen = file(BIRTH)
    container.inbox.decide(civil_desk, f"{obliged}-T1", Decision(action="accept"))
    container.obligations.request(civil_desk, f"{obliged}-T1", ASKED)
    pay(gateway, container.obligations.pay(citizen, obliged, client_ip="127.0.0.1", language="vi").pay_url)
    cancelled, _ = file(BIRTH)
    container.inbox.decide(civil_desk, f"{cancelled}-T1", Decision(action="accept"))
    container.obligations.request(civil_desk, f"{cancelled}-T1", ASKED)
    container.obligations.cancel(civil_desk, f"{cancelled}-T1", ObligationCancel(reason="Nhầm"))
    file(BIRTH)  # no fee at all
    month = month_of(clock.now())

    records = stream(outputs)
    assert any(r["dynamodb"]["Keys"]["SK"]["S"] == "FEE#filing" for r in records)
    client = clients.client("dynamodb", REGION)
    live = DynamoCounterStore(client, outputs.table_name, container.province.working_calendar)
    applied = [live.apply_record(r) for r in records]
    again = [live.apply_record(r) for r in records]  # every record delivered again: nothing moves twice
    assert any(applied) and not any(again)

    # By hand: asked to pay: the three fees at filing, the walk-in, the paid obligation (5); the
    # cancelled obligation and the free dossier are not. Paid online: the fee and the obligation (2).
    kept = counter_items(client, outputs.table_name)
    roads, civil = kept[(f"STATS#{ROADS}", month)], kept[(f"STATS#{CIVIL}", month)]
    assert (roads[FEES_DUE], roads[FEES_ONLINE], roads[FEES_COUNTER]) == (4, 1, 1)
    assert (civil[FEES_DUE], civil[FEES_ONLINE], civil.get(FEES_COUNTER, 0)) == (1, 1, 0)
    assert roads[f"p|{DRIVING}|{FEES_ONLINE}"] == 1 and civil[f"p|{BIRTH}|{FEES_DUE}"] == 1
    province = kept[("STATS#*", month)]
    assert (province[FEES_DUE], province[FEES_ONLINE]) == (5, 2)
    assert province[f"a|{ROADS}|{FEES_DUE}"] == 4

    # The indicator, from the counters as the API reads them: 2 of 5
    figures = live.figures(None, month, month, clock.now().date())
    assert (figures.fees_due, figures.fees_online) == (5, 2)
    assert live.figures([ROADS], month, month, clock.now().date()).fees_due == 4
    rate = next(i for i in indicators(figures, {}) if i.definition.key == "online_payment_rate")
    assert (rate.numerator, rate.denominator, rate.value) == (2, 5, 0.4)

    # The recount from the items themselves (fee items among them) writes exactly the live counters
    rebuilt = DynamoCounterStore(client, outputs.table_name, container.province.working_calendar)
    rebuilt.recount(rebuilt.scan_counted())
    assert counter_items(client, outputs.table_name) == kept
    # … and so does the export's map step over the same items
    lines = [json.dumps({"Item": item}) for item in rebuilt.scan_counted()]
    cells = sums_of_export(lines, container.province.working_calendar)
    assert sum(n for (m, _, _, name), n in cells.items() if (m, name) == (month, FEES_ONLINE)) == 2
