"""A plan of edits: what a use case (recalc, collect, import-signins, …) wants written, and nothing else.

Every write in the program passes through one of these. A use case returns a `Plan`; a sink applies
it: the file sink (`xl_appraisal.workbook.sink`) to the package bytes, the live sink
(`xl_appraisal.excel.live`) to the open Excel book. Plain data: no openpyxl, no xlwings.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field


@dataclass
class TableWrite:
    """Replace the data rows of a computed table (resizing it); `rows` are lists in header order."""

    table: str
    rows: list[list[object]]
    heights: Sequence[float | None] = field(default_factory=list)  # row heights (points) for wrapped text
    # the program's columns, by header, in the order of `rows` (empty: the table's leading columns). Any
    # other column of the table is a person's: its cells are kept and follow the row's `key`.
    headers: tuple[str, ...] = ()
    key: tuple[str, ...] = ()  # headers whose values identify a row (姓名 on 发放, 部门 on 汇总)


@dataclass
class ColumnWrite:
    """Set one computed column of a table, row by row (sheet row number -> value)."""

    table: str
    header: str
    values: Mapping[int, object]


@dataclass
class AppendRows:
    """Add rows to a table starting at sheet row `start` (its first unused row), growing the table to fit.
    Used for rows the user asked the program to add (imported sign-ins), never to change typed rows."""

    table: str
    rows: list[list[object]]
    start: int


@dataclass
class CellWrite:
    """One cell. `table`, when given, names the table whose sheet holds the cell: the sheet is then found by
    the table (people rename sheets; table names are the contract), and `sheet` is only the name it had.
    With `status_of` (a table name) it is that table's status line: it goes above the table's header, where
    the previous status line is (`ref` is only where a new workbook has it)."""

    sheet: str
    ref: str
    value: object
    table: str = ""
    status_of: str = ""


@dataclass
class FormulaValue:
    """The cached value of a formula cell, computed by the engine (the formula itself is kept): what a
    spreadsheet program that cannot run the formula (an XA_* UDF in WPS, LibreOffice, a phone) shows."""

    sheet: str
    ref: str
    value: object


@dataclass
class Plan:
    """All the edits of one command, applied together by one sink."""

    tables: list[TableWrite] = field(default_factory=list)
    columns: list[ColumnWrite] = field(default_factory=list)
    cells: list[CellWrite] = field(default_factory=list)
    appends: list[AppendRows] = field(default_factory=list)
    properties: dict[str, str] = field(default_factory=dict)  # custom document properties (text)
    formula_values: list[FormulaValue] = field(default_factory=list)  # file sink only: Excel computes its own

    def __bool__(self) -> bool:
        return bool(self.tables or self.columns or self.cells or self.appends or self.properties
                    or self.formula_values)

    def extend(self, other: Plan) -> Plan:
        self.tables += other.tables
        self.columns += other.columns
        self.cells += other.cells
        self.appends += other.appends
        self.properties.update(other.properties)
        self.formula_values += other.formula_values
        return self
