"""Refunds on the single table: kept on their orders (`PAY#<ref>`), every change under a condition."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from motcua.adapters.dynamodb import dossier_pk
from motcua.adapters.payments import DynamoPaymentStore, order_key
from motcua.domain.payments import Order, OrderState
from motcua.domain.refunds import Refund, RefundState, RefundTaken

if TYPE_CHECKING:
    from collections.abc import Mapping

CONFIRMED = (OrderState.PAID.value, OrderState.REFUND_DUE.value)


def _s(value: str) -> dict[str, str]:
    return {"S": value}


def _of(item: Mapping[str, Any]) -> tuple[Order, Refund | None]:
    refund = item.get("refund", {}).get("S")
    return Order.model_validate_json(item["data"]["S"]), Refund.model_validate_json(
        refund
    ) if refund else None


class DynamoRefundStore:
    """The RefundStore port: `refund_state`, `refund_rid` (this attempt's vnp_RequestId), `refund_at`
    (this attempt's time) and `refund` (its body) beside the order's own attributes."""

    def __init__(self, payments: DynamoPaymentStore) -> None:
        self.payments = payments
        self.client = payments.client
        self.table = payments.table

    def order_with_refund(self, ref: str) -> tuple[Order, Refund | None] | None:
        item = self.payments._call(
            self.client.get_item, TableName=self.table, Key=order_key(ref), ConsistentRead=True
        ).get("Item")
        return _of(item) if item else None

    def orders_of(self, code: str) -> list[tuple[Order, Refund | None]]:
        # The dossier's fees name their orders (`refs`; older fees only their last and paying ones).
        fees = self.payments._call(
            self.client.query,
            TableName=self.table,
            KeyConditionExpression="PK = :pk AND begins_with(SK, :fee)",
            ExpressionAttributeValues={":pk": _s(dossier_pk(code)), ":fee": _s("FEE#")},
            ConsistentRead=True,
        )["Items"]
        refs: set[str] = set()
        for fee in fees:
            refs.update(fee.get("refs", {}).get("SS", []))
            refs.update(fee[name]["S"] for name in ("last_order", "paid_by") if fee.get(name, {}).get("S"))
        found: list[dict[str, Any]] = []
        keys = [order_key(ref) for ref in sorted(refs)]
        for start in range(0, len(keys), 100):
            request: dict[str, Any] = {
                self.table: {"Keys": keys[start : start + 100], "ConsistentRead": True}
            }
            while request:
                answer = self.payments._call(self.client.batch_get_item, RequestItems=request)
                found += answer["Responses"].get(self.table, [])
                request = answer.get("UnprocessedKeys") or {}
        orders = [_of(item) for item in found]
        return sorted(orders, key=lambda pair: (pair[0].created_at, pair[0].ref))

    def begin(self, order: Order, refund: Refund, *, replacing: Refund | None) -> None:
        values: dict[str, Any] = {
            ":state": _s(refund.state.value),
            ":rid": _s(refund.request_id),
            ":at": _s(refund.requested_at.isoformat()),
            ":body": _s(refund.model_dump_json()),
        }
        if replacing is None:  # once: only a confirmed payment without a refund yet
            condition = "attribute_exists(PK) AND attribute_not_exists(refund_state) AND #s IN (:paid, :due)"
            values |= {":paid": _s(CONFIRMED[0]), ":due": _s(CONFIRMED[1])}
        else:  # a retry: only if the attempt read is still the latest
            condition = "refund_state = :was AND refund_at = :was_at"
            values |= {":was": _s(replacing.state.value), ":was_at": _s(replacing.requested_at.isoformat())}
        self._update(order, condition, values, names={"#s": "state"} if replacing is None else {})

    def finish(self, order: Order, refund: Refund) -> None:
        values = {
            ":state": _s(refund.state.value),
            ":rid": _s(refund.request_id),
            ":at": _s(refund.requested_at.isoformat()),
            ":body": _s(refund.model_dump_json()),
        }
        told = refund.told and refund.state is RefundState.DONE
        # The outcome of this very attempt; `told` after the outcome of the same attempt.
        condition = "refund_rid = :rid AND refund_at = :at AND refund_state = :state"
        if not told:
            condition = "refund_rid = :rid AND refund_at = :at AND refund_state = :requested"
            values[":requested"] = _s(RefundState.REQUESTED.value)
        self._update(order, condition, values, names={})

    def _update(self, order: Order, condition: str, values: dict[str, Any], *, names: dict[str, str]) -> None:
        try:
            self.payments._call(
                self.client.update_item,
                TableName=self.table,
                Key=order_key(order.ref),
                UpdateExpression="SET refund_state = :state, refund_rid = :rid, refund_at = :at, "
                "refund = :body",
                ConditionExpression=condition,
                ExpressionAttributeValues=values,
                **({"ExpressionAttributeNames": names} if names else {}),
            )
        except ClientError as error:
            if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                raise RefundTaken() from None
            raise
