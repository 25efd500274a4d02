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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from xl_appraisal.errors import Refused
from xl_appraisal.plan import AppendRows, Plan
from xl_appraisal.workbook.port import RawTable
from xl_appraisal.workbook.read import Book, Unreadable, book_from_tables

FORMULA_START = ("=", "+", "-", "@")
EXCEL_EPOCH = dt.date(1899, 12, 30)  # COM's date for a time typed alone (serial < 1)
BELOW_CHUNK = 40  # rows read at a time below a table, looking for rows typed outside it
XL_FILL_FORMATS = 3  # Range.AutoFill Type: copy formats only (no clipboard, no values)


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
            if last_used > start:
                below = _read(sheet.range((start, left), (last_used, right)))
                beyond = [start + k for k, row in enumerate(below) if not _blank(row)]
            spans.append((table.name, left, right, top, last))
            found[table.name] = RawTable(sheet.name, rng.address.replace("$", ""), rows, index, beyond)
        for name, left, right, _, _ in spans:  # rows inside another table in the same columns are that table's
            others = [(top, end) for other, lo, hi, top, end in spans if other != name and lo <= right and hi >= left]
            found[name].beyond = [r for r in found[name].beyond if not any(top <= r <= end for top, end in others)]
    return found


def read_live(book) -> Book | Unreadable:
    from dataclasses import replace

    from xl_appraisal.workbook.contract import SNAPSHOT_PROP

    read = book_from_tables(Path(getattr(book, "fullname", "") or book.name), live_tables(book))
    if isinstance(read, Unreadable):
        return read
    return replace(read, properties=live_properties(book, (SNAPSHOT_PROP,)), modified_by=excel_user(book))


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
    """An Excel table in the open book: where it is and how wide, read once per write."""

    sheet: Any  # an xlwings Sheet (COM or appscript behind it)
    table: Any  # an xlwings Table
    top: int  # header row
    left: int
    headers: list
    last: int  # last row of the table

    @classmethod
    def of(cls, sheet, table) -> LiveTable:
        header = table.header_row_range
        headers = header.options(ndim=2).value[0]
        rng = table.range
        return cls(sheet, table, header.row, header.column, headers, rng.row + rng.rows.count - 1)

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

    def rows(self, values: list[list]) -> list[list]:
        """Rows padded to the table's width, in the form Excel takes them."""
        return [[cell_value(v) for v in row] + [None] * (len(self.headers) - len(row)) for row in values]

    def block(self, first: int, last: int):
        return self.sheet.range((first, self.left), (last, self.right))

    def resize(self, last: int) -> None:
        self.table.resize(self.sheet.range((self.top, self.left), (last, self.right)))
        self.last = last

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


def _tables(book) -> dict[str, LiveTable]:
    """Every table of the book, found once per write (not once per edit)."""
    return {table.name: LiveTable.of(sheet, table) for sheet in book.sheets for table in sheet.tables}


def _write_table(t: LiveTable, rows: list[list], heights: Sequence[float | None]) -> None:
    n = max(len(rows), 1)
    old_last = t.last
    t.resize(t.top + n)
    t.copy_first_row_formats(t.top + n)
    t.block(t.top + 1, t.top + n).value = t.rows(rows or [[]])
    if old_last > t.top + n:  # the file sink removes these cells, formats and all
        t.block(t.top + n + 1, old_last).clear()
    if heights:
        t.set_heights(t.top + 1, [heights[i] if i < len(heights) else None for i in range(n)])


def _write_column(t: LiveTable, header: str, values: Mapping[int, object]) -> None:
    """The whole column of the table in one call (rows without a value are emptied, as in the file sink)."""
    col = t.left + t.headers.index(header)
    if t.last > t.top:
        t.sheet.range((t.top + 1, col), (t.last, col)).value = [
            [cell_value(values.get(r))] for r in range(t.top + 1, t.last + 1)]


def _append(t: LiveTable, ap: AppendRows) -> None:
    """Rows the user asked to add (imported sign-ins), below the table's last used row."""
    last = ap.start + len(ap.rows) - 1
    if last > t.last:
        t.resize(last)
        t.copy_first_row_formats(last)
    t.block(ap.start, last).value = t.rows(ap.rows)


def apply_live(book, plan: Plan) -> None:
    """The live sink: the same plan the file sink applies, applied to the open book."""
    if not plan:
        return
    tables = _tables(book)

    def sheet_of(cell):
        return tables[cell.table].sheet if cell.table else book.sheets[cell.sheet]

    edits: list[Any] = [*plan.tables, *plan.columns, *plan.appends]
    names = {tables[e.table].sheet.name for e in edits}
    names |= {sheet_of(cell).name for cell in plan.cells}
    sheets = [s for s in book.sheets if s.name in names]
    with screen_off(book.app), unprotected(sheets):
        for tw in plan.tables:
            _write_table(tables[tw.table], tw.rows, tw.heights)
        for cw in plan.columns:
            _write_column(tables[cw.table], cw.header, cw.values)
        for ap in plan.appends:
            _append(tables[ap.table], ap)
        for cell in plan.cells:
            sheet_of(cell).range(cell.ref).value = cell_value(cell.value)
    for name, value in plan.properties.items():
        set_live_property(book, name, value)
