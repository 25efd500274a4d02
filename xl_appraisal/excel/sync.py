"""`xl-appraisal sync-vba`: replace the embedded xlwings module with the installed version's (pyOpenVBA,
no Excel), keeping every other module and all data. A version mismatch between the workbook's module
and the installed xlwings is xlwings' most common support failure."""

from __future__ import annotations

import tempfile
from pathlib import Path

from xl_appraisal.excel.vba import embedded_version, xlwings_module
from xl_appraisal.workbook.package import source_only_package
from xl_appraisal.workbook.read import WorkbookUnusable, check_package
from xl_appraisal.workbook.save import atomic_write


def sync_vba(path: Path) -> tuple[str, str, bool]:
    """(old version, new version, whether the file was written). Only the vbaProject part changes; it is
    left in the form Office compiles from source (pyOpenVBA's save keeps a zeroed cache of the old length).
    When the embedded module already is the installed one, nothing is written."""
    from pyopenvba import ExcelFile

    check_package(path)
    if path.suffix.lower() != ".xlsm":
        raise WorkbookUnusable(f"{path.name} 不是启用宏的工作簿（.xlsm），没有 VBA 模块可更新")
    source = xlwings_module()
    with ExcelFile(path) as book:
        if not book.has_vba_project() or "xlwings" not in book.module_names():
            raise WorkbookUnusable(f"{path.name} 中没有 xlwings 模块")
        current = book.get_module("xlwings")
        old = embedded_version(current)
        if _same_source(current, source):
            return old, old, False
        book.set_module("xlwings", source)
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / path.name
            book.save(out)
            data = out.read_bytes()
    atomic_write(path, source_only_package(data))
    return old, embedded_version(source), True


def _same_source(a: str, b: str) -> bool:
    """The same module text, whatever line endings or trailing blanks the VBA project stored it with."""
    def lines(text: str) -> list[str]:
        return [line.rstrip() for line in text.replace("\r\n", "\n").strip().split("\n")]

    return lines(a) == lines(b)
