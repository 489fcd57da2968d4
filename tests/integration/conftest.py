"""Helpers for integration tests on moto: signed-in people, uploaded files, filled-in requests."""

from __future__ import annotations

from typing import Any

import pytest

from infra.devstack.provision import create_citizen, create_staff
from motcua.adapters import clients
from motcua.domain.models import Principal
from motcua.services.filing import FilingRequest
from motcua.services.uploads import UploadRequest
from tests.conftest import REGION
from tests.examples import PASSWORD, PDF, PNG, filing_body, post_to_slot

BIRTH = "1.001193"  # birth registration, received by a ward, one working day


class People:
    def __init__(self, container: Any, outputs: Any) -> None:
        self.container = container
        self.outputs = outputs
        self.cognito = clients.client("cognito-idp", REGION)

    def citizen(
        self,
        email: str,
        name: str = "Nguyễn Văn An",
        *,
        phone: str = "+84901234567",
        email_verified: bool = True,
        phone_verified: bool = True,
    ) -> Principal:
        create_citizen(
            self.cognito,
            pool_id=self.outputs.citizen_pool_id,
            email=email,
            password=PASSWORD,
            name=name,
            phone=phone,
            email_verified=email_verified,
            phone_verified=phone_verified,
        )
        tokens = self.container.citizens.sign_in(username=email, password=PASSWORD)
        return self.container.verifier.verify(tokens["id_token"])

    def staff(self, username: str, agency: str, role: str = "officer") -> Principal:
        create_staff(
            self.cognito,
            pool_id=self.outputs.staff_pool_id,
            username=username,
            password=PASSWORD,
            name=f"Cán bộ {username}",
            email=f"{username}@minhhoa.example.gov.vn",
            agency=agency,
            role=role,
        )
        tokens = self.container.staff.sign_in(username=username, password=PASSWORD)
        return self.container.verifier.verify(tokens["id_token"])


@pytest.fixture
def people(container: Any, outputs: Any) -> People:
    return People(container, outputs)


def upload(
    container: Any,
    principal: Principal,
    content: bytes = PDF,
    *,
    content_type: str = "application/pdf",
    filename: str = "giấy tờ.pdf",
) -> str:
    """Ask a slot and POST the file to it, as a browser would; returns the upload id."""
    slot = container.uploads.create_slot(
        principal, UploadRequest(filename=filename, content_type=content_type, size=max(len(content), 1))
    )
    post_to_slot(slot.url, slot.fields, filename, content)
    return slot.upload_id


def filing_request(container: Any, principal: Principal, procedure_code: str = BIRTH) -> FilingRequest:
    """A complete, valid request: one uploaded file for every required paper."""

    def send(content_type: str) -> str:
        if content_type == "application/pdf":
            return upload(container, principal)
        return upload(container, principal, PNG, content_type="image/png", filename="ảnh.png")

    name = principal.name or "Nguyễn Văn An"
    return FilingRequest.model_validate(
        filing_body(container.province, procedure_code, name, principal.email, send)
    )
