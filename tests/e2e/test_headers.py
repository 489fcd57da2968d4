"""The local stack's answers carry the headers CloudFront adds on AWS: a strict Content-Security-Policy (no
inline script or style), nosniff, a Referrer-Policy; and the API answers no other origin than its own."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest
import requests

if TYPE_CHECKING:
    from tests.e2e.support import Stack

EVIL = "https://evil.example"


def directives(policy: str) -> dict[str, list[str]]:
    return {d.split()[0]: d.split()[1:] for d in policy.split("; ")}


def _built(stack: Stack, suffix: str) -> str:
    """The path of the shell's first hashed file ending in `suffix` (the build names them)."""
    shell = requests.get(f"{stack.url}/", timeout=10).text
    found = re.search(rf'"(/assets/[^"]+{re.escape(suffix)})"', shell)
    assert found, f"the portal's shell names no built {suffix} file"
    return found.group(1)


@pytest.mark.parametrize(
    ("what", "status"),
    [
        ("/", 200),
        (".js", 200),
        (".css", 200),
        ("/thu-tuc/1.001193/", 200),
        ("/sitemap.xml", 200),
        ("/missing.js", 404),
    ],
)
def test_the_portal_is_served_with_a_strict_policy(stack: Stack, what: str, status: int) -> None:
    path = what if what.startswith("/") else _built(stack, what)
    answer = requests.get(f"{stack.url}{path}", timeout=10)

    assert answer.status_code == status, path

    policy = directives(answer.headers["Content-Security-Policy"])
    assert policy["default-src"] == policy["script-src"] == policy["style-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"] and policy["object-src"] == ["'none'"]
    assert "unsafe-inline" not in answer.headers["Content-Security-Policy"]
    assert "unsafe-eval" not in answer.headers["Content-Security-Policy"]
    # Uploads go to the local S3 (moto) and nowhere else.
    (moto,) = [o for o in policy["connect-src"] if o != "'self'"]
    assert moto.startswith("http://127.0.0.1:") and policy["form-action"] == ["'self'", moto]
    # The console previews a dossier's images and PDFs from that bucket, and frames nothing else.
    assert policy["img-src"] == ["'self'", "data:", moto] and policy["frame-src"] == ["'self'", moto]
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert answer.headers["Referrer-Policy"] == "no-referrer"


@pytest.mark.parametrize(
    ("method", "path"), [("GET", "/v1/health"), ("GET", "/v1/procedures"), ("GET", "/v1/me/dossiers")]
)
def test_the_api_answers_with_nosniff_a_referrer_policy_and_no_other_origin(
    stack: Stack, method: str, path: str
) -> None:
    answer = requests.request(method, f"{stack.url}{path}", headers={"Origin": EVIL}, timeout=10)

    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert answer.headers["Referrer-Policy"] == "no-referrer"
    assert "frame-ancestors 'none'" in answer.headers["Content-Security-Policy"]
    assert "Access-Control-Allow-Origin" not in answer.headers


def test_a_preflight_from_another_origin_is_not_allowed(stack: Stack) -> None:
    answer = requests.options(
        f"{stack.url}/v1/dossiers",
        headers={
            "Origin": EVIL,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type",
        },
        timeout=10,
    )

    assert "Access-Control-Allow-Origin" not in answer.headers
    assert "Access-Control-Allow-Credentials" not in answer.headers
