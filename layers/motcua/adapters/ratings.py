"""Ratings on the single table (docs/ratings.md): the rating, its tallies and its comment in one transaction.

- a dossier's rating: `RATING#<code>` / `R`, written only if absent (once per dossier);
- the tallies of a month: `RATINGS#<agency>` / `M#<YYYY-MM>` (the agency), `RATINGS#<agency>` /
  `M#<YYYY-MM>#P#<procedure>` (one of its procedures), `RATINGS#*` / `M#<YYYY-MM>` (the province):
  `ratings`, and per criterion `s_<key>` (the sum) and `n_<key>` (how many answered), each an `ADD`;
- a comment: `RATINGS#<agency>` / `C#<YYYY-MM-DD>#<random>`: the day, procedure, scores and words,
  never the dossier's code.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import uuid
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from motcua.adapters.dynamodb import BUSY, _cancellations
from motcua.adapters.query_pages import query_page
from motcua.domain.calendar import VIETNAM_TZ
from motcua.domain.errors import Unavailable
from motcua.domain.models import Page
from motcua.domain.ratings import CRITERION_KEYS, Comment, Rating, RatingTaken, Tally
from motcua.resources import RATING_PREFIX, RATINGS_PREFIX

if TYPE_CHECKING:
    from datetime import datetime

PROVINCE = "*"
THROTTLED = {"ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded"}
BATCH = 100  # keys per BatchGetItem


def _s(value: str) -> dict[str, str]:
    return {"S": value}


def rating_key(code: str) -> dict[str, Any]:
    return {"PK": _s(f"{RATING_PREFIX}{code}"), "SK": _s("R")}


def tally_key(agency: str | None, month: str, procedure: str | None = None) -> dict[str, Any]:
    sort = f"M#{month}" if procedure is None else f"M#{month}#P#{procedure}"
    return {"PK": _s(f"{RATINGS_PREFIX}{agency or PROVINCE}"), "SK": _s(sort)}


class DynamoRatingStore:
    """Implements RatingStore: one TransactWriteItems per rating, BatchGetItem for the tallies."""

    def __init__(self, client: Any, table_name: str) -> None:
        self.client = client
        self.table = table_name

    def _tally_update(self, key: dict[str, Any], scores: dict[str, int]) -> dict[str, Any]:
        names = {f"#s{n}": f"s_{k}" for n, k in enumerate(scores)} | {
            f"#n{n}": f"n_{k}" for n, k in enumerate(scores)
        }
        values: dict[str, Any] = {":one": {"N": "1"}} | {
            f":v{n}": {"N": str(v)} for n, v in enumerate(scores.values())
        }
        adds = ["ratings :one"] + [f"#s{n} :v{n}, #n{n} :one" for n in range(len(scores))]
        return {
            "Update": {
                "TableName": self.table,
                "Key": key,
                "UpdateExpression": "ADD " + ", ".join(adds),
                "ExpressionAttributeNames": names,
                "ExpressionAttributeValues": values,
            }
        }

    def add(self, rating: Rating, *, expires_at: datetime) -> None:
        expiry = {"N": str(int(expires_at.timestamp()))}
        items: list[dict[str, Any]] = [
            {
                "Put": {
                    "TableName": self.table,
                    "Item": rating_key(rating.code)
                    | {"type": _s("rating"), "data": _s(rating.model_dump_json()), "expires_at": expiry},
                    "ConditionExpression": "attribute_not_exists(PK)",
                }
            },
            self._tally_update(tally_key(rating.agency, rating.month), rating.scores),
            self._tally_update(tally_key(rating.agency, rating.month, rating.procedure_code), rating.scores),
            self._tally_update(tally_key(None, rating.month), rating.scores),
        ]
        if rating.comment:
            day = rating.at.astimezone(VIETNAM_TZ).date().isoformat()
            comment = Comment(
                day=day, procedure_code=rating.procedure_code, scores=rating.scores, comment=rating.comment
            )
            items.append(
                {
                    "Put": {
                        "TableName": self.table,
                        "Item": {
                            "PK": _s(f"{RATINGS_PREFIX}{rating.agency}"),
                            "SK": _s(f"C#{day}#{secrets.token_hex(8)}"),
                            "type": _s("rating_comment"),
                            "data": _s(comment.model_dump_json()),
                            "expires_at": expiry,
                        },
                        "ConditionExpression": "attribute_not_exists(PK)",
                    }
                }
            )
        digest = hashlib.sha256(json.dumps(items, sort_keys=True).encode()).digest()
        try:
            self.client.transact_write_items(
                TransactItems=items, ClientRequestToken=str(uuid.UUID(bytes=digest[:16]))
            )
        except ClientError as error:
            if error.response["Error"]["Code"] in THROTTLED:
                raise Unavailable(BUSY, retry_after=5, code="busy") from error
            reasons = _cancellations(error)
            if reasons and reasons[0].get("Code") == "ConditionalCheckFailed":
                raise RatingTaken(rating.code) from error
            if any(r.get("Code") == "TransactionConflict" for r in reasons):
                raise Unavailable(BUSY, retry_after=1, code="busy") from error
            raise

    def get(self, code: str) -> Rating | None:
        item = self.client.get_item(TableName=self.table, Key=rating_key(code), ConsistentRead=True).get(
            "Item"
        )
        return Rating.model_validate_json(item["data"]["S"]) if item else None

    def tallies(self, agency: str | None, months: list[str], procedures: list[str]) -> dict[str, Tally]:
        wanted: dict[tuple[str, str], str] = {}
        for month in months:
            key = tally_key(agency, month)
            wanted[(key["PK"]["S"], key["SK"]["S"])] = month
            for procedure in procedures if agency is not None else ():
                key = tally_key(agency, month, procedure)
                wanted[(key["PK"]["S"], key["SK"]["S"])] = f"{month}#{procedure}"
        keys = [{"PK": _s(pk), "SK": _s(sk)} for pk, sk in wanted]
        found: dict[str, Tally] = {}
        for start in range(0, len(keys), BATCH):
            request: dict[str, Any] = {self.table: {"Keys": keys[start : start + BATCH]}}
            while request:
                response = self.client.batch_get_item(RequestItems=request)
                for item in response["Responses"].get(self.table, []):
                    found[wanted[(item["PK"]["S"], item["SK"]["S"])]] = _tally(item)
                request = response.get("UnprocessedKeys") or {}
        return found

    def comments(self, agency: str, *, first: str, last: str, limit: int, token: str | None) -> Page[Comment]:
        pk = f"{RATINGS_PREFIX}{agency}"
        items, next_token = query_page(
            self.client,
            {
                "TableName": self.table,
                "KeyConditionExpression": "PK = :pk AND SK BETWEEN :a AND :b",
                "ExpressionAttributeValues": {":pk": _s(pk), ":a": _s(f"C#{first}"), ":b": _s(f"C#{last}~")},
                "ScanIndexForward": False,
                "Limit": limit,
            },
            token,
            names={"PK", "SK"},
            listing={"PK": pk},
            sort_prefix="C#",
        )
        return Page(items=[Comment.model_validate_json(i["data"]["S"]) for i in items], next_token=next_token)


def _tally(item: dict[str, Any]) -> Tally:
    def number(name: str) -> int:
        return int(item[name]["N"]) if name in item else 0

    return Tally(
        ratings=number("ratings"),
        sums={k: number(f"s_{k}") for k in CRITERION_KEYS if f"n_{k}" in item},
        counts={k: number(f"n_{k}") for k in CRITERION_KEYS if f"n_{k}" in item},
    )
