"""The headers a browser gets with every answer: the portal's Content-Security-Policy and the rest, one
source for the API, the local stack's web server and CloudFront's response headers policy."""

from __future__ import annotations

from types import MappingProxyType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping


def content_security_policy(upload_origins: Iterable[str] = ()) -> str:
    """The portal's policy: its own scripts, styles, images and API only (no inline script or style, no
    eval), uploads posted to the province's attachments bucket and nowhere else, never framed.

    `upload_origins`: where presigned POSTs go (on AWS the bucket's two endpoints, locally moto); a script
    injected into the portal must not be able to send what it reads to any other bucket or host. The
    console previews a dossier's images (`img-src`) and PDFs (an `<iframe>`, `frame-src`) from presigned
    links to the same bucket, and frames nothing else but its own pages; `object-src` stays `'none'`."""
    origins = list(upload_origins)
    uploads = " ".join(["'self'", *origins])
    # Its own pages too, as `default-src` allowed before (the local stack's outbox shows a message's
    # body in a frame).
    frames = " ".join(["'self'", *origins])
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            " ".join(["img-src 'self' data:", *origins]),
            f"connect-src {uploads}",
            f"form-action {uploads}",
            f"frame-src {frames}",
            "frame-ancestors 'none'",
            "base-uri 'self'",
            "object-src 'none'",
        ]
    )


REFERRER_POLICY = "no-referrer"  # a dossier's code in a URL never leaves with a link followed

# Every answer of the API: JSON is never a document, so its policy allows nothing at all.
API_HEADERS: Mapping[str, str] = MappingProxyType(
    {
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": REFERRER_POLICY,
        "X-Frame-Options": "DENY",
        "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'; base-uri 'none'",
    }
)
# A PDF the API serves may be opened in the browser's own viewer, which a `default-src 'none'` can block:
# it only may never be framed.
FILE_HEADERS: Mapping[str, str] = MappingProxyType(
    {**API_HEADERS, "Content-Security-Policy": "frame-ancestors 'none'"}
)


def portal_headers(upload_origins: Iterable[str] = ()) -> dict[str, str]:
    """What the portal's pages, scripts and styles are served with (HSTS is CloudFront's: HTTPS only)."""
    return {
        "Content-Security-Policy": content_security_policy(upload_origins),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": REFERRER_POLICY,
        "X-Frame-Options": "DENY",
    }
