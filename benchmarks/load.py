"""Load on the local stack: many citizens filing at once, then a retry storm on the same Idempotency-Keys.

The stack is `python -m infra.devstack` (infra.devstack.process.LocalStack: free loopback ports, a
temporary data folder, no sweep), stopped at the end with Ctrl-C as a user stops `make dev`; its exit
code is a figure (0: it stopped cleanly, no kill needed). Locust runs headless inside this process
(its Environment and local runner, no web UI), on loopback only.

Before the load: CITIZENS citizens are created in the stack's Cognito (moto, as the demo accounts
are), each signs in through the API and uploads one PDF per filing it will make (not timed).

1. At once: CITIZENS locust users, all started together, each files one birth registration with its
   own Idempotency-Key. Then: every 201 is a dossier its owner can read, the codes are distinct and
   their numbers of the day run 1..n with no gap, and the only refusals are designed 429s (the
   contract's error body).
2. Retry storm: STORM_KEYS new filings, each sent by STORM_COPIES users at the same moment with the same
   key and body (a client retrying because it never saw the first answer). Then: one dossier per key,
   every copy answered with that dossier's code, and no new number taken by a copy.

Bounded in count and in time: CITIZENS (200), STORM_KEYS (50), STORM_COPIES (4) and LOAD_SECONDS (300,
per phase) can be set in the environment. Figures: requests, failures, p50/p95, duplicates, gaps.
"""

from __future__ import annotations

# Locust patches the standard library for gevent when it is imported: before anything else opens a socket.
from locust import HttpUser, constant, task  # isort: skip
from locust.env import Environment  # isort: skip
from locust.exception import StopUser  # isort: skip

import os
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import gevent
import gevent.pool
import gevent.queue
import requests

ROOT = Path(__file__).resolve().parents[1]
for folder in ("functions", "."):
    sys.path.insert(0, str(ROOT / folder))

from report import record  # noqa: E402

from infra.devstack.config import REGION  # noqa: E402
from infra.devstack.process import LocalStack  # noqa: E402
from infra.devstack.provision import create_citizen  # noqa: E402
from motcua.domain.codes import DossierCode  # noqa: E402
from tests.examples import EXAMPLES, PDF  # noqa: E402

CITIZENS = int(os.environ.get("CITIZENS", "200"))
STORM_KEYS = int(os.environ.get("STORM_KEYS", "50"))
STORM_COPIES = int(os.environ.get("STORM_COPIES", "4"))
LOAD_SECONDS = float(os.environ.get("LOAD_SECONDS", "300"))
SETUP_CONCURRENCY = 8
DRAIN_SECONDS = 180.0  # at most, for the stack to finish what the load left queued
STOP_SECONDS = 60.0  # from Ctrl-C to its exit, before a kill
REQUEST_TIMEOUT = 120.0
PASSWORD = "CongDan@Load2026"
BIRTH = "1.001193"  # birth registration at a ward: one required paper, no flow


@dataclass
class Filing:
    """One filing to send: whose, with which key and body; and what came back for each copy sent."""

    token: str
    key: str
    body: dict[str, Any]
    answers: list[tuple[int, str | None]] = field(default_factory=list)  # (status, code or error code)


class Citizen(HttpUser):
    """Takes one filing from the queue, sends it, and leaves."""

    wait_time = constant(0)
    jobs: gevent.queue.Queue[Filing] = gevent.queue.Queue()
    phase = ""

    def on_start(self) -> None:
        self.client.trust_env = False  # loopback only: no proxy from the environment

    @task
    def file(self) -> None:
        try:
            filing = self.jobs.get_nowait()
        except gevent.queue.Empty:
            raise StopUser() from None
        headers = {
            "Authorization": f"Bearer {filing.token}",
            "Idempotency-Key": filing.key,
            # One request a connection: no idle keep-alive connection holds the stack's stop.
            "Connection": "close",
        }
        with self.client.post(
            "/v1/dossiers",
            json=filing.body,
            headers=headers,
            name=self.phase,
            timeout=REQUEST_TIMEOUT,
            catch_response=True,
        ) as response:
            answer = _json(response)
            if response.status_code == 0:  # no HTTP answer: the connection failed
                filing.answers.append((0, type(response.error).__name__))
                response.failure(f"no answer: {response.error!r}")
            elif ok(response.status_code):
                filing.answers.append((response.status_code, answer.get("code")))
                response.success()
            else:
                error = (answer.get("error") or {}).get("code")
                # Designed: a 429 or 503 in the contract's error body, saying when to try again.
                if designed(response.status_code, error) and response.headers.get("Retry-After"):
                    filing.answers.append((response.status_code, error))
                    response.success()
                else:
                    missing = f"{error} (no Retry-After)" if error else None
                    filing.answers.append((response.status_code, missing))
                    response.failure(f"{response.status_code} {error or response.text[:200]}")
        raise StopUser()


def ok(status: int) -> bool:
    return 200 <= status < 300


def designed(status: int, error: str | None) -> bool:
    """A refusal the contract designs (429 slow down, 503 busy), with its error body."""
    return status in (429, 503) and bool(error) and not str(error).endswith("(no Retry-After)")


def _json(response: Any) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


class Portal:
    """What a citizen's browser does before filing: sign in, upload."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.session = requests.Session()
        self.session.trust_env = False

    def ok(self, method: str, path: str, token: str | None = None, **kwargs: Any) -> Any:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = self.session.request(method, f"{self.url}{path}", headers=headers, timeout=60, **kwargs)
        if response.status_code >= 300:
            raise RuntimeError(f"{method} {path}: {response.status_code} {response.text[:300]}")
        return response.json()

    def sign_in(self, email: str) -> str:
        body = {"email": email, "password": PASSWORD}
        return str(self.ok("POST", "/v1/auth/citizens/sign-in", json=body)["id_token"])

    def filing(self, token: str, paper: str) -> Filing:
        slot = self.ok(
            "POST",
            "/v1/uploads",
            token,
            json={"filename": "giay-chung-sinh.pdf", "content_type": "application/pdf", "size": len(PDF)},
        )
        stored = self.session.post(
            slot["url"], data=slot["fields"], files={"file": ("a.pdf", PDF, "application/pdf")}, timeout=60
        )
        if stored.status_code not in (200, 201, 204):
            raise RuntimeError(f"upload: {stored.status_code} {stored.text[:300]}")
        body = {
            "procedure_code": BIRTH,
            "applicant": {
                "full_name": "Nguyễn Văn An",
                "id_number": "001090012345",
                "phone": "0901234567",
                "address": "Số 1 Lê Lợi",
            },
            "form": EXAMPLES[BIRTH],
            "attachments": [{"upload_id": slot["upload_id"], "paper_code": paper}],
        }
        return Filing(token, f"load-{uuid.uuid4().hex}", body)

    def owned(self, token: str) -> list[str]:
        """The codes of every dossier the citizen owns (all pages)."""
        codes: list[str] = []
        params: dict[str, Any] = {"limit": 100}
        while True:
            page = self.ok("GET", "/v1/me/dossiers", token, params=params)
            codes += [item["code"] for item in page["items"]]
            if not page.get("next_token"):
                return codes
            params["next_token"] = page["next_token"]


def setup(stack: LocalStack, portal: Portal) -> list[str]:
    """CITIZENS confirmed citizens in the stack's Cognito, signed in through the API: their tokens."""
    import boto3

    cognito = boto3.client(
        "cognito-idp",
        endpoint_url=stack.moto_url,
        region_name=REGION,
        aws_access_key_id="load",
        aws_secret_access_key="load",  # noqa: S106 — moto on loopback
    )
    pools = cognito.list_user_pools(MaxResults=60)["UserPools"]
    pool_id = next(p["Id"] for p in pools if p["Name"].endswith("-citizens"))
    emails = [f"congdan{n:04d}@example.vn" for n in range(CITIZENS)]
    for n, email in enumerate(emails):
        create_citizen(
            cognito, pool_id=pool_id, email=email, password=PASSWORD, name=f"Công dân {n}", phone=""
        )
    pool = gevent.pool.Pool(SETUP_CONCURRENCY)
    return list(pool.imap(portal.sign_in, emails))


def swarm(stack: LocalStack, phase: str, filings: list[Filing]) -> tuple[Any, float]:
    """Every filing sent at once, one locust user each; the phase's statistics and its wall time."""
    Citizen.phase = phase
    for filing in filings:
        Citizen.jobs.put(filing)
    environment = Environment(user_classes=[Citizen], host=stack.url)
    runner = environment.create_local_runner()
    started = time.perf_counter()
    runner.start(len(filings), spawn_rate=len(filings))
    deadline = started + LOAD_SECONDS
    while time.perf_counter() < deadline and environment.stats.total.num_requests < len(filings):
        gevent.sleep(0.2)
    seconds = time.perf_counter() - started
    runner.quit()
    return environment.stats.get(phase, "POST"), seconds


def drain(stack: LocalStack) -> float:
    """Wait (bounded) until the stack answers its health check within a second, three times running:
    requests the load left queued (their clients gone) are done, so Ctrl-C stops an idle stack."""
    started = time.perf_counter()
    quick = 0
    while quick < 3 and time.perf_counter() - started < DRAIN_SECONDS:
        looked = time.perf_counter()
        quick = quick + 1 if stack.healthy(timeout=5) and time.perf_counter() - looked < 1 else 0
        gevent.sleep(0.5)
    return round(time.perf_counter() - started, 1)


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="motcua-load-") as tmp:
        stack = LocalStack(Path(tmp) / "data", Path(tmp) / "stack.log", env={"MOTCUA_SWEEP_SECONDS": "0"})
        stack.start()
        portal = Portal(stack.url)
        try:
            figures = run(stack, portal)
        finally:
            portal.session.close()  # its keep-alive connections would hold the stack's stop
            drained = drain(stack)
            exit_code = stack.stop(timeout=STOP_SECONDS)
        if os.environ.get("KEEP_LOG"):
            Path(os.environ["KEEP_LOG"]).write_text(stack.log(whole=True), encoding="utf-8")
    for group, name, value, unit, goal in figures:
        record(group, name, value, unit=unit, goal=goal)
    record("load (local stack)", "wait until it answers at once again, before Ctrl-C", drained, unit="s")
    record("load (local stack)", "stack's exit code on Ctrl-C (-9: killed)", exit_code, goal="0")


def run(stack: LocalStack, portal: Portal) -> list[tuple[str, str, Any, str, str]]:
    tokens = setup(stack, portal)
    paper = portal.ok("GET", f"/v1/procedures/{BIRTH}")["papers"][0]["code"]
    pool = gevent.pool.Pool(SETUP_CONCURRENCY)
    at_once = list(pool.imap(lambda token: portal.filing(token, paper), tokens))
    storm_keys = list(pool.imap(lambda n: portal.filing(tokens[n % len(tokens)], paper), range(STORM_KEYS)))
    figures: list[tuple[str, str, Any, str, str]] = []

    group = f"load: {CITIZENS} citizens filing at once"
    stats, seconds = swarm(stack, "file at once", at_once)
    figures += _stats(group, stats, seconds)
    figures += _answers(group, at_once, CITIZENS)

    group = f"load: retry storm, {STORM_KEYS} keys × {STORM_COPIES} copies at once"
    copies = [filing for filing in storm_keys for _ in range(STORM_COPIES)]
    stats, seconds = swarm(stack, "retry storm", copies)
    figures += _stats(group, stats, seconds)
    figures += _answers(group, storm_keys, STORM_KEYS * STORM_COPIES)
    split = sum(1 for f in storm_keys if len({code for status, code in f.answers if ok(status)}) > 1)
    figures.append((group, "keys answered with more than one code", split, "", "0"))

    # What is stored: every citizen's dossiers, through the API.
    stored = [
        code for codes in gevent.pool.Pool(SETUP_CONCURRENCY).imap(portal.owned, tokens) for code in codes
    ]
    answered = {code for f in at_once + storm_keys for status, code in f.answers if ok(status) and code}
    group = "load: what is stored"
    numbers = sorted(DossierCode.parse(code).sequence for code in stored)
    # The numbers before the load's first are the day's filings made before it (the demo's own:
    # make dev files a birth registration at this ward for its financial obligation); a gap is a
    # number missing between the load's first and last.
    gaps = (numbers[-1] - numbers[0] + 1 - len(set(numbers))) if numbers else 0
    # A key is one dossier at most; a key that got no 2xx may still have been stored (its answer lost).
    keys = len(at_once) + len(storm_keys)
    filed_keys = sum(1 for f in at_once + storm_keys if any(ok(status) for status, _ in f.answers))
    figures.append((group, f"dossiers stored (keys answered 2xx: {filed_keys})", len(stored), "", ""))
    figures.append((group, "duplicates (stored beyond one per key)", max(0, len(stored) - keys), "", "0"))
    figures.append((group, "answered codes not stored", len(answered - set(stored)), "", "0"))
    figures.append((group, "codes given twice", len(stored) - len(set(stored)), "", "0"))
    figures.append((group, "gaps in the day's numbers (from the load's first)", gaps, "", "0"))
    figures.append(
        (
            group,
            "numbers given before the load's first (the day's other filings)",
            numbers[0] - 1 if numbers else 0,
            "",
            "",
        )
    )
    return figures


def _answers(group: str, filings: list[Filing], sent: int) -> list[tuple[str, str, Any, str, str]]:
    kinds = Counter(
        str(status) if ok(status) or designed(status, detail) else f"{status} {detail or ''}".strip()
        for f in filings
        for status, detail in f.answers
    )
    refused = sum(1 for f in filings for status, detail in f.answers if designed(status, detail))
    other = {kind: n for kind, n in sorted(kinds.items()) if kind[0] != "2" and kind not in ("429", "503")}
    answered = sum(kinds.values())
    return [
        (group, "answered 2xx", sum(n for kind, n in kinds.items() if kind[0] == "2"), "", f"{sent}"),
        (group, "designed 429s and 503s (error body, Retry-After)", refused, "", ""),
        (group, f"other answers: {other or 'none'}", sum(other.values()), "", "0"),
        (group, "never answered (time limit)", sent - answered, "", "0"),
    ]


def _stats(group: str, stats: Any, seconds: float) -> list[tuple[str, str, Any, str, str]]:
    return [
        (group, "requests", stats.num_requests, "", ""),
        (group, "failures", stats.num_failures, "", "0"),
        (group, "p50", stats.get_response_time_percentile(0.5), "ms", ""),
        (group, "p95", stats.get_response_time_percentile(0.95), "ms", ""),
        (group, "wall time", round(seconds, 1), "s", ""),
    ]


if __name__ == "__main__":
    main()
