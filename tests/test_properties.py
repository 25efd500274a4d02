"""Property tests (hypothesis) over the money rules: R3, R4, R12, R14, R18."""

from __future__ import annotations

from decimal import Decimal

from builders import POLICY, all_scores, bonus, inputs, leadership
from hypothesis import given, settings
from hypothesis import strategies as st

from xl_appraisal.engine.payouts import allowance
from xl_appraisal.engine.payouts import bonus as bonus_amount
from xl_appraisal.engine.run import compute

scores = st.decimals(min_value=0, max_value=120, places=2, allow_nan=False, allow_infinity=False)
half_days = st.integers(min_value=0, max_value=400)


@given(half_days, half_days)
def test_R12_allowance_in_range_and_never_rises_with_absence(a, b):
    lo, hi = sorted((a, b))
    x, y = allowance(POLICY, lo).value, allowance(POLICY, hi).value
    assert 0 <= y <= x <= 2000


@given(scores, scores)
def test_R14_bonus_is_a_tier_amount_and_never_falls_with_a_higher_score(a, b):
    lo, hi = sorted((a, b))
    _, x = bonus_amount(POLICY, lo)
    _, y = bonus_amount(POLICY, hi)
    assert x.value <= y.value
    for v in (x.value, y.value):
        assert 0 <= v <= 4000 and v % 200 == 0


LABELS = [k.label for k in POLICY.bonus_kinds if k.points is not None]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(LABELS), max_size=12), st.integers(min_value=0, max_value=3))
def test_R3_R4_counted_bonus_at_most_20_total_at_most_120(labels, stage):
    entries = [bonus("办公室", lab, row=30 + i) for i, lab in enumerate(labels)]
    result = compute(inputs(bonuses=entries, scores=all_scores(stage=stage)))
    office = result.departments[0]
    assert office.bonus <= 20 and office.bonus <= office.bonus_raw
    assert 0 <= office.total <= 120
    assert office.bonus_raw == sum((POLICY.bonus_kind(lab).points for lab in labels), Decimal(0))


@settings(max_examples=30, deadline=None)
@given(st.dictionaries(st.sampled_from(POLICY.department_names), st.sampled_from(["100", "97.5", "91", "85.25"])))
def test_R18_explanations_always_present(bases):
    result = compute(inputs(staff=leadership(), scores=all_scores(bases=bases)))
    for p in result.people:
        assert p.explanation and "合计" in p.explanation and "第五条" in p.explanation
        assert p.total == p.allowance + p.bonus
