"""Signing with KMS asymmetric keys (RSA, PKCS#1 v1.5, SHA-256): the private key stays in KMS."""

from __future__ import annotations

from typing import Any

from asn1crypto import keys

from motcua.resources import SIGNING

ALGORITHM = SIGNING.algorithm  # RSASSA_PKCS1_V1_5_SHA_256
# KMS hashes a RAW message itself and takes up to 4096 bytes of it: enough for the signed attributes
# of a CMS signature and for a TBSCertificate. (moto hashes whatever MessageType says, so RAW is also
# the only type that gives the same signature on AWS and on the local stack.)
MAX_RAW_BYTES = 4096


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
    response = kms.sign(KeyId=key_id, Message=message, MessageType="RAW", SigningAlgorithm=ALGORITHM)
    signature: bytes = response["Signature"]
    return signature


def fingerprint(key: keys.PublicKeyInfo) -> str:
    """SHA-256 of the DER SubjectPublicKeyInfo, hex: names a key whatever its KMS id."""
    return str(key.sha256.hex())
