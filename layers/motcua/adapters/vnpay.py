"""VNPAY's payment protocol (version 2.1.0): the signed payment URL, the IPN and return, querydr.

The algorithm, as VNPAY's merchant documentation and its public demo code give it (docs/payments.md):
the `vnp_*` parameters but the hash itself, sorted by name, each value URL-encoded (form encoding:
a space is `+`), joined as `name=value&…`; `vnp_SecureHash` is the HMAC-SHA512 of that text with the
merchant's hash secret, in hex. The query (querydr) and refund calls are JSON, hashed over their
values joined by `|` in an order each call fixes.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import urllib.request
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any
from urllib.parse import quote_plus

from motcua.domain.payments import GatewayNotice, InvalidSignature

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from motcua.domain.payments import Order
    from motcua.domain.refunds import RefundResult

VERSION = "2.1.0"
# VNPAY's dates are Vietnam's local time, yyyyMMddHHmmss.
VIETNAM = timezone(timedelta(hours=7))
DATE_FORMAT = "%Y%m%d%H%M%S"
SIGNATURE_FIELDS = ("vnp_SecureHash", "vnp_SecureHashType")
# The querydr call's request and answer: the values hashed, in this order.
QUERY_REQUEST_HASHED = (
    "vnp_RequestId",
    "vnp_Version",
    "vnp_Command",
    "vnp_TmnCode",
    "vnp_TxnRef",
    "vnp_TransactionDate",
    "vnp_CreateDate",
    "vnp_IpAddr",
    "vnp_OrderInfo",
)
QUERY_ANSWER_HASHED = (
    "vnp_ResponseId",
    "vnp_Command",
    "vnp_ResponseCode",
    "vnp_Message",
    "vnp_TmnCode",
    "vnp_TxnRef",
    "vnp_Amount",
    "vnp_BankCode",
    "vnp_PayDate",
    "vnp_TransactionNo",
    "vnp_TransactionType",
    "vnp_TransactionStatus",
    "vnp_OrderInfo",
    "vnp_PromotionCode",
    "vnp_PromotionAmount",
)
# The refund call's request and answer.
REFUND_REQUEST_HASHED = (
    "vnp_RequestId",
    "vnp_Version",
    "vnp_Command",
    "vnp_TmnCode",
    "vnp_TransactionType",
    "vnp_TxnRef",
    "vnp_Amount",
    "vnp_TransactionNo",
    "vnp_TransactionDate",
    "vnp_CreateBy",
    "vnp_CreateDate",
    "vnp_IpAddr",
    "vnp_OrderInfo",
)
REFUND_ANSWER_HASHED = (
    "vnp_ResponseId",
    "vnp_Command",
    "vnp_ResponseCode",
    "vnp_Message",
    "vnp_TmnCode",
    "vnp_TxnRef",
    "vnp_Amount",
    "vnp_BankCode",
    "vnp_PayDate",
    "vnp_TransactionNo",
    "vnp_TransactionType",
    "vnp_TransactionStatus",
    "vnp_OrderInfo",
)


@dataclass(frozen=True)
class Credentials:
    """The merchant's terminal code and hash secret (from Secrets Manager; never printed)."""

    tmn_code: str
    hash_secret: str

    def __repr__(self) -> str:
        return f"Credentials(tmn_code={self.tmn_code!r}, hash_secret=<hidden>)"


def vnp_time(moment: datetime) -> str:
    return moment.astimezone(VIETNAM).strftime(DATE_FORMAT)


def parse_vnp_time(text: str) -> datetime | None:
    try:
        return datetime.strptime(text, DATE_FORMAT).replace(tzinfo=VIETNAM)
    except ValueError:
        return None


def hmac_sha512(secret: str, data: str) -> str:
    return hmac.new(secret.encode(), data.encode(), hashlib.sha512).hexdigest()


def hash_data(params: Mapping[str, str]) -> str:
    """The text a URL's `vnp_*` parameters are signed over: sorted, URL-encoded, empty values left out."""
    signed = sorted(
        (k, v) for k, v in params.items() if k.startswith("vnp_") and k not in SIGNATURE_FIELDS and v != ""
    )
    return "&".join(f"{quote_plus(k, safe='')}={quote_plus(v, safe='')}" for k, v in signed)


def sign(params: Mapping[str, str], secret: str) -> str:
    return hmac_sha512(secret, hash_data(params))


def signed_query(params: Mapping[str, str], secret: str) -> str:
    """A query string for the gateway: the sorted, encoded parameters and their `vnp_SecureHash`."""
    return f"{hash_data(params)}&vnp_SecureHash={sign(params, secret)}"


def verify(params: Mapping[str, str], secret: str) -> bool:
    given = params.get("vnp_SecureHash", "")
    return hmac.compare_digest(given.lower(), sign(params, secret))


def pipe_hash(values: Mapping[str, Any], order: tuple[str, ...], secret: str) -> str:
    """The querydr / refund hash: the named values joined by `|`, in the call's order."""
    return hmac_sha512(secret, "|".join(str(values.get(name, "")) for name in order))


def amount_of(text: str | None) -> int | None:
    """`vnp_Amount` (đồng × 100) as whole đồng; None when it is not a whole number of đồng."""
    if text is None or not text.isdigit():
        return None
    hundredths = int(text)
    return hundredths // 100 if hundredths % 100 == 0 else None


def notice_of(params: Mapping[str, str]) -> GatewayNotice:
    response = params.get("vnp_ResponseCode", "")
    status = params.get("vnp_TransactionStatus")
    return GatewayNotice(
        ref=params.get("vnp_TxnRef", ""),
        amount_vnd=amount_of(params.get("vnp_Amount")),
        success=response == "00" and status in (None, "00"),
        response_code=response,
        transaction_status=status,
        transaction_no=params.get("vnp_TransactionNo") or None,
        bank_code=params.get("vnp_BankCode") or None,
        paid_at=parse_vnp_time(params.get("vnp_PayDate", "")),
    )


class VnpayGateway:
    """The PaymentGateway port on VNPAY: its sandbox, its production, or the local stack's sandbox."""

    name = "vnpay"

    def __init__(
        self,
        *,
        pay_url: str,
        api_url: str,
        credentials: Callable[[], Credentials],
        post: Callable[[str, dict[str, Any]], dict[str, Any]] | None = None,
    ) -> None:
        self.pay_url = pay_url
        self.api_url = api_url
        self._credentials = credentials  # read on first use, then kept by the caller's cache
        self._post = post or post_json

    def payment_url(self, order: Order, *, return_url: str, client_ip: str, info: str, locale: str) -> str:
        creds = self._credentials()
        params = {
            "vnp_Version": VERSION,
            "vnp_Command": "pay",
            "vnp_TmnCode": creds.tmn_code,
            "vnp_Amount": str(order.amount_vnd * 100),
            "vnp_CurrCode": "VND",
            "vnp_TxnRef": order.ref,
            "vnp_OrderInfo": info,
            "vnp_OrderType": "other",
            "vnp_Locale": "en" if locale == "en" else "vn",
            "vnp_ReturnUrl": return_url,
            "vnp_IpAddr": client_ip,
            "vnp_CreateDate": vnp_time(order.created_at),
            "vnp_ExpireDate": vnp_time(order.pay_by),
        }
        return f"{self.pay_url}?{signed_query(params, creds.hash_secret)}"

    def read_notice(self, params: Mapping[str, str]) -> GatewayNotice:
        creds = self._credentials()
        if not verify(params, creds.hash_secret) or params.get("vnp_TmnCode") != creds.tmn_code:
            raise InvalidSignature()
        return notice_of(params)

    def query(self, order: Order, *, client_ip: str, now: datetime) -> GatewayNotice:
        creds = self._credentials()
        body: dict[str, Any] = {
            "vnp_RequestId": uuid.uuid4().hex,
            "vnp_Version": VERSION,
            "vnp_Command": "querydr",
            "vnp_TmnCode": creds.tmn_code,
            "vnp_TxnRef": order.ref,
            "vnp_OrderInfo": f"Query {order.ref}",
            "vnp_TransactionDate": vnp_time(order.created_at),
            "vnp_CreateDate": vnp_time(now),
            "vnp_IpAddr": client_ip,
        }
        body["vnp_SecureHash"] = pipe_hash(body, QUERY_REQUEST_HASHED, creds.hash_secret)
        answer = {k: str(v) for k, v in self._post(self.api_url, body).items()}
        expected = pipe_hash(answer, QUERY_ANSWER_HASHED, creds.hash_secret)
        if not hmac.compare_digest(answer.get("vnp_SecureHash", "").lower(), expected):
            raise InvalidSignature()
        if answer.get("vnp_ResponseCode") != "00":  # 91: no such transaction at the gateway
            return GatewayNotice(
                ref=order.ref,
                amount_vnd=None,
                success=False,
                response_code=answer.get("vnp_ResponseCode", ""),
            )
        return notice_of(answer | {"vnp_ResponseCode": answer.get("vnp_TransactionStatus", "")})

    def refund(
        self,
        order: Order,
        amount_vnd: int,
        *,
        reason: str,
        by: str,
        client_ip: str,
        now: datetime,
        request_id: str | None = None,
    ) -> RefundResult:
        """VNPAY's refund call (02 whole, 03 part): its answer's signature checked, its code mapped."""
        return _refund(self, order, amount_vnd, by=by, client_ip=client_ip, now=now, request_id=request_id)


def post_json(url: str, body: dict[str, Any]) -> dict[str, Any]:
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}, method="POST"
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 — the province's gateway URL
        answer: dict[str, Any] = json.loads(response.read())
    return answer


class SecretsManagerCredentials:
    """The terminal code and hash secret, read once from Secrets Manager (a JSON secret)."""

    def __init__(self, client: Any, secret_id: str) -> None:
        self.client = client
        self.secret_id = secret_id
        self._read: Credentials | None = None

    def __call__(self) -> Credentials:
        if self._read is None:
            value = json.loads(self.client.get_secret_value(SecretId=self.secret_id)["SecretString"])
            self._read = Credentials(tmn_code=value["tmn_code"], hash_secret=value["hash_secret"])
        return self._read


# --- refunds (docs/payments.md, "Refunds") ---------------------------------------------------------

# The refund call's answer codes, as VNPAY's merchant documentation lists them.
REFUND_OUTCOMES = {
    "00": "done",
    "94": "already",  # a refund of this transaction was asked before; VNPAY is processing it
    "95": "refused",  # the transaction was not successful at VNPAY: it refuses the refund
    "91": "not_found",
    "97": "bad_checksum",
}


def refund_body(
    order: Order,
    amount_vnd: int,
    *,
    tmn_code: str,
    by: str,
    client_ip: str,
    now: datetime,
    request_id: str,
) -> dict[str, Any]:
    """The refund call's JSON body without its hash: 02 the whole payment, 03 a part of it."""
    return {
        "vnp_RequestId": request_id,
        "vnp_Version": VERSION,
        "vnp_Command": "refund",
        "vnp_TmnCode": tmn_code,
        "vnp_TransactionType": "02" if amount_vnd == order.amount_vnd else "03",
        "vnp_TxnRef": order.ref,
        "vnp_Amount": str(amount_vnd * 100),
        "vnp_TransactionNo": order.transaction_no or "",
        "vnp_TransactionDate": vnp_time(order.created_at),
        "vnp_CreateBy": by,
        "vnp_CreateDate": vnp_time(now),
        "vnp_IpAddr": client_ip,
        # ASCII, as the gateway asks; the officer's reason stays with us (it may name the citizen).
        "vnp_OrderInfo": f"Hoan phi ho so {order.dossier}",
    }


def _refund(
    gateway: VnpayGateway,
    order: Order,
    amount_vnd: int,
    *,
    by: str,
    client_ip: str,
    now: datetime,
    request_id: str | None,
) -> RefundResult:
    from motcua.domain.refunds import RefundOutcome, RefundResult

    creds = gateway._credentials()
    rid = request_id or uuid.uuid4().hex
    body = refund_body(
        order, amount_vnd, tmn_code=creds.tmn_code, by=by, client_ip=client_ip, now=now, request_id=rid
    )
    body["vnp_SecureHash"] = pipe_hash(body, REFUND_REQUEST_HASHED, creds.hash_secret)
    try:
        answer = {k: str(v) for k, v in gateway._post(gateway.api_url, body).items()}
    except (OSError, ValueError):  # no answer: whether the gateway took it is unknown (querydr tells)
        return RefundResult(
            outcome=RefundOutcome.ERROR, response_code="", request_id=rid, message="no answer"
        )
    expected = pipe_hash(answer, REFUND_ANSWER_HASHED, creds.hash_secret)
    if not hmac.compare_digest(answer.get("vnp_SecureHash", "").lower(), expected):
        return RefundResult(
            outcome=RefundOutcome.ERROR, response_code="", request_id=rid, message="invalid signature"
        )
    code = answer.get("vnp_ResponseCode", "")
    return RefundResult(
        outcome=RefundOutcome(REFUND_OUTCOMES.get(code, "error")),
        response_code=code,
        request_id=rid,
        transaction_no=(answer.get("vnp_TransactionNo") or None) if code == "00" else None,
        message=answer.get("vnp_Message") or None,
    )
