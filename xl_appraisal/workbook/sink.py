"""The file sink: the one door every write to a workbook file passes through.

A use case returns a `Plan`; `write_plan` applies it to the very bytes the book was read from (read
once, so results of one version are never written into another), then saves atomically, keeping the
previous file in 备份/ when it writes in place. A plan that changes nothing writes nothing.
"""

from __future__ import annotations

from pathlib import Path

from xl_appraisal.plan import Plan
from xl_appraisal.workbook.read import Book, Unreadable, read_bytes
from xl_appraisal.workbook.save import atomic_write
from xl_appraisal.workbook.write import apply


def write_plan(book: Book | Unreadable, plan: Plan, out: Path | None = None, *, backup: bool = True) -> bool:
    """Apply `plan` to the book's file (or save the result as `out`); True when a file was written."""
    data = book.data if book.data is not None else read_bytes(book.path)
    new = apply(data, plan)
    target = Path(out) if out is not None else Path(book.path)
    in_place = out is None or _same_file(target, Path(book.path))
    if in_place and new is data:
        return False  # nothing changed: no write, no backup
    atomic_write(target, new, backup=backup)  # an existing `out` it replaces also goes to 备份/ first
    return True


def _same_file(a: Path, b: Path) -> bool:
    from xl_appraisal.workbook.paths import same_file

    return same_file(a, b)
