"""One entry point for every front door: compute(inputs) -> Result (beancount-style: errors are values)."""

from __future__ import annotations

from decimal import Decimal

from xl_appraisal.engine import messages as msg
from xl_appraisal.engine.attendance import PersonAttendance, build_calendar, tally
from xl_appraisal.engine.issues import Issue, first_at_cells, has_errors
from xl_appraisal.engine.model import Inputs, PersonResult, Result, raw_cells
from xl_appraisal.engine.payouts import (
    allowance,
    average_all,
    forfeits,
    leader_averages,
    linked_scores,
    person_bonus,
    total_text,
)
from xl_appraisal.engine.roster import build_roster
from xl_appraisal.engine.scoring import score_departments
from xl_appraisal.engine.values import Uncomputed, money, uncomputed_message

ZERO = Decimal(0)


def unreadable_cells(inputs: Inputs) -> list[Issue]:
    """An error at every formula cell saved without its result (never read as blank)."""
    return [rec.src.error(col, uncomputed_message(raw))
            for rec in inputs.records() for col, raw in raw_cells(rec) if isinstance(raw, Uncomputed)]


def compute(inputs: Inputs) -> Result:
    policy = inputs.policy
    issues: list = []
    roster, roster_issues = build_roster(policy, inputs.staff)
    issues += roster_issues
    departments, bonus_points = score_departments(policy, inputs.scores, inputs.bonuses, issues)
    calendar = build_calendar(inputs.calendar, inputs.year, issues, inputs.policy)
    attendance = tally(policy, calendar, inputs.year, roster, inputs.events, inputs.leaves, issues)

    issues = first_at_cells(unreadable_cells(inputs), issues)
    final = all(d.final for d in departments) and not has_errors(issues)  # R5
    status = msg.status_label(final)
    totals = {d.name: d.total for d in departments}
    people = []
    for m in roster.members.values():
        att = attendance.get(m.name) or PersonAttendance()
        n = len(att.unexcused)
        linked, bonus_amount = person_bonus(policy, m.role, m.department, m.overseen, totals)
        follows = linked_scores(policy, m.role, m.department, m.overseen, totals)
        allow = allowance(policy, n)
        steps = []
        if att.unapproved_leave:
            steps.append(msg.unapproved_leave(policy, len(att.unapproved_leave)))
        steps.append(allow.text)
        irregular = [(k, len(s)) for k, s in (("迟到", att.late), ("早退", att.early), ("漏签", att.missed)) if s]
        if irregular:
            steps.append(msg.irregularities(policy, irregular))
        steps.append(bonus_amount.text)
        allow_value, bonus_value = allow.value, bonus_amount.value
        lost = forfeits(policy, n)
        if lost:  # R13
            allow_value = bonus_value = ZERO
            steps.append(msg.forfeited(policy, n))
        steps.append(total_text(allow_value, bonus_value))
        people.append(
            PersonResult(
                name=m.name, department=m.department, role=m.role,
                linked_score=linked, linked_scores=follows, absent_half_days=n,
                late=len(att.late), early=len(att.early), missed=len(att.missed),
                allowance=money(allow_value), bonus=money(bonus_value),
                total=money(allow_value) + money(bonus_value),
                forfeited=lost, status=status, explanation="；".join(steps),
                overseen=tuple(d.name for d in policy.departments if d.name in m.overseen),
                averages=leader_averages(m.role, m.overseen, totals),
            )
        )
    cover = {name: dict(att.covered) for name, att in attendance.items() if att.covered}
    return Result(policy.id, inputs.year, final, departments, people, bonus_points, issues, average_all(totals),
                  workdays=dict(calendar.workdays), leave_cover=cover)
