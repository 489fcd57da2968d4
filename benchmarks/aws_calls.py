"""AWS calls per API operation, counted with a botocore event hook while requests go through the API.

Runs the Chalice app on moto (decorator mode) with the demo province. Recorded, never asserted.
Goals (issue 2): filing <= 3, tracking 1, inbox page 1, no Scan on any request path.
"""

from __future__ import annotations

import json
import os
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from report import record

ROOT = Path(__file__).resolve().parents[1]
for folder in ("functions/api", "functions", "."):
    sys.path.insert(0, str(ROOT / folder))

REGION = "ap-southeast-1"
os.environ.update(
    AWS_ACCESS_KEY_ID="bench",
    AWS_SECRET_ACCESS_KEY="bench",
    AWS_DEFAULT_REGION=REGION,
    AWS_REGION=REGION,
)
os.environ.pop("AWS_ENDPOINT_URL", None)

from tests.examples import PDF  # noqa: E402 — a whole one-page PDF, as the upload check wants

PASSWORD = "Matkhau@2026!"
GOALS = {
    "file a dossier (1 file)": "<= 3",
    "walk-in intake (1 file)": "= online filing",  # the same check, copy and transaction
    "tracking": "1",
    "inbox page": "1",
    # A hand-over is part of its decision: no call more than a decision at one agency.
    "anywhere: decision (accept, hands over to the competent agency)": "= decision (accept)",
    "anywhere: decision (approve, hands back to the desk)": "= decision (accept)",
}
BIRTH = "1.001193"  # one required paper
BUSINESS = "2.001610"  # a flow: Finance, then the tax office
FINANCE = "000.00.01.H99"
WARD = "000.01.01.H99"
DELEGATION = "2.002151"  # the Department of Foreign Affairs', received at the ward's desk too
DEPARTMENT = "000.00.06.H99"


class Calls:
    def __init__(self) -> None:
        self.current: Counter[str] = Counter()

    def __call__(self, model: Any, **_: Any) -> None:
        self.current[f"{model.service_model.service_name}:{model.name}"] += 1

    def take(self) -> Counter[str]:
        taken, self.current = self.current, Counter()
        self.kept: Counter[str] = Counter()
        return taken

    def take_where(self, keep: Any) -> None:
        """Move what was counted into `kept`, keeping only the operations `keep` accepts."""
        taken, self.current = self.current, Counter()
        self.kept.update({op: n for op, n in taken.items() if keep(op)})


def task_open(container: Any, task_id: str) -> bool:
    record = container.repository.get(task_id.rsplit("-T", 1)[0])
    found = record.task(task_id) if record else None
    return bool(found and found.token and found.state.value == "open")


def route_until(container: Any, calls: Calls, done: Any) -> dict[str, int]:
    """Deliver routing messages as Lambda's trigger would; the calls the handler made per message."""
    import time

    from infra.devstack.queues import poll_once
    from motcua.adapters import clients
    from routing.app import handler

    sqs = clients.client("sqs", REGION)
    calls.take()
    handled, deadline = 0, time.monotonic() + 15
    while time.monotonic() < deadline:
        handled += poll_once(sqs, container.settings.routing_queue_url, handler)
        calls.take_where(lambda op: not op.startswith("sqs:"))
        if handled and done():
            break
        time.sleep(0.05)
    # The checks above read the table too: count the handler's own calls, per message.
    return {op: round(n / max(handled, 1)) for op, n in calls.kept.items()}


def main() -> None:  # noqa: PLR0915 — a script that reads top to bottom
    import requests
    from _moto_api import provisioned
    from chalice.test import Client

    from infra.devstack.provision import create_staff
    from motcua.adapters import clients
    from tests.examples import EXAMPLES

    with provisioned(execute_flows=True) as (container, outputs):
        cognito = clients.client("cognito-idp", REGION)
        from app import app

        from chalicelib import deps

        deps.set_container(container)
        calls = Calls()
        create_staff(
            cognito,
            pool_id=outputs.staff_pool_id,
            username="tiepnhan.taichinh",
            password=PASSWORD,
            name="Cán bộ một cửa Sở Tài chính",
            email="tiepnhan@example.vn",
            agency=FINANCE,
            role="leader",  # accepts at the desk and decides Finance's step: a leader may do both
        )
        from motcua.container import use

        use(container)
        for service in ("dynamodb", "s3", "cognito-idp", "stepfunctions"):
            clients.client(service, REGION).meta.events.register("before-call", calls)

        results: dict[str, dict[str, int]] = {}
        with Client(app) as client:

            def call(
                name: str,
                method: str,
                path: str,
                *,
                token: str | None = None,
                body: Any = None,
                headers: dict[str, str] | None = None,
            ) -> Any:
                sent = {"Content-Type": "application/json"} | (headers or {})
                if token:
                    sent["Authorization"] = f"Bearer {token}"
                calls.take()
                response = client.http.request(
                    method, path, headers=sent, body=json.dumps(body).encode() if body is not None else b""
                )
                assert response.status_code < 300, (name, response.status_code, response.body[:300])
                results[name] = dict(calls.take())
                return json.loads(response.body)

            citizen = call(
                "sign in (citizen)",
                "POST",
                "/v1/auth/citizens/sign-in",
                body={"email": "an@example.vn", "password": PASSWORD},
            )["id_token"]
            officer = call(
                "sign in (staff)",
                "POST",
                "/v1/auth/staff/sign-in",
                body={"username": "canbo.phuong", "password": PASSWORD},
            )["id_token"]
            call("procedure search", "GET", "/v1/procedures?q=khai%20sinh")
            slot = call(
                "upload slot",
                "POST",
                "/v1/uploads",
                token=citizen,
                body={"filename": "giay-chung-sinh.pdf", "content_type": "application/pdf", "size": len(PDF)},
            )
            requests.post(slot["url"], data=slot["fields"], files={"file": ("a.pdf", PDF)}, timeout=10)
            paper = container.province.procedures_by_code[BIRTH].papers[0].code
            filing = {
                "procedure_code": BIRTH,
                "applicant": {
                    "full_name": "Nguyễn Văn An",
                    "id_number": "001090012345",
                    "phone": "0901234567",
                    "address": "Số 1 Lê Lợi",
                },
                "form": EXAMPLES[BIRTH],
                "attachments": [{"upload_id": slot["upload_id"], "paper_code": paper}],
            }
            code = call(
                "file a dossier (1 file)",
                "POST",
                "/v1/dossiers",
                token=citizen,
                body=filing,
                headers={"Idempotency-Key": "bench-key-0001"},
            )["code"]
            call(
                "retry the same filing",
                "POST",
                "/v1/dossiers",
                token=citizen,
                body=filing,
                headers={"Idempotency-Key": "bench-key-0001"},
            )
            call("tracking", "GET", f"/v1/tracking/{code}")
            call("whole dossier (owner)", "GET", f"/v1/dossiers/{code}", token=citizen)
            call("my dossiers page", "GET", "/v1/me/dossiers?limit=20", token=citizen)
            call("inbox page", "GET", f"/v1/agencies/{WARD}/tasks?limit=20", token=officer)
            call("open a task", "GET", f"/v1/tasks/{code}-T1", token=officer)
            call(
                "decision (accept)",
                "POST",
                f"/v1/tasks/{code}-T1/decision",
                token=officer,
                body={"action": "accept"},
            )

            # A walk-in at the ward's counter: the desk uploads the scanned paper and files, then a
            # second walk-in accepted in the same step (docs/counter.md).
            for accept, key in ((False, "bench-intake-0001"), (True, "bench-intake-0002")):
                slot = call(
                    "upload slot (counter)",
                    "POST",
                    "/v1/uploads",
                    token=officer,
                    body={
                        "filename": "giay-chung-sinh.pdf",
                        "content_type": "application/pdf",
                        "size": len(PDF),
                    },
                )
                requests.post(slot["url"], data=slot["fields"], files={"file": ("a.pdf", PDF)}, timeout=10)
                intake = filing | {
                    "attachments": [{"upload_id": slot["upload_id"], "paper_code": paper}],
                    "accept": accept,
                    "ticket": "A-001",
                }
                call(
                    "walk-in intake, accepted at once (1 file)" if accept else "walk-in intake (1 file)",
                    "POST",
                    f"/v1/agencies/{WARD}/intake",
                    token=officer,
                    body=intake,
                    headers={"Idempotency-Key": key},
                )
            # Receiving anywhere: the Department of Foreign Affairs' procedure handed in at the ward's
            # desk; the hand-over (accept) and the hand-back (approve) are part of their decisions.
            create_staff(
                cognito,
                pool_id=outputs.staff_pool_id,
                username="xuly.ngoaivu",
                password=PASSWORD,
                name="Chuyên viên Sở Ngoại vụ",
                email="xuly.ngoaivu@example.vn",
                agency=DEPARTMENT,
                role="officer",
            )
            department = call(
                "sign in (staff)",
                "POST",
                "/v1/auth/staff/sign-in",
                body={"username": "xuly.ngoaivu", "password": PASSWORD},
            )["id_token"]
            delegation_papers = [p.code for p in container.province.procedures_by_code[DELEGATION].papers]
            delegation_uploads = []
            for name in delegation_papers:
                slot = call(
                    "upload slot",
                    "POST",
                    "/v1/uploads",
                    token=citizen,
                    body={"filename": f"{name}.pdf", "content_type": "application/pdf", "size": len(PDF)},
                )
                requests.post(slot["url"], data=slot["fields"], files={"file": ("a.pdf", PDF)}, timeout=10)
                delegation_uploads.append(slot["upload_id"])
            elsewhere = filing | {
                "procedure_code": DELEGATION,
                "form": EXAMPLES[DELEGATION],
                "attachments": [
                    {"upload_id": u, "paper_code": p}
                    for u, p in zip(delegation_uploads, delegation_papers, strict=True)
                ],
                "desk": WARD,
            }
            anywhere_code = call(
                "anywhere: file at another agency's desk (3 files)",
                "POST",
                "/v1/dossiers",
                token=citizen,
                body=elsewhere,
                headers={"Idempotency-Key": "bench-key-anywhere"},
            )["code"]
            call(
                "anywhere: decision (accept, hands over to the competent agency)",
                "POST",
                f"/v1/tasks/{anywhere_code}-T1/decision",
                token=officer,
                body={"action": "accept"},
            )
            call(
                "anywhere: decision (approve, hands back to the desk)",
                "POST",
                f"/v1/tasks/{anywhere_code}-T1/decision",
                token=department,
                body={"action": "approve"},
            )
            call(
                "anywhere: decision (return the result at the desk)",
                "POST",
                f"/v1/tasks/{anywhere_code}-T1/decision",
                token=officer,
                body={"action": "return_result"},
            )

            # An inter-agency flow: business registration, Finance then the tax office.
            desk = call(
                "sign in (staff)",
                "POST",
                "/v1/auth/staff/sign-in",
                body={"username": "tiepnhan.taichinh", "password": PASSWORD},
            )["id_token"]
            uploads = []
            for name in ("de-nghi.pdf", "can-cuoc.pdf"):
                slot = call(
                    "upload slot",
                    "POST",
                    "/v1/uploads",
                    token=citizen,
                    body={"filename": name, "content_type": "application/pdf", "size": len(PDF)},
                )
                requests.post(slot["url"], data=slot["fields"], files={"file": (name, PDF)}, timeout=10)
                uploads.append(slot["upload_id"])
            papers = [p.code for p in container.province.procedures_by_code[BUSINESS].papers if p.required]
            business = filing | {
                "procedure_code": BUSINESS,
                "form": EXAMPLES[BUSINESS],
                "attachments": [
                    {"upload_id": u, "paper_code": p} for u, p in zip(uploads, papers, strict=True)
                ],
            }
            flow_code = call(
                "file a dossier (2 files)",
                "POST",
                "/v1/dossiers",
                token=citizen,
                body=business,
                headers={"Idempotency-Key": "bench-key-0002"},
            )["code"]
            call(
                "decision (accept, starts the flow)",
                "POST",
                f"/v1/tasks/{flow_code}-T1/decision",
                token=desk,
                body={"action": "accept"},
            )
            routed = route_until(container, calls, lambda: task_open(container, f"{flow_code}-T1.1"))
            results["routing: a step starts (per message)"] = routed
            call(
                "decision on a step (approve)",
                "POST",
                f"/v1/tasks/{flow_code}-T1.1/decision",
                token=desk,
                body={"action": "approve"},
            )
            results["routing: next step starts (per message)"] = route_until(
                container, calls, lambda: task_open(container, f"{flow_code}-T2.1")
            )

        scans = sum(n for counts in results.values() for op, n in counts.items() if op.endswith(":Scan"))
        # Cognito's public keys are fetched once per container over HTTPS, outside botocore: not counted.
        for name, counts in results.items():
            detail = ", ".join(f"{op} x{n}" for op, n in sorted(counts.items()))
            figure = f"{name}: {detail}" if detail else name
            record("AWS calls", figure, sum(counts.values()), unit="calls", goal=GOALS.get(name, ""))
        record("AWS calls", "Scan calls on request paths", scans, goal="0")


if __name__ == "__main__":
    main()
