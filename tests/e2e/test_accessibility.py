"""Every page of the portal and the console, in each of its states, checked by axe, on a phone and a desk
PC, in Vietnamese and in English; and the keyboard alone files a dossier.

How it works
------------
`PAGES` below is the one table: for each route of `frontend/app.js`'s `ROUTES` (keyed by its regular
expression, exactly as written there) the list of its states, each a `State`:

- `name`: what the state is ("empty", "a form error shown", "the withdrawal dialog open", …);
- `who`: who looks at it — `nobody`, `citizen` (An, who has dossiers), `newcomer` (Bình, who has none),
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
that the page does not scroll sideways (document width ≤ viewport) and, after a navigation, that the focus
is on the new page's heading. Every failure of every state is reported at once. The colour of every
state badge (statuses, timeliness, due today / late, escalations, flow attention, notices, disabled
buttons) is checked on a sampler page drawn by the app's own modules (`STATES_SAMPLER`), in the light and
the dark colour scheme.

The dossiers are filed once over HTTP (`Filed`): one left new (the desk's task, the citizen may withdraw
it) and one accepted by the desk (the officer's task).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import requests
from playwright.sync_api import expect

from tests.e2e.conftest import DESK, PHONE, SHOTS
from tests.e2e.support import (
    BIRTH_REGISTRATION,
    Person,
    assert_accessible,
    birth_registration_through_api,
    receiving_agency,
    staff_member,
)

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page, ViewportSize

    from tests.e2e.support import Stack

pytestmark = pytest.mark.e2e

APP_JS = Path(__file__).resolve().parents[2] / "frontend" / "app.js"
SESSION_KEY = "motcua.session"
LANG_KEY = "motcua.lang"
NEWCOMER = Person("binh@example.vn", "CongDan@2026", "Bình")


@dataclass(frozen=True)
class Filed:
    """The dossiers filed once for the whole module, and the tasks they opened."""

    new: str  # a birth registration nobody has touched: the desk's task, withdrawable
    accepted: str  # another, accepted by the desk: the officer's task
    desk_task: str
    officer_task: str


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
    expect(page.locator("#main .notice, #main [role=alert]").first).to_be_visible()


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


def open_menu(page: Page) -> None:
    button = page.locator("#menu-btn")
    if button.is_visible():  # folded on a phone; on a desk the menu is always shown
        button.click()
        expect(page.locator("#site-nav")).to_have_class(re.compile("site-nav--open"))


def decide_without_reason(page: Page) -> None:
    """A refusal needs its reason: pressing it with none shows the form's error."""
    page.locator("#decision .btn--danger").first.click()
    expect(page.locator("#decision [aria-invalid=true]")).to_be_visible()


def verify_unknown_code(page: Page) -> None:
    page.locator("#main input[name=result_code]").fill("KQ-KHONG-CO")
    page.locator("#main form:has(input[name=result_code]) button[type=submit]").click()
    expect(page.locator("#main .verdict, #main .notice, #main [aria-invalid=true]").first).to_be_visible()


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
        State("a procedure", "nobody", at(f"/procedures/{BIRTH_REGISTRATION}")),
        State("a procedure that does not exist", "nobody", at("/procedures/9.999999"), ready=".notice"),
    ],
    r"^\/file\/([^/]+)$": [
        State("the form", "citizen", at(f"/file/{BIRTH_REGISTRATION}"), ready="form"),
        State("the form's errors shown", "citizen", at(f"/file/{BIRTH_REGISTRATION}"), then=submit_empty),
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
    ],
    r"^\/dossiers\/([^/]+)$": [
        State("the citizen's new dossier", "citizen", lambda f: f"/dossiers/{f.new}", ready=".withdraw"),
        State("the withdrawal dialog open", "citizen", lambda f: f"/dossiers/{f.new}", then=open_withdrawal),
        State("an accepted dossier", "citizen", lambda f: f"/dossiers/{f.accepted}", ready=".dossier-head"),
        State("an officer's view", "officer", lambda f: f"/dossiers/{f.accepted}", ready=".dossier-head"),
    ],
    r"^\/dossiers\/([^/]+)\/control-slip$": [
        State("the control slip", "citizen", lambda f: f"/dossiers/{f.accepted}/control-slip", ready="table"),
        State("the control slip, for the desk", "receiver", lambda f: f"/dossiers/{f.accepted}/control-slip", ready="table"),
    ],
    r"^\/dossiers\/([^/]+)\/audit$": [
        State("the audit trail", "leader", lambda f: f"/dossiers/{f.accepted}/audit", ready=".audit-entry"),
    ],
    r"^\/sign-in$": [
        State("empty", "nobody", at("/sign-in")),
        State("the form's errors shown", "nobody", at("/sign-in"), then=submit_empty),
    ],
    r"^\/sign-up$": [
        State("empty", "nobody", at("/sign-up")),
        State("the form's errors shown", "nobody", at("/sign-up"), then=submit_empty),
    ],
    r"^\/staff$": [
        State("empty", "nobody", at("/staff")),
        State("the form's errors shown", "nobody", at("/staff"), then=submit_empty),
    ],
    r"^\/inbox$": [
        State("the desk's inbox", "receiver", at("/inbox"), ready=".task"),
        State("the officer's inbox", "officer", at("/inbox"), ready=".task"),
        State("the leader's inbox", "leader", at("/inbox"), ready=".task"),
    ],
    r"^\/tasks\/([^/]+)$": [
        State("the desk's task", "receiver", lambda f: f"/tasks/{f.desk_task}", ready="#decision"),
        State("a refusal without its reason", "receiver", lambda f: f"/tasks/{f.desk_task}", then=decide_without_reason),
        State("the officer's task", "officer", lambda f: f"/tasks/{f.officer_task}", ready="#decision"),
    ],
    r"^\/escalations$": [
        State("nothing escalated", "leader", at("/escalations")),
    ],
    r"^\/access-log$": [
        State("who opened the agency's dossiers", "leader", at("/access-log")),
    ],
    r"^\/verify$": [
        State("empty", "nobody", at("/verify")),
        State("the file form's error shown", "nobody", at("/verify"), then=submit_empty),
        State("an unknown result code", "nobody", at("/verify"), then=verify_unknown_code),
    ],
    r"^\/outbox$": [
        State("the messages sent", "nobody", at("/outbox")),
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
    _decide(stack, "receiver", _task_of(stack, "receiver", accepted), "accept")
    return Filed(
        new=new,
        accepted=accepted,
        desk_task=_task_of(stack, "receiver", new),
        officer_task=_task_of(stack, "officer", accepted),
    )


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
                    f"if (!sessionStorage.getItem('{SESSION_KEY}')) sessionStorage.setItem('{SESSION_KEY}', "
                    f"JSON.stringify(Object.assign({_json(tokens)}, {{expires_at: Date.now() + 3600000}})));"
                )
                context.add_init_script(script)
            self.contexts.append(context)
            page = context.new_page()
            page.on("pageerror", lambda error: self.errors.append(f"{who}/{viewport}: {error}"))
            page.on(
                "console",
                lambda message: self.errors.append(f"{who}/{viewport}: {message.text[:160]}")
                if "Content Security Policy" in message.text
                else None,
            )
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
    if page.evaluate("() => document.documentElement.lang") != language:
        page.evaluate("([key, value]) => localStorage.setItem(key, value)", [LANG_KEY, language])
        page.reload()
    expect(page.locator("html")).to_have_attribute("lang", language)


def _route_path(hash_path: str) -> str:
    return (hash_path.lstrip("#") or "/").split("?")[0]


def open_route(page: Page, hash_path: str) -> bool:
    """Go to `#<hash_path>` as a click on a link does (or reload, if the page is there already), and
    wait until the view has rendered. Whether it was a navigation (after which the focus moves)."""
    page.evaluate("() => document.querySelectorAll('#main h1').forEach((h) => h.setAttribute('data-old', ''))")
    before = page.evaluate("() => location.hash")
    # The app moves the focus when the path changes; a new query on the same path (a search) keeps it.
    navigated = _route_path(before) != _route_path(hash_path)
    if before != f"#{hash_path}":
        page.evaluate("(hash) => { location.hash = hash; }", f"#{hash_path}")
    else:
        page.reload()
    expect(page.locator("#main:not([aria-busy]) h1:not([data-old])")).to_have_count(1)
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
    except AssertionError as failure:  # the state could not be reached: say so, go on with the next
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"a11y-{re.sub(r'[^a-z0-9]+', '-', where.lower())[:80]}.png"))
        return [f"{where}: not reached: " + " ".join(str(failure).splitlines()[:2])]
    if viewport == "phone":
        widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        if widths[0] > widths[1]:
            problems.append(f"{where}: the page scrolls sideways ({widths[0]} px wide in {widths[1]} px)")
    try:
        assert_accessible(page, what=where)
    except AssertionError as failure:
        problems.append(str(failure))
    return problems


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize("viewport", ["phone", "desk"])
def test_every_page_passes_axe(
    stack: Stack, people: People, filed: Filed, viewport: str, language: str
) -> None:
    problems: list[str] = []
    states = [state for route in app_routes() for state in PAGES.get(route, [])] + [NOT_FOUND]
    for who in dict.fromkeys(state.who for state in states):
        page = people.page(who, viewport)
        set_language(page, language)
        for state in (s for s in states if s.who == who):
            problems += check_state(page, state, filed, viewport)
    assert not problems, "\n".join(problems)
