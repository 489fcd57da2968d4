"""The platform on in-memory fakes: the real services and the real API, the demo province, no AWS.

Behaviour tests build a `World`, act as citizens and officers (through the services or through the
API with Chalice's test client), run the flows' state machines with `settle()` and look at what a
user would see. Everything answers in milliseconds.
"""

from __future__ import annotations

import json
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from chalice.test import Client

from motcua.adapters.vnpay import VnpayGateway
from motcua.config.settings import Settings
from motcua.container import Adapters, Container
from motcua.domain.files import EXTENSIONS
from motcua.domain.models import Principal, PrincipalKind
from motcua.domain.roles import Role
from motcua.services.booking_notices import BookingNotices
from motcua.services.feedback import FeedbackNotices
from motcua.services.filing import FilingRequest
from motcua.services.inbox import Decision
from motcua.services.notifying import NotificationService
from motcua.services.reconciliation import ReconciliationService
from motcua.services.uploads import UploadRequest
from tests.examples import PDF, PNG, filing_body
from tests.fakes.access_log import InMemoryAccessLog
from tests.fakes.appointments import InMemoryAppointmentBook
from tests.fakes.clock import FrozenClock
from tests.fakes.directory import InMemoryStaffDirectory
from tests.fakes.feedback import InMemoryFeedbackBox
from tests.fakes.identity import InMemoryTokenVerifier
from tests.fakes.messaging import InMemoryOnceOnly, RecordingMessenger
from tests.fakes.payments import TEST_CREDENTIALS, InMemoryPaymentStore
from tests.fakes.queue import InMemoryQueueStore
from tests.fakes.ratings import HmacKey, InMemoryRatingStore
from tests.fakes.reconciliation import InMemoryReconciliationStore, InMemoryTransactionList
from tests.fakes.refunds import InMemoryRefundStore
from tests.fakes.repository import InMemoryDossierRepository
from tests.fakes.sent import InMemorySentMessages
from tests.fakes.signing import MarkingSigner
from tests.fakes.statistics import InMemoryCounterStore
from tests.fakes.storage import InMemoryAttachmentStore
from tests.fakes.workflow import InMemoryWorkflow

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from motcua.domain.models import Dossier, DossierRecord, Task
    from motcua.domain.ports import OutgoingMessage


@dataclass(frozen=True)
class Reply:
    """An HTTP answer of the API."""

    status: int
    body: Any
    headers: dict[str, str]

    @property
    def error_code(self) -> str | None:
        error = self.body.get("error") if isinstance(self.body, dict) else None
        return error.get("code") if error else None


class World:
    def __init__(self, province_file: Path, *, clock: FrozenClock | None = None) -> None:
        self.clock = clock or FrozenClock()
        self.repository = InMemoryDossierRepository()
        self.store = InMemoryAttachmentStore(self.clock)
        self.verifier = InMemoryTokenVerifier()
        self.directory = InMemoryStaffDirectory()
        self.access_log = InMemoryAccessLog()
        self.sent = InMemorySentMessages()
        self.bookings = InMemoryAppointmentBook()
        self.queue = InMemoryQueueStore()
        self.payments = InMemoryPaymentStore(self.repository)
        self.refunds = InMemoryRefundStore(self.payments)
        self.feedback = InMemoryFeedbackBox()
        settings = Settings(
            table_name="in-memory",
            bucket_name="in-memory",
            province_file=str(province_file),
            citizen_pool_id="in-memory",
            citizen_client_id="in-memory",
            staff_pool_id="in-memory",
            staff_client_id="in-memory",
            portal_url="http://portal.example.invalid",
        )
        self.container = Container(
            settings,
            clock=self.clock,
            adapters=Adapters(
                repository=self.repository,
                store=self.store,
                verifier=self.verifier,
                workflow=None,
                directory=self.directory,
                access_log=self.access_log,
                drafts=self.repository.drafts,
                sent_messages=self.sent,
                appointment_book=self.bookings,
                queue=self.queue,
                payment_store=self.payments,
                payment_gateway=VnpayGateway(
                    pay_url="http://gateway.example.invalid/paymentv2/vpcpay.html",
                    api_url="http://gateway.example.invalid/merchant_webapi/api/transaction",
                    credentials=lambda: TEST_CREDENTIALS,
                ),
                feedback_box=self.feedback,
                refund_store=self.refunds,
            ),
        )
        self.flows = InMemoryWorkflow(self.container.province)
        self.container.__dict__["workflow"] = self.flows
        # The statistics' counters, summed from the repository at each read, and the dossiers behind a
        # number, filtered by the index entries the table would hold (tests/fakes/statistics.py).
        self.statistics = InMemoryCounterStore(
            self.repository, self.container.province.working_calendar, fees=self.payments.images
        )
        self.container.__dict__["statistics"] = self.statistics
        self.container.__dict__["statistics_index"] = self.statistics
        self.signer = MarkingSigner()
        self.container.__dict__["signer"] = self.signer
        self.province = self.container.province
        self.ratings, self.rating_key = InMemoryRatingStore(), HmacKey()
        self.container.__dict__["rating_store"] = self.ratings
        self.container.__dict__["rating_key"] = self.rating_key
        # The notifier, sending through messengers that keep what they were given.
        self.mail, self.sms = RecordingMessenger("email"), RecordingMessenger("sms")
        self.container.__dict__["notifications"] = NotificationService(
            province=self.province,
            repository=self.repository,
            presenter=self.container.presenter,
            messengers={"email": self.mail, "sms": self.sms},
            once=InMemoryOnceOnly(),
            sent=self.sent,
            clock=self.clock,
            rating_link=lambda code: self.container.ratings.link(code),
        )
        self._delivered = 0
        self.container.__dict__["booking_notices"] = BookingNotices(
            province=self.province,
            messengers={"email": self.mail, "sms": self.sms},
            once=InMemoryOnceOnly(),
            clock=self.clock,
            portal_url=self.container.presenter.portal_url,
        )
        self._bookings_delivered = 0
        self.container.__dict__["feedback_notices"] = FeedbackNotices(
            messengers={"email": self.mail, "sms": self.sms},
            once=InMemoryOnceOnly(),
            clock=self.clock,
            portal_url=self.container.presenter.portal_url,
        )
        self._feedback_delivered = 0
        # The daily reconciliation: our side from the fake orders, the gateway's lists as a test sets them.
        self.gateway_days = InMemoryTransactionList()
        self.reconciliations = InMemoryReconciliationStore(self.payments)
        reconciliation_once = InMemoryOnceOnly()
        self.container.__dict__["reconciliation"] = ReconciliationService(
            province=self.province,
            store=self.reconciliations,
            transactions=lambda: self.gateway_days,
            gateway="vnpay",
            clock=self.clock,
            messenger=lambda: self.mail,
            once=lambda: reconciliation_once,
            console_url=self.container.presenter.portal_url,
        )

    # --- people ---------------------------------------------------------------------------------

    def citizen(
        self,
        name: str = "Nguyễn Văn An",
        *,
        email_verified: bool = True,
        phone: str | None = None,
        phone_verified: bool = True,
    ) -> Principal:
        """A signed-in citizen: their account's email (verified when they confirmed the sign-up),
        and a phone if given, as the ID token's claims say."""
        sub = str(uuid.uuid4())
        return Principal(
            sub=sub,
            kind=PrincipalKind.CITIZEN,
            username=sub,
            name=name,
            email=f"{sub}@example.vn",
            email_verified=email_verified,
            phone=phone,
            phone_verified=phone is not None and phone_verified,
        )

    def staff(
        self, agency: str, role: Role = Role.OFFICER, username: str | None = None, *, name: str | None = None
    ) -> Principal:
        """A member of the agency's staff, in the staff directory and signed in."""
        username = username or f"{role.value}.{agency}"
        self.directory.add(username, agency=agency, role=role, name=name or username)
        return Principal(
            sub=username,
            kind=PrincipalKind.STAFF,
            username=username,
            name=name or username,
            agency=agency,
            role=role,
        )

    # --- acting through the services ------------------------------------------------------------

    def upload(
        self, principal: Principal, content: bytes = PDF, content_type: str = "application/pdf"
    ) -> str:
        """Ask a slot and post the file to it, as the browser does; the upload id."""
        name = "giấy tờ" + EXTENSIONS[content_type][0]
        request = UploadRequest(filename=name, content_type=content_type, size=len(content))
        slot = self.container.uploads.create_slot(principal, request)
        self.store.post(slot.fields["key"], content)
        return slot.upload_id

    def filing_request(self, principal: Principal, procedure_code: str) -> FilingRequest:
        """A complete, valid request: an uploaded file for every required paper."""

        def send(content_type: str) -> str:
            return self.upload(principal, PDF if content_type == "application/pdf" else PNG, content_type)

        name = principal.name or "Nguyễn Văn An"
        return FilingRequest.model_validate(
            filing_body(self.province, procedure_code, name, principal.email, send)
        )

    def file(self, principal: Principal, procedure_code: str, key: str | None = None) -> Dossier:
        request = self.filing_request(principal, procedure_code)
        result = self.container.filing.file(principal, request, key or f"key-{uuid.uuid4().hex}")
        return result.dossier

    def owner(self, code: str) -> Principal:
        """The citizen who filed dossier `code`."""
        return self.citizen().model_copy(update={"sub": self.record(code).dossier.owner})

    def papers(self, owner: Principal, code: str) -> dict[str, Any]:
        """A supplement's body: the dossier's first paper, uploaded now by `owner`."""
        procedure = self.province.procedures_by_code[self.record(code).dossier.procedure_code]
        return {"attachments": [{"upload_id": self.upload(owner), "paper_code": procedure.papers[0].code}]}

    def decide(self, officer: Principal, task_id: str, action: str, reason: str | None = None) -> Task:
        """An officer's decision, then whatever the flows do because of it."""
        decision = Decision.model_validate({"action": action, "reason": reason})
        task, _ = self.container.inbox.decide(officer, task_id, decision)
        self.settle()
        return task

    def deliver(self) -> list[OutgoingMessage]:
        """Hand the notifier what the table's stream would bring it since last time; all sent so far."""
        for code, entry, event in self.repository.notified[self._delivered :]:
            self.container.notifications.notify(code, entry, event)
        self._delivered = len(self.repository.notified)
        for booking in self.bookings.notified[self._bookings_delivered :]:
            self.container.booking_notices.notify(booking)
        self._bookings_delivered = len(self.bookings.notified)
        for feedback in self.feedback.notified[self._feedback_delivered :]:
            self.container.feedback_notices.notify(feedback)
        self._feedback_delivered = len(self.feedback.notified)
        return [*self.mail.sent, *self.sms.sent]

    def settle(self) -> int:
        """Let the state machines and routing run until nothing is left to deliver."""
        return self.flows.drain(self.container.coordinator.handle)

    def record(self, code: str) -> DossierRecord:
        found = self.repository.get(code)
        assert found is not None, code
        return found

    def task(self, code: str, task_id: str) -> Task:
        found = self.record(code).task(task_id)
        assert found is not None, task_id
        return found

    # --- acting through the API -----------------------------------------------------------------

    @contextmanager
    def api(self) -> Iterator[Api]:
        from app import app

        from chalicelib import deps

        deps.set_container(self.container)
        try:
            with Client(app) as client:
                yield Api(client, self.verifier)
        finally:
            deps.set_container(None)


class Api:
    """The REST API through Chalice's test client, signed in by the fake verifier's tokens."""

    def __init__(self, client: Client, verifier: InMemoryTokenVerifier) -> None:
        self.client = client
        self.verifier = verifier

    def call(
        self, method: str, path: str, who: Principal | None = None, body: Any = None, **headers: str
    ) -> Reply:
        sent = {"Content-Type": "application/json", **{k.replace("_", "-"): v for k, v in headers.items()}}
        if who is not None:
            sent["Authorization"] = f"Bearer {self.verifier.issue(who)}"
        answer = self.client.http.request(
            method, path, headers=sent, body=json.dumps(body).encode() if body is not None else b""
        )
        raw = answer.body or b""
        try:
            text = raw.decode()
        except UnicodeDecodeError:  # a PDF or an archive: its bytes
            return Reply(answer.status_code, raw, {k.lower(): v for k, v in answer.headers.items()})
        body = json.loads(text) if text.startswith(("{", "[")) else text
        return Reply(answer.status_code, body, {k.lower(): v for k, v in answer.headers.items()})
