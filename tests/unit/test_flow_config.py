"""A province's flows are checked when it loads; a wrong one names the procedure and the step."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from motcua.config.province import ProvinceFileError, load_province
from tests.conftest import DEMO_PROVINCE

WORK_PERMIT = "1.014199"  # Home Affairs with Public Security, legal time 5 working days


def with_flow(tmp_path: Path, stages: list[dict[str, Any]]) -> Path:
    data = yaml.safe_load(DEMO_PROVINCE.read_text(encoding="utf-8"))
    procedure = next(p for p in data["procedures"] if p["code"] == WORK_PERMIT)
    procedure["flow"] = {"stages": stages}
    path = tmp_path / "province.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def step(agency: str, days: int) -> dict[str, Any]:
    return {"agency": agency, "days": days}


def load_error(path: Path) -> str:
    with pytest.raises(ProvinceFileError) as raised:
        load_province(path)
    return str(raised.value)


def test_an_unknown_agency_names_the_procedure_and_the_step(tmp_path: Path) -> None:
    path = with_flow(tmp_path, [{"steps": [step("000.00.02.H99", 2), step("000.00.98.H99", 2)]}])
    assert "procedure 1.014199, stage 1, step 2 (000.00.98.H99): unknown agency" in load_error(path)


def test_a_merged_agency_cannot_take_a_step(tmp_path: Path) -> None:
    path = with_flow(tmp_path, [{"steps": [step("000.00.07.H99", 2)]}])
    assert "stage 1, step 1 (000.00.07.H99): the agency was merged into 000.00.01.H99" in load_error(path)


def test_an_empty_stage_is_refused(tmp_path: Path) -> None:
    path = with_flow(tmp_path, [{"steps": [step("000.00.02.H99", 2)]}, {"steps": []}])
    assert "procedure 1.014199, stage 2: the stage has no step" in load_error(path)


def test_allowances_past_the_legal_time_are_refused_naming_the_longest_step(tmp_path: Path) -> None:
    # Parallel steps count their longest; stages add up: 4 + 2 = 6 > 5.
    path = with_flow(
        tmp_path,
        [
            {"steps": [step("000.00.02.H99", 4), step("000.00.21.H99", 3)]},
            {"steps": [step("000.00.20.H99", 2)]},
        ],
    )
    message = load_error(path)
    assert "procedure 1.014199: the steps take 6 working days, more than the legal 5" in message
    assert "stage 1, step 1 (000.00.02.H99), 4 days" in message


def test_parallel_steps_count_once_toward_the_legal_time(tmp_path: Path) -> None:
    path = with_flow(tmp_path, [{"steps": [step("000.00.02.H99", 5), step("000.00.21.H99", 5)]}])
    flow = load_province(path).procedures_by_code[WORK_PERMIT].flow
    assert flow is not None and flow.days == 5


def test_an_unknown_key_in_a_step_is_refused(tmp_path: Path) -> None:
    path = with_flow(tmp_path, [{"steps": [step("000.00.02.H99", 2) | {"dayz": 3}]}])
    assert "dayz" in load_error(path)
