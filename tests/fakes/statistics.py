"""The statistics' counters in memory: each read sums, with the live consumer's own `cells_of_image`,
the contributions of the in-memory repository's dossiers and tasks as they are now (what the live
counters always equal, docs/statistics.md). The drill-down filters the dossiers by the index entries
the DynamoDB adapter writes (`index_keys`)."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

from motcua.adapters.statistics import cells_of_image, item_moves
from motcua.domain.drilldown import dossier_facts, index_keys, next_position, read_position
from motcua.domain.models import Dossier, Page
from motcua.domain.statistics import NOW, months_between

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence
    from datetime import date

    from motcua.domain.calendar import WorkingCalendar
    from motcua.domain.drilldown import Listing
    from tests.fakes.repository import InMemoryDossierRepository


class InMemoryCounterStore:
    """The part of `DynamoCounterStore` the API reads (`counters`, `read_keys`), and the drill-down's
    index (`dossiers`, as `DynamoDrillDown`)."""

    def __init__(
        self,
        repository: InMemoryDossierRepository,
        calendar: WorkingCalendar,
        fees: Callable[[], list[dict[str, Any]]] | None = None,
    ) -> None:
        self.repository = repository
        self.calendar = calendar
        self.fees = fees  # the fee items' images (the payment store's), counted beside the dossiers

    def _images(self) -> Iterator[dict[str, Any]]:
        for code in list(self.repository._dossiers):  # noqa: SLF001 — the fake's own store, read whole
            record = self.repository.get(code)
            assert record is not None
            yield {"type": {"S": "dossier"}, "data": {"S": record.dossier.model_dump_json()}}
            yield from ({"type": {"S": "task"}, "data": {"S": t.model_dump_json()}} for t in record.tasks)
        if self.fees is not None:
            yield from self.fees()

    def counters(self, agencies: Sequence[str] | None, first: str, today: date) -> dict[str, dict[str, int]]:
        periods = [*months_between(first, f"{today:%Y-%m}"), NOW]
        summed: dict[str, Counter[str]] = {period: Counter() for period in periods}
        for image in self._images():
            for (period, agency, _procedure, name), n in cells_of_image(image, self.calendar).items():
                if period in summed and (agencies is None or agency in agencies):
                    summed[period][name] += n
        return {period: dict(names) for period, names in summed.items()}

    def read_keys(self, wanted: Sequence[tuple[str, str]]) -> dict[tuple[str, str], dict[str, int]]:
        """The counter items the stream would hold (`item_moves` of every contribution)."""
        totals: Counter[Any] = Counter()
        for image in self._images():
            totals.update(cells_of_image(image, self.calendar))
        items = item_moves({cell: n for cell, n in totals.items() if n})
        return {key: dict(items[key]) for key in dict.fromkeys(wanted) if key in items}

    def dossiers(self, listings: Sequence[Listing], *, limit: int, token: str | None) -> Page[Dossier]:
        if not listings:
            return Page(items=[], next_token=None)
        at, after = read_position(token, listings) if token else (0, None)
        listing = listings[at]
        sort = f"{listing.index}SK"
        held = sorted(
            (keys[sort], stored.dossier)
            for stored in self.repository._dossiers.values()  # noqa: SLF001
            if listing.holds(keys := index_keys(stored.dossier.code, dossier_facts(stored.dossier)))
        )
        if after:
            held = [(key, d) for key, d in held if key > after[sort]]
        page = held[:limit]
        last = None
        if len(held) > limit:
            key, dossier = page[-1]
            last = {"PK": f"D#{dossier.code}", "SK": "D", f"{listing.index}PK": listing.key, sort: key}
        return Page(items=[d for _, d in page], next_token=next_position(listings, at, last))
