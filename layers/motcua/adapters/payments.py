"""Orders and fees on the single table, every change under a condition (docs/payments.md)."""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from motcua.adapters.dynamodb import BUSY, THROTTLED, dossier_pk
from motcua.domain.errors import DossierChanged, Unavailable
from motcua.domain.models import Dossier
from motcua.domain.payments import FeeAlreadyPaid, FeeRecord, Order, OrderState, OrderTaken
from motcua.resources import PAYMENT_PREFIX

if TYPE_CHECKING:
    from collections.abc import Mapping

    from motcua.adapters.dynamodb import DynamoDossierRepository
    from motcua.domain.changes import Change


def _s(value: str) -> dict[str, str]:
    return {"S": value}


def order_key(ref: str) -> dict[str, Any]:
    return {"PK": _s(f"{PAYMENT_PREFIX}{ref}"), "SK": _s("PAY")}


def fee_key(code: str, fee: str) -> dict[str, Any]:
    return {"PK": _s(dossier_pk(code)), "SK": _s(f"FEE#{fee}")}


class DynamoPaymentStore:
    """The PaymentStore port: an order under `PAY#<ref>`, a fee beside its dossier (`FEE#<fee>`)."""

    def __init__(
        self, client: Any, table: str, *, dossier_days: int, dossiers: DynamoDossierRepository | None = None
    ) -> None:
        self.client = client
        self.table = table
        self.dossier_days = dossier_days
        # Renders a dossier's change as transaction items, for a settle that carries one.
        self.dossiers = dossiers

    def _expiry(self, filed_at: datetime) -> dict[str, Any]:
        # Kept as long as the dossier: the table's TTL removes them with it.
        return {"N": str(int((filed_at + timedelta(days=self.dossier_days)).timestamp()))}

    def dossier_and_fee(self, code: str, fee: str) -> tuple[Dossier | None, FeeRecord | None]:
        keys: list[dict[str, Any]] = [{"PK": _s(dossier_pk(code)), "SK": _s("D")}, fee_key(code, fee)]
        found: list[dict[str, Any]] = []
        request: dict[str, Any] = {self.table: {"Keys": keys, "ConsistentRead": True}}
        while request:
            answer = self._call(self.client.batch_get_item, RequestItems=request)
            found += answer["Responses"].get(self.table, [])
            request = answer.get("UnprocessedKeys") or {}
        dossier = next(
            (Dossier.model_validate_json(i["data"]["S"]) for i in found if i["SK"]["S"] == "D"), None
        )
        fee_item = next((i for i in found if i["SK"]["S"].startswith("FEE#")), None)
        return dossier, _fee_of(fee_item) if fee_item else None

    def open_order(
        self,
        order: Order,
        fee: FeeRecord,
        *,
        dossier_filed_at: datetime,
        counted_as: Mapping[str, str] | None = None,
    ) -> None:
        expiry = self._expiry(dossier_filed_at)
        items = [
            {
                "Put": {
                    "TableName": self.table,
                    "Item": self._order_item(order, expiry),
                    "ConditionExpression": "attribute_not_exists(PK)",
                }
            },
            {
                "Update": {
                    "TableName": self.table,
                    "Key": fee_key(fee.dossier, fee.fee),
                    # The amount is fixed by the first order; every order counts; never once paid.
                    "UpdateExpression": "SET #t = :t, #d = :d, "
                    "amount_vnd = if_not_exists(amount_vnd, :amount), last_order = :ref, expires_at = :exp "
                    "ADD orders :one, refs :refs",  # refs: every order of the fee (its refunds list them)
                    "ConditionExpression": "attribute_not_exists(paid_by)",
                    "ExpressionAttributeNames": {"#t": "type", "#d": "data"},
                    "ExpressionAttributeValues": {
                        ":t": _s("fee"),
                        # Readers of the partition find every item's body in `data`; the fee's
                        # state is in its own attributes, which the conditions read.
                        # Where it counts in the statistics (the stream's stats consumer reads it).
                        ":d": _s(
                            json.dumps({"dossier": fee.dossier, "fee": fee.fee, "counted_as": counted_as})
                        ),
                        ":amount": {"N": str(fee.amount_vnd)},
                        ":ref": _s(order.ref),
                        ":exp": expiry,
                        ":one": {"N": "1"},
                        ":refs": {"SS": [order.ref]},
                    },
                }
            },
        ]
        reasons = self._transact(items)
        if reasons is not None:
            raise FeeAlreadyPaid()

    def order(self, ref: str) -> Order | None:
        item = self._call(
            self.client.get_item, TableName=self.table, Key=order_key(ref), ConsistentRead=True
        ).get("Item")
        return Order.model_validate_json(item["data"]["S"]) if item else None

    def settle(self, order: Order, *, change: Change | None = None) -> None:
        items = [
            self._order_update(order),
            {
                "Update": {
                    "TableName": self.table,
                    "Key": fee_key(order.dossier, order.fee),
                    "UpdateExpression": "SET paid_by = :ref, paid_at = :at, transaction_no = :txn",
                    # One fee is paid once: by the first order whose IPN gets here; never once cancelled.
                    "ConditionExpression": "attribute_exists(PK) AND attribute_not_exists(paid_by) "
                    "AND attribute_not_exists(cancelled_at)",
                    "ExpressionAttributeValues": {
                        ":ref": _s(order.ref),
                        ":at": _s((order.confirmed_at or order.created_at).isoformat()),
                        ":txn": _s(order.transaction_no or ""),
                    },
                }
            },
        ]
        if change is not None:  # the dossier's resume, all or nothing with the payment
            if self.dossiers is None:
                raise ValueError("this payment store cannot write a dossier's change")
            items += self.dossiers.change_items(change)
        reasons = self._transact(items)
        if reasons is None:
            return
        if not reasons or _failed(reasons, 0):
            raise OrderTaken()
        if change is None or _failed(reasons, 1):
            raise FeeAlreadyPaid()
        raise DossierChanged()  # nothing was written: read the dossier again and decide again

    def close(self, order: Order) -> None:
        if self._transact([self._order_update(order)]) is not None:
            raise OrderTaken()

    def cancel_fee(
        self, code: str, fee: str, *, amount_vnd: int, dossier_filed_at: datetime, at: datetime
    ) -> None:
        try:
            self._call(
                self.client.update_item,
                TableName=self.table,
                Key=fee_key(code, fee),
                UpdateExpression="SET #t = :t, #d = :d, amount_vnd = if_not_exists(amount_vnd, :amount), "
                "cancelled_at = if_not_exists(cancelled_at, :at), expires_at = :exp",
                ConditionExpression="attribute_not_exists(paid_by)",
                ExpressionAttributeNames={"#t": "type", "#d": "data"},
                ExpressionAttributeValues={
                    ":t": _s("fee"),
                    ":d": _s(json.dumps({"dossier": code, "fee": fee})),
                    ":amount": {"N": str(amount_vnd)},
                    ":at": _s(at.isoformat()),
                    ":exp": self._expiry(dossier_filed_at),
                },
            )
        except ClientError as error:
            if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                raise FeeAlreadyPaid() from None
            raise

    # --- items -------------------------------------------------------------------------------

    def _order_item(self, order: Order, expiry: dict[str, Any]) -> dict[str, Any]:
        return {
            **order_key(order.ref),
            "type": _s("order"),
            "state": _s(order.state.value),
            "dossier": _s(order.dossier),
            "data": _s(order.model_dump_json()),
            "expires_at": expiry,
            **order_day_index(order),
        }

    def _order_update(self, order: Order) -> dict[str, Any]:
        """The order's new state, written only while it is still pending."""
        return {
            "Update": {
                "TableName": self.table,
                "Key": order_key(order.ref),
                "UpdateExpression": "SET #state = :state, #d = :data",
                "ConditionExpression": "#state = :pending",
                "ExpressionAttributeNames": {"#state": "state", "#d": "data"},
                "ExpressionAttributeValues": {
                    ":state": _s(order.state.value),
                    ":data": _s(order.model_dump_json()),
                    ":pending": _s(OrderState.PENDING.value),
                },
            }
        }

    def _transact(self, items: list[dict[str, Any]]) -> list[dict[str, Any]] | None:
        """None when written; the cancellation reasons when a condition failed."""
        digest = hashlib.sha256(json.dumps(items, sort_keys=True).encode()).digest()
        try:
            self._call(
                self.client.transact_write_items,
                TransactItems=items,
                ClientRequestToken=str(uuid.UUID(bytes=digest[:16])),
            )
        except ClientError as error:
            code = error.response["Error"]["Code"]
            if code == "IdempotentParameterMismatchException":
                return []
            if code != "TransactionCanceledException":
                raise
            reasons: list[dict[str, Any]] = error.response.get("CancellationReasons", [])
            return reasons
        return None

    @staticmethod
    def _call(operation: Any, **kwargs: Any) -> Any:
        try:
            return operation(**kwargs)
        except ClientError as error:
            if error.response["Error"]["Code"] in THROTTLED:
                raise Unavailable(BUSY, retry_after=5, code="busy") from error
            raise


def _failed(reasons: list[dict[str, Any]], index: int) -> bool:
    return len(reasons) > index and reasons[index].get("Code") == "ConditionalCheckFailed"


def _fee_of(item: Mapping[str, Any]) -> FeeRecord:
    def text(name: str) -> str | None:
        value = item.get(name, {}).get("S")
        return str(value) if value else None

    code = str(item["PK"]["S"]).removeprefix("D#")
    paid_at = text("paid_at")
    return FeeRecord(
        dossier=code,
        fee=str(item["SK"]["S"]).removeprefix("FEE#"),
        amount_vnd=int(item["amount_vnd"]["N"]),
        orders=int(item.get("orders", {}).get("N", "0")),
        last_order=text("last_order"),
        paid_by=text("paid_by"),
        paid_at=datetime.fromisoformat(paid_at) if paid_at else None,
        transaction_no=text("transaction_no"),
    )


# The orders of a day (Vietnam time, the gateway's day), by collecting agency: GSI2, one Query a day.
PAYDAY_PREFIX = "PAYDAY#"


def order_day_index(order: Order) -> dict[str, Any]:
    """GSI2's keys of an order: `PAYDAY#<day it was made>`, `<agency>#<ref>` (docs/payments.md)."""
    from motcua.domain.reconciliation import vietnam_day

    return {
        "GSI2PK": _s(f"{PAYDAY_PREFIX}{vietnam_day(order.created_at).isoformat()}"),
        "GSI2SK": _s(f"{order.agency}#{order.ref}"),
    }
