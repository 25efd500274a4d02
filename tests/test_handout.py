"""Hand out and collect: split one self-scoring file per department, merge the returns into the master."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from test_nothing_lost import STAFF, typed_values
from workbooks import fill, new_book

from xl_appraisal.cli import main


@pytest.fixture
def master(tmp_path) -> Path:
    scores = {"财务部": {"1": [None, 20, None, None]}, "办公室": {"1": [28, 26, None, None]}}
    return fill(new_book(tmp_path), tmp_path / "master.xlsm", staff=STAFF, scores=scores)


@pytest.fixture
def handouts(master, tmp_path) -> Path:
    outdir = tmp_path / "自评"
    assert main(["split", str(master), "-o", str(outdir), "--due", "12月20日", "--contact", "考核办"]) == 0
    return outdir


def self_score(path: Path, values: dict[str, object], notes: dict[str, str] | None = None, bonus=()) -> Path:
    """What a department does: type 自评 (and notes, bonus rows) into its own file and save it."""
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[1]
    for row in ws.iter_rows(min_row=5, max_col=1):
        number = row[0].value
        if number in values:
            ws.cell(row[0].row, 4, values[number])
        if notes and number in notes:
            ws.cell(row[0].row, 8, notes[number])
    for i, entry in enumerate(bonus):
        for j, v in enumerate(entry):
            ws.cell(5 + i, 10 + j, v)
    wb.save(path)
    return path


def test_handout_has_only_self_score_note_and_bonus_unlocked(handouts):
    files = sorted(p.name for p in handouts.iterdir())
    assert files == sorted(f"{d}-自评.xlsx" for d in ("办公室", "财务部", "组宣部", "女工部", "保障部", "职工服务中心"))
    wb = openpyxl.load_workbook(handouts / "财务部-自评.xlsx")
    assert "xl/vbaProject.bin" not in __import__("zipfile").ZipFile(handouts / "财务部-自评.xlsx").namelist()
    ws = wb["财务部"]
    assert ws.protection.sheet and "tblItems_finance" in ws.tables and "tblBonus_finance" in ws.tables
    headers = [c.value for c in ws[4][:8]]
    assert headers == ["编号", "考核内容", "分值", "自评", "评议", "调整", "审定", "说明"]
    assert ws["D5"].protection.locked is False and ws["H5"].protection.locked is False
    assert all(ws[f"{col}5"].protection.locked for col in "ABCEFG")
    assert ws["J5"].protection.locked is False and ws["N5"].protection.locked is True
    assert "12月20日" in wb["说明"]["A6"].value and "考核办" in wb["说明"]["A6"].value


def test_split_then_collect_gives_exactly_the_typed_self_scores(master, handouts, capsys):
    fin = self_score(handouts / "财务部-自评.xlsx", {"1": 24, "2": 19.5, "9.3": 4}, {"2": "划拨有一笔延迟"},
                     bonus=[["宣传报道·其他版面", 2, None, "《江西工人报》两篇"]])
    before = typed_values(master)
    assert main(["collect", str(master), str(fin)]) == 0
    out = capsys.readouterr().out
    assert "已回收：财务部" in out and "尚未交回：办公室、组宣部、女工部、保障部、职工服务中心" in out
    after = typed_values(master)
    changed = {k: (before.get(k), after.get(k)) for k in set(before) | set(after) if before.get(k) != after.get(k)}
    assert changed == {
        ("财务部", "D5"): (None, 24), ("财务部", "D6"): (None, 19.5), ("财务部", "D16"): (None, 4),
        ("财务部", "H6"): (None, "划拨有一笔延迟"),
        ("财务部", "J5"): (None, "宣传报道·其他版面"), ("财务部", "K5"): (None, 2), ("财务部", "M5"): (None, "《江西工人报》两篇"),
    }
    assert after[("财务部", "E5")] == 20  # 评议 untouched


def test_changed_self_score_is_reported_old_to_new(master, handouts, capsys):
    office = self_score(handouts / "办公室-自评.xlsx", {"1": 29})
    assert main(["collect", str(master), str(office)]) == 0
    assert "办公室第1项自评：28 → 29" in capsys.readouterr().out


@pytest.mark.parametrize("tamper,words", [
    ("max", "第2项的分值被改为25"),
    ("delete", "第9.3项被删除"),
    ("foreign", "不是本工具分发的自评表"),
])
def test_tampered_or_foreign_files_are_refused_and_change_nothing(master, handouts, tmp_path, capsys, tamper, words):
    path = handouts / "财务部-自评.xlsx"
    if tamper == "foreign":
        wb = openpyxl.Workbook()
        wb.active["A1"] = "别的表"
        path = tmp_path / "别人的.xlsx"
        wb.save(path)
    else:
        wb = openpyxl.load_workbook(path)
        ws = wb["财务部"]
        ws.protection.sheet = False
        if tamper == "max":
            ws["C6"] = 25
        else:
            ws.delete_rows(16)
        wb.save(path)
    before = master.read_bytes()
    assert main(["collect", str(master), str(path)]) == 1
    assert words in capsys.readouterr().out
    assert master.read_bytes() == before


def test_collecting_the_same_file_twice_is_a_no_op(master, handouts):
    fin = self_score(handouts / "财务部-自评.xlsx", {"1": 24})
    assert main(["collect", str(master), str(fin)]) == 0
    once = master.read_bytes()
    assert main(["collect", str(master), str(fin)]) == 0
    assert master.read_bytes() == once


def test_collected_scores_flow_into_recalc(master, handouts):
    from builders import POLICY

    from xl_appraisal.service import evaluate

    full = {i.number: float(i.max_points) for i in POLICY.department("财务部").items}
    fin = self_score(handouts / "财务部-自评.xlsx", {**full, "1": 24})
    main(["collect", str(master), str(fin)])
    finance = next(d for d in evaluate(master).result.departments if d.name == "财务部")
    # item 1: 自评 24 but the office's 评议 of 20 is the later stage (R5); the rest at their max
    assert (finance.base, finance.stage) == (95, "自评")


def test_formula_like_text_from_the_master_stays_text_in_the_handout(tmp_path):
    master = fill(new_book(tmp_path), tmp_path / "m.xlsm", staff=STAFF,
                  scores={"财务部": {"1": [None, None, None, None, '=HYPERLINK("x")']}})
    assert main(["split", str(master), "-o", str(tmp_path / "h")]) == 0
    cell = openpyxl.load_workbook(tmp_path / "h" / "财务部-自评.xlsx")["财务部"]["H5"]
    assert cell.value == '=HYPERLINK("x")' and cell.data_type == "s"
