"""Months of history for the local stack's data folder: `python -m infra.devstack.history --dossiers 2000`.

With the stack stopped (it takes the data folder's lock), it starts moto as `make dev` does, loads what
the folder holds, and files dossiers through the platform's own services (uploads to moto's S3 with the
presigned POST, filing, the decisions, by each agency's leader), each at its own moment of the past
months on a clock frozen for it: filed on a working day between 08:00 and 17:00 (Vietnam), accepted a
few hours later, approved within its procedure's legal days, its result returned the next day; some
refused, some asked for papers, some stopped; and what would happen after now does not (those dossiers
stay open in the inboxes). A fixed seed gives the same history every time. It ends with a snapshot, so
that the next `make dev` starts in seconds.

About a fifth of the dossiers are of procedures with a flow between agencies (liên thông): accepted by
the desk, they go through their flow's stages, each step decided by its agency at its own moment (some
rejected, some asking the citizen for papers, who adds them days later), and come back to the desk to
return the result. Those flows of the past run on the in-memory state machine of tests/fakes/workflow.py
(motcua.asl's states, step by step, pinned by tests/unit/test_fakes.py), its messages handed at once to
the coordinator routing hands them to: Step Functions would take seconds per step, and it is not in the
snapshot anyway. A flow still in progress at the end is started again on moto's Step Functions at the
next `make dev`, as after every start (infra/devstack/flows.py).

The statistics' counters are rebuilt from the dossiers at the end (`recount`): the history's changes do
not go through the statistics pipe, which is told it has read the stream too. A new data folder's first
`make dev` runs this filler before it serves (MOTCUA_HISTORY, infra/devstack/stack.py).

The history's notifications are not sent: the notification pipe is told it has read the stream. What
they would have been is kept under each citizen all the same, so that the notifications page shows them.
The forms are the demo province's filled-in examples (tests/examples.py).
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

    from motcua.adapters.vnpay import Credentials
    from motcua.config.province import Province
    from motcua.domain.catalog import Procedure

VIETNAM = timedelta(hours=7)
SEED = 2026
# Whom each dossier is filed for (the applicant), so that the console's search by name has names to find;
# drawn by a generator of their own, so that the history's moments and decisions stay what they were.
FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ")
MIDDLE = ("Văn", "Thị", "Minh", "Ngọc", "Đức", "Thu", "Quang", "Thanh")
GIVEN = ("An", "Bình", "Cường", "Dung", "Giang", "Hà", "Hải", "Hạnh", "Hùng", "Khánh", "Lan", "Mai")
FLOW_SHARE = 0.2  # of the dossiers, those of a procedure with a flow between agencies (liên thông)
# Of the others, those handed in at a one-stop counter (walk-in intake), the rest filed online.
COUNTER_SHARE = 0.15
# Of the approvals at a desk (not through a flow), those that come with a signed electronic result.
RESULT_SHARE = 0.3
# Of the dossiers filed online whose fee is paid at filing, those paid online minutes after filing (the
# gateway's signed IPN handed to the payment service, as the sandbox sends it); the others never paid.
# Walk-ins pay at the counter (the intake records it). The Decision 766 online-payment rate shows both.
PAID_ONLINE_SHARE = 0.75


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
    """A working moment some hours after `moment` (nights and weekends skipped), never before it."""
    step = moment + timedelta(hours=low_hours + (high_hours - low_hours) * rng.random())
    while True:
        local = step + VIETNAM  # Vietnam's wall clock, as a UTC-labelled datetime
        if local.weekday() >= 5 or local.hour >= 17:  # the next day's 08:xx
            local = (local + timedelta(days=1)).replace(hour=8, minute=rng.randrange(60))
            step = local - VIETNAM
        elif local.hour < 8:  # this morning's 08:xx
            step = local.replace(hour=8, minute=rng.randrange(60)) - VIETNAM
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
        route: Callable[[], object],
        seed: int = SEED,
        flow_share: float = FLOW_SHARE,
        gateway: Callable[[], Credentials] | None = None,
    ) -> None:
        """`desks`: who decides at each agency (its leader: the desk's, the officer's and the leader's
        actions alike); `route`: delivers what the flows sent so far to the coordinator; `gateway`:
        the merchant's credentials, to sign the IPNs of the fees paid online (None: none paid)."""
        from tests.examples import EXAMPLES, fitted

        self.container = container
        self.clock = clock
        self.citizens = citizens
        self.desks = desks
        self.post = post
        self.route = route
        self.flow_share = flow_share
        self.rng = random.Random(seed)  # noqa: S311 — made-up history, not secrets
        self.names = random.Random(seed + 1)  # noqa: S311
        # Which desk receives a procedure that may be received elsewhere (receiving anywhere): drawn
        # apart, so that the history's moments and decisions stay what they were.
        self.places = random.Random(seed + 2)  # noqa: S311
        # Which approvals come with a signed electronic result: drawn apart too.
        self.results = random.Random(seed + 3)  # noqa: S311
        # Which fees at filing are paid online: drawn apart too.
        self.fees = random.Random(seed + 4)  # noqa: S311
        self.gateway = gateway
        self.province = province
        fileable = [p for p in province.procedures if p.code in EXAMPLES and p.agency in desks]
        self.procedures: list[Procedure] = [p for p in fileable if p.flow is None]
        self.flows: list[Procedure] = [
            p
            for p in fileable
            if p.flow is not None and all(s.agency in desks for stage in p.flow.stages for s in stage.steps)
        ]
        if not self.procedures:
            raise ValueError(f"{province.id}: no procedure without a flow has an example form to file.")
        self.examples = EXAMPLES
        self.fitted = fitted

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
        code, status = self._one(filed_at, until)
        # Its messages are not sent, but the citizen's notifications page lists them (SENT#<owner>).
        self.container.notifications.keep_unsent(code)
        return code, status

    def _one(self, filed_at: datetime, until: datetime) -> tuple[str, int]:
        """One dossier's life up to `until`; its code and its status then."""
        from motcua.services.filing import FilingRequest

        rng = self.rng
        flow = self.flows and rng.random() < self.flow_share
        procedure = rng.choice(self.flows if flow else self.procedures)
        citizen = rng.choice(self.citizens)
        self.clock.current = filed_at
        attachments = [
            {"upload_id": self._upload(citizen, paper), "paper_code": paper.code}
            for paper in procedure.papers
            if paper.required
        ]
        request = FilingRequest.model_validate(
            {
                "procedure_code": procedure.code,
                "applicant": {
                    "full_name": " ".join(self.names.choice(part) for part in (FAMILY, MIDDLE, GIVEN)),
                    "id_number": f"0012030{rng.randrange(10**5):05d}",
                    "phone": "0901234567",
                    "email": citizen.email,
                    "address": "Số 1 đường Lê Lợi, phường Minh Họa",
                },
                # Its dates on the right side of the day it is filed (x-when), months back
                "form": self.fitted(
                    procedure.form, self.examples[procedure.code], (filed_at + VIETNAM).date()
                ),
                "attachments": attachments,
                "desk": self._desk_for(procedure),
            }
        )
        key = f"history-{uuid.UUID(int=rng.getrandbits(128))}"
        if procedure.flow is None and rng.random() < COUNTER_SHARE:
            return self._at_the_counter(procedure, request, key, filed_at, until)
        dossier = self.container.filing.file(citizen, request, key).dossier
        self._pay_online(citizen, dossier.code, filed_at)
        if procedure.flow is not None:
            return dossier.code, self._through_flow(procedure, citizen, dossier.code, filed_at, until)
        roll = rng.random()
        plan: list[tuple[str, str | None, float, float]]
        if roll < 0.05:
            plan = [("refuse", "Hồ sơ không thuộc thẩm quyền.", 0.5, 6)]
        elif roll < 0.10:
            plan = [("request_papers", "Bổ sung bản sao có chứng thực.", 0.5, 6)]
        elif roll < 0.13:
            plan = [("accept", None, 0.5, 6), ("reject", "Không đủ điều kiện.", 8, 24 * procedure.legal_days)]
        elif roll < 0.16:  # withdrawn by the citizen before the desk looked at it (rút hồ sơ)
            return dossier.code, self._withdraw(citizen, dossier.code, later(rng, filed_at, 1, 48), until)
        elif roll < 0.22:  # decided late: past its legal time (the dashboard's late ones)
            legal = 24 * max(1, procedure.legal_days)
            plan = [
                ("accept", None, 0.5, 6),
                ("approve", None, 2.0 * legal, 3.0 * legal),
                ("return_result", None, 2, 30),
            ]
        else:
            plan = [
                ("accept", None, 0.5, 6),
                ("approve", None, 4, 24 * max(1, procedure.legal_days)),
                ("return_result", None, 2, 30),
            ]
        return dossier.code, self._desk(procedure, dossier.code, filed_at, until, plan)

    def _at_the_counter(
        self, procedure: Procedure, online: Any, key: str, filed_at: datetime, until: datetime
    ) -> tuple[str, int]:
        """A walk-in: the desk files the same application for the person at the counter (their papers
        scanned there, a queue ticket), accepting at once when the papers are complete (half of them)."""
        from motcua.services.intake import IntakeRequest

        rng, desk = self.rng, self.desks[procedure.agency]
        accept = rng.random() < 0.5
        request = IntakeRequest.model_validate(
            {
                "procedure_code": procedure.code,
                "applicant": online.applicant.model_dump(),
                "form": online.form,
                "attachments": [
                    {
                        "upload_id": self._upload(desk, procedure.paper(ref.paper_code)),
                        "paper_code": ref.paper_code,
                    }
                    for ref in online.attachments
                ],
                "accept": accept,
                "ticket": f"A-{rng.randrange(1, 120):03d}",
            }
        )
        dossier = self.container.intake.receive(desk, procedure.agency, request, key).dossier
        self.route()
        done: list[tuple[str, str | None, float, float]] = [
            ("approve", None, 4, 24 * max(1, procedure.legal_days)),
            ("return_result", None, 2, 30),
        ]
        plan = done if accept else [("accept", None, 0.1, 2), *done]
        return dossier.code, self._desk(procedure, dossier.code, filed_at, until, plan)

    def _pay_online(self, citizen: Any, code: str, filed_at: datetime) -> None:
        """The citizen pays the fee at filing through the gateway a few minutes after filing (most of
        them): an order, then the gateway's signed IPN for it, handed to the payment service."""
        from urllib.parse import parse_qsl, urlsplit

        from motcua.adapters.vnpay import signed_query, vnp_time
        from motcua.services.payments import online_fee

        if (
            self.gateway is None
            or online_fee(self.province, self._record(code).dossier.procedure_code) is None
        ):
            return
        if self.fees.random() >= PAID_ONLINE_SHARE:
            return
        self.clock.current = filed_at + timedelta(minutes=2 + self.fees.randrange(10))
        started = self.container.payments.start(citizen, code, client_ip="127.0.0.1", language="vi")
        params = dict(parse_qsl(urlsplit(started.pay_url).query, keep_blank_values=True))
        number = str(13_000_000 + self.fees.randrange(1_000_000))  # the sandbox's own start at 14,000,000
        result = {
            "vnp_Amount": params["vnp_Amount"],
            "vnp_BankCode": "NCB",
            "vnp_BankTranNo": f"VNP{number}",
            "vnp_CardType": "ATM",
            "vnp_OrderInfo": params.get("vnp_OrderInfo", ""),
            "vnp_PayDate": vnp_time(self.clock.current),
            "vnp_ResponseCode": "00",
            "vnp_TmnCode": params["vnp_TmnCode"],
            "vnp_TransactionNo": number,
            "vnp_TransactionStatus": "00",
            "vnp_TxnRef": params["vnp_TxnRef"],
        }
        query = signed_query(result, self.gateway().hash_secret)
        answer = self.container.payments.notify(dict(parse_qsl(query, keep_blank_values=True)))
        if answer.value != "00":
            raise RuntimeError(f"history: the IPN for {code} was answered {answer.value}")
        self.clock.current = filed_at

    def _desk_for(self, procedure: Procedure) -> str | None:
        """The desk that receives a dossier: a third of those that may go elsewhere go to another
        agency's desk (handed to the procedure's agency once accepted, and back for the result)."""
        from motcua.domain.receiving import receiving_desks

        if procedure.receive_at is None:
            return None
        others = [
            d.code
            for d in receiving_desks(self.province, procedure)
            if d.code != procedure.agency and d.code in self.desks
        ]
        if not others or self.places.random() >= 1 / 3:
            return None
        return self.places.choice(others)

    def _holder(self, code: str) -> str:
        """The agency holding the dossier's desk task now: the desk that received it, or the competent
        agency it was handed over to."""
        from motcua.domain.tasks import task_id_for

        task = self._record(code).task(task_id_for(code, 1))
        assert task is not None
        agency: str = task.agency
        return agency

    def _desk(
        self,
        procedure: Procedure,
        code: str,
        moment: datetime,
        until: datetime,
        plan: list[tuple[str, str | None, float, float]],
    ) -> int:
        """The receiving desk's decisions on the dossier's first task, each some hours after the last;
        a desk that waits for the online fee does not accept while it is not paid (a quarter of them)."""
        from motcua.domain.payments import FeeUnpaid
        from motcua.domain.tasks import task_id_for

        status = 0
        for action, reason, low, high in plan:
            moment = later(self.rng, moment, low, high)
            if moment > until:
                break
            try:
                status = self._decide(self._holder(code), task_id_for(code, 1), moment, action, reason)
            except FeeUnpaid:  # its fee was never paid online: the dossier waits for it still
                break
            if action == "approve" and self.results.random() < RESULT_SHARE:
                self._issue_result(procedure, code)
        return status or int(self._record(code).dossier.status)

    def _issue_result(self, procedure: Procedure, code: str) -> None:
        """The deciding agency issues a signed electronic result (kết quả điện tử) as it approves: a
        PDF it uploads (drawing one from the dossier took most of a second); the rest go on paper."""
        from motcua.services.results import IssueResult
        from motcua.services.uploads import UploadRequest
        from tests.examples import PDF

        leader = self.desks[procedure.agency]
        name = "kết quả.pdf"
        slot = self.container.uploads.create_slot(
            leader, UploadRequest(filename=name, content_type="application/pdf", size=len(PDF))
        )
        self.post(slot.url, slot.fields, name, PDF)
        self.container.results.issue(leader, code, IssueResult(upload_id=slot.upload_id), "vi")

    def _through_flow(
        self, procedure: Procedure, citizen: Any, code: str, filed_at: datetime, until: datetime
    ) -> int:
        """A dossier of a procedure with a flow: the desk accepts (the flow starts), each step's agency
        decides in turn, the citizen adds papers when a step asks, and the desk returns the result."""
        from motcua.domain.status import Status
        from motcua.domain.tasks import task_id_for

        rng, desk = self.rng, task_id_for(code, 1)
        if rng.random() < 0.04:
            refuse = ("refuse", "Hồ sơ không thuộc thẩm quyền.", 0.5, 6.0)
            return self._desk(procedure, code, filed_at, until, [refuse])
        moment = later(rng, filed_at, 0.5, 6)
        if moment > until:
            return int(self._record(code).dossier.status)
        status = self._decide(self._holder(code), desk, moment, "accept", None)
        asked: set[str] = set()  # a step asks for papers once at most
        for _ in range(50):  # every turn closes a step, adds papers or returns the result
            record = self._record(code)
            status = int(record.dossier.status)
            if record.dossier.status is Status.MORE_PAPERS:
                moment = later(rng, moment, 4, 24 * 5)
                if moment > until:
                    break
                self._add_papers(procedure, citizen, code, moment)
                continue
            if record.dossier.status is Status.PROCESSED:  # the flow is done: the desk returns the result
                moment = later(rng, moment, 2, 30)
                if moment <= until:
                    status = self._decide(self._holder(code), desk, moment, "return_result", None)
                break
            step = self._open_step(record)
            if record.dossier.status is not Status.IN_PROCESS or step is None:
                break  # stopped, or a step not routed (nothing more happens to it)
            moment = later(rng, moment, 2, 24 * max(1, step.days or 1) * 0.8)
            if moment > until:
                break
            status = self._decide(step.agency, step.task_id, moment, *self._step_action(step.task_id, asked))
        return status

    def _withdraw(self, citizen: Any, code: str, moment: datetime, until: datetime) -> int:
        """The citizen withdraws the dossier at `moment` (if before `until`)."""
        from motcua.services.citizens import Withdrawal

        if moment <= until:
            self.clock.current = moment
            reason = Withdrawal(reason="Nộp nhầm thủ tục.")
            self.container.citizen_actions.withdraw(citizen, code, reason)
            self.route()
        return int(self._record(code).dossier.status)

    def _step_action(self, task_id: str, asked: set[str]) -> tuple[str, str | None]:
        """A step's decision: mostly approved, some rejected, some asking for papers (once a step)."""
        roll = self.rng.random()
        if roll < 0.03:
            return "reject", "Không đủ điều kiện theo kết quả thẩm định."
        if roll < 0.08 and task_id not in asked:
            asked.add(task_id)
            return "request_papers", "Bổ sung bản vẽ có chứng thực."
        return "approve", None

    @staticmethod
    def _open_step(record: Any) -> Any:
        """The flow's first step waiting for a decision (stage, then step order), if any."""
        from motcua.domain.models import TaskKind, TaskState

        steps = [t for t in record.tasks if t.kind is TaskKind.STEP and t.state is TaskState.OPEN]
        return min(steps, key=lambda t: (t.stage or 0, t.step or 0), default=None)

    def _add_papers(self, procedure: Procedure, citizen: Any, code: str, moment: datetime) -> None:
        """The citizen adds the papers a step asked for, at `moment`; the flow goes on."""
        from motcua.services.citizens import Supplement

        self.clock.current = moment
        paper = procedure.papers[0]
        supplement = Supplement.model_validate(
            {"attachments": [{"upload_id": self._upload(citizen, paper), "paper_code": paper.code}]}
        )
        self.container.citizen_actions.supplement(citizen, code, supplement)
        self.route()

    def _decide(self, agency: str, task_id: str, moment: datetime, action: str, reason: str | None) -> int:
        """The agency's decision on a task at `moment`, then what the flows do because of it."""
        from motcua.services.inbox import Decision

        self.clock.current = moment
        _, decided = self.container.inbox.decide(
            self.desks[agency], task_id, Decision.model_validate({"action": action, "reason": reason})
        )
        self.route()
        return int(decided.status)

    def _upload(self, citizen: Any, paper: Any) -> str:
        from motcua.services.uploads import UploadRequest
        from tests.examples import PDF, PNG

        pdf = "application/pdf" in paper.content_types
        content, content_type, name = (
            (PDF, "application/pdf", "giấy tờ.pdf") if pdf else (PNG, "image/png", "ảnh.png")
        )
        slot = self.container.uploads.create_slot(
            citizen, UploadRequest(filename=name, content_type=content_type, size=len(content))
        )
        self.post(slot.url, slot.fields, name, content)
        upload_id: str = slot.upload_id
        return upload_id

    def _record(self, code: str) -> Any:
        record = self.container.repository.get(code)
        assert record is not None, code
        return record


def recount(client: Any, table_name: str, calendar: Any) -> int:
    """The statistics' counters rebuilt from the dossiers the history left (docs/statistics.md, the
    recount): its changes never go through the statistics pipe (a few thousand stream records a
    hundred dossiers, each a transaction on moto), so the counters are counted once, at its end, from
    the dossiers themselves. How many counter items it wrote."""
    from motcua.adapters.statistics import DynamoCounterStore

    store = DynamoCounterStore(client, table_name, calendar)
    return store.recount(store.scan_counted())


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
    from tests.fakes.workflow import InMemoryWorkflow

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
        container = build_container(clock=clock)
        # The flows of the past run in memory, their messages handed straight to the coordinator
        # (the module's docstring says why); those still running are started again on moto's Step
        # Functions at the next start.
        workflow = InMemoryWorkflow(province)
        container.__dict__["workflow"] = workflow  # instead of the Step Functions one (cached_property)
        history = History(
            container,
            province,
            clock,
            citizens=citizens,
            desks=desks,
            post=post,
            route=lambda: workflow.drain(container.coordinator.handle),
            seed=seed,
            gateway=_credentials(container),
        )

        every = max(1, min(500, dossiers // 10))  # a line at each tenth (at most every 500)

        def progress(number: int) -> None:  # one snapshot at the end: each one pickles everything
            if number % 500 == 0:
                # The history's stream records are never forwarded: drop them as they pile up.
                moto.inside(lambda: trim_stream(REGION, outputs.table_name, 1 << 62))
            if number % every == 0 and number < dossiers:
                print(f"history: {number} of {dossiers} dossiers …", flush=True)

        # Nothing of the fill is recorded: the snapshot at the end keeps it all (and a fill cut short
        # leaves the folder as it was). Recording each request took more than half the fill's time.
        recorder.stop()
        filled = history.fill(dossiers, until=until, months=months, progress=progress)
        # The counters, from the dossiers (the history's own changes and whatever the folder held);
        # what the statistics queue still held would be counted twice: it goes.
        sqs = clients.client("sqs", REGION)
        sqs.purge_queue(QueueUrl=outputs.stats_queue_url)
        recount(clients.client("dynamodb", REGION), outputs.table_name, province.working_calendar)
        state = stack.State.load(state_path)
        length = moto.stream_length(outputs.table_name)
        state.stream = length  # the history's messages are not sent
        state.stats_stream = length  # … nor its changes counted again: the recount has them
        state.history += filled.dossiers
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


def _credentials(container: Any) -> Callable[[], Credentials] | None:
    """The merchant's credentials of the local stack's gateway (its secret, provisioned in Secrets
    Manager), to sign the history's IPNs as the sandbox does; None without a gateway."""
    from motcua.adapters import clients
    from motcua.adapters.vnpay import SecretsManagerCredentials

    from .config import REGION

    secret = container.settings.payment_secret
    if container.province.payments is None or not secret:
        return None
    return SecretsManagerCredentials(clients.client("secretsmanager", REGION), secret)


if __name__ == "__main__":
    raise SystemExit(main())
