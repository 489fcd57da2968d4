"""Request and response models the services do not already have: query strings, catalog views, auth."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, RootModel, field_validator

from motcua.domain.catalog import LIFE_EVENT_ID_PATTERN, AgencyKind, Procedure
from motcua.domain.codes import AGENCY_CODE_PATTERN
from motcua.domain.models import Page
from motcua.presentation.views import ProcedureSummary

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


# --- catalog ------------------------------------------------------------------------------------


class ProcedureDetail(Procedure):
    """A procedure as the catalog holds it (names in both languages) and its receiving agency's name."""

    agency_name: str


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


class SignUp(BaseModel):
    """A citizen creates an account; a code is sent to the email to confirm it."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    email: str = Field(pattern=EMAIL_PATTERN, max_length=254)
    password: str = Field(min_length=1, max_length=256)
    name: str = Field(min_length=2, max_length=120)
    phone: str = Field(
        pattern=r"^(\+[1-9][0-9]{7,14}|0[0-9]{9,10})$",
        description="E.164 (+84…) or a Vietnamese number starting with 0.",
    )

    @field_validator("phone")
    @classmethod
    def _international(cls, value: str) -> str:
        return "+84" + value[1:] if value.startswith("0") else value


class SignUpAccepted(BaseModel):
    email: str
    confirmation_required: bool = True


class Confirm(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    email: str = Field(pattern=EMAIL_PATTERN, max_length=254)
    code: str = Field(min_length=1, max_length=20)


class Confirmed(BaseModel):
    email: str
    confirmed: bool = True


class CitizenSignIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    email: str = Field(pattern=EMAIL_PATTERN, max_length=254)
    password: str = Field(min_length=1, max_length=256)


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
    model_config = ConfigDict(extra="forbid")

    session: str = Field(min_length=20, max_length=4096)


class MfaSetup(BaseModel):
    """Add this secret to an authenticator app, then answer the MFA_SETUP challenge with its code."""

    secret_code: str
    session: str
    otpauth_uri: str


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
