"""The dossiers behind a number of the statistics: Queries on the index entries every dossier item
carries (motcua.domain.drilldown; docs/statistics.md, "Drill-down"). Never a Scan."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from motcua.adapters.statistics import DynamoCounterStore
from motcua.domain.drilldown import dossier_facts, index_keys, next_position, read_position
from motcua.domain.models import Dossier, Page

if TYPE_CHECKING:
    from collections.abc import Sequence

    from motcua.domain.calendar import WorkingCalendar
    from motcua.domain.drilldown import Listing


class DynamoDrillDown:
    def __init__(self, client: Any, table_name: str) -> None:
        self.client = client
        self.table = table_name
        self.queries = 0

    def dossiers(self, listings: Sequence[Listing], *, limit: int, token: str | None) -> Page[Dossier]:
        """One page: one Query of the listing the token is at (the first without one), in key order;
        the next_token goes on in the same listing, then in the next."""
        if not listings:
            return Page(items=[], next_token=None)
        at, after = read_position(token, listings) if token else (0, None)
        listing = listings[at]
        pk, sk = f"{listing.index}PK", f"{listing.index}SK"
        condition = "#pk = :pk"
        values: dict[str, Any] = {":pk": {"S": listing.key}}
        if listing.prefix:
            condition += " AND begins_with(#sk, :prefix)"
            values[":prefix"] = {"S": listing.prefix}
        elif listing.below is not None:
            condition += " AND #sk < :below"
            values[":below"] = {"S": listing.below}
        elif listing.from_ is not None:
            condition += " AND #sk >= :from"
            values[":from"] = {"S": listing.from_}
        request: dict[str, Any] = {
            "TableName": self.table,
            "IndexName": listing.index,
            "KeyConditionExpression": condition,
            "ExpressionAttributeNames": {"#pk": pk, **({"#sk": sk} if "#sk" in condition else {})},
            "ExpressionAttributeValues": values,
            "Limit": limit,
        }
        filters = [
            (
                f"stats_due < :{name}"
                if name == "due_below"
                else f"stats_due >= :{name}"
                if name == "due_from"
                else f"stats_filed < :{name}",
                name,
                value,
            )
            for name, value in (
                ("due_below", listing.due_below),
                ("due_from", listing.due_from),
                ("filed_below", listing.filed_below),
            )
            if value is not None
        ]
        if filters:
            request["FilterExpression"] = " AND ".join(condition for condition, _, _ in filters)
            values.update({f":{name}": {"S": value} for _, name, value in filters})
        if after:
            request["ExclusiveStartKey"] = {name: {"S": value} for name, value in after.items()}
        self.queries += 1
        answer = self.client.query(**request)
        last = answer.get("LastEvaluatedKey")
        position = {name: value["S"] for name, value in last.items()} if last else None
        return Page(
            items=[Dossier.model_validate_json(item["data"]["S"]) for item in answer.get("Items", [])],
            next_token=next_position(listings, at, position),
        )


def backfill(client: Any, table: str, calendar: WorkingCalendar | None = None) -> int:
    """Give the drill-down's index entries to the dossiers written before they existed, and rebuild
    the counters (their per-procedure fields came later too); how many dossiers changed.

    A one-off for an older table (the local stack's data folders), so it may Scan; never on a request
    path. Only the index keys are set: bodies and versions stay as they are.
    """
    changed = 0
    request: dict[str, Any] = {
        "TableName": table,
        "FilterExpression": "#t = :d AND attribute_not_exists(GSI4PK)",
        "ExpressionAttributeNames": {"#t": "type"},
        "ExpressionAttributeValues": {":d": {"S": "dossier"}},
    }
    while True:
        page = client.scan(**request)
        for item in page["Items"]:
            dossier = Dossier.model_validate_json(item["data"]["S"])
            keys = index_keys(dossier.code, dossier_facts(dossier))
            names = sorted(keys)
            client.update_item(
                TableName=table,
                Key={"PK": item["PK"], "SK": item["SK"]},
                UpdateExpression="SET " + ", ".join(f"{name} = :{name}" for name in names),
                ConditionExpression="attribute_exists(PK)",
                ExpressionAttributeValues={f":{name}": {"S": keys[name]} for name in names},
            )
            changed += 1
        if "LastEvaluatedKey" not in page:
            break
        request["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    store = DynamoCounterStore(client, table, calendar)
    store.recount(store.scan_counted())
    return changed
