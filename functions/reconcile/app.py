"""Lambda entry point of the daily reconciliation (an EventBridge schedule; `make reconcile` locally)."""

from __future__ import annotations

from datetime import date
from typing import Any

from motcua.container import get_container
from motcua.observability import flush, logger


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """`{"day": "2026-12-05"}` reconciles that day; the schedule sends nothing: yesterday, Vietnam time."""
    try:
        asked = event.get("day") if isinstance(event, dict) else None
        day = date.fromisoformat(asked) if isinstance(asked, str) and asked else None
        report = get_container().reconciliation.run(day)
        return {
            "day": report.day.isoformat(),
            "differences": len(report.differences),
            **{kind.value: n for kind, n in report.counts().items()},
            "here_count": report.totals.here_count,
            "there_count": report.totals.there_count,
        }
    finally:
        flush()
