"""The statistics' counters on moto, end to end: dossiers changed through the real services → the
table's stream → the statistics' filter → the counters, exactly once; a report read from them equals
a count by hand, and the recount from the dossiers equals the live counters (a merged agency's
dossier among them)."""

from __future__ import annotations

import json
from collections import Counter
from datetime import timedelta
from typing import Any

from infra.devstack.streams import api_reader, matches
from motcua.adapters import clients
from motcua.adapters.statistics import PROVINCE, STATS_PREFIX, DynamoCounterStore, sums_of_export
from motcua.domain.statistics import NOW, month_of
from motcua.resources import STATS_PATTERN
from motcua.services.citizens import Withdrawal
from motcua.services.inbox import Decision
from tests.conftest import REGION
from tests.integration.conftest import filing_request
from tests.shown import decide, withdraw

WARD = "000.01.01.H99"  # receives birth registrations (one working day)
MERGED, SUCCESSOR = "000.00.07.H99", "000.00.01.H99"  # merged on 1 March 2025 (provinces/demo.yaml)


def stream(outputs: Any) -> list[dict[str, Any]]:
    read = api_reader(clients.client("dynamodbstreams", REGION), outputs.table_stream_arn)
    records, position = [], 0
    while batch := read(position, 100):
        records.extend(batch)
        position += len(batch)
    return [r for r in records if matches(STATS_PATTERN, r)]


def counter_items(client: Any, table: str) -> dict[tuple[str, str], dict[str, int]]:
    items = client.scan(
        TableName=table,
        FilterExpression="begins_with(PK, :p)",
        ExpressionAttributeValues={":p": {"S": STATS_PREFIX}},
    )["Items"]
    return {
        (i["PK"]["S"], i["SK"]["S"]): {n: int(v["N"]) for n, v in i.items() if "N" in v and int(v["N"])}
        for i in items
    }


def test_counters_from_the_stream_equal_a_hand_count_and_the_recount(
    container: Any, people: Any, outputs: Any, clock: Any
) -> None:
    citizen = people.citizen("an@example.vn")
    desk = people.staff("canbo.phuong", WARD, "receiver")
    officer = people.staff("chuyenvien.phuong", WARD, "officer")

    def file(key: str) -> str:
        return str(container.filing.file(citizen, filing_request(container, citizen), key).dossier.code)

    month = month_of(clock.now())
    on_time = file("statistics-1")  # accepted, processed and returned the same day: early (due the next day)
    for action in ("accept", "approve", "return_result"):
        decide(container, officer if action == "approve" else desk, f"{on_time}-T1", Decision(action=action))
    refused = file("statistics-2")
    decide(container, desk, f"{refused}-T1", Decision(action="refuse", reason="Thiếu giấy tờ"))
    withdrawn = file("statistics-3")
    withdraw(container, citizen, withdrawn, Withdrawal(reason="Nộp nhầm"))
    paused = file("statistics-4")  # waits on the citizen: open, and counted as waiting
    decide(container, desk, f"{paused}-T1", Decision(action="accept"))
    decide(container, officer, f"{paused}-T1", Decision(action="request_papers", reason="Bản sao"))
    late = file("statistics-5")
    decide(container, desk, f"{late}-T1", Decision(action="accept"))
    clock.advance(timedelta(days=6))  # a working day's procedure, processed a week later: late
    decide(container, officer, f"{late}-T1", Decision(action="approve"))
    open_ = file("statistics-6")  # filed, nothing done yet: open and in time
    assert month_of(clock.now()) == month, "the history stays in one month for the hand count"

    records = stream(outputs)
    client = clients.client("dynamodb", REGION)
    live = DynamoCounterStore(client, outputs.table_name, container.province.working_calendar)
    applied = [live.apply_record(r) for r in records]
    # Every record handed again (a redelivery, a retried batch): nothing moves twice.
    again = [live.apply_record(r) for r in records]
    assert any(applied) and not any(again)
    assert live.calls.skipped == sum(applied)

    today = clock.now().date()
    figures = live.figures(None, month, month, today)
    # By hand: six new online; one early, one late; one refused, one withdrawn; three open of
    # which none overdue (due tomorrow or later, the paused one moved on), one waiting.
    assert (figures.new, figures.received_online, figures.carried_over) == (6, 6, 0)
    assert (figures.early, figures.on_time, figures.late) == (1, 0, 1)
    assert (figures.refused, figures.withdrawn, figures.stopped) == (1, 1, 0)
    assert (figures.in_progress, figures.waiting) == (2, 1)
    assert (
        figures.received
        == figures.resolved + figures.refused + figures.withdrawn + figures.stopped + figures.in_progress
    )
    assert figures.on_time_rate == 0.5
    assert live.figures([WARD], month, month, today) == figures  # one agency: the whole province here
    assert live.late_procedures(month, month) == [("1.001193", 1)]
    # A report's reads: one BatchGetItem of (months + now) items, whatever the dossiers.
    before = live.calls.reads, live.calls.items_read
    live.figures(None, month, month, today)
    assert (live.calls.reads - before[0], live.calls.items_read - before[1]) == (1, 2)

    # A dossier of an agency since merged into another (filed under its code before the merger, and
    # resolved late): the platform files nothing there any more, so its item is the late one's, moved
    # under the merged agency. The stream counts it under its own agency; the successor's report adds it.
    item = client.get_item(TableName=outputs.table_name, Key={"PK": {"S": f"D#{late}"}, "SK": {"S": "D"}})[
        "Item"
    ]
    data = json.loads(item["data"]["S"])
    old_code = data["code"]
    merged_code = old_code.replace(WARD, MERGED, 1)
    data.update(
        code=merged_code,
        agency=MERGED,
        **({"competent_agency": MERGED} if "competent_agency" in data else {}),
    )
    item.update(PK={"S": f"D#{merged_code}"}, data={"S": json.dumps(data)})
    client.put_item(TableName=outputs.table_name, Item=item)
    newer = stream(outputs)
    assert [live.apply_record(r) for r in newer].count(True) == 1  # the records counted before: skipped
    alone = live.figures([MERGED], month, month, today)
    assert (alone.new, alone.late) == (1, 1)
    together = live.figures([SUCCESSOR, MERGED], month, month, today)
    assert together.late == live.figures([SUCCESSOR], month, month, today).late + 1

    kept = counter_items(client, outputs.table_name)
    assert (f"{STATS_PREFIX}{MERGED}", month) in kept
    assert (f"{STATS_PREFIX}{PROVINCE}", NOW) in kept and (f"{STATS_PREFIX}{WARD}", month) in kept
    rebuilt = DynamoCounterStore(client, outputs.table_name, container.province.working_calendar)
    rebuilt.recount(rebuilt.scan_counted())
    assert counter_items(client, outputs.table_name) == kept

    # The recount at a city's size: the table exported to S3 as DynamoDB JSON lines, in files summed
    # apart (the distributed map), then added up and written (the reduce): the same counters again.
    calendar = container.province.working_calendar
    lines = [json.dumps({"Item": item}) for item in rebuilt.scan_counted()] + [""]
    files = [lines[: len(lines) // 2], lines[len(lines) // 2 :]]
    total: Counter[Any] = Counter()
    for part in files:
        total.update(sums_of_export(part, calendar))
    rebuilt.replace_all(total)
    assert counter_items(client, outputs.table_name) == kept
    assert open_ and paused
