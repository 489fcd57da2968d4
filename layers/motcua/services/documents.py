"""A dossier's documents as PDFs (Mẫu 01–05 of Circular 01/2018, and the result): which exist, each one."""

from __future__ import annotations

import re
from enum import StrEnum
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict

from motcua.documents import control_slip as slip_pdf
from motcua.documents import notices, receipt
from motcua.documents import result as result_pdf
from motcua.documents.result import RenderedResult
from motcua.documents.sheet import Letterhead
from motcua.domain.errors import Conflict, NotFound
from motcua.domain.i18n import Text
from motcua.domain.models import TaskKind
from motcua.domain.receiving import competent_agency
from motcua.domain.status import Action, Status
from motcua.presentation.presenter import Presenter

if TYPE_CHECKING:
    from datetime import datetime

    from motcua.config.province import Province
    from motcua.domain.i18n import Language
    from motcua.domain.models import DossierRecord, TimelineEvent

__all__ = [
    "DocumentKind",
    "DocumentRef",
    "RenderedResult",
    "available",
    "render",
    "render_result",
    "result_ref",
]

DOCUMENT = Text(vi="văn bản", en="document")


class DocumentKind(StrEnum):
    RECEIPT = "receipt"  # Mẫu 01 — giấy tiếp nhận hồ sơ và hẹn trả kết quả
    PAPERS_REQUEST = "papers_request"  # Mẫu 02 — phiếu yêu cầu bổ sung, hoàn thiện hồ sơ
    REFUSAL = "refusal"  # Mẫu 03 — phiếu từ chối tiếp nhận giải quyết hồ sơ
    APOLOGY = "apology"  # Mẫu 04 — phiếu xin lỗi và hẹn lại ngày trả kết quả
    CONTROL_SLIP = "control_slip"  # Mẫu 05 — phiếu kiểm soát quá trình giải quyết hồ sơ
    RESULT = "result"  # kết quả giải quyết thủ tục hành chính (Decree 45/2020: <code>-KQ<n>)


_FORMS = {
    DocumentKind.RECEIPT: "01",
    DocumentKind.PAPERS_REQUEST: "02",
    DocumentKind.REFUSAL: "03",
    DocumentKind.APOLOGY: "04",
    DocumentKind.CONTROL_SLIP: "05",
}
_TITLES = {
    DocumentKind.RECEIPT: receipt.TITLE,
    DocumentKind.PAPERS_REQUEST: notices.PAPERS_TITLE,
    DocumentKind.REFUSAL: notices.REFUSAL_TITLE,
    DocumentKind.APOLOGY: notices.APOLOGY_TITLE,
    DocumentKind.CONTROL_SLIP: slip_pdf.TITLE,
    DocumentKind.RESULT: result_pdf.TITLE,
}
# The number printed after "Số:", after the dossier code: BS bổ sung, TC từ chối, XL xin lỗi,
# KS kiểm soát, as the result's KQ (kết quả) of Decree 45/2020. The receipt carries the code alone.
_SUFFIXES = {
    DocumentKind.RECEIPT: "",
    DocumentKind.PAPERS_REQUEST: "-BS{n}",
    DocumentKind.REFUSAL: "-TC",
    DocumentKind.APOLOGY: "-XL{n}",
    DocumentKind.CONTROL_SLIP: "-KS",
    DocumentKind.RESULT: "-KQ{n}",
}
_SINGLE = frozenset({DocumentKind.RECEIPT, DocumentKind.REFUSAL, DocumentKind.CONTROL_SLIP})
FORM = Text(vi="Mẫu", en="Form")


class DocumentRef(BaseModel):
    """One document of a dossier: what it is, its title in a language, and how to name and fetch it."""

    model_config = ConfigDict(frozen=True)

    kind: DocumentKind
    number: int  # 1, 2, … among the documents of its kind on this dossier
    form: str | None  # "Mẫu 01" … "Mẫu 05"; None for the result, which follows no Circular 01 form
    title: str
    filename: str  # ASCII only, for Content-Disposition
    name: str  # the URL path segment: receipt, papers-request-1, apology-2, control-slip, refusal, result-1


def document_ref(code: str, kind: DocumentKind, number: int, language: Language) -> DocumentRef:
    form = _FORMS.get(kind)
    slug = kind.value.replace("_", "-")
    # Decree 45/2020 names the result file <code>-KQ<n>; the forms carry their number and form.
    filename = f"{code}-KQ{number}.pdf" if kind is DocumentKind.RESULT else f"{code}-{number}-Mau{form}.pdf"
    return DocumentRef(
        kind=kind,
        number=number,
        form=f"{FORM.in_(language)} {form}" if form else None,
        title=_TITLES[kind].in_(language),
        filename=re.sub(r"[^A-Za-z0-9.-]", "_", filename),
        name=slug if kind in _SINGLE else f"{slug}-{number}",
    )


def result_ref(code: str, number: int, language: Language) -> DocumentRef:
    """How the n-th result of a dossier is named (`<code>-KQ<n>.pdf`)."""
    return document_ref(code, DocumentKind.RESULT, number, language)


def available(record: DossierRecord, language: Language | None = None) -> list[DocumentRef]:
    """The documents a dossier has now: receipt and control slip always, the others as things happened."""
    dossier = record.dossier
    language = language or dossier.language
    kinds = [(DocumentKind.RECEIPT, 1)]
    kinds += [(DocumentKind.PAPERS_REQUEST, n) for n in range(1, len(_papers_requests(record)) + 1)]
    if _refusal(record) is not None:
        kinds.append((DocumentKind.REFUSAL, 1))
    kinds += [(DocumentKind.APOLOGY, apology.number) for apology in dossier.apologies]
    kinds.append((DocumentKind.CONTROL_SLIP, 1))
    return [document_ref(dossier.code, kind, number, language) for kind, number in kinds]


def render(
    record: DossierRecord, name: str, *, presenter: Presenter, now: datetime, language: Language | None = None
) -> bytes:
    """The PDF of the document `name` (see DocumentRef.name); NotFound if the dossier has no such document.

    `language` defaults to the dossier's; `now` dates the control slip, which shows steps as they stand.
    """
    language = language or record.dossier.language
    ref = next((ref for ref in available(record, language) if ref.name == name), None)
    if ref is None:
        raise NotFound(DOCUMENT, name, code="document_not_found")
    match ref.kind:
        case DocumentKind.RECEIPT:
            return _receipt(record, presenter, language)
        case DocumentKind.PAPERS_REQUEST:
            return _papers_request(record, ref.number, presenter, language)
        case DocumentKind.REFUSAL:
            return _refusal_pdf(record, presenter, language)
        case DocumentKind.APOLOGY:
            return _apology(record, ref.number, presenter, language)
        case _:
            return _control_slip(record, presenter, language, now)


def render_result(
    record: DossierRecord,
    number: int,
    *,
    province: Province,
    now: datetime,
    language: Language | None = None,
    note: str | None = None,
) -> RenderedResult:
    """The n-th result `<code>-KQ<n>`, dated `now`, unsigned, with the box where the signature goes.

    Only a dossier being decided (in process: signing the result is the decision) or approved
    (processed, or its result returned) has a result: Conflict otherwise.
    """
    dossier = record.dossier
    language = language or dossier.language
    if number < 1:
        raise ValueError("results are numbered from 1")
    if dossier.status not in (Status.IN_PROCESS, Status.PROCESSED, Status.RETURNED):
        raise Conflict(
            Text(
                vi=f"Hồ sơ {dossier.code} chưa được phê duyệt nên chưa có kết quả.",
                en=f"Dossier {dossier.code} is not approved, so it has no result yet.",
            ),
            code="no_result",
        )
    presenter = Presenter(province, province.portal_url)
    decided_by = competent_agency(province, dossier)  # the agency that decided it, not the desk
    head = _letterhead(
        presenter, decided_by, _number(dossier.code, DocumentKind.RESULT, number), now, language
    )
    procedure = province.procedures_by_code.get(dossier.procedure_code)
    return result_pdf.result(dossier, head, procedure=procedure, language=language, note=note)


# --- what happened, from the timeline and the tasks ------------------------------------------------


def _papers_requests(record: DossierRecord) -> list[TimelineEvent]:
    """Each request for papers, oldest first: the event that moved the dossier to status 5."""
    found = [e for e in record.events if e.action is Action.REQUEST_PAPERS and e.status is Status.MORE_PAPERS]
    return sorted(found, key=lambda event: event.at)


def _refusal(record: DossierRecord) -> TimelineEvent | None:
    refusals = [e for e in record.events if e.action is Action.REFUSE and e.status is Status.REFUSED]
    return max(refusals, key=lambda event: event.at) if refusals else None


def _officer(record: DossierRecord, action: Action, at: datetime | None = None) -> str | None:
    """The name of the officer who took `action` (at `at`), while their task still remembers it."""
    for task in record.tasks:
        decided = task.decided
        if decided and decided.action == action.value and (at is None or decided.at == at):
            return decided.by_name
    return None


# --- each document -------------------------------------------------------------------------------


def _number(code: str, kind: DocumentKind, number: int = 1) -> str:
    return code + _SUFFIXES[kind].format(n=number)


def _letterhead(presenter: Presenter, code: str, number: str, at: datetime, language: Language) -> Letterhead:
    agency = presenter.province.agencies_by_code.get(code)
    parent = agency.parent if agency else None
    return Letterhead(
        agency=presenter.agency_name(code, language),
        parent=presenter.agency_name(parent, language) if parent else None,
        number=number,
        place=presenter.province.name.in_(language),
        at=at,
    )


def _receipt(record: DossierRecord, presenter: Presenter, language: Language) -> bytes:
    dossier = record.dossier
    head = _letterhead(
        presenter, dossier.agency, _number(dossier.code, DocumentKind.RECEIPT), dossier.filed_at, language
    )
    desk = next((t for t in record.tasks if t.kind is TaskKind.RECEPTION), None)
    accepted = desk.decided if desk and desk.decided and desk.decided.action == Action.ACCEPT.value else None
    return receipt.receipt(
        dossier,
        head,
        procedure=presenter.province.procedures_by_code.get(dossier.procedure_code),
        tracking_url=presenter.tracking_url(dossier.code),
        # Accepted: who accepted it; taken at the counter: the officer who received it.
        officer=accepted.by_name if accepted else (dossier.received_by.name if dossier.received_by else None),
        language=language,
    )


def _papers_request(record: DossierRecord, number: int, presenter: Presenter, language: Language) -> bytes:
    dossier, event = record.dossier, _papers_requests(record)[number - 1]
    code = _number(dossier.code, DocumentKind.PAPERS_REQUEST, number)
    agency = presenter.province.agencies_by_code.get(event.agency)
    return notices.papers_request(
        dossier,
        _letterhead(presenter, dossier.agency, code, event.at, language),
        asked_at=event.at,
        asked_by=presenter.agency_name(event.agency, language),
        reason=event.reason or "",
        officer=_officer(record, Action.REQUEST_PAPERS, event.at),
        email=agency.email if agency else None,
        language=language,
    )


def _refusal_pdf(record: DossierRecord, presenter: Presenter, language: Language) -> bytes:
    dossier, event = record.dossier, _refusal(record)
    assert event is not None  # listed by available() only when there is one
    code = _number(dossier.code, DocumentKind.REFUSAL)
    return notices.refusal(
        dossier,
        _letterhead(presenter, dossier.agency, code, event.at, language),
        refused_at=event.at,
        reason=event.reason or dossier.reason or "",
        officer=_officer(record, Action.REFUSE, event.at),
        language=language,
    )


def _apology(record: DossierRecord, number: int, presenter: Presenter, language: Language) -> bytes:
    dossier = record.dossier
    apology = next(a for a in dossier.apologies if a.number == number)
    code = _number(dossier.code, DocumentKind.APOLOGY, number)
    head = _letterhead(presenter, apology.agency, code, apology.issued_at, language)
    return notices.apology(dossier, head, apology, language=language)


def _control_slip(record: DossierRecord, presenter: Presenter, language: Language, now: datetime) -> bytes:
    dossier = record.dossier
    code = _number(dossier.code, DocumentKind.CONTROL_SLIP)
    return slip_pdf.control_slip(
        presenter.control_slip(record, language, now),
        _letterhead(presenter, dossier.agency, code, now, language),
        applicant=dossier.applicant.full_name,
        now=now,
        language=language,
    )
