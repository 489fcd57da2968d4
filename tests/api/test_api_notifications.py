"""GET /v1/me/notifications on moto: what the notifier sent a citizen, kept in the table, read back by
them alone, every answer checked against the OpenAPI document."""

from __future__ import annotations

from typing import Any

from motcua.domain.events import Event
from tests.api.conftest import Api, Person, filed_alone


def tell(container: Any, code: str) -> None:
    """What the table's stream would bring the notifier for the filing (tests/integration runs the pipe)."""
    entry = container.repository.audit_trail(code)[0]
    container.notifications.notify(code, entry, Event.FILED)


def test_a_citizen_reads_the_messages_sent_to_them_and_nobody_else_does(
    api: Api, container: Any, an: Person, binh: Person
) -> None:
    code = filed_alone(api, an)
    tell(container, code)
    tell(container, code)  # delivered twice: listed once

    answer = api.get("/v1/me/notifications", token=an.token, headers={"Accept-Language": "en"})

    assert answer.status == 200
    items = answer.json["items"]
    assert sorted(i["channel"] for i in items) == ["email", "sms"]
    assert {i["dossier_code"] for i in items} == {code}
    assert {i["event_label"] for i in items} == {"Dossier filed"}
    email = next(i for i in items if i["channel"] == "email")
    assert email["to"] == f"{an.username[0]}***@{an.username.split('@')[1]}"
    assert code in email["summary"]
    assert an.username.encode() not in answer.body
    assert answer.json["next_token"] is None

    other = api.get("/v1/me/notifications", token=binh.token)
    assert other.status == 200 and other.json["items"] == []


def test_the_list_is_paged_and_needs_a_citizen(
    api: Api, container: Any, an: Person, si_receiver: Person
) -> None:
    tell(container, filed_alone(api, an))

    first = api.get("/v1/me/notifications?limit=1", token=an.token)
    assert first.status == 200 and len(first.json["items"]) == 1 and first.json["next_token"]
    rest = api.get(f"/v1/me/notifications?limit=1&next_token={first.json['next_token']}", token=an.token)
    assert rest.status == 200 and len(rest.json["items"]) == 1
    assert rest.json["items"] != first.json["items"]

    assert api.get("/v1/me/notifications").status == 401
    assert api.get("/v1/me/notifications", token=si_receiver.token).status == 403
    bad = api.get("/v1/me/notifications?next_token=bm9wZQ", token=an.token)
    assert bad.status == 400 and bad.json["error"]["code"] == "invalid_next_token"
