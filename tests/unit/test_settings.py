"""The functions' settings: each is read by the code, and the local stack sets only those."""

from __future__ import annotations

import ast
from pathlib import Path

from infra.devstack.config import ROOT, StackConfig
from infra.devstack.stack import local_environment
from motcua.config.settings import Settings

SETTINGS_MODULE = ROOT / "layers" / "motcua" / "config" / "settings.py"


def attributes_read(*folders: Path) -> set[str]:
    names: set[str] = set()
    for folder in folders:
        for path in folder.rglob("*.py"):
            if path == SETTINGS_MODULE:
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            names |= {node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)}
    return names


def test_every_setting_is_read_by_some_code() -> None:
    read = attributes_read(ROOT / "layers", ROOT / "functions", ROOT / "infra")

    unread = set(Settings.model_fields) - read

    assert not unread, f"settings nothing reads: {sorted(unread)}"


def test_every_motcua_variable_of_the_local_stack_is_a_setting(tmp_path: Path) -> None:
    config = StackConfig(
        port=8000,
        moto_port=8001,
        province_file=ROOT / "provinces" / "demo.yaml",
        data_dir=tmp_path,
        frontend_dir=ROOT / "frontend",
        api_dir=ROOT / "functions" / "api",
    )
    settings = {f"MOTCUA_{name.upper()}" for name in Settings.model_fields}

    unknown = {name for name in local_environment(config, tmp_path) if name.startswith("MOTCUA_")} - settings

    assert not unknown, f"set for the functions but no setting of theirs: {sorted(unknown)}"
