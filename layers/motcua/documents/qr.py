"""QR codes drawn as vector squares from segno's matrix, with the quiet zone a phone camera needs."""

from __future__ import annotations

from typing import TYPE_CHECKING

import segno

if TYPE_CHECKING:
    from fpdf import FPDF

QUIET = 4  # modules of white around the symbol (ISO/IEC 18004)


def draw_qr(pdf: FPDF, data: str, x: float, y: float, width: float) -> float:
    """Draw the QR code of `data` with its top left corner (quiet zone included) at (x, y), in mm.

    `width` is the symbol's own width, the quiet zone comes on top of it; returns the whole width.
    """
    symbol = segno.make_qr(data, error="m")
    size = len(symbol.matrix)
    module = width / size
    pdf.set_fill_color(0)
    for row, bits in enumerate(symbol.matrix):
        # One rectangle per run of dark modules: fewer drawing operators, no seams inside a run.
        for start, end in _runs(bits):
            left, top = x + (QUIET + start) * module, y + (QUIET + row) * module
            pdf.rect(left, top, (end - start) * module, module, style="F")
    return width + 2 * QUIET * module


def _runs(bits: bytearray) -> list[tuple[int, int]]:
    """[start, end) of each run of dark modules in a row."""
    runs, start = [], None
    for column, dark in enumerate((*bits, 0)):
        if dark and start is None:
            start = column
        elif not dark and start is not None:
            runs.append((start, column))
            start = None
    return runs
