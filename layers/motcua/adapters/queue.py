"""Queue tickets on the single table (docs/data-model.md): a partition per centre and day.

`Q#<centre>#<YYYYMMDD>` holds, in sort-key order, the counters' calls (`A#<nn>`), the services' last
numbers (`N#<letter>`), the waiting tickets in calling order (`Q#<class>#<arrival, UTC>#<id>`), then
every ticket (`T#<id>`) and the bookings checked in (`V#<code>`). Everything before `T` is what a board
or a counter needs: one strongly consistent Query reads it.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from botocore.exceptions import ClientError

from motcua.domain.errors import Unavailable
from motcua.domain.i18n import Text
from motcua.domain.ports import AppointmentCheckedIn, QueueChanged, SequenceTaken
from motcua.domain.queue import CounterCall, QueueDay, Ticket, TicketState, ordered
from motcua.resources import QUEUE_PREFIX

# A day's queue holds no personal data; it is kept for the centre's statistics, then expires.
QUEUE_DAYS = 90
THROTTLED = {"ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded"}
BUSY = Text(
    vi="Hệ thống đang quá tải; vui lòng thử lại sau ít giây.",
    en="The service is overloaded; please try again in a few seconds.",
)


def _s(value: str) -> dict[str, str]:
    return {"S": value}


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def queue_pk(centre: str, day: date) -> str:
    return f"{QUEUE_PREFIX}{centre}#{day:%Y%m%d}"


def waiting_sk(ticket: Ticket) -> str:
    """The waiting entry's sort key: the table keeps the calling order (class, arrival, id)."""
    return f"Q#{ticket.kind.rank}#{_stamp(ticket.issued_at)}#{ticket.id}"


class DynamoQueueStore:
    """Implements QueueStore: a read is one Query of the day's partition, a change one transaction."""

    def __init__(self, client: Any, table_name: str, *, keep_days: int = QUEUE_DAYS) -> None:
        self.client = client
        self.table = table_name
        self.keep_days = keep_days

    def _expiry(self, day: date) -> dict[str, Any]:
        end = datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(days=self.keep_days)
        return {"expires_at": {"N": str(int(end.timestamp()))}}

    def _item(self, pk: str, sk: str, kind: str, data: str, day: date, **extra: Any) -> dict[str, Any]:
        return {"PK": _s(pk), "SK": _s(sk), "type": _s(kind), "data": _s(data), **extra, **self._expiry(day)}

    # --- reading ---------------------------------------------------------------------------

    def day(self, centre: str, day: date) -> QueueDay:
        kwargs: dict[str, Any] = {
            "TableName": self.table,
            "KeyConditionExpression": "PK = :pk AND SK < :t",
            "ExpressionAttributeValues": {":pk": _s(queue_pk(centre, day)), ":t": _s("T")},
            "ConsistentRead": True,
        }
        calls: dict[int, CounterCall] = {}
        numbers: dict[str, int] = {}
        waiting: list[Ticket] = []
        while True:
            response = self._call("query", **kwargs)
            for item in response["Items"]:
                sk = item["SK"]["S"]
                if sk.startswith("A#"):
                    call = CounterCall.model_validate_json(item["data"]["S"])
                    calls[call.counter] = call
                elif sk.startswith("N#"):
                    numbers[sk[2:]] = int(item["last"]["N"])
                elif sk.startswith("Q#"):
                    waiting.append(Ticket.model_validate_json(item["data"]["S"]))
            if "LastEvaluatedKey" not in response:
                break
            kwargs["ExclusiveStartKey"] = response["LastEvaluatedKey"]
        return QueueDay(calls=calls, last_numbers=numbers, waiting=ordered(waiting))

    def ticket(self, centre: str, day: date, ticket_id: str) -> Ticket | None:
        found = self._call(
            "get_item",
            TableName=self.table,
            Key={"PK": _s(queue_pk(centre, day)), "SK": _s(f"T#{ticket_id}")},
            ConsistentRead=True,
        ).get("Item")
        return Ticket.model_validate_json(found["data"]["S"]) if found else None

    # --- writing ---------------------------------------------------------------------------

    def issue(self, ticket: Ticket) -> None:
        pk, data = queue_pk(ticket.centre, ticket.day), ticket.model_dump_json()
        last = ticket.number - 1
        items: list[dict[str, Any]] = [
            {
                "Update": {
                    "TableName": self.table,
                    "Key": {"PK": _s(pk), "SK": _s(f"N#{ticket.letter}")},
                    "UpdateExpression": "SET #l = :n, #t = :type, expires_at = :x",
                    "ConditionExpression": "attribute_not_exists(PK)" if last == 0 else "#l = :last",
                    "ExpressionAttributeNames": {"#l": "last", "#t": "type"},
                    "ExpressionAttributeValues": {
                        ":n": {"N": str(ticket.number)},
                        ":type": _s("queue_number"),
                        ":x": self._expiry(ticket.day)["expires_at"],
                    }
                    | ({":last": {"N": str(last)}} if last else {}),
                }
            },
            self._put(self._ticket_item(ticket), "attribute_not_exists(PK)"),
            self._put(self._item(pk, waiting_sk(ticket), "queue_waiting", data, ticket.day)),
        ]
        if ticket.appointment is not None:
            items.append(
                self._put(
                    self._item(pk, f"V#{ticket.appointment}", "queue_checkin", ticket.id, ticket.day),
                    "attribute_not_exists(PK)",
                    ReturnValuesOnConditionCheckFailure="ALL_OLD",
                )
            )
        try:
            self._transact(items)
        except ClientError as error:
            reasons = _cancellations(error)
            if len(reasons) > 3 and reasons[3].get("Code") == "ConditionalCheckFailed":
                old = reasons[3].get("Item") or {}
                raise AppointmentCheckedIn(old.get("data", {}).get("S", "?")) from error
            raise SequenceTaken(ticket.id) from error

    def change(
        self,
        *,
        tickets: tuple[tuple[Ticket, Ticket], ...],
        counter: tuple[CounterCall, CounterCall] | None = None,
        centre: str,
        day: date,
    ) -> None:
        pk = queue_pk(centre, day)
        items: list[dict[str, Any]] = []
        for before, after in tickets:
            items.append(
                self._put(
                    self._ticket_item(after),
                    "#d = :before",
                    ExpressionAttributeNames={"#d": "data"},
                    ExpressionAttributeValues={":before": _s(before.model_dump_json())},
                )
            )
            if before.state is TicketState.WAITING:
                items.append(
                    {
                        "Delete": {
                            "TableName": self.table,
                            "Key": {"PK": _s(pk), "SK": _s(waiting_sk(before))},
                            "ConditionExpression": "attribute_exists(PK)",
                        }
                    }
                )
            if after.state is TicketState.WAITING:
                items.append(
                    self._put(
                        self._item(pk, waiting_sk(after), "queue_waiting", after.model_dump_json(), day)
                    )
                )
        if counter is not None:
            was, now = counter
            item = self._item(pk, f"A#{now.counter:02d}", "queue_counter", now.model_dump_json(), day)
            if was == CounterCall(counter=was.counter):
                items.append(self._put(item, "attribute_not_exists(PK)"))
            else:
                items.append(
                    self._put(
                        item,
                        "#d = :before",
                        ExpressionAttributeNames={"#d": "data"},
                        ExpressionAttributeValues={":before": _s(was.model_dump_json())},
                    )
                )
        try:
            self._transact(items)
        except ClientError as error:
            _cancellations(error)
            raise QueueChanged(pk) from error

    # --- helpers ---------------------------------------------------------------------------

    def _ticket_item(self, ticket: Ticket) -> dict[str, Any]:
        pk = queue_pk(ticket.centre, ticket.day)
        return self._item(pk, f"T#{ticket.id}", "queue_ticket", ticket.model_dump_json(), ticket.day)

    def _put(self, item: dict[str, Any], condition: str | None = None, **extra: Any) -> dict[str, Any]:
        put: dict[str, Any] = {"TableName": self.table, "Item": item, **extra}
        if condition:
            put["ConditionExpression"] = condition
        return {"Put": put}

    def _transact(self, items: list[dict[str, Any]]) -> None:
        """One TransactWriteItems, its token the hash of the items (an SDK retry of a success is one)."""
        digest = hashlib.sha256(json.dumps(items, sort_keys=True).encode()).digest()
        self._call(
            "transact_write_items", TransactItems=items, ClientRequestToken=str(uuid.UUID(bytes=digest[:16]))
        )

    def _call(self, operation: str, **kwargs: Any) -> Any:
        try:
            return getattr(self.client, operation)(**kwargs)
        except ClientError as error:
            if error.response["Error"]["Code"] in THROTTLED:
                raise Unavailable(BUSY, retry_after=5, code="busy") from error
            raise


def _cancellations(error: ClientError) -> list[dict[str, Any]]:
    """Why a transaction was cancelled, item by item (a conflict); any other error is raised again."""
    code = error.response["Error"]["Code"]
    if code == "IdempotentParameterMismatchException":
        return []
    if code != "TransactionCanceledException":
        raise error
    reasons: list[dict[str, Any]] = error.response.get("CancellationReasons", [])
    return reasons
