"""Every page of the portal and the console, in each of its states, checked by axe, on a phone and a desk
PC, in Vietnamese and in English; and the keyboard alone files a dossier.

How it works
------------
`PAGES` below is the one table: for each route of `frontend/app.js`'s `ROUTES` (keyed by its regular
expression, exactly as written there) the list of its states, each a `State`:

- `name`: what the state is ("empty", "a form error shown", "the withdrawal dialog open", …);
- `who`: who looks at it — `nobody`, `citizen` (An, who has dossiers), `newcomer` (Bình, who has none
  but a draft),
  `receiver`, `officer` or `leader` (the staff of the birth registration's receiving ward);
- `path`: the hash route to open, a function of the dossiers filed for the test (`Filed`);
- `then`: what to do on the page to reach the state (fill a form and submit it, open a dialog), after
  the page has loaded; it must not depend on the language (use CSS selectors, not button texts);
- `ready`: a CSS selector that exists once the state is on screen, if the heading is not enough.

`test_every_route_of_the_app_has_a_recipe` reads `ROUTES` from `frontend/app.js`: a route without an
entry in `PAGES` fails it, as does an entry for a route that is gone. To add a page: add its route to
`ROUTES`, then a line to `PAGES` with at least its first state (and its empty, error, dialog states), and
run this module (`.venv/bin/python -m pytest tests/e2e/test_accessibility.py -q -p no:cacheprovider`).

`test_every_page_passes_axe` runs once per viewport (phone 390×844, desk 1366×768) and language. For each
state it opens the route in the person's own browser context (one per person and viewport, signed in once
over HTTP), reaches the state, and checks: axe-core's WCAG 2.x A/AA rules (`support.assert_accessible`),
that the page does not scroll sideways on the phone (document width ≤ 390 px) and, after a navigation,
that the focus is on the new page's heading. Every failure of every state is reported at once. The colour
of every state (statuses, timeliness, due today / late, escalations, flow attention, notices, the status
line, tags, verdicts, a field in error, buttons) is checked with the portal's stylesheet on the markup
the views draw (`STATES_SAMPLER`, added to the inbox page), in the light and the dark colour scheme.

The keyboard tests file a birth registration with Tab, Shift+Tab, Enter and Space alone, every focus stop
visible, and work the phone's menu and the withdrawal dialog.

The dossiers are filed once over HTTP (`Filed`): one left new (the desk's task, the citizen may withdraw
it) and one accepted by the desk, its result issued (the officer's task, a result to verify).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import requests
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from tests.e2e.conftest import DESK, PHONE, SHOTS, watch
from tests.e2e.support import (
    BIRTH_REGISTRATION,
    Person,
    an_admin_creates_an_officer,
    assert_accessible,
    birth_registration_through_api,
    driving_licence_through_api,
    fresh_code,
    payment_through_api,
    receiving_agency,
    staff_member,
)
from tests.e2e.test_ratings_journey import rating_link, returned

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Locator, Page, ViewportSize

    from tests.e2e.support import Stack

pytestmark = pytest.mark.e2e

APP_JS = Path(__file__).resolve().parents[2] / "frontend" / "app.js"
SESSION_KEY = "motcua.session"
LANG_KEY = "motcua.lang"
NEWCOMER = Person("binh@example.vn", "CongDan@2026", "Bình")
MARRIAGE_REGISTRATION = "1.000894"  # the newcomer's draft in the demo data (infra/devstack/demo_draft.py)


FORGED_RATING_LINK = "000.00.00.H00-000000-0000.ffffffff.AAAAAAAAAAAAAAAAAAAAAA"


@dataclass(frozen=True)
class Filed:
    """The dossiers filed once for the whole module, and the tasks they opened."""

    new: str  # a birth registration nobody has touched: the desk's task, withdrawable
    accepted: str  # another, accepted by the desk, its result issued by the officer: the officer's task
    result: str  # that result's code, to verify
    desk_task: str
    officer_task: str
    waiting: str = ""  # an order for a driving licence's fee, not paid (docs/payments.md)
    paid: str = ""  # another, paid in the sandbox gateway
    paid_dossier: str = ""  # its dossier, whose page lists the payment receipt
    rating_token: str = ""  # the final message's rating link of a returned declaration (docs/ratings.md)


@dataclass(frozen=True)
class State:
    name: str
    who: str
    path: Callable[[Filed], str]
    then: Callable[[Page], None] | None = None
    ready: str = ""


def at(path: str) -> Callable[[Filed], str]:
    return lambda _filed: path


# --- what to do on a page to reach a state (language-independent) ------------------------------


def submit_empty(page: Page) -> None:
    """Submit the page's first form untouched: its required fields show their errors."""
    page.locator("#main form button[type=submit]").first.click()
    expect(page.locator("#main [aria-invalid=true]").first).to_be_visible()


def track_unknown(page: Page) -> None:
    page.locator("#main input[name=code]").fill("000.00.00.H00-000000-0000")
    page.locator("#main form button[type=submit]").first.click()
    expect(page.locator("#main .track-help--missing")).to_be_visible()


def track_malformed(page: Page) -> None:
    page.locator("#main input[name=code]").fill("not a code")
    page.locator("#main form button[type=submit]").first.click()
    expect(page.locator("#main [aria-invalid=true]")).to_be_visible()


def search_nothing(page: Page) -> None:
    page.locator("#main input[type=search]").fill("khai sinh doanh nghiep lai xe")
    page.locator("#main form:has(input[type=search]) button[type=submit]").click()
    expect(page.locator(".suggestions")).to_be_visible()


def open_withdrawal(page: Page) -> None:
    page.locator(".withdraw button[aria-haspopup=dialog]").click()
    expect(page.locator("dialog[open]")).to_be_visible()


def stats_bad_period(page: Page) -> None:
    """The dashboard's months the wrong way round: the picker says so."""
    page.locator("#stats-from").fill("2026-12")
    page.locator("#stats-to").fill("2026-01")
    page.locator("#main form.stats-picker button[type=submit]").click()
    expect(page.locator("#stats-period-error")).to_be_visible()


def stats_indicator_definitions_open(page: Page) -> None:
    """The Decision 766 indicators' definitions opened: the formula, the clause and why one has no data."""
    for summary in page.locator("#stats-ind-section summary").all():
        summary.click()
    expect(page.locator("#stats-ind-section details[open]").first).to_be_visible()


def forgot_password_asked(page: Page) -> None:
    """ "Forgot your password?": the step that asks for the email or phone number."""
    page.locator('#main a[href="#/sign-in"]').first.click()
    expect(page.locator("#main input[name=password]")).to_have_count(0)


def forgot_password(page: Page) -> None:
    """ "Forgot your password?", the login given: the step that asks for the code and a new password."""
    forgot_password_asked(page)
    page.locator("#main input[name=login]").fill(NEWCOMER.username)
    page.locator("#main form button[type=submit]").click()
    expect(page.locator("#main input[name=code]")).to_be_visible()


def _sign_up(page: Page, login: str) -> None:
    page.locator("#main input[name=name]").fill("Lê Thị Cúc")
    page.locator("#main input[name=login]").fill(login)
    page.locator("#main input[name=password]").fill("mot cau mat khau dai")
    page.locator("#main form button[type=submit]").click()
    expect(page.locator("#main input[name=code]")).to_be_visible()


def sign_up(page: Page) -> None:
    """A new account: the step that asks for the code sent to the email."""
    _sign_up(page, f"cuc.{uuid.uuid4().hex[:8]}@example.vn")


def sign_up_by_phone(page: Page) -> None:
    """A new account with a mobile number: the step that asks for the code sent by SMS."""
    _sign_up(page, f"038{uuid.uuid4().int % 10**7:07d}")  # a Viettel mobile


# Officers an administrator has just created (the `officers` fixture), each at a step of the staff
# sign-in: a new password asked (never given), or the authenticator app's code (never typed); and one
# per run whose new password is given, so that the authenticator app is to be set up (its QR code).
TEMPORARY, CHOSEN = "Tam-thoi-2026", "so tay cua can bo 2026"
NEW_OFFICER, MFA_OFFICER = "a11y.moi", "a11y.ma"
SETUP_OFFICERS: list[str] = []


def _staff_password(page: Page, username: str, password: str) -> None:
    page.locator("#main input[name=username]").fill(username)
    page.locator("#main input[name=password]").fill(password)
    page.locator("#main form button[type=submit]").click()


def staff_new_password(page: Page) -> None:
    _staff_password(page, NEW_OFFICER, TEMPORARY)
    expect(page.locator("#main input[name=again]")).to_be_visible()


def staff_new_password_errors(page: Page) -> None:
    staff_new_password(page)
    submit_empty(page)


def staff_mfa_setup(page: Page) -> None:
    assert SETUP_OFFICERS, "no officer left to set up an authenticator app (the fixture makes one a run)"
    _staff_password(page, SETUP_OFFICERS.pop(), TEMPORARY)
    expect(page.locator("#main input[name=again]")).to_be_visible()  # the sign-in's form is gone
    page.locator("#main input[name=password]").fill(CHOSEN)
    page.locator("#main input[name=again]").fill(CHOSEN)
    page.locator("#main form button[type=submit]").click()
    expect(page.locator("#main .mfa-qr")).to_be_visible()


def staff_mfa_code(page: Page) -> None:
    _staff_password(page, MFA_OFFICER, CHOSEN)
    expect(page.locator("#main input[name=answer]")).to_be_visible()
    expect(page.locator("#main .mfa-qr")).to_have_count(0)


def open_menu(page: Page) -> None:
    button = page.locator("#menu-btn")
    if button.is_visible():  # folded on a phone; on a desk the menu is always shown
        button.click()
        expect(page.locator("#site-nav")).to_have_class(re.compile("site-nav--open"))


def open_obligation_form(page: Page) -> None:
    """The task page's financial obligation form (status 6), opened (docs/payments.md)."""
    page.locator("#obligation-open").click()
    page.locator(".obligation-form input").first.wait_for()


def decide_without_reason(page: Page) -> None:
    """A refusal needs its reason: pressing it with none shows the form's error."""
    page.locator("#decision .btn--danger").first.click()
    expect(page.locator("#decision [aria-invalid=true]")).to_be_visible()


def preview_attachment(page: Page) -> None:
    page.locator("#main .preview__toggle").first.click()
    expect(page.locator("#main .preview:not([hidden])").first).to_be_visible()


def search_inbox_for_nothing(page: Page) -> None:
    page.locator("#work-q").fill("KHONGCOHOSONAY")
    page.locator("#work-q").press("Enter")
    expect(page.locator("#main .task")).to_have_count(0)


def search_intake_for_nothing(page: Page) -> None:
    page.locator("#intake-search").fill("KHONGCOTHUTUCNAY")
    expect(page.locator("#main .intake__procedure")).to_have_count(0)


def book_without_slot(page: Page) -> None:
    """Book with no slot chosen: the page says to choose one."""
    page.locator(".appt-slot").first.wait_for()
    page.locator("#main form button[type=submit]").first.click()
    expect(page.locator(".appt-message .notice")).to_be_visible()


def check_in_unknown(page: Page) -> None:
    """Check in a code no booking has: the kiosk says so."""
    page.locator("#main form button[type=submit]").first.click()
    expect(page.locator(".checkin__result .notice")).to_be_visible()


def verify_unknown_code(page: Page) -> None:
    page.locator("#main input[name=result_code]").fill("KQ-KHONG-CO")
    page.locator("#main form:has(input[name=result_code]) button[type=submit]").click()
    expect(page.locator("#main .verdict, #main .notice, #main [aria-invalid=true]").first).to_be_visible()


def kiosk_priority(page: Page) -> None:
    page.locator("#main .kiosk__button").first.click()
    expect(page.locator("#main .kiosk__grid--kinds")).to_be_visible()


def choose_counter(page: Page) -> None:
    """The ward's receiver picks the ward desk's counter (remembered in the browser)."""
    page.locator("#counter-pick").select_option(index=1)
    expect(page.locator("#main .counter__ticket")).to_be_visible()


def today_in_vietnam() -> str:
    from datetime import UTC, datetime

    from motcua.domain.queue import centre_day

    return centre_day(datetime.now(UTC)).isoformat()


# --- the table: every route of frontend/app.js, each with its states ----------------------------

PAGES: dict[str, list[State]] = {
    r"^\/?$": [
        State("the catalogue", "nobody", at("/"), ready=".results li"),
        State("the menu open", "nobody", at("/"), then=open_menu),
        State("a malformed tracking code", "nobody", at("/"), then=track_malformed),
        State("a search with no result, its suggestions", "nobody", at("/"), then=search_nothing),
        State("browsing a life event", "nobody", at("/?event=birth"), ready=".results li"),
        State("the catalogue, signed in", "citizen", at("/"), ready=".results li"),
        State("the menu open, signed in as a leader", "leader", at("/"), then=open_menu),
    ],
    r"^\/procedures\/([^/]+)$": [
        State("a procedure (its pre-rendered page)", "nobody", at(f"/procedures/{BIRTH_REGISTRATION}")),
        State(
            "a procedure, signed in",
            "citizen",
            at(f"/procedures/{BIRTH_REGISTRATION}"),
            ready="#userbar:not([hidden]) #userbar-me:not([hidden])",
        ),
    ],
    r"^\/file\/([^/]+)$": [
        State("the form", "citizen", at(f"/file/{BIRTH_REGISTRATION}"), ready="form"),
        State("the form's errors shown", "citizen", at(f"/file/{BIRTH_REGISTRATION}"), then=submit_empty),
        # Receiving anywhere: a procedure several desks receive asks where, on "check your answers".
        State("the choice of desk", "citizen", at("/file/2.002151?step=check"), ready="select[name=desk]"),
        State(
            "a draft brought back", "newcomer", at(f"/file/{MARRIAGE_REGISTRATION}"), ready=".draft-restored"
        ),
    ],
    r"^\/receipt\/([^/]+)$": [
        State("the receipt", "citizen", lambda f: f"/receipt/{f.new}", ready=".receipt, .panel"),
    ],
    r"^\/tracking(?:\/([^/]*))?$": [
        State("empty", "nobody", at("/tracking")),
        State("a malformed code", "nobody", at("/tracking"), then=track_malformed),
        State("an unknown code", "nobody", at("/tracking"), then=track_unknown),
        State("a dossier found", "nobody", lambda f: f"/tracking/{f.new}", ready=".dossier-head"),
    ],
    r"^\/me$": [
        State("with dossiers", "citizen", at("/me"), ready=".cards li"),
        State("no dossier yet", "newcomer", at("/me")),
        State("her drafts, to continue or delete", "newcomer", at("/me"), ready=".draft-card"),
    ],
    r"^\/me\/notifications$": [
        State("what An was sent", "citizen", at("/me/notifications"), ready=".note"),
        State("nothing sent yet", "newcomer", at("/me/notifications")),
    ],
    r"^\/dossiers\/([^/]+)$": [
        State("the citizen's new dossier", "citizen", lambda f: f"/dossiers/{f.new}", ready=".withdraw"),
        State("the withdrawal dialog open", "citizen", lambda f: f"/dossiers/{f.new}", then=open_withdrawal),
        State(
            "a dossier with its result", "citizen", lambda f: f"/dossiers/{f.accepted}", ready=".doc--result"
        ),
        State("an officer's view", "officer", lambda f: f"/dossiers/{f.accepted}", ready=".dossier-head"),
        State(
            "a paid dossier with its payment receipt",
            "citizen",
            lambda f: f"/dossiers/{f.paid_dossier}",
            ready=".payment-receipt",
        ),
        State(
            "a paid dossier's payments and refunds",
            "citizen",
            lambda f: f"/dossiers/{f.paid_dossier}",
            ready=".refund-item",
        ),
    ],
    r"^\/dossiers\/([^/]+)\/control-slip$": [
        State("the control slip", "citizen", lambda f: f"/dossiers/{f.accepted}/control-slip", ready="table"),
        State(
            "the control slip, for the desk",
            "receiver",
            lambda f: f"/dossiers/{f.accepted}/control-slip",
            ready="table",
        ),
    ],
    r"^\/dossiers\/([^/]+)\/audit$": [
        State("the audit trail", "leader", lambda f: f"/dossiers/{f.accepted}/audit", ready=".audit-entry"),
    ],
    r"^\/sign-in$": [
        State("empty", "nobody", at("/sign-in")),
        State("the form's errors shown", "nobody", at("/sign-in"), then=submit_empty),
        State("a forgotten password: the login", "nobody", at("/sign-in"), then=forgot_password_asked),
        State("a forgotten password: the code", "nobody", at("/sign-in"), then=forgot_password),
    ],
    r"^\/sign-up$": [
        State("empty", "nobody", at("/sign-up")),
        State("the form's errors shown", "nobody", at("/sign-up"), then=submit_empty),
        State("the confirmation code", "nobody", at("/sign-up"), then=sign_up),
        State("the code sent to a phone number", "nobody", at("/sign-up"), then=sign_up_by_phone),
    ],
    r"^\/staff$": [
        State("empty", "nobody", at("/staff")),
        State("the form's errors shown", "nobody", at("/staff"), then=submit_empty),
        State("a new password asked", "nobody", at("/staff"), then=staff_new_password),
        State("the new password's errors", "nobody", at("/staff"), then=staff_new_password_errors),
        State("an authenticator app to set up (QR)", "nobody", at("/staff"), then=staff_mfa_setup),
        State("the authenticator app's code", "nobody", at("/staff"), then=staff_mfa_code),
    ],
    r"^\/inbox$": [
        State("the desk's inbox", "receiver", at("/inbox"), ready=".task"),
        State("a search that finds nothing", "receiver", at("/inbox"), then=search_inbox_for_nothing),
        State("the officer's inbox", "officer", at("/inbox"), ready=".task"),
        State("the leader's inbox", "leader", at("/inbox"), ready=".task"),
    ],
    r"^\/tasks\/([^/]+)$": [
        State("the desk's task", "receiver", lambda f: f"/tasks/{f.desk_task}", ready="#decision"),
        State(
            "a refusal without its reason",
            "receiver",
            lambda f: f"/tasks/{f.desk_task}",
            then=decide_without_reason,
        ),
        State("the officer's task", "officer", lambda f: f"/tasks/{f.officer_task}", ready="#decision"),
        State(
            "the financial obligation form open",
            "officer",
            lambda f: f"/tasks/{f.officer_task}",
            then=open_obligation_form,
        ),
        State(
            "an attachment previewed", "receiver", lambda f: f"/tasks/{f.desk_task}", then=preview_attachment
        ),
    ],
    r"^\/escalations$": [
        State("nothing escalated", "leader", at("/escalations")),
    ],
    r"^\/access-log$": [
        State("who opened the agency's dossiers", "leader", at("/access-log")),
    ],
    r"^\/stats$": [
        State("the leaders' dashboard", "leader", at("/stats"), ready="#stats-from"),
        State("the dashboard's period refused", "leader", at("/stats"), then=stats_bad_period),
        State(
            "the Decision 766 indicators' definitions",
            "leader",
            at("/stats"),
            then=stats_indicator_definitions_open,
        ),
    ],
    r"^\/stats\/dossiers$": [
        State("the dossiers behind a number", "leader", at("/stats/dossiers?column=late"), ready=".back"),
    ],
    r"^\/results$": [
        State("the province's results", "nobody", at("/results"), ready=".lead, .notice"),
    ],
    r"^\/verify$": [
        State("empty", "nobody", at("/verify")),
        State("the file form's error shown", "nobody", at("/verify"), then=submit_empty),
        State("an unknown result code", "nobody", at("/verify"), then=verify_unknown_code),
        State("a valid result", "nobody", lambda f: f"/verify?code={f.result}", ready=".verdict--ok"),
    ],
    r"^\/outbox$": [
        State("the messages sent", "nobody", at("/outbox")),
    ],
    r"^\/appointments$": [
        State("the slots of a day", "citizen", at("/appointments"), ready=".appt-slot"),
        State("booked without a slot", "citizen", at("/appointments"), then=book_without_slot),
    ],
    # feedback and complaints (docs/feedback.md): An has the demo's; Bình none
    r"^\/feedback\/new$": [
        State("the form", "citizen", at("/feedback/new"), ready=".fb-form"),
        State("sent empty", "citizen", at("/feedback/new"), then=submit_empty),
    ],
    r"^\/feedback\/public$": [
        State("the published answers", "nobody", at("/feedback/public"), ready=".fb-card")
    ],
    r"^\/me\/feedback$": [
        State("An's feedback, one answered", "citizen", at("/me/feedback"), ready=".fb-answer"),
        State("none sent yet", "newcomer", at("/me/feedback"), ready=".notice"),
    ],
    r"^\/feedback$": [
        State("the agency's open feedback", "officer", at("/feedback"), ready=".fb-card, .empty")
    ],
    r"^\/feedback\/(PAKN-[^/]+)$": [
        State("no such feedback", "officer", at("/feedback/PAKN-000.00.00.H99-000101-0001"), ready=".notice")
    ],
    r"^\/me\/appointments$": [
        State("my appointments", "citizen", at("/me/appointments"), ready=".appt-cards, .appt-message"),
    ],
    r"^\/checkin(?:\/([^/]*))?$": [
        State("the kiosk's check-in", "nobody", at("/checkin?centre=tinh"), ready=".checkin"),
        State("an unknown booking code", "nobody", at("/checkin/ZZZZ2345"), then=check_in_unknown),
    ],
    # queue tickets (docs/counter.md): the stack's demo province copy keeps its centres open all day
    r"^\/kiosk\/([^/]+)$": [
        State("the kiosk's services", "nobody", at("/kiosk/tinh"), ready=".kiosk__button"),
        State("the kiosk's priority choice", "nobody", at("/kiosk/tinh"), then=kiosk_priority),
    ],
    r"^\/board\/([^/]+)$": [
        State("the board", "nobody", at("/board/tinh"), ready=".board__calls"),
    ],
    r"^\/queue\/([^/]+)\/([^/]+)\/([^/]+)$": [
        State("a ticket's place", "nobody", lambda _f: f"/queue/tinh/{today_in_vietnam()}/A-001"),
    ],
    r"^\/counter$": [
        State("the counter console", "receiver", at("/counter"), ready="#counter-pick", then=choose_counter),
    ],
    r"^\/appointments\/day$": [
        # The ward's centre: no demo bookings there (the day's are the provincial centre's; the filled
        # page is checked in test_counter_journey.py)
        State("the centre's day of bookings", "receiver", at("/appointments/day"), ready=".dayappt__body h2"),
    ],
    r"^\/desk\/intake$": [
        State("the procedure picker, from a ticket", "receiver", at("/desk/intake?ticket=A-001&service=HT")),
        State("a search with no procedure", "receiver", at("/desk/intake"), then=search_intake_for_nothing),
        State(
            "the applicant's step",
            "receiver",
            at(f"/desk/intake?procedure={BIRTH_REGISTRATION}&step=1"),
            ready="input[name='applicant.id_number']",
        ),
        State(
            "the applicant's step, its errors shown",
            "receiver",
            at(f"/desk/intake?procedure={BIRTH_REGISTRATION}&step=1"),
            then=submit_empty,
        ),
        State("the papers' step", "receiver", at(f"/desk/intake?procedure={BIRTH_REGISTRATION}&step=4")),
        State("the receipt", "receiver", lambda f: f"/desk/intake?done={f.new}", ready="#receipt-code"),
        State("an officer, who does not receive", "officer", at("/desk/intake"), ready=".notice"),
    ],
    # fees paid online (docs/payments.md): the return page, waiting for the IPN and once paid
    r"^\/payments\/([^/]+)$": [
        State(
            "waiting for the gateway", "citizen", lambda f: f"/payments/{f.waiting}", ready="#payment-state"
        ),
        State("paid in the sandbox", "citizen", lambda f: f"/payments/{f.paid}", ready="[data-shown=paid]"),
    ],
    # satisfaction ratings (docs/ratings.md): the final message's link, and the agency's page
    r"^\/rate\/([^/]+)$": [
        State(
            "the rating form of a link",
            "nobody",
            lambda f: f"/rate/{f.rating_token}",
            ready="form.rating-form",
        ),
        State("the rating form's errors", "nobody", lambda f: f"/rate/{f.rating_token}", then=submit_empty),
        State("a forged rating link", "nobody", at(f"/rate/{FORGED_RATING_LINK}"), ready=".notice--error"),
    ],
    r"^\/ratings$": [
        State("the agency's ratings", "leader", at("/ratings"), ready=".ratings-table"),
    ],
}

# Not a route: what every route shows for a path it does not know.
NOT_FOUND = State("a page that does not exist", "nobody", at("/no-such-page"))


def app_routes() -> list[str]:
    """The regular expressions of `ROUTES` in frontend/app.js, as written there."""
    source = APP_JS.read_text(encoding="utf-8")
    start = source.index("const ROUTES = [")
    block = source[start : source.index("\n];", start)]
    return re.findall(r"^\s*\[\s*/(.+?)/[dgimsuy]*\s*,\s*\w", block, flags=re.MULTILINE)


def test_every_route_of_the_app_has_a_recipe() -> None:
    routes = app_routes()
    assert len(routes) >= 18, f"could not read ROUTES from {APP_JS}: {routes}"
    missing = [route for route in routes if route not in PAGES]
    gone = [route for route in PAGES if route not in routes]
    assert not missing, f"routes of frontend/app.js without a recipe in PAGES: {missing}"
    assert not gone, f"recipes in PAGES for routes frontend/app.js no longer has: {gone}"
    assert all(PAGES[route] for route in routes), "every route needs at least one state"


# --- people, their browser contexts, the dossiers -----------------------------------------------


def _tokens(stack: Stack, who: str) -> dict[str, Any] | None:
    if who == "nobody":
        return None
    if who in ("citizen", "newcomer"):
        person = stack.citizen if who == "citizen" else NEWCOMER
        answer = requests.post(
            f"{stack.url}/v1/auth/citizens/sign-in",
            json={"email": person.username, "password": person.password},
            timeout=10,
        )
        pool = "citizens"
    else:
        person = staff_member(receiving_agency(BIRTH_REGISTRATION), who)
        answer = requests.post(
            f"{stack.url}/v1/auth/staff/sign-in",
            json={"username": person.username, "password": person.password},
            timeout=10,
        )
        pool = "staff"
    answer.raise_for_status()
    tokens = answer.json()
    assert "id_token" in tokens, f"{who} did not get tokens: {tokens}"
    return {"pool": pool, "id_token": tokens["id_token"], "refresh_token": tokens.get("refresh_token")}


def _decide(stack: Stack, who: str, task_id: str, action: str) -> None:
    tokens = _tokens(stack, who)
    assert tokens
    answer = requests.post(
        f"{stack.url}/v1/tasks/{task_id}/decision",
        json={"action": action},
        headers={"Authorization": f"Bearer {tokens['id_token']}"},
        timeout=10,
    )
    assert answer.ok, answer.text


def _issue_result(stack: Stack, code: str) -> str:
    """The ward's processing officer issues the result (drawn from the dossier, signed): its code."""
    tokens = _tokens(stack, "officer")
    assert tokens
    answer = requests.post(
        f"{stack.url}/v1/dossiers/{code}/results",
        json={"render": True, "summary": "Đồng ý đăng ký khai sinh."},
        headers={"Authorization": f"Bearer {tokens['id_token']}"},
        timeout=30,
    )
    assert answer.ok, answer.text
    return str(answer.json()["result_code"])


def _task_of(stack: Stack, who: str, code: str) -> str:
    tokens = _tokens(stack, who)
    assert tokens
    agency = receiving_agency(BIRTH_REGISTRATION)
    answer = requests.get(
        f"{stack.url}/v1/agencies/{agency}/tasks",
        params={"limit": 100},
        headers={"Authorization": f"Bearer {tokens['id_token']}"},
        timeout=10,
    )
    answer.raise_for_status()
    return str(next(item["task_id"] for item in answer.json()["items"] if item["dossier_code"] == code))


@pytest.fixture(scope="module")
def filed(stack: Stack) -> Filed:
    new, accepted = birth_registration_through_api(stack), birth_registration_through_api(stack)
    paid_dossier = driving_licence_through_api(stack)
    _decide(stack, "receiver", _task_of(stack, "receiver", accepted), "accept")
    return Filed(
        new=new,
        accepted=accepted,
        result=_issue_result(stack, accepted),
        desk_task=_task_of(stack, "receiver", new),
        officer_task=_task_of(stack, "officer", accepted),
        waiting=payment_through_api(stack, driving_licence_through_api(stack)),
        paid=payment_through_api(stack, paid_dossier, "success"),
        paid_dossier=paid_dossier,
        rating_token=rating_link(stack, returned(stack)).rsplit("/", 1)[1],
    )


@pytest.fixture(scope="module")
def officers(stack: Stack) -> None:
    """The officers of the staff sign-in's states, as an administrator creates them (one to set up an
    authenticator app for each run of the sweep: a viewport and a language)."""
    an_admin_creates_an_officer(stack, NEW_OFFICER, TEMPORARY)
    an_admin_creates_an_officer(stack, MFA_OFFICER, TEMPORARY)
    auth = f"{stack.url}/v1/auth/staff"
    first = requests.post(
        f"{auth}/sign-in", json={"username": MFA_OFFICER, "password": TEMPORARY}, timeout=10
    )
    chosen = requests.post(
        f"{auth}/challenge",
        json={
            "username": MFA_OFFICER,
            "challenge": "NEW_PASSWORD_REQUIRED",
            "session": first.json()["session"],
            "answer": CHOSEN,
        },
        timeout=10,
    ).json()
    setup = requests.post(
        f"{auth}/mfa-setup", json={"username": MFA_OFFICER, "session": chosen["session"]}, timeout=10
    ).json()
    done = requests.post(
        f"{auth}/challenge",
        json={
            "username": MFA_OFFICER,
            "challenge": "MFA_SETUP",
            "session": setup["session"],
            "answer": fresh_code(setup["secret_code"]),
        },
        timeout=10,
    ).json()
    assert "id_token" in done, done
    for n in range(4):
        SETUP_OFFICERS.append(f"a11y.cai.{n}")
        an_admin_creates_an_officer(stack, SETUP_OFFICERS[-1], TEMPORARY)


class People:
    """One browser context per person and viewport, signed in once; what each page raised."""

    def __init__(self, browser: Browser, stack: Stack) -> None:
        self.browser, self.stack = browser, stack
        self.pages: dict[tuple[str, str], Page] = {}
        self.contexts: list[BrowserContext] = []
        self.errors: list[str] = []

    def page(self, who: str, viewport: str) -> Page:
        key = (who, viewport)
        if key not in self.pages:
            size: ViewportSize = PHONE if viewport == "phone" else DESK
            phone = viewport == "phone"
            context = self.browser.new_context(
                viewport=size,
                device_scale_factor=2 if phone else 1,
                is_mobile=phone,
                has_touch=phone,
                locale="vi-VN",
                timezone_id="Asia/Ho_Chi_Minh",
            )
            context.set_default_timeout(15_000)
            tokens = _tokens(self.stack, who)
            if tokens:
                # The session the sign-in page would save (frontend/api.js), there before the app starts.
                script = (
                    # Only in the app's own document: not in a frame (an attachment's preview).
                    f"if (window.top === window && !sessionStorage.getItem('{SESSION_KEY}')) "
                    f"sessionStorage.setItem('{SESSION_KEY}', "
                    f"JSON.stringify(Object.assign({_json(tokens)}, {{expires_at: Date.now() + 3600000}})));"
                )
                context.add_init_script(script)
            self.contexts.append(context)
            page = watch(context.new_page(), self.errors, f"{who}/{viewport}: ")
            page.goto(f"{self.stack.url}/")
            self.pages[key] = page
        return self.pages[key]

    def close(self) -> None:
        for context in self.contexts:
            context.close()


def _json(value: Any) -> str:
    import json

    return json.dumps(value)


@pytest.fixture(scope="module")
def people(browser: Browser, stack: Stack) -> Iterator[People]:
    crowd = People(browser, stack)
    yield crowd
    crowd.close()
    assert not crowd.errors, f"the portal raised script errors or broke its security policy: {crowd.errors}"


# --- opening a state -----------------------------------------------------------------------------


def set_language(page: Page, language: str) -> None:
    """The language a person chose (kept in the browser), the app opened afresh in it."""
    page.evaluate("([key, value]) => localStorage.setItem(key, value)", [LANG_KEY, language])
    origin = re.match(r"https?://[^/]+", page.url)
    assert origin, page.url
    page.goto(f"{origin.group(0)}/?lang={language}#/")  # a new document, the app started in it
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.locator("#main:not([aria-busy]) h1")).to_have_count(1)


def _route_path(hash_path: str) -> str:
    return (hash_path.lstrip("#") or "/").split("?")[0]


def open_route(page: Page, hash_path: str) -> bool:
    """Go to `#<hash_path>` as a click on a link does (or render it afresh, as the app does on a
    `hashchange`, if the page is there already), and wait until the page has rendered. Whether it was a
    navigation inside the app to another path (after which the app moves the focus; a new query on the
    same path, a search, keeps it). A procedure's hash route leads to its pre-rendered page, a document of
    its own, which starts with the focus at its top as any page does."""
    origin = re.match(r"https?://[^/]+", page.url)
    assert origin, page.url
    if page.evaluate("() => location.pathname") != "/":  # on a pre-rendered page: back into the app
        page.goto(f"{origin.group(0)}/#{hash_path}")
        before = None
    else:
        before = page.evaluate(
            """(hash) => {
                document.querySelectorAll("main h1").forEach((h) => h.setAttribute("data-old", ""));
                const before = location.hash;
                if (before === hash) window.dispatchEvent(new HashChangeEvent("hashchange"));
                else location.hash = hash;
                return before;
            }""",
            f"#{hash_path}",
        )
    expect(page.locator("main h1:not([data-old])")).to_have_count(1)
    in_app = page.evaluate("() => location.pathname") == "/"
    if in_app:
        expect(page.locator("#main:not([aria-busy]) h1:not([data-old])")).to_have_count(1)
    navigated = in_app and before is not None and _route_path(before) != _route_path(hash_path)
    return navigated


def check_state(page: Page, state: State, filed: Filed, viewport: str) -> list[str]:
    where = f"{state.path(filed)} — {state.name} ({state.who}, {viewport})"
    navigated = open_route(page, state.path(filed))
    problems: list[str] = []
    focused = page.evaluate("() => document.activeElement?.matches('#main h1') ?? false")
    if navigated and not focused:
        problems.append(f"{where}: the focus did not move to the new page's heading")
    try:
        if state.ready:
            expect(page.locator(state.ready).first).to_be_attached()
        if state.then:
            state.then(page)
    except (AssertionError, PlaywrightError) as failure:  # not reached: say so, go on with the next
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"a11y-{re.sub(r'[^a-z0-9]+', '-', where.lower())[:80]}.png"))
        return [f"{where}: not reached: " + " ".join(str(failure).splitlines()[:2])]
    if viewport == "phone":
        # Against the phone's width: a phone's browser zooms out to fit a wider page (innerWidth grows).
        width = page.evaluate("() => document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            problems.append(f"{where}: the page scrolls sideways ({width} px wide in {PHONE['width']} px)")
    try:
        assert_accessible(page, what=where)
    except AssertionError as failure:
        problems.append(str(failure))
    return problems


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize("viewport", ["phone", "desk"])
def test_every_page_passes_axe(
    stack: Stack, people: People, filed: Filed, officers: None, viewport: str, language: str
) -> None:
    problems: list[str] = []
    states = [state for route in app_routes() for state in PAGES.get(route, [])] + [NOT_FOUND]
    for who in dict.fromkeys(state.who for state in states):
        page = people.page(who, viewport)
        set_language(page, language)
        for state in (s for s in states if s.who == who):
            problems += check_state(page, state, filed, viewport)
    assert not problems, "\n".join(problems)


# --- the colours of every state ------------------------------------------------------------------

# Each state's look as the views draw it (the class, and the markup around it where it matters), for the
# states the demo data cannot show on a fresh stack (late, due today, escalated, a broken audit chain).
# A class here must exist in frontend/styles.css (checked): rename it there, rename it here.
STATES_SAMPLER: dict[str, str] = {
    **{f"badge--s{n}": f'<span class="badge badge--s{n}">Trạng thái {n}</span>' for n in range(2, 11)},
    **{
        f"tl--{kind}": f'<span class="tl tl--{kind}"><span class="tl__icon" aria-hidden="true">!</span>'
        f"{kind}</span>"
        for kind in ("early", "on_time", "late", "pending")
    },
    **{
        f"due--{kind}": f'<p class="card__due"><span class="due due--{kind}">Hạn: <strong>06/12/2026</strong>'
        f'<span class="due__flag"> — {kind}</span></span></p>'
        for kind in ("today", "late")
    },
    **{
        f"flag--{kind}": f'<p class="flags"><span class="flag flag--{kind}"><span class="flag__icon" '
        f'aria-hidden="true">⚠</span>Đã báo lãnh đạo</span></p>'
        for kind in ("late", "soon", "attention")
    },
    **{
        f"task--{kind}": f'<article class="card task task--{kind}"><p class="card__due">'
        '<span class="due">Hạn: '
        f'<strong>06/12/2026</strong></span></p><p class="card__body">Đăng ký khai sinh</p></article>'
        for kind in ("late", "today", "attention")
    },
    **{
        f"notice--{kind}": f'<div class="notice notice--{kind}"><p>Thông báo {kind}</p>'
        f'<button type="button" class="btn btn--secondary">Thử lại</button></div>'
        for kind in ("success", "warning", "error")
    },
    **{
        f"status--{kind}": f'<div class="status status--{kind}">Đã lưu · {kind}</div>'
        for kind in ("success", "warning", "error")
    },
    **{
        f"tag--{kind}": f'<span class="tag tag--{kind}">Mức độ {kind}</span>'
        for kind in ("full", "partial", "req", "plain")
    },
    **{
        f"verdict--{kind}": f'<div class="verdict verdict--{kind}">'
        '<span class="verdict__icon" aria-hidden="true">✓'
        f'</span><div class="verdict__text"><p class="verdict__title">Kết luận</p><p>Chi tiết</p></div></div>'
        for kind in ("ok", "broken")
    },
    **{
        f"checks__item--{kind}": f'<ul class="checks"><li class="checks__item checks__item--{kind}">'
        "Kiểm tra</li></ul>"
        for kind in ("ok", "fail")
    },
    **{
        f"file__state--{kind}": f'<p class="file"><span class="file__state file__state--{kind}">'
        "Tệp</span></p>"
        for kind in ("done", "failed")
    },
    "field--error": '<div class="field field--error">'
    '<label class="field__label" for="sampler-x">Họ tên</label>'
    '<p class="field__error" id="sampler-x-error">Bắt buộc</p>'
    '<input id="sampler-x" aria-invalid="true" aria-describedby="sampler-x-error"></div>',
    **{
        f"btn--{kind}": f'<button type="button" class="btn btn--{kind}">Nút</button>'
        for kind in ("primary", "secondary", "danger", "danger-solid", "link")
    },
}


def test_the_states_sampler_names_classes_the_styles_have() -> None:
    styles = (APP_JS.parent / "styles.css").read_text(encoding="utf-8")
    stale = [name for name in STATES_SAMPLER if f".{name}" not in styles]
    assert not stale, f"STATES_SAMPLER names classes frontend/styles.css no longer has: {stale}"


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_colours_of_every_state_are_readable(stack: Stack, people: People, scheme: str) -> None:
    """Every state badge, flag, notice and button on the console's inbox page, with its own styles,
    in the light and the dark colour scheme (the styles choose their colours whichever is asked)."""
    page = people.page("leader", "desk")
    open_route(page, "/inbox")
    page.emulate_media(color_scheme=scheme)
    try:
        page.evaluate(
            """(parts) => {
                const section = document.createElement("section");
                section.className = "panel states-sampler";
                section.setAttribute("aria-label", "States");
                section.innerHTML = parts.join("");
                document.getElementById("main").append(section);
            }""",
            list(STATES_SAMPLER.values()),
        )
        assert_accessible(page, what=f"every state's colours ({scheme})")
    finally:
        page.emulate_media(color_scheme="light")
        page.evaluate("() => document.querySelector('.states-sampler')?.remove()")


# --- the keyboard alone ----------------------------------------------------------------------------

FOCUS_SHOWN = """() => {
    const el = document.activeElement;
    if (!el || el === document.body) return "nothing has the focus";
    const shown = (e) => {
        const style = getComputedStyle(e);
        const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
        return outline || style.boxShadow !== "none";
    };
    if (shown(el)) return "";
    // A date field's calendar button (inside the field, Chromium's own) draws its own focus ring.
    if (el.matches("input[type=date], input[type=time], input[type=datetime-local]") && !el.matches(":focus"))
        return "";
    const box = el.getBoundingClientRect();
    // A visually hidden control (the file input) shows its focus on its visible stand-in beside it.
    const tiny = box.width <= 2 || box.height <= 2;
    if (tiny && [...el.parentElement.querySelectorAll("*")].some((e) => e !== el && shown(e))) return "";
    const style = getComputedStyle(el);
    const outline = `${style.outlineStyle} ${style.outlineWidth}`;
    return `no visible focus (outline ${outline}) on ${el.outerHTML.slice(0, 160)}`;
}"""


def tab_to(page: Page, target: Locator, *, back: bool = False, limit: int = 80) -> None:
    """Press Tab (Shift+Tab if `back`) until `target` has the focus, checking at every stop that the
    focus can be seen."""
    target.wait_for()
    wrapped = 0
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if back else "Tab")
        hidden = page.evaluate(FOCUS_SHOWN)
        if hidden == "nothing has the focus" and not wrapped:  # past the page's end, into the browser
            wrapped += 1
            continue
        assert not hidden, hidden
        if target.evaluate("(el) => document.activeElement === el"):
            return
    raise AssertionError(f"{limit} presses of Tab did not reach {target}")


def follow(page: Page, link: Locator, heading: str | re.Pattern[str], *, back: bool = False) -> None:
    """Tab to a link, press Enter: the new page's heading is shown and has the focus."""
    tab_to(page, link, back=back)
    page.keyboard.press("Enter")
    title = page.locator("#main h1")
    expect(title).to_have_text(heading)
    expect(title).to_be_focused()


def type_into(page: Page, control: Locator, text: str) -> None:
    tab_to(page, control)
    page.keyboard.type(text)


def test_a_citizen_files_a_dossier_with_the_keyboard_alone(stack: Stack, desk: Page, pdf_file: Path) -> None:
    page = desk
    page.bring_to_front()  # the other tests' pages stay open: a file chooser opens only in the front one
    page.goto(f"{stack.url}/")
    expect(page.locator("#main h1")).to_have_text("Thủ tục hành chính")

    # The first Tab reaches the skip link; Enter takes the focus past the header
    page.keyboard.press("Tab")
    expect(page.locator("#skip-link")).to_be_focused()
    assert not page.evaluate(FOCUS_SHOWN)
    page.keyboard.press("Enter")
    expect(page.locator("#main")).to_be_focused()

    # Sign in from the menu (back in the header: Shift+Tab)
    follow(page, page.locator("#site-nav").get_by_role("link", name="Đăng nhập"), "Đăng nhập", back=True)
    type_into(page, page.get_by_label("Thư điện tử"), stack.citizen.username)
    type_into(page, page.get_by_label("Mật khẩu", exact=True), stack.citizen.password)
    page.keyboard.press("Enter")  # submits the form from its last field
    expect(page.locator("#userbar")).to_contain_text(stack.citizen.name)
    expect(page.locator("#main h1")).to_be_focused()

    # Find the procedure and open its form
    follow(
        page, page.locator("#site-nav").get_by_role("link", name="Thủ tục"), "Thủ tục hành chính", back=True
    )
    type_into(page, page.get_by_label("Tìm thủ tục"), "khai sinh")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"[?&]q=khai"))
    expect(page.locator(".results")).not_to_have_attribute("aria-busy", "true")
    # The procedure is a page of its own (a new document: the focus starts at its top), and its
    # "file online" opens the app's form, a new document again
    first = page.locator(".results").get_by_role("link", name="Đăng ký khai sinh", exact=True)
    tab_to(page, first)
    page.keyboard.press("Enter")
    expect(page.locator("main h1")).to_have_text("Đăng ký khai sinh")
    tab_to(page, page.locator("main").get_by_role("link", name="Nộp hồ sơ trực tuyến").first)
    page.keyboard.press("Enter")
    expect(page.locator("#main h1")).to_have_text("Nộp hồ sơ trực tuyến")

    # The form, a step at a time: what the account does not give, then Enter or "Tiếp tục"
    type_into(page, page.get_by_label("Số căn cước (CCCD)"), "001090012345")
    type_into(page, page.get_by_label("Địa chỉ liên hệ"), "Số 25 đường Trần Phú, phường Minh Họa")
    next_step(page)
    type_into(page, page.get_by_label("Họ, chữ đệm, tên của trẻ"), "Nguyễn Minh Khang")
    type_into(page, page.get_by_label("Giới tính"), "Nam")  # a closed select picks what is typed
    born = page.get_by_role("group", name="Ngày, tháng, năm sinh")
    type_into(page, born.get_by_label("Ngày", exact=True), "1")
    type_into(page, born.get_by_label("Tháng", exact=True), "11")
    type_into(page, born.get_by_label("Năm", exact=True), "2026")
    type_into(page, page.get_by_label("Nơi sinh"), "Bệnh viện đa khoa tỉnh Minh Họa")
    type_into(page, page.get_by_label("Dân tộc"), "Kinh")
    expect(page.get_by_label("Giới tính")).to_have_value("Nam")
    next_step(page)
    type_into(page, page.get_by_label("Họ, chữ đệm, tên của mẹ"), "Trần Thị Hoa")
    type_into(page, page.get_by_label("Quan hệ với người được khai sinh"), "Cha")
    next_step(page)

    # The paper: Space on the file control opens the chooser
    paper = page.get_by_label("Giấy chứng sinh hoặc văn bản xác nhận việc sinh", exact=True)
    tab_to(page, paper)
    expect(paper).to_be_focused()
    with page.expect_file_chooser() as chooser:
        page.keyboard.press("Space")
    chooser.value.set_files(pdf_file)
    expect(page.locator(".file", has_text=pdf_file.name)).to_contain_text("Đã tải lên")
    next_step(page)

    # Check your answers, then file: the receipt opens with the focus on its heading
    tab_to(page, page.locator("#main").get_by_role("button", name="Nộp hồ sơ", exact=True))
    page.keyboard.press("Enter")
    expect(page.locator("#receipt-code")).to_have_text(
        re.compile(r"^\d{3}\.\d{2}\.\d{2}\.H\d{2}-\d{6}-\d{4}$")
    )
    expect(page.locator("#main h1")).to_be_focused()


def next_step(page: Page) -> None:
    """ "Tiếp tục" by the keyboard: the next step's heading takes the focus."""
    before = page.url
    tab_to(page, page.locator("#main").get_by_role("button", name="Tiếp tục"))
    page.keyboard.press("Enter")
    expect(page).not_to_have_url(before)
    expect(page.locator("#main h2").first).to_be_focused()


def test_the_phone_menu_and_the_withdrawal_dialog_work_with_the_keyboard(
    people: People, filed: Filed
) -> None:
    page = people.page("citizen", "phone")
    set_language(page, "vi")
    open_route(page, f"/dossiers/{filed.new}")

    # The folded menu: Enter opens it, its links come next, Escape folds it and gives the focus back
    menu = page.locator("#menu-btn")
    tab_to(page, menu, back=True)
    page.keyboard.press("Enter")
    expect(menu).to_have_attribute("aria-expanded", "true")
    first_link = page.locator("#site-nav a").first
    tab_to(page, first_link)
    expect(first_link).to_be_visible()
    page.keyboard.press("Escape")
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(menu).to_be_focused()
    expect(page.locator("#site-nav a").first).to_be_hidden()

    # The withdrawal dialog: Space opens it with the focus inside, Tab stays inside, Escape closes it
    # and the focus returns to the button that opened it; the dossier is not withdrawn
    opener = page.locator(".withdraw button[aria-haspopup=dialog]")
    tab_to(page, opener)
    page.keyboard.press("Space")
    dialog = page.locator("dialog[open]")
    expect(dialog).to_be_visible()
    assert dialog.evaluate("(d) => d.contains(document.activeElement)"), "the focus is not in the dialog"
    for _ in range(6):  # past its last button the focus may go to the browser itself, never to the page
        page.keyboard.press("Tab")
        where = page.evaluate("() => document.activeElement === document.body ? 'browser' : 'element'")
        inside = dialog.evaluate("(d) => d.contains(document.activeElement)")
        assert inside or where == "browser", "the focus left the open dialog for the page behind it"
    page.keyboard.press("Escape")
    expect(dialog).to_have_count(0)
    expect(opener).to_be_focused()
    expect(page.locator(".dossier-head__status")).to_have_text("Mới đăng ký")
