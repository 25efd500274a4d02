"""The live adapter: the open workbook in Excel, through xlwings, behind the same port as the file adapter.

Reading yields the same RawTable values the file adapter yields; writing applies the same TableWrite /
ColumnWrite / CellWrite list that the file adapter applies to XML. So the ribbon and the command line
produce identical computed tables.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from decimal import Decimal
from pathlib import Path

from xl_appraisal.workbook.read import Book, RawTable, book_from_tables
from xl_appraisal.workbook.write import AppendRows, CellWrite, ColumnWrite, TableWrite

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


def read_live(book) -> Book:
    return book_from_tables(Path(getattr(book, "fullname", "") or book.name), live_tables(book))


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


def find_table(book, name: str):
    for sheet in book.sheets:
        for table in sheet.tables:
            if table.name == name:
                return sheet, table
    raise KeyError(name)


def append_live(book, ap: AppendRows) -> None:
    """Rows the user asked to add (imported sign-ins), below the table's last used row."""
    sheet, table = find_table(book, ap.table)
    header = table.header_row_range
    top, left, width = header.row, header.column, len(header.options(ndim=2).value[0])
    last = max(table.range.row + table.range.rows.count - 1, ap.start + len(ap.rows) - 1)
    with unprotected(sheet):
        table.resize(sheet.range((top, left), (last, left + width - 1)))
        body = [[cell_value(v) for v in row] + [None] * (width - len(row)) for row in ap.rows]
        sheet.range((ap.start, left), (ap.start + len(ap.rows) - 1, left + width - 1)).value = body


def apply_live(book, tables: list[TableWrite], columns: list[ColumnWrite], cells: list[CellWrite]) -> None:
    for tw in tables:
        sheet, table = find_table(book, tw.table)
        header = table.header_row_range
        top, left, width = header.row, header.column, len(header.options(ndim=2).value[0])
        old_last = table.range.row + table.range.rows.count - 1
        n = max(len(tw.rows), 1)
        body = [[cell_value(v) for v in row] + [None] * (width - len(row)) for row in tw.rows] or [[None] * width]
        with unprotected(sheet):
            table.resize(sheet.range((top, left), (top + n, left + width - 1)))
            sheet.range((top + 1, left), (top + n, left + width - 1)).value = body
            if old_last > top + n:
                sheet.range((top + n + 1, left), (old_last, left + width - 1)).clear_contents()
            for i, height in enumerate(tw.heights):
                with contextlib.suppress(Exception):  # not every client can set row heights
                    sheet.range((top + 1 + i, left)).row_height = height
    for cw in columns:
        sheet, table = find_table(book, cw.table)
        headers = table.header_row_range.options(ndim=2).value[0]
        col = table.header_row_range.column + headers.index(cw.header)
        with unprotected(sheet):
            for row, value in sorted(cw.values.items()):
                sheet.range((row, col)).value = cell_value(value)
    for cell in cells:
        sheet = book.sheets[cell.sheet]
        with unprotected(sheet):
            sheet.range(cell.ref).value = cell_value(cell.value)
