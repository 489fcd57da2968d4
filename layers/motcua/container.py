"""The composition root: settings, province, clients, adapters and services, built once per container."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cached_property, lru_cache, partial
from typing import TYPE_CHECKING

from motcua.adapters import clients
from motcua.adapters.access_log import DynamoAccessLog
from motcua.adapters.clock import SystemClock
from motcua.adapters.cognito import (
    CognitoIdentityProvider,
    CognitoStaffDirectory,
    CognitoTokenVerifier,
    PoolRef,
)
from motcua.adapters.drafts import DynamoDraftRepository
from motcua.adapters.dynamodb import DynamoDossierRepository
from motcua.adapters.s3 import S3AttachmentStore
from motcua.adapters.sent import DynamoSentMessages
from motcua.adapters.stepfunctions import StepFunctionsWorkflow
from motcua.config.province import Province, load_province
from motcua.config.settings import Settings, get_settings
from motcua.domain.appointments import AppointmentBook
from motcua.domain.feedback import FeedbackBox
from motcua.domain.models import PrincipalKind
from motcua.domain.payment_ports import PaymentGateway, PaymentStore
from motcua.domain.ports import (
    AccessLog,
    AttachmentStore,
    DossierRepository,
    DraftRepository,
    QueueStore,
    SentMessages,
    StaffDirectory,
    TokenVerifier,
    Workflow,
)
from motcua.domain.refunds import RefundStore
from motcua.presentation.presenter import Presenter
from motcua.services.access import AccessLogService
from motcua.services.catalog import CatalogService
from motcua.services.citizens import CitizenActions
from motcua.services.coordinator import FlowCoordinator
from motcua.services.desk import DeskService
from motcua.services.dossiers import DossierService
from motcua.services.drafts import DraftService
from motcua.services.filing import FilingService
from motcua.services.inbox import InboxService
from motcua.services.intake import IntakeService
from motcua.services.messages import MessageHistory
from motcua.services.sweep import SweepService
from motcua.services.uploads import UploadService

if TYPE_CHECKING:
    from motcua.adapters.certificates import DynamoCertificateStore
    from motcua.adapters.once import PowertoolsOnceOnly
    from motcua.adapters.statistics import DynamoCounterStore
    from motcua.domain.ports import Clock
    from motcua.domain.ratings import MacKey, RatingStore
    from motcua.services.appointments import AppointmentService
    from motcua.services.booking_notices import BookingNotices
    from motcua.services.day_bookings import DayBookingsService
    from motcua.services.export import ExportService
    from motcua.services.feedback import FeedbackNotices, FeedbackService
    from motcua.services.notifying import NotificationService
    from motcua.services.obligations import ObligationService
    from motcua.services.payment_receipts import PaymentReceiptService
    from motcua.services.payments import PaymentService
    from motcua.services.queue import QueueService
    from motcua.services.ratings import RatingService
    from motcua.services.refunds import RefundService
    from motcua.services.results import ResultService
    from motcua.services.statistics import DossierIndex, StatisticsService
    from motcua.signing.issuing import CertificateAuthority
    from motcua.signing.pki import PkiProfile
    from motcua.signing.ports import CertificateIssuer
    from motcua.signing.sign import DocumentSigner


@dataclass(frozen=True)
class Adapters:
    """What the services reach the outside world through; tests hand in in-memory fakes of the ports."""

    repository: DossierRepository
    store: AttachmentStore
    verifier: TokenVerifier
    workflow: Workflow | None = None  # None: Step Functions, built on first use
    directory: StaffDirectory | None = None  # None: the staff pool on Cognito, built on first use
    access_log: AccessLog | None = None  # None: the single table
    drafts: DraftRepository | None = None  # None: the single table
    sent_messages: SentMessages | None = None  # None: the single table
    appointment_book: AppointmentBook | None = None  # None: the single table
    queue: QueueStore | None = None  # None: the single table
    payment_store: PaymentStore | None = None  # None: the single table
    # None: the province's gateway, its secret in Secrets Manager
    payment_gateway: PaymentGateway | None = None
    feedback_box: FeedbackBox | None = None  # None: the single table
    refund_store: RefundStore | None = None  # None: the single table (beside the orders)


def _aws_adapters(settings: Settings, province: Province) -> Adapters:
    kept = province.retention
    return Adapters(
        repository=DynamoDossierRepository(
            clients.client("dynamodb", settings.region),
            settings.table_name,
            dossier_days=kept.dossiers_days,
            idempotency_days=kept.idempotency_days,
        ),
        store=S3AttachmentStore(partial(clients.client, "s3", settings.region), settings.bucket_name),
        verifier=CognitoTokenVerifier(
            [
                PoolRef(PrincipalKind.CITIZEN, settings.citizen_pool_id, settings.citizen_client_id),
                PoolRef(PrincipalKind.STAFF, settings.staff_pool_id, settings.staff_client_id),
            ],
            region=settings.region,
            endpoint_url=os.environ.get("AWS_ENDPOINT_URL"),
        ),
    )


class Container:
    """Everything a function needs, built once; what only some routes use is built when first used."""

    def __init__(
        self, settings: Settings, *, clock: Clock | None = None, adapters: Adapters | None = None
    ) -> None:
        self.settings = settings
        self.province: Province = load_province(
            settings.province_file, forms_checked=settings.province_checked
        )
        self.clock: Clock = clock or SystemClock()
        adapters = adapters or _aws_adapters(settings, self.province)
        self.repository: DossierRepository = adapters.repository
        self.store: AttachmentStore = adapters.store
        self.verifier: TokenVerifier = adapters.verifier
        self.access_log: AccessLog = adapters.access_log or DynamoAccessLog(
            clients.client("dynamodb", settings.region), settings.table_name
        )
        self.draft_repository: DraftRepository = adapters.drafts or DynamoDraftRepository(
            clients.client("dynamodb", settings.region), settings.table_name
        )
        self.sent_messages: SentMessages = adapters.sent_messages or DynamoSentMessages(
            clients.client("dynamodb", settings.region), settings.table_name
        )
        if adapters.workflow is not None:
            self.__dict__["workflow"] = adapters.workflow  # instead of building the Step Functions one
        if adapters.queue is not None:
            self.__dict__["queue_store"] = adapters.queue  # instead of the single table's
        if adapters.directory is not None:
            self.__dict__["directory"] = adapters.directory  # instead of building the Cognito one
        self._payment_store = adapters.payment_store
        self._payment_gateway = adapters.payment_gateway
        self._refund_store = adapters.refund_store
        if adapters.appointment_book is not None:
            self.__dict__["appointment_book"] = adapters.appointment_book  # instead of the table's
        if adapters.feedback_box is not None:
            self.__dict__["feedback_box"] = adapters.feedback_box  # instead of the table's
        self.presenter = Presenter(self.province, settings.portal_url or self.province.portal_url)
        self.catalog = CatalogService(self.province)
        self.uploads = UploadService(self.store, self.province.uploads)
        self.messages = MessageHistory(self.sent_messages)
        self.access = AccessLogService(province=self.province, log=self.access_log, clock=self.clock)
        self.dossiers = DossierService(
            repository=self.repository, store=self.store, uploads=self.province.uploads, access=self.access
        )
        self.drafts = DraftService(
            province=self.province, drafts=self.draft_repository, store=self.store, clock=self.clock
        )
        self.filing = FilingService(
            province=self.province, repository=self.repository, uploads=self.uploads, clock=self.clock
        )
        # One owner for a flow's state; desk and citizens' actions are their own small services.
        self.coordinator = FlowCoordinator(
            province=self.province,
            repository=self.repository,
            workflow=lambda: self.workflow,
            clock=self.clock,
        )
        self.desk = DeskService(
            province=self.province, repository=self.repository, coordinator=self.coordinator
        )
        self.inbox = InboxService(
            province=self.province,
            repository=self.repository,
            dossiers=self.dossiers,
            desk=self.desk,
            coordinator=self.coordinator,
            directory=lambda: self.directory,
            clock=self.clock,
            fee_unpaid=lambda dossier: self.payments.unpaid_and_waited_for(dossier),
        )
        self.intake = IntakeService(
            province=self.province,
            filing=self.filing,
            uploads=self.uploads,
            inbox=self.inbox,
            clock=self.clock,
        )
        self.citizen_actions = CitizenActions(
            province=self.province,
            repository=self.repository,
            dossiers=self.dossiers,
            uploads=self.uploads,
            coordinator=self.coordinator,
            clock=self.clock,
        )

    @cached_property
    def workflow(self) -> Workflow:
        """The flows' state machines (built on first use: most requests never touch a flow)."""
        client = clients.client("stepfunctions", self.settings.region)
        return StepFunctionsWorkflow(client, self.settings.state_machines)

    @cached_property
    def directory(self) -> StaffDirectory:
        """The staff pool, read by username (built on first use: only a forward asks it)."""
        cognito = clients.client("cognito-idp", self.settings.region)
        return CognitoStaffDirectory(cognito, pool_id=self.settings.staff_pool_id)

    @cached_property
    def queue_store(self) -> QueueStore:
        """A centre's day of queue tickets on the single table (built on first use)."""
        from motcua.adapters.queue import DynamoQueueStore

        return DynamoQueueStore(clients.client("dynamodb", self.settings.region), self.settings.table_name)

    @cached_property
    def queue(self) -> QueueService:
        """Queue tickets: the kiosk, the board, the counters (docs/counter.md)."""
        from motcua.services.queue import QueueService

        return QueueService(province=self.province, store=self.queue_store, clock=self.clock)

    @cached_property
    def payments(self) -> PaymentService:
        """Fees paid online through the province's gateway (docs/payments.md); built on first use."""
        from motcua.adapters.payments import DynamoPaymentStore
        from motcua.adapters.vnpay import SecretsManagerCredentials, VnpayGateway
        from motcua.services.payments import PaymentService

        region = self.settings.region
        store = self._payment_store or DynamoPaymentStore(
            clients.client("dynamodb", region),
            self.settings.table_name,
            dossier_days=self.province.retention.dossiers_days,
            dossiers=self.repository if isinstance(self.repository, DynamoDossierRepository) else None,
        )
        configured = self.province.payments
        gateway: PaymentGateway | None = self._payment_gateway
        if gateway is None and configured is not None and self.settings.payment_secret:
            # The secret is read once, on the first payment that needs it, and kept for the container.
            credentials = SecretsManagerCredentials(
                clients.client("secretsmanager", region), self.settings.payment_secret
            )
            pay_url, api_url = configured.pay_url, configured.api_url
            if self.settings.payment_gateway_url:  # the local stack's sandbox, on the port it got
                pay_url = _moved(pay_url, self.settings.payment_gateway_url)
                api_url = _moved(api_url, self.settings.payment_gateway_url)
            gateway = VnpayGateway(pay_url=pay_url, api_url=api_url, credentials=credentials)

        def built() -> PaymentGateway:
            if gateway is None or configured is None:
                from motcua.domain.payments import PaymentsOff

                raise PaymentsOff()
            return gateway

        service = PaymentService(
            province=self.province,
            store=store,
            gateway=built,
            clock=self.clock,
            portal_url=self.presenter.portal_url,
        )
        # A paid financial obligation resumes its dossier, in the payment's own transaction.
        service.paid_change = lambda order: self.obligations.paid_change(order)
        return service

    @cached_property
    def obligations(self) -> ObligationService:
        """Financial obligations asked during processing, status 6 (docs/payments.md)."""
        from motcua.services.obligations import ObligationService

        return ObligationService(
            province=self.province,
            repository=self.repository,
            inbox=self.inbox,
            payments=self.payments,
            clock=self.clock,
        )

    @cached_property
    def sweep(self) -> SweepService:
        """The scheduled sweep: escalations and apologies (Mẫu 04) for work falling due."""
        return SweepService(province=self.province, repository=self.repository, clock=self.clock)

    @cached_property
    def once(self) -> PowertoolsOnceOnly:
        """What must happen once per key (a message to a citizen), remembered in the table."""
        from motcua.adapters.once import PowertoolsOnceOnly
        from motcua.resources import NOTIFY_ONCE_PARTITION

        client = clients.client("dynamodb", self.settings.region)
        return PowertoolsOnceOnly(
            client,
            self.settings.table_name,
            partition=NOTIFY_ONCE_PARTITION,
            remember_seconds=self.province.retention.notifications_days * 86_400,
        )

    @cached_property
    def notifications(self) -> NotificationService:
        """Email (SES) and SMS (SNS) to applicants, from the audit entries the stream brings."""
        from motcua.adapters.messaging import SesMailer, SnsTexter
        from motcua.services.notifying import NotificationService

        region = self.settings.region
        mailer = SesMailer(
            clients.client("ses", region),
            sender=self.province.sender_email,
            sender_name=f"{self.province.name.vi} – Một cửa",
        )
        texter = SnsTexter(clients.client("sns", region))
        return NotificationService(
            province=self.province,
            repository=self.repository,
            presenter=self.presenter,
            messengers={"email": mailer, "sms": texter},
            once=self.once,
            sent=self.sent_messages,
            clock=self.clock,
            rating_link=lambda code: self.ratings.link(code),
        )

    @cached_property
    def rating_store(self) -> RatingStore:
        """Ratings, their monthly tallies and comments, on the single table."""
        from motcua.adapters.ratings import DynamoRatingStore

        return DynamoRatingStore(clients.client("dynamodb", self.settings.region), self.settings.table_name)

    @cached_property
    def rating_key(self) -> MacKey:
        """The KMS HMAC key of the rating links (built on first use)."""
        from motcua.adapters.macs import KmsMacKey

        return KmsMacKey(clients.client("kms", self.settings.region), self.settings.rating_key)

    @cached_property
    def ratings(self) -> RatingService:
        """Satisfaction ratings: once per dossier after its result; tallies per agency and month."""
        from motcua.services.ratings import RatingService

        return RatingService(
            province=self.province,
            store=self.rating_store,
            dossiers=self.dossiers,
            key=lambda: self.rating_key,
            clock=self.clock,
            portal_url=self.presenter.portal_url,
        )

    @cached_property
    def appointment_book(self) -> AppointmentBook:
        """Bookings and each slot's places taken, on the single table."""
        from motcua.adapters.appointments import DynamoAppointmentBook

        client = clients.client("dynamodb", self.settings.region)
        return DynamoAppointmentBook(client, self.settings.table_name)

    @cached_property
    def appointments(self) -> AppointmentService:
        """Appointment slots, bookings, the kiosk's check-in and no-shows (docs/counter.md)."""
        from motcua.services.appointments import AppointmentService

        return AppointmentService(
            province=self.province,
            book=self.appointment_book,
            clock=self.clock,
            portal_url=self.presenter.portal_url,
            # A checked-in booking gets its queue ticket of kind `appointment`, called within its slot
            # ahead of walk-ins (motcua.domain.queue orders them).
            issue_ticket=lambda booking, _at: (
                self.queue.issue(booking.centre, booking.service, appointment=booking.code).ticket.id
            ),
        )

    @cached_property
    def day_bookings(self) -> DayBookingsService:
        """A centre's bookings of a day by slot, for its counters' staff (docs/counter.md)."""
        from motcua.services.day_bookings import DayBookingsService

        return DayBookingsService(
            province=self.province, book=self.appointment_book, queue=self.queue_store, clock=self.clock
        )

    @cached_property
    def booking_notices(self) -> BookingNotices:
        """The booking's email (with its QR) and SMS, through the same messengers as the dossiers'."""
        from motcua.services.booking_notices import BookingNotices

        notifications = self.notifications
        return BookingNotices(
            province=self.province,
            messengers=notifications.messengers,
            once=self.once,
            clock=self.clock,
            portal_url=self.presenter.portal_url,
        )

    @cached_property
    def feedback_box(self) -> FeedbackBox:
        """Feedback, its answers and publications, on the single table."""
        from motcua.adapters.feedback import DynamoFeedbackBox

        return DynamoFeedbackBox(clients.client("dynamodb", self.settings.region), self.settings.table_name)

    @cached_property
    def feedback(self) -> FeedbackService:
        """Feedback and complaints (phản ánh, kiến nghị, docs/feedback.md)."""
        from motcua.services.feedback import FeedbackService

        return FeedbackService(
            province=self.province, box=self.feedback_box, repository=self.repository, clock=self.clock
        )

    @cached_property
    def feedback_notices(self) -> FeedbackNotices:
        """The answer's email and SMS to the citizen, through the same messengers as the dossiers'."""
        from motcua.services.feedback import FeedbackNotices

        return FeedbackNotices(
            messengers=self.notifications.messengers,
            once=self.once,
            clock=self.clock,
            portal_url=self.presenter.portal_url,
        )

    @cached_property
    def refunds(self) -> RefundService:
        """Refunds of confirmed payments through the gateway (docs/payments.md, "Refunds")."""
        from motcua.adapters.payments import DynamoPaymentStore
        from motcua.adapters.refunds import DynamoRefundStore
        from motcua.services.refunds import RefundService

        payments = self.payments
        store = self._refund_store
        if store is None:
            assert isinstance(payments.store, DynamoPaymentStore)  # the fakes give their own refund store
            store = DynamoRefundStore(payments.store)
        return RefundService(
            province=self.province,
            store=store,
            payments=payments,
            repository=self.repository,
            clock=self.clock,
        )

    @cached_property
    def payment_receipts(self) -> PaymentReceiptService:
        """Payment receipts (biên lai) as PDFs, one per confirmed payment (docs/payments.md)."""
        from motcua.services.payment_receipts import PaymentReceiptService

        return PaymentReceiptService(store=self.payments.store, presenter=self.presenter)

    @cached_property
    def results(self) -> ResultService:
        """Documents as PDFs, results signed with the agency's key, and their verification."""
        from motcua.services.results import ResultService

        return ResultService(
            province=self.province,
            repository=self.repository,
            dossiers=self.dossiers,
            store=self.store,
            signer=lambda: self.signer,
            trust_roots=lambda: self.certificates.load().authorities.values(),
            presenter=self.presenter,
            clock=self.clock,
        )

    @cached_property
    def export(self) -> ExportService:
        """A citizen's own data as one archive (GET /v1/me/export)."""
        from motcua.services.export import ExportService

        return ExportService(
            province=self.province,
            repository=self.repository,
            store=self.store,
            presenter=self.presenter,
            clock=self.clock,
            drafts=self.draft_repository,
        )

    @cached_property
    def statistics(self) -> DynamoCounterStore:
        """The statistics' counters (docs/statistics.md), in the table, kept from its stream."""
        from motcua.adapters.statistics import DynamoCounterStore

        client = clients.client("dynamodb", self.settings.region)
        return DynamoCounterStore(client, self.settings.table_name, self.province.working_calendar)

    @cached_property
    def statistics_index(self) -> DossierIndex:
        """The dossiers behind a number of the statistics: Queries on the table's indexes."""
        from motcua.adapters.statistics_index import DynamoDrillDown

        return DynamoDrillDown(clients.client("dynamodb", self.settings.region), self.settings.table_name)

    @cached_property
    def statistics_reports(self) -> StatisticsService:
        """The leaders' reports, exports and the public results, read from the counters."""
        from motcua.services.statistics import StatisticsService

        return StatisticsService(
            province=self.province, counters=self.statistics, index=self.statistics_index, clock=self.clock
        )

    @cached_property
    def certificates(self) -> DynamoCertificateStore:
        """The province's CA certificates and the agencies' signing certificates, in the table."""
        from motcua.adapters.certificates import DynamoCertificateStore

        client = clients.client("dynamodb", self.settings.region)
        return DynamoCertificateStore(client, self.settings.table_name)

    @cached_property
    def pki_profile(self) -> PkiProfile:
        """Who the certificates name, and the signing keys this function was given."""
        from motcua.signing.pki import PkiProfile

        return PkiProfile.from_settings(
            self.settings.signing_keys,
            province=self.province.name.vi,
            agency_names={agency.code: agency.name.vi for agency in self.province.agencies},
        )

    @cached_property
    def certificate_authority(self) -> CertificateAuthority:
        """Issues the certificates with the CA key: the PKI function's work (and the local stack's)."""
        from motcua.signing.issuing import CertificateAuthority

        kms = clients.client("kms", self.settings.region)
        return CertificateAuthority(kms_client=kms, store=self.certificates, profile=self.pki_profile)

    @cached_property
    def certificate_issuer(self) -> CertificateIssuer:
        """Who issues a certificate the signer lacks: on AWS the PKI function (the API holds no CA key)."""
        if not self.settings.pki_function:
            return self.certificate_authority
        from motcua.adapters.pki_function import LambdaCertificateIssuer

        client = clients.client("lambda", self.settings.region)
        return LambdaCertificateIssuer(client, self.settings.pki_function)

    @cached_property
    def signer(self) -> DocumentSigner:
        """Signs results with the competent agency's KMS key (the private key never leaves KMS)."""
        from motcua.documents.sheet import FONTS
        from motcua.signing.sign import DocumentSigner

        kms = clients.client("kms", self.settings.region)
        return DocumentSigner(
            kms_client=kms,
            store=self.certificates,
            profile=self.pki_profile,
            issuer=self.certificate_issuer,
            stamp_font=FONTS / "DejaVuSerif.ttf",
        )

    @cached_property
    def citizens(self) -> CognitoIdentityProvider:
        """Sign-up and sign-in for citizens (only the auth routes build the Cognito client)."""
        s = self.settings
        cognito = clients.client("cognito-idp", s.region)
        return CognitoIdentityProvider(cognito, pool_id=s.citizen_pool_id, client_id=s.citizen_client_id)

    @cached_property
    def staff(self) -> CognitoIdentityProvider:
        s = self.settings
        cognito = clients.client("cognito-idp", s.region)
        return CognitoIdentityProvider(cognito, pool_id=s.staff_pool_id, client_id=s.staff_client_id)


def _moved(url: str, origin: str) -> str:
    """`url` with its scheme, host and port those of `origin`."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return origin.rstrip("/") + parts.path + (f"?{parts.query}" if parts.query else "")


def build_container(
    settings: Settings | None = None, *, clock: Clock | None = None, adapters: Adapters | None = None
) -> Container:
    return Container(settings or get_settings(), clock=clock, adapters=adapters)


_override: Container | None = None


def get_container() -> Container:
    """The container of this Lambda container (or the one a test or the local runner put in)."""
    return _override if _override is not None else _built()


@lru_cache(maxsize=1)
def _built() -> Container:
    return build_container()


def use(container: Container | None) -> None:
    """Serve from `container` (tests); None goes back to the one built from the environment."""
    global _override
    _override = container
