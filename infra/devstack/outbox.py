"""The local stack's outbox: every email and SMS the platform sent, as moto's SES and SNS took them.

Served at GET /v1/dev/outbox by the local web server only (never part of the deployed API), so that
a person trying the demo sees what a citizen would receive. `?code=` keeps the
messages that name a dossier, `?to=` those sent to one address or number. moto keeps no send times,
so `stamp_send_times` (applied when the stack starts moto) writes one down for every email and SMS
as moto takes it (`sent_at`, UTC); the newest come first. `pending` says how much may still become a
message: records of the table's stream the notification pipe has not read yet, and messages on the
notification queue (waiting, or in the notifier's hands); 0 when every write so far has been through
the pipe and the notifier, so that what the outbox shows is all they will send for it.
"""

from __future__ import annotations

import email
import email.policy
from email.header import decode_header, make_header
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

if TYPE_CHECKING:
    from collections.abc import Callable

ACCOUNT = "123456789012"  # moto's default account, the one the local stack's credentials land in
_SENT_AT = "_motcua_sent_at"  # on each SES and SNS backend: message id -> when moto took it


# The X-Amz-Date of the request moto is handling: set by moto's gate (cloud.OneAtATime), which lets
# one request in at a time.
_signed_at: list[str | None] = [None]


def handling(signed_at: str | None) -> None:
    """The request moto handles now was signed at `signed_at` (its X-Amz-Date header, or None)."""
    _signed_at[0] = signed_at


def stamp_send_times() -> None:
    """Write down when moto's SES and SNS take each message (kept in the backend, so in a snapshot).

    The time is the request's signature's (X-Amz-Date), so that a replay of the recording (after a
    stop that took no snapshot, or a kill) writes down the time it was sent, not the replay's.
    """
    from datetime import UTC, datetime

    from moto.ses.models import SESBackend
    from moto.sns.models import SNSBackend

    if getattr(SESBackend, _SENT_AT, False):
        return

    def stamp(backend: Any, message_id: str) -> None:
        signed = _signed_at[0]
        try:  # the request's own time, which a replay sends again (its recorded X-Amz-Date)
            when = datetime.strptime(signed or "", "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        except ValueError:
            when = datetime.now(UTC)
        backend.__dict__.setdefault(_SENT_AT, {})[message_id] = when.isoformat(timespec="seconds")

    def wrap_ses(name: str) -> None:
        original = getattr(SESBackend, name)

        def send(self: Any, *args: Any, **kwargs: Any) -> Any:
            message = original(self, *args, **kwargs)
            stamp(self, message.id)
            return message

        setattr(SESBackend, name, send)

    for name in ("send_email", "send_raw_email", "send_templated_email"):
        wrap_ses(name)
    publish = SNSBackend.publish

    def published(self: Any, *args: Any, **kwargs: Any) -> Any:
        message_id = publish(self, *args, **kwargs)
        stamp(self, message_id)
        return message_id

    SNSBackend.publish = published  # type: ignore[method-assign]
    setattr(SESBackend, _SENT_AT, True)


def sent_messages(region: str) -> list[dict[str, Any]]:
    """Every message in moto's SES and SNS (SMS) memory, oldest first, with when moto took it."""
    from moto.ses.models import ses_backends
    from moto.sns.models import sns_backends

    messages: list[dict[str, Any]] = []
    ses, sns = ses_backends[ACCOUNT][region], sns_backends[ACCOUNT][region]
    ses_times, sns_times = ses.__dict__.get(_SENT_AT, {}), sns.__dict__.get(_SENT_AT, {})
    for sent in ses.sent_messages:
        to = [address for addresses in getattr(sent, "destinations", {}).values() for address in addresses]
        if hasattr(sent, "raw_data"):  # SendRawEmail: the MIME message as it went out
            parsed = email.message_from_string(sent.raw_data, policy=email.policy.default)
            body = parsed.get_body(preferencelist=("plain", "html"))
            subject, text = str(parsed["Subject"] or ""), body.get_content() if body else ""
            to = list(sent.destinations)
        else:
            subject, text = str(make_header(decode_header(sent.subject))), sent.body
        messages.append(
            {
                "channel": "email",
                "id": sent.id,
                "from": str(make_header(decode_header(sent.source))),
                "to": to,
                "subject": subject,
                "body": text,
                "html": text.lstrip().startswith("<"),
                "sent_at": ses_times.get(sent.id),
            }
        )
    for message_id, (number, text) in sns.sms_messages.items():
        messages.append(
            {
                "channel": "sms",
                "id": message_id,
                "to": [number],
                "subject": "",
                "body": text,
                "sent_at": sns_times.get(message_id),
            }
        )
    # Oldest first (the outbox reverses it); a message from before the stamps (None) counts as oldest.
    messages.sort(key=lambda m: m["sent_at"] or "")
    return messages + reset_codes(region)


def reset_codes(region: str) -> list[dict[str, Any]]:
    """The password-reset codes the user pools would send (on AWS, Cognito emails or texts them itself).

    moto sends nothing: it keeps the code of a user's last ForgotPassword until it is used, and checks
    it only in its own shape (`moto-confirmation-code:123456`), which is what the citizen types here.
    A sign-up's confirmation code is not kept at all: on the local stack any code confirms a sign-up.
    """
    from moto.cognitoidp.models import cognitoidp_backends

    messages: list[dict[str, Any]] = []
    for pool in cognitoidp_backends[ACCOUNT][region].user_pools.values():
        for user in pool.users.values():
            if not user.confirmation_code:
                continue
            attributes = {a["Name"]: a["Value"] for a in user.attributes}
            sms = "email" not in attributes and "phone_number" in attributes
            text = f"Ma dat lai mat khau motcua / motcua password reset code: {user.confirmation_code}"
            messages.append(
                {
                    "channel": "sms" if sms else "email",
                    "id": f"cognito-{user.id}",
                    "from": "Cognito",
                    "to": [attributes["phone_number"] if sms else attributes.get("email", "")],
                    "subject": "" if sms else "Mã đặt lại mật khẩu / Password reset code",
                    "body": text,
                    "html": False,
                    "sent_at": None,  # moto keeps no time for it
                }
            )
    return messages


class Outbox:
    """The route: the messages `look` reads (inside moto's gate), and the pipe's `backlog` once it runs.

    The web server is bound before the replay, the pipe made after it: until then `pending` is None.
    """

    def __init__(self, look: Callable[[], list[dict[str, Any]]]) -> None:
        self.look = look
        self.backlog: Callable[[], int] | None = None

    def __call__(self, query: str) -> dict[str, Any]:
        answer = outbox(query, self.look)
        answer["pending"] = None if self.backlog is None else self.backlog()
        return answer

    def body(self, query: str) -> str | None:
        """The HTML of the email `?id=`, for the outbox's frame; None when there is no such email."""
        wanted = parse_qs(query).get("id", [""])[-1]
        return next((m["body"] for m in self.look() if m["id"] == wanted and m.get("html")), None)


def outbox(query: str, look: Callable[[], list[dict[str, Any]]]) -> dict[str, Any]:
    """The outbox's answer for a query string; `look` reads the messages (inside moto's gate)."""
    params = {name: values[-1] for name, values in parse_qs(query).items()}
    messages = list(reversed(look()))
    if code := params.get("code"):
        messages = [m for m in messages if code in m["body"] or code in m["subject"]]
    if to := params.get("to"):
        messages = [m for m in messages if to in m["to"]]
    return {
        "messages": messages,
        "emails": sum(m["channel"] == "email" for m in messages),
        "sms": sum(m["channel"] == "sms" for m in messages),
    }
