"""Satisfaction ratings (docs/ratings.md) on moto: AWS calls per rating, and what a 12-month read of an
agency's tallies (the staff view, and `satisfaction()` for the Decision 766 indicator) costs with few
and with many ratings. Goal: the reads equal, whatever the ratings."""

from __future__ import annotations

import os
import random
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from report import record

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "layers"))
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SMALL = int(os.environ.get("SMALL", "50"))
LARGE = int(os.environ.get("LARGE", "300"))
REGION = "ap-southeast-1"
TABLE = "ratings-benchmark"
AGENCY = "000.00.22.H99"
PROCEDURES = [f"1.00{n:04d}" for n in range(8)]
GROUP = "ratings"


class Calls:
    def __init__(self) -> None:
        self.names: list[str] = []
        self.items = 0

    def __call__(self, model: Any, parsed: dict[str, Any], **_: Any) -> None:
        self.names.append(model.name)
        self.items += sum(len(v) for v in (parsed.get("Responses") or {}).values()) + len(
            parsed.get("Items") or []
        )


def main() -> None:
    import boto3
    from moto import mock_aws

    from infra.devstack import moto_patches
    from infra.devstack.provision import _table
    from motcua.adapters.ratings import DynamoRatingStore
    from motcua.config.province import load_province
    from motcua.domain.ratings import CRITERION_KEYS, Rating, Way, month_of

    moto_patches.apply()  # the local stack's moto: transactions and queries at a flat cost
    with mock_aws():
        client = boto3.client("dynamodb", region_name=REGION)
        _table(client, TABLE, load_province(ROOT / "provinces" / "demo.yaml"))
        store = DynamoRatingStore(client, TABLE)
        calls = Calls()
        client.meta.events.register("after-call.dynamodb", calls)
        rng = random.Random(766)
        start = datetime(2025, 12, 1, 3, tzinfo=UTC)

        def rate(n: int) -> None:
            for i in range(n):
                at = start + timedelta(hours=rng.randrange(24 * 360))
                store.add(
                    Rating(
                        code=f"{AGENCY}-{i:06d}-{rng.randrange(10**6):06d}",
                        agency=AGENCY,
                        procedure_code=rng.choice(PROCEDURES),
                        month=month_of(at),
                        at=at,
                        scores={k: rng.randint(1, 5) for k in CRITERION_KEYS},
                        comment="Ý kiến" if rng.random() < 0.2 else None,
                        way=Way.PORTAL,
                    ),
                    expires_at=at + timedelta(days=3650),
                )

        def read(label: str) -> None:
            from motcua.services.ratings import RatingService

            class Province:  # what the service reads of the province: the agency's procedures
                procedures = [
                    type("P", (), {"agency": AGENCY, "code": c, "name": None})() for c in PROCEDURES
                ]
                agencies_by_code: dict[str, Any] = {}

            service = RatingService(
                province=Province(),  # type: ignore[arg-type]
                store=store,
                dossiers=None,  # type: ignore[arg-type]
                key=lambda: None,  # type: ignore[arg-type,return-value]
                clock=None,  # type: ignore[arg-type]
                portal_url="",
            )
            calls.names.clear()
            calls.items = 0
            service.satisfaction(AGENCY, "2025-12", "2026-11")
            record(
                GROUP,
                f"satisfaction(), 12 months, {label}: AWS calls",
                len(calls.names),
                unit="calls",
                goal="equal",
            )
            record(
                GROUP,
                f"satisfaction(), 12 months, {label}: items read",
                calls.items,
                unit="items",
                goal="equal",
            )
            calls.names.clear()
            calls.items = 0
            tallies = store.tallies(AGENCY, [f"2026-{m:02d}" for m in range(1, 12)] + ["2025-12"], PROCEDURES)
            store.comments(AGENCY, first="2025-12-01", last="2026-11-31", limit=20, token=None)
            record(
                GROUP,
                f"staff view, 12 months × {len(PROCEDURES)} procedures, {label}: AWS calls",
                len(calls.names),
                unit="calls",
                goal="equal",
            )
            record(
                GROUP,
                f"staff view, 12 months × {len(PROCEDURES)} procedures, {label}: tally items read",
                len(tallies),
                unit="items",
                goal="≤ 12 × 9",
            )

        calls.names.clear()
        rate(SMALL)
        record(GROUP, "AWS calls per rating", round(len(calls.names) / SMALL, 2), unit="calls", goal="1")
        read(f"{SMALL} ratings")
        rate(LARGE - SMALL)
        read(f"{LARGE} ratings")


if __name__ == "__main__":
    main()
