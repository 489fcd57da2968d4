"""Appointments on the single table (docs/data-model.md): a slot's places as a conditional counter.

- a slot's places taken: `APPT#<centre>#<service>#<YYYY-MM-DD>` / `S#<HHMM>`, `taken` (and `no_shows`);
  one Query on the partition reads a whole day of a service;
- a booking: `BOOKING#<code>` / `B`, with `GSI1PK = BOOKINGS#<owner>` (my appointments),
  `GSI2PK = APPTDAY#<centre>#<YYYY-MM-DD>`, `GSI2SK = <slot start, UTC>#<code>` (the centre's day, for
  its staff) and, while it waits for its check-in, `GSI3PK = CHECKIN#<centre>`,
  `GSI3SK = <slot end, UTC>#<code>` (no-shows);
- the one-a-day guard: `BOOKED#<owner>#<centre>#<service>#<YYYY-MM-DD>` / `BOOKED`, `active` until the
  booking is cancelled (then set false, never deleted: the API deletes only in the queue's partitions).

A booking is one TransactWriteItems: the slot's counter `ADD taken 1` only if `taken < capacity` (or
the slot was never booked), the guard and the booking only if absent. The booking's item carries
`notify` = `booked`: the table's stream takes it to the notifier, as it does a dossier's audit entry.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from botocore.exceptions import ClientError

from motcua.adapters.dynamodb import _cancellations, transact
from motcua.adapters.query_pages import query_all
from motcua.domain.appointments import (
    AlreadyBooked,
    Booking,
    BookingChanged,
    BookingState,
    CodeTaken,
    SlotTaken,
)
from motcua.resources import APPOINTMENT_SLOTS_PREFIX, BOOKED_PREFIX, BOOKING_PREFIX, NOTIFY_ATTRIBUTE

SLOTS_PREFIX = APPOINTMENT_SLOTS_PREFIX
OWNER_BOOKINGS_PREFIX = "BOOKINGS#"
GUARD_PREFIX = BOOKED_PREFIX
CHECK_IN_PREFIX = "CHECKIN#"
DAY_PREFIX = "APPTDAY#"
BOOKED_EVENT = "booked"  # the `notify` attribute of a new booking


def _s(value: str) -> dict[str, str]:
    return {"S": value}


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _slots_pk(centre: str, service: str, day: date) -> str:
    return f"{SLOTS_PREFIX}{centre}#{service}#{day.isoformat()}"


def _slot_key(booking: Booking) -> dict[str, Any]:
    slot = booking.slot
    return {"PK": _s(_slots_pk(booking.centre, booking.service, slot.day)), "SK": _s(f"S#{slot.key}")}


def _guard_key(booking: Booking) -> dict[str, Any]:
    day = booking.slot.day.isoformat()
    return {
        "PK": _s(f"{GUARD_PREFIX}{booking.owner}#{booking.centre}#{booking.service}#{day}"),
        "SK": _s("BOOKED"),
    }


def booking_key(code: str) -> dict[str, Any]:
    return {"PK": _s(f"{BOOKING_PREFIX}{code}"), "SK": _s("B")}


def booking_from_stream(record: dict[str, Any]) -> Booking | None:
    """A stream record of a new booking to tell its owner of (as the notification pipe passes it on)."""
    image = (record.get("dynamodb") or {}).get("NewImage") or {}
    if image.get("type", {}).get("S") != "booking" or NOTIFY_ATTRIBUTE not in image:
        return None
    return Booking.model_validate_json(image["data"]["S"])


class DynamoAppointmentBook:
    """Implements AppointmentBook: a Query per day read, one transaction per booking or change."""

    def __init__(self, client: Any, table_name: str) -> None:
        self.client = client
        self.table = table_name

    def _item(self, booking: Booking, expires_at: int) -> dict[str, Any]:
        item: dict[str, Any] = {
            **booking_key(booking.code),
            "type": _s("booking"),
            "state": _s(booking.state.value),
            "data": _s(booking.model_dump_json()),
            "GSI1PK": _s(f"{OWNER_BOOKINGS_PREFIX}{booking.owner}"),
            "GSI1SK": _s(f"{_stamp(booking.start)}#{booking.code}"),
            "GSI2PK": _s(f"{DAY_PREFIX}{booking.centre}#{booking.slot.day.isoformat()}"),
            "GSI2SK": _s(f"{_stamp(booking.start)}#{booking.code}"),
            "expires_at": {"N": str(expires_at)},
        }
        if booking.state is BookingState.BOOKED:
            item["GSI3PK"] = _s(f"{CHECK_IN_PREFIX}{booking.centre}")
            item["GSI3SK"] = _s(f"{_stamp(booking.end)}#{booking.code}")
        return item

    def taken(self, centre: str, service: str, day: date) -> dict[str, int]:
        items = query_all(
            self.client,
            {
                "TableName": self.table,
                "KeyConditionExpression": "PK = :pk",
                "ExpressionAttributeValues": {":pk": _s(_slots_pk(centre, service, day))},
                "ProjectionExpression": "SK, taken",
            },
        )
        return {item["SK"]["S"].removeprefix("S#"): int(item.get("taken", {"N": "0"})["N"]) for item in items}

    def book(self, booking: Booking, *, capacity: int, expires_at: datetime) -> None:
        expiry = int(expires_at.timestamp())
        item = self._item(booking, expiry) | {NOTIFY_ATTRIBUTE: _s(BOOKED_EVENT)}
        items = [
            {
                "Update": {
                    "TableName": self.table,
                    "Key": _slot_key(booking),
                    "UpdateExpression": "ADD taken :one SET expires_at = :exp",
                    "ConditionExpression": "attribute_not_exists(taken) OR taken < :cap",
                    "ExpressionAttributeValues": {
                        ":one": {"N": "1"},
                        ":cap": {"N": str(capacity)},
                        ":exp": {"N": str(expiry)},
                    },
                }
            },
            {
                "Put": {
                    "TableName": self.table,
                    "Item": _guard_key(booking)
                    | {"code": _s(booking.code), "active": {"BOOL": True}, "expires_at": {"N": str(expiry)}},
                    # a guard a cancellation let go is taken again
                    "ConditionExpression": "attribute_not_exists(PK) OR active = :no",
                    "ExpressionAttributeValues": {":no": {"BOOL": False}},
                }
            },
            {
                "Put": {
                    "TableName": self.table,
                    "Item": item,
                    "ConditionExpression": "attribute_not_exists(PK)",
                }
            },
        ]
        try:
            self._transact(items)
        except ClientError as error:
            reasons = _cancellations(error)
            failed = [n for n, reason in enumerate(reasons) if reason.get("Code") == "ConditionalCheckFailed"]
            if 0 in failed:
                raise SlotTaken(booking.slot.key) from error
            if 1 in failed:
                raise AlreadyBooked() from error
            if 2 in failed:
                raise CodeTaken(booking.code) from error
            raise SlotTaken(booking.slot.key) from error  # the items were busy: as good as taken

    def get(self, code: str) -> Booking | None:
        item = self.client.get_item(TableName=self.table, Key=booking_key(code), ConsistentRead=True).get(
            "Item"
        )
        return Booking.model_validate_json(item["data"]["S"]) if item else None

    def for_owner(self, owner: str, *, since: datetime, limit: int) -> list[Booking]:
        response = self.client.query(
            TableName=self.table,
            IndexName="GSI1",
            KeyConditionExpression="GSI1PK = :pk AND GSI1SK >= :since",
            ExpressionAttributeValues={
                ":pk": _s(f"{OWNER_BOOKINGS_PREFIX}{owner}"),
                # by the start: a slot ends at most a few hours after it starts
                ":since": _s(_stamp(since.replace(hour=0, minute=0, second=0, microsecond=0))),
            },
            Limit=limit,
        )
        bookings = [Booking.model_validate_json(item["data"]["S"]) for item in response["Items"]]
        return [booking for booking in bookings if booking.end > since]

    def _replace_booked(self, booking: Booking) -> dict[str, Any]:
        expiry = int(booking.end.timestamp()) + 365 * 86_400
        return {
            "Put": {
                "TableName": self.table,
                "Item": self._item(booking, expiry),
                "ConditionExpression": "#s = :booked",
                "ExpressionAttributeNames": {"#s": "state"},
                "ExpressionAttributeValues": {":booked": _s(BookingState.BOOKED.value)},
            }
        }

    def release(self, booking: Booking) -> None:
        items = [
            self._replace_booked(booking),
            {
                "Update": {
                    "TableName": self.table,
                    "Key": _slot_key(booking),
                    "UpdateExpression": "ADD taken :minus",
                    "ConditionExpression": "taken > :zero",
                    "ExpressionAttributeValues": {":minus": {"N": "-1"}, ":zero": {"N": "0"}},
                }
            },
            {
                "Update": {
                    "TableName": self.table,
                    "Key": _guard_key(booking),
                    "UpdateExpression": "SET active = :no",
                    "ExpressionAttributeValues": {":no": {"BOOL": False}},
                }
            },
        ]
        try:
            self._transact(items)
        except ClientError as error:
            _cancellations(error)
            raise BookingChanged(booking.code) from error

    def update(self, booking: Booking, *, no_show: bool = False) -> None:
        items = [self._replace_booked(booking)]
        if no_show:
            items.append(
                {
                    "Update": {
                        "TableName": self.table,
                        "Key": _slot_key(booking),
                        "UpdateExpression": "ADD no_shows :one",
                        "ExpressionAttributeValues": {":one": {"N": "1"}},
                    }
                }
            )
        try:
            self._transact(items)
        except ClientError as error:
            _cancellations(error)
            raise BookingChanged(booking.code) from error

    def awaiting(self, centre: str, *, ended_by: datetime, limit: int) -> list[Booking]:
        response = self.client.query(
            TableName=self.table,
            IndexName="GSI3",
            KeyConditionExpression="GSI3PK = :pk AND GSI3SK <= :until",
            ExpressionAttributeValues={
                ":pk": _s(f"{CHECK_IN_PREFIX}{centre}"),
                ":until": _s(f"{_stamp(ended_by)}#~"),
            },
            Limit=limit,
        )
        return [Booking.model_validate_json(item["data"]["S"]) for item in response["Items"]]

    def on_day(self, centre: str, day: date) -> list[Booking]:
        items = query_all(
            self.client,
            {
                "TableName": self.table,
                "IndexName": "GSI2",
                "KeyConditionExpression": "GSI2PK = :pk",
                "ExpressionAttributeValues": {":pk": _s(f"{DAY_PREFIX}{centre}#{day.isoformat()}")},
            },
        )
        return [Booking.model_validate_json(item["data"]["S"]) for item in items]

    def _transact(self, items: list[dict[str, Any]]) -> None:
        transact(self.client, items)
