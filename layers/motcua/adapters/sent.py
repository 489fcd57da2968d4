"""The messages sent to citizens, on the single table (docs/data-model.md): a partition per account."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import ClientError

from motcua.adapters.query_pages import query_page
from motcua.domain.models import Page
from motcua.domain.sent import SentMessage
from motcua.resources import SENT_PREFIX


def _s(value: str) -> dict[str, str]:
    return {"S": value}


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def sent_key(message: SentMessage) -> dict[str, str]:
    """`SENT#<owner>` / `<sent at, UTC>#<message key>`: newest first is a descending Query, and a
    message delivered again (same key, same time from the once-only record) finds its item there."""
    return {"PK": f"{SENT_PREFIX}{message.owner}", "SK": f"{_stamp(message.sent_at)}#{message.key}"}


class DynamoSentMessages:
    """Implements SentMessages: a conditional Put per message, a Query per page (never a Scan)."""

    def __init__(self, client: Any, table_name: str) -> None:
        self.client = client
        self.table = table_name

    def record(self, message: SentMessage, *, expires_at: datetime) -> bool:
        key = sent_key(message)
        try:
            self.client.put_item(
                TableName=self.table,
                Item={
                    "PK": _s(key["PK"]),
                    "SK": _s(key["SK"]),
                    "type": _s("sent"),
                    "data": _s(message.model_dump_json()),
                    "expires_at": {"N": str(int(expires_at.timestamp()))},
                },
                ConditionExpression="attribute_not_exists(PK)",
            )
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def for_owner(self, owner: str, *, limit: int, token: str | None) -> Page[SentMessage]:
        partition = f"{SENT_PREFIX}{owner}"
        kwargs: dict[str, Any] = {
            "TableName": self.table,
            "KeyConditionExpression": "PK = :pk",
            "ExpressionAttributeValues": {":pk": _s(partition)},
            "ScanIndexForward": False,
            "Limit": limit,
        }
        # A token continues only the listing it came from: never another citizen's messages.
        items, next_token = query_page(
            self.client, kwargs, token, names={"PK", "SK"}, listing={"PK": partition}
        )
        messages = [SentMessage.model_validate_json(item["data"]["S"]) for item in items]
        return Page(items=messages, next_token=next_token)
