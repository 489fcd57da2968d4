"""What the API's cold start leaves for later (docs/cost.md, "Cold start"), without losing a check."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
import yaml
from jsonschema.exceptions import SchemaError

from motcua.adapters import clients
from motcua.config.province import load_province
from motcua.config.settings import Settings
from motcua.container import build_container
from tests.conftest import DEMO_PROVINCE

if TYPE_CHECKING:
    from pathlib import Path

BIRTH = "1.001193"


def with_broken_form(tmp_path: Path) -> Path:
    """The demo province with a form schema that is an object but not valid JSON Schema."""
    data = yaml.safe_load(DEMO_PROVINCE.read_text(encoding="utf-8"))
    procedure = next(p for p in data["procedures"] if p["code"] == BIRTH)
    procedure["form"]["properties"]["child_name"] = {"type": "text"}  # no such JSON Schema type
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
    assert built == ["dynamodb"]
    assert container.store.presign_upload(
        key="k", content_type="application/pdf", max_bytes=10, filename="a.pdf", expires_seconds=60
    ).url
    assert built == ["dynamodb", "s3"]
    monkeypatch.undo()
    clients.reset()  # no client built here outlives the test
