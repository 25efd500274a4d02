"""The working calendar of a year (R8), from chinesecalendar: statutory holidays and 调休 make-up days."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Day:
    date: dt.date
    workday: bool
    note: str


@dataclass(frozen=True)
class YearCalendar:
    year: int
    days: list[Day]
    official: bool  # False: weekdays only, to be checked by hand

    @property
    def working_days(self) -> int:
        return sum(d.workday for d in self.days)


CHECK_BY_HAND = "chinesecalendar 没有{year}年的法定节假日数据，日历按周一至周五生成，请对照国务院办公厅通知手工核对“日历”表，或用 xl-appraisal calendar 导入放假安排"


def year_calendar(year: int) -> YearCalendar:
    import chinese_calendar as cc  # imported here: only `new` needs it

    start = dt.date(year, 1, 1)
    days: list[Day] = []
    official = True
    n = (dt.date(year + 1, 1, 1) - start).days
    for i in range(n):
        day = start + dt.timedelta(days=i)
        try:
            work = cc.is_workday(day)
            holiday, name = cc.get_holiday_detail(day)
        except NotImplementedError:
            official = False
            break
        weekend = day.weekday() >= 5
        if name and not work:
            note = f"{_HOLIDAY_ZH.get(name, name)}"
        elif work and weekend:
            note = f"调休上班（{_HOLIDAY_ZH.get(name, name)}）" if name else "调休上班"
        elif not work:
            note = "周末"
        else:
            note = ""
        days.append(Day(day, work, note))
    return YearCalendar(year, days, official) if official else weekday_calendar(year)


def weekday_calendar(year: int) -> YearCalendar:
    """The fallback when chinesecalendar does not know the year: Monday to Friday, every day 待核对."""
    start = dt.date(year, 1, 1)
    days = [start + dt.timedelta(days=i) for i in range((dt.date(year + 1, 1, 1) - start).days)]
    return YearCalendar(year, [Day(d, d.weekday() < 5, "待核对") for d in days], official=False)


_HOLIDAY_ZH = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}


# `xl-appraisal calendar`: refresh 日历 from chinesecalendar or from the State Council's notice ------------
#
# The holiday list a clerk types from the notice (UTF-8 text; one date or range per line; # starts a comment):
#
#     2027-01-01 放假 元旦
#     2027-02-05 至 2027-02-11 放假 春节
#     2027-02-14 上班 春节调休
#
# 放假 (or 休息) marks days off, 上班 marks make-up working days; the name after it goes into 说明. Days not
# listed follow the week (Monday to Friday working, 周末 off). Dates: 2027-02-05, 2027/2/5 or 2027年2月5日.

WEEKDAY_ZH = "一二三四五六日"
DATE = r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
LINE = re.compile(rf"^{DATE}(?:\s*(?:至|到|~|～|—|--)\s*{DATE})?\s+(放假|休息|上班)\s*(.*)$")
FESTIVALS = frozenset(_HOLIDAY_ZH.values()) | {"放假"}


def weekday_zh(day: dt.date) -> str:
    return "周" + WEEKDAY_ZH[day.weekday()]


def _note(kind: str, name: str) -> str:
    name = name.strip()
    if kind != "上班":
        return name or "放假"
    name = name.removesuffix("调休").strip()
    if name.startswith("调休上班"):
        return name
    return f"调休上班（{name}）" if name else "调休上班"


def parse_holidays(text: str, year: int) -> tuple[dict[dt.date, Day], list[str]]:
    """The days a holiday list marks, and its problems (one line each, '第N行：…')."""
    marked: dict[dt.date, Day] = {}
    problems: list[str] = []
    for n, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].replace("\u3000", " ").strip().lstrip("\ufeff")
        if not line:
            continue
        m = LINE.match(line)
        if not m:
            problems.append(f"第{n}行“{raw.strip()}”看不懂，应写成如“{year}-01-01 放假 元旦”或“{year}-02-06 上班 春节调休”")
            continue
        try:
            start = dt.date(int(m[1]), int(m[2]), int(m[3]))
            end = dt.date(int(m[4]), int(m[5]), int(m[6])) if m[4] else start
        except ValueError:
            problems.append(f"第{n}行“{raw.strip()}”中的日期不存在")
            continue
        if end < start:
            problems.append(f"第{n}行：结束日期{end.isoformat()}早于开始日期{start.isoformat()}")
            continue
        if start.year != year or end.year != year:
            problems.append(f"第{n}行：{start.isoformat()}不在{year}年（工作簿是{year}年的）")
            continue
        work = m[7] == "上班"
        day = start
        while day <= end:
            new = Day(day, work, _note(m[7], m[8]))
            old = marked.get(day)
            if old is not None and old.workday != work:
                problems.append(f"第{n}行：{day.isoformat()}前面已写为{'上班' if old.workday else '放假'}，这里又写为{m[7]}")
            marked[day] = new
            day += dt.timedelta(days=1)
    if not marked and not problems:
        problems.append("文件里没有任何日期")
    return marked, problems


def from_holidays(year: int, marked: dict[dt.date, Day]) -> YearCalendar:
    """The year's calendar: the listed days as listed, every other day by the week."""
    start = dt.date(year, 1, 1)
    days = []
    for i in range((dt.date(year + 1, 1, 1) - start).days):
        day = start + dt.timedelta(days=i)
        days.append(marked.get(day) or Day(day, day.weekday() < 5, "" if day.weekday() < 5 else "周末"))
    return YearCalendar(year, days, official=True)


def _plain(text: object) -> str:
    import unicodedata

    return "" if text is None else unicodedata.normalize("NFKC", str(text)).strip()


def looks_generated(day: dt.date, flag: object, note: object, names: frozenset[str] = FESTIVALS) -> bool:
    """Whether a 日历 row still holds what this program writes (so `calendar` may replace it), rather
    than a hand edit (kept). The program writes, and only writes: a weekday 是 and a weekend 否 with 说明
    blank, 周末 or 待核对; 否 with a holiday's name; on a weekend, 是 with 调休上班 or 调休上班（节日）.
    A blank or unreadable 工作日 is filled in. Anything else is the user's."""
    flag, note = _plain(flag), _plain(note)
    if flag not in ("是", "否"):
        return True
    work, weekend = flag == "是", day.weekday() >= 5
    if work == (not weekend) and note in ("", "待核对", "周末" if weekend else ""):
        return True
    if not work and note in {_plain(n) for n in names}:
        return True
    return work and weekend and (note == "调休上班" or bool(re.fullmatch(r"调休上班\(.+\)", note)))

