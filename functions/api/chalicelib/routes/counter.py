"""The one-stop counter: a receiving officer files a dossier for the person in front of it (walk-in)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib.http.area import Area
from chalicelib.http.endpoints import Access
from chalicelib.http.responses import Reply
from chalicelib.routes.dossiers import IDEMPOTENCY_KEY
from motcua.domain.status import Status
from motcua.presentation.presenter import received_by_name
from motcua.presentation.views import DossierCreated
from motcua.services.intake import IntakeRequest

if TYPE_CHECKING:
    from chalicelib.http.call import Call

area = Area(__name__, tag="counter")


class IntakeCreated(DossierCreated):
    """The receipt of a walk-in intake: the filing's, with how it arrived, who took it and where its
    Mẫu 01 (A5, with the tracking QR code) is printed from."""

    channel: str
    received_by: str
    ticket: str | None
    accepted: bool  # accepted in the same step
    receipt_url: str  # GET it with Accept: application/pdf


@area.route(
    "POST",
    "/v1/agencies/{agency_code}/intake",
    access=Access.STAFF,
    body=IntakeRequest,
    response=IntakeCreated,
    status=201,
    errors=(404, 409),
    headers=(IDEMPOTENCY_KEY,),
    response_headers={
        "Location": "Where the dossier is: `/v1/dossiers/{code}`.",
        "Idempotent-Replayed": "`true` when this answers a retry of an earlier request with the same key.",
    },
)
def intake(call: Call, agency_code: str) -> Reply:
    """File a dossier at the agency's counter for the person in front of it (walk-in intake).

    For receivers and leaders of that agency, when the agency receives the procedure. The same form,
    papers (uploaded by the officer through `POST /v1/uploads`) and numbering as online filing; the
    applicant is identified by name, CCCD number (checked for shape) and a Vietnamese mobile phone,
    where the SMS goes (and the email, if given). `accept: true` accepts the dossier in the same step.
    """
    services = call.container
    # Who may call first: a refused caller learns nothing of what its body would have been told.
    services.intake.check_desk(call.principal, agency_code)
    result = services.intake.receive(
        call.principal, agency_code, call.body(IntakeRequest), call.header("Idempotency-Key")
    )
    dossier = result.dossier
    created = services.presenter.created(dossier, call.language)
    answer = IntakeCreated(
        **created.model_dump(),
        channel=dossier.channel.value,
        received_by=received_by_name(dossier) or "",
        ticket=dossier.ticket,
        accepted=dossier.status is not Status.SUBMITTED,
        receipt_url=f"/v1/dossiers/{dossier.code}/documents/receipt",
    )
    headers = {"Location": f"/v1/dossiers/{dossier.code}"}
    if result.replayed:
        headers["Idempotent-Replayed"] = "true"
    return Reply(answer, headers=headers)
