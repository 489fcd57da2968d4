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


# What each part of the package may import from the others: the arrows point one way, towards the domain.
ALLOWED = {
    "domain": {"domain"},
    "presentation": {"domain", "presentation", "config"},
    "documents": {"domain", "presentation", "documents", "config"},
    "notifications": {"domain", "notifications", "config"},
    "adapters": {"domain", "adapters", "resources", "observability", "signing", "asl"},
}


def _layer_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if parts[0] == "motcua" and len(parts) > 1 else None


@pytest.mark.parametrize(
    "path",
    sorted(path for layer in ALLOWED for path in (PACKAGE / layer).glob("*.py")),
    ids=lambda p: f"{p.parent.name}/{p.name}",
)
def test_each_layer_imports_only_what_is_below_it(path: Path) -> None:
    allowed = ALLOWED[path.parent.name]
    above = {
        m for m in imported_modules(path) if (layer := _layer_of(m)) is not None and layer not in allowed
    }
    assert not above, f"{path.parent.name}/{path.name} imports {sorted(above)}"


def test_the_layer_guard_sees_a_back_arrow(tmp_path: Path) -> None:
    module = tmp_path / "adapter.py"
    module.write_text("from motcua.services.filing import FilingService\n", encoding="utf-8")
    assert {_layer_of(m) for m in imported_modules(module)} == {"services"}


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
