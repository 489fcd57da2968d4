"""The citizens' messages on AWS: email through SES, SMS through SNS."""

from __future__ import annotations

from email.header import Header
from email.utils import formataddr
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from motcua.domain.ports import OutgoingMessage

UTF8 = "UTF-8"


class SesMailer:
    """Implements Messenger for email: SES SendEmail from the province's verified sender."""

    def __init__(self, client: Any, *, sender: str, sender_name: str) -> None:
        self.client = client
        # The display name is Vietnamese: RFC 2047 encoded, the address stays as it is.
        self.source = formataddr((str(Header(sender_name, "utf-8")), sender))

    def send(self, message: OutgoingMessage) -> str:
        body = {"Text": {"Data": message.text, "Charset": UTF8}}
        if message.html:
            body["Html"] = {"Data": message.html, "Charset": UTF8}
        response = self.client.send_email(
            Source=self.source,
            Destination={"ToAddresses": [message.to]},
            Message={"Subject": {"Data": message.subject, "Charset": UTF8}, "Body": body},
        )
        return str(response["MessageId"])


class SnsTexter:
    """Implements Messenger for SMS: SNS Publish to an E.164 number, as a transactional message."""

    def __init__(self, client: Any, *, sender_id: str | None = None) -> None:
        self.client = client
        self.attributes: dict[str, Any] = {
            "AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": "Transactional"}
        }
        if sender_id:
            self.attributes["AWS.SNS.SMS.SenderID"] = {"DataType": "String", "StringValue": sender_id}

    def send(self, message: OutgoingMessage) -> str:
        response = self.client.publish(
            PhoneNumber=message.to, Message=message.text, MessageAttributes=self.attributes
        )
        return str(response["MessageId"])
