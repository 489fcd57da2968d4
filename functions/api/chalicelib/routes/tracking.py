"""Public tracking of a dossier by its code: status and timeline, no personal data."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib.http.area import Area
from chalicelib.http.endpoints import Access
from motcua.services.views import TrackingView

if TYPE_CHECKING:
    from chalicelib.http.call import Call

area = Area(__name__, tag="tracking")


@area.route("GET", "/v1/tracking/{code}", access=Access.PUBLIC, response=TrackingView, errors=(404,))
def track(call: Call, code: str) -> TrackingView:
    """Where a dossier is: its status, due date and timeline; no names, numbers or files."""
    return call.container.dossiers.track(code, call.language)
