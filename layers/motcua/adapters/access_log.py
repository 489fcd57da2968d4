"""The staff access log on the single table (docs/data-model.md): by dossier, and by agency."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from motcua.adapters.query_pages import query_page
from motcua.domain.access import AccessEntry
from motcua.domain.models import Page
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
        kwargs = {"TableName": self.table, "ScanIndexForward": False, "Limit": limit, **query}
        names = {"PK", "SK"} | ({"GSI1PK", "GSI1SK"} if "IndexName" in query else set())
        items, next_token = query_page(
            self.client, kwargs, token, names=names, listing=listing, sort_prefix=SORT_PREFIX
        )
        entries = [AccessEntry.model_validate_json(item["data"]["S"]) for item in items]
        return Page(items=entries, next_token=next_token)
