"""The certification authority at work: the one place the CA key signs (the PKI function, the local stack)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from motcua.signing import pki

if TYPE_CHECKING:
    from motcua.signing.ports import CertificateStore


class CertificateAuthority:
    """Implements CertificateIssuer where the CA key is at hand: in the PKI function (functions/pki),
    whose role alone may sign with the CA key and write the PKI partition, and in the local stack,
    where one process holds every key. The API reaches it through the PKI function."""

    def __init__(self, *, kms_client: Any, store: CertificateStore, profile: pki.PkiProfile) -> None:
        self.kms = kms_client
        self.store = store
        self.profile = profile

    def issue(self) -> tuple[str, ...]:
        return pki.ensure_certificates(self.kms, self.store, self.profile).issued
