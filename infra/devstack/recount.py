"""Recount the local stack's statistics: `python -m infra.devstack.recount` (or `make recount`).

With `make dev` running (same `PROVINCE`, `MOTO_PORT`), it reads every dossier and task item of the
stack's table (a Scan, in this one process), sums what each contributes to the counters with the live
consumer's own arithmetic (`DynamoCounterStore.recount`, docs/statistics.md), says how many counter
items differ from the ones the stream kept, and writes the rebuilt ones (`--check`: only says).

This is the one-process path, for a laptop or a small province: a change made while it runs may be
missed or counted twice (run it when nobody files or decides). A city's recount runs on AWS, from an
export of the table read by a distributed map (infra/constructs/recount.py).
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from motcua.domain.calendar import WorkingCalendar


@dataclass(frozen=True)
class Recounted:
    items: int  # dossier and task items read
    counter_items: int  # counter items rebuilt
    differing: int  # counter items whose numbers were not those of the rebuild (added, changed, gone)
    written: int
    deleted: int


def recount(client: Any, table: str, calendar: WorkingCalendar, *, write: bool = True) -> Recounted:
    """Rebuild the counters of `table` from its dossiers, in this process; with `write`, store them."""
    from collections import Counter

    from motcua.adapters.statistics import DynamoCounterStore, cells_of_image, item_moves
    from motcua.resources import STATS_PREFIX

    store = DynamoCounterStore(client, table, calendar)
    totals: Counter[Any] = Counter()
    read = 0
    for item in store.scan_counted():
        read += 1
        totals.update(cells_of_image(item, calendar))
    rebuilt = {
        (f"{STATS_PREFIX}{agency}", period): {n: v for n, v in names.items() if v}
        for (agency, period), names in item_moves({c: n for c, n in totals.items() if n}).items()
    }
    kept = {
        (item["PK"]["S"], item["SK"]["S"]): {
            n: int(v["N"]) for n, v in item.items() if "N" in v and int(v["N"]) and n != "expires_at"
        }
        for item in store._scan("begins_with(PK, :p)", {":p": {"S": STATS_PREFIX}}, None)  # noqa: SLF001
    }
    # An item whose numbers are all 0 counts nothing: as if it were not there.
    differing = sum(1 for key in rebuilt.keys() | kept.keys() if rebuilt.get(key, {}) != kept.get(key, {}))
    written = deleted = 0
    if write:
        items = {(pk.removeprefix(STATS_PREFIX), sk): names for (pk, sk), names in rebuilt.items()}
        written, deleted = store.replace_items(items, old=kept.keys())
    return Recounted(read, len(rebuilt), differing, written, deleted)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m infra.devstack.recount", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--check", action="store_true", help="only say how many counter items differ")
    args = parser.parse_args(argv)

    import boto3
    from botocore.exceptions import EndpointConnectionError

    from motcua.config.province import load_province

    from .config import REGION, ConfigError, StackConfig

    try:
        config = StackConfig.from_env()
    except ConfigError as error:
        print(f"recount: {error}", file=sys.stderr)
        return 2
    province = load_province(config.province_file)
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN"):
        os.environ.pop(name, None)  # never a real account
    client = boto3.client(
        "dynamodb",
        region_name=REGION,
        endpoint_url=config.moto_url,
        aws_access_key_id="motcua-local",
        aws_secret_access_key="motcua-local",  # noqa: S106 — moto's, no account knows it
    )
    table = f"motcua-{province.id}-dossiers"
    try:
        done = recount(client, table, province.working_calendar, write=not args.check)
    except EndpointConnectionError:
        print(
            f"recount: no local stack answers at {config.moto_url}; start it with `make dev`.",
            file=sys.stderr,
        )
        return 1
    print(
        f"recount: {done.items} dossier and task items read, {done.counter_items} counter items rebuilt, "
        f"{done.differing} differed from the stream's"
        + ("" if args.check else f"; {done.written} written, {done.deleted} deleted")
        + ".",
        flush=True,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
