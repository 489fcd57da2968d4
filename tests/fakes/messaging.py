"""Messages to citizens kept in a list (Messenger), and once-only actions kept in a dict (OnceOnly)."""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

from motcua.domain.ports import Messenger, OnceOnly, OutgoingMessage

if TYPE_CHECKING:
    from collections.abc import Callable


class ProviderDown(Exception):  # noqa: N818 — what SES or SNS raising looks like to the caller
    """The provider refused or could not be reached."""


class RecordingMessenger:
    """Implements Messenger: keeps what it sends; `fail_next` makes the provider fail, as SES/SNS may."""

    def __init__(self, channel: str = "email") -> None:
        self.channel = channel
        self.sent: list[OutgoingMessage] = []
        self._failures = 0
        self._ids = itertools.count(1)

    def fail_next(self, times: int = 1) -> None:
        self._failures += times

    def send(self, message: OutgoingMessage) -> str:
        if message.channel != self.channel:
            raise ValueError(f"a {self.channel} messenger was handed a {message.channel} message")
        if self._failures:
            self._failures -= 1
            raise ProviderDown(f"{self.channel} provider unavailable")
        self.sent.append(message)
        return f"{self.channel}-{next(self._ids)}"


class ActionInProgress(Exception):  # noqa: N818 — Powertools' IdempotencyAlreadyInProgressError
    """Another caller runs the action for this key right now; the caller is retried later."""


class InMemoryOnceOnly:
    """Implements OnceOnly as Powertools' idempotency does: the first answer is kept and returned again;
    an action that raises keeps nothing (the next call runs it again); a call while the same key's action
    runs fails instead of running it twice."""

    def __init__(self) -> None:
        self.answers: dict[str, dict[str, str]] = {}
        self._running: set[str] = set()

    def run(self, key: str, action: Callable[[], dict[str, str]]) -> dict[str, str]:
        if key in self.answers:
            return dict(self.answers[key])
        if key in self._running:
            raise ActionInProgress(key)
        self._running.add(key)
        try:
            answer = action()
        finally:
            self._running.discard(key)
        self.answers[key] = dict(answer)
        return dict(answer)


def _conforms() -> tuple[Messenger, OnceOnly]:
    return RecordingMessenger(), InMemoryOnceOnly()
