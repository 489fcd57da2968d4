"""The gateway's list of a day's transactions: VNPAY's reconciliation file (file đối soát) of day T, as CSV.

VNPAY sends merchants the file of day T (00:00:00–23:59:59 Vietnam time) by email or SFTP; its columns
are given in the merchant's contract, not published. The province's file lands where the configuration
says (an S3 object, or an HTTP(S) URL; the sandbox gateway serves one), with the columns below, named
after the IPN's and querydr's own fields (docs/payments.md, "Reconciliation").
"""

from __future__ import annotations

import csv
import io
import urllib.error
import urllib.request
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from motcua.adapters.vnpay import parse_vnp_time
from motcua.domain.reconciliation import (
    GatewayTransaction,
    ReconciliationFileMissing,
    TransactionType,
)

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import date

COLUMNS = (
    "vnp_TmnCode",
    "vnp_TxnRef",
    "vnp_TransactionNo",
    "vnp_Amount",  # VND × 100, as in the IPN
    "vnp_PayDate",  # yyyyMMddHHmmss, Vietnam time
    "vnp_TransactionType",  # 01 payment, 02 full refund, 03 partial refund (querydr's codes)
    "vnp_TransactionStatus",  # 00 success
    "vnp_BankCode",
)
_TYPES = {"01": TransactionType.PAYMENT, "02": TransactionType.REFUND, "03": TransactionType.REFUND}


class ReconciliationFileInvalid(ValueError):
    """The file does not read as the agreed columns: nothing in it is believed."""


def parse_reconciliation_file(content: bytes, *, tmn_code: str | None = None) -> list[GatewayTransaction]:
    """The file's lines as transactions; a line of another terminal (when `tmn_code` is given) is left
    out. Any line that does not read whole makes the whole file invalid (a line number says where)."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ReconciliationFileInvalid("not UTF-8") from error
    reader = csv.DictReader(io.StringIO(text, newline=""))
    if reader.fieldnames is None or tuple(name.strip() for name in reader.fieldnames) != COLUMNS:
        raise ReconciliationFileInvalid(f"columns {reader.fieldnames!r}, expected {COLUMNS!r}")
    found: list[GatewayTransaction] = []
    for number, row in enumerate(reader, start=2):
        if None in row:
            raise ReconciliationFileInvalid(f"line {number}: more values than columns")
        values = {name.strip(): (value or "").strip() for name, value in row.items() if name is not None}
        if not any(values.values()):
            continue  # a line of empty values
        if tmn_code is not None and values["vnp_TmnCode"] != tmn_code:
            continue
        found.append(_line(values, number))
    return found


def _line(values: dict[str, str], number: int) -> GatewayTransaction:
    amount = values["vnp_Amount"]
    kind = _TYPES.get(values["vnp_TransactionType"])
    paid_at = parse_vnp_time(values["vnp_PayDate"])
    if not amount.isdigit() or int(amount) % 100:
        raise ReconciliationFileInvalid(f"line {number}: amount {amount!r}")
    if kind is None:
        raise ReconciliationFileInvalid(f"line {number}: type {values['vnp_TransactionType']!r}")
    if paid_at is None:
        raise ReconciliationFileInvalid(f"line {number}: date {values['vnp_PayDate']!r}")
    if not values["vnp_TxnRef"] or not values["vnp_TransactionStatus"]:
        raise ReconciliationFileInvalid(f"line {number}: no reference or status")
    return GatewayTransaction(
        ref=values["vnp_TxnRef"],
        transaction_no=values["vnp_TransactionNo"],
        amount_vnd=int(amount) // 100,
        paid_at=paid_at,
        type=kind,
        status=values["vnp_TransactionStatus"],
    )


def reconciliation_file(lines: list[dict[str, str]]) -> bytes:
    """A file of these lines (each the columns' values), as the gateway would write it."""
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\r\n", extrasaction="ignore")
    writer.writeheader()
    writer.writerows(lines)
    return out.getvalue().encode()


def file_location(pattern: str, day: date) -> str:
    """Where the file of `day` is: `{date}` is 2026-12-06, `{yyyymmdd}` 20261206."""
    return pattern.format(date=day.isoformat(), yyyymmdd=f"{day:%Y%m%d}")


class FileTransactionList:
    """The TransactionList port: the day's file read from where `pattern` says (s3:// or http(s)://)."""

    def __init__(
        self, pattern: str, *, s3: Callable[[], Any] | None = None, tmn_code: str | None = None
    ) -> None:
        self.pattern = pattern
        self.s3 = s3
        self.tmn_code = tmn_code

    def day(self, day: date) -> list[GatewayTransaction]:
        location = file_location(self.pattern, day)
        content = self._s3(location, day) if location.startswith("s3://") else self._http(location, day)
        return parse_reconciliation_file(content, tmn_code=self.tmn_code)

    def _s3(self, location: str, day: date) -> bytes:
        if self.s3 is None:
            raise ValueError("an s3:// reconciliation file needs an S3 client")
        parts = urlsplit(location)
        client = self.s3()
        try:
            answer = client.get_object(Bucket=parts.netloc, Key=parts.path.lstrip("/"))
        except client.exceptions.NoSuchKey:
            raise ReconciliationFileMissing(day) from None
        body: bytes = answer["Body"].read()
        return body

    @staticmethod
    def _http(location: str, day: date) -> bytes:
        if not location.startswith(("http://", "https://")):
            raise ValueError("the reconciliation file is at an s3:// or http(s):// location")
        try:
            with urllib.request.urlopen(location, timeout=30) as answer:  # noqa: S310 — checked above
                body: bytes = answer.read()
        except urllib.error.HTTPError as error:
            if error.code == 404:
                raise ReconciliationFileMissing(day) from None
            raise
        return body
