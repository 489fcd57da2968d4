"""Who may call what: every route of /v1/openapi.json × every caller × every object, against one table.

The API runs on in-memory fakes (`offline`), but the tokens are real JWTs checked by the real Cognito
verifier, against two user pools' keys generated here: forged tokens (another key, `alg: none`,
expired, the other pool's, an access token) meet the code that refuses them on AWS. A refused call is a
401, 403 or 404 carrying an error and none of the object's data; a route missing from the table fails,
so that a new route is refused to everyone until the table says otherwise (docs/roles.md).
"""

from __future__ import annotations

import io
import json
import re
import time
import zipfile
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from motcua.adapters.cognito import CognitoTokenVerifier, PoolRef
from motcua.domain.calendar import VIETNAM_TZ
from motcua.domain.models import PrincipalKind
from motcua.domain.payments import OrderState
from motcua.domain.roles import Role
from motcua.services.appointments import BookingRequest
from motcua.services.documents import available
from motcua.services.feedback import FeedbackRequest
from tests.conftest import DEMO_PROVINCE
from tests.fakes.world import World

if TYPE_CHECKING:
    from tests.fakes.world import Api, Reply

pytestmark = pytest.mark.offline

BUSINESS, FINANCE, TAX = "2.001610", "000.00.01.H99", "000.00.20.H99"  # Finance receives, then Tax
SOCIAL_INSURANCE = "000.00.22.H99"  # not in the flow

# --- the callers --------------------------------------------------------------------------------

ANONYMOUS = "anonymous"
OWNER = "owning citizen"
CITIZEN = "another citizen"
RECEIVER = "receiving officer"  # Finance's desk
OFFICER = "processing officer of the receiving agency"  # Finance
FLOW_OFFICER = "officer of an agency in the flow"  # Tax: held the step, then forwarded it
ASSIGNEE = "officer the step was forwarded to"  # Tax
UNRELATED = "officer of an unrelated agency"  # Social Insurance
LEADER = "leader of the receiving agency"  # Finance
FLOW_LEADER = "leader of an agency in the flow"  # Tax
ADMIN = "administrator"  # of Finance: accounts only
# Forged: each claims to be Finance's leader.
WRONG_KEY = "token signed with another key"
ALG_NONE = "token with alg: none"
EXPIRED = "expired token"
OTHER_POOL = "citizen pool token for the console's client"
CROSS_POOL = "citizen pool token claiming a staff role"  # a citizen, whatever it claims
ACCESS_TOKEN = "access token instead of an ID token"
ACCESS_WITH_AUD = "access token carrying an audience"

CALLERS = (
    *(ANONYMOUS, OWNER, CITIZEN, RECEIVER, OFFICER, FLOW_OFFICER, ASSIGNEE, UNRELATED, LEADER, FLOW_LEADER),
    *(ADMIN, WRONG_KEY, ALG_NONE, EXPIRED, OTHER_POOL, CROSS_POOL, ACCESS_TOKEN, ACCESS_WITH_AUD),
)
EVERYONE = frozenset(CALLERS)
CITIZENS = frozenset({OWNER, CITIZEN, CROSS_POOL})
FINANCE_WORK = frozenset({RECEIVER, OFFICER, LEADER})
TAX_WORK = frozenset({FLOW_OFFICER, ASSIGNEE, FLOW_LEADER})

# --- the objects --------------------------------------------------------------------------------
# NEW: a business registration just filed at Finance (status 1), its desk task open.
# STEP: the same procedure in its flow: Finance's step approved, Tax's step forwarded by its officer
#   to a colleague (its task is the forwarded one; its agency Tax).
# DESK: that dossier's desk task at Finance, waiting for the flow.
NEW, STEP, DESK = "new dossier", "forwarded step", "desk task waiting for the flow"
OBJECTS = (NEW, STEP, DESK)


@dataclass(frozen=True)
class Rule:
    """Who may call a route, per object (or for all, `anyone`); `blind`: allowed, but sees none of it."""

    allowed: dict[str, frozenset[str]] = field(default_factory=dict)
    blind: frozenset[str] = frozenset()
    body: dict[str, Any] | None = None
    changes: bool = False  # an allowed call changes the object: the world is built again after it
    query: str = ""  # appended to the path: what an allowed call needs to be answered

    def who(self, obj: str) -> frozenset[str]:
        return self.allowed.get(obj, self.allowed.get("*", frozenset())) | self.blind


def everywhere(callers: frozenset[str], **rest: Any) -> Rule:
    return Rule(allowed={"*": callers}, **rest)


def per_object(new: frozenset[str], step: frozenset[str], desk: frozenset[str], **rest: Any) -> Rule:
    return Rule(allowed={NEW: new, STEP: step, DESK: desk}, **rest)


# Readers of a dossier: its owner and the working staff of the agencies it has been to.
READERS = per_object(
    new=FINANCE_WORK | {OWNER}, step=FINANCE_WORK | TAX_WORK | {OWNER}, desk=FINANCE_WORK | TAX_WORK | {OWNER}
)
# The statistics: leaders see their agency and those merged into it, administrators any (docs/statistics.md).
STATS_READERS = frozenset({LEADER, FLOW_LEADER, ADMIN})
PERIOD = "?from=2026-01&to=2026-11"
RATING = {"overall": 4, "convenience": 4, "on_time": 5, "attitude": 5, "contacts": 1}
# THE TABLE: every route of the API. Bodies are chosen so that an allowed call is answered without
# changing the object (a refusal without its reason is a 422, a result of an unfinished flow a 409).
TABLE: dict[tuple[str, str], Rule] = {
    # public
    ("GET", "/v1/health"): everywhere(EVERYONE),
    ("GET", "/v1/openapi.json"): everywhere(EVERYONE),
    ("GET", "/v1/procedures"): everywhere(EVERYONE),
    ("GET", "/v1/procedures/{procedure_code}"): everywhere(EVERYONE),
    ("GET", "/v1/agencies"): everywhere(EVERYONE),
    ("GET", "/v1/public/results"): everywhere(EVERYONE),
    ("GET", "/v1/statistics"): everywhere(STATS_READERS, query=PERIOD),
    ("GET", "/v1/statistics/export"): everywhere(STATS_READERS, query=PERIOD + "&format=xlsx"),
    ("GET", "/v1/statistics/late-procedures"): everywhere(STATS_READERS, query=PERIOD),
    ("GET", "/v1/statistics/due"): everywhere(STATS_READERS),
    # the dossiers behind Finance's number: its leader and the administrators, not Tax's leader
    ("GET", "/v1/statistics/dossiers"): everywhere(
        frozenset({LEADER, ADMIN}), query=f"?agency={FINANCE}&month=2026-11&column=received_online"
    ),
    ("GET", "/v1/catalog"): everywhere(EVERYONE),
    ("GET", "/v1/tracking/{code}"): everywhere(EVERYONE),  # status and timeline, no personal data
    ("POST", "/v1/verify"): everywhere(EVERYONE, body={}),
    ("POST", "/v1/auth/citizens/sign-up"): everywhere(EVERYONE, body={}),
    ("POST", "/v1/auth/citizens/confirm"): everywhere(EVERYONE, body={}),
    ("POST", "/v1/auth/citizens/sign-in"): everywhere(EVERYONE, body={}),
    ("POST", "/v1/auth/staff/sign-in"): everywhere(EVERYONE, body={}),
    ("POST", "/v1/auth/staff/challenge"): everywhere(EVERYONE, body={}),
    ("POST", "/v1/auth/staff/mfa-setup"): everywhere(EVERYONE, body={}),
    ("POST", "/v1/auth/refresh"): everywhere(EVERYONE, body={}),
    ("POST", "/v1/auth/citizens/password-reset"): everywhere(EVERYONE, body={}),
    ("POST", "/v1/auth/citizens/password-reset/confirm"): everywhere(EVERYONE, body={}),
    # appointments (docs/counter.md): places per slot public, bookings the booker's, the kiosk's check-in
    # public (a booking of tomorrow: 409 for everyone now)
    ("GET", "/v1/appointments/centres"): everywhere(EVERYONE),
    ("GET", "/v1/appointments/slots"): everywhere(EVERYONE),
    ("POST", "/v1/appointments"): everywhere(CITIZENS, body={}),
    ("GET", "/v1/me/appointments"): everywhere(frozenset({OWNER}), blind=frozenset({CITIZEN, CROSS_POOL})),
    ("GET", "/v1/appointments/{booking_code}"): everywhere(frozenset({OWNER})),
    ("POST", "/v1/appointments/{booking_code}/cancel"): everywhere(frozenset({OWNER}), body={}, changes=True),
    ("POST", "/v1/appointments/{booking_code}/check-in"): everywhere(EVERYONE, body={}),
    # the centre's day of bookings: the receivers and leaders of an agency staffing one of its counters
    ("GET", "/v1/centres/{centre_id}/appointments"): everywhere(frozenset({RECEIVER, LEADER})),
    # citizens
    ("POST", "/v1/dossiers"): everywhere(CITIZENS, body={}),
    ("GET", "/v1/me/dossiers"): everywhere(frozenset({OWNER}), blind=frozenset({CITIZEN, CROSS_POOL})),
    ("GET", "/v1/me/export"): everywhere(frozenset({OWNER}), blind=frozenset({CITIZEN, CROSS_POOL})),
    # a citizen's own drafts: another citizen's answer is about their own (none), never the owner's
    ("GET", "/v1/me/drafts"): everywhere(frozenset({OWNER}), blind=frozenset({CITIZEN, CROSS_POOL})),
    ("GET", "/v1/me/drafts/{procedure_code}"): everywhere(frozenset({OWNER})),
    ("PUT", "/v1/me/drafts/{procedure_code}"): everywhere(CITIZENS),  # a save of one's own (400: no body)
    ("DELETE", "/v1/me/drafts/{procedure_code}"): everywhere(frozenset({OWNER}), changes=True),
    ("GET", "/v1/me/notifications"): everywhere(frozenset({OWNER}), blind=frozenset({CITIZEN, CROSS_POOL})),
    ("POST", "/v1/dossiers/{code}/supplements"): everywhere(
        frozenset({OWNER}), body={"attachments": [{"upload_id": "0" * 32, "paper_code": "x"}]}
    ),
    ("POST", "/v1/dossiers/{code}/withdrawal"): everywhere(
        frozenset({OWNER}), body={"reason": "Không cần nữa"}, changes=True
    ),
    # citizens, the counter (papers for a walk-in intake), and staff who issue results (PDF only)
    ("POST", "/v1/uploads"): everywhere(
        CITIZENS | {RECEIVER, OFFICER, LEADER, FLOW_OFFICER, ASSIGNEE, FLOW_LEADER, UNRELATED},
        body={"filename": "ket-qua.pdf", "content_type": "application/pdf", "size": 1000},
    ),
    # a dossier and its documents
    ("GET", "/v1/dossiers/{code}"): READERS,
    # fees paid online (docs/payments.md): the owner pays; the order and the fee for the owner and the
    # desk; the gateway's IPN and return are public (the IPN is verified by its signature)
    ("POST", "/v1/dossiers/{code}/payments"): everywhere(frozenset({OWNER}), body={}, changes=True),
    ("GET", "/v1/dossiers/{code}/fee"): READERS,
    ("GET", "/v1/payments/{ref}"): everywhere(FINANCE_WORK | {OWNER}),
    ("GET", "/v1/payments/vnpay/ipn"): everywhere(EVERYONE),
    ("GET", "/v1/payments/vnpay/return"): everywhere(EVERYONE),
    # financial obligations, status 6 (docs/payments.md): the task's holder or the desk asks and cancels
    # (409 for a dossier not in process, a task waiting, nothing due); the readers see it (409: none
    # asked for), the owner pays (409: nothing due)
    ("POST", "/v1/tasks/{task_id}/obligation"): per_object(
        new=FINANCE_WORK,
        step=frozenset({ASSIGNEE, FLOW_LEADER}),  # the step in process: asked (201)
        desk=FINANCE_WORK,
        body={"amount_vnd": 1000, "items": [{"name": "Lệ phí", "amount_vnd": 1000}], "reason": "Thuế"},
        changes=True,
    ),
    ("POST", "/v1/tasks/{task_id}/obligation/cancel"): per_object(
        new=FINANCE_WORK, step=frozenset({ASSIGNEE, FLOW_LEADER}), desk=FINANCE_WORK, body={}
    ),
    ("GET", "/v1/dossiers/{code}/obligation"): READERS,
    ("POST", "/v1/dossiers/{code}/obligation/payments"): everywhere(frozenset({OWNER}), body={}),
    # payment receipts (biên lai): the dossier's readers; one receipt, for the owner and the staff of
    # the agencies involved in the paid order's dossier (a pending order has none: 404 once allowed)
    ("GET", "/v1/dossiers/{code}/payment-receipts"): READERS,
    ("GET", "/v1/payments/{ref}/receipt"): everywhere(FINANCE_WORK | {OWNER}),
    # refunds (docs/payments.md): the collecting agency's desk and leaders refund (this paid fee's dossier
    # is not refused: 409 for them); a dossier's payments for its readers
    ("POST", "/v1/payments/{ref}/refund"): everywhere(
        frozenset({RECEIVER, LEADER}), body={"reason": "Hồ sơ không được tiếp nhận"}
    ),
    ("GET", "/v1/dossiers/{code}/payments"): READERS,
    ("GET", "/v1/dossiers/{code}/control-slip"): READERS,
    ("GET", "/v1/dossiers/{code}/documents"): READERS,
    ("GET", "/v1/dossiers/{code}/documents/{name}"): READERS,
    ("GET", "/v1/dossiers/{code}/audit"): per_object(
        new=frozenset({RECEIVER, LEADER}),
        step=frozenset({RECEIVER, LEADER, FLOW_LEADER}),
        desk=frozenset({RECEIVER, LEADER, FLOW_LEADER}),
    ),
    ("POST", "/v1/dossiers/{code}/results"): everywhere(frozenset({OFFICER, LEADER}), body={"render": True}),
    # the counter: a walk-in intake at the agency's desk (a 422: no such procedure), docs/counter.md
    ("POST", "/v1/agencies/{agency_code}/intake"): per_object(
        new=frozenset({RECEIVER, LEADER}),
        step=frozenset({FLOW_LEADER}),  # Tax's leader at Tax's desk (which receives nothing: a 422)
        desk=frozenset({RECEIVER, LEADER}),
        body={
            "procedure_code": "0.000000",
            "applicant": {
                "full_name": "Người Nộp Tại Quầy",
                "id_number": "001090012345",
                "phone": "0912345678",
                "address": "Số 2 đường Lê Lợi",
            },
        },
    ),
    # an agency's work
    ("GET", "/v1/agencies/{agency_code}/tasks"): per_object(
        new=FINANCE_WORK, step=TAX_WORK, desk=FINANCE_WORK
    ),
    ("GET", "/v1/agencies/{agency_code}/escalations"): per_object(
        new=frozenset({LEADER}), step=frozenset({FLOW_LEADER}), desk=frozenset({LEADER})
    ),
    # who opened the personal data of an agency's dossiers, or of one dossier: leaders (docs/privacy.md)
    ("GET", "/v1/agencies/{agency_code}/access-log"): per_object(
        new=frozenset({LEADER}), step=frozenset({FLOW_LEADER}), desk=frozenset({LEADER})
    ),
    ("GET", "/v1/dossiers/{code}/access-log"): per_object(
        new=frozenset({LEADER}),
        step=frozenset({LEADER, FLOW_LEADER}),
        desk=frozenset({LEADER, FLOW_LEADER}),
    ),
    ("GET", "/v1/tasks/{task_id}"): per_object(new=FINANCE_WORK, step=TAX_WORK, desk=FINANCE_WORK),
    ("POST", "/v1/tasks/{task_id}/decision"): per_object(
        new=frozenset({RECEIVER, LEADER}),  # the desk: refuse (422 without its reason)
        step=frozenset({ASSIGNEE, FLOW_LEADER}),  # forwarded: not its former holder; reject (422)
        desk=frozenset({RECEIVER, LEADER}),  # the desk: refuse (409: the task waits for the flow)
        body={"action": "refuse"},
    ),
    # feedback (docs/feedback.md): the sender's own; the agency's officers and leaders (not its receivers)
    ("POST", "/v1/feedback"): everywhere(CITIZENS, body={}),  # 422: no subject
    ("GET", "/v1/me/feedback"): everywhere(frozenset({OWNER}), blind=frozenset({CITIZEN, CROSS_POOL})),
    ("GET", "/v1/feedback/public"): everywhere(EVERYONE),
    ("GET", "/v1/agencies/{agency_code}/feedback"): per_object(
        new=frozenset({OFFICER, LEADER}),
        step=frozenset({FLOW_OFFICER, ASSIGNEE, FLOW_LEADER}),
        desk=frozenset({OFFICER, LEADER}),
    ),
    ("GET", "/v1/feedback/{feedback_code}"): everywhere(frozenset({OWNER, OFFICER, LEADER})),
    ("POST", "/v1/feedback/{feedback_code}/answer"): everywhere(
        frozenset({OFFICER, LEADER}), body={"text": "Hồ sơ đã được chuyển xử lý."}, changes=True
    ),
    ("POST", "/v1/feedback/{feedback_code}/publication"): everywhere(  # 409: not answered yet
        frozenset({OFFICER, LEADER}),
        body={"subject": "Hồ sơ chậm", "question": "Vì sao hồ sơ chậm?", "answer": "Do thiếu giấy tờ."},
    ),
    # queue tickets (docs/counter.md): the kiosk, the board and a ticket's page need no sign-in; a
    # counter (Finance's counter 1) is worked by its agency's receivers and leaders
    ("GET", "/v1/centres"): everywhere(EVERYONE),
    ("GET", "/v1/centres/{centre_id}/kiosk"): everywhere(EVERYONE),
    ("POST", "/v1/centres/{centre_id}/tickets"): everywhere(EVERYONE, body={"service": "Z"}),  # 422
    ("GET", "/v1/centres/{centre_id}/board"): everywhere(EVERYONE),
    ("GET", "/v1/centres/{centre_id}/tickets/{day}/{ticket_id}"): everywhere(EVERYONE),
    ("GET", "/v1/centres/{centre_id}/counters/{number}"): everywhere(frozenset({RECEIVER, LEADER})),
    ("POST", "/v1/centres/{centre_id}/counters/{number}/next"): everywhere(
        frozenset({RECEIVER, LEADER}), body={}, changes=True
    ),
    ("POST", "/v1/centres/{centre_id}/counters/{number}/recall"): everywhere(
        frozenset({RECEIVER, LEADER}), body={}
    ),
    ("POST", "/v1/centres/{centre_id}/counters/{number}/no-show"): everywhere(
        frozenset({RECEIVER, LEADER}), body={}
    ),
    ("POST", "/v1/centres/{centre_id}/counters/{number}/done"): everywhere(
        frozenset({RECEIVER, LEADER}), body={}
    ),
    ("POST", "/v1/centres/{centre_id}/counters/{number}/transfer"): everywhere(
        frozenset({RECEIVER, LEADER}),
        body={},  # 422: neither a service nor a counter
    ),
    # the Decision 766 indicators (docs/indicators.md): leaders (their own agency by default) and
    # administrators (the province by default)
    ("GET", "/v1/statistics/indicators"): everywhere(frozenset({LEADER, FLOW_LEADER, ADMIN})),
    # satisfaction ratings (docs/ratings.md): the owner's on the portal (409: the dossier has no result
    # yet), anyone holding the final message's link (its token, for the new dossier: 409 too), and
    # an agency's tallies and comments for its staff, its administrator included
    ("GET", "/v1/ratings/criteria"): everywhere(EVERYONE),
    ("GET", "/v1/dossiers/{code}/rating"): everywhere(frozenset({OWNER})),
    ("POST", "/v1/dossiers/{code}/rating"): everywhere(frozenset({OWNER}), body=RATING),
    ("GET", "/v1/rating-links/{token}"): everywhere(EVERYONE),
    ("POST", "/v1/rating-links/{token}"): everywhere(EVERYONE, body=RATING),
    ("GET", "/v1/agencies/{agency_code}/ratings"): per_object(
        new=FINANCE_WORK | {ADMIN}, step=TAX_WORK, desk=FINANCE_WORK | {ADMIN}
    ),
}
DENIED = {401, 403, 404}


# --- two user pools and their tokens ------------------------------------------------------------

REGION = "ap-southeast-1"
CITIZEN_POOL = PoolRef(PrincipalKind.CITIZEN, f"{REGION}_Citizens", "portal-client")
STAFF_POOL = PoolRef(PrincipalKind.STAFF, f"{REGION}_Staff", "console-client")


def _issuer(pool: PoolRef) -> str:
    return f"https://cognito-idp.{REGION}.amazonaws.com/{pool.pool_id}"


class Pools:
    """Both pools' signing keys, their JWKS as the verifier fetches it, and tokens as Cognito issues them."""

    def __init__(self) -> None:
        self.keys = {pool.pool_id: _key() for pool in (CITIZEN_POOL, STAFF_POOL)}

    def fetch(self, url: str) -> dict[str, Any]:
        pool_id = url.split("/")[-3]
        public = jwt.algorithms.RSAAlgorithm.to_jwk(self.keys[pool_id].public_key(), as_dict=True)
        return {"keys": [public | {"kid": f"{pool_id}-1", "alg": "RS256", "use": "sig"}]}

    def verifier(self) -> CognitoTokenVerifier:
        return CognitoTokenVerifier([CITIZEN_POOL, STAFF_POOL], region=REGION, fetch=self.fetch)

    def token(
        self,
        pool: PoolRef,
        claims: dict[str, Any],
        *,
        key: Any = None,
        use: str = "id",
        ttl: int = 3600,
    ) -> str:
        now = int(time.time())
        # Cognito's ID tokens name the app client as their audience; its access tokens as client_id.
        audience = {"aud": pool.client_id} if use == "id" else {"client_id": pool.client_id}
        body = {
            "iss": _issuer(pool),
            "iat": now - 60,
            "exp": now + ttl,
            "token_use": use,
            **audience,
            **claims,
        }
        private = key or self.keys[pool.pool_id]
        return jwt.encode(body, private, algorithm="RS256", headers={"kid": f"{pool.pool_id}-1"})


def _unsigned(claims: dict[str, Any]) -> str:
    """The same claims with `alg: none` and no signature."""
    return jwt.encode(claims, None, algorithm="none", headers={"kid": f"{STAFF_POOL.pool_id}-1"})


def _key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _citizen(sub: str) -> dict[str, Any]:
    return {"sub": sub, "cognito:username": sub, "email": f"{sub}@example.vn", "email_verified": True}


def _staff(username: str, agency: str, role: Role) -> dict[str, Any]:
    return {
        "sub": username,
        "cognito:username": username,
        "name": username,
        "custom:agency_code": agency,
        "custom:role": role.value,
    }


# --- the world the calls are made in ------------------------------------------------------------


@dataclass
class Scene:
    world: World
    tokens: dict[str, str | None]
    params: dict[str, dict[str, str]]  # object -> path parameters
    secrets: dict[str, tuple[str, ...]]  # object -> what a refused answer must not show


STAFF = {
    RECEIVER: ("tiepnhan.stc", FINANCE, Role.RECEIVER),
    OFFICER: ("chuyenvien.stc", FINANCE, Role.OFFICER),
    LEADER: ("lanhdao.stc", FINANCE, Role.LEADER),
    ADMIN: ("quantri.stc", FINANCE, Role.ADMIN),
    FLOW_OFFICER: ("canbo.thue", TAX, Role.OFFICER),
    ASSIGNEE: ("chuyenvien.thue", TAX, Role.OFFICER),
    FLOW_LEADER: ("lanhdao.thue", TAX, Role.LEADER),
    UNRELATED: ("canbo.bhxh", SOCIAL_INSURANCE, Role.OFFICER),
}


def build(pools: Pools) -> Scene:
    world = World(DEMO_PROVINCE)
    staff = {name: world.staff(agency, role, username) for name, (username, agency, role) in STAFF.items()}
    owner = world.citizen("Phạm Thị Chủ Hồ Sơ")
    new = world.file(owner, BUSINESS).code
    flowing = world.file(owner, BUSINESS).code
    world.decide(staff[RECEIVER], f"{flowing}-T1", "accept")
    world.decide(staff[OFFICER], f"{flowing}-T1.1", "approve")
    decision = {"action": "forward", "to": STAFF[ASSIGNEE][0]}
    with world.api() as api:
        forwarded = api.call("POST", f"/v1/tasks/{flowing}-T2.1/decision", staff[FLOW_OFFICER], decision)
    assert forwarded.status == 200, forwarded.body
    # The owner's draft of the procedure, with their name in it.
    draft = {"answers": {"applicant": {"full_name": "Phạm Thị Chủ Hồ Sơ"}}}
    with world.api() as api:
        saved = api.call("PUT", f"/v1/me/drafts/{BUSINESS}", owner, draft, If_None_Match="*")
    assert saved.status == 200, saved.body
    assert world.deliver()  # the owner's notifications name the dossiers: another citizen must not see them
    world.container.verifier = pools.verifier()  # from now on, only real tokens

    leader = _staff(*STAFF[LEADER])
    tokens: dict[str, str | None] = {
        ANONYMOUS: None,
        OWNER: pools.token(CITIZEN_POOL, _citizen(owner.sub)),
        CITIZEN: pools.token(CITIZEN_POOL, _citizen("another-citizen")),
        **{name: pools.token(STAFF_POOL, _staff(*STAFF[name])) for name in STAFF},
        WRONG_KEY: pools.token(STAFF_POOL, leader, key=_key()),
        ALG_NONE: _unsigned(jwt.decode(pools.token(STAFF_POOL, leader), options={"verify_signature": False})),
        EXPIRED: pools.token(STAFF_POOL, leader, ttl=-120),
        OTHER_POOL: pools.token(CITIZEN_POOL, {**leader, "aud": STAFF_POOL.client_id}),
        CROSS_POOL: pools.token(CITIZEN_POOL, {**leader, **_citizen("cross-pool")}),
        ACCESS_TOKEN: pools.token(STAFF_POOL, leader, use="access"),
        ACCESS_WITH_AUD: pools.token(STAFF_POOL, {**leader, "aud": STAFF_POOL.client_id}, use="access"),
    }
    document = available(world.record(new))[0].name
    params = {
        NEW: {"code": new, "task_id": f"{new}-T1", "agency_code": FINANCE},
        STEP: {"code": flowing, "task_id": f"{flowing}-T2.1", "agency_code": TAX},
        DESK: {"code": flowing, "task_id": f"{flowing}-T1", "agency_code": FINANCE},
    }
    tomorrow = world.clock.now().astimezone(VIETNAM_TZ).replace(hour=9, minute=30) + timedelta(days=1)
    booking = world.container.appointments.book(
        owner, BookingRequest(centre="tinh", service="A", start=tomorrow)
    )
    ticket = world.container.queue.issue("tinh", "A").ticket  # the demo centre is open on the world's clock
    feedback = world.container.feedback.send(
        owner, FeedbackRequest(dossier_code=new, subject="Hồ sơ chậm", text="Hồ sơ của tôi chưa được xử lý.")
    )
    order = world.container.payments.start(owner, new, client_ip="127.0.0.1", language="vi").ref
    # Paid (as its IPN would record it), so that it has a receipt.
    pending = world.payments.order(order)
    assert pending is not None
    world.payments.settle(
        pending.model_copy(
            update={"state": OrderState.PAID, "transaction_no": "14012345", "confirmed_at": world.clock.now()}
        )
    )
    for values in params.values():
        values |= {"name": document, "procedure_code": BUSINESS, "booking_code": booking.code}
        values |= {"centre_id": "tinh", "number": "1", "day": ticket.day.isoformat(), "ticket_id": ticket.id}
        values |= {"ref": order}
        values |= {"feedback_code": feedback.code}
        values |= {"token": world.container.ratings.link(new).rsplit("/", 1)[1]}
    applicant = world.record(new).dossier.applicant
    personal = (applicant.full_name, applicant.id_number, applicant.phone)
    secrets = {NEW: (new, *personal), STEP: (flowing, *personal), DESK: (flowing, *personal)}
    return Scene(world, tokens, params, secrets)


@pytest.fixture(scope="module")
def pools() -> Pools:
    return Pools()


@pytest.fixture(scope="module")
def routes(pools: Pools) -> list[tuple[str, str]]:
    """Every operation of the app's own /v1/openapi.json."""
    scene = build(pools)
    with scene.world.api() as api:
        document = api.call("GET", "/v1/openapi.json").body
    return sorted((method.upper(), path) for path, ops in document["paths"].items() for method in ops)


def test_every_route_of_the_openapi_document_is_in_the_table(routes: list[tuple[str, str]]) -> None:
    missing = [route for route in routes if route not in TABLE]
    assert not missing, f"routes without a line in the authorization table: {missing}"
    stale = [route for route in TABLE if route not in routes]
    assert not stale, f"lines of the table for routes the API no longer has: {stale}"


def test_every_caller_gets_exactly_what_the_table_allows_and_refusals_show_nothing(
    pools: Pools, routes: list[tuple[str, str]]
) -> None:
    problems: list[str] = []
    scene = build(pools)
    calls = 0
    for method, path in routes:
        rule = TABLE.get((method, path))
        if rule is None:
            continue  # reported by the test above
        objects = OBJECTS if re.search(r"\{(code|task_id|agency_code)\}", path) else (NEW,)
        for obj in objects:
            allowed = rule.who(obj)
            # The refused first: what they do must not change anything the allowed then see.
            for caller in sorted(CALLERS, key=lambda c: c in allowed):
                with scene.world.api() as api:
                    answer = _call(api, scene, method, path, obj, caller, rule)
                calls += 1
                problems += _judge(scene, method, path, obj, caller, rule, answer)
            if rule.changes:
                scene = build(pools)
    assert calls > len(routes) * len(CALLERS)
    assert not problems, "\n".join(problems)


def _call(api: Api, scene: Scene, method: str, path: str, obj: str, caller: str, rule: Rule) -> Reply:
    concrete = re.sub(r"\{(\w+)\}", lambda m: scene.params[obj][m.group(1)], path)
    token = scene.tokens[caller]
    # As a browser asks: API Gateway sends a binary answer (a PDF) only to a request whose Accept takes it.
    headers = {"Accept": "*/*"} | ({"Authorization": f"Bearer {token}"} if token else {})
    return api.call(method, concrete + rule.query, None, rule.body if method == "POST" else None, **headers)


def _readable(body: Any) -> str:
    """An answer as text to search: JSON, text, a PDF's bytes, or every file of a ZIP archive."""
    if isinstance(body, str):
        return body
    if not isinstance(body, bytes):
        return json.dumps(body, ensure_ascii=False)
    if body.startswith(b"PK"):
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            return "\n".join(archive.read(name).decode(errors="replace") for name in archive.namelist())
    return body.decode(errors="replace")


def _judge(
    scene: Scene, method: str, path: str, obj: str, caller: str, rule: Rule, answer: Reply
) -> list[str]:
    where = f"{method} {path} [{obj}] as {caller}: {answer.status}"
    text = _readable(answer.body)
    if answer.status >= 500:
        return [f"{where} — a server error: {text[:200]}"]
    if caller in rule.who(obj):
        if answer.status in DENIED:
            return [f"{where} — refused, but the table allows it: {text[:200]}"]
        if caller in rule.blind and any(secret in text for secret in scene.secrets[obj]):
            return [f"{where} — allowed, but shows another person's dossier"]
        return []
    problems = []
    if answer.status not in DENIED:
        problems.append(f"{where} — not refused, but the table does not allow it: {text[:200]}")
    if not isinstance(answer.body, dict) or set(answer.body) != {"error"}:
        problems.append(f"{where} — a refusal carries more than an error: {text[:200]}")
    leaked = [secret for secret in scene.secrets[obj] if secret in text]
    if leaked:
        problems.append(f"{where} — a refusal shows the object's data: {leaked}")
    return problems
