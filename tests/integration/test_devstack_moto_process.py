"""moto in a process of its own (infra/devstack/motoproc.py): reads of its memory, snapshots written by a
copy of it while it goes on answering, and its end with the stack's process, however that ends."""

from __future__ import annotations

import functools
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from infra.devstack.cloud import Recorder, fork_snapshot, load_snapshot, snapshot_done, table_items
from infra.devstack.motoproc import MotoProcess, MotoProcessError
from infra.devstack.process import free_port
from infra.devstack.snapshots import Snapshots, recording

ROOT = Path(__file__).resolve().parents[2]
REGION = "ap-southeast-1"
TABLE = "moto-process"


@pytest.fixture
def local_aws(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Credentials no account knows, no recorder at start; the data folder."""
    for name in list(os.environ):
        if name.startswith(("AWS_", "MOTO_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "motcua-local")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "motcua-local")
    monkeypatch.setenv("AWS_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)
    monkeypatch.setenv("MOTO_RECORDER_FILEPATH", str(recording(tmp_path, 0)))
    return tmp_path


def _dynamodb(moto: MotoProcess) -> Any:
    import boto3

    return boto3.client("dynamodb", region_name=REGION, endpoint_url=moto.url)


def _keys(client: Any) -> set[str]:
    return {item["PK"]["S"] for item in client.scan(TableName=TABLE)["Items"]}


def test_a_snapshot_is_written_by_a_copy_of_moto_while_moto_goes_on_answering(local_aws: Path) -> None:
    data = local_aws
    first = MotoProcess("127.0.0.1", free_port(), REGION)
    second = MotoProcess("127.0.0.1", free_port(), REGION)
    first.start()
    try:
        Recorder(first.url, recording(data, 0), within=first.inside).start()
        client = _dynamodb(first)
        client.create_table(
            TableName=TABLE,
            BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": "PK", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "PK", "KeyType": "HASH"}],
        )
        client.put_item(TableName=TABLE, Item={"PK": {"S": "before"}})
        # moto's memory is read in its process; what goes wrong there comes back with its traceback
        assert first.inside(functools.partial(table_items, REGION, TABLE, ("PK",))) == [
            {"PK": {"S": "before"}}
        ]
        with pytest.raises(MotoProcessError, match="ChildProcessError"):  # no such process to wait for
            first.inside(functools.partial(snapshot_done, 1))

        # When a copy of moto's process writes a snapshot of generation 1, and an item comes meanwhile
        pid = first.inside(functools.partial(fork_snapshot, str(data), 1, REGION, "", 0))
        client.put_item(TableName=TABLE, Item={"PK": {"S": "after"}})
        deadline = time.monotonic() + 60
        while not first.after_close(functools.partial(snapshot_done, pid)):
            assert time.monotonic() < deadline, "the snapshot was not written within 60 s"
            time.sleep(0.1)
        # Then the item that came after the fork is recorded in generation 1, not in the snapshot (below)
        assert recording(data, 0).read_bytes().count(b"PutItem") == 1  # "before"
        assert recording(data, 1).read_bytes().count(b"PutItem") == 1  # "after"
        snapshots = Snapshots(data)
        snapshots.commit(snapshots.path.with_suffix(".tmp"), 1)
        assert _keys(client) == {"before", "after"}
    finally:
        first.stop()
    assert first.process is not None and first.process.returncode == 0

    # And another moto loads the snapshot as it was at the fork
    second.start()
    try:
        assert second.inside(functools.partial(load_snapshot, str(data))) == 1
        assert _keys(_dynamodb(second)) == {"before"}
    finally:
        second.stop()


# Starts moto's process as the stack does, prints its id, and waits to be killed.
_OWNER = """
import sys, time
from infra.devstack.motoproc import MotoProcess
moto = MotoProcess("127.0.0.1", int(sys.argv[1]))
moto.start()
print(moto.pid, flush=True)
time.sleep(600)
"""


def test_moto_process_ends_with_the_stack_process_even_when_it_is_killed(local_aws: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    owner = subprocess.Popen(
        [sys.executable, "-c", _OWNER, str(free_port())], cwd=ROOT, env=env, stdout=subprocess.PIPE
    )
    try:
        assert owner.stdout is not None
        child = int(owner.stdout.readline())
        assert _alive(child)
        # When the stack's process is killed at once (kill -9: nothing of it runs any more)
        owner.send_signal(signal.SIGKILL)
        owner.wait(timeout=10)
        # Then moto's process does not outlive it
        deadline = time.monotonic() + 10
        while _alive(child):
            assert time.monotonic() < deadline, f"moto's process {child} outlived the stack's"
            time.sleep(0.1)
    finally:
        owner.kill()
        owner.wait()


def test_a_taken_port_is_an_os_error_as_for_a_server_in_this_process(local_aws: Path) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        moto = MotoProcess("127.0.0.1", int(taken.getsockname()[1]))
        with pytest.raises(OSError, match="in use"):
            moto.start()


def _alive(pid: int) -> bool:
    """Whether the process runs (a zombie, ended but not yet reaped by its parent, does not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"
