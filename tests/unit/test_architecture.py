"""Dependencies point one way: the domain and its services import neither boto3 nor chalice."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "layers" / "motcua"
HTTP = Path(__file__).resolve().parents[2] / "functions" / "api" / "chalicelib" / "http"
# The API's HTTP modules, each importing only those before it: what a route declares knows nothing of how
# it runs, and a route's area comes last because it wraps each route function in `handle`.
HTTP_LAYERS = ("endpoints", "auth", "call", "responses", "middleware", "area")
FORBIDDEN = ("boto3", "botocore", "chalice", "moto", "motcua.adapters", "motcua.container")


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize(
    "path",
    sorted(
        path
        for package in ("domain", "services", "notifications", "documents")
        for path in (PACKAGE / package).glob("*.py")
    ),
    ids=lambda p: f"{p.parent.name}/{p.name}",
)
def test_domain_and_services_stay_free_of_infrastructure(path: Path) -> None:
    bad = {m for m in imported_modules(path) if m.split(".")[0] in FORBIDDEN or m.startswith(FORBIDDEN)}
    assert not bad, f"{path.name} imports {sorted(bad)}"


def test_the_guard_sees_imports() -> None:
    adapters = imported_modules(PACKAGE / "adapters" / "dynamodb.py")
    assert "botocore.exceptions" in adapters


def test_the_http_modules_import_only_those_below_them() -> None:
    modules = sorted(p.stem for p in HTTP.glob("*.py") if p.stem != "__init__")
    assert modules == sorted(HTTP_LAYERS), "a new module of chalicelib/http needs its place in HTTP_LAYERS"
    for position, name in enumerate(HTTP_LAYERS):
        imported = {
            m.removeprefix("chalicelib.http.")
            for m in imported_modules(HTTP / f"{name}.py")
            if m.startswith("chalicelib.http.")
        }
        above = imported - set(HTTP_LAYERS[:position])
        assert not above, f"chalicelib/http/{name}.py imports {sorted(above)}, which sit above it"
