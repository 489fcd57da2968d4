"""Centres in the province file: what they name must exist, and a mistake is reported at its line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from motcua.config.province import ProvinceFileError, load_province
from tests.conftest import DEMO_PROVINCE


def with_centre(tmp_path: Path, change: Any) -> Path:
    data = yaml.safe_load(Path(DEMO_PROVINCE).read_text(encoding="utf-8"))
    change(data["centres"][0])
    path = tmp_path / "province.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def line_of(path: Path, text: str, after: int = 0) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if i > after and text in line)


def problem(path: Path) -> str:
    with pytest.raises(ProvinceFileError) as raised:
        load_province(path)
    return str(raised.value)


def test_the_demo_centres_load_with_their_counters_services_and_hours() -> None:
    demo = load_province(DEMO_PROVINCE)
    centre = next(c for c in demo.centres if c.id == "tinh")
    assert sorted(centre.counters_by_number) == [1, 2, 3]
    assert set(centre.services_by_code) == {"A", "B", "C"}
    assert [f"{o:%H:%M}-{c:%H:%M}" for o, c in centre.hours_on(0)] == ["07:30-11:30", "13:30-17:00"]
    assert centre.hours_on(6) == ()  # Sunday: closed
    second = load_province(Path(DEMO_PROVINCE).with_name("lachong-demo.yaml"))
    assert [len(c.counters) for c in second.centres] == [2]  # a different layout


def test_a_counter_calling_an_unknown_service_is_named_with_its_line(tmp_path: Path) -> None:
    path = with_centre(tmp_path, lambda centre: centre["counters"][1].update(services=["B", "Z"]))

    message = problem(path)

    assert "centre tinh, counter 2: unknown services Z" in message
    counters = line_of(path, "counters:", after=line_of(path, "id: tinh"))
    assert f"line {line_of(path, 'number: 2', after=counters)} (centres[0].counters[1])" in message


def test_a_service_of_an_agency_merged_away_is_named_at_its_agencies_line(tmp_path: Path) -> None:
    path = with_centre(tmp_path, lambda centre: centre["services"][0]["agencies"].append("000.00.07.H99"))

    message = problem(path)

    assert "the agency 000.00.07.H99 was merged into 000.00.01.H99" in message
    assert f"line {line_of(path, '000.00.07.H99', after=line_of(path, 'id: tinh'))} " in message
    assert "(centres[0].services[0].agencies[1])" in message


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda c: c["hours"].append({"days": ["mon"], "open": "11:00", "close": "12:00"}), "overlap on mon"),
        (lambda c: c["hours"][0].update(open="12:00"), "not before it closes"),
        (
            lambda c: [k.update(services=["C"]) for k in (c["counters"][0], c["counters"][2])],
            "no counter calls the services A",
        ),
        (lambda c: c["services"][1].update(code="A"), "service codes appear more than once: A"),
        (lambda c: c["services"][0].update(agencies=[]), "names no procedures and no agencies"),
        (lambda c: c["services"][0].update(procedures=["9.999999"]), "unknown procedures 9.999999"),
        (
            lambda c: c["counters"][2].update(agency="000.00.98.H99"),
            "counter 3: unknown agency 000.00.98.H99",
        ),
        (lambda c: c.update(slot_minutes=3), "greater than or equal to 5"),
    ],
)
def test_a_centre_that_does_not_hold_together_does_not_load(
    tmp_path: Path, change: Any, expected: str
) -> None:
    message = problem(with_centre(tmp_path, change))
    assert expected in message
    assert "line " in message
