"""How long a flow's hand-over takes on the real local stack, seen over HTTP. Printed, never asserted.

The stack is `python -m infra.devstack` started with infra.devstack.process on free ports, a temporary data
folder and MOTCUA_SWEEP_SECONDS=0. N business registrations (2.001610: Finance, then the tax office;
two required PDFs) are filed, accepted, approved at Finance and routed to the tax office; then, one
dossier at a time with nothing else moving, the tax office approves its step (the officer's last
decision) and the clock runs from the moment that request returns until the citizen's
GET /v1/dossiers/{code} shows status 9 (processed), asked every 20 ms. The first hand-over (the
desk's accept returns -> Finance's step T1.1 is there) is timed the same way, for comparison.

What bounds both: the routing poller of infra/devstack/workers.py. The decision answers the flow's task
token; moto's Step Functions thread then sends the next message to the routing queue at once, but
the poller only looks for visible messages every POLL_SECONDS while the queue is empty, then
receives, calls the routing handler and deletes. Medians, percentiles and ratios are from this one run.
Takes about a minute and a half on a 2-core machine (N=50; N and WORKERS can be set in the environment).
"""

from __future__ import annotations

import math
import os
import random
import shutil
import statistics
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

from report import record

ROOT = Path(__file__).resolve().parents[1]
for folder in ("functions", "."):
    sys.path.insert(0, str(ROOT / folder))

import requests  # noqa: E402

from infra.devstack.accounts import CITIZEN_PASSWORD, STAFF_PASSWORD  # noqa: E402
from infra.devstack.process import LocalStack  # noqa: E402
from infra.devstack.workers import POLL_SECONDS  # noqa: E402
from tests.examples import EXAMPLES, PDF  # noqa: E402

N = int(os.environ.get("N", "50"))
WORKERS = int(os.environ.get("WORKERS", "4"))  # client threads where throughput, not latency, matters
PROBE_SECONDS = 0.020  # how often the measured hand-overs are looked for
HANDOVER_TIMEOUT = 10.0  # seconds one hand-over may take before it counts as missed
ROUTED_TIMEOUT = 120.0  # seconds for a whole batch of steps to reach an inbox
IDLE_LOOKS = 20  # looks timed on an idle stack at the end

BUSINESS = "2.001610"
FINANCE, TAX = "000.00.01.H99", "000.00.20.H99"
CITIZEN = {"email": "an@example.vn", "password": CITIZEN_PASSWORD}
FINANCE_DESK = {"username": "canbo.sotaichinh", "password": STAFF_PASSWORD}  # receiver: accepts
FINANCE_OFFICER = {"username": "chuyenvien.sotaichinh", "password": STAFF_PASSWORD}  # decides T1.1
TAX_OFFICER = {"username": "canbo.thue", "password": STAFF_PASSWORD}
APPLICANT = {
    "full_name": "Nguyễn Văn An",
    "id_number": "001203004567",
    "phone": "0901234567",
    "email": "an@example.vn",
    "address": "25 Trần Phú, phường Minh Họa",
}
PROCESSED = 9


class Api:
    """HTTP to the stack: one requests.Session per thread (keep-alive; a Session is not shared)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._local = threading.local()

    @property
    def session(self) -> requests.Session:
        session: requests.Session | None = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = requests.Session()
        return session

    def call(self, method: str, path: str, token: str | None = None, **kwargs: Any) -> requests.Response:
        headers = kwargs.pop("headers", {})
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return self.session.request(method, f"{self.url}{path}", headers=headers, timeout=30, **kwargs)

    def ok(self, method: str, path: str, token: str | None = None, **kwargs: Any) -> Any:
        response = self.call(method, path, token, **kwargs)
        if response.status_code >= 300:
            raise RuntimeError(f"{method} {path}: {response.status_code} {response.text[:300]}")
        return response.json()

    def sign_in(self, kind: str, credentials: dict[str, str]) -> str:
        token: str = self.ok("POST", f"/v1/auth/{kind}/sign-in", json=credentials)["id_token"]
        return token

    def upload(self, token: str, filename: str) -> str:
        slot = self.ok(
            "POST",
            "/v1/uploads",
            token,
            json={"filename": filename, "content_type": "application/pdf", "size": len(PDF)},
        )
        # As the portal's browser does: straight to storage (moto's S3) with the presigned POST.
        stored = self.session.post(
            slot["url"], data=slot["fields"], files={"file": (filename, PDF, "application/pdf")}, timeout=30
        )
        if stored.status_code not in (200, 201, 204):
            raise RuntimeError(f"upload: {stored.status_code} {stored.text[:300]}")
        upload_id: str = slot["upload_id"]
        return upload_id

    def file(self, token: str, papers: list[str]) -> str:
        attachments = [
            {"upload_id": self.upload(token, f"{paper}.pdf"), "paper_code": paper} for paper in papers
        ]
        body = {"procedure_code": BUSINESS, "applicant": APPLICANT, "form": EXAMPLES[BUSINESS]}
        code: str = self.ok(
            "POST",
            "/v1/dossiers",
            token,
            headers={"Idempotency-Key": f"bench-{uuid.uuid4().hex}"},
            json=body | {"attachments": attachments},
        )["code"]
        return code

    def decide(self, token: str, task_id: str, action: str) -> float:
        """The decision; how long its request took (seconds)."""
        started = time.perf_counter()
        self.ok("POST", f"/v1/tasks/{task_id}/decision", token, json={"action": action})
        return time.perf_counter() - started

    def task_there(self, token: str, task_id: str) -> bool:
        return self.call("GET", f"/v1/tasks/{task_id}", token).status_code == 200

    def has_status(self, token: str, code: str, status: int) -> bool:
        return bool(self.ok("GET", f"/v1/dossiers/{code}", token)["status"] == status)

    def inbox(self, token: str, agency: str) -> set[str]:
        """Every task id in the agency's inbox, all pages."""
        found: set[str] = set()
        next_token: str | None = None
        while True:
            params: dict[str, Any] = {"limit": 100} | ({"next_token": next_token} if next_token else {})
            page = self.ok("GET", f"/v1/agencies/{agency}/tasks", token, params=params)
            found.update(item["task_id"] for item in page["items"])
            next_token = page.get("next_token")
            if not next_token:
                return found


@dataclass
class Handover:
    """One kind of hand-over, timed dossier by dossier."""

    name: str
    latencies: list[float] = field(default_factory=list)  # decision returned -> seen over HTTP
    decisions: list[float] = field(default_factory=list)  # the decision request's own duration
    probe_times: list[float] = field(default_factory=list)  # each look's request duration
    probes: list[int] = field(default_factory=list)  # looks per hand-over
    idle_probe_times: list[float] = field(default_factory=list)  # a look with nothing else moving
    missed: int = 0
    rng: random.Random = field(default_factory=lambda: random.Random(2001610))

    def time(self, decide: Callable[[], float], seen: Callable[[], bool]) -> None:
        # A pause of random length first: back to back, each decision would fall at the same point
        # of the poller's cycle (it sleeps POLL_SECONDS from the end of the previous hand-over), and
        # the wait for its next look would be the same every time instead of what a user meets.
        time.sleep(self.rng.uniform(0, POLL_SECONDS))
        self.decisions.append(decide())
        returned = time.perf_counter()
        looks, next_look = 0, returned
        while True:
            asked = time.perf_counter()
            found = seen()
            now = time.perf_counter()
            looks += 1
            self.probe_times.append(now - asked)
            if found:
                self.latencies.append(now - returned)
                self.probes.append(looks)
                return
            if now - returned > HANDOVER_TIMEOUT:
                self.missed += 1
                return
            next_look += PROBE_SECONDS  # every 20 ms from the decision on, at once if a look overran
            time.sleep(max(0.0, next_look - time.perf_counter()))

    def summary(self) -> dict[str, Any]:
        ms = sorted(x * 1000 for x in self.latencies)
        return {
            "n": len(ms),
            "missed": self.missed,
            "median_ms": _r(statistics.median(ms)) if ms else None,
            "p90_ms": _r(_percentile(ms, 0.9)) if ms else None,
            "max_ms": _r(ms[-1]) if ms else None,
            "max_was_dossier_no": self.latencies.index(max(self.latencies)) + 1 if ms else None,
            "min_ms": _r(ms[0]) if ms else None,
            "p90_minus_min_ms": _r(_percentile(ms, 0.9) - ms[0]) if ms else None,
            "decision_request_median_ms": _r(statistics.median(self.decisions) * 1000),
            "probe_request_median_ms": _r(statistics.median(self.probe_times) * 1000),
            "probe_request_idle_median_ms": (
                _r(statistics.median(self.idle_probe_times) * 1000) if self.idle_probe_times else None
            ),
            "probes_median": statistics.median(self.probes) if self.probes else None,
        }


def _percentile(ordered: list[float], q: float) -> float:
    """Nearest-rank percentile of a sorted list."""
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def _r(value: float) -> float:
    return round(value, 1)


def _wait_routed(api: Api, token: str, agency: str, wanted: set[str]) -> float:
    """Until every task in `wanted` is in the agency's inbox (not timed closely); seconds taken."""
    started = time.perf_counter()
    while not wanted <= api.inbox(token, agency):
        if time.perf_counter() - started > ROUTED_TIMEOUT:
            missing = sorted(wanted - api.inbox(token, agency))
            raise RuntimeError(f"{len(missing)} step(s) never reached {agency}: {missing[:5]} …")
        time.sleep(0.25)
    return time.perf_counter() - started


@contextmanager
def _phase(name: str, timings: dict[str, float]) -> Iterator[None]:
    started = time.perf_counter()
    yield
    timings[name] = round(time.perf_counter() - started, 1)


def run(stack: LocalStack, timings: dict[str, float]) -> tuple[Handover, Handover]:
    api = Api(stack.url)
    citizen = api.sign_in("citizens", CITIZEN)
    desk = api.sign_in("staff", FINANCE_DESK)
    reviewer = api.sign_in("staff", FINANCE_OFFICER)
    tax = api.sign_in("staff", TAX_OFFICER)
    procedure = api.ok("GET", f"/v1/procedures/{BUSINESS}")
    papers = [p["code"] for p in procedure["papers"] if p.get("required", True)]
    first, last = Handover("accept -> T1.1 in Finance's inbox"), Handover("approve T2.1 -> status 9")

    with ThreadPoolExecutor(WORKERS) as pool:
        with _phase(f"file {N} (2 PDFs each, {WORKERS} threads)", timings):
            codes = list(pool.map(lambda _: api.file(citizen, papers), range(N)))

        # Accept one at a time: the first hand-over is timed, with no other flow moving.
        with _phase(f"accept {N}, each timed until T1.1 is there", timings):
            for code in codes:
                first.time(
                    partial(api.decide, desk, f"{code}-T1", "accept"),
                    # The task is written open, and so into the inbox's index, in one transaction.
                    partial(api.task_there, desk, f"{code}-T1.1"),
                )
            _wait_routed(api, desk, FINANCE, {f"{code}-T1.1" for code in codes})

        with _phase(f"approve {N} T1.1 ({WORKERS} threads), until every T2.1 is in the tax inbox", timings):
            list(pool.map(lambda code: api.decide(reviewer, f"{code}-T1.1", "approve"), codes))
            _wait_routed(api, tax, TAX, {f"{code}-T2.1" for code in codes})

    # The measured part: one dossier at a time, nothing else moving.
    with _phase(f"approve {N} T2.1, each timed until status {PROCESSED}", timings):
        for code in codes:
            last.time(
                partial(api.decide, tax, f"{code}-T2.1", "approve"),
                partial(api.has_status, citizen, code, PROCESSED),
            )

    # What one look costs with nothing moving: the measurement's own resolution.
    for code in codes[:IDLE_LOOKS]:
        last.idle_probe_times.append(_timed(partial(api.has_status, citizen, code, PROCESSED)))
        first.idle_probe_times.append(_timed(partial(api.task_there, desk, f"{code}-T1.1")))
    return first, last


def _timed(call: Callable[[], object]) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def main() -> None:
    timings: dict[str, float] = {}
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="motcua-bench-") as tmp:
        stack = LocalStack(Path(tmp) / "data", Path(tmp) / "stack.log", env={"MOTCUA_SWEEP_SECONDS": "0"})
        with stack:
            timings["stack start (cold, new data folder)"] = round(stack.started_in or 0.0, 1)
            first, last = run(stack, timings)
        exit_code = stack.returncode
        log = stack.log(whole=True)
        if os.environ.get("KEEP_LOG"):  # the stack's console, for a closer look
            shutil.copyfile(stack.log_path, os.environ["KEEP_LOG"])
    routing_errors = [line for line in log.splitlines() if line.startswith("devstack: routing: ")]

    last_s, first_s = last.summary(), first.summary()
    group = "flow latency (local stack)"
    poll_ms = POLL_SECONDS * 1000
    # What bounds both hand-overs: after a decision, moto's Step Functions thread puts the flow's next
    # message on the routing queue at once; the routing poller (infra/devstack/workers.py) looks for
    # it only every POLL_SECONDS while the queue is empty, then runs routing.app.handler. So a
    # hand-over is the wait for the poller's next look (0 to POLL_SECONDS, half on average), the
    # handler's own requests (about min), and the probe's own interval. The decision is not in it.
    for label, summary in (("decision → status 9", last_s), ("accept → first step there", first_s)):
        for key in ("median_ms", "p90_ms", "max_ms", "min_ms"):
            record(group, f"{label}: {key.removesuffix('_ms')} of {N}", summary[key], unit="ms")
        record(group, f"{label}: missed (over {HANDOVER_TIMEOUT:g} s)", summary["missed"], goal="0")
    record(group, "decision request, median", last_s["decision_request_median_ms"], unit="ms")
    record(group, "one look at a dossier, idle, median", last_s["probe_request_idle_median_ms"], unit="ms")
    record(group, "routing poller's idle look interval", poll_ms, unit="ms")
    record(group, "routing errors in the stack's log", len(routing_errors), goal="0")
    for phase, seconds in timings.items():
        record(group, phase, seconds, unit="s")
    record(group, "whole benchmark", round(time.perf_counter() - started, 1), unit="s")
    record(group, "stack's exit code on SIGINT", exit_code, goal="0")


if __name__ == "__main__":
    main()
