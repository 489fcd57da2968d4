"""A sandbox payment gateway on its own loopback port, speaking VNPAY's protocol (docs/payments.md).

Its payment page lets the tester pick what happens: success, cancel, failure, "success, IPN late" or
"IPN twice". It signs the IPN with the merchant's hash secret, sends it to the API, then sends the
browser back to the return URL, as the real gateway does; it answers querydr and refund over JSON.
"""

from __future__ import annotations

import html
import json
import threading
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from motcua.adapters.vnpay import (
    QUERY_ANSWER_HASHED,
    QUERY_REQUEST_HASHED,
    REFUND_ANSWER_HASHED,
    REFUND_REQUEST_HASHED,
    Credentials,
    parse_vnp_time,
    pipe_hash,
    signed_query,
    verify,
    vnp_time,
)

PAY_PATH = "/paymentv2/vpcpay.html"
CHOOSE_PATH = "/paymentv2/choose"
API_PATH = "/merchant_webapi/api/transaction"
# What the tester may pick: the gateway's response code and transaction status for each.
CHOICES: dict[str, tuple[str, str, str, str]] = {
    # choice: (response code, transaction status, Vietnamese label, English label)
    "success": ("00", "00", "Thanh toán thành công", "Payment succeeds"),
    "cancel": ("24", "02", "Khách hàng hủy giao dịch", "The customer cancels"),
    "failure": ("51", "02", "Tài khoản không đủ số dư", "Insufficient funds"),
    "late": ("00", "00", "Thành công, IPN đến muộn", "Success, the IPN comes late"),
    "twice": ("00", "00", "Thành công, IPN gửi hai lần", "Success, the IPN comes twice"),
}


@dataclass
class Transaction:
    """What the sandbox remembers of a payment: what querydr and refund answer from."""

    params: dict[str, str]
    status: str  # 00 paid, 02 failed, 05 refund pending
    number: str
    paid_at: datetime
    refunded: int = 0


@dataclass
class Delivery:
    """One IPN sent: the order, and what the API answered."""

    ref: str
    answer: dict[str, Any]


@dataclass(eq=False)
class SandboxGateway:
    """The sandbox: `start()` serves it on `host:port` (0: any free port) until `stop()`."""

    credentials: Callable[[], Credentials]
    ipn_url: str
    host: str = "127.0.0.1"
    port: int = 0
    late_seconds: float = 3.0
    # How an IPN reaches the merchant: None, an HTTP GET of `ipn_url?<signed query>` (tests may hand
    # the query to the service straight away instead).
    deliver: Callable[[str], dict[str, Any]] | None = None
    transactions: dict[str, Transaction] = field(default_factory=dict)
    deliveries: list[Delivery] = field(default_factory=list)
    _server: ThreadingHTTPServer | None = None
    _thread: threading.Thread | None = None
    _numbers: int = 14_000_000
    # Refunds: the requests taken (by vnp_RequestId), and codes to answer the next refund calls with
    # instead (a test's or a tester's gateway failure: "99", "95"…).
    refund_requests: dict[str, str] = field(default_factory=dict)
    refund_failures: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    name: str = "sandbox payment gateway"  # as the local stack's runner names its services

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> None:
        sandbox = self

        class Handler(_Handler):
            gateway = sandbox

        self._server = ThreadingHTTPServer((self.host, self.port), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="sandbox-gateway", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    # --- the payment ---------------------------------------------------------------------------

    def pay(self, params: dict[str, str], choice: str) -> str:
        """Settle the order as `choice` says, send its IPN(s), and give the browser's return URL."""
        secret = self.credentials().hash_secret
        response, status, _, _ = CHOICES[choice]
        with self._lock:
            self._numbers += 1
            number = str(self._numbers)
        now = datetime.now(UTC)
        result = {
            "vnp_Amount": params["vnp_Amount"],
            "vnp_BankCode": "NCB",
            "vnp_BankTranNo": f"VNP{number}",
            "vnp_CardType": "ATM",
            "vnp_OrderInfo": params.get("vnp_OrderInfo", ""),
            "vnp_PayDate": vnp_time(now),
            "vnp_ResponseCode": response,
            "vnp_TmnCode": params["vnp_TmnCode"],
            "vnp_TransactionNo": number if response == "00" else "0",
            "vnp_TransactionStatus": status,
            "vnp_TxnRef": params["vnp_TxnRef"],
        }
        self.transactions[params["vnp_TxnRef"]] = Transaction(result, status, number, now)
        query = signed_query(result, secret)
        if choice == "late":
            threading.Timer(self.late_seconds, self.notify, args=(query, result["vnp_TxnRef"])).start()
        elif choice == "twice":  # two copies at the same moment, as a retrying gateway may send them
            copies = [
                threading.Thread(target=self.notify, args=(query, result["vnp_TxnRef"])) for _ in range(2)
            ]
            for copy in copies:
                copy.start()
            for copy in copies:
                copy.join()
        else:
            self.notify(query, result["vnp_TxnRef"])
        return f"{params['vnp_ReturnUrl']}?{query}"

    def notify(self, query: str, ref: str) -> dict[str, Any]:
        """Send one IPN (GET, as the gateway does) and keep the API's answer."""
        if self.deliver is not None:
            handed = self.deliver(query)
            with self._lock:
                self.deliveries.append(Delivery(ref, handed))
            return handed
        try:
            with urllib.request.urlopen(f"{self.ipn_url}?{query}", timeout=30) as answer:  # noqa: S310
                body: dict[str, Any] = json.loads(answer.read())
        except (OSError, ValueError) as error:
            body = {"RspCode": "", "Message": f"not delivered: {error}"}
        with self._lock:
            self.deliveries.append(Delivery(ref, body))
        return body

    # --- the merchant API: querydr, refund ------------------------------------------------------

    def _refusal(self, body: dict[str, Any], found: Transaction) -> dict[str, Any] | None:
        return _refusal_of(self, body, found)

    @staticmethod
    def _kind(found: Transaction) -> str:
        """01 a payment; 02 refunded whole, 03 in part (what querydr shows after a refund)."""
        if not found.refunded:
            return "01"
        return "02" if found.refunded * 100 >= int(found.params["vnp_Amount"]) else "03"

    def api(self, body: dict[str, Any]) -> dict[str, Any]:
        secret = self.credentials().hash_secret
        command = body.get("vnp_Command")
        hashed = QUERY_REQUEST_HASHED if command == "querydr" else REFUND_REQUEST_HASHED
        answer: dict[str, Any] = {
            "vnp_ResponseId": body.get("vnp_RequestId", ""),
            "vnp_Command": command,
            "vnp_TmnCode": body.get("vnp_TmnCode", ""),
            "vnp_TxnRef": body.get("vnp_TxnRef", ""),
        }
        found = self.transactions.get(str(body.get("vnp_TxnRef", "")))
        if command not in ("querydr", "refund"):
            answer |= {"vnp_ResponseCode": "99", "vnp_Message": "Unknown command"}
        elif str(body.get("vnp_SecureHash", "")).lower() != pipe_hash(body, hashed, secret):
            answer |= {"vnp_ResponseCode": "97", "vnp_Message": "Invalid checksum"}
        elif found is None:
            answer |= {"vnp_ResponseCode": "91", "vnp_Message": "Transaction not found"}
        elif command == "refund" and (refused := self._refusal(body, found)) is not None:
            answer |= refused
        else:
            if command == "refund":
                self.refund_requests[str(body.get("vnp_RequestId", ""))] = json.dumps(body, sort_keys=True)
                found.refunded += int(body.get("vnp_Amount", 0)) // 100
                found.status = "05"
            answer |= {
                "vnp_ResponseCode": "00",
                "vnp_Message": "Success",
                "vnp_Amount": found.params["vnp_Amount"],
                "vnp_BankCode": "NCB",
                "vnp_PayDate": vnp_time(found.paid_at),
                "vnp_TransactionNo": found.number,
                "vnp_TransactionType": self._kind(found),
                "vnp_TransactionStatus": found.status,
                "vnp_OrderInfo": found.params.get("vnp_OrderInfo", ""),
                "vnp_PromotionCode": "",
                "vnp_PromotionAmount": "",
            }
        order = QUERY_ANSWER_HASHED if command != "refund" else REFUND_ANSWER_HASHED
        answer["vnp_SecureHash"] = pipe_hash(answer, order, secret)
        return answer


class _Handler(BaseHTTPRequestHandler):
    gateway: SandboxGateway

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 — the base class's name
        return  # quiet: the stack's log is the API's

    def do_GET(self) -> None:  # noqa: N802 — http.server's name
        parts = urlsplit(self.path)
        if parts.path != PAY_PATH:
            self._send(404, "text/plain", b"not found")
            return
        params = dict(parse_qsl(parts.query, keep_blank_values=True))
        self._send(200, "text/html; charset=utf-8", self._page(params, parts.query).encode())

    def do_POST(self) -> None:  # noqa: N802 — http.server's name
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        if parts.path == API_PATH:
            try:
                body = json.loads(raw)
            except ValueError:
                body = {}
            answer = self.gateway.api(body if isinstance(body, dict) else {})
            self._send(200, "application/json", json.dumps(answer).encode())
            return
        if parts.path != CHOOSE_PATH:
            self._send(404, "text/plain", b"not found")
            return
        form = dict(parse_qsl(raw.decode(), keep_blank_values=True))
        params = dict(parse_qsl(form.get("order", ""), keep_blank_values=True))
        choice = form.get("choice", "")
        if choice not in CHOICES or not self._valid(params):
            self._send(
                400, "text/plain; charset=utf-8", "Sai chữ ký hoặc lựa chọn / Invalid request".encode()
            )
            return
        self.send_response(303)
        self.send_header("Location", self.gateway.pay(params, choice))
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _valid(self, params: dict[str, str]) -> bool:
        creds = self.gateway.credentials()
        return verify(params, creds.hash_secret) and params.get("vnp_TmnCode") == creds.tmn_code

    def _page(self, params: dict[str, str], query: str) -> str:
        en = params.get("vnp_Locale") == "en"
        title = (
            "Sandbox payment gateway (VNPAY protocol)"
            if en
            else "Cổng thanh toán thử nghiệm (giao thức VNPAY)"
        )
        expires = parse_vnp_time(params.get("vnp_ExpireDate", ""))

        def say(vi: str, english: str) -> str:
            return html.escape(english if en else vi)

        if not self._valid(params):
            body = f"<p role='alert'>{say('Sai chữ ký (97)', 'Invalid signature (97)')}</p>"
        elif expires is not None and datetime.now(UTC) > expires:
            expired = say("Giao dịch đã quá thời gian chờ thanh toán (11)", "The order has expired (11)")
            body = f"<p role='alert'>{expired}</p>"
        else:
            amount = int(params.get("vnp_Amount", "0")) // 100
            buttons = "".join(
                f"<li><button type='submit' name='choice' value='{key}'>"
                f"{say(label_vi, label_en)}</button></li>"
                for key, (_, _, label_vi, label_en) in CHOICES.items()
            )
            ref, info = (
                html.escape(params.get("vnp_TxnRef", "")),
                html.escape(params.get("vnp_OrderInfo", "")),
            )
            body = (
                f"<dl><dt>{say('Mã giao dịch', 'Order')}</dt><dd id='ref'>{ref}</dd>"
                f"<dt>{say('Số tiền', 'Amount')}</dt><dd id='amount'>{amount:,} VND</dd>"
                f"<dt>{say('Nội dung', 'Description')}</dt><dd>{info}</dd></dl>"
                f"<form method='post' action='{CHOOSE_PATH}'>"
                f"<input type='hidden' name='order' value='{html.escape(query)}'>"
                f"<fieldset><legend>{say('Kết quả thanh toán', 'What happens')}</legend>"
                f"<ul>{buttons}</ul></fieldset></form>"
            )
        lang = "en" if en else "vi"
        return (
            f"<!doctype html><html lang='{lang}'><head><meta charset='utf-8'>"
            "<meta name='viewport' content='width=device-width, initial-scale=1'>"
            f"<title>{title}</title></head>"
            f"<body><main><h1>{title}</h1>{body}</main></body></html>"
        )

    def _send(self, status: int, content_type: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def wait_for_delivery(
    gateway: SandboxGateway, ref: str, count: int = 1, timeout: float = 10.0
) -> list[Delivery]:
    """The IPNs delivered for `ref`, once there are `count` of them (tests and the demo's checks)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = [d for d in gateway.deliveries if d.ref == ref]
        if len(found) >= count:
            return found
        time.sleep(0.05)
    return [d for d in gateway.deliveries if d.ref == ref]


def _refusal_of(gateway: SandboxGateway, body: dict[str, Any], found: Transaction) -> dict[str, Any] | None:
    """Why the sandbox refuses a refund call, as VNPAY answers it; None when it takes it."""
    if gateway.refund_failures:
        code = gateway.refund_failures.pop(0)
        return {"vnp_ResponseCode": code, "vnp_Message": "Refund refused by the sandbox"}
    request_id = str(body.get("vnp_RequestId", ""))
    if request_id in gateway.refund_requests:  # the very same request again: the same answer
        if gateway.refund_requests[request_id] == json.dumps(body, sort_keys=True):
            return None if found.refunded == 0 else {"vnp_ResponseCode": "94", "vnp_Message": "Refund exists"}
        return {"vnp_ResponseCode": "99", "vnp_Message": "Duplicate request id"}
    if found.status in ("05", "06"):
        return {"vnp_ResponseCode": "94", "vnp_Message": "Refund already requested"}
    if found.status != "00":
        return {"vnp_ResponseCode": "95", "vnp_Message": "Transaction not successful"}
    if int(body.get("vnp_Amount", 0)) // 100 > int(found.params["vnp_Amount"]) // 100:
        return {"vnp_ResponseCode": "03", "vnp_Message": "Invalid amount"}
    return None
