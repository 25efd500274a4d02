"""The policy contract: the policy file is the only source of numbers, clause citations and rule words.

Run for every bundled policy (xl_appraisal/policies/*.toml) and for tests/policies/other-union.toml, a
made-up union whose bonus cap, leadership shares, amounts and clause texts all differ, with one department
renamed and one added. For each: build a workbook -> reading it back gives an equal Policy; no text in
any built sheet (the workbook new and recalculated, a handout, a sign-off sheet, the 报送版) states a
number or a clause that contradicts the policy; recalc's amounts and explanations follow it.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from workbooks import fill

from xl_appraisal import service
from xl_appraisal.calendar import year_calendar
from xl_appraisal.engine.model import CHAIR, EXEC_VICE, HEAD, LEADERSHIP, STAFF, VICE
from xl_appraisal.engine.values import fmt
from xl_appraisal.export import build_export
from xl_appraisal.handout import build_handout
from xl_appraisal.policy import Policy, load_policy
from xl_appraisal.signoff import build_signoff
from xl_appraisal.templates import new_workbook
from xl_appraisal.workbook.read import read_book

ROOT = Path(__file__).resolve().parent.parent
BUNDLED = sorted((ROOT / "xl_appraisal" / "policies").glob("*.toml"))
OTHER = Path(__file__).resolve().parent / "policies" / "other-union.toml"
POLICIES = [*BUNDLED, OTHER]
DEFAULT = load_policy()
CLAUSE = re.compile(r"第[0-9一二三四五六七八九十百]+条(?:第[0-9一二三四五六七八九十]+款)?")
WHEN = dt.datetime(2026, 1, 5, 9, 30)


def test_the_second_policy_differs_where_the_contract_needs_it():
    other = load_policy(str(OTHER))
    assert other.bonus_cap != DEFAULT.bonus_cap and other.tier_amount != DEFAULT.tier_amount
    assert other.leader_all_share != DEFAULT.leader_all_share
    assert not {p.clause for p in other.params if "条" in p.clause} & {p.clause for p in DEFAULT.params}
    assert not {c.clause for c in other.clauses} & {c.clause for c in DEFAULT.clauses}
    assert set(other.department_names) - set(DEFAULT.department_names) == {"经审办", "权益保障部"}
    assert other.department_names != sorted(other.department_names)  # policy order is not code-point order


# -- a workbook built, filled and recalculated from a policy -------------------------------------------
def _people(policy: Policy) -> list[list]:
    names = [d.name for d in policy.departments]
    half = max(1, len(names) // 2)
    staff = [["甲主席", LEADERSHIP, CHAIR, None, None],
             ["乙常务", LEADERSHIP, EXEC_VICE, "、".join(names[:half]), None],
             ["丙副", LEADERSHIP, VICE, "、".join(names[half:]), None]]
    for k, name in enumerate(names):
        staff += [[f"负责{k}", name, HEAD, None, None], [f"员工{k}", name, STAFF, None, None]]
    return staff


def _filled(policy_path: Path, tmp_path: Path) -> tuple[Policy, Path]:
    policy = load_policy(str(policy_path))
    year = policy.year
    book = tmp_path / "new.xlsm"
    new_workbook(book, year, str(policy_path))
    work = [d.date for d in year_calendar(year).days if d.workday]
    first, second, third = policy.departments[:3]
    scores = {d.name: {i.number: [float(i.max_points)] * 2 + [None, float(i.max_points)] for i in d.items}
              for d in policy.departments}
    short = third.items[0]  # 97: one tier short (R14)
    scores[third.name][short.number] = [float(short.max_points) - 3] * 2 + [None, float(short.max_points) - 3]
    scores[second.name] = {i.number: [float(i.max_points)] for i in second.items}  # 自评 only: 暂定
    fixed = [k for k in policy.bonus_kinds if k.points is not None]
    bonuses = {first.code: [[k.label, 1, None, None] for k in fixed]}  # more than any cap: capped
    attendance = [[dt.datetime.combine(work[10], dt.time()), "员工2", "全天", "旷工", None],
                  [dt.datetime.combine(work[11], dt.time()), "员工2", "上午", "旷工", None],
                  [dt.datetime.combine(work[12], dt.time()), "员工2", "上午", "迟到", None]]
    leave = [["丙副", dt.datetime.combine(work[20], dt.time()), "上午", dt.datetime.combine(work[20], dt.time()), "上午",
              "事假", "负责0", None]]
    filled = fill(book, tmp_path / "filled.xlsm", staff=_people(policy), attendance=attendance, leave=leave,
                  scores=scores, bonuses=bonuses)
    out = tmp_path / "recalc.xlsm"
    service.recalc(filled, out, backup=False)
    return policy, out


def _cell_texts(wb: openpyxl.Workbook, where: str) -> list[tuple[str, str]]:
    texts = []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    texts.append((f"{where} {ws.title}!{cell.coordinate}", cell.value))
        for dv in ws.data_validations.dataValidation:
            for text in (dv.error, dv.prompt, dv.errorTitle, dv.promptTitle):
                if text:
                    texts.append((f"{where} {ws.title} validation {dv.sqref}", text))
    return texts


def _all_texts(policy_path: Path, tmp_path: Path) -> tuple[Policy, list[tuple[str, str]]]:
    policy, recalculated = _filled(policy_path, tmp_path)
    texts = _cell_texts(openpyxl.load_workbook(tmp_path / "new.xlsm"), "new")
    texts += _cell_texts(openpyxl.load_workbook(recalculated), "recalc")
    outcome = service.evaluate(recalculated)
    assert outcome.result is not None
    for dept in policy.departments:
        texts += _cell_texts(build_handout(outcome.book, dept, "", ""), f"handout {dept.name}")
        texts += _cell_texts(build_signoff(outcome, dept.name, WHEN)[0], f"signoff {dept.name}")
    texts += _cell_texts(build_export(outcome, WHEN), "export")
    texts += [("message", i.message) for i in outcome.issues]
    return policy, texts


def _allowed_clauses(policy: Policy) -> set[str]:
    cited = [p.clause for p in policy.params] + [c.clause for c in policy.clauses] + [k.clause for k in policy.bonus_kinds]
    return {m for text in cited for m in CLAUSE.findall(text)}


def _contradictions(policy: Policy, texts: list[tuple[str, str]]) -> list[str]:
    """Every number or clause a text states that the policy does not say."""
    bad = []
    allowed = _allowed_clauses(policy)
    shares = {fmt(policy.leader_all_share * 100), fmt(policy.leader_overseen_share * 100)}
    for where, text in texts:
        for clause in CLAUSE.findall(text):
            if clause not in allowed:
                bad.append(f"{where}: cites {clause}: {text}")
        for cap in re.findall(r"封顶(\d+(?:\.\d+)?)", text):
            if Decimal(cap) != policy.bonus_cap:
                bad.append(f"{where}: cap {cap}: {text}")
        for share in re.findall(r"(\d+(?:\.\d+)?)%", text):
            if share not in shares:
                bad.append(f"{where}: share {share}%: {text}")
        for amount in re.findall(r"每档扣(?:发)?(\d+(?:\.\d+)?)元", text):
            if Decimal(amount) != policy.tier_amount:
                bad.append(f"{where}: tier {amount}: {text}")
    # the bundled policy's distinctive numbers and names, wherever this policy says otherwise
    distinct = []
    if policy.bonus_cap != DEFAULT.bonus_cap:
        distinct += [rf"封顶{fmt(DEFAULT.bonus_cap)}(?![\d.])", rf"(?<![\d.]){fmt(DEFAULT.bonus_cap)}分封顶"]
    if policy.leader_all_share != DEFAULT.leader_all_share:
        for share in (DEFAULT.leader_all_share, DEFAULT.leader_overseen_share):
            distinct += [rf"(?<![\d.]){fmt(share * 100)}%", rf"(?<![\d.]){fmt(share)}×"]
    if policy.tier_amount != DEFAULT.tier_amount:
        distinct += [rf"×{fmt(DEFAULT.tier_amount)}(?![\d.])", rf"(?<![\d.,]){fmt(DEFAULT.tier_amount)}元"]
    if policy.allowance != DEFAULT.allowance:
        distinct += [rf"津贴{fmt(DEFAULT.allowance)}(?![\d.])", rf"(?<![\d.,]){fmt(DEFAULT.allowance)} −"]
    if policy.bonus_full != DEFAULT.bonus_full:
        distinct += [rf"全额{fmt(DEFAULT.bonus_full)}(?![\d.])", rf"(?<![\d.,]){fmt(DEFAULT.bonus_full)} −"]
    for name in set(DEFAULT.department_names) - set(policy.department_names):
        distinct.append(rf"(?<![\u4e00-\u9fff]){name}")
    for where, text in texts:
        for pattern in distinct:
            if re.search(pattern, text):
                bad.append(f"{where}: says {pattern}: {text}")
    return bad


@pytest.mark.parametrize("policy_path", POLICIES, ids=lambda p: p.stem)
def test_built_workbook_reads_back_the_same_policy(policy_path, tmp_path):
    policy = load_policy(str(policy_path))
    book = tmp_path / "book.xlsm"
    new_workbook(book, policy.year, str(policy_path))
    read = read_book(book)
    assert read.policy == policy
    assert [n for n in read.policy.department_names] == policy.department_names


@pytest.mark.parametrize("policy_path", POLICIES, ids=lambda p: p.stem)
def test_no_built_text_contradicts_the_policy(policy_path, tmp_path):
    policy, texts = _all_texts(policy_path, tmp_path)
    assert len(texts) > 200
    assert not _contradictions(policy, texts)


def test_the_contradiction_scan_can_fail():
    other = load_policy(str(OTHER))
    for text in ("加分（封顶20分）", "30%与全部部门平均分", "4000 − 1×200 = 3800", "合计（第七条）", "保障部第1项"):
        assert _contradictions(other, [("probe", text)]), text
    assert not _contradictions(other, [("probe", "加分（封顶15分）；40%；（第7条）；权益保障部")])


def test_recalc_follows_the_second_policy(tmp_path):
    """Amounts and explanations follow the second policy's numbers and clause texts (R12, R14-R18)."""
    policy, out = _filled(OTHER, tmp_path)
    outcome = service.evaluate(out)
    r = outcome.result
    assert [d.name for d in r.departments] == policy.department_names
    first = r.departments[0]
    assert first.bonus == policy.bonus_cap == Decimal(15) and first.bonus_raw > 15  # R3 with this cap
    people = {p.name: p for p in r.people}
    absent = people["员工2"]  # 3 unexcused half-days (R12): 2400 − 3×25
    assert absent.allowance == Decimal("2325.00")
    assert "2400 − 3×25 = 2325（第5条第1款）" in absent.explanation
    # staff take the department total 97 (R15): one tier of 300 short of 5000 (R14, ceil)
    assert absent.bonus == Decimal("4700.00")
    assert f"挂钩{policy.departments[2].name}总分（第5条第2款）" in absent.explanation
    assert "5000 − 1×300 = 4700（第5条第2款）" in absent.explanation
    vice = people["乙常务"]  # R16: 40% all departments, 60% overseen
    assert "40%挂钩全部部门平均分" in vice.explanation and "60%挂钩分管部门平均分" in vice.explanation
    assert "（第5条第3款）" in vice.explanation
    assert all("第五条" not in p.explanation and "第四条" not in p.explanation for p in r.people)
    assert any("第4条第2款" in i.message for i in outcome.issues)  # the vice-chair's leave (R10)
