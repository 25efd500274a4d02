"""`xl-appraisal setup-excel BOOK` (run once on the Windows PC, from the Python that has this tool): write
`Interpreter_Win` into the book's hidden xlwings.conf sheet, so the ribbon's RunPython and the 试算 UDFs
start this Python (pythonw next to sys.executable) instead of whatever `python` PATH finds, or none
(python.org's installer leaves "Add to PATH" off; Microsoft Store Python, conda and a venv are not on it).
xlwings then also finds its DLL next to that pythonw or one folder up (a venv's root).

A use case like the others: it returns a Plan, and the file sink writes it."""

from __future__ import annotations

import io
import sys
from pathlib import Path

from xl_appraisal.errors import Refused, Unusable
from xl_appraisal.plan import CellWrite, Plan

CONF_SHEET = "xlwings.conf"
KEY = "Interpreter_Win"


def windows_pythonw(executable: str | Path | None = None) -> Path:
    """pythonw.exe beside the running python.exe (no console window), else the python itself."""
    exe = Path(executable or sys.executable)
    windowless = exe.with_name("pythonw.exe")
    return windowless if windowless.exists() else exe


def conf_rows(data: bytes) -> list[tuple[object, object]]:
    """(A, B) of the xlwings.conf sheet's rows, from the top down to the first empty A cell."""
    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    if CONF_SHEET not in wb.sheetnames:
        raise Refused(f"工作簿中没有隐藏工作表 {CONF_SHEET}：这不是本工具生成的启用宏工作簿（.xlsm），无法设置 Python")
    rows = []
    for a, b, *_ in wb[CONF_SHEET].iter_rows(min_col=1, max_col=2, values_only=True):
        if a is None or str(a).strip() == "":
            break
        rows.append((a, b))
    wb.close()
    return rows


def plan_setup(data: bytes, interpreter: Path) -> Plan:
    """The Interpreter_Win row set to `interpreter` (its existing row, else a new row below the others)."""
    rows = conf_rows(data)
    keys = [str(a).strip().upper() for a, _ in rows]
    row = keys.index(KEY.upper()) + 1 if KEY.upper() in keys else len(rows) + 1
    return Plan(cells=[CellWrite(CONF_SHEET, f"A{row}", KEY), CellWrite(CONF_SHEET, f"B{row}", str(interpreter))])


def setup_excel(path: Path, python: str | Path | None = None) -> tuple[Path, bool]:
    """(the interpreter written, whether the file changed)."""
    from xl_appraisal.workbook.read import read_book
    from xl_appraisal.workbook.sink import write_plan

    if path.suffix.lower() != ".xlsm":
        raise Unusable(f"{path.name} 不是启用宏的工作簿（.xlsm），没有功能区按钮需要设置")
    if python is None and sys.platform != "win32":
        raise Refused("setup-excel 要在使用 Excel 的 Windows 电脑上运行（用那台电脑上安装了本工具的 Python），"
                      "或用 --python 指定那台电脑上 python.exe 的完整路径")
    interpreter = windows_pythonw(python)
    book = read_book(path)
    return interpreter, write_plan(book, plan_setup(book.data or path.read_bytes(), interpreter))
