"""AWS calls per payment creation and per IPN, through the API on moto (docs/payments.md).

Runs the Chalice app on moto (decorator mode) with the demo province; the sandbox gateway signs the
IPNs. Recorded, never asserted. Goals (issue 15): an IPN <= 3 calls, a payment's creation <= 2.
"""

from __future__ import annotations

import json
import sys
import uuid
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from report import record

ROOT = Path(__file__).resolve().parents[1]
for folder in ("functions/api", "functions", "."):
    sys.path.insert(0, str(ROOT / folder))

GROUP = "payments: AWS calls"
DRIVING = "3.000347"  # its fee is paid online at filing


def main() -> None:
    from _moto_api import PASSWORD, REGION, provisioned
    from chalice.test import Client

    from infra.devstack.sandbox_gateway import SandboxGateway
    from motcua.adapters import clients
    from motcua.adapters.vnpay import SecretsManagerCredentials
    from tests.integration.conftest import filing_request

    with provisioned() as (container, outputs):
        from app import app

        from chalicelib import deps
        from motcua.container import use

        deps.set_container(container)
        use(container)
        calls: Counter[str] = Counter()

        def count(model: Any, **_: Any) -> None:
            calls[f"{model.service_model.service_name}:{model.name}"] += 1

        for service in ("dynamodb", "secretsmanager", "s3", "cognito-idp"):
            clients.client(service, REGION).meta.events.register("before-call", count)
        token = container.citizens.sign_in(username="an@example.vn", password=PASSWORD)["id_token"]
        citizen = container.verifier.verify(token)
        sent: list[str] = []
        sandbox = SandboxGateway(
            credentials=SecretsManagerCredentials(
                clients.client("secretsmanager", REGION), outputs.payment_secret
            ),
            ipn_url="http://127.0.0.1:9/unused",
            deliver=lambda query: sent.append(query) or {},
        )

        def file() -> str:
            request = filing_request(container, citizen, DRIVING)
            return str(container.filing.file(citizen, request, uuid.uuid4().hex).dossier.code)

        with Client(app) as client:
            auth = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

            def measured(method: str, path: str, body: bytes = b"") -> tuple[Any, int]:
                calls.clear()
                answer = client.http.request(method, path, headers=auth, body=body)
                assert answer.status_code < 400, answer.body
                return answer, sum(n for op, n in calls.items() if not op.startswith("cognito"))

            def start(code: str) -> tuple[dict[str, str], int]:
                answer, n = measured("POST", f"/v1/dossiers/{code}/payments", b"{}")
                import json

                url = json.loads(answer.body)["pay_url"]
                return dict(parse_qsl(urlsplit(url).query, keep_blank_values=True)), n

            def ipn(query: str) -> tuple[str, int]:
                import json

                answer, n = measured("GET", f"/v1/payments/vnpay/ipn?{query}")
                return json.loads(answer.body)["RspCode"], n

            code = file()
            first, cold = start(code)  # the container's first payment reads the secret
            record(GROUP, "create a payment, first of the container (reads the secret)", cold, unit="calls")
            second, warm = start(code)
            record(GROUP, "create a payment", warm, unit="calls", goal="<= 2")
            sandbox.pay(first, "success")
            rsp, n = ipn(sent[-1])
            record(GROUP, f"IPN, paid (answer {rsp})", n, unit="calls", goal="<= 3")
            rsp, n = ipn(sent[-1])
            record(GROUP, f"IPN, sent again (answer {rsp})", n, unit="calls", goal="<= 3")
            sandbox.pay(second, "success")
            rsp, n = ipn(sent[-1])
            record(
                GROUP,
                f"IPN, a second payment of a paid fee: refund due (answer {rsp})",
                n,
                unit="calls",
                goal="<= 3",
            )
            third, _ = start(file())
            sandbox.pay(third, "cancel")
            rsp, n = ipn(sent[-1])
            record(GROUP, f"IPN, cancelled (answer {rsp})", n, unit="calls", goal="<= 3")

            # A financial obligation (status 6): asked by the ward's desk, paid, resumed by the IPN.
            staff = container.staff.sign_in(username="canbo.phuong", password=PASSWORD)["id_token"]
            desk = {"Authorization": f"Bearer {staff}", "Content-Type": "application/json"}
            asked = json.dumps(
                {
                    "amount_vnd": 350000,
                    "items": [
                        {"name": "Lệ phí", "amount_vnd": 50000},
                        {"name": "Thuế", "amount_vnd": 300000},
                    ],
                    "reason": "Nghĩa vụ tài chính",
                }
            ).encode()

            def as_desk(method: str, path: str, body: bytes = b"{}") -> int:
                calls.clear()
                answer = client.http.request(method, path, headers=desk, body=body)
                assert answer.status_code < 400, answer.body
                return sum(n for op, n in calls.items() if not op.startswith("cognito"))

            def obligation(code: str) -> tuple[dict[str, str], int]:
                answer, n = measured("POST", f"/v1/dossiers/{code}/obligation/payments", b"{}")
                url = json.loads(answer.body)["pay_url"]
                return dict(parse_qsl(urlsplit(url).query, keep_blank_values=True)), n

            def in_process() -> str:
                code = str(
                    container.filing.file(
                        citizen, filing_request(container, citizen), uuid.uuid4().hex
                    ).dossier.code
                )
                as_desk("POST", f"/v1/tasks/{code}-T1/decision", b'{"action": "accept"}')
                return code

            code = in_process()
            n = as_desk("POST", f"/v1/tasks/{code}-T1/obligation", asked)
            record(GROUP, "ask for a financial obligation (status 6)", n, unit="calls")
            params, n = obligation(code)
            record(GROUP, "create a payment of an obligation", n, unit="calls", goal="<= 2")
            sandbox.pay(params, "success")
            rsp, n = ipn(sent[-1])
            record(
                GROUP,
                f"IPN, an obligation paid: the dossier resumes (answer {rsp})",
                n,
                unit="calls",
                goal="<= 3",
            )
            rsp, n = ipn(sent[-1])
            record(GROUP, f"IPN, an obligation's sent again (answer {rsp})", n, unit="calls", goal="<= 3")
            code = in_process()
            as_desk("POST", f"/v1/tasks/{code}-T1/obligation", asked)
            params, _ = obligation(code)
            n = as_desk("POST", f"/v1/tasks/{code}-T1/obligation/cancel")
            record(GROUP, "cancel a financial obligation: the dossier resumes", n, unit="calls")
            sandbox.pay(params, "success")
            rsp, n = ipn(sent[-1])
            record(GROUP, f"IPN after a cancel: refund due (answer {rsp})", n, unit="calls", goal="<= 3")

            refunds(container, client, sandbox, measured, ipn, start, file, sent)


def refunds(
    container: Any, client: Any, sandbox: Any, measured: Any, ipn: Any, start: Any, file: Any, sent: Any
) -> None:
    """AWS calls per refund (docs/payments.md, "Refunds"): a refused dossier's fee refunded by the desk,
    the refund call answered by the sandbox's merchant API; a gateway failure, then its retry."""
    from _moto_api import PASSWORD

    from infra.devstack.provision import create_staff
    from motcua.adapters import clients

    container.payments._gateway()._post = lambda url, body: sandbox.api(body)
    create_staff(
        clients.client("cognito-idp", container.settings.region),
        pool_id=container.settings.staff_pool_id,
        username="canbo.congan",
        password=PASSWORD,
        name="Cán bộ công an",
        email="canbo.congan@example.vn",
        agency="000.00.21.H99",  # the police: driving licences
        role="receiver",
    )
    staff = container.staff.sign_in(username="canbo.congan", password=PASSWORD)["id_token"]
    desk = {"Authorization": f"Bearer {staff}", "Content-Type": "application/json"}
    calls: Counter[str] = Counter()

    def count(model: Any, **_: Any) -> None:
        calls[f"{model.service_model.service_name}:{model.name}"] += 1

    clients.client("dynamodb", container.settings.region).meta.events.register("before-call", count)

    def as_desk(method: str, path: str, body: bytes = b"{}") -> tuple[Any, int]:
        calls.clear()
        answer = client.http.request(method, path, headers=desk, body=body)
        assert answer.status_code < 400, answer.body
        return json.loads(answer.body), sum(calls.values())

    def refused_and_paid() -> str:
        code = file()
        params, _ = start(code)
        sandbox.pay(params, "success")
        ipn(sent[-1])
        refusal = json.dumps({"action": "refuse", "reason": "Thiếu giấy khám sức khỏe"}).encode()
        as_desk("POST", f"/v1/tasks/{code}-T1/decision", refusal)
        return params["vnp_TxnRef"]

    why = json.dumps({"reason": "Hồ sơ không được tiếp nhận"}).encode()
    ref = refused_and_paid()
    done, n = as_desk("POST", f"/v1/payments/{ref}/refund", why)
    record(
        GROUP, f"refund a refused dossier's fee ({done['refund']['state']}), citizen told", n, unit="calls"
    )
    ref = refused_and_paid()
    sandbox.refund_failures.append("99")
    failed, n = as_desk("POST", f"/v1/payments/{ref}/refund", why)
    record(GROUP, f"refund refused by the gateway ({failed['refund']['state']})", n, unit="calls")
    again, n = as_desk("POST", f"/v1/payments/{ref}/refund", why)
    record(GROUP, f"refund tried again ({again['refund']['state']}, querydr first)", n, unit="calls")
    code = container.refunds.store.order_with_refund(ref)[0].dossier
    _, n = as_desk("GET", f"/v1/dossiers/{code}/payments")
    record(GROUP, "a dossier's payments and refunds", n, unit="calls")


if __name__ == "__main__":
    main()
