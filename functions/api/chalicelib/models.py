"""Request and response models the services do not already have: query strings, catalog views, auth."""

from __future__ import annotations

from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, RootModel, field_validator, model_validator

from motcua.domain.catalog import LIFE_EVENT_ID_PATTERN, AgencyKind, Procedure
from motcua.domain.codes import AGENCY_CODE_PATTERN
from motcua.domain.models import Page
from motcua.presentation.views import ProcedureSummary, TaskView
from motcua.services.inbox import InboxCount, InboxFilter

# --- query strings -------------------------------------------------------------------------------


class PageQuery(BaseModel):
    """`limit` and `next_token` of every list; unknown parameters are ignored."""

    model_config = ConfigDict(extra="ignore")

    limit: int = Field(default=20, ge=1, le=100, description="How many items, 1–100.")
    next_token: str | None = Field(
        default=None, max_length=2048, description="The `next_token` of the previous page, unchanged."
    )


class ProcedureQuery(PageQuery):
    q: str | None = Field(
        default=None,
        max_length=200,
        description=(
            "Words to find in the code, name, keywords, field or life events, best match first; "
            "diacritics, spaces and word order optional, spelling variants and small typos forgiven."
        ),
    )
    event: str | None = Field(
        default=None, pattern=LIFE_EVENT_ID_PATTERN, description="A life event's id (`GET /v1/catalog`)."
    )
    field: str | None = Field(
        default=None, pattern=r"^[a-z0-9-]{1,80}$", description="A field's id (`GET /v1/catalog`)."
    )
    agency: str | None = Field(
        default=None, pattern=AGENCY_CODE_PATTERN, description="Code of the receiving agency."
    )
    level: Literal["full", "partial", "1", "2", "3", "4"] | None = Field(
        default=None, description="Service level: full / partial (Decree 42/2022) or the older 1–4."
    )


class InboxQuery(PageQuery, InboxFilter):
    """An inbox page: search, filters and order (docs/console.md), the page's size and token."""

    count: bool = Field(
        default=False,
        description=(
            "`true`: the first page also counts the matching tasks and the overdue among them "
            "(reading at most 1,000 of the agency's open tasks)."
        ),
    )


class InboxResults(Page[TaskView]):
    """A page of the inbox; the first page also counts what matches."""

    count: InboxCount | None = None


# --- catalog ------------------------------------------------------------------------------------


class UploadLimits(BaseModel):
    """What a file may be, said to the citizen before choosing one (the province's upload policy)."""

    max_bytes: int = Field(description="Largest file, in bytes")
    max_pages: int = Field(description="Most pages a PDF may have")


class DeskView(BaseModel):
    """A one-stop desk where a procedure may be received and its result collected."""

    code: str
    name: str


class ProcedureDetail(Procedure):
    """A procedure as the catalog holds it (names in both languages) and its receiving agency's name."""

    agency_name: str
    upload_limits: UploadLimits
    desks: list[DeskView] = Field(
        default=[],
        description=(
            "The one-stop desks that may receive it (receiving anywhere in the province), the "
            "procedure's own agency first; a filing names one as `desk`."
        ),
    )


class ProcedureResults(Page[ProcedureSummary]):
    """Procedures found, best first; when none is, the procedures that come close."""

    suggestions: list[ProcedureSummary] = Field(
        default=[], description="When nothing matches: procedures that come close (“Có phải bạn muốn tìm …”)."
    )


class TopicView(BaseModel):
    """A way to browse the catalog, with how many procedures it holds."""

    id: str
    name: str
    count: int


class CatalogTopics(BaseModel):
    life_events: list[TopicView] = Field(description="Life events: `GET /v1/procedures?event={id}`.")
    fields: list[TopicView] = Field(description="Fields (lĩnh vực): `GET /v1/procedures?field={id}`.")


class AgencyView(BaseModel):
    code: str
    name: str
    kind: AgencyKind
    parent: str | None = None
    merged_into: str | None = Field(
        default=None, description="The agency that does this one's work today, when it was merged."
    )


class AgencyList(BaseModel):
    items: list[AgencyView]


# --- meta ---------------------------------------------------------------------------------------


class Health(BaseModel):
    status: Literal["ok"] = "ok"


# --- auth ---------------------------------------------------------------------------------------

EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


PHONE_DESCRIPTION = "A Vietnamese mobile number as people write it (0912 345 678) or in E.164 (+84912345678)."


def _mobile(value: str | None) -> str | None:
    """A mobile number in E.164 (the form Cognito keeps and SMS goes to), or ValueError."""
    if value is None:
        return None
    # Here, not at the top: phonenumbers' import (~30 ms) is paid by a phone sign-in, not every cold start.
    from motcua.notifications.phones import is_mobile, normalise_phone

    number = normalise_phone(value)
    if number is None or not is_mobile(number):
        raise ValueError("not a mobile phone number (e.g. 0912 345 678 or +84912345678)")
    return number


class _OneAccount(BaseModel):
    """A citizen's account, named by the email or the mobile number it was signed up with."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    email: str | None = Field(default=None, pattern=EMAIL_PATTERN, max_length=254)
    phone: str | None = Field(default=None, max_length=32, description=PHONE_DESCRIPTION)

    @field_validator("phone")
    @classmethod
    def _international(cls, value: str | None) -> str | None:
        return _mobile(value)

    @model_validator(mode="after")
    def _exactly_one(self) -> Self:
        if (self.email is None) == (self.phone is None):
            raise ValueError("give either the email or the phone number of the account, not both")
        return self

    @property
    def username(self) -> str:
        """What the citizens' pool signs in with (its username attributes are email and phone_number)."""
        return self.email or self.phone or ""


class SignUp(BaseModel):
    """A citizen creates an account with an email or a mobile number (or both; the email then signs
    in); a code is sent there to confirm it."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    email: str | None = Field(default=None, pattern=EMAIL_PATTERN, max_length=254)
    password: str = Field(min_length=1, max_length=256)
    name: str = Field(min_length=2, max_length=120)
    phone: str | None = Field(default=None, max_length=32, description=PHONE_DESCRIPTION)

    @field_validator("phone")
    @classmethod
    def _international(cls, value: str | None) -> str | None:
        return _mobile(value)

    @model_validator(mode="after")
    def _one_at_least(self) -> Self:
        if self.email is None and self.phone is None:
            raise ValueError("give an email or a mobile phone number to sign in with")
        return self

    @property
    def username(self) -> str:
        return self.email or self.phone or ""


class SignUpAccepted(BaseModel):
    """Where the code went: `channel` says which of the two the citizen signs in with."""

    email: str | None = None
    phone: str | None = None
    channel: Literal["email", "sms"]
    confirmation_required: bool = True


class Confirm(_OneAccount):
    code: str = Field(min_length=1, max_length=64)


class Confirmed(BaseModel):
    email: str | None = None
    phone: str | None = None
    confirmed: bool = True


class CitizenSignIn(_OneAccount):
    password: str = Field(min_length=1, max_length=256)


class PasswordReset(_OneAccount):
    """A citizen who forgot their password asks for a code, sent to the account's email or phone."""


class PasswordResetRequested(BaseModel):
    """The same answer whether or not the account exists: a code went out only if it does."""

    requested: bool = True


class PasswordResetConfirm(_OneAccount):
    code: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256, description="the new password")


class PasswordResetDone(BaseModel):
    reset: bool = True


class StaffSignIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    username: str = Field(min_length=1, max_length=128)
    password: str = Field(min_length=1, max_length=256)


class StaffChallengeAnswer(BaseModel):
    """The next step of a staff sign-in: a new password, an authenticator code, or the first code."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    username: str = Field(min_length=1, max_length=128)
    challenge: Literal["NEW_PASSWORD_REQUIRED", "SOFTWARE_TOKEN_MFA", "MFA_SETUP"]
    session: str = Field(min_length=20, max_length=4096)
    answer: str = Field(min_length=1, max_length=256, description="the new password or the 6-digit code")


class MfaSetupRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    session: str = Field(min_length=20, max_length=4096)
    username: str | None = Field(
        default=None, min_length=1, max_length=128, description="names the account in the authenticator app"
    )


class MfaSetup(BaseModel):
    """Add this secret to an authenticator app, then answer the MFA_SETUP challenge with its code."""

    secret_code: str = Field(description="the secret to type into the app when the QR code cannot be scanned")
    session: str
    otpauth_uri: str
    qr_svg: str = Field(description="the otpauth URI as a QR code, an SVG document to scan with the app")


class Refresh(BaseModel):
    model_config = ConfigDict(extra="forbid")

    pool: Literal["citizens", "staff"]
    refresh_token: str = Field(min_length=1, max_length=8192)


class Tokens(BaseModel):
    """Send `Authorization: Bearer <id_token>` on every call that needs a signed-in user."""

    id_token: str
    access_token: str
    refresh_token: str | None = None
    expires_in: int
    token_type: Literal["Bearer"] = "Bearer"


class Challenge(BaseModel):
    """Cognito asks for one more step (e.g. NEW_PASSWORD_REQUIRED, SOFTWARE_TOKEN_MFA) before tokens."""

    challenge: str
    session: str | None = None


class SignInResult(RootModel[Tokens | Challenge]):
    pass
