"""Lambda entry point of the scheduled sweep (an EventBridge schedule; a timer in the local stack)."""

from __future__ import annotations

from typing import Any

from motcua.container import get_container
from motcua.observability import flush, logger


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """The schedule's event carries nothing the sweep needs: it reads the clock and the table."""
    try:
        container = get_container()
        report = container.sweep.run().model_dump(mode="json")
        # Appointments whose slot ended without a check-in become no-shows (docs/counter.md).
        report["no_shows"] = container.appointments.mark_no_shows()
        return report
    finally:
        flush()
