"""What signing needs from the outside world: a place to keep the province's certificates, and someone
who issues them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True, slots=True)
class StoredCertificates:
    """Every certificate the province issued and still keeps, as DER."""

    # Every CA certificate ever issued, by the SHA-256 of its public key: all stay trust roots, so
    # results signed before a CA key rotation keep validating.
    authorities: dict[str, bytes] = field(default_factory=dict)
    # Each agency's current certificate, by agency code.
    agencies: dict[str, bytes] = field(default_factory=dict)


class CertificateStore(Protocol):
    def load(self) -> StoredCertificates:
        """All of it, in one read."""
        ...

    def add_authority(self, key_fingerprint: str, der: bytes) -> bool:
        """Keep a CA certificate for the CA key with that fingerprint; False (and nothing written) when
        that key already has one."""
        ...

    def put_agency(self, agency: str, der: bytes, *, replaces: bytes | None) -> bool:
        """Make `der` the agency's certificate if its current one is still `replaces` (None: it has
        none); False (and nothing written) when another writer got there first."""
        ...


class CertificateIssuer(Protocol):
    def issue(self) -> tuple[str, ...]:
        """Issue every certificate that is missing or stale (motcua.signing.pki.ensure_certificates),
        where the CA key is: "CA" and the agency codes it issued."""
        ...
