"""boto3 clients built once per container (and pointed at the local stack by AWS_ENDPOINT_URL)."""

from __future__ import annotations

from functools import cache
from typing import Any

import boto3
from botocore.config import Config

_CONFIG = Config(
    retries={"mode": "standard", "max_attempts": 4},
    connect_timeout=2,
    read_timeout=10,
    tcp_keepalive=True,
)


@cache
def _session() -> boto3.session.Session:
    return boto3.session.Session()


@cache
def client(service: str, region: str | None = None) -> Any:
    return _session().client(service, region_name=region, config=_CONFIG)


def reset() -> None:
    """Forget built clients (tests switch moto on and off between them)."""
    client.cache_clear()
    _session.cache_clear()
