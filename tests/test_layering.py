"""The engine is pure: it never imports openpyxl, xlwings or any file library (STYLE.md, beancount)."""

from __future__ import annotations

import ast
from pathlib import Path

ENGINE = Path(__file__).resolve().parent.parent / "xl_appraisal" / "engine"
FORBIDDEN = {"openpyxl", "xlwings", "pandas.io", "zipfile", "xl_appraisal.workbook", "xl_appraisal.excel"}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_engine_imports_no_excel_or_file_library():
    files = sorted(ENGINE.glob("*.py"))
    assert len(files) >= 6
    for path in files:
        bad = {m for m in imported_modules(path) if any(m == f or m.startswith(f + ".") for f in FORBIDDEN)}
        assert not bad, f"{path.name} imports {bad}"


def test_layering_check_itself_catches_an_import(tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text("from openpyxl import load_workbook\n", encoding="utf-8")
    assert "openpyxl" in imported_modules(probe)
