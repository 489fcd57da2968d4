"""Public tracking of a dossier by its code: status and timeline, no personal data."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib.http.area import Area
from chalicelib.http.endpoints import Access
from motcua.presentation.views import TrackingView

if TYPE_CHECKING:
    from chalicelib.http.call import Call

area = Area(__name__, tag="tracking")


@area.route("GET", "/v1/tracking/{code}", access=Access.PUBLIC, response=TrackingView, errors=(404,))
def track(call: Call, code: str) -> TrackingView:
    """Where a dossier is: its status, due date and timeline; no names, numbers or files."""
    record = call.container.dossiers.track(code)
    return call.container.presenter.tracking(record.dossier, record.events, call.language)
