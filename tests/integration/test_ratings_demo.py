"""The local stack's demo ratings (infra/devstack/ratings_demo.py), made through the services on moto:
the demo agency's page has tallies and comments on first start, and a restart adds none."""

from __future__ import annotations

from typing import Any

from infra.devstack.ratings_demo import APPLICANT, PROCEDURE, seed_ratings
from motcua.domain.models import Principal, PrincipalKind
from motcua.domain.ratings import month_of
from motcua.domain.roles import Role
from motcua.domain.status import Status


def test_the_demo_agency_has_rated_dossiers_once(container: Any, outputs: Any) -> None:
    codes = seed_ratings(container)
    again = seed_ratings(container)

    agency = container.province.procedures_by_code[PROCEDURE].agency
    month = month_of(container.clock.now())
    assert len(codes) == 4 and again == []
    assert all(container.dossiers.load(code).dossier.status is Status.RETURNED for code in codes)
    assert container.ratings.satisfaction(agency, month, month).ratings == 3
    leader = Principal(sub="l", kind=PrincipalKind.STAFF, username="l", agency=agency, role=Role.LEADER)
    view = container.ratings.for_agency(leader, agency, month, month)
    assert len(view.comments) == 2
    assert container.ratings.of_dossier(APPLICANT, codes[-1]).ratable is True
    assert container.dossiers.load(codes[0]).dossier.contacts.email == "cuong@example.vn"
