"""Payment receipts on moto + the sandbox gateway: a receipt once the IPN confirmed the payment, with
the amount in figures and words, the gateway's number, the dossier and the collecting agency; for the
applicant and the agencies involved only."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

import pytest
from pypdf import PdfReader

from motcua.domain.errors import Forbidden, NotFound
from tests.integration.test_payments import (  # noqa: F401 — the module's fixtures, shared
    Fresh,
    clock,
    file_and_start,
    people,
    sandbox,
    world,
)

if TYPE_CHECKING:
    from infra.devstack.sandbox_gateway import SandboxGateway
    from motcua.container import Container


def text_of(pdf: bytes) -> str:
    return " ".join(" ".join((p.extract_text() or "").split()) for p in PdfReader(io.BytesIO(pdf)).pages)


def test_a_paid_fee_has_a_receipt_listed_on_the_dossier_and_downloadable_by_the_applicant_and_the_desk(
    sandbox: tuple[SandboxGateway, Container],  # noqa: F811 — the fixture imported above
    people: Fresh,  # noqa: F811
) -> None:
    gateway, container = sandbox
    citizen = people.citizen("an@example.vn")
    code, params = file_and_start(container, citizen)
    ref = params["vnp_TxnRef"]
    receipts = container.payment_receipts
    assert receipts.receipts(citizen, code).items == []  # not paid yet: nothing listed
    with pytest.raises(NotFound):
        receipts.receipt(citizen, ref, "vi")

    gateway.pay(params, "success")

    listed = receipts.receipts(citizen, code).items
    assert [(r.ref, r.amount_vnd, r.href) for r in listed] == [(ref, 135000, f"/v1/payments/{ref}/receipt")]
    number = gateway.transactions[ref].number
    assert listed[0].transaction_no == number
    pdf, filename = receipts.receipt(citizen, ref, "vi")
    text = text_of(pdf)
    assert filename == f"{code}-BL-{ref}.pdf"
    for part in ("BIÊN LAI THU PHÍ, LỆ PHÍ", "135.000 VND", "Một trăm ba mươi lăm nghìn đồng", number, code):
        assert part in text, part
    order = container.payments.store.order(ref)
    assert order is not None
    assert container.presenter.agency_name(order.agency, "vi") in text  # the collecting agency

    officer = people.staff("thu.ngan", order.agency)
    assert "Một trăm ba mươi lăm nghìn đồng" in text_of(receipts.receipt(officer, ref, "en")[0])


def test_a_stranger_or_another_agency_gets_no_receipt(
    sandbox: tuple[SandboxGateway, Container],  # noqa: F811 — the fixture imported above
    people: Fresh,  # noqa: F811
) -> None:
    gateway, container = sandbox
    citizen = people.citizen("an@example.vn")
    code, params = file_and_start(container, citizen)
    gateway.pay(params, "success")
    order = container.payments.store.order(params["vnp_TxnRef"])
    assert order is not None
    other = next(a for a in ("000.00.20.H99", "000.00.21.H99") if a != order.agency)
    for stranger in (people.citizen("binh@example.vn", "Trần Thị Bình"), people.staff("khac", other)):
        with pytest.raises(Forbidden):
            container.payment_receipts.receipt(stranger, params["vnp_TxnRef"], "vi")
        with pytest.raises(Forbidden):
            container.payment_receipts.receipts(stranger, code)
