"""One whole year of a realistic union, every amount worked out by hand below (not copied from output)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from builders import POLICY, all_scores, bonus, event, inputs, leadership, leave, person, workdays

from xl_appraisal.engine.run import compute

D = Decimal

# Department totals (R4):
#   办公室       base 96    + bonus 4+2 = 6            -> 102
#   财务部       base 92    + 0                         -> 92
#   组宣部       base 98    + raw 6+6+6+4+4 = 26 -> 20  -> 118
#   女工部       base 100   + 0                         -> 100
#   保障部       base 85    + 4                         -> 89
#   职工服务中心 base 94.99 + 0                         -> 94.99
# avg of all = 595.99 / 6 = 99.3316..  -> 0.668 short -> 1 tier -> 3800
BASES = {"办公室": "96", "财务部": "92", "组宣部": "98", "女工部": "100", "保障部": "85", "职工服务中心": "94.99"}
BONUSES = [
    bonus("办公室", "部门工作获表彰·省总", row=30), bonus("办公室", "宣传报道·头版头条", row=31),
    bonus("组宣部", "招商引资突出贡献", qty=3, row=30), bonus("组宣部", "宣传报道·综合性报刊", row=31),
    bonus("组宣部", "其他创新工作", disc=4, note="全市首创“互联网+工会”服务平台", row=32),
    bonus("保障部", "部门成员获表彰·省总", row=30), bonus("保障部", "宣传报道·其他版面", row=31),
]
MAR = dt.date(2018, 3, 5)


def year():
    staff = leadership() + [
        person("张敏", "办公室", "部门负责人", row=6), person("刘洋", "办公室", row=7),
        person("陈静", "财务部", "部门负责人", row=8), person("杨帆", "组宣部", row=9),
        person("赵丽", "女工部", row=10), person("黄磊", "保障部", row=11),
        person("孙悦", "职工服务中心", row=12),
    ]
    days = workdays(MAR, 16)
    events = [
        event(days[0], "刘洋", "全天", "旷工", 2), event(days[1], "刘洋", "上午", "旷工", 3),  # 3 half-days
        event(days[2], "陈静", "下午", "旷工", 4),  # the morning is a leave, below
        event(days[3], "孙悦", "上午", "迟到", 5), event(days[4], "孙悦", "上午", "迟到", 6),
    ]
    # 黄磊: 15 whole days -> 30 half-days -> forfeits everything (R13)
    events += [event(d, "黄磊", "全天", "旷工", 10 + i) for i, d in enumerate(days[:15])]
    # 赵丽: 14 days and a half -> 29 half-days -> 2000 - 29×20 = 1420, keeps the bonus
    events += [event(d, "赵丽", "全天", "旷工", 30 + i) for i, d in enumerate(days[:14])]
    events.append(event(days[14], "赵丽", "上午", "旷工", 50))
    leaves = [
        leave("陈静", days[2], "上午", days[2], "上午", "事假", "胡明", row=2),  # 分管领导, half a day
        leave("杨帆", days[5], "上午", days[7], "下午", "病假", "吴建国", row=3),  # 3 days, the chair
        leave("张敏", days[8], "上午", days[9], "下午", "公务外出", "", row=4),  # official business
    ]
    return inputs(staff=staff, scores=all_scores(bases=BASES), bonuses=BONUSES, events=events, leaves=leaves)


def test_whole_year_departments():
    r = compute(year())
    assert not [i for i in r.issues if i.level == "error"], r.issues
    got = {d.name: (d.base, d.bonus_raw, d.bonus, d.total, d.tiers, d.rank) for d in r.departments}
    assert got == {
        "办公室": (96, 6, 6, 102, 0, 2),
        "财务部": (92, 0, 0, 92, 2, 5),  # 8 short -> 1.6 -> 2 tiers
        "组宣部": (98, 26, 20, 118, 0, 1),
        "女工部": (100, 0, 0, 100, 0, 3),
        "保障部": (85, 4, 4, 89, 3, 6),  # 11 short -> 3 tiers; lowest total
        "职工服务中心": (D("94.99"), 0, 0, D("94.99"), 2, 4),  # 5.01 short -> 2 tiers
    }
    assert r.final  # every item 审定, no errors


def test_whole_year_payouts():
    r = compute(year())
    got = {p.name: (p.absent_half_days, p.allowance, p.bonus, p.total, p.forfeited) for p in r.people}
    assert got == {
        "吴建国": (0, 2000, 3800, 5800, False),  # avg 99.33 -> 1 tier
        # 胡明 oversees 办公室 102, 财务部 92 -> 97 -> 3800; 0.3×3800 + 0.7×3800 = 3800
        "胡明": (0, 2000, 3800, 5800, False),
        # 李华: 组宣部 118, 女工部 100 -> 109 -> 4000; 0.3×3800 + 0.7×4000 = 1140 + 2800 = 3940
        "李华": (0, 2000, 3940, 5940, False),
        # 周强: 保障部 89, 服务中心 94.99 -> 91.995 -> 8.005 short -> 2 tiers -> 3600;
        #        0.3×3800 + 0.7×3600 = 1140 + 2520 = 3660
        "周强": (0, 2000, 3660, 5660, False),
        "张敏": (0, 2000, 4000, 6000, False),  # 公务外出 counts present
        "刘洋": (3, 1940, 4000, 5940, False),  # 2000 - 3×20
        "陈静": (1, 1980, 3600, 5580, False),  # leave am + absent pm = 1 half-day
        "杨帆": (0, 2000, 4000, 6000, False),  # 3-day sick leave approved by the chair
        "赵丽": (29, 1420, 4000, 5420, False),
        "黄磊": (30, 0, 0, 0, True),
        "孙悦": (0, 2000, 3600, 5600, False),  # late twice: counted, not deducted
    }
    sun = next(p for p in r.people if p.name == "孙悦")
    assert sun.late == 2 and "迟到2次（不扣款" in sun.explanation
    assert sum(p.total for p in r.people) == 57740
    assert POLICY.id == r.policy_id
