"""Reading again when someone else wrote the dossier between a user's read and their write."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from motcua.domain.errors import DossierChanged

if TYPE_CHECKING:
    from collections.abc import Callable

T = TypeVar("T")
ATTEMPTS = 3


def on_fresh_read(attempt: Callable[[], T]) -> T:
    """Run `attempt` — read, decide, write — again when the dossier changed in between.

    The flows, the sweep and other officers write dossiers too: a user must not get a 409 because
    the platform moved a version on. On the fresh read the attempt decides again, and refuses what
    is no longer allowed; only a dossier that keeps changing under it ends in DossierChanged.
    """
    for n in range(ATTEMPTS):
        try:
            return attempt()
        except DossierChanged:
            if n == ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")
