"""The catalog: agencies (cơ quan) and administrative procedures (thủ tục hành chính) of a province."""

from __future__ import annotations

import re
from datetime import date
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from motcua.domain.codes import AGENCY_CODE_PATTERN
from motcua.domain.flows import Flow
from motcua.domain.i18n import Text
from motcua.domain.search import fold as fold  # one folding, for the catalog and its search

AGENCY_CODE_RE = re.compile(AGENCY_CODE_PATTERN)
# A validation context key: the forms' JSON Schemas were checked against the metaschema already.
FORMS_CHECKED = "forms_checked"


LIFE_EVENT_ID_PATTERN = r"^[a-z][a-z0-9-]{1,30}$"


class LifeEvent(BaseModel):
    """A life event (sự kiện): what happens to a person or a business, and the procedures it calls for."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(pattern=LIFE_EVENT_ID_PATTERN)  # "birth", "business", as the API and links show it
    name: Text  # "Sinh con" / "Having a baby"


class AgencyKind(StrEnum):
    PROVINCE = "province"  # UBND tỉnh
    DEPARTMENT = "department"  # sở, ban, ngành
    BRANCH = "branch"  # cơ quan ngành dọc: thuế, công an, bảo hiểm xã hội
    COMMUNE = "commune"  # xã, phường, đặc khu


class Agency(BaseModel):
    """An agency (cơ quan) of the province, identified by its QCVN 102 code."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    code: str = Field(pattern=AGENCY_CODE_PATTERN)
    name: Text
    kind: AgencyKind
    parent: str | None = Field(default=None, pattern=AGENCY_CODE_PATTERN)
    email: str | None = None
    address: Text | None = None
    # A merged agency stays in the catalog so that its dossiers stay findable; new work goes to
    # the agency it merged into.
    merged_into: str | None = Field(default=None, pattern=AGENCY_CODE_PATTERN)
    # The day the merger took effect: the statistics count the agency into its successor from that
    # day's month on (docs/statistics.md); None: from the first month.
    merged_on: date | None = None


class ServiceLevel(StrEnum):
    """Decree 42/2022: toàn trình (full process online) or một phần (partially online)."""

    FULL = "full"
    PARTIAL = "partial"


class ResultDelivery(StrEnum):
    ONLINE = "online"
    EMAIL = "email"
    POST = "post"
    COUNTER = "counter"


ContentType = Literal["application/pdf", "image/jpeg", "image/png"]


class Paper(BaseModel):
    """A paper (thành phần hồ sơ) the applicant must or may attach."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    code: str = Field(pattern=r"^[a-z0-9_]{1,40}$")
    name: Text
    required: bool = True
    copies: int = Field(default=1, ge=1)
    content_types: tuple[ContentType, ...] = Field(
        default=("application/pdf", "image/jpeg", "image/png"), min_length=1
    )
    max_files: int = Field(default=5, ge=1, le=20)


class Fee(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    amount_vnd: int = Field(ge=0)
    note: Text | None = None
    # Known up front, so paid online right after filing (docs/payments.md); and whether the receiving
    # desk waits for the payment before accepting the dossier.
    at_filing: bool = False
    waits: bool = False
    # The dossier's outcomes after which a fee paid online is returned (docs/payments.md, "Refunds"):
    # by default a dossier that is not accepted (refused, status 3); a province may add "stopped" (8).
    refund_on: tuple[Literal["refused", "stopped"], ...] = ("refused",)


class FormStep(BaseModel):
    """A step (bước) of a long application form: its heading and the form's fields it asks for."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    title: Text  # "Thông tin về trẻ" / "About the child"
    fields: tuple[str, ...] = Field(min_length=1)  # top-level properties of the form, in order


class Collect(BaseModel):
    """Collecting the result (nhận kết quả), in plain words for the receipt."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    # What to bring when collecting the result ("Căn cước của người nộp hồ sơ").
    bring: tuple[Text, ...] = ()


class Procedure(BaseModel):
    """An administrative procedure (thủ tục hành chính) from the national catalog, as the province runs it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    code: str = Field(pattern=r"^[0-9]\.[0-9]{6}(\.[A-Z0-9]+)?$")
    name: Text
    field: Text  # lĩnh vực
    agency: str = Field(pattern=AGENCY_CODE_PATTERN)  # the receiving agency: it owns the dossier
    level: ServiceLevel
    legacy_level: Literal[1, 2, 3, 4]
    legal_days: int = Field(ge=1, le=365)  # legal time limit in working days
    fee: Fee
    result_delivery: tuple[ResultDelivery, ...] = (ResultDelivery.ONLINE,)
    papers: tuple[Paper, ...]
    form: dict[str, Any]  # JSON Schema (draft 2020-12) of the application form
    legal_basis: tuple[str, ...] = ()
    # The words people use for it ("đăng ký kinh doanh"), found by the catalog search.
    keywords: tuple[str, ...] = ()
    # The life events (province file's `life_events`) for which a person needs it.
    life_events: tuple[str, ...] = ()
    # The other agencies' part, after the receiving agency accepts; none: it decides alone.
    flow: Flow | None = None
    # A long form asked in steps (the portal shows one step per page); none: one page.
    steps: tuple[FormStep, ...] = Field(
        default=(),
        description="A long form's steps, each a heading and the form's fields it asks; none: one page.",
    )
    collect: Collect | None = Field(
        default=None,
        description="Collecting the result: what to bring, in plain words (the receipt says it).",
    )
    # Where it may be received (domain/receiving.py): `any` one-stop desk of the province, or the
    # listed agencies' desks, as well as the procedure's own agency; none: only at its own agency.
    receive_at: str | tuple[str, ...] | None = Field(
        default=None,
        description="Where it may be received: `any` desk of the province, or a list of agency codes.",
    )

    @field_validator("form")
    @classmethod
    def _form_is_an_object_schema(cls, value: dict[str, Any], info: ValidationInfo) -> dict[str, Any]:
        if value.get("type") != "object":
            raise ValueError("the form must be a JSON Schema of type object")
        # A broken schema fails here, when the province loads, not when a citizen files. Checking it
        # against the metaschema costs tens of milliseconds; a function on Lambda loads the very file
        # that synthesis checked (FORMS_CHECKED in its context), and skips it on its cold start.
        if not (info.context or {}).get(FORMS_CHECKED):
            from jsonschema import Draft202012Validator

            Draft202012Validator.check_schema(value)
        return value

    @model_validator(mode="after")
    def _steps_cover_the_form_once(self) -> Procedure:
        """Every field of the form in exactly one step: a field added to the form but to no step
        would never be asked, so the province file does not load."""
        if not self.steps:
            return self
        properties = list((self.form.get("properties") or {}).keys())
        asked = [name for step in self.steps for name in step.fields]
        unknown = sorted(set(asked) - set(properties))
        twice = sorted({name for name in asked if asked.count(name) > 1})
        missing = [name for name in properties if name not in asked]
        problems = [
            f"{what}: {', '.join(names)}"
            for what, names in (
                ("steps name fields the form does not have", unknown),
                ("fields in more than one step", twice),
                ("form fields in no step", missing),
            )
            if names
        ]
        if problems:
            raise ValueError(f"procedure {self.code}: " + "; ".join(problems))
        return self

    @model_validator(mode="after")
    def _receive_at_names_desks(self) -> Procedure:
        """`any`, or a list of QCVN 102 agency codes named once each (the province checks they exist)."""
        where = self.receive_at
        if where is None or where == "any":
            return self
        if isinstance(where, str):
            raise ValueError(
                f"procedure {self.code}: receive_at is “{where}”; write `any` or a list of agency codes"
            )
        if not where:
            raise ValueError(f"procedure {self.code}: receive_at lists no agency (leave it out instead)")
        for code in where:
            if not AGENCY_CODE_RE.match(code):
                raise ValueError(f"procedure {self.code}: receive_at names “{code}”, not an agency code")
        twice = sorted({code for code in where if where.count(code) > 1})
        if twice:
            raise ValueError(f"procedure {self.code}: receive_at names {', '.join(twice)} more than once")
        return self

    def paper(self, code: str) -> Paper | None:
        return next((paper for paper in self.papers if paper.code == code), None)
