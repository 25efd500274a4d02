"""The one measure of how tall a row of wrapped text must be, used by every writer (workbook, 报送版,
sign-off sheets, handouts, 参数).

Spreadsheet programs do not re-measure rows written by another program (LibreOffice prints a row
without a height at one line, and the lines of a long text land on top of the next row), so every
writer sizes its rows with this function. It takes the worse of the two programs that print our files:

- how many characters fit on a line, in each program: Excel's column unit is a digit of the default
  font (7 px at 96 dpi) and a CJK character of 11 pt takes about two; LibreOffice without the Office
  fonts measures the unit with DejaVu Sans (7 pt), so its columns are wider but its digits too
  (measured: a column 52 wide holds 32 CJK characters of 11 pt in LibreOffice, 25 in Excel). The
  count is the larger of the two;
- how tall a line is, from LibreOffice with the Noto CJK fonts (measured: 16.0 pt a line at 11 pt,
  14.5 pt at 10 pt; Excel's 等线 takes 14.25 pt at 11 pt), so no line overprints the next.

Pure: no openpyxl. `tests/test_render.py` renders the outputs with LibreOffice and checks the result.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

LINE_PITCH = 1.46  # points of line per point of font size (LibreOffice, Noto Sans CJK; measured)
PADDING = 4.0  # points above and below the text in a cell
_TOKEN = re.compile(r"[\x21-\x7e]+|\s|.", re.S)


@dataclass(frozen=True)
class Program:
    """How one program lays text out in a column: a column unit, and the widths of characters, in points
    for an 11 pt font."""

    unit: float  # points per column-width unit
    padding: float  # points of the column's width not used by text
    wide: float  # a CJK character
    narrow: float  # a Latin letter, digit or sign

    def capacity(self, width: float) -> float:
        return max(width * self.unit - self.padding, self.wide)


EXCEL = Program(unit=5.25, padding=3.75, wide=11.0, narrow=5.25)  # 7 px digits, 等线/Calibri at 96 dpi
LIBREOFFICE = Program(unit=7.0, padding=4.0, wide=11.0, narrow=7.0)  # DejaVu digits where Calibri is missing
PROGRAMS = (EXCEL, LIBREOFFICE)


def _is_wide(ch: str) -> bool:
    return ord(ch) >= 0x2E80 or 0xFF00 <= ord(ch) <= 0xFFEF


def _lines(program: Program, text: str, width: float, size: float) -> int:
    """Greedy line breaking as both programs do it: CJK anywhere, runs of Latin kept whole."""
    capacity = program.capacity(width)
    scale = size / 11
    wide, narrow = program.wide * scale, program.narrow * scale
    lines = 0
    for paragraph in text.split("\n"):
        lines += 1
        used = 0.0
        for token in _TOKEN.findall(paragraph):
            if len(token) == 1:  # a CJK character, a space, any other single character
                w = wide if _is_wide(token) else narrow
            else:  # a run of ASCII letters, digits and signs: all narrow, summed one by one as always
                w = sum([narrow] * len(token))
            if used + w <= capacity or token.isspace():
                used += w
            elif w <= capacity:
                lines += 1 if used > 0 else 0
                used = w
            else:  # a run longer than a line is broken where it must be
                extra, used = divmod(used + w, capacity)
                lines += int(extra)
    return lines


def line_count(text: object, width: float, size: float = 11) -> int:
    """Lines a wrapped cell of `width` units shows `text` in: the most any of the programs needs."""
    value = "" if text is None else str(text)
    return max(max(_lines(p, value, width, size) for p in PROGRAMS), 1)


def line_height(size: float = 11) -> float:
    return round(size * LINE_PITCH, 2)


def text_height(text: object, width: float, size: float = 11, minimum: float = 0.0) -> float:
    """Points for a row showing `text` wrapped in a column `width` units wide, in a `size` pt font."""
    height = line_count(text, width, size) * line_height(size) + PADDING
    return float(math.ceil(max(height, minimum) * 4) / 4)  # Excel stores quarter points


def row_height(cells: list[tuple[object, float, float]], minimum: float = 0.0) -> float:
    """The height of a row holding several wrapped cells: (text, width, size) each; the tallest wins."""
    return max([text_height(t, w, s) for t, w, s in cells] + [minimum])
