"""The demo sign-ins: two citizens, and a member of staff for every agency that still does work."""

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
    """Citizens first, then one account per agency not merged away, then a leader per receiving agency.

    An agency that receives procedures gets a `receiver` (the one-stop desk that accepts
    dossiers) and a `leader`: the desk's colleague to forward a task to, and whom the sweep's
    escalations reach. The other agencies get an `officer`. Usernames come from the agency's
    mailbox: canbo.sotaichinh, lanhdao.sotaichinh, canbo.phuongbinhan, …
    """
    receiving = {
        current.code
        for procedure in province.procedures
        if (current := province.current_agency(procedure.agency)) is not None
    }
    staff: list[DemoAccount] = []
    leaders: list[DemoAccount] = []
    for agency in province.agencies:
        if agency.merged_into is not None:
            continue
        role = "receiver" if agency.code in receiving else "officer"
        staff.append(_staff(agency, "canbo", "Cán bộ", role))
        if agency.code in receiving:
            leaders.append(_staff(agency, "lanhdao", "Lãnh đạo", "leader"))
    return [*CITIZENS, *staff, *leaders]


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
