"""Behaviour tests run the real services and API on in-memory fakes of the ports (tests/fakes)."""

from __future__ import annotations

import pytest

from tests.conftest import ROOT
from tests.fakes.world import World


@pytest.fixture
def world() -> World:
    return World(ROOT / "provinces" / "demo.yaml")
