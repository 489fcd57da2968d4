"""Satisfaction ratings on moto (docs/ratings.md): the once-only condition and the tallies in one
transaction, the link signed with a KMS HMAC key, and the staff's view that names nobody."""

from __future__ import annotations

import json
import threading
from typing import Any

from motcua.adapters import clients
from tests.api.conftest import SOCIAL_INSURANCE, Api, Person, decide, filed_alone
from tests.conftest import REGION

GOOD = {"overall": 5, "convenience": 4, "on_time": 5, "attitude": 4, "contacts": 1}
POOR = {"overall": 2, "convenience": 2, "on_time": 1, "attitude": 3, "contacts": 4}


def returned(api: Api, an: Person, si_receiver: Person, si_officer: Person) -> str:
    code = filed_alone(api, an)
    for who, action in ((si_receiver, "accept"), (si_officer, "approve"), (si_receiver, "return_result")):
        assert decide(api, who, f"{code}-T1", action).status == 200
    return code


def item(outputs: Any, pk: str, sk: str) -> dict[str, Any]:
    found: dict[str, Any] = (
        clients.client("dynamodb", REGION)
        .get_item(TableName=outputs.table_name, Key={"PK": {"S": pk}, "SK": {"S": sk}})
        .get("Item", {})
    )
    return found


def test_a_rating_and_its_tallies_are_written_once(
    api: Api, an: Person, si_receiver: Person, si_officer: Person, outputs: Any
) -> None:
    code = returned(api, an, si_receiver, si_officer)

    first = api.post(f"/v1/dossiers/{code}/rating", token=an.token, json_body=GOOD | {"comment": "Tốt"})
    again = api.post(f"/v1/dossiers/{code}/rating", token=an.token, json_body=POOR)

    assert first.status == 201 and first.json["rating"]["scores"] == GOOD
    assert again.status == 409 and again.error["code"] == "already_rated"
    agency = item(outputs, f"RATINGS#{SOCIAL_INSURANCE}", "M#2026-11")
    procedure = item(outputs, f"RATINGS#{SOCIAL_INSURANCE}", "M#2026-11#P#1.000058")
    province = item(outputs, "RATINGS#*", "M#2026-11")
    for tally in (agency, procedure, province):
        assert tally["ratings"]["N"] == "1"
        assert (tally["s_overall"]["N"], tally["n_overall"]["N"]) == ("5", "1")
        assert (tally["s_contacts"]["N"], tally["n_contacts"]["N"]) == ("1", "1")
    assert item(outputs, f"RATING#{code}", "R")["type"]["S"] == "rating"


def test_two_ratings_at_once_one_wins_and_the_tallies_count_one(
    api: Api,
    an: Person,
    si_receiver: Person,
    si_officer: Person,
    outputs: Any,
    container: Any,
    aws_requests_atomic: Any,
) -> None:
    code = returned(api, an, si_receiver, si_officer)
    token = container.ratings.link(code).rsplit("/", 1)[1]
    answers: list[int] = []

    def by_portal() -> None:
        answers.append(api.post(f"/v1/dossiers/{code}/rating", token=an.token, json_body=GOOD).status)

    def by_link() -> None:
        answers.append(api.post(f"/v1/rating-links/{token}", json_body=POOR).status)

    threads = [threading.Thread(target=t) for t in (by_portal, by_link, by_portal, by_link)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(answers) == [201, 409, 409, 409]
    assert item(outputs, f"RATINGS#{SOCIAL_INSURANCE}", "M#2026-11")["ratings"]["N"] == "1"


def test_the_link_is_checked_with_the_kms_key_and_a_forged_one_is_refused(
    api: Api, an: Person, si_receiver: Person, si_officer: Person, container: Any
) -> None:
    code = returned(api, an, si_receiver, si_officer)
    token = container.ratings.link(code).rsplit("/", 1)[1]
    payload, _, mac = token.rpartition(".")
    forged = f"{payload}.{mac[::-1]}"

    page = api.get(f"/v1/rating-links/{token}")
    refused = api.post(f"/v1/rating-links/{forged}", json_body=GOOD)
    rated = api.post(f"/v1/rating-links/{token}", json_body=GOOD)

    assert page.status == 200 and page.json["code"] == code and page.json["ratable"] is True
    assert refused.status == 403 and refused.error["code"] == "rating_link_invalid"
    assert rated.status == 201


def test_the_staff_view_reads_the_tallies_by_month_and_names_nobody(
    api: Api, an: Person, si_receiver: Person, si_officer: Person, container: Any
) -> None:
    code = returned(api, an, si_receiver, si_officer)
    api.post(
        f"/v1/dossiers/{code}/rating", token=an.token, json_body=POOR | {"comment": "Phải đi lại nhiều lần"}
    )
    calls: list[str] = []
    dynamodb = clients.client("dynamodb", REGION)
    dynamodb.meta.events.register("after-call.dynamodb", lambda model, **_: calls.append(model.name))

    view = api.get(f"/v1/agencies/{SOCIAL_INSURANCE}/ratings?from=2025-12&to=2026-11", token=si_officer.token)
    calls_for_12 = list(calls)
    calls.clear()
    satisfaction = container.ratings.satisfaction(SOCIAL_INSURANCE, "2025-12", "2026-11")

    assert view.status == 200
    assert view.json["ratings"] == 1 and len(view.json["months"]) == 12
    assert view.json["comments"][0]["comment"] == "Phải đi lại nhiều lần"
    text = json.dumps(view.json, ensure_ascii=False)
    assert code not in text and an.sub not in text and an.name not in text and an.username not in text
    # The tallies of twelve months in one BatchGetItem, the comments in one Query.
    assert sorted(calls_for_12) == ["BatchGetItem", "Query"]
    assert calls == ["BatchGetItem"]
    assert {c.key: c.mean for c in satisfaction.criteria}["contacts"] == 4.0
