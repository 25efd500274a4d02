"""The workbook's data contract (shared/WORKBOOK.md v1): sheet names, table names, headers, ownership.

Headers listed here are the contract's, in order; a table may carry more columns after them.
"""

from __future__ import annotations

from dataclasses import dataclass

# Department sheets, names and codes (tblItems_<code>) come from the policy: Policy.departments.


@dataclass(frozen=True)
class Table:
    sheet: str
    name: str
    headers: tuple[str, ...]
    computed: tuple[str, ...] = ()  # columns the engine writes; the rest are input
    extra: tuple[str, ...] = ()  # columns this tool adds after the contract's (allowed by WORKBOOK.md)

    @property
    def all_headers(self) -> tuple[str, ...]:
        return self.headers + self.extra


STAFF = Table("人员", "tblStaff", ("姓名", "部门", "职务", "分管部门", "备注"))
ATTENDANCE = Table("考勤", "tblAttendance", ("日期", "姓名", "时段", "情况", "备注"))
LEAVE = Table("请假", "tblLeave", ("姓名", "开始日期", "开始时段", "结束日期", "结束时段", "类型", "审批人", "备注"))
CALENDAR = Table("日历", "tblCalendar", ("日期", "工作日", "说明"))
POLICY = Table("参数", "tblPolicy", ("参数", "值", "说明"), extra=("键",))
BONUS_KINDS = Table("参数", "tblBonusKinds", ("加分项目", "单项分值", "依据"))
SUMMARY_LINE = "全额奖金线"  # the total from which the bonus is paid in full: the chart's line
SUMMARY = Table(
    "汇总", "tblSummary", ("部门", "基础得分", "加分合计", "计入加分", "总分", "档次", "排名", "阶段"),
    computed=("部门", "基础得分", "加分合计", "计入加分", "总分", "档次", "排名", "阶段", SUMMARY_LINE),
    extra=(SUMMARY_LINE,),
)
PAYOUTS = Table(
    "发放", "tblPayouts",
    ("姓名", "部门", "职务", "挂钩得分", "旷工天数", "考勤津贴", "目标管理奖金", "合计", "状态", "计算依据"),
    computed=("姓名", "部门", "职务", "挂钩得分", "旷工天数", "考勤津贴", "目标管理奖金", "合计", "状态", "计算依据"),
)
# 汇总's second table, under the chart: the averages the leaders' bonuses are linked to (R16). Optional: workbooks
# made before it lack it (recalc then writes it nowhere; 发放's 计算依据 states the same averages).
AVERAGES = Table("汇总", "tblAverages", ("对象", "职务", "全部部门平均分", "分管部门平均分", "分管部门"),
                 computed=("对象", "职务", "全部部门平均分", "分管部门平均分", "分管部门"))
ISSUES = Table("校验", "tblIssues", ("级别", "工作表", "单元格", "说明"), computed=("级别", "工作表", "单元格", "说明"))
STAGE_HEADERS = ("自评", "评议", "调整", "审定")
# 变更记录 (issue 16): the log people read, and the snapshot it is computed against (a very hidden sheet).
CHANGES = Table("变更记录", "tblChanges", ("时间", "修改人", "工作表", "单元格", "项目", "原值", "新值", "来源"),
                computed=("时间", "修改人", "工作表", "单元格", "项目", "原值", "新值", "来源"), extra=("备注",))
SNAPSHOT_SHEET = "变更快照"
SNAPSHOT = Table(SNAPSHOT_SHEET, "tblSnapshot", ("序号", "内容"), computed=("序号", "内容"))
SNAPSHOT_PROP = "xl-appraisal-snapshot"  # custom document property: SHA-256 of the snapshot's text


def items_table(sheet: str, code: str) -> Table:
    return Table(sheet, f"tblItems_{code}", ("编号", "考核内容", "分值", *STAGE_HEADERS, "说明"))


def bonus_table(sheet: str, code: str) -> Table:
    return Table(sheet, f"tblBonus_{code}", ("加分项目", "数量", "酌定分值", "说明", "计分"), computed=("计分",))


BONUS_INPUTS = ("加分项目", "数量", "酌定分值", "说明")  # the columns of tblBonus_<code> people fill
PAYOUT_TEXT_WIDTHS = (10, 12, 11)  # 发放's 姓名, 部门, 职务: wrapped too, so a long name sizes its row
EXPLAIN_WIDTH = 64  # width of 发放's 计算依据 column: row heights of wrapped text are sized from it
ISSUE_WIDTH = 80  # width of 校验's 说明 column

INPUT_TABLES = (STAFF, ATTENDANCE, LEAVE, CALENDAR, POLICY, BONUS_KINDS)
COMPUTED_TABLES = (SUMMARY, PAYOUTS, ISSUES)
TRACKING_TABLES = (CHANGES, SNAPSHOT)  # optional: workbooks made before 变更记录 lack them

# The workbook's identity (a custom document property set by `new`, or by `split` on an older book);
# handouts carry it with the year (xl_appraisal.handout)
BOOK_ID_PROP = "xl-appraisal-book-id"


def new_book_id() -> str:
    """A fresh value for BOOK_ID_PROP: `new`, `split` on an older book and the ribbon's 分发自评表 all make it here."""
    import uuid

    return uuid.uuid4().hex

# Meta rows of tblPolicy: not rules, but what the workbook is.
META_KEYS = {"year": "考核年度", "policy_id": "规则编号", "policy_title": "规则名称"}
# Clause rows of tblPolicy (the policy's [[clauses]]): 键 = CLAUSE_PREFIX + key, 值 = the clause text.
CLAUSE_PREFIX = "clause:"
CLAUSE_NOTE = "条款引用（用于提示和计算依据）"

# 汇总 below tblSummary (shared by the builder and the 报送版): the chart of department totals, then the
# averages the bonuses are linked to (tblAverages in the workbook, under its title row).
AVERAGE_SLOTS = 9  # pre-styled rows of the 报送版's averages block (all departments + leaders)
AVERAGE_ROWS = 5  # rows tblAverages has in a new workbook (all departments + a usual leadership); recalc resizes it
# widths of tblAverages' columns (汇总's A..E, as tblSummary has them): its wrapped rows are sized from them
AVERAGE_WIDTHS = (16, 10, 10, 10, 10)
CHART_ROWS = 17  # rows the chart takes


def summary_layout(departments: int, header_row: int = 4) -> tuple[int, int]:
    """(first row of the chart, first row of the averages block: its title, the table's header below) on 汇总."""
    chart = header_row + 1 + departments + 1
    return chart, chart + CHART_ROWS + 1
