"""DynamoDB Queries read whole or by pages: one page and the opaque next_token that continues it, one
page after a sort key, every page of a partition (docs/data-model.md)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from motcua.domain.errors import BadRequest
from motcua.domain.i18n import Text
from motcua.domain.paging import decode_token, encode_token

if TYPE_CHECKING:
    from collections.abc import Mapping, Set

INVALID = Text(vi="next_token không hợp lệ.", en="The next_token is not valid.")


def start_key(
    token: str, *, names: Set[str], listing: Mapping[str, str], sort_prefix: str = ""
) -> dict[str, dict[str, str]]:
    """The `ExclusiveStartKey` a token stands for. A token continues only the listing it came from
    (`listing`: the partition keys it must hold) and holds nothing but the key: exactly `names`, all
    strings, the table's sort key starting with `sort_prefix`; anything else is refused."""
    start = decode_token(token)
    if (
        set(start) != set(names)
        or not all(isinstance(value, str) for value in start.values())
        or any(start.get(name) != value for name, value in listing.items())
        or not str(start.get("SK", "")).startswith(sort_prefix)
    ):
        raise BadRequest(INVALID, code="invalid_next_token")
    return {name: {"S": value} for name, value in start.items()}


def query_page(
    client: Any,
    query: Mapping[str, Any],
    token: str | None,
    *,
    names: Set[str],
    listing: Mapping[str, str],
    sort_prefix: str = "",
) -> tuple[list[dict[str, Any]], str | None]:
    """One Query (`query`: its arguments, table and limit included) from where `token` left off:
    the items, and the token of the next page (None on the last)."""
    kwargs = dict(query)
    if token:
        kwargs["ExclusiveStartKey"] = start_key(token, names=names, listing=listing, sort_prefix=sort_prefix)
    response = client.query(**kwargs)
    last = response.get("LastEvaluatedKey")
    next_token = encode_token({name: value["S"] for name, value in last.items()}) if last else None
    return response["Items"], next_token


def query_all(client: Any, query: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Every item a Query (`query`: its arguments) finds, page after page to the last."""
    kwargs = dict(query)
    items: list[dict[str, Any]] = []
    while True:
        response = client.query(**kwargs)
        items += response["Items"]
        if "LastEvaluatedKey" not in response:
            return items
        kwargs["ExclusiveStartKey"] = response["LastEvaluatedKey"]


def query_after(
    client: Any, query: Mapping[str, Any], start: Mapping[str, Any] | None, *, sort_key: str
) -> tuple[list[dict[str, Any]], str | None]:
    """One page of a Query (its `Limit` in `query`) from `start` on (an ExclusiveStartKey, None: the
    first page): the items, and the `sort_key` of the last item read, where the next page starts
    (None on the last page)."""
    kwargs = dict(query)
    if start is not None:
        kwargs["ExclusiveStartKey"] = dict(start)
    response = client.query(**kwargs)
    last = response.get("LastEvaluatedKey")
    return response["Items"], str(last[sort_key]["S"]) if last else None
