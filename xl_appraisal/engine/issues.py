"""Issues are values (beancount style): collected by every step, never raised across the core."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum


class Level(StrEnum):
    """How bad an issue is; the value is what the JSON contract carries."""

    ERROR = "error"
    WARNING = "warning"


ERROR = Level.ERROR
WARNING = Level.WARNING

LEVEL_ZH = {ERROR: "错误", WARNING: "提醒"}


@dataclass(frozen=True)
class Issue:
    level: Level
    sheet: str
    cell: str
    message: str

    @property
    def where(self) -> str:
        if self.sheet and self.cell:
            return f"{self.sheet}!{self.cell}"
        return self.sheet

    def as_json(self) -> dict[str, str]:
        return {"level": str(self.level), "sheet": self.sheet, "cell": self.cell, "message": self.message}


@dataclass(frozen=True)
class Source:
    """Where a record came from: its sheet and the cell of each field (A1 references).

    The engine knows nothing about layout; readers fill this so issues can name the cell.
    """

    sheet: str = ""
    cells: Mapping[str, str] = field(default_factory=dict)

    def cell(self, key: str) -> str:
        return self.cells.get(key, "")

    def error(self, key: str, message: str) -> Issue:
        return Issue(ERROR, self.sheet, self.cell(key), message)

    def warning(self, key: str, message: str) -> Issue:
        return Issue(WARNING, self.sheet, self.cell(key), message)


def has_errors(issues: list[Issue]) -> bool:
    return any(i.level == ERROR for i in issues)


def first_at_cells(first: list[Issue], others: list[Issue]) -> list[Issue]:
    """`first`, then those of `others` not at one of their cells: when a cell cannot be read at all (a formula
    without its result), what it holds is not judged again."""
    taken = {(i.sheet, i.cell) for i in first if i.cell}
    return first + [i for i in others if (i.sheet, i.cell) not in taken]
