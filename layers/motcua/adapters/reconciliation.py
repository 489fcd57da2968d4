"""Our side of a day's reconciliation on the single table: the orders of a day (GSI2), the kept reports."""

from __future__ import annotations

from datetime import timedelta
from functools import partial
from typing import TYPE_CHECKING, Any

from motcua.adapters.payments import PAYDAY_PREFIX, DynamoPaymentStore, order_key
from motcua.adapters.query_pages import query_page
from motcua.domain.models import Page
from motcua.domain.payments import Order
from motcua.domain.reconciliation import Reconciliation
from motcua.resources import RECONCILIATION_PREFIX

if TYPE_CHECKING:
    from collections.abc import Iterable
    from datetime import date

_GSI2_NAMES = frozenset({"PK", "SK", "GSI2PK", "GSI2SK"})


def _s(value: str) -> dict[str, str]:
    return {"S": value}


class DynamoReconciliationStore:
    """The ReconciliationStore port on the single table; every list a Query on GSI2, never a Scan."""

    def __init__(self, client: Any, table: str, *, report_days: int) -> None:
        self.client = client
        self.table = table
        self.report_days = report_days

    def orders_created(self, day: date) -> list[Order]:
        found: list[Order] = []
        token: str | None = None
        while True:
            page = self._day_page(day, "", limit=500, token=token)
            found += page.items
            token = page.next_token
            if token is None:
                return found

    def orders(self, refs: Iterable[str]) -> dict[str, Order]:
        wanted = sorted(set(refs))
        found: dict[str, Order] = {}
        for start in range(0, len(wanted), 100):  # BatchGetItem takes 100 keys a call
            request: dict[str, Any] = {
                self.table: {"Keys": [order_key(ref) for ref in wanted[start : start + 100]]}
            }
            while request:
                answer = self._call(self.client.batch_get_item, RequestItems=request)
                for item in answer["Responses"].get(self.table, []):
                    order = Order.model_validate_json(item["data"]["S"])
                    found[order.ref] = order
                request = answer.get("UnprocessedKeys") or {}
        return found

    def agency_orders(self, agency: str, day: date, *, limit: int, token: str | None) -> Page[Order]:
        return self._day_page(day, f"{agency}#", limit=limit, token=token)

    def keep(self, report: Reconciliation) -> None:
        expires = report.ran_at + timedelta(days=self.report_days)
        self._call(
            self.client.put_item,
            TableName=self.table,
            Item={
                "PK": _s(f"{RECONCILIATION_PREFIX}{report.day.isoformat()}"),
                "SK": _s("R"),
                "type": _s("reconciliation"),
                "data": _s(report.model_dump_json()),
                "expires_at": {"N": str(int(expires.timestamp()))},
            },
        )

    def report(self, day: date) -> Reconciliation | None:
        item = self._call(
            self.client.get_item,
            TableName=self.table,
            Key={"PK": _s(f"{RECONCILIATION_PREFIX}{day.isoformat()}"), "SK": _s("R")},
        ).get("Item")
        return Reconciliation.model_validate_json(item["data"]["S"]) if item else None

    def _day_page(self, day: date, prefix: str, *, limit: int, token: str | None) -> Page[Order]:
        partition = f"{PAYDAY_PREFIX}{day.isoformat()}"
        query: dict[str, Any] = {
            "TableName": self.table,
            "IndexName": "GSI2",
            "KeyConditionExpression": "GSI2PK = :pk",
            "ExpressionAttributeValues": {":pk": _s(partition)},
            "Limit": limit,
        }
        if prefix:  # one agency's orders of the day
            query["KeyConditionExpression"] += " AND begins_with(GSI2SK, :prefix)"
            query["ExpressionAttributeValues"][":prefix"] = _s(prefix)
        items, next_token = self._call(
            partial(query_page, self.client, query, token), names=_GSI2_NAMES, listing={"GSI2PK": partition}
        )
        # A token pointing into another agency's keys reads nothing of theirs: the key condition holds.
        return Page[Order](
            items=[Order.model_validate_json(item["data"]["S"]) for item in items], next_token=next_token
        )

    _call = staticmethod(DynamoPaymentStore._call)
