"""A COM-faithful fake of an open Excel book, for the live adapter (xl_appraisal/excel/live.py) and the ribbon
entry points (xl_appraisal/excel/macros.py), without Windows.

Faithful where it matters:
- Values cross the boundary the way they do on Windows: a read hands xlwings' own Windows cleaning
  function (`_clean_value_data_element` in the installed xlwings/_xlwindows.py, loaded from its source,
  since the module itself needs pywin32) the values COM gives -- every number a double, a time typed alone
  as datetime(1899, 12, 30, h, m), an error cell as its integer code -- and then xlwings' own conversion
  stages (CleanDataFromReadStage, AdjustDimensionsStage); a write goes through xlwings' Ensure2DStage and
  the Windows `prepare_xl_data_element`, then Excel's own coercion (a leading apostrophe makes text, a
  numeric-looking string becomes a number, a leading "=" makes a formula).
- Protection as Excel enforces it: writing, resizing a table or AutoFill on a protected sheet fails;
  Unprotect without a password on a sheet that has one prompts (recorded, then fails as a cancel does);
  with a wrong one, fails; Protect's keywords set exactly the options it is given.
- Formats per cell (number format, wrap, alignment, border, fill, bold, locking), copied by AutoFill with
  xlFillFormats, removed by Clear, kept by ClearContents.
- Every call that would cross into Excel is counted (`app.calls`), so tests can see bulk writes.
"""

from __future__ import annotations

import ast
import datetime as dt
import re
import types
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path

import openpyxl
from openpyxl.utils.cell import column_index_from_string, get_column_letter, range_boundaries
from xlwings.conversion.standard import (
    AdjustDimensionsStage,
    CleanDataForWriteStage,
    CleanDataFromReadStage,
    Ensure2DStage,
)

# --- xlwings' Windows conversion functions, from the installed source ------------------------------------


def _windows_conversion() -> types.SimpleNamespace:
    source = resources.files("xlwings").joinpath("_xlwindows.py").read_text(encoding="utf-8")
    tree = ast.parse(source)
    wanted = {"cell_errors", "_clean_value_data_element", "_com_time_to_datetime", "_datetime_to_com_time"}
    nodes = []
    engine_methods = {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name in wanted:
            nodes.append(node)
        elif isinstance(node, ast.Assign) and any(getattr(t, "id", "") in wanted for t in node.targets):
            nodes.append(node)
        elif isinstance(node, ast.ClassDef) and node.name == "Engine":
            for item in node.body:
                if isinstance(item, ast.FunctionDef) and item.name in ("prepare_xl_data_element", "clean_value_data"):
                    item.decorator_list = []
                    engine_methods[item.name] = item
    nodes += engine_methods.values()
    assert len(nodes) == 6, "xlwings' Windows conversion functions moved"
    module = ast.Module(body=nodes, type_ignores=[])

    class _TimeZoneInfo:
        @staticmethod
        def utc():
            return dt.UTC

    try:
        import numpy as np
    except ImportError:  # pragma: no cover
        np = None
    try:
        import pandas as pd
    except ImportError:  # pragma: no cover
        pd = None
    # pywintypes.TimeType is a datetime subclass: the time types are the ones _xlwindows builds without it
    namespace = {"dt": dt, "np": np, "pd": pd, "time_types": (dt.date, dt.datetime),
                 "win32timezone": types.SimpleNamespace(TimeZoneInfo=_TimeZoneInfo)}
    exec(compile(module, "xlwings/_xlwindows.py", "exec"), namespace)  # noqa: S102 - xlwings' own code
    return types.SimpleNamespace(clean_value_data=namespace["clean_value_data"],
                                 prepare_xl_data_element=namespace["prepare_xl_data_element"],
                                 cell_errors=namespace["cell_errors"])


WIN = _windows_conversion()
ERROR_CODES = {text: code for code, text in WIN.cell_errors.items()}
XL_FILL_FORMATS = 3


def to_com(value: object) -> object:
    """A cell value (as openpyxl reads it) -> what COM's Range.Value gives for it."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time())
    if isinstance(value, dt.time):
        return dt.datetime.combine(dt.date(1899, 12, 30), value)
    if isinstance(value, str) and value in ERROR_CODES:
        return ERROR_CODES[value]
    return value


NUMERIC = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")


def excel_stores(value: object) -> tuple[object, str | None]:
    """What Excel keeps when COM sets a cell's Value: (value, formula)."""
    if isinstance(value, str):
        if value.startswith("'"):
            return value[1:], None
        if value.startswith("="):
            return None, value
        if NUMERIC.match(value.strip()):
            return float(value), None
        return (None if value == "" else value), None
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None), None
    if isinstance(value, bool):
        return value, None
    if isinstance(value, (int, float)):
        return float(value), None
    return value, None


# --- formats ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Fmt:
    number_format: str = "General"
    wrap: bool = False
    horizontal: str | None = None
    vertical: str | None = None
    border: str | None = None
    fill: str | None = None
    bold: bool = False
    locked: bool = True

    @classmethod
    def of(cls, cell) -> Fmt:
        fill = cell.fill.fgColor.rgb if cell.fill is not None and cell.fill.fill_type else None
        return cls(cell.number_format or "General", bool(cell.alignment.wrap_text), cell.alignment.horizontal,
                   cell.alignment.vertical, cell.border.left.style if cell.border else None,
                   fill if isinstance(fill, str) else None, bool(cell.font.b), cell.protection.locked is not False)


# --- the object model ---------------------------------------------------------------------------------------


class ComError(Exception):
    """What pywin32 raises when Excel refuses a call (pywintypes.com_error)."""


class App:
    def __init__(self):
        self.calls = 0
        self.screen_updating = True
        self._status: object = False
        self.status_history: list[object] = []
        self.alerts: list[tuple[str, str]] = []
        self.prompts: list[str] = []  # Excel dialogs a call would have put up (password prompts)
        self.open_filename: object = False  # what GetOpenFilename answers
        self.picker_calls: list[tuple[tuple, dict]] = []
        self.screen_log: list[bool] = []
        self.api = AppApi(self)

    def call(self) -> None:
        self.calls += 1

    @property
    def status_bar(self):
        return self._status

    @status_bar.setter
    def status_bar(self, value):
        self.call()
        self._status = value
        self.status_history.append(value)

    def __setattr__(self, name, value):
        if name == "screen_updating" and "screen_log" in self.__dict__:
            self.screen_log.append(value)
            self.calls += 1
        super().__setattr__(name, value)

    def alert(self, prompt, title=None, buttons="ok", mode=None, callback=None):
        self.alerts.append((prompt, title))


class AppApi:
    def __init__(self, app: App):
        self._app = app

    def GetOpenFilename(self, *args, **kwargs):  # noqa: N802 - the COM name
        self._app.picker_calls.append((args, kwargs))
        if args and any(a is None for a in args):
            raise ComError("Type mismatch (a None sent as VT_NULL)")
        return self._app.open_filename


class Book:
    def __init__(self, path: Path, app: App | None = None):
        self.app = app or App()
        self.fullname = str(path)
        self.name = Path(path).name
        self.sheets = Sheets([])
        self.saved = 0
        self.properties: dict[str, str] = {}  # custom document properties (Workbook.CustomDocumentProperties)
        self.api = BookApi(self)

    def save(self, path=None):
        self.saved += 1

    @classmethod
    def from_file(cls, path: Path) -> Book:
        book = cls(path)
        values = openpyxl.load_workbook(path, data_only=True)
        book.properties = {p.name: str(p.value) for p in values.custom_doc_props.props}
        formulas = openpyxl.load_workbook(path)
        for ws in values.worksheets:
            sheet = Sheet(book, ws.title)
            for row in ws.iter_rows():
                for cell in row:
                    if not hasattr(cell, "column"):
                        continue
                    if cell.value is not None:
                        sheet.cells[(cell.row, cell.column)] = to_com(cell.value)
                    f = formulas[ws.title].cell(cell.row, cell.column).value
                    if isinstance(f, str) and f.startswith("="):
                        sheet.formulas[(cell.row, cell.column)] = f
                    if cell.has_style:
                        sheet.fmts[(cell.row, cell.column)] = Fmt.of(cell)
            for r, dim in ws.row_dimensions.items():
                if dim.height is not None:
                    sheet.heights[r] = dim.height
            if ws.print_area:  # openpyxl: "'汇总'!$A$1:$I$36"; Excel's PageSetup.PrintArea has no sheet name
                areas = ws.print_area if isinstance(ws.print_area, list) else ws.print_area.split(",")
                sheet.print_area = ",".join(a.split("!")[-1] for a in areas)
            for t in ws.tables.values():
                sheet.tables.append(Table(sheet, t.displayName, t.ref, show_totals=bool(t.totalsRowCount)))
            p = ws.protection
            if p.sheet:
                sheet.protection = {"DrawingObjects": bool(p.objects), "Contents": True, "Scenarios": bool(p.scenarios),
                                    "AllowFormattingCells": not p.formatCells, "AllowFormattingColumns": not p.formatColumns,
                                    "AllowFormattingRows": not p.formatRows, "AllowInsertingColumns": not p.insertColumns,
                                    "AllowInsertingRows": not p.insertRows, "AllowInsertingHyperlinks": not p.insertHyperlinks,
                                    "AllowDeletingColumns": not p.deleteColumns, "AllowDeletingRows": not p.deleteRows,
                                    "AllowSorting": not p.sort, "AllowFiltering": not p.autoFilter,
                                    "AllowUsingPivotTables": not p.pivotTables}
            book.sheets.items.append(sheet)
        return book


class _Property:
    def __init__(self, book: Book, name: str):
        self._book, self._name = book, name

    @property
    def Value(self):  # noqa: N802
        return self._book.properties[self._name]

    @Value.setter
    def Value(self, value):  # noqa: N802
        self._book.properties[self._name] = str(value)


class _CustomProperties:
    """Workbook.CustomDocumentProperties: called with a name (fails when absent, as COM does), Add."""

    def __init__(self, book: Book):
        self._book = book

    def __call__(self, name: str) -> _Property:
        self._book.app.call()
        if name not in self._book.properties:
            raise ComError(f"Invalid procedure call or argument: {name}")
        return _Property(self._book, name)

    def Add(self, Name, LinkToContent, Type, Value):  # noqa: N802, N803
        self._book.app.call()
        self._book.properties[Name] = str(Value)


class BookApi:
    def __init__(self, book: Book):
        self.CustomDocumentProperties = _CustomProperties(book)


class Sheets:
    def __init__(self, items: list):
        self.items = items

    def __iter__(self):
        return iter(self.items)

    def __len__(self):
        return len(self.items)

    def __getitem__(self, key):
        if isinstance(key, int):
            return self.items[key]
        for s in self.items:
            if s.name == key:
                return s
        raise KeyError(key)


class Sheet:
    def __init__(self, book: Book, name: str):
        self.book = book
        self.name = name
        self.cells: dict[tuple[int, int], object] = {}
        self.formulas: dict[tuple[int, int], str] = {}
        self.fmts: dict[tuple[int, int], Fmt] = {}
        self.heights: dict[int, float | None] = {}
        self.tables: list[Table] = []
        self.protection: dict[str, bool] | None = None
        self.password: str | None = None
        self.api = SheetApi(self)
        self.active = False
        self.print_area: str | None = None  # as PageSetup.PrintArea gives it: "$A$1:$I$36" (no sheet name)

    def activate(self):
        self.active = True

    def range(self, a, b=None) -> Range:
        if isinstance(a, str):
            c1, r1, c2, r2 = range_boundaries(a.replace("$", ""))
            return Range(self, r1, c1, r2, c2)
        b = b or a
        return Range(self, a[0], a[1], b[0], b[1])

    def fmt(self, r: int, c: int) -> Fmt:
        return self.fmts.get((r, c), Fmt())

    def shift(self, at: int, count: int, cols: tuple[int, int] | None = None, origin: int = 0) -> None:
        """Excel's Insert (count > 0: `count` rows at `at` move everything from `at` down) and Delete (count < 0:
        rows at..at-count-1 go, what is below moves up), of whole rows (`cols` None) or of the cells in
        columns cols[0]..cols[1]. Tables below move, tables the rows go through grow or shrink; moving part of
        a table (cells narrower than a table in their way) fails, as in Excel. Inserted cells take the formats
        above them (origin 0, xlFormatFromLeftOrAbove) or below (origin 1)."""
        self.book.app.call()
        if self.protection is not None:
            raise ComError(f"insert/delete on protected sheet {self.name}")
        gone = range(at, at - count) if count < 0 else range(0)
        moves = []
        for t in self.tables:
            c1, r1, c2, r2 = range_boundaries(t.ref)
            if r2 < at or (cols is not None and (c2 < cols[0] or c1 > cols[1])):
                continue
            if cols is not None and not (cols[0] <= c1 and c2 <= cols[1]):
                raise ComError(f"This operation is attempting to shift cells in table {t.name}")
            if r1 in gone:
                raise ComError(f"cannot delete the header row of {t.name}")
            if count > 0:
                r1, r2 = (r1 + count, r2 + count) if r1 >= at else (r1, r2 + count)
            elif r1 >= at:  # wholly below the deleted rows: moves up
                r1, r2 = r1 + count, r2 + count
            else:  # the deleted rows go through it: it shrinks
                r2 -= len([r for r in gone if r1 < r <= r2])
            moves.append((t, f"{get_column_letter(c1)}{r1}:{get_column_letter(c2)}{r2}"))
        for t, ref in moves:
            t.ref = ref
        inside = (lambda c: True) if cols is None else (lambda c: cols[0] <= c <= cols[1])
        for store in (self.cells, self.formulas, self.fmts):
            moved = {}
            for (r, c), v in store.items():
                if not inside(c) or r < at:
                    moved[(r, c)] = v
                elif r in gone:
                    continue
                else:
                    moved[(r + count, c)] = v
            store.clear()
            store.update(moved)
        if count > 0:  # the new cells' formats
            source = at - 1 if origin == 0 else at + count
            for c in {c for (_, c) in list(self.fmts)}:
                if inside(c) and (source, c) in self.fmts:
                    for r in range(at, at + count):
                        self.fmts[(r, c)] = self.fmts[(source, c)]
        if cols is None and self.print_area and count > 0:  # Excel moves the print area with whole rows
            def moved_range(m):
                r1, r2 = int(m[2]), int(m[4])
                r1, r2 = (r1 + count, r2 + count) if r1 >= at else (r1, r2 + count if r2 >= at else r2)
                return f"{m[1]}{r1}:{m[3]}{r2}"
            self.print_area = re.sub(r"(\$[A-Z]+\$)(\d+):(\$[A-Z]+\$)(\d+)", moved_range, self.print_area)
        if cols is None:
            heights = {}
            for r, h in self.heights.items():
                if r < at:
                    heights[r] = h
                elif r not in gone:
                    heights[r + count] = h
            self.heights = heights

    def check_writable(self, rng: Range, what: str) -> None:
        if self.protection is None:
            return
        locked = any(self.fmt(r, c).locked for r in range(rng.r1, rng.r2 + 1) for c in range(rng.c1, rng.c2 + 1))
        if locked or what != "value":
            raise ComError(f"{what} on protected sheet {self.name}")


class Protection:
    def __init__(self, sheet: Sheet):
        self._sheet = sheet

    def __getattr__(self, name):
        options = self._sheet.protection or {}
        if name.startswith("Allow"):
            return options.get(name, False)
        raise AttributeError(name)


class PageSetup:
    def __init__(self, sheet: Sheet):
        self._sheet = sheet

    @property
    def PrintArea(self):  # noqa: N802
        self._sheet.book.app.call()
        return self._sheet.print_area or ""

    @PrintArea.setter
    def PrintArea(self, value):  # noqa: N802
        self._sheet.book.app.call()
        self._sheet.print_area = value or None


class SheetApi:
    def __init__(self, sheet: Sheet):
        self._sheet = sheet

    @property
    def PageSetup(self):  # noqa: N802
        return PageSetup(self._sheet)

    @property
    def ProtectContents(self):  # noqa: N802
        self._sheet.book.app.call()
        return bool(self._sheet.protection)

    @property
    def ProtectDrawingObjects(self):  # noqa: N802
        return bool(self._sheet.protection and self._sheet.protection["DrawingObjects"])

    @property
    def ProtectScenarios(self):  # noqa: N802
        return bool(self._sheet.protection and self._sheet.protection["Scenarios"])

    @property
    def Protection(self):  # noqa: N802
        return Protection(self._sheet)

    def Unprotect(self, Password=None):  # noqa: N802, N803
        app = self._sheet.book.app
        app.call()
        if self._sheet.password is not None:
            if Password is None:
                app.prompts.append(f"password for {self._sheet.name}")
                raise ComError("cancelled at the password prompt")
            if Password != self._sheet.password:
                raise ComError("The password you supplied is not correct.")
        self._sheet.protection = None

    def Protect(self, Password=None, DrawingObjects=True, Contents=True, Scenarios=True,  # noqa: N802, N803
                UserInterfaceOnly=False, **allow):
        self._sheet.book.app.call()
        defaults = {k: False for k in ("AllowFormattingCells", "AllowFormattingColumns", "AllowFormattingRows",
                                       "AllowInsertingColumns", "AllowInsertingRows", "AllowInsertingHyperlinks",
                                       "AllowDeletingColumns", "AllowDeletingRows", "AllowSorting", "AllowFiltering",
                                       "AllowUsingPivotTables")}
        unknown = set(allow) - set(defaults)
        if unknown:
            raise ComError(f"Protect has no argument {unknown}")
        self._sheet.protection = {"DrawingObjects": DrawingObjects, "Contents": Contents, "Scenarios": Scenarios,
                                  **defaults, **allow}
        self._sheet.password = Password or None


class Count:
    def __init__(self, n: int):
        self.count = n


class Range:
    def __init__(self, sheet: Sheet, r1: int, c1: int, r2: int, c2: int, options: dict | None = None):
        self.sheet, self.r1, self.c1, self.r2, self.c2 = sheet, r1, c1, r2, c2
        self._options = options or {}

    @property
    def row(self):
        return self.r1

    @property
    def column(self):
        return self.c1

    @property
    def rows(self):
        return Count(self.r2 - self.r1 + 1)

    @property
    def columns(self):
        return Count(self.c2 - self.c1 + 1)

    @property
    def address(self):
        return f"${get_column_letter(self.c1)}${self.r1}:${get_column_letter(self.c2)}${self.r2}"

    def options(self, **kw) -> Range:
        return Range(self.sheet, self.r1, self.c1, self.r2, self.c2, {**self._options, **kw})

    def _cells(self):
        return [[(r, c) for c in range(self.c1, self.c2 + 1)] for r in range(self.r1, self.r2 + 1)]

    @property
    def value(self):
        self.sheet.book.app.call()
        raw = [[self.sheet.cells.get(rc) for rc in row] for row in self._cells()]
        c = types.SimpleNamespace(value=raw, meta={}, engine=types.SimpleNamespace(impl=WIN))
        CleanDataFromReadStage(self._options)(c)
        AdjustDimensionsStage(self._options)(c)
        return c.value

    @value.setter
    def value(self, data):
        app = self.sheet.book.app
        app.call()
        self.sheet.check_writable(self, "value")
        c = types.SimpleNamespace(value=data, meta={}, engine=types.SimpleNamespace(impl=WIN))
        Ensure2DStage()(c)
        CleanDataForWriteStage({})(c)
        rows = c.value
        if c.meta.get("scalar"):  # a single value fills the whole range, as COM does
            rows = [[rows[0][0]] * (self.c2 - self.c1 + 1) for _ in range(self.r2 - self.r1 + 1)]
        if len(rows) != self.r2 - self.r1 + 1 or any(len(r) != self.c2 - self.c1 + 1 for r in rows):
            raise AssertionError(f"{len(rows)}x{len(rows[0])} values into {self.address}")
        for i, row in enumerate(rows):
            for j, v in enumerate(row):
                key = (self.r1 + i, self.c1 + j)
                stored, formula = excel_stores(v)
                self.sheet.cells.pop(key, None)
                self.sheet.formulas.pop(key, None)
                if stored is not None:
                    self.sheet.cells[key] = stored
                if formula is not None:
                    self.sheet.formulas[key] = formula

    @property
    def formula(self):
        """Range.Formula as xlwings gives it: a cell's formula, or its constant as text; one cell a str,
        several a tuple of row tuples."""
        self.sheet.book.app.call()

        def text(rc):
            if rc in self.sheet.formulas:
                return self.sheet.formulas[rc]
            v = self.sheet.cells.get(rc)
            if v is None:
                return ""
            if isinstance(v, float) and v.is_integer():
                return str(int(v))
            return str(v)

        rows = tuple(tuple(text(rc) for rc in row) for row in self._cells())
        return rows[0][0] if len(rows) == 1 and len(rows[0]) == 1 else rows

    @formula.setter
    def formula(self, data):
        self.value = data  # Excel: a string starting with "=" becomes a formula, others as typed

    def clear_contents(self):
        self.sheet.book.app.call()
        self.sheet.check_writable(self, "value")
        for row in self._cells():
            for rc in row:
                self.sheet.cells.pop(rc, None)

    def clear(self):
        self.sheet.book.app.call()
        self.sheet.check_writable(self, "clear")
        for row in self._cells():
            for rc in row:
                self.sheet.cells.pop(rc, None)
                self.sheet.fmts.pop(rc, None)

    @property
    def row_height(self):
        return self.sheet.heights.get(self.r1)

    @row_height.setter
    def row_height(self, value):
        self.sheet.book.app.call()
        if self.sheet.protection and not self.sheet.protection.get("AllowFormattingRows"):
            raise ComError("row height on protected sheet")
        for r in range(self.r1, self.r2 + 1):
            self.sheet.heights[r] = value

    @property
    def api(self):
        return RangeApi(self)


class EntireRow:
    def __init__(self, rng: Range):
        self._rng = rng

    @property
    def UseStandardHeight(self):  # noqa: N802
        return all(self._rng.sheet.heights.get(r) is None for r in range(self._rng.r1, self._rng.r2 + 1))

    @UseStandardHeight.setter
    def UseStandardHeight(self, value):  # noqa: N802
        self._rng.sheet.book.app.call()
        if value:
            for r in range(self._rng.r1, self._rng.r2 + 1):
                self._rng.sheet.heights.pop(r, None)


    def Insert(self, Shift=None, CopyOrigin=0):  # noqa: N802, N803
        self._rng.sheet.shift(self._rng.r1, self._rng.r2 - self._rng.r1 + 1, None, CopyOrigin)

    def Delete(self, Shift=None):  # noqa: N802, N803
        self._rng.sheet.shift(self._rng.r1, -(self._rng.r2 - self._rng.r1 + 1), None)


XL_SHIFT_DOWN, XL_SHIFT_UP = -4121, -4162


class RangeApi:
    def __init__(self, rng: Range):
        self._rng = rng

    def Insert(self, Shift=None, CopyOrigin=0):  # noqa: N802, N803
        if Shift != XL_SHIFT_DOWN:
            raise AssertionError("only Shift=xlShiftDown is expected here")
        r = self._rng
        r.sheet.shift(r.r1, r.r2 - r.r1 + 1, (r.c1, r.c2), CopyOrigin)

    def Delete(self, Shift=None):  # noqa: N802, N803
        if Shift != XL_SHIFT_UP:
            raise AssertionError("only Shift=xlShiftUp is expected here")
        r = self._rng
        r.sheet.shift(r.r1, -(r.r2 - r.r1 + 1), (r.c1, r.c2))

    @property
    def EntireRow(self):  # noqa: N802
        return EntireRow(self._rng)

    def AutoFill(self, Destination, Type=0):  # noqa: N802, N803
        src, dst = self._rng, Destination._rng
        sheet = src.sheet
        sheet.book.app.call()
        sheet.check_writable(dst, "AutoFill")
        if (dst.r1, dst.c1, dst.c2) != (src.r1, src.c1, src.c2) or dst.r2 < src.r2:
            raise ComError("AutoFill: the destination must include the source")
        if Type != XL_FILL_FORMATS:
            raise AssertionError("only xlFillFormats is expected here (values would be filled too)")
        height = src.r2 - src.r1 + 1
        for r in range(dst.r1, dst.r2 + 1):
            for c in range(dst.c1, dst.c2 + 1):
                source = sheet.fmt(src.r1 + (r - dst.r1) % height, c)
                sheet.fmts[(r, c)] = source


@dataclass
class Table:
    sheet: Sheet
    name: str
    ref: str
    resizes: list[str] = field(default_factory=list)
    show_totals: bool = False  # ListObject.ShowTotals: the table's last row is Excel's totals row

    def _bounds(self):
        return range_boundaries(self.ref)

    @property
    def range(self) -> Range:
        c1, r1, c2, r2 = self._bounds()
        return Range(self.sheet, r1, c1, r2, c2)

    @property
    def header_row_range(self) -> Range:
        c1, r1, c2, _ = self._bounds()
        return Range(self.sheet, r1, c1, r1, c2)

    @property
    def data_body_range(self) -> Range:
        c1, r1, c2, r2 = self._bounds()
        return Range(self.sheet, r1 + 1, c1, r2, c2)

    def resize(self, rng: Range) -> None:
        self.sheet.book.app.call()
        if self.sheet.protection is not None:
            raise ComError("ListObject.Resize on a protected sheet")
        self.ref = f"{get_column_letter(rng.c1)}{rng.r1}:{get_column_letter(rng.c2)}{rng.r2}"
        self.resizes.append(self.ref)


# --- reading the fake back, for comparisons ---------------------------------------------------------------


def table_values(book: Book, sheet: str, table: str) -> list[list]:
    s = book.sheets[sheet]
    t = next(t for t in s.tables if t.name == table)
    c1, r1, c2, r2 = range_boundaries(t.ref)
    return [[s.cells.get((r, c)) for c in range(c1, c2 + 1)] for r in range(r1, r2 + 1)]


def cell(book: Book, sheet: str, ref: str) -> object:
    m = re.match(r"([A-Z]+)(\d+)", ref)
    return book.sheets[sheet].cells.get((int(m[2]), column_index_from_string(m[1])))


def with_password(book: Book, sheet: str, password: str) -> Book:
    s = book.sheets[sheet]
    assert s.protection is not None
    s.password = password
    return book


__all__ = ["App", "Book", "ComError", "Fmt", "WIN", "cell", "table_values", "to_com", "with_password", "replace"]
