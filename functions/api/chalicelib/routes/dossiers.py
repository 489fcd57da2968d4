"""Uploads and dossiers: a citizen uploads files, files a dossier, reads it and adds papers when asked."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib.http.area import Area
from chalicelib.http.endpoints import Access, Header
from chalicelib.http.responses import Reply
from chalicelib.models import PageQuery
from chalicelib.routes import links
from motcua.domain.access import AccessKind
from motcua.domain.models import DossierRecord, Page
from motcua.presentation.views import (
    ControlSlip,
    DossierCreated,
    DossierSummary,
    DossierView,
    NotificationView,
)
from motcua.services.citizens import Supplement, Withdrawal
from motcua.services.dossiers import AuditTrail
from motcua.services.filing import IDEMPOTENCY_KEY_RE, FilingRequest
from motcua.services.uploads import UploadRequest, UploadSlot

if TYPE_CHECKING:
    from chalicelib.http.call import Call

area = Area(__name__, tag="dossiers")

IDEMPOTENCY_KEY = Header(
    "Idempotency-Key",
    "A key of the client's choosing (e.g. a UUID), the same on every retry of one filing: a retry "
    "returns the dossier the first attempt created, with `Idempotent-Replayed: true`.",
    required=True,
    schema={"type": "string", "pattern": IDEMPOTENCY_KEY_RE.pattern},
)


@area.route(
    "POST", "/v1/uploads", access=Access.SIGNED_IN, body=UploadRequest, response=UploadSlot, status=201
)
def create_upload(call: Call) -> UploadSlot:
    """A slot to upload one file straight to storage (a presigned POST with size and type conditions)."""
    return call.container.uploads.create_slot(call.principal, call.body(UploadRequest))


@area.route(
    "POST",
    "/v1/dossiers",
    access=Access.CITIZEN,
    body=FilingRequest,
    response=DossierCreated,
    status=201,
    headers=(IDEMPOTENCY_KEY,),
    response_headers={
        "Location": "Where the dossier is: `/v1/dossiers/{code}`.",
        "Idempotent-Replayed": "`true` when this answers a retry of an earlier request with the same key.",
    },
    # The receiving agency's inbox is where the dossier's first task waits.
    links=(*links.dossier("/code"), *links.agency("/agency")),
)
def file_dossier(call: Call) -> Reply:
    """File a dossier: checks the form and the uploaded files, numbers it and returns the receipt."""
    services = call.container
    result = services.filing.file(call.principal, call.body(FilingRequest), call.header("Idempotency-Key"))
    headers = {"Location": f"/v1/dossiers/{result.dossier.code}"}
    if result.replayed:
        headers["Idempotent-Replayed"] = "true"
    return Reply(services.presenter.created(result.dossier, call.language), headers=headers)


@area.route(
    "GET",
    "/v1/dossiers/{code}",
    access=Access.SIGNED_IN,
    response=DossierView,
    errors=(404,),
    links=links.task("/tasks/0/task_id"),  # staff see the dossier's tasks
)
def get_dossier(call: Call, code: str) -> DossierView:
    """A whole dossier, for its owner and for staff of the agencies involved."""
    return dossier_view(call, call.container.dossiers.get(call.principal, code))


@area.route(
    "POST",
    "/v1/dossiers/{code}/supplements",
    access=Access.CITIZEN,
    body=Supplement,
    response=DossierView,
    errors=(404, 409),
)
def add_papers(call: Call, code: str) -> DossierView:
    """Add the papers the agency asked for; the legal clock runs again from now."""
    return dossier_view(
        call, call.container.citizen_actions.supplement(call.principal, code, call.body(Supplement))
    )


@area.route(
    "GET", "/v1/dossiers/{code}/control-slip", access=Access.SIGNED_IN, response=ControlSlip, errors=(404,)
)
def get_control_slip(call: Call, code: str) -> ControlSlip:
    """The processing control slip (Mẫu 05): every hand-over, its allowance and whether it was on time."""
    services = call.container
    record = services.dossiers.get(call.principal, code, AccessKind.CONTROL_SLIP)
    return services.presenter.control_slip(record, call.language, services.clock.now())


@area.route("GET", "/v1/dossiers/{code}/audit", access=Access.STAFF, response=AuditTrail, errors=(404,))
def get_audit(call: Call, code: str) -> AuditTrail:
    """The dossier's audit trail, hash-chained; `check` says whether any entry was changed or removed.

    For leaders of the agencies involved and the receivers of the agency that received it.
    """
    return call.container.dossiers.audit(call.principal, code)


@area.route(
    "POST",
    "/v1/dossiers/{code}/withdrawal",
    access=Access.CITIZEN,
    body=Withdrawal,
    response=DossierView,
    errors=(404, 409),
)
def withdraw(call: Call, code: str) -> DossierView:
    """Withdraw a dossier that has no result yet (status 7); the agency's open tasks close."""
    return dossier_view(
        call, call.container.citizen_actions.withdraw(call.principal, code, call.body(Withdrawal))
    )


@area.route(
    "GET",
    "/v1/me/dossiers",
    access=Access.CITIZEN,
    query=PageQuery,
    response=Page[DossierSummary],
    links=links.dossier("/items/0/code"),
)
def my_dossiers(call: Call) -> Page[DossierSummary]:
    """The signed-in citizen's dossiers, newest first."""
    query = call.query(PageQuery)
    services = call.container
    page = services.dossiers.mine(call.principal, limit=query.limit, token=query.next_token)
    items = [services.presenter.summary(dossier, call.language) for dossier in page.items]
    return Page[DossierSummary](items=items, next_token=page.next_token)


def dossier_view(call: Call, record: DossierRecord) -> DossierView:
    """The whole dossier in the caller's language; staff also see its tasks."""
    services = call.container
    return services.presenter.dossier(
        record, call.language, viewer=call.principal, download_url=services.dossiers.download_url
    )


@area.route(
    "GET",
    "/v1/me/notifications",
    access=Access.CITIZEN,
    query=PageQuery,
    response=Page[NotificationView],
)
def my_notifications(call: Call) -> Page[NotificationView]:
    """The emails and SMS sent to the signed-in citizen about their dossiers, newest first (addresses
    masked)."""
    query = call.query(PageQuery)
    services = call.container
    page = services.messages.mine(call.principal, limit=query.limit, token=query.next_token)
    items = [services.presenter.notification(message, call.language) for message in page.items]
    return Page[NotificationView](items=items, next_token=page.next_token)
