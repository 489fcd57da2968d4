"""The staff directory in memory (StaffDirectory): members added by username, disabled by hand."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from motcua.domain.ports import StaffDirectory, StaffMember

if TYPE_CHECKING:
    from motcua.domain.roles import Role


class InMemoryStaffDirectory:
    """Implements StaffDirectory as the staff pool answers AdminGetUser: a username it does not hold
    is None; sign-in names are matched without regard to case (the pool is case-insensitive) and the
    member comes back spelt as it was added."""

    def __init__(self) -> None:
        self._members: dict[str, StaffMember] = {}

    def add(self, username: str, *, agency: str | None, role: Role | None, name: str | None = None) -> None:
        self._members[username.casefold()] = StaffMember(
            username=username, name=name, agency=agency, role=role, enabled=True
        )

    def disable(self, username: str) -> None:
        self._members[username.casefold()] = replace(self._members[username.casefold()], enabled=False)

    def member(self, username: str) -> StaffMember | None:
        return self._members.get(username.casefold())


def _conforms() -> StaffDirectory:
    return InMemoryStaffDirectory()
