"""The gateway's reconciliation file read line by line, and the day's differences worked out by hand."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from motcua.adapters.vnpay_reconciliation import (
    COLUMNS,
    ReconciliationFileInvalid,
    file_location,
    parse_reconciliation_file,
    reconciliation_file,
)
from motcua.domain.payments import Order, OrderState
from motcua.domain.reconciliation import (
    VIETNAM,
    DifferenceKind,
    GatewayTransaction,
    TransactionType,
    compare,
)

HEADER = ",".join(COLUMNS)
DAY = date(2026, 12, 5)


def test_a_file_reads_as_the_gateways_transactions() -> None:
    content = (
        "\ufeff" + HEADER + "\r\n"
        "MOTCUA01,261205ABCDEFGH2345,14000001,13500000,20261205235959,01,00,NCB\r\n"
        "MOTCUA01,261205ABCDEFGH2346,14000002,10000000,20261205080000,02,00,NCB\r\n"
        "OTHER001,261205ABCDEFGH2347,14000003,500000,20261205080000,01,00,NCB\r\n"
        "MOTCUA01,261205ABCDEFGH2348,0,500000,20261205090000,01,02,VCB\r\n"
    ).encode()

    lines = parse_reconciliation_file(content, tmn_code="MOTCUA01")

    assert [line.ref for line in lines] == ["261205ABCDEFGH2345", "261205ABCDEFGH2346", "261205ABCDEFGH2348"]
    first = lines[0]
    assert first.amount_vnd == 135_000  # the file gives VND × 100, as the IPN does
    assert first.transaction_no == "14000001"
    # 23:59:59 in Vietnam is 16:59:59 UTC: still day T
    assert first.paid_at == datetime(2026, 12, 5, 16, 59, 59, tzinfo=UTC)
    assert first.type is TransactionType.PAYMENT and first.success
    assert lines[1].type is TransactionType.REFUND
    assert not lines[2].success


@pytest.mark.parametrize(
    ("line", "why"),
    [
        ("MOTCUA01,R1,1,13500050,20261205080000,01,00,NCB", "amount"),  # not whole đồng
        ("MOTCUA01,R1,1,abc,20261205080000,01,00,NCB", "amount"),
        ("MOTCUA01,R1,1,13500000,2026-12-05,01,00,NCB", "date"),
        ("MOTCUA01,R1,1,13500000,20261205080000,09,00,NCB", "type"),
        ("MOTCUA01,,1,13500000,20261205080000,01,00,NCB", "reference"),
        ("MOTCUA01,R1,1,13500000,20261205080000,01,00,NCB,extra", "more values"),
    ],
)
def test_a_line_that_does_not_read_makes_the_file_invalid(line: str, why: str) -> None:
    with pytest.raises(ReconciliationFileInvalid, match=why):
        parse_reconciliation_file(f"{HEADER}\n{line}\n".encode())


def test_other_columns_are_refused() -> None:
    with pytest.raises(ReconciliationFileInvalid, match="columns"):
        parse_reconciliation_file(b"ref,amount\nR1,100\n")


def test_a_written_file_reads_back() -> None:
    line = dict(
        zip(COLUMNS, ["MOTCUA01", "R1", "7", "100000", "20261205101010", "01", "00", "NCB"], strict=True)
    )
    assert [t.ref for t in parse_reconciliation_file(reconciliation_file([line]))] == ["R1"]


def test_the_days_file_is_named_by_the_pattern() -> None:
    assert file_location("s3://bucket/vnpay/{date}.csv", DAY) == "s3://bucket/vnpay/2026-12-05.csv"
    assert file_location("http://h:1/r/{yyyymmdd}.csv", DAY) == "http://h:1/r/20261205.csv"


def _order(
    ref: str,
    *,
    amount: int = 135_000,
    state: OrderState = OrderState.PAID,
    at: datetime | None = None,
    agency: str = "A1",
) -> Order:
    at = at or datetime(2026, 12, 5, 10, 0, tzinfo=VIETNAM)
    return Order(
        ref=ref,
        dossier=f"D-{ref}",
        owner="o",
        agency=agency,
        amount_vnd=amount,
        gateway="vnpay",
        created_at=at - timedelta(minutes=5),
        pay_by=at + timedelta(minutes=10),
        state=state,
        transaction_no="1" if state is not OrderState.PENDING else None,
        confirmed_at=at if state is not OrderState.PENDING else None,
    )


def _line(
    ref: str, amount: int = 135_000, *, kind: TransactionType = TransactionType.PAYMENT
) -> GatewayTransaction:
    return GatewayTransaction(
        ref=ref,
        transaction_no="9",
        amount_vnd=amount,
        paid_at=datetime(2026, 12, 5, 3, tzinfo=UTC),
        type=kind,
    )


def test_each_kind_of_difference_is_found_and_counted() -> None:
    here = [
        _order("OKOKOKOK"),
        _order("LOSTIPN1", state=OrderState.PENDING),  # the gateway took it, the IPN never came
        _order("AMOUNT01", amount=100_000, agency="B2"),
        _order("NOTTHERE", amount=50_000),
        _order("YESTERDAY", at=datetime(2026, 12, 4, 23, 0, tzinfo=VIETNAM)),  # another day: not counted
    ]
    there = [
        _line("OKOKOKOK"),
        _line("LOSTIPN1"),
        _line("AMOUNT01", 120_000),
        _line("STRANGER", 10_000),  # no order of ours at all
        _line("OKOKOKOK", 135_000, kind=TransactionType.REFUND),
    ]

    report = compare(DAY, there, here, gateway="vnpay", ran_at=datetime(2026, 12, 6, tzinfo=UTC))

    kinds = {(d.ref, d.kind) for d in report.differences}
    assert kinds == {
        ("LOSTIPN1", DifferenceKind.PAID_THERE_NOT_HERE),
        ("STRANGER", DifferenceKind.PAID_THERE_NOT_HERE),
        ("AMOUNT01", DifferenceKind.AMOUNT_DIFFERS),
        ("NOTTHERE", DifferenceKind.HERE_NOT_THERE),
    }
    assert report.counts() == {
        DifferenceKind.PAID_THERE_NOT_HERE: 2,
        DifferenceKind.AMOUNT_DIFFERS: 1,
        DifferenceKind.HERE_NOT_THERE: 1,
    }
    assert (report.totals.here_count, report.totals.here_vnd) == (3, 285_000)
    assert (report.totals.there_count, report.totals.there_vnd) == (4, 400_000)
    assert (report.totals.refunds_count, report.totals.refunds_vnd) == (1, 135_000)
    # An agency's leaders see their part only.
    part = report.part(["B2"])
    assert [d.ref for d in part.differences] == ["AMOUNT01"]
    assert (part.totals.here_vnd, part.totals.there_vnd) == (100_000, 120_000)


def test_a_payment_the_gateway_listed_the_day_before_is_no_difference() -> None:
    # Paid at 23:59:59 on the 4th (the gateway's day), the IPN came at 00:00:02 on the 5th.
    late = _order("MIDNIGHT", at=datetime(2026, 12, 5, 0, 0, 2, tzinfo=VIETNAM))
    report = compare(
        DAY,
        [],
        [late],
        gateway="vnpay",
        ran_at=datetime(2026, 12, 6, tzinfo=UTC),
        listed_before=frozenset({"MIDNIGHT"}),
    )
    assert report.differences == []
    assert report.totals.here_count == 1
