"""The working calendar of a year (R8), from chinesecalendar: statutory holidays and 调休 make-up days."""

from __future__ import annotations

import datetime as dt
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


CHECK_BY_HAND = "chinesecalendar 没有{year}年的法定节假日数据，日历按周一至周五生成，请对照国务院办公厅通知手工核对“日历”表"


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
    if not official:
        days = [
            Day(start + dt.timedelta(days=i), (start + dt.timedelta(days=i)).weekday() < 5, "待核对")
            for i in range(n)
        ]
    return YearCalendar(year, days, official)


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
