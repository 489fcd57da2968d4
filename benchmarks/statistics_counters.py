"""The statistics' counters (docs/statistics.md) on moto: AWS calls per change for the stream consumer,
and what a 12-month report reads with 1,000 and with 1,000,000 dossiers counted. Goal: equal.

A random history (fixed seed: dossiers filed over fourteen months across five agencies, each
received, some waiting on the citizen, then resolved early, on time or late, refused, withdrawn, or
left open) is turned into stream records (old and new images of each change). CONSUMER dossiers' records
are applied by the consumer's store, each once and then again as a redelivery; SMALL dossiers are
counted by the recount. For LARGE dossiers the counters
are generated: the same counter items, every value multiplied by LARGE / SMALL (a report reads items
by key; the values in them do not change what it reads).
"""

from __future__ import annotations

import json
import os
import random
from datetime import UTC, date, datetime, timedelta
from typing import Any

from report import record

SMALL = int(os.environ.get("SMALL", "1000"))
LARGE = int(os.environ.get("LARGE", "1000000"))
CONSUMER = int(os.environ.get("CONSUMER", "100"))  # dossiers whose changes go through the consumer
TABLE = "statistics-benchmark"
REGION = "ap-southeast-1"
TODAY = date(2026, 12, 6)
# Five agencies of the demo province (the API's service reports on the province file's agencies).
AGENCIES = ["000.00.01.H99", "000.00.20.H99", "000.00.21.H99", "000.00.22.H99", "000.01.01.H99"]
PROCEDURES = ["1.001193", "1.000656", "2.000908", "1.004222"]


def _image(
    code: str, agency: str, procedure: str, filed: datetime, due: datetime, status: int, **extra: Any
) -> Any:
    data = {
        "code": code,
        "agency": agency,
        "procedure_code": procedure,
        "filed_at": filed.isoformat(),
        "due_at": due.isoformat(),
        "status": status,
        **{k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in extra.items()},
    }
    return {
        "PK": {"S": f"D#{code}"},
        "SK": {"S": "D"},
        "type": {"S": "dossier"},
        "data": {"S": json.dumps(data)},
    }


def history(n: int, seed: int = 766) -> list[dict[str, Any]]:
    """Stream records of `n` dossiers' lives, in the order they happened within each dossier."""
    rng = random.Random(seed)
    fees = random.Random(seed + 1)
    records: list[dict[str, Any]] = []
    start = datetime(2025, 10, 1, 2, tzinfo=UTC)
    for i in range(n):
        code = f"B{i:07d}"
        agency, procedure = rng.choice(AGENCIES), rng.choice(PROCEDURES)
        filed = start + timedelta(hours=rng.randrange(0, 430 * 24))
        due = filed + timedelta(days=rng.randrange(1, 20))
        images = [_image(code, agency, procedure, filed, due, 2)]
        images.append(_image(code, agency, procedure, filed, due, 4))
        end = filed + timedelta(days=rng.randrange(0, 30))
        fate = rng.random()
        if fate < 0.1:
            images.append(_image(code, agency, procedure, filed, due, 5))
            images.append(_image(code, agency, procedure, filed, due + timedelta(days=2), 4, days_paused=2))
            due += timedelta(days=2)
        if end.date() >= TODAY or fate > 0.95:
            pass  # still open
        elif fate < 0.8:
            images.append(_image(code, agency, procedure, filed, due, 9, finished_at=end))
        elif fate < 0.9:
            images.append(_image(code, agency, procedure, filed, due, 3, finished_at=end))
        else:
            images.append(_image(code, agency, procedure, filed, due, 7, finished_at=end))
        records.extend(_with_fee(fees.random(), images, code, agency, procedure, filed))
        old = None
        for step, new in enumerate(images):
            change = {"Keys": {"PK": new["PK"], "SK": new["SK"]}, "NewImage": new}
            if old is not None:
                change["OldImage"] = old
            records.append(
                {"eventID": f"{code}-{step}", "eventName": "MODIFY" if old else "INSERT", "dynamodb": change}
            )
            old = new
    return records


def _with_fee(
    roll: float, images: list[dict[str, Any]], code: str, agency: str, procedure: str, filed: datetime
) -> list[dict[str, Any]]:
    """A fee (drawn apart, so that the dossiers' lives stay what they were): a third pay one at filing,
    online (most of them through an order and its IPN: the fee item's changes) or at the counter."""
    if roll >= 0.33:
        return []
    collection = "counter" if roll < 0.08 else "online"
    for image in images:
        data = json.loads(image["data"]["S"]) | {"fee": {"amount_vnd": 135000, "collection": collection}}
        image["data"] = {"S": json.dumps(data)}
    return _fee_records(code, agency, procedure, filed) if collection == "online" and roll < 0.28 else []


def _fee_records(code: str, agency: str, procedure: str, filed: datetime) -> list[dict[str, Any]]:
    """The fee at filing's item (`FEE#filing`): made by the first order, then paid by its IPN."""
    counted = {"agency": agency, "procedure": procedure, "filed_at": filed.isoformat()}
    unpaid = {
        "PK": {"S": f"D#{code}"},
        "SK": {"S": "FEE#filing"},
        "type": {"S": "fee"},
        "data": {"S": json.dumps({"dossier": code, "fee": "filing", "counted_as": counted})},
        "amount_vnd": {"N": "135000"},
    }
    paid = unpaid | {
        "paid_by": {"S": f"R{code}"},
        "paid_at": {"S": (filed + timedelta(minutes=5)).isoformat()},
    }
    keys = {"PK": unpaid["PK"], "SK": unpaid["SK"]}
    return [
        {"eventID": f"{code}-fee-0", "eventName": "INSERT", "dynamodb": {"Keys": keys, "NewImage": unpaid}},
        {
            "eventID": f"{code}-fee-1",
            "eventName": "MODIFY",
            "dynamodb": {"Keys": keys, "NewImage": paid, "OldImage": unpaid},
        },
    ]


def main() -> None:
    from moto import mock_aws

    os.environ.setdefault("AWS_DEFAULT_REGION", REGION)
    with mock_aws():
        import boto3

        from motcua.adapters.statistics import DynamoCounterStore, item_moves, moves_of_record

        client = boto3.client("dynamodb", region_name=REGION)
        client.create_table(
            TableName=TABLE,
            KeySchema=[
                {"AttributeName": "PK", "KeyType": "HASH"},
                {"AttributeName": "SK", "KeyType": "RANGE"},
            ],
            AttributeDefinitions=[
                {"AttributeName": "PK", "AttributeType": "S"},
                {"AttributeName": "SK", "AttributeType": "S"},
            ],
            BillingMode="PAY_PER_REQUEST",
        )
        store = DynamoCounterStore(client, TABLE)
        records = history(CONSUMER)
        for item in records:
            store.apply_record(item)
        writes = store.calls.writes
        record("statistics", "stream records of dossier changes", len(records))
        record("statistics", "AWS calls per change (consumer)", round(writes / len(records), 2), goal="<= 1")
        # The items one change writes in its transaction: the marker and one per counter item it moves.
        moved = [len(item_moves(moves_of_record(r, store.calendar))) for r in records]
        record("statistics", "counter items written per change, at most", max(moved), goal="<= 7")
        fee_records = [r for r in records if r["dynamodb"]["Keys"]["SK"]["S"] == "FEE#filing"]
        record("statistics", "stream records of fee items (fees at filing paid online)", len(fee_records))
        fee_moved = [len(item_moves(moves_of_record(r, store.calendar))) for r in fee_records]
        record(
            "statistics", "counter items written per fee item change, at most", max(fee_moved), goal="<= 7"
        )
        for item in records:
            store.apply_record(item)
        again = store.calls.writes - writes
        record("statistics", "AWS calls per change redelivered", round(again / len(records), 2), goal="<= 1")
        record("statistics", "counts changed by redeliveries", again - store.calls.skipped, goal="= 0")

        # SMALL dossiers counted by the recount from their last images (moto copies a table in every
        # transaction, so applying each of their changes would measure moto, not the store).
        last: dict[str, dict[str, Any]] = {}
        for item in history(SMALL):
            last[item["dynamodb"]["Keys"]["PK"]["S"]] = item["dynamodb"]["NewImage"]
        store.recount(last.values())
        first = "2025-12"
        store.calls.reads = store.calls.items_read = 0
        province = store.figures(None, first, "2026-11", TODAY)
        small = (store.calls.reads, store.calls.items_read)
        record("statistics", f"12-month province report, {SMALL:,} dossiers: AWS calls", small[0])
        record("statistics", f"12-month province report, {SMALL:,} dossiers: items read", small[1])
        store.calls.reads = store.calls.items_read = 0
        store.figures([AGENCIES[0]], first, "2026-11", TODAY)
        record("statistics", "12-month report of one agency: items read", store.calls.items_read)
        service = _service(store)
        small_api = {name: _through_api(store, service, *query) for name, query in API_REPORTS.items()}

        # LARGE: the same items, every count scaled up.
        factor = LARGE // SMALL
        for page in client.get_paginator("scan").paginate(TableName=TABLE):
            for item in page["Items"]:
                if not item["PK"]["S"].startswith("STATS#"):
                    continue
                scaled = {k: ({"N": str(int(v["N"]) * factor)} if "N" in v else v) for k, v in item.items()}
                client.put_item(TableName=TABLE, Item=scaled)
        store.calls.reads = store.calls.items_read = 0
        large_figures = store.figures(None, first, "2026-11", TODAY)
        large = (store.calls.reads, store.calls.items_read)
        assert large_figures.new == province.new * factor
        record(
            "statistics",
            f"12-month province report, {LARGE:,} dossiers: AWS calls",
            large[0],
            goal=f"= {small[0]}",
        )
        record(
            "statistics",
            f"12-month province report, {LARGE:,} dossiers: items read",
            large[1],
            goal=f"= {small[1]}",
        )
        # The same reports as GET /v1/statistics answers them (the API's service over the store).
        for name, query in API_REPORTS.items():
            calls, items = _through_api(store, service, *query)
            for size, (what, value, before) in (
                (SMALL, ("AWS calls", small_api[name][0], None)),
                (SMALL, ("items read", small_api[name][1], None)),
                (LARGE, ("AWS calls", calls, small_api[name][0])),
                (LARGE, ("items read", items, small_api[name][1])),
            ):
                goal = f"= {before}" if before is not None else ""
                record("statistics", f"API, 12-month {name}, {size:,} dossiers: {what}", value, goal=goal)


# GET /v1/statistics?from=2025-12&to=2026-11 as an administrator (the province) and as a leader.
API_REPORTS = {
    "province report by agency": (None, "agency"),
    "province report by month": (None, "month"),
    "agency report by procedure": (AGENCIES[0], "procedure"),
}


def _service(store: Any) -> Any:
    from pathlib import Path

    from motcua.config.province import load_province
    from motcua.services.statistics import StatisticsService

    class Clock:
        def now(self) -> datetime:
            return datetime(TODAY.year, TODAY.month, TODAY.day, 3, tzinfo=UTC)

    province = load_province(str(Path(__file__).resolve().parents[1] / "provinces" / "demo.yaml"))
    return StatisticsService(province=province, counters=store, index=None, clock=Clock())


def _through_api(store: Any, service: Any, agency: str | None, by: str) -> tuple[int, int]:
    from motcua.domain.models import Principal, PrincipalKind
    from motcua.domain.roles import Role
    from motcua.services.statistics import Grouping

    who = Principal(sub="a", kind=PrincipalKind.STAFF, username="a", agency=AGENCIES[0], role=Role.ADMIN)
    store.calls.reads = store.calls.items_read = 0
    service.report(who, "2025-12", "2026-11", agency, Grouping(by))
    return store.calls.reads, store.calls.items_read


if __name__ == "__main__":
    main()
