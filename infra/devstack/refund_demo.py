"""The demo's refund: a business registration of An's, its fee paid in the sandbox gateway, refused by
the Department of Finance's desk; the desk (canbo.sotaichinh) refunds it from the dossier's page
(docs/payments.md, "Refunds")."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

from motcua.domain.models import Principal, PrincipalKind
from motcua.domain.payments import OrderState
from motcua.domain.roles import Role
from motcua.domain.status import Status
from motcua.services.filing import FilingRequest
from motcua.services.inbox import Decision
from motcua.services.uploads import upload_key

from .sandbox_gateway import Transaction

if TYPE_CHECKING:
    from datetime import datetime

    from motcua.container import Container

    from .accounts import DemoAccount
    from .sandbox_gateway import SandboxGateway

PROCEDURE = "2.001610"  # business registration: 100,000 VND paid at filing, returned if refused or stopped
REFUSAL = "Tên doanh nghiệp trùng với doanh nghiệp đã đăng ký"


def seed_refund(
    container: Container, accounts: list[DemoAccount], subs: dict[str, str], sandbox: SandboxGateway
) -> str | None:
    """An's refused business registration with its fee paid, unless she has one; its code.

    The sandbox keeps its transactions in memory: after a restart it is told the demo's payment again,
    so that its refund call finds it (as the real gateway would)."""
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
    for dossier in mine:
        if dossier.procedure_code == PROCEDURE and dossier.status is Status.REFUSED:
            for order, refund in container.refunds.store.orders_of(dossier.code):
                if order.state is OrderState.PAID and refund is None:
                    _remember(sandbox, order.ref, order.amount_vnd, order.transaction_no, order.confirmed_at)
            return None
    desk = Principal(
        sub="demo.refund.receiver",
        kind=PrincipalKind.STAFF,
        username="demo.receiver",
        name="Cán bộ",
        agency=procedure.agency,
        role=Role.RECEIVER,
    )

    def upload(content_type: str) -> str:
        upload_id = uuid.uuid4().hex
        container.store.put(upload_key(sub, upload_id), PDF, content_type=content_type)
        return upload_id

    body = filing_body(container.province, PROCEDURE, citizen.name, citizen.email, upload)
    code = container.filing.file(
        who, FilingRequest.model_validate(body), f"demo-refund-{uuid.uuid4()}"
    ).dossier.code
    started = container.payments.start(who, code, client_ip="127.0.0.1", language="vi")
    params = dict(parse_qsl(urlsplit(started.pay_url).query, keep_blank_values=True))

    def deliver(query: str) -> dict[str, Any]:  # the API is not listening yet: the IPN goes straight in
        answer = container.payments.notify(dict(parse_qsl(query, keep_blank_values=True)))
        return {"RspCode": answer.value, "Message": answer.message}

    sandbox.deliver = deliver
    try:
        sandbox.pay(params, "success")
    finally:
        sandbox.deliver = None
    container.inbox.decide(
        desk, f"{code}-T1", Decision.model_validate({"action": "refuse", "reason": REFUSAL})
    )
    return code


def _remember(
    sandbox: SandboxGateway, ref: str, amount_vnd: int, number: str | None, paid_at: datetime | None
) -> None:
    if ref in sandbox.transactions or not number or paid_at is None:
        return
    params = {"vnp_Amount": str(amount_vnd * 100), "vnp_TxnRef": ref, "vnp_OrderInfo": f"Demo {ref}"}
    sandbox.transactions[ref] = Transaction(params, "00", number, paid_at)
