"""What a route declares (its Endpoint: access, input, answer, errors), read to run it and to document it."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from pydantic import BaseModel

_PATH_PARAM = re.compile(r"{(\w+)}")


class Access(StrEnum):
    """Who may call a route; the OpenAPI document turns it into per-operation security."""

    PUBLIC = "public"
    CITIZEN = "citizen"
    STAFF = "staff"
    SIGNED_IN = "signed_in"  # a citizen or a member of staff


@dataclass(frozen=True)
class Header:
    """A request header a route reads (documented; the service checks its value)."""

    name: str
    description: str
    required: bool = False
    schema: Mapping[str, Any] = field(default_factory=lambda: {"type": "string"})


@dataclass(frozen=True)
class Link:
    """An OpenAPI link: a field of a success answer that names the object of another operation.

    `parameters` maps the other operation's path parameters to where their values come from, as runtime
    expressions: `$response.body#/code` (a JSON pointer into this answer) or `$request.path.code`.
    """

    name: str
    operation: str  # the other route's function name, its operationId
    parameters: Mapping[str, str]
    description: str = ""


@dataclass(frozen=True)
class Endpoint:
    """What is declared of a route: enough to run it and to document it."""

    method: str
    path: str
    name: str
    summary: str
    description: str
    tag: str
    access: Access
    response: type[BaseModel]
    status: int
    body: type[BaseModel] | None
    query: type[BaseModel] | None
    headers: tuple[Header, ...]
    response_headers: Mapping[str, str]
    errors: frozenset[int]
    cache: str | None
    # What a success answers with: JSON (`response`), or a file of this media type (a PDF), or of one of
    # these, written "a, b" (a table as XLSX or CSV, as the query asks).
    produces: str = "application/json"
    # Media types the body may also be sent as, raw (a PDF), instead of the JSON `body`.
    raw: tuple[str, ...] = ()
    # What a success answer leads to (OpenAPI links): clients and stateful fuzzers follow them.
    links: tuple[Link, ...] = ()

    @property
    def path_params(self) -> list[str]:
        return _PATH_PARAM.findall(self.path)


def endpoint_of(view: Callable[..., Any]) -> Endpoint | None:
    """The Endpoint that `Area.route` attached to a chalice view function, if it declared this one."""
    found = getattr(view, "endpoint", None)
    return found if isinstance(found, Endpoint) else None
