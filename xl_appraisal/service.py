"""The use cases every front door shares: check, recalc, and the JSON of a result.

Reading and writing go through the workbook port (xl_appraisal.workbook); computing goes through the
engine. The command line, the ribbon and the tests call these functions and nothing lower.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path

from xl_appraisal.cellref import col_letters
from xl_appraisal.engine.issues import ERROR, LEVEL_ZH, WARNING, Issue
from xl_appraisal.engine.messages import linked_text, status_label, status_text
from xl_appraisal.engine.model import Result
from xl_appraisal.engine.run import compute
from xl_appraisal.engine.values import fmt, is_blank, money, normalize_text
from xl_appraisal.errors import Refused
from xl_appraisal.measure import row_height, text_height
from xl_appraisal.plan import CellWrite, ColumnWrite, FormulaValue, Plan, TableWrite
from xl_appraisal.tracking import Tracking, track
from xl_appraisal.workbook import contract as c
from xl_appraisal.workbook.ooxml import split_ref
from xl_appraisal.workbook.read import Book, Unreadable, read_book, require_book
from xl_appraisal.workbook.save import atomic_write

STATUS_CELL = "A3"  # where a new workbook has the status lines; they follow their table (layout.status_row)
# Columns a person adds to a computed table (签收 on 发放) keep their values, following the row's key
SUMMARY_KEY = ("部门",)
PAYOUTS_KEY = ("姓名",)
ISSUES_KEY = ("工作表", "单元格", "说明")
AVERAGES_KEY = ("对象",)  # a leader, whatever their role: a corrected 职务 keeps what was typed beside them
AVERAGE_MIN_HEIGHT = 20.0  # points: a one-line row of tblAverages, as 汇总's rows


@dataclass
class Outcome:
    """What reading and computing gave: a result for a complete book, or only issues for an unreadable one."""

    book: Book | Unreadable
    result: Result | None
    issues: list[Issue]
    tracking: Tracking | None = field(default=None, repr=False)  # 变更记录: what changed since the last recalc
    written: bool | None = None  # after recalc: False when nothing changed and nothing was written

    @property
    def has_errors(self) -> bool:
        return any(i.level == ERROR for i in self.issues)

    def complete(self, doing: str) -> tuple[Book, Result]:
        """The book and its result, or a refusal (exit 1) saying what could not be done."""
        book = require_book(self.book, doing)
        if self.result is None:
            raise Refused(f"工作簿有错误，无法{doing}")
        return book, self.result


def evaluate(path: str | os.PathLike, track_changes: bool = True) -> Outcome:
    """Read and compute; write nothing. Raises WorkbookUnusable for files that cannot be used."""
    return evaluate_book(read_book(path), track_changes)


def evaluate_book(book: Book | Unreadable, track_changes: bool = True) -> Outcome:
    """Compute what a read workbook (from a file or a live Excel book) gives, and what changed in its
    input tables since the last recalc (变更记录; `track_changes=False` only for measuring its cost)."""
    if isinstance(book, Unreadable):
        return Outcome(book, None, _sorted(_locate(book, book.issues)))
    tracking = track(book) if track_changes else None
    extra = tracking.issues if tracking else []
    result = compute(book.inputs)
    extra = extra + orphaned(book, result)
    return Outcome(book, result, _sorted(_locate(book, book.issues + result.issues + extra)), tracking)


def orphaned(book: Book, result: Result) -> list[Issue]:
    """What a person typed in their own column of a computed table (签收 on 发放) for a row whose key is gone
    (a person removed from 人员 or renamed): recalc removes that row, so each such cell is named, with its
    value, in a warning at the cell: nothing typed goes without a word."""
    from collections import Counter

    from xl_appraisal.layout import key_text

    keys = {c.PAYOUTS.name: (c.PAYOUTS.headers, PAYOUTS_KEY, [(p.name,) for p in result.people]),
            c.SUMMARY.name: (c.SUMMARY.all_headers, SUMMARY_KEY, [(d.name,) for d in result.departments])}
    if c.AVERAGES.name in book.raw:
        rows = average_rows(Outcome(book, result, []))
        keys[c.AVERAGES.name] = (c.AVERAGES.headers, AVERAGES_KEY, [(str(row[0]),) for row in rows])
    out = []
    for name, (program, key, new) in keys.items():
        raw = book.raw.get(name)
        if raw is None or not raw.rows:
            continue
        headers = [normalize_text(h) if isinstance(h, str) else h for h in raw.rows[0][1]]
        extra = [j for j, h in enumerate(headers) if h and h not in program]
        where = [headers.index(h) for h in key if h in headers]
        if not extra or len(where) != len(key):
            continue
        min_col, _, _, max_row = split_ref(raw.ref)
        left = Counter(tuple(key_text(v) for v in k) for k in new)
        for row, values in raw.rows[1:]:
            if row > max_row - raw.totals:
                break
            k = tuple(key_text(values[j]) if j < len(values) else "" for j in where)
            if left[k] > 0 and any(k):
                left[k] -= 1
                continue
            who = "、".join(x for x in k if x) or "（空白）"
            for j in extra:
                value = values[j] if j < len(values) else None
                if not is_blank(value):
                    out.append(Issue(WARNING, raw.sheet, f"{col_letters(min_col + j)}{row}",
                                     f"“{who}”已不在表格 {name} 中，这一行随之移除；其“{headers[j]}”一格原为“{value}”"
                                     "（如需保留，请另行记下）"))
    return out


def _locate(book: Book | Unreadable, issues: list[Issue]) -> list[Issue]:
    """An issue about a whole table (e.g. nobody in 人员) points at the table's first data cell."""
    first: dict[str, str] = {}
    for t in book.tables.values():  # the first table of a sheet (the items, on a department sheet)
        first.setdefault(t.sheet, f"{t.columns[t.table.headers[0]]}{t.header_row + 1}")
    return [replace(i, cell=first.get(i.sheet, "")) if not i.cell and i.sheet in first else i for i in issues]


def _sorted(issues: list[Issue]) -> list[Issue]:
    return sorted(issues, key=lambda i: i.level != ERROR)


def _score(value: Decimal | None) -> Decimal | None:
    """Scores shown to two places, half-up like every number in the explanations (an average of
    94.165 shows 94.17 in both places)."""
    return None if value is None else money(value)


def summary_rows(r: Result, threshold: Decimal | None = None) -> list[list]:
    """tblSummary's rows (the workbook and the 报送版 show the same); the last column is the full-bonus
    total (第五条第2款), the line the chart on 汇总 draws across the departments' columns."""
    return [[d.name, _score(d.base), _score(d.bonus_raw), _score(d.bonus), _score(d.total), d.tiers, d.rank, d.stage,
             threshold] for d in r.departments]


def average_rows(outcome: Outcome) -> list[list]:
    """汇总's averages (对象, 职务, 全部部门平均分, 分管部门平均分, 说明): the all-department average, and for each
    leader the averages their bonus is linked to (R16), as the engine computed them (Result.average_all,
    PersonResult.averages): the workbook's tblAverages and the 报送版's block."""
    from xl_appraisal.engine.model import CHAIR

    r = outcome.result
    if r is None or r.average_all is None:
        return []
    rows: list[list] = [["全部部门", "", _score(r.average_all), None, f"{len(r.departments)}个部门总分的平均分"]]
    for m in r.people:
        if not m.averages:
            continue
        if m.role == CHAIR:
            rows.append([m.name, m.role, _score(m.averages[0]), None, "只挂钩全部部门平均分"])
        else:
            own = m.averages[1] if len(m.averages) > 1 else None
            rows.append([m.name, m.role, _score(m.averages[0]), _score(own),
                         f"分管：{'、'.join(m.overseen)}" if own is not None else "未填写有效的分管部门"])
    return rows


def average_table_rows(outcome: Outcome) -> list[list]:
    """tblAverages' rows on the workbook's 汇总 (对象, 职务, 全部部门平均分, 分管部门平均分, 分管部门): the averages
    of the 报送版's block (the engine's), in 汇总's narrow columns: the departments a leader oversees, wrapped."""
    from xl_appraisal.engine.model import CHAIR

    r = outcome.result
    if r is None or r.average_all is None:
        return []
    rows: list[list] = [["全部部门", None, _score(r.average_all), None, None]]
    for m in r.people:
        if not m.averages:
            continue
        own = m.averages[1] if len(m.averages) > 1 else None
        # one department a line (after its 、): no department name is broken across lines
        overseen = None if m.role == CHAIR else "、\n".join(m.overseen) if own is not None else "未填写"
        rows.append([m.name, m.role, _score(m.averages[0]), _score(own), overseen])
    return rows


def payout_totals(r: Result) -> dict[str, object]:
    """发放's totals row (the status row just above tblPayouts' header, cells aligned with its columns):
    people, absences, allowance, bonus, total. Above the header, it is the program's row (cells below a
    table belong to people, WORKBOOK.md), stays in view under the frozen panes, and readers of the sheet
    (pandas with header=3) or of the table (Power Query) never take it for a person."""
    people = r.people
    state = status_label(r.final)
    return {"姓名": f"状态：{state}。合计（{len(people)}人）", "旷工天数": sum((p.absent_days for p in people), Decimal(0)),
            "考勤津贴": sum((p.allowance for p in people), Decimal(0)),
            "目标管理奖金": sum((p.bonus for p in people), Decimal(0)),
            "合计": sum((p.total for p in people), Decimal(0))}


def _linked(p) -> Decimal | str | None:
    """挂钩得分 as 发放 shows it: the score the bonus follows, or a leader's two averages when the bonus is
    split between them (R16), e.g. 99.33／92.00 (全部部门／分管部门)."""
    if len(p.linked_scores) > 1:
        return linked_text(p.linked_scores)
    return _score(p.linked_score)


def payout_rows(r: Result) -> list[list]:
    """tblPayouts' rows."""
    return [[p.name, p.department, p.role, _linked(p), p.absent_days, p.allowance, p.bonus, p.total,
             p.status, p.explanation] for p in r.people]


def issue_rows(issues: list[Issue]) -> list[list]:
    """tblIssues' rows."""
    return [[LEVEL_ZH[i.level], i.sheet, i.cell, i.message] for i in issues]


def average_heights(rows: list[list]) -> list[float]:
    """tblAverages' row heights: its texts wrap in 汇总's columns (the one measure)."""
    return [row_height([(v, w, 11) for v, w in zip(row, c.AVERAGE_WIDTHS, strict=True) if isinstance(v, str) and v],
                       minimum=AVERAGE_MIN_HEIGHT) for row in rows]


def payout_heights(rows: list[list]) -> list[float]:
    """发放's row heights: its 计算依据 wraps, and so do 姓名, 部门 and 职务 (a name longer than its column
    used to run over the rows below it)."""
    return [row_height([(v, w, 11) for v, w in zip(row, c.PAYOUT_TEXT_WIDTHS, strict=False) if isinstance(v, str) and v]
                       + [(row[-1], c.EXPLAIN_WIDTH, 11)]) for row in rows]


def heights(rows: list[list], width: float) -> list[float]:
    """Row heights for rows whose last column is wrapped text of the given width (the one measure)."""
    return [text_height(row[-1], width) for row in rows]


def plan_check(outcome: Outcome) -> Plan:
    """What 校验 writes: the issues table and its status line, nothing else."""
    full = plan_recalc(outcome)
    return Plan(tables=[t for t in full.tables if t.table == c.ISSUES.name],
                cells=[cell for cell in full.cells if cell.table == c.ISSUES.name])


def plan_recalc(outcome: Outcome) -> Plan:
    """What recalc writes: the computed tables, the 计分 columns and the status lines, and 变更记录 (new
    log rows, the snapshot and its hash). Nothing else."""
    from xl_appraisal.tracking import plan as tracking_plan

    plan = Plan(*_writes(outcome)).extend(tracking_plan(outcome.tracking))
    plan.formula_values += trial_values(outcome.book)
    return plan


def trial_values(book: Book | Unreadable) -> list[FormulaValue]:
    """The cached value of every XA_* formula in a workbook file, computed with the book's own policy
    (issue 15: WPS, LibreOffice and an Excel without Python show numbers, not #NAME?). A live Excel
    book computes its own UDFs: nothing to do there."""
    if isinstance(book, Unreadable) or book.data is None:
        return []
    from xl_appraisal.trial import cached_values
    from xl_appraisal.workbook.xlsx import formula_sheets

    return [FormulaValue(s, ref, v) for s, ref, v in cached_values(book.policy, formula_sheets(book.data))]


def _writes(outcome: Outcome) -> tuple[list[TableWrite], list[ColumnWrite], list[CellWrite]]:
    issues = issue_rows(outcome.issues)
    tables = [TableWrite(c.ISSUES.name, issues, heights(issues, c.ISSUE_WIDTH), headers=c.ISSUES.headers,
                         key=ISSUES_KEY)]
    r = outcome.result
    errors = sum(i.level == ERROR for i in outcome.issues)
    warnings = len(outcome.issues) - errors
    check_line = f"校验：{errors}个错误、{warnings}个提醒" if outcome.issues else "校验：全部通过，未发现错误或提醒"
    if r is None or isinstance(outcome.book, Unreadable):
        status = f"无法计算：参数或考核项目有错误，见“校验”表。{check_line}"
        return tables, [], [status_line(outcome.book, t, status) for t in c.COMPUTED_TABLES]
    policy = outcome.book.policy
    tables.append(TableWrite(c.SUMMARY.name, summary_rows(r, policy.bonus_threshold if policy else None),
                             headers=c.SUMMARY.all_headers, key=SUMMARY_KEY))
    payouts = payout_rows(r)
    tables.append(TableWrite(c.PAYOUTS.name, payouts, payout_heights(payouts), headers=c.PAYOUTS.headers,
                             key=PAYOUTS_KEY))
    if c.AVERAGES.name in outcome.book.raw:  # workbooks made before tblAverages lack it
        averages = average_table_rows(outcome)
        tables.append(TableWrite(c.AVERAGES.name, averages, average_heights(averages), headers=c.AVERAGES.headers,
                                 key=AVERAGES_KEY))
    columns = []
    for dept in outcome.book.policy.departments:
        name = f"tblBonus_{dept.code}"
        values = {row: r.bonus_points.get((name, row)) for row, _ in outcome.book.tables[name].rows}
        columns.append(ColumnWrite(name, "计分", values))
    state = status_text(r.final)
    cells = [
        status_line(outcome.book, c.SUMMARY, f"状态：{state}。{check_line}"),
        status_line(outcome.book, c.PAYOUTS, f"状态：{state}。{_payout_totals_text(r)}"),
        status_line(outcome.book, c.ISSUES, check_line),
    ]
    return tables, columns, cells


def _payout_totals_text(r: Result) -> str:
    """发放's totals, in its status line (the program's one cell above the table: cells around the table are
    the user's, WORKBOOK.md)."""
    people = r.people
    days = sum((p.absent_days for p in people), Decimal(0))
    allowance = sum((p.allowance for p in people), Decimal(0))
    bonus = sum((p.bonus for p in people), Decimal(0))
    total = sum((p.total for p in people), Decimal(0))
    return (f"共{len(people)}人，旷工{fmt(days)}天，考勤津贴合计{money(allowance):,.2f}元，"
            f"目标管理奖金合计{money(bonus):,.2f}元，发放合计{money(total):,.2f}元。")


def status_line(book: Book | Unreadable, table: c.Table, text: str) -> CellWrite:
    """The status line of a computed table, on the sheet that holds the table (whatever it is called now),
    above its header where it was (not a fixed cell: layout.status_row)."""
    held = book.tables.get(table.name)
    return CellWrite(held.sheet if held else table.sheet, STATUS_CELL, text, table=table.name, status_of=table.name)


def recalc(path: str | os.PathLike, out: str | os.PathLike | None = None, backup: bool = True,
           track_changes: bool = True) -> Outcome:
    """Validate, compute and write the computed tables (in place unless `out`), atomically; writing in
    place keeps the previous file in 备份/ unless `backup` is False (a file this program just made)."""
    from xl_appraisal.workbook.sink import write_plan

    outcome = evaluate(path, track_changes)  # the file is read once; the plan is applied to those same bytes
    outcome.written = write_plan(outcome.book, plan_recalc(outcome), Path(out) if out else None, backup=backup)
    return outcome


def _num(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def to_json(outcome: Outcome) -> dict:
    """The JSON of WORKBOOK.md: numbers as JSON numbers, money to the cent."""
    r = outcome.result
    issues = [i.as_json() for i in outcome.issues]
    if r is None:
        return {"policy": "", "final": False, "departments": [], "people": [], "issues": issues}
    return {
        "policy": r.policy_id,
        "year": r.year,
        "final": r.final,
        "departments": [
            {"name": d.name, "code": d.code, "base": _num(d.base), "bonus_raw": _num(d.bonus_raw),
             "bonus": _num(d.bonus), "total": _num(d.total), "tiers": d.tiers, "rank": d.rank, "stage": d.stage}
            for d in r.departments
        ],
        "people": [
            {"name": p.name, "department": p.department, "role": p.role, "linked_score": _num(_score(p.linked_score)),
             "absent_half_days": p.absent_half_days, "allowance": _num(p.allowance), "bonus": _num(p.bonus),
             "total": _num(p.total), "forfeited": p.forfeited, "status": p.status, "explanation": p.explanation}
            for p in r.people
        ],
        "issues": issues,
    }


def write_json(outcome: Outcome, path: str | os.PathLike, backup: bool = True) -> None:
    """The JSON result, saved atomically; an existing file it replaces goes to 备份/ unless `backup` is False."""
    text = json.dumps(to_json(outcome), ensure_ascii=False, indent=2)
    atomic_write(Path(path), text.encode("utf-8"), backup=backup)
