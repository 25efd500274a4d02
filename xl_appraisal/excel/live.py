"""The live adapter: the open workbook in Excel, through xlwings, behind the same port as the file adapter.

Reading yields the same RawTable values the file adapter yields; writing applies the same TableWrite /
ColumnWrite / CellWrite list that the file adapter applies to XML. So the ribbon and the command line
produce identical computed tables.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from xl_appraisal.plan import AppendRows, Plan
from xl_appraisal.workbook.port import RawTable
from xl_appraisal.workbook.read import Book, Unreadable, book_from_tables

FORMULA_START = ("=", "+", "-", "@")


def live_tables(book) -> dict[str, RawTable]:
    found: dict[str, RawTable] = {}
    for index, sheet in enumerate(book.sheets):
        for table in sheet.tables:
            rng = table.range
            values = rng.options(ndim=2).value or []
            rows = [(rng.row + i, tuple(v)) for i, v in enumerate(values)]
            found[table.name] = RawTable(sheet.name, rng.address.replace("$", ""), rows, index)
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


@contextlib.contextmanager
def unprotected(sheet):
    """Computed sheets are protected (no password) against people, not against the program."""
    api = getattr(sheet, "api", None)
    was = bool(getattr(api, "ProtectContents", False))
    if was:
        api.Unprotect()
    try:
        yield
    finally:
        if was:
            api.Protect(DrawingObjects=True, Contents=True, Scenarios=True, AllowFormattingColumns=True,
                        AllowFormattingRows=True)


@dataclass
class LiveTable:
    """An Excel table in the open book: where it is and how wide, read once per write."""

    sheet: object
    table: object
    top: int  # header row
    left: int
    headers: list
    last: int  # last row of the table

    @classmethod
    def find(cls, book, name: str) -> LiveTable:
        for sheet in book.sheets:
            for table in sheet.tables:
                if table.name == name:
                    header = table.header_row_range
                    headers = header.options(ndim=2).value[0]
                    last = table.range.row + table.range.rows.count - 1
                    return cls(sheet, table, header.row, header.column, headers, last)
        raise KeyError(name)

    @property
    def right(self) -> int:
        return self.left + len(self.headers) - 1

    def rows(self, values: list[list]) -> list[list]:
        """Rows padded to the table's width, in the form Excel takes them."""
        return [[cell_value(v) for v in row] + [None] * (len(self.headers) - len(row)) for row in values]

    def resize(self, last: int) -> None:
        self.table.resize(self.sheet.range((self.top, self.left), (last, self.right)))


def append_live(book, ap: AppendRows) -> None:
    """Rows the user asked to add (imported sign-ins), below the table's last used row."""
    t = LiveTable.find(book, ap.table)
    with unprotected(t.sheet):
        t.resize(max(t.last, ap.start + len(ap.rows) - 1))
        t.sheet.range((ap.start, t.left), (ap.start + len(ap.rows) - 1, t.right)).value = t.rows(ap.rows)


def apply_live(book, plan: Plan) -> None:
    """The live sink: the same plan the file sink applies, applied to the open book."""
    for tw in plan.tables:
        t = LiveTable.find(book, tw.table)
        n = max(len(tw.rows), 1)
        with unprotected(t.sheet):
            t.resize(t.top + n)
            t.sheet.range((t.top + 1, t.left), (t.top + n, t.right)).value = t.rows(tw.rows or [[]])
            if t.last > t.top + n:
                t.sheet.range((t.top + n + 1, t.left), (t.last, t.right)).clear_contents()
            for i, height in enumerate(tw.heights):
                with contextlib.suppress(Exception):  # not every client can set row heights
                    t.sheet.range((t.top + 1 + i, t.left)).row_height = height
    for cw in plan.columns:
        t = LiveTable.find(book, cw.table)
        col = t.left + t.headers.index(cw.header)
        with unprotected(t.sheet):
            for row, value in sorted(cw.values.items()):
                t.sheet.range((row, col)).value = cell_value(value)
    for ap in plan.appends:
        append_live(book, ap)
    for cell in plan.cells:
        sheet = LiveTable.find(book, cell.table).sheet if cell.table else book.sheets[cell.sheet]
        with unprotected(sheet):
            sheet.range(cell.ref).value = cell_value(cell.value)
    for name, value in plan.properties.items():
        set_live_property(book, name, value)
