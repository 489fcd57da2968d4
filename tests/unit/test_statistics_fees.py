"""The online-payment indicator's cells (docs/statistics.md, "Fees"): each dossier asked to pay counts
once, in the month it was filed, by its fee at filing if it had one, else by its financial obligation;
read from the dossier item's and the fee at filing's stream images."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from motcua.adapters.statistics import cells_of_image, fee_facts_from_image, moves_of_record
from motcua.domain.calendar import WorkingCalendar
from motcua.domain.statistics import FEES_COUNTER, FEES_DUE, FEES_ONLINE
from tests.unit.test_statistics_stream import dossier_image, record

CALENDAR = WorkingCalendar()
AGENCY, PROCEDURE, MONTH = "000.01.01.H99", "1.001193", "2026-11"  # dossier_image's, filed 02/11/2026
OBLIGATION = {"id": "obabc123", "amount_vnd": 350000, "items": [], "reason": "Thuế", "state": "due"}


def fee_image(*, paid: bool, fee: str = "filing", counted: bool = True) -> dict[str, Any]:
    data: dict[str, Any] = {"dossier": "000.01.01.H99-261102-0001", "fee": fee}
    if counted:
        # Filed on 30/11 at 23:30 in Vietnam (16:30 UTC): November there, whatever the UTC day.
        data["counted_as"] = {
            "agency": AGENCY,
            "procedure": PROCEDURE,
            "filed_at": "2026-11-30T16:30:00+00:00",
        }
    image: dict[str, Any] = {
        "PK": {"S": "D#000.01.01.H99-261102-0001"},
        "SK": {"S": f"FEE#{fee}"},
        "type": {"S": "fee"},
        "data": {"S": json.dumps(data)},
        "amount_vnd": {"N": "135000"},
    }
    if paid:
        image |= {"paid_by": {"S": "261130ABCDEFGHJKLM"}, "paid_at": {"S": "2026-12-01T01:00:00+00:00"}}
    return image


def fee_cells(image: dict[str, Any]) -> dict[str, int]:
    """The fee cells an image contributes, by name (every one in the month of filing, November)."""
    cells: Counter[str] = Counter()
    for (month, agency, procedure, name), n in cells_of_image(image, CALENDAR).items():
        if name.startswith("fees."):
            assert (month, agency, procedure) == (MONTH, AGENCY, PROCEDURE)
            cells[name] += n
    return dict(cells)


def test_a_fee_collected_at_the_counter_is_due_and_not_online() -> None:
    counter_fee = {"amount_vnd": 100000, "collection": "counter", "collected_at": "2026-11-02T02:00:00Z"}
    image = dossier_image(2, channel="counter", fee=counter_fee)

    assert fee_cells(image) == {FEES_DUE: 1, FEES_COUNTER: 1}
    # … and stays so when the dossier is resolved in December: the month of filing, not of the end
    later = dossier_image(9, channel="counter", fee=counter_fee, finished_at="2026-12-03T04:00:00Z")
    assert fee_cells(later) == {FEES_DUE: 1, FEES_COUNTER: 1}


def test_a_fee_at_filing_paid_online_is_counted_by_its_fee_item_in_the_month_of_filing() -> None:
    dossier = dossier_image(2, fee={"amount_vnd": 135000, "collection": "online"})

    assert fee_cells(dossier) == {FEES_DUE: 1}  # asked to pay
    assert fee_cells(fee_image(paid=False)) == {}  # an order made, not paid yet
    assert fee_cells(fee_image(paid=True)) == {FEES_ONLINE: 1}  # paid in December, counted in November
    # The IPN's change of the fee item moves one cell: fees.online + 1 under the agency and procedure
    assert moves_of_record(record("e1", fee_image(paid=True), fee_image(paid=False)), CALENDAR) == {
        (MONTH, AGENCY, PROCEDURE, FEES_ONLINE): 1
    }


def test_an_obligation_paid_online_counts_once_when_there_was_no_fee_at_filing() -> None:
    asked = dossier_image(6, obligation=OBLIGATION)
    paid = dossier_image(4, obligation=OBLIGATION | {"state": "paid"})

    assert fee_cells(asked) == {FEES_DUE: 1}
    assert fee_cells(paid) == {FEES_DUE: 1, FEES_ONLINE: 1}
    moved = moves_of_record(record("e2", paid, asked), CALENDAR)
    assert moved == {(MONTH, AGENCY, PROCEDURE, FEES_ONLINE): 1, ("now", AGENCY, PROCEDURE, "waiting"): -1}
    # With a fee at filing the dossier is counted by that fee: the obligation adds nothing more
    online_fee = {"amount_vnd": 135000, "collection": "online"}
    assert fee_cells(dossier_image(4, fee=online_fee, obligation=OBLIGATION | {"state": "paid"})) == {
        FEES_DUE: 1
    }
    counter_fee = {"amount_vnd": 100000, "collection": "counter"}
    both = dossier_image(4, channel="counter", fee=counter_fee, obligation=OBLIGATION | {"state": "paid"})
    assert fee_cells(both) == {FEES_DUE: 1, FEES_COUNTER: 1}


def test_a_cancelled_obligation_is_no_fee_and_an_unpaid_one_stays_due() -> None:
    assert fee_cells(dossier_image(4, obligation=OBLIGATION | {"state": "cancelled"})) == {}
    stopped = dossier_image(8, obligation=OBLIGATION, finished_at="2026-11-20T04:00:00Z")
    assert fee_cells(stopped) == {FEES_DUE: 1}


def test_a_dossier_refused_before_paying_stays_asked_and_not_paid() -> None:
    # Refused at the desk before its fee at filing was paid: it was filed (a new dossier of the month,
    # as in the online-filing rate) and asked to pay, and nothing was paid online
    refused = dossier_image(3, fee={"amount_vnd": 135000, "collection": "online"}, finished_at=FILED_LATER)

    assert fee_cells(refused) == {FEES_DUE: 1}
    assert fee_cells(fee_image(paid=False)) == {}


def test_no_fee_no_cells_and_only_the_filing_fees_item_counts() -> None:
    assert fee_cells(dossier_image(9, finished_at=FILED_LATER)) == {}
    assert fee_cells(fee_image(paid=True, fee="obabc123")) == {}  # counted from the dossier's obligation
    assert fee_facts_from_image(fee_image(paid=True, counted=False)) is None  # an item from before
    assert fee_facts_from_image(dossier_image(2)) is None and fee_facts_from_image(None) is None


FILED_LATER = "2026-11-05T04:00:00+00:00"


def test_a_dossier_records_its_fee_at_filing_by_channel() -> None:
    from datetime import UTC, datetime

    from motcua.domain.catalog import Fee
    from motcua.domain.counter import Channel
    from motcua.domain.fees import FeeCollection, filing_fee

    at = datetime(2026, 11, 2, 2, tzinfo=UTC)
    up_front, later, free = Fee(amount_vnd=135000, at_filing=True), Fee(amount_vnd=75000), Fee(amount_vnd=0)

    online = filing_fee(up_front, Channel.ONLINE, at)
    assert online is not None and (online.amount_vnd, online.collection) == (135000, FeeCollection.ONLINE)
    assert filing_fee(later, Channel.ONLINE, at) is None  # set during processing: an obligation
    counter = filing_fee(later, Channel.COUNTER, at)  # the counter collects every fee of the procedure
    assert counter is not None and (counter.collection, counter.collected_at) == (FeeCollection.COUNTER, at)
    assert filing_fee(free, Channel.COUNTER, at) is None and filing_fee(free, Channel.ONLINE, at) is None
    assert filing_fee(up_front, Channel.POST, at) is None  # by post: not recorded (docs/statistics.md)
