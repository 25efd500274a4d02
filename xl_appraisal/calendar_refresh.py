"""`xl-appraisal calendar BOOK [--holidays FILE]`: refresh the 日历 table of a workbook from the installed
chinesecalendar, or from a holiday list typed from the State Council's notice (format in calendar.py).

What is replaced and what is kept: a row that still holds what this program writes (see
`calendar.looks_generated`: weekday/weekend with 说明 blank, 周末 or 待核对; 否 with a holiday's name; a
weekend 是 with 调休上班…) is set to the new calendar's value; any other row that differs from the new
calendar is a hand edit and is kept, and listed. Dates missing from the table are added at its end.
Writes go through a Plan (one cell per change), so an unchanged calendar writes nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from xl_appraisal.calendar import (
    CHECK_BY_HAND,
    FESTIVALS,
    Day,
    YearCalendar,
    from_holidays,
    looks_generated,
    parse_holidays,
    year_calendar,
)
from xl_appraisal.engine.values import parse_date
from xl_appraisal.errors import EXIT_UNUSABLE, Refused, Unusable
from xl_appraisal.plan import AppendRows, CellWrite, Plan
from xl_appraisal.workbook import contract as c
from xl_appraisal.workbook.read import Book, Unreadable

NOTE_CELL = "B22"  # where `new` warns on the 说明 sheet that the calendar is weekdays only


@dataclass
class Change:
    day: dt.date
    before: str  # "是" / "否（元旦）"
    after: str


@dataclass
class CalendarReport:
    year: int
    source: str  # where the calendar came from, for the user
    changed: list[Change] = field(default_factory=list)  # 工作日 changed
    renamed: list[Change] = field(default_factory=list)  # only 说明 changed (待核对 -> 周末, …)
    kept: list[Change] = field(default_factory=list)  # hand edits kept: before = the row, after = what was generated
    added: int = 0  # dates missing from the table, added
    working_days: int = 0
    plan: Plan = field(default_factory=Plan)
    written: bool = False


def shown(flag: object, note: object) -> str:
    flag = "" if flag is None else str(flag).strip()
    note = "" if note is None else str(note).strip()
    return (flag or "空白") + (f"（{note}）" if note else "")


def generated_calendar(year: int, holidays: Path | None) -> tuple[YearCalendar, str, frozenset[str]]:
    """The calendar this program makes for the year, where it came from, and the holiday names it uses."""
    if holidays is not None:
        try:
            text = holidays.read_bytes().decode("utf-8-sig")
        except FileNotFoundError:
            raise Unusable(f"找不到放假安排文件 {holidays}") from None
        except UnicodeDecodeError:
            try:
                text = holidays.read_bytes().decode("gb18030")
            except UnicodeDecodeError:
                raise Unusable(f"放假安排文件 {holidays.name} 不是文本文件（UTF-8 或 GBK）") from None
        except OSError as exc:
            raise Unusable(f"无法读取放假安排文件 {holidays}（{exc.strerror or exc}）") from None
        marked, problems = parse_holidays(text, year)
        if problems:
            raise Refused(f"放假安排文件 {holidays.name} 有{len(problems)}处需要改正，日历未改动：",
                          details=problems, exit_code=EXIT_UNUSABLE)
        names = FESTIVALS | {d.note for d in marked.values() if not d.workday}
        return from_holidays(year, marked), f"放假安排文件 {holidays.name}", names
    cal = year_calendar(year)
    if not cal.official:
        raise Refused(f"已安装的 chinesecalendar 还没有{year}年的放假安排。请照国务院办公厅的通知写一个放假安排文件"
                      f"（每行如“{year}-01-01 放假 元旦”“{year}-02-06 上班 春节调休”），再运行 "
                      f"xl-appraisal calendar 工作簿 --holidays 文件")
    return cal, "chinesecalendar", FESTIVALS | {d.note for d in cal.days if not d.workday}


def plan_calendar(book: Book | Unreadable, holidays: Path | None = None) -> CalendarReport:
    """What refreshing 日历 changes, as a plan; hand edits kept."""
    table = book.tables.get(c.CALENDAR.name)
    if table is None:
        raise Unusable("工作簿中没有“日历”表（tblCalendar），无法更新")
    year = book.year
    cal, source, names = generated_calendar(year, holidays)
    new = {d.date: d for d in cal.days}
    report = CalendarReport(year, source)
    final: dict[dt.date, bool] = {}
    col_flag, col_note = table.columns["工作日"], table.columns["说明"]
    for row, values in table.rows:
        day, _ = parse_date(values.get("日期"))
        if day is None or day not in new or day in final:
            continue  # not a date of this year, or a repeated date: left to check/recalc to report
        want: Day = new[day]
        flag, note = values.get("工作日"), values.get("说明")
        have = shown(flag, note)
        goal = shown("是" if want.workday else "否", want.note)
        if have == goal:
            final[day] = want.workday
        elif looks_generated(day, flag, note, names):
            same_flag = str(flag).strip() == ("是" if want.workday else "否")
            (report.renamed if same_flag else report.changed).append(Change(day, have, goal))
            report.plan.cells.append(CellWrite(table.sheet, f"{col_flag}{row}", "是" if want.workday else "否"))
            report.plan.cells.append(CellWrite(table.sheet, f"{col_note}{row}", want.note or None))
            final[day] = want.workday
        else:
            report.kept.append(Change(day, have, goal))
            final[day] = str(flag).strip() == "是"
    missing = [d for d in cal.days if d.date not in final]
    if missing:
        last_used = max((row for row, _ in table.rows), default=table.header_row)
        rows: list[list[object]] = [[dt.datetime.combine(d.date, dt.time()), "是" if d.workday else "否", d.note or None]
                                    for d in missing]
        report.plan.appends.append(AppendRows(c.CALENDAR.name, rows, last_used + 1))
        report.added = len(missing)
        final.update({d.date: d.workday for d in missing})
    report.working_days = sum(final.values())
    if _text_at(book.data, "说明", NOTE_CELL) == "⚠ " + CHECK_BY_HAND.format(year=year):  # still the program's own warning
        report.plan.cells.append(CellWrite("说明", NOTE_CELL, f"✓ {year}年日历已按{source}更新（含法定节假日和调休）。"))
    if table.header_row >= 3:  # the hint line above the table
        hint = (f"{year}年共{report.working_days}个工作日，含法定节假日和调休（来自{source}）。如有变动可直接修改，"
                "xl-appraisal calendar 再次更新时会保留手工修改。")
        report.plan.cells.append(CellWrite(table.sheet, f"A{table.header_row - 2}", hint))
    if isinstance(book, Book):  # 变更记录: each 日历 cell this writes, with where the calendar came from
        from xl_appraisal.tracking import record

        report.plan.extend(record(book, report.plan, f"calendar：{holidays.name if holidays else source}"))
    return report


def _text_at(data: bytes | None, sheet: str, ref: str) -> str | None:
    """The text of one cell of the package (None if absent or not text): to see whether a note is still
    the one this program wrote."""
    import io
    import zipfile

    from lxml import etree

    from xl_appraisal.workbook.ooxml import NS, PARSER, sheet_parts

    if data is None:
        return None
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        def read(name: str) -> bytes | None:
            return z.read(name) if name in z.NameToInfo else None

        part = dict(sheet_parts(read)).get(sheet)
        xml = read(part) if part else None
        if xml is None:
            return None
        cell = etree.fromstring(xml, PARSER).find(f".//{{{NS}}}c[@r='{ref}']")
        if cell is None:
            return None
        texts = "".join(t.text or "" for t in cell.iter(f"{{{NS}}}t"))
        if cell.get("t") == "inlineStr":
            return texts
        value = cell.find(f"{{{NS}}}v")
        if cell.get("t") != "s" or value is None or "xl/sharedStrings.xml" not in z.NameToInfo:
            return None
        items = etree.fromstring(z.read("xl/sharedStrings.xml"), PARSER).findall(f"{{{NS}}}si")
        index = int(value.text or -1)
        if not 0 <= index < len(items):
            return None
        return "".join(t.text or "" for t in items[index].iter(f"{{{NS}}}t") if t.getparent().tag != f"{{{NS}}}rPh")


def refresh_calendar(path: Path, holidays: Path | None = None, out: Path | None = None) -> CalendarReport:
    """Read the book, plan the new 日历 and write it (in place with a backup, or to `out`)."""
    from xl_appraisal.workbook.read import read_book
    from xl_appraisal.workbook.sink import write_plan

    book = read_book(path)
    report = plan_calendar(book, holidays)
    if report.plan:
        report.written = write_plan(book, report.plan, out)
    return report
