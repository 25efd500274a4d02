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
        return pd.read_csv(io.StringIO(text), dtype=str, skipinitialspace=True)
    except Exception as exc:
        raise RecordsUnusable(f"{path.name} 无法作为 CSV 读取（{type(exc).__name__}）") from exc


def _pick(headers: list[str], wanted: tuple[str, ...]) -> str | None:
    return next((h for w in wanted for h in headers if h == w), None)


def _time(value) -> dt.time | None:
    if isinstance(value, dt.datetime):
        return value.time()
    if isinstance(value, dt.time):
        return value
    text = normalize_text(value)
    for fmt in ("%H:%M:%S", "%H:%M"):
        try:
            return dt.datetime.strptime(text, fmt).time()
        except ValueError:
            continue
    return None


def _moment(value) -> dt.datetime | None:
    if hasattr(value, "to_pydatetime"):
        value = value.to_pydatetime()
    if isinstance(value, dt.datetime):
        return value
    text = normalize_text(value).replace("/", "-")
    for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"):
        try:
            return dt.datetime.strptime(text, fmt)
        except ValueError:
            continue
    return None


def read_punches(path: Path) -> dict[str, dict[dt.date, list[dt.time]]]:
    """name -> date -> sorted punch times. Headers are recognised by their usual Chinese names."""
    frame = _read_frame(path)
    headers = [normalize_text(h) for h in frame.columns]
    frame.columns = headers
    name_col = _pick(headers, NAME_HEADERS)
    date_col = _pick(headers, DATE_HEADERS)
    time_col = _pick(headers, DATETIME_HEADERS)
    if not name_col or not time_col:
        raise RecordsUnusable(f"{path.name} 中找不到姓名列和时间列（应有“姓名”和“打卡时间”，或“姓名”“日期”“时间”）；"
                              f"现有列：{'、'.join(headers)}")
    punches: dict[str, dict[dt.date, list[dt.time]]] = defaultdict(lambda: defaultdict(list))
    for _, row in frame.iterrows():
        name = normalize_text(row[name_col]) if row[name_col] == row[name_col] else ""
        if not name:
            continue
        if date_col:
            day, _ = parse_date(row[date_col].to_pydatetime() if hasattr(row[date_col], "to_pydatetime") else row[date_col])
            at = _time(row[time_col])
            moment = dt.datetime.combine(day, at) if day and at else None
        else:
            moment = _moment(row[time_col])
        if moment is None:
            continue
        punches[name][moment.date()].append(moment.time())
    for days in punches.values():
        for times in days.values():
            times.sort()
    return punches


def judge(book: Book, punches: dict[str, dict[dt.date, list[dt.time]]], source_name: str,
          result: Result | None = None) -> ImportReport:
    """The events the punches show, judged by the book's policy, calendar and leave (from the engine's Result)."""
    policy, inputs = book.policy, book.inputs
    result = result or compute(inputs)
    people = {p.name for p in result.people}
    report = ImportReport()
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
    report.not_in_records = [p.name for p in result.people if p.name not in punches]
    limits = {AM: (policy.signin_am, policy.signout_am), PM: (policy.signin_pm, policy.signout_pm)}
    day = report.first
    while day <= report.last:
        if result.is_workday(day):
            for name in sorted(n for n in punches if n in people):
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
    report = judge(book, read_punches(records), records.name)
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
