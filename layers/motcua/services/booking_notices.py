"""Telling a citizen of their booking: an email (with the QR of its code) and an SMS, each sent once.

The booking's item carries `notify` = `booked`; the table's stream brings it here through the same
pipe and queue as a dossier's audit entries (docs/notifications.md), so a provider that fails never
holds the booking back. Messages go to the account's verified email and mobile only.
"""

from __future__ import annotations

import functools
import html
from typing import TYPE_CHECKING

from motcua.domain.calendar import VIETNAM_TZ
from motcua.domain.ports import OutgoingMessage
from motcua.notifications.compose import SMS_LIMIT, ascii_fold
from motcua.notifications.phones import is_mobile, normalise_phone
from motcua.observability import count

if TYPE_CHECKING:
    from collections.abc import Mapping

    from motcua.config.province import Province
    from motcua.domain.appointments import Booking
    from motcua.domain.ports import Clock, Messenger, OnceOnly


def booking_messages(
    province: Province, booking: Booking, check_in_url: str
) -> list[tuple[str, OutgoingMessage]]:
    """The once-only key and the message of each channel the booking's owner verified."""
    import segno

    centre = next(c for c in province.centres if c.id == booking.centre)
    service = centre.services_by_code[booking.service]
    en = booking.language == "en"
    start = booking.start.astimezone(VIETNAM_TZ)
    end = booking.end.astimezone(VIETNAM_TZ)
    when = f"{start:%H:%M}–{end:%H:%M} {start:%d/%m/%Y}"
    name, address = centre.name.in_(booking.language), centre.address.in_(booking.language)
    what = service.name.in_(booking.language)
    found: list[tuple[str, OutgoingMessage]] = []
    if booking.email:
        if en:
            subject = f"Appointment {booking.code}: {when}, {name}"
            lines = [
                f"Dear {booking.name},",
                "",
                f"Your appointment is booked: {what}, {when}.",
                f"Where: {name}, {address}.",
                f"Booking code: {booking.code}",
                "",
                "At the centre, scan the QR code of this email at the kiosk (or type the code), from 30",
                "minutes before your slot to its end: you get a ticket called ahead of walk-ins.",
                f"Cancel or see it: {check_in_url.split('#')[0]}#/me/appointments",
            ]
        else:
            subject = f"Lịch hẹn {booking.code}: {when}, {name}"
            lines = [
                f"Kính gửi {booking.name},",
                "",
                f"Lịch hẹn của ông/bà đã được đặt: {what}, {when}.",
                f"Địa điểm: {name}, {address}.",
                f"Mã lịch hẹn: {booking.code}",
                "",
                "Tại trung tâm, quét mã QR trong thư này tại máy lấy số (hoặc nhập mã), từ 30 phút trước",
                "giờ hẹn đến hết khung giờ: ông/bà nhận số thứ tự được gọi trước người đến trực tiếp.",
                f"Xem hoặc huỷ lịch: {check_in_url.split('#')[0]}#/me/appointments",
            ]
        text = "\n".join(lines) + "\n"
        qr = segno.make_qr(check_in_url, error="m").png_data_uri(scale=5, border=4)
        body = "".join(f"<p>{html.escape(line)}</p>" for line in lines if line)
        alt = f"QR {booking.code}"
        page = (
            f'<!doctype html><html lang="{booking.language}"><body>{body}'
            f'<p><img src="{qr}" alt="{html.escape(alt)}" width="200" height="200"></p>'
            f"<p><strong>{html.escape(booking.code)}</strong></p></body></html>"
        )
        found.append(
            (
                f"{booking.code}#booked#email",
                OutgoingMessage(channel="email", to=booking.email, subject=subject, text=text, html=page),
            )
        )
    phone = normalise_phone(booking.phone) if booking.phone else None
    if phone is not None and is_mobile(phone):
        if en:
            sms = f"Appointment {booking.code}: {when} at {name}. Scan or type the code at the kiosk."
        else:
            sms = f"Lich hen {booking.code}: {when} tai {name}. Quet ma hoac nhap ma tai may lay so."
        sms = " ".join(ascii_fold(sms).split())
        if len(sms) > SMS_LIMIT:
            sms = " ".join(ascii_fold(f"Lich hen {booking.code}: {when}. {check_in_url}").split())[:SMS_LIMIT]
        found.append((f"{booking.code}#booked#sms", OutgoingMessage(channel="sms", to=phone, text=sms)))
    return found


class BookingNotices:
    def __init__(
        self,
        *,
        province: Province,
        messengers: Mapping[str, Messenger],
        once: OnceOnly,
        clock: Clock,
        portal_url: str,
    ) -> None:
        self.province = province
        self.messengers = messengers
        self.once = once
        self.clock = clock
        self.portal_url = portal_url.rstrip("/")

    def notify(self, booking: Booking) -> int:
        """Send the booking's messages not sent yet; how many it means."""
        messages = booking_messages(self.province, booking, f"{self.portal_url}/#/checkin/{booking.code}")
        for key, message in messages:
            self.once.run(key, functools.partial(self._deliver, message))
        return len(messages)

    def _deliver(self, message: OutgoingMessage) -> dict[str, str]:
        provider_id = self.messengers[message.channel].send(message)
        count("NotificationSent", channel=message.channel)
        return {
            "channel": message.channel,
            "provider_id": provider_id,
            "sent_at": self.clock.now().isoformat(),
        }
