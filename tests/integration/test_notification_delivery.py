"""Notifications on moto, end to end: table stream → pipe filter → queue → notifier → SES and SNS.

The pipe is the local stack's (infra/devstack/streams.py, the filter the CDK app gives EventBridge Pipes);
the queue is handed to the notify Lambda's own handler as its SQS trigger would. Failed messages
come back at once here (visibility timeout 0); Lambda would wait the queue's timeout.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError

from infra.devstack.queues import poll_once, redrive
from infra.devstack.streams import StreamForwarder, api_reader
from motcua.adapters import clients
from motcua.container import use
from motcua.domain.status import Status
from motcua.resources import NOTIFY_PATTERN, NOTIFY_QUEUE
from motcua.services.inbox import Decision
from tests.conftest import REGION
from tests.integration.conftest import filing_request
from tests.shown import decide

ACCOUNT = "123456789012"
WARD = "000.01.01.H99"  # receives birth registrations


class Pipe:
    """The stream, the queue and the notifier, turned by hand."""

    def __init__(self, container: Any, outputs: Any) -> None:
        from notify.app import handler

        self.container = container
        self.handler = handler
        self.sqs = clients.client("sqs", REGION)
        self.queue = outputs.notify_queue_url
        self.dlq = self.sqs.get_queue_url(QueueName=self.queue.rsplit("/", 1)[1] + "-dlq")["QueueUrl"]
        self.forwarder = StreamForwarder(
            api_reader(clients.client("dynamodbstreams", REGION), outputs.table_stream_arn),
            self.sqs,
            self.queue,
            NOTIFY_PATTERN,
        )

    def forward(self) -> int:
        while self.forwarder.forward_once():
            pass
        return self.forwarder.forwarded

    def deliver(self, rounds: int = 1) -> None:
        """`rounds` times: receive what is visible, hand it to the handler, delete what succeeded."""
        for _ in range(rounds):
            while poll_once(self.sqs, self.queue, self.handler):
                pass

    def waiting(self, queue: str) -> int:
        attributes = self.sqs.get_queue_attributes(
            QueueUrl=queue,
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        )["Attributes"]
        return int(attributes["ApproximateNumberOfMessages"]) + int(
            attributes["ApproximateNumberOfMessagesNotVisible"]
        )


@pytest.fixture
def pipe(container: Any, outputs: Any) -> Iterator[Pipe]:
    use(container)
    pipe = Pipe(container, outputs)
    pipe.sqs.set_queue_attributes(QueueUrl=pipe.queue, Attributes={"VisibilityTimeout": "0"})
    yield pipe
    use(None)


def emails(to: str | None = None) -> list[Any]:
    from moto.ses.models import ses_backends

    sent = ses_backends[ACCOUNT][REGION].sent_messages
    return [m for m in sent if to is None or to in m.destinations["ToAddresses"]]


def texts() -> list[tuple[str, str]]:
    from moto.sns.models import sns_backends

    return list(sns_backends[ACCOUNT][REGION].sms_messages.values())


class Failing:
    """A messenger that fails `times` times (None: for good) before it lets messages through."""

    def __init__(self, inner: Any, times: int | None) -> None:
        self.inner = inner
        self.times = times
        self.failures = 0

    def send(self, message: Any) -> str:
        if self.times is None or self.failures < self.times:
            self.failures += 1
            raise ClientError(
                {"Error": {"Code": "Throttling", "Message": "Maximum sending rate exceeded."}}, "SendEmail"
            )
        return str(self.inner.send(message))


def file(container: Any, citizen: Any, key: str = "notify-1") -> str:
    return str(container.filing.file(citizen, filing_request(container, citizen), key).dossier.code)


def test_filing_tells_the_applicant_by_email_and_sms(container: Any, people: Any, pipe: Pipe) -> None:
    citizen = people.citizen("an@example.vn")
    code = file(container, citizen)

    assert pipe.forward() == 1  # one audit entry the citizen hears about; the dossier's other items not
    pipe.deliver()

    [mail] = emails("an@example.vn")
    assert code in mail.subject and "Nguyễn Văn An" in mail.body
    assert f"http://127.0.0.1:8000/#/tracking/{code}" in mail.body
    [(number, text)] = texts()
    assert number == "+84901234567"  # the applicant wrote 0901234567
    assert code in text and len(text) <= 160 and text.isascii()
    assert pipe.waiting(pipe.queue) == 0


def test_each_change_the_citizen_should_know_about_is_told_once(
    container: Any, people: Any, pipe: Pipe
) -> None:
    citizen = people.citizen("an@example.vn")
    desk = people.staff("canbo.phuong", WARD, "receiver")
    officer = people.staff("chuyenvien.phuong", WARD, "officer")
    code = file(container, citizen)
    for action in ("accept", "approve", "return_result"):
        decide(container, officer if action == "approve" else desk, f"{code}-T1", Decision(action=action))

    pipe.forward()
    pipe.deliver()

    subjects = [m.subject for m in emails("an@example.vn")]
    # filed, accepted, result ready, returned: four changes, one email each (and one SMS each)
    assert len(subjects) == 4 and len(texts()) == 4
    assert all(code in subject for subject in subjects)
    assert len(set(subjects)) == 4


def test_the_same_record_delivered_twice_sends_once(container: Any, people: Any, pipe: Pipe) -> None:
    citizen = people.citizen("an@example.vn")
    file(container, citizen)
    pipe.forward()
    # SQS delivers at least once: the pipe (or a retry) hands the same record over again.
    body = pipe.sqs.receive_message(QueueUrl=pipe.queue)["Messages"][0]["Body"]
    pipe.sqs.send_message(QueueUrl=pipe.queue, MessageBody=body)
    pipe.sqs.send_message(QueueUrl=pipe.queue, MessageBody=body)

    pipe.deliver()

    assert len(emails()) == 1 and len(texts()) == 1


def test_a_provider_failing_for_a_while_is_retried_and_delivers_once(
    container: Any, people: Any, pipe: Pipe
) -> None:
    citizen = people.citizen("an@example.vn")
    mail = Failing(container.notifications.messengers["email"], times=2)
    container.notifications.messengers["email"] = mail
    code = file(container, citizen)
    pipe.forward()

    pipe.deliver(rounds=1)  # first attempt: SES throttles; the SMS goes
    assert emails() == [] and len(texts()) == 1
    assert pipe.waiting(pipe.queue) == 1  # the record came back for another try

    pipe.deliver(rounds=3)

    assert mail.failures == 2
    assert len(emails("an@example.vn")) == 1 and len(texts()) == 1  # the SMS was not sent again
    assert pipe.waiting(pipe.queue) == 0
    assert container.repository.get(code).dossier.status is Status.SUBMITTED


def test_a_provider_failing_for_good_lands_in_the_dlq_and_a_redrive_delivers_once(
    container: Any, people: Any, pipe: Pipe
) -> None:
    citizen = people.citizen("an@example.vn")
    officer = people.staff("canbo.phuong", WARD, "receiver")
    healthy = container.notifications.messengers["email"]
    container.notifications.messengers["email"] = Failing(healthy, times=None)
    code = file(container, citizen)
    pipe.forward()

    pipe.deliver(rounds=NOTIFY_QUEUE.max_receives + 1)

    assert emails() == []
    assert pipe.waiting(pipe.queue) == 0 and pipe.waiting(pipe.dlq) == 1
    # The dossier went on regardless: the desk accepted it while SES was down.
    decide(container, officer, f"{code}-T1", Decision(action="accept"))
    assert container.repository.get(code).dossier.status is Status.IN_PROCESS

    container.notifications.messengers["email"] = healthy  # SES is back
    assert redrive(pipe.sqs, pipe.dlq, pipe.queue) == 1
    pipe.forward()
    pipe.deliver()

    subjects = [m.subject for m in emails("an@example.vn")]
    assert len(subjects) == 2  # the filing, once (after the redrive), and the acceptance
    assert len(texts()) == 2  # the filing's SMS went out on the first try, and was not sent again
    assert pipe.waiting(pipe.dlq) == 0


def typed_elsewhere(container: Any, citizen: Any) -> Any:
    """A filing whose applicant's email and phone are someone else's, not the account's."""
    request = filing_request(container, citizen)
    applicant = request.applicant.model_copy(
        update={"email": "nguoi.khac@example.org", "phone": "0987654321"}
    )
    return request.model_copy(update={"applicant": applicant})


def test_messages_go_to_the_accounts_verified_contacts_not_to_those_typed_in(
    container: Any, people: Any, pipe: Pipe
) -> None:
    # Given an account whose email and phone Cognito verified, filing with someone else's
    citizen = people.citizen("an@example.vn", phone="+84912345678")
    code = container.filing.file(
        citizen, typed_elsewhere(container, citizen), "typed-contacts-1"
    ).dossier.code

    pipe.forward()
    pipe.deliver()

    # Then SES and SNS were asked to write to the account only
    assert [m.destinations["ToAddresses"] for m in emails()] == [["an@example.vn"]]
    assert [number for number, _ in texts()] == ["+84912345678"]
    assert container.repository.get(code).dossier.applicant.email == "nguoi.khac@example.org"


def test_no_verified_contact_no_message_and_nothing_stuck(container: Any, people: Any, pipe: Pipe) -> None:
    # Given an account whose email and phone were never verified
    citizen = people.citizen("an@example.vn", email_verified=False, phone_verified=False)
    filed = container.filing.file(citizen, typed_elsewhere(container, citizen), "no-contact")

    pipe.forward()
    pipe.deliver()

    # Then the dossier is filed, nobody is written to, and nothing waits for a retry
    assert filed.dossier.status is Status.SUBMITTED
    assert emails() == [] and texts() == []
    assert pipe.waiting(pipe.queue) == 0 and pipe.waiting(pipe.dlq) == 0


def test_what_was_sent_is_kept_once_under_the_citizen_on_the_table(
    container: Any, people: Any, pipe: Pipe
) -> None:
    from motcua.domain.errors import BadRequest

    citizen, other = people.citizen("an@example.vn"), people.citizen("binh@example.vn")
    code = file(container, citizen)
    file(container, other, key="notify-2")
    file(container, citizen, key="notify-3")
    pipe.forward()
    # SQS delivers at least once: the first record comes again, after the others
    body = pipe.sqs.receive_message(QueueUrl=pipe.queue)["Messages"][0]["Body"]
    pipe.sqs.send_message(QueueUrl=pipe.queue, MessageBody=body)
    pipe.deliver()

    sent = container.sent_messages
    mine = sent.for_owner(citizen.sub, limit=10, token=None).items
    assert len(mine) == 4  # two filings, an email and an SMS each: once, however often delivered
    assert {m.dossier_code for m in mine} >= {code}
    assert all(m.owner == citizen.sub for m in mine)
    assert [m.sent_at for m in mine] == sorted((m.sent_at for m in mine), reverse=True)
    assert {m.to for m in mine} == {"a***@example.vn", "+84******567"}
    # a page's token continues only that citizen's list
    page = sent.for_owner(citizen.sub, limit=1, token=None)
    assert page.next_token
    with pytest.raises(BadRequest):
        sent.for_owner(other.sub, limit=1, token=page.next_token)
    # every item is under SENT#<owner>, with the dossier's retention
    items = clients.client("dynamodb", REGION).query(
        TableName=container.settings.table_name,
        KeyConditionExpression="PK = :pk",
        ExpressionAttributeValues={":pk": {"S": f"SENT#{citizen.sub}"}},
    )["Items"]
    assert len(items) == 4 and all("expires_at" in item for item in items)
