"""The worksheet functions (XA_*) as plain functions of the policy: what the xlwings UDFs return in
Excel, and what recalc writes as the cached value of every XA_* cell, so that WPS, LibreOffice, a phone
and an Excel without Python show numbers instead of #NAME?. No xlwings here."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from decimal import Decimal

from xl_appraisal.cellref import col_index, col_letters
from xl_appraisal.engine.payouts import allowance, bonus, forfeits, leader_bonus
from xl_appraisal.engine.scoring import capped_bonus, check_score, tiers_for
from xl_appraisal.engine.values import is_blank, money, parse_number
from xl_appraisal.policy import Policy

Value = object  # a cell's value: number, text, None


def _number(raw: object, what: str) -> tuple[Decimal | None, str]:
    value, _ = parse_number(raw, unit="分")
    if value is None:
        shown = "空白" if is_blank(raw) else f"“{raw}”"
        return None, f"{what}{shown}不是数字"
    return value, ""


def xa_allowance(policy: Policy, absent_half_days: Value) -> Value:
    """考勤津贴：旷工半天数 → 元（R12, R13）"""
    n, problem = _number(absent_half_days, "旷工半天数")
    if problem or n is None:
        return problem
    if n < 0 or n != n.to_integral_value():
        return "旷工半天数应为非负整数"
    if forfeits(policy, int(n)):
        return 0.0
    return float(money(allowance(policy, int(n)).value))


def xa_tiers(policy: Policy, score: Value) -> Value:
    """目标管理奖金扣发档数（R14）"""
    value, problem = _number(score, "得分")
    return problem if value is None else tiers_for(policy, value)


def xa_bonus(policy: Policy, score: Value) -> Value:
    """目标管理奖金：挂钩得分 → 元（R14, R15）"""
    value, problem = _number(score, "得分")
    return problem if value is None else float(money(bonus(policy, value)[1].value))


def xa_leader_bonus(policy: Policy, avg_all: Value, avg_overseen: Value) -> Value:
    """班子成员奖金：全部部门平均分、分管部门平均分 → 元（R16）"""
    a, p1 = _number(avg_all, "全部部门平均分")
    o, p2 = _number(avg_overseen, "分管部门平均分")
    if a is None or o is None:
        return p1 or p2
    return float(money(leader_bonus(policy, a, o)[1].value))


def xa_check_score(policy: Policy, score: Value, max_points: Value) -> Value:
    """检查得分：合格返回空，否则返回中文说明（R2）"""
    if is_blank(score):
        return ""
    top, problem = _number(max_points, "分值")
    if top is None:
        return problem
    _, message, _ = check_score(score, top, policy)
    return message


def xa_bonus_points(policy: Policy, points: Value) -> Value:
    """加分合计，封顶（R4）：一列或一片单元格的加分"""
    cells = points if isinstance(points, list) else [points]
    flat = [v for row in cells for v in (row if isinstance(row, list) else [row])]
    total = Decimal(0)
    for v in flat:
        if is_blank(v):
            continue
        value, problem = _number(v, "加分")
        if value is None:
            return problem
        total += value
    return float(capped_bonus(policy, total))


FUNCTIONS: dict[str, Callable[..., Value]] = {
    "XA_ALLOWANCE": xa_allowance,
    "XA_TIERS": xa_tiers,
    "XA_BONUS": xa_bonus,
    "XA_LEADER_BONUS": xa_leader_bonus,
    "XA_CHECK_SCORE": xa_check_score,
    "XA_BONUS_POINTS": xa_bonus_points,
}

_CALL = re.compile(r"^=?\s*(?:_xludf\.)?(XA_[A-Z_]+)\((.*)\)\s*$", re.I)
_RANGE = re.compile(r"^\$?([A-Z]{1,3})\$?(\d+)(?::\$?([A-Z]{1,3})\$?(\d+))?$")


def evaluate(policy: Policy, formula: str, cells: dict[str, Value]) -> tuple[bool, Value]:
    """(True, value) for a formula `XA_NAME(arg, …)` whose arguments are numbers, cells or ranges of the same
    sheet; (False, None) for anything else (left for the spreadsheet program to compute)."""
    m = _CALL.match(formula.strip())
    if not m or m[1].upper() not in FUNCTIONS:
        return False, None
    args: list[Value] = []
    for raw in (a.strip() for a in m[2].split(",")) if m[2].strip() else ():
        ref = _RANGE.match(raw.upper())
        if ref and ref[3]:
            c1, r1, c2, r2 = col_index(ref[1]), int(ref[2]), col_index(ref[3]), int(ref[4])
            args.append([[cells.get(f"{col_letters(c)}{r}") for c in range(c1, c2 + 1)] for r in range(r1, r2 + 1)])
        elif ref:
            args.append(cells.get(f"{ref[1]}{ref[2]}"))
        else:
            number, _ = parse_number(raw)
            if number is None:
                return False, None
            args.append(number)
    try:
        return True, FUNCTIONS[m[1].upper()](policy, *args)
    except TypeError:  # wrong number of arguments: Excel shows its own error
        return False, None


def cached_values(policy: Policy, sheets: dict[str, dict[str, tuple[str | None, Value]]],
                  ) -> list[tuple[str, str, Value]]:
    """(sheet, cell, value) for every XA_* formula the engine can compute, from each sheet's cells
    (ref -> (formula or None, value))."""
    out = []
    for sheet, cells in sheets.items():
        values = {ref: value for ref, (_, value) in cells.items()}
        for ref, (formula, _) in cells.items():
            if formula and "XA_" in formula.upper():
                ok, value = evaluate(policy, formula, values)
                if ok:
                    out.append((sheet, ref, value))
    return out


__all__: Sequence[str] = ["FUNCTIONS", "cached_values", "evaluate"]
