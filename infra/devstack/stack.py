"""The local stack: moto on loopback, the resources and demo accounts on it, the API and the portal.

What users file lasts because moto's recorder writes every request to `<data dir>/moto-recording.jsonl`
and the next start replays it, from a fixed random seed, before anything else (docs/local-stack.md).
"""

from __future__ import annotations

import fcntl
import functools
import json
import os
import subprocess
import sys
import threading
import time
import traceback
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from importlib.metadata import version
from typing import IO, TYPE_CHECKING, Any

from infra.site import SiteBuilder
from motcua.adapters import clients  # boto3 reads the environment when the first client is built
from motcua.resources import NOTIFY_PATTERN, STATS_PATTERN

from .accounts import DemoAccount, demo_accounts, ensure_accounts, user_ids
from .cloud import (
    MotoMemory,
    Recorder,
    RecordingError,
    abandon_snapshot,
    fork_snapshot,
    load_snapshot,
    snapshot_done,
    switch_on_flows,
    write_snapshot,
)
from .config import HISTORY_MONTHS, HOST, REGION, ROOT, ConfigError, StackConfig
from .flows import ITEM_ATTRIBUTES, ITEMS_IN_PROGRESS, Restarted, restart_flows
from .motoproc import MotoProcess
from .outbox import Outbox, sent_messages
from .provision import Outputs, provision
from .queue_demo import queue_lines, seed_queue
from .runner import Runner, Stop, on_signals_raise_stop, serve_until_stopped
from .snapshots import SnapshotError, Snapshots, generation_of, recording, recordings
from .streams import StreamForwarder
from .workers import POLL_SECONDS, RoutingPoller, SnapshotTimer, StreamPipe, SweepTimer

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path

    from motcua.config.province import Province

    from .queues import Handler
    from .sandbox_gateway import SandboxGateway

SEED = 20250701  # moto's ids (user subs, sessions) follow from it; changing it orphans every recording
RECORDING = "moto-recording.jsonl"
STATE = "stack.json"
HISTORY_PENDING = ".history-pending"  # the first start's history is being filled (_first_history)
FORMAT = 1


OUTBOX_PATH = "/v1/dev/outbox"


class StartError(RuntimeError):
    """The stack cannot start; the message tells the user what to do."""


@dataclass
class State:
    """What a data folder remembers beside the recording, to check that a replay gave the same world back."""

    format: int = FORMAT
    seed: int = SEED
    moto: str = ""
    subs: dict[str, str] = field(default_factory=dict)  # "<pool>/<sign-in name>" -> sub
    # moto's random generator when the stack last stopped, and how many requests were recorded then:
    # a replay of exactly those requests must leave the generator in the same state.
    random: str = ""
    requests: int = 0
    # How many records of the table's stream the notification pipe has read (devstack/streams.py).
    stream: int = 0
    # … and how many the statistics pipe has read.
    stats_stream: int = 0
    # Dossiers of history filed into the folder (infra/devstack/history.py), 0: none.
    history: int = 0

    @classmethod
    def load(cls, path: Path) -> State:
        if not path.is_file():
            return cls()
        return cls(**json.loads(path.read_text(encoding="utf-8")))

    def save(self, path: Path) -> None:
        """Written aside and renamed into place: a reader in another thread, or a start after a kill,
        finds the old state or the new one, never a file half written."""
        aside = path.with_name(f".{path.name}.{threading.get_ident()}")
        aside.write_text(json.dumps(asdict(self), indent=2, sort_keys=True) + "\n", encoding="utf-8")
        os.replace(aside, path)


def local_environment(config: StackConfig, data_dir: Path) -> dict[str, str]:
    """The environment moto and the functions read; set before either is imported."""
    return {
        # moto: deterministic pool and client ids, and where the recorder writes.
        "MOTO_COGNITO_IDP_USER_POOL_ID_STRATEGY": "HASH",
        "MOTO_COGNITO_IDP_USER_POOL_CLIENT_ID_STRATEGY": "HASH",
        "MOTO_RECORDER_FILEPATH": str(data_dir / RECORDING),
        # An authenticator app's code is checked, as Cognito checks it (moto's TOTP secret is fixed).
        "MOTO_COGNITO_IDP_USER_POOL_ENABLE_TOTP": "true",
        # moto's flows (their worker threads) reach its SQS on this port.
        "MOTO_PORT": str(config.moto_port),
        # A replay sends every purge of the routing queue again within milliseconds; moto's
        # one-purge-a-minute rule would refuse all but the first and leave stale messages behind.
        "MOTO_SQS_ENFORCE_STRICT_QUEUE_PURGE_BEHAVIOUR": "false",
        # S3 bodies over a few KB (PDFs, scans) on the disk rather than in memory (moto_patches.py).
        "MOTO_S3_BODIES_DIR": str(data_dir / "s3-bodies"),
        # boto3: every client goes to moto, with credentials that no real account knows.
        "AWS_ENDPOINT_URL": config.moto_url,
        "AWS_ACCESS_KEY_ID": "motcua-local",
        "AWS_SECRET_ACCESS_KEY": "motcua-local",
        "AWS_REGION": REGION,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        # the functions (motcua.config.settings); the resources' names are added once provisioned.
        "MOTCUA_PROVINCE_FILE": str(config.province_file),
        "MOTCUA_PORTAL_URL": config.portal_url,
    }


# Never inherited: a profile or session token could point boto3 at a real account. The recorder is
# switched on through moto's API once the stack knows whether it replays (any value here, even
# "false", would switch it on from moto's import).
UNSET = ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "MOTO_ENABLE_RECORDING")


def main() -> int:
    on_signals_raise_stop()  # from the start: Ctrl-C at any moment stops cleanly
    runner = Runner()
    lock: IO[str] | None = None
    try:
        try:
            config, province = _configure()
        except (ConfigError, OSError, ValueError) as error:
            print(f"devstack: {error}", file=sys.stderr)
            return 2
        data_dir = config.data_dir or ROOT / ".data" / province.id
        data_dir.mkdir(parents=True, exist_ok=True)
        for name in UNSET:
            os.environ.pop(name, None)
        os.environ.update(local_environment(config, data_dir))
        _first_history(config, data_dir)
        lock = _lock(data_dir)
        _up(runner, config, province, data_dir)
        serve_until_stopped()
    except Stop:
        print("\ndevstack: stopping…", flush=True)
        return 0
    except StartError as error:
        print(f"devstack: {error}", file=sys.stderr)
        return 1
    finally:
        if runner.services or lock is not None:
            runner.stop()
            print("devstack: stopped.", flush=True)
        if lock is not None:
            lock.close()


def _configure() -> tuple[StackConfig, Province]:
    from motcua.config.province import load_province

    config = StackConfig.from_env()
    province = load_province(config.province_file)
    if province.id != config.province_file.stem:  # make reset PROVINCE=<id> must find its data
        raise ConfigError(f"{config.province_file} has id {province.id}; name it {province.id}.yaml.")
    return config, province


def _lock(data_dir: Path) -> IO[str]:
    """One stack per data folder: two recorders appending to one file would ruin it."""
    handle = (data_dir / ".lock").open("w")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError as error:
        handle.close()
        raise StartError(f"another local stack is using {data_dir}; stop it first.") from error
    return handle


def _first_history(config: StackConfig, data_dir: Path) -> None:
    """A new data folder's first start: months of history filed before the stack serves, by the
    history filler (infra/devstack/history.py) in a process of its own, so that the leaders'
    dashboard shows something real at once. MOTCUA_HISTORY dossiers (0: none); a folder that has
    been started before is left as it is."""
    # Left while the fill runs: a fill cut short (Ctrl-C, a kill) has the next start fill again, though
    # the filler's own start left a state file behind.
    pending = data_dir / HISTORY_PENDING
    if not config.history or ((data_dir / STATE).exists() and not pending.exists()):
        return
    pending.touch()
    print(
        f"devstack: a new data folder: filing {config.history} dossiers of the past {HISTORY_MONTHS} "
        "months through the platform's services first (once; MOTCUA_HISTORY=0 for none) …",
        flush=True,
    )
    command = [sys.executable, "-m", "infra.devstack.history", "--dossiers", str(config.history)]
    command += ["--months", str(HISTORY_MONTHS)]
    done = subprocess.run(command, cwd=ROOT, env=os.environ.copy(), check=False)  # noqa: S603
    if done.returncode != 0:
        raise StartError(
            f"the first start's history failed (above); delete {data_dir} and start again, "
            "or start with MOTCUA_HISTORY=0."
        )
    pending.unlink()


def _up(runner: Runner, config: StackConfig, province: Province, data_dir: Path) -> None:
    from .web import WebServer, load_app

    try:
        app = load_app(config.api_dir)
    except FileNotFoundError as error:
        raise StartError(f"{error}; the API lives in functions/api/app.py.") from error
    except Exception as error:  # the developer needs the whole story of a broken import
        traceback.print_exc()
        raise StartError(f"the API in {config.api_dir} failed to import (above).") from error
    routing, sweep, notify, stats = _handlers()
    state_path = data_dir / STATE
    snapshots = Snapshots(data_dir)

    def at_stop(random: str) -> None:
        keeper.take_at_stop()
        _remember(state_path, recorder, random)

    # Both ports are bound before the (maybe long) replay, so that a clash shows at once.
    # moto runs in a process of its own (devstack/motoproc.py): it and the API each have a core.
    moto = MotoProcess(HOST, config.moto_port, REGION, on_stop=at_stop)
    recorder = Recorder(config.moto_url, data_dir / RECORDING, within=moto.inside)
    keeper = Keeper(snapshots, recorder, state_path, forked=True)
    keeper.moto = moto
    sent = functools.partial(sent_messages, REGION)
    mail = Outbox(lambda: moto.inside(sent))
    # The portal as CloudFront serves it (infra/site.py), built now and again whenever a source changed.
    site = SiteBuilder(config.province_file, data_dir / "site", frontend=config.frontend_dir)
    site.fresh()
    with _listening("PORT", config.port):
        web = WebServer(
            app,
            host=HOST,
            port=config.port,
            static_root=site.fresh,
            local_routes={OUTBOX_PATH: mail},
            local_pages={OUTBOX_PATH + "/body": mail.body},
            upload_origins=[config.moto_url],  # presigned POSTs go to moto's S3
        )
    with _listening("MOTO_PORT", config.moto_port):
        runner.start(moto)
    sandbox = _sandbox_gateway(runner, config, province)

    replayed = _restore(recorder, state_path, moto, snapshots)
    outputs, accounts = _provision(config, province)
    keeper.table_name = outputs.table_name
    runner.start(IdentityCheck(clients.client("cognito-idp", REGION), outputs, state_path))
    _demo_data(accounts, outputs)
    _demo_refund(accounts, outputs, sandbox)
    sqs = clients.client("sqs", REGION)
    waiting = functools.partial(moto.visible_messages, outputs.routing_queue_url)
    items = functools.partial(moto.table_items, outputs.table_name, ITEM_ATTRIBUTES, ITEMS_IN_PROGRESS)
    restarted = None if replayed is None else _restart_flows(sqs, routing, waiting, items)
    runner.start(RoutingPoller(sqs, outputs.routing_queue_url, routing, waiting=waiting))
    mail.backlog = _notifications(
        runner,
        moto,
        outputs,
        notify,
        state_path,
        replayed=replayed is not None,
        yield_to=web.in_flight.wait_idle,
    )
    _statistics(runner, moto, outputs, stats, state_path, replayed=replayed is not None)
    if config.sweep_seconds:
        runner.start(SweepTimer(sweep, every=config.sweep_seconds, activity=recorder.size))
    # A recording as long as a snapshot's worth (a folder from before snapshots, or a long one left
    # by a kill) goes into one at the timer's first round, a second from now, in the background.
    runner.start(SnapshotTimer(keeper.take_when_due, interrupt=keeper.interrupt))
    runner.start(web)
    seed_queue(clients.client("dynamodb", REGION), outputs.table_name, province)
    _demo_day_of_bookings()  # after the queue's tickets: a check-in issues one
    print(banner(config, province, data_dir, outputs, accounts, replayed, restarted), flush=True)
    if sandbox is not None:
        print(f"  Payments  sandbox gateway (VNPAY protocol) on {sandbox.url}\n", flush=True)


def _sandbox_gateway(runner: Runner, config: StackConfig, province: Province) -> SandboxGateway | None:
    """The sandbox payment gateway on its own loopback port (docs/payments.md): the port of the
    province file's gateway URL for the default ports, any free one otherwise (PAYMENT_SANDBOX_PORT
    chooses). The functions are pointed at it by MOTCUA_PAYMENT_GATEWAY_URL."""
    from urllib.parse import urlsplit

    from motcua.adapters.vnpay import SecretsManagerCredentials

    from .sandbox_gateway import SandboxGateway

    if province.payments is None:
        return None
    wanted = os.environ.get("PAYMENT_SANDBOX_PORT")
    default = urlsplit(province.payments.pay_url).port if config.port == 8000 else 0
    port = int(wanted) if wanted else (default or 0)

    def credentials() -> Any:
        # The secret provisioning made (its name in the environment by then), read once.
        reader = SecretsManagerCredentials(
            clients.client("secretsmanager", REGION), os.environ["MOTCUA_PAYMENT_SECRET"]
        )
        return reader()

    sandbox = SandboxGateway(
        credentials=functools.cache(credentials),
        ipn_url=f"{config.portal_url}/v1/payments/vnpay/ipn",
        host=HOST,
        port=port,
    )
    with _listening("PAYMENT_SANDBOX_PORT", port):
        runner.start(sandbox)
    os.environ["MOTCUA_PAYMENT_GATEWAY_URL"] = sandbox.url
    return sandbox


def _handlers() -> tuple[Handler, Handler, Handler, Handler]:
    """The routing, sweep, notify and stats Lambda handlers, imported as Lambda would (functions/ is on
    the path)."""
    try:
        from notify.app import handler as notify
        from stats.app import handler as stats

        from routing.app import handler as routing
        from sweep.app import handler as sweep
    except Exception as error:
        traceback.print_exc()
        raise StartError("functions/routing, sweep, notify or stats failed to import (above).") from error
    return routing, sweep, notify, stats


def _notifications(
    runner: Runner,
    moto: MotoMemory,
    outputs: Outputs,
    notify: Handler,
    state_path: Path,
    *,
    replayed: bool,
    yield_to: Callable[[float], object] | None = None,
) -> Callable[[], int]:
    """The pipe from the table's stream to the notification queue, and the notifier behind it.

    After a replay, moto's stream holds again every record it held before, in the same order: the
    pipe goes on after the ones it had read (the state file keeps the count). Returns their backlog
    (the outbox's `pending`).
    """

    def remember(position: int) -> None:
        state = State.load(state_path)
        state.stream = position
        state.save(state_path)

    sqs = clients.client("sqs", REGION)
    forwarder = StreamForwarder(
        functools.partial(moto.stream_records, outputs.table_name),
        sqs,
        outputs.notify_queue_url,
        NOTIFY_PATTERN,
        position=State.load(state_path).stream if replayed else 0,
    )
    pipe = StreamPipe(forwarder, on_progress=remember)
    waiting = functools.partial(moto.visible_messages, outputs.notify_queue_url)
    notifier = RoutingPoller(sqs, outputs.notify_queue_url, notify, waiting=waiting, label="notify")
    # Both yield to the API's requests (web.InFlight): in a burst, users are answered first.
    pipe.yield_to = notifier.yield_to = yield_to
    runner.start(pipe)
    runner.start(notifier)

    def backlog() -> int:
        # The stream and the pipe's position first, the queue last: a record on its way is unread
        # until the pipe has sent it, then a message until the notifier has deleted it.
        unread = max(0, moto.stream_length(outputs.table_name) - forwarder.position)
        return unread + moto.queued_messages(outputs.notify_queue_url)

    return backlog


def _demo_data(accounts: list[DemoAccount], outputs: Outputs) -> None:
    """The demo's appointments, feedback, ratings and financial obligation, made through the services
    (devstack/appointments.py, feedback_demo.py, ratings_demo.py, obligation_demo.py)."""
    from motcua.container import build_container

    from .appointments import seed_appointments
    from .feedback_demo import seed_feedback
    from .obligation_demo import seed_obligation
    from .ratings_demo import seed_ratings

    def subs() -> dict[str, str]:
        return user_ids(clients.client("cognito-idp", REGION), outputs)

    _demo("appointments", lambda: seed_appointments(build_container(), accounts, subs()))
    _demo("feedback", lambda: seed_feedback(build_container(), accounts, subs()))
    _demo("ratings", lambda: seed_ratings(build_container()))
    _demo("financial obligation", lambda: seed_obligation(build_container(), accounts, subs()))


def _demo_day_of_bookings() -> None:
    """Today's bookings of people without an account, for the counter's view of the day."""
    from motcua.container import build_container

    from .appointments import seed_day_of_bookings

    _demo("day of bookings", lambda: seed_day_of_bookings(build_container()))


def _demo(what: str, seed: Callable[[], object]) -> None:
    """One piece of the demo data; a failure is told, and the rest of the stack is still worth having."""
    try:
        seed()
    except Exception:
        traceback.print_exc()
        print(f"devstack: the demo {what} could not be made (above).", file=sys.stderr, flush=True)


def _statistics(
    runner: Runner, moto: MotoMemory, outputs: Outputs, stats: Handler, state_path: Path, *, replayed: bool
) -> None:
    """The statistics pipe (the table's stream, dossier and task changes, to the stats queue) and the
    stats function behind it, as on AWS (docs/statistics.md). After a replay it goes on where it stopped;
    what it reads again would change nothing (each record's marker is in the table)."""

    def remember(position: int) -> None:
        state = State.load(state_path)
        state.stats_stream = position
        state.save(state_path)

    sqs = clients.client("sqs", REGION)
    forwarder = StreamForwarder(
        functools.partial(moto.stream_records, outputs.table_name),
        sqs,
        outputs.stats_queue_url,
        STATS_PATTERN,
        position=State.load(state_path).stats_stream if replayed else 0,
    )
    pipe = StreamPipe(forwarder, on_progress=remember)
    pipe.name = "stats pipe"
    runner.start(pipe)
    waiting = functools.partial(moto.visible_messages, outputs.stats_queue_url)
    runner.start(RoutingPoller(sqs, outputs.stats_queue_url, stats, waiting=waiting, label="stats"))


def _restart_flows(
    sqs: Any, routing: Handler, waiting: Callable[[], int], items: Callable[[], list[dict[str, Any]]]
) -> Restarted:
    """The executions were lost with moto's memory: start the flows in progress again (devstack/flows.py)."""
    from motcua.container import build_container

    container = build_container()  # from the environment, complete now that provisioning set it
    started = time.monotonic()
    try:
        result = restart_flows(container, sqs, items, handler=routing, waiting=waiting)
    except Exception:  # the rest of the stack is still worth having; say what went wrong
        traceback.print_exc()
        print(
            "devstack: the flows in progress could not all be started again (above); their "
            "dossiers wait where they stood, and the next start tries again.",
            file=sys.stderr,
            flush=True,
        )
        return Restarted()
    if result.restarted:
        print(
            f"devstack: started {len(result.restarted)} flow(s) again where they stood "
            f"in {time.monotonic() - started:.1f} s.",
            flush=True,
        )
    if result.unsettled:
        print(
            f"devstack: {', '.join(result.unsettled)}: the restarted flow has not reached its step yet; "
            "it goes on in the background.",
            file=sys.stderr,
            flush=True,
        )
    return result


SNAPSHOT_BYTES = 1 << 20  # a recording this long goes into a snapshot: its replay takes a few seconds
QUIET_SECONDS = 5.0  # a pause this long with a quarter of that recorded also takes one
FORK_POLL_SECONDS = 0.1  # how often the keeper asks whether the forked copy has written the snapshot


class Keeper:
    """Takes the snapshots (devstack/snapshots.py) while the stack runs, so that its stop has none to take.

    A snapshot is due when the recording since the last reaches `every` bytes (MOTCUA_SNAPSHOT_BYTES,
    1 MB), or a quarter of that once nothing has reached moto for `quiet` seconds (a pause after some
    use: what a stop would otherwise leave to the next start's replay). With `forked`, moto's process
    copies itself and the copy pickles (`cloud.fork_snapshot`): requests are held only while the
    process is copied, not while its memory is pickled. The stop takes none (`take_at_stop`): the
    next start replays what was recorded since the last, less than `every` bytes.
    """

    def __init__(
        self,
        snapshots: Snapshots,
        recorder: Recorder,
        state_path: Path,
        *,
        forked: bool = False,
        quiet: float = QUIET_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.snapshots = snapshots
        self.recorder = recorder
        self.state_path = state_path
        self.forked = forked
        self.quiet = quiet
        self.clock = clock
        self.moto: MotoMemory | None = None
        self.table_name = ""
        # MOTCUA_SNAPSHOT_BYTES: how long a recording may grow before it goes into a snapshot.
        self.every = int(os.environ.get("MOTCUA_SNAPSHOT_BYTES", SNAPSHOT_BYTES))
        self.taken = 0
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._seen = (-1, 0.0)  # the recording's size, and since when it has had that size

    def take_when_due(self) -> None:
        size, now = self.recorder.size(), self.clock()
        if size != self._seen[0]:
            self._seen = (size, now)
        if size >= self.every or (size >= self.every // 4 and now - self._seen[1] >= self.quiet):
            self.take()

    def take_at_stop(self, *, always: bool = False) -> None:
        """After moto's gate closed, only when `always` (the history filler's last): the stack's stop
        leaves what was recorded since the last snapshot to the next start, which replays it in a
        second or two, where pickling thousands of dossiers would hold Ctrl-C for seconds."""
        if always and self.moto is not None:
            self._take(self.moto.after_close)

    def take(self) -> None:
        assert self.moto is not None
        if self.forked:
            self._take_forked()
        else:
            self._take(self.moto.inside)

    def interrupt(self) -> None:
        """The stack stops: a snapshot being written is abandoned (the recordings it would replace stay)."""
        self._stopping.set()

    def _take(self, between_requests: Callable[[Callable[[], Path]], Path]) -> None:
        with self._lock:
            generation = generation_of(self.recorder.path) + 1
            write = functools.partial(write_snapshot, *self._arguments(generation))
            temporary = between_requests(write)
            self.recorder.path = recording(self.snapshots.data_dir, generation)  # moto records there now
            self.snapshots.commit(temporary, generation)
            self.taken += 1

    def _take_forked(self) -> None:
        assert self.moto is not None
        with self._lock:
            if self._stopping.is_set():
                return
            generation = generation_of(self.recorder.path) + 1
            pid = self.moto.inside(functools.partial(fork_snapshot, *self._arguments(generation)))
            self.recorder.path = recording(self.snapshots.data_dir, generation)  # moto records there now
            # Until the commit, the snapshot before and every recording since it are on the disk.
            while not self.moto.after_close(functools.partial(snapshot_done, pid)):
                if self._stopping.wait(FORK_POLL_SECONDS):
                    self.moto.after_close(functools.partial(abandon_snapshot, pid))
                    return
            self.snapshots.commit(self.snapshots.path.with_suffix(".tmp"), generation)
            self.taken += 1

    def _arguments(self, generation: int) -> tuple[str, int, str, str, int]:
        # What the notification pipe forwarded is dropped from the stream.
        forwarded = State.load(self.state_path).stream if self.table_name else 0
        return str(self.snapshots.data_dir), generation, REGION, self.table_name, forwarded


def _remember(state_path: Path, recorder: Recorder, random: str) -> None:
    """At the stop, once moto takes no more requests: its random generator and the recording's length."""
    state = State.load(state_path)
    state.random = random
    state.requests = recorder.recorded()
    state.save(state_path)


@contextmanager
def _listening(name: str, port: int) -> Iterator[None]:
    try:
        yield
    except OSError as error:
        raise StartError(
            f"cannot listen on {HOST}:{port} ({error.strerror}); give {name} a free port: make dev {name}=…"
        ) from error


def _restore(recorder: Recorder, state_path: Path, moto: MotoMemory, snapshots: Snapshots) -> int | None:
    """Load the snapshot and replay what was recorded since, or start anew; None when the folder was new.

    The replay runs with Step Functions execution off, as moto starts: a replayed StartExecution
    or SendTaskSuccess only answers, and the messages the flows' worker threads sent are in the
    recording as the requests they were. Execution is switched on afterwards, and before the
    recorder starts, so that the switch itself is never replayed (devstack/flows.py does the rest).
    """
    state = State.load(state_path)
    moto_version = version("moto")
    tails = recordings(snapshots.data_dir)
    if not snapshots.exists and not any(path.stat().st_size for _, path in tails):
        switch_on_flows(recorder.moto_url)
        recorder.use(recording(snapshots.data_dir, 0))
        recorder.start()
        recorder.seed(SEED)  # recorded first, so the file replays on its own
        State(moto=moto_version).save(state_path)
        return None
    if state.format != FORMAT or state.seed != SEED:
        raise StartError(f"{state_path} was written by another version of the stack; make reset starts over.")
    if state.moto and state.moto != moto_version:
        print(
            f"devstack: the data was written by moto {state.moto}, this is moto {moto_version}; "
            "if the accounts do not come back the same, the stack will say so.",
            file=sys.stderr,
        )
    started = time.monotonic()
    generation = 0
    try:
        if snapshots.exists:
            generation = moto.inside(functools.partial(load_snapshot, str(snapshots.data_dir)))
        else:
            recorder.seed(state.seed)
        count = 0
        for later, path in recordings(snapshots.data_dir, since=generation):
            if path.stat().st_size:
                print(f"devstack: replaying {path} …", flush=True)
            recorder.use(path)
            count += recorder.replay()
            generation = later
    except (RecordingError, SnapshotError) as error:
        raise StartError(str(error)) from error
    loaded = "the snapshot and " if snapshots.exists else ""
    print(
        f"devstack: loaded {loaded}replayed {count} requests in {time.monotonic() - started:.1f} s.",
        flush=True,
    )
    if state.random and state.requests == recorder.recorded() and moto.fingerprint() != state.random:
        # Not fatal: what matters to users is their ids, which IdentityCheck compares next.
        print(
            "devstack: warning: the replay drew moto's random ids differently from the session it "
            "recorded (another moto version, or a flow message received again after its visibility "
            "timeout); the user-id check follows.",
            file=sys.stderr,
            flush=True,
        )
    switch_on_flows(recorder.moto_url)
    recorder.use(recording(snapshots.data_dir, generation))
    recorder.start()
    return count


def _provision(config: StackConfig, province: Province) -> tuple[Outputs, list[DemoAccount]]:
    cognito = clients.client("cognito-idp", REGION)
    outputs = provision(
        clients=lambda name: clients.client(name, REGION),
        province=province,
        prefix=f"motcua-{province.id}",
        region=REGION,
        # The browser posts files straight to moto's S3 from the portal's origin.
        cors_origins=[config.portal_url, f"http://localhost:{config.port}"],
    )
    os.environ.update(outputs.environment())
    accounts = demo_accounts(province)
    ensure_accounts(cognito, outputs, accounts)
    _demo_draft(cognito, outputs, accounts)
    return outputs, accounts


def _demo_draft(cognito: Any, outputs: Outputs, accounts: list[DemoAccount]) -> None:
    """The second demo citizen's draft (devstack/demo_draft.py), once per data folder."""
    from motcua.container import build_container

    from .demo_draft import ensure_demo_draft

    citizens = [a for a in accounts if a.pool == "citizens"]
    if len(citizens) < 2:
        return
    try:
        ensure_demo_draft(build_container(), cognito, outputs, citizens[1])
    except Exception:  # the rest of the demo is still worth having; say what went wrong
        traceback.print_exc()
        print("devstack: the demo draft could not be saved (above).", file=sys.stderr, flush=True)


class IdentityCheck:
    """Keeps every user's id at each stop and checks, after a replay, that each got the same id back.

    A citizen's dossiers are filed under their Cognito `sub`, which moto draws from its seeded
    random generator: if a replay drew differently (another moto version, an edited recording),
    the citizen would sign in to an empty list. Better to refuse to start and say why.
    """

    name = "identity check"

    def __init__(self, cognito: Any, outputs: Outputs, state_path: Path) -> None:
        self.cognito = cognito
        self.outputs = outputs
        self.state_path = state_path

    def start(self) -> None:
        state = State.load(self.state_path)
        now = user_ids(self.cognito, self.outputs)
        changed = sorted(key for key, sub in state.subs.items() if now.get(key) != sub)
        if changed:
            shown = ", ".join(changed[:5]) + (f" and {len(changed) - 5} more" if len(changed) > 5 else "")
            raise StartError(
                f"after the replay, {shown} no longer has the same user id, so their dossiers would "
                f"be lost: the data in {self.state_path.parent} cannot be trusted. "
                "Move it away or run make reset."
            )
        self._save(now)

    def stop(self) -> None:
        self._save(user_ids(self.cognito, self.outputs))

    def _save(self, ids: dict[str, str]) -> None:
        state = State.load(self.state_path)
        state.subs = ids
        state.moto = version("moto")  # the last one known to replay this folder faithfully
        state.save(self.state_path)


def banner(
    config: StackConfig,
    province: Province,
    data_dir: Path,
    outputs: Outputs,
    accounts: list[DemoAccount],
    replayed: int | None,
    restarted: Restarted | None = None,
) -> str:
    shown = data_dir.relative_to(ROOT) if data_dir.is_relative_to(ROOT) else data_dir
    restored = "new" if replayed is None else f"{replayed} requests replayed"
    reset = (
        f"make reset{'' if province.id == 'demo' else f' PROVINCE={province.id}'}"
        if data_dir == ROOT / ".data" / province.id
        else f"stop, then delete {data_dir}"
    )
    citizens = [a for a in accounts if a.pool == "citizens"]
    staff = [a for a in accounts if a.pool == "staff"]
    width = max(len(a.username) for a in accounts)
    lines = [
        "",
        f"motcua local stack — {province.name.vi} ({province.id})",
        "",
        f"  Portal    {config.portal_url}/",
        f"  API       {config.portal_url}/v1/   (OpenAPI: {config.portal_url}/v1/openapi.json)",
        f"  AWS       {config.moto_url}   (moto: table {outputs.table_name}, bucket {outputs.bucket_name})",
        f"  Data      {shown}/   ({restored})",
        f"  Flows     {_flows(outputs, restarted)}",
        f"  Workers   {_workers(config)}",
        f"  History   {_history(data_dir)}",
        *queue_lines(config.portal_url, province),
        "",
        f"  Citizens — POST /v1/auth/citizens/sign-in {{email, password}}, password {citizens[0].password}",
        *(f"    {a.username:<{width}}  {a.name}" for a in citizens),
        f"  Staff — POST /v1/auth/staff/sign-in {{username, password}}, password {staff[0].password}",
        *(f"    {a.username:<{width}}  {a.role:<8}  {a.agency}  {a.agency_name}" for a in staff),
        "",
        f"  Ctrl-C stops; what was filed is there next time. Start over: {reset}.",
        "",
    ]
    return "\n".join(lines)


def _flows(outputs: Outputs, restarted: Restarted | None) -> str:
    machines = sorted(outputs.state_machines)
    if not machines:
        return "none (no procedure of the province has a flow)"
    shown = f"{len(machines)} procedures run on Step Functions in moto ({', '.join(machines)})"
    if restarted is not None and restarted.restarted:
        shown += f"; {len(restarted.restarted)} in progress started again"
    return shown


def _history(data_dir: Path) -> str:
    filed = State.load(data_dir / STATE).history
    if not filed:
        return "none (a new folder gets MOTCUA_HISTORY dossiers of the past months at its first start)"
    return (
        f"{filed} dossiers of the past months, filed at the folder's first start and counted "
        "(the dashboard shows them; MOTCUA_HISTORY=0: none)"
    )


def _workers(config: StackConfig) -> str:
    sweep = f"sweep every {config.sweep_seconds:g} s" if config.sweep_seconds else "sweep off"
    return f"routing queue polled every {POLL_SECONDS:g} s; {sweep} (MOTCUA_SWEEP_SECONDS)"


def _demo_refund(accounts: list[DemoAccount], outputs: Outputs, sandbox: SandboxGateway | None) -> None:
    """The demo's refused dossier with its fee paid in the sandbox, to refund (devstack/refund_demo.py)."""
    from motcua.container import build_container

    from .refund_demo import seed_refund

    if sandbox is not None:
        subs = user_ids(clients.client("cognito-idp", REGION), outputs)
        _demo("refund", lambda: seed_refund(build_container(), accounts, subs, sandbox))
