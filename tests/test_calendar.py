"""`xl-appraisal calendar` (issue 15, item 7; R8): a weekday-only year filled from the State Council's
notice typed as a holiday list, hand edits kept; recalc warns while a year is only weekdays."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest
from builders import calendar_rows, inputs
from test_nothing_lost import FULL, STAFF
from workbooks import fill

from xl_appraisal import templates
from xl_appraisal.calendar import looks_generated, parse_holidays, weekday_calendar
from xl_appraisal.cli import main
from xl_appraisal.engine.model import CalendarDay
from xl_appraisal.engine.run import compute
from xl_appraisal.service import evaluate

NOTICE = """\
# 国务院办公厅关于2027年部分节假日安排的通知（照抄日期）
2027-01-01 放假 元旦
2027-02-05 至 2027-02-11 放假 春节
2027-02-14 上班 春节调休
2027年2月20日 上班 春节调休
2027/4/5 放假 清明节
"""
D = dt.date
WEEKDAYS_ONLY = "只按周一至周五排"


@pytest.fixture
def book_2027(tmp_path, monkeypatch) -> Path:
    """A 2027 workbook made before the notice: chinesecalendar has no 2027, so 日历 is weekdays, 待核对."""
    monkeypatch.setattr(templates, "year_calendar", weekday_calendar)  # whatever chinesecalendar knows today
    path = tmp_path / "2027.xlsm"
    templates.new_workbook(path, 2027)
    staff = [[*row] for row in STAFF]
    return fill(path, tmp_path / "2027考核.xlsm", staff=staff, scores=FULL)


def calendar_of(path: Path) -> dict[dt.date, tuple[str, str | None]]:
    ws = openpyxl.load_workbook(path)["日历"]
    return {r[0].value.date(): (r[1].value, r[2].value) for r in ws.iter_rows(min_row=5) if r[0].value}


def hand_edit(path: Path, edits: dict[dt.date, tuple[str, str]]) -> None:
    wb = openpyxl.load_workbook(path)
    ws = wb["日历"]
    for row in ws.iter_rows(min_row=5):
        if row[0].value and row[0].value.date() in edits:
            row[1].value, row[2].value = edits[row[0].value.date()]
    wb.save(path)


def test_R8_calendar_fills_a_weekday_only_year_from_a_holiday_list_and_keeps_hand_edits(book_2027, tmp_path, capsys):
    assert any(WEEKDAYS_ONLY in i.message for i in evaluate(book_2027).issues)  # recalc warns before
    hand_edit(book_2027, {D(2027, 5, 6): ("否", "机关搬迁停止办公"),  # a Thursday the union closed
                          D(2027, 2, 8): ("是", "值班")})  # inside 春节, typed as a working day
    notice = tmp_path / "2027放假安排.txt"
    notice.write_text(NOTICE, encoding="utf-8")
    assert main(["calendar", str(book_2027), "--holidays", str(notice)]) == 0
    out = capsys.readouterr().out
    days = calendar_of(book_2027)
    assert days[D(2027, 1, 1)] == ("否", "元旦")
    assert all(days[D(2027, 2, d)] == ("否", "春节") for d in (5, 6, 7, 9, 10, 11))
    assert days[D(2027, 2, 14)] == ("是", "调休上班（春节）") and days[D(2027, 2, 20)] == ("是", "调休上班（春节）")
    assert days[D(2027, 4, 5)] == ("否", "清明节")
    assert days[D(2027, 5, 6)] == ("否", "机关搬迁停止办公")  # kept
    assert days[D(2027, 2, 8)] == ("是", "值班")  # kept, although the notice says 春节
    assert days[D(2027, 3, 1)] == ("是", None) and days[D(2027, 3, 6)] == ("否", "周末")  # 待核对 gone
    # 261 weekdays - 元旦, 春节 (5 weekdays, one kept as 值班: 4), 清明 - the hand-closed Thursday + 2 make-up days
    assert sum(v[0] == "是" for v in days.values()) == 261 - 1 - 4 - 1 - 1 + 2 == 256
    lines = out.rstrip().splitlines()
    assert lines[-1] == f"日历：2027年共256个工作日；8天改了是否工作日，355天只改了说明，保留手工修改2天；已写入 {book_2027}（日历）"
    assert "2027-05-06" in out and "否（机关搬迁停止办公）" in out and "2027-02-08" in out and "是（值班）" in out
    issues = evaluate(book_2027).issues
    assert not any(WEEKDAYS_ONLY in i.message for i in issues)  # the warning is gone
    wb = openpyxl.load_workbook(book_2027)
    assert "2027年共256个工作日" in wb["日历"]["A2"].value and "2027放假安排.txt" in wb["日历"]["A2"].value
    assert wb["说明"]["B22"].value == "✓ 2027年日历已按放假安排文件 2027放假安排.txt更新（含法定节假日和调休）。"
    # again: nothing to change, nothing written
    before = book_2027.read_bytes()
    assert main(["calendar", str(book_2027), "--holidays", str(notice)]) == 0
    assert capsys.readouterr().out.rstrip().splitlines()[-1].endswith(f"保留手工修改2天；内容无变化，未写入 {book_2027}")
    assert book_2027.read_bytes() == before


def test_a_note_typed_over_the_warning_on_the_readme_sheet_is_kept(book_2027, tmp_path):
    wb = openpyxl.load_workbook(book_2027)
    assert "手工核对" in wb["说明"]["B22"].value  # `new`'s warning
    wb["说明"]["B22"] = "日历已由办公室核对（张敏）"
    wb.save(book_2027)
    notice = tmp_path / "通知.txt"
    notice.write_text(NOTICE, encoding="utf-8")
    assert main(["calendar", str(book_2027), "--holidays", str(notice), "-q"]) == 0
    assert openpyxl.load_workbook(book_2027)["说明"]["B22"].value == "日历已由办公室核对（张敏）"


def test_a_wrong_holiday_list_changes_nothing_and_names_its_lines(book_2027, tmp_path, capsys):
    notice = tmp_path / "通知.txt"
    notice.write_text("2027-01-01 放假 元旦\n2027-02-30 放假 春节\n2026-12-31 放假 元旦\n明天 放假\n", encoding="utf-8")
    before = book_2027.read_bytes()
    assert main(["calendar", str(book_2027), "--holidays", str(notice)]) == 2
    out = capsys.readouterr().out
    assert "有3处需要改正" in out and "第2行" in out and "第3行" in out and "第4行" in out
    assert book_2027.read_bytes() == before


def test_without_a_list_a_year_chinesecalendar_does_not_know_is_refused(book_2027, capsys, monkeypatch):
    from xl_appraisal import calendar_refresh

    monkeypatch.setattr(calendar_refresh, "year_calendar", weekday_calendar)
    before = book_2027.read_bytes()
    assert main(["calendar", str(book_2027)]) == 1
    assert "--holidays" in capsys.readouterr().out and book_2027.read_bytes() == before


def test_a_known_year_refreshes_from_chinesecalendar(tmp_path, capsys):
    """2018 (known to chinesecalendar): a fresh book is already right; a day reset by hand to the week's
    pattern with 待核对 is put back, a hand-typed note kept."""
    book = tmp_path / "2018.xlsm"
    templates.new_workbook(book, 2018)
    hand_edit(book, {D(2018, 10, 1): ("是", "待核对"), D(2018, 10, 2): ("否", "国庆节（手工）")})
    wb = openpyxl.load_workbook(book)
    last = wb["日历"].max_row
    assert wb["日历"].cell(last, 1).value.date() == D(2018, 12, 31)
    for col in (1, 2, 3):
        wb["日历"].cell(last, col).value = None  # the last day deleted by hand
    wb.save(book)
    assert D(2018, 12, 31) not in calendar_of(book)
    assert main(["calendar", str(book)]) == 0
    days = calendar_of(book)
    assert days[D(2018, 10, 1)] == ("否", "国庆节") and days[D(2018, 10, 2)] == ("否", "国庆节（手工）")
    assert days[D(2018, 12, 31)] == ("否", "元旦") and len(days) == 365  # put back
    out = capsys.readouterr().out
    assert "1天改了是否工作日，0天只改了说明，保留手工修改1天" in out and "缺少的 1 天已补在表格末尾" in out


def test_holiday_list_formats():
    marked, problems = parse_holidays("\ufeff2027年10月1日～2027年10月7日 放假 国庆节、中秋节 # 七天\n"
                                      "2027.9.26  上班  国庆节调休\n\n# 说明行\n2027-06-14 休息 端午节\n", 2027)
    assert problems == []
    assert marked[D(2027, 10, 7)].note == "国庆节、中秋节" and not marked[D(2027, 10, 7)].workday
    assert marked[D(2027, 9, 26)].workday and marked[D(2027, 9, 26)].note == "调休上班（国庆节）"
    assert not marked[D(2027, 6, 14)].workday and len(marked) == 9
    _, problems = parse_holidays("2027-02-06 上班 春节\n2027-02-05 至 2027-02-07 放假 春节\n", 2027)
    assert problems and "第2行" in problems[0]


@pytest.mark.parametrize("day,flag,note,generated", [
    (D(2027, 3, 1), "是", "待核对", True), (D(2027, 3, 6), "否", "待核对", True), (D(2027, 3, 6), "否", "周末", True),
    (D(2027, 3, 1), "是", None, True), (D(2027, 10, 1), "否", "国庆节", True), (D(2027, 2, 6), "否", "春节", True),
    (D(2027, 2, 14), "是", "调休上班（春节）", True), (D(2027, 2, 14), "是", "调休上班", True), (D(2027, 3, 1), "", None, True),
    (D(2027, 3, 1), "否", None, False), (D(2027, 3, 1), "否", "待核对", False), (D(2027, 3, 6), "是", "周末", False),
    (D(2027, 3, 1), "是", "加班", False), (D(2027, 3, 1), "否", "停电", False), (D(2027, 3, 1), "是", "调休上班", False),
    (D(2027, 10, 1), "是", "国庆节", False),
])
def test_which_rows_are_the_programs_and_which_are_hand_edits(day, flag, note, generated):
    assert looks_generated(day, flag, note) is generated


def test_R8_recalc_warns_while_the_year_is_only_weekdays():
    weekdays = tuple(CalendarDay(d.date, "是" if d.workday else "否", d.note) for d in weekday_calendar(2018).days)
    warned = [i for i in compute(inputs(calendar=weekdays)).issues if WEEKDAYS_ONLY in i.message]
    assert len(warned) == 1 and warned[0].level == "warning" and warned[0].sheet == "日历"
    assert not [i for i in compute(inputs(calendar=calendar_rows(2018))).issues if WEEKDAYS_ONLY in i.message]
