"""Feedback on the single table (docs/data-model.md, docs/feedback.md).

- the agency's day counter: `SEQ#PAKN#<agency>#<YYMMDD>` / `SEQ`, `last` (the dossiers' counters' shape,
  another partition: a feedback never takes a dossier's number);
- a feedback: `FB#<code>` / `F`, with `GSI1PK = FBOWNER#<owner>` (the sender's list) and
  `GSI2PK = FEEDBACK#<agency>`, `GSI2SK = open#<due, UTC>#<code>` while open, then
  `answered#<answered at, UTC>#<code>` (the agency's two lists, one Query each);
- its answer's note: `FB#<code>` / `A`, written once (`attribute_not_exists`) with `notify`: the table's
  stream takes it to the notifier, as it does a dossier's audit entry; a second answer fails there;
- a published answer: `FB#PUBLIC#<id>` / `P`, `GSI1PK = FBPUBLIC`, `GSI1SK = <published at, UTC>#<id>`:
  the public list, one Query, holding no code, name or contact.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime
from typing import Any

from botocore.exceptions import ClientError

from motcua.adapters.dynamodb import _cancellations, transact
from motcua.adapters.query_pages import query_after
from motcua.domain.feedback import (
    AlreadyAnswered,
    Feedback,
    FeedbackChanged,
    FeedbackSequenceTaken,
    FeedbackState,
    Publication,
)
from motcua.resources import COUNTER_PREFIX, FEEDBACK_PREFIX, NOTIFY_ATTRIBUTE

OWNER_PREFIX = "FBOWNER#"
AGENCY_PREFIX = "FEEDBACK#"
PUBLIC_PARTITION = "FBPUBLIC"
PUBLIC_PREFIX = f"{FEEDBACK_PREFIX}PUBLIC#"
ANSWERED_EVENT = "feedback_answered"  # the `notify` attribute of an answer's note


def _s(value: str) -> dict[str, str]:
    return {"S": value}


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def counter_key(agency: str, day: date) -> dict[str, Any]:
    return {"PK": _s(f"{COUNTER_PREFIX}PAKN#{agency}#{day:%y%m%d}"), "SK": _s("SEQ")}


def feedback_key(code: str) -> dict[str, Any]:
    return {"PK": _s(f"{FEEDBACK_PREFIX}{code}"), "SK": _s("F")}


def publication_id(code: str) -> str:
    """The public entry's id: not the code (the public list names no feedback), kept when published again."""
    return hashlib.sha256(f"motcua-feedback-publication#{code}".encode()).hexdigest()[:24]


def _listing_key(feedback: Feedback) -> str:
    if feedback.answer is None:
        return f"{FeedbackState.OPEN.value}#{_stamp(feedback.due_at)}#{feedback.code}"
    return f"{FeedbackState.ANSWERED.value}#{_stamp(feedback.answer.at)}#{feedback.code}"


def feedback_from_stream(record: dict[str, Any]) -> Feedback | None:
    """A stream record of an answer to tell its sender of (as the notification pipe passes it on)."""
    image = (record.get("dynamodb") or {}).get("NewImage") or {}
    if image.get("type", {}).get("S") != "feedback_answer" or NOTIFY_ATTRIBUTE not in image:
        return None
    return Feedback.model_validate_json(image["data"]["S"])


class DynamoFeedbackBox:
    """Implements FeedbackBox: a GetItem or a Query per read, one transaction per change."""

    def __init__(self, client: Any, table_name: str) -> None:
        self.client = client
        self.table = table_name

    def _item(self, feedback: Feedback, expires_at: int) -> dict[str, Any]:
        return {
            **feedback_key(feedback.code),
            "type": _s("feedback"),
            "state": _s(feedback.state.value),
            "data": _s(feedback.model_dump_json()),
            "GSI1PK": _s(f"{OWNER_PREFIX}{feedback.owner}"),
            "GSI1SK": _s(f"{_stamp(feedback.sent_at)}#{feedback.code}"),
            "GSI2PK": _s(f"{AGENCY_PREFIX}{feedback.agency}"),
            "GSI2SK": _s(_listing_key(feedback)),
            "expires_at": {"N": str(expires_at)},
        }

    def last_sequence(self, agency: str, day: date) -> int:
        found = self.client.get_item(
            TableName=self.table,
            Key=counter_key(agency, day),
            ConsistentRead=True,
            ProjectionExpression="#l",
            ExpressionAttributeNames={"#l": "last"},
        ).get("Item")
        return int(found["last"]["N"]) if found else 0

    def add(self, feedback: Feedback, *, sequence: int, expires_at: datetime) -> None:
        day = feedback.sent_at
        last = sequence - 1
        items = [
            {
                "Update": {
                    "TableName": self.table,
                    "Key": counter_key(feedback.agency, _day_of(feedback.code, day)),
                    "UpdateExpression": "SET #l = :next",
                    "ConditionExpression": "attribute_not_exists(PK)" if last == 0 else "#l = :last",
                    "ExpressionAttributeNames": {"#l": "last"},
                    "ExpressionAttributeValues": {":next": {"N": str(sequence)}}
                    | ({":last": {"N": str(last)}} if last else {}),
                }
            },
            {
                "Put": {
                    "TableName": self.table,
                    "Item": self._item(feedback, int(expires_at.timestamp())),
                    "ConditionExpression": "attribute_not_exists(PK)",
                }
            },
        ]
        try:
            self._transact(items)
        except ClientError as error:
            _cancellations(error)
            raise FeedbackSequenceTaken(feedback.code) from error

    def _expiry(self, code: str) -> int:
        item = self.client.get_item(
            TableName=self.table, Key=feedback_key(code), ProjectionExpression="expires_at"
        ).get("Item")
        return int(item["expires_at"]["N"]) if item else 0

    def get(self, code: str) -> Feedback | None:
        item = self.client.get_item(TableName=self.table, Key=feedback_key(code), ConsistentRead=True).get(
            "Item"
        )
        return Feedback.model_validate_json(item["data"]["S"]) if item else None

    def answer(self, feedback: Feedback) -> None:
        expiry = self._expiry(feedback.code)
        note = {
            "PK": _s(f"{FEEDBACK_PREFIX}{feedback.code}"),
            "SK": _s("A"),
            "type": _s("feedback_answer"),
            "data": _s(feedback.model_dump_json()),
            NOTIFY_ATTRIBUTE: _s(ANSWERED_EVENT),
            "expires_at": {"N": str(expiry)},
        }
        items = [
            {
                "Put": {
                    "TableName": self.table,
                    "Item": self._item(feedback, expiry),
                    "ConditionExpression": "#s = :open",
                    "ExpressionAttributeNames": {"#s": "state"},
                    "ExpressionAttributeValues": {":open": _s(FeedbackState.OPEN.value)},
                }
            },
            {
                "Put": {
                    "TableName": self.table,
                    "Item": note,
                    "ConditionExpression": "attribute_not_exists(PK)",
                }
            },
        ]
        try:
            self._transact(items)
        except ClientError as error:
            _cancellations(error)
            raise AlreadyAnswered(feedback.code) from error

    def publish(self, feedback: Feedback) -> None:
        publication = feedback.published
        if publication is None:
            raise ValueError("nothing to publish")
        expiry = self._expiry(feedback.code)
        pid = publication_id(feedback.code)
        entry = {
            "PK": _s(f"{PUBLIC_PREFIX}{pid}"),
            "SK": _s("P"),
            "type": _s("feedback_publication"),
            "data": _s(publication.model_dump_json()),
            "GSI1PK": _s(PUBLIC_PARTITION),
            "GSI1SK": _s(f"{_stamp(publication.published_at)}#{pid}"),
            "expires_at": {"N": str(expiry)},
        }
        items = [
            {
                "Put": {
                    "TableName": self.table,
                    "Item": self._item(feedback, expiry),
                    "ConditionExpression": "#s = :answered",
                    "ExpressionAttributeNames": {"#s": "state"},
                    "ExpressionAttributeValues": {":answered": _s(FeedbackState.ANSWERED.value)},
                }
            },
            {"Put": {"TableName": self.table, "Item": entry}},
        ]
        try:
            self._transact(items)
        except ClientError as error:
            _cancellations(error)
            raise FeedbackChanged(feedback.code) from error

    def for_owner(self, owner: str, *, limit: int) -> list[Feedback]:
        response = self.client.query(
            TableName=self.table,
            IndexName="GSI1",
            KeyConditionExpression="GSI1PK = :pk",
            ExpressionAttributeValues={":pk": _s(f"{OWNER_PREFIX}{owner}")},
            ScanIndexForward=False,
            Limit=limit,
        )
        return [Feedback.model_validate_json(item["data"]["S"]) for item in response["Items"]]

    def for_agency(
        self, agency: str, state: FeedbackState, *, limit: int, after: str | None
    ) -> tuple[list[Feedback], str | None]:
        pk = f"{AGENCY_PREFIX}{agency}"
        kwargs: dict[str, Any] = {
            "TableName": self.table,
            "IndexName": "GSI2",
            "KeyConditionExpression": "GSI2PK = :pk AND begins_with(GSI2SK, :state)",
            "ExpressionAttributeValues": {":pk": _s(pk), ":state": _s(f"{state.value}#")},
            # open: the soonest due first; answered: the latest answer first
            "ScanIndexForward": state is FeedbackState.OPEN,
            "Limit": limit,
        }
        start = None
        if after is not None:
            code = after.rsplit("#", 1)[-1]
            start = {**feedback_key(code), "GSI2PK": _s(pk), "GSI2SK": _s(after)}
        items, last = query_after(self.client, kwargs, start, sort_key="GSI2SK")
        return [Feedback.model_validate_json(item["data"]["S"]) for item in items], last

    def published(self, *, limit: int, after: str | None) -> tuple[list[Publication], str | None]:
        kwargs: dict[str, Any] = {
            "TableName": self.table,
            "IndexName": "GSI1",
            "KeyConditionExpression": "GSI1PK = :pk",
            "ExpressionAttributeValues": {":pk": _s(PUBLIC_PARTITION)},
            "ScanIndexForward": False,
            "Limit": limit,
        }
        start = None
        if after is not None:
            pid = after.rsplit("#", 1)[-1]
            start = {
                "PK": _s(f"{PUBLIC_PREFIX}{pid}"),
                "SK": _s("P"),
                "GSI1PK": _s(PUBLIC_PARTITION),
                "GSI1SK": _s(after),
            }
        items, last = query_after(self.client, kwargs, start, sort_key="GSI1SK")
        return [Publication.model_validate_json(item["data"]["S"]) for item in items], last

    def _transact(self, items: list[dict[str, Any]]) -> None:
        transact(self.client, items)


def _day_of(code: str, sent_at: datetime) -> date:
    """The day the code numbers (its YYMMDD), which is the sending day in Vietnam's time."""
    from motcua.domain.feedback import FeedbackCode

    try:
        return FeedbackCode.parse(code).day
    except ValueError:  # pragma: no cover — the service makes every code
        return sent_at.date()
