"""Health and the OpenAPI document: public, and neither touches AWS."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any

from pydantic import RootModel

from chalicelib.http.area import Area
from chalicelib.http.endpoints import Access
from chalicelib.models import Health
from chalicelib.openapi import document

if TYPE_CHECKING:
    from chalice.app import Chalice

    from chalicelib.http.call import Call

area = Area(__name__, tag="meta")


class OpenAPIDocument(RootModel[dict[str, Any]]):
    """The OpenAPI 3.1 document of every route."""


@lru_cache(maxsize=4)
def _document(app: Chalice) -> OpenAPIDocument:
    return OpenAPIDocument(document(app))


@area.route("GET", "/v1/health", access=Access.PUBLIC, response=Health)
def health(call: Call) -> Health:
    """Whether the function runs; touches no AWS service."""
    return Health()


@area.route(
    "GET", "/v1/openapi.json", access=Access.PUBLIC, response=OpenAPIDocument, cache="public, max-age=300"
)
def openapi(call: Call) -> OpenAPIDocument:
    """This API's OpenAPI 3.1 document, generated from its routes and models."""
    return _document(area.blueprint.current_app)
