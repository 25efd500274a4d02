"""Inline builders so that a test reads like the policy: people, scores, events and leaves in a few lines."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import lru_cache

from xl_appraisal.calendar import year_calendar
from xl_appraisal.engine.issues import Source
from xl_appraisal.engine.model import (
    AttendanceEvent,
    BonusEntry,
    CalendarDay,
    Inputs,
    ItemScore,
    Leave,
    Person,
)
from xl_appraisal.policy import Policy, load_policy

D = Decimal
POLICY = load_policy()


@lru_cache
def calendar_rows(year: int = 2018) -> tuple[CalendarDay, ...]:
    return tuple(CalendarDay(d.date, "是" if d.workday else "否", d.note) for d in year_calendar(year).days)


def workdays(start: dt.date, count: int, year: int = 2018) -> list[dt.date]:
    days = [r.date for r in calendar_rows(year) if r.workday == "是" and r.date >= start]
    return days[:count]


def person(name: str, dept: str, role: str = "工作人员", overseen: str = "", row: int = 2) -> Person:
    src = Source("人员", {k: f"{c}{row}" for k, c in zip(("姓名", "部门", "职务", "分管部门"), "ABCD")})
    return Person(name, dept, role, overseen, "", src)


def leadership(overseen: dict[str, str] | None = None) -> list[Person]:
    """主席, 常务副主席 (办公室、财务部), two 副主席 — a realistic leading group."""
    overseen = overseen or {"胡明": "办公室、财务部", "李华": "组宣部、女工部", "周强": "保障部、职工服务中心"}
    people = [person("吴建国", "领导班子", "主席", row=2)]
    roles = {"胡明": "常务副主席", "李华": "副主席", "周强": "副主席"}
    for i, (name, depts) in enumerate(overseen.items()):
        people.append(person(name, "领导班子", roles.get(name, "副主席"), depts, row=3 + i))
    return people


def dept_scores(policy: Policy, name: str, base: Decimal | str, stage: int = 3, row0: int = 5) -> list[ItemScore]:
    """Every item at its max, except item 1 short by (100 - base); filled up to `stage` (3 = 审定)."""
    dept = policy.department(name)
    assert dept is not None
    short = D(100) - D(str(base))
    out = []
    for i, item in enumerate(dept.items):
        value = item.max_points - short if i == 0 else item.max_points
        assert value >= 0, f"{name} item 1 cannot lose {short} points"
        stages = tuple(value if s <= stage else None for s in range(4))
        cells = {s: f"{c}{row0 + i}" for s, c in zip(("自评", "评议", "调整", "审定"), "DEFG")}
        out.append(ItemScore(name, item.number, stages, Source(name, cells)))  # type: ignore[arg-type]
    return out


def all_scores(policy: Policy = POLICY, bases: dict[str, str] | None = None, stage: int = 3) -> list[ItemScore]:
    bases = bases or {}
    return [s for d in policy.departments for s in dept_scores(policy, d.name, bases.get(d.name, "100"), stage)]


def bonus(dept: str, label: str, qty: object = 1, disc: object = None, note: object = None, row: int = 30) -> BonusEntry:
    cells = {k: f"{c}{row}" for k, c in zip(("加分项目", "数量", "酌定分值", "说明", "计分"), "ABCDE")}
    return BonusEntry(dept, label, qty, disc, note, key=(dept, row), src=Source(dept, cells))


def event(day: dt.date | str, name: str, period: str, kind: str, row: int = 2) -> AttendanceEvent:
    cells = {k: f"{c}{row}" for k, c in zip(("日期", "姓名", "时段", "情况", "备注"), "ABCDE")}
    return AttendanceEvent(day, name, period, kind, "", Source("考勤", cells))


def leave(name, start, start_p, end, end_p, kind="事假", approver="", row: int = 2) -> Leave:
    keys = ("姓名", "开始日期", "开始时段", "结束日期", "结束时段", "类型", "审批人", "备注")
    cells = {k: f"{c}{row}" for k, c in zip(keys, "ABCDEFGH")}
    return Leave(name, start, start_p, end, end_p, kind, approver, "", Source("请假", cells))


def inputs(policy: Policy = POLICY, **kw) -> Inputs:
    kw.setdefault("scores", all_scores(policy))
    kw.setdefault("staff", leadership())
    kw.setdefault("calendar", list(calendar_rows(2018)))
    return Inputs(policy=policy, year=kw.pop("year", 2018), **kw)


def with_params(**changes: str) -> Policy:
    """The 2018 policy with some 参数 changed, as a user would change them in the 参数 sheet."""
    from xl_appraisal.policy import build_policy

    p = POLICY
    values = {x.key: changes.get(x.key, x.value) for x in p.params}
    new, issues = build_policy(
        {"id": p.id, "title": p.title, "year": p.year}, list(p.params), values, list(p.bonus_kinds), list(p.departments)
    )
    assert new is not None, issues
    return new
