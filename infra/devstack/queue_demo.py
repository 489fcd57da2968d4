"""The demo's queue: a few tickets of today at each centre that is open when the stack starts."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from motcua.adapters.clock import SystemClock
from motcua.adapters.queue import DynamoQueueStore
from motcua.domain.queue import TicketKind
from motcua.services.queue import QueueService

if TYPE_CHECKING:
    from motcua.config.province import Province

# What a morning's kiosk gives before anyone looks: a few walk-ins and one priority, per centre.
DEMO_TICKETS = (TicketKind.WALK_IN, TicketKind.ELDERLY, TicketKind.WALK_IN, TicketKind.WALK_IN)


def seed_queue(client: Any, table_name: str, province: Province) -> int:
    """Issue the demo tickets at each open centre that has none today; how many were issued."""
    queue = QueueService(province=province, store=DynamoQueueStore(client, table_name), clock=SystemClock())
    issued = 0
    for centre in province.centres:
        if not queue.opening(centre.id).open:
            continue
        _, day = queue.day(centre.id)
        if any(day.last_numbers.values()):
            continue  # the stack started again today: the tickets are there
        for n, kind in enumerate(DEMO_TICKETS):
            service = centre.services[n % len(centre.services)]
            queue.issue(centre.id, service.code, kind)
            issued += 1
    return issued


def queue_lines(portal_url: str, province: Province) -> list[str]:
    """The banner's lines: each centre's kiosk and board, and the counter console."""
    if not province.centres:
        return []
    lines = [f"  Counter   {portal_url}/#/counter   (receivers and leaders of a counter's agency)"]
    lines.append(f"  Bookings  {portal_url}/#/appointments/day   (the day's appointments, from the counter)")
    for centre in province.centres:
        lines.append(f"  Kiosk     {portal_url}/#/kiosk/{centre.id}   Board {portal_url}/#/board/{centre.id}")
    return lines
