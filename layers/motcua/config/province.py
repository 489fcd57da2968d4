"""The province file: agencies, procedures, calendar and contact details of one deployment."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Self, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from motcua.config.centres import Centre, Misplaced
from motcua.domain.calendar import CalendarConfig, WorkingCalendar
from motcua.domain.catalog import FORMS_CHECKED, Agency, LifeEvent, Procedure
from motcua.domain.i18n import Language, Text

if TYPE_CHECKING:
    from motcua.domain.flows import Flow

T = TypeVar("T", Agency, Procedure)


class UploadPolicy(BaseModel):
    """Limits on the files a citizen uploads, enforced by the presigned POST and again at filing."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    max_bytes: int = Field(default=10 * 1024 * 1024, ge=1024, le=100 * 1024 * 1024)
    url_expires_seconds: int = Field(default=900, ge=60, le=3600)
    download_expires_seconds: int = Field(default=300, ge=30, le=3600)
    # What a file may hold once read whole at filing (motcua.domain.scan): a PDF's pages, an image's
    # pixels (Pillow's own bomb limit is 89 million), and all a PDF's Flate streams once inflated.
    max_pages: int = Field(default=300, ge=1, le=5000)
    max_pixels: int = Field(default=40_000_000, ge=1_000_000, le=178_000_000)
    max_inflated_bytes: int = Field(default=128 * 1024 * 1024, ge=1024 * 1024, le=1024 * 1024 * 1024)


class ApiLimits(BaseModel):
    """How much the province's API takes before it answers 429 (API Gateway) or 403 (the web ACL)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    # The whole stage, steady and in a burst; API Gateway's account limits are 10,000 and 5,000.
    rate_limit: float = Field(default=100, gt=0, le=10_000)  # requests per second
    burst_limit: int = Field(default=200, ge=1, le=5_000)
    # From one IP address in any 5 minutes (WAF's rate rule): a service centre's officers share one.
    ip_limit: int = Field(default=3_000, ge=10, le=2_000_000_000)
    # Sign-in, sign-up, codes and password resets from one IP address in any 5 minutes: guessing
    # passwords or codes, and sending codes to numbers that did not ask (SMS pumping), stop here.
    sign_in_ip_limit: int = Field(default=100, ge=10, le=2_000_000_000)
    # Filings (POST /v1/dossiers) and upload slots (POST /v1/uploads) from one IP address in any 5
    # minutes: a service centre's desk files for citizens behind one address; a filing asks a slot
    # per paper, so uploads take more.
    filing_ip_limit: int = Field(default=300, ge=10, le=2_000_000_000)
    uploads_ip_limit: int = Field(default=1_000, ge=10, le=2_000_000_000)
    # The counter's routes without sign-in (the kiosk's screen and tickets, a ticket's page, which a phone
    # polls every 5 s, an appointment's check-in) from one IP address in any 5 minutes: a centre's
    # kiosks and the phones on its Wi-Fi share one address, a script taking the day's numbers stops.
    counter_ip_limit: int = Field(default=1_000, ge=10, le=2_000_000_000)

    @model_validator(mode="after")
    def _paths_within_the_address_limit(self) -> Self:
        # A rule for one path counts requests the address-wide rule counts too: above it, it never acts.
        for name in ("sign_in_ip_limit", "filing_ip_limit", "uploads_ip_limit", "counter_ip_limit"):
            if getattr(self, name) > self.ip_limit:
                raise ValueError(
                    f"api.{name} ({getattr(self, name)}) is above api.ip_limit ({self.ip_limit})"
                )
        return self


class Retention(BaseModel):
    """How long each kind of record is kept, in days (thời hạn lưu trữ), enforced by the table's TTL
    and the bucket's lifecycle rules; docs/privacy.md gives the legal basis of each and the defaults."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    # A dossier with its timeline, tasks and audit trail, from the day it was filed.
    dossiers_days: int = Field(default=10 * 365, ge=365, le=100 * 365)
    # The papers citizens filed (uploads tagged filed), from their upload.
    papers_days: int = Field(default=10 * 365, ge=365, le=100 * 365)
    # Signed results (<code>-KQ<n>.pdf), from their signing.
    results_days: int = Field(default=20 * 365, ge=365, le=100 * 365)
    # What the notifier remembers of each message sent (its once-only record): at least the dead-letter
    # queue's 14 days, so that a redriven record is not sent twice.
    notifications_days: int = Field(default=30, ge=15, le=365)
    # Who opened which dossier's personal data (the staff access log).
    access_log_days: int = Field(default=3 * 365, ge=365, le=20 * 365)
    # A filing's Idempotency-Key: long enough for every retry of one filing.
    idempotency_days: int = Field(default=7, ge=1, le=30)
    # Uploads never filed (still tagged pending).
    abandoned_uploads_days: int = Field(default=7, ge=1, le=90)

    @model_validator(mode="after")
    def _papers_outlive_dossiers(self) -> Self:
        if self.papers_days < self.dossiers_days:
            raise ValueError("papers_days must be at least dossiers_days: a dossier keeps its papers")
        return self


class DraftPolicy(BaseModel):
    """How long a citizen's unfinished form is kept on the server, and how much of it (docs/drafts.md)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    # From the draft's first save; its uploaded papers are kept at least as long (the bucket's
    # draft-uploads rule: keep_days + retention.abandoned_uploads_days from their upload).
    keep_days: int = Field(default=30, ge=1, le=365)
    max_per_citizen: int = Field(default=20, ge=1, le=100)
    # The answers as JSON, in bytes: a form's text fields, not files (papers are uploads).
    max_answer_bytes: int = Field(default=64 * 1024, ge=1024, le=200 * 1024)


class Province(BaseModel):
    """One province (tỉnh / thành phố trực thuộc trung ương): what its deployment serves."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(pattern=r"^[a-z][a-z0-9-]{1,30}$")
    code: str = Field(pattern=r"^[A-Z]\d{2}$")  # the province part of QCVN 102 codes
    name: Text
    language: Language = "vi"
    sender_email: str
    portal_url: str
    calendar: CalendarConfig = CalendarConfig()
    uploads: UploadPolicy = UploadPolicy()
    api: ApiLimits = ApiLimits()
    retention: Retention = Retention()
    drafts: DraftPolicy = DraftPolicy()
    agencies: tuple[Agency, ...]
    procedures: tuple[Procedure, ...]
    # Browsing by what happens in a life (sinh con, kết hôn, mở doanh nghiệp…); procedures name them.
    life_events: tuple[LifeEvent, ...] = ()
    # Where people walk in: counters, kiosk services, hours (config/centres.py, docs/counter.md).
    centres: tuple[Centre, ...] = ()

    @model_validator(mode="after")
    def _references_resolve(self) -> Self:
        by_code = _unique({agency.code: agency for agency in self.agencies}, self.agencies, "agency")
        _unique({p.code: p for p in self.procedures}, self.procedures, "procedure")
        for agency in self.agencies:
            _check_agency(agency, by_code)
        for procedure in self.procedures:
            _check_procedure(procedure, by_code)
        events = [event.id for event in self.life_events]
        twice = sorted({event for event in events if events.count(event) > 1})
        if twice:
            raise ValueError(f"life event ids appear more than once: {', '.join(twice)}")
        for procedure in self.procedures:
            unknown = sorted(set(procedure.life_events) - set(events))
            if unknown:
                raise ValueError(
                    f"procedure {procedure.code} names unknown life events: {', '.join(unknown)}"
                )
        _check_centres(self.centres, by_code, {p.code for p in self.procedures})
        return self

    @cached_property
    def working_calendar(self) -> WorkingCalendar:
        return WorkingCalendar(self.calendar)

    @cached_property
    def agencies_by_code(self) -> dict[str, Agency]:
        return {agency.code: agency for agency in self.agencies}

    @cached_property
    def procedures_by_code(self) -> dict[str, Procedure]:
        return {procedure.code: procedure for procedure in self.procedures}

    def current_agency(self, code: str) -> Agency | None:
        """The agency that does the work of `code` today, following mergers (loops are refused at load)."""
        agency = self.agencies_by_code.get(code)
        while agency is not None and agency.merged_into is not None:
            agency = self.agencies_by_code.get(agency.merged_into)
        return agency


def _unique(by_code: dict[str, T], items: tuple[T, ...], what: str) -> dict[str, T]:
    if len(by_code) != len(items):
        codes = [getattr(item, "code", "") for item in items]
        twice = sorted({code for code in codes if codes.count(code) > 1})
        raise ValueError(f"{what} codes appear more than once: {', '.join(twice)}")
    return by_code


def _check_agency(agency: Agency, by_code: dict[str, Agency]) -> None:
    for ref in (agency.parent, agency.merged_into):
        if ref is not None and ref not in by_code:
            raise ValueError(f"agency {agency.code} refers to unknown agency {ref}")
    # Mergers form chains that end in an agency still at work: no loops.
    chain, current = {agency.code}, agency
    while current.merged_into is not None:
        if current.merged_into in chain:
            raise ValueError(f"agency {agency.code} is merged in a loop")
        chain.add(current.merged_into)
        current = by_code[current.merged_into]


def _check_centres(centres: tuple[Centre, ...], by_code: dict[str, Agency], procedures: set[str]) -> None:
    ids = [centre.id for centre in centres]
    twice = sorted({i for i in ids if ids.count(i) > 1})
    if twice:
        raise Misplaced(f"centre ids appear more than once: {', '.join(twice)}", "centres")
    for c, centre in enumerate(centres):
        for s, service in enumerate(centre.services):
            where = (f"centre {centre.id}, service {service.code}", "centres", c, "services", s)
            unknown = sorted(set(service.procedures) - procedures)
            if unknown:
                raise Misplaced(
                    f"{where[0]}: unknown procedures {', '.join(unknown)}", *where[1:], "procedures"
                )
            for k, code in enumerate(service.agencies):
                _an_agency_at_work(by_code, code, *where, "agencies", k)
        for n, counter in enumerate(centre.counters):
            named = f"centre {centre.id}, counter {counter.number}"
            _an_agency_at_work(by_code, counter.agency, named, "centres", c, "counters", n, "agency")


def _an_agency_at_work(by_code: dict[str, Agency], code: str, where: str, *place: str | int) -> None:
    agency = by_code.get(code)
    if agency is None:
        raise Misplaced(f"{where}: unknown agency {code}", *place)
    if agency.merged_into is not None:
        raise Misplaced(f"{where}: the agency {code} was merged into {agency.merged_into}", *place)


def _check_procedure(procedure: Procedure, by_code: dict[str, Agency]) -> None:
    receiver = by_code.get(procedure.agency)
    if receiver is None:
        raise ValueError(f"procedure {procedure.code} is received by unknown agency {procedure.agency}")
    if receiver.merged_into is not None:
        raise ValueError(
            f"procedure {procedure.code} is received by {procedure.agency}, which was merged "
            f"into {receiver.merged_into}: name the agency that does the work"
        )
    if isinstance(procedure.receive_at, tuple):
        for code in procedure.receive_at:
            desk = by_code.get(code)
            if desk is None:
                raise ValueError(f"procedure {procedure.code} may be received at unknown agency {code}")
            if desk.merged_into is not None:
                raise ValueError(
                    f"procedure {procedure.code} may be received at {code}, which was merged into "
                    f"{desk.merged_into}: name the agency at work"
                )
    papers = [paper.code for paper in procedure.papers]
    if len(papers) != len(set(papers)):
        raise ValueError(f"procedure {procedure.code} lists a paper twice")
    if procedure.flow is not None:
        _check_flow(procedure, procedure.flow, by_code)


def _check_flow(procedure: Procedure, flow: Flow, by_code: dict[str, Agency]) -> None:
    """Every step names an agency at work; no stage is empty; the allowances fit the legal time."""
    if not flow.stages:
        raise ValueError(f"procedure {procedure.code}: the flow has no stage")
    for i, stage in enumerate(flow.stages, start=1):
        if not stage.steps:
            raise ValueError(f"procedure {procedure.code}, stage {i}: the stage has no step")
        for j, step in enumerate(stage.steps, start=1):
            where = f"procedure {procedure.code}, stage {i}, step {j} ({step.agency})"
            agency = by_code.get(step.agency)
            if agency is None:
                raise ValueError(f"{where}: unknown agency")
            if agency.merged_into is not None:
                raise ValueError(f"{where}: the agency was merged into {agency.merged_into}")
    if flow.days > procedure.legal_days:
        longest = max(
            ((i, j, s) for i, st in enumerate(flow.stages, 1) for j, s in enumerate(st.steps, 1)),
            key=lambda found: found[2].days,
        )
        raise ValueError(
            f"procedure {procedure.code}: the steps take {flow.days} working days, more than the legal "
            f"{procedure.legal_days} (the longest is stage {longest[0]}, step {longest[1]} "
            f"({longest[2].agency}), {longest[2].days} days)"
        )


class ProvinceFileError(ValueError):
    """A province file that does not load: every problem with its line and its place in the file."""


def load_province(path: str | Path, *, forms_checked: bool = False) -> Province:
    """Read and validate a province file; an invalid file fails here, naming what is wrong and where.

    `forms_checked`: the forms' schemas were checked against the JSON Schema metaschema when this very
    file was (at synthesis, for a function's copy), so that check is not made again.
    """
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when built in: ~10x faster
    text = Path(path).read_text(encoding="utf-8")
    data = yaml.load(text, Loader=loader)  # noqa: S506 — a safe loader
    try:
        return Province.model_validate(data, context={FORMS_CHECKED: forms_checked})
    except ValidationError as error:
        raise ProvinceFileError(_problems(Path(path).name, text, error)) from None


def _problems(name: str, text: str, error: ValidationError) -> str:
    """`demo.yaml, line 1712 (centres[0].counters[1]): …` for each error; the file is parsed again
    (to nodes, which know their lines) only when it failed."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    root = yaml.compose(text, Loader=loader)  # noqa: S506 — a safe loader
    lines = [f"{name} does not load ({error.error_count()} problem(s)):"]
    for problem in error.errors(include_url=False):
        node, place = root, ""
        cause = (problem.get("ctx") or {}).get("error")
        for part in (*problem["loc"], *getattr(cause, "place", ())):
            if isinstance(node, yaml.MappingNode) and isinstance(part, str):
                found = next((value for key, value in node.value if key.value == part), None)
                place += f".{part}" if place else part
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
                found = node.value[part]
                place += f"[{part}]"
            else:
                break  # a union's branch name, or where the file has nothing: the last node found
            if found is None:
                break
            node = found
        line = node.start_mark.line + 1 if node is not None else 1
        lines.append(f"  line {line} ({place or 'top'}): {problem['msg']}")
    return "\n".join(lines)
