"""A statistics report as a file: XLSX (XlsxWriter) with Vietnamese headers, the period and the agency
written above the table, or CSV in UTF-8 with a byte-order mark (so that Excel reads the diacritics)."""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING

import xlsxwriter

if TYPE_CHECKING:
    from motcua.domain.statistics import Figures
    from motcua.services.statistics import Report

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"

TITLE = "BÁO CÁO TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH"
BY = {"agency": "Cơ quan", "procedure": "Thủ tục hành chính", "month": "Tháng"}
# The columns provinces report (Circular 01/2020/TT-VPCP), in Vietnamese, and how each is read.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("Kỳ trước chuyển qua", "carried_over"),
    ("Mới tiếp nhận trực tuyến", "received_online"),
    ("Mới tiếp nhận trực tiếp", "received_counter"),
    ("Mới tiếp nhận qua bưu chính", "received_post"),
    ("Tổng số tiếp nhận", "received"),
    ("Đã giải quyết trước hạn", "early"),
    ("Đã giải quyết đúng hạn", "on_time"),
    ("Đã giải quyết quá hạn", "late"),
    ("Tổng số đã giải quyết", "resolved"),
    ("Đang giải quyết trong hạn", "in_time"),
    ("Đang giải quyết quá hạn", "overdue"),
    ("Không tiếp nhận", "refused"),
    ("Rút hồ sơ", "withdrawn"),
    ("Dừng xử lý", "stopped"),
    ("Chờ bổ sung, thực hiện nghĩa vụ tài chính", "waiting"),
    ("Tỷ lệ đúng hạn (%)", "on_time_rate"),
    ("Số ngày làm việc giải quyết bình quân", "average_working_days"),
)


def _value(figures: Figures, name: str) -> int | float | None:
    value: int | float | None = getattr(figures, name)
    if name == "on_time_rate" and value is not None:
        return round(value * 100, 1)
    if name == "average_working_days" and value is not None:
        return round(value, 1)
    return value


def _month(month: str) -> str:
    return f"{month[5:]}/{month[:4]}"


def heading(found: Report, province: str) -> list[str]:
    """What is written above the table: the title, the period, the agency, the grouping."""
    who = found.agency.name.vi if found.agency else f"Toàn tỉnh ({province})"
    return [
        TITLE,
        f"Kỳ báo cáo: từ tháng {_month(found.first)} đến tháng {_month(found.last)}",
        f"Cơ quan: {who}" + (f" (mã {found.agency.code})" if found.agency else ""),
        f"Theo: {BY[found.by.value].lower()}",
    ]


def header(found: Report) -> list[str]:
    return ["STT", "Mã", BY[found.by.value], *(title for title, _ in COLUMNS)]


def lines(found: Report) -> list[list[str | int | float | None]]:
    """The table's rows, the total last."""
    rows: list[list[str | int | float | None]] = [
        [n, row.key, row.name.vi, *(_value(row.figures, name) for _, name in COLUMNS)]
        for n, row in enumerate(found.rows, start=1)
    ]
    rows.append(["", "", "Tổng cộng", *(_value(found.total, name) for _, name in COLUMNS)])
    return rows


def xlsx(found: Report, province: str) -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet("Báo cáo")
    bold = book.add_format({"bold": True})
    title = book.add_format({"bold": True, "font_size": 13})
    head = book.add_format(
        {"bold": True, "text_wrap": True, "valign": "top", "border": 1, "bg_color": "#F2F2F2"}
    )
    cell = book.add_format({"border": 1})
    total = book.add_format({"border": 1, "bold": True})
    above = heading(found, province)
    sheet.write(0, 0, above[0], title)
    for n, text in enumerate(above[1:], start=1):
        sheet.write(n, 0, text, bold if n == 2 else None)
    first = len(above) + 1
    sheet.write_row(first, 0, header(found), head)
    sheet.set_row(first, 60)
    body = lines(found)
    for n, row in enumerate(body, start=first + 1):
        style = total if n == first + len(body) else cell
        for column, value in enumerate(row):
            if value is None:
                sheet.write_blank(n, column, None, style)
            else:
                sheet.write(n, column, value, style)
    sheet.set_column(0, 0, 5)
    sheet.set_column(1, 1, 16)
    sheet.set_column(2, 2, 40)
    sheet.set_column(3, 2 + len(COLUMNS), 13)
    sheet.freeze_panes(first + 1, 3)
    book.close()
    return out.getvalue()


def csv_bytes(found: Report) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header(found))
    for row in lines(found):
        writer.writerow(["" if value is None else value for value in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def filename(found: Report, extension: str) -> str:
    who = found.agency.code if found.agency else "toan-tinh"
    return f"thong-ke-{who}-{found.first}-{found.last}-{found.by.value}.{extension}"
