"""The changes a citizen hears about (sự kiện thông báo), read from the dossier's audit trail."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from motcua.domain.i18n import Text
from motcua.domain.status import Action, Status

if TYPE_CHECKING:
    from motcua.domain.audit import AuditDraft


class Event(StrEnum):
    FILED = "filed"  # the dossier was filed online (status 1)
    ACCEPTED = "accepted"  # tiếp nhận (1 → 2 → 4)
    REFUSED = "refused"  # không được tiếp nhận (3), Mẫu 03
    PAPERS_REQUESTED = "papers_requested"  # yêu cầu bổ sung (5), Mẫu 02
    FEES_DUE = "fees_due"  # yêu cầu thực hiện nghĩa vụ tài chính (6): the amount and a link to pay
    LATE = "late"  # Mẫu 04: an apology with a new date; the status does not change
    RESULT_READY = "result_ready"  # đã xử lý xong (9)
    RETURNED = "returned"  # đã trả kết quả (10)
    STOPPED = "stopped"  # dừng xử lý (8): rejected, or the papers asked for never came
    WITHDRAWN = "withdrawn"  # rút hồ sơ (7): the citizen's own request, acknowledged
    REFUNDED = "refunded"  # hoàn phí: a payment given back through the gateway; the status does not change


FILED = "filed"
# The sweep writes "apologised"; the Action's own value is accepted too.
APOLOGY_ACTIONS = frozenset({"apologised", Action.APOLOGISE.value})
REFUND = "refund"  # services/refunds.py: the audit entry of a refund the gateway took

# The status a change reached decides the event, whoever made it: an officer, the citizen or a flow.
_BY_STATUS = {
    Status.REFUSED: Event.REFUSED,
    Status.MORE_PAPERS: Event.PAPERS_REQUESTED,
    Status.FEES_DUE: Event.FEES_DUE,
    Status.WITHDRAWN: Event.WITHDRAWN,
    Status.STOPPED: Event.STOPPED,
    Status.PROCESSED: Event.RESULT_READY,
    Status.RETURNED: Event.RETURNED,
}


def event_for(entry: AuditDraft) -> Event | None:
    """The one event an audit entry means for the citizen; None for the agencies' own work.

    Steps of a flow, escalations, forwards and restarts leave the status alone and say nothing to the
    citizen; nor does the citizen's own supplement (5 → 1 or 4), which the portal confirms at once.
    """
    before, after = entry.status_before, entry.status_after
    if entry.action == FILED:
        return Event.FILED if before is None and after == Status.SUBMITTED else None
    if entry.action in APOLOGY_ACTIONS:
        return Event.LATE
    if entry.action == REFUND:
        return Event.REFUNDED
    if before is None or before == after:
        return None
    if before == Status.SUBMITTED and after in (Status.ACCEPTED, Status.IN_PROCESS):
        return Event.ACCEPTED
    return next((event for status, event in _BY_STATUS.items() if status == after), None)


_LABELS = {
    Event.FILED: Text(vi="Đã nộp hồ sơ", en="Dossier filed"),
    Event.ACCEPTED: Text(vi="Hồ sơ được tiếp nhận", en="Dossier accepted"),
    Event.REFUSED: Text(vi="Hồ sơ không được tiếp nhận", en="Dossier refused"),
    Event.PAPERS_REQUESTED: Text(vi="Yêu cầu bổ sung giấy tờ", en="More papers requested"),
    Event.FEES_DUE: Text(vi="Yêu cầu thực hiện nghĩa vụ tài chính", en="Fees due"),
    Event.LATE: Text(vi="Xin lỗi, hẹn lại ngày trả kết quả", en="Apology and a new date"),
    Event.RESULT_READY: Text(vi="Đã có kết quả", en="Result ready"),
    Event.RETURNED: Text(vi="Đã trả kết quả", en="Result returned"),
    Event.STOPPED: Text(vi="Dừng xử lý", en="Processing stopped"),
    Event.WITHDRAWN: Text(vi="Đã rút hồ sơ", en="Dossier withdrawn"),
    Event.REFUNDED: Text(vi="Đã hoàn phí", en="Fee refunded"),
}


def event_label(event: Event) -> Text:
    """What a message was about, in a few words (the citizen's notifications page)."""
    return _LABELS[event]
