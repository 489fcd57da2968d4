"""The local stack: moto on loopback, the resources and demo accounts on it, the API and the portal.

What users file lasts because moto's recorder writes every request to `<data dir>/moto-recording.jsonl`
and the next start replays it, from a fixed random seed, before anything else (docs/local-stack.md).
"""

from __future__ import annotations

import fcntl
import json
import os
import sys
import time
import traceback
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from importlib.metadata import version
from typing import IO, TYPE_CHECKING, Any

from devstack.accounts import DemoAccount, demo_accounts, ensure_accounts, user_ids
from devstack.cloud import MotoServer, Recorder, RecordingError
from devstack.config import HOST, REGION, ROOT, ConfigError, StackConfig
from devstack.provision import Outputs, provision
from devstack.runner import Runner, Stop, on_signals_raise_stop
from motcua.adapters import clients  # boto3 reads the environment when the first client is built

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from motcua.config.province import Province

SEED = 20250701  # moto's ids (user subs, sessions) follow from it; changing it orphans every recording
RECORDING = "moto-recording.jsonl"
STATE = "stack.json"
FORMAT = 1


class StartError(RuntimeError):
    """The stack cannot start; the message tells the user what to do."""


@dataclass
class State:
    """What a data folder remembers beside the recording, to check that a replay gave the same world back."""

    format: int = FORMAT
    seed: int = SEED
    moto: str = ""
    subs: dict[str, str] = field(default_factory=dict)  # "<pool>/<sign-in name>" -> sub

    @classmethod
    def load(cls, path: Path) -> State:
        if not path.is_file():
            return cls()
        return cls(**json.loads(path.read_text(encoding="utf-8")))

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(asdict(self), indent=2, sort_keys=True) + "\n", encoding="utf-8")


def local_environment(config: StackConfig, data_dir: Path) -> dict[str, str]:
    """The environment moto and the functions read; set before either is imported."""
    return {
        # moto: deterministic pool and client ids, and where the recorder writes.
        "MOTO_COGNITO_IDP_USER_POOL_ID_STRATEGY": "HASH",
        "MOTO_COGNITO_IDP_USER_POOL_CLIENT_ID_STRATEGY": "HASH",
        "MOTO_RECORDER_FILEPATH": str(data_dir / RECORDING),
        "MOTO_PORT": str(config.moto_port),
        # boto3: every client goes to moto, with credentials that no real account knows.
        "AWS_ENDPOINT_URL": config.moto_url,
        "AWS_ACCESS_KEY_ID": "motcua-local",
        "AWS_SECRET_ACCESS_KEY": "motcua-local",
        "AWS_REGION": REGION,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        # the functions (motcua.config.settings); the resources' names are added once provisioned.
        "MOTCUA_PROVINCE_FILE": str(config.province_file),
        "MOTCUA_PORTAL_URL": config.portal_url,
        "MOTCUA_LOCAL_MODE": "true",
    }


# Never inherited: a profile or session token could point boto3 at a real account. The recorder is
# switched on through moto's API once the stack knows whether it replays (any value here, even
# "false", would switch it on from moto's import).
UNSET = ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "MOTO_ENABLE_RECORDING")


def main() -> int:
    on_signals_raise_stop()  # from the start: Ctrl-C at any moment stops cleanly
    runner = Runner()
    lock: IO[str] | None = None
    try:
        try:
            config, province = _configure()
        except (ConfigError, OSError, ValueError) as error:
            print(f"devstack: {error}", file=sys.stderr)
            return 2
        data_dir = config.data_dir or ROOT / ".data" / province.id
        data_dir.mkdir(parents=True, exist_ok=True)
        for name in UNSET:
            os.environ.pop(name, None)
        os.environ.update(local_environment(config, data_dir))
        lock = _lock(data_dir)
        _up(runner, config, province, data_dir)
        while True:
            time.sleep(3600)
    except Stop:
        print("\ndevstack: stopping…", flush=True)
        return 0
    except StartError as error:
        print(f"devstack: {error}", file=sys.stderr)
        return 1
    finally:
        if runner.services or lock is not None:
            runner.stop()
            print("devstack: stopped.", flush=True)
        if lock is not None:
            lock.close()


def _configure() -> tuple[StackConfig, Province]:
    from motcua.config.province import load_province

    config = StackConfig.from_env()
    province = load_province(config.province_file)
    if province.id != config.province_file.stem:  # make reset PROVINCE=<id> must find its data
        raise ConfigError(f"{config.province_file} has id {province.id}; name it {province.id}.yaml.")
    return config, province


def _lock(data_dir: Path) -> IO[str]:
    """One stack per data folder: two recorders appending to one file would ruin it."""
    handle = (data_dir / ".lock").open("w")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError as error:
        handle.close()
        raise StartError(f"another local stack is using {data_dir}; stop it first.") from error
    return handle


def _up(runner: Runner, config: StackConfig, province: Province, data_dir: Path) -> None:
    from devstack.web import WebServer, load_app

    try:
        app = load_app(config.api_dir)
    except FileNotFoundError as error:
        raise StartError(f"{error}; the API lives in functions/api/app.py.") from error
    except Exception as error:  # the developer needs the whole story of a broken import
        traceback.print_exc()
        raise StartError(f"the API in {config.api_dir} failed to import (above).") from error
    # Both ports are bound before the (maybe long) replay, so that a clash shows at once.
    with _listening("PORT", config.port):
        web = WebServer(app, host=HOST, port=config.port, static_root=config.frontend_dir)
    moto = MotoServer(HOST, config.moto_port)
    with _listening("MOTO_PORT", config.moto_port):
        runner.start(moto)

    replayed = _restore(Recorder(moto.url, data_dir / RECORDING), data_dir / STATE)
    outputs, accounts = _provision(config, province)
    runner.start(IdentityCheck(clients.client("cognito-idp", REGION), outputs, data_dir / STATE))
    runner.start(web)
    print(banner(config, province, data_dir, outputs, accounts, replayed), flush=True)


@contextmanager
def _listening(name: str, port: int) -> Iterator[None]:
    try:
        yield
    except OSError as error:
        raise StartError(
            f"cannot listen on {HOST}:{port} ({error.strerror}); give {name} a free port: make dev {name}=…"
        ) from error


def _restore(recorder: Recorder, state_path: Path) -> int | None:
    """Replay what was recorded, or start a new recording; None when the data folder was new."""
    state = State.load(state_path)
    moto_version = version("moto")
    if not recorder.exists:
        recorder.start()
        recorder.seed(SEED)  # recorded first, so the file replays on its own
        State(moto=moto_version).save(state_path)
        return None
    if state.format != FORMAT or state.seed != SEED:
        raise StartError(f"{state_path} was written by another version of the stack; make reset starts over.")
    if state.moto and state.moto != moto_version:
        print(
            f"devstack: the recording was made with moto {state.moto}, this is moto {moto_version}; "
            "if the replay does not give the same accounts back, the stack will say so.",
            file=sys.stderr,
        )
    started = time.monotonic()
    print(f"devstack: replaying {recorder.path} …", flush=True)
    try:
        recorder.seed(state.seed)
        count = recorder.replay()
    except RecordingError as error:
        raise StartError(str(error)) from error
    print(f"devstack: replayed {count} requests in {time.monotonic() - started:.1f} s.", flush=True)
    recorder.start()
    return count


def _provision(config: StackConfig, province: Province) -> tuple[Outputs, list[DemoAccount]]:
    cognito = clients.client("cognito-idp", REGION)
    outputs = provision(
        clients=lambda name: clients.client(name, REGION),
        province=province,
        prefix=f"motcua-{province.id}",
        region=REGION,
        # The browser posts files straight to moto's S3 from the portal's origin.
        cors_origins=[config.portal_url, f"http://localhost:{config.port}"],
    )
    os.environ.update(outputs.environment())
    accounts = demo_accounts(province)
    ensure_accounts(cognito, outputs, accounts)
    return outputs, accounts


class IdentityCheck:
    """Keeps every user's id at each stop and checks, after a replay, that each got the same id back.

    A citizen's dossiers are filed under their Cognito `sub`, which moto draws from its seeded
    random generator: if a replay drew differently (another moto version, an edited recording),
    the citizen would sign in to an empty list. Better to refuse to start and say why.
    """

    name = "identity check"

    def __init__(self, cognito: Any, outputs: Outputs, state_path: Path) -> None:
        self.cognito = cognito
        self.outputs = outputs
        self.state_path = state_path

    def start(self) -> None:
        state = State.load(self.state_path)
        now = user_ids(self.cognito, self.outputs)
        changed = sorted(key for key, sub in state.subs.items() if now.get(key) != sub)
        if changed:
            shown = ", ".join(changed[:5]) + (f" and {len(changed) - 5} more" if len(changed) > 5 else "")
            raise StartError(
                f"after the replay, {shown} no longer has the same user id, so their dossiers would "
                f"be lost: the data in {self.state_path.parent} cannot be trusted. "
                "Move it away or run make reset."
            )
        self._save(now)

    def stop(self) -> None:
        self._save(user_ids(self.cognito, self.outputs))

    def _save(self, ids: dict[str, str]) -> None:
        state = State.load(self.state_path)
        state.subs = ids
        state.moto = version("moto")  # the last one known to replay this folder faithfully
        state.save(self.state_path)


def banner(
    config: StackConfig,
    province: Province,
    data_dir: Path,
    outputs: Outputs,
    accounts: list[DemoAccount],
    replayed: int | None,
) -> str:
    shown = data_dir.relative_to(ROOT) if data_dir.is_relative_to(ROOT) else data_dir
    restored = "new" if replayed is None else f"{replayed} requests replayed"
    reset = (
        f"make reset{'' if province.id == 'demo' else f' PROVINCE={province.id}'}"
        if data_dir == ROOT / ".data" / province.id
        else f"stop, then delete {data_dir}"
    )
    citizens = [a for a in accounts if a.pool == "citizens"]
    staff = [a for a in accounts if a.pool == "staff"]
    width = max(len(a.username) for a in accounts)
    lines = [
        "",
        f"motcua local stack — {province.name.vi} ({province.id})",
        "",
        f"  Portal    {config.portal_url}/",
        f"  API       {config.portal_url}/v1/   (OpenAPI: {config.portal_url}/v1/openapi.json)",
        f"  AWS       {config.moto_url}   (moto: table {outputs.table_name}, bucket {outputs.bucket_name})",
        f"  Data      {shown}/   ({restored})",
        "",
        f"  Citizens — POST /v1/auth/citizens/sign-in {{email, password}}, password {citizens[0].password}",
        *(f"    {a.username:<{width}}  {a.name}" for a in citizens),
        f"  Staff — POST /v1/auth/staff/sign-in {{username, password}}, password {staff[0].password}",
        *(f"    {a.username:<{width}}  {a.role:<8}  {a.agency}  {a.agency_name}" for a in staff),
        "",
        f"  Ctrl-C stops; what was filed is there next time. Start over: {reset}.",
        "",
    ]
    return "\n".join(lines)
