"""Build the year's workbook from the policy (XlsxWriter style: one builder per sheet, one flat list).

`build_workbook()` returns an openpyxl Workbook; `package()` turns it into deterministic .xlsm bytes
(content type, fixed timestamps, VBA project and ribbon from macros/ — see xl_appraisal.workbook.package).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.chart.label import DataLabelList
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.workbook.properties import CalcProperties
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.table import Table as XlTable
from openpyxl.worksheet.table import TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from xl_appraisal.calendar import CHECK_BY_HAND, YearCalendar
from xl_appraisal.engine.messages import percent, span
from xl_appraisal.engine.model import EVENT_KINDS, LEADERSHIP, LEAVE_KINDS, PERIODS, PROVISIONAL, ROLES
from xl_appraisal.engine.values import Uncomputed, fmt
from xl_appraisal.measure import row_height, text_height
from xl_appraisal.policy import (
    AMOUNTS,
    HALF_DAY_COUNTS,
    ITEM_TOTAL,
    POSITIVE_NUMBERS,
    SHARES,
    SWITCHES,
    LeaderLink,
    Policy,
    short_clause,
)
from xl_appraisal.workbook import contract as c

TITLE_ROW, HINT_ROW, HEADER_ROW = 1, 2, 4
FIRST_ROW = HEADER_ROW + 1
INPUT_ROWS = 2000  # rows below a growing input table that carry validation
BONUS_ROWS = 10  # pre-sized rows of each department's bonus table (the sheet is protected)

FONT = "等线"
HINT_SIZE = 11  # the hint under each title: 9 pt or more once a department sheet is scaled to the page
PAGE_SIDE = 0.4  # inches, left and right
PAGE_TOP = 0.75  # inches, top and bottom: the header and footer sit at PAGE_HEADER, well clear of the body
PAGE_HEADER = 0.3
WIDEST_UNIT = 7.4  # points a column-width unit takes in LibreOffice with fallback fonts, padding included (measured)
NO_PRINT = "$AZ$1"  # an empty cell far right: a sheet whose print area it is prints no page
THIN = Side(style="thin", color="B7C3D0")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_FILL = PatternFill("solid", fgColor="1F5C7A")
INPUT_FILL = PatternFill("solid", fgColor="FFF6D5")  # pale yellow: people type here
COMPUTED_FILL = PatternFill("solid", fgColor="E8F0F7")  # pale blue: the program writes here
FIXED_FILL = PatternFill("solid", fgColor="F4F4F4")  # grey: from the rules, read-only
WRAP = Alignment(wrap_text=True, vertical="center")
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
MONEY = "#,##0.00"
SCORE = "0.00"
DATE = "yyyy-mm-dd"

STAFF_LIST = "lstStaff"
BONUS_KIND_LIST = "lstBonusKinds"


@dataclass
class Column:
    header: str
    width: float
    kind: str = "input"  # input | computed | fixed
    fmt: str | None = None
    align: Alignment = field(default_factory=lambda: WRAP)


@dataclass
class BookData:
    """Rows to place in the input tables at build time (the demo and test fixtures use it)."""

    staff: list[list] = field(default_factory=list)
    attendance: list[list] = field(default_factory=list)
    leave: list[list] = field(default_factory=list)
    scores: dict[str, dict[str, list]] = field(default_factory=dict)  # dept -> 编号 -> [自评, 评议, 调整, 审定, 说明]
    bonuses: dict[str, list[list]] = field(default_factory=dict)  # dept -> [加分项目, 数量, 酌定分值, 说明]


def _fill_for(kind: str) -> PatternFill:
    return {"input": INPUT_FILL, "computed": COMPUTED_FILL, "fixed": FIXED_FILL}[kind]


def put(ws: Worksheet, row: int, col: int, value: object, **style) -> Cell:
    """A value, never a formula: text that starts with = stays text (formula injection), wherever it
    came from (a person's 说明 copied into a handout, a name in the 报送版)."""
    if isinstance(value, Decimal):
        value = float(value)
    if isinstance(value, Uncomputed):
        value = str(value)  # a formula nobody calculated, shown as its text (the checks call it an error)
    cell = ws.cell(row, col, value)
    if isinstance(value, str):
        cell.data_type = "s"
    for key, val in style.items():
        setattr(cell, key, val)
    return cell


def add_title(ws: Worksheet, title: str, hint: str, width_cols: int) -> None:
    ws.sheet_view.showGridLines = False
    ws.cell(TITLE_ROW, 1, title).font = Font(name=FONT, size=16, bold=True, color="1F5C7A")
    ws.row_dimensions[TITLE_ROW].height = 28
    cell = ws.cell(HINT_ROW, 1, hint)
    cell.font = Font(name=FONT, size=HINT_SIZE, color="555555")
    cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.merge_cells(start_row=HINT_ROW, start_column=1, end_row=HINT_ROW, end_column=max(width_cols, 1))
    ws.row_dimensions[HINT_ROW].height = 32


def fit_hint(ws: Worksheet) -> None:
    """The hint row (merged across the table) tall enough for its text, now that the columns have widths."""
    hint = ws.cell(HINT_ROW, 1).value
    merged = next((m for m in ws.merged_cells.ranges if m.min_row == HINT_ROW and m.min_col == 1), None)
    if not hint or merged is None:
        return
    width = sum(ws.column_dimensions[get_column_letter(k)].width or 8.43 for k in range(1, merged.max_col + 1))
    ws.row_dimensions[HINT_ROW].height = text_height(hint, width, size=HINT_SIZE)


def print_setup(ws: Worksheet, landscape: bool, header_row: int = HEADER_ROW) -> None:
    """A4, fitted to the page width, the table's header repeated on every page, the sheet's name in the
    header and the page number in the footer, each with room to spare between it and the body."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.oddFooter.center.text = "第 &P 页 共 &N 页"
    ws.oddFooter.center.size = 9
    ws.oddHeader.right.text = "&A"
    ws.oddHeader.right.size = 9
    ws.page_margins.left = ws.page_margins.right = PAGE_SIDE
    ws.page_margins.top = ws.page_margins.bottom = PAGE_TOP
    ws.page_margins.header = ws.page_margins.footer = PAGE_HEADER
    ws.print_options.horizontalCentered = True
    fit_hint(ws)


def fixed_scale(ws: Worksheet, width_units: float) -> None:
    """Print at a fixed scale that fits `width_units` of columns across the page in the widest rendering we
    know (LibreOffice without the Office fonts: WIDEST_UNIT points a unit). Used where a sheet has two print
    ranges side by side (items, then bonus): fit-to-width would shrink the page to both ranges at once."""
    paper = 11.69 if ws.page_setup.orientation == "landscape" else 8.27
    printable = (paper - 2 * PAGE_SIDE) * 72
    ws.sheet_properties.pageSetUpPr.fitToPage = False
    ws.page_setup.scale = min(100, int(printable * 100 / (width_units * WIDEST_UNIT)))


def leave_out_of_print(ws: Worksheet) -> None:
    """A reference sheet (日历, 参数, …) is left out when the whole workbook is printed: its print area is
    one empty cell, which LibreOffice and Excel skip. Printing it on purpose: clear the print area."""
    ws.print_area = NO_PRINT


def wrap_heights(ws: Worksheet, first: int, last: int, widths: dict[int, float], size: float = 11,
                 minimum: float = 0.0) -> None:
    """Size rows `first`..`last` by their wrapped cells (column -> width), with the one measure; a row that
    another table beside this one has made taller stays so."""
    for r in range(first, last + 1):
        cells = [(ws.cell(r, col).value, width, size) for col, width in widths.items()]
        before = ws.row_dimensions[r].height or 0
        ws.row_dimensions[r].height = max(before, row_height([(t, w, s) for t, w, s in cells if t not in (None, "")],
                                                             minimum))


def add_table(ws: Worksheet, table: c.Table, columns: list[Column], rows: list[list], top: int = HEADER_ROW,
           left: int = 1, min_rows: int = 1) -> XlTable:
    """Header + rows styled by column kind, as an Excel Table named per the contract."""
    assert [col.header for col in columns] == list(table.all_headers), table.name
    for j, col in enumerate(columns):
        cell = ws.cell(top, left + j, col.header)
        cell.font = Font(name=FONT, bold=True, color="FFFFFF")
        cell.fill = HEADER_FILL
        cell.alignment = CENTER
        cell.border = BORDER
        letter = get_column_letter(left + j)
        # a column no table has sized yet takes this one's width (openpyxl reports 13 for an unset column,
        # which would keep every narrower column at 13); a column two tables share takes the wider
        if letter not in ws.column_dimensions or (ws.column_dimensions[letter].width or 0) < col.width:
            ws.column_dimensions[letter].width = col.width
    n = max(len(rows), min_rows)
    for i in range(n):
        values = rows[i] if i < len(rows) else []
        for j, col in enumerate(columns):
            value = values[j] if j < len(values) else None
            cell = put(ws, top + 1 + i, left + j, value)
            cell.font = Font(name=FONT)
            cell.fill = _fill_for(col.kind)
            cell.border = BORDER
            cell.alignment = col.align
            cell.protection = Protection(locked=col.kind != "input")
            if col.fmt:
                cell.number_format = col.fmt
    ref = f"{get_column_letter(left)}{top}:{get_column_letter(left + len(columns) - 1)}{top + n}"
    xl = XlTable(displayName=table.name, ref=ref)
    xl.tableStyleInfo = TableStyleInfo(name="TableStyleLight1", showRowStripes=False, showColumnStripes=False)
    ws.add_table(xl)
    return xl


def add_validation(ws: Worksheet, rng: str, *, kind: str, formula1: str | None = None, formula2: str | None = None,
              operator: str | None = None, title: str = "", error: str = "", prompt: str = "") -> None:
    dv = DataValidation(type=kind, formula1=formula1, formula2=formula2, operator=operator, allow_blank=True,
                        showErrorMessage=True, errorTitle=title or "输入有误", error=error,
                        showInputMessage=bool(prompt), promptTitle=(title or None) if prompt else None,
                        prompt=prompt or None)
    dv.add(rng)
    ws.add_data_validation(dv)


def _text(ws: Worksheet, rng: str, limit: int, title: str) -> None:
    """Free-text columns: validated for length, so a paste of a whole document is caught at once."""
    add_validation(ws, rng, kind="textLength", operator="lessThanOrEqual", formula1=str(limit), title=title,
              error=f"{title}不超过{limit}个字")


ERROR_FILL = PatternFill("solid", fgColor="F8D0D0")
WARN_FILL = PatternFill("solid", fgColor="FCE9C2")


def _highlight(ws: Worksheet, rng: str, formula: str, fill: PatternFill) -> None:
    """A conditional format (plain, not x14, so every program shows it and recalc keeps it)."""
    ws.conditional_formatting.add(rng, FormulaRule(formula=[formula], fill=fill, stopIfTrue=True))


def _list(items: list[str] | tuple[str, ...]) -> str:
    return '"' + ",".join(items) + '"'


def protect(ws: Worksheet, resizable: bool = False) -> None:
    """Protection as Excel's Protect with its defaults sets it (contents, drawing objects, scenarios; no
    password), optionally letting people widen columns and rows."""
    ws.protection.sheet = ws.protection.objects = ws.protection.scenarios = True
    if resizable:
        ws.protection.formatColumns = ws.protection.formatRows = False


def _input_sheet_common(ws: Worksheet, ncols: int) -> None:
    """Input and reference sheets (考勤, 请假, 人员, 日历): set up for printing on purpose, left out of the
    workbook's default print (which gives 说明, the results and the department sheets)."""
    ws.freeze_panes = ws.cell(FIRST_ROW, 1)
    print_setup(ws, landscape=ncols > 5)
    leave_out_of_print(ws)


# ---------------------------------------------------------------------------------------------
# One builder per sheet
# ---------------------------------------------------------------------------------------------
def build_guide(wb: Workbook, policy: Policy, cal: YearCalendar) -> None:
    ws = wb.active
    ws.title = "说明"
    ws.sheet_view.showGridLines = False
    ws.column_dimensions["A"].width = 6
    ws.column_dimensions["B"].width = 100
    ws["A1"] = f"{cal.year}年度机关工作目标管理考核工作簿"
    ws["A1"].font = Font(name=FONT, size=18, bold=True, color="1F5C7A")
    ws["A2"] = f"依据：{policy.title}（{policy.id}）"
    ws["A2"].font = Font(name=FONT, size=10, color="555555")
    steps = [
        "在“人员”表填写全体人员：部门、职务；班子成员填写分管部门（用、分隔）。",
        "平时在“考勤”表记录旷工、迟到、早退、漏签，在“请假”表记录请假和公务外出（写明审批人）。",
        "年底各部门在本部门工作表填写“自评”，考核办依次填写“评议”“调整”“审定”；加分项目填在下方加分表。",
        "点功能区“考核”选项卡的“重新计算”（或运行 xl-appraisal recalc 本文件），看“校验”表改正错误。",
        "“汇总”“发放”即为结果：每人每项金额都写明计算依据；定稿后导出报送版发给考核领导小组。",
    ]
    ws["A4"] = "五步用好本工作簿"
    ws["A4"].font = Font(name=FONT, size=13, bold=True)
    for i, text in enumerate(steps):
        ws.cell(5 + i, 1, i + 1).font = Font(name=FONT, size=12, bold=True, color="1F5C7A")
        ws.cell(5 + i, 1).alignment = CENTER
        cell = ws.cell(5 + i, 2, text)
        cell.font = Font(name=FONT, size=11)
        cell.alignment = WRAP
        ws.row_dimensions[5 + i].height = text_height(text, 100, minimum=22)
    ws["A11"] = "颜色"
    ws["A11"].font = Font(name=FONT, size=13, bold=True)
    legend = [(INPUT_FILL, "黄色：由人填写"), (COMPUTED_FILL, "蓝色：由程序计算，已保护，请勿手改"),
              (FIXED_FILL, "灰色：来自考核办法（编号、考核内容、分值），已保护")]
    for i, (fill, text) in enumerate(legend):
        ws.cell(12 + i, 1).fill = fill
        ws.cell(12 + i, 1).border = BORDER
        ws.cell(12 + i, 2, text).font = Font(name=FONT, size=11)
    ws["A16"] = "规则要点"
    ws["A16"].font = Font(name=FONT, size=13, bold=True)
    points = [
        f"考勤津贴{fmt(policy.allowance)}元：旷工半天扣{fmt(policy.deduct_half_day)}元、一天扣{fmt(policy.deduct_day)}元；"
        f"全年旷工{fmt(policy.forfeit_days)}天（含）以上扣除全额考勤津贴和目标管理奖金{policy.cite('forfeit_days')}。",
        f"目标管理奖金{fmt(policy.bonus_full)}元：总分{fmt(policy.bonus_threshold)}分（含）以上全额；"
        f"每差{fmt(policy.tier_points)}分为一档，每档扣{fmt(policy.tier_amount)}元{policy.cite('tier_amount')}。",
        f"主席与全部部门平均分挂钩；其他班子成员{percent(policy.leader_all_share)}与全部部门平均分、"
        f"{percent(policy.leader_overseen_share)}与分管部门平均分挂钩{policy.cite('leader_all_share')}。",
        f"加分项目合计封顶{fmt(policy.bonus_cap)}分{policy.cite('bonus_cap')}；可调整的规则和选项都在“参数”表。",
    ]
    for i, text in enumerate(points):
        cell = ws.cell(17 + i, 2, text)
        cell.font = Font(name=FONT, size=11)
        cell.alignment = WRAP
        ws.row_dimensions[17 + i].height = text_height(text, 100)
    if not cal.official:
        cell = ws.cell(22, 2, "⚠ " + CHECK_BY_HAND.format(year=cal.year))
        cell.font = Font(name=FONT, size=11, bold=True, color="C00000")
        cell.alignment = WRAP
    print_setup(ws, landscape=False, header_row=4)
    ws.print_title_rows = None


# Column specs of the computed and department tables; the export (报送版) lays its tables out the same way.
SUMMARY_COLUMNS = [Column("部门", 16, "computed"), Column("基础得分", 10, "computed", SCORE),
                   Column("加分合计", 10, "computed", SCORE), Column("计入加分", 10, "computed", SCORE),
                   Column("总分", 10, "computed", SCORE), Column("档次", 7, "computed", "0", CENTER),
                   Column("排名", 7, "computed", "0", CENTER), Column("阶段", 9, "computed", align=CENTER),
                   Column(c.SUMMARY_LINE, 10, "computed", SCORE)]
AVERAGE_HEADERS = ("对象", "职务", "全部部门平均分", "分管部门平均分", "说明")  # the 报送版's block
# tblAverages under the chart, in 汇总's columns A..E (same widths as tblSummary's, so neither table moves the other)
AVERAGE_COLUMNS = [Column(h, w, "computed", SCORE if "平均分" in h else None, CENTER if j < 4 else WRAP)
                   for j, (h, w) in enumerate(zip(c.AVERAGES.headers, c.AVERAGE_WIDTHS, strict=True))]
PAYOUT_COLUMNS = [*(Column(h, w, "computed") for h, w in zip(("姓名", "部门", "职务"), c.PAYOUT_TEXT_WIDTHS, strict=True)),
                  Column("挂钩得分", 9, "computed", SCORE), Column("旷工天数", 9, "computed", "0.0"),
                  Column("考勤津贴", 11, "computed", MONEY), Column("目标管理奖金", 12, "computed", MONEY),
                  Column("合计", 11, "computed", MONEY), Column("状态", 7, "computed", align=CENTER),
                  Column("计算依据", c.EXPLAIN_WIDTH, "computed")]
ISSUE_COLUMNS = [Column("级别", 8, "computed", align=CENTER), Column("工作表", 12, "computed"),
                 Column("单元格", 9, "computed", align=CENTER), Column("说明", c.ISSUE_WIDTH, "computed")]
BONUS_COLUMNS = [Column("加分项目", 24, "input"), Column("数量", 6, "input", "0", CENTER),
                 Column("酌定分值", 9, "input", "0.##", CENTER), Column("说明", 30, "input"),
                 Column("计分", 7, "computed", "0.##", CENTER)]
# The bonus table sits to the right of the items (column J), so that each table keeps its own column
# widths and can grow downwards (第七条); it prints on a page of its own after the items (two print ranges).
BONUS_LEFT = len(c.STAGE_HEADERS) + 6
ITEM_TEXT_WIDTH = 38  # 考核内容: with the other item columns 87 units, portrait A4 at >= 9 pt
AVERAGE_SLOTS, CHART_ROWS, summary_layout = c.AVERAGE_SLOTS, c.CHART_ROWS, c.summary_layout


def summary_chart(departments: int) -> BarChart:
    """Department totals as columns, the full-bonus line across them: a native chart that reads tblSummary's
    cells, so it follows every recalc (Excel, WPS and LibreOffice draw it from the cells)."""
    first, last = FIRST_ROW, FIRST_ROW + departments - 1
    total_col = 1 + c.SUMMARY.all_headers.index("总分")
    line_col = 1 + c.SUMMARY.all_headers.index(c.SUMMARY_LINE)
    bars = BarChart()
    bars.type = "col"
    bars.title = "各部门总分"
    bars.style = 10
    bars.y_axis.title = "分"
    bars.y_axis.numFmt = "0"
    bars.y_axis.majorGridlines = None
    bars.legend.position = "b"
    bars.add_data(_column_ref(total_col, HEADER_ROW, last), titles_from_data=True)
    bars.set_categories(_column_ref(1, first, last))
    bars.series[0].graphicalProperties.solidFill = "1F5C7A"
    bars.dataLabels = DataLabelList(showVal=True, showSerName=False, showCatName=False, showLegendKey=False,
                                    showPercent=False)
    line = LineChart()
    line.add_data(_column_ref(line_col, HEADER_ROW, last), titles_from_data=True)
    line.series[0].graphicalProperties.line.solidFill = "C00000"
    line.series[0].graphicalProperties.line.dashStyle = "dash"
    line.series[0].graphicalProperties.line.width = 22000
    line.series[0].marker.symbol = "none"
    line.series[0].smooth = False
    bars.y_axis.crosses = "autoZero"
    bars += line
    bars.y_axis.scaling.min = 0
    bars.x_axis.delete = False
    bars.y_axis.delete = False
    bars.height = CHART_ROWS * 0.53
    bars.width = 17.5
    return bars


def _column_ref(col: int, first: int, last: int) -> Reference:
    letter = get_column_letter(col)
    return Reference(range_string=f"'汇总'!${letter}${first}:${letter}${last}")


def discretionary(policy: Policy) -> str:
    """The bonus kinds scored by hand (视情加分), quoted: “其他创新工作”."""
    return "、".join(f"“{k.label}”" for k in policy.bonus_kinds if k.points is None) or "视情加分的项目"


def bonus_caption(policy: Policy) -> str:
    """The caption above every bonus table (workbook, handout, 报送版, sign-off sheet)."""
    return f"加分项目（{short_clause(policy.clause('bonus_cap'))}，合计封顶{fmt(policy.bonus_cap)}分）"


def item_columns(open_stages: tuple[str, ...] = c.STAGE_HEADERS) -> list[Column]:
    """编号/考核内容/分值 from the rules, the four stages (those in `open_stages` for people to fill), 说明."""
    return ([Column("编号", 5, "fixed", align=CENTER), Column("考核内容", ITEM_TEXT_WIDTH, "fixed"),
             Column("分值", 6, "fixed", "0.##", CENTER)]
            + [Column(s, 6, "input" if s in open_stages else "fixed", "0.##", CENTER) for s in c.STAGE_HEADERS]
            + [Column("说明", 14, "input")])


def build_summary(wb: Workbook, policy: Policy) -> None:
    ws = wb.create_sheet("汇总")
    cols = SUMMARY_COLUMNS
    add_title(ws, "各部门年终目标考核汇总", f"程序计算，请勿手改。总分 = 各项得分合计 + 加分（封顶{fmt(policy.bonus_cap)}分）；"
           f"档次为低于{fmt(policy.bonus_threshold)}分的扣发档数{policy.cite('tier_amount')}；排名并列者名次相同。", len(cols))
    n = len(policy.departments)
    add_table(ws, c.SUMMARY, cols, [], min_rows=n)
    chart_row, top = summary_layout(n)
    ws.add_chart(summary_chart(n), f"A{chart_row}")
    # under the chart, the averages the leaders' bonuses are linked to: a title and tblAverages, which recalc
    # fills and resizes (cells around the tables are the user's)
    ws.cell(top, 1, averages_title(policy)).font = Font(name=FONT, size=12, bold=True)
    add_table(ws, c.AVERAGES, AVERAGE_COLUMNS, [], top=top + 1, min_rows=c.AVERAGE_ROWS)
    ws.row_dimensions[top + 1].height = text_height(c.AVERAGES.headers[2], AVERAGE_COLUMNS[2].width)
    ws.freeze_panes = ws.cell(FIRST_ROW, 1)
    protect(ws)
    print_setup(ws, landscape=False)
    # the tables, the chart and the averages (both writers move its end when tblAverages grows past it)
    ws.print_area = f"A1:{get_column_letter(len(cols))}{top + 1 + c.AVERAGE_ROWS}"


def averages_title(policy: Policy) -> str:
    return f"奖金挂钩的平均分{policy.cite('leader_all_share')}"


def summary_extras(ws: Worksheet, departments: int, averages: list[list], title: str,
                   slots: int = AVERAGE_SLOTS) -> int:
    """Below tblSummary: the chart of department totals, then the averages the bonuses are linked to
    (第五条第3款), a block recalc fills (`averages` rows as AVERAGE_HEADERS). Returns its last row."""
    chart_row, top = summary_layout(departments)
    ws.add_chart(summary_chart(departments), f"A{chart_row}")
    ws.cell(top, 1, title).font = Font(name=FONT, size=12, bold=True)
    last_col = len(SUMMARY_COLUMNS)
    for j, header in enumerate(AVERAGE_HEADERS):
        cell = ws.cell(top + 1, 1 + j, header)
        cell.font, cell.fill, cell.alignment, cell.border = Font(name=FONT, bold=True, color="FFFFFF"), HEADER_FILL, CENTER, BORDER
    text = len(AVERAGE_HEADERS)  # 说明 spans the rest of the table's width
    ws.merge_cells(start_row=top + 1, start_column=text, end_row=top + 1, end_column=last_col)
    ws.row_dimensions[top + 1].height = text_height(AVERAGE_HEADERS[2], SUMMARY_COLUMNS[2].width)
    width = sum(col.width for col in SUMMARY_COLUMNS[text - 1:])
    for i in range(max(slots, len(averages))):
        r = top + 2 + i
        values = averages[i] if i < len(averages) else [None] * text
        for j in range(last_col):
            cell = put(ws, r, 1 + j, values[j] if j < text else None)
            cell.font, cell.fill, cell.border = Font(name=FONT), COMPUTED_FILL, BORDER
            cell.alignment = WRAP if j + 1 >= text else CENTER
            if j in (2, 3):
                cell.number_format = SCORE
        ws.merge_cells(start_row=r, start_column=text, end_row=r, end_column=last_col)
        ws.row_dimensions[r].height = text_height(values[text - 1] or "", width, minimum=20)
    return top + 1 + max(slots, len(averages))


def build_department(wb: Workbook, policy: Policy, dept, data: BookData) -> None:
    typed = data.scores.get(dept.name, {})
    rows = [[i.number, i.text, float(i.max_points), *(typed.get(i.number, []) + [None] * 5)[:5]] for i in dept.items]
    department_sheet(wb.create_sheet(dept.name), policy, dept, rows, data.bonuses.get(dept.name, []),
                     title=f"{dept.name} · 年终目标考核（{fmt(ITEM_TOTAL)}分）",
                     hint="黄色格由人填写：自评 → 评议 → 调整 → 审定，每项0至分值；计算时取最后填写的一栏。"
                          f"右侧加分表按{short_clause(policy.clause('bonus'))}填写，合计封顶{fmt(policy.bonus_cap)}分。")


def department_sheet(ws: Worksheet, policy: Policy, dept, item_rows: list[list], bonus_rows: list[list], *,
                     title: str, hint: str, open_stages: tuple[str, ...] = c.STAGE_HEADERS) -> None:
    """A department's items and bonus tables: the master workbook's sheet (every stage open) and the
    self-scoring file handed out to the department (only 自评 open) are the same sheet."""
    cols = item_columns(open_stages)
    add_title(ws, title, hint, len(cols))
    add_table(ws, c.items_table(dept.name, dept.code), cols, item_rows)
    letters = [get_column_letter(4 + c.STAGE_HEADERS.index(s)) for s in open_stages]
    for k, item in enumerate(dept.items):
        r = FIRST_ROW + k
        ws.row_dimensions[r].height = text_height(item.text, ITEM_TEXT_WIDTH, minimum=20)
        add_validation(ws, f"{letters[0]}{r}:{letters[-1]}{r}" if len(letters) > 1 else f"{letters[0]}{r}",
                       kind="decimal", operator="between", formula1="0", formula2=str(item.max_points),
                       title="得分超出范围", error=f"第{item.number}项得分应在0到{fmt(item.max_points)}之间{policy.cite('items')}")
    last_item = FIRST_ROW + len(dept.items) - 1
    _text(ws, f"H{FIRST_ROW}:H{last_item}", 200, "说明")
    # a pasted value skips validation: show it red anyway (the check reports it with its cell)
    _highlight(ws, f"D{FIRST_ROW}:G{last_item}",
               f'AND(D{FIRST_ROW}<>"",OR(NOT(ISNUMBER(D{FIRST_ROW})),D{FIRST_ROW}<0,D{FIRST_ROW}>$C{FIRST_ROW}))', ERROR_FILL)
    left = BONUS_LEFT
    ws.column_dimensions[get_column_letter(left - 1)].width = 2
    ws.cell(HEADER_ROW - 1, left, bonus_caption(policy)).font = Font(name=FONT, size=12, bold=True)
    n = max(BONUS_ROWS, len(bonus_rows))
    add_table(ws, c.bonus_table(dept.name, dept.code), BONUS_COLUMNS, bonus_rows, left=left, min_rows=n)
    first, last = FIRST_ROW, FIRST_ROW + n - 1
    a, b, d, note = (get_column_letter(left + k) for k in (0, 1, 2, 3))
    add_validation(ws, f"{a}{first}:{a}{last}", kind="list", formula1=BONUS_KIND_LIST, title="加分项目",
                   error=f"请从下拉列表选择加分项目{policy.cite('bonus')}")
    add_validation(ws, f"{b}{first}:{b}{last}", kind="whole", operator="greaterThanOrEqual", formula1="1",
                   title="数量", error="数量应为正整数")
    add_validation(ws, f"{d}{first}:{d}{last}", kind="decimal", operator="greaterThan", formula1="0",
                   title="酌定分值", error=f"酌定分值只用于{discretionary(policy)}，应为正数",
                   prompt=f"仅{discretionary(policy)}填写，并在说明中写明依据")
    _text(ws, f"{note}{first}:{note}{last}", 200, "说明")
    ws.freeze_panes = ws.cell(FIRST_ROW, 1)
    protect(ws, resizable=True)  # people may widen columns on a protected sheet
    print_setup(ws, landscape=False)
    fixed_scale(ws, sum(col.width for col in cols))
    right = get_column_letter(left + len(BONUS_COLUMNS) - 1)
    # the items on the first page(s), the bonus table on a page of its own after them
    ws.print_area = [f"A1:{get_column_letter(len(cols))}{last_item}", f"{a}{HEADER_ROW - 1}:{right}{last}"]


def build_attendance(wb: Workbook, policy: Policy, cal: YearCalendar, data: BookData) -> None:
    ws = wb.create_sheet("考勤")
    cols = [Column("日期", 12, fmt=DATE), Column("姓名", 12), Column("时段", 8, align=CENTER),
            Column("情况", 8, align=CENTER), Column("备注", 40)]
    add_title(ws, f"考勤记录{policy.cite('attendance')}", f"只记例外：旷工、迟到、早退、漏签。没有记录的工作半天视为出勤。"
           f"签到：上午{policy.signin_am:%H:%M}前、下午{policy.signin_pm:%H:%M}前；"
           f"签退：上午{policy.signout_am:%H:%M}后、下午{policy.signout_pm:%H:%M}后。全天=两个半天。", len(cols))
    add_table(ws, c.ATTENDANCE, cols, data.attendance)
    last = FIRST_ROW + INPUT_ROWS
    add_validation(ws, f"A{FIRST_ROW}:A{last}", kind="date", operator="between", formula1=f"DATE({cal.year},1,1)",
              formula2=f"DATE({cal.year},12,31)", title="日期", error=f"请填写{cal.year}年内的日期，如{cal.year}-03-16")
    add_validation(ws, f"B{FIRST_ROW}:B{last}", kind="list", formula1=STAFF_LIST, title="姓名",
              error="姓名须是“人员”表中的人")
    add_validation(ws, f"C{FIRST_ROW}:C{last}", kind="list", formula1=_list(PERIODS), title="时段", error="请选择上午、下午或全天")
    add_validation(ws, f"D{FIRST_ROW}:D{last}", kind="list", formula1=_list(EVENT_KINDS), title="情况",
              error="请选择旷工、迟到、早退或漏签")
    _text(ws, f"E{FIRST_ROW}:E{last}", 200, "备注")
    _input_sheet_common(ws, len(cols))


def build_leave(wb: Workbook, policy: Policy, cal: YearCalendar, data: BookData) -> None:
    ws = wb.create_sheet("请假")
    cols = [Column("姓名", 12), Column("开始日期", 12, fmt=DATE), Column("开始时段", 9, align=CENTER),
            Column("结束日期", 12, fmt=DATE), Column("结束时段", 9, align=CENTER), Column("类型", 10, align=CENTER),
            Column("审批人", 12), Column("备注", 36)]
    supervisor, executive = policy.leave_supervisor_half_days, policy.leave_executive_half_days
    add_title(ws, f"请假与公务外出{policy.cite('leave_supervisor_half_days')}",
              f"{span(supervisor)}内由分管领导批准，{span(executive)}内由常务副主席批准，{span(executive)}以上由主席批准；"
              "公务外出不需审批但须登记。天数按日历中的工作半天计算。", len(cols))
    add_table(ws, c.LEAVE, cols, data.leave)
    last = FIRST_ROW + INPUT_ROWS
    for col in ("B", "D"):
        add_validation(ws, f"{col}{FIRST_ROW}:{col}{last}", kind="date", operator="between",
                  formula1=f"DATE({cal.year},1,1)", formula2=f"DATE({cal.year},12,31)", title="日期",
                  error=f"请填写{cal.year}年内的日期")
    for col in ("A", "G"):
        add_validation(ws, f"{col}{FIRST_ROW}:{col}{last}", kind="list", formula1=STAFF_LIST, title="姓名",
                  error="须是“人员”表中的人")
    for col in ("C", "E"):
        add_validation(ws, f"{col}{FIRST_ROW}:{col}{last}", kind="list", formula1=_list(PERIODS), title="时段",
                  error="请选择上午、下午或全天")
    add_validation(ws, f"F{FIRST_ROW}:F{last}", kind="list", formula1=_list(LEAVE_KINDS), title="类型",
              error="请从下拉列表选择请假类型")
    _text(ws, f"H{FIRST_ROW}:H{last}", 200, "备注")
    _input_sheet_common(ws, len(cols))


def build_staff(wb: Workbook, policy: Policy, data: BookData) -> None:
    ws = wb.create_sheet("人员")
    cols = [Column("姓名", 12), Column("部门", 14), Column("职务", 12), Column("分管部门", 30), Column("备注", 30)]
    add_title(ws, "人员名单", "班子成员（主席、常务副主席、副主席）部门填“领导班子”并填写分管部门；"
           "其他人员填所在部门。姓名不能重复。", len(cols))
    add_table(ws, c.STAFF, cols, data.staff)
    last = FIRST_ROW + 500
    add_validation(ws, f"B{FIRST_ROW}:B{last}", kind="list", formula1=_list([*policy.department_names, LEADERSHIP]),
              title="部门", error="请从下拉列表选择部门")
    add_validation(ws, f"C{FIRST_ROW}:C{last}", kind="list", formula1=_list(ROLES), title="职务", error="请从下拉列表选择职务")
    _text(ws, f"A{FIRST_ROW}:A{last}", 20, "姓名")
    _text(ws, f"D{FIRST_ROW}:D{last}", 60, "分管部门")
    _text(ws, f"E{FIRST_ROW}:E{last}", 200, "备注")
    _input_sheet_common(ws, len(cols))
    wb.defined_names[STAFF_LIST] = DefinedName(STAFF_LIST, attr_text=f"'人员'!$A${FIRST_ROW}:$A${last}")


def build_payouts(wb: Workbook, policy: Policy) -> None:
    ws = wb.create_sheet("发放")
    cols = PAYOUT_COLUMNS
    split = ("常务副主席、副主席的挂钩得分写作“全部部门平均分／分管部门平均分”，奖金按两部分分别计算；"
             if policy.leader_link == LeaderLink.SPLIT else "")
    add_title(ws, "考勤津贴与目标管理奖金发放表", f"程序计算，请勿手改。状态“{PROVISIONAL}”表示尚有部门未全部审定或工作簿有错误；"
              f"{split}计算依据写明每一步和所依条款。", len(cols))
    add_table(ws, c.PAYOUTS, cols, [])
    rows = f"A{FIRST_ROW}:J{FIRST_ROW + INPUT_ROWS}"
    _highlight(ws, rows, f"AND(ISNUMBER($E{FIRST_ROW}),$E{FIRST_ROW}>={policy.forfeit_days})", ERROR_FILL)  # R13
    _highlight(ws, f"E{FIRST_ROW}:E{FIRST_ROW + INPUT_ROWS}", f"AND(ISNUMBER($E{FIRST_ROW}),$E{FIRST_ROW}>0)", WARN_FILL)
    ws.cell(HINT_ROW + 1, 1).font = Font(name=FONT, bold=True)  # the status line, with the totals in its text: no
    ws.row_dimensions[HINT_ROW + 1].height = 20  # styled cells under it (the 报送版 has the totals row: totals_row_style)
    ws.freeze_panes = ws.cell(FIRST_ROW, 2)
    protect(ws, resizable=True)
    print_setup(ws, landscape=True)


def totals_row_style(ws: Worksheet, row: int) -> None:
    """The 报送版's 发放 totals row above the table: the sums sit above their columns (export fills them)."""
    ws.cell(row, 1).font = Font(name=FONT, bold=True)
    for j, col in enumerate(PAYOUT_COLUMNS):
        if col.header in ("旷工天数", "考勤津贴", "目标管理奖金", "合计"):
            cell = ws.cell(row, 1 + j)
            cell.font, cell.fill, cell.border, cell.number_format = Font(name=FONT, bold=True), COMPUTED_FILL, BORDER, col.fmt
            cell.alignment = Alignment(horizontal="right", vertical="center")
    ws.row_dimensions[row].height = 20


def build_issues(wb: Workbook) -> None:
    ws = wb.create_sheet("校验")
    cols = ISSUE_COLUMNS
    add_title(ws, "校验结果", "“错误”必须改正后才能定稿；“提醒”请核对。改正后再次重新计算。", len(cols))
    add_table(ws, c.ISSUES, cols, [])
    _highlight(ws, f"A{FIRST_ROW}:D{FIRST_ROW + INPUT_ROWS}", f'$A{FIRST_ROW}="错误"', ERROR_FILL)
    _highlight(ws, f"A{FIRST_ROW}:D{FIRST_ROW + INPUT_ROWS}", f'$A{FIRST_ROW}="提醒"', WARN_FILL)
    ws.freeze_panes = ws.cell(FIRST_ROW, 1)
    protect(ws)
    print_setup(ws, landscape=False)


CHANGE_COLUMNS = [Column("时间", 16, "computed"), Column("修改人", 10, "computed"), Column("工作表", 10, "computed"),
                  Column("单元格", 9, "computed", align=CENTER), Column("项目", 30, "computed"),
                  Column("原值", 18, "computed"), Column("新值", 18, "computed"), Column("来源", 22, "computed"),
                  Column("备注", 16, "computed")]


def build_changes(wb: Workbook) -> None:
    """变更记录: one row per changed input cell, appended by recalc (and collect, import-signins)."""
    ws = wb.create_sheet("变更记录")
    cols = CHANGE_COLUMNS
    add_title(ws, "变更记录", "程序记录，请勿手改。每次重新计算时，与上次计算时的数据比较，记下每个改动的单元格："
              "谁、何时、原值、新值。排序或移动行不算改动；第一次计算只建立基线。", len(cols))
    add_table(ws, c.CHANGES, cols, [])
    _highlight(ws, f"A{FIRST_ROW}:I{FIRST_ROW + INPUT_ROWS}", f'$I{FIRST_ROW}<>""', WARN_FILL)
    ws.freeze_panes = ws.cell(FIRST_ROW, 1)
    protect(ws, resizable=True)
    print_setup(ws, landscape=True)
    leave_out_of_print(ws)  # a log: printed on purpose, not with the workbook


def build_snapshot(wb: Workbook) -> None:
    """The snapshot 变更记录 compares against: compact JSON in cells, very hidden (not in Excel's Unhide
    list), its SHA-256 in the document's custom properties."""
    from openpyxl.packaging.custom import StringProperty

    ws = wb.create_sheet(c.SNAPSHOT_SHEET)
    add_table(ws, c.SNAPSHOT, [Column("序号", 6, "computed"), Column("内容", 60, "computed")], [], top=1)
    ws.sheet_state = "veryHidden"
    protect(ws)
    wb.custom_doc_props.append(StringProperty(name=c.SNAPSHOT_PROP, value="-"))


def build_params(wb: Workbook, policy: Policy, cal: YearCalendar) -> None:
    ws = wb.create_sheet("参数")
    cols = [Column("参数", 22, "fixed"), Column("值", 14, "input"), Column("说明", 44, "fixed"),
            Column("键", 4, "fixed")]
    add_title(ws, "考核参数（来自考核办法，可按新办法修改）", "改“值”一栏即可；开关类参数只能填说明中列出的选项。"
           f"右侧为加分项目及分值，{discretionary(policy)}不设固定分值。", 10)
    meta: list[list[Any]] = [[c.META_KEYS["year"], cal.year, "本工作簿的考核年度", "year"],
            [c.META_KEYS["policy_id"], policy.id, "考核办法编号", "policy_id"],
            [c.META_KEYS["policy_title"], policy.title, "考核办法名称", "policy_title"]]
    rows: list[list[Any]] = meta + [[p.name, p.value, f"{p.unit}；{p.clause}" if p.unit else p.clause, p.key] for p in policy.params]
    rows += [[k.name, k.clause, c.CLAUSE_NOTE, c.CLAUSE_PREFIX + k.key] for k in policy.clauses]
    add_table(ws, c.POLICY, cols, rows)
    ws.column_dimensions["D"].hidden = True
    for i, (_, _, _, key) in enumerate(rows):
        r = FIRST_ROW + i
        if key in SWITCHES:
            add_validation(ws, f"B{r}", kind="list", formula1=_list(list(SWITCHES[key])), title="选项",
                      error=f"只能选{'、'.join(SWITCHES[key])}")
        elif key == "year":
            add_validation(ws, f"B{r}", kind="whole", operator="between", formula1="2000", formula2="2100", title="年度",
                      error="请填写四位年份")
        elif key in SHARES:
            add_validation(ws, f"B{r}", kind="decimal", operator="between", formula1="0", formula2="1", title="占比",
                      error="占比在0到1之间")
        elif key in (*AMOUNTS, *POSITIVE_NUMBERS, *HALF_DAY_COUNTS):
            add_validation(ws, f"B{r}", kind="decimal", operator="greaterThan", formula1="0", title="数值", error="应为正数")
    kcols = [Column("加分项目", 26, "input"), Column("单项分值", 9, "input", "0.##", CENTER), Column("依据", 46, "fixed")]
    krows = [[k.label, float(k.points) if k.points is not None else None, k.clause] for k in policy.bonus_kinds]
    add_table(ws, c.BONUS_KINDS, kcols, krows, left=6)
    _text(ws, f"F{FIRST_ROW}:F{FIRST_ROW + 40}", 40, "加分项目")
    add_validation(ws, f"G{FIRST_ROW}:G{FIRST_ROW + 40}", kind="decimal", operator="greaterThan", formula1="0",
              title="单项分值", error="单项分值应为正数；视情加分的项目留空")
    last = FIRST_ROW + 40
    wb.defined_names[BONUS_KIND_LIST] = DefinedName(BONUS_KIND_LIST, attr_text=f"'参数'!$F${FIRST_ROW}:$F${last}")
    ws.freeze_panes = ws.cell(FIRST_ROW, 1)
    print_setup(ws, landscape=True)
    wrap_heights(ws, FIRST_ROW, FIRST_ROW + max(len(rows), len(krows)) - 1, {1: 22, 2: 14, 3: 44, 6: 26, 8: 46})
    leave_out_of_print(ws)


def build_calendar(wb: Workbook, cal: YearCalendar) -> None:
    ws = wb.create_sheet("日历")
    cols = [Column("日期", 13, fmt=DATE), Column("工作日", 8, align=CENTER), Column("说明", 26)]
    hint = (f"{cal.year}年共{cal.working_days}个工作日，含法定节假日和调休（来自 chinesecalendar）。如有变动可直接修改。"
            if cal.official else "⚠ " + CHECK_BY_HAND.format(year=cal.year))
    add_title(ws, f"{cal.year}年工作日历", hint, len(cols))
    if not cal.official:
        ws.cell(HINT_ROW, 1).font = Font(name=FONT, size=HINT_SIZE, bold=True, color="C00000")
    rows = [[d.date, "是" if d.workday else "否", d.note] for d in cal.days]
    add_table(ws, c.CALENDAR, cols, rows)
    add_validation(ws, f"A{FIRST_ROW}:A{FIRST_ROW + len(rows)}", kind="date", operator="between",
              formula1=f"DATE({cal.year},1,1)", formula2=f"DATE({cal.year},12,31)", title="日期",
              error=f"请填写{cal.year}年内的日期")
    _text(ws, f"C{FIRST_ROW}:C{FIRST_ROW + len(rows)}", 100, "说明")
    add_validation(ws, f"B{FIRST_ROW}:B{FIRST_ROW + len(rows)}", kind="list", formula1=_list(["是", "否"]), title="工作日",
              error="请填“是”或“否”")
    _input_sheet_common(ws, len(cols))


def build_trial(wb: Workbook, policy: Policy) -> None:
    """试算: type a number, see what the rules give — through the UDFs (Windows Excel with Python).
    No computed table depends on these cells; elsewhere they show #NAME? and nothing else breaks."""
    ws = wb.create_sheet("试算")
    ws.sheet_view.showGridLines = False
    add_title(ws, "试算（在 Windows 版 Excel 中使用，需要安装 Python 和本工具）",
           "改黄色格子的数，右边立即算出结果。用的是本工作簿“参数”表的规则。WPS、LibreOffice 或手机中显示 #NAME? 或 #VALUE!，不影响其他表。", 4)
    for col, width in zip("ABCD", (26, 12, 26, 16), strict=True):
        ws.column_dimensions[col].width = width
    rows = [
        ("挂钩得分", 97.5, "目标管理奖金（元）", "=XA_BONUS(B4)"),
        ("", None, "扣发档数", "=XA_TIERS(B4)"),
        ("旷工半天数", 3, "考勤津贴（元）", "=XA_ALLOWANCE(B6)"),
        ("全部部门平均分", 99.33, "班子成员奖金（元）", "=XA_LEADER_BONUS(B7,B8)"),
        ("分管部门平均分", 91.995, "", None),
        ("某项得分", 31, "检查（分值30）", "=XA_CHECK_SCORE(B9,30)"),
        ("加分（逐项）", 6, "计入加分（封顶）", "=XA_BONUS_POINTS(B10:B13)"),
        ("", 6, "", None), ("", 6, "", None), ("", 4, "", None),
    ]
    for i, (label, value, result, formula) in enumerate(rows):
        r = 4 + i
        ws.cell(r, 1, label or None).font = Font(name=FONT)
        if value is not None:
            cell = ws.cell(r, 2, value)
            cell.fill, cell.border, cell.font = INPUT_FILL, BORDER, Font(name=FONT)
        if formula:
            ws.cell(r, 3, result).font = Font(name=FONT)
            cell = ws.cell(r, 4, formula)
            cell.fill, cell.border, cell.font = COMPUTED_FILL, BORDER, Font(name=FONT, bold=True)
    print_setup(ws, landscape=False, header_row=1)
    ws.print_title_rows = None
    leave_out_of_print(ws)


# What the ribbon's VBA (macros/Ribbon.bas, ASCII only) shows before Python has started, in cells of
# 说明 named for it. No policy number here: these are about the program, not the rules.
BUTTON_HELP_ROW = 24
BUTTON_HELP = [
    ("xaMsgHost", "本工作簿的功能区按钮只能在 Windows 版 Microsoft Excel 中使用（需要本机装有 Python 和本工具）。"
                  "在 WPS 表格或 LibreOffice 中：照常填写黄色格并保存，关闭文件后在命令提示符中运行 "
                  "xl-appraisal recalc 本文件（或交给装有本工具的电脑计算），结果与按钮完全相同。"),
    ("xaMsgMac", "Mac 版 Excel 不支持本工具的功能区按钮。请保存并关闭工作簿，在“终端”中运行 xl-appraisal recalc 本文件，"
                 "结果与按钮完全相同。"),
    ("xaMsgNoPython", "找不到本工作簿设置的 Python（隐藏工作表 xlwings.conf 中的 Interpreter_Win）。请在装有本工具的电脑上"
                      "打开命令提示符，运行 xl-appraisal setup-excel 本文件，然后重新打开工作簿。"),
    ("xaMsgFailed", "按钮没能启动 Python 程序（英文详细信息在“Error”工作表中）。常见原因：本机没有安装 Python 或本工具，"
                    "或还没有运行过 xl-appraisal setup-excel 本文件。也可以关闭工作簿后用命令行 xl-appraisal recalc 本文件。"),
]


def build_button_help(wb: Workbook) -> None:
    """按钮不能用时: the texts the ribbon's VBA shows, on 说明 where people can read them too."""
    ws = wb["说明"]
    title = ws.cell(BUTTON_HELP_ROW, 1, "按钮不能用时")
    title.font = Font(name=FONT, size=13, bold=True)
    wb.defined_names["xaMsgTitle"] = DefinedName("xaMsgTitle", attr_text=f"'说明'!$A${BUTTON_HELP_ROW}")
    for i, (name, text) in enumerate(BUTTON_HELP):
        r = BUTTON_HELP_ROW + 1 + i
        cell = ws.cell(r, 2, text)
        cell.font = Font(name=FONT, size=11)
        cell.alignment = WRAP
        ws.row_dimensions[r].height = 48
        wb.defined_names[name] = DefinedName(name, attr_text=f"'说明'!$B${r}")


def build_xlwings_conf(wb: Workbook, rows: Sequence[tuple[str, str]]) -> None:
    """The hidden sheet xlwings reads its settings from (given by the Excel side: UDF module, no console)."""
    ws = wb.create_sheet("xlwings.conf")
    for key, value in rows:
        ws.append([key, value])
    ws.sheet_state = "hidden"


# calcPr as Excel 365 writes it: its own calculation engine id and no fullCalcOnLoad. Forcing a full
# calculation on load made Excel compute the 试算 UDFs before "Enable Content" (#NAME? until Ctrl+Alt+F9);
# an older calcId makes Excel recalculate everything on open for the same effect.
EXCEL_CALC_ID = 191029


def excel_like(wb: Workbook) -> None:
    """Workbook-level details the way Excel writes them: no empty <workbookProtection/> (Excel writes one
    only for a protected structure), calcPr with Excel's calcId and no forced full calculation."""
    wb.security = None
    wb.calculation = CalcProperties(calcId=EXCEL_CALC_ID, fullCalcOnLoad=None)


def build_workbook(policy: Policy, cal: YearCalendar, data: BookData | None = None,
                   xlwings_conf: Sequence[tuple[str, str]] | None = None) -> Workbook:
    """The whole workbook, sheet by sheet, in the order people meet them. A macro-enabled workbook gets
    the 试算 sheet and the xlwings.conf rows it is given; a workbook without macros (.xlsx, `xlwings_conf`
    None) gets neither: its UDFs could never run."""
    data = data or BookData()
    wb = Workbook()
    build_guide(wb, policy, cal)
    build_summary(wb, policy)
    for dept in policy.departments:
        build_department(wb, policy, dept, data)
    build_attendance(wb, policy, cal, data)
    build_leave(wb, policy, cal, data)
    build_staff(wb, policy, data)
    build_payouts(wb, policy)
    build_issues(wb)
    build_params(wb, policy, cal)
    build_calendar(wb, cal)
    build_changes(wb)
    if xlwings_conf is not None:
        build_trial(wb, policy)
        build_xlwings_conf(wb, xlwings_conf)
        build_button_help(wb)
    build_snapshot(wb)
    excel_like(wb)
    fixed = dt.datetime(cal.year, 1, 1)
    wb.properties.creator = "xl-appraisal"
    wb.properties.title = f"{cal.year}年度机关工作目标管理考核"
    wb.properties.created = fixed
    return wb
