"""The engine's user-facing Chinese words, in one place.

Formatting helpers first (how a value, a day, a half-day, a person's date reads), then the status
label, then the message templates grouped by rule ID. Every clause citation comes from the policy
(`policy.cite(key)`), never a literal: another union's policy file changes the words with the numbers.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from xl_appraisal.engine.values import fmt, is_blank

BLANK = "空白"
HALF_ZH = ("上午", "下午")


# -- formatting ------------------------------------------------------------------------------------
def shown(raw: object) -> str:
    """A cell's content quoted in a message: “…”, or 空白 (never “None” or “”)."""
    if is_blank(raw):
        return BLANK
    if isinstance(raw, dt.datetime):
        raw = raw.date() if raw.time() == dt.time() else raw
    if isinstance(raw, dt.date) and not isinstance(raw, dt.datetime):
        return f"“{day_text(raw)}”"
    return f"“{str(raw).strip()}”"


def percent(share: Decimal) -> str:
    """0.3 -> 30%."""
    return f"{fmt(share * 100)}%"


def day_text(day: dt.date) -> str:
    """2018年2月8日."""
    return f"{day.year}年{day.month}月{day.day}日"


def half_day_text(day: dt.date, half: int) -> str:
    """2018年2月8日上午."""
    return f"{day_text(day)}{HALF_ZH[half]}"


def who_when(name: str, day: dt.date, half: int | None = None) -> str:
    """A person and a date kept apart: 李明 2018年2月8日上午."""
    return f"{name} {day_text(day) if half is None else half_day_text(day, half)}"


def span(half_days: int) -> str:
    """A length of leave as the policy says it: 1 -> 半天, 2 -> 一天, 3 -> 1.5天."""
    if half_days == 1:
        return "半天"
    if half_days == 2:
        return "一天"
    return f"{fmt(Decimal(half_days) / 2)}天"


def half_days_text(half_days: int) -> str:
    """A count of half-days with its days where they differ: 3 -> 1.5天（3个半天）, 1 -> 半天（1个半天）,
    0 -> 0天. The terminal, 发放 and the explanations say it the same way."""
    if half_days == 0:
        return "0天"
    days = "半天" if half_days == 1 else f"{fmt(Decimal(half_days) / 2)}天"
    return f"{days}（{half_days}个半天）"
