"""The API's routes as API Gateway needs them, read from the OpenAPI document the app generates.

The document (functions/api, chalicelib/openapi.py) is built from the app's route table, so the
gateway's methods, who may call each (`x-motcua-access`) and the parameters it requires cannot drift
from what the Lambda serves.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

API_DIR = Path(__file__).resolve().parents[1] / "functions" / "api"
PUBLIC = "public"
JSON = "application/json"


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    operation_id: str
    access: str  # public | citizen | staff | signed_in
    # Request parameters as API Gateway names them, e.g. method.request.header.Idempotency-Key -> required
    parameters: tuple[tuple[str, bool], ...]
    # The media types of the request body it takes (`application/json`; `application/pdf` for a
    # document to verify); empty without a body.
    body_types: tuple[str, ...] = ()

    @property
    def has_body(self) -> bool:
        return bool(self.body_types)

    @property
    def json_body(self) -> bool:
        return JSON in self.body_types

    @property
    def public(self) -> bool:
        return self.access == PUBLIC


def document() -> dict[str, Any]:
    """The OpenAPI document of the app in functions/api, as GET /v1/openapi.json serves it."""
    if str(API_DIR) not in sys.path:  # as on Lambda, app.py and chalicelib are top-level
        sys.path.insert(0, str(API_DIR))
    from app import app

    from chalicelib.openapi import document as build

    return build(app)


@lru_cache(maxsize=1)
def routes() -> tuple[Route, ...]:
    found: list[Route] = []
    for path, operations in document()["paths"].items():
        for method, operation in operations.items():
            found.append(
                Route(
                    method=method.upper(),
                    path=path,
                    operation_id=operation["operationId"],
                    access=operation["x-motcua-access"],
                    parameters=tuple(_parameters(operation)),
                    body_types=tuple(operation.get("requestBody", {}).get("content", {})),
                )
            )
    return tuple(found)


_LOCATION = {"path": "path", "query": "querystring", "header": "header"}


def _parameters(operation: dict[str, Any]) -> list[tuple[str, bool]]:
    found = []
    for parameter in operation.get("parameters", []):
        if "$ref" in parameter:  # shared ones (Accept-Language) are optional
            continue
        where = _LOCATION[parameter["in"]]
        found.append((f"method.request.{where}.{parameter['name']}", bool(parameter.get("required"))))
    return found
