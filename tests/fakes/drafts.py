"""An in-memory DraftRepository, with the DynamoDB adapter's conditions; filing on the in-memory dossier
repository removes the filed procedure's draft, as the filing transaction does on the table."""

from __future__ import annotations

from typing import TYPE_CHECKING

from motcua.domain.ports import DraftChanged, DraftRepository

if TYPE_CHECKING:
    from datetime import datetime

    from motcua.domain.drafts import Draft


class InMemoryDraftRepository:
    def __init__(self) -> None:
        # Expired drafts stay until "the TTL" removes them (`expire`), as on the table.
        self.items: dict[tuple[str, str], Draft] = {}

    def get(self, owner: str, procedure_code: str, *, now: datetime) -> Draft | None:
        found = self.items.get((owner, procedure_code))
        return found if found is not None and found.expires_at > now else None

    def list(self, owner: str, *, now: datetime) -> list[Draft]:
        mine = [d for (who, _), d in self.items.items() if who == owner and d.expires_at > now]
        return sorted(mine, key=lambda draft: draft.saved_at, reverse=True)

    def put(self, draft: Draft, *, expected_version: int | None, now: datetime) -> None:
        stored = self.items.get((draft.owner, draft.procedure_code))
        live = stored is not None and stored.expires_at > now
        if expected_version is None and live:
            raise DraftChanged(draft.procedure_code)
        if expected_version is not None and (
            not live or stored is None or stored.version != expected_version
        ):
            raise DraftChanged(draft.procedure_code)
        self.items[(draft.owner, draft.procedure_code)] = draft

    def delete(self, owner: str, procedure_code: str, *, expected_version: int | None) -> bool:
        stored = self.items.get((owner, procedure_code))
        if stored is None:
            return False
        if expected_version is not None and stored.version != expected_version:
            raise DraftChanged(procedure_code)
        del self.items[(owner, procedure_code)]
        return True

    def filed(self, owner: str, procedure_code: str) -> None:
        """The citizen filed the procedure: its draft goes in the filing's transaction."""
        self.items.pop((owner, procedure_code), None)

    def expire(self, now: datetime) -> int:
        """Test hook: the table's TTL removes what expired; how many."""
        gone = [key for key, draft in self.items.items() if draft.expires_at <= now]
        for key in gone:
            del self.items[key]
        return len(gone)


def _conforms() -> DraftRepository:
    return InMemoryDraftRepository()
