"""Identity in memory: tokens that name a principal (TokenVerifier) and a user pool (IdentityProvider)."""

from __future__ import annotations

import itertools
import secrets
from dataclasses import dataclass, field
from typing import Any

from motcua.domain import passwords
from motcua.domain.errors import AccountExists, FieldError, Forbidden, InvalidInput, Unauthenticated
from motcua.domain.i18n import Text
from motcua.domain.models import Principal, PrincipalKind
from motcua.domain.ports import IdentityProvider, TokenVerifier
from motcua.domain.roles import Role

# The code every confirmation e-mail and every authenticator app of the fake pool shows.
CONFIRMATION_CODE = "123456"
AUTHENTICATOR_CODE = "654321"

_EXPIRED = Text(vi="Phiên đăng nhập đã hết hạn, vui lòng đăng nhập lại.", en="Your session has expired.")
_WRONG = Text(vi="Sai tên đăng nhập hoặc mật khẩu.", en="Wrong username or password.")


class InMemoryTokenVerifier:
    """Implements TokenVerifier: `issue` hands out a token for a principal; anything else is refused."""

    def __init__(self) -> None:
        self._principals: dict[str, Principal] = {}
        self._expired: set[str] = set()

    def issue(self, principal: Principal) -> str:
        token = f"id-{secrets.token_hex(8)}"
        self._principals[token] = principal
        return token

    def expire(self, token: str) -> None:
        self._expired.add(token)

    def verify(self, token: str) -> Principal:
        principal = self._principals.get(token)
        if principal is None:
            raise Unauthenticated()
        if token in self._expired:
            raise Unauthenticated(_EXPIRED)
        # The Cognito verifier refuses a staff token without an agency and a role in its claims.
        if principal.kind is PrincipalKind.STAFF and (principal.agency is None or principal.role is None):
            raise Forbidden(
                Text(
                    vi="Tài khoản cán bộ chưa được gán cơ quan và vai trò.",
                    en="This staff account has no agency or role.",
                )
            )
        return principal


@dataclass(slots=True)
class _User:
    sub: str
    password: str
    attributes: dict[str, str]
    confirmed: bool
    temporary: bool = False  # an admin-set password: NEW_PASSWORD_REQUIRED at the first sign-in
    mfa: bool = False  # the pool requires MFA of this user
    mfa_ready: bool = False  # an authenticator app is set up
    sessions: set[str] = field(default_factory=set)


class InMemoryIdentityProvider:
    """Implements IdentityProvider as one Cognito pool and its app client behave, errors included.

    ID tokens are issued by `verifier`, so that what `sign_in` returns verifies to the user's principal.
    """

    def __init__(
        self, verifier: InMemoryTokenVerifier, *, kind: PrincipalKind = PrincipalKind.CITIZEN
    ) -> None:
        self.verifier = verifier
        self.kind = kind
        self.users: dict[str, _User] = {}
        self._refresh: dict[str, str] = {}  # refresh token -> username
        self._sessions: dict[str, tuple[str, str]] = {}  # session -> (username, challenge)
        self._subs = itertools.count(1)
        self.reset_codes: list[str] = []  # the accounts a password-reset code was sent to, in order

    # --- what an administrator does (devstack.provision) ----------------------------------------

    def add_user(
        self,
        username: str,
        password: str,
        attributes: dict[str, str],
        *,
        temporary: bool = False,
        mfa: bool = False,
    ) -> None:
        """A confirmed user, as `admin_create_user` makes one (`temporary`: must choose a password)."""
        self.users[username] = _User(
            sub=self._sub(),
            password=password,
            attributes=dict(attributes),
            confirmed=True,
            temporary=temporary,
            mfa=mfa,
        )

    # --- IdentityProvider ---------------------------------------------------------------------

    def sign_up(self, *, username: str, password: str, attributes: dict[str, str]) -> None:
        if username in self.users:
            raise AccountExists(Text(vi="Tài khoản này đã tồn tại.", en="This account already exists."))
        _check_password(password)
        self.users[username] = _User(
            sub=self._sub(), password=password, attributes=dict(attributes), confirmed=False
        )

    def confirm_sign_up(self, *, username: str, code: str) -> None:
        # No account, or one already confirmed: the adapter answers as to a wrong code.
        user = self.users.get(username)
        if user is None or user.confirmed or code != CONFIRMATION_CODE:
            raise _input_error(
                "code", "CodeMismatchException", "Mã xác nhận không đúng.", "The confirmation code is wrong."
            )
        user = self.users[username]
        user.confirmed = True
        # The code went to the email, or to the phone of an account without one: that one is verified.
        user.attributes["email_verified" if "email" in user.attributes else "phone_number_verified"] = "true"

    def sign_in(self, *, username: str, password: str) -> dict[str, Any]:
        user = self.users.get(username)
        if user is None or user.password != password:
            raise Unauthenticated(_WRONG)
        if not user.confirmed:
            raise Forbidden(Text(vi="Tài khoản chưa được xác nhận.", en="The account is not confirmed yet."))
        return self._next(username, user)

    def refresh(self, *, refresh_token: str) -> dict[str, Any]:
        username = self._refresh.get(refresh_token)
        if username is None:
            raise Unauthenticated(_WRONG)  # Cognito says NotAuthorizedException
        tokens = self._tokens(username, self.users[username])
        tokens["refresh_token"] = None  # REFRESH_TOKEN_AUTH returns no new refresh token
        return tokens

    def answer_challenge(self, *, username: str, challenge: str, session: str, answer: str) -> dict[str, Any]:
        if self._sessions.get(session) != (username, challenge):
            raise Unauthenticated(_EXPIRED)
        user = self.users[username]
        if challenge == "NEW_PASSWORD_REQUIRED":
            _check_password(answer)
            del self._sessions[session]  # a wrong answer leaves the session open for another try
            user.password, user.temporary = answer, False
        elif challenge in ("MFA_SETUP", "SOFTWARE_TOKEN_MFA"):
            if answer != AUTHENTICATOR_CODE:
                raise _input_error(
                    "body",
                    "EnableSoftwareTokenMFAException",
                    "Mã từ ứng dụng xác thực không đúng.",
                    "The authenticator code is wrong.",
                )
            del self._sessions[session]
            user.mfa_ready = True
            return self._tokens(username, user)
        else:
            raise KeyError(challenge)  # the adapter's mapping has no such challenge either
        return self._next(username, user)

    def start_mfa_setup(self, *, session: str) -> dict[str, str]:
        asked = self._sessions.get(session)
        if asked is None or asked[1] != "MFA_SETUP":
            raise Unauthenticated(_EXPIRED)
        return {"secret_code": "JBSWY3DPEHPK3PXP", "session": session}

    def forget_password(self, *, username: str) -> None:
        user = self.users.get(username)
        if user is not None and user.confirmed:
            self.reset_codes.append(username)

    def reset_password(self, *, username: str, code: str, password: str) -> None:
        user = self.users.get(username)
        if user is None or username not in self.reset_codes or code != CONFIRMATION_CODE:
            raise _input_error(
                "code", "CodeMismatchException", "Mã xác nhận không đúng.", "The confirmation code is wrong."
            )
        _check_password(password)
        self.reset_codes.remove(username)
        user.password = password

    # --- inside the pool ----------------------------------------------------------------------

    def _next(self, username: str, user: _User) -> dict[str, Any]:
        """Tokens, or the challenge the user must answer first."""
        if user.temporary:
            return self._challenge(username, "NEW_PASSWORD_REQUIRED")
        if user.mfa:
            return self._challenge(username, "SOFTWARE_TOKEN_MFA" if user.mfa_ready else "MFA_SETUP")
        return self._tokens(username, user)

    def _challenge(self, username: str, challenge: str) -> dict[str, Any]:
        session = f"session-{secrets.token_hex(8)}"
        self._sessions[session] = (username, challenge)
        return {"challenge": challenge, "session": session}

    def _tokens(self, username: str, user: _User) -> dict[str, Any]:
        refresh_token = f"refresh-{secrets.token_hex(8)}"
        self._refresh[refresh_token] = username
        return {
            "id_token": self.verifier.issue(self._principal(username, user)),
            "access_token": f"access-{secrets.token_hex(8)}",
            "refresh_token": refresh_token,
            "expires_in": 3600,
            "token_type": "Bearer",
        }

    def _principal(self, username: str, user: _User) -> Principal:
        """What the ID token's claims say, read as the Cognito verifier reads them."""
        a = user.attributes
        staff = self.kind is PrincipalKind.STAFF
        role = a.get("custom:role")
        return Principal(
            sub=user.sub,
            kind=self.kind,
            username=username,
            name=a.get("name"),
            email=a.get("email"),
            email_verified=a.get("email_verified") == "true",
            phone=a.get("phone_number"),
            phone_verified=a.get("phone_number_verified") == "true",
            agency=a.get("custom:agency_code") if staff else None,
            role=Role(role) if staff and role in {r.value for r in Role} else None,
        )

    def _sub(self) -> str:
        return f"00000000-0000-4000-8000-{next(self._subs):012d}"


def _check_password(password: str) -> None:
    """The pools' policy (NIST 800-63B): a length, no composition rules."""
    if not passwords.MIN_LENGTH <= len(password) <= passwords.MAX_LENGTH:
        raise _input_error("password", "InvalidPasswordException", passwords.WEAK.vi, passwords.WEAK.en)


def _input_error(field_name: str, code: str, vi: str, en: str) -> InvalidInput:
    message = Text(vi=vi, en=en)
    return InvalidInput(message, fields=(FieldError(field=field_name, code=code, message=message),))


def _conforms() -> tuple[TokenVerifier, IdentityProvider]:
    verifier = InMemoryTokenVerifier()
    return verifier, InMemoryIdentityProvider(verifier)
