"""Sign-up and sign-in on the citizens' and the staff user pools; tokens go in `Authorization: Bearer`."""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING
from urllib.parse import quote

from chalicelib.http.area import Area
from chalicelib.http.endpoints import Access
from chalicelib.models import (
    CitizenSignIn,
    Confirm,
    Confirmed,
    MfaSetup,
    MfaSetupRequest,
    PasswordReset,
    PasswordResetConfirm,
    PasswordResetDone,
    PasswordResetRequested,
    Refresh,
    SignInResult,
    SignUp,
    SignUpAccepted,
    StaffChallengeAnswer,
    StaffSignIn,
    Tokens,
)
from motcua.domain import passwords
from motcua.domain.errors import AccountExists, Unauthenticated
from motcua.domain.i18n import Text

if TYPE_CHECKING:
    from chalicelib.http.call import Call

area = Area(__name__, tag="auth")
SESSION_EXPIRED = Text(
    vi="Phiên đăng nhập đã hết hạn hoặc không hợp lệ, vui lòng đăng nhập lại.",
    en="The session has expired or is not valid; please sign in again.",
)


@area.route(
    "POST",
    "/v1/auth/citizens/sign-up",
    access=Access.PUBLIC,
    body=SignUp,
    response=SignUpAccepted,
    status=201,
)
def citizen_sign_up(call: Call) -> SignUpAccepted:
    """Create a citizen account with an email or a mobile number; a confirmation code goes there.

    An email or a number that already has an account gets the same answer, and its account stays as it
    was: the answer tells nobody who has an account. Its owner gets no code and signs in as before."""
    request = call.body(SignUp)
    passwords.check_strength(request.password)  # the same answer for a weak password, whoever asks
    attributes = {"name": request.name}
    if request.email:
        attributes["email"] = request.email
    if request.phone:
        attributes["phone_number"] = request.phone
    with contextlib.suppress(AccountExists):
        call.container.citizens.sign_up(
            username=request.username, password=request.password, attributes=attributes
        )
    return SignUpAccepted(
        email=request.email, phone=request.phone, channel="email" if request.email else "sms"
    )


@area.route(
    "POST",
    "/v1/auth/citizens/confirm",
    access=Access.PUBLIC,
    body=Confirm,
    response=Confirmed,
    errors=(401, 403),
)
def citizen_confirm(call: Call) -> Confirmed:
    """Confirm a citizen account with the code sent to its email or phone."""
    request = call.body(Confirm)
    call.container.citizens.confirm_sign_up(username=request.username, code=request.code)
    return Confirmed(email=request.email, phone=request.phone)


@area.route(
    "POST",
    "/v1/auth/citizens/sign-in",
    access=Access.PUBLIC,
    body=CitizenSignIn,
    response=SignInResult,
    errors=(401, 403),
)
def citizen_sign_in(call: Call) -> SignInResult:
    """Sign a citizen in with the email or the mobile number of the account, and its password."""
    request = call.body(CitizenSignIn)
    return SignInResult.model_validate(
        call.container.citizens.sign_in(username=request.username, password=request.password)
    )


@area.route(
    "POST",
    "/v1/auth/citizens/password-reset",
    access=Access.PUBLIC,
    body=PasswordReset,
    response=PasswordResetRequested,
    status=202,
)
def citizen_password_reset(call: Call) -> PasswordResetRequested:
    """A forgotten password: a code goes to the account's email or phone, to choose a new one with.

    The answer is the same whether or not there is such an account."""
    request = call.body(PasswordReset)
    call.container.citizens.forget_password(username=request.username)
    return PasswordResetRequested()


@area.route(
    "POST",
    "/v1/auth/citizens/password-reset/confirm",
    access=Access.PUBLIC,
    body=PasswordResetConfirm,
    response=PasswordResetDone,
)
def citizen_password_reset_confirm(call: Call) -> PasswordResetDone:
    """The new password, with the code that was sent; a wrong code and an unknown account answer alike."""
    request = call.body(PasswordResetConfirm)
    passwords.check_strength(request.password)  # before the pool, which might look at the account first
    call.container.citizens.reset_password(
        username=request.username, code=request.code, password=request.password
    )
    return PasswordResetDone()


@area.route(
    "POST",
    "/v1/auth/staff/sign-in",
    access=Access.PUBLIC,
    body=StaffSignIn,
    response=SignInResult,
    errors=(401, 403),
)
def staff_sign_in(call: Call) -> SignInResult:
    """Sign a member of staff in; the answer may be a challenge (new password, MFA) instead of tokens."""
    request = call.body(StaffSignIn)
    return SignInResult.model_validate(
        call.container.staff.sign_in(username=request.username, password=request.password)
    )


@area.route(
    "POST",
    "/v1/auth/staff/challenge",
    access=Access.PUBLIC,
    body=StaffChallengeAnswer,
    response=SignInResult,
    errors=(401, 403),
)
def staff_challenge(call: Call) -> SignInResult:
    """Answer the step a staff sign-in asked for; the answer is tokens or the next step."""
    request = call.body(StaffChallengeAnswer)
    return SignInResult.model_validate(
        call.container.staff.answer_challenge(
            username=request.username,
            challenge=request.challenge,
            session=request.session,
            answer=request.answer,
        )
    )


@area.route(
    "POST",
    "/v1/auth/staff/mfa-setup",
    access=Access.PUBLIC,
    body=MfaSetupRequest,
    response=MfaSetup,
    errors=(401,),
)
def staff_mfa_setup(call: Call) -> MfaSetup:
    """The authenticator secret for a first sign-in whose next step is MFA_SETUP (staff must use MFA):
    as text to type and as a QR code of its otpauth URI to scan."""
    request = call.body(MfaSetupRequest)
    setup = call.container.staff.start_mfa_setup(session=request.session)
    uri = otpauth_uri(
        secret=setup["secret_code"],
        issuer=f"motcua {call.container.province.name.vi}",
        account=request.username,
    )
    return MfaSetup(
        secret_code=setup["secret_code"], session=setup["session"], otpauth_uri=uri, qr_svg=qr_svg(uri)
    )


def otpauth_uri(*, secret: str, issuer: str, account: str | None) -> str:
    """Key URI Format (Google Authenticator's, which every app reads): label `issuer:account`."""
    label = quote(f"{issuer}:{account}" if account else issuer, safe=":@")
    return f"otpauth://totp/{label}?secret={secret}&issuer={quote(issuer, safe='')}"


def qr_svg(data: str) -> str:
    """A QR code as an SVG document: dark modules on white with the quiet zone, sized by the page."""
    import io

    import segno  # only a first staff sign-in pays for the import

    out = io.BytesIO()
    segno.make_qr(data, error="m").save(
        out, kind="svg", scale=1, border=4, light="#fff", xmldecl=False, omitsize=True, title="otpauth"
    )
    return out.getvalue().decode()


@area.route("POST", "/v1/auth/refresh", access=Access.PUBLIC, body=Refresh, response=Tokens, errors=(401,))
def refresh(call: Call) -> Tokens:
    """New ID and access tokens from a refresh token of either pool."""
    request = call.body(Refresh)
    pool = call.container.citizens if request.pool == "citizens" else call.container.staff
    try:
        return Tokens.model_validate(pool.refresh(refresh_token=request.refresh_token))
    except Unauthenticated as error:  # Cognito says "not authorized"; to the user it is an expired session
        raise Unauthenticated(SESSION_EXPIRED) from error
