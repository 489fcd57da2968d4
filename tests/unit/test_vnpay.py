"""VNPAY's protocol: the signed payment URL, the IPN's check and querydr, against vectors worked out
here by hand from the documented algorithm (sorted `vnp_*`, form-encoded, HMAC-SHA512 in hex)."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest

from motcua.adapters.vnpay import Credentials, VnpayGateway, amount_of, hash_data
from motcua.domain.payments import InvalidSignature, Order

SECRET = "SECRETKEYOFTHETEST0000000000ABCD"
CREDS = Credentials(tmn_code="DEMOV210", hash_secret=SECRET)
CREATED = datetime(2026, 11, 17, 2, 0, 0, tzinfo=UTC)  # 09:00 in Vietnam


def by_hand(text: str) -> str:
    return hmac.new(SECRET.encode(), text.encode(), hashlib.sha512).hexdigest()


def order(**changes: Any) -> Order:
    base = {
        "ref": "261117ABCDEFGH",
        "dossier": "000.00.21.H99-261117-0001",
        "owner": "sub-1",
        "agency": "000.00.21.H99",
        "amount_vnd": 135000,
        "gateway": "vnpay",
        "created_at": CREATED,
        "pay_by": CREATED + timedelta(minutes=15),
    }
    return Order.model_validate(base | changes)


def gateway(post: Any = None) -> VnpayGateway:
    return VnpayGateway(
        pay_url="https://sandbox.vnpayment.vn/paymentv2/vpcpay.html",
        api_url="https://sandbox.vnpayment.vn/merchant_webapi/api/transaction",
        credentials=lambda: CREDS,
        post=post,
    )


def test_the_payment_url_is_sorted_form_encoded_and_signed_over_exactly_that_text() -> None:
    url = gateway().payment_url(
        order(),
        return_url="http://127.0.0.1:8000/v1/payments/vnpay/return",
        client_ip="10.0.0.7",
        info="Thanh toan le phi ho so 000.00.21.H99-261117-0001",
        locale="vi",
    )

    # Worked out by hand: the parameters in name order, spaces as +, ':' and '/' escaped; ×100 amount;
    # dates in Vietnam's time (UTC+7); the order expires 15 minutes after it was made.
    expected = (
        "vnp_Amount=13500000&vnp_Command=pay&vnp_CreateDate=20261117090000&vnp_CurrCode=VND"
        "&vnp_ExpireDate=20261117091500&vnp_IpAddr=10.0.0.7&vnp_Locale=vn"
        "&vnp_OrderInfo=Thanh+toan+le+phi+ho+so+000.00.21.H99-261117-0001&vnp_OrderType=other"
        "&vnp_ReturnUrl=http%3A%2F%2F127.0.0.1%3A8000%2Fv1%2Fpayments%2Fvnpay%2Freturn"
        "&vnp_TmnCode=DEMOV210&vnp_TxnRef=261117ABCDEFGH&vnp_Version=2.1.0"
    )
    base, _, query = url.partition("?")
    assert base == "https://sandbox.vnpayment.vn/paymentv2/vpcpay.html"
    assert query == f"{expected}&vnp_SecureHash={by_hand(expected)}"


def ipn_params(**changes: str) -> dict[str, str]:
    params = {
        "vnp_Amount": "13500000",
        "vnp_BankCode": "NCB",
        "vnp_BankTranNo": "VNP14226112",
        "vnp_CardType": "ATM",
        "vnp_OrderInfo": "Thanh toan le phi ho so 000.00.21.H99-261117-0001",
        "vnp_PayDate": "20261117090512",
        "vnp_ResponseCode": "00",
        "vnp_TmnCode": "DEMOV210",
        "vnp_TransactionNo": "14226112",
        "vnp_TransactionStatus": "00",
        "vnp_TxnRef": "261117ABCDEFGH",
    } | changes
    text = "&".join(
        f"{k}={v.replace(' ', '+')}" for k, v in sorted(params.items())
    )  # by hand: no value here needs more than spaces encoded
    return params | {"vnp_SecureHashType": "HmacSHA512", "vnp_SecureHash": by_hand(text).upper()}


def test_an_ipn_signed_by_hand_is_read_and_its_hash_type_and_case_do_not_matter() -> None:
    notice = gateway().read_notice(ipn_params())

    assert notice.ref == "261117ABCDEFGH"
    assert notice.amount_vnd == 135000
    assert notice.success
    assert notice.transaction_no == "14226112"
    assert notice.paid_at == datetime(2026, 11, 17, 2, 5, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    ("field", "value"),
    [("vnp_Amount", "1350000"), ("vnp_ResponseCode", "24"), ("vnp_TxnRef", "261117ZZZZZZZZ")],
)
def test_an_ipn_changed_after_signing_is_refused(field: str, value: str) -> None:
    params = ipn_params()
    params[field] = value

    with pytest.raises(InvalidSignature):
        gateway().read_notice(params)


def test_an_ipn_signed_for_another_terminal_is_refused() -> None:
    with pytest.raises(InvalidSignature):
        gateway().read_notice(ipn_params(vnp_TmnCode="OTHER001"))


def test_a_failed_or_cancelled_payment_reads_as_not_successful() -> None:
    assert not gateway().read_notice(ipn_params(vnp_ResponseCode="24", vnp_TransactionStatus="02")).success
    assert not gateway().read_notice(ipn_params(vnp_ResponseCode="00", vnp_TransactionStatus="02")).success


def test_amounts_are_whole_dong_times_a_hundred() -> None:
    assert amount_of("13500000") == 135000
    assert amount_of("13500050") is None  # not a whole đồng
    assert amount_of("-100") is None
    assert amount_of(None) is None


def test_empty_values_and_the_hash_fields_are_left_out_of_the_signed_text() -> None:
    assert hash_data({"vnp_B": "x y", "vnp_A": "", "vnp_SecureHash": "h", "other": "1"}) == "vnp_B=x+y"


def test_querydr_hashes_its_values_joined_by_pipes_in_the_documented_order_and_checks_the_answer() -> None:
    sent: dict[str, Any] = {}

    def post(url: str, body: dict[str, Any]) -> dict[str, Any]:
        sent.update(body)
        answer = {
            "vnp_ResponseId": body["vnp_RequestId"],
            "vnp_Command": "querydr",
            "vnp_ResponseCode": "00",
            "vnp_Message": "OK",
            "vnp_TmnCode": "DEMOV210",
            "vnp_TxnRef": "261117ABCDEFGH",
            "vnp_Amount": "13500000",
            "vnp_BankCode": "NCB",
            "vnp_PayDate": "20261117090512",
            "vnp_TransactionNo": "14226112",
            "vnp_TransactionType": "01",
            "vnp_TransactionStatus": "00",
            "vnp_OrderInfo": "Query 261117ABCDEFGH",
            "vnp_PromotionCode": "",
            "vnp_PromotionAmount": "",
        }
        answer["vnp_SecureHash"] = by_hand(
            f"{body['vnp_RequestId']}|querydr|00|OK|DEMOV210|261117ABCDEFGH|13500000|NCB|20261117090512"
            "|14226112|01|00|Query 261117ABCDEFGH||"
        )
        return answer

    notice = gateway(post).query(order(), client_ip="10.0.0.7", now=CREATED + timedelta(minutes=20))

    expected = by_hand(
        f"{sent['vnp_RequestId']}|2.1.0|querydr|DEMOV210|261117ABCDEFGH|20261117090000|20261117092000"
        "|10.0.0.7|Query 261117ABCDEFGH"
    )
    assert sent["vnp_SecureHash"] == expected
    assert notice.success and notice.amount_vnd == 135000 and notice.transaction_no == "14226112"


def test_a_querydr_answer_with_a_wrong_hash_is_refused() -> None:
    def post(url: str, body: dict[str, Any]) -> dict[str, Any]:
        return {"vnp_ResponseCode": "00", "vnp_TransactionStatus": "00", "vnp_SecureHash": "0" * 128}

    with pytest.raises(InvalidSignature):
        gateway(post).query(order(), client_ip="10.0.0.7", now=CREATED)


def test_the_credentials_never_print_their_secret() -> None:
    assert SECRET not in repr(CREDS) and SECRET not in str(CREDS)


def test_the_url_round_trips_through_the_gateways_own_check() -> None:
    url = gateway().payment_url(
        order(), return_url="https://x.example/r", client_ip="1.2.3.4", info="a b", locale="en"
    )
    params = dict(parse_qsl(urlsplit(url).query))
    # The gateway sends back what it was sent plus its own fields; a page built from our URL verifies.
    assert gateway().read_notice(params).ref == "261117ABCDEFGH"


# --- refund ----------------------------------------------------------------------------------------


def refund_answer(body: dict[str, Any], code: str, *, kind: str = "02", sign: bool = True) -> dict[str, Any]:
    """The gateway's answer to a refund, hashed by hand in the documented order."""
    answer = {
        "vnp_ResponseId": "RSP" + body["vnp_RequestId"],
        "vnp_Command": "refund",
        "vnp_ResponseCode": code,
        "vnp_Message": "Refund",
        "vnp_TmnCode": "DEMOV210",
        "vnp_TxnRef": "261117ABCDEFGH",
        "vnp_Amount": body["vnp_Amount"],
        "vnp_BankCode": "NCB",
        "vnp_PayDate": "20261117090512",
        "vnp_TransactionNo": "14226199",
        "vnp_TransactionType": kind,
        "vnp_TransactionStatus": "05",
        "vnp_OrderInfo": body["vnp_OrderInfo"],
    }
    answer["vnp_SecureHash"] = (
        by_hand(
            f"RSP{body['vnp_RequestId']}|refund|{code}|Refund|DEMOV210|261117ABCDEFGH|{body['vnp_Amount']}|NCB"
            f"|20261117090512|14226199|{kind}|05|{body['vnp_OrderInfo']}"
        )
        if sign
        else "0" * 128
    )
    return answer


def test_a_whole_refund_is_type_02_created_by_the_officer_and_hashed_in_the_documented_order() -> None:
    sent: dict[str, Any] = {}

    def post(url: str, body: dict[str, Any]) -> dict[str, Any]:
        sent.update(body, url=url)
        return refund_answer(body, "00")

    paid = order(transaction_no="14226112")
    result = gateway(post).refund(
        paid, 135000, reason="Hồ sơ không được tiếp nhận", by="canbo.csgt", client_ip="10.0.0.7",
        now=CREATED + timedelta(days=1), request_id="a1b2c3",
    )  # fmt: skip

    # Worked out by hand: RequestId|Version|Command|TmnCode|TransactionType|TxnRef|Amount|TransactionNo|
    # TransactionDate|CreateBy|CreateDate|IpAddr|OrderInfo; dates in Vietnam's time; ×100 amount.
    expected = by_hand(
        "a1b2c3|2.1.0|refund|DEMOV210|02|261117ABCDEFGH|13500000|14226112|20261117090000|canbo.csgt"
        "|20261118090000|10.0.0.7|Hoan phi ho so 000.00.21.H99-261117-0001"
    )
    assert sent["vnp_SecureHash"] == expected
    assert sent["url"].endswith("/merchant_webapi/api/transaction")
    assert (sent["vnp_TransactionType"], sent["vnp_CreateBy"]) == ("02", "canbo.csgt")
    assert (
        "Hồ sơ" not in sent["vnp_OrderInfo"]
    )  # the officer's reason stays with us (ASCII, no personal data)
    assert (result.outcome.value, result.response_code, result.transaction_no, result.request_id) == (
        "done",
        "00",
        "14226199",
        "a1b2c3",
    )


def test_a_part_refund_is_type_03() -> None:
    sent: dict[str, Any] = {}

    def post(url: str, body: dict[str, Any]) -> dict[str, Any]:
        sent.update(body)
        return refund_answer(body, "00", kind="03")

    gateway(post).refund(
        order(), 35000, reason="x", by="canbo", client_ip="10.0.0.7", now=CREATED, request_id="r2"
    )

    assert (sent["vnp_TransactionType"], sent["vnp_Amount"]) == ("03", "3500000")


@pytest.mark.parametrize(
    ("code", "outcome", "taken"),
    [
        ("00", "done", True),
        ("94", "already", True),
        ("95", "refused", False),
        ("91", "not_found", False),
        ("97", "bad_checksum", False),
        ("99", "error", False),
        ("02", "error", False),
    ],
)
def test_the_refunds_answer_codes_are_mapped(code: str, outcome: str, taken: bool) -> None:
    result = gateway(lambda url, body: refund_answer(body, code)).refund(
        order(), 135000, reason="x", by="canbo", client_ip="10.0.0.7", now=CREATED
    )

    assert (result.outcome.value, result.response_code, result.taken) == (outcome, code, taken)
    assert len(result.request_id) == 32  # a new id for a new request


def test_a_refund_answer_with_a_wrong_hash_or_none_at_all_is_not_believed() -> None:
    forged = gateway(lambda url, body: refund_answer(body, "00", sign=False)).refund(
        order(), 135000, reason="x", by="canbo", client_ip="10.0.0.7", now=CREATED
    )

    def down(url: str, body: dict[str, Any]) -> dict[str, Any]:
        raise OSError("connection refused")

    lost = gateway(down).refund(order(), 135000, reason="x", by="canbo", client_ip="10.0.0.7", now=CREATED)

    assert (forged.outcome.value, forged.taken, forged.message) == ("error", False, "invalid signature")
    assert (lost.outcome.value, lost.response_code, lost.taken) == ("error", "", False)
