"""A sheet of an administrative document (văn bản hành chính): font, header block, fields, signatures."""

from __future__ import annotations

import unicodedata
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from fpdf import FPDF
from fpdf.enums import XPos, YPos
from pydantic import BaseModel, ConfigDict

from motcua.documents.words import MOTTO, MOTTO_LINE, NUMBER, dateline

if TYPE_CHECKING:
    from motcua.domain.i18n import Language

FONTS = Path(__file__).with_name("fonts")
FAMILY = "DejaVuSerif"
FONT_FILES = {"": "DejaVuSerif.ttf", "B": "DejaVuSerif-Bold.ttf", "I": "DejaVuSerif-Italic.ttf"}
REGULAR_FONT = FONTS / FONT_FILES[""]  # for others that draw Vietnamese with fpdf2 (the signature stamp)
PT_PER_MM = 72 / 25.4

Paper = Literal["A4", "A5"]
_PAPER_MM = {"A4": (210.0, 297.0), "A5": (148.0, 210.0)}
# Margins (left, top, right, bottom) in mm: Decree 30/2020 on A4, narrower on the half sheet.
_MARGINS = {"A4": (25.0, 15.0, 15.0, 15.0), "A5": (14.0, 10.0, 11.0, 11.0)}
_BODY_PT = {"A4": 12.0, "A5": 9.5}


class Letterhead(BaseModel):
    """The header block (phần đầu văn bản): who issues the document, its number, place and date."""

    model_config = ConfigDict(frozen=True)

    agency: str
    parent: str | None = None  # cơ quan chủ quản, printed above the agency
    number: str
    place: str
    at: datetime


class Signatory(BaseModel):
    """One signature block (phần ký): its title, the hint under it and the name, when known."""

    model_config = ConfigDict(frozen=True)

    title: str
    hint: str | None = None
    name: str | None = None


class Sheet(FPDF):
    """An FPDF document in the house style: DejaVu Serif embedded, text in NFC, one body size per paper."""

    def __init__(
        self, language: Language, *, paper: Paper, created: datetime, title: str, landscape: bool = False
    ) -> None:
        super().__init__(orientation="L" if landscape else "P", unit="mm", format=_PAPER_MM[paper])
        self.language: Language = language
        self.body_pt = _BODY_PT[paper]
        self.leading = self.body_pt * 0.46  # line height in mm, about 1.3 times the font size
        left, top, right, bottom = _MARGINS[paper]
        self.set_margins(left, top, right)
        self.set_auto_page_break(True, margin=bottom)
        for style, filename in FONT_FILES.items():
            self.add_font(FAMILY, style, FONTS / filename)
        # Dated by the document, not by the clock, so that the same dossier renders the same bytes.
        self.set_creation_date(created)
        self.set_creator("motcua")
        self.set_title(title)
        self.set_lang(language)
        self.add_page()
        self.style()

    def normalize_text(self, text: str) -> str:
        # Composed characters only: the font has a glyph for "ễ", not a way to stack "e" and two marks.
        return super().normalize_text(unicodedata.normalize("NFC", text))

    def style(self, emphasis: str = "", size: float | None = None) -> None:
        self.set_font(FAMILY, emphasis, size or self.body_pt)

    def fit(self, text: str, width: float, emphasis: str, size: float, smallest: float = 6.5) -> float:
        """Set and return the largest size, from `size` down, at which `text` fits on a line of `width` mm."""
        while size > smallest:
            self.style(emphasis, size)
            if self.get_string_width(text) <= width - 2 * self.c_margin - 0.5:  # multi_cell pads both sides
                break
            size -= 0.5
        self.style(emphasis, size)
        return size

    def centred(
        self, text: str, x: float, y: float, width: float, emphasis: str = "", size: float = 0
    ) -> float:
        """Text centred in a column; returns the y below it."""
        self.style(emphasis, size or self.body_pt)
        self.set_xy(x, y)
        self.multi_cell(width, self.leading, text, align="C", new_x=XPos.LEFT, new_y=YPos.NEXT)
        return self.get_y()

    def rule(self, centre: float, y: float, width: float) -> None:
        self.set_line_width(0.2)
        self.line(centre - width / 2, y, centre + width / 2, y)

    def letterhead(self, head: Letterhead) -> None:
        """Agency on the left, the national motto on the right; number and place-date below them."""
        left_w = self.epw * 0.42
        right_w = self.epw - left_w
        x, top, small = self.l_margin, self.get_y(), self.body_pt - 1
        y = top
        if head.parent:
            y = self.centred(head.parent.upper(), x, y, left_w, "", small)
        y = self.centred(head.agency.upper(), x, y, left_w, "B", small)
        self.rule(x + left_w / 2, y + 0.8, left_w / 3)
        motto_pt = self.fit(MOTTO, right_w, "B", small)
        right = self.centred(MOTTO, x + left_w, top, right_w, "B", motto_pt)
        right = self.centred(MOTTO_LINE, x + left_w, right, right_w, "B", motto_pt + 0.5)
        self.rule(x + left_w + right_w / 2, right + 0.8, self.get_string_width(MOTTO_LINE))
        y = max(y, right) + 2.5
        number = f"{NUMBER.in_(self.language)}: {head.number}"
        below_left = self.centred(number, x, y, left_w, "", self.fit(number, left_w, "", small))
        place = dateline(head.place, head.at, self.language)
        below_right = self.centred(place, x + left_w, y, right_w, "I", self.fit(place, right_w, "I", small))
        self.set_xy(self.l_margin, max(below_left, below_right) + self.leading * 0.6)

    def heading(self, text: str, subtitle: str | None = None) -> None:
        self.style("B", self.body_pt + 2)
        self.multi_cell(0, self.leading * 1.2, text, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        if subtitle:
            self.style("I")
            self.multi_cell(0, self.leading, subtitle, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(self.leading * 0.6)
        self.style()

    def field(self, label: str, value: str, *, indent: float = 0) -> None:
        """“Label: value”, the label in bold, the value flowing on over as many lines as it needs."""
        self.fields((label, value), indent=indent)

    def fields(self, *pairs: tuple[str, str], indent: float = 0) -> None:
        """Several “label: value” pairs flowing on one line (and the next ones, when they must)."""
        self.set_x(self.l_margin + indent)
        for i, (label, value) in enumerate(pairs):
            self.style("B")
            self.write(self.leading, f"{'    ' if i else ''}{label}: ")
            self.style()
            self.write(self.leading, value)
        self.ln(self.leading)

    def paragraph(self, text: str, emphasis: str = "", *, indent: float = 0) -> None:
        self.style(emphasis)
        self.set_x(self.l_margin + indent)
        # Ragged right: a justified line stretches badly before an email address or a code, which never break.
        self.multi_cell(self.epw - indent, self.leading, text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.style()

    def signatures(self, right: Signatory, left: Signatory | None = None, *, space: float = 14) -> None:
        """One or two signature blocks side by side, kept together on one page."""
        if self.will_page_break(4 * self.leading + space):
            self.add_page()
        self.ln(self.leading * 0.5)
        top, half = self.get_y(), self.epw / 2
        ends = [self.signatory(right, self.l_margin + half, top, half, space)]
        if left is not None:
            ends.append(self.signatory(left, self.l_margin, top, half, space))
        self.set_xy(self.l_margin, max(ends))

    def signatory(self, who: Signatory, x: float, y: float, width: float, space: float) -> float:
        y = self.centred(who.title, x, y, width, "B")
        if who.hint:
            y = self.centred(who.hint, x, y, width, "I", self.body_pt - 1)
        y += space
        if who.name:
            y = self.centred(who.name, x, y, width, "B")
        return y

    def box_points(
        self, x: float, y: float, width: float, height: float
    ) -> tuple[float, float, float, float]:
        """A box given in mm from the top left, in PDF points from the bottom left: (x1, y1, x2, y2)."""
        bottom = self.h - (y + height)
        return (x * PT_PER_MM, bottom * PT_PER_MM, (x + width) * PT_PER_MM, (self.h - y) * PT_PER_MM)

    def render(self) -> bytes:
        return bytes(self.output())
