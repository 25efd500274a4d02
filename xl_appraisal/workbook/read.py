"""Read a workbook file into the engine's plain inputs (openpyxl reader style: named steps, and a
failure says which step failed and why, in one Chinese sentence).

Steps: open the package safely -> find the contract tables -> read the policy (参数 + department
tables) -> read the people, scores, bonuses, attendance, leave and calendar.
"""

from __future__ import annotations

import io
import os
import zipfile
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import Any, cast

from xl_appraisal.engine.issues import ERROR, WARNING, Issue, Source, first_at_cells
from xl_appraisal.engine.model import (
    AttendanceEvent,
    BonusEntry,
    CalendarDay,
    Inputs,
    ItemScore,
    Leave,
    Person,
)
from xl_appraisal.engine.values import Uncomputed, is_blank, normalize_text, parse_number, shown, uncomputed_message
from xl_appraisal.errors import Refused, Unusable
from xl_appraisal.policy import BonusKind, Clause, Department, Item, Param, Policy, build_policy, load_policy
from xl_appraisal.workbook import contract as c
from xl_appraisal.workbook.ooxml import col_letters, split_ref
from xl_appraisal.workbook.port import RawTable

MAX_UNCOMPRESSED = 300 * 1024 * 1024  # a year's workbook is a few MB; more is a zip bomb
MAX_RATIO = 200  # uncompressed/compressed for any one part
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


class WorkbookUnusable(Unusable):
    """The file cannot be used at all (exit 2). str() is one Chinese sentence for the user."""


@dataclass
class TableRows:
    """One contract table as read: its place and its non-blank data rows (header -> raw value)."""

    table: c.Table
    sheet: str
    ref: str
    header_row: int
    columns: dict[str, str]  # header -> column letter
    rows: list[tuple[int, dict[str, object]]] = field(default_factory=list)

    def source(self, row: int) -> Source:
        number = str(row)
        return Source(self.sheet, {h: col + number for h, col in self.columns.items()})


@dataclass
class Book:
    """A workbook read completely: its policy, the engine's inputs, the tables they came from."""

    path: Path
    year: int
    policy: Policy
    inputs: Inputs
    tables: dict[str, TableRows]
    issues: list[Issue]
    data: bytes | None = None  # the package bytes this book was read from (None for a live Excel book)
    raw: dict[str, RawTable] = field(default_factory=dict)  # every table as read (变更记录 reads its own)
    properties: dict[str, str] | None = None  # custom document properties (None: this client cannot read them)
    modified_by: str = ""  # who saved the file last (docProps/core.xml), or the live Excel user


@dataclass
class Unreadable:
    """A workbook whose 参数 or 考核项目 could not be read: nothing can be computed, only its issues
    (at their cells) and the tables found are known. Never a half-filled Book."""

    path: Path
    year: int
    tables: dict[str, TableRows]
    issues: list[Issue]
    data: bytes | None = None


def require_book(book: Book | Unreadable, doing: str) -> Book:
    """The complete book, or a refusal saying what could not be done and where to look."""
    if isinstance(book, Unreadable):
        raise Refused(f"工作簿的参数或考核项目有错误，无法{doing}；请先运行 check（或点“校验”）并按“校验”表改正")
    return book


def read_bytes(path: Path) -> bytes:
    """The file's bytes, read once; every later step works on them (no second read can see another version)."""
    if not path.exists():
        raise WorkbookUnusable(f"找不到文件：{path}")
    if path.is_dir():
        raise WorkbookUnusable(f"{path} 是文件夹，不是工作簿文件")
    try:
        return path.read_bytes()
    except OSError as exc:
        raise WorkbookUnusable(f"{path.name} 无法读取（{exc.strerror or type(exc).__name__}）") from exc


def check_package(path: Path, data: bytes | None = None) -> bytes:
    """Step 1: is this a workbook we may open? (missing, folder, encrypted, not a zip, bombs). Returns its bytes."""
    if data is None:
        data = read_bytes(path)
    if data[:8] == OLE_MAGIC:
        raise WorkbookUnusable(f"{path.name} 是加密的工作簿或旧版 .xls 文件：请在 Excel 中取消密码并另存为 .xlsm 或 .xlsx")
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise WorkbookUnusable(f"{path.name} 不是 Excel 工作簿（.xlsm/.xlsx），无法读取")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            _check_parts(path, z)
    except zipfile.BadZipFile as exc:
        raise WorkbookUnusable(f"{path.name} 已损坏，无法作为工作簿打开（{exc}）") from exc
    return data


def _check_parts(path: Path, z: zipfile.ZipFile) -> None:
    """A workbook's parts: the main part is there, the sizes are sane (zip bomb), no DTD (XML bomb)."""
    infos = z.infolist()
    if "xl/workbook.xml" not in {i.filename for i in infos}:
        raise WorkbookUnusable(f"{path.name} 是压缩包，但不是 Excel 工作簿")
    total = sum(i.file_size for i in infos)
    worst = max((i.file_size / max(i.compress_size, 1) for i in infos), default=0)
    if total > MAX_UNCOMPRESSED or worst > MAX_RATIO and total > 20 * 1024 * 1024:
        raise WorkbookUnusable(f"{path.name} 解压后过大（{total // (1024 * 1024)} MB），疑似异常文件，已拒绝读取")
    for info in infos:
        if info.filename.endswith((".xml", ".rels")):
            with z.open(info) as fh:
                prolog = fh.read(4096)
            if b"<!DOCTYPE" in prolog or b"<!ENTITY" in prolog:  # no Office part has a DTD: an XML bomb
                raise WorkbookUnusable(f"{path.name} 含有不安全的 XML 内容（{info.filename}），已拒绝读取")


def read_table(found: dict[str, RawTable], table: c.Table, extend: bool = False, anywhere: bool = False) -> TableRows:
    """Rows of one contract table. `extend`: also rows typed just below the table's end (another tool
    may append rows without resizing the table). `anywhere`: the contract's columns may stand anywhere
    among columns a person added (a computed table, written by header name: a 签收 column inserted
    before 计算依据); otherwise they must come first, in order (an input table)."""
    if table.name not in found:
        raise WorkbookUnusable(f"工作簿缺少表格 {table.name}（应在“{table.sheet}”工作表），不是本工具的考核工作簿或表格被删除")
    raw = found[table.name]
    min_col, min_row, _, max_row = split_ref(raw.ref)
    headers = [normalize_text(v) for v in raw.rows[0][1]] if raw.rows else []
    expected = list(table.headers)
    fits = all(headers.count(h) == 1 for h in expected) if anywhere else headers[: len(expected)] == expected
    if not fits:
        raise WorkbookUnusable(
            f"“{raw.sheet}”工作表的表格 {table.name} 表头应为 {'、'.join(expected)}，现为 {'、'.join(h for h in headers if h)}"
        )
    columns = {h: col_letters(min_col + j) for j, h in enumerate(headers) if h}
    out = TableRows(table, raw.sheet, raw.ref.replace("$", ""), min_row, columns)
    for row, values in raw.rows[1:]:
        if row > max_row and not extend:
            break
        if not all(is_blank(v) for v in values):
            out.rows.append((row, dict(zip(headers, values, strict=False))))
    return out


def has_values(row: dict[str, object], headers: tuple[str, ...]) -> bool:
    """Whether a person typed anything in these columns of a row."""
    return any(not is_blank(row.get(h)) for h in headers)


def _cell(tr: TableRows, row: int, header: str) -> Source:
    return Source(tr.sheet, {"值": f"{tr.columns.get(header, '')}{row}"})


def _as_written(raw: object) -> str:
    """Text of the policy (考核内容, 依据, 条款) as its author wrote it: full-width punctuation kept, so
    that a workbook's policy equals the file it was built from."""
    return "" if raw is None else str(raw).strip()


def _unit_and_clause(note: str, default_unit: str) -> tuple[str, str]:
    """A 参数 row's 说明 is "unit；clause" (or just the clause when the parameter has no unit)."""
    for sep in ("；", ";"):
        if sep in note:
            unit, clause = note.rsplit(sep, 1)
            return unit.strip(), clause.strip()
    return ("" if note else default_unit), note.strip()


def read_policy(found: dict[str, RawTable]) -> tuple[int, Policy | None, list[Issue], dict[str, TableRows]]:
    """Step 4: the workbook's own rules: 参数, 加分项目 and each department's items."""
    issues: list[Issue] = []
    ptab = read_table(found, c.POLICY)
    ktab = read_table(found, c.BONUS_KINDS)
    bundled = load_policy()
    default = {p.name: p for p in bundled.params}  # to read a 参数 table without the 键 column
    default_key = {p.key: p for p in bundled.params}
    default_clause = {k.key: k for k in bundled.clauses}
    by_clause_name = {k.name: c.CLAUSE_PREFIX + k.key for k in bundled.clauses}
    meta_by_name = {v: k for k, v in c.META_KEYS.items()}
    params: list[Param] = []
    clauses: dict[str, Clause] = {}
    values: dict[str, object] = {}
    where: dict[str, Source] = {}
    meta: dict[str, object] = {}
    for row, r in ptab.rows:
        name = normalize_text(r.get("参数"))
        key = normalize_text(r.get("键")) or (default[name].key if name in default else
                                              meta_by_name.get(name, by_clause_name.get(name, "")))
        if key in c.META_KEYS:
            meta[key] = r.get("值")
            continue
        if key.startswith(c.CLAUSE_PREFIX):
            ckey = key.removeprefix(c.CLAUSE_PREFIX)
            base_clause = default_clause.get(ckey)
            clauses[ckey] = Clause(ckey, name, _as_written(r.get("值")), base_clause.rule if base_clause else "")
            continue
        if not key:
            issues.append(Issue(WARNING, ptab.sheet, f"{ptab.columns['参数']}{row}", f"参数{shown(r.get('参数'))}无法识别，未使用"))
            continue
        base = default_key.get(key) or default.get(name)
        unit, note = _unit_and_clause(str(r.get("说明") or ""), base.unit if base else "")
        params.append(Param(key, name, "" if r.get("值") is None else str(r.get("值")), unit,
                            note, base.rule if base else ""))
        values[key] = "" if r.get("值") is None else r.get("值")
        where[key] = _cell(ptab, row, "值")
    year_value, _ = parse_number(meta.get("year"))
    year = int(year_value) if year_value is not None else 0
    if not year:
        issues.append(Issue(ERROR, ptab.sheet, "", "参数表缺少“考核年度”或其值不是年份"))
    kinds = []
    for row, r in ktab.rows:
        label = normalize_text(r.get("加分项目"))
        points, _ = (None, False) if is_blank(r.get("单项分值")) else parse_number(r.get("单项分值"), unit="分")
        if points is None and not is_blank(r.get("单项分值")):
            issues.append(Issue(ERROR, ktab.sheet, f"{ktab.columns['单项分值']}{row}", f"加分项目{shown(r.get('加分项目'))}的分值不是数字"))
            continue
        kinds.append(BonusKind(label, points, _as_written(r.get("依据"))))
        where[f"kind:{label}"] = Source(ktab.sheet, {"加分项目": f"{ktab.columns['加分项目']}{row}",
                                                    "单项分值": f"{ktab.columns['单项分值']}{row}"})
    departments = []
    item_tables: dict[str, TableRows] = {}
    for name, raw in sorted(found.items(), key=lambda kv: kv[1].sheet_index):
        if name.startswith("tblItems_"):
            code = name.removeprefix("tblItems_")
            sheet = raw.sheet
            tr = read_table(found, c.items_table(sheet, code))
            item_tables[sheet] = tr
            items = []
            for row, r in tr.rows:
                points, _ = parse_number(r.get("分值"))
                if points is None:
                    issues.append(Issue(ERROR, tr.sheet, f"{tr.columns['分值']}{row}", "分值不是数字"))
                    points = Decimal(0)
                items.append(Item(normalize_text(r.get("编号")), _as_written(r.get("考核内容")), points))
            departments.append(Department(code, sheet, tuple(items)))
            where[f"dept:{sheet}"] = Source(tr.sheet, {"分值": f"{tr.columns['分值']}{tr.header_row + 1}"})
    for key, base_clause in default_clause.items():  # a workbook made before clauses were carried
        clauses.setdefault(key, base_clause)
    policy, problems = build_policy(
        {"id": meta.get("policy_id", ""), "title": meta.get("policy_title", ""), "year": year},
        params, values, kinds, departments, where, clauses=list(clauses.values()),
    )
    rules = [(ptab, ptab.columns), (ktab, ktab.columns)]
    rules += [(tr, {h: tr.columns[h] for h in ("编号", "考核内容", "分值")}) for tr in item_tables.values()]
    formulas = [Issue(ERROR, tr.sheet, f"{col}{row}", uncomputed_message(cast(Uncomputed, r[h])))
                for tr, columns in rules for row, r in tr.rows for h, col in columns.items()
                if isinstance(r.get(h), Uncomputed)]
    return year, policy, first_at_cells(formulas, issues + problems), item_tables


def read_book(path: str | os.PathLike) -> Book | Unreadable:
    """The whole workbook as engine inputs; raises WorkbookUnusable (exit 2) only for unusable files."""
    from lxml import etree

    from xl_appraisal.workbook.xlsx import read_tables

    path = Path(path)
    data = check_package(path)
    try:
        found = read_tables(data)
    except (etree.XMLSyntaxError, KeyError, ValueError, IndexError, zipfile.BadZipFile) as exc:
        raise WorkbookUnusable(f"{path.name} 的内容已损坏，无法读取（{type(exc).__name__}）") from exc
    from xl_appraisal.workbook.xlsx import custom_properties, last_modified_by

    try:  # document properties are not the data: damaged ones are read as absent (变更记录 then warns)
        props, who = custom_properties(data), last_modified_by(data)
    except (etree.XMLSyntaxError, KeyError, ValueError):
        props, who = {}, ""
    book = book_from_tables(path, found)
    if isinstance(book, Unreadable):
        return replace(book, data=data)
    return replace(book, data=data, properties=props, modified_by=who)


def book_from_tables(path: Path, found: dict[str, RawTable]) -> Book | Unreadable:
    """Steps 4-5, shared by the file adapter and the live (xlwings) adapter."""
    tables: dict[str, TableRows] = {}
    records = (c.STAFF, c.ATTENDANCE, c.LEAVE, c.CALENDAR)  # read with the rows typed just below them
    read_once: dict[str, TableRows] = {}
    for t in (*c.INPUT_TABLES, *c.COMPUTED_TABLES):
        tr = read_table(found, t, extend=t in records, anywhere=t in c.COMPUTED_TABLES)  # every contract table first
        if t in c.COMPUTED_TABLES:
            tables[t.name] = tr  # where they are (found by table name: people rename sheets)
        elif t in records:
            read_once[t.name] = tr  # kept, not read a second time below (a year's 考勤 is 4,000 rows)
    year, policy, issues, item_tables = read_policy(found)
    for t in records:
        tables[t.name] = read_once[t.name]
    for tr in list(tables.values()):
        table_end = split_ref(tr.ref)[3]
        if tr.rows and tr.rows[-1][0] > table_end:
            first_out = next(r for r, _ in tr.rows if r > table_end)
            issues.append(Issue(WARNING, tr.sheet, f"A{first_out}",
                                f"第{first_out}行起的数据在表格 {tr.table.name} 范围之外，已一并读取；建议在 Excel 中扩展表格"))
    for tr in item_tables.values():
        tables[tr.table.name] = tr
    if policy is None:
        return Unreadable(path, year, tables, issues)
    for dept in policy.departments:
        tables[f"tblBonus_{dept.code}"] = read_table(found, c.bonus_table(dept.name, dept.code), extend=True)
    for name in (c.STAFF.name, c.ATTENDANCE.name, c.LEAVE.name, c.CALENDAR.name,
                 *(f"tblBonus_{d.code}" for d in policy.departments)):
        issues += outside_rows(name, found[name])
    if c.AVERAGES.name not in found and c.SUMMARY.name in found:
        issues += stale_averages(found[c.SUMMARY.name])
    return Book(path, year, policy, to_inputs(policy, year, tables), tables, issues, raw=found)


def _str(raw: object) -> str:
    return "" if raw is None else str(raw)


def _text(raw: object, read) -> Any:
    """A text field as read, except a formula without its result, kept as such for the engine to report."""
    return raw if isinstance(raw, Uncomputed) else read(raw)


def stale_averages(summary: RawTable) -> list[Issue]:
    """The averages block under 汇总's chart left as plain cells (tblAverages converted to a range, or renamed):
    recalc cannot update it, so its numbers go stale on the printed 汇总 -- said at its header cell."""
    col = col_letters(split_ref(summary.ref)[0])
    for row, values in summary.beyond_values.items():
        if tuple(values[:2]) == c.AVERAGES.headers[:2]:
            return [Issue(WARNING, summary.sheet, f"{col}{row}",
                          f"第{row}行起的平均分表已不是名为 {c.AVERAGES.name} 的表格（可能被转换为区域或改了名），"
                          "重新计算不再更新其中的数字，它们可能已过时；请在 Excel 中把它重新设为表格（插入 → 表格）"
                          f"并命名为 {c.AVERAGES.name}，或删除这几行")]
    return []


def outside_rows(name: str, raw: RawTable) -> list[Issue]:
    """A warning at each block of rows typed in a table's columns below a blank gap: they are not read."""
    out: list[Issue] = []
    col = col_letters(split_ref(raw.ref)[0])
    blocks: list[list[int]] = []
    for row in raw.beyond:
        if blocks and row == blocks[-1][-1] + 1:
            blocks[-1].append(row)
        else:
            blocks.append([row])
    for block in blocks:
        rows = f"第{block[0]}行" if len(block) == 1 else f"第{block[0]}至{block[-1]}行"
        out.append(Issue(WARNING, raw.sheet, f"{col}{block[0]}",
                         f"{rows}在表格 {name} 下方，中间隔着空行，不在表格内，未计入；如需计入，请删除中间的空行，"
                         "或在 Excel 中扩展表格（表格设计 → 调整表格大小）把这些行包括进来"))
    return out


def to_inputs(policy: Policy, year: int, tables: dict[str, TableRows]) -> Inputs:
    """Step 5: rows -> the engine's plain records, each with the cells it came from."""
    inputs = Inputs(policy=policy, year=year)
    st = tables[c.STAFF.name]
    inputs.staff = [Person(_text(r.get("姓名"), _str), r.get("部门"), r.get("职务"),
                           _text(r.get("分管部门"), _str),
                           r.get("备注") or "", st.source(row)) for row, r in st.rows]
    at = tables[c.ATTENDANCE.name]
    inputs.events = [AttendanceEvent(r.get("日期"), r.get("姓名"), r.get("时段"), r.get("情况"), r.get("备注"),
                                     at.source(row)) for row, r in at.rows]
    lv = tables[c.LEAVE.name]
    inputs.leaves = [Leave(r.get("姓名"), r.get("开始日期"), r.get("开始时段"), r.get("结束日期"), r.get("结束时段"),
                           r.get("类型"), r.get("审批人"), r.get("备注"), lv.source(row)) for row, r in lv.rows]
    ca = tables[c.CALENDAR.name]
    inputs.calendar = [CalendarDay(r.get("日期"), r.get("工作日"), r.get("说明"), ca.source(row)) for row, r in ca.rows]
    for dept in policy.departments:
        it = tables[f"tblItems_{dept.code}"]
        inputs.scores += [ItemScore(dept.name, normalize_text(r.get("编号")),
                                    tuple(r.get(s) for s in c.STAGE_HEADERS), it.source(row))  # type: ignore[arg-type]
                          for row, r in it.rows]
        bt = tables[f"tblBonus_{dept.code}"]
        inputs.bonuses += [BonusEntry(dept.name, r.get("加分项目"), r.get("数量"), r.get("酌定分值"), r.get("说明"),
                                      key=(bt.table.name, row), src=bt.source(row)) for row, r in bt.rows]
    return inputs
