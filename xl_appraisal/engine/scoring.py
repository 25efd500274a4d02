"""Department scores: item scores (R2), stages (R5), bonus points and their cap (R3), totals (R4),
tiers (R14) and ranking (R17)."""

from __future__ import annotations

import math
from collections.abc import Hashable
from dataclasses import dataclass
from decimal import Decimal

from xl_appraisal.engine import messages as msg
from xl_appraisal.engine.issues import Issue, Source
from xl_appraisal.engine.model import FINAL_STAGE, STAGES, BonusEntry, DepartmentResult, ItemResult, ItemScore
from xl_appraisal.engine.values import (
    Uncomputed,
    comma_problem,
    is_blank,
    normalize_text,
    parse_number,
    places,
    uncomputed_message,
)
from xl_appraisal.policy import Department, Item, Policy, TierRounding

ZERO = Decimal(0)
UNSCORED = "未评分"


def check_score(raw: object, max_points: Decimal, policy: Policy | None = None) -> tuple[Decimal | None, str, bool]:
    """R2: (value, problem, was_text). A score is 0..max inclusive, at most two places; never clamped."""
    if isinstance(raw, Uncomputed):  # never blank: the stage is filled, but its value is unknown
        return None, uncomputed_message(raw), False
    if isinstance(raw, str) and "," in normalize_text(raw):  # 1,5: a decimal comma? scores have no thousands
        text = normalize_text(raw)
        return None, f"得分“{raw}”中有逗号；得分没有千位分隔，小数请用小数点，如{text.replace(',', '.', 1)}", True
    value, was_text = parse_number(raw, unit="分")
    if value is None:
        return None, msg.score_not_a_number(raw, max_points), was_text
    if value < 0:
        return None, msg.score_negative(policy, value, max_points), was_text
    if value > max_points:
        return None, msg.score_above_max(policy, value, max_points), was_text
    if places(value.normalize()) > 2:
        return None, msg.score_places(value), was_text
    return value, "", was_text


def tiers_for(policy: Policy, score: Decimal) -> int:
    """R14: tiers short of the threshold; a partial tier counts as whole by default (ceil), or not (floor)."""
    if score >= policy.bonus_threshold:
        return 0
    short = (policy.bonus_threshold - score) / policy.tier_points
    return math.ceil(short) if policy.tier_rounding == TierRounding.CEIL else math.floor(short)


def capped_bonus(policy: Policy, raw: Decimal) -> Decimal:
    """R3: bonus points are summed, then capped per department (policy.bonus_cap)."""
    return min(raw, policy.bonus_cap)


def rank(totals: list[Decimal]) -> list[int]:
    """R17: competition ranking, highest first; ties share a rank (1, 2, 2, 4)."""
    return [1 + sum(1 for other in totals if other > t) for t in totals]


@dataclass
class ItemOutcome:
    value: Decimal
    stage: str


def score_item(item: Item, rec: ItemScore | None, dept: str, issues: list[Issue],
               policy: Policy | None = None) -> ItemOutcome | None:
    """R2 + R5: validate every filled stage, use the latest valid one."""
    if rec is None:
        return None
    used: ItemOutcome | None = None
    checked = [(stage, raw, *check_score(raw, item.max_points, policy))
               for stage, raw in zip(STAGES, rec.stages) if not is_blank(raw)]
    filled = [stage for stage, *_ in checked]
    for k, (stage, raw, value, problem, was_text) in enumerate(checked):
        if problem or value is None:
            # a later stage that is wrong must not fall back silently to an earlier one: say so at its cell
            falls_back = k == len(checked) - 1 and used is not None
            issues.append(rec.src.error(stage, msg.score_stage_problem(dept, item.number, stage, problem, falls_back)))
            used = None
            continue
        if was_text:
            issues.append(rec.src.warning(stage, msg.score_read_as(dept, item.number, stage, raw, value)))
        used = ItemOutcome(value, stage)
    if FINAL_STAGE in filled:
        missing = [s for s in STAGES[:2] if s not in filled]
        if missing:
            issues.append(rec.src.warning(FINAL_STAGE, msg.final_without_earlier(policy, dept, item.number, missing)))
    return used


def _no_valid_stage(item: Item, rec: ItemScore | None) -> tuple[bool, str]:
    """(True, the cell's stage key) when no stage of the item holds a valid score: its last filled
    stage (where the problem is), or 自评 when nothing is filled."""
    filled = [(stage, raw) for stage, raw in zip(STAGES, rec.stages) if not is_blank(raw)] if rec else []
    if any(not check_score(raw, item.max_points)[1] for _, raw in filled):
        return False, ""
    return True, filled[-1][0] if filled else STAGES[0]


def score_bonuses(
    policy: Policy, dept: Department, entries: list[BonusEntry], issues: list[Issue]
) -> tuple[Decimal, dict[Hashable, Decimal | None]]:
    """R3: each row scores quantity × fixed points, or the discretionary points with a note."""
    raw_total = ZERO
    points: dict[Hashable, Decimal | None] = {}
    for e in entries:
        points[e.key] = None
        if all(is_blank(v) for v in (e.label, e.quantity, e.discretionary, e.note)):
            continue
        label = normalize_text(e.label)
        kind = policy.bonus_kind(label)
        src: Source = e.src
        if kind is None:
            issues.append(src.error("加分项目", msg.bonus_unknown(policy, label)))
            continue
        qty, _ = (Decimal(1), False) if is_blank(e.quantity) else parse_number(e.quantity, unit="次")
        if qty is None or qty <= 0 or qty != qty.to_integral_value():
            issues.append(src.error("数量", comma_problem(e.quantity) or msg.bonus_quantity(e.quantity)))
            continue
        if kind.points is None:
            value, _ = parse_number(e.discretionary, unit="分")
            if comma_problem(e.discretionary):
                issues.append(src.error("酌定分值", f"“{label}”的酌定分值{comma_problem(e.discretionary)}"))
                continue
            if is_blank(e.discretionary) or value is None or value <= 0:
                issues.append(src.error("酌定分值", msg.bonus_needs_points(label, e.discretionary)))
                continue
            if is_blank(e.note):
                issues.append(src.error("说明", msg.bonus_needs_note(label, kind.clause)))
                continue
            unit = value
        else:
            if not is_blank(e.discretionary):
                issues.append(src.error("酌定分值", msg.bonus_fixed(policy, label, kind.points)))
                continue
            unit = kind.points
        points[e.key] = qty * unit
        raw_total += qty * unit
    return raw_total, points


def score_departments(
    policy: Policy, scores: list[ItemScore], bonuses: list[BonusEntry], issues: list[Issue]
) -> tuple[list[DepartmentResult], dict[Hashable, Decimal | None]]:
    by_item = {(s.department, s.number): s for s in scores}
    all_points: dict[Hashable, Decimal | None] = {}
    rows = []
    for dept in policy.departments:
        base = ZERO
        stages: list[str] = []
        unscored: list[tuple[Item, ItemScore | None]] = []
        used: list[ItemResult] = []
        for item in dept.items:
            rec = by_item.get((dept.name, item.number))
            outcome = score_item(item, rec, dept.name, issues, policy)
            if outcome is None:
                unscored.append((item, rec))
                used.append(ItemResult(item.number, None, UNSCORED))
                continue
            base += outcome.value
            stages.append(outcome.stage)
            used.append(ItemResult(item.number, outcome.value, outcome.stage))
        # R5: "no valid score yet" names the items with no valid stage at all (an item whose latest stage
        # is wrong is reported at that cell), pointing at the first one's wrong stage, or 自评 if blank
        judged = [(i, rec, *_no_valid_stage(i, rec)) for i, rec in unscored]
        empty = [(i, rec, key) for i, rec, none, key in judged if none]
        if empty:
            item, rec, key = empty[0]
            cell = rec.src if rec else Source(dept.name)
            everything = len(empty) == len(dept.items) and all(
                r is None or all(is_blank(v) for v in r.stages) for _, r, _ in empty)
            issues.append(cell.warning(key, msg.not_scored(policy, dept.name, [i.number for i, _, _ in empty], everything)))
        bonus_raw, points = score_bonuses(policy, dept, [b for b in bonuses if b.department == dept.name], issues)
        all_points.update(points)
        bonus = capped_bonus(policy, bonus_raw)
        total = base + bonus  # R4
        # R5: a department is as far along as its least advanced item
        stage = min(stages, key=STAGES.index) if stages else UNSCORED
        final = not unscored and stage == FINAL_STAGE
        rows.append((dept, base, bonus_raw, bonus, total, stage, final, tuple(used)))
    ranks = rank([r[4] for r in rows])
    results = [
        DepartmentResult(d.code, d.name, base, raw, bonus, total, tiers_for(policy, total), rk, stage, final, items)
        for (d, base, raw, bonus, total, stage, final, items), rk in zip(rows, ranks)
    ]
    return results, all_points
