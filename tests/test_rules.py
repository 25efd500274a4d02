"""One test (or more) per rule of RULES.md, named by rule ID. Inputs inline; expectations by hand."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from builders import (
    POLICY,
    D,
    all_scores,
    bonus,
    dept_scores,
    event,
    inputs,
    leadership,
    leave,
    person,
    with_params,
    workdays,
)

from xl_appraisal.engine.issues import Source
from xl_appraisal.engine.model import ItemScore
from xl_appraisal.engine.payouts import allowance, forfeits
from xl_appraisal.engine.payouts import bonus as bonus_amount
from xl_appraisal.engine.run import compute
from xl_appraisal.engine.scoring import check_score, rank, tiers_for
from xl_appraisal.policy import PolicyInvalid, parse_policy_toml

MON = dt.date(2018, 3, 12)  # a Monday, ordinary working week


def errors(result):
    return [i for i in result.issues if i.level == "error"]


def by_name(result, name):
    return next(p for p in result.people if p.name == name)


def dept(result, name):
    return next(d for d in result.departments if d.name == name)


# R1 ---------------------------------------------------------------------------------------------
def test_R1_six_departments_each_sum_to_100():
    assert POLICY.department_names == ["办公室", "财务部", "组宣部", "女工部", "保障部", "职工服务中心"]
    for d in POLICY.departments:
        assert sum(i.max_points for i in d.items) == 100, d.name


def test_R1_sub_items_split_as_rules_say():
    office = {i.number: i.max_points for i in POLICY.department("办公室").items}
    assert office["8.1"] == 3 and office["8.2"] == 2 and "8" not in office
    finance = {i.number: i.max_points for i in POLICY.department("财务部").items}
    assert (finance["9.1"], finance["9.2"], finance["9.3"]) == (2, 2, 4)


def test_R1_loader_rejects_a_department_not_summing_to_100():
    from importlib import resources

    text = resources.files("xl_appraisal.policies").joinpath("pengze-2018.toml").read_text(encoding="utf-8")
    bad = text.replace('["6", "做好接待工作", "5"]', '["6", "做好接待工作", "6"]')
    with pytest.raises(PolicyInvalid) as exc:
        parse_policy_toml(bad)
    assert any("办公室" in p and "101" in p for p in exc.value.problems)


def test_R1_loader_explains_unknown_switch_and_bad_amount_in_chinese():
    from importlib import resources

    text = resources.files("xl_appraisal.policies").joinpath("pengze-2018.toml").read_text(encoding="utf-8")
    bad = text.replace('value = "按一档"', 'value = "四舍五入"').replace('value = "2000"', 'value = "-5"')
    with pytest.raises(PolicyInvalid) as exc:
        parse_policy_toml(bad)
    problems = "；".join(exc.value.problems)
    assert "不足一档" in problems and "按一档、不计" in problems
    assert "考勤津贴" in problems and "正数" in problems


# R2 ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("raw,value", [(20, D(20)), ("２０", D(20)), ("20分", D(20)), (" 19.5 ", D("19.5")), (0, D(0))])
def test_R2_scores_read_full_width_and_trailing_fen(raw, value):
    got, problem, _ = check_score(raw, D(20))
    assert (got, problem) == (value, "")


@pytest.mark.parametrize("raw,words", [(21, "超过"), (-1, "负数"), ("优秀", "不是分数"), ("19.555", "两位小数")])
def test_R2_bad_scores_are_errors_never_clamped(raw, words):
    got, problem, _ = check_score(raw, D(20))
    assert got is None and words in problem


def test_R2_score_above_max_is_an_error_at_its_cell_and_not_clamped():
    scores = all_scores()
    first = scores[0]  # 办公室 item 1, max 30
    scores[0] = ItemScore(first.department, first.number, (None, None, None, 31), first.src)
    result = compute(inputs(scores=scores))
    errs = errors(result)
    assert [(e.sheet, e.cell) for e in errs] == [("办公室", "G5")]
    assert "超过该项分值30" in errs[0].message
    assert dept(result, "办公室").base == 70  # the bad item counts nothing; nothing clamped to 30


# R3 ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("labels,raw,counted", [
    (["部门工作获表彰·省总"] * 4 + ["部门成员获表彰·省总"], D(19), D(19)),
    (["部门工作获表彰·省总"] * 5, D(20), D(20)),
    (["招商引资突出贡献"] * 3 + ["部门工作获表彰·省总", "宣传报道·其他版面", "宣传报道·其他版面", "经验交流推广·全市会议"], D(26), D(20)),
])
def test_R3_bonus_summed_then_capped_at_20(labels, raw, counted):
    entries = [bonus("办公室", lab, row=30 + i) for i, lab in enumerate(labels)]
    d = dept(compute(inputs(bonuses=entries)), "办公室")
    assert (d.bonus_raw, d.bonus, d.total) == (raw, counted, 100 + counted)


def test_R3_quantity_multiplies_fixed_points_and_is_written_per_row():
    result = compute(inputs(bonuses=[bonus("财务部", "宣传报道·头版头条", qty=3, row=31)]))
    assert result.bonus_points[("财务部", 31)] == 6
    assert dept(result, "财务部").bonus_raw == 6


def test_R3_discretionary_needs_points_and_a_note():
    ok = bonus("女工部", "其他创新工作", disc=3, note="全省首创女职工驿站", row=30)
    no_note = bonus("女工部", "其他创新工作", disc=3, row=31)
    fixed_with_disc = bonus("女工部", "招商引资突出贡献", disc=2, row=32)
    unknown = bonus("女工部", "国家级表彰", row=33)
    result = compute(inputs(bonuses=[ok, no_note, fixed_with_disc, unknown]))
    assert dept(result, "女工部").bonus_raw == 3
    cells = sorted((e.cell, e.message) for e in errors(result))
    assert [c for c, _ in cells] == ["A33", "C32", "D31"]
    assert "须在说明中写明依据" in cells[2][1] and "不能填写酌定分值" in cells[1][1]


# R4 ---------------------------------------------------------------------------------------------
def test_R4_total_is_items_plus_capped_bonus_at_most_120():
    entries = [bonus("组宣部", "招商引资突出贡献", qty=5)]
    d = dept(compute(inputs(bonuses=entries)), "组宣部")
    assert (d.base, d.bonus_raw, d.bonus, d.total) == (100, 30, 20, 120)


# R5 ---------------------------------------------------------------------------------------------
def test_R5_latest_filled_stage_is_used():
    scores = all_scores()
    first = scores[0]
    scores[0] = ItemScore(first.department, first.number, (30, 25, 27, None), first.src)
    result = compute(inputs(scores=scores))
    d = dept(result, "办公室")
    assert d.base == 97 and d.stage == "调整" and not d.final


def test_R5_payouts_provisional_until_every_item_of_every_department_is_final():
    staff = leadership() + [person("甲", "办公室", row=6)]
    scores = all_scores(stage=3)
    assert compute(inputs(staff=staff, scores=scores)).people[0].status == "审定"
    scores = all_scores(stage=3)[:-1] + dept_scores(POLICY, "职工服务中心", "100", stage=1)[-1:]
    result = compute(inputs(staff=staff, scores=scores))
    assert not result.final and {p.status for p in result.people} == {"暂定"}
    assert dept(result, "职工服务中心").stage == "评议"


def test_R5_final_filled_but_earlier_stage_empty_is_a_warning():
    scores = all_scores()
    first = scores[0]
    scores[0] = ItemScore(first.department, first.number, (None, None, None, 30), first.src)
    result = compute(inputs(scores=scores))
    warns = [i for i in result.issues if i.level == "warning"]
    assert [(w.cell, "自评、评议为空" in w.message) for w in warns] == [("G5", True)]


# R6 is the sign-off sheet: see tests of the workbook/export layers.


# R7 ---------------------------------------------------------------------------------------------
def test_R7_sign_in_windows_are_policy_data():
    assert [str(POLICY.signin_am), str(POLICY.signout_am), str(POLICY.signin_pm), str(POLICY.signout_pm)] == [
        "09:15:00", "11:00:00", "15:00:00", "17:00:00"]
    assert all("第四条第1款" in POLICY.clause(k) for k in ("signin_am", "signout_pm"))


# R8 ---------------------------------------------------------------------------------------------
def test_R8_presumed_present_without_records():
    result = compute(inputs(staff=leadership() + [person("甲", "办公室", row=6)]))
    assert by_name(result, "甲").absent_half_days == 0 and by_name(result, "甲").allowance == 2000


def test_R8_events_on_non_working_days_do_not_count_and_make_up_days_do():
    staff = leadership() + [person("甲", "办公室", row=6)]
    holiday = event(dt.date(2018, 2, 16), "甲", "全天", "旷工", row=2)  # 春节
    makeup = event(dt.date(2018, 2, 11), "甲", "上午", "旷工", row=3)  # Sunday, 调休上班
    result = compute(inputs(staff=staff, events=[holiday, makeup]))
    assert by_name(result, "甲").absent_half_days == 1
    assert [(i.level, i.cell) for i in result.issues] == [("warning", "A2")]


# R9 ---------------------------------------------------------------------------------------------
def test_R9_full_day_is_two_half_days_and_duplicates_count_once():
    staff = leadership() + [person("甲", "办公室", row=6)]
    evs = [event(MON, "甲", "全天", "旷工", 2), event(MON, "甲", "上午", "旷工", 3)]
    result = compute(inputs(staff=staff, events=evs))
    assert by_name(result, "甲").absent_half_days == 2
    assert [(i.level, i.cell) for i in result.issues] == [("warning", "A3")]


def test_R9_late_early_missed_counted_not_deducted_by_default_switch_counts_them():
    staff = leadership() + [person("甲", "办公室", row=6)]
    evs = [event(MON, "甲", "上午", "迟到", 2), event(MON, "甲", "下午", "早退", 3),
           event(MON + dt.timedelta(days=1), "甲", "上午", "漏签", 4)]
    p = by_name(compute(inputs(staff=staff, events=evs)), "甲")
    assert (p.late, p.early, p.missed, p.absent_half_days, p.allowance) == (1, 1, 1, 0, 2000)
    assert "迟到1次、早退1次、漏签1次（不扣款" in p.explanation
    strict = with_params(late_as_absence="是")
    p = by_name(compute(inputs(strict, staff=staff, events=evs)), "甲")
    assert (p.absent_half_days, p.allowance) == (3, 1940)


def test_R9_half_day_leave_morning_and_absence_afternoon_counts_one_half_day():
    staff = leadership() + [person("甲", "财务部", row=6)]
    lv = leave("甲", MON, "上午", MON, "上午", "事假", "胡明")
    ev = event(MON, "甲", "下午", "旷工")
    result = compute(inputs(staff=staff, leaves=[lv], events=[ev]))
    assert not errors(result)
    assert by_name(result, "甲").absent_half_days == 1 and by_name(result, "甲").allowance == 1980


def test_R9_absence_inside_approved_leave_is_a_conflict_error():
    staff = leadership() + [person("甲", "财务部", row=6)]
    lv = leave("甲", MON, "全天", MON, "全天", "病假", "胡明常务".replace("常务", ""), row=2)
    lv = leave("甲", MON, "上午", MON, "下午", "病假", "胡明", row=2)
    ev = event(MON, "甲", "下午", "旷工", row=5)
    result = compute(inputs(staff=staff, leaves=[lv], events=[ev]))
    assert [(e.sheet, e.cell) for e in errors(result)] == [("考勤", "D5")]
    assert by_name(result, "甲").absent_half_days == 0


# R10 --------------------------------------------------------------------------------------------
FRI = dt.date(2018, 3, 16)
NEXT_MON = dt.date(2018, 3, 19)


@pytest.mark.parametrize("start,sp,end,ep,approver,ok", [
    (MON, "上午", MON, "上午", "李华", False),  # 李华 does not oversee 财务部
    (MON, "上午", MON, "上午", "胡明", True),  # 分管领导 for half a day
    (MON, "上午", MON, "下午", "胡明", True),  # one day: 常务副主席 (胡明 is both)
    (FRI, "下午", NEXT_MON, "上午", "胡明", True),  # Friday pm to Monday am = one day over a weekend
    (MON, "上午", MON + dt.timedelta(days=1), "上午", "胡明", False),  # 1.5 days: 主席
    (MON, "上午", MON + dt.timedelta(days=1), "上午", "吴建国", True),  # higher always suffices
    (MON, "上午", MON, "上午", "", False),  # nobody approved
])
def test_R10_leave_authority_by_length(start, sp, end, ep, approver, ok):
    staff = leadership() + [person("甲", "财务部", row=6)]
    result = compute(inputs(staff=staff, leaves=[leave("甲", start, sp, end, ep, "事假", approver)]))
    errs = errors(result)
    assert (not errs) == ok, errs
    if not ok:
        assert errs[0].cell == "G2" and "应由" in errs[0].message


def test_R10_vice_chair_approves_only_overseen_departments_half_day():
    staff = leadership() + [person("乙", "组宣部", row=6)]
    result = compute(inputs(staff=staff, leaves=[leave("乙", MON, "下午", MON, "下午", "事假", "李华")]))
    assert not errors(result)


def test_R10_leave_across_a_holiday_counts_only_working_half_days():
    # 2018-04-04 (Wed) .. 04-09 (Mon): 4/5-4/7 清明 holidays, 4/8 (Sun) is a 调休 working day
    # 4/4 afternoon .. 4/8 morning spans five calendar days but only two working half-days:
    # one day, so the 常务副主席 (胡明) suffices
    staff = leadership() + [person("甲", "财务部", row=6)]
    lv = leave("甲", dt.date(2018, 4, 4), "下午", dt.date(2018, 4, 8), "上午", "事假", "胡明")
    result = compute(inputs(staff=staff, leaves=[lv]))
    assert not errors(result)


def test_R10_leave_spanning_more_than_one_working_day_needs_the_chair():
    staff = leadership() + [person("甲", "财务部", row=6)]
    lv = leave("甲", dt.date(2018, 4, 4), "上午", dt.date(2018, 4, 8), "下午", "事假", "胡明")
    errs = errors(compute(inputs(staff=staff, leaves=[lv])))
    # 4/4 and 4/8 are working days: 4 half-days = two days, so the chair must approve
    assert [e.cell for e in errs] == ["G2"] and "应由主席批准" in errs[0].message


def test_R10_chair_needs_no_approver_and_vice_chair_needs_someone_above():
    staff = leadership()
    chair = leave("吴建国", MON, "上午", MON, "上午", "事假", "", row=2)
    vice = leave("李华", MON, "上午", MON, "上午", "事假", "李华", row=3)
    errs = errors(compute(inputs(staff=staff, leaves=[chair, vice])))
    assert [e.cell for e in errs] == ["G3"] and "常务副主席" in errs[0].message


def test_R10_switch_counts_wrongly_approved_leave_as_absence():
    staff = leadership() + [person("甲", "财务部", row=6)]
    lv = leave("甲", MON, "上午", MON, "下午", "事假", "李华")
    strict = with_params(wrong_approver="计旷工")
    result = compute(inputs(strict, staff=staff, leaves=[lv]))
    assert not errors(result)
    p = by_name(result, "甲")
    assert (p.absent_half_days, p.allowance) == (2, 1960) and "请假未获批准1天（2个半天）" in p.explanation


def test_R10_overlapping_leaves_and_end_before_start_are_errors():
    staff = leadership() + [person("甲", "财务部", row=6)]
    a = leave("甲", MON, "上午", MON, "下午", "事假", "胡明", row=2)
    b = leave("甲", MON, "下午", MON, "下午", "病假", "胡明", row=3)
    c = leave("甲", MON, "下午", MON, "上午", "病假", "胡明", row=4)
    errs = errors(compute(inputs(staff=staff, leaves=[a, b, c])))
    assert [(e.cell, k in e.message) for e, k in zip(errs, ("重叠", "早于"))] == [("B3", True), ("D4", True)]


# R11 --------------------------------------------------------------------------------------------
def test_R11_official_business_needs_no_approval_and_counts_present():
    staff = leadership() + [person("甲", "财务部", row=6)]
    lv = leave("甲", MON, "上午", MON + dt.timedelta(days=4), "下午", "公务外出", "")
    result = compute(inputs(staff=staff, leaves=[lv]))
    assert not errors(result) and by_name(result, "甲").allowance == 2000


# R12 / R13 --------------------------------------------------------------------------------------
@pytest.mark.parametrize("n,amount", [(0, 2000), (1, 1980), (2, 1960), (3, 1940), (29, 1420), (100, 0), (101, 0)])
def test_R12_allowance(n, amount):
    assert allowance(POLICY, n).value == amount


def test_R12_explanation_shows_the_arithmetic():
    assert allowance(POLICY, 3).text == "旷工1.5天（3个半天）：2000 − 3×20 = 1940（第五条第1款）"


def test_R13_boundary_29_vs_30_half_days():
    assert not forfeits(POLICY, 29) and forfeits(POLICY, 30)
    staff = leadership() + [person("甲", "办公室", row=6), person("乙", "办公室", row=7)]
    days = workdays(MON, 15)
    evs = [event(d, "甲", "全天", "旷工", row=2 + i) for i, d in enumerate(days)]
    evs += [event(d, "乙", "全天", "旷工", row=40 + i) for i, d in enumerate(days[:14])]
    evs.append(event(days[14], "乙", "上午", "旷工", row=60))
    result = compute(inputs(staff=staff, events=evs))
    a, b = by_name(result, "甲"), by_name(result, "乙")
    assert (a.absent_half_days, a.forfeited, a.allowance, a.bonus, a.total) == (30, True, 0, 0, 0)
    assert (b.absent_half_days, b.forfeited, b.allowance, b.bonus, b.total) == (29, False, 1420, 4000, 5420)


# R14 --------------------------------------------------------------------------------------------
R14_TABLE = [  # RULES.md R14, verbatim
    ("100", 0, 4000), ("120", 0, 4000), ("99.99", 1, 3800), ("95", 1, 3800), ("94.99", 2, 3600),
    ("90", 2, 3600), ("80", 4, 3200), ("0", 20, 0),
]


@pytest.mark.parametrize("score,tiers,amount", R14_TABLE)
def test_R14_table(score, tiers, amount):
    got_tiers, got = bonus_amount(POLICY, D(score))
    assert (got_tiers, got.value) == (tiers, amount)
    assert tiers_for(POLICY, D(score)) == tiers


@pytest.mark.parametrize("score,tiers", [("99.99", 0), ("95", 1), ("94.99", 1), ("90", 2), ("0", 20)])
def test_R14_floor_switch(score, tiers):
    assert tiers_for(with_params(tier_rounding="不计"), D(score)) == tiers


# R15 / R16 --------------------------------------------------------------------------------------
def test_R15_staff_take_their_department_total():
    staff = leadership() + [person("甲", "保障部", "部门负责人", row=6), person("乙", "保障部", row=7)]
    result = compute(inputs(staff=staff, scores=all_scores(bases={"保障部": "89"})))
    assert {by_name(result, n).linked_score for n in "甲乙"} == {D(89)}
    # 89: 11 short, 2.2 tiers -> 3 tiers (partial tier counts whole) -> 4000 - 600
    assert {by_name(result, n).bonus for n in "甲乙"} == {D(3400)}


BASES = {"办公室": "100", "财务部": "100", "组宣部": "100", "女工部": "80", "保障部": "100", "职工服务中心": "80"}
OVERSEEN = {"胡明": "办公室、财务部", "李华": "组宣部、保障部", "周强": "女工部、职工服务中心"}


def test_R16_chair_follows_average_of_all():
    result = compute(inputs(staff=leadership(), scores=all_scores(bases=BASES)))
    chair = by_name(result, "吴建国")  # avg (4×100 + 2×80)/6 = 93.33 -> 2 tiers
    assert chair.bonus == 3600 and "主席挂钩全部部门平均分93.33" in chair.explanation


def test_R16_split_vs_blend_differ_on_the_same_data():
    staff = leadership(OVERSEEN)
    split = by_name(compute(inputs(staff=staff, scores=all_scores(bases=BASES))), "周强")
    # split: 0.3×B(93.33)=0.3×3600=1080; 0.7×B(80)=0.7×3200=2240; 3320
    assert split.bonus == D("3320.00")
    blend = by_name(compute(inputs(with_params(leader_link="按分数"), staff=staff, scores=all_scores(bases=BASES))), "周强")
    # blend: 0.3×93.333.. + 0.7×80 = 84 -> 16 short -> 4 tiers -> 3200
    assert blend.bonus == D("3200.00")
    assert split.bonus != blend.bonus


def test_R16_the_result_carries_the_averages_each_leader_is_linked_to_in_both_link_modes():
    """汇总's tblAverages and the 报送版's block show these numbers: the engine's, whichever way the bonus follows."""
    staff = leadership(OVERSEEN)
    for params in ({}, {"leader_link": "按分数"}):
        result = compute(inputs(with_params(**params), staff=staff, scores=all_scores(bases=BASES)))
        assert result.average_all == D(560) / 6  # (4×100 + 2×80)/6
        assert by_name(result, "吴建国").averages == (result.average_all,)
        assert by_name(result, "胡明").averages == (result.average_all, D(100))
        assert by_name(result, "周强").averages == (result.average_all, D(80))  # 女工部 80, 职工服务中心 80
        assert not [p.averages for p in result.people if p.role not in ("主席", "常务副主席", "副主席")]
    blended = by_name(compute(inputs(with_params(leader_link="按分数"), staff=staff,
                                     scores=all_scores(bases=BASES))), "周强")
    assert blended.linked_scores == (D("0.3") * D(560) / 6 + D("0.7") * 80,)  # the bonus's own score, not the averages


def test_R16_leader_without_overseen_department_is_an_error():
    staff = leadership() + [person("钱", "领导班子", "副主席", "", row=9)]
    errs = errors(compute(inputs(staff=staff)))
    assert [(e.sheet, e.cell) for e in errs] == [("人员", "D9")] and "须填写分管部门" in errs[0].message


def test_R16_overseen_naming_unknown_department_is_an_error():
    staff = leadership({"胡明": "办公室、宣传部"})
    errs = errors(compute(inputs(staff=staff)))
    assert [(e.cell, "宣传部" in e.message) for e in errs] == [("D3", True)]


# R17 --------------------------------------------------------------------------------------------
def test_R17_ties_share_a_rank():
    assert rank([D(100), D(95), D(100), D(90)]) == [1, 3, 1, 4]
    result = compute(inputs(scores=all_scores(bases={"财务部": "95", "女工部": "95"})))
    assert [d.rank for d in result.departments] == [1, 5, 1, 5, 1, 1]


# R18 --------------------------------------------------------------------------------------------
def test_R18_every_row_explains_itself_with_clauses():
    staff = leadership() + [person("甲", "办公室", row=6)]
    evs = [event(MON, "甲", "全天", "旷工", 2), event(MON + dt.timedelta(days=1), "甲", "上午", "旷工", 3)]
    result = compute(inputs(staff=staff, events=evs))
    p = by_name(result, "甲")
    assert "旷工1.5天（3个半天）：2000 − 3×20 = 1940（第五条第1款）" in p.explanation
    assert "第五条第2款" in p.explanation and p.explanation.endswith("合计 = 1940 + 4000 = 5940")


# Roster -----------------------------------------------------------------------------------------
def test_roster_duplicates_unknown_department_and_empty():
    staff = leadership() + [person("甲", "办公室", row=6), person("甲", "财务部", row=7), person("丙", "宣传部", row=8)]
    errs = errors(compute(inputs(staff=staff)))
    assert [e.cell for e in errs] == ["A7", "B8"]
    errs = errors(compute(inputs(staff=[])))
    assert [(e.sheet, "还没有任何人" in e.message) for e in errs] == [("人员", True)]


def test_unknown_person_and_approver_are_errors():
    staff = leadership() + [person("甲", "财务部", row=6)]
    result = compute(inputs(staff=staff, events=[event(MON, "查无此人", "上午", "旷工", 2)],
                            leaves=[leave("甲", MON, "上午", MON, "上午", "事假", "王五", row=3)]))
    assert [(e.sheet, e.cell) for e in errors(result)] == [("请假", "G3"), ("考勤", "B2")]


def test_dates_outside_year_and_text_dates():
    staff = leadership() + [person("甲", "财务部", row=6)]
    evs = [event(dt.date(2019, 1, 2), "甲", "上午", "旷工", 2), event("2018/3/12", "甲", "上午", "旷工", 3),
           event("三月十二日", "甲", "下午", "旷工", 4)]
    result = compute(inputs(staff=staff, events=evs))
    assert [(i.level, i.cell) for i in result.issues] == [("error", "A2"), ("warning", "A3"), ("error", "A4")]
    assert by_name(result, "甲").absent_half_days == 1


def test_source_default_is_harmless():
    assert Source().cell("x") == ""
    assert isinstance(Decimal(1), Decimal)


def test_R5_unscored_department_is_one_warning():
    scores = [s for s in all_scores() if s.department != "女工部"]
    warns = [i for i in compute(inputs(scores=scores)).issues if i.level == "warning"]
    assert [w.message for w in warns] == ["女工部尚未评分，暂按0分计（第三条）"]


@pytest.mark.parametrize(("score", "shown", "gap"), [
    ("91.995", "得分91.995", "差8.005分"),  # the average of 89 and 94.99: not 92 and 8.01, which do not add up
    ("97", "得分97", "差3分"),
    ("99.9966666666666666666666667", "得分约99.9967", "差约0.0033分"),  # never 100 and 0 (then 1 tier)
    ("95.5", "得分95.5", "差4.5分"),
])
def test_R14_the_explanation_shows_a_score_and_its_gap_that_add_up(score, shown, gap):
    from xl_appraisal.engine import messages as msg

    text = msg.bonus_tiers(POLICY, Decimal(score), 1, True)
    assert f"{shown}，{gap}" in text
