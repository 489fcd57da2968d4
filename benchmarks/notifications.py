"""Notification fan-out per status change, and what one change costs the notifier in AWS calls and time.

A birth registration at a ward walks filed → accepted → approved → returned (four changes the citizen
hears about) on moto in decorator mode, with the demo province; the table's stream goes through the
local pipe (the filter the CDK app gives EventBridge Pipes) into the notify queue, whose batches are
handed to the notify Lambda's handler. Printed, never asserted.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

from report import record

ROOT = Path(__file__).resolve().parents[1]
for folder in ("functions/api", "functions", "layers", "."):
    sys.path.insert(0, str(ROOT / folder))

REGION = "ap-southeast-1"
os.environ.update(
    AWS_ACCESS_KEY_ID="bench",
    AWS_SECRET_ACCESS_KEY="bench",
    AWS_DEFAULT_REGION=REGION,
    AWS_REGION=REGION,
    AWS_ACCOUNT_ID_ENDPOINT_MODE="disabled",
)
os.environ.pop("AWS_ENDPOINT_URL", None)

DOSSIERS = int(os.environ.get("DOSSIERS", "10"))
WARD = "000.01.01.H99"


def main() -> None:
    from moto import mock_aws

    from motcua.adapters import clients

    clients.reset()
    with mock_aws():
        run()


def run() -> None:
    from notify.app import handler

    from infra.devstack.provision import create_citizen, create_staff, provision
    from infra.devstack.queues import poll_once
    from infra.devstack.streams import StreamForwarder, api_reader
    from motcua.adapters import clients
    from motcua.config.province import load_province
    from motcua.config.settings import Settings
    from motcua.container import build_container, use
    from motcua.resources import NOTIFY_PATTERN
    from motcua.services.inbox import Decision
    from tests.integration.conftest import filing_request

    province_file = ROOT / "provinces" / "demo.yaml"
    outputs = provision(
        clients=lambda name: clients.client(name, REGION),
        province=load_province(province_file),
        prefix="bench",
        region=REGION,
        cors_origins=["http://127.0.0.1:8000"],
        signing=False,
    )
    os.environ.update(outputs.environment() | {"MOTCUA_PROVINCE_FILE": str(province_file)})
    container = build_container(Settings())  # type: ignore[call-arg]
    use(container)
    cognito = clients.client("cognito-idp", REGION)
    create_citizen(
        cognito,
        pool_id=outputs.citizen_pool_id,
        email="an@example.vn",
        password="Matkhau@2026!",
        name="Nguyễn Văn An",
        phone="+84901234567",
    )
    create_staff(
        cognito,
        pool_id=outputs.staff_pool_id,
        username="canbo.phuong",
        password="Matkhau@2026!",
        name="Cán bộ phường",
        email="canbo@example.vn",
        agency=WARD,
        role="leader",  # accepts, approves and returns: a leader may do what the desk and an officer do
    )
    citizen = container.verifier.verify(
        container.citizens.sign_in(username="an@example.vn", password="Matkhau@2026!")["id_token"]
    )
    officer = container.verifier.verify(
        container.staff.sign_in(username="canbo.phuong", password="Matkhau@2026!")["id_token"]
    )
    sqs = clients.client("sqs", REGION)
    pipe = StreamForwarder(
        api_reader(clients.client("dynamodbstreams", REGION), outputs.table_stream_arn),
        sqs,
        outputs.notify_queue_url,
        NOTIFY_PATTERN,
    )

    # Count what the notifier does: its own clients only (the pipe and the poller are AWS's part).
    calls: Counter[str] = Counter()
    for service in ("dynamodb", "ses", "sns"):
        clients.client(service, REGION).meta.events.register(
            "before-call",
            lambda model, **_: calls.update([f"{model.service_model.service_name}:{model.name}"]),
        )

    changes = 0
    for n in range(DOSSIERS):
        code = container.filing.file(
            citizen, filing_request(container, citizen), f"bench-key-{n:04d}"
        ).dossier.code
        for action in ("accept", "approve", "return_result"):
            container.inbox.decide(officer, f"{code}-T1", Decision(action=action))
        changes += 4

    read_before = pipe.position
    while pipe.forward_once():
        pass
    records = pipe.position - read_before
    calls.clear()
    seconds: list[float] = []
    while True:
        started = time.perf_counter()
        handled = poll_once(sqs, outputs.notify_queue_url, handler)
        if not handled:
            break
        seconds.append((time.perf_counter() - started) / handled)

    from moto.ses.models import ses_backends
    from moto.sns.models import sns_backends

    emails = len(ses_backends["123456789012"][REGION].sent_messages)
    sms = len(sns_backends["123456789012"][REGION].sms_messages)
    forwarded = pipe.forwarded
    group = "notifier"
    record(group, f"status changes heard of ({DOSSIERS} birth registrations)", changes)
    record(group, "stream records written", records)
    record(group, "stream records through the pipe's filter", forwarded)
    record(group, "share of the stream forwarded", round(forwarded / records, 2))
    record(group, "messages per status change", round((emails + sms) / changes, 2))
    record(group, "emails", emails)
    record(group, "SMS", sms)
    notifier = {op: n / forwarded for op, n in sorted(calls.items()) if not op.startswith("sqs")}
    for operation, per_change in notifier.items():
        record(group, f"{operation} per status change", round(per_change, 2), unit="calls")
    record(group, "AWS calls per status change", round(sum(notifier.values()), 2), unit="calls")
    record(
        group, "time per status change (moto), median", round(statistics.median(seconds) * 1000, 1), unit="ms"
    )


if __name__ == "__main__":
    main()
