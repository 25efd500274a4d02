"""The copy for the leadership group (报送版), its fingerprint, the draft email, and the sign-off sheets (R6).

The export holds values only: no formulas, no macros, no xlwings.conf, no UDF calls, so it opens in
Excel, WPS, LibreOffice or a phone's viewer without warnings. It keeps the table contract (tblSummary,
tblPayouts, …) so tools can read it. A SHA-256 over a canonical form of its values is stored in the
file (a custom document property, and on 说明); `verify` recomputes it and names what changed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
from dataclasses import dataclass, replace
from decimal import Decimal
from email.message import EmailMessage
from email.utils import formatdate
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.packaging.custom import StringProperty
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from xl_appraisal.engine.issues import ERROR
from xl_appraisal.engine.messages import status_label
from xl_appraisal.engine.values import money
from xl_appraisal.errors import Refused, Unusable
from xl_appraisal.service import Outcome, average_rows, evaluate, issue_rows, payout_rows, payout_totals, summary_rows
from xl_appraisal.workbook import build as b
from xl_appraisal.workbook import contract as c
from xl_appraisal.workbook.build import put
from xl_appraisal.workbook.read import has_values
from xl_appraisal.workbook.save import atomic_write

FINGERPRINT_PROP = "xl-appraisal-fingerprint"
VERSION_PROP = "xl-appraisal-fingerprint-version"  # absent: version 1 (values only)
VERSION = 2
SHEET_PROP = "xl-appraisal-sheet-"  # + sheet index: "name|sha256"
DETAIL_SHEET = "指纹明细"
BANNER_ROW = 2  # the banner line (time and fingerprint) is not itself fingerprinted


class NotAnExport(Unusable):
    """verify was given something that is not a 报送版 (exit 2)."""


def default_export_path(source: Path) -> Path:
    return source.with_name(f"{source.stem}（报送版）.xlsx")


# Canonical values ----------------------------------------------------------------------------------
def canonical(value: object) -> str:
    """One spelling per value, whatever program saved it: 2000, 2000.0 and 2000.00 are one number."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return f"b:{int(value)}"
    if isinstance(value, (int, float, Decimal)):
        d = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        text = f"{d.normalize():f}"
        return "n:" + (text if "." not in text else text.rstrip("0").rstrip("."))
    if isinstance(value, (dt.date, dt.datetime)):
        return "d:" + value.isoformat()
    return "s:" + str(value)


# What a reader sees, beyond the values (fingerprint version 2). Each part is spelled so that a LibreOffice
# re-save (colours with another alpha byte, theme colours as RGB, explicit default font sizes) keeps it.
THEME_RGB = ["FFFFFF", "000000", "E7E6E6", "44546A", "4472C4", "ED7D31", "A5A5A5", "FFC000", "5B9BD5", "70AD47"]
PSEUDO = {"#rows": "隐藏的行", "#cols": "隐藏的列", "#state": "工作表的显示状态", "#cf": "条件格式"}


def _rgb(color, default: str) -> str:
    """A colour as six hex digits (alpha ignored; theme colours from the default Office theme)."""
    if color is None:
        return default
    if color.type == "rgb" and isinstance(color.rgb, str) and len(color.rgb) >= 6:
        return color.rgb[-6:].upper()
    if color.type == "theme" and isinstance(color.theme, int) and 0 <= color.theme < len(THEME_RGB):
        return THEME_RGB[color.theme]
    if color.type == "indexed" and color.indexed in (64, 65):  # system foreground / background
        return "000000" if color.indexed == 64 else "FFFFFF"
    if color.type == "indexed" and isinstance(color.indexed, int):
        from openpyxl.styles.colors import COLOR_INDEX

        return COLOR_INDEX[color.indexed][-6:].upper() if color.indexed < len(COLOR_INDEX) else default
    return default


def _hidden_ink(cell) -> bool:
    """Text a reader cannot see: the font colour (nearly) that of the cell's background, or a tiny font."""
    fill = cell.fill
    background = _rgb(fill.fgColor, "FFFFFF") if fill is not None and fill.fill_type == "solid" else "FFFFFF"
    ink = _rgb(cell.font.color if cell.font else None, "000000")
    close = max(abs(int(ink[i:i + 2], 16) - int(background[i:i + 2], 16)) for i in (0, 2, 4)) <= 24
    size = cell.font.sz if cell.font and cell.font.sz else 11
    return close or size < 4


def _format(code: str | None) -> str:
    code = (code or "General").strip()
    return "" if code.lower() == "general" else code


def _seen(cell, value: str) -> str:
    """A cell's canonical value, with what changes how it reads: its number format, hidden ink, a comment."""
    parts = [value] if value else []
    if value and _format(cell.number_format):
        parts.append("f:" + _format(cell.number_format))
    if value and _hidden_ink(cell):
        parts.append("ink:hidden")
    comment = getattr(cell, "comment", None)
    if comment is not None and (comment.text or "").strip():
        parts.append("note:" + " ".join(comment.text.split()))
    return "\t".join(parts)


def sheet_cells(ws: Worksheet, version: int = 2) -> dict[str, str]:
    """The canonical view of a sheet that the fingerprint covers. Version 1 (the first exports): values only.
    Version 2: values with their number formats, text hidden by its font or fill, comments, hidden rows and
    columns (also by a zero height or width), a hidden sheet and conditional formats."""
    out = {}
    for row in ws.iter_rows():
        for cell in row:
            if cell.row == BANNER_ROW or not hasattr(cell, "column_letter"):
                continue
            value = canonical(cell.value)
            if version >= 2:
                value = _seen(cell, value)
            if value:
                out[cell.coordinate] = value
    if version < 2:
        return out
    rows = sorted(r for r, d in ws.row_dimensions.items() if d.hidden or (d.height is not None and d.height < 1))
    cols = sorted(k for k, d in ws.column_dimensions.items() if d.hidden or (d.width is not None and d.width < 0.5))
    if rows:
        out["#rows"] = ",".join(map(str, rows))
    if cols:
        out["#cols"] = ",".join(cols)
    if ws.sheet_state != "visible":
        out["#state"] = ws.sheet_state
    rules = sorted(f"{rng.sqref}:{len(rules)}" for rng, rules in ws.conditional_formatting._cf_rules.items())
    if rules:
        out["#cf"] = ";".join(rules)
    return out


def sheet_digest(cells: dict[str, str]) -> str:
    h = hashlib.sha256()
    for ref in sorted(cells, key=_ref_key):
        h.update(f"{ref}\t{cells[ref]}\n".encode())
    return h.hexdigest()


def _ref_key(ref: str) -> tuple[int, str]:
    if ref.startswith("#"):
        return 0, ref  # a sheet-wide part (hidden rows, …) before the cells
    letters = ref.rstrip("0123456789")
    return int(ref[len(letters):]), f"{len(letters):02d}{letters}"


def _short(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:12]


# What the leadership receives may be wrong: the gate and the marks ---------------------------------------
@dataclass(frozen=True)
class Status:
    """What every page of a document for the leadership says about its results."""

    final: bool  # every department 审定 and no error
    errors: int
    draft: bool  # made with --draft from a workbook with errors

    @property
    def mark(self) -> str:
        """The word on every page and in the email subject."""
        if self.draft:
            return f"草稿（有{self.errors}个错误，未经审定）"
        return status_label(self.final)

    @property
    def sentence(self) -> str:
        if self.draft:
            return f"草稿：工作簿有{self.errors}个错误，结果未经审定，只供核对，不能作为发放依据。"
        if self.final:
            return "审定：全部部门的得分已审定，工作簿没有错误。"
        return "暂定：尚有部门的得分未经审定，结果可能变化。"


def status_of(outcome: Outcome, draft: bool = False) -> Status:
    errors = sum(i.level == ERROR for i in outcome.issues)
    r = outcome.result
    return Status(bool(r and r.final), errors, draft and errors > 0)


def error_lines(outcome: Outcome) -> list[str]:
    """The errors, one line each, as `check` names them (位置, 说明)."""
    return [f"错误  {i.where}  {i.message}" for i in outcome.issues if i.level == ERROR]


def gate(outcome: Outcome, what: str, draft: bool = False) -> Status:
    """Refuse to make a document for the leadership from a workbook with errors, unless it is a draft."""
    status = status_of(outcome, draft)
    if outcome.result is None:
        raise Refused(f"工作簿的参数或考核项目有错误，无法计算，不能生成{what}；请先按“校验”表改正",
                      details=error_lines(outcome))
    if status.errors and not draft:
        raise Refused(f"工作簿有{status.errors}个错误，不能生成{what}；请先按“校验”表改正。", details=error_lines(outcome))
    return status


# Writing the export -----------------------------------------------------------------------------------
MARK_FONT = Font(name=b.FONT, size=10, bold=True, color="C00000")


def _sheet(wb: Workbook, title: str, heading: str, width: int) -> Worksheet:
    ws = wb.create_sheet(title)
    ws.sheet_view.showGridLines = False
    put(ws, 1, 1, heading, font=Font(name=b.FONT, size=15, bold=True, color="1F5C7A"))
    ws.row_dimensions[1].height = 26
    ws.merge_cells(start_row=BANNER_ROW, start_column=1, end_row=BANNER_ROW, end_column=max(width, 1))
    return ws


def _values_table(ws: Worksheet, table: c.Table, columns: list[b.Column], rows: list[list], top: int = b.HEADER_ROW,
                  left: int = 1, wrapped: dict[int, float] | None = None) -> int:
    """The workbook's table layout, every column read-only, holding values only; rows as tall as their
    wrapped cells (`wrapped`: column index in the table -> width). Returns the last row used."""
    b.add_table(ws, table, [replace(col, kind="computed") for col in columns], [], top=top, left=left,
                min_rows=max(len(rows), 1))
    for i, row in enumerate(rows):
        for j, value in enumerate(row):
            put(ws, top + 1 + i, left + j, value)
    last = top + max(len(rows), 1)
    if wrapped:
        b.wrap_heights(ws, top + 1, last, {left + j: w for j, w in wrapped.items()})
    return last


def _finish(ws: Worksheet, landscape: bool, status: Status, area: str | list[str] | None = None) -> None:
    b.print_setup(ws, landscape=landscape)
    if area:
        ws.print_area = area
    ws.oddHeader.center.text = status.mark
    ws.oddHeader.center.size = 10
    ws.oddHeader.center.color = "C00000"
    b.protect(ws, resizable=True)


def _money(value: Decimal) -> str:
    return f"{value:,.2f}"


def _cover(guide: Worksheet, outcome: Outcome, status: Status, generated: dt.datetime, changes: bool = False) -> None:
    """说明: in plain words, what this is, when it was made, its status, how many people and the totals.
    The fingerprint line is written by _seal."""
    book, r = outcome.complete("生成报送版")
    guide.title = "说明"
    guide.sheet_view.showGridLines = False
    guide.column_dimensions["A"].width = 12
    guide.column_dimensions["B"].width = 76
    put(guide, 1, 1, f"{book.year}年度机关工作目标管理考核结果（报送版）", font=Font(name=b.FONT, size=16, bold=True, color="1F5C7A"))
    guide.row_dimensions[1].height = 28
    guide.merge_cells(start_row=BANNER_ROW, start_column=1, end_row=BANNER_ROW, end_column=2)
    lines = [("这是什么", f"{book.year}年度机关工作目标管理考核的结果，报考核领导小组审阅。"
                      + (f"依据：{book.policy.title}。" if book.policy else "")),
             ("生成时间", f"{generated:%Y年%m月%d日 %H:%M}"),
             ("状态", status.sentence)]
    if r is not None and r.departments:
        totals = [d.total for d in r.departments]
        top = min(r.departments, key=lambda d: d.rank)
        low = max(r.departments, key=lambda d: d.rank)
        avg = money(sum(totals, Decimal(0)) / len(totals))
        lines.append(("部门得分", f"{len(totals)}个部门，全部部门平均分{avg:.2f}分；最高{top.name}{top.total:.2f}分，"
                               f"最低{low.name}{low.total:.2f}分。"))
        allowance = sum((p.allowance for p in r.people), Decimal(0))
        bonus = sum((p.bonus for p in r.people), Decimal(0))
        lines.append(("人数和金额", f"共{len(r.people)}人。考勤津贴合计{_money(allowance)}元，目标管理奖金合计"
                                 f"{_money(bonus)}元，发放合计{_money(allowance + bonus)}元。"))
    lines.append(("内容", "汇总：各部门得分、排名和图表，奖金挂钩的平均分；发放：每人金额及计算依据，合计；"
                        "各部门：考核明细和加分" + ("；校验：错误和提醒。" if outcome.issues else "。")))
    if changes:  # 变更记录 (issue 16): the log, sealed with the rest
        lines.append(("变更记录", _changes_line(outcome).split("：", 1)[1]))
    lines.append(("说明", "本文件只含数值，不含公式和宏，可用 Excel、WPS、LibreOffice 或手机打开；各表已保护，防止误改。"))
    for i, (label, text) in enumerate(lines):
        row = COVER_FIRST + i
        put(guide, row, 1, label, font=Font(name=b.FONT, size=11, bold=True, color="1F5C7A"),
            alignment=Alignment(vertical="top"))
        put(guide, row, 2, text, font=Font(name=b.FONT, size=11, color="C00000" if label == "状态" and not status.final
                                           else None), alignment=Alignment(wrap_text=True, vertical="top"))
    b.wrap_heights(guide, COVER_FIRST, COVER_FIRST + len(lines) - 1, {2: 76}, minimum=20)
    guide.cell(COVER_FIRST + len(lines), 1).value = None  # the fingerprint line's row (see _seal)


COVER_FIRST = 4


def build_export(outcome: Outcome, generated: dt.datetime, draft: bool = False, changes: bool = False) -> Workbook:
    book, r = outcome.complete("生成报送版")
    status = status_of(outcome, draft)
    wb = Workbook()
    guide = wb.active
    _cover(guide, outcome, status, generated, changes)
    policy = book.policy
    s = _sheet(wb, "汇总", "各部门年终目标考核汇总", len(b.SUMMARY_COLUMNS))
    put(s, 3, 1, f"状态：{status.mark}", font=MARK_FONT)
    _values_table(s, c.SUMMARY, b.SUMMARY_COLUMNS, summary_rows(r, policy.bonus_threshold if policy else None) if r else [])
    for row in range(b.FIRST_ROW, b.FIRST_ROW + (len(r.departments) if r else 0)):
        s.row_dimensions[row].height = 20
    last = b.summary_extras(s, len(r.departments) if r else 0, average_rows(outcome),
                            b.averages_title(policy) if policy else "", slots=0)
    _finish(s, False, status, f"A1:{get_column_letter(len(b.SUMMARY_COLUMNS))}{last}")
    p = _sheet(wb, "发放", "考勤津贴与目标管理奖金发放表", len(b.PAYOUT_COLUMNS))
    people = payout_rows(r) if r else []
    last = _values_table(p, c.PAYOUTS, b.PAYOUT_COLUMNS, people, wrapped={len(b.PAYOUT_COLUMNS) - 1: c.EXPLAIN_WIDTH})
    b.totals_row_style(p, 3)
    for header, value in (payout_totals(r) if r else {}).items():
        put(p, 3, 1 + c.PAYOUTS.headers.index(header), value if header != "姓名" else f"状态：{status.mark}。"
            + str(value).split("。", 1)[1])
    p["A3"].font = MARK_FONT
    _finish(p, True, status, f"A1:{get_column_letter(len(b.PAYOUT_COLUMNS))}{last}")
    for dept in policy.departments if policy else []:
        cols = b.item_columns()
        d = _sheet(wb, dept.name, f"{dept.name} · 年终目标考核明细", len(cols))
        items = book.tables[f"tblItems_{dept.code}"]
        rows = [[v.get(h) for h in c.items_table(dept.name, dept.code).headers] for _, v in items.rows]
        last_item = _values_table(d, c.items_table(dept.name, dept.code), cols, rows,
                                  wrapped={1: b.ITEM_TEXT_WIDTH, len(cols) - 1: cols[-1].width})
        bonus = book.tables[f"tblBonus_{dept.code}"]
        points = r.bonus_points if r else {}
        bonus_rows = [[*(v.get(h) for h in c.BONUS_INPUTS), points.get((bonus.table.name, row))]
                      for row, v in bonus.rows if has_values(v, c.BONUS_INPUTS)]
        put(d, b.HEADER_ROW - 1, b.BONUS_LEFT, b.bonus_caption(policy),
            font=Font(name=b.FONT, size=12, bold=True))
        last_bonus = _values_table(d, c.bonus_table(dept.name, dept.code), b.BONUS_COLUMNS, bonus_rows,
                                   left=b.BONUS_LEFT, wrapped={0: b.BONUS_COLUMNS[0].width, 3: b.BONUS_COLUMNS[3].width})
        d.column_dimensions[get_column_letter(b.BONUS_LEFT - 1)].width = 2
        right = get_column_letter(b.BONUS_LEFT + len(b.BONUS_COLUMNS) - 1)
        _finish(d, False, status, [f"A1:{get_column_letter(len(cols))}{last_item}",
                                   f"{get_column_letter(b.BONUS_LEFT)}{b.HEADER_ROW - 1}:{right}{last_bonus}"])
        b.fixed_scale(d, sum(col.width for col in cols))
    if outcome.issues:
        v = _sheet(wb, "校验", "校验结果", len(b.ISSUE_COLUMNS))
        issues = issue_rows(outcome.issues)
        last = _values_table(v, c.ISSUES, b.ISSUE_COLUMNS, issues, wrapped={3: c.ISSUE_WIDTH})
        _finish(v, False, status, f"A1:{get_column_letter(len(b.ISSUE_COLUMNS))}{last}")
    if changes and c.CHANGES.name in book.raw:
        _changes_sheet(wb, book, status)
    _finish(guide, False, status)
    guide.print_title_rows = None
    _seal(wb, generated, status)
    # it opens on the results
    guide.sheet_view.tabSelected = False
    wb.active = wb.sheetnames.index("汇总")
    wb["汇总"].sheet_view.tabSelected = True
    wb.properties.title = f"{book.year}年度机关工作目标管理考核结果（报送版）"
    wb.properties.subject = status.mark
    wb.properties.creator = "xl-appraisal"
    return wb


def _changes_line(outcome: Outcome) -> str:
    book = outcome.book
    if c.CHANGES.name not in getattr(book, "raw", {}):
        return "变更记录：本工作簿没有“变更记录”表（用旧版模板建立），未附。"
    pending = outcome.tracking.changes if outcome.tracking else []
    return ("变更记录：附“变更记录”表，即每次重新计算时记下的改动（谁、何时、原值、新值），指纹同样覆盖它。"
            + (f"注意：导出时还有{len(pending)}处改动尚未重新计算，未记入。" if pending else ""))


def _changes_sheet(wb: Workbook, book, status: Status) -> None:
    from xl_appraisal.workbook.read import read_table

    log = read_table(book.raw, c.CHANGES, extend=True)
    rows = [[v.get(h) for h in c.CHANGES.all_headers] for _, v in log.rows]
    ws = _sheet(wb, c.CHANGES.sheet, "变更记录", len(b.CHANGE_COLUMNS))
    last = _values_table(ws, c.CHANGES, b.CHANGE_COLUMNS, rows,
                         wrapped={j: col.width for j, col in enumerate(b.CHANGE_COLUMNS)})
    _finish(ws, True, status, f"A1:{get_column_letter(len(b.CHANGE_COLUMNS))}{last}")


def _seal(wb: Workbook, generated: dt.datetime, status: Status) -> str:
    """Fingerprint every sheet, store it (document properties, 说明, banner rows, a very hidden detail sheet).
    The pages show it short; the file's properties hold the full value."""
    stamp = generated.strftime("%Y-%m-%d %H:%M")
    guide = wb.worksheets[0]
    digests = {ws.title: sheet_digest(sheet_cells(ws, VERSION)) for ws in wb.worksheets if ws is not guide}
    whole = whole_digest(list(digests.items()))
    short = whole[:12]
    row = guide.max_row + 1
    put(guide, row, 1, "核对", font=Font(name=b.FONT, size=11, bold=True, color="1F5C7A"), alignment=Alignment(vertical="top"))
    put(guide, row, 2, f"文件指纹 {short}…（完整值在文件属性“{FINGERPRINT_PROP}”中）。收到后，考核办可用 xl-appraisal verify "
                       "核对本文件的数值及其显示方式（数字格式、隐藏的行列、看不见的文字、批注）是否被改动。", font=Font(name=b.FONT, size=11), alignment=Alignment(wrap_text=True, vertical="top"))
    b.wrap_heights(guide, row, row, {2: 76}, minimum=20)
    guide.print_area = f"A1:B{row}"
    digests = {guide.title: sheet_digest(sheet_cells(guide, VERSION)), **digests}
    detail = []
    for ws in wb.worksheets:
        cells = sheet_cells(ws, VERSION)
        detail += [(ws.title, ref, _short(value)) for ref, value in sorted(cells.items(), key=lambda kv: _ref_key(kv[0]))]
    for ws in wb.worksheets:
        put(ws, BANNER_ROW, 1, f"报送版 · {status.mark} · 生成于 {stamp} · 指纹 {short}…",
            font=Font(name=b.FONT, size=9, color="555555"))
    wb.custom_doc_props.append(StringProperty(name=FINGERPRINT_PROP, value=whole))
    wb.custom_doc_props.append(StringProperty(name=VERSION_PROP, value=str(VERSION)))
    for i, ws in enumerate(wb.worksheets):
        wb.custom_doc_props.append(StringProperty(name=f"{SHEET_PROP}{i + 1:02d}", value=f"{ws.title}|{digests[ws.title]}"))
    wb.properties.description = f"报送版指纹（SHA-256）：{whole}"
    hidden = wb.create_sheet(DETAIL_SHEET)
    for line in detail:
        hidden.append(list(line))
    hidden.sheet_state = "veryHidden"
    hidden.protection.sheet = True
    return whole


def whole_digest(digests: list[tuple[str, str]]) -> str:
    h = hashlib.sha256()
    for title, digest in digests:
        if title == "说明":
            continue  # 说明 carries the fingerprint itself
        h.update(f"{title}\t{digest}\n".encode())
    return h.hexdigest()


def export_book(source: Path, target: Path, generated: dt.datetime | None = None, draft: bool = False,
                outcome: Outcome | None = None, changes: bool = False) -> str:
    """Write the 报送版 of `source` to `target` (an existing `target` goes to 备份/ first; with its 变更记录
    when `changes`); returns its fingerprint. The target may never be the source. Refuses (exit 1) a
    workbook with errors unless `draft`, which marks every page 草稿（有N个错误，未经审定）."""
    from xl_appraisal.workbook.paths import check_output

    check_output(target, [source])
    outcome = outcome or evaluate(source)
    gate(outcome, "报送版", draft)
    wb = build_export(outcome, generated or dt.datetime.now(), draft, changes)
    buf = io.BytesIO()
    wb.save(buf)
    atomic_write(Path(target), buf.getvalue())
    return fingerprint_of(Path(target))


def fingerprint_of(path: Path) -> str:
    wb = load_workbook(path)
    prop = next((p for p in wb.custom_doc_props.props if p.name == FINGERPRINT_PROP), None)
    if prop is None:
        raise NotAnExport(f"{path.name} 没有报送版指纹，不是 xl-appraisal 导出的报送版")
    return prop.value


# Verify ----------------------------------------------------------------------------------------------
@dataclass
class Verdict:
    ok: bool
    fingerprint: str
    changes: list[str]  # Chinese lines naming sheet and cell
    values_only: bool = False  # an export made before fingerprint version 2: only values are covered


def verify(path: Path) -> Verdict:
    from xl_appraisal.workbook.read import check_package

    check_package(Path(path))
    try:
        wb = load_workbook(path)
    except Exception as exc:
        raise NotAnExport(f"{Path(path).name} 无法读取（{type(exc).__name__}）") from exc
    props = {p.name: p.value for p in wb.custom_doc_props.props}
    if FINGERPRINT_PROP not in props:
        raise NotAnExport(f"{Path(path).name} 没有报送版指纹，不是 xl-appraisal 导出的报送版")
    version = int(props[VERSION_PROP]) if str(props.get(VERSION_PROP, "")).isdigit() else 1
    stored = {}
    for name, value in props.items():
        if name.startswith(SHEET_PROP):
            title, _, digest = value.partition("|")
            stored[title] = digest
    detail: dict[str, dict[str, str]] = {}
    if DETAIL_SHEET in wb.sheetnames:
        for title, ref, short in wb[DETAIL_SHEET].iter_rows(values_only=True):
            detail.setdefault(title, {})[ref] = short
    changes: list[str] = []
    digests = []
    for ws in wb.worksheets:
        if ws.title == DETAIL_SHEET:
            continue
        cells = sheet_cells(ws, version)
        digest = sheet_digest(cells)
        digests.append((ws.title, digest))
        if ws.title not in stored:
            changes.append(f"多了工作表“{ws.title}”")
            continue
        if digest == stored[ws.title]:
            continue
        before = detail.get(ws.title, {})
        refs = sorted(set(before) | set(cells), key=_ref_key)
        named = [ref for ref in refs if before.get(ref) != (_short(cells[ref]) if ref in cells else None)]
        where = "、".join(PSEUDO.get(ref, ref) for ref in named[:10]) + ("等" if len(named) > 10 else "")
        changes.append(f"“{ws.title}”表被改动" + (f"：{where}" if where else ""))
    for title in stored:
        if title not in {t for t, _ in digests}:
            changes.append(f"少了工作表“{title}”")
    whole = whole_digest(digests)
    ok = not changes and whole == props[FINGERPRINT_PROP]
    if not ok and not changes:
        changes.append("指纹不符")
    return Verdict(ok, props[FINGERPRINT_PROP], changes, values_only=version < 2)


# Email draft -----------------------------------------------------------------------------------------
NO_RECIPIENT = "邮件草稿没有收件人：“参数”表的“领导小组邮箱”是空的。请在工作簿的 参数 → 领导小组邮箱 填写后重新导出，或在邮件程序中填写收件人。"


def recipients(outcome: Outcome) -> str:
    """The To line from 参数 → 领导小组邮箱 (several separated by ; or ；); empty when not filled in."""
    policy = getattr(outcome.book, "policy", None)  # an unreadable book has none
    raw = (policy.leadership_email if policy is not None else "") or ""
    return ", ".join(part.strip() for part in raw.replace("；", ";").split(";") if part.strip())


def email_draft(outcome: Outcome, export_path: Path, fingerprint: str, draft: bool = False) -> Path:
    """A draft .eml beside the export (X-Unsent: 1 asks the mail program to open it as a draft; README
    says which programs honour it). The subject carries the status: 审定, 暂定 or 草稿（有N个错误，未经审定）."""
    book, r = outcome.complete("生成邮件草稿")
    status = status_of(outcome, draft)
    msg = EmailMessage()
    to = recipients(outcome)
    if to:
        msg["To"] = to
    msg["Subject"] = f"〔{book.year}年度〕目标管理考核结果（报送版·{status.mark}）"
    msg["Date"] = formatdate(localtime=True)
    msg["X-Unsent"] = "1"
    lines = ["考核领导小组：", "", f"现将{book.year}年度机关工作目标管理考核结果（{status.mark}）报送如下，详见附件。",
             status.sentence, ""]
    if r is not None:
        for d in sorted(r.departments, key=lambda d: d.rank):
            lines.append(f"  第{d.rank}名  {d.name}  总分 {d.total:.2f}（阶段：{d.stage}）")
        total = sum((p.total for p in r.people), Decimal(0))
        lines += ["", f"考勤津贴和目标管理奖金共 {len(r.people)} 人，合计 {total:,.2f} 元。"]
    lines += [f"附件指纹（SHA-256）：{fingerprint}", "", "考核领导小组办公室"]
    msg.set_content("\n".join(lines), charset="utf-8")
    msg.add_attachment(export_path.read_bytes(), maintype="application",
                       subtype="vnd.openxmlformats-officedocument.spreadsheetml.sheet", filename=export_path.name)
    eml = export_path.with_suffix(".eml")
    atomic_write(eml, bytes(msg))
    return eml


def libreoffice() -> str | None:
    import shutil

    return shutil.which("soffice") or shutil.which("libreoffice")


def to_pdf(xlsx: Path, outdir: Path) -> Path | None:
    """Headless LibreOffice conversion, when it is installed."""
    import subprocess
    import tempfile

    soffice = libreoffice()
    if not soffice:
        return None
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{profile}", "--convert-to", "pdf",
                        "--outdir", str(outdir), str(xlsx)], check=True, capture_output=True, timeout=300,
                       env={**os.environ, "HOME": profile})
    pdf = outdir / (xlsx.stem + ".pdf")
    return pdf if pdf.exists() else None
