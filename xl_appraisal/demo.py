"""A filled example year under the 2018 rules (fictional people), for `xl-appraisal demo`.

The numbers are those of tests/test_whole_year.py, except that 职工服务中心 is still at 评议, so the
demo shows provisional (暂定) payouts.
"""

from __future__ import annotations

import datetime as dt

from xl_appraisal.calendar import YearCalendar
from xl_appraisal.policy import Policy
from xl_appraisal.workbook.build import BookData

STAFF = [
    ["吴建国", "领导班子", "主席", "", ""],
    ["胡明", "领导班子", "常务副主席", "办公室、财务部", ""],
    ["李华", "领导班子", "副主席", "组宣部、女工部", ""],
    ["周强", "领导班子", "副主席", "保障部、职工服务中心", ""],
    ["张敏", "办公室", "部门负责人", "", ""],
    ["刘洋", "办公室", "工作人员", "", ""],
    ["陈静", "财务部", "部门负责人", "", ""],
    ["杨帆", "组宣部", "工作人员", "", ""],
    ["赵丽", "女工部", "工作人员", "", ""],
    ["黄磊", "保障部", "工作人员", "", ""],
    ["孙悦", "职工服务中心", "工作人员", "", ""],
]
BASES = {"办公室": 96, "财务部": 92, "组宣部": 98, "女工部": 100, "保障部": 85, "职工服务中心": 94.99}
BONUSES = {
    "办公室": [["部门工作获表彰·省总", 1, None, "县总工会办公室获省总“先进集体”"], ["宣传报道·头版头条", 1, None, "《九江日报》头版头条"]],
    "组宣部": [["招商引资突出贡献", 3, None, "引进项目三个"], ["宣传报道·综合性报刊", 1, None, "《工人日报》"],
               ["其他创新工作", 1, 4, "全市首创“互联网+工会”服务平台"]],
    "保障部": [["部门成员获表彰·省总", 1, None, "省五一劳动奖章"], ["宣传报道·其他版面", 1, None, "《江西工人报》"]],
}


def _scores(policy: Policy, name: str, base: float, stage: int) -> dict[str, list]:
    dept = policy.department(name)
    assert dept is not None, name  # the demo's own department names
    short = round(100 - base, 2)
    out = {}
    for i, item in enumerate(dept.items):
        value = float(item.max_points) - (short if i == 0 else 0)
        value = round(value, 2)
        selfscore = float(item.max_points)  # departments score themselves generously
        stages: list[str | float | None] = [selfscore, value, None, value if stage == 3 else None]
        out[item.number] = stages + ["评议扣分：见考核办意见" if i == 0 and short else None]
    return out


def demo_data(policy: Policy, cal: YearCalendar) -> BookData:
    work = [d.date for d in cal.days if d.workday and d.date >= dt.date(cal.year, 3, 5)]
    att: list[list] = [
        [work[0], "刘洋", "全天", "旷工", "未请假"], [work[1], "刘洋", "上午", "旷工", ""],
        [work[2], "陈静", "下午", "旷工", "上午已请假"],
        [work[3], "孙悦", "上午", "迟到", "09:40 签到"], [work[4], "孙悦", "上午", "迟到", "09:25 签到"],
    ]
    att += [[d, "黄磊", "全天", "旷工", "长期未到岗"] for d in work[20:35]]
    att += [[d, "赵丽", "全天", "旷工", ""] for d in work[40:54]] + [[work[54], "赵丽", "上午", "旷工", ""]]
    leave = [
        ["陈静", work[2], "上午", work[2], "上午", "事假", "胡明", "家中有事"],
        ["杨帆", work[5], "上午", work[7], "下午", "病假", "吴建国", "住院"],
        ["张敏", work[8], "上午", work[9], "下午", "公务外出", "", "赴市总开会"],
    ]
    scores = {d.name: _scores(policy, d.name, BASES[d.name], 1 if d.name == "职工服务中心" else 3)
              for d in policy.departments}
    return BookData(staff=STAFF, attendance=att, leave=leave, scores=scores, bonuses=BONUSES)
