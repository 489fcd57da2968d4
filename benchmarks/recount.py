"""The recount's map step (docs/statistics.md, "The recount"): how fast one process sums an export
data file, and what that makes for a city of 10,000,000 dossiers.

A data file like DynamoDB's export writes (gzipped DynamoDB-JSON lines) is made of FILE_DOSSIERS
dossiers of the statistics benchmark's random history (their last images, with an application's
applicant, form and papers beside the statistics' fields, about 2 KB a dossier as the table holds
them), and for each dossier OTHERS items that count nothing (its tasks, audit events, notification
markers: each is read and parsed all the same). `sums_of_file(lines_of(...))`, what a map item runs
after its GetObject, is timed over the whole file (best of three). The estimate for the city divides
its lines by the throughput and by the map's concurrency (infra/constructs/recount.py).
"""

from __future__ import annotations

import gzip
import io
import json
import os
import sys
import time
from pathlib import Path

from report import record

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]  # the statistics benchmark's history; infra's settings

FILE_DOSSIERS = int(os.environ.get("FILE_DOSSIERS", "20000"))
OTHERS = 5  # items per dossier that count nothing: tasks, audit events, markers
CITY = 10_000_000


def data_file() -> tuple[bytes, int]:
    """A gzipped export data file; and how many lines it holds."""
    from statistics_counters import history

    last: dict[str, dict[str, object]] = {}
    for step in history(FILE_DOSSIERS):
        image = step["dynamodb"]["NewImage"]
        last[image["PK"]["S"]] = image
    lines = []
    for pk, image in last.items():
        data = json.loads(image["data"]["S"])  # type: ignore[index]
        data |= {
            "applicant": {
                "full_name": "Nguyễn Văn An",
                "id_number": "001203012345",
                "phone": "0901234567",
                "email": "an@example.vn",
                "address": "Số 1 đường Lê Lợi, phường Minh Họa",
            },
            "form": {
                f"truong_{i}": "Giá trị của một trường trong tờ khai, như người dân điền" for i in range(16)
            },
            "attachments": [
                {"upload_id": f"u-{i:032d}", "paper_code": f"GT{i}", "sha256": "0" * 64} for i in range(3)
            ],
        }
        lines.append(json.dumps({"Item": {**image, "data": {"S": json.dumps(data, ensure_ascii=False)}}}))
        for n in range(OTHERS):
            other = {
                "kind": "event",
                "n": n,
                "by": "canbo.phuong",
                "note": "Tiếp nhận hồ sơ tại bộ phận một cửa",
            }
            lines.append(
                json.dumps(
                    {
                        "Item": {
                            "PK": {"S": pk},
                            "SK": {"S": f"E#{n:04d}"},
                            "type": {"S": "event"},
                            "data": {"S": json.dumps(other, ensure_ascii=False)},
                        }
                    }
                )
            )
    return gzip.compress(("\n".join(lines) + "\n").encode()), len(lines)


def main() -> None:
    from motcua.adapters.recount import lines_of, sums_of_file
    from motcua.domain.calendar import WorkingCalendar

    calendar = WorkingCalendar()
    content, lines = data_file()
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        sums = sums_of_file(lines_of(io.BytesIO(content)), calendar)
        best = min(best, time.perf_counter() - started)
    assert sums.lines == lines
    per_second = lines / best
    record("recount", f"export file summed: lines ({FILE_DOSSIERS:,} dossiers)", lines)
    size = len(gzip.decompress(content))
    record("recount", "export file summed: size ungzipped", round(size / 2**20, 1), unit="MB")
    record("recount", "export file summed: counter items out", len(sums.items))
    record("recount", "map step throughput, one process", round(per_second), unit="lines/s")
    record(
        "recount", "map step throughput, one process", round(size / best / 2**20, 1), unit="MB/s ungzipped"
    )
    from infra.constructs.recount import MAX_CONCURRENCY

    city_lines = CITY * (1 + OTHERS)
    cpu = city_lines / per_second
    record("recount", f"{CITY:,} dossiers: map work, one process", round(cpu / 60), unit="min")
    record(
        "recount",
        f"{CITY:,} dossiers: map wall time at concurrency {MAX_CONCURRENCY}",
        round(cpu / MAX_CONCURRENCY, 1),
        unit="s",
        goal="< 600",
    )


if __name__ == "__main__":
    main()
