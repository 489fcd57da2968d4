"""The staff access log on the single table (docs/data-model.md): by dossier, and by agency."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from motcua.domain.access import AccessEntry
from motcua.domain.errors import BadRequest
from motcua.domain.i18n import Text
from motcua.domain.models import Page
from motcua.domain.paging import decode_token, encode_token
from motcua.resources import DOSSIER_PREFIX

# Sorts before the dossier's own items ("D", "E#", "T#"), so reading a dossier never reads its log,
# and apart from the audit trail ("A#").
SORT_PREFIX = "AL#"
AGENCY_PREFIX = "ACCESS#"
INDEX = "GSI1"


def _s(value: str) -> dict[str, str]:
    return {"S": value}


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class DynamoAccessLog:
    """Implements AccessLog: a Put per entry, a Query per page (never a Scan)."""

    def __init__(self, client: Any, table_name: str) -> None:
        self.client = client
        self.table = table_name

    def record(self, entry: AccessEntry, *, expires_at: datetime) -> None:
        sort = f"{_stamp(entry.at)}#{entry.id}"
        self.client.put_item(
            TableName=self.table,
            Item={
                "PK": _s(f"{DOSSIER_PREFIX}{entry.dossier_code}"),
                "SK": _s(f"{SORT_PREFIX}{sort}"),
                "type": _s("access"),
                "GSI1PK": _s(f"{AGENCY_PREFIX}{entry.agency}"),
                "GSI1SK": _s(sort),
                "data": _s(entry.model_dump_json()),
                "expires_at": {"N": str(int(expires_at.timestamp()))},
            },
            ConditionExpression="attribute_not_exists(PK)",
        )

    def by_agency(self, agency: str, *, limit: int, token: str | None) -> Page[AccessEntry]:
        return self._page(
            {
                "IndexName": INDEX,
                "KeyConditionExpression": "GSI1PK = :pk",
                "ExpressionAttributeValues": {":pk": _s(f"{AGENCY_PREFIX}{agency}")},
            },
            {"GSI1PK": f"{AGENCY_PREFIX}{agency}"},
            limit,
            token,
        )

    def by_dossier(self, code: str, *, limit: int, token: str | None) -> Page[AccessEntry]:
        partition = f"{DOSSIER_PREFIX}{code}"
        return self._page(
            {
                "KeyConditionExpression": "PK = :pk AND begins_with(SK, :al)",
                "ExpressionAttributeValues": {":pk": _s(partition), ":al": _s(SORT_PREFIX)},
            },
            {"PK": partition},
            limit,
            token,
        )

    def _page(
        self, query: dict[str, Any], listing: dict[str, str], limit: int, token: str | None
    ) -> Page[AccessEntry]:
        kwargs: dict[str, Any] = {"TableName": self.table, "ScanIndexForward": False, "Limit": limit, **query}
        if token:
            start = decode_token(token)
            names = {"PK", "SK"} | ({"GSI1PK", "GSI1SK"} if "IndexName" in query else set())
            # A token continues only the listing it came from, and holds nothing but the key.
            if (
                set(start) != names
                or not all(isinstance(v, str) for v in start.values())
                or any(start.get(k) != v for k, v in listing.items())
                or not str(start["SK"]).startswith(SORT_PREFIX)
            ):
                raise BadRequest(
                    Text(vi="next_token không hợp lệ.", en="The next_token is not valid."),
                    code="invalid_next_token",
                )
            kwargs["ExclusiveStartKey"] = {name: _s(v) for name, v in start.items()}
        response = self.client.query(**kwargs)
        last = response.get("LastEvaluatedKey")
        next_token = encode_token({name: v["S"] for name, v in last.items()}) if last else None
        items = [AccessEntry.model_validate_json(item["data"]["S"]) for item in response["Items"]]
        return Page(items=items, next_token=next_token)
