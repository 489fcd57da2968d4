"""moto's server on loopback, what the stack reads from its memory, and its recorder (it makes the data last).

`MotoServer` runs moto in a thread; the local stack runs that thread in a process of its own (motoproc.py).
"""

from __future__ import annotations

import contextlib
import copy
import ctypes
import functools
import hashlib
import json
import logging
import os
import random
import signal
import socket
import string
import threading
import traceback
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit

import requests

from . import moto_patches
from .outbox import handling, stamp_send_times

if TYPE_CHECKING:
    from collections.abc import Callable, Collection, Iterable, Iterator, Mapping

    from werkzeug.serving import BaseWSGIServer

_RECORDER = "/moto-api/recorder/"
LISTEN_BACKLOG = 1024  # connections held until accepted, as the web server's (web.py)
T = TypeVar("T")


class OneAtATime:
    """Lets moto handle one request at a time.

    moto draws its ids (a Cognito user's `sub`, a session, a request id) from one seeded random
    generator and the recorder writes each request down as it arrives. Two requests handled
    at once could draw in another order than they were written, and a replay would then hand a
    citizen another `sub`. The recorder's own endpoints stay outside: a replay sends its requests
    back through this lock. Background pollers must therefore short-poll (no long WaitTimeSeconds).

    Once closed (the stack is stopping) it answers 503 without letting moto see the request, so
    nothing more is recorded or drawn: a late message from a flow's worker thread cannot slip in
    after the generator's state was written down.
    """

    def __init__(self, app: Any) -> None:
        self._app = app
        self._lock = threading.Lock()
        self._closed = False

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if str(environ.get("PATH_INFO", "")).startswith(_RECORDER):
            return self._app(environ, start_response)  # type: ignore[no-any-return]
        with self._lock:
            if self._closed:
                start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
                return [b"the local stack is stopping\n"]
            handling(environ.get("HTTP_X_AMZ_DATE"))  # the outbox's send times (outbox.py)
            try:
                return self._app(environ, start_response)  # type: ignore[no-any-return]
            finally:
                handling(None)

    def inside(self, look: Callable[[], T]) -> T:
        """Run `look` (it reads moto's memory) while no request is being handled."""
        with self._lock:
            return look()

    def close(self) -> None:
        with self._lock:
            self._closed = True


class MotoMemory:
    """What the stack reads from moto's memory rather than through requests (nothing of it is recorded).

    Each read is a module-level function of this module run by `inside`, between two requests: in
    this process (`MotoServer`, a thread) or in moto's own (`infra/devstack/motoproc.py`), where it
    travels pickled.
    """

    region: str

    def inside(self, look: Callable[[], T]) -> T:
        raise NotImplementedError

    def after_close(self, work: Callable[[], T]) -> T:
        """Run `work` on moto's memory once no request can come in any more (the stop)."""
        raise NotImplementedError

    def fingerprint(self) -> str:
        """The state of moto's random generator, taken between two requests."""
        return self.inside(fingerprint)

    def visible_messages(self, queue_url: str) -> int:
        """How many messages of the queue a ReceiveMessage would get now, read from moto's memory.

        Not a request, so nothing is recorded: a poller that asks this first sends ReceiveMessage
        only when there is something to receive, and an idle stack adds nothing to the recording.
        """
        return self.inside(functools.partial(visible_messages, self.region, queue_url))

    def queued_messages(self, queue_url: str) -> int:
        """Every message the queue holds now: visible, in flight (received, not yet deleted) or delayed.

        Zero once a consumer has deleted all it received; read from moto's memory, so not recorded.
        """
        return self.inside(functools.partial(queued_messages, self.region, queue_url))

    def stream_length(self, table_name: str) -> int:
        """How many records the table's stream holds (read from moto's memory, not recorded)."""
        return self.inside(functools.partial(stream_length, self.region, table_name))

    def table_items(
        self, table_name: str, names: tuple[str, ...], where: Mapping[str, Collection[str]] | None = None
    ) -> list[dict[str, Any]]:
        """`table_items` (below) between two requests."""
        return self.inside(functools.partial(table_items, self.region, table_name, names, where))

    def stream_records(self, table_name: str, position: int, limit: int) -> list[dict[str, Any]]:
        """Records of the table's stream from the absolute `position` on, read from moto's memory.

        Not requests: a GetRecords would be recorded with a shard iterator that a replay cannot give
        back, and an idle stack would grow its recording with every poll.
        """
        return self.inside(functools.partial(stream_records, self.region, table_name, position, limit))


class MotoServer(MotoMemory):
    """moto's server in a thread of this process; the environment (MOTO_*) must be set before it starts."""

    name = "moto"

    def __init__(
        self,
        host: str,
        port: int,
        region: str = "ap-southeast-1",
        *,
        on_stop: Callable[[str], None] | None = None,
    ) -> None:
        self.host = host
        self.port = port
        self.region = region
        # Told moto's random generator's `fingerprint` once no request can come in any more.
        self.on_stop = on_stop
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None
        self._gate: OneAtATime | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> None:
        # Imported here: moto reads MOTO_* (recorder file, id strategies) when it is first imported.
        from moto.moto_server.werkzeug_app import (
            DomainDispatcherApplication,
            MotoRequestHandler,
            create_backend_app,
        )
        from werkzeug.serving import make_server

        # One line per request to moto is noise next to the portal's own log; errors still show.
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        # moto logs as an error every Choice that tests a path for presence and finds none; the
        # flows do that for every step not decided yet ($.completed.*), which is not an error.
        logging.getLogger("moto.stepfunctions.parser.asl.component.eval_component").addFilter(_NotPresent())
        _receipt_handles_apart()
        moto_patches.apply()  # transactions and queries at a cost that does not grow with the table
        stamp_send_times()  # the outbox shows when each message was sent
        # werkzeug answers a busy port with a message and sys.exit; an OSError tells the caller more.
        with socket.socket() as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((self.host, self.port))
        app = self._gate = OneAtATime(DomainDispatcherApplication(create_backend_app))
        self._server = make_server(
            self.host, self.port, app, threaded=True, request_handler=MotoRequestHandler
        )
        # werkzeug listens with a backlog of 128; under a burst, the API's threads open more connections
        # than that at once (boto3's pool keeps 10, and opens more when they are busy). Listening again
        # on the bound socket only changes the backlog.
        self._server.socket.listen(LISTEN_BACKLOG)
        self._thread = threading.Thread(target=self._serve, name="moto", daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        assert self._server is not None
        self._server.serve_forever(poll_interval=0.1)  # so that Ctrl-C stops without a wait

    def stop(self) -> None:
        try:
            if self._gate is not None:
                random = self.close()
                if self.on_stop is not None:
                    self.on_stop(random)
        finally:
            self.shutdown()

    def close(self) -> str:
        """Let no request in any more (they are answered 503); the random generator's `fingerprint` then."""
        assert self._gate is not None
        self._gate.close()
        return fingerprint()

    def shutdown(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def inside(self, look: Callable[[], T]) -> T:
        """`look` at moto's memory between two requests (never in the middle of one)."""
        assert self._gate is not None
        return self._gate.inside(look)

    def after_close(self, work: Callable[[], T]) -> T:
        """Run `work` on moto's memory once the gate is closed (no request comes in any more)."""
        return work()


def visible_messages(region: str, queue_url: str) -> int:
    """How many messages of the queue a ReceiveMessage would get now, read from moto's memory."""
    from moto.sqs.models import sqs_backends

    path = urlsplit(queue_url).path.strip("/").split("/")
    account, name = path[-2], path[-1]
    queue = sqs_backends[account][region].queues.get(name)
    return 0 if queue is None else int(queue.approximate_number_of_messages)


def queued_messages(region: str, queue_url: str) -> int:
    """Every message the queue holds now: visible, in flight or delayed, read from moto's memory."""
    from moto.sqs.models import sqs_backends

    path = urlsplit(queue_url).path.strip("/").split("/")
    account, name = path[-2], path[-1]
    queue = sqs_backends[account][region].queues.get(name)
    if queue is None:
        return 0
    # Each message is in one of the three (a visible one is delayed or receivable).
    return int(
        queue.approximate_number_of_messages
        + queue.approximate_number_of_messages_not_visible
        + queue.approximate_number_of_messages_delayed
    )


def stream_length(region: str, table_name: str) -> int:
    """How many records the table's stream holds (read from moto's memory, not recorded)."""
    from moto.dynamodb.models import dynamodb_backends

    for backend in dynamodb_backends.values():
        table = backend[region].tables.get(table_name)
        if table is not None and table.stream_shard is not None:
            return moto_patches.stream_offset(table) + len(table.stream_shard.items)
    return 0


def stream_records(region: str, table_name: str, position: int, limit: int) -> list[dict[str, Any]]:
    """Records of the table's stream from the absolute `position` on, read from moto's memory."""
    from moto.dynamodb.models import dynamodb_backends

    for backend in dynamodb_backends.values():
        table = backend[region].tables.get(table_name)
        if table is not None and table.stream_shard is not None:
            # Records before the offset were forwarded and dropped (moto_patches.trim_stream).
            start = max(0, position - moto_patches.stream_offset(table))
            items = table.stream_shard.items[start : start + limit]
            return [copy.deepcopy(item.to_json()) for item in items]
    return []


def table_items(
    region: str, table_name: str, names: tuple[str, ...], where: Mapping[str, Collection[str]] | None = None
) -> list[dict[str, Any]]:
    """The table's items, with only the attributes `names`, as DynamoDB's JSON, read from moto's
    memory (not a request, so not recorded); call between two requests. With `where` (an attribute's
    name → the values it may have, a string or a number's text), only the items that have each of
    those attributes with one of its values.

    What a Scan of those attributes (with that filter) would give, without its cost: moto serializes
    each page and evaluates the filter expression on every item, which took most of a start's time
    with thousands of dossiers (devstack/flows.py reads the flows in progress this way). The filter
    is applied here, in moto's process, so that what crosses to the stack is the few items wanted,
    not the table: a list of every item's `data` at 10,000 dossiers was a 330 MB peak in the stack's
    process and left it 120 MB larger for good.
    """
    from moto.dynamodb.models import dynamodb_backends

    wanted = {name: frozenset(values) for name, values in (where or {}).items()}

    def chosen(item: Any) -> bool:
        for name, values in wanted.items():
            value = item.attrs.get(name)
            if value is None or not isinstance(value.value, str) or value.value not in values:
                return False
        return True

    for backend in dynamodb_backends.values():
        table = backend[region].tables.get(table_name)
        if table is not None:
            # A table with a sort key keeps a dict of items per partition key, one without the item.
            every: Iterator[Any] = (
                item
                for partition in table.items.values()
                for item in (partition.values() if table.range_key_attr else [partition])
            )
            return [
                {
                    name: {item.attrs[name].type: item.attrs[name].value}
                    for name in names
                    if name in item.attrs
                }
                for item in every
                if chosen(item)
            ]
    return []


def trim_stream(region: str, table_name: str, read: int) -> None:
    """Drop the table's stream records before `read` (the pipe forwarded them); call between two requests."""
    from moto.dynamodb.models import dynamodb_backends

    for backend in dynamodb_backends.values():
        table = backend[region].tables.get(table_name)
        if table is not None:
            moto_patches.trim_stream(table, read)


class _NotPresent(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("Exception=NoSuchJsonPathError")


RECEIPT_SEED = 20250701
# The receipt handles' own generator; a snapshot keeps its state (devstack/snapshots.py).
HANDLES = random.Random(RECEIPT_SEED)  # noqa: S311 — ids for a local mock, not secrets


def _receipt_handles_apart() -> None:
    """Draw SQS receipt handles from a generator of their own, not from moto's seeded one.

    Whether a ReceiveMessage gets a message can depend on the clock: a message that failed comes
    back after its visibility timeout, which a replay (seconds for hours of use) does not wait for.
    Each message received draws a 185-letter handle; drawn from moto's one generator, a message
    received once more in the session than in its replay would shift every id drawn after it, a
    citizen's `sub` included. Apart, such a difference only changes which handles a replay hands
    out (its replayed deletes then miss, and the queue is purged after the replay anyway). The
    generator starts from the same seed in every process, so a faithful replay hands out the same
    handles as the session did and the recorded deletes find their messages.
    """
    import moto.sqs.models as sqs_models

    letters = string.ascii_lowercase

    def receipt_handle() -> str:
        return "".join(HANDLES.choice(letters) for _ in range(185))

    setattr(sqs_models, "generate_receipt_handle", receipt_handle)  # noqa: B010 — not exported


def generators() -> tuple[Any, Any]:
    """The states of moto's random generator and of the receipt handles' one (for a snapshot)."""
    from moto.moto_api._internal import mock_random

    return mock_random.getstate(), HANDLES.getstate()


def restore_generators(random_state: Any, handles_state: Any) -> None:
    from moto.moto_api._internal import mock_random

    mock_random.setstate(random_state)
    HANDLES.setstate(handles_state)


def fingerprint() -> str:
    """A short digest of moto's random generator: two equal ones drew the same ids before them."""
    from moto.moto_api._internal import mock_random

    return hashlib.sha256(repr(mock_random.getstate()).encode()).hexdigest()[:16]


def switch_on_flows(moto_url: str) -> None:
    """Let moto run the state machines' executions (its config API; off by default).

    Step Functions is then served by another backend inside moto, with its own state machines:
    the ones created while it was off (a replay) are not seen, so provisioning comes after this.
    """
    response = requests.post(
        f"{moto_url}/moto-api/config",
        json={"stepfunctions": {"execute_state_machine": True}},
        timeout=(5, 30),
    )
    response.raise_for_status()  # moto answers with the config, which does not show this setting


def point_recorder(path: str) -> None:
    """Make moto's recorder (in the process that runs moto) record to, and replay from, `path`."""
    from moto.moto_api import recorder

    Path(path).touch()
    recorder._location = path  # noqa: SLF001 — moto reads it from the environment once


def load_snapshot(data_dir: str) -> int:
    """Put the folder's snapshot into moto's memory (in moto's process); the generation it starts."""
    from .snapshots import Snapshots

    generation, random_state, handles_state = Snapshots(Path(data_dir)).load()
    restore_generators(random_state, handles_state)
    return generation


def write_snapshot(data_dir: str, generation: int, region: str, table_name: str, forwarded: int) -> Path:
    """Between two requests, in moto's process: drop the stream records the notification pipe has
    forwarded (`forwarded`), record to `generation`'s file from now on, and pickle moto's memory to
    a temporary file (devstack/snapshots.py); its path."""
    from .snapshots import Snapshots, recording

    snapshots = Snapshots(Path(data_dir))
    if table_name:
        trim_stream(region, table_name, forwarded)
    point_recorder(str(recording(snapshots.data_dir, generation)))
    return snapshots.write(generation, *generators())


def fork_snapshot(data_dir: str, generation: int, region: str, table_name: str, forwarded: int) -> int:
    """`write_snapshot`, with the pickling done by a copy of moto's process (fork); the copy's id.

    Between two requests, in moto's own process (devstack/motoproc.py: its few threads are moto's,
    none of them inside a request now). The gate is held only while the kernel copies the process
    (copy-on-write: tens of milliseconds for a gigabyte); requests go on meanwhile and the copy
    pickles moto's memory as it was at the fork, to the temporary file. `snapshot_done` says when it
    is written; `abandon_snapshot` ends it.
    """
    from .snapshots import Snapshots, recording

    snapshots = Snapshots(Path(data_dir))
    if table_name:
        trim_stream(region, table_name, forwarded)
    point_recorder(str(recording(snapshots.data_dir, generation)))
    states = generators()
    parent = os.getpid()
    pid = os.fork()
    if pid == 0:  # the copy: write, and end without running anything of moto's process at exit
        code = 1
        try:
            die_with_parent(parent)
            snapshots.write(generation, *states)
            code = 0
        except BaseException:
            traceback.print_exc()
        finally:
            os._exit(code)
    return pid


def snapshot_done(pid: int) -> bool:
    """Whether the copy `fork_snapshot` started has written the snapshot; SnapshotError if it failed."""
    from .snapshots import SnapshotError

    ended, status = os.waitpid(pid, os.WNOHANG)
    if ended == 0:
        return False
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise SnapshotError(f"the process writing the snapshot ended with {code}")
    return True


def abandon_snapshot(pid: int) -> None:
    """End the copy writing a snapshot (the stack stops): its temporary file is never put in place."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, 0)


PR_SET_PDEATHSIG = 1


def die_with_parent(parent: int) -> None:
    """Be killed by the kernel when the process `parent` ends, however it ends (even by kill -9)."""
    with contextlib.suppress(OSError, AttributeError):  # not Linux: moto's process watches its input
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # it ended before the signal was asked for
        os._exit(1)


class Recorder:
    """moto's request recorder, driven through its HTTP API (moto_api/_internal/recorder).

    `within` runs a function of this module where moto runs (`MotoMemory.inside`); by default here.
    """

    def __init__(
        self, moto_url: str, path: Path, *, within: Callable[[Callable[[], None]], None] | None = None
    ) -> None:
        self.moto_url = moto_url
        self.path = path
        self.within = within

    def _post(self, endpoint: str, *, timeout: float | None = 30) -> None:
        response = requests.post(f"{self.moto_url}{endpoint}", timeout=(5, timeout))
        response.raise_for_status()

    @property
    def exists(self) -> bool:
        return self.path.is_file() and self.path.stat().st_size > 0

    def use(self, path: Path) -> None:
        """Record to, and replay from, `path` from now on."""
        point = functools.partial(point_recorder, str(path))
        if self.within is None:
            point()
        else:
            self.within(point)
        self.path = path

    def seed(self, value: int) -> None:
        """Make moto's random ids a function of `value` and of the requests made since."""
        self._post(f"/moto-api/seed?a={value}")

    def start(self) -> None:
        """Append every request from now on to the recording."""
        self._post(f"{_RECORDER}start-recording")

    def stop(self) -> None:
        """Record nothing more (until start): what follows must reach the disk by a snapshot."""
        self._post(f"{_RECORDER}stop-recording")

    def replay(self) -> int:
        """Send every recorded request again, in order; moto does not record the replay itself."""
        count = self.repair()
        self._post(f"{_RECORDER}replay-recording", timeout=None)
        return count

    def size(self) -> int:
        """The recording's size in bytes: it changes with every request moto receives."""
        return self.path.stat().st_size

    def recorded(self) -> int:
        """How many requests the recording holds (whole lines)."""
        return self.path.read_bytes().count(b"\n") if self.path.is_file() else 0

    def repair(self) -> int:
        """Drop a last line cut short (the process was killed while writing it); count the requests.

        Only the last line can be cut short: moto appends one whole line per request. A bad line
        elsewhere means the file was edited or is not a recording, and nothing is thrown away.
        """
        data = self.path.read_bytes()
        lines = data.split(b"\n")
        if lines and lines[-1] == b"":
            lines.pop()
        for number, line in enumerate(lines, start=1):
            try:
                json.loads(line)
            except ValueError as error:
                if number < len(lines):
                    raise RecordingError(f"{self.path}: line {number} is not a recorded request") from error
                lines.pop()
        kept = b"".join(line + b"\n" for line in lines)
        if kept != data:  # also when a whole last line lost its newline, or the next one would join it
            self.path.write_bytes(kept)
        return len(lines)


class RecordingError(RuntimeError):
    """The recording cannot be replayed as it is."""
