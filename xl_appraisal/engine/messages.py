"""The engine's user-facing Chinese words, in one place.

Formatting helpers first (how a value, a day, a half-day, a person's date reads), then the status
label, then the message templates grouped by rule ID. Every clause citation comes from the policy
(`policy.cite(key)`), never a literal: another union's policy file changes the words with the numbers.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from xl_appraisal.engine.model import EVENT_KINDS, FINAL, LEADER_ROLES, LEADERSHIP, LEAVE_KINDS, PROVISIONAL, ROLES
from xl_appraisal.engine.values import fmt, fmt_exact, is_blank, money, shown
from xl_appraisal.policy import Policy, short_clause

HALF_ZH = ("上午", "下午")


# -- formatting ------------------------------------------------------------------------------------
def percent(share: Decimal) -> str:
    """0.3 -> 30%."""
    return f"{fmt(share * 100)}%"


def day_text(day: dt.date) -> str:
    """2018年2月8日."""
    return f"{day.year}年{day.month}月{day.day}日"


def half_day_text(day: dt.date, half: int) -> str:
    """2018年2月8日上午."""
    return f"{day_text(day)}{HALF_ZH[half]}"


def who_when(name: str, day: dt.date, half: int | None = None) -> str:
    """A person and a date kept apart: 李明 2018年2月8日上午."""
    return f"{name} {day_text(day) if half is None else half_day_text(day, half)}"


def span(half_days: int) -> str:
    """A length of leave as the policy says it: 1 -> 半天, 2 -> 一天, 3 -> 1.5天."""
    if half_days == 1:
        return "半天"
    if half_days == 2:
        return "一天"
    return f"{fmt(Decimal(half_days) / 2)}天"


def half_days_text(half_days: int) -> str:
    """A count of half-days with its days where they differ: 3 -> 1.5天（3个半天）, 1 -> 半天,
    0 -> 0天. The terminal, 发放 and the explanations say it the same way."""
    if half_days == 0:
        return "0天"
    if half_days == 1:
        return "半天"
    return f"{fmt(Decimal(half_days) / 2)}天（{half_days}个半天）"


# -- status (R5) -----------------------------------------------------------------------------------
def status_label(final: bool) -> str:
    """审定 when every item of every department is 审定 and the book has no error, else 暂定 (R5)."""
    return FINAL if final else PROVISIONAL


def status_text(final: bool) -> str:
    """The label with its reason, as the status lines of 汇总 and 发放 and the 报送版 say it."""
    return f"{FINAL}（全部部门已审定）" if final else f"{PROVISIONAL}（尚有部门未审定或存在错误）"


# -- R1, R15, R16: people and departments ----------------------------------------------------------
def nobody() -> str:
    return "人员表中还没有任何人，无法计算考勤津贴和奖金；请先在“人员”表中填写名单"


def name_blank(what: str = "") -> str:
    return f"{what}姓名为空白" if what else "姓名为空白"


def name_duplicate(name: str, first: str) -> str:
    return f"姓名“{name}”重复（已在{first}出现）；同名者请加区分，如“张伟（办公室）”"


def role_unknown(raw: object) -> str:
    what = "职务为空白" if is_blank(raw) else f"职务{shown(raw)}无法识别"
    return f"{what}，应为{'、'.join(ROLES)}之一"


def leader_department(role: str, raw: object) -> str:
    return f"{role}的部门应填“{LEADERSHIP}”，现为{shown(raw)}"


def not_a_department(policy: Policy, raw: object) -> str:
    what = "部门为空白" if is_blank(raw) else f"部门{shown(raw)}不是考核部门"
    return f"{what}，应为{'、'.join(policy.department_names)}之一"


def overseen_unknown(name: str) -> str:
    return f"分管部门“{name}”不是考核部门"


def overseen_missing(policy: Policy, name: str, role: str) -> str:
    return f"{name}是{role}，须填写分管部门{policy.cite('leader_all_share')}"


def overseen_ignored(name: str) -> str:
    return f"{name}不是班子成员，分管部门不起作用"


# -- R2: item scores -------------------------------------------------------------------------------
def score_not_a_number(raw: object, max_points: Decimal) -> str:
    return f"{shown(raw)}不是分数，请填写0到{fmt(max_points)}之间的数字"


def score_negative(policy: Policy | None, value: Decimal, max_points: Decimal) -> str:
    return f"得分{fmt(value)}为负数，应在0到{fmt(max_points)}之间{_cite(policy, 'items')}"


def score_above_max(policy: Policy | None, value: Decimal, max_points: Decimal) -> str:
    return f"得分{fmt(value)}超过该项分值{fmt(max_points)}，应在0到{fmt(max_points)}之间{_cite(policy, 'items')}"


def score_places(value: Decimal) -> str:
    return f"得分{value}超过两位小数"


def score_stage_problem(dept: str, number: str, stage: str, problem: str, earlier_valid: bool) -> str:
    """An invalid stage: the problem, and (when an earlier stage was valid) that it is not used instead."""
    tail = "；改正前本项按0分计，不取前一栏" if earlier_valid else ""
    return f"{dept}第{number}项{stage}：{problem}{tail}"


def score_read_as(dept: str, number: str, stage: str, raw: object, value: Decimal) -> str:
    return f"{dept}第{number}项{stage}{shown(raw)}已按{fmt(value)}分读取"


# -- R5: stages ------------------------------------------------------------------------------------
def final_without_earlier(policy: Policy | None, dept: str, number: str, missing: list[str]) -> str:
    return f"{dept}第{number}项已审定，但{'、'.join(missing)}为空白{_cite(policy, 'process')}"


def not_scored(policy: Policy, dept: str, numbers: list[str], everything: bool) -> str:
    """R5: items with no valid score at any stage count 0 until scored."""
    what = "尚未评分" if everything else f"第{'、'.join(numbers)}项尚无有效得分"
    return f"{dept}{what}，暂按0分计{policy.cite('process')}"


# -- R3: bonus points ------------------------------------------------------------------------------
def bonus_unknown(policy: Policy, label: str) -> str:
    what = "加分项目为空白" if not label else f"加分项目“{label}”不在参数表的加分项目中"
    return f"{what}{policy.cite('bonus')}"


def bonus_quantity(raw: object) -> str:
    return f"数量{shown(raw)}应为正整数"


def bonus_needs_points(label: str, raw: object) -> str:
    return f"“{label}”须填写酌定分值（正数），现为{shown(raw)}"


def bonus_needs_note(label: str, clause: str) -> str:
    return f"“{label}”视情加分，须在说明中写明依据（{short_clause(clause)}）"


def bonus_fixed(policy: Policy, label: str, points: Decimal) -> str:
    return f"“{label}”为固定分值{fmt(points)}分，不能填写酌定分值{policy.cite('bonus')}"


# -- R8: dates and the calendar --------------------------------------------------------------------
def date_blank(what: str) -> str:
    return f"{what}为空白"


def date_bad(what: str, raw: object) -> str:
    return f"{what}{shown(raw)}不是日期，请填写如2018-03-16"


def date_read_as(what: str, raw: object, day: dt.date) -> str:
    return f"{what}{shown(raw)}不是日期格式，已按{day.isoformat()}读取；建议改为日期格式"


def workday_flag(raw: object) -> str:
    return f"工作日应填“是”或“否”，现为{shown(raw)}"


def calendar_day_outside(day: dt.date, year: int) -> str:
    return f"{day_text(day)}不在考核年度{year}内，不计"


def calendar_empty(policy: Policy | None, year: int) -> str:
    return f"日历为空，无法判断{year}年的工作日{_cite(policy, 'attendance')}"


def date_unknown(what: str, day: dt.date, year: int) -> str:
    where = "不在考核年度内" if day.year != year else "不在日历表中"
    return f"{what}{day_text(day)}{where}（考核年度{year}）"


# -- R9: attendance records ------------------------------------------------------------------------
def not_in_roster(name: str) -> str:
    return f"“{name}”不在人员表中"


def period_bad(what: str, raw: object) -> str:
    return f"{what}应为上午、下午或全天，现为{shown(raw)}"


def event_kind_bad(raw: object) -> str:
    what = "情况为空白" if is_blank(raw) else f"情况{shown(raw)}无法识别"
    return f"{what}，应为{'、'.join(EVENT_KINDS)}之一"


def not_a_workday(policy: Policy, day: dt.date, kind: str) -> str:
    return f"{day_text(day)}不是工作日，这条{kind}记录不计{policy.cite('attendance')}"


def recorded_twice(name: str, day: dt.date, half: int, kind: str, first: str) -> str:
    return f"{who_when(name, day, half)}的{kind}已在{first}记录，只计一次"


def absent_on_leave(name: str, day: dt.date, half: int, leave: str) -> str:
    return f"{who_when(name, day, half)}已有{leave}，不能同时记旷工；请核对"


def irregular_on_leave(name: str, day: dt.date, half: int, leave: str, kind: str) -> str:
    return f"{who_when(name, day, half)}已有{leave}，{kind}不计"


# -- R10, R11: leave -------------------------------------------------------------------------------
def leave_kind_bad(raw: object) -> str:
    what = "请假类型为空白" if is_blank(raw) else f"请假类型{shown(raw)}无法识别"
    return f"{what}，应为{'、'.join(LEAVE_KINDS)}之一"


def leave_ends_before_start() -> str:
    return "请假结束早于开始，请检查日期和时段"


def leave_without_workday() -> str:
    return "请假期间没有工作日，不影响考勤"


def leave_overlaps(name: str, day: dt.date, half: int) -> str:
    return f"与{name}的另一条请假记录重叠（{half_day_text(day, half)}）"


def approver_unknown(name: str) -> str:
    return f"审批人“{name}”不在人员表中"


def leave_length(half_days: int) -> str:
    """半天, or 1.5天（3个工作半天）."""
    if half_days == 1:
        return "半天"
    return f"{fmt(Decimal(half_days) / 2)}天（{half_days}个工作半天）"


def approval_problem(policy: Policy, name: str, role: str, length: int, required: str,
                     approver: str = "", approver_role: str = "") -> str:
    """R10: whose leave, how long, who the rule requires for that person, and who signed."""
    whose = f"{name}（{role}）本人的请假" if role in LEADER_ROLES else f"{name}的请假"
    if not approver:
        problem = f"{whose}{leave_length(length)}未填审批人，应由{required}批准"
    else:
        problem = f"{whose}{leave_length(length)}应由{required}批准，{approver}（{approver_role or '无审批权'}）无权批准"
    return problem + policy.cite("leave_supervisor_half_days")


def counted_as_absence(policy: Policy) -> str:
    return f"；按请假未获批准计旷工{policy.cite('absence')}"


def _cite(policy: Policy | None, key: str) -> str:
    return policy.cite(key) if policy is not None else ""


# -- R12, R13: the attendance allowance (explanations, R18) ----------------------------------------
def allowance_full(policy: Policy) -> str:
    return f"无旷工：考勤津贴{fmt(policy.allowance)}{policy.cite('allowance')}"


def allowance_deducted(policy: Policy, half_days: int, steps: str, value: Decimal) -> str:
    floor = "，不低于0，计0" if value < 0 else ""
    return f"旷工{half_days_text(half_days)}：{steps} = {fmt(value)}{floor}{policy.cite('deduct_half_day')}"


def unapproved_leave(policy: Policy, half_days: int) -> str:
    return f"请假未获批准{half_days_text(half_days)}计旷工{policy.cite('absence')}"


def irregularities(policy: Policy, counts: list[tuple[str, int]]) -> str:
    counted = "已计入旷工" if policy.late_as_absence else "不扣款"
    return "、".join(f"{k}{c}次" for k, c in counts) + f"（{counted}，{short_clause(policy.clause('signin_am'))}）"


def forfeited(policy: Policy, half_days: int) -> str:
    return (f"全年旷工{half_days_text(half_days)}，达到{fmt(policy.forfeit_days)}天（含）以上："
            f"扣除全额考勤津贴和目标管理奖金{policy.cite('forfeit_days')}")


# -- R14: the target bonus ---------------------------------------------------------------------------
def bonus_full(policy: Policy, score: Decimal) -> str:
    return f"得分{fmt_exact(score)}≥{fmt(policy.bonus_threshold)}，全额{fmt(policy.bonus_full)}{policy.cite('tier_amount')}"


def bonus_tiers(policy: Policy, score: Decimal, tiers: int, ceil: bool) -> str:
    rounding = "不足一档按一档" if ceil else "不足一档不计"
    left = policy.bonus_full - tiers * policy.tier_amount
    floor = "，不低于0，计0" if left < 0 else ""
    return (f"得分{fmt_exact(score)}，差{fmt_exact(policy.bonus_threshold - score)}分，每{fmt(policy.tier_points)}分一档、{rounding}，"
            f"计{tiers}档：{fmt(policy.bonus_full)} − {tiers}×{fmt(policy.tier_amount)} = {fmt(left)}{floor}"
            f"{policy.cite('tier_amount')}")


# -- R15, R16: whose score a bonus follows -----------------------------------------------------------
def staff_link(policy: Policy, department: str, bonus_text: str) -> str:
    return f"挂钩{department}总分{policy.cite('staff_link')}；奖金：{bonus_text}"


def chair_link(policy: Policy, average: Decimal, bonus_text: str) -> str:
    return f"主席挂钩全部部门平均分{fmt(average)}{policy.cite('leader_all_share')}；奖金：{bonus_text}"


def leader_split(policy: Policy, all_text: str, own_text: str, b_all: Decimal, b_own: Decimal, value: Decimal) -> str:
    a, o = policy.leader_all_share, policy.leader_overseen_share
    return (f"{percent(a)}挂钩全部部门平均分：{all_text}；{percent(o)}挂钩分管部门平均分：{own_text}；"
            f"奖金 = {fmt(a)}×{fmt(b_all)} + {fmt(o)}×{fmt(b_own)} = {fmt(value)}{policy.cite('leader_all_share')}")


def leader_blend(policy: Policy, avg_all: Decimal, avg_own: Decimal, blended: Decimal, bonus_text: str) -> str:
    a, o = policy.leader_all_share, policy.leader_overseen_share
    return (f"挂钩得分 = {fmt(a)}×全部部门平均分{fmt(avg_all)} + {fmt(o)}×分管部门平均分{fmt(avg_own)} = {fmt(blended)}"
            f"{policy.cite('leader_all_share')}；奖金：{bonus_text}")


def leader_without_overseen(policy: Policy) -> str:
    return f"班子成员未填写有效的分管部门，无法计算奖金{policy.cite('leader_all_share')}"


def link_unknown() -> str:
    return "部门或职务有误，无法确定挂钩得分"


def total(allowance_value: Decimal, bonus_value: Decimal) -> str:
    return f"合计 = {fmt(allowance_value)} + {fmt(bonus_value)} = {fmt(allowance_value + bonus_value)}"


def linked_text(scores: tuple[Decimal, ...]) -> str:
    """The score(s) a bonus follows, as 发放, the terminal and the sign-off sheet show them: one score,
    or a leader's two averages (全部部门／分管部门) when the amount is split (R16)."""
    return "／".join(f"{money(s):f}" for s in scores)
