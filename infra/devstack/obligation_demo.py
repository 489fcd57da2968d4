"""The demo's financial obligation (status 6): a birth registration of An's, accepted by the ward's desk,
for which the ward's officer asked a registration fee and a tax; An pays it in the sandbox gateway and
the dossier goes back to processing by itself (docs/payments.md)."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from motcua.domain.models import Principal, PrincipalKind
from motcua.domain.obligations import ObligationRequest
from motcua.domain.roles import Role
from motcua.services.filing import FilingRequest
from motcua.services.inbox import Decision
from motcua.services.uploads import upload_key

if TYPE_CHECKING:
    from motcua.container import Container

    from .accounts import DemoAccount

PROCEDURE = "1.001193"  # birth registration: the ward decides alone
ASKED = {
    "amount_vnd": 350000,
    "items": [
        {"name": "Lệ phí đăng ký", "amount_vnd": 50000},
        {"name": "Thuế thu nhập cá nhân", "amount_vnd": 300000},
    ],
    "reason": "Nghĩa vụ tài chính xác định trong quá trình giải quyết hồ sơ",
}


def seed_obligation(container: Container, accounts: list[DemoAccount], subs: dict[str, str]) -> str | None:
    """An's dossier waiting for its financial obligation, unless she has one already; its code."""
    from tests.examples import PDF, filing_body  # the demo province's filled-in examples

    citizen = next((a for a in accounts if a.pool == "citizens"), None)
    sub = subs.get(f"citizens/{citizen.username}") if citizen else None
    procedure = container.province.procedures_by_code.get(PROCEDURE)
    if citizen is None or sub is None or procedure is None or container.province.payments is None:
        return None
    who = Principal(
        sub=sub,
        kind=PrincipalKind.CITIZEN,
        username=citizen.username,
        name=citizen.name,
        email=citizen.email,
        email_verified=True,
        phone=citizen.phone,
        phone_verified=citizen.phone is not None,
    )
    mine = container.dossiers.mine(who, limit=100, token=None).items
    if any(d.obligation is not None for d in mine):
        return None
    agency = procedure.agency
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

    body = filing_body(container.province, PROCEDURE, citizen.name, citizen.email, upload)
    code = container.filing.file(
        who, FilingRequest.model_validate(body), f"demo-obligation-{uuid.uuid4()}"
    ).dossier.code
    container.inbox.decide(staff[Role.RECEIVER], f"{code}-T1", Decision.model_validate({"action": "accept"}))
    container.obligations.request(staff[Role.OFFICER], f"{code}-T1", ObligationRequest.model_validate(ASKED))
    return code
