"""The table port: one Excel table as plain values. The file adapter (xlsx.read_tables) and the live
adapter (excel.live.live_tables) both produce these; everything above reads only these."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class RawTable:
    """The workbook port: one Excel table as plain values, from a file (xlsx.read_tables) or a live book (xlwings).

    `rows` holds (sheet row number, values) from the header row down to the table's last row, then any
    non-blank rows typed just below it (up to the first blank row)."""

    sheet: str
    ref: str
    rows: list[tuple[int, tuple]]
    sheet_index: int = 0
    beyond: list[int] = field(default_factory=list)  # rows typed in its columns below a blank gap (not read)
    # the values of the first BEYOND_KEPT of those rows, in the table's columns (what they are, for a warning)
    beyond_values: dict[int, tuple] = field(default_factory=dict)
    totals: int = 0  # 1 when the table shows Excel's totals row (its last row)


BEYOND_KEPT = 20
