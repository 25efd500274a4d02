"""The live adapter: the open workbook in Excel, through xlwings, behind the same port as the file adapter.

Reading yields the same RawTable values the file adapter yields (COM's 1899-12-30 times as times, error
cells as their text, whole-number doubles as ints, rows typed just below a table); writing applies the
same Plan the file sink applies, the way the file sink does it: grown rows take the first data row's
formats, rows a table no longer needs are cleared with their formats, one COM call per table block or
column, screen updating off while writing, and every protected sheet protected again with exactly its
own options. A sheet protected with a password is refused before anything is written: the program never
prompts for a password and never removes one. Tested through a COM-faithful fake (tests/com_fake.py).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from xl_appraisal.cellref import col_letters
from xl_appraisal.errors import Refused
from xl_appraisal.layout import (
    Room,
    follow_keys,
    grown_print_area,
    key_text,
    place_append,
    place_table,
    refusal,
    room_for,
    shift_row,
    status_row,
)
from xl_appraisal.plan import AppendRows, CellWrite, Plan, TableWrite
from xl_appraisal.workbook.port import BEYOND_KEPT, RawTable
from xl_appraisal.workbook.read import Book, Unreadable, book_from_tables

FORMULA_START = ("=", "+", "-", "@")
EXCEL_EPOCH = dt.date(1899, 12, 30)  # COM's date for a time typed alone (serial < 1)
BELOW_CHUNK = 40  # rows read at a time below a table, looking for rows typed outside it
XL_FILL_FORMATS = 3  # Range.AutoFill Type: copy formats only (no clipboard, no values)
REF = re.compile(r"^\$?([A-Z]+)\$?(\d+)$")


def from_com(value: object) -> object:
    """A cell value as COM (through xlwings, err_to_str) gives it -> as the file reader gives it."""
    if isinstance(value, dt.datetime):
        value = value.replace(tzinfo=None)
        return value.time() if value.date() == EXCEL_EPOCH else value
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)  # Excel stores 30 as "30"; COM hands back every number as a double
    if value == "":
        return None
    return value


def _read(rng) -> list[tuple]:
    values = rng.options(ndim=2, err_to_str=True).value or []
    return [tuple(from_com(v) for v in row) for row in values]


def _blank(row: tuple) -> bool:
    return all(v is None or v == "" for v in row)


def live_tables(book) -> dict[str, RawTable]:
    """Every table of the open book: one read per table, then the rows typed just below it (up to the
    first blank row), as the file reader does, and the rows typed in its columns after a blank gap
    (`beyond`: not read, warned; found from the sheet's used range, so a client without one finds none)."""
    found: dict[str, RawTable] = {}
    for index, sheet in enumerate(book.sheets):
        try:
            last_used = sheet.used_range.last_cell.row
        except Exception:  # not every client reports the used range: nothing below is looked at
            last_used = 0
        spans = []
        for table in sheet.tables:
            rng = table.range
            top, left = rng.row, rng.column
            last, right = top + rng.rows.count - 1, left + rng.columns.count - 1
            rows = [(top + i, v) for i, v in enumerate(_read(rng))]
            start = last + 1
            while True:
                block = _read(sheet.range((start, left), (start + BELOW_CHUNK - 1, right)))
                typed = list(itertools.takewhile(lambda r: not _blank(r), block))
                rows += [(start + i, v) for i, v in enumerate(typed)]
                if len(typed) < len(block) or not block:
                    start += len(typed)  # the first blank row below
                    break
                start += BELOW_CHUNK
            beyond: list[int] = []
            values: dict[int, tuple] = {}
            if last_used > start:
                below = _read(sheet.range((start, left), (last_used, right)))
                beyond = [start + k for k, row in enumerate(below) if not _blank(row)]
                values = {start + k: tuple(row) for k, row in enumerate(below) if not _blank(row)}
            spans.append((table.name, left, right, top, last))
            found[table.name] = RawTable(sheet.name, rng.address.replace("$", ""), rows, index, beyond, values,
                                         totals_rows(table))
        for name, left, right, _, _ in spans:  # rows inside another table in the same columns are that table's
            others = [(top, end) for other, lo, hi, top, end in spans if other != name and lo <= right and hi >= left]
            found[name].beyond = [r for r in found[name].beyond if not any(top <= r <= end for top, end in others)]
            found[name].beyond_values = {r: found[name].beyond_values[r] for r in found[name].beyond[:BEYOND_KEPT]}
    return found


def totals_rows(table) -> int:
    """1 when the table shows Excel's totals row (ListObject.ShowTotals), else 0; 0 where the client cannot
    tell (xlwings' remote engine)."""
    try:
        return 1 if table.show_totals else 0
    except Exception:  # noqa: BLE001 - no object model behind the table
        return 0


def read_live(book) -> Book | Unreadable:
    from dataclasses import replace

    from xl_appraisal.workbook.contract import BOOK_ID_PROP, SNAPSHOT_PROP

    read = book_from_tables(Path(getattr(book, "fullname", "") or book.name), live_tables(book))
    if isinstance(read, Unreadable):
        return read
    return replace(read, properties=live_properties(book, (SNAPSHOT_PROP, BOOK_ID_PROP)), modified_by=excel_user(book))


def excel_user(book) -> str:
    """The Excel user's name (Excel's options), '' where the client does not tell it."""
    try:
        return str(book.app.api.UserName or "")
    except Exception:  # noqa: BLE001 - a client without the COM/AppleScript API (remote, WPS)
        return ""


def live_properties(book, names: tuple[str, ...]) -> dict[str, str] | None:
    """Custom document properties through Excel's object model; None where the client has none."""
    try:
        props = book.api.CustomDocumentProperties
    except Exception:  # noqa: BLE001 - no object model here: the snapshot's hash cannot be checked
        return None
    out = {}
    for name in names:
        try:
            out[name] = str(props(name).Value)
        except Exception:  # noqa: BLE001, S112 - the property is not there
            continue
    return out


def set_live_property(book, name: str, value: str) -> None:
    """Set (or add) a text custom document property; silently skipped where the client has no object model."""
    with contextlib.suppress(Exception):
        props = book.api.CustomDocumentProperties
        try:
            props(name).Value = value
        except Exception:  # noqa: BLE001 - not there yet: add it (msoPropertyTypeString = 4)
            props.Add(Name=name, LinkToContent=False, Type=4, Value=value)


def cell_value(value: object) -> object:
    """What to hand Excel: numbers as floats, and text that looks like a formula kept as text."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return dt.datetime.combine(value, dt.time())
    return value


def native(obj):
    """The COM object behind an xlwings object, or None where there is none (xlwings' remote engine keeps
    plain data there)."""
    try:
        api = obj.api
    except (AttributeError, NotImplementedError):
        return None
    return None if isinstance(api, (dict, tuple, list)) else api


# Worksheet.Protect's keyword -> where the protected sheet reports it
PROTECT_OPTIONS = {
    "DrawingObjects": "ProtectDrawingObjects", "Contents": "ProtectContents", "Scenarios": "ProtectScenarios",
    "AllowFormattingCells": "Protection.AllowFormattingCells",
    "AllowFormattingColumns": "Protection.AllowFormattingColumns",
    "AllowFormattingRows": "Protection.AllowFormattingRows",
    "AllowInsertingColumns": "Protection.AllowInsertingColumns", "AllowInsertingRows": "Protection.AllowInsertingRows",
    "AllowInsertingHyperlinks": "Protection.AllowInsertingHyperlinks",
    "AllowDeletingColumns": "Protection.AllowDeletingColumns", "AllowDeletingRows": "Protection.AllowDeletingRows",
    "AllowSorting": "Protection.AllowSorting", "AllowFiltering": "Protection.AllowFiltering",
    "AllowUsingPivotTables": "Protection.AllowUsingPivotTables",
}


def _attr(obj, dotted: str):
    for name in dotted.split("."):
        obj = getattr(obj, name)
    return obj


def protection_of(api) -> dict[str, bool] | None:
    """The sheet's protection options as Protect takes them, None when its contents are not protected."""
    if api is None or not getattr(api, "ProtectContents", False):
        return None
    return {arg: bool(_attr(api, where)) for arg, where in PROTECT_OPTIONS.items()}


class PasswordProtected(Refused):
    """A sheet the program would write is protected with a password (exit 1)."""


@contextlib.contextmanager
def unprotected(sheets: list):
    """The sheets unprotected for the write, and each protected again with exactly its own options.

    Unprotect is called with an empty password, so Excel never prompts: a sheet without a password opens,
    a sheet with one raises, and the program refuses (after protecting again what it already opened)."""
    opened: list[tuple[Any, dict[str, bool]]] = []
    try:
        for sheet in sheets:
            api = native(sheet)
            options = protection_of(api)
            if options is None:
                continue
            try:
                api.Unprotect("")
            except Exception as exc:  # COM: "The password you supplied is not correct"
                raise PasswordProtected(
                    f"“{sheet.name}”工作表设有密码保护，程序不会替您输入或去掉密码。请先在 Excel 中点“审阅 → 撤销工作表保护”"
                    "并输入密码，再点按钮；算完后可以再次保护。工作簿没有任何改动。") from exc
            opened.append((api, options))
        yield
    finally:
        for api, options in reversed(opened):
            api.Protect(**options)


@contextlib.contextmanager
def screen_off(app):
    """ScreenUpdating off while writing, back to what it was afterwards (even after a failure)."""
    try:
        before = app.screen_updating
        app.screen_updating = False
    except (AttributeError, NotImplementedError):  # a client without it (xlwings' remote engine)
        yield
        return
    try:
        yield
    finally:
        app.screen_updating = before


@dataclass
class LiveTable:
    """An Excel table in the open book: where it is and how wide, read once per step (inserted rows move it)."""

    sheet: Any  # an xlwings Sheet (COM or appscript behind it)
    table: Any  # an xlwings Table
    top: int  # header row
    left: int
    headers: list
    last: int  # last row of the table (the totals row when it shows one)
    totals: int = 0  # 1 when the table shows Excel's totals row

    @classmethod
    def of(cls, sheet, table) -> LiveTable:
        header = table.header_row_range
        headers = header.options(ndim=2).value[0]
        rng = table.range
        return cls(sheet, table, header.row, header.column, headers, rng.row + rng.rows.count - 1, totals_rows(table))

    @classmethod
    def find(cls, book, name: str) -> LiveTable:
        for sheet in book.sheets:
            for table in sheet.tables:
                if table.name == name:
                    return cls.of(sheet, table)
        raise KeyError(name)

    @property
    def right(self) -> int:
        return self.left + len(self.headers) - 1

    @property
    def last_data(self) -> int:
        return self.last - self.totals

    def rows(self, values: list[list]) -> list[list]:
        """Rows padded to the table's width, in the form Excel takes them."""
        return [[cell_value(v) for v in row] + [None] * (len(self.headers) - len(row)) for row in values]

    def block(self, first: int, last: int, left: int | None = None, right: int | None = None):
        return self.sheet.range((first, self.left if left is None else left), (last, self.right if right is None else right))

    def resize(self, last: int) -> None:
        self.table.resize(self.sheet.range((self.top, self.left), (last, self.right)))
        self.last = last

    def typed_rows(self, first: int, last: int) -> dict[int, list[int]]:
        """Rows first..last holding something in the table's columns: row -> the columns typed."""
        if last < first:
            return {}
        block = _read(self.block(first, last))
        return {first + i: [self.left + j for j, v in enumerate(row) if v is not None and v != ""]
                for i, row in enumerate(block) if not _blank(row)}

    def copy_first_row_formats(self, last: int) -> None:
        """Rows 2..last of the table take the first data row's formats (number format, wrap, borders,
        fill, font, locking), as the file sink gives new rows the first row's style: one AutoFill with
        xlFillFormats, which copies formats only and does not touch the clipboard."""
        first = self.top + 1
        source, target = native(self.block(first, first)), native(self.block(first, last))
        if last > first and source is not None and target is not None:
            source.AutoFill(Destination=target, Type=XL_FILL_FORMATS)

    def set_heights(self, first: int, heights: list[float | None]) -> None:
        """Row heights, one call per run of equal heights; None gives a row back its standard height."""
        i = 0
        while i < len(heights):
            j = i
            while j + 1 < len(heights) and heights[j + 1] == heights[i]:
                j += 1
            rng = self.sheet.range((first + i, self.left), (first + j, self.left))
            if heights[i] is None:
                api = native(rng)
                if api is not None:
                    api.EntireRow.UseStandardHeight = True
            else:
                with contextlib.suppress(NotImplementedError):  # not every client sets row heights
                    rng.row_height = heights[i]
            i = j + 1


def _sheets_of_tables(book) -> dict[str, Any]:
    """Every table's sheet, by table name (which sheets a write touches: to unprotect them)."""
    return {table.name: sheet for sheet in book.sheets for table in sheet.tables}


UNCHANGED = "工作簿没有任何改动。可以先把这些内容移到别处，或在表格下方留出足够的空行，再点按钮"
XL_SHIFT_DOWN, XL_SHIFT_UP = -4121, -4162  # XlInsertShiftDirection / XlDeleteShiftDirection
XL_FORMAT_FROM_RIGHT_OR_BELOW = 1  # XlInsertFormatOrigin: inserted cells take the formats below (then cleared)


def _cells_text(t: LiveTable, typed: Mapping[int, list[int]], rows) -> list[str]:
    return [f"{col_letters(c)}{r}" for r in rows for c in typed.get(r, [])]


def _spans(rng, at: int) -> bool:
    """Whether inserting whole rows at `at` would go through this range (below its first row, not below it)."""
    top = rng.row
    return top < at <= top + rng.rows.count - 1


class _Shape:
    """What one write does to the sheet's rows, decided and done before any value is written: rows are only
    ever inserted here (so a refusal after this point has lost nothing), and the insertions are remembered so
    that later cells on the same sheet, and a refusal, can account for them."""

    def __init__(self, book):
        self.book = book
        self.inserted: list[tuple[str, Room]] = []  # (sheet name, rows inserted)

    def make_room(self, t: LiveTable, room: Room | None, typed: Mapping[int, list[int]]) -> None:
        """Insert whole sheet rows so that what is typed in the way moves down with its layout (Excel moves
        formulas, merged cells, comments and other tables with them), or refuse naming the cells."""
        if room is None:
            return
        why = "有已填写的内容，表格需要扩展到这些行，但无法整行下移"
        # another table beside this one, across the rows: whole rows inserted would cut it in two (the file
        # writer refuses the same)
        across = [f"表格{other.name}（{other.range.address.replace('$', '')}）" for other in t.sheet.tables
                  if other.name != t.table.name and _spans(other.range, room.at)]
        if across:
            self.undo()
            raise Refused(refusal(t.sheet.name, _cells_text(t, typed, room.typed), why),
                          details=[f"无法下移的原因：{'、'.join(across)}在这些行旁边，整行插入会把它断开",
                                   UNCHANGED])
        rows = native(t.sheet.range((room.at, t.left), (room.at + room.count - 1, t.left)))
        try:
            if rows is None:
                raise NotImplementedError("no object model to insert rows with")
            rows.EntireRow.Insert(Shift=XL_SHIFT_DOWN)
        except Exception as exc:  # noqa: BLE001 - Excel refused (an array formula, a protected range, …)
            self.undo()
            raise Refused(refusal(t.sheet.name, _cells_text(t, typed, room.typed), why),
                          details=[UNCHANGED]) from exc
        self.inserted.append((t.sheet.name, room))

    def undo(self) -> None:
        """Take back the rows inserted so far (they are blank: nothing was written yet)."""
        for sheet, room in reversed(self.inserted):
            with contextlib.suppress(Exception):
                native(self.book.sheets[sheet].range((room.at, 1), (room.at + room.count - 1, 1))).EntireRow.Delete()
        self.inserted.clear()

    def row_after(self, sheet: str, row: int) -> int:
        """Where a row of the sheet (as read before the write) is now."""
        for name, room in self.inserted:
            if name == sheet:
                row = shift_row(row, room)
        return row


@dataclass
class _Kept:
    """What a person put in a computed table, read before the table is rewritten: the rows' keys and the
    cells of the columns the program does not write (values, and formulas where there were any)."""

    keys: list[tuple[int, tuple[str, ...]]]
    extra: dict[int, list[tuple[object, str | None]]]  # column -> (value, formula) per old data row, in order
    first: int


def _kept(t: LiveTable, tw: TableWrite, program: list[str]) -> _Kept:
    first = t.top + 1
    extra_cols = [t.left + j for j, h in enumerate(t.headers) if h not in program]
    key_cols = [t.left + t.headers.index(h) for h in tw.key if h in t.headers]
    if t.last_data < first:
        return _Kept([], {c: [] for c in extra_cols}, first)
    values = _read(t.block(first, t.last_data))
    keys = [(first + i, tuple(key_text(row[c - t.left]) for c in key_cols)) for i, row in enumerate(values)]
    extra = {}
    for c in extra_cols:
        formulas = _formulas(t.block(first, t.last_data, c, c))
        extra[c] = [(row[c - t.left], f if isinstance(f, str) and f.startswith("=") else None)
                    for row, f in zip(values, formulas, strict=True)]
    return _Kept(keys, extra, first)


def _formulas(rng) -> list[object]:
    """A one-column range's formulas (Range.Formula: the formula, or the constant as text)."""
    try:
        got = rng.formula
    except Exception:  # noqa: BLE001 - a client that cannot read formulas (remote engine): values only
        return [None] * rng.rows.count
    if not isinstance(got, (list, tuple)):
        return [got]
    return [row[0] if isinstance(row, (list, tuple)) else row for row in got]


def _program_headers(t: LiveTable, tw: TableWrite) -> list[str]:
    return list(tw.headers) if tw.headers else t.headers[: max((len(r) for r in tw.rows), default=len(t.headers))]


def _grow(shape: _Shape, t: LiveTable, tw: TableWrite) -> None:
    """Make the table's rows for the write, inserting only: room for what is typed below, and, for a table
    with a totals row, the new data rows inserted above its last data row (the totals row moves down, Excel
    keeps it the totals row) with what is below put back where it was."""
    place = place_table(t.top, t.last, len(tw.rows), t.totals, [])
    if place.end <= t.last:
        return
    typed = t.typed_rows(t.last + 1, place.end)
    room = room_for(t.last + 1, place.end, typed)
    shape.make_room(t, room, typed)
    if t.totals:
        k = place.end - t.last
        at = t.last_data  # the last data row: inserted table rows above it (inside the table)
        _cells_op(shape, t, native(t.block(at, at + k - 1)), "Insert", Shift=XL_SHIFT_DOWN)
        t.last += k  # what was below the table in its columns moved down k: put it back
        _cells_op(shape, t, native(t.block(t.last + 1, t.last + k)), "Delete", Shift=XL_SHIFT_UP)


def _cells_op(shape: _Shape, t: LiveTable, api, op: str, **kw) -> None:
    try:
        if api is None:
            raise NotImplementedError("no object model to move cells with")
        getattr(api, op)(**kw)
    except Exception as exc:  # noqa: BLE001 - Excel refused to move these cells (a merged cell, another table)
        shape.undo()
        raise Refused(f"“{t.sheet.name}”工作表的表格{t.table.name}带有汇总行，程序无法为它增加行（表格下方的合并单元格或"
                      "另一个表格挡住了），为不覆盖已填写的内容，本次未写入",
                      details=["可以先在 Excel 中取消这个表格的汇总行（表设计 → 汇总行），算完后再勾选"]) from exc


def _write_table(t: LiveTable, tw: TableWrite, kept: _Kept) -> None:
    """Rows in the program's columns; the person's columns follow the row's key; a shrinking table leaves
    what is below it where it is (a totals row moves up with the table)."""
    program = _program_headers(t, tw)
    rows = tw.rows or [[]]
    n = len(rows)
    if t.totals and t.last_data - t.top > n:  # fewer rows: the totals row moves up, what is below stays
        k = t.last_data - t.top - n
        native(t.block(t.top + n + 1, t.top + n + k)).Delete(Shift=XL_SHIFT_UP)
        t.last -= k
        native(t.block(t.last + 1, t.last + k)).Insert(Shift=XL_SHIFT_DOWN, CopyOrigin=XL_FORMAT_FROM_RIGHT_OR_BELOW)
        t.block(t.last + 1, t.last + k).clear()
    old_last = t.last
    if not t.totals:
        t.resize(t.top + n)
    first, last = t.top + 1, t.top + n
    t.copy_first_row_formats(last)
    full: list[list[object]] = [[None] * len(t.headers) for _ in rows]
    for i, values in enumerate(rows):
        for j, h in enumerate(program):
            full[i][t.headers.index(h)] = cell_value(values[j]) if j < len(values) else None
    for lo, hi in _runs(sorted(t.headers.index(h) for h in program)):
        t.block(first, last, t.left + lo, t.left + hi).value = [row[lo:hi + 1] for row in full]
    if kept.extra:
        key_idx = [program.index(h) for h in tw.key if h in program]
        new_keys = [tuple(key_text(row[i]) if i < len(row) else "" for i in key_idx) for row in rows]
        follow = (follow_keys(kept.keys, new_keys) if tw.key and any(h in t.headers for h in tw.key)
                  else {i: r for i, (r, _) in enumerate(kept.keys) if i < n})
        for col, cells in kept.extra.items():
            moved = [cells[follow[i] - kept.first] if i in follow else (None, None) for i in range(n)]
            rng = t.block(first, last, col, col)
            if any(f for _, f in moved):
                rng.formula = [[f if f else _as_typed(v)] for v, f in moved]
            else:
                rng.value = [[_as_typed(v)] for v, _ in moved]
    if not t.totals and old_last > last:  # the file sink removes these cells, formats and all
        t.block(last + 1, old_last).clear()
    if tw.heights:
        t.set_heights(first, [tw.heights[i] if i < len(tw.heights) else None for i in range(n)])


def _as_typed(value: object) -> object:
    """A person's cell written back as it was: text stays text (an apostrophe keeps "001" from becoming 1)."""
    if isinstance(value, str):
        return "'" + value
    return cell_value(value)


def _runs(indexes: list[int]) -> list[tuple[int, int]]:
    """Consecutive runs of column indexes: one write per run (a person's column in between is skipped)."""
    out: list[tuple[int, int]] = []
    for i in indexes:
        if out and out[-1][1] == i - 1:
            out[-1] = (out[-1][0], i)
        else:
            out.append((i, i))
    return out


def _write_column(t: LiveTable, header: str, values: Mapping[int, object]) -> None:
    """The whole column of the table in one call (rows without a value are emptied, as in the file sink)."""
    col = t.left + t.headers.index(header)
    if t.last_data > t.top:
        t.sheet.range((t.top + 1, col), (t.last_data, col)).value = [
            [cell_value(values.get(r))] for r in range(t.top + 1, t.last_data + 1)]


def _append_room(shape: _Shape, t: LiveTable, ap: AppendRows) -> None:
    last = ap.start + len(ap.rows) - 1
    typed = t.typed_rows(max(ap.start, t.last + 1), last)
    _, room = place_append(t.last, ap.start, len(ap.rows), typed)
    shape.make_room(t, room, typed)


def _append(t: LiveTable, ap: AppendRows, start: int) -> None:
    """Rows the user asked to add (imported sign-ins), below the table's last used row."""
    last = start + len(ap.rows) - 1
    if last > t.last:
        t.resize(last)
        t.copy_first_row_formats(last)
    t.block(start, last).value = t.rows(ap.rows)


def _status_offset(book, cell: CellWrite) -> int:
    """How many rows above its table's header the status line goes (layout.status_row), or a refusal."""
    t = LiveTable.find(book, cell.status_of)
    above = {}
    if t.top > 1:
        column = _read(t.sheet.range((1, t.left), (t.top - 1, t.left)))
        above = {1 + i: row[0] for i, row in enumerate(column)}
    row = status_row(t.top, above)
    if row is None:
        raise Refused(refusal(t.sheet.name, [f"{col_letters(t.left)}{t.top - 1}"], "（表头上方一行）已有内容，无法写入状态行"),
                      details=[f"请在“{t.sheet.name}”表头上方插入一个空行，再点按钮"])
    return t.top - row


def _follow_print_area(t: LiveTable, old_end: int) -> None:
    """The sheet's print area grows with a table that grew past its end, as in the file sink
    (layout.grown_print_area); a client without PageSetup leaves it as it is."""
    if t.last <= old_end:
        return
    api = native(t.sheet)
    with contextlib.suppress(Exception):  # noqa: BLE001 - no page setup here (remote engine, some clients)
        area = api.PageSetup.PrintArea
        if area:
            new = grown_print_area(str(area), t.left, t.right, old_end, t.last)
            if new != area:
                api.PageSetup.PrintArea = new


def apply_live(book, plan: Plan) -> None:
    """The live sink: the same plan the file sink applies, applied to the open book, with the same layout
    decisions (xl_appraisal.layout): first everything that could refuse is checked and rows are inserted
    where a table must grow into typed content (nothing is written yet); then the values are written."""
    if not plan:
        return
    tables = _sheets_of_tables(book)

    def sheet_of(cell):
        return tables[cell.table] if cell.table else book.sheets[cell.sheet]

    edits: list[Any] = [*plan.tables, *plan.columns, *plan.appends]
    names = {tables[e.table].name for e in edits}
    names |= {sheet_of(cell).name for cell in plan.cells}
    sheets = [s for s in book.sheets if s.name in names]
    with screen_off(book.app), unprotected(sheets):
        status = {id(cell): _status_offset(book, cell) for cell in plan.cells
                  if cell.status_of and cell.status_of in tables}
        shape = _Shape(book)
        kept = {}
        ends = {}
        for tw in plan.tables:  # read what a person put in the table, then make its rows (inserting only)
            t = LiveTable.find(book, tw.table)
            kept[id(tw)] = _kept(t, tw, _program_headers(t, tw))
            ends[id(tw)] = t.last
            _grow(shape, t, tw)
        starts = {}
        for ap in plan.appends:
            t = LiveTable.find(book, ap.table)
            start = shape.row_after(t.sheet.name, ap.start)
            _append_room(shape, t, replace(ap, start=start))
            starts[id(ap)] = start
        for tw in plan.tables:
            t = LiveTable.find(book, tw.table)
            _write_table(t, tw, kept[id(tw)])
            _follow_print_area(t, ends[id(tw)])
        for cw in plan.columns:
            _write_column(LiveTable.find(book, cw.table), cw.header, cw.values)
        for ap in plan.appends:
            _append(LiveTable.find(book, ap.table), ap, starts[id(ap)])
        for cell in plan.cells:
            if id(cell) in status:
                t = LiveTable.find(book, cell.status_of)
                t.sheet.range((t.top - status[id(cell)], t.left)).value = cell_value(cell.value)
                continue
            sheet = sheet_of(cell)
            m = REF.match(cell.ref)
            ref = f"{m[1]}{shape.row_after(sheet.name, int(m[2]))}" if m else cell.ref
            sheet.range(ref).value = cell_value(cell.value)
    for name, value in plan.properties.items():
        set_live_property(book, name, value)
