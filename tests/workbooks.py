"""Workbook fixtures: new books, and filling tables the way another tool (openpyxl) would."""

from __future__ import annotations

from pathlib import Path

import openpyxl
from openpyxl.utils.cell import range_boundaries

from xl_appraisal.templates import new_workbook


def new_book(tmp_path: Path, name: str = "book.xlsm", year: int = 2018) -> Path:
    path = tmp_path / name
    new_workbook(path, year)
    return path


def _table(wb, name):
    for ws in wb.worksheets:
        if name in ws.tables:
            return ws, ws.tables[name]
    raise KeyError(name)


def append_rows(wb, table_name: str, rows: list[list]) -> None:
    """Write rows at the end of a table (over its blank rows first) and resize it, as a script would."""
    ws, table = _table(wb, table_name)
    min_col, min_row, max_col, max_row = range_boundaries(table.ref)
    row = min_row + 1
    while row <= max_row and any(ws.cell(row, c).value not in (None, "") for c in range(min_col, max_col + 1)):
        row += 1
    for values in rows:
        for j, v in enumerate(values):
            cell = ws.cell(row, min_col + j, v)
            if isinstance(v, str) and v.startswith("="):
                cell.data_type = "s"  # typed text, as Excel stores '=… entered with a leading apostrophe
        row += 1
    last = max(max_row, row - 1)
    ref = f"{openpyxl.utils.get_column_letter(min_col)}{min_row}:{openpyxl.utils.get_column_letter(max_col)}{last}"
    table.ref = ref
    if table.autoFilter is not None:
        table.autoFilter.ref = ref


def set_scores(wb, dept: str, scores: dict[str, list]) -> None:
    """Fill 自评..审定 (and 说明) of a department's items by 编号."""
    ws = wb[dept]
    for row in ws.iter_rows(min_row=5):
        number = row[0].value
        if number is None:
            break
        for j, v in enumerate(scores.get(str(number), [])):
            cell = ws.cell(row[0].row, 4 + j, v)
            if isinstance(v, str) and v.startswith("="):
                cell.data_type = "s"  # typed text, as in append_rows


def fill(path: Path, out: Path, *, staff=(), attendance=(), leave=(), scores=None, bonuses=None) -> Path:
    wb = openpyxl.load_workbook(path)
    append_rows(wb, "tblStaff", list(staff))
    append_rows(wb, "tblAttendance", list(attendance))
    append_rows(wb, "tblLeave", list(leave))
    for dept, s in (scores or {}).items():
        set_scores(wb, dept, s)
    for code, rows in (bonuses or {}).items():
        append_rows(wb, f"tblBonus_{code}", rows)
    wb.save(out)
    return out
