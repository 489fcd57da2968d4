"""The local stack as it fills up: memory, filing and decision times, restart, ten people at once.

One temporary data folder is filled with history (`python -m infra.devstack.history`, the platform's
own services, a fixed seed) up to each size of SIZES (100, 1,000 and 10,000 dossiers; `SIZES=100,1000`
for a shorter run). At each size the stack (`python -m infra.devstack`, MOTCUA_SWEEP_SECONDS=0) is
started on it and timed until `GET /v1/health` answers, then over HTTP: FILINGS birth registrations
filed one after another (the POST /v1/dossiers only, its PDF uploaded before), the ward's desk
accepting each (the decision), then ten citizens' filings sent at once, TIMES times; the stack's
memory (the VmRSS of its process and of moto's, its child, summed, once no snapshot is being
written) is read after all that, and it is stopped with SIGINT and timed until its process has
gone. Every figure is recorded through benchmarks/report.py, group 'local stack'; medians and
ratios are from this one run.

The filled folders are cached between runs (`.data/bench-cache/`, MOTCUA_BENCH_CACHE moves it), one
per size, keyed by the version of the code that writes the data (CACHE_KEYED: the history filler, the
services, the snapshots' format, moto's patches and version, the province file); each stage measures a
copy, so a cached folder holds the history alone: 100 dossiers (seed 100), then 900 more (seed 1000),
then 9,000 more (seed 10000). Filling 10,000 takes most of an hour on a busy 2-core machine, beyond
the benchmark's time budget (MOTCUA_BENCH_TIMEOUT): `PREPARE=1 python benchmarks/local_stack.py`
fills the cache without measuring; a run whose cache is cold fills it (and may then run out of time).
The fill's own time is recorded when it happens ("history filled …").

ONLY=start measures the starts alone (the start until /v1/health answers, the snapshot's load in it as
the stack prints it, Ctrl-C to exit), STARTS times at each size (3; the median is recorded), with no
filings: e.g. `ONLY=start SIZES=1000,4000` in a few minutes, where the whole table takes most of an hour.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
for folder in ("functions", "."):
    sys.path.insert(0, str(ROOT / folder))

import requests  # noqa: E402

from benchmarks.report import record  # noqa: E402
from infra.devstack.accounts import CITIZEN_PASSWORD, STAFF_PASSWORD  # noqa: E402
from infra.devstack.process import LocalStack  # noqa: E402
from tests.examples import EXAMPLES, PDF  # noqa: E402

GROUP = "local stack"
SIZES = [int(s) for s in os.environ.get("SIZES", "100,1000,10000").split(",")]
FILINGS = int(os.environ.get("FILINGS", "20"))
TIMES = int(os.environ.get("TIMES", "3"))  # rounds of ten filings at once
ONLY = os.environ.get("ONLY", "")  # "start": the starts alone
STARTS = int(os.environ.get("STARTS", "3"))  # starts at each size with ONLY=start
PREPARE = os.environ.get("PREPARE") == "1"  # fill the cache, measure nothing
CACHE = Path(os.environ.get("MOTCUA_BENCH_CACHE", str(ROOT / ".data" / "bench-cache")))
# What writes the filled folders: a change to any of these fills them again.
CACHE_KEYED = (
    "infra/devstack/history.py",
    "infra/devstack/snapshots.py",
    "infra/devstack/moto_patches.py",
    "infra/devstack/provision.py",
    "infra/devstack/accounts.py",
    "infra/devstack/flows.py",
    "layers/motcua",
    "provinces/demo.yaml",
    "tests/examples.py",
    "tests/fakes/workflow.py",
)
LOADED = re.compile(r"devstack: loaded the snapshot and replayed \d+ requests in ([\d.]+) s")
PROCEDURE = "1.001193"  # birth registration at Phường Minh Họa: one PDF
AGENCY = "000.01.01.H99"
CITIZEN = {"email": "an@example.vn", "password": CITIZEN_PASSWORD}
DESK = {"username": "canbo.phuongminhhoa", "password": STAFF_PASSWORD}


class Client:
    def __init__(self, url: str) -> None:
        self.url = url
        self.local = threading.local()

    def call(self, method: str, path: str, token: str | None = None, **kwargs: Any) -> requests.Response:
        session = getattr(self.local, "session", None)
        if session is None:
            session = self.local.session = requests.Session()
        headers = kwargs.pop("headers", {})
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return session.request(method, f"{self.url}{path}", headers=headers, timeout=120, **kwargs)

    def sign_in(self, kind: str, credentials: dict[str, str]) -> str:
        response = self.call("POST", f"/v1/auth/{kind}/sign-in", json=credentials)
        response.raise_for_status()
        token: str = response.json()["id_token"]
        return token

    def upload(self, token: str) -> str:
        slot = self.call(
            "POST",
            "/v1/uploads",
            token,
            json={"filename": "giay-chung-sinh.pdf", "content_type": "application/pdf", "size": len(PDF)},
        )
        slot.raise_for_status()
        body = slot.json()
        stored = requests.post(body["url"], data=body["fields"], files={"file": ("a.pdf", PDF)}, timeout=60)
        stored.raise_for_status()
        upload_id: str = body["upload_id"]
        return upload_id

    def file(self, token: str, upload_id: str) -> tuple[float, str]:
        """One filing: its time in seconds and the dossier's code."""
        body = {
            "procedure_code": PROCEDURE,
            "applicant": {
                "full_name": "Nguyễn Văn An",
                "id_number": "001203004567",
                "phone": "0901234567",
                "email": "an@example.vn",
                "address": "25 Trần Phú, phường Minh Họa",
            },
            "form": EXAMPLES[PROCEDURE],
            "attachments": [{"upload_id": upload_id, "paper_code": "giay_chung_sinh"}],
            "language": "vi",
        }
        started = time.perf_counter()
        response = self.call(
            "POST", "/v1/dossiers", token, headers={"Idempotency-Key": f"bench-{uuid.uuid4().hex}"}, json=body
        )
        took = time.perf_counter() - started
        if response.status_code != 201:
            raise RuntimeError(f"filing answered {response.status_code}: {response.text}")
        code: str = response.json()["code"]
        return took, code

    def accept(self, token: str, code: str) -> float:
        started = time.perf_counter()
        response = self.call("POST", f"/v1/tasks/{code}-T1/decision", token, json={"action": "accept"})
        took = time.perf_counter() - started
        if response.status_code != 200:
            raise RuntimeError(f"decision answered {response.status_code}: {response.text}")
        return took


def rss_mb(pid: int) -> float:
    """The resident memory of the process and of every process under it (moto runs in a child)."""
    total = 0
    for each in [pid, *descendants(pid)]:
        try:
            status = Path(f"/proc/{each}/status").read_text()
        except FileNotFoundError:  # gone meanwhile
            continue
        total += next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")), 0)
    return total / 1024


def settled(pid: int, timeout: float = 60) -> None:
    """Until the stack runs as two processes (itself and moto's): a snapshot being written is a third,
    a copy of moto's process whose pages are mostly moto's own, which RSS would count twice."""
    deadline = time.monotonic() + timeout
    while len(descendants(pid)) > 1 and time.monotonic() < deadline:
        time.sleep(0.2)


def descendants(pid: int) -> list[int]:
    """Every process whose parent, or parent's parent and so on, is `pid` (Linux's /proc)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except (FileNotFoundError, IndexError):
                continue
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    found, waiting = [], [pid]
    while waiting:
        below = children.get(waiting.pop(), [])
        found += below
        waiting += below
    return found


def fill(stack: LocalStack, dossiers: int, seed: int) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "infra.devstack.history", "--dossiers", str(dossiers), "--seed", str(seed)],
        cwd=ROOT,
        env=stack.environment(),
        check=False,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    if done.returncode != 0:
        raise RuntimeError(f"the history filler failed ({done.returncode}): {done.stderr[-2000:]}")


def cache_key() -> str:
    """The version of what writes the filled folders: those files' contents, moto's and Python's versions."""
    from importlib.metadata import version

    digest = hashlib.sha256(f"moto {version('moto')} python {sys.version_info[:2]}".encode())
    for name in CACHE_KEYED:
        path = ROOT / name
        for file in sorted(path.rglob("*.py")) if path.is_dir() else [path]:
            digest.update(str(file.relative_to(ROOT)).encode() + b"\0" + file.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def filled_folder(size: int, before: Path | None, filled: int, scratch: Path) -> Path:
    """The cached folder of `size` history dossiers, made from `before` (`filled` dossiers) if missing."""
    folder = CACHE / f"local-stack-{cache_key()}" / str(size)
    if (folder / "moto-snapshot.pickle").is_file():
        return folder
    building = scratch / f"fill-{size}"
    shutil.rmtree(building, ignore_errors=True)
    if before is not None:
        shutil.copytree(before, building)
    stack = LocalStack(building, scratch / "fill.log")
    started = time.perf_counter()
    fill(stack, size - filled, seed=size)
    took = time.perf_counter() - started
    record(
        GROUP,
        f"history filled from {filled:,} to {size:,} dossiers (flows included)",
        round(took),
        unit="s",
    )
    per_dossier = round(took / (size - filled) * 1000)
    record(GROUP, f"history filler, per dossier, up to {size:,}", per_dossier, unit="ms")
    folder.parent.mkdir(parents=True, exist_ok=True)
    partial = folder.with_name(f"{size}.partial")
    shutil.rmtree(partial, ignore_errors=True)
    shutil.copytree(building, partial)
    shutil.rmtree(building)
    partial.rename(folder)  # whole or not at all
    return folder


def measure(stack: LocalStack, size: int) -> dict[str, float]:
    client = Client(stack.url)
    citizen = client.sign_in("citizens", CITIZEN)
    desk = client.sign_in("staff", DESK)
    client.file(citizen, client.upload(citizen))  # the first of each kind warms its code path
    filings, codes = [], []
    for _ in range(FILINGS):
        upload_id = client.upload(citizen)
        took, code = client.file(citizen, upload_id)
        filings.append(took)
        codes.append(code)
    decisions = [client.accept(desk, code) for code in codes]
    at_once: list[float] = []
    for _ in range(TIMES):
        uploads = [client.upload(citizen) for _ in range(10)]
        times: list[float] = []

        def one(upload_id: str, into: list[float] = times) -> None:
            into.append(client.file(citizen, upload_id)[0])

        threads = [threading.Thread(target=one, args=(u,)) for u in uploads]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        at_once += times
    assert stack.process is not None
    settled(stack.process.pid)
    figures = {
        "filing": statistics.median(filings) * 1000,
        "decision": statistics.median(decisions) * 1000,
        "ten": statistics.median(at_once) * 1000,
        "memory": rss_mb(stack.process.pid),
    }
    record(GROUP, f"filing p50 at {size:,} dossiers", round(figures["filing"]), unit="ms")
    record(GROUP, f"decision (accept) p50 at {size:,} dossiers", round(figures["decision"]), unit="ms")
    record(GROUP, f"memory (RSS) at {size:,} dossiers", round(figures["memory"]), unit="MB", goal="<= 1024")
    record(
        GROUP,
        f"ten filings at once, median ÷ one filing's, at {size:,} dossiers",
        round(figures["ten"] / figures["filing"], 1),
        unit="×",
        goal="<= 5",
    )
    return figures


def starts(stack: LocalStack, size: int) -> None:
    """Start and stop the stack STARTS times on the same folder; the medians."""
    ready, loads, stops = [], [], []
    for _ in range(STARTS):
        before = len(stack.log(whole=True))
        started = time.perf_counter()
        stack.start()
        ready.append(time.perf_counter() - started)
        stopping = time.perf_counter()
        stack.stop()
        stops.append(time.perf_counter() - stopping)
        loaded = LOADED.search(stack.log(whole=True)[before:])
        if loaded:
            loads.append(float(loaded.group(1)))
    record(
        GROUP,
        f"start, ready to answer, at {size:,} dossiers",
        round(statistics.median(ready), 1),
        unit="s",
        goal="<= 30",
    )
    if loads:
        record(
            GROUP,
            f"snapshot load (within the start) at {size:,} dossiers",
            round(statistics.median(loads), 1),
            unit="s",
        )
    record(
        GROUP,
        f"Ctrl-C to exit at {size:,} dossiers",
        round(statistics.median(stops), 1),
        unit="s",
        goal="<= 5",
    )


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="motcua-bench-") as scratch:
        folder = Path(scratch)
        filled, before = 0, None
        first: dict[str, float] | None = None
        for size in SIZES:
            before = filled_folder(size, before, filled, folder)
            filled = size
            if PREPARE:
                continue
            # Each stage measures a copy: the cached folder keeps the history alone.
            data = folder / f"data-{size}"
            shutil.copytree(before, data)
            (data / ".lock").unlink(missing_ok=True)
            env = {"MOTCUA_SWEEP_SECONDS": "0", "POWERTOOLS_METRICS_DISABLED": "true"}
            stack = LocalStack(data, folder / "stack.log", env=env, start_timeout=600, stop_timeout=120)
            if ONLY == "start":
                starts(stack, size)
                shutil.rmtree(data)
                continue
            started = time.perf_counter()
            stack.start()
            record(
                GROUP,
                f"start, ready to answer, at {size:,} dossiers",
                round(time.perf_counter() - started, 1),
                unit="s",
                goal="<= 30",
            )
            try:
                figures = measure(stack, size)
            finally:
                assert stack.process is not None
                pid_gone = time.perf_counter()
                stack.stop()
                record(
                    GROUP,
                    f"Ctrl-C to exit at {size:,} dossiers",
                    round(time.perf_counter() - pid_gone, 1),
                    unit="s",
                    goal="<= 5",
                )
            shutil.rmtree(data)
            if first is None:
                first = figures
            else:
                for kind in ("filing", "decision"):
                    record(
                        GROUP,
                        f"{kind} p50 at {size:,} ÷ at {SIZES[0]:,}",
                        round(figures[kind] / first[kind], 2),
                        unit="×",
                        goal="<= 1.5",
                    )


if __name__ == "__main__":
    main()
