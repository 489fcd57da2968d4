"""Telling citizens what happened to their dossier: from one audit entry to delivered messages.

The change and its audit entry were written in one transaction; the table's stream carries the entry
here (through a pipe and a queue), so a provider that fails never holds the dossier back. Each message
is sent once: a retry of the whole record skips what already went out.
"""

from __future__ import annotations

import functools
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from motcua.domain.ports import OutgoingMessage
from motcua.domain.sent import SentMessage, mask_address, summary_of
from motcua.observability import count, logger

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from motcua.config.province import Province
    from motcua.domain.audit import AuditEntry
    from motcua.domain.events import Event
    from motcua.domain.models import Dossier
    from motcua.domain.ports import Clock, DossierRepository, Messenger, OnceOnly, SentMessages
    from motcua.notifications.compose import Message
    from motcua.presentation.presenter import Presenter


class DeliveryFailed(RuntimeError):
    """Some messages of an entry could not be sent now; those that went out are not sent again."""


class NotificationService:
    def __init__(
        self,
        *,
        province: Province,
        repository: DossierRepository,
        presenter: Presenter,
        messengers: Mapping[str, Messenger],
        once: OnceOnly,
        sent: SentMessages,
        clock: Clock,
        # The rating page's signed link for a dossier (the final message carries it); None: no link.
        rating_link: Callable[[str], str] | None = None,
    ) -> None:
        self.rating_link = rating_link
        self.province = province
        self.repository = repository
        self.presenter = presenter
        self.messengers = messengers
        self.once = once
        self.sent = sent
        self.clock = clock

    def notify(self, code: str, entry: AuditEntry, event: Event) -> int:
        """Send what `entry` means to the applicant; how many messages it means (sent now or before)."""
        record = self.repository.get(code)
        if record is None:  # the entry was written with its dossier: this cannot be, say so loudly
            raise LookupError(f"dossier {code} of audit entry {entry.seq} is not there")
        dossier = record.dossier
        rating_url = None
        if self.rating_link is not None and event.value == "returned":
            rating_url = self.rating_link(dossier.code)
        messages = messages_for(self.province, self.presenter, dossier, entry, event, rating_url=rating_url)
        failures = []
        for message in messages:
            try:
                answer = self.once.run(message.key, functools.partial(self._deliver, message))
                self._keep(dossier, message, answer)
            except Exception as error:  # noqa: BLE001 — the others still go; the record comes back later
                count("NotificationFailed", channel=message.channel)
                logger.warning("not sent", extra={"key": message.key, "error": error_kind(error)})
                failures.append(message.key)
        if failures:
            raise DeliveryFailed(f"not sent now: {', '.join(failures)} (of {len(messages)})")
        return len(messages)

    def keep_unsent(self, code: str) -> int:
        """Keep, without sending, what every entry of dossier `code` would have sent, each at the entry's
        time: the local stack's made-up history (infra/devstack/history.py), whose messages never go
        out, still fills its citizens' notifications pages. How many messages were kept."""
        from motcua.domain.events import event_for

        record = self.repository.get(code)
        if record is None:
            raise LookupError(f"dossier {code} is not there")
        kept = 0
        for entry in self.repository.audit_trail(code):
            event = event_for(entry)
            if event is None:
                continue
            for message in messages_for(self.province, self.presenter, record.dossier, entry, event):
                self._keep(record.dossier, message, {"sent_at": entry.at.isoformat()})
                kept += 1
        return kept

    def _keep(self, dossier: Dossier, message: Message, answer: dict[str, str]) -> None:
        """Keep what went out under the account that filed, for its notifications page. After the
        send, with the once-only record's time: a message delivered again, or whose keeping failed and
        is retried, finds the same item (one record per message, never a second send)."""
        sent_at = datetime.fromisoformat(answer["sent_at"])
        kept = SentMessage(
            key=message.key,
            owner=dossier.owner,
            dossier_code=dossier.code,
            channel=message.channel,
            to=mask_address(message.channel, message.to),
            sent_at=sent_at,
            event=message.event,
            language=message.language,
            summary=summary_of(message.subject, message.text),
            template=message.template,
        )
        # As long as the dossier: its partition's TTL counts from the filing (docs/privacy.md).
        expires_at = dossier.filed_at + timedelta(days=self.province.retention.dossiers_days)
        self.sent.record(kept, expires_at=expires_at)

    def _deliver(self, message: Message) -> dict[str, str]:
        provider_id = self.messengers[message.channel].send(
            OutgoingMessage(
                channel=message.channel,
                to=message.to,
                text=message.text,
                subject=message.subject or "",
                html=message.html or "",
            )
        )
        count("NotificationSent", channel=message.channel)
        logger.info("sent", extra={"key": message.key, "template": message.template})
        return {
            "channel": message.channel,
            "provider_id": provider_id,
            "template": message.template,
            "sent_at": self.clock.now().isoformat(),
        }


def messages_for(
    province: Province,
    presenter: Presenter,
    dossier: Dossier,
    entry: AuditEntry,
    event: Event,
    *,
    rating_url: str | None = None,
) -> list[Message]:
    """The messages one audit entry of `dossier` means for its applicant (also what their export shows)."""
    from motcua.notifications.compose import compose

    agency = province.agencies_by_code.get(dossier.agency)
    procedure = province.procedures_by_code.get(dossier.procedure_code)
    return compose(
        event,
        dossier,
        entry,
        province_name=province.name,
        agency_name=agency.name if agency else dossier.agency,
        agency_address=agency.address if agency else None,
        portal_url=presenter.portal_url,
        tracking_url=presenter.tracking_url(dossier.code),
        sender=province.sender_email,
        result_delivery=procedure.result_delivery if procedure else (),
        rating_url=rating_url,
    )


def error_kind(error: BaseException) -> str:
    """What failed, without what the provider's message quotes (SES names the address it refused)."""
    response = getattr(error, "response", None)
    code = response.get("Error", {}).get("Code") if isinstance(response, dict) else None
    return f"{type(error).__name__} {code}" if code else type(error).__name__
