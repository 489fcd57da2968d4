"""The daily reconciliation in the local stack: `make reconcile [DAY=yyyy-mm-dd]` (docs/payments.md).

On AWS a schedule invokes functions/reconcile each morning for the day before. Locally the running
`make dev` serves `GET /v1/dev/reconcile?day=` (its own route, never on AWS), which calls the same
handler as Lambda would against the stack's table and its sandbox gateway's file of the day; this
command asks it. At start the stack runs yesterday's, after making the demo's lost payment.
"""

from __future__ import annotations

import argparse
import json
import sys
import urllib.error
import urllib.request
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from .queues import LocalContext

if TYPE_CHECKING:
    from motcua.container import Container

    from .accounts import DemoAccount
    from .queues import Handler
    from .sandbox_gateway import SandboxGateway

RECONCILE_PATH = "/v1/dev/reconcile"


class LocalReconcile:
    """The local route: `?day=yyyy-mm-dd` (yesterday if absent) → the handler's summary, or its error."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler

    def __call__(self, query: str) -> dict[str, Any]:
        day = parse_qs(query).get("day", [""])[-1]
        try:
            if day:
                date.fromisoformat(day)
            return {"ok": True, **self.handler({"day": day} if day else {}, LocalContext())}
        except Exception as error:  # the developer reads it in the answer
            return {"ok": False, "error": f"{type(error).__name__}: {error}"}


def seed_lost_payment(
    container: Container, sandbox: SandboxGateway, accounts: list[DemoAccount], subs: dict[str, str]
) -> str | None:
    """The demo's difference: yesterday An paid her birth registration's financial obligation (the
    demo's, obligation_demo.py), the gateway took the money, and its IPN never came (the sandbox's
    "success, no IPN"): the dossier still waits for it. The order is made as of yesterday afternoon,
    once per day of data; the sandbox, which forgets at each start, is told of the payment again."""
    from motcua.container import Container as Built
    from motcua.domain.models import Principal, PrincipalKind
    from motcua.domain.obligations import ObligationState
    from motcua.domain.payments import OrderState
    from motcua.domain.reconciliation import VIETNAM
    from motcua.domain.status import Status

    from .sandbox_gateway import remember_lost

    citizen = next((a for a in accounts if a.pool == "citizens"), None)
    sub = subs.get(f"citizens/{citizen.username}") if citizen else None
    if citizen is None or sub is None or container.province.payments is None:
        return None
    yesterday = datetime.now(UTC).astimezone(VIETNAM).date() - timedelta(days=1)
    at = datetime(yesterday.year, yesterday.month, yesterday.day, 15, 30, tzinfo=VIETNAM)
    order = next(
        (
            o
            for o in container.reconciliation.store.orders_created(yesterday)
            if o.owner == sub and o.state is OrderState.PENDING
        ),
        None,
    )
    if order is None:
        who = Principal(
            sub=sub,
            kind=PrincipalKind.CITIZEN,
            username=citizen.username,
            name=citizen.name,
            email=citizen.email,
            email_verified=True,
        )
        waiting = next(
            (
                d
                for d in container.dossiers.mine(who, limit=100, token=None).items
                if d.status is Status.FEES_DUE and d.obligation and d.obligation.state is ObligationState.DUE
            ),
            None,
        )
        if waiting is None:
            return None
        then = Built(container.settings, clock=_Fixed(at))  # the order as of yesterday afternoon
        ref = then.obligations.pay(who, waiting.code, client_ip="127.0.0.1", language="vi").ref
        order = then.payments.store.order(ref)
    if order is None:
        return None
    paid_at = order.created_at + timedelta(minutes=2)
    remember_lost(sandbox, order.ref, amount_vnd=order.amount_vnd, paid_at=paid_at)
    return order.ref


class _Fixed:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m infra.devstack.reconcile", description=__doc__.split("\n")[0]
    )
    parser.add_argument(
        "--day", default="", help="the day to reconcile, yyyy-mm-dd (yesterday, Vietnam time)"
    )
    args = parser.parse_args(argv)
    from .config import ConfigError, StackConfig

    try:
        config = StackConfig.from_env()
    except ConfigError as error:
        print(f"reconcile: {error}", file=sys.stderr)
        return 2
    url = f"{config.portal_url}{RECONCILE_PATH}" + (f"?day={args.day}" if args.day else "")
    try:
        with urllib.request.urlopen(url, timeout=120) as answer:  # noqa: S310 — the local stack's loopback
            done = json.loads(answer.read())
    except (urllib.error.URLError, OSError):
        print(
            f"reconcile: no local stack answers at {config.portal_url}; start it with `make dev`.",
            file=sys.stderr,
        )
        return 1
    if not done.get("ok"):
        print(f"reconcile: {done.get('error')}", file=sys.stderr)
        return 1
    print(
        f"reconcile {done['day']}: {done['differences']} differences "
        f"(paid there, not here {done['paid_there_not_here']}; amounts differ {done['amount_differs']}; "
        f"here, not there {done['here_not_there']}); {done['here_count']} payments here, "
        f"{done['there_count']} at the gateway. The report: {config.portal_url}/#/payments/reconciliation"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
