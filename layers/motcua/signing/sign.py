"""Sign a result PDF for an agency: PAdES baseline B-B, the signature computed by the agency's KMS key."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from io import BytesIO
from typing import TYPE_CHECKING, Any

from asn1crypto import algos
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.serialization import load_der_public_key
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfReadError
from pyhanko.sign import fields, signers
from pyhanko.sign.general import SigningError
from pyhanko.stamp import StaticStampStyle
from pyhanko_certvalidator.registry import CertificateRegistry

from motcua.domain.errors import NotFound
from motcua.domain.i18n import Text
from motcua.signing import kms, pki
from motcua.signing.loop import outside_loop
from motcua.signing.stamp import ImportedPage, SignatureBox, render_stamp

if TYPE_CHECKING:
    from pathlib import Path

    from asn1crypto import x509

    from motcua.signing.ports import CertificateIssuer, CertificateStore

__all__ = ["DocumentSigner", "KeyMismatch", "KmsSigner", "SignatureBox"]

DIGEST = "sha256"


class UnreadablePdf(ValueError):
    """The file to sign is not a PDF pyHanko can read (no cross-reference table, truncated, …)."""


class KeyMismatch(Exception):  # noqa: N818 — a signal: the certificate must be issued again
    """KMS signed with a key other than the one in the certificate (rotated or regenerated)."""


class KmsSigner(signers.Signer):
    """A pyHanko signer whose raw signatures come from KMS; it checks each one against the certificate,
    so a key that changed under a certificate is caught before a PDF goes out with a broken signature."""

    def __init__(
        self, client: Any, key_id: str, certificate: x509.Certificate, chain: list[x509.Certificate]
    ) -> None:
        registry = CertificateRegistry()
        for cert in chain:
            registry.register(cert)
        super().__init__(
            signing_cert=certificate,
            cert_registry=registry,
            signature_mechanism=algos.SignedDigestAlgorithm({"algorithm": "sha256_rsa"}),
            embed_roots=True,  # the CA certificate travels with the signature, for readers that want it
        )
        self.client = client
        self.key_id = key_id
        self.certificate = certificate
        public = load_der_public_key(certificate.public_key.dump())
        if not isinstance(public, rsa.RSAPublicKey):
            raise KeyMismatch(f"the certificate for KMS key {key_id} does not hold an RSA key")
        self.public = public

    async def async_sign_raw(self, data: bytes, digest_algorithm: str, dry_run: bool = False) -> bytes:
        if digest_algorithm.lower() != DIGEST:
            raise SigningError(f"KMS keys here sign SHA-256 digests, not {digest_algorithm}")
        if dry_run:  # pyHanko sizing the signature's placeholder
            return bytes(self.public.key_size // 8)
        signature = kms.sign(self.client, self.key_id, data)
        try:
            self.public.verify(signature, data, padding.PKCS1v15(), hashes.SHA256())
        except InvalidSignature as error:
            raise KeyMismatch(f"KMS key {self.key_id} no longer matches its certificate") from error
        return signature


class DocumentSigner:
    """Signs results (kết quả điện tử, Decree 45/2020 Art. 14) in the name of the competent agency."""

    def __init__(
        self,
        *,
        kms_client: Any,
        store: CertificateStore,
        profile: pki.PkiProfile,
        issuer: CertificateIssuer,
        stamp_font: Path | None = None,
    ) -> None:
        self.kms = kms_client
        self.store = store
        self.profile = profile
        self.issuer = issuer
        self.stamp_font = stamp_font

    def ensure_certificates(self) -> pki.Certificates:
        """Have the issuer (the PKI function, which alone holds the CA key) issue what is missing or
        stale, then read the certificates it keeps."""
        self.issuer.issue()
        return pki.read_certificates(self.store.load())

    def trust_roots(self) -> list[bytes]:
        """Every CA certificate the province issued (DER): what verify_pdf trusts."""
        return list(self.store.load().authorities.values())

    def sign_pdf(
        self,
        pdf: bytes,
        *,
        agency: str,
        signer_name: str,
        reason: str,
        location: str,
        box: SignatureBox | None = None,
        field_name: str | None = None,
    ) -> bytes:
        """`pdf` signed by `agency`'s key, PAdES B-B (ETSI.CAdES.detached), with the agency's certificate
        and its CA certificate embedded; `signer_name` is the officer who signs (the signature's /Name),
        `box` where a visible stamp goes (none: an invisible signature).

        One read of the certificates and one KMS Sign when they are in order; when the agency has no
        certificate yet, or its key changed, the issuer is asked to issue them first.
        """
        key_id = self.profile.agency_keys.get(agency)
        if key_id is None:
            raise NotFound(Text(vi="khóa ký số của cơ quan", en="signing key of the agency"), agency)
        certificates = pki.read_certificates(self.store.load())
        for attempt in range(2):
            found = self._certificate(certificates, agency)
            if found is None:
                certificates = self.ensure_certificates()
                found = self._certificate(certificates, agency)
                if found is None:  # pragma: no cover — ensure issues one for every agency key
                    raise KeyMismatch(f"no certificate could be issued for {agency}")
            certificate, authority = found
            signer = KmsSigner(self.kms, key_id, certificate, [authority])
            try:
                return self._sign(pdf, signer, signer_name, reason, location, box, field_name)
            except KeyMismatch:
                if attempt:
                    raise
                certificates = self.ensure_certificates()
        raise AssertionError("unreachable")  # pragma: no cover

    def _certificate(
        self, certificates: pki.Certificates, agency: str
    ) -> tuple[x509.Certificate, x509.Certificate] | None:
        """The agency's certificate and its CA's, if it can still sign with it (the key is checked by
        the signature itself, which saves a GetPublicKey)."""
        cert = certificates.agencies.get(agency)
        if cert is None:
            return None
        authority = certificates.issuer_of(cert)
        subject = pki.agency_name(self.profile.province, agency, self.profile.agency_names[agency])
        if not pki.agency_current(cert, subject=subject, authority=authority, now=datetime.now(UTC)):
            return None
        return cert, authority

    def _sign(
        self,
        pdf: bytes,
        signer: KmsSigner,
        signer_name: str,
        reason: str,
        location: str,
        box: SignatureBox | None,
        field_name: str | None,
    ) -> bytes:
        field_name = field_name or f"Signature-{uuid.uuid4().hex[:12]}"
        meta = signers.PdfSignatureMetadata(
            field_name=field_name,
            md_algorithm=DIGEST,
            subfilter=fields.SigSeedSubFilter.PADES,
            name=signer_name,
            reason=reason,
            location=location,
            # The placeholder's size comes from a dry run with a signature exactly as long as KMS's.
            tight_size_estimates=True,
        )
        spec = stamp = None
        if box is not None:
            spec = fields.SigFieldSpec(
                sig_field_name=field_name,
                on_page=box.page,
                box=(round(box.x1), round(box.y1), round(box.x2), round(box.y2)),
            )
            agency_name = str(signer.certificate.subject.native.get("common_name", ""))
            drawn = render_stamp(
                box,
                agency=agency_name,
                signer_name=signer_name,
                signed_at=datetime.now(UTC),
                font=self.stamp_font,
            )
            stamp = StaticStampStyle(background=ImportedPage(drawn), border_width=0, background_opacity=1.0)
        try:
            writer = IncrementalPdfFileWriter(BytesIO(pdf))
        except PdfReadError as error:
            raise UnreadablePdf(str(error)) from error
        pdf_signer = signers.PdfSigner(meta, signer, stamp_style=stamp, new_field_spec=spec)
        out = outside_loop(pdf_signer.sign_pdf, writer)
        return bytes(out.getvalue())
