"""Sign-off sheets (R6, 第三条第5款): each department's final scores and payouts, printed on one A4 page for
the signatures of its 分管领导 and 部门负责人, with a fingerprint of what was signed."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side

from xl_appraisal.engine.messages import status_label
from xl_appraisal.engine.model import HEAD
from xl_appraisal.engine.values import fmt
from xl_appraisal.export import canonical, libreoffice, to_pdf
from xl_appraisal.policy import ITEM_TOTAL
from xl_appraisal.service import Outcome, evaluate, text_height
from xl_appraisal.workbook import build as b
from xl_appraisal.workbook.build import put
from xl_appraisal.workbook.save import atomic_write, make_backup

LINE = Side(style="thin", color="333333")
BOX = Border(left=LINE, right=LINE, top=LINE, bottom=LINE)
WIDTHS = {"A": 7, "B": 44, "C": 8, "D": 9, "E": 9, "F": 11, "G": 11}


def _header(ws, row: int, labels: list[str]) -> None:
    for j, label in enumerate(labels):
        put(ws, row, 1 + j, label, font=Font(name=b.FONT, bold=True), border=BOX,
            alignment=Alignment(horizontal="center", vertical="center"), fill=b.COMPUTED_FILL)


def _row(ws, row: int, values: list, formats: dict[int, str] | None = None) -> None:
    for j, value in enumerate(values):
        put(ws, row, 1 + j, value, font=Font(name=b.FONT, size=10), border=BOX,
            alignment=Alignment(wrap_text=True, vertical="center"))
        if formats and j in formats:
            ws.cell(row, 1 + j).number_format = formats[j]


def build_signoff(outcome: Outcome, dept_name: str, generated: dt.datetime) -> tuple[Workbook, str]:
    book, r = outcome.complete("生成签字表")
    dept = book.policy.department(dept_name)
    result = r.department(dept_name)
    wb = Workbook()
    ws = wb.active
    ws.title = "签字表"
    ws.sheet_view.showGridLines = False
    for col, width in WIDTHS.items():
        ws.column_dimensions[col].width = width
    put(ws, 1, 1, f"{book.year}年度机关工作目标管理考核结果确认表", font=Font(name=b.FONT, size=15, bold=True))
    state = status_label(True) if result.final else f"{status_label(False)}（当前阶段：{result.stage}）"
    put(ws, 2, 1, f"考核对象：{dept_name}　　状态：{state}　　总分：{result.total:.2f}　　排名：第{result.rank}名（共{len(r.departments)}个部门）",
        font=Font(name=b.FONT, size=11))
    row = 4
    _header(ws, row, ["编号", "考核内容", "分值", "得分", "阶段"])
    used = {i.number: i for i in result.items}
    for item in dept.items:
        row += 1
        scored = used[item.number]
        _row(ws, row, [item.number, item.text, item.max_points, scored.value, scored.stage], {2: "0.##", 3: "0.00"})
        ws.row_dimensions[row].height = text_height(item.text, WIDTHS["B"], line=13)
    row += 1
    _row(ws, row, ["", "基础得分合计", ITEM_TOTAL, result.base, ""], {3: "0.00"})
    row += 2
    put(ws, row, 1, b.bonus_caption(book.policy), font=Font(name=b.FONT, bold=True))
    row += 1
    _header(ws, row, ["数量", "加分项目及说明", "", "计分", ""])
    bonus = book.tables[f"tblBonus_{dept.code}"]
    for number, values in bonus.rows:
        points = r.bonus_points.get((bonus.table.name, number))
        if points is None:
            continue
        row += 1
        label = f"{values.get('加分项目')}：{values.get('说明') or ''}".rstrip("：")
        _row(ws, row, [values.get("数量") or 1, label, "", points, ""], {3: "0.##"})
    row += 1
    _row(ws, row, ["", f"加分合计 {fmt(result.bonus_raw)}，计入 {fmt(result.bonus)}（封顶{fmt(book.policy.bonus_cap)}分）", "", result.bonus, ""], {3: "0.00"})
    row += 1
    _row(ws, row, ["", "年终目标考核总分", "", result.total, ""], {3: "0.00"})
    ws.cell(row, 2).font = ws.cell(row, 4).font = Font(name=b.FONT, bold=True)
    row += 2
    put(ws, row, 1, "本部门人员考勤津贴和目标管理奖金", font=Font(name=b.FONT, bold=True))
    row += 1
    _header(ws, row, ["姓名", "职务", "挂钩得分", "旷工天数", "考勤津贴", "目标管理奖金", "合计"])
    people = [p for p in r.people if p.department == dept_name]
    for p in people:
        row += 1
        _row(ws, row, [p.name, p.role, p.linked_score, p.absent_days, p.allowance, p.bonus, p.total],
             {2: "0.00", 3: "0.0", 4: b.MONEY, 5: b.MONEY, 6: b.MONEY})
    leaders = [p for p in r.people if dept_name in p.overseen]
    heads = [p.name for p in people if p.role == HEAD]
    row += 2
    put(ws, row, 1, f"分管领导（签字）：{'、'.join(m.name for m in leaders)}　________________　　日期：______年____月____日",
        font=Font(name=b.FONT, size=11))
    row += 2
    put(ws, row, 1, f"部门负责人（签字）：{'、'.join(heads)}　________________　　日期：______年____月____日",
        font=Font(name=b.FONT, size=11))
    digest = _digest(ws)
    row += 2
    put(ws, row, 1, f"指纹（SHA-256）：{digest}　生成于 {generated:%Y-%m-%d %H:%M}",
        font=Font(name=b.FONT, size=8, color="555555"))
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 1
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_area = f"A1:G{row}"
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.oddFooter.center.text = f"{dept_name} 考核结果确认表 · 第 &P 页 共 &N 页"
    ws.protection.sheet = True
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


def write_signoffs(source: Path, outdir: Path, pdf: bool = True,
                   replace: bool = True) -> list[tuple[Path, Path | None, str]]:
    """One .xlsx (and a PDF when LibreOffice is installed) per department, into `outdir` (made when
    missing). Never over the source; existing sheets are replaced (old ones to 备份/) only with `replace`."""
    from xl_appraisal.workbook.paths import check_output_folder, check_outputs

    outcome = evaluate(source)
    book, _ = outcome.complete("生成签字表")
    check_output_folder(outdir, [source])
    names = [outdir / signoff_name(book.year, d.name) for d in book.policy.departments]
    check_outputs(names + ([p.with_suffix(".pdf") for p in names] if pdf and libreoffice() else []), [source],
                  replace=replace)
    outdir.mkdir(parents=True, exist_ok=True)
    generated = dt.datetime.now()
    written = []
    for dept in book.policy.departments:
        wb, digest = build_signoff(outcome, dept.name, generated)
        path = outdir / signoff_name(book.year, dept.name)
        buf = io.BytesIO()
        wb.save(buf)
        atomic_write(path, buf.getvalue())
        if pdf and path.with_suffix(".pdf").exists():
            make_backup(path.with_suffix(".pdf"))  # LibreOffice writes the PDF itself: keep the old one first
        written.append((path, to_pdf(path, outdir) if pdf else None, digest))
    return written

