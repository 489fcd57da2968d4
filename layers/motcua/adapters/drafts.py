"""Citizens' drafts on the single table (docs/data-model.md): one partition per citizen, one item per
procedure, written under a condition on its version."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from motcua.domain.drafts import Draft
from motcua.domain.ports import DraftChanged
from motcua.resources import DRAFT_PREFIX

if TYPE_CHECKING:
    from datetime import datetime

SORT_PREFIX = "P#"


def _s(value: str) -> dict[str, str]:
    return {"S": value}


def draft_key(owner: str, procedure_code: str) -> dict[str, Any]:
    """The key of a citizen's draft of a procedure (filing deletes it in its own transaction)."""
    return {"PK": _s(f"{DRAFT_PREFIX}{owner}"), "SK": _s(f"{SORT_PREFIX}{procedure_code}")}


def _epoch(moment: datetime) -> dict[str, str]:
    return {"N": str(int(moment.timestamp()))}


class DynamoDraftRepository:
    """Implements DraftRepository: GetItem, Query, and conditional PutItem / DeleteItem."""

    def __init__(self, client: Any, table_name: str) -> None:
        self.client = client
        self.table = table_name

    def get(self, owner: str, procedure_code: str, *, now: datetime) -> Draft | None:
        item = self.client.get_item(
            TableName=self.table, Key=draft_key(owner, procedure_code), ConsistentRead=True
        ).get("Item")
        # The TTL removes an expired item within days, not at once: until then it is not read.
        if item is None or int(item["expires_at"]["N"]) <= int(now.timestamp()):
            return None
        return Draft.model_validate_json(item["data"]["S"])

    def list(self, owner: str, *, now: datetime) -> list[Draft]:
        drafts: list[Draft] = []
        kwargs: dict[str, Any] = {
            "TableName": self.table,
            "KeyConditionExpression": "PK = :pk AND begins_with(SK, :p)",
            "FilterExpression": "expires_at > :now",
            "ExpressionAttributeValues": {
                ":pk": _s(f"{DRAFT_PREFIX}{owner}"),
                ":p": _s(SORT_PREFIX),
                ":now": _epoch(now),
            },
            "ConsistentRead": True,
        }
        while True:
            response = self.client.query(**kwargs)
            drafts += [Draft.model_validate_json(item["data"]["S"]) for item in response["Items"]]
            if "LastEvaluatedKey" not in response:
                break
            kwargs["ExclusiveStartKey"] = response["LastEvaluatedKey"]
        return sorted(drafts, key=lambda draft: draft.saved_at, reverse=True)

    def put(self, draft: Draft, *, expected_version: int | None, now: datetime) -> None:
        item = {
            **draft_key(draft.owner, draft.procedure_code),
            "type": _s("draft"),
            "version": {"N": str(draft.version)},
            "expires_at": _epoch(draft.expires_at),
            "data": _s(draft.model_dump_json()),
        }
        if expected_version is None:  # new, or in the place of one expired
            condition: dict[str, Any] = {
                "ConditionExpression": "attribute_not_exists(PK) OR expires_at <= :now",
                "ExpressionAttributeValues": {":now": _epoch(now)},
            }
        else:
            condition = {
                "ConditionExpression": "#v = :expected AND expires_at > :now",
                "ExpressionAttributeNames": {"#v": "version"},
                "ExpressionAttributeValues": {":expected": {"N": str(expected_version)}, ":now": _epoch(now)},
            }
        try:
            self.client.put_item(TableName=self.table, Item=item, **condition)
        except ClientError as error:
            if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                raise DraftChanged(draft.procedure_code) from error
            raise

    def delete(self, owner: str, procedure_code: str, *, expected_version: int | None) -> bool:
        extra: dict[str, Any] = {}
        if expected_version is not None:
            extra = {
                "ConditionExpression": "attribute_not_exists(PK) OR #v = :expected",
                "ExpressionAttributeNames": {"#v": "version"},
                "ExpressionAttributeValues": {":expected": {"N": str(expected_version)}},
            }
        try:
            response = self.client.delete_item(
                TableName=self.table, Key=draft_key(owner, procedure_code), ReturnValues="ALL_OLD", **extra
            )
        except ClientError as error:
            if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                raise DraftChanged(procedure_code) from error
            raise
        return "Attributes" in response
