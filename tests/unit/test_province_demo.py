"""The demo province file (provinces/demo.yaml): what users would notice if it were wrong."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import holidays
import pytest
import yaml
from jsonschema import Draft202012Validator
from pydantic import ValidationError

from motcua.config.province import Province, ProvinceFileError, load_province
from motcua.domain.calendar import VIETNAM_TZ, end_of_day
from motcua.domain.catalog import AgencyKind, ResultDelivery
from tests.examples import EXAMPLES

DEMO = Path(__file__).resolve().parents[2] / "provinces" / "demo.yaml"

PROVINCE_COMMITTEE = "000.00.00.H99"
FINANCE = "000.00.01.H99"
PLANNING_AND_INVESTMENT = "000.00.07.H99"  # merged into Finance
TODAYS_DEPARTMENTS = {
    "Sở Tài chính",
    "Sở Nông nghiệp và Môi trường",
    "Sở Xây dựng",
    "Sở Nội vụ",
    "Sở Ngoại vụ",
    "Sở Tư pháp",
}


@pytest.fixture(scope="module")
def province() -> Province:
    return load_province(DEMO)


def _validator(schema: dict[str, Any]) -> Draft202012Validator:
    # The same validator filing uses: formats (date, email) are checked, not just annotations.
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def _errors(schema: dict[str, Any], instance: dict[str, Any]) -> list[str]:
    errors = _validator(schema).iter_errors(instance)
    return sorted(f"{list(error.absolute_path)}: {error.message}" for error in errors)


def test_the_demo_province_loads_with_its_contact_details(province: Province) -> None:
    assert (province.id, province.code, province.language) == ("demo", "H99", "vi")
    assert province.name.vi == "Tỉnh Minh Họa"
    assert province.name.en == "Minh Hoa Province (demo)"
    assert province.sender_email == "motcua@minhhoa.example.gov.vn"
    assert province.portal_url == "http://127.0.0.1:8000"
    assert province.uploads.max_bytes == 10 * 1024 * 1024
    assert province.uploads.url_expires_seconds == 900
    assert province.uploads.download_expires_seconds == 300


def test_agencies_follow_todays_two_tiers(province: Province) -> None:
    assert all(agency.code.endswith(".H99") for agency in province.agencies)
    active = [agency for agency in province.agencies if agency.merged_into is None]
    by_kind = {kind: [a for a in active if a.kind is kind] for kind in AgencyKind}
    assert [a.code for a in by_kind[AgencyKind.PROVINCE]] == [PROVINCE_COMMITTEE]
    assert len(by_kind[AgencyKind.DEPARTMENT]) >= 6
    assert {a.name.vi for a in by_kind[AgencyKind.DEPARTMENT]} >= TODAYS_DEPARTMENTS
    assert len(by_kind[AgencyKind.BRANCH]) >= 3
    assert len(by_kind[AgencyKind.COMMUNE]) >= 3
    # Communes and departments hang directly off the province: there are no districts any more.
    for agency in by_kind[AgencyKind.DEPARTMENT] + by_kind[AgencyKind.COMMUNE]:
        assert agency.parent == PROVINCE_COMMITTEE, agency.code
    # Every agency can be written to and found.
    for agency in province.agencies:
        assert agency.email and agency.email.endswith("@minhhoa.example.gov.vn"), agency.code
        assert agency.address is not None, agency.code


def test_the_merged_department_hands_its_work_to_finance(province: Province) -> None:
    old = province.agencies_by_code[PLANNING_AND_INVESTMENT]
    assert old.name.vi == "Sở Kế hoạch và Đầu tư"
    assert old.merged_into == FINANCE

    today = province.current_agency(PLANNING_AND_INVESTMENT)

    assert today is not None
    assert today.code == FINANCE
    assert today.name.vi == "Sở Tài chính"
    assert province.current_agency(FINANCE) == today


def test_at_least_eight_procedures_each_received_by_an_active_agency(province: Province) -> None:
    assert len(province.procedures) >= 8
    for procedure in province.procedures:
        agency = province.agencies_by_code.get(procedure.agency)
        assert agency is not None, procedure.code
        assert agency.merged_into is None, f"{procedure.code} is received by merged {agency.code}"
        assert province.current_agency(procedure.agency) == agency


def test_every_procedure_lists_papers_a_citizen_can_upload(province: Province) -> None:
    for procedure in province.procedures:
        assert 2 <= len(procedure.papers) <= 5, procedure.code
        assert any(paper.required for paper in procedure.papers), procedure.code
        for paper in procedure.papers:
            assert paper.content_types, f"{procedure.code}/{paper.code}"
        assert procedure.legal_basis, procedure.code
        assert procedure.result_delivery, procedure.code


def test_results_come_back_the_way_the_design_promises(province: Province) -> None:
    by_code = province.procedures_by_code
    assert ResultDelivery.POST in by_code["3.000347"].result_delivery  # driving licence by post
    assert ResultDelivery.EMAIL in by_code["2.002151"].result_delivery  # delegation permit by email
    assert province.agencies_by_code[by_code["1.001193"].agency].kind is AgencyKind.COMMUNE
    assert province.agencies_by_code[by_code["1.013225"].agency].kind is AgencyKind.COMMUNE
    assert province.agencies_by_code[by_code["1.013978"].agency].kind is AgencyKind.COMMUNE
    assert by_code["2.001610"].agency == FINANCE


def test_every_procedure_has_an_example_form_here(province: Province) -> None:
    assert set(EXAMPLES) == {procedure.code for procedure in province.procedures}


@pytest.mark.parametrize("code", sorted(EXAMPLES))
def test_form_is_a_valid_closed_json_schema(province: Province, code: str) -> None:
    form = province.procedures_by_code[code].form

    Draft202012Validator.check_schema(form)

    assert form["type"] == "object"
    assert form["additionalProperties"] is False
    properties: dict[str, dict[str, Any]] = form["properties"]
    assert 3 <= len(properties) <= 8
    assert set(form["required"]) <= set(properties)
    for name, prop in properties.items():
        assert prop.get("title"), f"{code}.{name} has no Vietnamese title"
        assert prop.get("description"), f"{code}.{name} has no description"


def _property_nodes(schema: dict[str, Any], path: str) -> list[tuple[str, dict[str, Any]]]:
    """Every property node under `schema`, at any depth (nested objects, array items), with its path."""
    found: list[tuple[str, dict[str, Any]]] = []
    for name, prop in (schema.get("properties") or {}).items():
        found.append((f"{path}.{name}", prop))
        found.extend(_property_nodes(prop, f"{path}.{name}"))
    items = schema.get("items")
    if isinstance(items, dict):
        found.extend(_property_nodes(items, f"{path}[]"))
    return found


def test_every_form_field_is_labelled_in_vietnamese_and_english(province: Province) -> None:
    checked = 0
    for procedure in province.procedures:
        for path, prop in _property_nodes(procedure.form, procedure.code):
            checked += 1
            assert str(prop.get("title") or "").strip(), f"{path} has no Vietnamese title"
            english = prop.get("x-en")
            assert isinstance(english, dict), f"{path} has no x-en"
            assert str(english.get("title") or "").strip(), f"{path} has no English title (x-en.title)"
            for key, labels in (
                ("x-en.enum-labels", english.get("enum-labels")),
                ("x-enum-labels", prop.get("x-enum-labels")),
            ):
                if labels is not None:
                    assert "enum" in prop, f"{path} has {key} but no enum"
                    assert len(labels) == len(prop["enum"]), f"{path}: {key} and enum differ in length"
    assert checked >= len(province.procedures) * 3


@pytest.mark.parametrize("code", sorted(EXAMPLES))
def test_form_accepts_a_filled_in_example(province: Province, code: str) -> None:
    form = province.procedures_by_code[code].form

    assert _errors(form, EXAMPLES[code]) == []


@pytest.mark.parametrize("code", sorted(EXAMPLES))
def test_form_rejects_a_missing_or_an_unknown_field(province: Province, code: str) -> None:
    form = province.procedures_by_code[code].form
    example = EXAMPLES[code]
    missing = form["required"][0]

    without = {key: value for key, value in example.items() if key != missing}
    assert _errors(form, without), f"{code} accepted a form without {missing}"
    assert _errors(form, {**example, "unexpected_field": "x"}), f"{code} accepted an unknown field"


def test_the_provincial_day_off_moves_a_due_date(province: Province) -> None:
    calendar = province.working_calendar
    day_off = date(2027, 7, 1)
    # It is a real override: a weekday that the `holidays` package does not already give.
    assert day_off.weekday() < 5
    assert day_off not in holidays.country_holidays("VN", years=2027)

    assert not calendar.is_working_day(day_off)
    assert calendar.holiday_name(day_off) == province.calendar.add_holidays[0].name.vi
    filed = datetime(2027, 6, 30, 9, 0, tzinfo=VIETNAM_TZ)  # Wednesday morning
    assert calendar.due_at(filed, 1) == end_of_day(date(2027, 7, 2))  # Friday, not Thursday


def test_a_procedure_naming_an_unknown_agency_fails_to_load(tmp_path: Path) -> None:
    data = yaml.safe_load(DEMO.read_text(encoding="utf-8"))
    procedure = data["procedures"][0]
    procedure["agency"] = "000.00.98.H99"
    broken = tmp_path / "broken.yaml"
    broken.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")

    with pytest.raises(ProvinceFileError) as caught:
        load_province(broken)

    message = str(caught.value)
    assert f"procedure {procedure['code']}" in message
    assert "000.00.98.H99" in message


def test_retention_is_read_from_the_province_file_with_defaults_and_papers_outlive_their_dossiers() -> None:
    from motcua.config.province import Retention

    kept = load_province(DEMO).retention
    assert (kept.dossiers_days, kept.access_log_days, kept.idempotency_days) == (3650, 1095, 7)
    assert Retention().notifications_days == 30
    with pytest.raises(ValidationError, match="papers_days"):
        Retention(dossiers_days=3650, papers_days=1000)
    with pytest.raises(ValidationError):
        Retention(notifications_days=7)  # shorter than the dead-letter queue keeps a record
