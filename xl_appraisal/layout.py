"""Where a table's rows go: the decisions both sinks (the file writer and the live Excel writer) share.

"Typed cells are sacred": no write replaces a non-empty cell the program did not write itself. When a
table must grow into rows that hold something typed (a footer with 制表/审核/签字 lines, a note, a
核对人 line), whole sheet rows are inserted so that content moves down with its layout; when rows
cannot be inserted safely the command refuses, naming the cells. A shrinking table leaves what is
below it where it is. Columns a person adds to a computed table follow the row's key. The status line
goes above its table's header, where it was.

Plain data only (row numbers, column numbers, values): no openpyxl, no xlwings, no XML.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from xl_appraisal.cellref import col_index

# what the program's status lines start with (service._writes); a cell holding one is the program's
STATUS_PREFIXES = ("状态：", "校验：", "无法计算：")


@dataclass(frozen=True)
class Room:
    """Rows to insert before the table can take its new rows: `count` whole rows at sheet row `at`
    (everything from `at` down moves down by `count`). `typed` are the rows in the way."""

    at: int
    count: int
    typed: tuple[int, ...]


@dataclass(frozen=True)
class Placement:
    """A computed table rewritten with `data_rows` rows (and its totals row, if any)."""

    header: int
    first: int  # first data row
    last_data: int  # last data row
    end: int  # the table's last row (the totals row when there is one)
    room: Room | None  # rows to insert first (None: nothing typed in the way)
    leaving: range  # old table rows that are no longer the table's (cleared in the table's columns)


def room_for(need_from: int, need_to: int, typed_rows: Iterable[int]) -> Room | None:
    """Rows need_from..need_to (below the table's current end) are about to become table rows. When
    any of them holds typed content (in the table's columns), insert that many rows at need_from: the
    content moves down and keeps its distance to the table's end."""
    if need_to < need_from:
        return None
    in_way = tuple(sorted(r for r in set(typed_rows) if need_from <= r <= need_to))
    if not in_way:
        return None
    return Room(need_from, need_to - need_from + 1, in_way)


def place_table(header: int, old_end: int, data_rows: int, totals: int, typed_below: Iterable[int]) -> Placement:
    """A computed table at `header` (its last row `old_end`, `totals` totals rows at its bottom) rewritten
    with `data_rows` rows (at least one row is kept, as Excel needs). `typed_below`: rows below `old_end`
    holding typed content in the table's columns."""
    n = max(data_rows, 1)
    end = header + n + totals
    room = room_for(old_end + 1, end, typed_below)
    return Placement(header, header + 1, header + n, end, room, range(end + 1, old_end + 1))


def place_append(old_end: int, start: int, count: int, typed_below: Iterable[int]) -> tuple[int, Room | None]:
    """Rows appended at `start` (the first unused row, maybe below rows typed just under the table):
    the table's new last row and the rows to insert first."""
    last = start + count - 1
    room = room_for(max(start, old_end + 1), last, typed_below)
    return max(old_end, last), room


def shift_row(row: int, room: Room | None) -> int:
    """Where a sheet row ends up after the room is made."""
    return row + room.count if room is not None and row >= room.at else row


def shift_span(first: int, last: int, room: Room) -> tuple[int, int]:
    """A row span after inserting the room: below it moves, across it grows, above it stays."""
    if first >= room.at:
        return first + room.count, last + room.count
    if last >= room.at:
        return first, last + room.count
    return first, last


def print_area_end(last: int, old_end: int, new_end: int) -> int:
    """Where a print area's range ending at sheet row `last` ends once a table ending at `old_end` ends at
    `new_end`: a range that ended within the table's new reach (from its old last row) grows to take the
    rows the program added, so they print with the rest; a shrinking table leaves the print area as it was."""
    return new_end if old_end <= last < new_end else last


_AREA_RANGE = re.compile(r"(\$?)([A-Z]{1,3})(\$?)(\d+):(\$?)([A-Z]{1,3})(\$?)(\d+)")


def grown_print_area(area: str, left: int, right: int, old_end: int, new_end: int) -> str:
    """A print area (A1 ranges, with or without the sheet's name: '汇总'!$A$1:$I$36 in the file,
    $A$1:$I$36 from Excel's PageSetup) after a table in columns left..right grew from `old_end` to
    `new_end` (print_area_end). Ranges that do not hold all the table's columns are left as they are."""
    if new_end <= old_end:
        return area

    def grown(m: re.Match) -> str:
        if col_index(m[2]) > left or col_index(m[6]) < right:
            return m[0]
        last = print_area_end(int(m[8]), old_end, new_end)
        return f"{m[0][: m.start(8) - m.start(0)]}{last}"

    return _AREA_RANGE.sub(grown, area)


_SUBTOTAL = re.compile(r"\s*(?:_xlfn\.)?SUBTOTAL\(\s*(\d{1,3})\s*,\s*[^\[\]()]*\[([^\[\]]+)\]\s*\)\s*", re.I)


def subtotal_value(formula: str, column: Callable[[str], Sequence[object] | None]) -> object:
    """The value of a totals row's formula (Excel's `SUBTOTAL(109,tblPayouts[合计])`) over the rows the
    program just wrote, to store as the cell's cached value: a program that does not recalculate on opening
    (LibreOffice, WPS, pandas; Excel when the file's calcId is its own) otherwise shows the total of before.
    `column(header)`: that column's values, None when the table has no such column. None: a formula not
    understood here (the cached value is then dropped, never left stale)."""
    m = _SUBTOTAL.fullmatch(formula)
    if m is None:
        return None
    values = column(m[2].replace("'", "") if "'" in m[2] else m[2])
    if values is None:
        return None
    numbers = [float(v) for v in values if isinstance(v, (int, float)) and not isinstance(v, bool)]
    code = int(m[1]) % 100
    if code == 9:
        return math.fsum(numbers)
    if code == 1:
        return math.fsum(numbers) / len(numbers) if numbers else None
    if code == 2:
        return len(numbers)
    if code == 3:
        return sum(1 for v in values if v is not None and v != "")
    if code == 4:
        return max(numbers, default=0.0)
    if code == 5:
        return min(numbers, default=0.0)
    return None


def follow_keys(old: Sequence[tuple[int, Hashable]], new_keys: Sequence[Hashable]) -> dict[int, int]:
    """Columns a person added to a computed table follow the row's key: new row index -> the old sheet
    row whose added cells it takes. Duplicate keys pair up in order; a key no longer present takes
    nothing (its row is gone); blank keys are never matched."""
    pool: dict[Hashable, list[int]] = defaultdict(list)
    for row, key in old:
        if not _blank_key(key):
            pool[key].append(row)
    out = {}
    for i, key in enumerate(new_keys):
        if not _blank_key(key) and pool.get(key):
            out[i] = pool[key].pop(0)
    return out


def _blank_key(key: Hashable) -> bool:
    parts = key if isinstance(key, tuple) else (key,)
    return all(p is None or (isinstance(p, str) and not p.strip()) for p in parts)


def key_text(value: object) -> str:
    """A key cell's value as text, the same whichever sink read it (Excel gives 2.0 where the file has 2)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def is_status(value: object) -> bool:
    return isinstance(value, str) and value.startswith(STATUS_PREFIXES)


def status_row(header: int, above: Mapping[int, object]) -> int | None:
    """Which row of the table's first column takes the status line: the row where a previous status
    line is (the nearest above the header), else the row right above the header when it is empty.
    None: that cell holds something typed (the hint, a title) and there is no earlier status: the
    caller refuses rather than overwrite it. `above`: row -> value of the first column, rows 1..header-1."""
    for r in range(header - 1, 0, -1):
        if is_status(above.get(r)):
            return r
    r = header - 1
    if r >= 1 and _blank_key(above.get(r)):
        return r
    return None


def refusal(sheet: str, cells: Iterable[str], why: str) -> str:
    """The one sentence a refused write prints, naming the cells."""
    names = list(dict.fromkeys(cells))
    shown = "、".join(names[:8]) + ("等" if len(names) > 8 else "")
    return f"“{sheet}”工作表的{shown}{why}，为不覆盖已填写的内容，本次未写入任何文件"
