"""Sign-in records → 考勤 events (R7–R9), from realistic exports built here."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest
from test_nothing_lost import FULL, STAFF
from workbooks import fill, new_book

from xl_appraisal.cli import main
from xl_appraisal.service import evaluate

MON = dt.date(2018, 3, 12)
NORMAL = ["08:55:01", "11:05:12", "14:50:40", "17:05:03"]
WEEK = {  # 刘洋's week: Mon on time, Tue late, Wed early, Thu one morning punch, Fri nothing
    MON: NORMAL,
    MON + dt.timedelta(days=1): ["09:30:00", "11:05:00", "14:50:00", "17:05:00"],
    MON + dt.timedelta(days=2): ["08:55:00", "10:40:00", "14:50:00", "17:05:00"],
    MON + dt.timedelta(days=3): ["08:55:00", "14:50:00", "17:05:00"],
}
CHEN = {MON + dt.timedelta(days=d): NORMAL for d in (0, 1, 4)} | {MON + dt.timedelta(days=3): ["14:50:00", "17:05:00"]}
LEAVES = [["陈静", dt.datetime(2018, 3, 14), "上午", dt.datetime(2018, 3, 14), "下午", "事假", "胡明", None],
          ["陈静", dt.datetime(2018, 3, 15), "上午", dt.datetime(2018, 3, 15), "上午", "公务外出", None, "市总开会"]]


def punches():
    for name, days in (("刘洋", WEEK), ("陈静", CHEN), ("王五", {MON: NORMAL})):
        for day, times in sorted(days.items()):
            for t in times:
                yield name, day, t
    yield "陈静", MON + dt.timedelta(days=5), "09:00:00"  # Saturday: ignored, but sets the range to include Fri


def zkteco_csv(path: Path) -> Path:
    """A ZKTeco-style export: GBK, 部门/姓名/考勤号码/日期时间/机器号, slashes in dates."""
    lines = ["部门,姓名,考勤号码,日期时间,机器号"]
    for i, (name, day, t) in enumerate(punches()):
        lines.append(f"办公室,{name},{100 + i % 3},{day.year}/{day.month}/{day.day} {t.lstrip('0')},1")
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("gbk"))
    return path


def dingtalk_xlsx(path: Path) -> Path:
    """A DingTalk-like export: 姓名, 日期 (a date cell), 时间 (text)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["姓名", "部门", "日期", "时间", "打卡结果"])
    for name, day, t in punches():
        ws.append([name, "机关", dt.datetime.combine(day, dt.time()), t[:5], "正常"])
    wb.save(path)
    return path


@pytest.fixture
def book(tmp_path):
    return fill(new_book(tmp_path), tmp_path / "book.xlsm", staff=STAFF, scores=FULL, leave=LEAVES)


def events(path: Path) -> list[tuple]:
    wb = openpyxl.load_workbook(path)
    ws = wb["考勤"]
    out = []
    for row in ws.iter_rows(min_row=5, values_only=True):
        if row[1]:
            out.append((row[0].date(), row[1], row[2], row[3], (row[4] or "").startswith("导入")))
    return out


@pytest.mark.parametrize("make", [zkteco_csv, dingtalk_xlsx], ids=["zkteco-gbk-csv", "dingtalk-xlsx"])
def test_R7_R9_import_makes_the_right_events(book, tmp_path, capsys, make):
    records = make(tmp_path / ("records.csv" if make is zkteco_csv else "records.xlsx"))
    assert main(["import-signins", str(book), str(records)]) == 0
    out = capsys.readouterr().out
    got = sorted(e[:4] for e in events(book))
    assert got == [
        (MON + dt.timedelta(days=1), "刘洋", "上午", "迟到"),
        (MON + dt.timedelta(days=2), "刘洋", "上午", "早退"),
        (MON + dt.timedelta(days=3), "刘洋", "上午", "漏签"),
        (MON + dt.timedelta(days=4), "刘洋", "全天", "旷工"),
    ]  # 陈静's leave (Wed) and 公务外出 (Thu morning) cover her missing punches; Saturday is ignored
    assert "王五" in out and "不在人员表中" in out
    assert "吴建国" in out and "签到记录中没有" in out
    assert "新增考勤记录 4 条" in out
    people = {p.name: p for p in evaluate(book).result.people}
    assert people["刘洋"].absent_half_days == 2 and people["刘洋"].allowance == 1960  # R9, R12
    assert (people["刘洋"].late, people["刘洋"].early, people["刘洋"].missed) == (1, 1, 1)


def test_reimport_is_a_no_op_and_typed_events_win(tmp_path, capsys):
    book = fill(new_book(tmp_path), tmp_path / "book.xlsm", staff=STAFF, scores=FULL, leave=LEAVES,
                attendance=[[dt.datetime(2018, 3, 13), "刘洋", "上午", "旷工", "手工记录"]])
    records = zkteco_csv(tmp_path / "records.csv")
    assert main(["import-signins", str(book), str(records)]) == 0
    first = events(book)
    out = capsys.readouterr().out
    assert "已手工记为旷工，签到记录显示迟到，以手工为准" in out
    assert (dt.date(2018, 3, 13), "刘洋", "上午", "旷工", False) in first
    assert not any(e[:4] == (dt.date(2018, 3, 13), "刘洋", "上午", "迟到") for e in first)
    before = book.read_bytes()
    assert main(["import-signins", str(book), str(records)]) == 0
    assert events(book) == first and "新增考勤记录 0 条" in capsys.readouterr().out
    assert book.read_bytes() == before  # nothing to add: the file is not rewritten


def test_unrecognised_headers_are_listed(tmp_path, book, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text("工号,刷卡\n1,2018-03-12 08:00\n", encoding="utf-8")
    assert main(["import-signins", str(book), str(bad)]) == 2
    assert "现有列：工号、刷卡" in capsys.readouterr().out


def test_readme_example_file_imports_into_a_book(book, capsys):
    example = Path(__file__).resolve().parent.parent / "docs" / "examples" / "签到记录示例.csv"
    assert main(["import-signins", str(book), str(example)]) == 0
    assert "新增考勤记录 4 条" in capsys.readouterr().out
