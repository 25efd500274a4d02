"""Attendance (第四条): the working calendar (R8), events (R9), leave and its approval (R10),
official business (R11). The unit is the working half-day: (date, 0 morning | 1 afternoon)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from xl_appraisal.engine import messages as msg
from xl_appraisal.engine.issues import ERROR, WARNING, Issue, Source
from xl_appraisal.engine.model import (
    CHAIR,
    EVENT_KINDS,
    LEAVE_KINDS,
    OFFICIAL,
    AttendanceEvent,
    CalendarDay,
    Leave,
)
from xl_appraisal.engine.roster import AUTHORITY_ZH, CHAIRMAN, EXECUTIVE, SUPERVISOR, Member, Roster
from xl_appraisal.engine.values import (
    blank_message,
    has_invisible,
    invisible_message,
    is_blank,
    normalize_text,
    parse_date,
)
from xl_appraisal.policy import Policy, WrongApprover

HalfDay = tuple[dt.date, int]
AM, PM = 0, 1
HALF_ZH = {AM: "上午", PM: "下午"}
ABSENT, LATE, EARLY, MISSED = EVENT_KINDS


@dataclass
class PersonAttendance:
    unexcused: set[HalfDay] = field(default_factory=set)
    recorded_absent: set[HalfDay] = field(default_factory=set)
    unapproved_leave: set[HalfDay] = field(default_factory=set)
    late: set[HalfDay] = field(default_factory=set)
    early: set[HalfDay] = field(default_factory=set)
    missed: set[HalfDay] = field(default_factory=set)
    covered: dict[HalfDay, str] = field(default_factory=dict)  # half-day -> leave type


@dataclass
class Calendar:
    workdays: dict[dt.date, bool]

    def knows(self, day: dt.date) -> bool:
        return day in self.workdays

    def is_workday(self, day: dt.date) -> bool:
        return self.workdays.get(day, False)

    def half_days(self, start: HalfDay, end: HalfDay) -> list[HalfDay]:
        """Working half-days from start to end inclusive, in order (R10: length from the calendar)."""
        out: list[HalfDay] = []
        day = start[0]
        while day <= end[0]:
            if self.is_workday(day):
                for half in (AM, PM):
                    if start <= (day, half) <= end:
                        out.append((day, half))
            day += dt.timedelta(days=1)
        return out


def read_date(raw: object, src: Source, key: str, what: str, issues: list[Issue]) -> dt.date | None:
    """A date cell: Excel date, or text accepted with a warning, else an error."""
    if is_blank(raw):
        issues.append(src.error(key, blank_message(raw, what)))
        return None
    day, was_text = parse_date(raw)
    if day is None:
        issues.append(src.error(key, msg.date_bad(what, raw)))
        return None
    if was_text:
        issues.append(src.warning(key, msg.date_read_as(what, raw, day)))
    return day


def build_calendar(rows: list[CalendarDay], year: int, issues: list[Issue], policy: Policy | None = None) -> Calendar:
    """R8: working days come from the workbook's 日历 (statutory holidays and 调休), not weekdays."""
    days: dict[dt.date, bool] = {}
    for r in rows:
        day = read_date(r.date, r.src, "日期", "日期", issues)
        if day is None:
            continue
        flag = normalize_text(r.workday)
        if flag not in ("是", "否"):
            issues.append(r.src.error("工作日", msg.workday_flag(r.workday)))
            continue
        if day.year != year:
            issues.append(r.src.warning("日期", msg.calendar_day_outside(day, year)))
            continue
        days[day] = flag == "是"
    if not days:
        issues.append(Issue(ERROR, "日历", "", msg.calendar_empty(policy, year)))
    elif weekdays_only(days):
        issues.append(Issue(WARNING, "日历", "", f"{year}年的日历只按周一至周五排，没有标出法定节假日和调休上班日，"
                            "考勤和请假天数可能不准；请按国务院办公厅的放假通知运行 xl-appraisal calendar 更新，或手工修改“日历”表"))
    return Calendar(days)


def weekdays_only(days: dict[dt.date, bool]) -> bool:
    """R8: a (nearly) whole year marked by the week alone, with no holiday and no make-up day. Every year
    has statutory holidays on working days (春节 at least), so such a calendar was never checked."""
    return len(days) >= 360 and all(work == (day.weekday() < 5) for day, work in days.items())


def _period(raw: object, default: int, is_start: bool) -> int | None:
    text = normalize_text(raw)
    if text == "":
        return default
    if text == "全天":
        return AM if is_start else PM
    return {"上午": AM, "下午": PM}.get(text)


def _dated(raw: object, src: Source, key: str, what: str, cal: Calendar, year: int, issues: list[Issue]):
    day = read_date(raw, src, key, what, issues)
    if day is not None and not cal.knows(day):
        issues.append(src.error(key, msg.date_unknown(what, day, year)))
        return None
    return day


def required_authority(policy: Policy, length: int) -> int:
    """R10: up to half a day the 分管领导, up to one day the 常务副主席, longer the 主席."""
    if length <= policy.leave_supervisor_half_days:
        return SUPERVISOR
    if length <= policy.leave_executive_half_days:
        return EXECUTIVE
    return CHAIRMAN


def apply_leaves(
    policy: Policy, cal: Calendar, year: int, roster: Roster, leaves: list[Leave], att: dict[str, PersonAttendance],
    issues: list[Issue],
) -> None:
    for lv in leaves:
        src = lv.src
        name = normalize_text(lv.name)
        if not name:
            issues.append(src.error("姓名", "请假记录的" + blank_message(lv.name, "姓名")))
            continue
        for key, raw in (("姓名", lv.name), ("审批人", lv.approver)):
            if has_invisible(raw):
                issues.append(src.warning(key, invisible_message(raw, key)))
        person = roster.get(name)
        if person is None:
            issues.append(src.error("姓名", msg.not_in_roster(name)))
            continue
        start_day = _dated(lv.start, src, "开始日期", "开始日期", cal, year, issues)
        end_day = _dated(lv.end, src, "结束日期", "结束日期", cal, year, issues)
        start_half = _period(lv.start_period, AM, True)
        end_half = _period(lv.end_period, PM, False)
        if start_half is None:
            issues.append(src.error("开始时段", msg.period_bad("开始时段", lv.start_period)))
        if end_half is None:
            issues.append(src.error("结束时段", msg.period_bad("结束时段", lv.end_period)))
        kind = normalize_text(lv.kind)
        if kind not in LEAVE_KINDS:
            issues.append(src.error("类型", msg.leave_kind_bad(lv.kind)))
            continue
        if start_day is None or end_day is None or start_half is None or end_half is None:
            continue
        start, end = (start_day, start_half), (end_day, end_half)
        if end < start:
            issues.append(src.error("结束日期", msg.leave_ends_before_start()))
            continue
        halves = cal.half_days(start, end)
        if not halves:
            issues.append(src.warning("开始日期", msg.leave_without_workday()))
            continue
        mine = att[name]
        overlap = [h for h in halves if h in mine.covered]
        if overlap:
            d, h = overlap[0]
            issues.append(src.error("开始日期", msg.leave_overlaps(name, d, h)))
            continue
        approved = kind == OFFICIAL or person.role == CHAIR  # R11; the chair's own leave needs none
        if not approved:
            approved = _check_approver(policy, roster, person, lv, len(halves), issues)
        if approved:
            mine.covered.update({h: kind for h in halves})
        else:
            mine.unapproved_leave.update(halves)


def _check_approver(policy: Policy, roster: Roster, person, lv: Leave, length: int, issues: list[Issue]) -> bool:
    """R10: True when the leave counts as approved; otherwise reported per the policy switch."""
    src = lv.src
    need = max(required_authority(policy, length), roster.min_authority(person))
    approver_name = normalize_text(lv.approver)
    approver = roster.get(approver_name) if approver_name else None
    if approver_name and approver is None:
        issues.append(src.error("审批人", msg.approver_unknown(approver_name)))
        return True  # a typo, not a refusal: counted as leave until fixed
    have = roster.authority(approver, person) if approver else 0
    if have >= need:
        return True
    who = _required(roster, person, need)
    problem = msg.approval_problem(policy, person.name, person.role, length, who,
                                   approver_name if approver else "", approver.role if approver else "")
    if policy.wrong_approver == WrongApprover.ABSENCE:
        issues.append(src.warning("审批人", problem + msg.counted_as_absence(policy)))
        return False
    issues.append(src.error("审批人", problem))
    return True


def _required(roster: Roster, person: Member, need: int) -> str:
    """R10: who may approve this person's leave, by name where the rule names one person's 分管领导."""
    if need == SUPERVISOR:
        supervisors = roster.supervisors(person)
        named = f"（{'、'.join(supervisors)}）" if supervisors else ""
        return f"分管领导{named}或{AUTHORITY_ZH[EXECUTIVE]}、{AUTHORITY_ZH[CHAIRMAN]}"
    if need == EXECUTIVE:
        return f"{AUTHORITY_ZH[EXECUTIVE]}或{AUTHORITY_ZH[CHAIRMAN]}"
    return AUTHORITY_ZH[CHAIRMAN]


def apply_events(
    policy: Policy, cal: Calendar, year: int, roster: Roster, events: list[AttendanceEvent],
    att: dict[str, PersonAttendance], issues: list[Issue],
) -> None:
    seen: dict[tuple[str, HalfDay, str], Source] = {}
    for ev in events:
        src = ev.src
        name = normalize_text(ev.name)
        if not name:
            issues.append(src.error("姓名", "考勤记录的" + blank_message(ev.name, "姓名")))
            continue
        if has_invisible(ev.name):
            issues.append(src.warning("姓名", invisible_message(ev.name, "姓名")))
        if roster.get(name) is None:
            issues.append(src.error("姓名", msg.not_in_roster(name)))
            continue
        day = _dated(ev.date, src, "日期", "日期", cal, year, issues)
        period = normalize_text(ev.period)
        if period not in ("上午", "下午", "全天"):
            issues.append(src.error("时段", msg.period_bad("时段", ev.period)))
            continue
        kind = normalize_text(ev.kind)
        if kind not in EVENT_KINDS:
            issues.append(src.error("情况", msg.event_kind_bad(ev.kind)))
            continue
        if day is None:
            continue
        if not cal.is_workday(day):
            issues.append(src.warning("日期", msg.not_a_workday(policy, day, kind)))
            continue
        halves = [(day, AM), (day, PM)] if period == "全天" else [(day, AM if period == "上午" else PM)]
        mine = att[name]
        for h in halves:
            key = (name, h, kind)
            if key in seen:
                first = seen[key].cell("日期")
                issues.append(src.warning("日期", msg.recorded_twice(name, day, h[1], kind, first)))
                continue
            seen[key] = src
            leave = mine.covered.get(h)
            if leave and kind == ABSENT:
                issues.append(src.error("情况", msg.absent_on_leave(name, day, h[1], leave)))
                continue
            if leave:
                issues.append(src.warning("情况", msg.irregular_on_leave(name, day, h[1], leave, kind)))
                continue
            {ABSENT: mine.recorded_absent, LATE: mine.late, EARLY: mine.early, MISSED: mine.missed}[kind].add(h)


def tally(
    policy: Policy, calendar: Calendar, year: int, roster: Roster, events: list[AttendanceEvent],
    leaves: list[Leave], issues: list[Issue],
) -> dict[str, PersonAttendance]:
    """R8-R11: per person, the set of unexcused half-days and the counted irregularities."""
    att: dict[str, PersonAttendance] = defaultdict(PersonAttendance)
    apply_leaves(policy, calendar, year, roster, leaves, att, issues)
    apply_events(policy, calendar, year, roster, events, att, issues)
    for mine in att.values():
        mine.unexcused = mine.recorded_absent | mine.unapproved_leave
        if policy.late_as_absence:  # R9 switch
            mine.unexcused |= mine.late | mine.early | mine.missed
    return att
