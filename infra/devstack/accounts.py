"""The demo sign-ins: two citizens, staff in every role that has work, and an administrator."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from botocore.exceptions import ClientError

from .provision import create_citizen, create_staff

if TYPE_CHECKING:
    from motcua.config.province import Province
    from motcua.domain.catalog import Agency

    from .provision import Outputs

# Demo passwords, printed in the banner. Both pools ask for 12+ characters with upper and lower
# case, a digit and a symbol; these are for a laptop on loopback and nothing else.
CITIZEN_PASSWORD = "CongDan@2026"
STAFF_PASSWORD = "CanBo@Demo2026"


@dataclass(frozen=True)
class DemoAccount:
    pool: Literal["citizens", "staff"]
    username: str
    password: str
    name: str
    email: str
    phone: str | None = None
    agency: str | None = None
    agency_name: str | None = None
    role: str | None = None


CITIZENS = tuple(
    DemoAccount("citizens", email, CITIZEN_PASSWORD, name, email, phone)
    for email, name, phone in (
        ("an@example.vn", "Nguyễn Văn An", "+84901234567"),
        ("binh@example.vn", "Trần Thị Bình", "+84912345678"),
    )
)


def demo_accounts(province: Province) -> list[DemoAccount]:
    """Citizens first, then the staff of every agency not merged away, then one administrator.

    Every role that has work gets an account (docs/roles.md). An agency that receives procedures
    gets a `receiver` (the one-stop desk: canbo.<mailbox>), a processing `officer` (chuyenvien.…: it
    decides the dossiers the agency handles itself and its own steps of flows, and issues results)
    and a `leader` (lanhdao.…: escalations, a leader's step, the desk's colleague to forward to). Any
    other agency gets an `officer` (canbo.…), and a `leader` when a flow has a step there. The
    administrator (quantri.hethong) manages accounts and sees no dossier.
    """
    from motcua.domain.receiving import one_stop_desks

    # Its own procedures' desk, or another agency's it may receive (receiving anywhere).
    receiving = set(one_stop_desks(province))
    in_flows = {
        current.code
        for procedure in province.procedures
        if procedure.flow is not None
        for code in procedure.flow.agencies()
        if (current := province.current_agency(code)) is not None
    }
    staff: list[DemoAccount] = []
    leaders: list[DemoAccount] = []
    for agency in province.agencies:
        if agency.merged_into is not None:
            continue
        if agency.code in receiving:
            staff.append(_staff(agency, "canbo", "Cán bộ tiếp nhận", "receiver"))
            staff.append(_staff(agency, "chuyenvien", "Chuyên viên", "officer"))
        else:
            staff.append(_staff(agency, "canbo", "Cán bộ", "officer"))
        if agency.code in receiving | in_flows:
            leaders.append(_staff(agency, "lanhdao", "Lãnh đạo", "leader"))
    office = province.agencies[0]
    admin = DemoAccount(
        pool="staff",
        username="quantri.hethong",
        password=STAFF_PASSWORD,
        name="Quản trị hệ thống",
        email="quantri.hethong@example.gov.vn",
        agency=office.code,
        agency_name=office.name.vi,
        role="admin",
    )
    return [*CITIZENS, *staff, *leaders, admin]


def _staff(agency: Agency, prefix: str, title: str, role: str) -> DemoAccount:
    mailbox, _, domain = (agency.email or "").partition("@")
    short = _ascii(mailbox) or "cq" + "".join(ch for ch in agency.code if ch.isdigit())
    username = f"{prefix}.{short}"
    return DemoAccount(
        pool="staff",
        username=username,
        password=STAFF_PASSWORD,
        name=f"{title} {agency.name.vi}",
        email=f"{username}@{domain or 'example.gov.vn'}",
        agency=agency.code,
        agency_name=agency.name.vi,
        role=role,
    )


def _ascii(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in text.lower() if ch.isascii() and (ch.isalnum() or ch in "._-"))


def ensure_accounts(cognito: Any, outputs: Outputs, accounts: list[DemoAccount]) -> None:
    """Create the accounts that are missing; leave existing ones (and their passwords) alone."""
    for account in accounts:
        pool_id = outputs.citizen_pool_id if account.pool == "citizens" else outputs.staff_pool_id
        existing = _attributes(cognito, pool_id, account.username)
        if existing is not None:
            if (
                account.pool == "citizens"
                and account.phone
                and existing.get("phone_number_verified") != "true"
            ):
                # A demo citizen from an older data folder: its phone, like its email, counts as
                # verified, so that the outbox shows the SMS the platform sends to verified phones only.
                cognito.admin_update_user_attributes(
                    UserPoolId=pool_id,
                    Username=account.username,
                    UserAttributes=[{"Name": "phone_number_verified", "Value": "true"}],
                )
            continue
        if account.pool == "citizens":
            create_citizen(
                cognito,
                pool_id=pool_id,
                email=account.email,
                password=account.password,
                name=account.name,
                phone=account.phone or "",
            )
        else:
            assert account.agency is not None and account.role is not None
            create_staff(
                cognito,
                pool_id=pool_id,
                username=account.username,
                password=account.password,
                name=account.name,
                email=account.email,
                agency=account.agency,
                role=account.role,
            )


def _attributes(cognito: Any, pool_id: str, username: str) -> dict[str, str] | None:
    """The user's attributes; None when the pool has no such user."""
    try:
        user = cognito.admin_get_user(UserPoolId=pool_id, Username=username)
    except ClientError as error:
        if error.response["Error"]["Code"] == "UserNotFoundException":
            return None
        raise
    return {a["Name"]: a["Value"] for a in user.get("UserAttributes", [])}


def user_ids(cognito: Any, outputs: Outputs) -> dict[str, str]:
    """Every user of both pools, "<pool>/<sign-in name>" -> sub (what dossiers are filed under)."""
    ids: dict[str, str] = {}
    for pool, pool_id in (("citizens", outputs.citizen_pool_id), ("staff", outputs.staff_pool_id)):
        for page in cognito.get_paginator("list_users").paginate(UserPoolId=pool_id):
            for user in page["Users"]:
                attributes = {a["Name"]: a["Value"] for a in user.get("Attributes", [])}
                # Citizens sign in with their email; the pool's own username for them is an id.
                name = attributes.get("email") if pool == "citizens" else None
                ids[f"{pool}/{name or user['Username']}"] = attributes["sub"]
    return ids
