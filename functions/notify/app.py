"""Lambda entry point of notifications: an SQS batch of the table's stream records, each handled alone."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response

from motcua.adapters.appointments import booking_from_stream
from motcua.adapters.dynamodb import audit_from_stream
from motcua.adapters.feedback import feedback_from_stream
from motcua.container import get_container
from motcua.observability import flush, logger

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

# A batch whose every record failed (SES down) is reported like any other: the records come back
# after the visibility timeout, and the NotificationFailed metric, not a Lambda error, tells.
processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)


def record_handler(record: SQSRecord) -> None:
    body = json.loads(record.body)
    booking = booking_from_stream(body)
    if booking is not None:  # a new appointment: its email (with the QR) and SMS
        logger.append_keys(booking_code=booking.code, event="booked")
        get_container().booking_notices.notify(booking)
        return
    feedback = feedback_from_stream(body)
    if feedback is not None:  # an agency answered a citizen's feedback: its email and SMS
        logger.append_keys(feedback_code=feedback.code, event="feedback_answered")
        get_container().feedback_notices.notify(feedback)
        return
    found = audit_from_stream(body)
    if found is None:  # the pipe's filter lets only these through; anything else is not ours to send
        logger.warning("not an audit entry to notify", extra={"message_id": record.message_id})
        return
    code, entry, event = found
    logger.append_keys(dossier_code=code, event=event.value, audit_seq=entry.seq)
    get_container().notifications.notify(code, entry, event)


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    container = get_container()
    container.once.register(context)
    try:
        return dict(
            process_partial_response(
                event=event, record_handler=record_handler, processor=processor, context=context
            )
        )
    finally:
        flush()
