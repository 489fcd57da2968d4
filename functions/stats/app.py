"""Lambda entry point of the statistics: an SQS batch of the table's stream records (dossier and task
items), each moving the counters once (docs/statistics.md)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response

from motcua.container import get_container
from motcua.observability import flush, logger

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

# A record that fails (DynamoDB throttled past the SDK's retries) is reported alone and comes back
# after the visibility timeout; the others of the batch are not applied again, and would change
# nothing if they were: each carries its stream record's marker.
processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)


def record_handler(record: SQSRecord) -> None:
    stream_record = json.loads(record.body)
    applied = get_container().statistics.apply_record(stream_record)
    logger.debug("statistics", extra={"event_id": stream_record.get("eventID"), "applied": applied})


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    try:
        return dict(
            process_partial_response(
                event=event, record_handler=record_handler, processor=processor, context=context
            )
        )
    finally:
        flush()
