"""Lambda entry point of the recount (docs/statistics.md, "The recount"): one function for every step
of the recount's state machine, the step named by the event's `step`.

    {"step": "pause"}                                   → {"consumer": …}
    {"step": "start", "run": <execution name>, "at": <ISO>}  → {"export": <ARN>, "since": T, "run": …}
    {"step": "poll", "export": <ARN>}                   → {"status": …, "manifest": <key> once done}
    {"step": "sum", "run": …, "data_file": <key>}       → {"sums": <key>, "lines": n, …}   (map item)
    {"step": "reduce", "run": …, "manifest": <key>}     → {"written": n, "deleted": n, …}
    {"step": "replay", "since": T}                      → {"drained": bool, "applied": n, …}
    {"step": "resume"}                                  → {"consumer": …}

Where the export goes and what is paused come from the environment (infra/constructs/recount.py).
"""

from __future__ import annotations

import os
from functools import cache
from typing import Any

from motcua.adapters import clients
from motcua.adapters.recount import Recount, seconds_left
from motcua.container import get_container
from motcua.observability import flush, logger


@cache
def recount() -> Recount:
    container = get_container()
    region = container.settings.region
    return Recount(
        store=container.statistics,
        dynamodb=clients.client("dynamodb", region),
        s3=clients.client("s3", region),
        sqs=clients.client("sqs", region),
        lambda_=clients.client("lambda", region),
        table_arn=os.environ["MOTCUA_TABLE_ARN"],
        bucket=os.environ["MOTCUA_RECOUNT_BUCKET"],
        prefix=os.environ.get("MOTCUA_RECOUNT_PREFIX", "recount/"),
        kms_key=os.environ.get("MOTCUA_RECOUNT_KMS_KEY") or None,
        queues=tuple(q for q in os.environ.get("MOTCUA_STATS_QUEUES", "").split(",") if q),
        mapping=os.environ.get("MOTCUA_STATS_MAPPING") or None,
    )


STEPS = ("pause", "start", "poll", "sum", "reduce", "replay", "resume")


def run_step(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    if event.get("step") not in STEPS:
        raise ValueError(f"no recount step {event.get('step')!r}; the steps: {', '.join(STEPS)}")
    steps = recount()
    match event["step"]:
        case "pause":
            return steps.pause()
        case "start":
            return steps.start(str(event["run"]), event.get("at"))
        case "poll":
            return steps.poll(str(event["export"]))
        case "sum":
            return steps.sum(str(event["run"]), str(event["data_file"]))
        case "reduce":
            return steps.reduce(str(event["run"]), str(event["manifest"]))
        case "replay":
            return steps.replay(float(event["since"]), seconds_left(context))
        case _:  # "resume"
            return steps.resume()


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    try:
        answer = run_step(event, context)
        logger.info("recount", extra={"step": event.get("step"), "answer": answer})
        return answer
    finally:
        flush()
