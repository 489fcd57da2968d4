"""The OpenAPI 3.1 document, generated from the app's route table and the pydantic models of each route."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any

from pydantic.json_schema import models_json_schema

from chalicelib.errors import DESCRIPTIONS, ErrorBody
from chalicelib.http.endpoints import Access, Endpoint, endpoint_of

if TYPE_CHECKING:
    from chalice.app import Chalice
    from pydantic import BaseModel
    from pydantic.json_schema import JsonSchemaMode

REF = "#/components/schemas/{model}"

SECURITY_SCHEMES = {
    "citizenAuth": {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": "ID token of the citizens' user pool (`POST /v1/auth/citizens/sign-in`).",
    },
    "staffAuth": {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": "ID token of the staff user pool (`POST /v1/auth/staff/sign-in`); it carries the "
        "officer's agency and role.",
    },
}
SECURITY: dict[Access, list[dict[str, list[str]]]] = {
    Access.PUBLIC: [],
    Access.CITIZEN: [{"citizenAuth": []}],
    Access.STAFF: [{"staffAuth": []}],
    Access.SIGNED_IN: [{"citizenAuth": []}, {"staffAuth": []}],
}
ERROR_RESPONSES = {
    400: "BadRequest",
    401: "Unauthenticated",
    403: "Forbidden",
    404: "NotFound",
    409: "Conflict",
    412: "PreconditionFailed",
    413: "PayloadTooLarge",
    415: "UnsupportedMediaType",
    422: "InvalidInput",
    428: "PreconditionRequired",
    429: "TooManyRequests",
    500: "InternalError",
    503: "Unavailable",
}
PATH_PARAMETERS = {
    "procedure_code": "Code of the procedure in the national catalog, e.g. `2.001610`.",
    "code": "Dossier code `<agency code>-YYMMDD-XXXX`, e.g. `000.00.01.H99-261117-0001`.",
    "agency_code": "QCVN 102:2016 code of the agency, e.g. `000.00.01.H99`.",
    "task_id": "Task id `<dossier code>-T<n>`.",
}
TAGS = {
    "catalog": "Procedures and agencies of the province (public).",
    "dossiers": "Uploads, filing and the citizen's dossiers.",
    "drafts": "A signed-in citizen's unfinished forms, kept with a version (If-Match / ETag).",
    "tracking": "Public tracking by dossier code.",
    "tasks": "Agency inboxes and decisions (staff).",
    "auth": "Sign-up and sign-in on the citizens' and staff user pools.",
    "meta": "Health and this document.",
}


def endpoints(app: Chalice) -> list[Endpoint]:
    """Every route of the app, as `Area.route` declared it; a route declared any other way is an error."""
    found = []
    for path, methods in app.routes.items():
        for method, entry in methods.items():
            endpoint = endpoint_of(entry.view_function)
            if endpoint is None:
                raise RuntimeError(
                    f"{method} {path} was not declared through chalicelib.http.area.Area.route"
                )
            found.append(endpoint)
    return sorted(found, key=lambda e: (e.path, e.method))


@lru_cache(maxsize=4)
def document(app: Chalice) -> dict[str, Any]:
    """Built once per app (so once per Lambda container) and kept."""
    routes = endpoints(app)
    wanted: list[tuple[type[BaseModel], JsonSchemaMode]] = [(ErrorBody, "serialization")]
    for endpoint in routes:
        if endpoint.produces == "application/json":
            wanted.append((endpoint.response, "serialization"))
        if endpoint.body is not None:
            wanted.append((endpoint.body, "validation"))
    refs, definitions = models_json_schema(list(dict.fromkeys(wanted)), ref_template=REF)

    paths: dict[str, dict[str, Any]] = {}
    for endpoint in routes:
        paths.setdefault(endpoint.path, {})[endpoint.method.lower()] = _operation(endpoint, refs)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "motcua API",
            "version": "1.0.0",
            "summary": "One-stop (một cửa) e-government: procedures, dossiers, tracking and agency work.",
            "description": 'JSON in and out. Errors are `{"error": {"code", "message", "fields"}}`; '
            "messages follow `Accept-Language` (vi, en; Vietnamese by default).",
        },
        "tags": [{"name": name, "description": text} for name, text in TAGS.items()],
        "paths": paths,
        "components": {
            "schemas": definitions.get("$defs", {}),
            "securitySchemes": SECURITY_SCHEMES,
            "parameters": {
                "AcceptLanguage": {
                    "name": "Accept-Language",
                    "in": "header",
                    "required": False,
                    "description": "`vi` (default) or `en`; quality values are honoured.",
                    "schema": {"type": "string"},
                }
            },
            "responses": {
                name: {
                    "description": DESCRIPTIONS[status],
                    "content": {"application/json": {"schema": refs[(ErrorBody, "serialization")]}},
                }
                for status, name in ERROR_RESPONSES.items()
            },
        },
    }


def _operation(endpoint: Endpoint, refs: dict[Any, Any]) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "operationId": endpoint.name,
        "summary": endpoint.summary,
        "tags": [endpoint.tag],
        "security": SECURITY[endpoint.access],
        "x-motcua-access": endpoint.access.value,
        "parameters": _parameters(endpoint),
        "responses": {
            str(endpoint.status): {
                "description": endpoint.summary or "OK",
                "headers": {
                    "Content-Language": {"description": "`vi` or `en`.", "schema": {"type": "string"}},
                    **{
                        name: {"description": text, "schema": {"type": "string"}}
                        for name, text in endpoint.response_headers.items()
                    },
                },
                "content": _answer(endpoint, refs),
                **({"links": _links(endpoint)} if endpoint.links else {}),
            },
            **{
                str(status): {"$ref": f"#/components/responses/{ERROR_RESPONSES[status]}"}
                for status in sorted(endpoint.errors)
            },
        },
    }
    if endpoint.description:
        operation["description"] = endpoint.description
    if endpoint.body is not None:
        operation["requestBody"] = {
            "required": True,
            "content": {
                "application/json": {"schema": refs[(endpoint.body, "validation")]},
                **{media: {"schema": {"type": "string", "format": "binary"}} for media in endpoint.raw},
            },
        }
    return operation


def _links(endpoint: Endpoint) -> dict[str, Any]:
    return {
        link.name: {
            "operationId": link.operation,
            "parameters": dict(link.parameters),
            **({"description": link.description} if link.description else {}),
        }
        for link in endpoint.links
    }


def _answer(endpoint: Endpoint, refs: dict[Any, Any]) -> dict[str, Any]:
    if endpoint.produces != "application/json":  # a file: the response model is not what is sent
        return {
            media: {"schema": {"type": "string", "format": "binary"}}
            for media in endpoint.produces.split(", ")
        }
    return {"application/json": {"schema": refs[(endpoint.response, "serialization")]}}


def _parameters(endpoint: Endpoint) -> list[dict[str, Any]]:
    parameters: list[dict[str, Any]] = [
        {
            "name": name,
            "in": "path",
            "required": True,
            "description": PATH_PARAMETERS.get(name, name),
            "schema": {"type": "string"},
        }
        for name in endpoint.path_params
    ]
    if endpoint.query is not None:
        schema = endpoint.query.model_json_schema()
        required = set(schema.get("required", []))
        for name, field in schema.get("properties", {}).items():
            field = dict(field)
            description = field.pop("description", None)
            field.pop("title", None)
            parameter = {"name": name, "in": "query", "required": name in required, "schema": field}
            if description:
                parameter["description"] = description
            parameters.append(parameter)
    for header in endpoint.headers:
        parameters.append(
            {
                "name": header.name,
                "in": "header",
                "required": header.required,
                "description": header.description,
                "schema": dict(header.schema),
            }
        )
    parameters.append({"$ref": "#/components/parameters/AcceptLanguage"})
    return parameters
