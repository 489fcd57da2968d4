"""Lambda code built locally, without Docker: the shared layer (pip for Lambda's platform) and each function.

The layer is the motcua package and its runtime dependencies (pyproject's `dependencies`), installed
with pip for Linux on arm64 and the functions' Python, zipped deterministically into
`.build/layer/layer.zip`. It is built again only when what goes into it changes (the dependency list,
the package's files, the target); otherwise the zip already there is used. Building it needs the
package registry (pip); using it does not, so `make synth` works offline once it has been built.

A function's code is its folder under functions/ plus the province file it serves, staged into
`.build/functions/<province>/<function>-<content hash>/`; the API also gets Chalice's runtime
(`chalice/app.py`), as `chalice package` would ship it.

    python -m infra.bundling        builds the layer (what `make synth` does first)
"""

from __future__ import annotations

import fcntl
import hashlib
import inspect
import json
import os
import shutil
import subprocess
import sys
import tomllib
import zipfile
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterator

ROOT = Path(__file__).resolve().parents[1]
BUILD = Path(os.environ.get("MOTCUA_BUILD_DIR", ROOT / ".build"))
PACKAGE = ROOT / "layers" / "motcua"
FUNCTIONS = ROOT / "functions"

# What Lambda runs: the runtime and architecture of every function (see infra/constructs/runtime.py).
PYTHON_VERSION = "3.14"
PLATFORM = "manylinux2014_aarch64"
# Lambda's Python 3.12+ runtimes run on Amazon Linux 2023 (glibc 2.34): wheels built for glibc 2.28 run
# there too, and some (pillow-heif's) are built only so.
PLATFORM_2_28 = "manylinux_2_28_aarch64"
# Where the province file lands in a function's code (LAMBDA_TASK_ROOT).
TASK_ROOT = "/var/task"
PROVINCE_FILE_NAME = "province.yaml"

# Bump to force a rebuild when the way the layer is built changes.
_RECIPE = "1"
_SKIP = {"__pycache__", ".chalice", ".pytest_cache", ".mypy_cache"}
# A fixed timestamp keeps the zip (and so the asset hash) the same for the same content.
_ZIP_TIME = (2020, 1, 1, 0, 0, 0)


def runtime_dependencies() -> list[str]:
    """The requirements the layer installs: the project's own, as pyproject.toml lists them."""
    with (ROOT / "pyproject.toml").open("rb") as handle:
        return list(tomllib.load(handle)["project"]["dependencies"])


def _files(folder: Path) -> Iterator[Path]:
    for path in sorted(folder.rglob("*")):
        if (
            path.is_file()
            and not _SKIP.intersection(path.relative_to(folder).parts)
            and path.suffix != ".pyc"
        ):
            yield path


def layer_fingerprint() -> str:
    """Changes whenever the layer's content would: dependencies, package files, target, recipe."""
    digest = hashlib.sha256()
    recipe = {
        "deps": runtime_dependencies(),
        "python": PYTHON_VERSION,
        "platform": [PLATFORM, PLATFORM_2_28],
        "r": _RECIPE,
    }
    digest.update(json.dumps(recipe, sort_keys=True).encode())
    for path in _files(PACKAGE):
        digest.update(str(path.relative_to(PACKAGE)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


@contextmanager
def _locked(name: str) -> Iterator[None]:
    """One builder at a time (parallel test workers synthesize at once)."""
    BUILD.mkdir(parents=True, exist_ok=True)
    with (BUILD / f"{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def build_layer(*, force: bool = False) -> Path:
    """The layer's zip, built if missing or out of date; its path."""
    folder = BUILD / "layer"
    target = folder / "layer.zip"
    stamp = folder / "fingerprint"
    fingerprint = layer_fingerprint()
    with _locked("layer"):
        if not force and target.is_file() and stamp.is_file() and stamp.read_text() == fingerprint:
            return target
        staging = folder / "python"
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        _pip_install(staging, runtime_dependencies())
        shutil.copytree(PACKAGE, staging / "motcua", ignore=shutil.ignore_patterns(*_SKIP, "*.pyc"))
        _zip(folder, staging, target)
        stamp.write_text(fingerprint)
        shutil.rmtree(staging)
    return target


def _pip_install(target: Path, requirements: list[str]) -> None:
    # Only wheels for Lambda's platform: nothing is compiled here, so no Docker is needed.
    command = [
        sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-compile",
        "--platform", PLATFORM, "--platform", PLATFORM_2_28,
        "--implementation", "cp", "--python-version", PYTHON_VERSION,
        "--only-binary=:all:", "--upgrade", "--target", str(target), *requirements,
    ]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"building the Lambda layer failed:\n{result.stdout}\n{result.stderr}")


def _zip(base: Path, folder: Path, target: Path) -> None:
    partial = target.with_suffix(".partial")
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        for path in _files(folder):
            info = zipfile.ZipInfo(str(path.relative_to(base)), date_time=_ZIP_TIME)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, path.read_bytes())
    partial.replace(target)


def stage_function(name: str, *, province_id: str, province_file: Path) -> Path:
    """`functions/<name>` with the province file (and, for the API, Chalice's runtime), ready to zip."""
    # Named after its content and never rewritten in place: another synth (a parallel test, a
    # second `make synth`) may be copying an earlier folder as an asset at this very moment.
    digest = hashlib.sha256(province_file.read_bytes())
    for path in _files(FUNCTIONS / name):
        digest.update(str(path.relative_to(FUNCTIONS)).encode() + b"\0" + path.read_bytes() + b"\0")
    target = BUILD / "functions" / province_id / f"{name}-{digest.hexdigest()[:16]}"
    with _locked(f"functions-{province_id}"):
        if not target.exists():
            staging = target.with_name(target.name + ".partial")
            shutil.rmtree(staging, ignore_errors=True)
            shutil.copytree(FUNCTIONS / name, staging, ignore=shutil.ignore_patterns(*_SKIP, "*.pyc"))
            shutil.copyfile(province_file, staging / PROVINCE_FILE_NAME)
            if name == "api":
                _vendor_chalice_runtime(staging)
            staging.replace(target)
    return target


def _vendor_chalice_runtime(target: Path) -> None:
    """What `chalice package` adds to an app: chalice/app.py (standard library only) and its __init__."""
    import chalice
    import chalice.app

    runtime = target / "chalice"
    runtime.mkdir()
    shutil.copyfile(inspect.getfile(chalice.app), runtime / "app.py")
    shutil.copyfile(inspect.getfile(chalice), runtime / "__init__.py")


def province_file_path() -> str:
    """MOTCUA_PROVINCE_FILE inside a function."""
    return f"{TASK_ROOT}/{PROVINCE_FILE_NAME}"


if __name__ == "__main__":
    built = build_layer(force="--force" in sys.argv)
    print(f"{built.relative_to(ROOT)} ({built.stat().st_size / 1e6:.1f} MB)")
