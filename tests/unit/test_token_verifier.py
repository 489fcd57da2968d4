"""The Cognito verifier's key fetches: bounded whatever kids tokens name; a 401 when keys are out of reach."""

from __future__ import annotations

import time
import uuid
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from motcua.adapters.cognito import REFETCH_SECONDS, RETRY_SECONDS, CognitoTokenVerifier, PoolRef
from motcua.domain.errors import Unauthenticated
from motcua.domain.models import PrincipalKind

REGION = "ap-southeast-1"
POOL = PoolRef(PrincipalKind.CITIZEN, f"{REGION}_Citizens", "portal-client")
ISSUER = f"https://cognito-idp.{REGION}.amazonaws.com/{POOL.pool_id}"


class Keys:
    """The pool's JWKS endpoint: counts its calls, and is down when told."""

    def __init__(self) -> None:
        self.private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = "key-1"
        self.calls: list[str] = []
        self.down = False

    def fetch(self, url: str) -> dict[str, Any]:
        self.calls.append(url)
        if self.down:
            raise OSError("connection refused")
        jwk = jwt.algorithms.RSAAlgorithm.to_jwk(self.private.public_key(), as_dict=True)
        return {"keys": [jwk | {"kid": self.kid, "alg": "RS256", "use": "sig"}]}

    def token(self, kid: str | None = None) -> str:
        now = int(time.time())
        claims = {
            "sub": "c0ffee",
            "iss": ISSUER,
            "aud": POOL.client_id,
            "token_use": "id",
            "iat": now,
            "exp": now + 3600,
            "email": "an.nguyen@example.vn",
        }
        return jwt.encode(claims, self.private, algorithm="RS256", headers={"kid": kid or self.kid})


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def keys() -> Keys:
    return Keys()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def verifier(keys: Keys, clock: Clock) -> CognitoTokenVerifier:
    return CognitoTokenVerifier([POOL], region=REGION, fetch=keys.fetch, clock=clock)


def test_a_token_signed_with_the_pools_key_verifies_with_one_fetch(
    keys: Keys, verifier: CognitoTokenVerifier
) -> None:
    for _ in range(3):
        assert verifier.verify(keys.token()).sub == "c0ffee"

    assert keys.calls == [f"{ISSUER}/.well-known/jwks.json"]


def test_a_flood_of_tokens_naming_unknown_kids_costs_no_fetch_each(
    keys: Keys, verifier: CognitoTokenVerifier
) -> None:
    verifier.verify(keys.token())

    for _ in range(200):
        with pytest.raises(Unauthenticated):
            verifier.verify(keys.token(kid=uuid.uuid4().hex))

    assert len(keys.calls) == 1


def test_an_unknown_kid_is_looked_up_again_after_a_while_for_a_rotated_key(
    keys: Keys, verifier: CognitoTokenVerifier, clock: Clock
) -> None:
    verifier.verify(keys.token())
    keys.kid = "key-2"  # the pool rotated its key
    with pytest.raises(Unauthenticated):
        verifier.verify(keys.token())

    clock.now += REFETCH_SECONDS + 1

    assert verifier.verify(keys.token()).sub == "c0ffee"
    assert len(keys.calls) == 2


def test_keys_out_of_reach_are_a_401_and_are_not_asked_for_again_at_once(
    keys: Keys, verifier: CognitoTokenVerifier, clock: Clock
) -> None:
    keys.down = True

    for _ in range(50):
        with pytest.raises(Unauthenticated) as raised:
            verifier.verify(keys.token())
        assert "try again" in raised.value.message.en

    assert len(keys.calls) == 1
    keys.down = False
    clock.now += RETRY_SECONDS + 1
    assert verifier.verify(keys.token()).sub == "c0ffee"


def test_a_token_of_another_issuer_costs_no_fetch(keys: Keys, verifier: CognitoTokenVerifier) -> None:
    claims = jwt.decode(keys.token(), options={"verify_signature": False}) | {"iss": "https://evil.example"}
    forged = jwt.encode(claims, keys.private, algorithm="RS256", headers={"kid": "x"})

    with pytest.raises(Unauthenticated):
        verifier.verify(forged)

    assert keys.calls == []
