"""What a citizen does to a dossier once filed: add the papers asked for (bổ sung), withdraw it (rút)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field

from motcua.domain.changes import Change, seal
from motcua.domain.errors import FieldError, Forbidden, InvalidInput
from motcua.domain.i18n import Text
from motcua.domain.models import (
    Dossier,
    DossierRecord,
    Principal,
    PrincipalKind,
    Task,
    TaskState,
    TimelineEvent,
)
from motcua.domain.status import CITIZEN_ACTIONS, Action, Status, plan
from motcua.domain.tasks import close, moved
from motcua.services.auditing import record as record_change
from motcua.services.retry import on_fresh_read
from motcua.services.uploads import AttachmentRef

if TYPE_CHECKING:
    from datetime import datetime

    from motcua.config.province import Province
    from motcua.domain.ports import Clock, DossierRepository
    from motcua.services.coordinator import FlowCoordinator
    from motcua.services.dossiers import DossierService
    from motcua.services.uploads import UploadService


class Supplement(BaseModel):
    """Papers the citizen adds when asked (bổ sung hồ sơ)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    attachments: list[AttachmentRef] = Field(min_length=1, max_length=20)
    note: str | None = Field(default=None, max_length=2000)


class Withdrawal(BaseModel):
    """The citizen withdraws the dossier (rút hồ sơ)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    reason: str | None = Field(default=None, max_length=2000)


class CitizenActions:
    def __init__(
        self,
        *,
        province: Province,
        repository: DossierRepository,
        dossiers: DossierService,
        uploads: UploadService,
        coordinator: FlowCoordinator,
        clock: Clock,
    ) -> None:
        self.province = province
        self.repository = repository
        self.dossiers = dossiers
        self.uploads = uploads
        self.coordinator = coordinator
        self.clock = clock

    def supplement(self, principal: Principal, code: str, supplement: Supplement) -> DossierRecord:
        """Add the papers asked for: the legal clock runs again from now, moved by the days it stood."""
        return on_fresh_read(lambda: self._supplement(principal, code, supplement))

    def _supplement(self, principal: Principal, code: str, supplement: Supplement) -> DossierRecord:
        record = self._own(
            principal,
            code,
            Text(vi="Chỉ người nộp hồ sơ được bổ sung.", en="Only the applicant adds papers."),
        )
        dossier = record.dossier
        sent = {ref.upload_id for ref in supplement.attachments}
        if dossier.status is not Status.MORE_PAPERS and sent <= {a.upload_id for a in dossier.attachments}:
            return record  # these very papers were added: a retry whose first answer was lost
        plan(Action.SUPPLEMENT, dossier.status, resume_to=dossier.resume_to, actions=CITIZEN_ACTIONS)
        procedure = self.province.procedures_by_code[dossier.procedure_code]
        checked, errors = self.uploads.check(
            dossier.owner, procedure, supplement.attachments, require_papers=False
        )
        known = {a.upload_id for a in dossier.attachments}
        errors += [
            FieldError(
                field=f"attachments[{i}].upload_id",
                code="duplicate_upload",
                message=Text(vi="Tệp này đã có trong hồ sơ.", en="This file is already in the dossier."),
            )
            for i, ref in enumerate(supplement.attachments)
            if ref.upload_id in known
        ]
        if errors:
            raise InvalidInput(
                Text(vi="Giấy tờ bổ sung chưa hợp lệ.", en="The added papers are not valid."),
                fields=tuple(errors),
            )
        added = self.uploads.keep(checked)
        now = self.clock.now()
        assert dossier.paused_at is not None and dossier.resume_to is not None  # status 5 sets both
        calendar = self.province.working_calendar
        due_at, stood_still = calendar.resume(dossier.due_at, dossier.paused_at, now)
        resumed = dossier.model_copy(
            update={
                "status": dossier.resume_to,
                "resume_to": None,
                "paused_at": None,
                "resume_token": None,
                "due_at": due_at,
                # A date promised after an apology moves by the same working days.
                "appointment_at": calendar.shift(dossier.appointment_at, stood_still)
                if dossier.appointment_at
                else None,
                "days_paused": dossier.days_paused + stood_still,
                "attachments": dossier.attachments + tuple(added),
            }
        )
        tasks = tuple(
            # A flow's tasks wait on: the step opens again when the flow hands it a new token.
            moved(t, resumed, TaskState.WAITING, now, due_at=calendar.shift(t.due_at, stood_still))
            if dossier.flow
            else moved(t, resumed, TaskState.OPEN, now, due_at=due_at)
            for t in record.tasks
            if t.state is TaskState.WAITING
        )
        self.repository.apply(
            _change(
                principal, dossier, resumed, tasks, Action.SUPPLEMENT, supplement.note, now, due_at=due_at
            )
        )
        self.coordinator.papers_added(dossier)
        return self.dossiers.load(code)

    def withdraw(self, principal: Principal, code: str, withdrawal: Withdrawal) -> DossierRecord:
        """Withdraw a dossier that has no result yet (status 7): the open tasks close, the flow ends."""
        return on_fresh_read(lambda: self._withdraw(principal, code, withdrawal))

    def _withdraw(self, principal: Principal, code: str, withdrawal: Withdrawal) -> DossierRecord:
        record = self._own(
            principal,
            code,
            Text(vi="Chỉ người nộp hồ sơ được rút hồ sơ.", en="Only the applicant withdraws."),
        )
        dossier = record.dossier
        if dossier.status is Status.WITHDRAWN and dossier.reason == withdrawal.reason:
            return record  # withdrawn by this very request: a retry whose first answer was lost
        path = plan(Action.WITHDRAW, dossier.status, actions=CITIZEN_ACTIONS)
        now = self.clock.now()
        withdrawn = dossier.model_copy(
            update={"status": path[-1], "reason": withdrawal.reason, "resume_token": None}
        )
        tasks = tuple(close(t, withdrawn, now) for t in record.tasks if t.state is not TaskState.CLOSED)
        self.repository.apply(
            _change(principal, dossier, withdrawn, tasks, Action.WITHDRAW, withdrawal.reason, now)
        )
        self.coordinator.dossier_withdrawn(record)
        return self.dossiers.load(code)

    def _own(self, principal: Principal, code: str, only: Text) -> DossierRecord:
        record = self.dossiers.load_for(principal, code)
        if principal.kind is not PrincipalKind.CITIZEN:
            raise Forbidden(only)
        return record


def _change(
    principal: Principal,
    before: Dossier,
    after: Dossier,
    tasks: tuple[Task, ...],
    action: Action,
    reason: str | None,
    now: datetime,
    *,
    due_at: datetime | None = None,
) -> Change:
    """What the citizen's own action writes: the dossier, its tasks, one timeline event, the audit."""
    event = TimelineEvent(
        at=now,
        action=action,
        status=after.status,
        agency=before.agency,
        actor_role=PrincipalKind.CITIZEN,
        reason=reason,
        due_at=due_at,
    )
    audit = record_change(
        principal,
        action.value,
        before=before.status,
        after=after,
        at=now,
        agency=before.agency,
        reason=reason,
    )
    return seal(before, after, audit, tasks=tasks, events=(event,))
