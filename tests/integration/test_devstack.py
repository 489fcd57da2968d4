"""The local stack (`make dev`) as a user meets it: over HTTP, stopped with Ctrl-C and started again."""

from __future__ import annotations

import base64
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 90  # seconds; a cold start imports moto and provisions, a restart replays
STOP_TIMEOUT = 30

CITIZEN = {"email": "an@example.vn", "password": "CongDan@2026"}
OFFICER = {"username": "canbo.phuongminhhoa", "password": "CanBo@Demo2026"}  # receives birth registrations
AGENCY = "000.01.01.H99"  # Phường Minh Họa
PROCEDURE = "1.001193"  # Đăng ký khai sinh: one required PDF
PDF = b"%PDF-1.4\n1 0 obj <</Type /Catalog>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class Stack:
    """`python -m devstack` in a subprocess, on free ports, with its data folder under tmp_path."""

    def __init__(self, data_dir: Path, log: Path) -> None:
        self.data_dir = data_dir
        self.log_path = log
        self.port = _free_port()
        self.moto_port = _free_port()
        while self.moto_port == self.port:
            self.moto_port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "MOTO_", "MOTCUA_"))}
        env.update(
            PYTHONPATH=os.pathsep.join([str(ROOT / "functions"), str(ROOT / "functions" / "api")]),
            PORT=str(self.port),
            MOTO_PORT=str(self.moto_port),
            PROVINCE="demo",
            MOTCUA_DATA_DIR=str(self.data_dir),
            PYTHONUNBUFFERED="1",
        )
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "devstack"],
                cwd=ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"the stack exited with {self.process.returncode}:\n{self.log()}")
            try:
                if requests.get(f"{self.url}/v1/health", timeout=2).status_code == 200:
                    return
            except requests.RequestException:  # not up yet (the port is bound before the replay)
                pass
            time.sleep(0.3)
        pytest.fail(f"the stack did not answer /v1/health within {START_TIMEOUT} s:\n{self.log()}")

    def interrupt(self) -> int:
        """Ctrl-C, as a user stops `make dev`; the exit code."""
        assert self.process is not None
        self.process.send_signal(signal.SIGINT)
        return self.process.wait(timeout=STOP_TIMEOUT)

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=STOP_TIMEOUT)

    def log(self, *, whole: bool = False) -> str:
        text = self.log_path.read_text(encoding="utf-8", errors="replace")
        return text if whole else text[-6000:]

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

    def upload(self, token: str, content: bytes = PDF) -> str:
        slot = self.call(
            "POST",
            "/v1/uploads",
            token,
            json={"filename": "giấy chứng sinh.pdf", "content_type": "application/pdf", "size": len(content)},
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

        # When they stop the stack with Ctrl-C and start it again on the same data folder
        assert first.interrupt() == 0, first.log()
        assert "Traceback" not in first.log(whole=True)
        second.start()

        # Then they sign in as the same person, their dossier is there, accepted, with its file
        token = second.sign_in("citizens", CITIZEN)
        assert _sub(token) == sub
        mine = second.call("GET", "/v1/me/dossiers", token)
        assert mine.status_code == 200, mine.text
        assert [(d["code"], d["status"]) for d in mine.json()["items"]] == [(code, 4)]
        dossier = second.call("GET", f"/v1/dossiers/{code}", token).json()
        [attachment] = dossier["attachments"]
        assert attachment["download_url"], dossier
        assert requests.get(attachment["download_url"], timeout=10).content == PDF
        tracking = second.call("GET", f"/v1/tracking/{code}")
        assert tracking.status_code == 200 and tracking.json()["status"] == 4

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


def test_the_portal_is_the_frontend_folder_and_nothing_beside_it(tmp_path: Path) -> None:
    from chalice.app import Chalice

    from devstack.web import WebServer

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

    server = WebServer(app, host="127.0.0.1", port=_free_port(), static_root=site)
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


# Records (or replays) concurrent sign-ups through devstack's moto server, then prints every sub.
_CONCURRENT = """
import json, os, sys, threading
from pathlib import Path
phase, data, port = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])
os.environ.update(
    MOTO_RECORDER_FILEPATH=str(data / "recording.jsonl"), AWS_ACCESS_KEY_ID="x", AWS_SECRET_ACCESS_KEY="x",
    AWS_DEFAULT_REGION="ap-southeast-1", AWS_ENDPOINT_URL=f"http://127.0.0.1:{port}",
)
import boto3
from devstack.cloud import MotoServer, Recorder
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
    env["PYTHONPATH"] = str(ROOT / "functions")

    def run(phase: str) -> dict[str, str]:
        done = subprocess.run(
            [sys.executable, "-c", _CONCURRENT, phase, str(tmp_path), str(_free_port())],
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
