"""No personal data in logs, metrics or the flows' state machines (Decree 13/2023, docs/privacy.md).

A whole journey runs on the fakes through the API and the Lambdas' own handlers (routing, notify,
sweep), with an applicant whose name, CCCD number, phone, email and address are distinctive. Every log
record of every logger (at DEBUG, with its extra keys and any traceback), everything the handlers
write to stdout and stderr (metrics included) and everything the flows' state machines are given or
send (execution inputs, task answers and failures, the messages on the routing queue) is searched for
each value: none may appear.
"""

from __future__ import annotations

import json
import logging
import unicodedata
from datetime import datetime
from typing import TYPE_CHECKING, Any

import pytest

from motcua import container as composition
from motcua.domain.calendar import VIETNAM_TZ
from motcua.domain.models import TaskKind, TaskState
from motcua.domain.roles import Role
from motcua.observability import logger as powertools_logger
from tests.examples import PDF, PNG, filing_body
from tests.fakes.identity import CONFIRMATION_CODE, InMemoryIdentityProvider

if TYPE_CHECKING:
    from collections.abc import Iterator

    from tests.fakes.world import Api, World

BUSINESS, FINANCE, TAX = "2.001610", "000.00.01.H99", "000.00.20.H99"  # Finance, then the tax office
NAME = "Trịnh Thị Xuyến Khuê"
CCCD = "079305004417"
PHONE = "0912 468 357"
PHONE_E164 = "+84912468357"
EMAIL = "xuyenkhue.trinh@example.vn"
ADDRESS = "Số 93 ngõ Thanh Lương Tây, phường Minh Họa"
PASSWORD = "Khue@Matkhau2026"


def needles() -> list[str]:
    """Each value, and the shapes it may take on the way (no accents, digits only, E.164)."""
    values = [NAME, CCCD, PHONE, PHONE_E164, PHONE.replace(" ", ""), EMAIL, ADDRESS, "Xuyến Khuê"]
    folded = [_ascii(v) for v in values]
    return sorted({v.lower() for v in values + folded} | {"912468357", "thanh luong tay"})


def _ascii(text: str) -> str:
    text = text.replace("đ", "d").replace("Đ", "D")
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


class Everything(logging.Handler):
    """Keeps every record of every logger: its message, all its attributes (the extra keys) and its
    traceback, as any formatter could print them."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage() + " " + json.dumps(record.__dict__, default=str, ensure_ascii=False)
        if record.exc_info:
            text += logging.Formatter().formatException(record.exc_info)
        self.lines.append(text)


@pytest.fixture
def logs(monkeypatch: pytest.MonkeyPatch) -> Iterator[Everything]:
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "false")  # the metrics are written too
    handler = Everything()
    loggers = [logging.getLogger(), powertools_logger._logger]  # noqa: SLF001 — its own stdlib logger
    loggers += [logging.getLogger(name) for name in list(logging.root.manager.loggerDict)]
    before = [(lg, lg.level, lg.disabled) for lg in loggers]
    for lg in loggers:
        lg.addHandler(handler)
        lg.setLevel(logging.DEBUG)
        lg.disabled = False
    try:
        yield handler
    finally:
        for lg, level, disabled in before:
            lg.removeHandler(handler)
            lg.setLevel(level)
            lg.disabled = disabled


class Flows:
    """What the flows' state machines are given and send, as Step Functions' history would hold it."""

    def __init__(self, world: World) -> None:
        self.seen: list[str] = []
        flows = world.flows
        start, succeed, fail = flows.start, flows.succeed, flows.fail

        def started(procedure_code: str, dossier_code: str, **kwargs: Any) -> None:
            self.seen.append(json.dumps([procedure_code, dossier_code, kwargs], default=str))
            start(procedure_code, dossier_code, **kwargs)

        def succeeded(token: str, output: dict[str, Any]) -> bool:
            self.seen.append(json.dumps([token, output]))
            return succeed(token, output)

        def failed(token: str, error: str, cause: str) -> bool:
            self.seen.append(json.dumps([token, error, cause], ensure_ascii=False))
            return fail(token, error, cause)

        flows.start, flows.succeed, flows.fail = started, succeeded, failed  # type: ignore[method-assign]


class Context:
    """A Lambda context, as the runtime gives one to a handler."""

    function_name = "motcua-test"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:ap-southeast-1:000000000000:function:motcua-test"
    aws_request_id = "00000000-0000-0000-0000-000000000000"

    @staticmethod
    def get_remaining_time_in_millis() -> int:
        return 60_000


class Once:
    """The notifier's once-only store as the notify handler registers its context with it."""

    def register(self, context: object) -> None:
        del context


class Lambdas:
    """The routing and notify Lambdas' own handlers, given what SQS would give them."""

    def __init__(self, world: World, flows: Flows) -> None:
        self.world = world
        self.flows = flows
        self.delivered = 0

    def route(self) -> None:
        """The routing handler takes what the state machines put on the queue."""
        from routing.app import handler

        while self.world.flows.messages:
            body = json.dumps(self.world.flows.messages.popleft())
            self.flows.seen.append(body)
            answer = handler(sqs([body]), Context())
            assert answer == {"batchItemFailures": []}, answer

    def notify(self) -> None:
        """The notify handler takes what the table's stream would bring it."""
        from notify.app import handler

        notified = self.world.repository.notified
        records = [
            json.dumps(
                {
                    "eventName": "INSERT",
                    "dynamodb": {
                        "NewImage": {
                            "PK": {"S": f"D#{code}"},
                            "type": {"S": "audit"},
                            "data": {"S": entry.model_dump_json()},
                            "notify": {"S": event.value},
                        }
                    },
                }
            )
            for code, entry, event in notified[self.delivered :]
        ]
        self.delivered = len(notified)
        if records:
            assert handler(sqs(records), Context()) == {"batchItemFailures": []}


def sqs(bodies: list[str]) -> dict[str, Any]:
    return {
        "Records": [
            {
                "messageId": f"m{i}",
                "receiptHandle": f"r{i}",
                "body": body,
                "attributes": {},
                "messageAttributes": {},
                "eventSource": "aws:sqs",
                "eventSourceARN": "arn:aws:sqs:ap-southeast-1:000000000000:q",
                "awsRegion": "ap-southeast-1",
            }
            for i, body in enumerate(bodies)
        ]
    }


def test_a_whole_journey_writes_no_personal_data_to_logs_metrics_or_the_flows(
    world: World, logs: Everything, capfd: pytest.CaptureFixture[str]
) -> None:
    from sweep.app import handler as sweep_handler

    flows = Flows(world)
    identity = InMemoryIdentityProvider(world.verifier)
    world.container.__dict__["citizens"] = identity
    world.container.__dict__["once"] = Once()
    composition.use(world.container)
    lambdas = Lambdas(world, flows)
    route, notify = lambdas.route, lambdas.notify

    def decide(api: Api, who: Any, task_id: str, action: str, reason: str | None = None) -> None:
        body = {"action": action} | ({"reason": reason} if reason else {})
        answer = api.call("POST", f"/v1/tasks/{task_id}/decision", who, body)
        assert answer.status == 200, answer.body
        route()
        notify()

    def open_step(code: str) -> str:
        record = world.record(code)
        return next(t.task_id for t in record.tasks if t.kind is TaskKind.STEP and t.state is TaskState.OPEN)

    try:
        with world.api() as api:
            # Sign-up, a refused weak password, confirmation and sign-in
            account = {"email": EMAIL, "password": PASSWORD, "name": NAME, "phone": PHONE_E164}
            assert api.call("POST", "/v1/auth/citizens/sign-up", body=account).status == 201
            weak = api.call("POST", "/v1/auth/citizens/sign-up", body=account | {"password": "123"})
            assert weak.status in (400, 422)
            confirm = {"email": EMAIL, "code": CONFIRMATION_CODE}
            assert api.call("POST", "/v1/auth/citizens/confirm", body=confirm).status == 200
            identity.users[EMAIL].attributes["phone_number_verified"] = "true"  # as the portal's check does
            signed_in = api.call(
                "POST", "/v1/auth/citizens/sign-in", body={"email": EMAIL, "password": PASSWORD}
            )
            bearer = f"Bearer {signed_in.body['id_token']}"
            citizen = world.container.verifier.verify(signed_in.body["id_token"])

            def upload(content_type: str) -> str:
                return world.upload(citizen, PDF if content_type == "application/pdf" else PNG, content_type)

            def filing() -> dict[str, Any]:
                body = filing_body(world.province, BUSINESS, NAME, EMAIL, upload)
                body["applicant"] = {
                    "full_name": NAME,
                    "id_number": CCCD,
                    "phone": PHONE,
                    "email": EMAIL,
                    "address": ADDRESS,
                }
                return body

            # A filing refused for a bad field (the answer may quote it, the logs may not)
            bad = filing()
            bad["applicant"] = bad["applicant"] | {"phone": f"{PHONE} ({NAME})"}
            refused = api.call(
                "POST", "/v1/dossiers", body=bad, Authorization=bearer, Idempotency_Key="pdata-0000"
            )
            assert refused.status == 422, refused.body

            # Two dossiers: one goes all the way to its result, the other is rejected in the flow
            codes = []
            for i in (1, 2):
                answer = api.call(
                    "POST",
                    "/v1/dossiers",
                    body=filing(),
                    Authorization=bearer,
                    Idempotency_Key=f"pdata-000{i}",
                )
                assert answer.status == 201, answer.body
                codes.append(answer.body["code"])
            notify()
            done, rejected = codes
            desk, finance = world.staff(FINANCE, Role.RECEIVER), world.staff(FINANCE, Role.OFFICER)
            tax = world.staff(TAX, Role.OFFICER)
            for code in codes:
                assert api.call("GET", f"/v1/tasks/{code}-T1", desk).status == 200
                decide(api, desk, f"{code}-T1", "accept")

            # Finance asks for papers (its reason names the applicant), the citizen adds them
            decide(api, finance, open_step(done), "request_papers", f"Bà {NAME} ({CCCD}) bổ sung bản sao.")
            papers = world.papers(citizen, done)
            added = api.call("POST", f"/v1/dossiers/{done}/supplements", body=papers, Authorization=bearer)
            assert added.status == 200, added.body
            route()
            notify()
            decide(api, finance, open_step(done), "approve")
            decide(api, tax, open_step(done), "approve")
            result = {"render": True, "summary": f"Cấp cho {NAME}."}
            issued = api.call("POST", f"/v1/dossiers/{done}/results", finance, result)
            assert issued.status == 201, issued.body
            decide(api, desk, f"{done}-T1", "return_result")

            # The other: the tax office's step is rejected with a reason that names the applicant
            decide(api, finance, open_step(rejected), "approve")
            decide(
                api, tax, open_step(rejected), "reject", f"Ông/bà {NAME}, {ADDRESS}, SĐT {PHONE}: nợ thuế."
            )

            # The citizen reads and exports; a leader reads the access log
            assert api.call("GET", f"/v1/dossiers/{done}", Authorization=bearer).status == 200
            exported = api.client.http.request(
                "GET",
                "/v1/me/export",
                headers={"Authorization": bearer, "Accept": "application/zip"},
                body=b"",
            )
            assert exported.status_code == 200
            leader = world.staff(FINANCE, Role.LEADER)
            assert api.call("GET", f"/v1/agencies/{FINANCE}/access-log", leader).status == 200

        # A third dossier left waiting: the sweep escalates and apologises for it
        composition.use(world.container)  # the API's client put the built one back
        third = api_file(world, citizen, filing())
        world.clock.set(datetime(2026, 11, 30, 17, 30, tzinfo=VIETNAM_TZ))
        sweep_handler({}, Context())
        notify()
        assert third
    finally:
        composition.use(None)

    assert world.mail.sent and world.sms.sent  # the messages went out, to the verified contacts
    captured = capfd.readouterr()
    written = {
        "logs": "\n".join(logs.lines),
        "stdout": captured.out,
        "stderr": captured.err,
        "flows": "\n".join(flows.seen),
    }
    assert "DossierFiled" in written["stdout"]  # the metrics were written, and searched
    assert logs.lines and flows.seen
    assert leaks(written) == set()


def leaks(written: dict[str, str]) -> set[tuple[str, str]]:
    """(where, what) for each value found in what was written."""
    return {
        (where, needle)
        for where, text in written.items()
        for needle in needles()
        if needle in text.lower() or needle in _ascii(text).lower()
    }


def api_file(world: World, citizen: Any, body: dict[str, Any]) -> str:
    """A filing through the service (the API's client has been closed)."""
    from motcua.services.filing import FilingRequest

    result = world.container.filing.file(citizen, FilingRequest.model_validate(body), "pdata-0003")
    return result.dossier.code
