"""Signing with KMS asymmetric keys (RSA, PKCS#1 v1.5, SHA-256): the private key stays in KMS."""

from __future__ import annotations

from typing import Any

from asn1crypto import keys
from botocore.exceptions import ClientError, ConnectionError, HTTPClientError

from motcua.domain.errors import Unavailable
from motcua.domain.i18n import Text
from motcua.resources import SIGNING

ALGORITHM = SIGNING.algorithm  # RSASSA_PKCS1_V1_5_SHA_256
# KMS hashes a RAW message itself and takes up to 4096 bytes of it: enough for the signed attributes
# of a CMS signature and for a TBSCertificate. (moto hashes whatever MessageType says, so RAW is also
# the only type that gives the same signature on AWS and on the local stack.)
MAX_RAW_BYTES = 4096


# KMS's answers that say "not now" rather than "no": its own fault, a dependency's, or throttling.
_TRANSIENT = {"KMSInternalException", "DependencyTimeoutException", "ThrottlingException"}
SIGNING_UNAVAILABLE = Text(
    vi="Dịch vụ ký số tạm thời không phản hồi; kết quả chưa được ban hành. Vui lòng thử lại sau ít phút.",
    en="The signing service is not answering now; no result was issued. Please try again in a few minutes.",
)


def signing_unavailable() -> Unavailable:
    return Unavailable(SIGNING_UNAVAILABLE, retry_after=60, code="signing_unavailable")


class KeyMisconfigured(Exception):
    """A key named in MOTCUA_SIGNING_KEYS cannot sign the way results are signed."""


def public_key(kms: Any, key_id: str) -> keys.PublicKeyInfo:
    """The key's public half (SubjectPublicKeyInfo), after checking it can sign with ALGORITHM."""
    response = kms.get_public_key(KeyId=key_id)
    if response.get("KeyUsage") != SIGNING.key_usage or ALGORITHM not in response.get(
        "SigningAlgorithms", []
    ):
        raise KeyMisconfigured(
            f"KMS key {key_id} cannot sign with {ALGORITHM} (usage {response.get('KeyUsage')})"
        )
    return keys.PublicKeyInfo.load(response["PublicKey"])


def sign(kms: Any, key_id: str, message: bytes) -> bytes:
    """The raw RSA signature of SHA-256(message), computed by KMS."""
    if len(message) > MAX_RAW_BYTES:
        raise ValueError(f"KMS signs at most {MAX_RAW_BYTES} bytes of RAW message, not {len(message)}")
    try:
        response = kms.sign(KeyId=key_id, Message=message, MessageType="RAW", SigningAlgorithm=ALGORITHM)
    except ClientError as error:
        # What is left once the SDK's own retries (clients.py) have run out.
        status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
        if error.response["Error"]["Code"] in _TRANSIENT or status >= 500:
            raise signing_unavailable() from error
        raise
    except (ConnectionError, HTTPClientError) as error:  # no answer at all: KMS unreachable
        raise signing_unavailable() from error
    signature: bytes = response["Signature"]
    return signature


def fingerprint(key: keys.PublicKeyInfo) -> str:
    """SHA-256 of the DER SubjectPublicKeyInfo, hex: names a key whatever its KMS id."""
    return str(key.sha256.hex())
