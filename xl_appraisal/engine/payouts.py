"""Money (第五条): attendance allowance (R12), forfeiture (R13), target bonus (R14), links to scores
(R15, R16). Every amount comes with the Chinese sentence that explains it (R18)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

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
    """R12: 2000 a year, minus 40 per unexcused day and 20 per remaining half-day, never below 0."""
    base = policy.allowance
    c = f"（{policy.clause('deduct_half_day')}）"
    if half_days == 0:
        return Amount(base, f"无旷工：考勤津贴{fmt(base)}（{policy.clause('allowance')}）")
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
    if value < 0:
        return Amount(ZERO, f"旷工{half_days}个半天：{steps} = {fmt(value)}，不低于0，计0{c}")
    return Amount(value, f"旷工{half_days}个半天：{steps} = {fmt(value)}{c}")


def forfeits(policy: Policy, half_days: int) -> bool:
    """R13: 15 days (30 half-days) or more of unexcused absence forfeits allowance and bonus."""
    return Decimal(half_days) >= policy.forfeit_days * 2


def bonus(policy: Policy, score: Decimal) -> tuple[int, Amount]:
    """R14: full bonus at the threshold and above; one tier of 200 per 5 points short, never below 0."""
    clause = f"（{policy.clause('tier_amount')}）"
    full = policy.bonus_full
    tiers = tiers_for(policy, score)
    if tiers == 0:
        return 0, Amount(full, f"得分{fmt(score)}≥{fmt(policy.bonus_threshold)}，全额{fmt(full)}{clause}")
    value = max(ZERO, full - tiers * policy.tier_amount)
    rounding = "不足一档按一档" if policy.tier_rounding == TierRounding.CEIL else "不足一档不计"
    short = policy.bonus_threshold - score
    text = (
        f"得分{fmt(score)}，差{fmt(short)}分，每{fmt(policy.tier_points)}分一档、{rounding}，计{tiers}档："
        f"{fmt(full)} − {tiers}×{fmt(policy.tier_amount)} = {fmt(full - tiers * policy.tier_amount)}"
    )
    if full - tiers * policy.tier_amount < 0:
        text += "，不低于0，计0"
    return tiers, Amount(value, text + clause)


def leader_bonus(policy: Policy, avg_all: Decimal, avg_overseen: Decimal) -> tuple[Decimal, Amount]:
    """R16 for 常务副主席 and 副主席: (linked score, bonus). Default splits the amount
    (0.3×B(all) + 0.7×B(overseen)); the switch blends the scores first (B(0.3×all + 0.7×overseen))."""
    a, o = policy.leader_all_share, policy.leader_overseen_share
    clause = f"（{policy.clause('leader_all_share')}）"
    blended = a * avg_all + o * avg_overseen
    if policy.leader_link == LeaderLink.BLEND:
        _, b = bonus(policy, blended)
        text = f"挂钩得分 = {fmt(a)}×全部部门平均分{fmt(avg_all)} + {fmt(o)}×分管部门平均分{fmt(avg_overseen)} = {fmt(blended)}{clause}；奖金：{b.text}"
        return blended, Amount(b.value, text)
    _, b_all = bonus(policy, avg_all)
    _, b_own = bonus(policy, avg_overseen)
    value = a * b_all.value + o * b_own.value
    text = (
        f"{fmt(a * 100)}%挂钩全部部门平均分：{b_all.text}；{fmt(o * 100)}%挂钩分管部门平均分：{b_own.text}；"
        f"奖金 = {fmt(a)}×{fmt(b_all.value)} + {fmt(o)}×{fmt(b_own.value)} = {fmt(value)}{clause}"
    )
    return blended, Amount(value, text)


def person_bonus(
    policy: Policy, role: str, department: str, overseen: tuple[str, ...], totals: dict[str, Decimal]
) -> tuple[Decimal | None, Amount]:
    """R15/R16: which score a person's bonus follows, and the bonus."""
    avg_all = sum(totals.values(), ZERO) / len(totals)
    if role == CHAIR:
        _, b = bonus(policy, avg_all)
        return avg_all, Amount(b.value, f"主席挂钩全部部门平均分{fmt(avg_all)}（{policy.clause('leader_all_share')}）；奖金：{b.text}")
    if role in LEADER_ROLES:
        known = [totals[d] for d in overseen if d in totals]
        if not known:
            return None, Amount(ZERO, f"班子成员未填写有效的分管部门，无法计算奖金{policy.cite('leader_all_share')}")
        avg_own = sum(known, ZERO) / len(known)
        return leader_bonus(policy, avg_all, avg_own)
    if department not in totals:
        return None, Amount(ZERO, "部门或职务有误，无法确定挂钩得分")
    score = totals[department]
    _, b = bonus(policy, score)
    return score, Amount(b.value, f"挂钩{department}总分{policy.cite('staff_link')}；奖金：{b.text}")


def total_text(allowance_value: Decimal, bonus_value: Decimal) -> str:
    return f"合计 = {fmt(money(allowance_value))} + {fmt(money(bonus_value))} = {fmt(money(allowance_value) + money(bonus_value))}"
