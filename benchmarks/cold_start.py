"""Cold start: import the API app and build its clients, against import boto3 and build one client.

Each measurement runs in a fresh interpreter (as a new Lambda container would), several times;
the medians are compared within this one run. Printed, never asserted. Goal: ratio <= 1.3.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RUNS = int(os.environ.get("RUNS", "9"))

BASELINE = """
import time
t0 = time.perf_counter()
import boto3
boto3.client("dynamodb", region_name="ap-southeast-1")
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
    app = statistics.median(measure(APP))
    result = {
        "runs": RUNS,
        "boto3_import_and_one_client_ms": round(baseline * 1000, 1),
        "api_import_and_clients_ms": round(app * 1000, 1),
        "ratio": round(app / baseline, 2),
        "goal": "<= 1.3",
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
