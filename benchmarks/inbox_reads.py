"""Items read per inbox page, with 1,000 and with 100,000 dossiers in the table. Goal: equal.

Also the console's first page, counted (`count=true`) and searched (`q=`): bounded, not equal (the
count and the search read up to 1,000 of the agency's open tasks; docs/console.md).

A ward officer's inbox (GET /v1/agencies/{agency}/tasks?limit=20, through the Chalice app on moto) is
a Query on an index keyed by the agency; what it reads is the Query's ScannedCount, taken from the
answer by a botocore hook. The table is filled by copying what one real filing wrote (the dossier, its
task, its audit entries), with a new code in every key, in batches of 25 (batch_write_item).
The first 1,000 dossiers are copied whole. Beyond them, only the item each dossier has in the inbox
index (its open task) is copied, to keep seeding 99,000 more within a minute: those are the only items
an inbox Query can read, so the proxy hides nothing from this figure (the table is smaller than a
real one with 100,000 dossiers, which a key-bound Query does not notice). SMALL and LARGE can be set.
"""

from __future__ import annotations

import os
from typing import Any

from _moto_api import REGION, WARD, moto_api
from report import record

SMALL = int(os.environ.get("SMALL", "1000"))
LARGE = int(os.environ.get("LARGE", "100000"))
PAGE = 20


def _recode(value: Any, old: str, new: str) -> Any:
    if isinstance(value, str):
        return value.replace(old, new)
    if isinstance(value, dict):
        return {k: _recode(v, old, new) for k, v in value.items()}
    if isinstance(value, list):
        return [_recode(v, old, new) for v in value]
    return value


def _write(dynamodb: Any, table: str, items: list[dict[str, Any]]) -> None:
    for start in range(0, len(items), 25):
        batch = [{"PutRequest": {"Item": item}} for item in items[start : start + 25]]
        unprocessed = dynamodb.batch_write_item(RequestItems={table: batch}).get("UnprocessedItems")
        if unprocessed:
            raise RuntimeError(f"{len(unprocessed[table])} items not written")


def _seed(dynamodb: Any, table: str, template: list[dict[str, Any]], code: str, numbers: range) -> None:
    items: list[dict[str, Any]] = []
    for n in numbers:
        # Same length as the real code, so that every key keeps its shape (and its order in the index).
        items += _recode(template, code, f"{code[: -len(str(n)) - 1]}X{n}"[-len(code) :])
        if len(items) >= 2500:
            _write(dynamodb, table, items)
            items = []
    _write(dynamodb, table, items)


def main() -> None:
    from motcua.adapters import clients

    with moto_api() as api:
        dynamodb = clients.client("dynamodb", REGION)
        table = api.outputs.table_name
        code = api.ok(
            "POST",
            "/v1/dossiers",
            token=api.citizen,
            body=api.birth_filing(api.upload()),
            key="bench-inbox-0",
        )["code"]
        written = [
            item
            for page in dynamodb.get_paginator("scan").paginate(TableName=table)
            for item in page["Items"]
            if code in str(item.get("PK", {}).get("S", ""))
        ]
        in_inbox = [item for item in written if item.get("GSI2PK", {}).get("S") == f"INBOX#{WARD}"]
        if len(in_inbox) != 1:
            raise RuntimeError(f"the filing left {len(in_inbox)} items in the ward's inbox, not one")

        scanned: list[tuple[int, int]] = []

        def read(parsed: dict[str, Any], **_: Any) -> None:
            scanned.append((parsed.get("ScannedCount", 0), parsed.get("Count", 0)))

        dynamodb.meta.events.register("after-call.dynamodb.Query", read)

        def page(token: str | None = None) -> tuple[int, int, str | None]:
            scanned.clear()
            path = f"/v1/agencies/{WARD}/tasks?limit={PAGE}" + (f"&next_token={token}" if token else "")
            body = api.ok("GET", path, token=api.officer)
            (items_read, returned), *more = scanned
            if more:
                raise RuntimeError(f"an inbox page made {len(scanned)} queries")
            return items_read, returned, body.get("next_token")

        def measured(query: str) -> tuple[int, int]:
            """Items read and Queries made by one inbox page with `query` (a count, a search)."""
            scanned.clear()
            api.ok("GET", f"/v1/agencies/{WARD}/tasks?limit={PAGE}&{query}", token=api.officer)
            return sum(items_read for items_read, _ in scanned), len(scanned)

        group = "inbox reads (moto)"
        _seed(dynamodb, table, written, code, range(1, SMALL))
        for size in (SMALL, LARGE):
            if size == LARGE:
                _seed(dynamodb, table, in_inbox, code, range(SMALL, LARGE))
            first_read, first_returned, token = page()
            second_read, _, _ = page(token)
            record(group, f"{size:,} dossiers: items read, first page of {PAGE}", first_read, goal=f"{PAGE}")
            record(group, f"{size:,} dossiers: items read, second page", second_read, goal=f"{PAGE}")
            record(group, f"{size:,} dossiers: tasks shown, first page", first_returned)
            # The console's first page: counted (Select=COUNT, Limit 1,001), and a search by name,
            # which reads the inbox in pages of 100 up to 1,000 tasks (docs/console.md).
            counted, queries = measured("count=true")
            record(group, f"{size:,} dossiers: items read, first page counted", counted, goal="≤ 2,022")
            record(group, f"{size:,} dossiers: queries, first page counted", queries, goal="3")
            searched, queries = measured("q=nguyen&count=true")
            record(group, f"{size:,} dossiers: items read, a search's first page", searched, goal="≤ 1,000")
            record(group, f"{size:,} dossiers: queries, a search's first page", queries, goal="≤ 10")


if __name__ == "__main__":
    main()
