"""Filing a dossier (nộp hồ sơ): check it, number it, write it with its first task, exactly once."""

from __future__ import annotations

import hashlib
import json
import random
import re
import time
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field

from motcua.domain.calendar import VIETNAM_TZ
from motcua.domain.changes import Change, seal
from motcua.domain.codes import MAX_SEQUENCE, DossierCode
from motcua.domain.counter import Channel
from motcua.domain.errors import (
    BadRequest,
    Conflict,
    FieldError,
    Forbidden,
    IdempotencyKeyReused,
    InvalidInput,
    Unavailable,
)
from motcua.domain.fees import filing_fee
from motcua.domain.i18n import Language, Text
from motcua.domain.models import (
    Applicant,
    Attachment,
    Dossier,
    IdempotencyRecord,
    PrincipalKind,
    Task,
    TaskKind,
    TaskState,
    TimelineEvent,
)
from motcua.domain.ports import IdempotentReplay, SequenceTaken
from motcua.domain.receiving import may_receive
from motcua.domain.roles import Role
from motcua.domain.status import Status
from motcua.domain.tasks import task_id_for
from motcua.observability import count
from motcua.services.auditing import record as record_change
from motcua.services.forms import check_form, form_validator
from motcua.services.uploads import AttachmentRef

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import date, datetime

    from jsonschema import Draft202012Validator

    from motcua.config.province import Province
    from motcua.domain.catalog import Agency, Procedure
    from motcua.domain.models import Principal
    from motcua.domain.ports import Clock, DossierRepository
    from motcua.services.uploads import UploadService

IDEMPOTENCY_KEY_RE = re.compile(r"^[A-Za-z0-9_.:-]{8,128}$")
# Filings racing for an agency's next number of the day: how often one tries again before "busy".
MAX_ATTEMPTS = 50


class FilingRequest(BaseModel):
    """What a citizen sends to file a dossier."""

    model_config = ConfigDict(extra="forbid")

    procedure_code: str = Field(min_length=1, max_length=40)
    applicant: Applicant
    form: dict[str, Any] = Field(default_factory=dict)
    attachments: list[AttachmentRef] = Field(default_factory=list, max_length=50)
    language: Language = "vi"
    desk: str | None = Field(
        default=None,
        max_length=20,
        description=(
            "The agency code of the one-stop desk that receives the dossier and returns the result, "
            "among the procedure's desks (GET /v1/procedures/{code}: `desks`); none: the procedure's "
            "own agency."
        ),
    )


class FilingResult(BaseModel):
    dossier: Dossier
    replayed: bool


class FilingService:
    def __init__(
        self,
        *,
        province: Province,
        repository: DossierRepository,
        uploads: UploadService,
        clock: Clock,
        pause: Callable[[float], None] = time.sleep,
    ) -> None:
        self.province = province
        self.repository = repository
        self.uploads = uploads
        self.clock = clock
        self.pause = pause  # between attempts at a number another filing took
        self._validators: dict[str, Draft202012Validator] = {}

    def file(self, principal: Principal, request: FilingRequest, idempotency_key: str | None) -> FilingResult:
        if principal.kind is not PrincipalKind.CITIZEN:
            raise Forbidden(
                Text(vi="Chỉ công dân mới nộp hồ sơ trực tuyến.", en="Only citizens file online.")
            )
        key = check_key(idempotency_key)
        procedure = self.procedure(request.procedure_code)
        desk, competent = self.desks(procedure, request.desk)
        errors = check_form(self.validator(procedure), request.form)
        checked, file_errors = self.uploads.check(
            principal.sub, procedure, request.attachments, require_papers=True
        )
        errors += file_errors
        if errors:
            raise InvalidInput(
                Text(
                    vi="Hồ sơ chưa hợp lệ, vui lòng kiểm tra các mục được nêu.",
                    en="The dossier is not valid; please check the fields listed.",
                ),
                fields=tuple(errors),
            )
        # Hashed only once checked: a form the schema refuses never reaches the encoder.
        body_hash = hashlib.sha256(
            json.dumps(request.model_dump(mode="json"), sort_keys=True, ensure_ascii=False).encode()
        ).hexdigest()
        # Once, before the numbering loop: the copies' keys name no dossier, so a number lost to another
        # filing (or a replay of this one) leaves nothing to redo.
        attachments = self.uploads.keep(checked)

        now = self.clock.now()
        agency = desk  # the receiving desk numbers the dossier (Circular 01/2018) and owns it;
        # the due date runs from receipt at the desk, wherever it is: no day for the hand-over.

        def build(code: str, due_at: datetime) -> Change:
            return _new_dossier(
                code,
                agency.code,
                principal,
                procedure,
                request,
                tuple(attachments),
                now,
                due_at,
                competent=competent.code,
            )

        result = self.number_and_store(
            principal.sub, key, body_hash, agency=agency.code, procedure=procedure, now=now, build=build
        )
        if not result.replayed:
            count("DossierFiled")
        return result

    def number_and_store(
        self,
        owner: str,
        key: str,
        body_hash: str,
        *,
        agency: str,
        procedure: Procedure,
        now: datetime,
        build: Callable[[str, datetime], Change],
    ) -> FilingResult:
        """Give the dossier `build` makes the agency's next code of the day and store it with its
        Idempotency-Key (`owner`'s), once: a replay of the key answers the dossier it made."""
        due_at = self.province.working_calendar.due_at(now, procedure.legal_days)
        day = now.astimezone(VIETNAM_TZ).date()
        record = IdempotencyRecord(owner=owner, key=key, body_hash=body_hash, dossier_code="", created_at=now)
        for attempt in range(MAX_ATTEMPTS):
            sequence = self.repository.last_sequence(agency, day) + 1
            if sequence > MAX_SEQUENCE:
                raise Conflict(
                    Text(
                        vi="Cơ quan đã tiếp nhận tối đa 9999 hồ sơ trong ngày.",
                        en="The agency has received the most dossiers a day can number (9999).",
                    ),
                    code="daily_sequence_exhausted",
                )
            code = str(DossierCode(agency=agency, day=day, sequence=sequence))
            change = build(code, due_at)
            try:
                self.repository.file(
                    change,
                    agency=agency,
                    day=day,
                    sequence=sequence,
                    idempotency=record.model_copy(update={"dossier_code": code}),
                )
            except IdempotentReplay as replay:
                return self._replay(replay.record, body_hash)
            except SequenceTaken:
                # Another filing took the number first: read the counter again, after a short jitter.
                self.pause(random.uniform(0, min(0.2, 0.005 * 2**attempt)))  # noqa: S311 — jitter
                continue
            return FilingResult(dossier=change.dossier, replayed=False)
        # Nothing was stored: the same request again (same key) is safe, in a moment.
        raise Unavailable(
            Text(vi="Hệ thống đang bận, vui lòng thử lại.", en="The service is busy; please try again."),
            retry_after=2,
            code="busy",
        )

    def _replay(self, record: IdempotencyRecord, body_hash: str) -> FilingResult:
        if record.body_hash != body_hash:
            raise IdempotencyKeyReused()
        existing = self.repository.get(record.dossier_code)
        if existing is None:  # pragma: no cover — both were written in one transaction
            raise RuntimeError(f"idempotency record points at missing dossier {record.dossier_code}")
        return FilingResult(dossier=existing.dossier, replayed=True)

    def desks(self, procedure: Procedure, desk: str | None) -> tuple[Agency, Agency]:
        """The desk that receives a dossier of `procedure` and the agency that decides it, both at work
        today; InvalidInput naming `desk` when that desk may not receive it (domain/receiving.py)."""
        competent = self.province.current_agency(procedure.agency)
        assert competent is not None  # the province loader checked every procedure's agency
        if desk is None:
            return competent, competent
        receiving = self.province.current_agency(desk)
        if receiving is None or not may_receive(self.province, procedure, desk):
            message = Text(
                vi=f"Thủ tục {procedure.code} không được tiếp nhận tại cơ quan “{desk}”.",
                en=f"Procedure {procedure.code} cannot be received at agency “{desk}”.",
            )
            raise InvalidInput(
                message, fields=(FieldError(field="desk", code="desk_not_allowed", message=message),)
            )
        return receiving, competent

    def procedure(self, code: str) -> Procedure:
        procedure = self.province.procedures_by_code.get(code)
        if procedure is None:
            message = Text(vi=f"Không có thủ tục “{code}”.", en=f"There is no procedure “{code}”.")
            raise InvalidInput(
                message,
                fields=(FieldError(field="procedure_code", code="unknown_procedure", message=message),),
            )
        return procedure

    def _today(self) -> date:
        return self.clock.now().astimezone(VIETNAM_TZ).date()

    def validator(self, procedure: Procedure) -> Draft202012Validator:
        if procedure.code not in self._validators:
            self._validators[procedure.code] = form_validator(procedure.form, today=self._today)
        return self._validators[procedure.code]


def _new_dossier(
    code: str,
    agency: str,
    principal: Principal,
    procedure: Procedure,
    request: FilingRequest,
    attachments: tuple[Attachment, ...],
    now: datetime,
    due_at: datetime,
    *,
    competent: str | None = None,
) -> Change:
    """What a filing writes: the dossier, the receiving desk's task, the first timeline event and
    the first entry of the audit trail. `competent`: the agency that decides it, when another
    agency's desk receives it (it is handed over once accepted)."""
    elsewhere = competent is not None and competent != agency
    dossier = Dossier(
        code=code,
        procedure_code=procedure.code,
        procedure_name=procedure.name,
        agency=agency,
        competent_agency=competent if elsewhere else None,
        agencies=(agency, competent) if elsewhere and competent else (agency,),
        owner=principal.sub,
        language=request.language,
        applicant=request.applicant,
        contacts=principal.contacts,
        form=request.form,
        attachments=attachments,
        status=Status.SUBMITTED,
        filed_at=now,
        due_at=due_at,
        legal_days=procedure.legal_days,
        fee=filing_fee(procedure.fee, Channel.ONLINE, now),
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
        applicant_name=request.applicant.full_name,
        dossier_status=Status.SUBMITTED,
    )
    event = TimelineEvent(
        at=now,
        action=None,
        status=Status.SUBMITTED,
        agency=agency,
        actor_role=PrincipalKind.CITIZEN,
        due_at=due_at,
    )
    audit = record_change(principal, "filed", before=None, after=dossier, at=now, agency=agency)
    return seal(None, dossier, audit, tasks=(task,), events=(event,))


def check_key(key: str | None) -> str:
    if key is None or not IDEMPOTENCY_KEY_RE.match(key):
        raise BadRequest(
            Text(
                vi="Cần tiêu đề Idempotency-Key (8–128 ký tự chữ, số, - _ . :), ví dụ một UUID.",
                en="An Idempotency-Key header is required (8–128 letters, digits, - _ . :), e.g. a UUID.",
            ),
            code="idempotency_key_required",
        )
    return key
