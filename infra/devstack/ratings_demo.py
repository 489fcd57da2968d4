"""The demo's ratings: a few social insurance declarations of a company's applicant, filed, decided and
returned through the services, then rated (one left unrated, to rate from its link in the outbox), so
that the agency's #/ratings page shows tallies and comments (docs/ratings.md). The applicant has no
account (the demo citizens' own lists stay as they were): the dossiers' messages go to their verified
address, and the final message's link rates without signing in."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from motcua.domain.models import Principal, PrincipalKind
from motcua.domain.ratings import RatingForm, month_of
from motcua.domain.roles import Role
from motcua.services.filing import FilingRequest
from motcua.services.inbox import Decision
from motcua.services.uploads import upload_key

if TYPE_CHECKING:
    from motcua.container import Container

PROCEDURE = "1.000058"  # a company's social insurance declaration: its agency decides alone
RATINGS = (
    {
        "overall": 5,
        "convenience": 5,
        "on_time": 5,
        "attitude": 5,
        "contacts": 1,
        "comment": "Cán bộ hướng dẫn tận tình, trả kết quả sớm.",
    },
    {"overall": 4, "convenience": 4, "on_time": 5, "attitude": 4, "contacts": 1},
    {
        "overall": 3,
        "convenience": 2,
        "on_time": 4,
        "attitude": 4,
        "contacts": 2,
        "comment": "Phải bổ sung tờ khai hai lần, nên hướng dẫn rõ hơn trên cổng.",
    },
    None,  # returned, not rated yet: the demo rates it from its link in the outbox
)


# Whom the declarations are filed by: a made-up applicant with a verified email and mobile, no account.
APPLICANT = Principal(
    sub="5e0d1a7e-0000-4000-8000-00000000c0a9",
    kind=PrincipalKind.CITIZEN,
    username="5e0d1a7e-0000-4000-8000-00000000c0a9",
    name="Lê Văn Cường",
    email="cuong@example.vn",
    email_verified=True,
    phone="+84987654321",
    phone_verified=True,
)


def seed_ratings(container: Container) -> list[str]:
    """Rated dossiers for the demo's social insurance agency, unless it has ratings already (a data
    folder keeps them); the codes of the dossiers made now."""
    from tests.examples import PDF, filing_body  # the demo province's filled-in examples

    province = container.province
    procedure = province.procedures_by_code.get(PROCEDURE)
    if procedure is None:
        return []
    agency = procedure.agency
    now = container.clock.now()
    month = month_of(now)
    first = f"{int(month[:4]) - 1}-{month[5:]}"
    if container.ratings.satisfaction(agency, first, month).ratings:
        return []
    who, sub = APPLICANT, APPLICANT.sub
    staff = {
        role: Principal(
            sub=f"demo.{role.value}",
            kind=PrincipalKind.STAFF,
            username=f"demo.{role.value}",
            name="Cán bộ",
            agency=agency,
            role=role,
        )
        for role in (Role.RECEIVER, Role.OFFICER)
    }

    def upload(content_type: str) -> str:
        upload_id = uuid.uuid4().hex
        container.store.put(upload_key(sub, upload_id), PDF, content_type=content_type)
        return upload_id

    codes = []
    for scores in RATINGS:
        body = filing_body(province, PROCEDURE, str(who.name), who.email, upload)
        code = container.filing.file(
            who, FilingRequest.model_validate(body), f"demo-rating-{uuid.uuid4()}"
        ).dossier.code
        for role, action in (
            (Role.RECEIVER, "accept"),
            (Role.OFFICER, "approve"),
            (Role.RECEIVER, "return_result"),
        ):
            container.inbox.decide(staff[role], f"{code}-T1", Decision.model_validate({"action": action}))
        if scores is not None:
            container.ratings.rate(who, code, RatingForm.model_validate(scores))
        codes.append(code)
    return codes
