"""When the local stack takes a snapshot of moto's memory (infra/devstack/stack.py, Keeper): while it runs,
at each MB recorded or after a pause, and never at Ctrl-C, which the next start's replay makes up for."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from infra.devstack.snapshots import Snapshots
from infra.devstack.stack import Keeper


class _Recording:
    def __init__(self) -> None:
        self.bytes = 0
        self.path = Path("moto-recording.jsonl")

    def size(self) -> int:
        return self.bytes


class _Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class _Moto:
    """Counts what the keeper asks of moto's process; a snapshot it is asked for is an empty file."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.calls: list[Any] = []

    def inside(self, look: Any) -> Any:
        return self.after_close(look)

    def after_close(self, work: Any) -> Path:
        self.calls.append(work)
        written = self.folder / "written.tmp"
        written.write_bytes(b"")
        return written


def _keeper(tmp_path: Path) -> tuple[Keeper, _Recording, _Clock, list[int]]:
    recording, clock, taken = _Recording(), _Clock(), []
    state = tmp_path / "stack.json"
    keeper = Keeper(Snapshots(tmp_path), recording, state, forked=True, quiet=5.0, clock=clock)  # type: ignore[arg-type]
    keeper.every = 1000
    keeper.take = lambda: taken.append(recording.bytes)  # type: ignore[method-assign]
    return keeper, recording, clock, taken


def test_a_snapshot_is_due_at_each_mb_recorded_however_busy_moto_is(tmp_path: Path) -> None:
    keeper, recording, clock, taken = _keeper(tmp_path)
    for size in (200, 600, 999):
        recording.bytes = size
        clock.now += 1
        keeper.take_when_due()
    assert taken == []
    recording.bytes = 1000
    keeper.take_when_due()
    assert taken == [1000]


def test_a_quarter_of_it_is_taken_once_moto_has_had_nothing_for_a_pause(tmp_path: Path) -> None:
    keeper, recording, clock, taken = _keeper(tmp_path)
    # Given a quarter of a snapshot's worth recorded, and requests still coming each second
    for size in range(250, 400, 10):
        recording.bytes = size
        clock.now += 1
        keeper.take_when_due()
    assert taken == []
    # When nothing more comes for the pause
    for _ in range(4):
        clock.now += 1
        keeper.take_when_due()
    assert taken == []
    clock.now += 1
    keeper.take_when_due()
    # Then it goes into a snapshot
    assert taken == [390]


def test_less_than_a_quarter_waits_however_long_the_pause(tmp_path: Path) -> None:
    keeper, recording, clock, taken = _keeper(tmp_path)
    recording.bytes = 249
    for _ in range(100):
        clock.now += 1
        keeper.take_when_due()
    assert taken == []


def test_ctrl_c_takes_none_and_the_history_filler_takes_its_last(tmp_path: Path) -> None:
    keeper, recording, _, _ = _keeper(tmp_path)
    moto = _Moto(tmp_path)
    keeper.moto = moto  # type: ignore[assignment]
    # Given a long recording since the last snapshot, when the stack stops, none is taken
    recording.bytes = 999_999
    keeper.take_at_stop()
    assert moto.calls == []
    assert not (tmp_path / "moto-snapshot.pickle").exists()
    # The history filler's last is taken whatever the recording
    keeper.forked = False
    recording.bytes = 0
    keeper.take_at_stop(always=True)
    assert len(moto.calls) == 1
    assert (tmp_path / "moto-snapshot.pickle").exists()
