"""Sign-off sheets (R6, 第三条第5款): each department's final scores and payouts, printed on A4 for the
signatures of its 分管领导 and 部门负责人 (and of whoever made and checked it), with a fingerprint of what
was signed.

One grid of seven columns holds the three tables, so their edges line up: the items (编号, 考核内容 over
three columns, 分值, 得分, 阶段), the bonus points (数量, 加分项目, 说明, 计分: the points under the
items' 得分) and the people (姓名 … 合计). Texts are printed as the workbook holds them, never normalised.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.worksheet.worksheet import Worksheet

from xl_appraisal.engine.messages import status_label
from xl_appraisal.engine.model import HEAD
from xl_appraisal.engine.values import fmt
from xl_appraisal.errors import Refused
from xl_appraisal.export import Status, canonical, gate, libreoffice, status_of, to_pdf
from xl_appraisal.measure import row_height
from xl_appraisal.service import Outcome, evaluate
from xl_appraisal.workbook import build as b
from xl_appraisal.workbook.build import put
from xl_appraisal.workbook.save import atomic_write, make_backup

LINE = Side(style="thin", color="333333")
BOX = Border(left=LINE, right=LINE, top=LINE, bottom=LINE)
SIZE = 10.5  # 五号, the size of a Chinese office document's body text
WIDTHS = (6, 16, 13, 13, 10, 13, 11)  # A..G: 82 units, portrait A4 at about 9.5 pt in LibreOffice, 10.5 in Excel
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
MONEY_ALIGN = Alignment(horizontal="right", vertical="center", indent=1)


def _span(first: int, last: int) -> float:
    return sum(WIDTHS[first - 1:last])


class Sheet:
    """Rows of boxed cells on the seven-column grid; a cell may span columns; rows sized by the one measure."""

    def __init__(self, ws: Worksheet) -> None:
        self.ws = ws
        self.row = 0

    def line(self, cells: list[tuple[int, int, object, str | None]], *, bold: bool = False, header: bool = False,
             minimum: float = 18) -> None:
        """cells: (first column, last column, value, number format); the row is boxed across A:G."""
        self.row += 1
        r = self.row
        wrapped = []
        for first, last, value, number_format in cells:
            for col in range(first, last + 1):
                self.ws.cell(r, col).border = BOX
            text = isinstance(value, str)
            short = not isinstance(value, str) or last == first and len(value) <= 6  # a name, a stage: centred
            cell = put(self.ws, r, first, value, font=Font(name=b.FONT, size=SIZE, bold=bold or header),
                       alignment=CENTER if header or short else LEFT)
            if header:
                cell.fill = b.COMPUTED_FILL
            if number_format:
                cell.number_format = number_format
                cell.alignment = MONEY_ALIGN if number_format == b.MONEY else CENTER
            if last > first:
                self.ws.merge_cells(start_row=r, start_column=first, end_row=r, end_column=last)
            if text:
                wrapped.append((value, _span(first, last), SIZE))
        self.ws.row_dimensions[r].height = row_height(wrapped, minimum)

    def text(self, value: str, *, size: float = SIZE, bold: bool = False, color: str | None = None,
             minimum: float = 20, gap: int = 0) -> None:
        """A line of text across the page (merged A:G, wrapped)."""
        self.row += 1 + gap
        put(self.ws, self.row, 1, value, font=Font(name=b.FONT, size=size, bold=bold, color=color),
            alignment=Alignment(wrap_text=True, vertical="center"))
        self.ws.merge_cells(start_row=self.row, start_column=1, end_row=self.row, end_column=len(WIDTHS))
        self.ws.row_dimensions[self.row].height = row_height([(value, _span(1, len(WIDTHS)), size)], minimum)


def build_signoff(outcome: Outcome, dept_name: str, generated: dt.datetime, status: Status | None = None
                  ) -> tuple[Workbook, str]:
    book, r = outcome.complete("生成签字表")
    status = status or status_of(outcome)
    dept = book.policy.department(dept_name)
    if dept is None:
        raise Refused(f"工作簿中没有部门“{dept_name}”，无法生成签字表")
    result = r.department(dept_name)
    wb = Workbook()
    ws = wb.active
    ws.title = "签字表"
    ws.sheet_view.showGridLines = False
    for k, width in enumerate(WIDTHS):
        ws.column_dimensions[chr(65 + k)].width = width
    s = Sheet(ws)
    s.text(f"{book.year}年度机关工作目标管理考核结果确认表", size=16, bold=True, minimum=30)
    ws.cell(1, 1).alignment = Alignment(horizontal="center", vertical="center")
    state = status.mark if status.draft or not result.final else status_label(True)
    stage = "" if result.final else f"（当前阶段：{result.stage}）"
    s.text(f"考核对象：{dept_name}　　状态：{state}{stage}　　总分：{result.total:.2f}　　"
           f"排名：第{result.rank}名（共{len(r.departments)}个部门）", color=None if result.final and not status.draft else "C00000")
    s.row += 1
    s.line([(1, 1, "编号", None), (2, 4, "考核内容", None), (5, 5, "分值", None), (6, 6, "得分", None),
            (7, 7, "阶段", None)], header=True)
    used = {i.number: i for i in result.items}
    for item in dept.items:
        scored = used.get(item.number)
        s.line([(1, 1, item.number, None), (2, 4, item.text, None), (5, 5, item.max_points, "0.##"),
                (6, 6, scored.value if scored else None, "0.00"), (7, 7, scored.stage if scored else "未评分", None)])
    full = sum((i.max_points for i in dept.items), start=type(result.base)(0))
    s.line([(1, 1, "", None), (2, 4, "基础得分合计", None), (5, 5, full, "0.##"), (6, 6, result.base, "0.00"),
            (7, 7, "", None)], bold=True)
    s.text(b.bonus_caption(book.policy), bold=True, gap=1)
    s.line([(1, 1, "数量", None), (2, 3, "加分项目", None), (4, 5, "说明", None), (6, 6, "计分", None),
            (7, 7, "", None)], header=True)
    bonus = book.tables[f"tblBonus_{dept.code}"]
    listed = 0
    for number, values in bonus.rows:
        points = r.bonus_points.get((bonus.table.name, number))
        if points is None:
            continue
        listed += 1
        s.line([(1, 1, values.get("数量") or 1, "0"), (2, 3, str(values.get("加分项目") or ""), None),
                (4, 5, str(values.get("说明") or ""), None), (6, 6, points, "0.##"), (7, 7, "", None)])
    if not listed:
        s.line([(1, 1, "", None), (2, 5, "无", None), (6, 6, 0, "0.##"), (7, 7, "", None)])
    s.line([(1, 1, "", None), (2, 5, f"加分合计 {fmt(result.bonus_raw)}，计入 {fmt(result.bonus)}（封顶{fmt(book.policy.bonus_cap)}分）", None),
            (6, 6, result.bonus, "0.00"), (7, 7, "", None)])
    s.line([(1, 1, "", None), (2, 5, "年终目标考核总分", None), (6, 6, result.total, "0.00"), (7, 7, "", None)], bold=True)
    s.text("本部门人员考勤津贴和目标管理奖金", bold=True, gap=1)
    s.line([(1, 1, "姓名", None), (2, 2, "职务", None), (3, 3, "挂钩得分", None), (4, 4, "旷工天数", None),
            (5, 5, "考勤津贴", None), (6, 6, "目标管理奖金", None), (7, 7, "合计", None)], header=True)
    people = [p for p in r.people if p.department == dept_name]
    for p in people:
        s.line([(1, 1, p.name, None), (2, 2, p.role, None), (3, 3, p.linked_score, "0.00"), (4, 4, p.absent_days, "0.0"),
                (5, 5, p.allowance, b.MONEY), (6, 6, p.bonus, b.MONEY), (7, 7, p.total, b.MONEY)])
    s.line([(1, 1, "合计", None), (2, 2, f"{len(people)}人", None), (3, 3, "", None), (4, 4, "", None),
            (5, 5, sum((p.allowance for p in people), start=type(result.base)(0)), b.MONEY),
            (6, 6, sum((p.bonus for p in people), start=type(result.base)(0)), b.MONEY),
            (7, 7, sum((p.total for p in people), start=type(result.base)(0)), b.MONEY)], bold=True)
    leaders = [p for p in r.people if dept_name in p.overseen]
    heads = [p.name for p in people if p.role == HEAD]
    blank = "________________"
    date = "日期：______年____月____日"
    s.text(f"制表人（签字）：{blank}　　{date}", minimum=26, gap=1)
    s.text(f"审核人（签字）：{blank}　　{date}", minimum=26)
    s.text(f"分管领导（签字）：{'、'.join(m.name for m in leaders)}　{blank}　　{date}", minimum=26)
    s.text(f"部门负责人（签字）：{'、'.join(heads)}　{blank}　　{date}", minimum=26)
    digest = _digest(ws)
    s.text(f"指纹（SHA-256）：{digest}　生成于 {generated:%Y-%m-%d %H:%M}", size=9, color="555555", gap=1)
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 1  # what is signed is on the page that is signed
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_area = f"A1:G{s.row}"
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = b.PAGE_SIDE
    ws.page_margins.top = ws.page_margins.bottom = b.PAGE_TOP
    ws.page_margins.header = ws.page_margins.footer = b.PAGE_HEADER
    ws.oddHeader.center.text = status.mark if status.draft else status_label(result.final)
    ws.oddHeader.center.size = 10
    ws.oddHeader.center.color = "C00000"
    ws.oddFooter.center.text = f"{dept_name} 考核结果确认表 · 第 &P 页 共 &N 页"
    ws.oddFooter.center.size = 9
    b.protect(ws)
    return wb, digest


def _digest(ws) -> str:
    h = hashlib.sha256()
    for line in ws.iter_rows():
        for cell in line:
            value = canonical(cell.value)
            if value:
                h.update(f"{cell.coordinate}\t{value}\n".encode())
    return h.hexdigest()


def signoff_name(year: int, dept_name: str) -> str:
    return f"{year}-{dept_name}-签字表.xlsx"


def write_signoffs(source: Path, outdir: Path, pdf: bool = True, replace: bool = True, draft: bool = False,
                   outcome: Outcome | None = None) -> list[tuple[Path, Path | None, str]]:
    """One .xlsx (and a PDF when LibreOffice is installed) per department, into `outdir` (made when
    missing). Never over the source; existing sheets are replaced (old ones to 备份/) only with `replace`.
    Refuses (exit 1) a workbook with errors unless `draft`, which marks every page 草稿（有N个错误，未经审定）."""
    from xl_appraisal.workbook.paths import check_output_folder, check_outputs

    outcome = outcome or evaluate(source)
    status = gate(outcome, "签字表", draft)
    book, _ = outcome.complete("生成签字表")
    check_output_folder(outdir, [source])
    names = [outdir / signoff_name(book.year, d.name) for d in book.policy.departments]
    check_outputs(names + ([p.with_suffix(".pdf") for p in names] if pdf and libreoffice() else []), [source],
                  replace=replace)
    outdir.mkdir(parents=True, exist_ok=True)
    generated = dt.datetime.now()
    written = []
    for dept in book.policy.departments:
        wb, digest = build_signoff(outcome, dept.name, generated, status)
        path = outdir / signoff_name(book.year, dept.name)
        buf = io.BytesIO()
        wb.save(buf)
        atomic_write(path, buf.getvalue())
        if pdf and path.with_suffix(".pdf").exists():
            make_backup(path.with_suffix(".pdf"))  # LibreOffice writes the PDF itself: keep the old one first
        written.append((path, to_pdf(path, outdir) if pdf else None, digest))
    return written
