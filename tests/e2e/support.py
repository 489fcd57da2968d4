"""What the end-to-end tests share besides fixtures: the demo people and a dossier filed over HTTP."""

from __future__ import annotations

import base64
import re
import time
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

import requests
from playwright.sync_api import expect

from tests.conftest import DEMO_PROVINCE

if TYPE_CHECKING:
    from pathlib import Path

    from playwright.sync_api import Page

from tests.examples import PDF  # noqa: E402 — a whole one-page PDF, as the upload check wants

BIRTH_REGISTRATION = "1.001193"
FINANCE = "000.00.01.H99"
BUSINESS_REGISTRATION = "2.001610"


@dataclass(frozen=True)
class Person:
    username: str
    password: str
    name: str


@dataclass(frozen=True)
class Stack:
    url: str
    citizen: Person
    # The receiving officer of each agency that receives procedures, by agency code.
    receivers: dict[str, Person]
    # moto on loopback, for what an administrator does with the AWS CLI (create an officer).
    moto_url: str = ""

    def receiver_for(self, procedure_code: str) -> Person:
        return self.receivers[receiving_agency(procedure_code)]

    def officer_for(self, procedure_code: str) -> Person:
        """The processing officer of the agency that receives `procedure_code`: it decides and issues."""
        return staff_member(receiving_agency(procedure_code), "officer")


def receiving_agency(procedure_code: str) -> str:
    from motcua.config.province import load_province

    province = load_province(DEMO_PROVINCE)
    agency = province.current_agency(province.procedures_by_code[procedure_code].agency)
    assert agency is not None
    return agency.code


def demo_people() -> tuple[Person, dict[str, Person]]:
    """The sign-ins the stack prints, read where the stack defines them."""
    from infra.devstack.accounts import demo_accounts
    from motcua.config.province import load_province

    accounts = demo_accounts(load_province(DEMO_PROVINCE))
    citizen = next(a for a in accounts if a.pool == "citizens")
    receivers = {
        a.agency: Person(a.username, a.password, a.name)
        for a in accounts
        if a.pool == "staff" and a.role == "receiver" and a.agency
    }
    return Person(citizen.username, citizen.password, citizen.name), receivers


def staff_member(agency: str, role: str | None = None) -> Person:
    """The demo staff account of `agency` (of that role, if given), as the stack creates it."""
    from infra.devstack.accounts import demo_accounts
    from motcua.config.province import load_province

    for account in demo_accounts(load_province(DEMO_PROVINCE)):
        if account.pool == "staff" and account.agency == agency and (role is None or account.role == role):
            return Person(account.username, account.password, account.name)
    raise LookupError(f"no demo staff account for {agency} ({role or 'any role'})")


def citizen_headers(stack: Stack) -> dict[str, str]:
    tokens = requests.post(
        f"{stack.url}/v1/auth/citizens/sign-in",
        json={"email": stack.citizen.username, "password": stack.citizen.password},
        timeout=10,
    ).json()
    return {"Authorization": f"Bearer {tokens['id_token']}"}


def clear_drafts(stack: Stack) -> None:
    """Delete every draft the demo citizen An has (a form she left half filled, an upload is enough)."""
    auth = citizen_headers(stack)
    listed = requests.get(f"{stack.url}/v1/me/drafts", headers=auth, timeout=10)
    listed.raise_for_status()
    for item in listed.json()["items"]:
        gone = requests.delete(f"{stack.url}/v1/me/drafts/{item['procedure_code']}", headers=auth, timeout=10)
        assert gone.status_code in (200, 404), gone.text  # 404: gone meanwhile


def my_dossier_codes(stack: Stack) -> list[str]:
    """Every dossier the demo citizen has filed, from the API, following next_token."""
    auth, codes, token = citizen_headers(stack), [], None
    while True:
        params = {"limit": 100} | ({"next_token": token} if token else {})
        page = requests.get(f"{stack.url}/v1/me/dossiers", params=params, headers=auth, timeout=10).json()
        codes += [item["code"] for item in page["items"]]
        token = page.get("next_token")
        if not token:
            return codes


def file_through_api(
    stack: Stack,
    procedure_code: str,
    applicant: dict[str, str],
    form: dict[str, Any],
    paper: str,
    *,
    upload_id: str | None = None,
) -> str:
    """A dossier filed with plain HTTP calls (for a test that needs one without the first test's); its
    paper is a PDF uploaded now, or the citizen's upload `upload_id`."""
    api = f"{stack.url}/v1"
    auth = citizen_headers(stack)
    if upload_id is None:
        slot = requests.post(
            f"{api}/uploads",
            json={"filename": "giay.pdf", "content_type": "application/pdf", "size": len(PDF)},
            headers=auth,
            timeout=10,
        ).json()
        upload = requests.post(
            slot["url"], data=slot["fields"], files={"file": ("giay.pdf", PDF, "application/pdf")}, timeout=10
        )
        assert upload.ok, upload.text
        upload_id = slot["upload_id"]
    created = requests.post(
        f"{api}/dossiers",
        json={
            "procedure_code": procedure_code,
            "applicant": applicant,
            "form": form,
            "attachments": [{"upload_id": upload_id, "paper_code": paper}],
        },
        headers=auth | {"Idempotency-Key": str(uuid.uuid4())},
        timeout=10,
    )
    assert created.status_code == 201, created.text
    return str(created.json()["code"])


def birth_registration_through_api(stack: Stack, *, upload_id: str | None = None) -> str:
    return file_through_api(
        stack,
        BIRTH_REGISTRATION,
        {
            "full_name": "Nguyễn Văn An",
            "id_number": "001090012345",
            "phone": "0901234567",
            "address": "Số 25 đường Trần Phú, phường Minh Họa",
        },
        {
            "child_full_name": "Nguyễn Minh Khang",
            "child_sex": "Nam",
            "child_date_of_birth": "2026-11-01",
            "place_of_birth": "Bệnh viện đa khoa tỉnh Minh Họa",
            "ethnicity": "Kinh",
            "mother_full_name": "Trần Thị Hoa",
            "requester_relationship": "Cha",
        },
        "giay_chung_sinh",
        upload_id=upload_id,
    )


# --- in the browser ---------------------------------------------------------------------------


def open_menu_item(page: Page, name: str) -> None:
    """On a phone the site menu is folded behind its button, as a person would find it; a desk
    shows it open."""
    menu = page.get_by_role("button", name=re.compile("Danh mục|Menu"))
    page.locator("#nav-list li").first.wait_for(state="attached")
    if menu.is_visible():
        menu.click()
    page.get_by_role("navigation").get_by_role("link", name=name, exact=True).click()


def citizen_signs_in(page: Page, stack: Stack) -> None:
    page.goto(f"{stack.url}/")
    open_menu_item(page, "Đăng nhập")
    expect(page.get_by_role("heading", level=1)).to_have_text("Đăng nhập")
    page.get_by_label("Thư điện tử").fill(stack.citizen.username)
    page.get_by_label("Mật khẩu", exact=True).fill(stack.citizen.password)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.locator("#userbar")).to_contain_text(stack.citizen.name)


def officer_signs_in(page: Page, stack: Stack, officer: Person) -> None:
    page.goto(f"{stack.url}/#/staff")
    page.get_by_label("Tên đăng nhập").fill(officer.username)
    page.get_by_label("Mật khẩu", exact=True).fill(officer.password)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hộp công việc")
    expect(page.locator("#userbar")).to_contain_text(officer.name)


def attach(page: Page, paper: str, path: Path) -> None:
    page.get_by_label(paper).set_input_files(path)
    expect(page.locator(".file", has_text=path.name)).to_contain_text("Đã tải lên")


def fill_date(page: Page, label: str, day: date) -> None:
    """A date as people type it here: day, month and year in their own boxes."""
    group = page.get_by_role("group", name=label)
    for box, value in (("Ngày|Day", day.day), ("Tháng|Month", day.month), ("Năm|Year", day.year)):
        group.get_by_label(re.compile(f"^({box})$")).fill(str(value))


def next_step(page: Page) -> None:
    page.get_by_role("button", name=re.compile("^(Tiếp tục|Continue)$")).click()


def fill_birth_registration(page: Page, born: date | None = None) -> None:
    """The birth registration's form (1.001193) as a father fills it in for his son, step by step,
    up to the papers (the last step)."""
    born = born or date.today() - timedelta(days=30)
    steps = page.locator(".step__count")
    expect(steps).to_have_text("Bước 1/4")
    page.get_by_label("Số căn cước (CCCD)").fill("001090012345")
    page.get_by_label("Địa chỉ liên hệ").fill("Số 25 đường Trần Phú, phường Minh Họa")
    next_step(page)
    expect(steps).to_have_text("Bước 2/4")
    page.get_by_label("Họ, chữ đệm, tên của trẻ").fill("Nguyễn Minh Khang")
    page.get_by_label("Giới tính").select_option("Nam")
    fill_date(page, "Ngày, tháng, năm sinh", born)
    page.get_by_label("Nơi sinh").fill("Bệnh viện đa khoa tỉnh Minh Họa")
    page.get_by_label("Dân tộc").fill("Kinh")
    next_step(page)
    expect(steps).to_have_text("Bước 3/4")
    page.get_by_label("Họ, chữ đệm, tên của mẹ").fill("Trần Thị Hoa")
    page.get_by_label("Quan hệ với người được khai sinh").select_option("Cha")
    next_step(page)
    expect(steps).to_have_text("Bước 4/4")


def file_dossier(page: Page) -> None:
    """From the form's last page: on to "check your answers", and file from there."""
    next_step(page)
    expect(page.get_by_role("heading", level=2, name="Kiểm tra lại thông tin")).to_be_focused()
    page.get_by_role("button", name="Nộp hồ sơ", exact=True).click()


def assert_accessible(page: Page, *, what: str = "") -> None:
    """axe-core's WCAG 2.x A/AA rules on the page as it is now: no violation.

    A failure lists each rule broken, its impact and the elements (their selectors) that break it.
    """
    from axe_playwright_python.sync_playwright import Axe

    options = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}
    if not page.evaluate("() => typeof window.axe === 'object'"):  # once per page load, not per check
        page.evaluate(Axe().axe_script)
    violations = page.evaluate("(options) => axe.run(document, options)", options)["violations"]
    found = [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + ", ".join(" ".join(node["target"]) for node in v["nodes"][:5])
        for v in violations
    ]
    assert not found, f"axe on {what or page.url}:\n  " + "\n  ".join(found)


AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


# --- staff sign-in: an officer an administrator creates, the authenticator app's codes ---------


def totp(secret: str, at: float | None = None) -> str:
    """What an authenticator app shows for `secret` (RFC 6238: HMAC-SHA-1, 6 digits, 30 s)."""
    from cryptography.hazmat.primitives.hashes import SHA1
    from cryptography.hazmat.primitives.twofactor.totp import TOTP

    key = base64.b32decode(secret + "=" * (-len(secret) % 8), casefold=True)
    return TOTP(key, 6, SHA1(), 30, enforce_key_length=False).generate(at or time.time()).decode()


def fresh_code(secret: str) -> str:
    """A code with at least 5 s of its 30 left, so that it is still current when it arrives."""
    if time.time() % 30 > 25:
        time.sleep(30 - time.time() % 30)
    return totp(secret)


def an_admin_creates_an_officer(stack: Stack, username: str, temporary: str) -> None:
    """As docs/operations.md, 5: admin-create-user with a temporary password, agency and role."""
    import boto3

    from infra.devstack.config import REGION

    cognito = boto3.client(
        "cognito-idp",
        region_name=REGION,
        endpoint_url=stack.moto_url,
        aws_access_key_id="motcua-local",
        aws_secret_access_key="motcua-local",
    )
    pool = next(
        p["Id"] for p in cognito.list_user_pools(MaxResults=60)["UserPools"] if p["Name"].endswith("-staff")
    )
    cognito.admin_create_user(
        UserPoolId=pool,
        Username=username,
        TemporaryPassword=temporary,
        MessageAction="SUPPRESS",
        UserAttributes=[
            {"Name": "name", "Value": "Đỗ Minh Tâm"},
            {"Name": "custom:agency_code", "Value": FINANCE},
            {"Name": "custom:role", "Value": "receiver"},
        ],
    )


# --- fees paid online (docs/payments.md) ------------------------------------------------------

DRIVING_LICENCE = "3.000347"  # its 135,000 VND fee is paid online at filing, the desk waits for it


def driving_licence_through_api(stack: Stack) -> str:
    """A driving licence renewal filed by the demo citizen over HTTP: its fee is due."""
    from motcua.config.province import load_province
    from tests.examples import PNG, filing_body

    api, auth = f"{stack.url}/v1", citizen_headers(stack)

    def upload(content_type: str) -> str:
        content, name = (PDF, "giay.pdf") if content_type == "application/pdf" else (PNG, "anh.png")
        slot = requests.post(
            f"{api}/uploads",
            json={"filename": name, "content_type": content_type, "size": len(content)},
            headers=auth,
            timeout=10,
        ).json()
        files = {"file": (name, content, content_type)}
        sent = requests.post(slot["url"], data=slot["fields"], files=files, timeout=10)
        assert sent.ok, sent.text
        return str(slot["upload_id"])

    province = load_province(DEMO_PROVINCE)
    body = filing_body(province, DRIVING_LICENCE, stack.citizen.name, stack.citizen.username, upload)
    created = requests.post(
        f"{api}/dossiers", json=body, headers=auth | {"Idempotency-Key": str(uuid.uuid4())}, timeout=10
    )
    assert created.status_code == 201, created.text
    return str(created.json()["code"])


def payment_through_api(stack: Stack, code: str, choice: str | None = None) -> str:
    """An order for the dossier's fee; paid (or cancelled…) in the sandbox gateway when `choice` says.
    Returns the order's reference."""
    from urllib.parse import urlsplit

    started = requests.post(
        f"{stack.url}/v1/dossiers/{code}/payments", json={}, headers=citizen_headers(stack), timeout=10
    )
    assert started.status_code == 201, started.text
    order = started.json()
    if choice is not None:
        parts = urlsplit(order["pay_url"])
        chosen = requests.post(
            f"{parts.scheme}://{parts.netloc}/paymentv2/choose",
            data={"order": parts.query, "choice": choice},
            allow_redirects=False,
            timeout=30,
        )
        assert chosen.status_code == 303, chosen.text
    return str(order["ref"])
