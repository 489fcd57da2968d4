"""Walk-in intake (tiếp nhận hồ sơ trực tiếp): a receiving officer files a dossier for the person at the
counter, on the same codes, due dates, flows and records as online filing, and may accept it at once."""

from __future__ import annotations

import hashlib
import json
import re
from typing import TYPE_CHECKING, Any

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberType
from pydantic import BaseModel, ConfigDict, Field, field_validator

from motcua.domain.cccd import cccd_problem, clean_cccd
from motcua.domain.changes import seal
from motcua.domain.counter import Channel, ReceivedBy, counter_owner
from motcua.domain.errors import FieldError, Forbidden, InvalidInput, NotFound
from motcua.domain.fees import filing_fee
from motcua.domain.i18n import Language, Text
from motcua.domain.models import Applicant, Contacts, Dossier, Task, TaskKind, TaskState, TimelineEvent
from motcua.domain.permissions import DESK, check_role
from motcua.domain.receiving import may_receive
from motcua.domain.roles import Role
from motcua.domain.status import Status
from motcua.domain.tasks import task_id_for
from motcua.observability import count
from motcua.services.auditing import record as record_change
from motcua.services.filing import FilingResult, check_key
from motcua.services.forms import check_form
from motcua.services.inbox import Decision
from motcua.services.uploads import AttachmentRef

if TYPE_CHECKING:
    from datetime import datetime

    from motcua.config.province import Province
    from motcua.domain.catalog import Procedure
    from motcua.domain.changes import Change
    from motcua.domain.models import Attachment, Principal
    from motcua.domain.ports import Clock
    from motcua.services.filing import FilingService
    from motcua.services.inbox import InboxService
    from motcua.services.uploads import UploadService

EMAIL_RE = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
MOBILE = (PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE)
TICKET_RE = re.compile(r"^[A-Za-z0-9._:-]{1,40}$")
RECEIVE = Text(vi="tiếp nhận hồ sơ tại quầy", en="receive a dossier at the counter")
NOT_OURS = Text(vi="Bạn không thuộc cơ quan này.", en="You are not on the staff of this agency.")
INVALID = Text(
    vi="Hồ sơ chưa hợp lệ, vui lòng kiểm tra các mục được nêu.",
    en="The dossier is not valid; please check the fields listed.",
)


class CounterApplicant(BaseModel):
    """The person at the counter, as the officer reads their CCCD card and writes their phone."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    full_name: str = Field(min_length=2, max_length=120)
    id_number: str = Field(min_length=1, max_length=20, description="CCCD number: 12 digits")
    phone: str = Field(min_length=1, max_length=20, description="A Vietnamese mobile number (for the SMS)")
    email: str | None = Field(default=None, pattern=EMAIL_RE, max_length=254)
    address: str = Field(min_length=3, max_length=300)

    @field_validator("email", mode="before")
    @classmethod
    def _blank_is_none(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value


class IntakeRequest(BaseModel):
    """What the receiving officer sends to file a dossier for the person at the counter."""

    model_config = ConfigDict(extra="forbid")

    procedure_code: str = Field(min_length=1, max_length=40)
    applicant: CounterApplicant
    form: dict[str, Any] = Field(default_factory=dict)
    attachments: list[AttachmentRef] = Field(default_factory=list, max_length=50)
    language: Language = "vi"
    accept: bool = Field(
        default=False, description="The papers are complete: accept at once (the desk's task is decided)"
    )
    ticket: str | None = Field(
        default=None, pattern=TICKET_RE.pattern, description="The queue ticket the citizen was called with"
    )


class IntakeService:
    def __init__(
        self,
        *,
        province: Province,
        filing: FilingService,
        uploads: UploadService,
        inbox: InboxService,
        clock: Clock,
    ) -> None:
        self.province = province
        self.filing = filing
        self.uploads = uploads
        self.inbox = inbox
        self.clock = clock

    def check_desk(self, principal: Principal, agency: str) -> None:
        """The agency exists, and the caller is a receiver or a leader of it."""
        if agency not in self.province.agencies_by_code:
            raise NotFound(Text(vi="cơ quan", en="agency"), agency, code="agency_not_found")
        if not principal.is_staff or principal.agency != agency:
            raise Forbidden(NOT_OURS)
        check_role(principal, DESK, RECEIVE)

    def receive(
        self, principal: Principal, agency: str, request: IntakeRequest, idempotency_key: str | None
    ) -> FilingResult:
        """File `request` at `agency`'s counter; accept it in the same step when asked."""
        self.check_desk(principal, agency)
        key = check_key(idempotency_key)
        procedure = self.filing.procedure(request.procedure_code)
        if not may_receive(self.province, procedure, agency):
            message = Text(
                vi=f"Bộ phận một cửa của cơ quan này không tiếp nhận thủ tục “{procedure.code}”.",
                en=f"This agency's one-stop desk does not receive procedure “{procedure.code}”.",
            )
            raise InvalidInput(
                message,
                fields=(FieldError(field="procedure_code", code="not_received_here", message=message),),
            )
        applicant, contacts, errors = self._applicant(request.applicant)
        errors += check_form(self.filing.validator(procedure), request.form)
        checked, file_errors = self.uploads.check(
            principal.sub, procedure, request.attachments, require_papers=True
        )
        errors += file_errors
        if errors or applicant is None or contacts is None:
            raise InvalidInput(INVALID, fields=tuple(errors))
        body_hash = hashlib.sha256(
            json.dumps(request.model_dump(mode="json"), sort_keys=True, ensure_ascii=False).encode()
        ).hexdigest()
        attachments = tuple(self.uploads.keep(checked))
        now = self.clock.now()
        desk, competent = self.filing.desks(procedure, agency)  # received here, decided there

        def build(code: str, due_at: datetime) -> Change:
            return _counter_dossier(
                code,
                desk.code,
                principal,
                procedure,
                request,
                applicant,
                contacts,
                attachments,
                now,
                due_at,
                competent=competent.code,
            )

        result = self.filing.number_and_store(
            principal.sub, key, body_hash, agency=desk.code, procedure=procedure, now=now, build=build
        )
        if not result.replayed:
            count("DossierFiled")  # the same metric as online filing (the dashboards' received)
            count("CounterIntake")
        dossier = result.dossier
        if request.accept and dossier.status is Status.SUBMITTED:
            # As the desk's accept would, through the inbox: the same checks, audit entry, flow start.
            _, dossier = self.inbox.decide(principal, task_id_for(dossier.code, 1), Decision(action="accept"))
        return FilingResult(dossier=dossier, replayed=result.replayed)

    def _applicant(
        self, given: CounterApplicant
    ) -> tuple[Applicant | None, Contacts | None, list[FieldError]]:
        errors: list[FieldError] = []
        problem = cccd_problem(given.id_number, self.clock.now().date())
        if problem is not None:
            errors.append(FieldError(field="applicant.id_number", code=problem.code, message=problem.message))
        phone = vietnamese_mobile(given.phone)
        if phone is None:
            errors.append(
                FieldError(
                    field="applicant.phone",
                    code="phone_not_mobile",
                    message=Text(
                        vi="Số điện thoại phải là số di động Việt Nam (để nhận tin nhắn), vd. 0912 345 678.",
                        en="The phone must be a Vietnamese mobile number (for the SMS), e.g. 0912 345 678.",
                    ),
                )
            )
        if errors or phone is None:
            return None, None, errors
        applicant = Applicant(
            full_name=given.full_name,
            id_number=clean_cccd(given.id_number),
            phone=phone,
            email=given.email,
            address=given.address,
        )
        # Given and checked at the counter, in the person's presence: where the messages go.
        return applicant, Contacts(email=given.email, phone=phone), errors


def vietnamese_mobile(raw: str) -> str | None:
    """'0912 345 678' or '+84 912 345 678' → '+84912345678' when it is a Vietnamese mobile; else None."""
    try:
        number = phonenumbers.parse(raw, "VN")
    except NumberParseException:
        return None
    if (
        not phonenumbers.is_valid_number(number)
        or phonenumbers.region_code_for_number(number) != "VN"
        or phonenumbers.number_type(number) not in MOBILE
    ):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _counter_dossier(
    code: str,
    agency: str,
    officer: Principal,
    procedure: Procedure,
    request: IntakeRequest,
    applicant: Applicant,
    contacts: Contacts,
    attachments: tuple[Attachment, ...],
    now: datetime,
    due_at: datetime,
    *,
    competent: str,
) -> Change:
    """What an intake writes: the dossier (the counter's, received by `officer`), the desk's task, the
    first timeline event and the first audit entry, as online filing does. `competent`: the agency that
    decides it, handed over to once accepted when it is not the desk's (receiving anywhere)."""
    elsewhere = competent != agency
    dossier = Dossier(
        code=code,
        procedure_code=procedure.code,
        procedure_name=procedure.name,
        agency=agency,
        competent_agency=competent if elsewhere else None,
        agencies=(agency, competent) if elsewhere else (agency,),
        owner=counter_owner(agency),
        language=request.language,
        applicant=applicant,
        contacts=contacts,
        form=request.form,
        attachments=attachments,
        status=Status.SUBMITTED,
        filed_at=now,
        due_at=due_at,
        legal_days=procedure.legal_days,
        channel=Channel.COUNTER,
        received_by=ReceivedBy(username=officer.username, name=officer.name),
        ticket=request.ticket,
        fee=filing_fee(procedure.fee, Channel.COUNTER, now),  # collected here, at the intake
    )
    task = Task(
        task_id=task_id_for(code, 1),
        dossier_code=code,
        agency=agency,
        role=Role.RECEIVER,
        kind=TaskKind.RECEPTION,
        state=TaskState.OPEN,
        created_at=now,
        due_at=due_at,
        procedure_code=procedure.code,
        procedure_name=procedure.name,
        applicant_name=applicant.full_name,
        dossier_status=Status.SUBMITTED,
    )
    event = TimelineEvent(
        at=now,
        action=None,
        status=Status.SUBMITTED,
        agency=agency,
        actor_role=officer.role or Role.RECEIVER,
        due_at=due_at,
    )
    audit = record_change(officer, "filed", before=None, after=dossier, at=now, agency=agency)
    return seal(None, dossier, audit, tasks=(task,), events=(event,))
