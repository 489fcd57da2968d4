"""What the local stack is told by its environment: ports, province, where data and code live."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Mapping

ROOT = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"  # loopback only: the stack has demo passwords and no real security
REGION = "ap-southeast-1"  # fixed: pool ids and the recording's request signatures carry it
DEFAULT_PORT = 8000
DEFAULT_MOTO_PORT = 8001
DEFAULT_SWEEP_SECONDS = 60.0  # the sweep runs once a day on AWS; every minute locally, to see it work
# Dossiers of the past months filed at a new data folder's first start (MOTCUA_HISTORY; 0: none), so
# that the leaders' dashboard shows something real at once (docs/local-stack.md: about a minute).
DEFAULT_HISTORY = 200
HISTORY_MONTHS = 6


class ConfigError(ValueError):
    """A setting the stack cannot start with; the message says which and why."""


@dataclass(frozen=True)
class StackConfig:
    port: int
    moto_port: int
    province_file: Path
    # None: .data/<province id>/, known only once the province file is read.
    data_dir: Path | None
    frontend_dir: Path
    api_dir: Path
    # How often the local runner calls the sweep (MOTCUA_SWEEP_SECONDS); 0 leaves it off.
    sweep_seconds: float = DEFAULT_SWEEP_SECONDS
    # How many dossiers of history a new data folder gets before the stack serves (MOTCUA_HISTORY).
    history: int = DEFAULT_HISTORY

    @property
    def portal_url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def moto_url(self) -> str:
        return f"http://{HOST}:{self.moto_port}"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> StackConfig:
        env = os.environ if env is None else env
        port = _port(env, "PORT", DEFAULT_PORT)
        moto_port = _port(env, "MOTO_PORT", DEFAULT_MOTO_PORT)
        if port == moto_port:
            raise ConfigError(f"PORT and MOTO_PORT are both {port}; give them different values.")
        province = env.get("PROVINCE") or "demo"
        # MOTCUA_PROVINCE_DIR: where <province>.yaml is, when not provinces/ (the browser tests run a
        # copy of the demo province whose centres are open all day: docs/counter.md).
        folder = Path(env.get("MOTCUA_PROVINCE_DIR") or ROOT / "provinces")
        province_file = folder / f"{province}.yaml"
        if "/" in province or not province_file.is_file():
            raise ConfigError(f"PROVINCE={province}: there is no {province_file}.")
        data_dir = env.get("MOTCUA_DATA_DIR")
        return cls(
            port=port,
            moto_port=moto_port,
            province_file=province_file,
            data_dir=Path(data_dir).resolve() if data_dir else None,
            frontend_dir=ROOT / "frontend",
            # Overridable so that the stack itself can be tried with another Chalice app.
            api_dir=Path(env.get("MOTCUA_API_DIR") or ROOT / "functions" / "api").resolve(),
            sweep_seconds=_seconds(env, "MOTCUA_SWEEP_SECONDS", DEFAULT_SWEEP_SECONDS),
            history=_count(env, "MOTCUA_HISTORY", DEFAULT_HISTORY),
        )


def _port(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name) or str(default)
    if not raw.isdigit() or not 0 < int(raw) < 65536:
        raise ConfigError(f"{name}={raw} is not a TCP port number.")
    return int(raw)


def _seconds(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name) or str(default)
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not (value == 0 or 1 <= value <= 86_400):  # NaN fails both
        raise ConfigError(f"{name}={raw}: give 0 (off) or a number of seconds from 1 to 86400.")
    return value


def _count(env: Mapping[str, str], name: str, default: int) -> int:
    raw = (env.get(name) or str(default)).strip()
    if not raw.isdigit() or int(raw) > 100_000:
        raise ConfigError(f"{name}={raw}: give 0 (none) or a number of dossiers up to 100000.")
    return int(raw)
