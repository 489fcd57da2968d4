"""Who calls: the principal from the request's bearer token, checked against the route's access."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib import deps
from chalicelib.http.endpoints import Access
from motcua.domain.errors import Forbidden, Unauthenticated
from motcua.domain.i18n import Text
from motcua.domain.models import PrincipalKind

if TYPE_CHECKING:
    from motcua.domain.models import Principal


def authenticate(authorization: str | None, access: Access) -> Principal:
    """The principal of an `Authorization: Bearer <token>` header, if `access` lets it call."""
    scheme, _, token = (authorization or "").strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated()
    # The services are built only once a token is there to verify: a call without one costs nothing.
    principal = deps.get_container().verifier.verify(token.strip())
    if access is Access.CITIZEN and principal.kind is not PrincipalKind.CITIZEN:
        raise Forbidden(Text(vi="Chức năng này chỉ dành cho công dân.", en="This is for citizens only."))
    if access is Access.STAFF and principal.kind is not PrincipalKind.STAFF:
        raise Forbidden(Text(vi="Chức năng này chỉ dành cho cán bộ.", en="This is for agency staff only."))
    return principal
