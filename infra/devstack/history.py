"""Months of history for the local stack's data folder: `python -m infra.devstack.history --dossiers 2000`.

With the stack stopped (it takes the data folder's lock), it starts moto as `make dev` does, loads what
the folder holds, and files dossiers through the platform's own services (uploads to moto's S3 with the
presigned POST, filing, the decisions, by each agency's leader), each at its own moment of the past
months on a clock frozen for it: filed on a working day between 08:00 and 17:00 (Vietnam), accepted a
few hours later, approved within its procedure's legal days, its result returned the next day; some
refused, some asked for papers, some stopped; and what would happen after now does not (those dossiers
stay open in the inboxes). A fixed seed gives the same history every time. It ends with a snapshot, so
that the next `make dev` starts in seconds.

The history's notifications are not sent: the notification pipe is told it has read the stream. What
they would have been is kept under each citizen all the same, so that the notifications page shows them.
Only procedures without a flow between agencies are filed (a flow needs Step Functions running for
days); the forms are the demo province's filled-in examples (tests/examples.py).
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable

    from motcua.config.province import Province
    from motcua.domain.catalog import Procedure

VIETNAM = timedelta(hours=7)
SEED = 2026


class SettableClock:
    """The services' clock (motcua.domain.ports.Clock), set to each moment of the history in turn
    (History sets `current`; the tests' FrozenClock has one too)."""

    def __init__(self) -> None:
        self.current = datetime.now(UTC)

    def now(self) -> datetime:
        return self.current


@dataclass
class Filled:
    dossiers: int = 0
    by_status: dict[int, int] = field(default_factory=dict)
    codes: list[str] = field(default_factory=list)
    seconds: float = 0.0


def working_moment(rng: random.Random, start: datetime, end: datetime) -> datetime:
    """A moment of a working day (Monday to Friday, 08:00–17:00 in Vietnam) between start and end."""
    for _ in range(1000):
        moment = start + (end - start) * rng.random()
        local = moment + VIETNAM
        if local.weekday() < 5 and 8 <= local.hour < 17:
            return moment.replace(microsecond=0)
    return end


def later(rng: random.Random, moment: datetime, low_hours: float, high_hours: float) -> datetime:
    """A working moment some hours after `moment` (nights and weekends skipped)."""
    step = moment + timedelta(hours=low_hours + (high_hours - low_hours) * rng.random())
    while True:
        local = step + VIETNAM
        if local.weekday() >= 5:
            step += timedelta(days=7 - local.weekday())
            step = step.replace(hour=1, minute=rng.randrange(60))  # 08:xx in Vietnam
        elif local.hour >= 17:
            step += timedelta(days=1)
            step = step.replace(hour=1, minute=rng.randrange(60))
        elif local.hour < 8:
            step = step.replace(hour=1, minute=rng.randrange(60))
        else:
            return step.replace(microsecond=0)


class History:
    """Files and decides dossiers through `container`'s services, each at its own frozen moment."""

    def __init__(
        self,
        container: Any,
        province: Province,
        clock: Any,
        *,
        citizens: list[Any],
        desks: dict[str, Any],
        post: Callable[[str, dict[str, str], str, bytes], None],
        seed: int = SEED,
    ) -> None:
        from tests.examples import EXAMPLES

        self.container = container
        self.clock = clock
        self.citizens = citizens
        self.desks = desks
        self.post = post
        self.rng = random.Random(seed)  # noqa: S311 — made-up history, not secrets
        self.procedures: list[Procedure] = [
            p for p in province.procedures if p.flow is None and p.code in EXAMPLES and p.agency in desks
        ]
        if not self.procedures:
            raise ValueError(f"{province.id}: no procedure without a flow has an example form to file.")
        self.examples = EXAMPLES

    def fill(
        self, dossiers: int, *, until: datetime, months: float, progress: Callable[[int], None]
    ) -> Filled:
        started = time.monotonic()
        start = until - timedelta(days=30 * months)
        moments = sorted(working_moment(self.rng, start, until) for _ in range(dossiers))
        filled = Filled()
        for number, moment in enumerate(moments, start=1):
            code, status = self.one(moment, until)
            filled.codes.append(code)
            filled.dossiers += 1
            filled.by_status[status] = filled.by_status.get(status, 0) + 1
            progress(number)
        filled.seconds = time.monotonic() - started
        return filled

    def one(self, filed_at: datetime, until: datetime) -> tuple[str, int]:
        """One dossier's life up to `until`; its code and its status then."""
        from motcua.domain.tasks import task_id_for
        from motcua.services.filing import FilingRequest
        from motcua.services.inbox import Decision
        from motcua.services.uploads import UploadRequest
        from tests.examples import PDF, PNG

        rng = self.rng
        procedure = rng.choice(self.procedures)
        citizen = rng.choice(self.citizens)
        self.clock.current = filed_at
        attachments = []
        for paper in procedure.papers:
            if not paper.required:
                continue
            pdf = "application/pdf" in paper.content_types
            content, content_type, name = (
                (PDF, "application/pdf", "giấy tờ.pdf") if pdf else (PNG, "image/png", "ảnh.png")
            )
            slot = self.container.uploads.create_slot(
                citizen, UploadRequest(filename=name, content_type=content_type, size=len(content))
            )
            self.post(slot.url, slot.fields, name, content)
            attachments.append({"upload_id": slot.upload_id, "paper_code": paper.code})
        request = FilingRequest.model_validate(
            {
                "procedure_code": procedure.code,
                "applicant": {
                    "full_name": citizen.name,
                    "id_number": f"0012030{rng.randrange(10**5):05d}",
                    "phone": "0901234567",
                    "email": citizen.email,
                    "address": "Số 1 đường Lê Lợi, phường Minh Họa",
                },
                "form": self.examples[procedure.code],
                "attachments": attachments,
            }
        )
        key = f"history-{uuid.UUID(int=rng.getrandbits(128))}"
        dossier = self.container.filing.file(citizen, request, key).dossier
        desk = self.desks[procedure.agency]
        moment = filed_at
        roll = rng.random()
        plan: list[tuple[str, str | None, float, float]]
        if roll < 0.05:
            plan = [("refuse", "Hồ sơ không thuộc thẩm quyền.", 0.5, 6)]
        elif roll < 0.10:
            plan = [("request_papers", "Bổ sung bản sao có chứng thực.", 0.5, 6)]
        elif roll < 0.13:
            plan = [("accept", None, 0.5, 6), ("reject", "Không đủ điều kiện.", 8, 24 * procedure.legal_days)]
        else:
            plan = [
                ("accept", None, 0.5, 6),
                ("approve", None, 4, 24 * max(1, procedure.legal_days)),
                ("return_result", None, 2, 30),
            ]
        status = int(dossier.status)
        task_id = task_id_for(dossier.code, 1)
        for action, reason, low, high in plan:
            moment = later(rng, moment, low, high)
            if moment > until:
                break
            self.clock.current = moment
            _, decided = self.container.inbox.decide(
                desk, task_id, Decision.model_validate({"action": action, "reason": reason})
            )
            status = int(decided.status)
        # Its messages are not sent, but the citizen's notifications page lists them (SENT#<owner>).
        self.container.notifications.keep_unsent(dossier.code)
        return dossier.code, status


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m infra.devstack.history", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--dossiers", type=int, required=True, help="how many dossiers to file")
    parser.add_argument("--months", type=float, default=6, help="how far back the history starts (6)")
    parser.add_argument("--seed", type=int, default=SEED, help=f"the history's random seed ({SEED})")
    parser.add_argument(
        "--until", type=date.fromisoformat, default=None, help="the history's last day (today); YYYY-MM-DD"
    )
    args = parser.parse_args(argv)
    # A line of metrics and of logs per decision would bury the progress.
    os.environ.setdefault("POWERTOOLS_METRICS_DISABLED", "true")
    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")
    until = (
        datetime.now(UTC).replace(microsecond=0)
        if args.until is None
        else datetime(args.until.year, args.until.month, args.until.day, 10, tzinfo=UTC)  # 17:00 in Vietnam
    )
    from . import stack
    from .config import ROOT, ConfigError

    try:
        config, province = stack._configure()  # noqa: SLF001 — the same start as make dev
    except (ConfigError, OSError, ValueError) as error:
        print(f"history: {error}", file=sys.stderr)
        return 2
    data_dir = config.data_dir or ROOT / ".data" / province.id
    data_dir.mkdir(parents=True, exist_ok=True)
    for name in stack.UNSET:
        os.environ.pop(name, None)
    os.environ.update(stack.local_environment(config, data_dir))
    try:
        lock = stack._lock(data_dir)  # noqa: SLF001
    except stack.StartError as error:
        print(f"history: {error}", file=sys.stderr)
        return 1
    try:
        filled = _fill(
            config, province, data_dir, args.dossiers, until=until, months=args.months, seed=args.seed
        )
    except stack.StartError as error:
        print(f"history: {error}", file=sys.stderr)
        return 1
    finally:
        lock.close()
    shown = ", ".join(f"status {s}: {n}" for s, n in sorted(filled.by_status.items()))
    print(f"history: filed {filled.dossiers} dossiers in {filled.seconds:.0f} s ({shown}).", flush=True)
    return 0


def _fill(
    config: Any,
    province: Province,
    data_dir: Any,
    dossiers: int,
    *,
    until: datetime,
    months: float,
    seed: int,
) -> Filled:
    import requests

    from motcua.adapters import clients
    from motcua.container import build_container
    from motcua.domain.models import Principal, PrincipalKind
    from motcua.domain.roles import Role

    from . import stack
    from .accounts import demo_accounts, user_ids
    from .cloud import MotoServer, Recorder, fingerprint, trim_stream
    from .config import HOST, REGION
    from .snapshots import Snapshots

    recorder = Recorder(config.moto_url, data_dir / stack.RECORDING)
    state_path = data_dir / stack.STATE
    snapshots = Snapshots(data_dir)
    keeper = stack.Keeper(snapshots, recorder, state_path)
    moto = MotoServer(HOST, config.moto_port, REGION, on_stop=lambda random: None)
    keeper.moto = moto
    moto.start()
    try:
        stack._restore(recorder, state_path, moto, snapshots)  # noqa: SLF001
        outputs, accounts = stack._provision(config, province)  # noqa: SLF001
        keeper.table_name = outputs.table_name
        check = stack.IdentityCheck(clients.client("cognito-idp", REGION), outputs, state_path)
        check.start()
        ids = user_ids(clients.client("cognito-idp", REGION), outputs)
        citizens = [
            Principal(
                sub=ids[f"citizens/{a.email}"],
                kind=PrincipalKind.CITIZEN,
                username=ids[f"citizens/{a.email}"],
                name=a.name,
                email=a.email,
                email_verified=True,
            )
            for a in demo_accounts(province)
            if a.pool == "citizens"
        ]
        desks = {
            a.agency: Principal(
                sub=ids[f"staff/{a.username}"],
                kind=PrincipalKind.STAFF,
                username=a.username,
                name=a.name,
                agency=a.agency,
                role=Role.LEADER,
            )
            for a in accounts
            # The receiving agency's leader: the desk's actions and the decision alike (docs/roles.md).
            if a.pool == "staff" and a.role == Role.LEADER.value and a.agency
        }
        session = requests.Session()

        def post(url: str, fields: dict[str, str], filename: str, content: bytes) -> None:
            stored = session.post(url, data=fields, files={"file": (filename, content)}, timeout=30)
            stored.raise_for_status()

        clock = SettableClock()
        history = History(
            build_container(clock=clock),
            province,
            clock,
            citizens=citizens,
            desks=desks,
            post=post,
            seed=seed,
        )

        def progress(number: int) -> None:  # one snapshot at the end: each one pickles everything
            if number % 500 == 0:
                # The history's stream records are never forwarded: drop them as they pile up.
                moto.inside(lambda: trim_stream(REGION, outputs.table_name, 1 << 62))
                print(f"history: {number} of {dossiers} dossiers …", flush=True)

        filled = history.fill(dossiers, until=until, months=months, progress=progress)
        state = stack.State.load(state_path)
        state.stream = moto.stream_length(outputs.table_name)  # the history's messages are not sent
        state.save(state_path)
        check.stop()
    finally:
        moto.stop()
    keeper.take_at_stop(always=True)
    state = stack.State.load(state_path)
    state.random = fingerprint()
    state.requests = recorder.recorded()
    state.save(state_path)
    return filled


if __name__ == "__main__":
    raise SystemExit(main())
