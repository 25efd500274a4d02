"""Money (第五条): attendance allowance (R12), forfeiture (R13), target bonus (R14), links to scores
(R15, R16). Every amount comes with the Chinese sentence that explains it (R18)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from xl_appraisal.engine import messages as msg
from xl_appraisal.engine.model import CHAIR, LEADER_ROLES
from xl_appraisal.engine.scoring import tiers_for
from xl_appraisal.engine.values import fmt, money
from xl_appraisal.policy import LeaderLink, Policy, TierRounding

ZERO = Decimal(0)


@dataclass(frozen=True)
class Amount:
    value: Decimal
    text: str


def allowance(policy: Policy, half_days: int) -> Amount:
    """R12: the allowance, minus the day rate per unexcused day and the half-day rate per remaining
    half-day, never below 0."""
    base = policy.allowance
    if half_days == 0:
        return Amount(base, msg.allowance_full(policy))
    days, halves = divmod(half_days, 2)
    deduction = days * policy.deduct_day + halves * policy.deduct_half_day
    if policy.deduct_day == 2 * policy.deduct_half_day:
        steps = f"{fmt(base)} − {half_days}×{fmt(policy.deduct_half_day)}"
    else:
        parts = ([f"{days}×{fmt(policy.deduct_day)}"] if days else []) + (
            [f"{halves}×{fmt(policy.deduct_half_day)}"] if halves else []
        )
        steps = f"{fmt(base)} − " + " − ".join(parts)
    value = base - deduction
    return Amount(max(value, ZERO), msg.allowance_deducted(policy, half_days, steps, value))


def forfeits(policy: Policy, half_days: int) -> bool:
    """R13: forfeit_days days (twice as many half-days) or more of unexcused absence forfeits allowance and bonus."""
    return Decimal(half_days) >= policy.forfeit_days * 2


def bonus(policy: Policy, score: Decimal) -> tuple[int, Amount]:
    """R14: full bonus at the threshold and above; one tier_amount per tier_points short, never below 0."""
    tiers = tiers_for(policy, score)
    if tiers == 0:
        return 0, Amount(policy.bonus_full, msg.bonus_full(policy, score))
    value = max(ZERO, policy.bonus_full - tiers * policy.tier_amount)
    return tiers, Amount(value, msg.bonus_tiers(policy, score, tiers, policy.tier_rounding == TierRounding.CEIL))


def leader_bonus(policy: Policy, avg_all: Decimal, avg_overseen: Decimal) -> tuple[Decimal, Amount]:
    """R16 for 常务副主席 and 副主席: (weighted score, bonus). Default splits the amount
    (share×B(all) + share×B(overseen)); the switch blends the scores first (B(share×all + share×overseen))."""
    a, o = policy.leader_all_share, policy.leader_overseen_share
    blended = a * avg_all + o * avg_overseen
    if policy.leader_link == LeaderLink.BLEND:
        _, b = bonus(policy, blended)
        return blended, Amount(b.value, msg.leader_blend(policy, avg_all, avg_overseen, blended, b.text))
    _, b_all = bonus(policy, avg_all)
    _, b_own = bonus(policy, avg_overseen)
    value = a * b_all.value + o * b_own.value
    return blended, Amount(value, msg.leader_split(policy, b_all.text, b_own.text, b_all.value, b_own.value, value))


def average_all(totals: dict[str, Decimal]) -> Decimal | None:
    """R16: the average total of all departments (None when there is no department)."""
    return sum(totals.values(), ZERO) / len(totals) if totals else None


def leader_averages(role: str, overseen: tuple[str, ...], totals: dict[str, Decimal]) -> tuple[Decimal | None, ...]:
    """R16: the averages a leadership member's bonus is linked to: (all departments,) for the 主席,
    (all departments, overseen departments) for 常务副主席 and 副主席 (None for the second when no overseen
    department is known); () for everyone else."""
    if role not in LEADER_ROLES:
        return ()
    avg_all = average_all(totals)
    if role == CHAIR:
        return (avg_all,)
    known = [totals[d] for d in overseen if d in totals]
    return (avg_all, sum(known, ZERO) / len(known) if known else None)


def person_bonus(
    policy: Policy, role: str, department: str, overseen: tuple[str, ...], totals: dict[str, Decimal]
) -> tuple[Decimal | None, Amount]:
    """R15/R16: which score a person's bonus follows, and the bonus."""
    if role in LEADER_ROLES:
        averages = leader_averages(role, overseen, totals)
        avg_all = averages[0]
        if avg_all is None:  # no department at all: nothing to link to
            return None, Amount(ZERO, msg.link_unknown())
        if role == CHAIR:
            _, b = bonus(policy, avg_all)
            return avg_all, Amount(b.value, msg.chair_link(policy, avg_all, b.text))
        avg_own = averages[1]
        if avg_own is None:
            return None, Amount(ZERO, msg.leader_without_overseen(policy))
        return leader_bonus(policy, avg_all, avg_own)
    if department not in totals:
        return None, Amount(ZERO, msg.link_unknown())
    score = totals[department]
    _, b = bonus(policy, score)
    return score, Amount(b.value, msg.staff_link(policy, department, b.text))


def linked_scores(
    policy: Policy, role: str, department: str, overseen: tuple[str, ...], totals: dict[str, Decimal]
) -> tuple[Decimal, ...]:
    """The score(s) a person's bonus is computed from (R15/R16): the department total, the average of
    all departments (主席), or, for 常务副主席 and 副主席 when the amount is split, the two averages; when
    the scores are blended first, the blended score. Empty when there is none."""
    if role in LEADER_ROLES and role != CHAIR and policy.leader_link != LeaderLink.BLEND:
        averages = leader_averages(role, overseen, totals)
        return () if None in averages else tuple(a for a in averages if a is not None)
    linked, _ = person_bonus(policy, role, department, overseen, totals)
    return () if linked is None else (linked,)


def total_text(allowance_value: Decimal, bonus_value: Decimal) -> str:
    return msg.total(money(allowance_value), money(bonus_value))
