"""The local stack (`make dev`) as a user meets it: over HTTP, stopped with Ctrl-C and started again."""

from __future__ import annotations

import base64
import http.client
import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
import requests

from infra.devstack.process import LocalStack, StackError, free_port
from tests.examples import EXAMPLES, PDF

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 90  # seconds; a cold start imports moto and provisions, a restart replays
STOP_TIMEOUT = 30
FLOW_TIMEOUT = 20  # seconds for a flow's next step to reach an inbox (the runner polls every 0.25 s)

CITIZEN = {"email": "an@example.vn", "password": "CongDan@2026"}
OFFICER = {"username": "canbo.phuongminhhoa", "password": "CanBo@Demo2026"}  # receives birth registrations
AGENCY = "000.01.01.H99"  # Phường Minh Họa
PROCEDURE = "1.001193"  # Đăng ký khai sinh: one required PDF


BUSINESS = "2.001610"  # business registration: Finance reviews (T1.1), then the tax office (T2.1)
FINANCE, TAX = "000.00.01.H99", "000.00.20.H99"
FINANCE_DESK = {"username": "canbo.sotaichinh", "password": "CanBo@Demo2026"}  # receiver of Finance
FINANCE_OFFICER = {"username": "chuyenvien.sotaichinh", "password": "CanBo@Demo2026"}  # decides its step
TAX_OFFICER = {"username": "canbo.thue", "password": "CanBo@Demo2026"}


class Stack(LocalStack):
    """`python -m infra.devstack` in a subprocess (infra.devstack.process), on free ports, with its data
    folder under tmp_path; and what a user does with it, over HTTP."""

    def __init__(self, data_dir: Path, log: Path, **env: str) -> None:
        super().__init__(data_dir, log, env=env, start_timeout=START_TIMEOUT, stop_timeout=STOP_TIMEOUT)

    def start(self) -> None:
        try:
            super().start()
        except StackError as error:  # it exited, or did not answer /v1/health in time
            pytest.fail(str(error))

    def interrupt(self) -> int:
        """Ctrl-C, as a user stops `make dev`; the exit code (killed after STOP_TIMEOUT: negative)."""
        return self.stop()

    # --- what a user does -------------------------------------------------------------------

    def call(self, method: str, path: str, token: str | None = None, **kwargs: Any) -> requests.Response:
        headers = kwargs.pop("headers", {})
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return requests.request(method, f"{self.url}{path}", headers=headers, timeout=30, **kwargs)

    def sign_in(self, kind: str, credentials: dict[str, str]) -> str:
        response = self.call("POST", f"/v1/auth/{kind}/sign-in", json=credentials)
        assert response.status_code == 200, response.text
        token: str = response.json()["id_token"]
        return token

    def upload(self, token: str, content: bytes = PDF, filename: str = "giấy chứng sinh.pdf") -> str:
        slot = self.call(
            "POST",
            "/v1/uploads",
            token,
            json={"filename": filename, "content_type": "application/pdf", "size": len(content)},
        )
        assert slot.status_code == 201, slot.text
        body = slot.json()
        # As the portal's browser would: straight to storage, from the portal's origin.
        stored = requests.post(
            body["url"],
            data=body["fields"],
            files={"file": ("giay-chung-sinh.pdf", content, "application/pdf")},
            headers={"Origin": self.url},
            timeout=30,
        )
        assert stored.status_code in (200, 201, 204), stored.text
        assert stored.headers.get("Access-Control-Allow-Origin") in (self.url, "*")
        upload_id: str = body["upload_id"]
        return upload_id

    def file(self, token: str, upload_id: str, key: str) -> requests.Response:
        return self.call(
            "POST",
            "/v1/dossiers",
            token,
            headers={"Idempotency-Key": key},
            json={
                "procedure_code": PROCEDURE,
                "applicant": {
                    "full_name": "Nguyễn Văn An",
                    "id_number": "001203004567",
                    "phone": "0901234567",
                    "email": "an@example.vn",
                    "address": "25 Trần Phú, phường Minh Họa",
                },
                "form": {
                    "child_full_name": "Nguyễn Minh Khôi",
                    "child_sex": "Nam",
                    "child_date_of_birth": "2026-11-01",
                    "place_of_birth": "Bệnh viện Đa khoa tỉnh Minh Họa",
                    "ethnicity": "Kinh",
                    "mother_full_name": "Lê Thị Hoa",
                    "requester_relationship": "Cha",
                },
                "attachments": [{"upload_id": upload_id, "paper_code": "giay_chung_sinh"}],
                "language": "vi",
            },
        )

    def inbox(self, token: str, agency: str) -> list[dict[str, Any]]:
        response = self.call("GET", f"/v1/agencies/{agency}/tasks", token)
        assert response.status_code == 200, response.text
        items: list[dict[str, Any]] = response.json()["items"]
        return items

    def in_inbox(
        self, token: str, agency: str, task_id: str, timeout: float = FLOW_TIMEOUT
    ) -> dict[str, Any]:
        """The task, once it is in the agency's inbox (the flow and the routing poller put it there)."""
        return _within(
            timeout,
            lambda: next((t for t in self.inbox(token, agency) if t["task_id"] == task_id), None),
            lambda: f"{task_id} did not reach the inbox of {agency}:\n{self.log()}",
        )

    def decide(self, token: str, task_id: str, action: str) -> dict[str, Any]:
        response = self.call("POST", f"/v1/tasks/{task_id}/decision", token, json={"action": action})
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body


def _within(timeout: float, check: Any, explain: Any) -> Any:
    """What `check()` answers first that is not None, asked a few times a second for `timeout` s."""
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found is not None:
            return found
        if time.monotonic() > deadline:
            pytest.fail(explain())
        time.sleep(0.2)


def _caught_up(stack: Stack, timeout: float = 30) -> None:
    """Until the outbox says nothing is pending: the pipe has read the table's stream to its end and
    the notifier has emptied its queue, so every message of what was written so far has been sent."""

    def pending() -> Any:
        return requests.get(f"{stack.url}/v1/dev/outbox", timeout=10).json()["pending"]

    _within(timeout, lambda: pending() == 0 or None, lambda: f"still pending: {pending()}\n{stack.log()}")


def _sub(token: str) -> str:
    payload = token.split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    sub: str = claims["sub"]
    return sub


def _sequence(code: str) -> tuple[str, int]:
    """`<agency>-YYMMDD-XXXX` → ("<agency>-YYMMDD", XXXX)."""
    prefix, _, number = code.rpartition("-")
    return prefix, int(number)


def test_what_a_citizen_filed_is_still_there_after_ctrl_c_and_a_new_start(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    first = Stack(data_dir, tmp_path / "stack.log")
    second = Stack(data_dir, tmp_path / "stack.log")  # other ports: a restart need not reuse them
    try:
        # Given a citizen who filed a dossier that the ward's officer accepted
        first.start()
        portal = requests.get(f"{first.url}/v1/procedures/{PROCEDURE}", timeout=10)
        assert portal.status_code == 200, portal.text
        token = first.sign_in("citizens", CITIZEN)
        sub = _sub(token)
        key = f"test-{uuid.uuid4().hex}"
        upload_id = first.upload(token)
        filed = first.file(token, upload_id, key)
        assert filed.status_code == 201, filed.text
        code = filed.json()["code"]
        assert code.startswith(f"{AGENCY}-")

        officer = first.sign_in("staff", OFFICER)
        inbox = first.call("GET", f"/v1/agencies/{AGENCY}/tasks", officer)
        assert inbox.status_code == 200, inbox.text
        task = next(t for t in inbox.json()["items"] if t["dossier_code"] == code)
        decision = {"action": "accept"}
        decided = first.call("POST", f"/v1/tasks/{task['task_id']}/decision", officer, json=decision)
        assert decided.status_code == 200, decided.text
        assert decided.json()["status"] == 4

        # and, once the notification pipe and the notifier have caught up, the outbox shows what the
        # citizen was told: filed and accepted, by email and by SMS
        def told(stack: Stack) -> list[tuple[str, str, str]]:
            answer = requests.get(f"{stack.url}/v1/dev/outbox", params={"code": code}, timeout=10).json()
            return sorted((m["channel"], m["subject"], m["sent_at"]) for m in answer["messages"])

        _caught_up(first)
        before = told(first)
        assert [channel for channel, _, _ in before] == ["email", "email", "sms", "sms"]
        assert all(sent_at and sent_at.startswith("20") for _, _, sent_at in before), (
            before
        )  # when it was sent

        # When they stop the stack with Ctrl-C and start it again on the same data folder
        assert first.interrupt() == 0, first.log()
        assert "Traceback" not in first.log(whole=True)
        second.start()

        # Then they sign in as the same person, their dossier is there, accepted, with its file
        token = second.sign_in("citizens", CITIZEN)
        assert _sub(token) == sub
        mine = second.call("GET", "/v1/me/dossiers", token)
        assert mine.status_code == 200, mine.text
        # (beside the demo's own dossiers of theirs, one waiting for a financial obligation, one refused
        # with its fee paid, to refund: demo data)
        listed = [(d["code"], d["status"]) for d in mine.json()["items"]]
        assert (code, 4) in listed and len({c for c, _ in listed}) == len(listed) == 3, listed
        dossier = second.call("GET", f"/v1/dossiers/{code}", token).json()
        [attachment] = dossier["attachments"]
        assert attachment["download_url"], dossier
        assert requests.get(attachment["download_url"], timeout=10).content == PDF
        tracking = second.call("GET", f"/v1/tracking/{code}")
        assert tracking.status_code == 200 and tracking.json()["status"] == 4
        # and what was sent before the stop is in the outbox, once: with the stream read to its end
        # and the notification queue empty, nothing was sent again and nothing more will be
        _caught_up(second)
        assert told(second) == before

        # and a retry of the first filing still answers with the first dossier, not a new one
        retried = second.file(token, upload_id, key)
        assert retried.status_code in (200, 201), retried.text
        assert retried.json()["code"] == code

        # and the next dossier of the same agency on the same day takes the next number
        again = second.file(token, second.upload(token), f"test-{uuid.uuid4().hex}")
        assert again.status_code == 201, again.text
        day, number = _sequence(code)
        next_day, next_number = _sequence(again.json()["code"])
        if next_day == day:
            assert next_number == number + 1
        else:  # the test ran across midnight in Vietnam: a new day starts at 0001
            assert next_number == 1
        assert second.interrupt() == 0, second.log()
        assert "Traceback" not in second.log(whole=True)
    finally:
        first.kill()
        second.kill()


def test_a_flow_runs_across_agencies_and_goes_on_after_ctrl_c_and_a_new_start(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    log = tmp_path / "stack.log"
    # No sweep while officers decide (it could escalate a step as they approve it); the third start,
    # where nobody decides, runs it every second to see its timer call the real handler
    first, second = (
        Stack(data_dir, log, MOTCUA_SWEEP_SECONDS="0"),
        Stack(data_dir, log, MOTCUA_SWEEP_SECONDS="0"),
    )
    third = Stack(data_dir, log, MOTCUA_SWEEP_SECONDS="1")
    stacks = [first, second, third]
    try:
        # Given a business registration filed by a citizen and accepted by Finance's one-stop desk
        first.start()
        citizen = first.sign_in("citizens", CITIZEN)
        filed = first.call(
            "POST",
            "/v1/dossiers",
            citizen,
            headers={"Idempotency-Key": f"test-{uuid.uuid4().hex}"},
            json={
                "procedure_code": BUSINESS,
                "applicant": {
                    "full_name": "Nguyễn Văn An",
                    "id_number": "001203004567",
                    "phone": "0901234567",
                    "email": "an@example.vn",
                    "address": "25 Trần Phú, phường Minh Họa",
                },
                "form": EXAMPLES[BUSINESS],
                "attachments": [
                    {
                        "upload_id": first.upload(citizen, filename="giấy đề nghị.pdf"),
                        "paper_code": "giay_de_nghi_dang_ky_doanh_nghiep",
                    },
                    {
                        "upload_id": first.upload(citizen, filename="căn cước.pdf"),
                        "paper_code": "giay_to_phap_ly_chu_doanh_nghiep",
                    },
                ],
            },
        )
        assert filed.status_code == 201, filed.text
        code = filed.json()["code"]
        desk = first.sign_in("staff", FINANCE_DESK)
        first.in_inbox(desk, FINANCE, f"{code}-T1", timeout=0)
        assert first.decide(desk, f"{code}-T1", "accept")["status"] == 4

        # When the flow's first step reaches Finance's inbox (the desk sees it, but may not decide
        # it) and Finance's processing officer approves it, the tax office's step reaches the tax office
        step1 = first.in_inbox(desk, FINANCE, f"{code}-T1.1")
        assert step1["allowed_actions"] == []
        reviewer = first.sign_in("staff", FINANCE_OFFICER)
        assert "approve" in first.in_inbox(reviewer, FINANCE, f"{code}-T1.1", timeout=0)["allowed_actions"]
        first.decide(reviewer, f"{code}-T1.1", "approve")
        tax = first.sign_in("staff", TAX_OFFICER)
        first.in_inbox(tax, TAX, f"{code}-T2.1")
        # (someone signs up while flows have run: their id is drawn after the flows' requests)
        signed_up = first.call(
            "POST",
            "/v1/auth/citizens/sign-up",
            json={
                "email": "chi@example.vn",
                "password": "CongDan@2026",
                "name": "Lê Thị Chi",
                "phone": "0987654321",
            },
        )
        assert signed_up.status_code == 201, signed_up.text

        # and the stack is stopped with Ctrl-C and started again on the same data folder
        assert first.interrupt() == 0, first.log()
        subs = json.loads((data_dir / "stack.json").read_text(encoding="utf-8"))["subs"]
        assert "citizens/chi@example.vn" in subs
        second.start()

        # Then the tax step is still open (its execution was started again), and approving it ends
        # the flow: the dossier is processed and back at Finance's desk, which returns the result
        assert "started 1 flow(s) again" in second.log()
        tax = second.sign_in("staff", TAX_OFFICER)
        second.in_inbox(tax, TAX, f"{code}-T2.1", timeout=0)
        second.decide(tax, f"{code}-T2.1", "approve")
        desk = second.sign_in("staff", FINANCE_DESK)
        back = second.in_inbox(desk, FINANCE, f"{code}-T1")
        assert "return_result" in back["allowed_actions"]
        citizen = second.sign_in("citizens", CITIZEN)
        assert second.call("GET", f"/v1/dossiers/{code}", citizen).json()["status"] == 9
        assert second.decide(desk, f"{code}-T1", "return_result")["status"] == 10
        timeline = second.call("GET", f"/v1/tracking/{code}").json()["timeline"]
        assert [e["status"] for e in timeline][-2:] == [9, 10]
        assert second.interrupt() == 0, second.log()

        # and a third start, replaying a session in which a flow was restarted, gives the same world
        third.start()
        citizen = third.sign_in("citizens", CITIZEN)
        assert third.call("GET", f"/v1/dossiers/{code}", citizen).json()["status"] == 10
        assert "flow(s) again" not in third.log().split("replaying")[-1]  # nothing left to restart
        _within(10, lambda: "devstack: sweep: " in third.log().split("replaying")[-1] or None, third.log)
        assert third.interrupt() == 0, third.log()
        assert json.loads((data_dir / "stack.json").read_text(encoding="utf-8"))["subs"] == subs

        whole = first.log(whole=True)
        assert "Traceback" not in whole
        # each replay left moto's random generator as the session it replayed had left it
        assert "drew moto's random ids differently" not in whole
        # the sweep timer called the sweep's handler on the stack; routing never failed
        assert "devstack: sweep: 0 escalated, 0 apology slips" in whole
        errors = [
            line
            for line in whole.splitlines()
            if line.startswith(("devstack: routing: ", "devstack: sweep: ")) and " escalated, " not in line
        ]
        assert errors == []
    finally:
        for stack in stacks:
            stack.kill()


def test_the_portal_is_the_frontend_folder_and_nothing_beside_it(tmp_path: Path) -> None:
    from chalice.app import Chalice

    from infra.devstack.web import WebServer

    # Given a portal folder, a file beside it, and an app with one route under /v1
    site = tmp_path / "site"
    (site / "views").mkdir(parents=True)
    (site / "index.html").write_text("<!doctype html><title>Một cửa</title>", encoding="utf-8")
    (site / "app.js").write_text("export const ready = true;\n", encoding="utf-8")
    (tmp_path / "secret.txt").write_text("not for the web", encoding="utf-8")
    app = Chalice(app_name="throwaway")

    @app.route("/v1/health")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    server = WebServer(app, host="127.0.0.1", port=free_port(), static_root=site)
    host, port = server.server.server_address[:2]
    server.start()
    try:
        url = f"http://{host}:{port}"
        home = requests.get(f"{url}/", timeout=5)
        assert (home.status_code, home.headers["Content-Type"]) == (200, "text/html; charset=utf-8")
        assert "Một cửa" in home.text
        script = requests.get(f"{url}/app.js", timeout=5)
        assert script.headers["Content-Type"] == "text/javascript; charset=utf-8"
        assert requests.get(f"{url}/v1/health", timeout=5).json() == {"status": "ok"}
        assert requests.get(f"{url}/missing.js", timeout=5).status_code == 404
        folder = requests.get(f"{url}/views", timeout=5, allow_redirects=False)
        assert (folder.status_code, folder.headers["Location"]) == (301, "/views/")
        assert requests.post(f"{url}/index.html", timeout=5).status_code == 405

        # When a request climbs out of the folder, as-is or percent-encoded, it finds nothing
        for path in ("/../secret.txt", "/%2e%2e/secret.txt", "/views/..%2f..%2fsecret.txt"):
            connection = http.client.HTTPConnection(str(host), int(port), timeout=5)
            connection.request("GET", path)
            response = connection.getresponse()
            assert (path, response.status) == (path, 404)
            assert b"not for the web" not in response.read()
            connection.close()
    finally:
        server.stop()


# Records (or replays) concurrent sign-ups through the local stack's moto server, then prints every sub.
_CONCURRENT = """
import json, os, sys, threading
from pathlib import Path
phase, data, port = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])
os.environ.update(
    MOTO_RECORDER_FILEPATH=str(data / "recording.jsonl"), AWS_ACCESS_KEY_ID="x", AWS_SECRET_ACCESS_KEY="x",
    AWS_DEFAULT_REGION="ap-southeast-1", AWS_ENDPOINT_URL=f"http://127.0.0.1:{port}",
)
import boto3
from infra.devstack.cloud import MotoServer, Recorder
server = MotoServer("127.0.0.1", port)
server.start()
recorder = Recorder(server.url, data / "recording.jsonl")
cognito = boto3.client("cognito-idp")
if phase == "record":
    recorder.start()
    recorder.seed(7)
    pool = cognito.create_user_pool(PoolName="citizens")["UserPool"]["Id"]
    def sign_ups(worker):
        client = boto3.client("cognito-idp")
        for n in range(15):
            client.admin_create_user(UserPoolId=pool, Username=f"u{worker}-{n}", MessageAction="SUPPRESS")
            client.list_user_pools(MaxResults=10)
    threads = [threading.Thread(target=sign_ups, args=(w,)) for w in range(6)]
    [t.start() for t in threads]
    [t.join() for t in threads]
else:
    recorder.seed(7)
    recorder.replay()
pool = cognito.list_user_pools(MaxResults=10)["UserPools"][0]["Id"]
subs = {
    user["Username"]: next(a["Value"] for a in user["Attributes"] if a["Name"] == "sub")
    for page in cognito.get_paginator("list_users").paginate(UserPoolId=pool)
    for user in page["Users"]
}
server.stop()
print(json.dumps(subs))
"""


def test_a_replay_gives_back_the_ids_of_users_who_signed_up_at_once(tmp_path: Path) -> None:
    # moto draws a user's sub from one seeded generator; two sign-ups handled at once could draw
    # in another order than the recorder wrote them down, and the replay would swap their ids.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "MOTO_"))}
    env["PYTHONPATH"] = str(ROOT)  # for infra.devstack

    def run(phase: str) -> dict[str, str]:
        done = subprocess.run(
            [sys.executable, "-c", _CONCURRENT, phase, str(tmp_path), str(free_port())],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        subs: dict[str, str] = json.loads(done.stdout.strip().splitlines()[-1])
        return subs

    recorded = run("record")
    assert len(recorded) == 90
    assert run("replay") == recorded


# Records (or replays) a message that failed and came back after its visibility timeout, then a
# sign-up, through the local stack's moto server; prints the user's sub.
_REDELIVERED = """
import os, sys, time
from pathlib import Path
phase, data, port = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])
os.environ.update(
    MOTO_RECORDER_FILEPATH=str(data / "recording.jsonl"), AWS_ACCESS_KEY_ID="x", AWS_SECRET_ACCESS_KEY="x",
    AWS_DEFAULT_REGION="ap-southeast-1", AWS_ENDPOINT_URL=f"http://127.0.0.1:{port}",
    MOTO_COGNITO_IDP_USER_POOL_ID_STRATEGY="HASH",
)
import boto3
from infra.devstack.cloud import MotoServer, Recorder
server = MotoServer("127.0.0.1", port)
server.start()
recorder = Recorder(server.url, data / "recording.jsonl")
cognito, sqs = boto3.client("cognito-idp"), boto3.client("sqs")
if phase == "record":
    recorder.start()
    recorder.seed(7)
    queue = sqs.create_queue(QueueName="routing", Attributes={"VisibilityTimeout": "1"})["QueueUrl"]
    sqs.send_message(QueueUrl=queue, MessageBody="step")
    assert len(sqs.receive_message(QueueUrl=queue)["Messages"]) == 1  # the handler fails: not deleted
    time.sleep(1.2)
    again = sqs.receive_message(QueueUrl=queue)["Messages"]  # back, once its visibility timeout ran out
    sqs.delete_message(QueueUrl=queue, ReceiptHandle=again[0]["ReceiptHandle"])
    pool = cognito.create_user_pool(PoolName="citizens")["UserPool"]["Id"]
    cognito.admin_create_user(UserPoolId=pool, Username="chi", MessageAction="SUPPRESS")
else:
    recorder.seed(7)
    recorder.replay()  # in a blink: the second receive finds the message still invisible
pool = cognito.list_user_pools(MaxResults=10)["UserPools"][0]["Id"]
user = cognito.admin_get_user(UserPoolId=pool, Username="chi")
server.stop()
print(next(a["Value"] for a in user["UserAttributes"] if a["Name"] == "sub"))
"""


def test_a_message_received_again_after_its_timeout_does_not_change_later_ids(tmp_path: Path) -> None:
    # A replay does not wait for visibility timeouts, so it can receive fewer messages than the
    # session did; receipt handles are drawn apart from moto's seeded ids, so that costs no one's sub.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "MOTO_"))}
    env["PYTHONPATH"] = str(ROOT)  # for infra.devstack

    def run(phase: str) -> str:
        done = subprocess.run(
            [sys.executable, "-c", _REDELIVERED, phase, str(tmp_path), str(free_port())],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout.strip().splitlines()[-1]

    assert run("record") == run("replay")


class FakeQueue:
    """Just enough of an SQS client for `poll_once`; what is not deleted is received again."""

    def __init__(self, bodies: list[str]) -> None:
        self.bodies = bodies
        self.receives = 0
        self.deleted: list[str] = []

    def receive_message(self, **kwargs: Any) -> dict[str, Any]:
        assert kwargs["WaitTimeSeconds"] == 0  # moto serves one request at a time: never long-poll
        self.receives += 1
        batch = self.bodies[: kwargs["MaxNumberOfMessages"]]
        return {"Messages": [{"MessageId": b, "ReceiptHandle": f"rh-{b}", "Body": b} for b in batch]}

    def get_queue_attributes(self, **kwargs: Any) -> dict[str, Any]:
        return {"Attributes": {"QueueArn": "arn:aws:sqs:ap-southeast-1:123456789012:routing"}}

    def delete_message_batch(self, **kwargs: Any) -> None:
        for entry in kwargs["Entries"]:
            self.deleted.append(entry["ReceiptHandle"])
            self.bodies.remove(entry["ReceiptHandle"].removeprefix("rh-"))


def test_the_routing_poller_delivers_batches_logs_errors_and_rests_when_idle(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from infra.devstack.workers import RoutingPoller

    queue = FakeQueue(["a", "b", "c"])
    batches: list[list[str]] = []
    looks = 0

    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        bodies = [r["body"] for r in event["Records"]]
        batches.append(bodies)
        if len(batches) == 1:
            raise RuntimeError("routing is down\nfor a while")  # the whole batch comes back
        # c fails the first time it is handled: it stays on the queue, the others are deleted
        return {"batchItemFailures": [{"itemIdentifier": "c"}] if len(batches) == 2 else []}

    def waiting() -> int:  # what the stack asks moto's memory: no request
        nonlocal looks
        looks += 1
        return len(queue.bodies)

    poller = RoutingPoller(queue, "http://q", handler, waiting=waiting, idle=0.05, error_pause=0.1)
    poller.start()
    _within(5, lambda: queue.bodies == [] or None, lambda: f"the queue was not drained: {batches}")
    drained = looks
    _within(5, lambda: looks >= drained + 3 or None, lambda: "the idle poller stopped looking")
    poller.stop()

    # stop() returns once the poller's thread has ended: nothing handles the queue any more
    assert not poller.running
    assert batches == [["a", "b", "c"], ["a", "b", "c"], ["c"]]
    assert queue.deleted == ["rh-a", "rh-b", "rh-c"] and queue.bodies == []
    # the batch that raised was logged, on one line, and the poller went on
    assert capsys.readouterr().err.splitlines() == [
        "devstack: routing: RuntimeError: routing is down for a while"
    ]
    assert (poller.handled, poller.errors) == (3, 1)
    # idle, it looked at what waits (moto's memory, no request) again and again, and asked SQS nothing
    assert queue.receives == 3
    # and between two looks at an empty queue it rests `idle` seconds (the stop's latency is in
    # benchmarks/worker_stop.py)
    assert poller.round() == 0.05 and queue.receives == 3


def test_the_sweep_timer_calls_the_handler_every_interval_and_survives_a_failure(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from infra.devstack.workers import SweepTimer

    calls = 0

    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        nonlocal calls
        assert event == {} and context.function_name == "local"
        calls += 1
        if calls == 2:
            raise ConnectionError("moto went away")
        return {"escalated": 1 if calls == 3 else 0, "apologised": 0, "skipped": 0}

    timer = SweepTimer(handler, every=0.2, first=0.05)
    timer.start()
    _within(5, lambda: calls >= 4 or None, lambda: f"the sweep ran {calls} times")
    timer.stop()

    assert not timer.running
    assert capsys.readouterr().err.splitlines() == [
        "devstack: sweep: 0 escalated, 0 apology slips, 0 left for the next run (every 0.2 s)",
        "devstack: sweep: ConnectionError: moto went away",
        "devstack: sweep: 1 escalated, 0 apology slips, 0 left for the next run (every 0.2 s)",
    ]
    assert timer.errors == 1 and timer.runs >= 3


def test_the_sweep_timer_waits_an_interval_from_one_start_to_the_next_failure_or_not(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from infra.devstack.workers import SweepTimer

    now = 1_000.0  # the timer's clock, moved by the runs themselves
    took = [20.0, 20.0, 100.0]

    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        nonlocal now
        now += took.pop(0)
        if len(took) == 1:
            raise ConnectionError("moto went away")
        return {"escalated": 0, "apologised": 0, "skipped": 0}

    timer = SweepTimer(handler, every=60.0, clock=lambda: now)

    # a run of 20 s: the next starts 60 s after this one started, failed or not
    assert timer.round() == 40.0
    assert timer.round() == 40.0
    # a run longer than the interval: the next follows it, a second apart rather than at once
    assert timer.round() == 1.0
    assert (timer.runs, timer.errors) == (2, 1)
    capsys.readouterr()


def test_the_sweep_timer_lets_rounds_pass_while_nothing_reaches_moto() -> None:
    from infra.devstack.workers import SweepTimer

    size = 100  # the recording's size: any request to moto changes it
    runs = 0
    now = 1_000.0  # the timer's clock: it moves only when the test says so

    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        nonlocal runs, size
        runs += 1
        size += 30  # the sweep's own queries are recorded too
        return {"escalated": 0, "apologised": 0, "skipped": 0}

    timer = SweepTimer(
        handler, every=0.05, first=0.0, activity=lambda: size, idle_at_most=3600.0, clock=lambda: now
    )
    timer.start()
    try:
        _within(5, lambda: runs == 1 or None, lambda: "the sweep did not run")
        _within(5, lambda: timer.passed >= 2 or None, lambda: "no round passed")
        assert runs == 1  # nothing else reached moto: the rounds passed
        size += 1  # someone filed, signed in, decided …
        _within(5, lambda: runs == 2 or None, lambda: "the sweep did not run after some activity")
        passed = timer.passed
        _within(5, lambda: timer.passed >= passed + 2 or None, lambda: "no round passed")
        assert runs == 2
        now += 3600.0  # an hour with nothing reaching moto: it runs anyway
        _within(5, lambda: runs == 3 or None, lambda: "the sweep waited longer than idle_at_most")
    finally:
        timer.stop()


def test_the_stack_calls_the_sweep_routing_notify_and_stats_lambdas_own_handlers() -> None:
    import notify.app
    import stats.app

    import routing.app
    import sweep.app
    from infra.devstack.stack import _handlers

    assert _handlers() == (routing.app.handler, sweep.app.handler, notify.app.handler, stats.app.handler)


def _all_my_codes(stack: Stack, token: str) -> list[str]:
    """Every dossier code of GET /v1/me/dossiers, page after page."""
    codes: list[str] = []
    next_token: str | None = None
    while True:
        params = {"limit": 50, **({"next_token": next_token} if next_token else {})}
        page = stack.call("GET", "/v1/me/dossiers", token, params=params).json()
        codes += [d["code"] for d in page["items"]]
        next_token = page.get("next_token")
        if not next_token:
            return codes


def test_a_kill_in_the_middle_of_a_burst_of_filings_loses_no_answered_dossier(tmp_path: Path) -> None:
    """SIGKILL while four citizens' filings are in flight, with snapshots taken during the burst (a
    small MOTCUA_SNAPSHOT_BYTES): every dossier answered 201 is there after a start, codes gap-free."""
    import threading

    data_dir = tmp_path / "data"
    first = Stack(data_dir, tmp_path / "stack.log", MOTCUA_SNAPSHOT_BYTES="20000")
    second = Stack(data_dir, tmp_path / "stack.log")
    answered: list[str] = []
    lock = threading.Lock()
    killed = threading.Event()
    try:
        first.start()
        token = first.sign_in("citizens", CITIZEN)

        def burst() -> None:
            while not killed.is_set():
                try:
                    filed = first.file(token, first.upload(token), f"burst-{uuid.uuid4().hex}")
                except (requests.RequestException, AssertionError):
                    return  # the stack is gone
                if filed.status_code == 201:
                    with lock:
                        answered.append(filed.json()["code"])

        threads = [threading.Thread(target=burst) for _ in range(4)]
        for thread in threads:
            thread.start()
        snapshot = data_dir / "moto-snapshot.pickle"
        _within(
            120,
            lambda: snapshot.exists() or None,
            lambda: f"no snapshot after {len(answered)}:\n{first.log()}",
        )
        after = len(answered) + 4  # and more filings recorded after it, to be replayed
        _within(
            120, lambda: len(answered) >= after or None, lambda: f"only {len(answered)} filed:\n{first.log()}"
        )
        first.kill()  # SIGKILL, in the middle of the burst
        killed.set()
        for thread in threads:
            thread.join(timeout=60)
        with lock:
            kept = list(answered)

        second.start()
        token = second.sign_in("citizens", CITIZEN)
        for code in kept:
            tracked = second.call("GET", f"/v1/tracking/{code}")
            assert tracked.status_code == 200, (code, tracked.text)
        codes = _all_my_codes(second, token)
        assert set(kept) <= set(codes)
        by_day: dict[str, list[int]] = {}
        for code in codes:
            day, number = _sequence(code)
            by_day.setdefault(day, []).append(number)
        for numbers in by_day.values():  # no number skipped, none given twice
            assert sorted(numbers) == list(range(1, len(numbers) + 1)), sorted(numbers)
        assert second.interrupt() == 0, second.log()
    finally:
        killed.set()
        first.kill()
        second.kill()


def test_a_hundred_connections_made_at_once_are_all_held_and_answered(tmp_path: Path) -> None:
    import socket

    from chalice.app import Chalice

    from infra.devstack.web import WebServer

    app = Chalice(app_name="throwaway")

    @app.route("/v1/health")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    server = WebServer(app, host="127.0.0.1", port=free_port(), static_root=tmp_path)
    address = server.server.server_address[:2]
    connections: list[socket.socket] = []
    try:
        # Given 100 citizens' connections made before the server accepts any (a burst faster than it
        # accepts): the kernel completes each one, none is dropped past a small backlog
        for _ in range(100):
            # Past a full backlog the kernel drops the handshake: the connect waits, then times out
            connections.append(socket.create_connection(address, timeout=2))
            connections[-1].settimeout(30)
        assert waiting_to_be_accepted(int(address[1])) == 100  # with http.server's default: 6

        # When the server runs and each sends its request
        server.start()
        for connection in connections:
            connection.sendall(b"GET /v1/health HTTP/1.1\r\nHost: local\r\nConnection: close\r\n\r\n")

        # Then every one is answered
        for connection in connections:
            answer = b""
            while chunk := connection.recv(65536):
                answer += chunk
            assert answer.startswith(b"HTTP/1.1 200"), answer[:200]
            assert answer.endswith(b'{"status":"ok"}')
    finally:
        for connection in connections:
            connection.close()
        if server._thread is None:  # failed before it ran: its shutdown would wait for a loop never begun
            server.server.server_close()
        else:
            server.stop()


def test_the_api_handles_a_few_requests_at_once_and_the_others_wait_their_turn(tmp_path: Path) -> None:
    import threading

    import requests
    from chalice.app import Chalice

    from infra.devstack.web import WebServer

    app = Chalice(app_name="throwaway")
    lock, inside, most, full = threading.Lock(), [0], [0], threading.Event()

    @app.route("/v1/slow")
    def slow() -> dict[str, int]:
        with lock:
            inside[0] += 1
            most[0] = max(most[0], inside[0])
            if inside[0] >= 3:
                full.set()
        full.wait(10)  # the first ones stay until three are in: a fourth would come in meanwhile
        threading.Event().wait(0.1)
        with lock:
            inside[0] -= 1
        return {"ok": 1}

    server = WebServer(app, host="127.0.0.1", port=free_port(), static_root=tmp_path, api_at_once=3)
    host, port = server.server.server_address[:2]
    server.start()
    try:
        # When ten clients call the API at once
        answers: list[int] = []

        def call() -> None:
            answers.append(requests.get(f"http://{host}:{port}/v1/slow", timeout=30).status_code)

        threads = [threading.Thread(target=call) for _ in range(10)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        server.stop()

    # Then every one is answered, never more than three handled at the same time
    assert answers == [200] * 10
    assert most[0] == 3


def waiting_to_be_accepted(port: int) -> int:
    """How many connections the kernel holds for the listening socket on `port` (Linux: its rx_queue in
    /proc/net/tcp is the accept queue's length)."""
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local, state, queues = fields[1], fields[3], fields[4]
        if state == "0A" and int(local.split(":")[1], 16) == port:  # LISTEN
            return int(queues.split(":")[1], 16)
    raise AssertionError(f"nothing listens on port {port}")
