"""The province's certificates (chứng thư số): a CA and one certificate per agency, all signed in KMS."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from asn1crypto import core, x509

from motcua.domain.errors import Conflict
from motcua.domain.i18n import Text
from motcua.resources import SIGNING
from motcua.signing import kms
from motcua.signing.kms import KeyMisconfigured

if TYPE_CHECKING:
    from asn1crypto import keys

    from motcua.signing.ports import CertificateStore, StoredCertificates

CA = SIGNING.ca  # the key of MOTCUA_SIGNING_KEYS naming the province's certification authority
CA_YEARS = 10
AGENCY_YEARS = 3
# An agency certificate is issued again this long before it expires, so no result is signed with
# a certificate about to lapse.
RENEW_BEFORE = timedelta(days=30)
# Clocks differ by a little: a certificate valid from a few minutes ago is valid everywhere now.
BACKDATE = timedelta(minutes=5)
DOCUMENT_SIGNING = "1.3.6.1.5.5.7.3.36"  # id-kp-documentSigning (RFC 9336)
_UB_NAME = 64  # RFC 5280 upper bound of commonName, organizationName and organizationalUnitName
_ATTEMPTS = 5


@dataclass(frozen=True, slots=True)
class PkiProfile:
    """Who the certificates name and which KMS keys sign for them."""

    province: str  # the province's name in Vietnamese: O= of every certificate
    # The CA's key: known only where certificates are issued (the PKI function, the local stack);
    # the API signs results with the agencies' keys and never holds it.
    ca_key: str | None
    agency_keys: Mapping[str, str]  # agency code -> KMS key id
    agency_names: Mapping[str, str]  # agency code -> its name in Vietnamese: CN= of its certificate

    @classmethod
    def from_settings(
        cls, signing_keys: Mapping[str, str], *, province: str, agency_names: Mapping[str, str]
    ) -> PkiProfile:
        """From MOTCUA_SIGNING_KEYS (agency code, and "CA" where certificates are issued -> key id) and
        the province file's names."""
        agencies = {code: key for code, key in signing_keys.items() if code != CA}
        unknown = sorted(set(agencies) - set(agency_names))
        if unknown:
            raise KeyMisconfigured(
                f"MOTCUA_SIGNING_KEYS names agencies the province does not have: {unknown}"
            )
        return cls(
            province=province,
            ca_key=signing_keys.get(CA),
            agency_keys=agencies,
            agency_names={code: agency_names[code] for code in agencies},
        )


@dataclass(frozen=True, slots=True)
class Certificates:
    """The certificates in force: every CA certificate ever issued, and each agency's current one."""

    authorities: tuple[x509.Certificate, ...]
    agencies: Mapping[str, x509.Certificate]
    issued: tuple[str, ...] = ()  # "CA" and the agency codes this call issued

    def trust_roots(self) -> list[bytes]:
        return [cert.dump() for cert in self.authorities]

    def issuer_of(self, cert: x509.Certificate) -> x509.Certificate | None:
        return next((ca for ca in self.authorities if issued_by(cert, ca)), None)


def read_certificates(stored: StoredCertificates) -> Certificates:
    return Certificates(
        authorities=tuple(x509.Certificate.load(der) for der in stored.authorities.values()),
        agencies={code: x509.Certificate.load(der) for code, der in stored.agencies.items()},
    )


# --- names ---------------------------------------------------------------------------------------


def _bounded(value: str) -> str:
    return value if len(value) <= _UB_NAME else value[: _UB_NAME - 1] + "…"


def authority_name(province: str) -> x509.Name:
    return x509.Name.build(
        {
            "country_name": "VN",
            "organization_name": _bounded(province),
            "organizational_unit_name": "Tổ chức cung cấp dịch vụ chứng thực chữ ký số",
            "common_name": _bounded(f"{province} – Dịch vụ chứng thực (motcua)"),
        },
        use_printable=False,
    )


def agency_name(province: str, code: str, name: str) -> x509.Name:
    """CN the agency, O the province, serialNumber the agency's QCVN 102 code (verification reports it)."""
    return x509.Name.build(
        {
            "country_name": "VN",
            "organization_name": _bounded(province),
            "common_name": _bounded(name),
            "serial_number": code,
        },
        use_printable=False,
    )


# --- issuing -------------------------------------------------------------------------------------


def _time(moment: datetime) -> x509.Time:
    """UTCTime before 2050, GeneralizedTime from then on, whole seconds (RFC 5280 4.1.2.5)."""
    moment = moment.astimezone(UTC).replace(microsecond=0)
    return x509.Time({"utc_time": moment} if moment.year < 2050 else {"general_time": moment})


def _years(moment: datetime, years: int) -> datetime:
    try:
        return moment.replace(year=moment.year + years)
    except ValueError:  # 29 February
        return moment.replace(year=moment.year + years, day=28)


def _algorithm() -> x509.SignedDigestAlgorithm:
    return x509.SignedDigestAlgorithm({"algorithm": "sha256_rsa", "parameters": core.Null()})


def _extension(name: str, value: Any, *, critical: bool = False) -> dict[str, Any]:
    return {"extn_id": name, "critical": critical, "extn_value": value}


def _sign(client: Any, key_id: str, tbs: x509.TbsCertificate) -> x509.Certificate:
    signature = kms.sign(client, key_id, tbs.dump())
    return x509.Certificate(
        {"tbs_certificate": tbs, "signature_algorithm": _algorithm(), "signature_value": signature}
    )


def _serial() -> int:
    """126 random bits with the top one of 16 octets set: positive, unpredictable, always 16 octets."""
    return secrets.randbits(126) | 1 << 126


def issue_authority(
    client: Any, key_id: str, key: keys.PublicKeyInfo, *, province: str, now: datetime
) -> x509.Certificate:
    """A self-signed CA certificate for the province's KMS key (ten years)."""
    name = authority_name(province)
    tbs = x509.TbsCertificate(
        {
            "version": "v3",
            "serial_number": _serial(),
            "signature": _algorithm(),
            "issuer": name,
            "validity": {"not_before": _time(now - BACKDATE), "not_after": _time(_years(now, CA_YEARS))},
            "subject": name,
            "subject_public_key_info": key,
            "extensions": [
                _extension("basic_constraints", {"ca": True, "path_len_constraint": 0}, critical=True),
                _extension("key_usage", x509.KeyUsage({"key_cert_sign", "crl_sign"}), critical=True),
                _extension("key_identifier", key.sha1),
                _extension("authority_key_identifier", {"key_identifier": key.sha1}),
            ],
        }
    )
    return _sign(client, key_id, tbs)


def issue_agency(
    client: Any,
    *,
    ca_key_id: str,
    authority: x509.Certificate,
    key: keys.PublicKeyInfo,
    subject: x509.Name,
    now: datetime,
) -> x509.Certificate:
    """An agency's document-signing certificate (three years, never beyond its CA's), signed by the CA key."""
    not_after = min(_years(now, AGENCY_YEARS), authority.not_valid_after)
    tbs = x509.TbsCertificate(
        {
            "version": "v3",
            "serial_number": _serial(),
            "signature": _algorithm(),
            "issuer": authority.subject,
            "validity": {"not_before": _time(now - BACKDATE), "not_after": _time(not_after)},
            "subject": subject,
            "subject_public_key_info": key,
            "extensions": [
                _extension("basic_constraints", {"ca": False}, critical=True),
                _extension(
                    "key_usage", x509.KeyUsage({"digital_signature", "non_repudiation"}), critical=True
                ),
                _extension("extended_key_usage", [DOCUMENT_SIGNING]),
                _extension("key_identifier", key.sha1),
                _extension("authority_key_identifier", {"key_identifier": authority.key_identifier}),
            ],
        }
    )
    return _sign(client, ca_key_id, tbs)


def issued_by(cert: x509.Certificate, authority: x509.Certificate) -> bool:
    return bool(
        cert.issuer == authority.subject
        and cert.authority_key_identifier is not None
        and cert.authority_key_identifier == authority.key_identifier
    )


def agency_current(
    cert: x509.Certificate,
    *,
    subject: x509.Name,
    authority: x509.Certificate | None,
    now: datetime,
    key: keys.PublicKeyInfo | None = None,
) -> bool:
    """Whether the agency can keep signing with `cert`: it names the agency as the profile does today
    (renamed agencies get a new one), comes from `authority`, is not about to expire, and (if `key`
    is given) holds the KMS key's public key."""
    return bool(
        authority is not None
        and cert.subject == subject
        and issued_by(cert, authority)
        and cert.not_valid_after > now + RENEW_BEFORE
        and (key is None or cert.public_key.dump() == key.dump())
    )


def ensure_certificates(
    client: Any, store: CertificateStore, profile: PkiProfile, *, now: datetime | None = None
) -> Certificates:
    """Issue what is missing or stale: a CA certificate for the current CA key (one more trust root;
    the old ones stay), and each agency's certificate when it is missing, holds another key than the
    agency's KMS key (rotated, or the local stack regenerated its keys), comes from an older CA,
    names the agency differently or is about to expire.

    Safe to run concurrently: every write is conditional, and a writer that loses a race reads what
    the winner wrote. When nothing changed it costs one read of the store and one GetPublicKey per
    key, and writes nothing.
    """
    if profile.ca_key is None:
        raise KeyMisconfigured(
            f'MOTCUA_SIGNING_KEYS names no "{CA}" key: certificates are issued where it is'
        )
    return _ensure(client, store, profile, profile.ca_key, now=now or datetime.now(UTC))


def _ensure(
    client: Any, store: CertificateStore, profile: PkiProfile, ca_key_id: str, *, now: datetime
) -> Certificates:
    ca_key = kms.public_key(client, ca_key_id)
    agency_keys = {code: kms.public_key(client, key_id) for code, key_id in profile.agency_keys.items()}
    issued: list[str] = []
    for _ in range(_ATTEMPTS):
        stored = store.load()
        authorities = {fp: x509.Certificate.load(der) for fp, der in stored.authorities.items()}
        ca_fingerprint = kms.fingerprint(ca_key)
        authority = authorities.get(ca_fingerprint)
        if authority is None:
            authority = issue_authority(client, ca_key_id, ca_key, province=profile.province, now=now)
            if not store.add_authority(ca_fingerprint, authority.dump()):
                continue  # another writer issued it first: use theirs
            issued.append(CA)
            authorities[ca_fingerprint] = authority
        agencies, raced = _ensure_agencies(
            client, store, profile, ca_key_id, stored, authority, agency_keys, now, issued
        )
        if not raced:
            ordered = [authority, *(ca for fp, ca in authorities.items() if fp != ca_fingerprint)]
            return Certificates(authorities=tuple(ordered), agencies=agencies, issued=tuple(issued))
    raise Conflict(
        Text(
            vi="Chứng thư số đang được cấp đồng thời ở nơi khác, vui lòng thử lại.",
            en="Certificates are being issued elsewhere at the same time; please try again.",
        ),
        code="busy",
    )


def _ensure_agencies(
    client: Any,
    store: CertificateStore,
    profile: PkiProfile,
    ca_key_id: str,
    stored: StoredCertificates,
    authority: x509.Certificate,
    agency_keys: Mapping[str, keys.PublicKeyInfo],
    now: datetime,
    issued: list[str],
) -> tuple[dict[str, x509.Certificate], bool]:
    """Each agency's certificate, issuing those not current; True as well when a write lost a race."""
    agencies: dict[str, x509.Certificate] = {}
    raced = False
    for code, key in agency_keys.items():
        der = stored.agencies.get(code)
        subject = agency_name(profile.province, code, profile.agency_names[code])
        current = x509.Certificate.load(der) if der else None
        if current is not None and agency_current(
            current, subject=subject, authority=authority, now=now, key=key
        ):
            agencies[code] = current
            continue
        new = issue_agency(
            client, ca_key_id=ca_key_id, authority=authority, key=key, subject=subject, now=now
        )
        if store.put_agency(code, new.dump(), replaces=der):
            agencies[code] = new
            issued.append(code)
        else:
            raced = True
    return agencies, raced
