"""The statistics' counters in memory: each read sums, with the live consumer's own `cells_of_image`,
the contributions of the in-memory repository's dossiers and tasks as they are now (what the live
counters always equal, docs/statistics.md)."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from motcua.adapters.statistics import cells_of_image
from motcua.domain.statistics import NOW, months_between

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import date

    from motcua.domain.calendar import WorkingCalendar
    from tests.fakes.repository import InMemoryDossierRepository


class InMemoryCounterStore:
    """The part of `DynamoCounterStore` the API reads: `counters`."""

    def __init__(self, repository: InMemoryDossierRepository, calendar: WorkingCalendar) -> None:
        self.repository = repository
        self.calendar = calendar

    def counters(self, agencies: Sequence[str] | None, first: str, today: date) -> dict[str, dict[str, int]]:
        periods = [*months_between(first, f"{today:%Y-%m}"), NOW]
        summed: dict[str, Counter[str]] = {period: Counter() for period in periods}
        for code in list(self.repository._dossiers):  # noqa: SLF001 — the fake's own store, read whole
            record = self.repository.get(code)
            assert record is not None
            images = [{"type": {"S": "dossier"}, "data": {"S": record.dossier.model_dump_json()}}]
            images += [{"type": {"S": "task"}, "data": {"S": t.model_dump_json()}} for t in record.tasks]
            for image in images:
                for (period, agency, _procedure, name), n in cells_of_image(image, self.calendar).items():
                    if period in summed and (agencies is None or agency in agencies):
                        summed[period][name] += n
        return {period: dict(names) for period, names in summed.items()}
