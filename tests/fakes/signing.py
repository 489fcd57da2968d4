"""Signing in memory: the province's certificates in dicts (CertificateStore), a signer that marks PDFs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from motcua.domain.errors import NotFound
from motcua.domain.i18n import Text
from motcua.signing.ports import CertificateStore, StoredCertificates

if TYPE_CHECKING:
    from collections.abc import Iterable

    from motcua.services.results import Signer

# What MarkingSigner appends: a PDF comment after %%EOF, as an incremental update appends its bytes.
MARK = b"\n%motcua-fake-signature "


class InMemoryCertificateStore:
    """Implements CertificateStore with the Dynamo adapter's conditions: one CA certificate per key,
    an agency's certificate replaced only if it is still the one the writer read."""

    def __init__(self) -> None:
        self._stored = StoredCertificates()

    def load(self) -> StoredCertificates:
        # A copy, as a read is: what the caller changes is not stored.
        return StoredCertificates(dict(self._stored.authorities), dict(self._stored.agencies))

    def add_authority(self, key_fingerprint: str, der: bytes) -> bool:
        if key_fingerprint in self._stored.authorities:
            return False
        self._stored.authorities[key_fingerprint] = der
        return True

    def put_agency(self, agency: str, der: bytes, *, replaces: bytes | None) -> bool:
        if self._stored.agencies.get(agency) != replaces:
            return False
        self._stored.agencies[agency] = der
        return True


@dataclass(frozen=True, slots=True)
class SignedCall:
    agency: str
    signer_name: str
    reason: str
    location: str
    field_name: str | None
    visible: bool  # a stamp box was given


class MarkingSigner:
    """Implements results' Signer without keys: the PDF comes back with MARK and the agency appended.

    As DocumentSigner: NotFound for an agency without a signing key (when `agencies` is given), and
    ValueError for bytes that are not a PDF.
    """

    def __init__(self, agencies: Iterable[str] | None = None) -> None:
        self.agencies = set(agencies) if agencies is not None else None
        self.calls: list[SignedCall] = []

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
    ) -> bytes:
        if self.agencies is not None and agency not in self.agencies:
            raise NotFound(Text(vi="khóa ký số của cơ quan", en="signing key of the agency"), agency)
        if not pdf.startswith(b"%PDF-") or b"%%EOF" not in pdf[-1024:]:
            raise ValueError("not a PDF that can be signed")
        self.calls.append(SignedCall(agency, signer_name, reason, location, field_name, box is not None))
        return pdf + MARK + agency.encode() + b" " + reason.encode() + b"\n"

    @staticmethod
    def signed_by(pdf: bytes) -> str | None:
        """The agency a PDF was marked for, or None when it was not marked."""
        _, found, rest = pdf.rpartition(MARK)
        return rest.split(b" ", 1)[0].decode() if found else None


def _conforms() -> tuple[CertificateStore, Signer]:
    return InMemoryCertificateStore(), MarkingSigner()
