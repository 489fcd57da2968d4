"""The statistics' counters on DynamoDB, kept from the table's stream (docs/statistics.md).

- `facts_from_image` / `step_facts_from_image`: what the statistics need of a dossier or a task item,
  read from its stream image (pure).
- `moves_of_record`: what one stream record moves: `difference(contributions(new), contributions(old))`.
- `DynamoCounterStore`: the counter items, applied exactly once per stream record (one
  TransactWriteItems with a marker of the record), read for a report with BatchGetItem only, and
  rebuilt from the dossiers by `recount`.

Items (docs/data-model.md):

    STATS#<agency>  <month>|now   one attribute per counter name, summed over the agency's procedures
    STATS#*         <month>|now   the province: every name, and `a|<agency>|<name>` (agencies side by
                                  side), `p|<procedure>|resolved.late` (procedures late most often)
    STATSREC#<eventID>  R         the marker of an applied stream record; expires after a few days
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from motcua.domain.calendar import Timeliness, WorkingCalendar
from motcua.domain.counter import Channel
from motcua.domain.fees import FeeCollection
from motcua.domain.obligations import ObligationState
from motcua.domain.payments import FILING_FEE
from motcua.domain.statistics import (
    NOW,
    Cell,
    Facts,
    FeeFacts,
    Figures,
    StepFacts,
    contributions,
    difference,
    fee_contributions,
    months_between,
    report,
    step_contributions,
)
from motcua.domain.status import Status
from motcua.resources import STATS_PREFIX
from motcua.resources import STATS_RECORD_PREFIX as MARKER_PREFIX

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

PROVINCE = "*"
MARKER_DAYS = 3  # longer than a stream keeps a record (24 hours), and than the queue retries it
# Fields of the province item per agency: every counter but the open ones by due day (those stay in
# the agency's own `now` item), so that the item stays far below DynamoDB's 400 KB.
PER_PROCEDURE = ("resolved.late", "resolved.on_time", "resolved.early")
# The agency's open dossiers per procedure and due day: an item of their own beside the agency's `now`
# (`p|<procedure>|open.due.<day>`), so that the `now` item read by every report stays small.
NOW_BY_PROCEDURE = "now|p"


# --- images --------------------------------------------------------------------------------------


def _moment(value: Any) -> datetime | None:
    if not value:
        return None
    moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _data(image: Mapping[str, Any] | None, kind: str) -> dict[str, Any] | None:
    if not image or image.get("type", {}).get("S") != kind or "data" not in image:
        return None
    data: dict[str, Any] = json.loads(image["data"]["S"])
    return data


def facts_from_image(image: Mapping[str, Any] | None) -> Facts | None:
    """The facts of a dossier item's stream image; None when the image is not a dossier's."""
    data = _data(image, "dossier")
    if data is None:
        return None
    filed_at, due_at = _moment(data["filed_at"]), _moment(data["due_at"])
    if filed_at is None or due_at is None:
        return None
    return Facts(
        # Counted under the agency that resolves it (competent_agency, when the dossier names one
        # apart from the receiving agency), by its channel (online unless it says otherwise).
        agency=data.get("competent_agency") or data["agency"],
        procedure=data["procedure_code"],
        channel=Channel(data.get("channel") or Channel.ONLINE),
        filed_at=filed_at,
        due_at=due_at,
        status=Status(int(data["status"])),
        finished_at=_moment(data.get("finished_at")),
        days_paused=int(data.get("days_paused") or 0),
        digitised=bool(data.get("attachments")),
        electronic_result=bool(data.get("results")),
        **_fee_facts(data),
    )


def _fee_facts(data: Mapping[str, Any]) -> dict[str, bool]:
    """A dossier's part of the online-payment indicator: a fee at filing (`fee`) or a financial
    obligation not cancelled (`obligation`, the last one asked) makes it one asked to pay; counted by
    its fee at filing if it had one (collected at the counter, or paid online: its fee item), else by
    its obligation (paid online through the gateway)."""
    fee = data.get("fee") or None
    obligation = data.get("obligation") or {}
    asked = obligation.get("state") in (ObligationState.DUE, ObligationState.PAID)
    return {
        "fee_due": fee is not None or asked,
        "fee_at_counter": fee is not None and fee.get("collection") == FeeCollection.COUNTER,
        "obligation_paid_online": fee is None and obligation.get("state") == ObligationState.PAID,
    }


def fee_facts_from_image(image: Mapping[str, Any] | None) -> FeeFacts | None:
    """The facts of a dossier's fee at filing (`FEE#filing`); None for another item, another fee, or a
    fee item written before it named where it is counted (`counted_as` in its data)."""
    data = _data(image, "fee")
    if data is None or data.get("fee") != FILING_FEE or not isinstance(data.get("counted_as"), dict):
        return None
    counted = data["counted_as"]
    filed_at = _moment(counted.get("filed_at"))
    if filed_at is None or image is None:
        return None
    return FeeFacts(
        agency=counted["agency"],
        procedure=counted["procedure"],
        filed_at=filed_at,
        paid=bool(image.get("paid_by", {}).get("S")),
    )


def step_facts_from_image(image: Mapping[str, Any] | None) -> StepFacts | None:
    """The facts of a task item's stream image when it is a step of a flow; None otherwise."""
    data = _data(image, "task")
    if data is None or data.get("kind") != "step":
        return None
    timeliness = data.get("timeliness")
    return StepFacts(
        agency=data["agency"],
        procedure=data["procedure_code"],
        finished_at=_moment(data.get("closed_at")),
        timeliness=Timeliness(timeliness) if timeliness else None,
    )


def cells_of_image(image: Mapping[str, Any] | None, calendar: WorkingCalendar) -> Counter[Cell]:
    """What one item, as the image shows it, contributes to the counters (nothing: not counted)."""
    facts = facts_from_image(image)
    if facts is not None:
        return contributions(facts, calendar)
    step = step_facts_from_image(image)
    if step is not None:
        return step_contributions(step)
    fee = fee_facts_from_image(image)
    if fee is not None:
        return fee_contributions(fee)
    return Counter()


def sums_of_export(lines: Iterable[str], calendar: WorkingCalendar) -> Counter[Cell]:
    """The recount's map step on one data file of a DynamoDB export to S3 (DYNAMODB_JSON: one
    `{"Item": {...}}` a line, the file already ungzipped): the sum of its items' contributions."""
    totals: Counter[Cell] = Counter()
    for line in lines:
        if line.strip():
            totals.update(cells_of_image(json.loads(line)["Item"], calendar))
    return totals


def moves_of_record(record: Mapping[str, Any], calendar: WorkingCalendar) -> dict[Cell, int]:
    """How one stream record (INSERT, MODIFY or REMOVE) moves the counters."""
    change = record.get("dynamodb") or {}
    return difference(
        cells_of_image(change.get("NewImage"), calendar), cells_of_image(change.get("OldImage"), calendar)
    )


# --- the store ------------------------------------------------------------------------------------


def _key(agency: str, period: str) -> dict[str, Any]:
    return {"PK": {"S": f"{STATS_PREFIX}{agency}"}, "SK": {"S": period}}


def item_moves(moves: Mapping[Cell, int]) -> dict[tuple[str, str], Counter[str]]:
    """The cells' moves as ADDs per counter item: (agency or PROVINCE, period) → name → amount."""
    items: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for (period, agency, procedure, name), n in moves.items():
        items[(agency, period)][name] += n
        # The agency's procedures side by side (reports by procedure), in the same items.
        if name.startswith("open.due."):
            items[(agency, NOW_BY_PROCEDURE)][f"p|{procedure}|{name}"] += n
        else:
            items[(agency, period)][f"p|{procedure}|{name}"] += n
        items[(PROVINCE, period)][name] += n
        if not name.startswith("open.due."):
            items[(PROVINCE, period)][f"a|{agency}|{name}"] += n
        if name in PER_PROCEDURE:
            items[(PROVINCE, period)][f"p|{procedure}|{name}"] += n
    return {
        key: Counter({n: v for n, v in names.items() if v})
        for key, names in items.items()
        if any(names.values())
    }


@dataclass
class Calls:
    """The AWS calls the store made (for benchmarks/report.py), and the items it read."""

    writes: int = 0
    reads: int = 0
    items_read: int = 0
    skipped: int = 0  # records seen before (a redelivery): nothing written
    log: list[str] = field(default_factory=list)


class DynamoCounterStore:
    """The statistics' counters: applied from the stream exactly once, read per month for a report."""

    def __init__(self, client: Any, table_name: str, calendar: WorkingCalendar | None = None) -> None:
        self.client = client
        self.table = table_name
        self.calendar = calendar or WorkingCalendar()
        self.calls = Calls()

    # --- from the stream ----------------------------------------------------------------------

    def apply_record(self, record: Mapping[str, Any], *, now: datetime | None = None) -> bool:
        """Apply one stream record's moves, once: False when it was applied before (or moves nothing).

        One TransactWriteItems holds the record's marker (written only if absent) and the ADDs, so that
        either both are written or neither: a redelivered or retried record finds its marker and
        changes nothing, a failed one leaves no trace and is tried again.
        """
        moves = moves_of_record(record, self.calendar)
        if not moves:
            return False
        return self.apply(str(record["eventID"]), moves, now=now)

    def apply(self, event_id: str, moves: Mapping[Cell, int], *, now: datetime | None = None) -> bool:
        expires = int(((now or datetime.now(UTC)) + timedelta(days=MARKER_DAYS)).timestamp())
        marker = {
            "Put": {
                "TableName": self.table,
                "Item": {
                    "PK": {"S": f"{MARKER_PREFIX}{event_id}"},
                    "SK": {"S": "R"},
                    "type": {"S": "stats-record"},
                    "expires_at": {"N": str(expires)},
                },
                "ConditionExpression": "attribute_not_exists(PK)",
            }
        }
        updates = [self._add(agency, period, names) for (agency, period), names in item_moves(moves).items()]
        # A change moves a handful of items (a dossier: at most 3 periods × 2 items); the transaction
        # takes 100, the marker included.
        try:
            self.calls.writes += 1
            self.client.transact_write_items(TransactItems=[marker, *updates])
        except ClientError as error:
            reasons = error.response.get("CancellationReasons") or []
            if reasons and reasons[0].get("Code") == "ConditionalCheckFailed":
                self.calls.skipped += 1
                return False
            raise
        return True

    def _add(self, agency: str, period: str, names: Mapping[str, int]) -> dict[str, Any]:
        aliases = {f"#n{i}": name for i, name in enumerate(sorted(names))}
        return {
            "Update": {
                "TableName": self.table,
                "Key": _key(agency, period),
                "UpdateExpression": "ADD " + ", ".join(f"{alias} :v{alias[2:]}" for alias in aliases),
                "ExpressionAttributeNames": aliases,
                "ExpressionAttributeValues": {
                    f":v{alias[2:]}": {"N": str(names[name])} for alias, name in aliases.items()
                },
            }
        }

    # --- reading ------------------------------------------------------------------------------

    def read(self, agencies: Sequence[str], periods: Sequence[str]) -> dict[tuple[str, str], dict[str, int]]:
        """The counter items of these agencies (PROVINCE: the province) and periods, by BatchGetItem."""
        return self.read_keys([(agency, period) for agency in agencies for period in periods])

    def read_keys(self, wanted: Sequence[tuple[str, str]]) -> dict[tuple[str, str], dict[str, int]]:
        """The counter items of these (agency or PROVINCE, period) pairs, by BatchGetItem; absent
        items are left out."""
        keys = [_key(agency, period) for agency, period in dict.fromkeys(wanted)]
        found: dict[tuple[str, str], dict[str, int]] = {}
        for start in range(0, len(keys), 100):
            pending: list[dict[str, Any]] = keys[start : start + 100]
            while pending:
                self.calls.reads += 1
                answer = self.client.batch_get_item(RequestItems={self.table: {"Keys": pending}})
                for item in answer.get("Responses", {}).get(self.table, []):
                    self.calls.items_read += 1
                    agency = item["PK"]["S"].removeprefix(STATS_PREFIX)
                    found[(agency, item["SK"]["S"])] = {
                        name: int(value["N"]) for name, value in item.items() if "N" in value
                    }
                pending = answer.get("UnprocessedKeys", {}).get(self.table, {}).get("Keys", [])
        return found

    def counters(self, agencies: Sequence[str] | None, first: str, today: date) -> dict[str, dict[str, int]]:
        """The counters from `first` to today's month and `now`, summed over `agencies` (None: the
        province): what `report` reads."""
        periods = [*months_between(first, f"{today:%Y-%m}"), NOW]
        owners = list(agencies) if agencies is not None else [PROVINCE]
        found = self.read(owners, periods)
        summed: dict[str, dict[str, int]] = {}
        for period in periods:
            total: Counter[str] = Counter()
            for owner in owners:
                total.update(
                    {
                        n: v
                        for n, v in found.get((owner, period), {}).items()
                        if "|" not in n and n != "expires_at"
                    }
                )
            summed[period] = dict(total)
        return summed

    def figures(self, agencies: Sequence[str] | None, first: str, last: str, today: date) -> Figures:
        """The report of months `first`..`last` for these agencies (an agency and those merged into
        it) or, None, the province; reads (months since `first` + 1) items per agency."""
        return report(self.counters(agencies, first, today), first, last, today)

    def late_procedures(self, first: str, last: str, top: int = 10) -> list[tuple[str, int]]:
        """The procedures resolved late most often in months `first`..`last`, from the province items."""
        found = self.read([PROVINCE], months_between(first, last))
        late: Counter[str] = Counter()
        for names in found.values():
            for name, value in names.items():
                if name.startswith("p|") and name.endswith("|resolved.late"):
                    late[name.split("|")[1]] += value
        return [(code, n) for code, n in late.most_common(top) if n > 0]

    # --- the recount --------------------------------------------------------------------------

    def recount(self, items: Iterable[Mapping[str, Any]]) -> int:
        """Rebuild every counter from these dossier and task items (their images as the table holds
        them): the old counter items are deleted, the new ones written whole. How many items it wrote.

        Local and small provinces: `items` is a Scan of the table (`scan_counted`). At the size of a
        city the same sums come from an export to S3 read in parallel (docs/statistics.md).
        """
        totals: Counter[Cell] = Counter()
        for item in items:
            totals.update(cells_of_image(item, self.calendar))
        return self.replace_all(totals)

    def replace_all(self, totals: Mapping[Cell, int]) -> int:
        """The recount's reduce step: the counters become these sums (summed over every export file by
        the caller); the old counter items not rebuilt are deleted. How many items it wrote."""
        rebuilt = item_moves({cell: n for cell, n in totals.items() if n})
        return self.replace_items(rebuilt)[0]

    def replace_items(
        self,
        rebuilt: Mapping[tuple[str, str], Mapping[str, int]],
        *,
        old: Iterable[tuple[str, str]] | None = None,
        workers: int = 1,
    ) -> tuple[int, int]:
        """The counters become these items ((agency, period) → name → number): each is written whole,
        and the old counter items that are not among them are deleted. `old`: their keys as
        (PK, SK), when known (the recount on S3 reads them from the export); None: a Scan finds them.
        `workers` puts and deletes at once. How many items it wrote and deleted."""
        items = {key: {n: v for n, v in names.items() if v} for key, names in rebuilt.items()}
        items = {key: names for key, names in items.items() if names}
        keys = {(f"{STATS_PREFIX}{agency}", period) for agency, period in items}
        found = {(k["PK"]["S"], k["SK"]["S"]) for k in self._counter_keys()} if old is None else set(old)
        gone = sorted(found - keys)

        def put(entry: tuple[tuple[str, str], Mapping[str, int]]) -> None:
            (agency, period), names = entry
            self.client.put_item(
                TableName=self.table,
                Item={**_key(agency, period), **{n: {"N": str(v)} for n, v in names.items()}},
            )

        def delete(key: tuple[str, str]) -> None:
            self.client.delete_item(TableName=self.table, Key={"PK": {"S": key[0]}, "SK": {"S": key[1]}})

        with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
            list(pool.map(put, items.items()))
            list(pool.map(delete, gone))
        return len(items), len(gone)

    def _counter_keys(self) -> Iterable[dict[str, Any]]:
        for item in self._scan("begins_with(PK, :p)", {":p": {"S": STATS_PREFIX}}, "PK, SK"):
            yield {"PK": item["PK"], "SK": item["SK"]}

    def scan_counted(self) -> Iterable[dict[str, Any]]:
        """Every dossier, task and fee item of the table (the recount's input; never on a request path)."""
        return self._scan(
            "#t IN (:d, :t, :f)",
            {":d": {"S": "dossier"}, ":t": {"S": "task"}, ":f": {"S": "fee"}},
            None,
            {"#t": "type"},
        )

    def _scan(
        self,
        condition: str,
        values: dict[str, Any],
        projection: str | None,
        names: dict[str, str] | None = None,
    ) -> Iterable[dict[str, Any]]:
        request: dict[str, Any] = {
            "TableName": self.table,
            "FilterExpression": condition,
            "ExpressionAttributeValues": values,
        }
        if projection:
            request["ProjectionExpression"] = projection
        if names:
            request["ExpressionAttributeNames"] = names
        while True:
            page = self.client.scan(**request)
            yield from page.get("Items", [])
            if "LastEvaluatedKey" not in page:
                return
            request["ExclusiveStartKey"] = page["LastEvaluatedKey"]
