"""Sign-in records → 考勤 events by the rules (R7–R9): a punch-machine (ZKTeco-like) or app (DingTalk-like)
export becomes 迟到 / 早退 / 漏签 / 旷工 rows, so the office only reviews.

Per person in the records, per working half-day in the records' date range: punches before the midday
split belong to the morning. First punch after the sign-in time → 迟到; last punch before the sign-out
time → 早退; one punch → 漏签; none → 旷工, unless an approved leave or 公务外出 covers the half-day.
Imported rows are marked in 备注, so importing again adds nothing twice; a row a person typed for the same
person and half-day wins.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from xl_appraisal.engine.attendance import AM, PM
from xl_appraisal.engine.model import Result
from xl_appraisal.engine.run import compute
from xl_appraisal.engine.values import normalize_text, parse_date
from xl_appraisal.errors import Unusable
from xl_appraisal.plan import AppendRows, Plan
from xl_appraisal.workbook import contract as c
from xl_appraisal.workbook.read import Book, Unreadable, read_book, require_book

NAME_HEADERS = ("姓名", "员工姓名", "人员", "名字", "员工")
DATETIME_HEADERS = ("打卡时间", "签到时间", "考勤时间", "日期时间", "时间")
DATE_HEADERS = ("日期", "打卡日期", "考勤日期")
MARK = "导入"
HALF_ZH = {AM: "上午", PM: "下午"}


class RecordsUnusable(Unusable):
    """The records file cannot be read (exit 2), one Chinese sentence."""


@dataclass
class ImportReport:
    added: list[list] = field(default_factory=list)  # rows for tblAttendance
    per_kind: Counter = field(default_factory=Counter)
    per_person: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    already: int = 0
    typed_wins: list[str] = field(default_factory=list)
    unknown_names: list[str] = field(default_factory=list)
    not_in_records: list[str] = field(default_factory=list)
    unreadable: list[tuple[int, str]] = field(default_factory=list)  # (row in the records file, what it holds)
    unjudged: list[str] = field(default_factory=list)  # people and days not judged because of those rows
    first: dt.date | None = None
    last: dt.date | None = None
    plan: Plan = field(default_factory=Plan)  # the rows added to 考勤
    written: bool = False  # a file was written

    def records_per_kind(self) -> Counter:
        """Rows added per kind (a 全天 row is one record of two half-days; per_kind counts half-days)."""
        return Counter(row[3] for row in self.added)


def _read_frame(path: Path):
    import pandas as pd

    if not path.exists():
        raise RecordsUnusable(f"找不到签到记录文件：{path}")
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        try:
            return pd.read_excel(path, dtype=object, engine="openpyxl")
        except Exception as exc:
            raise RecordsUnusable(f"{path.name} 无法作为 Excel 文件读取（{type(exc).__name__}）") from exc
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise RecordsUnusable(f"{path.name} 的编码无法识别（应为 UTF-8 或 GBK）")
    try:
        return pd.read_csv(io.StringIO(text), dtype=str, skipinitialspace=True, skip_blank_lines=False)
    except Exception as exc:
        raise RecordsUnusable(f"{path.name} 无法作为 CSV 读取（{type(exc).__name__}）") from exc


def _pick(headers: list[str], wanted: tuple[str, ...]) -> str | None:
    return next((h for w in wanted for h in headers if h == w), None)


_DATE = r"(?P<y>\d{4})\s*[-/.年]\s*(?P<mo>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*日?"
_HALF = r"上午|下午|中午|晚上|AM|PM"
_CLOCK = (rf"(?:(?P<ap1>{_HALF})\s*)?(?P<h>\d{{1,2}})\s*[:时]\s*(?P<mi>\d{{1,2}})"
          r"(?:\s*[:分]\s*(?P<s>\d{1,2})(?:\.(?P<f>\d{1,6}))?)?\s*[分秒]?"
          rf"\s*(?P<ap2>{_HALF})?")
MOMENT = re.compile(rf"^{_DATE}(?:\s*T|\s*(?:星期.|周.)?)\s*{_CLOCK}$", re.IGNORECASE)
CLOCK = re.compile(rf"^{_CLOCK}$", re.IGNORECASE)
DATE_IN_TEXT = re.compile(_DATE)
SERIAL = re.compile(r"^\d+(\.\d+)?$")
EXCEL_EPOCH = dt.datetime(1899, 12, 30)


def _missing(value) -> bool:
    if value is None:
        return True
    try:
        return bool(value != value) or str(value) == "NaT"  # NaN, NaT
    except (TypeError, ValueError):
        return False


def _serial(value: float) -> dt.datetime | None:
    """An Excel serial (days since 1899-12-30, the fraction is the time of day), to the millisecond."""
    if not 0 <= value < 2958466:
        return None
    ms = round(value * 86_400_000)
    return EXCEL_EPOCH + dt.timedelta(milliseconds=ms)


def _number(value) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value) if value == value else None
    text = normalize_text(value) if isinstance(value, str) else ""
    return float(text) if SERIAL.match(text) else None


def _clock(m: re.Match) -> dt.time | None:
    hour, minute, second = int(m["h"]), int(m["mi"]), int(m["s"] or 0)
    micro = int((m["f"] or "0").ljust(6, "0"))
    half = (m["ap1"] or m["ap2"] or "").upper()
    if m["ap1"] and m["ap2"]:
        return None
    if half in ("下午", "晚上", "PM") and hour < 12:
        hour += 12
    elif half in ("上午", "AM"):
        if hour > 12:
            return None
        hour = 0 if hour == 12 else hour
    elif half == "中午" and hour < 11:
        hour += 12
    if hour > 23 or minute > 59 or second > 59:
        return None
    return dt.time(hour, minute, second, micro)


def parse_moment(value) -> dt.datetime | None:
    """A punch's date and time from what exports hold: a date-time cell, an Excel serial number, or text
    such as 2018-03-13 09:30:00.000, 2018/3/13 9:30, 2018年3月13日 09:30:00, 2018/3/14 下午 05:05:00,
    2018-03-14 5:05:00 PM (full-width digits too). None when it is none of these."""
    if _missing(value):
        return None
    if hasattr(value, "to_pydatetime"):
        value = value.to_pydatetime()
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None)
    number = _number(value)
    if number is not None:
        return _serial(number) if number >= 1 else None
    if not isinstance(value, str):
        return None
    m = MOMENT.match(normalize_text(value).replace("：", ":"))
    if not m:
        return None
    try:
        day = dt.date(int(m["y"]), int(m["mo"]), int(m["d"]))
    except ValueError:
        return None
    at = _clock(m)
    return None if at is None else dt.datetime.combine(day, at)


def parse_clock(value) -> dt.time | None:
    """A punch's time of day: a time or date-time cell, an Excel time fraction (0.395833…), or text such as
    09:30, 9:30:00.000, 下午 05:05:00, 5:05 PM, 17时05分."""
    if _missing(value):
        return None
    if hasattr(value, "to_pydatetime"):
        value = value.to_pydatetime()
    if isinstance(value, dt.datetime):
        return value.time()
    if isinstance(value, dt.time):
        return value.replace(tzinfo=None)
    number = _number(value)
    if number is not None:
        moment = _serial(number)
        return None if moment is None else moment.time()
    if not isinstance(value, str):
        return None
    text = normalize_text(value).replace("：", ":")
    m = CLOCK.match(text)
    if m:
        return _clock(m)
    moment = parse_moment(text)  # a date-time in the time column
    return None if moment is None else moment.time()


def _day(value) -> dt.date | None:
    if _missing(value):
        return None
    if hasattr(value, "to_pydatetime"):
        value = value.to_pydatetime()
    day, _ = parse_date(value)
    if day is None:
        moment = parse_moment(value)
        day = moment.date() if moment else None
    return day


def _shown(value) -> str:
    return "（空）" if _missing(value) or normalize_text(value) == "" else str(value).strip()


@dataclass
class Punches:
    """What a records file holds: name -> date -> sorted distinct punch times, and what could not be read."""

    times: dict[str, dict[dt.date, list[dt.time]]]
    unreadable: list[tuple[int, str]] = field(default_factory=list)  # (row in the file, what it holds)
    unjudged: dict[str, set[dt.date] | None] = field(default_factory=dict)  # None: which day is unknown


def read_punches(path: Path) -> Punches:
    """Every punch of a records file. Headers are recognised by their usual Chinese names; a row that cannot
    be read is listed by its row number, and its person's day (or, when the day is unknown, the person) is
    not judged."""
    frame = _read_frame(path)
    headers = [normalize_text(h) for h in frame.columns]
    frame.columns = headers
    name_col = _pick(headers, NAME_HEADERS)
    date_col = _pick(headers, DATE_HEADERS)
    time_col = _pick(headers, DATETIME_HEADERS)
    if not name_col or not time_col:
        raise RecordsUnusable(f"{path.name} 中找不到姓名列和时间列（应有“姓名”和“打卡时间”，或“姓名”“日期”“时间”）；"
                              f"现有列：{'、'.join(headers)}")
    times: dict[str, dict[dt.date, set[dt.time]]] = defaultdict(lambda: defaultdict(set))
    out = Punches({})
    used = [name_col, *([date_col] if date_col else []), time_col]
    for index, row in enumerate(frame.itertuples(index=False, name=None)):
        values = dict(zip(headers, row, strict=False))
        if all(_missing(values[h]) or normalize_text(values[h]) == "" for h in used):
            continue  # a blank line
        line = index + 2  # the header is the file's first row
        name = "" if _missing(values[name_col]) else normalize_text(values[name_col])
        if date_col:
            day, at = _day(values[date_col]), parse_clock(values[time_col])
            moment = dt.datetime.combine(day, at) if day and at else None
        else:
            moment = parse_moment(values[time_col])
        if moment is None or not name:
            out.unreadable.append((line, "，".join(f"{h}：{_shown(values[h])}" for h in used)))
            if name:
                found = DATE_IN_TEXT.search(normalize_text(values[date_col or time_col]) if not _missing(
                    values[date_col or time_col]) else "")
                day = _day(values[date_col]) if date_col else None
                if day is None and found:
                    try:
                        day = dt.date(int(found["y"]), int(found["mo"]), int(found["d"]))
                    except ValueError:
                        day = None
                known = out.unjudged.get(name, set())
                if day is None or known is None:
                    out.unjudged[name] = None
                else:
                    known.add(day)
                    out.unjudged[name] = known
            continue
        times[name][moment.date()].add(moment.time())  # a punch recorded twice counts once
    out.times = {name: {day: sorted(ts) for day, ts in days.items()} for name, days in times.items()}
    return out


def judge(book: Book, punches: dict[str, dict[dt.date, list[dt.time]]], source_name: str,
          result: Result | None = None, unjudged: dict[str, set[dt.date] | None] | None = None) -> ImportReport:
    """The events the punches show, judged by the book's policy, calendar and leave (from the engine's Result).
    `unjudged`: name -> days with an unreadable punch (None: the day is unknown), left for a person to judge."""
    policy, inputs = book.policy, book.inputs
    result = result or compute(inputs)
    people = {p.name for p in result.people}
    report = ImportReport()
    unjudged = unjudged or {}
    for name, days in sorted(unjudged.items()):
        if days is None:
            report.unjudged.append(f"{name}：有无法读取日期的打卡，全部未判断")
        else:
            report.unjudged.append(f"{name}：{'、'.join(d.isoformat() for d in sorted(days))}有无法读取的打卡，这些天未判断")
    all_days = [d for times in punches.values() for d in times]
    if not all_days:
        return report
    report.first, report.last = min(all_days), max(all_days)
    existing: dict[tuple[str, dt.date, int], tuple[str, bool]] = {}
    for ev in inputs.events:
        day, _ = parse_date(ev.date)
        period = normalize_text(ev.period)
        halves = (AM, PM) if period == "全天" else ((AM,) if period == "上午" else (PM,) if period == "下午" else ())
        imported = MARK in normalize_text(ev.note)
        for h in halves:
            if day:
                existing[(normalize_text(ev.name), day, h)] = (normalize_text(ev.kind), imported)
    report.unknown_names = sorted(n for n in punches if n not in people)
    report.not_in_records = [p.name for p in result.people if p.name not in punches and p.name not in unjudged]
    limits = {AM: (policy.signin_am, policy.signout_am), PM: (policy.signin_pm, policy.signout_pm)}
    day = report.first
    while day <= report.last:
        if result.is_workday(day):
            for name in sorted(n for n in punches if n in people):
                if name in unjudged and (unjudged[name] is None or day in unjudged[name]):  # type: ignore[operator]
                    continue  # an unreadable punch that day: not judged (listed in the report)
                times = punches[name].get(day, [])
                found: dict[int, list[str]] = {}
                for half in (AM, PM):
                    mine = [t for t in times if (t < policy.midday_split) == (half == AM)]
                    if (day, half) in result.leave_cover.get(name, {}):
                        continue
                    start, end = limits[half]
                    if not mine:
                        found[half] = ["旷工"]
                    elif len(mine) == 1:
                        found[half] = ["漏签"]
                    else:
                        found[half] = (["迟到"] if mine[0] > start else []) + (["早退"] if mine[-1] < end else [])
                _record(report, name, day, found, existing, source_name)
        day += dt.timedelta(days=1)
    return report


def _record(report: ImportReport, name: str, day: dt.date, found: dict[int, list[str]], existing, source: str) -> None:
    whole_day_absent = (found.get(AM) == ["旷工"] and found.get(PM) == ["旷工"]
                        and (name, day, AM) not in existing and (name, day, PM) not in existing)
    for half, kinds in found.items():
        for kind in kinds:
            key = (name, day, half)
            if key in existing:
                prior, imported = existing[key]
                if imported:
                    report.already += 1
                elif prior != kind:
                    report.typed_wins.append(f"{name} {day.isoformat()}{HALF_ZH[half]}：已手工记为{prior}，签到记录显示{kind}，以手工为准")
                continue
            period = "全天" if whole_day_absent else HALF_ZH[half]
            if whole_day_absent and half == PM:
                continue  # one 全天 row stands for both halves
            report.added.append([dt.datetime.combine(day, dt.time()), name, period, kind, f"{MARK}：{source}"])
            report.per_kind[kind] += 2 if period == "全天" else 1
            report.per_person[name][kind] += 2 if period == "全天" else 1


def plan_import(read: Book | Unreadable, records: Path) -> ImportReport:
    """Judge the records against the book; the report's plan appends the events to 考勤."""
    book = require_book(read, "按规则判断签到")
    punches = read_punches(records)
    report = judge(book, punches.times, records.name, unjudged=punches.unjudged)
    report.unreadable = punches.unreadable
    if report.added:
        table = book.tables[c.ATTENDANCE.name]
        last_used = max((row for row, _ in table.rows), default=table.header_row)
        report.plan.appends.append(AppendRows(c.ATTENDANCE.name, report.added, last_used + 1))
        from xl_appraisal.tracking import record  # 变更记录: each added event, with the records' file

        report.plan.extend(record(book, report.plan, f"import-signins：{records.name}"))
    return report


def import_signins(book_path: Path, records: Path, out: Path | None = None) -> ImportReport:
    """Judge the records and append the events to 考勤 (atomic save with a backup, like recalc)."""
    from xl_appraisal.workbook.sink import write_plan

    book = read_book(book_path)
    report = plan_import(book, records)
    if report.plan:
        report.written = write_plan(book, report.plan, out)
    return report
