"""The dossiers behind a number of the statistics (docs/statistics.md, "Drill-down").

Every dossier item carries two index entries that say where it counts, kept with the item itself
(no stream, no second write): GSI2 by the month it was filed (the `received.<channel>` columns) and
GSI4 by the month it finished and its outcome (early, on time, late, refused, withdrawn, stopped) or,
while open, under its agency by due time (in time, overdue). A number's dossiers are then one Query
per agency, in the order the index keeps them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from motcua.domain.calendar import WorkingCalendar
from motcua.domain.errors import BadRequest
from motcua.domain.i18n import Text
from motcua.domain.paging import decode_token, encode_token
from motcua.domain.statistics import FINISHED, RESOLVED, Facts, month_of
from motcua.domain.status import Status

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from motcua.domain.models import Dossier

FILED_PREFIX = "FILED#"  # GSI2PK = FILED#<agency>#<month filed>, GSI2SK = <channel>#<filed at>#<code>
DONE_PREFIX = "DONE#"  # GSI4PK = DONE#<agency>#<month finished>, GSI4SK = <outcome>#<finished at>#<code>
OPEN_PREFIX = "OPEN#"  # GSI4PK = OPEN#<agency>, GSI4SK = <due at>#<code>
_INVALID = Text(vi="next_token không hợp lệ.", en="The next_token is not valid.")


class Column(StrEnum):
    """A column of the report whose dossiers can be listed."""

    RECEIVED_ONLINE = "received_online"
    RECEIVED_COUNTER = "received_counter"
    RECEIVED_POST = "received_post"
    EARLY = "early"
    ON_TIME = "on_time"
    LATE = "late"
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"
    STOPPED = "stopped"
    IN_TIME = "in_time"
    OVERDUE = "overdue"


RECEIVED = {
    Column.RECEIVED_ONLINE: "online",
    Column.RECEIVED_COUNTER: "counter",
    Column.RECEIVED_POST: "post",
}
OPEN = frozenset({Column.IN_TIME, Column.OVERDUE})


def stamp(moment: datetime) -> str:
    """A sortable UTC timestamp, as the table's other keys."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def outcome(facts: Facts) -> str | None:
    """How a finished dossier ended, as the report counts it; None while it is open."""
    if facts.status not in FINISHED or facts.finished_at is None:
        return None
    if facts.status in RESOLVED:
        return WorkingCalendar.timeliness(facts.finished_at, facts.due_at).value
    return {Status.REFUSED: "refused", Status.WITHDRAWN: "withdrawn"}.get(facts.status, "stopped")


def index_keys(code: str, facts: Facts) -> dict[str, str]:
    """The index entries of a dossier item: where it counts in the report, as it is now."""
    keys = {
        "GSI2PK": f"{FILED_PREFIX}{facts.agency}#{month_of(facts.filed_at)}",
        "GSI2SK": f"{facts.channel.value}#{stamp(facts.filed_at)}#{code}",
    }
    # Filtered on, not keyed: a past month's open dossiers are those filed before its end and due
    # before (overdue) or after it (in time), open now or finished since.
    keys["stats_filed"] = stamp(facts.filed_at)
    keys["stats_due"] = stamp(facts.due_at)
    ended = outcome(facts)
    if ended is not None and facts.finished_at is not None:
        keys["GSI4PK"] = f"{DONE_PREFIX}{facts.agency}#{month_of(facts.finished_at)}"
        keys["GSI4SK"] = f"{ended}#{stamp(facts.finished_at)}#{code}"
    else:
        keys["GSI4PK"] = f"{OPEN_PREFIX}{facts.agency}"
        keys["GSI4SK"] = f"{stamp(facts.due_at)}#{code}"
    return keys


def dossier_facts(dossier: Dossier) -> Facts:
    """What the statistics need of a dossier (as `facts_from_image` reads it from the stream)."""
    return Facts(
        agency=dossier.competent_agency or dossier.agency,
        procedure=dossier.procedure_code,
        channel=dossier.channel,
        filed_at=dossier.filed_at,
        due_at=dossier.due_at,
        status=dossier.status,
        finished_at=dossier.finished_at,
        days_paused=dossier.days_paused,
    )


@dataclass(frozen=True, slots=True)
class Listing:
    """One index partition's part that holds a number's dossiers (of one agency)."""

    index: str  # GSI2 or GSI4
    key: str  # the partition key's value
    prefix: str = ""  # the sort key begins with it
    below: str | None = None  # the sort key is before it
    from_: str | None = None  # the sort key is at or after it
    # Filters (stamps): due before / at or after, filed before.
    due_below: str | None = None
    due_from: str | None = None
    filed_below: str | None = None

    def holds(self, keys: Mapping[str, str]) -> bool:
        """Whether a dossier with these index entries is listed (the in-memory fakes' filter)."""
        sort = keys.get(f"{self.index}SK")
        if keys.get(f"{self.index}PK") != self.key or sort is None or not sort.startswith(self.prefix):
            return False
        due, filed = keys.get("stats_due", ""), keys.get("stats_filed", "")
        return (
            (self.below is None or sort < self.below)
            and (self.from_ is None or sort >= self.from_)
            and (self.due_below is None or due < self.due_below)
            and (self.due_from is None or due >= self.due_from)
            and (self.filed_below is None or filed < self.filed_below)
        )


def read_position(token: str, listings: Sequence[Listing]) -> tuple[int, dict[str, str] | None]:
    """Which listing a next_token continues, and from which key (None: from its start); a token
    of another drill-down, or altered, is refused."""
    position = decode_token(token)
    keys = [listing.key for listing in listings]
    after = position.get("after")
    if (
        set(position) - {"at", "after"}
        or position.get("at") not in keys
        or not (
            after is None or (isinstance(after, dict) and all(isinstance(v, str) for v in after.values()))
        )
    ):
        raise BadRequest(_INVALID, code="invalid_next_token")
    at = keys.index(position["at"])
    index = listings[at].index
    if after is not None and (
        set(after) != {"PK", "SK", f"{index}PK", f"{index}SK"} or after[f"{index}PK"] != keys[at]
    ):
        raise BadRequest(_INVALID, code="invalid_next_token")
    return at, after


def next_position(listings: Sequence[Listing], at: int, after: Mapping[str, str] | None) -> str | None:
    """The next_token after a page of listing `at` that stopped at `after` (None: it ended)."""
    if after:
        return encode_token({"at": listings[at].key, "after": dict(after)})
    if at + 1 < len(listings):
        return encode_token({"at": listings[at + 1].key})
    return None
