"""Clean messages (issue 15): no None and no empty quotes, names and dates apart, the wrong stage's own cell,
days and half-days both where they differ, a leader's two averages, departments in the policy's order,
approval problems naming whose leave it is and who the rule requires. Engine level, by rule ID."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from builders import POLICY, all_scores, dept_scores, event, inputs, leadership, leave, person, with_params

from xl_appraisal.engine import messages as msg
from xl_appraisal.engine.issues import Source
from xl_appraisal.engine.model import BonusEntry, CalendarDay, ItemScore
from xl_appraisal.engine.run import compute
from xl_appraisal.service import payout_rows

MON = dt.date(2018, 3, 12)
LEAKS = ("None", "“”", '""')


def messages(result) -> list[str]:
    return [i.message for i in result.issues]


def test_blank_cells_are_named_blank_never_none():
    staff = leadership() + [person("甲", "财务部", row=6), person("乙", None, None, row=7), person(None, "财务部", row=8)]
    cells = {k: f"{c}3" for k, c in zip(("日期", "姓名", "时段", "情况"), "ABCD")}
    events = [event(MON, "甲", None, "旷工"), event(MON, "甲", "上午", None, row=3), event(None, "甲", "上午", "旷工", row=4)]
    from xl_appraisal.engine.model import AttendanceEvent

    events.append(AttendanceEvent(MON, "", "上午", "旷工", "", Source("考勤", cells)))
    leaves = [leave("甲", MON, None, MON, "中午", None, None, row=3), leave("甲", None, "上午", MON, "上午", "事假", "胡明", row=4)]
    bonuses = [BonusEntry("办公室", "其他创新工作", 1, None, None, key=1), BonusEntry("办公室", None, "", None, "x", key=2),
               BonusEntry("办公室", "招商引资突出贡献", "", "", None, key=3)]
    calendar = [CalendarDay(dt.date(2018, 1, 2), None), *inputs().calendar[1:]]
    result = compute(inputs(staff=staff, events=events, leaves=leaves, bonuses=bonuses, calendar=calendar,
                            scores=all_scores()[1:] + [ItemScore("办公室", "1", ("", None, " ", None))]))
    texts = messages(result) + [p.explanation for p in result.people]
    assert len(result.issues) >= 10
    assert not [t for t in texts if any(leak in t for leak in LEAKS)]
    assert any("空白" in t for t in texts)


def test_policy_messages_say_blank():
    from xl_appraisal.policy import build_policy

    values = {x.key: x.value for x in POLICY.params} | {"bonus_cap": None, "signin_am": "", "tier_rounding": " "}
    _, issues = build_policy({"id": POLICY.id, "title": POLICY.title, "year": POLICY.year}, list(POLICY.params), values,
                             list(POLICY.bonus_kinds), list(POLICY.departments))
    texts = [i.message for i in issues]
    assert len(texts) == 3 and all("现为空白" in t for t in texts), texts


def test_R9_names_dates_and_half_days_are_separated():
    staff = leadership() + [person("刘洋", "办公室", row=6)]
    lv = leave("刘洋", MON, "上午", MON, "上午", "病假", "胡明")
    result = compute(inputs(staff=staff, leaves=[lv], events=[event(MON, "刘洋", "上午", "旷工")]))
    assert "刘洋 2018年3月12日上午已有病假，不能同时记旷工；请核对" in messages(result)


def test_R5_only_the_last_stage_wrong_points_at_it_and_says_it_counts_zero():
    scores = dept_scores(POLICY, "办公室", "100")
    first = scores[0]
    scores[0] = ItemScore("办公室", first.number, (30, 30, None, 31), first.src)
    result = compute(inputs(scores=scores + [s for s in all_scores() if s.department != "办公室"]))
    at = [(i.cell, i.message) for i in result.issues]
    assert any(cell == "G5" and "不取前一栏" in m for cell, m in at), at
    assert not any("尚无有效得分" in m for _, m in at), at  # 自评 and 评议 are valid


def test_R5_no_valid_stage_points_at_the_wrong_stage():
    scores = dept_scores(POLICY, "办公室", "100")
    first = scores[0]
    scores[0] = ItemScore("办公室", first.number, (31, "优", None, None), first.src)
    result = compute(inputs(scores=scores + [s for s in all_scores() if s.department != "办公室"]))
    warns = [(i.cell, i.message) for i in result.issues if "尚无有效得分" in i.message]
    assert warns == [("E5", "办公室第1项尚无有效得分，暂按0分计（第三条）")]
    assert not any("不取前一栏" in i.message for i in result.issues)  # nothing valid to fall back to


def test_R5_an_unscored_item_points_at_its_first_stage():
    scores = [s for s in all_scores() if (s.department, s.number) != ("办公室", "2")]
    result = compute(inputs(scores=scores))
    warns = [(i.sheet, i.message) for i in result.issues if "尚无有效得分" in i.message]
    assert warns == [("办公室", "办公室第2项尚无有效得分，暂按0分计（第三条）")]


def test_R12_units_days_and_half_days_both_where_they_differ():
    assert msg.half_days_text(3) == "1.5天（3个半天）"
    assert msg.half_days_text(1) == "半天" and msg.half_days_text(2) == "1天（2个半天）"
    staff = leadership() + [person("甲", "财务部", row=6)]
    days = [MON, MON + dt.timedelta(days=1)]
    result = compute(inputs(staff=staff, events=[event(days[0], "甲", "全天", "旷工"), event(days[1], "甲", "上午", "旷工", 3)]))
    p = next(x for x in result.people if x.name == "甲")
    assert p.absent_days == Decimal("1.5") and "旷工1.5天（3个半天）：2000 − 3×20 = 1940" in p.explanation


def test_R16_a_split_leader_shows_the_two_averages_the_bonus_follows():
    bases = {"办公室": "100", "财务部": "90"}
    result = compute(inputs(scores=all_scores(bases=bases)))
    hu = next(p for p in result.people if p.name == "胡明")  # oversees 办公室、财务部: average 95
    avg_all = (Decimal(100) * 5 + 90) / 6
    assert hu.linked_scores == (avg_all, Decimal(95))
    row = next(r for r in payout_rows(result) if r[0] == "胡明")
    assert row[3] == "98.33／95.00"
    chair = next(p for p in result.people if p.name == "吴建国")
    assert chair.linked_scores == (avg_all,) and next(r for r in payout_rows(result) if r[0] == "吴建国")[3] == Decimal("98.33")
    blend = compute(inputs(with_params(leader_link="按分数"), scores=all_scores(bases=bases)))
    hu_blend = next(p for p in blend.people if p.name == "胡明")
    assert hu_blend.linked_scores == (hu_blend.linked_score,)  # blended first: that score is the one used


def test_R1_departments_are_listed_in_the_policys_order():
    staff = leadership() + [person("甲", "宣传部", row=6)]
    result = compute(inputs(staff=staff))
    text = next(m for m in messages(result) if "不是考核部门" in m)
    assert "、".join(POLICY.department_names) in text


def test_R10_approval_names_whose_leave_and_the_approver_the_rule_requires():
    staff = leadership() + [person("陈静", "财务部", "部门负责人", row=6), person("甲", "组宣部", row=7)]
    own = leave("李华", MON, "上午", MON, "上午", "事假", "陈静", row=2)  # a 副主席's own half-day leave
    missing = leave("甲", MON, "下午", MON, "下午", "事假", "", row=3)  # a staff member's, no approver
    texts = messages(compute(inputs(staff=staff, leaves=[own, missing])))
    assert "李华（副主席）本人的请假半天应由常务副主席或主席批准，陈静（部门负责人）无权批准（第四条第2款）" in texts
    assert "甲的请假半天未填审批人，应由分管领导（李华）或常务副主席、主席批准（第四条第2款）" in texts
    assert not [t for t in texts if "应由分管领导批准" in t]


def test_status_label_is_one_function():
    assert (msg.status_label(True), msg.status_label(False)) == ("审定", "暂定")
    result = compute(inputs(scores=all_scores(stage=2)))
    assert {p.status for p in result.people} == {msg.status_label(False)}
