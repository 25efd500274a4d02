"""Never silently wrong, while reading (issue 13): formula cells without a cached value, sign-in formats,
rows typed outside a table after blank rows, invisible characters and decimal commas, merged cells,
and computed sheets found by their table names. Each case fails on the old reader."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
from test_nothing_lost import FULL, STAFF
from workbooks import fill, new_book

from xl_appraisal import service
from xl_appraisal.cli import main

D = dt.datetime


def filled(tmp_path: Path, **kw) -> Path:
    kw = {"staff": STAFF, "scores": FULL, **kw}
    return fill(new_book(tmp_path), tmp_path / "book.xlsx", **kw)


def issues_at(book: Path, sheet: str, cell: str) -> list:
    return [i for i in service.evaluate(book).issues if (i.sheet, i.cell) == (sheet, cell)]


# Computed sheets are found by their table names (issue 13, item 17) ----------------------------------
RENAMED = {"汇总": "2018汇总", "发放": "奖金发放", "校验": "检查结果"}


def test_renamed_computed_sheets_are_found_by_their_tables(tmp_path, capsys):
    book = filled(tmp_path)
    wb = openpyxl.load_workbook(book)
    for old, new in RENAMED.items():
        wb[old].title = new
    wb.save(book)
    assert main(["check", str(book)]) == 0
    assert main(["recalc", str(book)]) == 0
    out = capsys.readouterr().out
    assert "Traceback" not in out
    wb = openpyxl.load_workbook(book)
    assert set(RENAMED.values()) <= set(wb.sheetnames) and not set(RENAMED) & set(wb.sheetnames)
    assert wb["奖金发放"]["A3"].value.startswith("状态：")  # the status line went to the renamed sheet
    assert wb["检查结果"]["A3"].value.startswith("校验：")
    assert [c.value for c in wb["奖金发放"][5]][0] == "吴建国"
    plan = service.plan_check(service.evaluate(book))
    assert [(c.sheet, c.table) for c in plan.cells] == [("检查结果", "tblIssues")]
    out_dir = tmp_path / "out"
    for argv in (["export", str(book), "-o", str(tmp_path / "e.xlsx")], ["split", str(book), "-o", str(out_dir)],
                 ["signoff", str(book), "-o", str(tmp_path / "so"), "--no-pdf"]):
        assert main(argv) in (0, 1), argv
    assert "Traceback" not in capsys.readouterr().out
