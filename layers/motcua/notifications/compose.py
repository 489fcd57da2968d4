"""The messages (email, SMS) that tell a citizen of one event, rendered from the versioned templates."""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from pydantic import BaseModel, ConfigDict

from motcua.domain.calendar import VIETNAM_TZ
from motcua.domain.catalog import ResultDelivery
from motcua.domain.counter import Channel as Arrival
from motcua.domain.events import Event
from motcua.domain.i18n import Language, Text
from motcua.domain.status import Action
from motcua.notifications.phones import is_mobile, normalise_phone

if TYPE_CHECKING:
    from datetime import datetime

    from motcua.domain.audit import AuditEntry
    from motcua.domain.models import Apology, Dossier

# Recorded on every message (`template`): a change of wording is a new version, never an edit of v1.
TEMPLATE_VERSION = "v1"
TEMPLATES = Path(__file__).parent / "templates"
SMS_LIMIT = 160  # one GSM-7 segment
Channel = Literal["email", "sms"]

_PUNCTUATION = str.maketrans(
    {"đ": "d", "Đ": "D", "–": "-", "—": "-", "‘": "'", "’": "'", "“": '"', "”": '"', "…": "..."}
    | {"\u00a0": " "}
)


class Context(BaseModel):
    """What a template is given: every name it may use, already in the dossier's language."""

    model_config = ConfigDict(frozen=True)

    language: Language
    event: Event
    name: str  # the applicant's
    code: str
    procedure: str
    agency: str  # the receiving agency, which speaks for every agency of the flow (một cửa)
    agency_address: str | None = None
    province: str
    at: str  # when it happened: dd/mm/yyyy HH:MM in Vietnam
    appointment: str  # when the result is promised; for `late`, the new date
    previous_appointment: str | None = None  # `late`: the date that will be missed
    reason: str | None = None  # the refusal, the stop, the papers asked for, the apology
    expired: bool = False  # `stopped` because the papers asked for never came
    delivery: tuple[ResultDelivery, ...] = ()  # how the result reaches the citizen; empty: unknown
    tracking_url: str
    dossier_url: str  # the signed-in owner's page: papers to add, PDFs to download
    counter: bool = False  # handed in at a one-stop counter (walk-in intake), not filed online
    rating_url: str | None = None  # `returned`: the signed link to rate the service (docs/ratings.md)
    # `fees_due`: the financial obligation's total and items, in đồng written the Vietnamese way.
    amount: str | None = None
    items: tuple[tuple[str, str], ...] = ()


class Message(BaseModel):
    """One email or SMS to the account that filed, ready for a messenger."""

    model_config = ConfigDict(frozen=True)

    channel: Channel
    to: str  # an email address, or a phone number in E.164
    subject: str | None = None  # email only
    text: str
    html: str | None = None  # email only
    sender: str | None = None  # email only: the province's address, when given
    language: Language
    event: Event
    template: str  # "v1/result_ready": the version and event it was rendered from
    key: str  # "<dossier code>#<audit seq>#<channel>": the same entry never sends twice

    @property
    def template_version(self) -> str:
        return self.template.split("/", 1)[0]


def compose(
    event: Event,
    dossier: Dossier,
    entry: AuditEntry,
    *,
    province_name: str | Text,
    agency_name: str | Text,
    portal_url: str,
    tracking_url: str,
    sender: str | None = None,
    result_delivery: tuple[ResultDelivery, ...] = (),
    agency_address: str | Text | None = None,
    rating_url: str | None = None,
) -> list[Message]:
    """An email to the filing account's verified address, an SMS to its verified phone when that is a
    mobile number; else none. What the applicant typed into the form is never written to."""
    language = dossier.language
    context = _context(
        event,
        dossier,
        entry,
        province=_in(province_name, language),
        agency=_in(agency_name, language),
        agency_address=_in(agency_address, language) if agency_address else None,
        portal_url=portal_url,
        tracking_url=tracking_url,
        delivery=result_delivery,
    ).model_copy(update={"rating_url": rating_url})
    template = f"{TEMPLATE_VERSION}/{event.value}"
    messages = []
    contacts = dossier.contacts
    if contacts.email:
        messages.append(
            Message(
                channel="email",
                to=contacts.email,
                subject=" ".join(render(context, "subject.txt").split()),
                text=re.sub(r"\n{3,}", "\n\n", render(context, "email.txt")).strip() + "\n",
                html=render(context, "email.html").strip() + "\n",
                sender=sender,
                language=language,
                event=event,
                template=template,
                key=f"{dossier.code}#{entry.seq}#email",
            )
        )
    phone = normalise_phone(contacts.phone) if contacts.phone else None
    if phone is not None and is_mobile(phone):
        # One link fits an SMS: the rating link when there is one (its page links the tracking).
        link = rating_url or tracking_url
        text = _fit(" ".join(ascii_fold(render(context, "sms.txt")).split()), link, dossier.code)
        messages.append(
            Message(
                channel="sms",
                to=phone,
                text=text,
                language=language,
                event=event,
                template=template,
                key=f"{dossier.code}#{entry.seq}#sms",
            )
        )
    return messages


def render(context: Context, part: str) -> str:
    """One part ("subject.txt", "email.txt", "email.html", "sms.txt") of the event's message."""
    name = f"{TEMPLATE_VERSION}/{context.event.value}/{context.language}.{part}"
    return _environment().get_template(name).render(context.model_dump())


def ascii_fold(text: str) -> str:
    """Vietnamese without diacritics, as telcos send SMS: 'Hồ sơ đã có kết quả' → 'Ho so da co ket qua'."""
    decomposed = unicodedata.normalize("NFD", text.translate(_PUNCTUATION))
    kept = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return kept.encode("ascii", "ignore").decode("ascii")


def when(moment: datetime) -> str:
    """dd/mm/yyyy HH:MM in Vietnam's time (Asia/Ho_Chi_Minh, +07:00 all year)."""
    return moment.astimezone(VIETNAM_TZ).strftime("%d/%m/%Y %H:%M")


@cache
def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False, default=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )


def _context(
    event: Event,
    dossier: Dossier,
    entry: AuditEntry,
    *,
    province: str,
    agency: str,
    agency_address: str | None,
    portal_url: str,
    tracking_url: str,
    delivery: tuple[ResultDelivery, ...],
) -> Context:
    language = dossier.language
    appointment, previous = dossier.appointment, None
    expired = entry.action == Action.EXPIRE.value
    # The decision's own reason; a flow's stop may carry none, and the dossier keeps the last one.
    # An expiry's is the state machine's ("stage 1 step 1"): the template says why in words instead.
    reason = None if expired else entry.reason or dossier.reason
    if event is Event.LATE:
        apology = _apology(dossier, entry)
        if apology is not None:
            appointment, previous = apology.appointment_at, apology.previous_appointment_at
            reason = apology.reason.in_(language)
        else:
            reason = None  # the audit entry's reason is for the staff ("new appointment …")
    return Context(
        language=language,
        event=event,
        name=dossier.applicant.full_name,
        code=dossier.code,
        procedure=dossier.procedure_name.in_(language),
        agency=agency,
        agency_address=agency_address,
        province=province,
        at=when(entry.at),
        appointment=when(appointment),
        previous_appointment=when(previous) if previous else None,
        expired=expired,
        delivery=delivery,
        tracking_url=tracking_url,
        counter=dossier.channel is Arrival.COUNTER,
        dossier_url=f"{portal_url.rstrip('/')}/#/dossiers/{dossier.code}",
        **({"reason": reason} | _obligation(dossier, event, entry)),
    )


def _obligation(dossier: Dossier, event: Event, entry: AuditEntry) -> dict[str, object]:
    if event is Event.REFUNDED:  # the refund's amount, as its audit entry names it ("135000 VND: …")
        said = (entry.reason or "").split(" VND: ", 1)
        if len(said) == 2 and said[0].isdigit():
            return {"amount": _dong(int(said[0])), "reason": said[1]}
        return {}
    ob = dossier.obligation
    if event is not Event.FEES_DUE or ob is None:
        return {}
    return {
        "amount": _dong(ob.amount_vnd),
        "items": tuple((item.name, _dong(item.amount_vnd)) for item in ob.items),
    }


def _dong(amount: int) -> str:
    return f"{amount:,}".replace(",", ".")


def _apology(dossier: Dossier, entry: AuditEntry) -> Apology | None:
    """The Mẫu 04 the entry recorded (written at the same instant), else the latest one."""
    latest = dossier.apologies[-1] if dossier.apologies else None
    return next((a for a in dossier.apologies if a.issued_at == entry.at), latest)


def _in(text: str | Text, language: Language) -> str:
    return text if isinstance(text, str) else text.in_(language)


def _fit(sms: str, link: str, code: str) -> str:
    """One segment with the link whole: for a long portal address, the code goes first (the link holds
    it), then the last words before the link."""
    if len(sms) <= SMS_LIMIT or not sms.endswith(link):
        return sms
    head = sms.removesuffix(link).replace(f" {code}", "").rstrip()
    if len(head) + 1 + len(link) <= SMS_LIMIT:
        return f"{head} {link}"
    room = SMS_LIMIT - len(link) - len(".. ")
    return f"{head[:room].rsplit(' ', 1)[0].rstrip(' .,:;')}.. {link}"
