"""Fuzzing the readers (hypothesis): whatever people type, never a crash — always a value or an issue."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from builders import POLICY, calendar_rows, leadership
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from workbooks import fill, new_book

from xl_appraisal.engine.issues import Source
from xl_appraisal.engine.model import AttendanceEvent, BonusEntry, Inputs, ItemScore, Leave, Person
from xl_appraisal.engine.run import compute
from xl_appraisal.engine.values import Merged, Uncomputed
from xl_appraisal.service import evaluate

typed = st.one_of(
    st.none(), st.booleans(), st.integers(-10**6, 10**6), st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12), st.sampled_from(["上午", "下午", "全天", "旷工", "迟到", "事假", "公务外出", "胡明", "吴建国",
                                           "２０分", "2018/3/12", "2018-02-30", "=1+1", "办公室", "副主席", "-0", "1e400"]),
    st.dates(dt.date(2017, 12, 1), dt.date(2019, 1, 31)), st.datetimes(dt.datetime(2017, 12, 1), dt.datetime(2019, 1, 31)),
    st.decimals(allow_nan=False, allow_infinity=False, places=3, min_value=-200, max_value=200),
    st.sampled_from(["胡明\u200b", "\ufeff吴建国", "1,5", "1,500", "１２"]),  # invisible characters, decimal commas
)
# and what the file reader also hands the engine (issue 13): formulas without a result, merged cells
cell = st.one_of(typed, st.builds(Uncomputed, st.sampled_from(["", "30*0.9-7", "DATE(2018,3,12)"])),
                 st.just(Merged("A5")))
SRC = Source("x", {})


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(cell, cell, cell, cell), max_size=6), st.lists(st.tuples(cell, cell, cell, cell), max_size=8),
       st.lists(st.tuples(cell, cell, cell, cell, cell, cell, cell), max_size=6), st.lists(st.tuples(cell, cell, cell), max_size=5),
       st.lists(st.tuples(cell, cell, cell, cell), max_size=5))
def test_engine_never_crashes_on_any_cell_values(people, events, leaves, bonuses, stages):
    items = [i for d in POLICY.departments for i in d.items]
    scores = [ItemScore("办公室", items[k].number, tuple(s), SRC) for k, s in enumerate(stages)]  # type: ignore[arg-type]
    inputs = Inputs(
        policy=POLICY, year=2018, calendar=list(calendar_rows(2018)),
        staff=leadership() + [Person(*p, "", SRC) for p in people],  # type: ignore[arg-type]
        events=[AttendanceEvent(*e, "", SRC) for e in events],
        leaves=[Leave(*lv, "", SRC) for lv in leaves],
        bonuses=[BonusEntry("办公室", *b, None, key=k, src=SRC) for k, b in enumerate(bonuses)],
        scores=scores,
    )
    result = compute(inputs)
    for p in result.people:
        assert Decimal(0) <= p.total <= Decimal(6000) and p.explanation
    assert all(i.message for i in result.issues)


def _writable(v) -> bool:
    """What openpyxl itself can put in a cell (it refuses control characters and NaN/inf)."""
    if isinstance(v, float):
        return v == v and abs(v) < 1e300
    if isinstance(v, str):
        return v.isprintable()
    return True


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.lists(st.lists(typed.filter(_writable), min_size=5, max_size=5), max_size=6))
@example(rows=[[-693594, None, None, None, None]])  # found by this test: a number in a date cell that is no date
def test_reader_never_crashes_on_what_a_tool_writes(tmp_path_factory, rows):
    tmp = tmp_path_factory.mktemp("fuzz")
    book = fill(new_book(tmp), tmp / "f.xlsx", staff=[["吴建国", "领导班子", "主席", None, None]] + rows, attendance=rows)
    outcome = evaluate(book)
    assert outcome.result is not None
    assert all(i.sheet and i.message for i in outcome.issues)
