"""The first start's history (infra/devstack/stack.py, docs/local-stack.md): a new data folder is
filled by the history filler before the stack serves, once, MOTCUA_HISTORY dossiers; the tests' and
benchmarks' stacks start empty unless they ask."""

from __future__ import annotations

import subprocess
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from infra.devstack import stack
from infra.devstack.config import DEFAULT_HISTORY, ConfigError, StackConfig
from infra.devstack.process import LocalStack


def config(history: int) -> StackConfig:
    return replace(StackConfig.from_env({}), history=history)


class Runs:
    def __init__(self, returncode: int = 0) -> None:
        self.commands: list[list[str]] = []
        self.returncode = returncode

    def __call__(self, command: list[str], **kwargs: Any) -> subprocess.CompletedProcess[bytes]:
        self.commands.append(command)
        return subprocess.CompletedProcess(command, self.returncode)


@pytest.fixture
def runs(monkeypatch: pytest.MonkeyPatch) -> Runs:
    recorded = Runs()
    monkeypatch.setattr(subprocess, "run", recorded)
    return recorded


def test_a_new_folder_is_filled_before_serving_and_a_started_one_never_again(
    tmp_path: Path, runs: Runs
) -> None:
    stack._first_history(config(30), tmp_path)  # noqa: SLF001

    [command] = runs.commands
    assert command[1:] == ["-m", "infra.devstack.history", "--dossiers", "30", "--months", "6"]

    (tmp_path / stack.STATE).write_text("{}", encoding="utf-8")  # started once: it has its state
    stack._first_history(config(30), tmp_path)  # noqa: SLF001
    assert len(runs.commands) == 1


def test_a_fill_cut_short_is_done_again_at_the_next_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def cut_short(command: list[str], **kwargs: Any) -> subprocess.CompletedProcess[bytes]:
        (tmp_path / stack.STATE).write_text("{}", encoding="utf-8")  # the filler had started, then…
        raise KeyboardInterrupt

    monkeypatch.setattr(subprocess, "run", cut_short)
    with pytest.raises(KeyboardInterrupt):
        stack._first_history(config(30), tmp_path)  # noqa: SLF001

    again = Runs()
    monkeypatch.setattr(subprocess, "run", again)
    stack._first_history(config(30), tmp_path)  # noqa: SLF001
    assert len(again.commands) == 1
    stack._first_history(config(30), tmp_path)  # noqa: SLF001 — filled now: never again
    assert len(again.commands) == 1


def test_none_asked_is_no_history(tmp_path: Path, runs: Runs) -> None:
    stack._first_history(config(0), tmp_path)  # noqa: SLF001

    assert runs.commands == []


def test_a_failed_fill_stops_the_start_saying_what_to_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(subprocess, "run", Runs(returncode=1))

    with pytest.raises(stack.StartError, match="MOTCUA_HISTORY=0"):
        stack._first_history(config(30), tmp_path)  # noqa: SLF001


def test_the_setting_and_its_default() -> None:
    assert StackConfig.from_env({}).history == DEFAULT_HISTORY == 200
    assert StackConfig.from_env({"MOTCUA_HISTORY": "0"}).history == 0
    assert StackConfig.from_env({"MOTCUA_HISTORY": "1000"}).history == 1000
    for wrong in ("-1", "many", "100001"):
        with pytest.raises(ConfigError, match="MOTCUA_HISTORY"):
            StackConfig.from_env({"MOTCUA_HISTORY": wrong})


def test_the_tests_stacks_start_empty_unless_they_ask(tmp_path: Path) -> None:
    assert LocalStack(tmp_path, tmp_path / "log").environment()["MOTCUA_HISTORY"] == "0"
    asked = LocalStack(tmp_path, tmp_path / "log", env={"MOTCUA_HISTORY": "12"})
    assert asked.environment()["MOTCUA_HISTORY"] == "12"


def test_the_banner_says_how_much_history_the_folder_holds(tmp_path: Path) -> None:
    assert stack._history(tmp_path).startswith("none")  # noqa: SLF001
    stack.State(history=200).save(tmp_path / stack.STATE)
    assert stack._history(tmp_path).startswith("200 dossiers of the past months")  # noqa: SLF001
