"""Plain input records and results. Inputs keep the raw cell values: reading them is a rule (R2)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable
from dataclasses import dataclass, field
from decimal import Decimal

from xl_appraisal.engine.issues import Issue, Source
from xl_appraisal.policy import Policy

STAGES = ("自评", "评议", "调整", "审定")  # R5, in order
FINAL_STAGE = STAGES[-1]
LEADERSHIP = "领导班子"
CHAIR, EXEC_VICE, VICE = "主席", "常务副主席", "副主席"
HEAD, STAFF = "部门负责人", "工作人员"
LEADER_ROLES = (CHAIR, EXEC_VICE, VICE)
ROLES = (*LEADER_ROLES, HEAD, STAFF)
PERIODS = ("上午", "下午", "全天")
EVENT_KINDS = ("旷工", "迟到", "早退", "漏签")
LEAVE_KINDS = ("事假", "病假", "年休假", "婚丧假", "产假", "公务外出", "其他")
OFFICIAL = "公务外出"  # R11
PROVISIONAL, FINAL = "暂定", "审定"


@dataclass(frozen=True)
class Person:
    """One row of 人员 as typed (department and role are checked by the roster step)."""

    name: str
    department: object
    role: object
    overseen: str  # raw 分管部门 text, split by the roster step
    note: object = ""
    src: Source = field(default_factory=Source)


@dataclass(frozen=True)
class ItemScore:
    department: str
    number: str
    stages: tuple[object, object, object, object]  # raw 自评, 评议, 调整, 审定
    src: Source = field(default_factory=Source)  # cells keyed by stage name


@dataclass(frozen=True)
class BonusEntry:
    department: str
    label: object
    quantity: object
    discretionary: object
    note: object
    key: Hashable = None  # identifies the row, so the 计分 column can be written back
    src: Source = field(default_factory=Source)


@dataclass(frozen=True)
class AttendanceEvent:
    date: object
    name: object
    period: object
    kind: object
    note: object = ""
    src: Source = field(default_factory=Source)


@dataclass(frozen=True)
class Leave:
    name: object
    start: object
    start_period: object
    end: object
    end_period: object
    kind: object
    approver: object
    note: object = ""
    src: Source = field(default_factory=Source)


@dataclass(frozen=True)
class CalendarDay:
    date: object
    workday: object
    note: object = ""
    src: Source = field(default_factory=Source)


# Which field of each record holds which column (the key of its Source cells).
FIELD_COLUMNS: dict[type, dict[str, str]] = {}


@dataclass
class Inputs:
    policy: Policy
    year: int
    staff: list[Person] = field(default_factory=list)
    scores: list[ItemScore] = field(default_factory=list)
    bonuses: list[BonusEntry] = field(default_factory=list)
    events: list[AttendanceEvent] = field(default_factory=list)
    leaves: list[Leave] = field(default_factory=list)
    calendar: list[CalendarDay] = field(default_factory=list)

    def records(self) -> list:
        return [*self.staff, *self.scores, *self.bonuses, *self.events, *self.leaves, *self.calendar]


@dataclass(frozen=True)
class ItemResult:
    """One assessment item as scored: the value used (None: no valid score, counted 0) and its stage."""

    number: str
    value: Decimal | None
    stage: str  # the stage whose score was used; 未评分 when none is valid


@dataclass(frozen=True)
class DepartmentResult:
    code: str
    name: str
    base: Decimal
    bonus_raw: Decimal
    bonus: Decimal
    total: Decimal
    tiers: int
    rank: int
    stage: str  # the least advanced stage used by any item (R5); 未评分 when nothing is scored
    final: bool
    items: tuple[ItemResult, ...] = ()  # in the policy's order


@dataclass(frozen=True)
class PersonResult:
    name: str
    department: str
    role: str
    # The score the bonus follows: the department total (R15), the average of all departments (主席), or
    # for 常务副主席/副主席 the weighted score share×all + share×overseen (R16) — the bonus's own score
    # only when the policy blends scores (按分数); by default (按金额) the bonus follows the two averages
    # in linked_scores. Kept as the JSON's `linked_score`.
    linked_score: Decimal | None
    absent_half_days: int
    late: int
    early: int
    missed: int
    allowance: Decimal
    bonus: Decimal
    total: Decimal
    forfeited: bool
    status: str
    explanation: str
    overseen: tuple[str, ...] = ()  # the departments a leader oversees (R16), in the policy's order
    linked_scores: tuple[Decimal, ...] = ()  # the score(s) the bonus is computed from; two averages for a split leader
    # R16, for leadership members: the averages their bonus is linked to, whether the amount is split or the
    # scores blended: (all departments,) for the 主席, (all departments, overseen or None) for the others
    averages: tuple[Decimal | None, ...] = ()

    @property
    def absent_days(self) -> Decimal:
        return Decimal(self.absent_half_days) / 2


@dataclass
class Result:
    policy_id: str
    year: int
    final: bool
    departments: list[DepartmentResult]
    people: list[PersonResult]
    bonus_points: dict[Hashable, Decimal | None]
    issues: list[Issue]
    average_all: Decimal | None = None  # R16: the average total of all departments (汇总's 全部部门平均分)
    workdays: dict[dt.date, bool] = field(default_factory=dict)  # the calendar the attendance was judged by
    leave_cover: dict[str, dict[tuple[dt.date, int], str]] = field(default_factory=dict)  # name -> half-day -> leave

    def is_workday(self, day: dt.date) -> bool:
        return self.workdays.get(day, False)

    def department(self, name: str) -> DepartmentResult:
        return next(d for d in self.departments if d.name == name)


FIELD_COLUMNS.update({
    Person: {"name": "姓名", "department": "部门", "role": "职务", "overseen": "分管部门", "note": "备注"},
    BonusEntry: {"label": "加分项目", "quantity": "数量", "discretionary": "酌定分值", "note": "说明"},
    AttendanceEvent: {"date": "日期", "name": "姓名", "period": "时段", "kind": "情况", "note": "备注"},
    Leave: {"name": "姓名", "start": "开始日期", "start_period": "开始时段", "end": "结束日期",
            "end_period": "结束时段", "kind": "类型", "approver": "审批人", "note": "备注"},
    CalendarDay: {"date": "日期", "workday": "工作日", "note": "说明"},
})


def raw_cells(record) -> list[tuple[str, object]]:
    """(column, raw value) of every field a person typed in a record."""
    if isinstance(record, ItemScore):
        return list(zip(STAGES, record.stages, strict=True))
    return [(col, getattr(record, name)) for name, col in FIELD_COLUMNS[type(record)].items()]
