"""Check a signed result (kiểm tra chữ ký số) for anyone: intact, whole, and signed by one of the province's
agencies."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from io import BytesIO
from typing import TYPE_CHECKING, Any

from asn1crypto import x509
from pydantic import BaseModel, ConfigDict
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from motcua.domain.i18n import Text
from motcua.signing.loop import outside_loop

if TYPE_CHECKING:
    from collections.abc import Iterable

    from pyhanko.sign.validation import EmbeddedPdfSignature, PdfSignatureStatus

logger = logging.getLogger(__name__)

_PROBLEMS = {
    "not_a_pdf": Text(vi="Tệp không phải là tệp PDF đọc được.", en="The file is not a readable PDF."),
    "not_signed": Text(vi="Tệp không có chữ ký số.", en="The file carries no digital signature."),
    "invalid_signature": Text(
        vi="Chữ ký số trong tệp bị hỏng hoặc không đọc được.",
        en="The file's digital signature is damaged or cannot be read.",
    ),
    "tampered": Text(
        vi="Nội dung đã ký đã bị thay đổi: chữ ký số không còn khớp với tệp.",
        en="The signed content was changed: the signature no longer matches the file.",
    ),
    "untrusted": Text(
        vi=(
            "Chữ ký số không thuộc cơ quan nào của tỉnh (chứng thư số không được tin cậy, "
            "chưa có hiệu lực hoặc đã hết hạn)."
        ),
        en=(
            "The signature is not one of the province's agencies' (its certificate is not trusted, "
            "not yet valid or expired)."
        ),
    ),
    "modified_after_signing": Text(
        vi="Tệp đã bị sửa hoặc lưu thêm sau khi ký.",
        en="The file was changed or saved again after it was signed.",
    ),
}


class Problem(BaseModel):
    """Why a file does not verify: a stable code for programs, a message for people."""

    model_config = ConfigDict(frozen=True)

    code: str
    message: Text

    @classmethod
    def of(cls, code: str) -> Problem:
        return cls(code=code, message=_PROBLEMS[code])


class SignerInfo(BaseModel):
    """Who signed, as the signing certificate says (and the officer the signature names)."""

    model_config = ConfigDict(frozen=True)

    name: str | None  # the agency (the certificate's CN)
    organisation: str | None  # the province (O)
    agency_code: str | None  # the agency's QCVN 102 code (serialNumber)
    person: str | None = None  # the officer who applied the signature (/Name, inside the signed bytes)


class Verification(BaseModel):
    """What a check of a signed PDF found; `valid` is the one answer most readers need."""

    model_config = ConfigDict(frozen=True)

    valid: bool  # intact, covering the whole file, and chaining to a trusted root
    intact: bool = False  # the signed bytes are unchanged and the signature over them is sound
    trusted: bool = False  # the signer's certificate chains to one of the trust roots and is in force
    covers_whole_file: bool = False
    modified_after_signing: bool = False  # incremental updates follow the signed revision
    signer: SignerInfo | None = None
    signed_at: datetime | None = None  # the signer's claimed signing time (/M of the signature)
    reason: str | None = None
    location: str | None = None
    signatures: int = 0  # how many signatures the file has; the last one is the one checked
    problem: Problem | None = None


def verify_pdf(pdf: bytes, trust_roots: Iterable[bytes]) -> Verification:
    """Check the last signature of `pdf` against `trust_roots` (DER CA certificates), offline: no
    certificate or revocation fetching. Never raises for bad input; a problem says what is wrong."""
    try:
        signatures = list(PdfFileReader(BytesIO(pdf), strict=False).embedded_regular_signatures)
    except Exception:  # noqa: BLE001 — whatever the bytes are, the answer is "not a PDF"
        return Verification(valid=False, problem=Problem.of("not_a_pdf"))
    if not signatures:
        return Verification(valid=False, problem=Problem.of("not_signed"))
    embedded = signatures[-1]
    context = ValidationContext(
        trust_roots=[x509.Certificate.load(der) for der in trust_roots],
        allow_fetching=False,
        revocation_mode="soft-fail",  # no network, no CRLs yet: revocation is not checked
    )
    try:
        status = outside_loop(validate_pdf_signature, embedded, signer_validation_context=context)
    except Exception:  # noqa: BLE001 — a damaged signature is an answer, not an error
        logger.info("signature could not be validated", exc_info=True)
        return Verification(valid=False, signatures=len(signatures), problem=Problem.of("invalid_signature"))
    return _verification(embedded, status, len(signatures))


def _verification(embedded: EmbeddedPdfSignature, status: PdfSignatureStatus, count: int) -> Verification:
    coverage = status.coverage
    intact = bool(status.intact and status.valid and coverage is not SignatureCoverageLevel.UNCLEAR)
    whole = coverage is SignatureCoverageLevel.ENTIRE_FILE
    modified = coverage in (
        SignatureCoverageLevel.CONTIGUOUS_BLOCK_FROM_START,
        SignatureCoverageLevel.ENTIRE_REVISION,
    )
    trusted = bool(status.trusted)
    problem = None
    if not intact:
        problem = Problem.of("tampered")
    elif not trusted:
        problem = Problem.of("untrusted")
    elif not whole:
        problem = Problem.of("modified_after_signing")
    return Verification(
        valid=problem is None,
        intact=intact,
        trusted=trusted,
        covers_whole_file=whole,
        modified_after_signing=modified,
        signer=_signer(status.signing_cert, embedded.sig_object),
        signed_at=_aware(status.signer_reported_dt),
        reason=_text(embedded.sig_object.get("/Reason")),
        location=_text(embedded.sig_object.get("/Location")),
        signatures=count,
        problem=problem,
    )


def _signer(cert: x509.Certificate, sig_object: Any) -> SignerInfo:
    subject: dict[str, Any] = cert.subject.native
    return SignerInfo(
        name=_text(subject.get("common_name")),
        organisation=_text(subject.get("organization_name")),
        agency_code=_text(subject.get("serial_number")),
        person=_text(sig_object.get("/Name")),
    )


def _text(value: Any) -> str | None:
    if isinstance(value, list):  # an attribute given more than once: the first
        value = value[0] if value else None
    return None if value is None else str(value)


def _aware(moment: datetime | None) -> datetime | None:
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)
