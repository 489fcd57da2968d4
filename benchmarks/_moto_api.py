"""A helper of the benchmarks (not one itself): the Chalice app on moto in decorator mode, with the demo
province provisioned as `make dev` does, a citizen and a ward officer, and HTTP through Chalice's
test client."""

from __future__ import annotations

import json
import os
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterator

ROOT = Path(__file__).resolve().parents[1]
for folder in ("functions/api", "functions", "."):
    sys.path.insert(0, str(ROOT / folder))

from tests.examples import PDF  # noqa: E402 — a whole one-page PDF, as the upload checks want

REGION = "ap-southeast-1"
PASSWORD = "Matkhau@2026!"
BIRTH = "1.001193"  # birth registration at the ward: one required paper, no flow
WARD = "000.01.01.H99"
APPLICANT = {
    "full_name": "Nguyễn Văn An",
    "id_number": "001090012345",
    "phone": "0901234567",
    "address": "Số 1 Lê Lợi",
}


@dataclass
class MotoApi:
    client: Any  # chalice.test.Client
    container: Any
    outputs: Any
    citizen: str = ""
    officer: str = ""

    def call(
        self, method: str, path: str, *, token: str | None = None, body: Any = None, key: str | None = None
    ) -> tuple[int, Any]:
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if key:
            headers["Idempotency-Key"] = key
        sent = json.dumps(body).encode() if body is not None else b""
        response = self.client.http.request(method, path, headers=headers, body=sent)
        return response.status_code, json.loads(response.body) if response.body else None

    def ok(self, method: str, path: str, **kwargs: Any) -> Any:
        status, body = self.call(method, path, **kwargs)
        if status >= 300:
            raise RuntimeError(f"{method} {path}: {status} {str(body)[:300]}")
        return body

    def upload(self) -> str:
        """One PDF uploaded by the citizen through a presigned slot; its upload id."""
        import requests

        slot = self.ok(
            "POST",
            "/v1/uploads",
            token=self.citizen,
            body={"filename": "giay-chung-sinh.pdf", "content_type": "application/pdf", "size": len(PDF)},
        )
        requests.post(slot["url"], data=slot["fields"], files={"file": ("a.pdf", PDF)}, timeout=10)
        return str(slot["upload_id"])

    def birth_filing(self, upload_id: str) -> dict[str, Any]:
        from tests.examples import EXAMPLES

        paper = self.container.province.procedures_by_code[BIRTH].papers[0].code
        return {
            "procedure_code": BIRTH,
            "applicant": APPLICANT,
            "form": EXAMPLES[BIRTH],
            "attachments": [{"upload_id": upload_id, "paper_code": paper}],
        }


@contextmanager
def provisioned(*, execute_flows: bool = False) -> Iterator[tuple[Any, Any]]:
    """moto in decorator mode with the demo province provisioned as `make dev` does, the API's container
    on it, the citizen An and the ward's receiving officer: (container, outputs). `execute_flows`: Step
    Functions runs the flows' definitions."""
    os.environ.update(
        AWS_ACCESS_KEY_ID="bench",
        AWS_SECRET_ACCESS_KEY="bench",
        AWS_DEFAULT_REGION=REGION,
        AWS_REGION=REGION,
    )
    os.environ.pop("AWS_ENDPOINT_URL", None)
    from moto import mock_aws

    from infra.devstack.provision import create_citizen, create_staff, provision
    from motcua.adapters import clients
    from motcua.config.province import load_province
    from motcua.config.settings import Settings
    from motcua.container import build_container

    config = {"stepfunctions": {"execute_state_machine": True}} if execute_flows else None
    with mock_aws(config=config):  # type: ignore[arg-type]
        outputs = provision(
            clients=lambda name: clients.client(name, REGION),
            province=load_province(ROOT / "provinces" / "demo.yaml"),
            prefix="bench",
            region=REGION,
            cors_origins=["http://127.0.0.1:8000"],
        )
        os.environ.update(outputs.environment())
        os.environ["MOTCUA_PROVINCE_FILE"] = str(ROOT / "provinces" / "demo.yaml")
        container = build_container(Settings())  # type: ignore[call-arg]
        cognito = clients.client("cognito-idp", REGION)
        create_citizen(
            cognito,
            pool_id=outputs.citizen_pool_id,
            email="an@example.vn",
            password=PASSWORD,
            name="Nguyễn Văn An",
            phone="+84901234567",
        )
        create_staff(
            cognito,
            pool_id=outputs.staff_pool_id,
            username="canbo.phuong",
            password=PASSWORD,
            name="Cán bộ phường",
            email="canbo@example.vn",
            agency=WARD,
            role="receiver",
        )
        yield container, outputs


@contextmanager
def moto_api() -> Iterator[MotoApi]:
    """`provisioned()`, the app served by Chalice's test client, and An and the officer signed in."""
    from chalice.test import Client

    from motcua.container import use

    with provisioned() as (container, outputs):
        from app import app

        use(container)
        with Client(app) as client:
            api = MotoApi(client, container, outputs)
            api.citizen = api.ok(
                "POST", "/v1/auth/citizens/sign-in", body={"email": "an@example.vn", "password": PASSWORD}
            )["id_token"]
            api.officer = api.ok(
                "POST", "/v1/auth/staff/sign-in", body={"username": "canbo.phuong", "password": PASSWORD}
            )["id_token"]
            yield api
        use(None)
