"""The visible signature stamp: who signed and when, drawn with fpdf2 and placed as the field's appearance."""

from __future__ import annotations

import unicodedata
import uuid
from dataclasses import dataclass
from io import BytesIO
from typing import TYPE_CHECKING

from fpdf import FPDF
from pyhanko.pdf_utils.content import PdfContent
from pyhanko.pdf_utils.layout import BoxConstraints
from pyhanko.pdf_utils.reader import PdfFileReader

from motcua.domain.calendar import VIETNAM_TZ

if TYPE_CHECKING:
    from datetime import datetime
    from pathlib import Path

_PADDING = 4.0
_LARGEST, _SMALLEST = 10.0, 4.0


@dataclass(frozen=True, slots=True)
class SignatureBox:
    """Where the stamp goes: a page (0 the first, -1 the last) and a rectangle in PDF points from the
    page's lower left corner."""

    page: int
    x1: float
    y1: float
    x2: float
    y2: float

    def __post_init__(self) -> None:
        if self.x2 - self.x1 < 20 or self.y2 - self.y1 < 10:
            raise ValueError("a signature box needs at least 20 × 10 points, left to right and bottom to top")


def _ascii(text: str) -> str:
    """Vietnamese without its diacritics, for the PDF core font when no Unicode font is configured."""
    folded = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return (
        "".join(c for c in folded if not unicodedata.combining(c))
        .encode("latin-1", "replace")
        .decode("latin-1")
    )


def render_stamp(
    box: SignatureBox, *, agency: str, signer_name: str, signed_at: datetime, font: Path | None
) -> bytes:
    """A one-page PDF the size of the box: a red frame and the signature's particulars in Vietnamese."""
    width, height = box.x2 - box.x1, box.y2 - box.y1
    pdf = FPDF(unit="pt", format=(width, height))
    pdf.set_margins(0, 0, 0)
    pdf.set_auto_page_break(False)
    pdf.set_creator("motcua")
    pdf.add_page()
    lines = [
        "Ký số bởi: " + agency,
        "Người ký: " + signer_name,
        "Thời gian: " + signed_at.astimezone(VIETNAM_TZ).strftime("%d/%m/%Y %H:%M:%S (UTC+07:00)"),
    ]
    if font is not None:
        pdf.add_font("stamp", fname=str(font))
        family = "stamp"
    else:
        family, lines = "Helvetica", [_ascii(line) for line in lines]
    pdf.set_draw_color(200, 16, 46)
    pdf.set_text_color(200, 16, 46)
    pdf.set_line_width(1)
    pdf.rect(0.5, 0.5, width - 1, height - 1)
    size = _LARGEST
    while size > _SMALLEST:
        pdf.set_font(family, size=size)
        widest = max(pdf.get_string_width(line) for line in lines)
        if widest <= width - 2 * _PADDING and len(lines) * size * 1.25 <= height - 2 * _PADDING:
            break
        size -= 0.5
    pdf.set_font(family, size=size)
    top = (height - len(lines) * size * 1.25) / 2
    for i, line in enumerate(lines):
        pdf.set_xy(_PADDING, top + i * size * 1.25)
        pdf.cell(width - 2 * _PADDING, size * 1.25, line)
    return bytes(pdf.output())


class ImportedPage(PdfContent):
    """The first page of a PDF held in memory, as the content of a stamp (pyHanko's ImportedPdfPage
    reads a file)."""

    def __init__(self, pdf: bytes) -> None:
        super().__init__()
        self.pdf = pdf

    def render(self) -> bytes:
        writer = self._ensure_writer
        xobject = writer.import_page_as_xobject(PdfFileReader(BytesIO(self.pdf)), page_ix=0)
        name = "/Stamp" + uuid.uuid4().hex
        self.resources.xobject[name] = xobject
        x1, y1, x2, y2 = xobject.get_object()["/BBox"]
        self.box = BoxConstraints(width=abs(x1 - x2), height=abs(y1 - y2))
        return name.encode("ascii") + b" Do"
