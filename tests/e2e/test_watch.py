"""The browser fixtures' watch (tests/e2e/conftest.py): what a page raises and what its security policy
refuses are collected, so that every journey fails on them."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from tests.e2e.conftest import watch

if TYPE_CHECKING:
    from playwright.sync_api import Browser

pytestmark = pytest.mark.e2e

PAGE = """<!doctype html><html lang="en"><head>
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'">
<title>t</title></head><body>
<script>document.body.append(Object.assign(document.createElement("img"), {src: "https://elsewhere.invalid/x.png"}));</script>
<script>throw new Error("boom");</script>
</body></html>"""


def test_a_script_error_and_a_refused_request_are_collected_with_who_saw_them(browser: Browser) -> None:
    context = browser.new_context()
    try:
        errors: list[str] = []
        page = watch(context.new_page(), errors, "citizen/phone: ")
        page.set_content(PAGE)
        page.wait_for_function("() => true")
        assert any(e.startswith("citizen/phone: ") and "boom" in e for e in errors), errors
        assert any(e.startswith("citizen/phone: ") and "Content Security Policy" in e for e in errors), errors
    finally:
        context.close()
