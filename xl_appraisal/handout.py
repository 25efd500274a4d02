"""Hand out and collect (第三条第1款): one self-scoring file per department, merged back into the master.

`split` writes `<部门>-自评.xlsx` (no macros) holding that department's items and bonus tables with the
master's headers; only 自评, 说明 and the bonus rows are unlocked. It carries a fingerprint of the
master's items (编号, 考核内容, 分值). `collect` checks a returned file against the master and copies in
自评, 说明 and the bonus rows — never 评议, 调整, 审定 and never another department.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl import Workbook
from openpyxl.packaging.custom import StringProperty
from openpyxl.styles import Alignment, Font
from openpyxl.workbook.defined_name import DefinedName

from xl_appraisal.engine.values import Uncomputed, is_blank, normalize_text, parse_number
from xl_appraisal.errors import Refused
from xl_appraisal.plan import AppendRows, CellWrite, Plan
from xl_appraisal.policy import Department
from xl_appraisal.workbook import build as b
from xl_appraisal.workbook import contract as c
from xl_appraisal.workbook.read import (
    Book,
    Unreadable,
    WorkbookUnusable,
    check_package,
    has_values,
    read_book,
    read_table,
    require_book,
)
from xl_appraisal.workbook.save import atomic_write
from xl_appraisal.workbook.write import split_ref
from xl_appraisal.workbook.xlsx import custom_properties, read_tables

FORMULA_HINT = "请部门用 Excel 或 WPS 打开自评表保存一次后再交回，或直接填写数值"
DEPT_PROP = "xl-appraisal-department"
ITEMS_PROP = "xl-appraisal-items"


def items_fingerprint(dept: Department) -> str:
    h = hashlib.sha256()
    for item in dept.items:
        # the text as read before full-width punctuation was kept: handouts already out still match
        h.update(f"{item.number}\t{normalize_text(item.text)}\t{item.max_points.normalize():f}\n".encode())
    return h.hexdigest()


def handout_name(dept: Department) -> str:
    return f"{dept.name}-自评.xlsx"


# split -----------------------------------------------------------------------------------------------
def build_handout(book: Book, dept: Department, due: str, contact: str) -> Workbook:
    wb = Workbook()
    guide = wb.active
    guide.title = "说明"
    guide.sheet_view.showGridLines = False
    guide.column_dimensions["A"].width = 100
    texts = [
        (f"{book.year}年度目标考核 · {dept.name}自评表", Font(name=b.FONT, size=16, bold=True, color="1F5C7A")),
        (f"1. 在“{dept.name}”工作表黄色的“自评”栏逐项填写得分（0 至该项分值），需要时在“说明”栏写明理由。", None),
        (f"2. 本部门获得的加分{book.policy.cite('bonus')}填在右侧加分表：从下拉列表选加分项目，填数量；"
         f"{b.discretionary(book.policy)}另填酌定分值和说明。", None),
        ("3. 编号、考核内容、分值来自考核办法，已保护，请勿改动；改动后的文件将无法回收。", None),
        (f"4. 请于{due or '规定时间'}前将本文件（不要改文件名）交回{contact or '考核领导小组办公室'}。", None),
    ]
    row = 1
    for i, (text, font) in enumerate(texts):
        cell = guide.cell(row, 1, text)
        cell.font = font or Font(name=b.FONT, size=11)
        cell.alignment = Alignment(wrap_text=True)
        row += 2 if i == 0 else 1
    items = book.tables[f"tblItems_{dept.code}"]
    by_number = {normalize_text(v.get("编号")): v for _, v in items.rows}
    rows = [[i.number, i.text, float(i.max_points), by_number.get(i.number, {}).get("自评"), None, None, None,
             by_number.get(i.number, {}).get("说明")] for i in dept.items]
    bonus = book.tables[f"tblBonus_{dept.code}"]
    brows = [[v.get(h) for h in c.BONUS_INPUTS] for _, v in bonus.rows if has_values(v, c.BONUS_INPUTS)]
    ws = wb.create_sheet(dept.name)
    lists = wb.create_sheet("列表")
    for i, kind in enumerate(book.policy.bonus_kinds):
        lists.cell(1 + i, 1, kind.label)
    lists.sheet_state = "hidden"
    wb.defined_names[b.BONUS_KIND_LIST] = DefinedName(b.BONUS_KIND_LIST,
                                                      attr_text=f"'列表'!$A$1:$A${len(book.policy.bonus_kinds)}")
    b.department_sheet(ws, book.policy, dept, rows, brows, open_stages=("自评",),
                       title=f"{dept.name} · 年终目标考核自评",
                       hint="只填黄色格：自评（0至分值）和说明；右侧填加分。评议、调整、审定由考核办填写。")
    wb.active = 1
    wb.custom_doc_props.append(StringProperty(name=DEPT_PROP, value=dept.code))
    wb.custom_doc_props.append(StringProperty(name=ITEMS_PROP, value=items_fingerprint(dept)))
    wb.properties.created = dt.datetime(book.year, 12, 1)
    return wb


def split(book_path: Path, outdir: Path, due: str = "", contact: str = "", replace: bool = True) -> list[Path]:
    """One handout per department into `outdir` (made when missing). Never over the master; an existing
    handout is replaced (the old one copied to 备份/) only with `replace` (the CLI's --force)."""
    from xl_appraisal.workbook.paths import check_output_folder, check_outputs

    book = require_book(read_book(book_path), "分发自评表")
    check_output_folder(outdir, [book_path])
    check_outputs([outdir / handout_name(d) for d in book.policy.departments], [book_path], replace=replace)
    outdir.mkdir(parents=True, exist_ok=True)
    written = []
    for dept in book.policy.departments:
        buf = io.BytesIO()
        build_handout(book, dept, due, contact).save(buf)
        path = outdir / handout_name(dept)
        atomic_write(path, buf.getvalue())
        written.append(path)
    return written


# collect ---------------------------------------------------------------------------------------------
@dataclass
class CollectReport:
    merged: list[str] = field(default_factory=list)  # department names
    refused: list[tuple[str, str]] = field(default_factory=list)  # (file, why)
    changes: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)  # values not merged: formulas without their result
    plan: Plan = field(default_factory=Plan)  # what merging writes into the master
    sources: dict[str, str] = field(default_factory=dict)  # department -> the file merged for it
    written: bool = False  # a file was written


def _same(a: object, b_: object) -> bool:
    if is_blank(a) and is_blank(b_):
        return True
    na, _ = parse_number(a)
    nb, _ = parse_number(b_)
    if na is not None and nb is not None:
        return na == nb
    return normalize_text(a) == normalize_text(b_)


class HandoutRefused(Refused):
    """A returned handout that cannot be merged; the message says why."""


def _returned(path: Path, book: Book) -> tuple[Department, dict]:
    """Read a returned file; raises HandoutRefused(why) when it must be refused."""
    try:
        check_package(path)
        props = custom_properties(path)
        found = read_tables(path)
    except WorkbookUnusable as exc:
        raise HandoutRefused(str(exc)) from exc
    except (OSError, KeyError, ValueError, SyntaxError, zipfile.BadZipFile) as exc:  # damaged: refused
        raise HandoutRefused(f"无法读取（{type(exc).__name__}）") from exc
    code = props.get(DEPT_PROP)
    if not code:
        raise HandoutRefused("不是本工具分发的自评表（没有部门标记）")
    dept = next((d for d in book.policy.departments if d.code == code), None)
    if dept is None:
        raise HandoutRefused(f"所属部门（{code}）不在本工作簿中")
    try:
        items = read_table(found, c.items_table(dept.name, code))
        bonus = read_table(found, c.bonus_table(dept.name, code), extend=True)
    except WorkbookUnusable as exc:
        raise HandoutRefused(str(exc)) from exc
    returned = [(normalize_text(v.get("编号")), normalize_text(v.get("考核内容")), parse_number(v.get("分值"))[0])
                for _, v in items.rows]
    master = {i.number: i for i in dept.items}
    numbers = [r[0] for r in returned]
    for item in dept.items:
        if item.number not in numbers:
            raise HandoutRefused(f"第{item.number}项被删除，与总表不符")
    for number, text, points in returned:
        item = master.get(number)
        if item is None:
            raise HandoutRefused(f"多出了第{number}项，与总表不符")
        if points != item.max_points:
            raise HandoutRefused(f"第{number}项的分值被改为{points}（总表为{item.max_points}），不能回收")
        if text != normalize_text(item.text):
            raise HandoutRefused(f"第{number}项的考核内容被改动，与总表不符")
    if props.get(ITEMS_PROP) != items_fingerprint(dept):
        raise HandoutRefused("考核项目指纹与总表不符（总表的考核项目可能已修改），请重新分发")
    return dept, {"items": items, "bonus": bonus}


def plan_collect(read: Book | Unreadable, files: list[Path]) -> CollectReport:
    """What merging the returned handouts into the master writes (report.plan), and the report."""
    book = require_book(read, "回收自评表")
    report = CollectReport()
    done: set[str] = set()
    for path in files:
        try:
            dept, got = _returned(Path(path), book)
        except HandoutRefused as why:
            report.refused.append((Path(path).name, str(why)))
            continue
        if dept.name in done:
            report.refused.append((Path(path).name, f"{dept.name}已由前面的文件回收，本文件未使用"))
            continue
        done.add(dept.name)
        master = book.tables[f"tblItems_{dept.code}"]
        master_rows = {normalize_text(v.get("编号")): (row, v) for row, v in master.rows}
        for _, v in got["items"].rows:
            number = normalize_text(v.get("编号"))
            row, old = master_rows[number]
            for header in ("自评", "说明"):
                if isinstance(v.get(header), Uncomputed):  # never read as blank: the master's value stays
                    report.unreadable.append(f"{Path(path).name}：{dept.name}第{number}项{header}“{v.get(header)}”"
                                             f"是没有计算结果的公式，未合并，总表原值保留；{FORMULA_HINT}")
                    continue
                if not _same(old.get(header), v.get(header)):
                    report.plan.cells.append(CellWrite(dept.name, f"{master.columns[header]}{row}", v.get(header)))
                    if header == "自评" and not is_blank(old.get(header)):
                        report.changes.append(f"{dept.name}第{number}项自评：{old.get(header)} → {v.get(header)}")
        formulas = [f"{col}{row}" for row, v in got["bonus"].rows for h, col in got["bonus"].columns.items()
                    if isinstance(v.get(h), Uncomputed)]
        if formulas:
            report.unreadable.append(f"{Path(path).name}：{dept.name}加分表{'、'.join(formulas)}是没有计算结果的公式，"
                                     f"加分表未合并，总表原样保留；{FORMULA_HINT}")
        else:
            _plan_bonus(report, book, dept, got["bonus"])
        report.merged.append(dept.name)
        report.sources[dept.name] = f"collect：{Path(path).name}"
    report.missing = [d.name for d in book.policy.departments if d.name not in done]
    if report.plan:  # 变更记录: each merged cell, with the file it came from
        from xl_appraisal.tracking import record

        report.plan.extend(record(book, report.plan, "collect", report.sources))
    return report


def _plan_bonus(report: CollectReport, book: Book, dept: Department, returned) -> None:
    """The returned bonus rows replace the master's, row by row; more rows grow the master's table."""
    master = book.tables[f"tblBonus_{dept.code}"]
    new_rows = [[v.get(h) for h in c.BONUS_INPUTS] for _, v in returned.rows if has_values(v, c.BONUS_INPUTS)]
    first = master.header_row + 1
    last = split_ref(master.ref)[3]
    old = {row: v for row, v in master.rows}
    for i in range(max(last - first + 1, 0)):
        row = first + i
        values = new_rows[i] if i < len(new_rows) else [None] * len(c.BONUS_INPUTS)
        for header, value in zip(c.BONUS_INPUTS, values, strict=True):
            if not _same(old.get(row, {}).get(header), value):
                report.plan.cells.append(CellWrite(dept.name, f"{master.columns[header]}{row}", value))
    extra = new_rows[max(last - first + 1, 0):]
    if extra:
        report.plan.appends.append(AppendRows(f"tblBonus_{dept.code}", extra, last + 1))


def collect(book_path: Path, files: list[Path], out: Path | None = None) -> CollectReport:
    from xl_appraisal.workbook.sink import write_plan

    book = require_book(read_book(book_path), "回收自评表")
    report = plan_collect(book, files)
    if report.plan:
        report.written = write_plan(book, report.plan, out)
    return report
