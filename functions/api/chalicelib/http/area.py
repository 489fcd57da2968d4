"""Area: a chalice Blueprint whose `route` decorator declares each route, to run and document it alike."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from chalice.app import Blueprint

from chalicelib.http.endpoints import Access, Endpoint
from chalicelib.http.middleware import handle

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from chalice.app import Response
    from pydantic import BaseModel

    from chalicelib.http.endpoints import Header
    from chalicelib.http.middleware import RouteFunction


class Area:
    """One area of the API: a chalice Blueprint whose routes are declared, run and documented alike."""

    def __init__(self, import_name: str, *, tag: str) -> None:
        self.blueprint = Blueprint(import_name)
        self.tag = tag

    def route(
        self,
        method: str,
        path: str,
        *,
        access: Access,
        response: type[BaseModel],
        status: int = 200,
        body: type[BaseModel] | None = None,
        query: type[BaseModel] | None = None,
        headers: tuple[Header, ...] = (),
        response_headers: Mapping[str, str] | None = None,
        errors: tuple[int, ...] = (),
        cache: str | None = None,
        produces: str = "application/json",
        raw: tuple[str, ...] = (),
    ) -> Callable[[RouteFunction], RouteFunction]:
        """Declare a route. `errors` lists what the route's service may answer beyond what its
        access, query and body imply (401/403, 400, 413/415/422), which are added here."""

        def register(function: RouteFunction) -> RouteFunction:
            doc = (function.__doc__ or "").strip()
            summary, _, description = doc.partition("\n")
            endpoint = Endpoint(
                method=method,
                path=path,
                name=function.__name__,
                summary=summary.strip(),
                description=description.strip(),
                tag=self.tag,
                access=access,
                response=response,
                status=status,
                body=body,
                query=query,
                headers=headers,
                response_headers=response_headers or {},
                errors=frozenset(errors) | _implied_errors(access, body, query),
                cache=cache,
                produces=produces,
                raw=raw,
            )

            @functools.wraps(function)
            def view(**params: str) -> Response:
                return handle(self.blueprint.current_request, endpoint, function, params)

            view.endpoint = endpoint  # type: ignore[attr-defined]  # read by the OpenAPI builder
            content_types = ["application/json", *raw]
            self.blueprint.route(path, methods=[method], content_types=content_types)(view)
            return function

        return register


def _implied_errors(
    access: Access, body: type[BaseModel] | None, query: type[BaseModel] | None
) -> frozenset[int]:
    # API Gateway's throttling answers 429 on any route; a dependency that does not answer, 503.
    implied = {429, 500, 503}
    if access is not Access.PUBLIC:
        implied |= {401, 403}
    if query is not None:
        implied.add(400)
    if body is not None:
        implied |= {400, 413, 415, 422}
    return frozenset(implied)
