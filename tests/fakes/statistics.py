"""The statistics' counters and index in memory: what the stream would have kept, from the dossiers.

The live counters equal the sum of every dossier's contributions as it is now (docs/statistics.md; a
property test holds the stream to it), so the fake sums them from the in-memory repository on each
read, through the very functions the stream consumer uses (`cells_of_image`, `item_moves`). The
drill-down filters the dossiers by the index entries the DynamoDB adapter writes (`index_keys`).
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

from motcua.adapters.statistics import cells_of_image, item_moves
from motcua.domain.drilldown import dossier_facts, index_keys, next_position, read_position
from motcua.domain.models import Dossier, Page

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

    from motcua.domain.calendar import WorkingCalendar
    from motcua.domain.drilldown import Listing
    from tests.fakes.repository import InMemoryDossierRepository


def _image(kind: str, data: str) -> dict[str, Any]:
    return {"type": {"S": kind}, "data": {"S": data}}


class InMemoryStatistics:
    def __init__(self, repository: InMemoryDossierRepository, calendar: WorkingCalendar) -> None:
        self.repository = repository
        self.calendar = calendar
        self.reads = 0

    def _dossiers(self) -> Iterator[Dossier]:
        for stored in self.repository._dossiers.values():  # noqa: SLF001 — the fake reads its sibling fake
            yield stored.dossier

    def read_keys(self, wanted: Sequence[tuple[str, str]]) -> dict[tuple[str, str], dict[str, int]]:
        self.reads += 1
        totals: Counter[Any] = Counter()
        for stored in self.repository._dossiers.values():  # noqa: SLF001
            totals.update(cells_of_image(_image("dossier", stored.dossier.model_dump_json()), self.calendar))
            for task in stored.tasks.values():
                totals.update(cells_of_image(_image("task", task.model_dump_json()), self.calendar))
        items = item_moves({cell: n for cell, n in totals.items() if n})
        return {key: dict(items[key]) for key in dict.fromkeys(wanted) if key in items}

    def dossiers(self, listings: Sequence[Listing], *, limit: int, token: str | None) -> Page[Dossier]:
        if not listings:
            return Page(items=[], next_token=None)
        at, after = read_position(token, listings) if token else (0, None)
        listing = listings[at]
        sort = f"{listing.index}SK"
        held = sorted(
            (keys[sort], dossier)
            for dossier in self._dossiers()
            if listing.holds(keys := index_keys(dossier.code, dossier_facts(dossier)))
        )
        if after:
            held = [(key, d) for key, d in held if key > after[sort]]
        page = held[:limit]
        last = None
        if len(held) > limit:
            key, dossier = page[-1]
            last = {"PK": f"D#{dossier.code}", "SK": "D", f"{listing.index}PK": listing.key, sort: key}
        return Page(items=[d for _, d in page], next_token=next_position(listings, at, last))
