"""The local stack's demo ratings (infra/devstack/ratings_demo.py), made through the services on moto:
the demo agency's page has tallies and comments on first start, and a restart adds none."""

from __future__ import annotations

from typing import Any

from infra.devstack.accounts import demo_accounts, ensure_accounts, user_ids
from infra.devstack.ratings_demo import PROCEDURE, seed_ratings
from motcua.adapters import clients
from motcua.domain.models import Principal, PrincipalKind
from motcua.domain.ratings import month_of
from motcua.domain.roles import Role
from motcua.domain.status import Status
from tests.conftest import REGION


def test_the_demo_agency_has_rated_dossiers_once(container: Any, outputs: Any) -> None:
    citizens = [a for a in demo_accounts(container.province) if a.pool == "citizens"]
    cognito = clients.client("cognito-idp", REGION)
    ensure_accounts(cognito, outputs, citizens)
    subs = user_ids(cognito, outputs)

    codes = seed_ratings(container, citizens, subs)
    again = seed_ratings(container, citizens, subs)

    agency = container.province.procedures_by_code[PROCEDURE].agency
    month = month_of(container.clock.now())
    assert len(codes) == 4 and again == []
    assert all(container.dossiers.load(code).dossier.status is Status.RETURNED for code in codes)
    assert container.ratings.satisfaction(agency, month, month).ratings == 3
    leader = Principal(sub="l", kind=PrincipalKind.STAFF, username="l", agency=agency, role=Role.LEADER)
    view = container.ratings.for_agency(leader, agency, month, month)
    assert len(view.comments) == 2
    owner = Principal(sub=subs[f"citizens/{citizens[0].username}"], kind=PrincipalKind.CITIZEN, username="an")
    assert container.ratings.of_dossier(owner, codes[-1]).ratable is True
