"""An agency's work: its inbox, a task with its dossier, and an officer's decision on a task.

A decision is checked here (who holds the task, whether it is still open, a reason where one is
needed, a repeat of the same decision) and handed to its owner: the desk for the receiving agency's
task, the flow coordinator for a step of a flow. Forwarding to a colleague is the same for both.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from motcua.domain.calendar import VIETNAM_TZ, end_of_day
from motcua.domain.changes import Change, seal
from motcua.domain.codes import DossierCode, is_dossier_code
from motcua.domain.errors import BadRequest, Conflict, FieldError, Forbidden, InvalidInput, NotFound
from motcua.domain.i18n import Text
from motcua.domain.models import Decided, Dossier, DossierRecord, Page, Principal, Task, TaskKind, TaskState
from motcua.domain.paging import decode_token, encode_token
from motcua.domain.permissions import WORK, RoleRequired, check_act, check_role, holders
from motcua.domain.receiving import competent_agency, handed_over, receiving_agency
from motcua.domain.search import fold
from motcua.domain.status import Action
from motcua.domain.tasks import dossier_code_of_task
from motcua.observability import count
from motcua.services.auditing import record as record_change
from motcua.services.retry import on_fresh_read

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime

    from motcua.config.province import Province
    from motcua.domain.ports import Clock, DossierRepository, StaffDirectory, StaffMember
    from motcua.services.coordinator import FlowCoordinator
    from motcua.services.desk import DeskService
    from motcua.services.dossiers import DossierService

TASK = Text(vi="công việc", en="task")
AGENCY = Text(vi="cơ quan", en="agency")
INBOX = Text(vi="xem hộp công việc của cơ quan", en="read the agency's inbox")
OPEN_TASK = Text(vi="mở công việc", en="open a task")
ESCALATIONS = Text(vi="xem danh sách hồ sơ báo lãnh đạo", en="read the escalations")

DecisionAction = Literal[
    "accept", "refuse", "request_papers", "approve", "reject", "return_result", "forward", "restart_flow"
]


class Decision(BaseModel):
    """An officer's decision on a task."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    action: DecisionAction
    reason: str | None = Field(default=None, max_length=2000)
    to: str | None = Field(default=None, max_length=128, description="forward: the officer's username")


# How many open tasks of an agency a search, a filter on the status or procedure, or the filing
# order reads at most (by due date, in pages of 100): beyond it, the count says it is not complete.
READ_BOUND = 1000
_READ_PAGE = 100

InboxDue = Literal["overdue", "soon"]
InboxSort = Literal["due", "-due", "filed", "-filed"]


class InboxFilter(BaseModel):
    """What an officer narrows the inbox to (tìm kiếm, lọc, sắp xếp hộp công việc)."""

    model_config = ConfigDict(extra="ignore", frozen=True, str_strip_whitespace=True)

    q: str | None = Field(
        default=None,
        max_length=100,
        description=(
            "Words of the dossier code or the applicant's name, in any order; "
            "case and Vietnamese diacritics optional."
        ),
    )
    status: int | None = Field(default=None, ge=1, le=10, description="The dossier's status, 1–10.")
    procedure: str | None = Field(
        default=None, pattern=r"^[0-9A-Za-z.\-]{1,40}$", description="A procedure's code."
    )
    due: InboxDue | None = Field(
        default=None,
        description=(
            "`overdue`: due before now; `soon`: due from now to the end of the next working day "
            "(the daily sweep's horizon)."
        ),
    )
    sort: InboxSort = Field(
        default="due",
        description=(
            "`due` / `-due`: by due date, soonest / latest first; `filed` / `-filed`: by the day the "
            "dossier was filed and its number that day, oldest / newest first."
        ),
    )

    @property
    def narrows(self) -> bool:
        """True when the index cannot answer alone: a search, a status, a procedure, the filing order."""
        return (
            bool(self.q)
            or self.status is not None
            or bool(self.procedure)
            or self.sort in ("filed", "-filed")
        )

    def matches(self, task: Task) -> bool:
        if self.status is not None and task.dossier_status != self.status:
            return False
        if self.procedure and task.procedure_code != self.procedure:
            return False
        if self.q:
            found = fold(f"{task.applicant_name} {task.dossier_code}")
            return all(word in found for word in fold(self.q).split())
        return True

    def order(self, task: Task) -> str:
        """The task's place in the chosen order, as text that sorts."""
        if self.sort in ("filed", "-filed"):
            code = DossierCode.parse(task.dossier_code)
            return f"{code.day:%Y%m%d}#{code.sequence:04d}#{code.agency}#{task.task_id}"
        return f"{task.due_at.astimezone(VIETNAM_TZ).isoformat()}#{task.task_id}"

    def fingerprint(self) -> str:
        return hashlib.sha256(self.model_dump_json().encode()).hexdigest()[:16]


class InboxCount(BaseModel):
    """How many open tasks match, and how many of them are overdue (on the first page)."""

    total: int
    overdue: int
    complete: bool = Field(
        description=(
            "False when the agency has more than 1,000 open tasks in the window: the count, and a "
            "search, a filter on the status or procedure or the filing order, cover the first "
            "1,000 by due date only."
        )
    )


class InboxPage(Page[Task]):
    count: InboxCount | None = None


class InboxService:
    def __init__(
        self,
        *,
        province: Province,
        repository: DossierRepository,
        dossiers: DossierService,
        desk: DeskService,
        coordinator: FlowCoordinator,
        directory: Callable[[], StaffDirectory],
        clock: Clock,
        fee_unpaid: Callable[[Dossier], bool] | None = None,
    ) -> None:
        self.province = province
        # Whether the desk must wait for the dossier's fee before accepting it (docs/payments.md).
        self.fee_unpaid = fee_unpaid
        self.repository = repository
        self.dossiers = dossiers
        self.desk = desk
        self.coordinator = coordinator
        self.directory = directory  # built on first use: only a forward asks it
        self.clock = clock

    def inbox(
        self,
        principal: Principal,
        agency: str,
        *,
        limit: int,
        token: str | None,
        narrow: InboxFilter | None = None,
        counted: bool = False,
    ) -> InboxPage:
        """The agency's open tasks, the soonest due first unless asked otherwise; counted if asked.

        The due-date window and order are the inbox index's key condition and direction: one Query a
        page, and the first page's count `Select=COUNT` Queries of at most READ_BOUND items. A search,
        a status, a procedure or the filing order reads the agency's open tasks in the window (at
        most READ_BOUND) and pages in memory.
        """
        check_staff_of(self.province, principal, agency)
        check_role(principal, WORK, INBOX)
        narrow = narrow or InboxFilter()
        now = self.clock.now()
        after, until = self._window(narrow, now)
        if narrow.narrows:
            found = self._narrowed(agency, narrow, now, after, until, limit=limit, token=token)
            return found if counted else found.model_copy(update={"count": None})
        page = self.repository.inbox(
            agency, limit=limit, token=token, after=after, until=until, latest_first=narrow.sort == "-due"
        )
        count = None
        if token is None and counted:
            total = self.repository.count_inbox(agency, at_most=READ_BOUND, after=after, until=until)
            if narrow.due is None:
                overdue = self.repository.count_inbox(agency, at_most=READ_BOUND, until=now)
            else:
                overdue = total if narrow.due == "overdue" else 0
            count = InboxCount(
                total=min(total, READ_BOUND),
                overdue=min(overdue, READ_BOUND),
                complete=total <= READ_BOUND and overdue <= READ_BOUND,
            )
        return InboxPage(items=page.items, next_token=page.next_token, count=count)

    def _window(self, narrow: InboxFilter, now: datetime) -> tuple[datetime | None, datetime | None]:
        if narrow.due == "overdue":
            return None, now
        if narrow.due == "soon":
            today = now.astimezone(VIETNAM_TZ).date()
            return now, end_of_day(self.province.working_calendar.next_working_day(today))
        return None, None

    def _narrowed(
        self,
        agency: str,
        narrow: InboxFilter,
        now: datetime,
        after: datetime | None,
        until: datetime | None,
        *,
        limit: int,
        token: str | None,
    ) -> InboxPage:
        tasks: list[Task] = []
        read_token: str | None = None
        while True:
            read = self.repository.inbox(agency, limit=_READ_PAGE, token=read_token, after=after, until=until)
            tasks.extend(read.items)
            read_token = read.next_token
            if read_token is None or len(tasks) >= READ_BOUND:
                break
        matching = sorted(
            (t for t in tasks[:READ_BOUND] if narrow.matches(t)),
            key=narrow.order,
            reverse=narrow.sort.startswith("-"),
        )
        # The token names the agency and the filter it continues; a page is re-read, then cut after it.
        listing = f"INBOX#{agency}#{narrow.fingerprint()}"
        count = None
        if token is None:
            overdue = sum(1 for t in matching if t.due_at <= now)
            complete = read_token is None and len(tasks) <= READ_BOUND
            count = InboxCount(total=len(matching), overdue=overdue, complete=complete)
        else:
            start: dict[str, Any] = decode_token(token)
            if start.get("listing") != listing or not isinstance(start.get("after"), str):
                raise BadRequest(
                    Text(vi="next_token không hợp lệ.", en="The next_token is not valid."),
                    code="invalid_next_token",
                )
            last = start["after"]
            if narrow.sort.startswith("-"):
                matching = [t for t in matching if narrow.order(t) < last]
            else:
                matching = [t for t in matching if narrow.order(t) > last]
        chosen = matching[:limit]
        more = len(matching) > limit
        next_token = encode_token({"listing": listing, "after": narrow.order(chosen[-1])}) if more else None
        return InboxPage(items=chosen, next_token=next_token, count=count)

    def open(self, principal: Principal, task_id: str) -> tuple[Task, DossierRecord]:
        """A task and its whole dossier, for the staff of the task's agency."""
        task, record = self._load(principal, task_id)
        self.dossiers.access.opened_task(principal, record.dossier.code, task_id)
        return task, record

    def decide(self, principal: Principal, task_id: str, decision: Decision) -> tuple[Task, Dossier]:
        """Decide on a task; the task and the dossier as they are after it."""
        return on_fresh_read(lambda: self._decide(principal, task_id, decision))

    def _decide(self, principal: Principal, task_id: str, decision: Decision) -> tuple[Task, Dossier]:
        task, record = self._load(principal, task_id)
        action = Action(decision.action)
        if _same_decision(task, decision, principal):
            # A double click or a retry: nothing changes; a lost answer to the flow is sent again.
            self.coordinator.answer(task, action, decision.reason)
            return task, record.dossier
        # The role, and whom the task was forwarded to, are checked in the service, not only at the edge.
        check_act(principal, task, action, record.dossier.status)
        if task.state is not TaskState.OPEN:
            raise Conflict(
                Text(
                    vi=f"Công việc {task_id} không còn mở ({task.state.value}).",
                    en=f"Task {task_id} is no longer open ({task.state.value}).",
                ),
                code="task_not_open",
            )
        if action.needs_reason and not decision.reason:
            raise _field("reason", "reason_required", Text(vi="Cần nêu lý do.", en="A reason is required."))
        if action is Action.RESTART_FLOW:
            self.desk.restart_flow(task, record)
            fresh = self.dossiers.load(record.dossier.code)
            return fresh.task(task.task_id) or task, fresh.dossier
        decided = Decided(
            action=action.value,
            reason=decision.reason,
            by=principal.username,
            by_name=principal.name,
            at=self.clock.now(),
        )
        if action is Action.FORWARD:
            change = self._forward(principal, task, record, decision, decided)
            self.repository.apply(change)
        elif task.kind is TaskKind.STEP:
            change = self.coordinator.decide(principal, task, record, action, decided)
        else:
            if action is Action.ACCEPT and self.fee_unpaid is not None and self.fee_unpaid(record.dossier):
                from motcua.domain.payments import FeeUnpaid

                raise FeeUnpaid()
            change = self.desk.decide(principal, task, record, action, decided)
        count("Decision", action=action.value)
        return next(t for t in change.tasks if t.task_id == task.task_id), change.dossier

    def _forward(
        self, principal: Principal, task: Task, record: DossierRecord, decision: Decision, decided: Decided
    ) -> Change:
        """Hand the task to a colleague of the same agency; the dossier does not move."""
        colleague = self._colleague(principal, task, decision.to)
        roles = holders(task, record.dossier.status)
        if colleague.role not in roles:
            raise _field(
                "to",
                "forward_to_wrong_role",
                RoleRequired(roles, Text(vi="nhận công việc này", en="take this task")).message,
            )
        dossier = record.dossier
        forwarded = task.model_copy(
            update={"assignee": colleague.username, "assignee_name": colleague.name, "decided": decided}
        )
        to = f"{colleague.name} ({colleague.username})" if colleague.name else colleague.username
        audit = record_change(
            principal,
            Action.FORWARD.value,
            before=dossier.status,
            after=dossier,
            at=decided.at,
            task_id=task.task_id,
            reason=f"→ {to}" + (f": {decision.reason}" if decision.reason else ""),
        )
        return seal(dossier, dossier, audit, tasks=(forwarded,))

    def _colleague(self, principal: Principal, task: Task, username: str | None) -> StaffMember:
        """The active member of staff of the task's agency that `username` names, other than the caller.

        The staff directory, not the request, says who they are: anyone else (a citizen, another
        agency's officer, a disabled account, a made-up name) is refused alike, so that the answer
        tells nothing about who has an account where.
        """
        if not username:
            raise _field(
                "to", "forward_to_required", Text(vi="Cần chọn cán bộ nhận.", en="Name the officer.")
            )
        member = self.directory().member(username)
        if member is None or not member.enabled or member.role is None or member.agency != task.agency:
            raise _field(
                "to",
                "forward_to_not_colleague",
                Text(
                    vi=f"“{username}” không phải cán bộ đang làm việc tại cơ quan xử lý công việc này.",
                    en=f"“{username}” is not an active officer of the agency this task belongs to.",
                ),
            )
        if member.username == principal.username:
            raise _field(
                "to",
                "forward_to_self",
                Text(
                    vi="Không thể chuyển công việc cho chính mình; hãy chọn một cán bộ khác.",
                    en="You cannot forward a task to yourself; name another officer.",
                ),
            )
        return member

    def _load(self, principal: Principal, task_id: str) -> tuple[Task, DossierRecord]:
        code = dossier_code_of_task(task_id)
        record = self.repository.get(code) if "-T" in task_id and is_dossier_code(code) else None
        task = record.task(task_id) if record else None
        if record is None or task is None:
            raise NotFound(TASK, task_id, code="task_not_found")
        if not principal.is_staff or principal.agency not in self._sharing(task, record):
            raise Forbidden()
        check_role(principal, WORK, OPEN_TASK)
        return task, record

    def load_task(self, principal: Principal, task_id: str) -> tuple[Task, DossierRecord]:
        """A task and its dossier for the staff who may open it (no access entry: an action follows)."""
        return self._load(principal, task_id)

    def _sharing(self, task: Task, record: DossierRecord) -> frozenset[str | None]:
        """The agencies whose staff open `task`: its agency; for the desk task of a dossier received at
        another agency's desk, both the desk and the competent agency, whichever holds it now (the one
        that does not sees it and may do nothing with it: `check_act` asks for the task's agency)."""
        if task.kind is TaskKind.RECEPTION and handed_over(record.dossier):
            dossier = record.dossier
            return frozenset(
                {
                    task.agency,
                    receiving_agency(self.province, dossier),
                    competent_agency(self.province, dossier),
                }
            )
        return frozenset({task.agency})


def check_staff_of(province: Province, principal: Principal, agency: str) -> None:
    """The agency exists and the caller is on its staff."""
    if agency not in province.agencies_by_code:
        raise NotFound(AGENCY, agency, code="agency_not_found")
    if not principal.is_staff or principal.agency != agency:
        raise Forbidden(
            Text(vi="Bạn không thuộc cơ quan này.", en="You are not on the staff of this agency.")
        )


def _same_decision(task: Task, decision: Decision, principal: Principal) -> bool:
    decided = task.decided
    return (
        decided is not None
        and decided.action == decision.action
        and decided.reason == decision.reason
        and decided.by == principal.username
        and (decision.action != Action.FORWARD.value or task.assignee == decision.to)
    )


def _field(name: str, code: str, message: Text) -> InvalidInput:
    return InvalidInput(message, fields=(FieldError(field=name, code=code, message=message),))
