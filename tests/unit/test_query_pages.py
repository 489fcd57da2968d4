"""The one page-token rule every DynamoDB listing follows (motcua.adapters.query_pages): a token
continues only the listing it came from and holds nothing but the key; each Query starts where it left."""

from __future__ import annotations

from typing import Any

import pytest

from motcua.adapters.query_pages import query_after, query_all, query_page
from motcua.domain.errors import BadRequest
from motcua.domain.paging import encode_token

NAMES = {"PK", "SK", "GSI1PK", "GSI1SK"}
LISTING = {"GSI1PK": "ACCESS#000.00.01.H99"}
HERE = {"PK": "D#X", "SK": "AL#2026-12-01T00:00:00.000000Z#1", "GSI1PK": LISTING["GSI1PK"], "GSI1SK": "s"}


class Client:
    """A DynamoDB client that answers each Query with the next of `answers` and keeps its arguments."""

    def __init__(self, *answers: dict[str, Any]) -> None:
        self.answers, self.asked = list(answers), []

    def query(self, **kwargs: Any) -> dict[str, Any]:
        self.asked.append(kwargs)
        return self.answers.pop(0)


def page(client: Client, token: str | None) -> tuple[list[dict[str, Any]], str | None]:
    query = {"TableName": "t", "IndexName": "GSI1", "Limit": 2}
    return query_page(client, query, token, names=NAMES, listing=LISTING, sort_prefix="AL#")


def test_a_page_s_token_starts_the_next_query_where_the_last_one_stopped() -> None:
    last = {name: {"S": value} for name, value in HERE.items()}
    client = Client({"Items": [{"n": 1}], "LastEvaluatedKey": last}, {"Items": [{"n": 2}]})

    first, token = page(client, None)
    second, end = page(client, token)

    assert (first, second, end) == ([{"n": 1}], [{"n": 2}], None)
    assert "ExclusiveStartKey" not in client.asked[0]
    assert client.asked[1]["ExclusiveStartKey"] == last
    assert client.asked[1]["Limit"] == 2 and client.asked[1]["IndexName"] == "GSI1"


@pytest.mark.parametrize(
    "forged",
    [
        "%%% not base64",
        encode_token({**HERE, "GSI1PK": "ACCESS#another agency"}),  # another listing
        encode_token({**HERE, "extra": "x"}),  # more than the key
        encode_token({k: v for k, v in HERE.items() if k != "GSI1SK"}),  # less than the key
        encode_token({**HERE, "SK": 7}),  # not a string
        encode_token({**HERE, "SK": "A#2026"}),  # the audit trail's items, not the log's
    ],
)
def test_a_forged_token_is_refused_in_both_languages_before_any_query(forged: str) -> None:
    client = Client()
    with pytest.raises(BadRequest) as refused:
        page(client, forged)
    assert refused.value.code == "invalid_next_token"
    assert refused.value.message.vi == "next_token không hợp lệ."
    assert refused.value.message.en == "The next_token is not valid."
    assert client.asked == []


def test_a_query_read_whole_follows_every_page_to_the_last() -> None:
    key = {"PK": {"S": "APPT#x"}, "SK": {"S": "S#0800"}}
    client = Client({"Items": [{"n": 1}], "LastEvaluatedKey": key}, {"Items": []}, {"Items": [{"n": 3}]})
    client.answers[1]["LastEvaluatedKey"] = {**key, "SK": {"S": "S#0900"}}  # an empty page still goes on

    items = query_all(client, {"TableName": "t", "KeyConditionExpression": "PK = :pk"})

    assert items == [{"n": 1}, {"n": 3}]
    assert [q.get("ExclusiveStartKey") for q in client.asked] == [None, key, {**key, "SK": {"S": "S#0900"}}]


def test_a_page_after_a_sort_key_starts_there_and_names_where_the_next_one_starts() -> None:
    last = {"PK": {"S": "FB#a"}, "SK": {"S": "F"}, "GSI2PK": {"S": "FEEDBACK#x"}, "GSI2SK": {"S": "open#2"}}
    client = Client({"Items": [{"n": 1}], "LastEvaluatedKey": last}, {"Items": [{"n": 2}]})
    query = {"TableName": "t", "IndexName": "GSI2", "Limit": 1}

    first, after = query_after(client, query, None, sort_key="GSI2SK")
    second, end = query_after(client, query, last, sort_key="GSI2SK")

    assert (first, after, second, end) == ([{"n": 1}], "open#2", [{"n": 2}], None)
    assert "ExclusiveStartKey" not in client.asked[0] and client.asked[1]["ExclusiveStartKey"] == last
    assert "ExclusiveStartKey" not in query  # the caller's arguments are not changed
