"""Receiving anywhere in the province, on in-memory fakes: where a procedure may be received (one rule,
`may_receive`), the province file's `receive_at` checked when it loads, and a dossier received at a
commune's desk handed to the competent agency's flow and back (docs/counter.md, Receiving anywhere)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import yaml

from motcua.config.province import ProvinceFileError, load_province
from motcua.domain.codes import DossierCode
from motcua.domain.models import Dossier, TaskState
from motcua.domain.receiving import (
    competent_agency,
    may_receive,
    one_stop_desks,
    receiving_agency,
    receiving_desks,
)
from motcua.domain.roles import Role
from motcua.domain.status import Status
from tests.conftest import DEMO_PROVINCE

if TYPE_CHECKING:
    from tests.fakes.world import World

BUSINESS, FINANCE, TAX = "2.001610", "000.00.01.H99", "000.00.20.H99"  # receive_at: any; a flow
DELEGATION, FOREIGN_AFFAIRS = "2.002151", "000.00.06.H99"  # receive_at: two wards
BIRTH = "1.001193"  # a ward's own procedure, received there only
WARD, BINH_AN, TAN_LAP = "000.01.01.H99", "000.01.02.H99", "000.01.03.H99"
MERGED_INTO_FINANCE = "000.00.07.H99"


# --- the rule -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("procedure", "desk", "allowed"),
    [
        (BIRTH, WARD, True),  # its own agency
        (BIRTH, BINH_AN, False),  # no receive_at: nowhere else
        (BUSINESS, TAN_LAP, True),  # any desk of the province
        (BUSINESS, WARD, True),
        (BUSINESS, TAX, False),  # the tax office receives no procedure: it has no one-stop desk
        (DELEGATION, WARD, True),  # listed
        (DELEGATION, BINH_AN, True),
        (DELEGATION, TAN_LAP, False),  # not listed
        (DELEGATION, FOREIGN_AFFAIRS, True),  # its own agency, listed or not
        (BUSINESS, MERGED_INTO_FINANCE, True),  # a merged desk works as its successor: Finance itself
        (DELEGATION, MERGED_INTO_FINANCE, False),  # … which is not listed for this one
        (BIRTH, "000.09.09.H99", False),  # no such agency
    ],
)
def test_where_a_procedure_may_be_received(world: World, procedure: str, desk: str, allowed: bool) -> None:
    assert may_receive(world.province, world.province.procedures_by_code[procedure], desk) is allowed


def test_the_desks_offered_are_the_agencies_at_work_the_competent_one_first(world: World) -> None:
    province = world.province
    delegation = [d.code for d in receiving_desks(province, province.procedures_by_code[DELEGATION])]
    assert delegation == [FOREIGN_AFFAIRS, WARD, BINH_AN]
    anywhere = [d.code for d in receiving_desks(province, province.procedures_by_code[BUSINESS])]
    assert anywhere[0] == FINANCE and TAN_LAP in anywhere and MERGED_INTO_FINANCE not in anywhere
    assert set(anywhere) == one_stop_desks(province) and TAX not in anywhere
    assert len(anywhere) == len({p.agency for p in province.procedures})
    assert [d.code for d in receiving_desks(province, province.procedures_by_code[BIRTH])] == [WARD]


def test_merged_agencies_resolve_to_their_successor_and_old_dossiers_read_as_before(world: World) -> None:
    old = world.file(world.citizen(), BIRTH)
    # An item written before receiving anywhere has no competent_agency: it reads as it did.
    data = old.model_dump(mode="json")
    data.pop("competent_agency")
    before = Dossier.model_validate(data)
    assert before.competent_agency is None
    assert competent_agency(world.province, before) == receiving_agency(world.province, before) == WARD
    # A dossier received at, or handed to, an agency that merged since: its successor does the work.
    merged = before.model_copy(
        update={"agency": MERGED_INTO_FINANCE, "competent_agency": MERGED_INTO_FINANCE}
    )
    assert competent_agency(world.province, merged) == receiving_agency(world.province, merged) == FINANCE


# --- the province file ----------------------------------------------------------------------------


def with_receive_at(tmp_path: Path, where: Any, procedure: str = DELEGATION) -> Path:
    data = yaml.safe_load(DEMO_PROVINCE.read_text(encoding="utf-8"))
    next(p for p in data["procedures"] if p["code"] == procedure)["receive_at"] = where
    path = tmp_path / "province.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def load_error(path: Path) -> str:
    with pytest.raises(ProvinceFileError) as raised:
        load_province(path)
    return str(raised.value)


@pytest.mark.parametrize(
    ("where", "message"),
    [
        (["000.01.09.H99"], "procedure 2.002151 may be received at unknown agency 000.01.09.H99"),
        (
            [WARD, MERGED_INTO_FINANCE],
            "procedure 2.002151 may be received at 000.00.07.H99, which was merged into 000.00.01.H99",
        ),
        ("everywhere", "procedure 2.002151: receive_at is “everywhere”; write `any` or a list"),
        (["phuong-1"], "procedure 2.002151: receive_at names “phuong-1”, not an agency code"),
        ([WARD, WARD], "procedure 2.002151: receive_at names 000.01.01.H99 more than once"),
        ([], "procedure 2.002151: receive_at lists no agency"),
    ],
)
def test_a_wrong_receive_at_names_the_procedure_and_the_code(
    tmp_path: Path, where: Any, message: str
) -> None:
    assert message in load_error(with_receive_at(tmp_path, where))


def test_both_demo_provinces_load_with_different_rules() -> None:
    demo = load_province(DEMO_PROVINCE)
    lachong = load_province(DEMO_PROVINCE.with_name("lachong-demo.yaml"))
    assert demo.procedures_by_code[BUSINESS].receive_at == "any"
    assert lachong.procedures_by_code[BUSINESS].receive_at is None
    assert lachong.procedures_by_code[BIRTH].receive_at == ("000.01.02.H98",)


# --- a flow's procedure received at a commune's desk ---------------------------------------------


def test_a_commune_desk_hands_a_flow_to_the_competent_agency_and_gets_it_back(world: World) -> None:
    citizen = world.citizen()
    request = world.filing_request(citizen, BUSINESS).model_copy(update={"desk": TAN_LAP})
    code = world.container.filing.file(citizen, request, "anywhere-flow-1").dossier.code
    assert DossierCode.parse(code).agency == TAN_LAP

    # The commune's desk accepts; the flow runs at Finance and the tax office
    world.decide(world.staff(TAN_LAP, Role.RECEIVER), f"{code}-T1", "accept")
    desk_task = world.task(code, f"{code}-T1")
    assert (desk_task.agency, desk_task.state) == (FINANCE, TaskState.WAITING)
    world.decide(world.staff(FINANCE, Role.OFFICER), f"{code}-T1.1", "approve")
    world.decide(world.staff(TAX, Role.OFFICER), f"{code}-T2.1", "approve")

    # Every agency approved: back at the commune's desk, which returns the result
    record = world.record(code)
    assert record.dossier.status is Status.PROCESSED
    desk_task = record.task(f"{code}-T1")
    assert (desk_task.agency, desk_task.state, desk_task.role) == (TAN_LAP, TaskState.OPEN, Role.RECEIVER)
    assert [(e.action, e.agency) for e in record.events if e.action is None][-1] == (None, TAN_LAP)
    world.decide(world.staff(TAN_LAP, Role.RECEIVER), f"{code}-T1", "return_result")
    assert world.record(code).dossier.status is Status.RETURNED
