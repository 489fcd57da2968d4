"""Flows across a restart of the local stack: the executions that were running are started again.

moto keeps Step Functions executions in memory, and they cannot be replayed faithfully: a replayed
StartExecution would run the flow again, and its worker threads' own SQS messages are in the
recording already. So the stack replays with Step Functions execution switched off (StartExecution
and SendTaskSuccess then only answer; moto's random ids are drawn as they were), switches it on, and
then this module:

1. purges the routing queue: the replay put back messages that routing had handled already, with
   task tokens of executions that no longer exist;
2. starts every flow that was in progress again, through `FlowCoordinator.restart` (a new attempt:
   its input lists the steps already decided, which the state machine skips; open steps get new
   tokens through routing; a step that had asked for papers waits for the citizen again);
3. delivers the routing queue until every restarted flow waits where it stood, so that the steps
   are back in their agencies' inboxes when the portal opens (`restart` takes an open step out of
   the inbox until the new execution gives it a token).

Finding those dossiers reads every item of the table, from moto's memory in the same process (what a
Scan would give, without serializing each page or evaluating a filter on each item, and without
adding to the recording). That is acceptable here only: it runs once, at a local start; no request
path ever scans (docs/local-stack.md).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from motcua.domain.models import TaskKind, TaskState
from motcua.domain.status import Status

from .queues import poll_once

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping

    from .queues import Handler

# Đang xử lý, Yêu cầu bổ sung giấy tờ: the statuses a flow can be running in.
IN_PROGRESS = (Status.IN_PROCESS, Status.MORE_PAPERS)
SETTLE_SECONDS = 15.0


@dataclass
class Restarted:
    """What the start did with the flows it found."""

    restarted: list[str] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)  # code -> why
    unsettled: list[str] = field(default_factory=list)  # still on their way when the wait ended


def in_progress(items: Iterable[Mapping[str, Any]]) -> list[str]:
    """Codes of the dossiers whose flow was running: `flow` true, status 4 or 5.

    `items` are the table's items (their `type`, `status` and `data`), read from moto's memory by
    the stack (`MotoServer.table_items`): a one-off at the local stack's start (see the module's note).
    """
    statuses = {str(int(status)) for status in IN_PROGRESS}
    codes: list[str] = []
    for item in items:
        if item.get("type") != {"S": "dossier"} or item.get("status", {}).get("N") not in statuses:
            continue
        data = json.loads(item["data"]["S"])
        if data.get("flow"):
            codes.append(str(data["code"]))
    return sorted(codes)


ITEM_ATTRIBUTES = ("type", "status", "data")  # what in_progress reads of each item
# The only items in_progress may keep (`table_items`' filter, applied in moto's process): dossiers in 4 or 5.
ITEMS_IN_PROGRESS = {"type": ("dossier",), "status": tuple(str(int(status)) for status in IN_PROGRESS)}


def restart_flows(
    container: Any,
    sqs: Any,
    items: Callable[[], Iterable[Mapping[str, Any]]],
    *,
    handler: Handler,
    waiting: Callable[[], int] | None = None,
    settle_seconds: float = SETTLE_SECONDS,
) -> Restarted:
    """Purge the routing queue, start the flows in progress again, and route until they wait again."""
    settings = container.settings
    queue_url = settings.routing_queue_url
    result = Restarted()
    sqs.purge_queue(QueueUrl=queue_url)
    before: dict[str, dict[str, str | None]] = {}
    for code in in_progress(items()):
        record = container.repository.get(code)
        if record is None:
            continue
        if any(task.attention for task in record.tasks):
            # The flow had ended (stalled, failed) and handed the dossier back to the desk, which
            # starts it again itself ("restart_flow"); it was not running.
            result.skipped[code] = "handed back to the receiving desk"
            continue
        tokens = _tokens(record)
        if container.coordinator.restart(code):
            result.restarted.append(code)
            before[code] = tokens
        else:
            result.skipped[code] = "no flow in progress"
    if before:
        result.unsettled = _settle(
            container, sqs, queue_url, handler, before, waiting=waiting, timeout=settle_seconds
        )
    return result


def _tokens(record: Any) -> dict[str, str | None]:
    """The token of each step task not yet decided, as the lost execution had given it."""
    return {
        task.task_id: task.token
        for task in record.tasks
        if task.kind is TaskKind.STEP and task.state is not TaskState.CLOSED
    }


def _settled(container: Any, code: str, before: dict[str, str | None]) -> bool:
    """The restarted flow waits where it stood: every step that was not decided is open again with a
    token of the new execution (a dossier waiting for papers: it has the new token for the answer)."""
    record = container.repository.get(code)
    if record is None or record.dossier.status not in IN_PROGRESS:
        return True  # it went on and ended (every step had been decided already)
    if record.dossier.status is Status.MORE_PAPERS:
        return record.dossier.resume_token is not None
    return all(
        task.state is TaskState.CLOSED
        or (task.state is TaskState.OPEN and task.token is not None and task.token != before[task.task_id])
        for task in record.tasks
        if task.task_id in before
    )


def _settle(
    container: Any,
    sqs: Any,
    queue_url: str,
    handler: Handler,
    before: dict[str, dict[str, str | None]],
    *,
    waiting: Callable[[], int] | None,
    timeout: float,
) -> list[str]:
    """Deliver the routing queue until every restarted flow is settled; those that are not by then."""
    pending = set(before)
    deadline = time.monotonic() + timeout
    while pending and time.monotonic() < deadline:
        if (waiting is None or waiting()) and poll_once(sqs, queue_url, handler, wait_seconds=0):
            pending = {code for code in pending if not _settled(container, code, before[code])}
            continue
        time.sleep(0.05)
    return sorted(pending)
