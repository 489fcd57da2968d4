"""Words and dates the documents share, in Vietnamese and English; every time shown in Vietnam time."""

from __future__ import annotations

from typing import TYPE_CHECKING

from motcua.domain.calendar import VIETNAM_TZ, Timeliness
from motcua.domain.catalog import ResultDelivery
from motcua.domain.i18n import Text

if TYPE_CHECKING:
    from datetime import datetime

    from motcua.domain.i18n import Language

# The national motto (quốc hiệu và tiêu ngữ) is printed in Vietnamese whatever the language.
MOTTO = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO_LINE = "Độc lập - Tự do - Hạnh phúc"

NUMBER = Text(vi="Số", en="No.")
CODE = Text(vi="Mã hồ sơ", en="Dossier code")
APPLICANT = Text(vi="Người nộp hồ sơ", en="Applicant")
ID_NUMBER = Text(vi="Số CCCD / mã số thuế", en="ID card no. / tax code")
PHONE = Text(vi="Số điện thoại", en="Phone")
EMAIL = Text(vi="Thư điện tử", en="Email")
ADDRESS = Text(vi="Địa chỉ", en="Address")
PROCEDURE = Text(vi="Nội dung yêu cầu giải quyết", en="Procedure requested")
FILED_AT = Text(vi="Thời gian nhận hồ sơ", en="Received at")
SIGN_HINT = Text(vi="(Ký và ghi rõ họ tên)", en="(Signature and full name)")
RECEIVER = Text(vi="NGƯỜI TIẾP NHẬN HỒ SƠ", en="RECEIVING OFFICER")

TIMELINESS = {
    Timeliness.EARLY: Text(vi="Trước hạn", en="Early"),
    Timeliness.ON_TIME: Text(vi="Đúng hạn", en="On time"),
    Timeliness.LATE: Text(vi="Quá hạn", en="Late"),
}

DELIVERY = {
    ResultDelivery.ONLINE: Text(
        vi="Trực tuyến, trên Cổng dịch vụ công", en="Online, on the public service portal"
    ),
    ResultDelivery.EMAIL: Text(vi="Qua thư điện tử", en="By email"),
    ResultDelivery.POST: Text(vi="Qua dịch vụ bưu chính công ích", en="By post"),
    ResultDelivery.COUNTER: Text(vi="Trực tiếp tại Bộ phận Một cửa", en="At the one-stop counter"),
}


def day(at: datetime) -> str:
    """dd/mm/yyyy, in Vietnam."""
    return at.astimezone(VIETNAM_TZ).strftime("%d/%m/%Y")


def moment(at: datetime, language: Language) -> str:
    """HH:MM and the day, in Vietnam: “09:00 ngày 17/11/2026”, “09:00, 17/11/2026”."""
    local = at.astimezone(VIETNAM_TZ)
    joint = ", " if language == "en" else " ngày "
    return f"{local:%H:%M}{joint}{local:%d/%m/%Y}"


def dateline(place: str, at: datetime, language: Language) -> str:
    """The place and date under the motto: “Tỉnh Minh Họa, ngày 17 tháng 11 năm 2026”."""
    local = at.astimezone(VIETNAM_TZ).date()
    if language == "en":
        return f"{place}, {local:%d/%m/%Y}"
    # Decree 30/2020/ND-CP: days below 10 and the months 1 and 2 are written with a leading zero.
    month = f"{local.month:02d}" if local.month < 3 else str(local.month)
    return f"{place}, ngày {local.day:02d} tháng {month} năm {local.year}"
