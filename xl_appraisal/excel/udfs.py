"""Worksheet functions (xlwings UDFs, Windows): the allowance and bonus arithmetic and the score check,
through the same engine functions as everything else.

In a workbook they follow that workbook's 参数 sheet (read through `caller`, which xlwings passes and
Excel never sees); called outside Excel they use the default policy. Errors come back as Chinese text
in the cell, never as a Python traceback.

The VBA wrappers (module xlwings_udfs) are generated from these signatures into the template, in the
form xlwings' "Import Functions" writes, so nobody has to click it.
"""

from __future__ import annotations

import time

import xlwings as xw

from xl_appraisal import trial
from xl_appraisal.policy import Policy, build_policy, load_policy

_CACHE: dict[str, tuple[float, tuple, Policy]] = {}
CACHE_SECONDS = 5.0


def _policy(caller) -> Policy:
    """The calling workbook's policy (its 参数 table), else the default policy."""
    default = load_policy()
    if caller is None:
        return default
    try:
        book = caller.sheet.book
        table = book.sheets["参数"].tables["tblPolicy"]
        values = tuple(tuple(r) for r in table.data_body_range.value)
    except Exception:  # not our workbook, or no 参数 sheet: the default rules apply
        return default
    key = getattr(book, "fullname", "") or getattr(book, "name", "")
    hit = _CACHE.get(key)
    if hit and hit[1] == values and time.monotonic() - hit[0] < CACHE_SECONDS:
        return hit[2]
    by_key = {row[3]: row[1] for row in values if len(row) > 3 and row[3]}
    params = {p.key: by_key.get(p.key, p.value) for p in default.params}
    policy, _ = build_policy({"id": default.id, "title": default.title, "year": default.year}, list(default.params),
                             params, list(default.bonus_kinds), list(default.departments))
    policy = policy or default
    _CACHE[key] = (time.monotonic(), values, policy)
    return policy


@xw.func
def XA_ALLOWANCE(absent_half_days, caller=None):  # noqa: N802 - the Excel name
    """考勤津贴：旷工半天数 → 元（按本工作簿“参数”表；达到全额扣发天数为0）"""
    return trial.xa_allowance(_policy(caller), absent_half_days)


@xw.func
def XA_TIERS(score, caller=None):  # noqa: N802
    """目标管理奖金扣发档数（按本工作簿“参数”表）"""
    return trial.xa_tiers(_policy(caller), score)


@xw.func
def XA_BONUS(score, caller=None):  # noqa: N802
    """目标管理奖金：挂钩得分 → 元（按本工作簿“参数”表）"""
    return trial.xa_bonus(_policy(caller), score)


@xw.func
def XA_LEADER_BONUS(avg_all, avg_overseen, caller=None):  # noqa: N802
    """班子成员（常务副主席、副主席）奖金：全部部门平均分、分管部门平均分 → 元（按本工作簿“参数”表）"""
    return trial.xa_leader_bonus(_policy(caller), avg_all, avg_overseen)


@xw.func
def XA_CHECK_SCORE(score, max_points):  # noqa: N802
    """检查得分：合格返回空，否则返回中文说明"""
    return trial.xa_check_score(load_policy(), score, max_points)


@xw.func
def XA_BONUS_POINTS(points, caller=None):  # noqa: N802
    """加分合计（按本工作簿“参数”表封顶）：一列或一片单元格的加分"""
    return trial.xa_bonus_points(_policy(caller), points)


UDFS = [XA_ALLOWANCE, XA_TIERS, XA_BONUS, XA_LEADER_BONUS, XA_CHECK_SCORE, XA_BONUS_POINTS]
