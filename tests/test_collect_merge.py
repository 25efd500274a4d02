"""Collect is a three-way merge (issue 13, items 1 and 13): the handout carries what it was split with;
only what the department changed is merged; what the master changed since the split is kept; every
merged change is listed; a conflict is reported and the master wins unless --force; a handout of
another book or year is refused (exit 2, nothing written) unless --force; 自评 values are checked."""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_handout import self_score
from test_nothing_lost import STAFF
from workbooks import fill, new_book

from xl_appraisal.cli import main
from xl_appraisal.workbook.xlsx import custom_properties

BOOK_ID_PROP = "xl-appraisal-book-id"  # xl_appraisal.workbook.contract.BOOK_ID_PROP (spelled out: a stored name)


@pytest.fixture
def master(tmp_path) -> Path:
    scores = {"财务部": {"1": [None, 20, None, None]}, "办公室": {"1": [28, 26, None, None], "2": [18, None, None, None]}}
    bonuses = {"office": [["宣传报道·其他版面", 1, None, "分发前已有"]]}
    return fill(new_book(tmp_path), tmp_path / "master.xlsm", staff=STAFF, scores=scores, bonuses=bonuses)


@pytest.fixture
def handouts(master, tmp_path) -> Path:
    outdir = tmp_path / "自评"
    assert main(["split", str(master), "-o", str(outdir)]) == 0
    return outdir


def type_in_master(master: Path, cells: dict[str, object], sheet: str = "办公室") -> None:
    wb = openpyxl.load_workbook(master)
    for ref, value in cells.items():
        wb[sheet][ref] = value
    wb.save(master)


def values(master: Path, sheet: str, refs: list[str]) -> dict[str, object]:
    ws = openpyxl.load_workbook(master)[sheet]
    return {ref: ws[ref].value for ref in refs}


def test_item1_what_the_master_typed_after_split_survives_collect(master, handouts, capsys):
    """Item 1: a bonus row and a 说明 typed in 办公室 after the handouts went out used to be wiped when
    办公室 returned its handout with one changed self-score; the report named only the score."""
    type_in_master(master, {"J6": "招商引资突出贡献", "K6": 1, "H6": "考核办补记：材料已核"})
    office = self_score(handouts / "办公室-自评.xlsx", {"1": 29})
    assert main(["collect", str(master), str(office)]) == 0
    out = capsys.readouterr().out
    got = values(master, "办公室", ["D5", "J5", "M5", "J6", "K6", "H6"])
    assert got == {"D5": 29, "J5": "宣传报道·其他版面", "M5": "分发前已有", "J6": "招商引资突出贡献", "K6": 1,
                   "H6": "考核办补记：材料已核"}
    assert "办公室第1项自评：28 → 29" in out
    assert "H6" not in out and "总表分发后新增的“招商引资突出贡献”" in out  # the master's own rows: kept, said so


def test_every_merged_change_is_listed_bonus_rows_and_notes_included(master, handouts, capsys):
    office = handouts / "办公室-自评.xlsx"
    wb = openpyxl.load_workbook(office)
    ws = wb["办公室"]
    ws["H5"] = "按时完成"
    for col in "JKLM":  # the department removes the row it was given ...
        ws[f"{col}5"] = None
    ws["J6"], ws["K6"], ws["M6"] = "宣传报道·其他版面", 2, "两篇报道"  # ... and adds another
    wb.save(office)
    assert main(["collect", str(master), str(office)]) == 0
    out = capsys.readouterr().out
    assert "办公室第1项说明：（空） → “按时完成”" in out
    assert "办公室加分：删除“宣传报道·其他版面”×1，说明“分发前已有”" in out
    assert "办公室加分：新增“宣传报道·其他版面”×2，说明“两篇报道”" in out
    ws = openpyxl.load_workbook(master)["办公室"]
    rows = [[ws.cell(r, c).value for c in range(10, 14)] for r in range(5, 15)]
    assert [r for r in rows if any(v is not None for v in r)] == [["宣传报道·其他版面", 2, None, "两篇报道"]]


def test_a_conflict_is_reported_and_the_master_wins_unless_forced(master, handouts, tmp_path, capsys):
    type_in_master(master, {"D6": 17})  # the office corrects 办公室's item 2 after the split (18 → 17)
    office = self_score(handouts / "办公室-自评.xlsx", {"2": 19})  # the department says 19
    assert main(["collect", str(master), str(office)]) == 1
    out = capsys.readouterr().out
    assert "冲突：办公室第2项自评：分发时为18，总表之后改为17，部门填为19；保留总表的值" in out
    assert values(master, "办公室", ["D6"]) == {"D6": 17}
    assert main(["collect", str(master), str(office), "--force"]) == 1
    assert "已按部门的值合并（--force）" in capsys.readouterr().out
    assert values(master, "办公室", ["D6"]) == {"D6": 19}


def test_self_scores_are_checked_at_collect_time(master, handouts, capsys):
    office = self_score(handouts / "办公室-自评.xlsx", {"1": 31, "3": "优秀"})
    assert main(["collect", str(master), str(office)]) == 1
    out = capsys.readouterr().out
    assert "自评有错误：办公室第1项自评：得分31超过该项分值30" in out
    assert "自评有错误：办公室第3项自评：“优秀”不是分数" in out


def _handout_of_other_book(tmp_path: Path, year: int = 2018) -> Path:
    other = fill(new_book(tmp_path, f"other{year}.xlsm", year=year), tmp_path / f"other{year}.xlsm", staff=STAFF)
    assert main(["split", str(other), "-o", str(tmp_path / f"other{year}")]) == 0
    return self_score(tmp_path / f"other{year}" / "办公室-自评.xlsx", {"1": 10})


@pytest.mark.parametrize("year,words", [(2018, "另一个考核工作簿"), (2017, "是2017年度的自评表，本工作簿是2018年度")],
                         ids=["another-book", "last-year"])
def test_item13_a_handout_of_another_book_or_year_is_refused_unless_forced(master, tmp_path, capsys, year, words):
    stray = _handout_of_other_book(tmp_path, year)
    before = master.read_bytes()
    assert main(["collect", str(master), str(stray)]) == 2
    out = capsys.readouterr().out
    assert words in out and "--force" in out and master.read_bytes() == before
    assert main(["collect", str(master), str(stray), "--force"]) == 1  # merged; 28 → 10 is a conflict, forced
    out = capsys.readouterr().out
    assert "已按 --force 回收" in out and "已按部门的值合并（--force）" in out
    assert values(master, "办公室", ["D5"]) == {"D5": 10}


def test_an_old_handout_without_its_split_values_is_refused_unless_forced(master, handouts, capsys):
    office = self_score(handouts / "办公室-自评.xlsx", {"1": 27})
    wb = openpyxl.load_workbook(office)
    del wb["分发原值"]
    kept = [p for p in wb.custom_doc_props.props if p.name.endswith(("-department", "-items"))]
    wb.custom_doc_props = openpyxl.packaging.custom.CustomPropertyList()
    for prop in kept:
        wb.custom_doc_props.append(prop)
    wb.save(office)
    before = master.read_bytes()
    assert main(["collect", str(master), str(office)]) == 2
    assert "旧版本分发" in capsys.readouterr().out and master.read_bytes() == before
    assert main(["collect", str(master), str(office), "--force"]) == 0
    assert values(master, "办公室", ["D5"]) == {"D5": 27}


def test_new_books_have_an_id_and_split_stamps_an_older_book_once(tmp_path):
    a, b = new_book(tmp_path, "a.xlsm"), new_book(tmp_path, "b.xlsm")
    ids = {custom_properties(p).get(BOOK_ID_PROP) for p in (a, b)}
    assert len(ids) == 2 and None not in ids
    old = fill(a, tmp_path / "old.xlsx", staff=STAFF)
    wb = openpyxl.load_workbook(old)
    wb.custom_doc_props = openpyxl.packaging.custom.CustomPropertyList()
    wb.save(old)
    assert BOOK_ID_PROP not in custom_properties(old)
    assert main(["split", str(old), "-o", str(tmp_path / "h")]) == 0
    stamped = custom_properties(old)[BOOK_ID_PROP]
    assert custom_properties(tmp_path / "h" / "办公室-自评.xlsx")["xl-appraisal-book"] == stamped
    assert main(["split", str(old), "-o", str(tmp_path / "h2")]) == 0
    assert custom_properties(old)[BOOK_ID_PROP] == stamped
    with zipfile.ZipFile(tmp_path / "h" / "办公室-自评.xlsx") as z:
        sheet = next(n for n in z.namelist() if "workbook.xml" in n and "rels" not in n)
        assert b'state="veryHidden"' in z.read(sheet)


def test_bonus_rows_added_by_collect_move_a_note_typed_under_the_bonus_table(master, handouts):
    type_in_master(master, {"J16": "加分依据见附件"})  # the bonus table is J4:N14; one blank row, then a note
    rows = [["宣传报道·其他版面", 1, None, f"第{i}篇"] for i in range(12)]
    office = self_score(handouts / "办公室-自评.xlsx", {}, bonus=[["宣传报道·其他版面", 1, None, "分发前已有"], *rows])
    assert main(["collect", str(master), str(office)]) == 0
    ws = openpyxl.load_workbook(master)["办公室"]
    end = int(ws.tables["tblBonus_office"].ref.split(":")[1][1:])
    assert end == 17 and ws.cell(end + 2, 10).value == "加分依据见附件"
    assert [ws.cell(r, 13).value for r in range(5, 18)] == ["分发前已有"] + [f"第{i}篇" for i in range(12)]


# The merge of bonus rows, as a property (hypothesis) -------------------------------------------------------
KINDS = ["宣传报道·其他版面", "招商引资突出贡献", "其他创新工作"]
ROW = st.tuples(st.sampled_from(KINDS), st.integers(1, 2), st.none(), st.sampled_from([None, "甲", "乙"]))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(base=st.lists(ROW, max_size=5), master_edit=st.lists(ROW, max_size=3), master_drop=st.sets(st.integers(0, 4)),
       dept_edit=st.lists(ROW, max_size=3), dept_drop=st.sets(st.integers(0, 4)))
def test_bonus_merge_keeps_the_masters_changes_and_applies_the_departments(base, master_edit, master_drop, dept_edit,
                                                                           dept_drop):
    from collections import Counter

    from xl_appraisal.handout import CollectReport, Returned, _merge_bonus
    from xl_appraisal.workbook import contract as c
    from xl_appraisal.workbook.read import TableRows

    base = [list(r) for r in base]
    now_rows = [r for i, r in enumerate(base) if i not in master_drop] + [list(r) for r in master_edit]
    theirs = [r for i, r in enumerate(base) if i not in dept_drop] + [list(r) for r in dept_edit]
    table = c.bonus_table("办公室", "office")
    cols = dict(zip(table.headers, "JKLMN", strict=True))

    def rows_of(values, first=5):
        return [(first + i, dict(zip(c.BONUS_INPUTS, v, strict=True))) for i, v in enumerate(values)]

    master = TableRows(table, "办公室", "J4:N14", 4, cols, rows_of(now_rows))
    returned = TableRows(table, "办公室", "J4:N14", 4, cols, rows_of(theirs))

    class Book:
        tables = {"tblBonus_office": master}

    dept = type("Dept", (), {"name": "办公室", "code": "office"})()
    report = CollectReport()
    _merge_bonus(report, Book(), Returned(dept, None, returned, {}, base))
    sheet = {5 + i: list(v) for i, v in enumerate(now_rows)}
    for cell in report.plan.cells:
        row = int(cell.ref[1:])
        sheet.setdefault(row, [None] * 4)[list(cols).index(next(h for h, col in cols.items() if col == cell.ref[0]))] = cell.value
    for ap in report.plan.appends:
        for i, v in enumerate(ap.rows):
            assert ap.start + i not in sheet
            sheet[ap.start + i] = list(v)
    final = Counter(tuple(v) for v in sheet.values() if any(x is not None for x in v))
    key = lambda rows: Counter(tuple(r) for r in rows)  # noqa: E731
    removed = key(base) - key(theirs)
    added = key(theirs) - key(base)
    master_added = key(now_rows) - key(base)
    expected = (key(now_rows) - removed) + (added - master_added)
    assert final == expected
    for row, v in enumerate(now_rows, 5):  # a row the master keeps never moves
        if removed[tuple(v)] == 0:
            assert sheet[row] == v
