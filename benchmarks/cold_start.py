"""Cold start: import the API app and build its clients, against import boto3 and build one client.

Each measurement runs in a fresh interpreter (as a new Lambda container would), several times;
the medians are compared within this one run. Recorded, never asserted. Goal: ratio <= 1.3.
The floor is what no API on pydantic and Chalice can go below: boto3 and one client, pydantic with
one model, a Chalice app; on Lambda SnapStart takes the rest off the first request (docs/cost.md).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
from pathlib import Path

from report import record

ROOT = Path(__file__).resolve().parents[1]
RUNS = int(os.environ.get("RUNS", "9"))

BASELINE = """
import time
t0 = time.perf_counter()
import boto3
boto3.client("dynamodb", region_name="ap-southeast-1")
print(time.perf_counter() - t0)
"""

FLOOR = """
import time
t0 = time.perf_counter()
import boto3
boto3.client("dynamodb", region_name="ap-southeast-1")
from pydantic import BaseModel
class One(BaseModel):
    field: int
from chalice.app import Chalice
Chalice(app_name="floor")
print(time.perf_counter() - t0)
"""

APP = """
import time
t0 = time.perf_counter()
import app
from motcua.container import get_container
get_container()
print(time.perf_counter() - t0)
"""

ENV = {
    "AWS_REGION": "ap-southeast-1",
    "AWS_ACCESS_KEY_ID": "x",
    "AWS_SECRET_ACCESS_KEY": "x",
    "MOTCUA_TABLE_NAME": "t",
    "MOTCUA_BUCKET_NAME": "b",
    "MOTCUA_PROVINCE_FILE": str(ROOT / "provinces" / "demo.yaml"),
    # As every function on AWS has them (infra/constructs/runtime.py).
    "MOTCUA_PROVINCE_CHECKED": "true",
    "PYDANTIC_DISABLE_PLUGINS": "__all__",
    "MOTCUA_CITIZEN_POOL_ID": "ap-southeast-1_citizens",
    "MOTCUA_CITIZEN_CLIENT_ID": "c",
    "MOTCUA_STAFF_POOL_ID": "ap-southeast-1_staff",
    "MOTCUA_STAFF_CLIENT_ID": "s",
    "PYTHONPATH": os.pathsep.join(str(ROOT / p) for p in ("functions/api", "functions", "layers")),
}


def measure(code: str) -> list[float]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "MOTCUA_"))} | ENV
    times = []
    for _ in range(RUNS):
        done = subprocess.run(
            [sys.executable, "-X", "frozen_modules=on", "-c", code],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        times.append(float(done.stdout.strip().splitlines()[-1]))
    return times


def main() -> None:
    measure(BASELINE)  # warm the file cache once so neither side pays for the first disk read
    baseline = statistics.median(measure(BASELINE))
    floor = statistics.median(measure(FLOOR))
    app = statistics.median(measure(APP))
    group = "cold start"
    record(group, "boto3 import and one client", round(baseline * 1000, 1), unit="ms")
    record(group, "API import and clients", round(app * 1000, 1), unit="ms")
    record(group, "API ÷ boto3 and one client", round(app / baseline, 2), goal="<= 1.3")
    record(group, "floor (boto3, pydantic, Chalice) ÷ boto3", round(floor / baseline, 2))


if __name__ == "__main__":
    main()
