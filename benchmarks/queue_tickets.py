"""Queue tickets: AWS calls per call-next (goal ≤ 2) and per board poll (goal ≤ 1 read, 0 writes), on
the Chalice app over moto; and, on the local stack, the time from a counter's call-next to the board
showing it, polled as the board page polls (every 1.5 s, If-None-Match).

The calls are counted by a botocore hook on the API's DynamoDB client. The local stack runs a copy of
the demo province whose centres are open all day (as the browser tests do), so it measures at any hour.
"""

from __future__ import annotations

import random
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from _moto_api import REGION, ROOT, moto_api
from report import record

sys.path.insert(0, str(ROOT))

GROUP = "queue tickets"
CALLS = 20  # call-next measured on moto
LATENCY_CALLS = 8  # call-next measured on the local stack
BOARD_POLL_S = 1.5  # frontend/views/queue.js POLL_MS
READS = {"GetItem", "Query", "BatchGetItem", "Scan"}
WRITES = {"PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems", "BatchWriteItem"}


class Calls:
    def __init__(self) -> None:
        self.names: list[str] = []

    def __call__(self, http_response: Any, parsed: Any, model: Any, **_: Any) -> None:
        self.names.append(model.name)

    def since(self, mark: int) -> list[str]:
        return self.names[mark:]


def on_moto() -> None:
    from motcua.adapters import clients
    from motcua.domain.models import Principal, PrincipalKind
    from motcua.domain.roles import Role

    with moto_api() as api:
        queue = api.container.queue
        for i in range(CALLS + 5):  # appointments check in whatever the hour
            queue.issue("tinh", "A", appointment=f"HEN-{i:04d}")
        calls = Calls()
        clients.client("dynamodb", REGION).meta.events.register("after-call.dynamodb", calls)
        receiver = Principal(
            sub="canbo",
            kind=PrincipalKind.STAFF,
            username="canbo",
            agency="000.00.01.H99",
            role=Role.RECEIVER,
        )
        per_call = []
        for _ in range(CALLS):
            mark = len(calls.names)
            queue.call_next(receiver, "tinh", 1)
            per_call.append(len(calls.since(mark)))
        record(GROUP, f"AWS calls per call-next (mean of {CALLS})", statistics.mean(per_call), goal="≤ 2")
        record(GROUP, "AWS calls per call-next (most)", max(per_call), goal="≤ 2")

        mark = len(calls.names)
        first = api.client.http.request(
            "GET", "/v1/centres/tinh/board", headers={"Accept": "application/json"}
        )
        fresh = calls.since(mark)
        etag = first.headers["ETag"]
        mark = len(calls.names)
        again = api.client.http.request("GET", "/v1/centres/tinh/board", headers={"If-None-Match": etag})
        unchanged = calls.since(mark)
        assert again.status_code == 304, again.status_code
        for label, made in (("board poll (200)", fresh), ("board poll (304)", unchanged)):
            record(GROUP, f"{label}: table reads", sum(n in READS for n in made), goal="≤ 1")
            record(GROUP, f"{label}: table writes", sum(n in WRITES for n in made), goal="0")


def on_local_stack() -> None:
    import requests

    from infra.devstack.accounts import demo_accounts
    from infra.devstack.process import LocalStack
    from motcua.config.province import load_province
    from tests.conftest import DEMO_PROVINCE
    from tests.e2e.conftest import open_all_day

    receiver = next(
        a
        for a in demo_accounts(load_province(DEMO_PROVINCE))
        if a.pool == "staff" and a.role == "receiver" and a.agency == "000.00.01.H99"
    )
    with tempfile.TemporaryDirectory(prefix="motcua-bench-") as tmp:
        provinces = Path(tmp) / "provinces"
        provinces.mkdir()
        open_all_day(DEMO_PROVINCE, provinces / DEMO_PROVINCE.name)
        env = {"MOTCUA_SWEEP_SECONDS": "0", "MOTCUA_PROVINCE_DIR": str(provinces)}
        with LocalStack(Path(tmp) / "data", Path(tmp) / "stack.log", env=env, start_timeout=180) as stack:
            api = f"{stack.url}/v1"
            signed = requests.post(
                f"{api}/auth/staff/sign-in",
                json={"username": receiver.username, "password": receiver.password},
                timeout=30,
            )
            token = signed.json()["id_token"]
            for _ in range(LATENCY_CALLS + 2):
                requests.post(
                    f"{api}/centres/tinh/tickets", json={"service": "A"}, timeout=30
                ).raise_for_status()
            seen: dict[str, float] = {}
            stop = threading.Event()

            def board() -> None:  # as the board page: a poll every 1.5 s, 304 when nothing changed
                etag = None
                while not stop.is_set():
                    headers = {"If-None-Match": etag} if etag else {}
                    answer = requests.get(f"{api}/centres/tinh/board", headers=headers, timeout=30)
                    if answer.status_code == 200:
                        etag = answer.headers["ETag"]
                        for call in answer.json()["calls"]:
                            if call["counter"] == 1 and call["ticket"]:
                                seen.setdefault(f"{call['ticket']}#{call['seq']}", time.monotonic())
                    stop.wait(BOARD_POLL_S)

            poller = threading.Thread(target=board, daemon=True)
            poller.start()
            delays, requests_ms = [], []
            for _ in range(LATENCY_CALLS):
                time.sleep(random.uniform(0.2, BOARD_POLL_S))  # noqa: S311 — any phase of the board's poll
                started = time.monotonic()
                answer = requests.post(
                    f"{api}/centres/tinh/counters/1/next",
                    json={},
                    headers={"Authorization": f"Bearer {token}"},
                    timeout=30,
                )
                requests_ms.append((time.monotonic() - started) * 1000)
                call = answer.json()
                key = f"{call['ticket']}#{call['seq']}"
                while key not in seen and time.monotonic() - started < 10:
                    time.sleep(0.02)
                delays.append((seen.get(key, started + 10) - started) * 1000)
            stop.set()
            poller.join(timeout=5)
    record(
        GROUP,
        f"call-next → board shows it, median of {LATENCY_CALLS} (local stack)",
        round(statistics.median(delays)),
        unit="ms",
        goal="≤ 2000",
    )
    record(
        GROUP,
        f"call-next → board shows it, most of {LATENCY_CALLS} (local stack)",
        round(max(delays)),
        unit="ms",
        goal="≤ 2000",
    )
    record(GROUP, "call-next request, median (local stack)", round(statistics.median(requests_ms)), unit="ms")


def main() -> None:
    on_moto()
    on_local_stack()


if __name__ == "__main__":
    main()
