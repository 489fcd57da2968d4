"""Walk-in intake on moto, end to end: the desk files at the counter → the code of the day → the Mẫu 01
receipt on A5 → the SMS and email through the stream, the queue and the notifier → public tracking."""

from __future__ import annotations

import re
from typing import Any

from motcua.domain.status import Status
from motcua.services.documents import render
from motcua.services.intake import IntakeRequest
from tests.examples import filing_body
from tests.integration.conftest import upload
from tests.integration.test_notification_delivery import Pipe, emails, texts
from tests.integration.test_notification_delivery import pipe as pipe  # the fixture

WARD = "000.01.01.H99"  # Phường Minh Họa: receives birth registrations
BIRTH = "1.001193"
A5_POINTS = (419.53, 595.28)  # 148 × 210 mm


def intake_request(container: Any, officer: Any, *, accept: bool) -> IntakeRequest:
    body = filing_body(
        container.province, BIRTH, "Trần Văn Quầy", "quay@example.vn", lambda _: upload(container, officer)
    )
    body["applicant"] |= {"id_number": "001090012345", "phone": "0987 654 321"}
    return IntakeRequest.model_validate(body | {"accept": accept, "ticket": "A-012"})


def test_a_walk_in_gets_its_code_receipt_messages_and_tracking(
    container: Any, people: Any, pipe: Pipe
) -> None:
    desk = people.staff("canbo.phuong", WARD, "receiver")

    result = container.intake.receive(
        desk, WARD, intake_request(container, desk, accept=True), "walk-in-0001"
    )

    dossier = result.dossier
    assert re.fullmatch(rf"{re.escape(WARD)}-\d{{6}}-0001", dossier.code)
    assert dossier.status is Status.IN_PROCESS  # accepted in the same step
    stored = container.repository.get(dossier.code)
    assert stored.dossier.channel.value == "counter" and stored.dossier.ticket == "A-012"
    assert stored.dossier.received_by.username == "canbo.phuong"
    assert [e.action for e in container.repository.audit_trail(dossier.code)] == ["filed", "accept"]

    receipt = render(stored, "receipt", presenter=container.presenter, now=dossier.filed_at)
    size = re.search(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", receipt)
    assert size and (float(size.group(1)), float(size.group(2))) == A5_POINTS

    pipe.forward()
    pipe.deliver()
    # filed and accepted: the same two messages an online filer gets, to the counter's phone and email
    assert [number for number, _ in texts()] == ["+84987654321", "+84987654321"]
    assert len(emails("quay@example.vn")) == 2
    assert all(dossier.code in text for _, text in texts())

    public = container.dossiers.track(dossier.code)
    tracked = container.presenter.tracking(public.dossier, public.events, "vi")
    assert tracked.status == int(Status.IN_PROCESS)
    assert "Trần Văn Quầy" not in tracked.model_dump_json()
