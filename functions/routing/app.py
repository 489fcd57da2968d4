"""Lambda entry point of routing: an SQS batch of flow messages, each handled alone (partial failures)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response

from motcua.container import get_container
from motcua.observability import flush, logger
from motcua.services.coordinator import FlowMessage

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

processor = BatchProcessor(event_type=EventType.SQS)


def record_handler(record: SQSRecord) -> None:
    message = FlowMessage.model_validate_json(record.body)
    logger.append_keys(dossier_code=message.dossier_code, kind=message.kind)
    get_container().coordinator.handle(message)


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
