"""What the API's cold start leaves for later (docs/cost.md, "Cold start"), without losing a check."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import TYPE_CHECKING, Any

import pytest
import yaml
from jsonschema.exceptions import SchemaError

from motcua.adapters import clients
from motcua.config.province import load_province
from motcua.config.settings import Settings
from motcua.container import build_container
from tests.conftest import DEMO_PROVINCE, ROOT

if TYPE_CHECKING:
    from pathlib import Path

BIRTH = "1.001193"
# What the API function is given on Lambda (no AWS call is made to build the container).
ENVIRONMENT = {
    "AWS_REGION": "ap-southeast-1",
    "AWS_ACCESS_KEY_ID": "x",
    "AWS_SECRET_ACCESS_KEY": "x",
    "MOTCUA_TABLE_NAME": "t",
    "MOTCUA_BUCKET_NAME": "b",
    "MOTCUA_PROVINCE_FILE": str(DEMO_PROVINCE),
    "MOTCUA_PROVINCE_CHECKED": "true",
    "MOTCUA_CITIZEN_POOL_ID": "ap-southeast-1_c",
    "MOTCUA_CITIZEN_CLIENT_ID": "c",
    "MOTCUA_STAFF_POOL_ID": "ap-southeast-1_s",
    "MOTCUA_STAFF_CLIENT_ID": "s",
}


def with_broken_form(tmp_path: Path) -> Path:
    """The demo province with a form schema that is an object but not valid JSON Schema."""
    data = yaml.safe_load(DEMO_PROVINCE.read_text(encoding="utf-8"))
    procedure = next(p for p in data["procedures"] if p["code"] == BIRTH)
    procedure["form"]["properties"]["child_name"] = {"type": "text"}  # no such JSON Schema type
    procedure["steps"][0]["fields"].append("child_name")  # asked in a step, as every field is
    path = tmp_path / "province.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_a_broken_form_schema_fails_when_the_province_loads(tmp_path: Path) -> None:
    with pytest.raises(SchemaError, match="'text' is not valid"):
        load_province(with_broken_form(tmp_path))


def test_a_file_checked_at_synthesis_is_not_checked_against_the_metaschema_again(tmp_path: Path) -> None:
    # Given the copy synthesis loaded (a function's MOTCUA_PROVINCE_CHECKED), its forms are trusted
    province = load_province(with_broken_form(tmp_path), forms_checked=True)
    assert province.procedures_by_code[BIRTH].form["properties"]["child_name"] == {"type": "text"}


def test_the_api_container_builds_no_s3_client_until_a_route_needs_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    built: list[str] = []
    real = clients.client

    def counting(service: str, region: str | None = None) -> Any:
        built.append(service)
        return real(service, region)

    clients.reset()
    monkeypatch.setattr(clients, "client", counting)
    settings = Settings(
        table_name="t",
        bucket_name="b",
        province_file=str(DEMO_PROVINCE),
        citizen_pool_id="ap-southeast-1_c",
        citizen_client_id="c",
        staff_pool_id="ap-southeast-1_s",
        staff_client_id="s",
    )
    container = build_container(settings)
    assert set(built) == {"dynamodb"}  # the table's one client (cached), asked for by each adapter
    assert container.store.presign_upload(
        key="k", content_type="application/pdf", max_bytes=10, size=5, filename="a.pdf", expires_seconds=60
    ).url
    assert set(built) == {"dynamodb", "s3"}
    monkeypatch.undo()
    clients.reset()  # no client built here outlives the test


def test_under_snapstart_the_app_builds_its_container_before_the_snapshot() -> None:
    # Lambda names the initialization type; only a snap-start init is worth doing the first request's work
    script = (
        "import app; from motcua.container import _built;"
        " print(_built.cache_info().currsize, 'jsonschema' in __import__('sys').modules)"
    )
    outputs = {}
    for kind in ("on-demand", "snap-start"):
        env = os.environ | ENVIRONMENT | {"AWS_LAMBDA_INITIALIZATION_TYPE": kind}
        # The function's code as Lambda lays it out: app.py and chalicelib at the top, as make exports.
        folders = ("functions/api", "functions", ".")
        env["PYTHONPATH"] = os.pathsep.join(str(ROOT / folder) for folder in folders)
        done = subprocess.run(
            [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True, cwd=ROOT
        )
        outputs[kind] = done.stdout.split()
    assert outputs == {"on-demand": ["0", "False"], "snap-start": ["1", "True"]}
