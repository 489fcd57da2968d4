"""Identity on Cognito: verifying ID tokens against the pools' keys, and sign-up / sign-in."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError, ParamValidationError

from motcua.domain import passwords
from motcua.domain.errors import (
    AccountExists,
    DomainError,
    FieldError,
    Forbidden,
    InvalidInput,
    TooManyRequests,
    Unauthenticated,
)
from motcua.domain.i18n import Text
from motcua.domain.models import Principal, PrincipalKind
from motcua.domain.ports import StaffMember
from motcua.domain.roles import Role
from motcua.observability import logger


@dataclass(frozen=True, slots=True)
class PoolRef:
    kind: PrincipalKind
    pool_id: str
    client_id: str


# A kid not among the keys fetched this long ago is unknown without asking again: a flood of forged
# tokens naming random kids costs one fetch a minute, and a rotated key is still found within a minute.
REFETCH_SECONDS = 60.0
# After a failed fetch (the pool's keys out of reach), the next try waits this long.
RETRY_SECONDS = 5.0
FETCH_TIMEOUT_SECONDS = 5.0

JwksFetch = Callable[[str], Mapping[str, Any]]


def _fetch_jwks(url: str) -> Mapping[str, Any]:
    import requests  # once per container, for the pool's public keys

    response = requests.get(url, timeout=FETCH_TIMEOUT_SECONDS)
    response.raise_for_status()
    keys: Mapping[str, Any] = response.json()
    return keys


class CognitoTokenVerifier:
    """Implements TokenVerifier: an ID token signed by one of our pools, for our app client, unexpired."""

    def __init__(
        self,
        pools: list[PoolRef],
        *,
        region: str,
        endpoint_url: str | None = None,
        fetch: JwksFetch = _fetch_jwks,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._pools = {f"https://cognito-idp.{region}.amazonaws.com/{p.pool_id}": p for p in pools}
        self._endpoint = endpoint_url.rstrip("/") if endpoint_url else None
        self._fetch = fetch
        self._clock = clock
        self._keys: dict[str, dict[str, Any]] = {}  # "<pool id>/<kid>" -> JWK
        # Pool id -> when its keys may be fetched again (after a fetch, successful or not).
        self._next_fetch: dict[str, float] = {}
        self._unreachable: set[str] = set()  # pools whose last fetch failed
        self._lock = threading.Lock()

    def verify(self, token: str) -> Principal:
        import jwt  # here, not at the top: public routes never pay for the crypto import

        try:
            header = jwt.get_unverified_header(token)
            issuer = jwt.decode(token, options={"verify_signature": False}).get("iss")
        except jwt.PyJWTError as error:
            raise Unauthenticated(_INVALID) from error
        pool = self._pools.get(str(issuer))
        if pool is None:
            raise Unauthenticated(_INVALID)
        key = self._key(pool, str(issuer), str(header.get("kid")))
        try:
            claims = jwt.decode(
                token,
                key=jwt.PyJWK(key).key,
                algorithms=["RS256"],
                audience=pool.client_id,
                issuer=issuer,
                options={"require": ["exp", "iat", "sub", "aud", "iss"]},
            )
        except jwt.ExpiredSignatureError as error:
            raise Unauthenticated(_EXPIRED) from error
        except jwt.PyJWTError as error:
            raise Unauthenticated(_INVALID) from error
        if claims.get("token_use") != "id":
            raise Unauthenticated(_INVALID)
        return _principal(pool.kind, claims)

    def _key(self, pool: PoolRef, issuer: str, kid: str) -> dict[str, Any]:
        name = f"{pool.pool_id}/{kid}"
        key = self._keys.get(name)  # a known key needs no lock
        if key is not None:
            return key
        with self._lock:
            # Another request may have fetched meanwhile; if the keys are fresh, this kid is not among them.
            if name not in self._keys and self._clock() >= self._next_fetch.get(pool.pool_id, 0.0):
                self._refresh(pool, issuer)
            key = self._keys.get(name)
            unreachable = pool.pool_id in self._unreachable
        if key is None:
            raise Unauthenticated(_UNCHECKED if unreachable else _INVALID)
        return key

    def _refresh(self, pool: PoolRef, issuer: str) -> None:
        url = (
            f"{self._endpoint}/{pool.pool_id}/.well-known/jwks.json"
            if self._endpoint
            else f"{issuer}/.well-known/jwks.json"
        )
        try:
            keys = self._fetch(url).get("keys")
            if not isinstance(keys, list):
                raise ValueError("the JWKS has no list of keys")
        except (OSError, ValueError) as error:
            # requests' errors are OSErrors and its JSON errors ValueErrors. No token is checked until the
            # keys are back, and the caller is told to try again, not that the server broke.
            self._next_fetch[pool.pool_id] = self._clock() + RETRY_SECONDS
            self._unreachable.add(pool.pool_id)
            logger.warning("user pool keys not fetched", extra={"pool": pool.pool_id, "error": repr(error)})
            return
        self._keys.update({f"{pool.pool_id}/{k.get('kid')}": dict(k) for k in keys if isinstance(k, Mapping)})
        self._next_fetch[pool.pool_id] = self._clock() + REFETCH_SECONDS
        self._unreachable.discard(pool.pool_id)


def _principal(kind: PrincipalKind, claims: dict[str, Any]) -> Principal:
    role = str(claims.get("custom:role", ""))
    if kind is PrincipalKind.STAFF and (
        role not in {r.value for r in Role} or not claims.get("custom:agency_code")
    ):
        raise Forbidden(
            Text(
                vi="Tài khoản cán bộ chưa được gán cơ quan và vai trò.",
                en="This staff account has no agency or role.",
            )
        )
    return Principal(
        sub=claims["sub"],
        kind=kind,
        username=str(claims.get("cognito:username", claims["sub"])),
        name=claims.get("name"),
        email=claims.get("email"),
        email_verified=_verified(claims.get("email_verified")),
        phone=claims.get("phone_number"),
        phone_verified=_verified(claims.get("phone_number_verified")),
        agency=claims.get("custom:agency_code") if kind is PrincipalKind.STAFF else None,
        role=Role(role) if kind is PrincipalKind.STAFF else None,
    )


def _verified(claim: Any) -> bool:
    """A `*_verified` claim: Cognito writes a JSON boolean; some issuers write the string "true"."""
    return claim is True or (isinstance(claim, str) and claim.lower() == "true")


_INVALID = Text(vi="Mã đăng nhập không hợp lệ.", en="The sign-in token is not valid.")
_UNCHECKED = Text(
    vi="Chưa kiểm tra được phiên đăng nhập, vui lòng thử lại sau ít phút.",
    en="The sign-in could not be checked just now; please try again in a few minutes.",
)
_EXPIRED = Text(
    vi="Phiên đăng nhập đã hết hạn, vui lòng đăng nhập lại.", en="Your session has expired; sign in again."
)


class CognitoStaffDirectory:
    """Implements StaffDirectory on the staff pool: AdminGetUser, and the agency and role attributes
    that the ID token carries too (`custom:agency_code`, `custom:role`)."""

    def __init__(self, client: Any, *, pool_id: str) -> None:
        self.client = client
        self.pool_id = pool_id

    def member(self, username: str) -> StaffMember | None:
        try:
            user = self.client.admin_get_user(UserPoolId=self.pool_id, Username=username)
        except ParamValidationError:
            return None  # not a username the pool could hold (too long, characters it refuses)
        except ClientError as error:
            if error.response["Error"]["Code"] == "UserNotFoundException":
                return None
            raise
        attributes = {a["Name"]: a["Value"] for a in user.get("UserAttributes", [])}
        role = attributes.get("custom:role", "")
        return StaffMember(
            username=str(user["Username"]),
            name=attributes.get("name"),
            agency=attributes.get("custom:agency_code") or None,
            role=Role(role) if role in {r.value for r in Role} else None,
            enabled=bool(user.get("Enabled", False)),
        )


class CognitoIdentityProvider:
    """Implements IdentityProvider for one pool and its public app client."""

    def __init__(self, client: Any, *, pool_id: str, client_id: str) -> None:
        self.client = client
        self.pool_id = pool_id
        self.client_id = client_id

    def sign_up(self, *, username: str, password: str, attributes: dict[str, str]) -> None:
        """AccountExists when `username` has an account (which is left as it is)."""
        with _mapped():
            self.client.sign_up(
                ClientId=self.client_id,
                Username=username,
                Password=password,
                UserAttributes=[{"Name": k, "Value": v} for k, v in attributes.items()],
            )

    def confirm_sign_up(self, *, username: str, code: str) -> None:
        """A wrong code, an address with no account and an account already confirmed answer alike (the
        last two are what Cognito says to any code for them): confirming tells nobody who has an account."""
        with _mapped(as_wrong_code=("UserNotFoundException", "NotAuthorizedException")):
            self.client.confirm_sign_up(ClientId=self.client_id, Username=username, ConfirmationCode=code)

    def sign_in(self, *, username: str, password: str) -> dict[str, Any]:
        with _mapped():
            response = self.client.initiate_auth(
                ClientId=self.client_id,
                AuthFlow="USER_PASSWORD_AUTH",
                AuthParameters={"USERNAME": username, "PASSWORD": password},
            )
        return _tokens(response)

    def refresh(self, *, refresh_token: str) -> dict[str, Any]:
        with _mapped():
            response = self.client.initiate_auth(
                ClientId=self.client_id,
                AuthFlow="REFRESH_TOKEN_AUTH",
                AuthParameters={"REFRESH_TOKEN": refresh_token},
            )
        return _tokens(response)

    def answer_challenge(self, *, username: str, challenge: str, session: str, answer: str) -> dict[str, Any]:
        """The next step of a sign-in: a new password, an authenticator code, or the first such code."""
        with _mapped():
            if challenge == "MFA_SETUP":
                # The code from the authenticator app the secret was just added to proves the setup.
                verified = self.client.verify_software_token(
                    Session=session, UserCode=answer, FriendlyDeviceName="motcua"
                )
                response = self.client.respond_to_auth_challenge(
                    ClientId=self.client_id,
                    ChallengeName="MFA_SETUP",
                    Session=verified["Session"],
                    ChallengeResponses={"USERNAME": username},
                )
            else:
                key = {
                    "NEW_PASSWORD_REQUIRED": "NEW_PASSWORD",
                    "SOFTWARE_TOKEN_MFA": "SOFTWARE_TOKEN_MFA_CODE",
                }
                response = self.client.respond_to_auth_challenge(
                    ClientId=self.client_id,
                    ChallengeName=challenge,
                    Session=session,
                    ChallengeResponses={"USERNAME": username, key[challenge]: answer},
                )
        return _tokens(response)

    def start_mfa_setup(self, *, session: str) -> dict[str, str]:
        """The secret an authenticator app needs, for a sign-in whose next step is MFA_SETUP."""
        with _mapped():
            response = self.client.associate_software_token(Session=session)
        return {"secret_code": response["SecretCode"], "session": response.get("Session") or session}

    def forget_password(self, *, username: str) -> None:
        """ForgotPassword. The app client hides whether the account exists (PreventUserExistenceErrors);
        what Cognito still tells apart (no verified email or phone to send to, a disabled or
        unconfirmed account) is kept from the caller too: they are told alike that a code went out."""
        try:
            self.client.forgot_password(ClientId=self.client_id, Username=username)
        except ClientError as error:
            code = error.response["Error"]["Code"]
            if code not in _NO_RESET:
                with _mapped():
                    raise
            logger.info("password reset not sent", extra={"reason": code})
        except ParamValidationError:
            with _mapped():
                raise

    def reset_password(self, *, username: str, code: str, password: str) -> None:
        """A wrong code and no such account answer alike (Cognito says CodeMismatch for both with
        PreventUserExistenceErrors; moto says ResourceNotFound for an unknown user)."""
        unknown = ("UserNotFoundException", "NotAuthorizedException", "ResourceNotFoundException")
        with _mapped(as_wrong_code=unknown):
            self.client.confirm_forgot_password(
                ClientId=self.client_id, Username=username, ConfirmationCode=code, Password=password
            )


# ForgotPassword's refusals that would tell someone whether, and in what state, an account exists.
_NO_RESET = frozenset(
    {
        "UserNotFoundException",
        "InvalidParameterException",
        "NotAuthorizedException",
        "UserNotConfirmedException",
    }
)


def _tokens(response: dict[str, Any]) -> dict[str, Any]:
    if "AuthenticationResult" not in response:
        return {"challenge": response.get("ChallengeName"), "session": response.get("Session")}
    result = response["AuthenticationResult"]
    return {
        "id_token": result["IdToken"],
        "access_token": result["AccessToken"],
        "refresh_token": result.get("RefreshToken"),
        "expires_in": result["ExpiresIn"],
        "token_type": "Bearer",
    }


_WRONG_CODE = Text(vi="Mã xác nhận không đúng.", en="The confirmation code is wrong.")
_SLOW_DOWN = Text(
    vi="Bạn thao tác quá nhanh, vui lòng thử lại sau ít phút.",
    en="Too many attempts; please try again in a few minutes.",
)


class _mapped:  # noqa: N801 — used as a context manager
    """Cognito's errors as domain errors the user can read."""

    _MAP: dict[str, tuple[Callable[[Text], DomainError], Text]] = {
        "NotAuthorizedException": (
            Unauthenticated,
            Text(vi="Sai tên đăng nhập hoặc mật khẩu.", en="Wrong username or password."),
        ),
        "UserNotFoundException": (
            Unauthenticated,
            Text(vi="Sai tên đăng nhập hoặc mật khẩu.", en="Wrong username or password."),
        ),
        "UserNotConfirmedException": (
            Forbidden,
            Text(vi="Tài khoản chưa được xác nhận.", en="The account is not confirmed yet."),
        ),
        "UsernameExistsException": (
            AccountExists,
            Text(vi="Tài khoản này đã tồn tại.", en="This account already exists."),
        ),
        "InvalidPasswordException": (InvalidInput, passwords.WEAK),
        "CodeMismatchException": (InvalidInput, _WRONG_CODE),
        "ExpiredCodeException": (
            InvalidInput,
            Text(vi="Mã xác nhận đã hết hạn.", en="The confirmation code has expired."),
        ),
        "InvalidParameterException": (
            InvalidInput,
            Text(vi="Thông tin đăng ký không hợp lệ.", en="The sign-up details are not valid."),
        ),
        "TooManyRequestsException": (TooManyRequests, _SLOW_DOWN),
        "EnableSoftwareTokenMFAException": (
            InvalidInput,
            Text(vi="Mã từ ứng dụng xác thực không đúng.", en="The authenticator code is wrong."),
        ),
        "ResourceNotFoundException": (
            Unauthenticated,
            Text(
                vi="Phiên đăng nhập đã hết hạn, vui lòng đăng nhập lại.",
                en="The sign-in session has expired; please sign in again.",
            ),
        ),
        "LimitExceededException": (TooManyRequests, _SLOW_DOWN),
    }
    # The request field each input error is about.
    _FIELDS = {
        "InvalidPasswordException": "password",
        "CodeMismatchException": "code",
        "ExpiredCodeException": "code",
    }

    def __init__(self, *, as_wrong_code: tuple[str, ...] = ()) -> None:
        self._as_wrong_code = as_wrong_code

    def __enter__(self) -> None:
        return None

    # What Cognito calls the request's fields, for a value it refuses before any call is made.
    _PARAMETERS = {
        "UserCode": "answer",
        "Session": "session",
        "Username": "username",
        "Password": "password",
        "ConfirmationCode": "code",
    }

    def __exit__(self, kind: Any, error: Any, traceback: Any) -> None:
        if isinstance(error, ParamValidationError):
            # botocore checks shapes before calling (e.g. an authenticator code must be 6 digits).
            report = str(error.kwargs.get("report", error))
            name = next((f for param, f in self._PARAMETERS.items() if param in report), "body")
            message = Text(
                vi=f"Giá trị của “{name}” không đúng định dạng.", en=f"The value of “{name}” is not valid."
            )
            raise InvalidInput(
                message, fields=(FieldError(field=name, code="invalid_value", message=message),)
            ) from error
        if isinstance(error, ClientError):
            code = error.response["Error"]["Code"]
            if code in self._as_wrong_code:
                code = "CodeMismatchException"
            if code in self._MAP:
                cls, message = self._MAP[code]
                if cls is InvalidInput:
                    field = FieldError(field=self._FIELDS.get(code, "body"), code=code, message=message)
                    raise InvalidInput(message, fields=(field,)) from error
                raise cls(message) from error
