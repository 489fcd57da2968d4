"""Infrastructure fixtures: each province's stage synthesized once per session (tests/infra/support.py).

Under xdist the tests of one province run on one worker (`xdist_group`, with `--dist loadgroup`), so
the provinces synthesize side by side on two cores, each only once.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from infra import bundling
from tests.infra.support import PROVINCE_IDS, Synthesized, is_built, synthesized_stage


@pytest.fixture(scope="session")
def layer_zip() -> Path:
    return bundling.build_layer()


@pytest.fixture(params=PROVINCE_IDS)
def synthesized(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, layer_zip: Path
) -> Synthesized:
    province_id: str = request.param
    outdir = Path() if is_built(province_id) else tmp_path_factory.mktemp(f"cdk-{province_id}")
    return synthesized_stage(province_id, outdir, layer_zip)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """One xdist group per province: its stage is synthesized by one worker only."""
    here = Path(__file__).parent
    for item in items:
        if here not in Path(str(item.fspath)).parents:
            continue
        callspec = getattr(item, "callspec", None)
        province = callspec.params.get("synthesized") if callspec else None
        if province is not None:
            item.add_marker(pytest.mark.xdist_group(f"infra-{province}"))
