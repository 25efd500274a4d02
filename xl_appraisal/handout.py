"""Hand out and collect (第三条第1款): one self-scoring file per department, merged back into the master.

`split` writes `<部门>-自评.xlsx` (no macros) holding that department's items and bonus tables with the
master's headers; only 自评, 说明 and the bonus rows are unlocked. It carries a fingerprint of the
master's items (编号, 考核内容, 分值), the master's identity (its book id and the year) and, on a very
hidden sheet, the values it was split with (自评, 说明, bonus rows).

`collect` is a three-way merge of what was split (base), what the master holds now and what came back:
only what the department changed is merged; what the master changed since the split is kept; a cell both
changed differently is a conflict, reported, and the master wins unless `force`. Every merged change,
added or removed bonus row and changed 说明 is listed; returned 自评 values are checked like the engine
checks scores. A handout of another book or year is refused unless `force`. Never 评议, 调整, 审定 and
never another department.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.packaging.custom import StringProperty
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.table import Table as XlTable

from xl_appraisal.engine.scoring import check_score
from xl_appraisal.engine.values import Uncomputed, fmt, is_blank, normalize_text, parse_number
from xl_appraisal.errors import Refused, Unusable
from xl_appraisal.plan import AppendRows, CellWrite, Plan
from xl_appraisal.policy import Department
from xl_appraisal.workbook import build as b
from xl_appraisal.workbook import contract as c
from xl_appraisal.workbook.read import (
    Book,
    TableRows,
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
BOOK_PROP = "xl-appraisal-book"  # the master's id (c.BOOK_ID_PROP) the handout was split from
YEAR_PROP = "xl-appraisal-year"
BASE_SHEET = "分发原值"  # very hidden: what the handout was split with
BASE_ITEMS = c.Table(BASE_SHEET, "tblSplitItems", ("编号", "自评", "说明"))
BASE_BONUS = c.Table(BASE_SHEET, "tblSplitBonus", c.BONUS_INPUTS)


def items_fingerprint(dept: Department) -> str:
    h = hashlib.sha256()
    for item in dept.items:
        # the text as read before full-width punctuation was kept: handouts already out still match
        h.update(f"{item.number}\t{normalize_text(item.text)}\t{item.max_points.normalize():f}\n".encode())
    return h.hexdigest()


def handout_name(dept: Department) -> str:
    return f"{dept.name}-自评.xlsx"


# split -----------------------------------------------------------------------------------------------
def book_id(book: Book) -> str | None:
    """The master's id (custom document property), when it has one: read from the file, or from the open book
    in Excel (the live reader reads the property through Excel's object model)."""
    if book.properties is not None and c.BOOK_ID_PROP in book.properties:
        return book.properties[c.BOOK_ID_PROP] or None
    return custom_properties(book.data).get(c.BOOK_ID_PROP) if book.data is not None else None


def _base_sheet(wb: Workbook, rows: list[list], brows: list[list]) -> None:
    """The values the handout is split with, on a very hidden sheet, as two tables collect reads back."""
    ws = wb.create_sheet(BASE_SHEET)
    ws.sheet_state = "veryHidden"
    ws.protection.sheet = True
    for table, left, data in ((BASE_ITEMS, 1, rows), (BASE_BONUS, len(BASE_ITEMS.headers) + 2, brows)):
        for j, header in enumerate(table.headers):
            b.put(ws, 1, left + j, header)
        for i, values in enumerate(data):
            for j, value in enumerate(values):
                if value is not None:
                    b.put(ws, 2 + i, left + j, value)
        last_col = get_column_letter(left + len(table.headers) - 1)
        ws.add_table(XlTable(displayName=table.name, ref=f"{get_column_letter(left)}1:{last_col}{1 + max(len(data), 1)}"))


def build_handout(book: Book, dept: Department, due: str, contact: str, master_id: str | None = None) -> Workbook:
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
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        if font is None:  # the numbered lines: as tall as their wrapped text (the one measure)
            b.wrap_heights(guide, row, row, {1: 100})
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
    _base_sheet(wb, [[r[0], r[3], r[7]] for r in rows], brows)
    wb.active = 1
    wb.custom_doc_props.append(StringProperty(name=DEPT_PROP, value=dept.code))
    wb.custom_doc_props.append(StringProperty(name=ITEMS_PROP, value=items_fingerprint(dept)))
    wb.custom_doc_props.append(StringProperty(name=YEAR_PROP, value=str(book.year)))
    if master_id:
        wb.custom_doc_props.append(StringProperty(name=BOOK_PROP, value=master_id))
    wb.properties.created = dt.datetime(book.year, 12, 1)
    return wb


def split(book_path: Path, outdir: Path, due: str = "", contact: str = "", replace: bool = True, *,
          stamp: bool = False) -> list[Path]:
    """One handout per department into `outdir` (made when missing). Never over the master; an existing
    handout is replaced (the old one copied to 备份/) only with `replace` (the CLI's --force). `stamp`: a
    master made before books had an id gets one first (written to the master, with a backup); the ribbon,
    whose book is open in Excel, leaves it out (the handouts then carry the year only)."""
    from xl_appraisal.workbook.paths import check_output_folder, check_outputs

    book = require_book(read_book(book_path), "分发自评表")
    check_output_folder(outdir, [book_path])
    check_outputs([outdir / handout_name(d) for d in book.policy.departments], [book_path], replace=replace)
    master_id = book_id(book)
    if master_id is None and stamp:
        from xl_appraisal.workbook.sink import write_plan

        master_id = c.new_book_id()
        write_plan(book, Plan(properties={c.BOOK_ID_PROP: master_id}))
    outdir.mkdir(parents=True, exist_ok=True)
    written = []
    for dept in book.policy.departments:
        buf = io.BytesIO()
        build_handout(book, dept, due, contact, master_id).save(buf)
        path = outdir / handout_name(dept)
        atomic_write(path, buf.getvalue())
        written.append(path)
    return written


# collect ---------------------------------------------------------------------------------------------
@dataclass
class CollectReport:
    merged: list[str] = field(default_factory=list)  # department names
    refused: list[tuple[str, str]] = field(default_factory=list)  # (file, why)
    changes: list[str] = field(default_factory=list)  # every change merged into the master
    conflicts: list[str] = field(default_factory=list)  # both changed a cell differently: who won
    kept: list[str] = field(default_factory=list)  # what the master changed since the split, kept
    score_errors: list[str] = field(default_factory=list)  # returned 自评 values the score checks reject
    foreign: list[tuple[str, str]] = field(default_factory=list)  # (file, why): another book or year
    missing: list[str] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)  # values not merged: formulas without their result
    plan: Plan = field(default_factory=Plan)  # what merging writes into the master
    sources: dict[str, str] = field(default_factory=dict)  # department -> the file merged for it
    written: bool = False  # a file was written


def _same(a: object, b_: object) -> bool:
    return _canon(a) == _canon(b_)


def _canon(value: object) -> str:
    """A value as compared: blank is blank, 28 and 28.0 and “28” are one number, text is normalized."""
    if is_blank(value):
        return ""
    number, _ = parse_number(value)
    if number is not None:
        return f"n:{number.normalize():f}"
    return "t:" + normalize_text(value)


def _show(value: object) -> str:
    if is_blank(value):
        return "（空）"
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return fmt(Decimal(str(value)))
    return f"“{value}”"


def _bonus_text(row: list) -> str:
    kind, count, points, note = (list(row) + [None] * 4)[:4]
    parts = [f"“{kind}”" if not is_blank(kind) else "（未填加分项目）"]
    if not is_blank(count):
        parts.append(f"×{_show(count)}")
    if not is_blank(points):
        parts.append(f"，酌定{_show(points)}分")
    if not is_blank(note):
        parts.append(f"，说明“{note}”")
    return "".join(parts)


class HandoutRefused(Refused):
    """A returned handout that cannot be merged; the message says why."""


class HandoutForeign(HandoutRefused):
    """A handout split from another workbook or year (or too old to tell): refused unless forced."""


@dataclass
class Returned:
    dept: Department
    items: TableRows | None  # None only in tests of the bonus merge
    bonus: TableRows
    base_items: dict[str, dict] | None  # 编号 -> {自评, 说明} as split; None: an old handout without them
    base_bonus: list[list] | None
    foreign: str = ""  # why it looks like another book's or year's (merged only when forced)


def _returned(path: Path, book: Book) -> Returned:
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
        master_item = master.get(number)
        if master_item is None:
            raise HandoutRefused(f"多出了第{number}项，与总表不符")
        item = master_item
        if points != item.max_points:
            raise HandoutRefused(f"第{number}项的分值被改为{points}（总表为{item.max_points}），不能回收")
        if text != normalize_text(item.text):
            raise HandoutRefused(f"第{number}项的考核内容被改动，与总表不符")
    if props.get(ITEMS_PROP) != items_fingerprint(dept):
        raise HandoutRefused("考核项目指纹与总表不符（总表的考核项目可能已修改），请重新分发")
    base_items = base_bonus = None
    if BASE_ITEMS.name in found and BASE_BONUS.name in found:
        try:
            bi = read_table(found, BASE_ITEMS)
            bb = read_table(found, BASE_BONUS)
        except WorkbookUnusable as exc:
            raise HandoutRefused(f"分发时的原值已损坏（{exc}）") from exc
        base_items = {normalize_text(v.get("编号")): v for _, v in bi.rows}
        base_bonus = [[v.get(h) for h in c.BONUS_INPUTS] for _, v in bb.rows if has_values(v, c.BONUS_INPUTS)]
    year, their_id, our_id = props.get(YEAR_PROP), props.get(BOOK_PROP), book_id(book)
    foreign = ""
    if year is None or base_items is None:
        foreign = "没有分发时的工作簿标识和原值（旧版本分发的自评表），无法判断总表在分发后改过什么"
    elif year != str(book.year):
        foreign = f"是{year}年度的自评表，本工作簿是{book.year}年度"
    elif their_id and our_id and their_id != our_id:
        foreign = "是从另一个考核工作簿分发的（工作簿标识不同）"
    return Returned(dept, items, bonus, base_items, base_bonus, foreign)


def plan_collect(read: Book | Unreadable, files: list[Path], *, force: bool = False) -> CollectReport:
    """What merging the returned handouts into the master writes (report.plan), and the report.
    `force`: merge a handout of another book or year too, and let the department's value win a conflict."""
    book = require_book(read, "回收自评表")
    report = CollectReport()
    done: set[str] = set()
    for path in files:
        name = Path(path).name
        try:
            got = _returned(Path(path), book)
        except HandoutRefused as why:
            report.refused.append((name, str(why)))
            continue
        dept = got.dept
        if got.foreign and not force:
            report.foreign.append((name, got.foreign))
            report.refused.append((name, f"{got.foreign}；确认无误可加 --force 回收"))
            continue
        if dept.name in done:
            report.refused.append((name, f"{dept.name}已由前面的文件回收，本文件未使用"))
            continue
        done.add(dept.name)
        if got.foreign:
            report.changes.append(f"{dept.name}：{got.foreign}，已按 --force 回收（交回的值为准）")
        _merge_items(report, book, got, name, force)
        formulas = [f"{col}{row}" for row, v in got.bonus.rows for h, col in got.bonus.columns.items()
                    if isinstance(v.get(h), Uncomputed)]
        if formulas:
            report.unreadable.append(f"{name}：{dept.name}加分表{'、'.join(formulas)}是没有计算结果的公式，"
                                     f"加分表未合并，总表原样保留；{FORMULA_HINT}")
        else:
            _merge_bonus(report, book, got)
        report.merged.append(dept.name)
        report.sources[dept.name] = f"collect：{Path(path).name}"
    report.missing = [d.name for d in book.policy.departments if d.name not in done]
    if report.plan:  # 变更记录: each merged cell, with the file it came from
        from xl_appraisal.tracking import record

        report.plan.extend(record(book, report.plan, "collect", report.sources))
    return report


def _merge_items(report: CollectReport, book: Book, got: Returned, file_name: str, force: bool) -> None:
    dept = got.dept
    master = book.tables[f"tblItems_{dept.code}"]
    master_rows = {normalize_text(v.get("编号")): (row, v) for row, v in master.rows}
    max_points = {i.number: i.max_points for i in dept.items}
    for _, v in got.items.rows if got.items is not None else []:
        number = normalize_text(v.get("编号"))
        row, now = master_rows[number]
        for header in ("自评", "说明"):
            theirs, ours = v.get(header), now.get(header)
            if isinstance(theirs, Uncomputed):  # never read as blank: the master's value stays
                report.unreadable.append(f"{file_name}：{dept.name}第{number}项{header}“{theirs}”"
                                         f"是没有计算结果的公式，未合并，总表原值保留；{FORMULA_HINT}")
                continue
            base = ours if got.base_items is None else got.base_items.get(number, {}).get(header)
            where = f"{dept.name}第{number}项{header}"
            if header == "自评" and not is_blank(theirs):
                _, problem, _ = check_score(theirs, max_points[number], book.policy)
                if problem:
                    report.score_errors.append(f"{where}：{problem}（{file_name}）")
            if _same(theirs, base):  # the department left it: whatever the master has now stays
                if not _same(ours, base):
                    report.kept.append(f"{where}：总表分发后改为{_show(ours)}，部门未改，保留总表")
                continue
            if _same(theirs, ours):
                continue  # both made the same change
            if not _same(ours, base):
                report.conflicts.append(
                    f"{where}：分发时为{_show(base)}，总表之后改为{_show(ours)}，部门填为{_show(theirs)}；"
                    + ("已按部门的值合并（--force）" if force else "保留总表的值（以部门为准请加 --force 再回收）"))
                if not force:
                    continue
            report.plan.cells.append(CellWrite(dept.name, f"{master.columns[header]}{row}", theirs))
            report.changes.append(f"{where}：{_show(ours)} → {_show(theirs)}")


def _merge_bonus(report: CollectReport, book: Book, got: Returned) -> None:
    """Bonus rows have no key: a row is its values. Rows the department added are added, rows it removed
    are removed; rows the master added or removed since the split stay as the master has them. Rows that
    stay never move; added rows take blank rows of the table first, then grow it (below its last row)."""
    dept = got.dept
    master = book.tables[f"tblBonus_{dept.code}"]
    now = [(row, [v.get(h) for h in c.BONUS_INPUTS]) for row, v in master.rows if has_values(v, c.BONUS_INPUTS)]
    theirs = [[v.get(h) for h in c.BONUS_INPUTS] for _, v in got.bonus.rows if has_values(v, c.BONUS_INPUTS)]
    base = got.base_bonus if got.base_bonus is not None else [values for _, values in now]

    def key(values: list) -> tuple:
        return tuple(_canon(x) for x in values)

    added = Counter(map(key, theirs)) - Counter(map(key, base))
    removed = Counter(map(key, base)) - Counter(map(key, theirs))
    master_added = Counter(key(v) for _, v in now) - Counter(map(key, base))
    freed: list[int] = []
    for row, values in now:
        k = key(values)
        if removed[k] > 0:
            removed[k] -= 1
            freed.append(row)
            for header in c.BONUS_INPUTS:
                report.plan.cells.append(CellWrite(dept.name, f"{master.columns[header]}{row}", None))
            report.changes.append(f"{dept.name}加分：删除{_bonus_text(values)}")
    for n in removed.values():
        for _ in range(n):
            report.kept.append(f"{dept.name}加分：部门删除了分发时的一行，总表中已没有这一行（总表分发后已改动），未再删除")
    first = master.header_row + 1
    last = split_ref(master.ref)[3]
    used = {row for row, _ in now}
    blank = sorted(set(freed) | {r for r in range(first, last + 1) if r not in used})
    extra = []
    for values in theirs:
        k = key(values)
        if added[k] <= 0:
            continue
        added[k] -= 1
        if master_added[k] > 0:  # the master added the same row since the split
            master_added[k] -= 1
            continue
        report.changes.append(f"{dept.name}加分：新增{_bonus_text(values)}")
        if blank:
            row = blank.pop(0)
            for header, value in zip(c.BONUS_INPUTS, values, strict=True):
                report.plan.cells.append(CellWrite(dept.name, f"{master.columns[header]}{row}", value))
        else:
            extra.append(values)
    for row, values in now:
        if row not in freed and got.base_bonus is not None and master_added[key(values)] > 0:
            master_added[key(values)] -= 1
            report.kept.append(f"{dept.name}加分：总表分发后新增的{_bonus_text(values)}，保留")
    if extra:
        start = max([last, *used]) + 1
        report.plan.appends.append(AppendRows(f"tblBonus_{dept.code}", extra, start))


def collect(book_path: Path, files: list[Path], out: Path | None = None, *, force: bool = False) -> CollectReport:
    """Merge the returned handouts into the master. A handout of another book or year stops the whole
    command (exit 2, nothing written) unless `force`: the same file name comes back every year."""
    from xl_appraisal.workbook.sink import write_plan

    book = require_book(read_book(book_path), "回收自评表")
    report = plan_collect(book, files, force=force)
    if report.foreign:
        raise Unusable("交回的自评表中有不属于本工作簿的文件，本次未回收任何文件：" + "；".join(
            f"{name}{why}" for name, why in report.foreign) + "。确认无误可加 --force")
    if report.plan:
        report.written = write_plan(book, report.plan, out)
    return report
