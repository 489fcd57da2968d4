"""Results (kết quả giải quyết): issued by the competent agency, signed with its key, checked by anyone.

A result is either drawn by the platform from the dossier or uploaded by the officer; either way it is
signed as a PDF (PAdES) with the agency's key, which never leaves KMS, stored as `<code>-KQ<n>.<hash>.pdf`
and recorded on the dossier with its hash, in the audit trail like every other change.
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from pydantic import BaseModel, ConfigDict, Field, model_validator

from motcua.domain.access import AccessKind
from motcua.domain.audit import AuditDraft
from motcua.domain.changes import seal
from motcua.domain.errors import Conflict, Forbidden, InvalidInput, NotFound, PayloadTooLarge
from motcua.domain.i18n import Text
from motcua.domain.models import Principal, Result, TaskKind, TaskState
from motcua.domain.permissions import PROCESSING, check_role
from motcua.domain.receiving import competent_agency
from motcua.domain.status import Status
from motcua.resources import BUCKET
from motcua.services.uploads import upload_key

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from motcua.config.province import Province
    from motcua.domain.i18n import Language
    from motcua.domain.ports import AttachmentStore, Clock, DossierRepository
    from motcua.presentation.presenter import Presenter
    from motcua.services.dossiers import DossierService

# What API Gateway and Lambda can carry back in one answer (6 MB, base64 adds a third).
MAX_RESULT_BYTES = 4 * 1024 * 1024
RESULT_CODE = re.compile(r"^(?P<dossier>[0-9A-Za-z.]+-\d{6}-\d{4})-KQ(?P<number>\d{1,3})$")
_ISSUABLE = (Status.IN_PROCESS, Status.PROCESSED)


class Signer(Protocol):
    """Signs a PDF with an agency's key (motcua.signing.sign.DocumentSigner)."""

    def sign_pdf(
        self,
        pdf: bytes,
        *,
        agency: str,
        signer_name: str,
        reason: str,
        location: str,
        box: Any = None,
        field_name: str | None = None,
    ) -> bytes: ...


class IssueResult(BaseModel):
    """Issue the result: drawn by the platform (`render`, with an optional note) or an uploaded PDF."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    render: bool = False
    summary: str | None = Field(default=None, max_length=2000, description="A note printed on a drawn result")
    upload_id: str | None = Field(default=None, pattern=r"^[0-9a-f]{32}$", description="A PDF uploaded first")

    @model_validator(mode="after")
    def _one_source(self) -> IssueResult:
        if self.render == (self.upload_id is not None):
            raise ValueError("give either render: true or an upload_id, not both")
        return self


class ResultIssued(BaseModel):
    result_code: str
    number: int
    signed_at: datetime
    signer: str  # the agency's name
    agency: str
    sha256: str
    size: int
    href: str  # where the signed PDF is downloaded (GET, Accept: application/pdf)


class DocumentItem(BaseModel):
    """One downloadable document of a dossier: a Circular 01 form (Mẫu 01–05) or a signed result."""

    name: str
    form: str | None
    title: str
    number: int
    filename: str
    href: str  # GET it with Accept: application/pdf
    result_code: str | None = None


class DocumentList(BaseModel):
    items: list[DocumentItem]


class VerifyByCode(BaseModel):
    """Verify a result the platform keeps, by the code printed on it; or send the PDF itself instead."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    result_code: str = Field(min_length=5, max_length=60, description="<dossier code>-KQ<n>")


class SignerView(BaseModel):
    name: str | None
    organisation: str | None
    agency_code: str | None
    person: str | None = None


class ProblemView(BaseModel):
    code: str
    message: str


class VerifyAnswer(BaseModel):
    """Whether a result is what the agency signed: `valid` says it; the checks below say why."""

    valid: bool
    intact: bool
    trusted: bool
    covers_whole_file: bool
    modified_after_signing: bool
    signer: SignerView | None
    signed_at: datetime | None
    result_code: str | None
    problem: ProblemView | None


class ResultService:
    def __init__(
        self,
        *,
        province: Province,
        repository: DossierRepository,
        dossiers: DossierService,
        store: AttachmentStore,
        signer: Callable[[], Signer],
        trust_roots: Callable[[], Iterable[bytes]],
        presenter: Presenter,
        clock: Clock,
    ) -> None:
        self.province = province
        self.repository = repository
        self.dossiers = dossiers
        self.store = store
        self._signer = signer  # built on first use: KMS and the certificates
        self.trust_roots = trust_roots  # the province's CA certificates, for anyone's verification
        self.presenter = presenter
        self.clock = clock

    def issue(
        self, principal: Principal, code: str, request: IssueResult, language: Language
    ) -> ResultIssued:
        record = self.dossiers.load_for(principal, code)
        dossier = record.dossier
        competent = competent_agency(self.province, dossier)  # the receiving desk returns it, no more
        if not principal.is_staff or principal.agency != competent:
            raise Forbidden(
                Text(
                    vi="Chỉ cán bộ của cơ quan giải quyết hồ sơ được ban hành kết quả.",
                    en="Only the staff of the agency deciding the dossier issue its result.",
                )
            )
        check_role(principal, PROCESSING, Text(vi="ban hành kết quả", en="issue a result"))
        if dossier.status not in _ISSUABLE:
            raise Conflict(
                Text(
                    vi=f"Hồ sơ đang ở trạng thái “{dossier.status.label.vi}”, chưa thể ban hành kết quả.",
                    en=f"The dossier is “{dossier.status.label.en}”; a result cannot be issued now.",
                ),
                code="result_not_allowed",
            )
        open_steps = [t for t in record.tasks if t.kind is TaskKind.STEP and t.state is not TaskState.CLOSED]
        if dossier.flow and (open_steps or dossier.status is not Status.PROCESSED):
            # One door: the result comes once every agency of the flow has approved its step.
            raise Conflict(
                Text(
                    vi="Các cơ quan phối hợp chưa giải quyết xong; chưa thể ban hành kết quả.",
                    en="The agencies of the flow have not all decided yet; a result cannot be issued now.",
                ),
                code="flow_not_finished",
            )
        from motcua.services.documents import render_result  # fpdf2 and fonts: only when drawing

        number = len(dossier.results) + 1
        result_code = f"{code}-KQ{number}"
        now = self.clock.now()
        box = None
        if request.render:
            rendered = render_result(
                record, number, province=self.province, now=now, language="vi", note=request.summary
            )
            pdf = rendered.pdf
            from motcua.signing.stamp import SignatureBox

            box = SignatureBox(rendered.page, *rendered.signature_box)
        else:
            assert request.upload_id is not None
            pdf = self._uploaded(principal, request.upload_id)
        try:
            signed = self._signer().sign_pdf(
                pdf,
                agency=competent,
                signer_name=principal.name or principal.username,
                reason=f"Kết quả giải quyết hồ sơ {result_code}",
                location=self.province.name.vi,
                box=box,
                field_name=f"KQ{number}",
            )
        except ValueError as error:  # the uploaded file is not a PDF that can be signed
            raise InvalidInput(
                Text(
                    vi="Không đọc được tệp PDF kết quả để ký số; hãy xuất lại tệp PDF và tải lên lần nữa.",
                    en="The result PDF cannot be read for signing; export it again and upload it again.",
                ),
                code="unreadable_pdf",
            ) from error
        sha256 = hashlib.sha256(signed).hexdigest()
        # The file is named by its content as well as its code: two issuances racing for the same
        # number each keep their own file, and the record that wins names the file it signed.
        key = f"{BUCKET.result_prefix}{result_code}.{sha256[:16]}.pdf"
        self.store.put(key, signed, content_type="application/pdf")
        result = Result(
            number=number,
            code=result_code,
            key=key,
            sha256=sha256,
            size=len(signed),
            agency=competent,
            signed_at=now,
            officer=principal.username,
            officer_name=principal.name,
            rendered=request.render,
        )
        audit = AuditDraft(
            at=now,
            actor=principal.username,
            actor_name=principal.name,
            role=principal.role.value if principal.role else "staff",
            agency=principal.agency,
            action="result_issued",
            status_before=int(dossier.status),
            status_after=int(dossier.status),
            reason=f"{result_code} sha256:{result.sha256}",
        )
        self.repository.apply(
            seal(dossier, dossier.model_copy(update={"results": (*dossier.results, result)}), audit)
        )
        agency = self.province.agencies_by_code.get(competent)
        return ResultIssued(
            result_code=result_code,
            number=number,
            signed_at=now,
            signer=agency.name.in_(language) if agency else competent,
            agency=competent,
            sha256=result.sha256,
            size=result.size,
            href=f"/v1/dossiers/{code}/documents/result-{number}",
        )

    def signed(self, result: Result) -> bytes:
        content = self.store.read(result.key, max_bytes=MAX_RESULT_BYTES)
        if content is None:
            raise NotFound(Text(vi="tệp kết quả", en="result file"), result.code)
        return content

    def find(self, result_code: str) -> bytes:
        """The signed PDF of a result code, for anyone who holds the code (it is printed on the paper)."""
        match = RESULT_CODE.match(result_code.strip())
        if match is None:
            raise InvalidInput(
                Text(vi="Mã kết quả không hợp lệ.", en="That is not a result code."),
                code="invalid_result_code",
            )
        record = self.repository.get(match["dossier"])
        number = int(match["number"])
        found = next((r for r in record.dossier.results if r.number == number), None) if record else None
        if found is None:
            raise NotFound(Text(vi="kết quả", en="result"), result_code, code="result_not_found")
        return self.signed(found)

    def documents(self, principal: Principal, code: str, language: Language) -> DocumentList:
        """What the owner and the agencies involved may download: the forms so far, then the results."""
        from motcua.services.documents import available, result_ref

        record = self.dossiers.load_for(principal, code)
        refs = [
            *available(record, language),
            *(result_ref(code, r.number, language) for r in record.dossier.results),
        ]
        codes = {f"result-{r.number}": r.code for r in record.dossier.results}
        return DocumentList(
            items=[
                DocumentItem(
                    name=ref.name,
                    form=ref.form,
                    title=ref.title,
                    number=ref.number,
                    filename=ref.filename,
                    href=f"/v1/dossiers/{code}/documents/{ref.name}",
                    result_code=codes.get(ref.name),
                )
                for ref in refs
            ]
        )

    def document(self, principal: Principal, code: str, name: str, language: Language) -> tuple[bytes, str]:
        """A document's PDF and its file name; NotFound for a name the dossier does not have."""
        from motcua.services.documents import available, render

        record = self.dossiers.load_for(principal, code)
        for result in record.dossier.results:
            if name == f"result-{result.number}":
                signed = self.signed(result)
                self.dossiers.access.opened(principal, code, AccessKind.DOCUMENT, name)
                return signed, f"{result.code}.pdf"
        pdf = render(record, name, presenter=self.presenter, now=self.clock.now(), language=language)
        self.dossiers.access.opened(principal, code, AccessKind.DOCUMENT, name)
        filename = next(
            (ref.filename for ref in available(record, language) if ref.name == name), f"{name}.pdf"
        )
        return pdf, filename

    def verify(self, *, pdf: bytes | None, result_code: str | None, language: Language) -> VerifyAnswer:
        """Anyone's check of a result: the file itself, or the one the platform keeps under the code."""
        from motcua.signing.verify import verify_pdf

        if pdf is None:
            assert result_code is not None
            pdf = self.find(result_code)
        found = verify_pdf(pdf, list(self.trust_roots()))
        named = re.search(r"\S+-KQ\d+", found.reason or "")
        signer = found.signer
        return VerifyAnswer(
            valid=found.valid,
            intact=found.intact,
            trusted=found.trusted,
            covers_whole_file=found.covers_whole_file,
            modified_after_signing=found.modified_after_signing,
            signer=SignerView(**signer.model_dump()) if signer else None,
            signed_at=found.signed_at,
            result_code=result_code or (named.group(0) if named else None),
            problem=ProblemView(code=found.problem.code, message=found.problem.message.in_(language))
            if found.problem
            else None,
        )

    def _uploaded(self, principal: Principal, upload_id: str) -> bytes:
        try:
            content = self.store.read(upload_key(principal.sub, upload_id), max_bytes=MAX_RESULT_BYTES)
        except ValueError as error:
            raise PayloadTooLarge(
                Text(
                    vi=f"Tệp kết quả vượt quá {MAX_RESULT_BYTES // (1024 * 1024)} MB.",
                    en=f"The result file is larger than {MAX_RESULT_BYTES // (1024 * 1024)} MB.",
                )
            ) from error
        if content is None:
            raise NotFound(Text(vi="tệp đã tải lên", en="uploaded file"), upload_id, code="file_missing")
        if not content.startswith(b"%PDF-"):
            raise InvalidInput(
                Text(vi="Kết quả phải là tệp PDF.", en="The result must be a PDF file."), code="not_a_pdf"
            )
        return content
