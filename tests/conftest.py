"""Shared fixtures: a moto-backed AWS, the platform's resources on it, and services wired to them."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.fakes.clock import FrozenClock

ROOT = Path(__file__).resolve().parents[1]
DEMO_PROVINCE = ROOT / "provinces" / "demo.yaml"
REGION = "ap-southeast-1"

# Nothing in the tests may reach a real account.
os.environ.update(
    AWS_ACCESS_KEY_ID="testing",
    AWS_SECRET_ACCESS_KEY="testing",
    AWS_SESSION_TOKEN="testing",
    AWS_DEFAULT_REGION=REGION,
    AWS_REGION=REGION,
    # botocore sends stream calls to <account>.streams-ddb.<region>…, which moto does not serve.
    AWS_ACCOUNT_ID_ENDPOINT_MODE="disabled",
)
os.environ.pop("AWS_ENDPOINT_URL", None)
os.environ.pop("AWS_PROFILE", None)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock()  # Tuesday 17 November 2026, 09:00 in Vietnam


@pytest.fixture
def aws() -> Iterator[None]:
    from moto import mock_aws

    from infra.devstack import moto_patches
    from motcua.adapters import clients

    moto_patches.apply()  # the local stack's moto, with its transactions and queries at a flat cost
    clients.reset()
    # Step Functions runs the flows' definitions, as the local stack's moto server does.
    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
        yield
    clients.reset()


@pytest.fixture
def outputs(aws: None, request: pytest.FixtureRequest) -> Any:
    from infra.devstack.provision import provision
    from motcua.adapters import clients
    from motcua.config.province import load_province

    return provision(
        clients=lambda name: clients.client(name, REGION),
        province=load_province(DEMO_PROVINCE),
        prefix="motcua-test",
        region=REGION,
        cors_origins=["http://127.0.0.1:8000"],
        # Signing keys take a second of RSA key generation: only for tests marked `signing`.
        signing=request.node.get_closest_marker("signing") is not None,
    )


@pytest.fixture
def settings(outputs: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    from motcua.config.settings import Settings

    env = outputs.environment() | {
        "MOTCUA_PROVINCE_FILE": str(DEMO_PROVINCE),
        "MOTCUA_PORTAL_URL": "http://127.0.0.1:8000",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return Settings()  # type: ignore[call-arg]


@pytest.fixture
def container(request: pytest.FixtureRequest, clock: FrozenClock) -> Any:
    """The services wired to moto; for a test marked `offline`, to in-memory fakes of the ports
    (tests/fakes), when what it checks happens before and without AWS."""
    if request.node.get_closest_marker("offline") is not None:
        from tests.fakes.world import World

        return World(DEMO_PROVINCE, clock=clock).container
    from motcua.container import build_container

    return build_container(request.getfixturevalue("settings"), clock=clock)


class CallLog:
    """AWS calls made through botocore, counted by operation and by error code."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.errors: list[str] = []

    def __call__(self, http_response: Any, parsed: dict[str, Any], model: Any, **_: Any) -> None:
        self.calls.append(model.name)
        code = parsed.get("Error", {}).get("Code")
        if code:
            self.errors.append(code)


@pytest.fixture
def aws_requests_atomic(aws: None, monkeypatch: pytest.MonkeyPatch) -> CallLog:
    """Make each moto request atomic, as each request is on AWS, so threads can race between requests.

    moto's in-memory backends are not thread-safe within one request (a transaction writes its
    items one by one and puts them back on failure); real DynamoDB is. Holding a lock for the
    duration of one request gives threads AWS's semantics while leaving every interleaving between
    requests possible. A short pause
    after each read widens the window in which another filing can take the same number.
    """
    import threading
    import time

    from moto.core.botocore_stubber import BotocoreStubber

    from motcua.adapters import clients

    lock = threading.Lock()
    original = BotocoreStubber.__call__

    def atomic(self: Any, event_name: str, request: Any, **kwargs: Any) -> Any:
        with lock:
            response = original(self, event_name, request, **kwargs)
        if "GetItem" in str(request.headers.get("X-Amz-Target", b"")):
            time.sleep(0.002)
        return response

    monkeypatch.setattr(BotocoreStubber, "__call__", atomic)
    log = CallLog()
    clients.client("dynamodb", REGION).meta.events.register("after-call.dynamodb", log)
    return log
