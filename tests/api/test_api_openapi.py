"""The OpenAPI document: valid, generated from the very routes the app serves, with their security."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from typing import Any

import pytest
from chalice.app import Chalice
from openapi_spec_validator import validate

from tests.api.conftest import API_DIR, Api

pytestmark = pytest.mark.offline  # the document needs no AWS: the API runs on in-memory fakes

EXPECTED_ROUTES = {
    ("POST", "/v1/agencies/{agency_code}/intake"),
    ("GET", "/v1/procedures"),
    ("GET", "/v1/procedures/{procedure_code}"),
    ("GET", "/v1/agencies"),
    ("GET", "/v1/catalog"),
    ("POST", "/v1/uploads"),
    ("POST", "/v1/dossiers"),
    ("GET", "/v1/dossiers/{code}"),
    ("POST", "/v1/dossiers/{code}/supplements"),
    ("POST", "/v1/dossiers/{code}/withdrawal"),
    ("GET", "/v1/me/drafts"),
    ("GET", "/v1/me/drafts/{procedure_code}"),
    ("PUT", "/v1/me/drafts/{procedure_code}"),
    ("DELETE", "/v1/me/drafts/{procedure_code}"),
    ("GET", "/v1/dossiers/{code}/control-slip"),
    ("GET", "/v1/dossiers/{code}/audit"),
    ("GET", "/v1/dossiers/{code}/documents"),
    ("GET", "/v1/dossiers/{code}/documents/{name}"),
    ("POST", "/v1/dossiers/{code}/results"),
    ("POST", "/v1/verify"),
    ("GET", "/v1/me/dossiers"),
    ("GET", "/v1/tracking/{code}"),
    ("GET", "/v1/agencies/{agency_code}/tasks"),
    ("GET", "/v1/agencies/{agency_code}/escalations"),
    ("GET", "/v1/tasks/{task_id}"),
    ("GET", "/v1/agencies/{agency_code}/access-log"),
    ("GET", "/v1/dossiers/{code}/access-log"),
    ("GET", "/v1/me/export"),
    ("GET", "/v1/me/notifications"),
    ("POST", "/v1/tasks/{task_id}/decision"),
    ("POST", "/v1/auth/citizens/sign-up"),
    ("POST", "/v1/auth/citizens/confirm"),
    ("POST", "/v1/auth/citizens/sign-in"),
    ("POST", "/v1/auth/citizens/password-reset"),
    ("POST", "/v1/auth/citizens/password-reset/confirm"),
    ("POST", "/v1/auth/staff/sign-in"),
    ("POST", "/v1/auth/staff/challenge"),
    ("POST", "/v1/auth/staff/mfa-setup"),
    ("POST", "/v1/auth/refresh"),
    ("GET", "/v1/openapi.json"),
    ("GET", "/v1/health"),
    ("GET", "/v1/appointments/centres"),
    ("GET", "/v1/appointments/slots"),
    ("POST", "/v1/appointments"),
    ("GET", "/v1/me/appointments"),
    ("GET", "/v1/appointments/{booking_code}"),
    ("POST", "/v1/appointments/{booking_code}/cancel"),
    ("POST", "/v1/appointments/{booking_code}/check-in"),
    ("GET", "/v1/centres/{centre_id}/appointments"),
    # feedback and complaints (docs/feedback.md)
    ("POST", "/v1/feedback"),
    ("GET", "/v1/me/feedback"),
    ("GET", "/v1/feedback/public"),
    ("GET", "/v1/agencies/{agency_code}/feedback"),
    ("GET", "/v1/feedback/{feedback_code}"),
    ("POST", "/v1/feedback/{feedback_code}/answer"),
    ("POST", "/v1/feedback/{feedback_code}/publication"),
    # queue tickets (docs/counter.md)
    ("GET", "/v1/centres"),
    ("GET", "/v1/centres/{centre_id}/kiosk"),
    ("POST", "/v1/centres/{centre_id}/tickets"),
    ("GET", "/v1/centres/{centre_id}/board"),
    ("GET", "/v1/centres/{centre_id}/tickets/{day}/{ticket_id}"),
    ("GET", "/v1/centres/{centre_id}/counters/{number}"),
    ("POST", "/v1/centres/{centre_id}/counters/{number}/next"),
    ("POST", "/v1/centres/{centre_id}/counters/{number}/recall"),
    ("POST", "/v1/centres/{centre_id}/counters/{number}/no-show"),
    ("POST", "/v1/centres/{centre_id}/counters/{number}/done"),
    ("POST", "/v1/centres/{centre_id}/counters/{number}/transfer"),
    ("GET", "/v1/statistics/indicators"),
    # the statistics (docs/statistics.md)
    ("GET", "/v1/statistics"),
    ("GET", "/v1/statistics/export"),
    ("GET", "/v1/statistics/late-procedures"),
    ("GET", "/v1/statistics/due"),
    ("GET", "/v1/statistics/dossiers"),
    ("GET", "/v1/public/results"),
    # fees paid online (docs/payments.md)
    ("POST", "/v1/dossiers/{code}/payments"),
    ("GET", "/v1/dossiers/{code}/fee"),
    ("GET", "/v1/payments/{ref}"),
    ("GET", "/v1/payments/vnpay/ipn"),
    ("GET", "/v1/payments/vnpay/return"),
    ("POST", "/v1/tasks/{task_id}/obligation"),
    ("POST", "/v1/tasks/{task_id}/obligation/cancel"),
    ("GET", "/v1/dossiers/{code}/obligation"),
    ("POST", "/v1/dossiers/{code}/obligation/payments"),
    # payment receipts (docs/payments.md)
    ("GET", "/v1/dossiers/{code}/payment-receipts"),
    ("GET", "/v1/payments/{ref}/receipt"),
    ("POST", "/v1/payments/{ref}/refund"),
    ("GET", "/v1/dossiers/{code}/payments"),
    # satisfaction ratings (docs/ratings.md)
    ("GET", "/v1/ratings/criteria"),
    ("GET", "/v1/dossiers/{code}/rating"),
    ("POST", "/v1/dossiers/{code}/rating"),
    ("GET", "/v1/rating-links/{token}"),
    ("POST", "/v1/rating-links/{token}"),
    ("GET", "/v1/agencies/{agency_code}/ratings"),
}


def operations(document: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {
        (method.upper(), path): operation
        for path, methods in document["paths"].items()
        for method, operation in methods.items()
    }


def refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [r for value in node.values() for r in refs(value)]
    if isinstance(node, list):
        return [r for value in node for r in refs(value)]
    return []


def test_the_served_document_is_valid_openapi_3_1(api: Api) -> None:
    answer = api.get("/v1/openapi.json")

    assert answer.status == 200
    document = answer.json
    assert document["openapi"] == "3.1.0"
    validate(document)
    assert document == api.document


def test_it_lists_exactly_the_routes_the_app_serves(api: Api) -> None:
    from app import app

    served = {(method, path) for path, methods in app.routes.items() for method in methods}

    assert set(operations(api.document)) == served == EXPECTED_ROUTES


def test_each_operation_says_who_may_call_it(api: Api) -> None:
    ops = operations(api.document)
    schemes = api.document["components"]["securitySchemes"]

    assert schemes["citizenAuth"] == schemes["citizenAuth"] | {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
    }
    assert schemes["staffAuth"]["scheme"] == "bearer"
    assert ops[("GET", "/v1/procedures")]["security"] == []
    assert ops[("GET", "/v1/tracking/{code}")]["security"] == []
    assert ops[("POST", "/v1/dossiers")]["security"] == [{"citizenAuth": []}]
    assert ops[("POST", "/v1/tasks/{task_id}/decision")]["security"] == [{"staffAuth": []}]
    assert ops[("GET", "/v1/dossiers/{code}")]["security"] == [{"citizenAuth": []}, {"staffAuth": []}]
    public = {key for key, op in ops.items() if not op["security"]}
    assert public == {key for key, op in ops.items() if op["x-motcua-access"] == "public"}
    assert {path for _, path in public} == {
        "/v1/procedures",
        "/v1/procedures/{procedure_code}",
        "/v1/agencies",
        "/v1/catalog",
        "/v1/tracking/{code}",
        "/v1/verify",
        "/v1/openapi.json",
        "/v1/health",
        "/v1/auth/citizens/sign-up",
        "/v1/auth/citizens/confirm",
        "/v1/auth/citizens/sign-in",
        "/v1/auth/citizens/password-reset",
        "/v1/auth/citizens/password-reset/confirm",
        "/v1/auth/staff/sign-in",
        "/v1/auth/staff/challenge",
        "/v1/auth/staff/mfa-setup",
        "/v1/auth/refresh",
        "/v1/appointments/centres",
        "/v1/appointments/slots",
        "/v1/appointments/{booking_code}/check-in",
        "/v1/feedback/public",
        # the kiosk, the board and a ticket's page (docs/counter.md)
        "/v1/centres",
        "/v1/centres/{centre_id}/kiosk",
        "/v1/centres/{centre_id}/tickets",
        "/v1/centres/{centre_id}/board",
        "/v1/centres/{centre_id}/tickets/{day}/{ticket_id}",
        "/v1/public/results",  # the province's results (docs/statistics.md)
        # the payment gateway's IPN (verified by its signature) and the browser's return
        "/v1/payments/vnpay/ipn",
        "/v1/payments/vnpay/return",
        # the rating form, and rating by the final message's signed link (docs/ratings.md)
        "/v1/ratings/criteria",
        "/v1/rating-links/{token}",
    }


def test_each_operation_documents_its_input_and_the_errors_it_can_give(api: Api) -> None:
    for (method, path), op in operations(api.document).items():
        statuses = set(op["responses"])
        if op["security"]:
            assert {"401", "403"} <= statuses, (method, path)
        if method == "POST":
            assert op["requestBody"]["content"]["application/json"]["schema"]["$ref"], (method, path)
            assert {"400", "413", "422"} <= statuses, (method, path)
        declared = {p["name"] for p in op["parameters"] if p.get("in") == "path"}
        assert declared == set(re.findall(r"{(\w+)}", path)), (method, path)

    ops = operations(api.document)
    assert {"404", "409"} <= set(ops[("POST", "/v1/tasks/{task_id}/decision")]["responses"])
    assert "201" in ops[("POST", "/v1/dossiers")]["responses"]
    filing_headers = {
        p["name"]: p for p in ops[("POST", "/v1/dossiers")]["parameters"] if p.get("in") == "header"
    }
    assert filing_headers["Idempotency-Key"]["required"] is True
    assert {"Location", "Idempotent-Replayed"} <= set(
        ops[("POST", "/v1/dossiers")]["responses"]["201"]["headers"]
    )
    limits = {p["name"]: p for p in ops[("GET", "/v1/me/dossiers")]["parameters"] if p.get("in") == "query"}
    assert limits["limit"]["schema"] == {"type": "integer", "minimum": 1, "maximum": 100, "default": 20}


def test_the_inbox_documents_its_search_filters_order_and_count(api: Api) -> None:
    inbox = operations(api.document)[("GET", "/v1/agencies/{agency_code}/tasks")]
    query = {p["name"]: p for p in inbox["parameters"] if p.get("in") == "query"}

    assert {"q", "status", "procedure", "due", "sort", "limit", "next_token"} <= set(query)
    assert all(query[name].get("description") for name in ("q", "status", "procedure", "due", "sort"))
    assert set(json.dumps(query["due"]["schema"]).split('"')) >= {"overdue", "soon"}
    assert set(json.dumps(query["sort"]["schema"]).split('"')) >= {"due", "-due", "filed", "-filed"}
    page = inbox["responses"]["200"]["content"]["application/json"]["schema"]
    name = page["$ref"].rsplit("/", 1)[-1]
    assert "count" in api.document["components"]["schemas"][name]["properties"]


def test_every_reference_resolves_and_every_schema_has_a_valid_name(api: Api) -> None:
    components = api.document["components"]

    for ref in refs(api.document):
        _, _, kind, name = ref.split("/")
        assert name in components[kind], ref
    assert all(re.fullmatch(r"[A-Za-z0-9._-]+", name) for name in components["schemas"])
    error = components["schemas"]["ErrorDetail"]
    assert {"code", "message"} <= set(error["required"]) and "fields" in error["properties"]


def resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    """`schema` with its `$ref`, and a nullable `anyOf` [X, null], followed to X."""
    while True:
        if "$ref" in schema:
            schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
        elif "anyOf" in schema:
            schema = next(s for s in schema["anyOf"] if s.get("type") != "null")
        else:
            return schema


def pointed_field(document: dict[str, Any], schema: dict[str, Any], pointer: str) -> dict[str, Any]:
    """The schema of the field a JSON pointer names in an answer of `schema` (`0` steps into an array)."""
    for step in pointer.strip("/").split("/"):
        schema = resolve(document, schema)
        schema = schema["items"] if step.isdigit() else schema["properties"][step]
    return resolve(document, schema)


def test_every_link_leads_to_an_operation_with_the_parameters_it_takes(api: Api) -> None:
    """A client (or a stateful fuzzer) following a link lands on a real operation, every path parameter
    of it filled from a string field of the answer, or from the request's own path."""
    by_id = {op["operationId"]: (path, op) for (_, path), op in operations(api.document).items()}
    followed = set()
    for (method, path), op in operations(api.document).items():
        for status, response in op["responses"].items():
            for name, link in response.get("links", {}).items():
                where = (method, path, status, name)
                target_path, target = by_id[link["operationId"]]
                assert set(link["parameters"]) == set(re.findall(r"{(\w+)}", target_path)), where
                for expression in link["parameters"].values():
                    if expression.startswith("$request.path."):
                        assert "{" + expression.removeprefix("$request.path.") + "}" in path, where
                        continue
                    schema = response["content"]["application/json"]["schema"]
                    field = pointed_field(api.document, schema, expression.removeprefix("$response.body#"))
                    assert field.get("type") == "string", (where, expression)
                followed.add((method, path, link["operationId"]))

    # The journey: file a dossier → track it and find the receiving agency's inbox → decide its task.
    assert ("POST", "/v1/dossiers", "track") in followed
    assert ("POST", "/v1/dossiers", "inbox") in followed
    assert ("GET", "/v1/agencies/{agency_code}/tasks", "decide") in followed


def test_a_route_declared_outside_the_registry_is_refused() -> None:
    from chalicelib.openapi import document

    app = Chalice(app_name="stray")

    @app.route("/v1/stray")
    def stray() -> dict[str, str]:
        return {}

    with pytest.raises(RuntimeError, match="/v1/stray"):
        document(app)


def test_the_app_imports_and_serves_its_document_and_health_with_no_environment() -> None:
    """A cold start: importing app.py loads no AWS SDK and needs no setting; neither route builds services."""
    script = """
import json, sys
from chalice.test import Client
import app
assert "boto3" not in sys.modules, "importing the app loaded boto3"
with Client(app.app) as client:
    health = client.http.get("/v1/health")
    document = client.http.get("/v1/openapi.json")
paths = len(document.json_body["paths"])
print(json.dumps([health.status_code, health.json_body, document.status_code, paths]))
"""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MOTCUA_", "AWS_"))}
    env["PYTHONPATH"] = os.pathsep.join([str(API_DIR), str(API_DIR.parent)])

    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, cwd=API_DIR, timeout=60
    )

    assert result.returncode == 0, result.stderr
    paths = len({path for _, path in EXPECTED_ROUTES})
    assert json.loads(result.stdout.strip().splitlines()[-1]) == [200, {"status": "ok"}, 200, paths]
