"""Never silently wrong, while reading (issue 13): formula cells without a cached value, sign-in formats,
rows typed outside a table after blank rows, invisible characters and decimal commas, merged cells,
and computed sheets found by their table names. Each case fails on the old reader."""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
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


# A formula without its cached value (issue 13, item 11) -------------------------------------------------
def _formula_scores(dept: str, number: str, stages: list) -> dict:
    scores = {k: dict(v) for k, v in FULL.items()}
    scores[dept][number] = stages
    return scores


def _write_formulas(book: Path, sheet: str, cells: dict[str, str]) -> None:
    """Formulas as openpyxl (or pandas, or any script) writes them: <f> with no cached <v>."""
    wb = openpyxl.load_workbook(book)
    for ref, formula in cells.items():
        wb[sheet][ref] = formula
    wb.save(book)


def test_formula_without_cached_value_is_an_error_at_its_cell_not_a_blank(tmp_path, capsys):
    book = filled(tmp_path)
    _write_formulas(book, "办公室", {"G5": "=30*0.9-7"})  # 审定 of item 1; 自评 and 评议 hold 30
    found = issues_at(book, "办公室", "G5")
    assert [i.level for i in found] == ["error"], found  # one issue at the cell, not also "不是分数"
    assert "Excel 或 WPS" in found[0].message and "=30*0.9-7" in found[0].message
    outcome = service.evaluate(book)
    office = next(d for d in outcome.result.departments if d.name == "办公室")
    assert office.base == 70 and not outcome.result.final  # not 100 from 评议: no silent fall-back
    assert main(["recalc", str(book)]) == 1
    assert "办公室!G5" in capsys.readouterr().out
    assert main(["export", str(book), "-o", str(tmp_path / "e.xlsx")]) == 1  # a book with errors is refused (issue 14)
    assert main(["export", str(book), "-o", str(tmp_path / "e.xlsx"), "--draft"]) == 0  # shown as its text, no crash
    assert main(["split", str(book), "-o", str(tmp_path / "h")]) == 0


@pytest.mark.parametrize("sheet,cell,formula", [("考勤", "B5", '="刘"&"洋"'), ("办公室", "C5", "=10*3")],
                         ids=["a name (engine input)", "an item's 分值 (a rule the reader reads)"])
def test_formula_without_cached_value_in_a_name_or_a_rule_is_an_error_at_its_cell(tmp_path, sheet, cell, formula):
    book = filled(tmp_path, attendance=[[D(2018, 3, 12), "刘洋", "上午", "旷工", None]])
    _write_formulas(book, sheet, {cell: formula})
    found = issues_at(book, sheet, cell)
    assert len(found) == 1 and "没有保存它的计算结果" in found[0].message and formula in found[0].message, found


def test_formula_with_cached_value_is_read_as_its_value(tmp_path):
    """What Excel, WPS or LibreOffice save: the formula and its result; the result is used, no issue."""
    book = filled(tmp_path)
    _write_formulas(book, "办公室", {"G5": "=30*0.9-7"})
    with zipfile.ZipFile(book) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    name = next(n for n, d in parts.items() if n.startswith("xl/worksheets/sheet") and b"<f>30*0.9-7</f>" in d)
    parts[name] = parts[name].replace(b"<f>30*0.9-7</f><v></v>", b"<f>30*0.9-7</f><v>20</v>")
    with zipfile.ZipFile(book, "w") as z:
        for n, d in parts.items():
            z.writestr(n, d)
    assert issues_at(book, "办公室", "G5") == []
    office = next(d for d in service.evaluate(book).result.departments if d.name == "办公室")
    assert office.base == 90


def test_collect_does_not_erase_the_masters_self_score_with_an_uncalculated_formula(tmp_path, capsys):
    book = filled(tmp_path)
    out = tmp_path / "handouts"
    assert main(["split", str(book), "-o", str(out)]) == 0
    handout = out / "办公室-自评.xlsx"
    wb = openpyxl.load_workbook(handout)
    ws = wb["办公室"]
    ws["D5"] = "=25+2"  # the department typed a formula; openpyxl saved it without a value
    ws["D6"] = 18
    wb.save(handout)
    assert main(["collect", str(book), str(handout)]) == 1
    text = capsys.readouterr().out
    assert "第1项自评" in text and "=25+2" in text and "Excel 或 WPS" in text
    master = openpyxl.load_workbook(book)["办公室"]
    assert master["D5"].value == 30  # kept, not blanked
    assert master["D6"].value == 18  # the readable change is merged


# Rows typed outside a table after blank rows (issue 13, item 14) ----------------------------------------
def _type_below(book: Path, sheet: str, table: str, gap: int, rows: list[list]) -> int:
    """Type rows in a table's columns, `gap` blank rows below its end, the way a person does (no resize)."""
    wb = openpyxl.load_workbook(book)
    ws = wb[sheet]
    _, _, _, last = openpyxl.utils.cell.range_boundaries(ws.tables[table].ref)
    first = last + 1 + gap
    for i, values in enumerate(rows):
        for j, v in enumerate(values):
            ws.cell(first + i, 1 + j, v)
    wb.save(book)
    return first


@pytest.mark.parametrize("gap", [1, 3])
def test_person_typed_below_staff_after_blank_rows_is_warned_not_silently_dropped(tmp_path, capsys, gap):
    book = filled(tmp_path)
    row = _type_below(book, "人员", "tblStaff", gap, [["孙悦", "办公室", "工作人员"], ["赵六", "财务部", "工作人员"]])
    found = issues_at(book, "人员", f"A{row}")
    assert len(found) == 1 and found[0].level == "warning", found
    assert f"第{row}至{row + 1}行" in found[0].message and "未计入" in found[0].message
    assert "扩展表格" in found[0].message and "空行" in found[0].message
    assert "孙悦" not in [p.name for p in service.evaluate(book).result.people]  # not counted, and said so
    assert main(["check", str(book)]) == 0
    out = capsys.readouterr().out
    assert "校验通过" not in out and f"人员!A{row}" in out


def test_attendance_typed_below_its_table_after_a_blank_row_is_warned(tmp_path):
    book = filled(tmp_path, attendance=[[D(2018, 3, 12), "刘洋", "上午", "旷工", None]])
    row = _type_below(book, "考勤", "tblAttendance", 1, [[D(2018, 3, 13), "刘洋", "全天", "旷工"]])
    assert [i.level for i in issues_at(book, "考勤", f"A{row}")] == ["warning"]


def test_rows_directly_below_a_table_are_still_read_with_their_warning(tmp_path):
    book = filled(tmp_path)
    row = _type_below(book, "人员", "tblStaff", 0, [["孙悦", "办公室", "工作人员"]])
    assert "孙悦" in [p.name for p in service.evaluate(book).result.people]
    assert any("已一并读取" in i.message for i in issues_at(book, "人员", f"A{row}"))


def test_a_fresh_book_has_nothing_outside_its_tables(tmp_path):
    book = filled(tmp_path)
    assert not [i for i in service.evaluate(book).issues if "未计入" in i.message]


# Unclear input (issue 13, "Unclear") ---------------------------------------------------------------------
@pytest.mark.parametrize("invisible", ["\u200b", "\u200c", "\u200d", "\ufeff"])
def test_zero_width_character_in_a_name_is_removed_and_said(tmp_path, invisible):
    staff = STAFF + [["孙悦", "办公室", "工作人员", None, None]]
    book = filled(tmp_path, staff=staff, attendance=[[D(2018, 3, 12), "孙悦" + invisible, "上午", "旷工", None]])
    issues = service.evaluate(book).issues
    assert not [i for i in issues if "不在人员表中" in i.message], issues
    found = issues_at(book, "考勤", "B5")
    assert [i.level for i in found] == ["warning"] and "看不见的字符" in found[0].message
    person = next(p for p in service.evaluate(book).result.people if p.name == "孙悦")
    assert person.absent_half_days == 1  # the absence counts for her


def test_decimal_comma_in_a_score_is_an_error_asking_for_a_point(tmp_path):
    book = filled(tmp_path, scores={**FULL, "办公室": {**FULL["办公室"], "1": ["1,5", None, None, None]}})
    found = [i for i in issues_at(book, "办公室", "D5") if i.level == "error"]
    assert len(found) == 1 and "1.5" in found[0].message and "逗号" in found[0].message, found


def test_decimal_comma_is_not_a_thousands_separator_anywhere():
    from xl_appraisal.engine.values import parse_number

    assert parse_number("1,5")[0] is None
    assert parse_number("1,500")[0] == 1500 and parse_number("12,345.5")[0] == 12345.5
    assert parse_number("1,50")[0] is None and parse_number("15,00")[0] is None


def test_merged_date_says_merged_not_empty(tmp_path):
    rows = [[D(2018, 3, 12), "刘洋", "上午", "旷工", None], [None, "陈静", "上午", "旷工", None]]
    book = filled(tmp_path, attendance=rows)
    wb = openpyxl.load_workbook(book)
    wb["考勤"].merge_cells("A5:A6")  # one date for two rows, as people lay out a day
    wb.save(book)
    found = issues_at(book, "考勤", "A6")
    assert len(found) == 1 and "A5合并" in found[0].message and "为空" not in found[0].message, found


def test_formula_date_without_result_says_so_not_empty(tmp_path):
    book = filled(tmp_path, attendance=[[D(2018, 3, 12), "刘洋", "上午", "旷工", None]])
    _write_formulas(book, "考勤", {"A5": "=DATE(2018,3,12)"})
    found = issues_at(book, "考勤", "A5")
    assert len(found) == 1 and "=DATE(2018,3,12)" in found[0].message and "为空" not in found[0].message


FULL_WIDTH = str.maketrans("0123456789.-", "０１２３４５６７８９．－")


@given(st.decimals(min_value=-10**6, max_value=10**6, places=2, allow_nan=False, allow_infinity=False))
@settings(max_examples=60, deadline=None)
def test_full_width_digits_read_as_the_same_number(value):
    from xl_appraisal.engine.values import parse_number

    text = f"{value:f}"
    assert parse_number(text.translate(FULL_WIDTH))[0] == parse_number(text)[0] == value
    assert parse_number(f"{value:,f}".translate(FULL_WIDTH))[0] == value  # thousands separators, full-width too


# Sign-in records in the formats exports use (issue 13, item 12) -------------------------------------------
from xl_appraisal.signins import parse_clock, parse_moment  # noqa: E402

MOMENTS = st.datetimes(min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2099, 12, 31))


def _twelve(moment: dt.datetime) -> tuple[str, int]:
    return ("上午" if moment.hour < 12 else "下午"), (moment.hour % 12 or 12)


SPELLINGS = {
    "iso seconds": lambda m: f"{m:%Y-%m-%d %H:%M:%S}",
    "milliseconds": lambda m: f"{m:%Y-%m-%d %H:%M:%S}.{m.microsecond // 1000:03d}",
    "iso T": lambda m: f"{m:%Y-%m-%dT%H:%M:%S}",
    "slashes unpadded": lambda m: f"{m.year}/{m.month}/{m.day} {m.hour}:{m:%M:%S}",
    "年月日": lambda m: f"{m.year}年{m.month}月{m.day}日 {m:%H:%M:%S}",
    "上午/下午": lambda m: f"{m.year}/{m.month}/{m.day} {_twelve(m)[0]} {_twelve(m)[1]:02d}:{m:%M:%S}",
    "AM/PM": lambda m: f"{m:%Y/%m/%d} {_twelve(m)[1]:02d}:{m:%M:%S} {'AM' if m.hour < 12 else 'PM'}",
    "full-width": lambda m: f"{m:%Y-%m-%d %H:%M:%S}".translate(FULL_WIDTH).replace(":", "："),
}


@pytest.mark.parametrize("spelling", list(SPELLINGS))
@given(moment=MOMENTS)
@settings(max_examples=40, deadline=None)
def test_punch_time_spellings_read_back_to_the_moment(spelling, moment):
    text = SPELLINGS[spelling](moment)
    expected = moment.replace(microsecond=(moment.microsecond // 1000) * 1000 if spelling == "milliseconds" else 0)
    assert parse_moment(text) == expected, text


@given(moment=MOMENTS)
@settings(max_examples=60, deadline=None)
def test_excel_serial_punches_read_back_to_the_millisecond(moment):
    moment = moment.replace(microsecond=(moment.microsecond // 1000) * 1000)
    serial = (moment - dt.datetime(1899, 12, 30)).total_seconds() / 86400
    assert parse_moment(serial) == moment
    assert parse_moment(repr(serial)) == moment  # a serial exported to CSV as text
    assert parse_clock(serial - int(serial)) == moment.time()  # a time cell holds the fraction of a day


@given(st.text(max_size=30))
@settings(max_examples=200, deadline=None)
def test_punch_parser_never_raises_and_never_invents_a_moment(text):
    """Anything: a moment or None, never an exception; and a moment only where the text holds a date."""
    got = parse_moment(text)
    assert got is None or isinstance(got, dt.datetime)
    assert parse_clock(text) is None or isinstance(parse_clock(text), dt.time)


@pytest.mark.parametrize("text", ["2018/3/14 上午 13:05:00", "2018-02-30 09:00", "2018-03-13", "09:61",
                                  "2018-03-13 25:00", "昨天 9:00", "2018/3/14 下午 05:05:00 PM"])
def test_punch_parser_refuses_what_is_no_moment(text):
    assert parse_moment(text) is None


def _records(path: Path, rows: list[tuple[str, str]]) -> Path:
    lines = ["部门,姓名,考勤号码,日期时间,机器号"] + [f"办公室,{name},1,{when},1" for name, when in rows]
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    return path


def _added(report) -> set[tuple]:
    return {(row[0].date(), row[1], row[2], row[3]) for row in report.added}


MON = dt.date(2018, 3, 12)


def test_signins_in_export_formats_are_read_not_judged_absent(tmp_path):
    from xl_appraisal.signins import plan_import
    from xl_appraisal.workbook.read import read_book

    book = filled(tmp_path)
    records = _records(tmp_path / "r.csv", [
        ("刘洋", "2018-03-12 08:55:00.000"), ("刘洋", "2018-03-12 11:05:00.000"),
        ("刘洋", "2018年3月12日 14:50:00"), ("刘洋", "2018年3月12日 17:05:00"),
        ("刘洋", "2018/3/13 上午 08:50:00"), ("刘洋", "2018/3/13 上午 11:10:00"),
        ("刘洋", "2018/3/13 下午 02:50:00"), ("刘洋", "2018/3/13 下午 05:05:00"),
    ])
    report = plan_import(read_book(book), records)
    assert report.unreadable == []
    assert not [a for a in _added(report) if a[1] == "刘洋"], report.added  # on time both days


def test_unreadable_signin_rows_are_counted_listed_and_their_day_not_judged(tmp_path, capsys):
    from xl_appraisal.signins import plan_import
    from xl_appraisal.workbook.read import read_book

    book = filled(tmp_path)
    rows = [("刘洋", "2018-03-12 08:55"), ("刘洋", "2018-03-12 11:05"), ("刘洋", "2018-03-12 14:50"),
            ("刘洋", "2018-03-12 17:05"),
            ("刘洋", "2018-03-13 8点55"),  # row 6: unreadable, but its day is known
            ("陈静", "2018-03-12 08:55"), ("陈静", "2018-03-12 11:05"), ("陈静", "上班"),  # row 9: no day at all
            ("陈静", "2018-03-13 08:55")]
    records = _records(tmp_path / "r.csv", rows)
    report = plan_import(read_book(book), records)
    assert [row for row, _ in report.unreadable] == [6, 9]
    assert "8点55" in report.unreadable[0][1]
    added = _added(report)
    assert not [a for a in added if a[1] == "刘洋" and a[0] == MON + dt.timedelta(days=1)]  # her day is not judged
    assert not [a for a in added if a[1] == "陈静"]  # which day row 9 belongs to is unknown: not judged at all
    assert any("刘洋" in line and "2018-03-13" in line for line in report.unjudged)
    assert any("陈静" in line and "全部未判断" in line for line in report.unjudged)
    assert main(["import-signins", str(book), str(records)]) == 0
    out = capsys.readouterr().out
    assert "2行无法读取" in out and "第6行" in out and "第9行" in out


def test_a_punch_recorded_twice_is_a_missed_punch_not_leaving_early(tmp_path):
    from xl_appraisal.signins import plan_import
    from xl_appraisal.workbook.read import read_book

    book = filled(tmp_path)
    rows = [("刘洋", "2018-03-12 08:55:00"), ("刘洋", "2018-03-12 08:55:00"),  # the machine beeped twice
            ("刘洋", "2018-03-12 14:50:00"), ("刘洋", "2018-03-12 17:05:00")]
    report = plan_import(read_book(book), _records(tmp_path / "r.csv", rows))
    assert _added(report) == {(MON, "刘洋", "上午", "漏签")}


@given(typed=st.dictionaries(st.tuples(st.integers(0, 6), st.integers(1, 5)), st.sampled_from(["孙悦", "x", "1"]),
                             min_size=1, max_size=6))
@settings(max_examples=6, deadline=None)
def test_anything_typed_below_a_table_is_read_or_warned_never_silently_dropped(tmp_path_factory, typed):
    """Random cells typed under 人员 (row offset from the table's end, column): every one is in a row read
    with the table, or in a block warned as not counted."""
    tmp_path = tmp_path_factory.mktemp("below")
    book = filled(tmp_path)
    wb = openpyxl.load_workbook(book)
    ws = wb["人员"]
    _, _, _, last = openpyxl.utils.cell.range_boundaries(ws.tables["tblStaff"].ref)
    for (offset, col), value in typed.items():
        ws.cell(last + 1 + offset, col, value)
    wb.save(book)
    outcome = service.evaluate(book)
    read_rows = {row for row, _ in outcome.book.tables["tblStaff"].rows}
    warned = set()
    for i in outcome.issues:
        m = re.match(r"第(\d+)(?:至(\d+))?行在表格 tblStaff 下方", i.message)
        if m:
            warned |= set(range(int(m[1]), int(m[2] or m[1]) + 1))
    for offset, _ in typed:
        row = last + 1 + offset
        assert (row in read_rows) != (row in warned), (row, read_rows, warned)


def test_collect_keeps_the_masters_bonus_rows_when_a_returned_bonus_cell_is_an_uncalculated_formula(tmp_path, capsys):
    book = filled(tmp_path, bonuses={"office": [["部门工作获表彰·省总", 1, None, "原说明"]]})
    out = tmp_path / "handouts"
    assert main(["split", str(book), "-o", str(out)]) == 0
    handout = out / "办公室-自评.xlsx"
    wb = openpyxl.load_workbook(handout)
    ws = wb["办公室"]
    ws["K5"] = "=1+1"  # 数量 as a formula, saved by openpyxl without its value
    wb.save(handout)
    before = openpyxl.load_workbook(book)["办公室"]
    master_bonus = [[c.value for c in row] for row in before.iter_rows(min_row=5, max_row=6, min_col=10, max_col=13)]
    assert main(["collect", str(book), str(handout)]) == 1
    assert "加分表" in capsys.readouterr().out
    after = openpyxl.load_workbook(book)["办公室"]
    assert [[c.value for c in row] for row in after.iter_rows(min_row=5, max_row=6, min_col=10, max_col=13)] == master_bonus


def test_rows_below_a_table_in_the_open_excel_book_are_read_or_warned_like_in_the_file(tmp_path):
    """The ribbon (live adapter, xlwings' remote engine) reads what the file reader reads."""
    import xlwings as xw
    from test_excel import remote_json

    from xl_appraisal.excel.live import read_live

    book = filled(tmp_path)
    direct = _type_below(book, "人员", "tblStaff", 0, [["孙悦", "办公室", "工作人员"]])
    gap = _type_below(book, "人员", "tblStaff", 2, [["赵六", "财务部", "工作人员"]])
    live = service.evaluate_book(read_live(xw.Book(json=remote_json(book))))
    from_file = service.evaluate(book)
    assert [(i.level, i.sheet, i.cell, i.message) for i in live.issues] == \
        [(i.level, i.sheet, i.cell, i.message) for i in from_file.issues]
    assert {i.cell for i in live.issues} >= {f"A{direct}", f"A{gap}"}
    assert [p.name for p in live.result.people] == [p.name for p in from_file.result.people]
