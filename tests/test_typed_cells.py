"""Typed cells are sacred (issue 13, items 2, 3, 7, 8): no write replaces a non-empty cell the program did
not write itself. A growing computed table moves what is typed under it down, layout and all, or refuses
naming the cells; shrinking deletes nothing below; columns a person adds follow the row's key; the
status line follows its table; an Excel totals row stays the totals row."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.table import TableColumn
from test_nothing_lost import FULL, STAFF
from test_signins import LEAVES, zkteco_csv
from workbooks import fill, new_book

from xl_appraisal import service
from xl_appraisal.cli import main

MORE = [["孙悦", "办公室", "工作人员", None, None], ["赵磊", "组宣部", "工作人员", None, None],
        ["钱文", "女工部", "部门负责人", None, None]]
NINE = STAFF + MORE
FOOTER = {"A12": "制表：张敏", "D12": "审核：胡明", "G12": "签字：", "A13": "（本表一式两份）"}


@pytest.fixture(scope="module")
def six(tmp_path_factory) -> Path:
    """A recalculated book with six people: 发放 is A4:J10."""
    tmp = tmp_path_factory.mktemp("six")
    book = fill(new_book(tmp), tmp / "book.xlsx", staff=STAFF, scores=FULL)
    assert main(["recalc", str(book)]) == 0
    return book


def copy_of(book: Path, tmp_path: Path, name: str = "book.xlsx") -> Path:
    out = tmp_path / name
    shutil.copy(book, out)
    return out


def set_staff(path: Path, staff: list[list]) -> None:
    """Replace 人员's rows (as a person would: overwrite, clear the rest), keeping the table's size."""
    wb = openpyxl.load_workbook(path)
    ws = wb["人员"]
    for r in range(5, 5 + max(len(staff), 30)):
        for c in range(1, 6):
            ws.cell(r, c).value = None
    for i, row in enumerate(staff):
        for j, v in enumerate(row):
            ws.cell(5 + i, 1 + j, v)
    ws.tables["tblStaff"].ref = f"A4:E{4 + max(len(staff), 1)}"
    ws.tables["tblStaff"].autoFilter.ref = ws.tables["tblStaff"].ref
    wb.save(path)


def table_ref(path: Path, sheet: str, name: str) -> str:
    return openpyxl.load_workbook(path)[sheet].tables[name].ref


def add_footer(path: Path) -> None:
    """A footer under 发放 (six people: the table ends at row 10, one blank row, then the footer), with
    its layout: a merged signature line, a row height, a bold label and a cell beyond the table."""
    wb = openpyxl.load_workbook(path)
    ws = wb["发放"]
    for ref, text in FOOTER.items():
        ws[ref] = text
    ws["A12"].font = Font(bold=True)
    ws.merge_cells("G13:J13")
    ws["G13"] = "（签名栏）"
    ws.row_dimensions[12].height = 30
    ws["L12"] = "旁注"
    wb.save(path)


def test_footer_under_payouts_moves_down_with_its_layout_when_the_table_grows(six, tmp_path):
    book = copy_of(six, tmp_path)
    add_footer(book)
    set_staff(book, NINE)
    assert main(["recalc", str(book)]) == 0
    ws = openpyxl.load_workbook(book)["发放"]
    assert ws.tables["tblPayouts"].ref == "A4:J13"
    assert sorted(ws.cell(r, 1).value for r in range(5, 14)) == sorted(p[0] for p in NINE)
    for ref, text in FOOTER.items():  # three rows more, three rows down
        col, row = ref[0], int(ref[1:])
        assert ws[f"{col}{row + 3}"].value == text
    assert ws["A15"].font.bold and ws.row_dimensions[15].height == 30
    assert "G16:J16" in {str(r) for r in ws.merged_cells.ranges} and ws["G16"].value == "（签名栏）"
    assert ws["L15"].value == "旁注"  # other cells of the moved rows move with them


def test_a_note_under_the_issues_table_survives_more_issues(six, tmp_path):
    book = copy_of(six, tmp_path)
    wb = openpyxl.load_workbook(book)
    ws = wb["校验"]
    end = int(ws.tables["tblIssues"].ref.split(":")[1][1:])
    ws.cell(end + 1, 1, "以上问题已逐条核对。张敏")
    wb.save(book)
    bad = [[dt.datetime(2018, 3, 12 + i), f"外人{i}", "上午", "旷工", None] for i in range(3)]
    fill(book, book, attendance=bad)
    assert main(["recalc", str(book)]) == 1
    ws = openpyxl.load_workbook(book)["校验"]
    new_end = int(ws.tables["tblIssues"].ref.split(":")[1][1:])
    assert end == 5 and new_end == 7
    assert ws.cell(new_end + 1, 1).value == "以上问题已逐条核对。张敏"
    assert all(ws.cell(r, 1).value in ("错误", "提醒") for r in range(5, new_end + 1))


def test_shrinking_keeps_the_footer_below_where_it_is(six, tmp_path):
    book = copy_of(six, tmp_path)
    add_footer(book)
    set_staff(book, STAFF[:4] + STAFF[5:])  # five people: the table shrinks by one
    assert main(["recalc", str(book)]) == 0
    ws = openpyxl.load_workbook(book)["发放"]
    assert ws.tables["tblPayouts"].ref == "A4:J9"
    assert all(ws[ref].value == text for ref, text in FOOTER.items())
    assert ws["L12"].value == "旁注" and all(ws.cell(10, c).value is None for c in range(1, 11))


def add_signed_column(path: Path, signed: dict[str, str]) -> None:
    """A 签收 column the office adds to tblPayouts (K), filled for some people."""
    wb = openpyxl.load_workbook(path)
    ws = wb["发放"]
    t = ws.tables["tblPayouts"]
    end = int(t.ref.split(":")[1][1:])
    t.tableColumns.append(TableColumn(id=len(t.tableColumns) + 1, name="签收"))
    t.ref = f"A4:K{end}"
    t.autoFilter.ref = t.ref
    ws["K4"] = "签收"
    for r in range(5, end + 1):
        name = ws.cell(r, 1).value
        if name in signed:
            ws.cell(r, 11, signed[name])
    wb.save(path)


def signed_by_name(path: Path) -> dict[str, object]:
    ws = openpyxl.load_workbook(path)["发放"]
    end = int(ws.tables["tblPayouts"].ref.split(":")[1][1:])
    assert ws.tables["tblPayouts"].ref.startswith("A4:K")
    return {ws.cell(r, 1).value: ws.cell(r, 11).value for r in range(5, end + 1)}


def test_a_column_added_to_payouts_keeps_its_values_following_the_name(six, tmp_path):
    book = copy_of(six, tmp_path)
    signed = {p[0]: f"{p[0]}已签" for p in STAFF if p[0] != "刘洋"}
    add_signed_column(book, signed)
    set_staff(book, list(reversed(NINE[:4])) + [NINE[6]] + NINE[4:6] + NINE[7:])  # reorder + 3 more (孙悦 in 办公室)
    assert main(["recalc", str(book)]) == 0
    got = signed_by_name(book)
    assert set(got) == {p[0] for p in NINE}
    assert got == {p[0]: signed.get(p[0]) for p in NINE}  # each value with its person; new people blank
    set_staff(book, [p for p in NINE if p[0] not in ("胡明", "孙悦")])  # fewer people
    assert main(["recalc", str(book)]) == 0
    assert signed_by_name(book) == {p[0]: signed.get(p[0]) for p in NINE if p[0] not in ("胡明", "孙悦")}


def test_a_column_added_to_the_summary_follows_the_department(six, tmp_path):
    book = copy_of(six, tmp_path)
    wb = openpyxl.load_workbook(book)
    ws = wb["汇总"]
    t = ws.tables["tblSummary"]
    added = len(t.tableColumns) + 1  # the column right of the program's ones
    t.tableColumns.append(TableColumn(id=added, name="备注"))
    t.ref = f"A4:{get_column_letter(added)}10"
    t.autoFilter.ref = t.ref
    ws.cell(4, added, "备注")
    notes = {ws.cell(r, 1).value: f"{ws.cell(r, 1).value}已公示" for r in range(5, 11)}
    for r in range(5, 11):
        ws.cell(r, added, notes[ws.cell(r, 1).value])
    wb.save(book)
    scores = {k: dict(v) for k, v in FULL.items()}
    scores["组宣部"]["1"] = [10, 10, None, 10]  # 组宣部 drops in rank: rows reorder by rank? values follow 部门
    fill(book, book, scores=scores)
    assert main(["recalc", str(book)]) == 0
    ws = openpyxl.load_workbook(book)["汇总"]
    assert {ws.cell(r, 1).value: ws.cell(r, added).value for r in range(5, 11)} == notes


# The status line ------------------------------------------------------------------------------------
def test_R_status_line_follows_its_table_when_the_hint_row_is_deleted(six, tmp_path):
    """Item 7: deleting the hint row above 汇总 used to put the status into the header cell (A3), after
    which every command exited 2."""
    book = copy_of(six, tmp_path)
    wb = openpyxl.load_workbook(book)
    ws = wb["汇总"]
    for rng in list(ws.merged_cells.ranges):
        if rng.min_row == 2:
            ws.unmerge_cells(str(rng))
    ws.delete_rows(2)
    moved = openpyxl.worksheet.cell_range.CellRange(ws.tables["tblSummary"].ref)
    moved.shift(row_shift=-1)  # the table moves up a row, as Excel moves it
    ws.tables["tblSummary"].ref = ws.tables["tblSummary"].autoFilter.ref = moved.coord
    wb.save(book)
    for _ in range(2):
        assert main(["recalc", str(book)]) == 0
    ws = openpyxl.load_workbook(book)["汇总"]
    assert ws["A3"].value == "部门" and ws["A2"].value.startswith("状态：")
    assert main(["check", str(book)]) == 0


def _insert_row(path: Path, sheet: str, table: str, at: int, width: str) -> None:
    """A person inserts a row (openpyxl moves cells, not tables or merges: fix those as Excel would)."""
    wb = openpyxl.load_workbook(path)
    ws = wb[sheet]
    merges = [str(r) for r in ws.merged_cells.ranges]
    for m in merges:
        ws.unmerge_cells(m)
    ws.insert_rows(at)
    for m in merges:
        rng = openpyxl.worksheet.cell_range.CellRange(m)
        if rng.min_row >= at:
            rng.shift(row_shift=1)
        ws.merge_cells(rng.coord)
    t = ws.tables[table]
    lo, hi = t.ref.split(":")
    t.ref = f"{lo[0]}{int(lo[1:]) + 1}:{hi[0]}{int(hi[1:]) + 1}"
    t.autoFilter.ref = t.ref
    wb.save(path)


@pytest.mark.parametrize("at,status_row", [(1, 4), (4, 3)], ids=["row-above-title", "row-between-status-and-header"])
def test_status_line_stays_with_its_table_after_a_row_is_inserted_above(six, tmp_path, at, status_row):
    book = copy_of(six, tmp_path)
    _insert_row(book, "发放", "tblPayouts", at, "J")
    before = openpyxl.load_workbook(book)["发放"]
    hint = [before.cell(r, 1).value for r in range(1, 5)]
    assert main(["recalc", str(book)]) == 0
    ws = openpyxl.load_workbook(book)["发放"]
    assert ws["A5"].value == "姓名" and ws.tables["tblPayouts"].ref.startswith("A5:")
    assert ws.cell(status_row, 1).value.startswith("状态：")
    assert [ws.cell(r, 1).value for r in range(1, 5) if r != status_row] == \
        [v for r, v in enumerate(hint, 1) if r != status_row]  # the title and the hint are untouched


def test_no_room_for_the_status_line_refuses_naming_the_cell(tmp_path):
    """A new book whose empty status row was deleted: the row above the header is the hint."""
    book = fill(new_book(tmp_path), tmp_path / "book.xlsx", staff=STAFF, scores=FULL)
    wb = openpyxl.load_workbook(book)
    ws = wb["校验"]
    ws.delete_rows(3)
    ws.tables["tblIssues"].ref = "A3:D4"
    ws.tables["tblIssues"].autoFilter.ref = "A3:D4"
    wb.save(book)
    before = book.read_bytes()
    code = main(["recalc", str(book)])
    assert code == 1 and book.read_bytes() == before


def test_growing_into_cells_a_formula_refers_to_refuses_naming_them(six, tmp_path, capsys):
    book = copy_of(six, tmp_path)
    add_footer(book)
    wb = openpyxl.load_workbook(book)
    wb["发放"]["L2"] = "=A12"  # a formula pointing at the footer: moving the footer would break it
    wb.save(book)
    set_staff(book, NINE)
    before = book.read_bytes()
    assert main(["recalc", str(book)]) == 1
    out = capsys.readouterr().out
    assert "A12" in out and "L2" in out and "未写入" in out
    assert book.read_bytes() == before


# Item 8: an Excel totals row on 发放 ------------------------------------------------------------------
def add_totals_row(path: Path) -> None:
    wb = openpyxl.load_workbook(path)
    ws = wb["发放"]
    t = ws.tables["tblPayouts"]
    t.ref = "A4:J11"
    t.autoFilter.ref = "A4:J10"
    t.totalsRowCount = 1
    t.tableColumns[0].totalsRowLabel = "合计"
    t.tableColumns[7].totalsRowFunction = "sum"
    ws["A11"] = "合计"
    ws["H11"] = "=SUBTOTAL(109,tblPayouts[合计])"
    wb.save(path)


def people_read_by_openpyxl(path: Path) -> list[str]:
    ws = openpyxl.load_workbook(path)["发放"]
    t = ws.tables["tblPayouts"]
    lo, hi = t.ref.split(":")
    return [ws.cell(r, 1).value for r in range(int(lo[1:]) + 1, int(hi[1:]) + 1 - (t.totalsRowCount or 0))]


@pytest.mark.parametrize("staff", [NINE, STAFF[:4]], ids=["grow", "shrink"])
def test_R_totals_row_stays_a_totals_row_below_every_person(six, tmp_path, staff):
    book = copy_of(six, tmp_path)
    add_totals_row(book)
    set_staff(book, staff)
    assert main(["recalc", str(book)]) == 0
    ws = openpyxl.load_workbook(book)["发放"]
    t = ws.tables["tblPayouts"]
    end = 4 + len(staff) + 1
    assert t.ref == f"A4:J{end}" and t.totalsRowCount == 1 and t.autoFilter.ref == f"A4:J{end - 1}"
    assert ws.cell(end, 1).value == "合计" and ws.cell(end, 8).value == "=SUBTOTAL(109,tblPayouts[合计])"
    names = sorted(p[0] for p in staff)
    assert sorted(people_read_by_openpyxl(book)) == names
    frame = pd.read_excel(book, sheet_name="发放", header=3)
    assert sorted(frame["姓名"].iloc[: len(staff)]) == names and frame["姓名"].iloc[len(staff)] == "合计"
    assert main(["recalc", str(book)]) == 0 and sorted(people_read_by_openpyxl(book)) == names  # stable


# Item 2: import-signins appends without overwriting a note under 考勤 ------------------------------------
def test_import_signins_moves_a_note_typed_under_the_attendance_table(tmp_path):
    book = fill(new_book(tmp_path), tmp_path / "book.xlsx", staff=STAFF, scores=FULL, leave=LEAVES)
    wb = openpyxl.load_workbook(book)
    ws = wb["考勤"]
    end = int(ws.tables["tblAttendance"].ref.split(":")[1][1:])
    ws.cell(end + 2, 1, "核对人：张敏")
    ws.cell(end + 2, 4, "2018-03-20")
    wb.save(book)
    assert main(["import-signins", str(book), str(zkteco_csv(tmp_path / "records.csv"))]) == 0
    ws = openpyxl.load_workbook(book)["考勤"]
    new_end = int(ws.tables["tblAttendance"].ref.split(":")[1][1:])
    assert sum(1 for r in range(5, new_end + 1) if ws.cell(r, 2).value) == 4
    assert ws.cell(new_end + 2, 1).value == "核对人：张敏" and ws.cell(new_end + 2, 4).value == "2018-03-20"
    assert not any(ws.cell(r, 1).value == "核对人：张敏" for r in range(1, new_end + 1))


# Random layouts of typed text around a computed table (hypothesis) --------------------------------------
def _small_book(names: list[str], signed: dict[str, str], typed: dict[tuple[int, int], str], totals: bool) -> bytes:
    """A one-sheet package with a table like tblPayouts (姓名, 金额 by the program; 签收 by a person)."""
    import io

    from openpyxl.worksheet.table import Table

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "发放"
    ws["A1"] = "标题"
    for j, h in enumerate(("姓名", "金额", "签收"), 1):
        ws.cell(4, j, h)
    for i, name in enumerate(names):
        ws.cell(5 + i, 1, name)
        ws.cell(5 + i, 2, 100 + i)
        ws.cell(5 + i, 3, signed.get(name))
    end = 4 + max(len(names), 1) + (1 if totals else 0)
    if totals:
        ws.cell(end, 1, "合计")
        ws.cell(end, 2, "=SUBTOTAL(109,tblPayouts[金额])")
    table = Table(displayName="tblPayouts", ref=f"A4:C{end}")
    if totals:
        table.totalsRowCount = 1
    ws.add_table(table)
    for (dr, col), text in typed.items():
        ws.cell(end + dr, col, text)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _attendance_book(existing: int, below: int, typed: dict[tuple[int, int], str]) -> tuple[bytes, int, int]:
    """A one-sheet package with tblAttendance: `existing` rows in the table, `below` more typed just under it
    (read with it), then `typed` cells (row offset, column) after one blank row at least. Returns the package,
    the last used row and the first row the typed cells may start at."""
    import io

    from openpyxl.worksheet.table import Table

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "考勤"
    for j, h in enumerate(("日期", "姓名", "时段", "情况", "备注"), 1):
        ws.cell(4, j, h)
    for i in range(existing + below):
        ws.cell(5 + i, 2, f"旧{i}")
    end = 4 + max(existing, 1)
    ws.add_table(Table(displayName="tblAttendance", ref=f"A4:E{end}"))
    last_used = 4 + existing + below
    gap_from = max(end, last_used) + 1  # typed cells start after one blank row at least
    for (dr, col), text in typed.items():
        ws.cell(gap_from + dr - 1, col, text)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue(), last_used, gap_from


NAMES = [f"人{i}" for i in range(12)]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    old=st.lists(st.sampled_from(NAMES), unique=True, max_size=6),
    new=st.lists(st.sampled_from(NAMES), unique=True, max_size=9),
    typed=st.dictionaries(st.tuples(st.integers(1, 8), st.integers(1, 5)), st.text("核对人签字表审：", min_size=1, max_size=4),
                          max_size=6),
    totals=st.booleans(),
)
def test_typed_text_around_a_table_survives_any_resize(old, new, typed, totals):
    import io

    from xl_appraisal.plan import Plan, TableWrite
    from xl_appraisal.workbook.write import apply

    signed = {n: f"{n}签" for n in old[::2]}
    data = _small_book(old, signed, typed, totals)
    out = apply(data, Plan(tables=[TableWrite("tblPayouts", [[n, 1] for n in new], headers=("姓名", "金额"),
                                              key=("姓名",))]))
    ws = openpyxl.load_workbook(io.BytesIO(out))["发放"]
    t = ws.tables["tblPayouts"]
    end = int(t.ref.split(":")[1][1:])
    assert t.ref == f"A4:C{4 + max(len(new), 1) + totals}"
    assert [ws.cell(r, 1).value for r in range(5, 5 + len(new))] == new
    assert {ws.cell(r, 1).value: ws.cell(r, 3).value for r in range(5, 5 + len(new))} == {n: signed.get(n) for n in new}
    if totals:
        assert ws.cell(end, 1).value == "合计" and ws.cell(end, 2).value == "=SUBTOTAL(109,tblPayouts[金额])"
    # every typed cell is still there, same column, same distances between them: all of them move down by
    # the table's growth when one in the table's columns is in the way, else none moves
    old_end = 4 + max(len(old), 1) + totals
    in_way = any(old_end < old_end + dr <= end and c <= 3 for dr, c in typed)
    shift = end - old_end if in_way else 0
    found = {(r, c): ws.cell(r, c).value for r in range(5, ws.max_row + 1) for c in range(1, 6)
             if ws.cell(r, c).value is not None and not (r <= end and c <= 3)}
    assert found == {(old_end + dr + shift, c): v for (dr, c), v in typed.items()}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    existing=st.integers(0, 4),
    below=st.integers(0, 2),  # rows another tool typed just under the table (read with it)
    count=st.integers(1, 6),
    typed=st.dictionaries(st.tuples(st.integers(2, 8), st.integers(1, 7)), st.text("核对人：张敏", min_size=1, max_size=4),
                          max_size=5),
)
def test_typed_text_under_an_input_table_survives_appended_rows(existing, below, count, typed):
    """What import-signins and collect do (AppendRows) never overwrites a typed cell (item 2)."""
    import io

    from xl_appraisal.plan import AppendRows, Plan
    from xl_appraisal.workbook.write import apply

    data, last_used, gap_from = _attendance_book(existing, below, typed)
    end = 4 + max(existing, 1)  # the table's last row
    rows = [[None, f"新{i}", "上午", "迟到", "导入"] for i in range(count)]
    out = apply(data, Plan(appends=[AppendRows("tblAttendance", rows, last_used + 1)]))
    ws = openpyxl.load_workbook(io.BytesIO(out))["考勤"]
    new_end = int(ws.tables["tblAttendance"].ref.split(":")[1][1:])
    names = [ws.cell(r, 2).value for r in range(5, new_end + 1)]
    assert names == [f"旧{i}" for i in range(existing + below)] + [f"新{i}" for i in range(count)]
    old_rows = {(gap_from + dr - 1, c): v for (dr, c), v in typed.items()}
    in_way = any(last_used < r <= last_used + count and c <= 5 for r, c in old_rows)
    shift = count - max(0, end - last_used) if in_way else 0
    first_needed = max(last_used + 1, end + 1)
    expected = {(r + shift if r >= first_needed else r, c): v for (r, c), v in old_rows.items()}
    found = {(r, c): ws.cell(r, c).value for r in range(5, ws.max_row + 1) for c in range(1, 8)
             if ws.cell(r, c).value is not None and not (r <= new_end and c <= 5)}
    assert found == expected


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(
    people=st.integers(1, len(NINE)),
    typed=st.dictionaries(st.tuples(st.sampled_from(["发放", "校验", "汇总"]), st.integers(1, 4), st.integers(1, 12)),
                          st.text("制表审核签字：", min_size=1, max_size=3), min_size=1, max_size=5),
)
def test_typed_text_around_the_computed_tables_survives_recalc(six, tmp_path_factory, people, typed):
    """The whole command: random text typed below and beside 汇总, 发放 and 校验, then a recalc with
    another number of people. Every typed value is still there, in its column, in the same order."""
    book = copy_of(six, tmp_path_factory.mktemp("recalc"))
    wb = openpyxl.load_workbook(book)
    ends = {}
    first = {"发放": "tblPayouts", "校验": "tblIssues", "汇总": "tblSummary"}  # 汇总 also holds tblAverages
    for sheet in ("发放", "校验", "汇总"):
        ref = wb[sheet].tables[first[sheet]].ref
        ends[sheet] = int(ref.split(":")[1][1:])
    for (sheet, dr, col), text in typed.items():
        wb[sheet].cell(ends[sheet] + dr, col, text)
    wb.save(book)
    set_staff(book, NINE[:people])
    assert main(["recalc", str(book)]) in (0, 1)
    wb = openpyxl.load_workbook(book)
    for sheet in ("发放", "校验", "汇总"):
        ws = wb[sheet]
        programs = {t.displayName: openpyxl.utils.cell.range_boundaries(t.ref) for t in ws.tables.values()}
        if sheet == "汇总":  # the title over tblAverages is the program's too
            top = programs["tblAverages"][1] - 1
            programs["title"] = (1, top, 1, top)
        found = sorted(((c, r), ws.cell(r, c).value) for r in range(5, ws.max_row + 1) for c in range(1, 13)
                       if ws.cell(r, c).value is not None
                       and not any(c0 <= c <= c1 and r0 <= r <= r1 for c0, r0, c1, r1 in programs.values()))
        mine = sorted(((c, ends[sheet] + dr), text) for (s, dr, c), text in typed.items() if s == sheet)
        assert [(c, v) for (c, _), v in found] == [(c, v) for (c, _), v in mine]  # same columns, same order
        rows = [r for (_, r), _ in found]
        shift = {r - r0 for r, ((_, r0), _) in zip(rows, mine, strict=True)}
        assert len(shift) <= 1 and all(s >= 0 for s in shift)  # moved together (or not at all)


@pytest.mark.parametrize("staff", [NINE, STAFF[:4]], ids=["grow", "shrink"])
def test_R_totals_row_carries_the_new_total_as_its_cached_value(six, tmp_path, staff):
    """A program that does not recalculate on opening (LibreOffice and WPS by default, pandas, openpyxl; Excel
    when the file's calcId is its own) shows a formula's cached value: the totals row kept showing the total
    from before (57,740.00 on a book LibreOffice had saved, with 69,260.00 paid out). recalc now stores the
    total of the rows it wrote."""
    book = copy_of(six, tmp_path)
    add_totals_row(book)
    set_staff(book, staff)
    assert main(["recalc", str(book)]) == 0
    ws = openpyxl.load_workbook(book, data_only=True)["发放"]
    end = 4 + len(staff) + 1
    paid = [ws.cell(r, 8).value for r in range(5, end)]
    assert all(isinstance(v, (int, float)) for v in paid) and ws.cell(end, 1).value == "合计"
    assert ws.cell(end, 8).value == pytest.approx(sum(paid))
    assert openpyxl.load_workbook(book)["发放"].cell(end, 8).value == "=SUBTOTAL(109,tblPayouts[合计])"
    assert main(["recalc", str(book)]) == 0  # and a second recalc changes nothing
    assert service.recalc(book).written is False


def test_totals_row_formulas_the_writer_cannot_evaluate_lose_their_stale_value():
    from xl_appraisal.layout import subtotal_value

    col = {"合计": [5800.0, 5940.0, None, "x"], "姓名": ["张敏", "刘洋", None, ""]}.get
    assert subtotal_value("SUBTOTAL(109,tblPayouts[合计])", col) == 11740.0
    assert subtotal_value("SUBTOTAL(101,tblPayouts[合计])", col) == 5870.0
    assert subtotal_value("SUBTOTAL(103,tblPayouts[姓名])", col) == 2
    assert subtotal_value("SUBTOTAL(102,tblPayouts[合计])", col) == 2
    assert subtotal_value("SUBTOTAL(104,tblPayouts[合计])", col) == 5940.0
    assert subtotal_value("SUBTOTAL(105,tblPayouts[合计])", col) == 5800.0
    assert subtotal_value("SUBTOTAL(107,tblPayouts[合计])", col) is None  # a standard deviation: not here
    assert subtotal_value("SUM(H5:H10)", col) is None and subtotal_value("SUBTOTAL(109,tblPayouts[签收])", col) is None


LONG_NAME = "阿卜杜热合曼·买买提明·艾力·吐尔逊·阿不都拉·依明江"  # 26 characters: three lines in 姓名's column


def test_a_name_longer_than_its_column_sizes_its_payout_row(tmp_path):
    """发放's rows were sized from 计算依据 alone: a long name wrapped in 姓名 ran over the next rows in print."""
    from test_nothing_lost import FULL, STAFF
    from workbooks import fill, new_book

    from xl_appraisal.measure import text_height
    from xl_appraisal.workbook import contract as c

    staff = [*STAFF, [LONG_NAME, "办公室", "工作人员", None, None]]
    book = fill(new_book(tmp_path), tmp_path / "book.xlsx", staff=staff, scores=FULL)
    assert main(["recalc", str(book)]) == 0
    import openpyxl

    ws = openpyxl.load_workbook(book)["发放"]
    row = next(r for r in range(5, ws.max_row + 1) if ws.cell(r, 1).value == LONG_NAME)
    assert ws.row_dimensions[row].height >= text_height(LONG_NAME, c.PAYOUT_TEXT_WIDTHS[0]) > text_height("张敏", 10)
    others = [r for r in range(5, row) if ws.cell(r, 1).value]
    assert all(ws.row_dimensions[r].height == text_height(ws.cell(r, 10).value, c.EXPLAIN_WIDTH) for r in others)


def insert_signed_column_before_explanation(path: Path, signed: dict[str, str]) -> None:
    """签收 inserted as a new column J, between 状态 and 计算依据 (which moves to K), as Excel's 插入 → 表格列 does."""
    wb = openpyxl.load_workbook(path)
    ws = wb["发放"]
    t = ws.tables["tblPayouts"]
    end = int(t.ref.split(":")[1][1:])
    ws.insert_cols(10)  # moves the cells only: the table is redone below, as Excel would
    columns = list(t.tableColumns)
    columns.insert(9, TableColumn(id=0, name="签收"))
    for i, col in enumerate(columns, 1):
        col.id = i
    t.tableColumns = columns
    t.ref = f"A4:K{end}"
    t.autoFilter.ref = t.ref
    ws["J4"] = "签收"
    for r in range(5, end + 1):
        ws.cell(r, 10, signed.get(ws.cell(r, 1).value))
    wb.save(path)


def test_a_column_inserted_in_the_middle_of_payouts_is_kept_and_follows_the_name(six, tmp_path):
    """Not only at the end: a person's column between the program's columns (the program writes by header)."""
    book = copy_of(six, tmp_path)
    signed = {p[0]: f"{p[0]}已签" for p in STAFF[::2]}
    insert_signed_column_before_explanation(book, signed)
    set_staff(book, list(reversed(NINE)))
    assert main(["recalc", str(book)]) == 0
    ws = openpyxl.load_workbook(book)["发放"]
    assert ws.tables["tblPayouts"].ref == "A4:K13" and ws["J4"].value == "签收" and ws["K4"].value == "计算依据"
    got = {ws.cell(r, 1).value: ws.cell(r, 10).value for r in range(5, 14)}
    assert got == {p[0]: signed.get(p[0]) for p in NINE}
    assert all(str(ws.cell(r, 11).value).endswith(tuple("0123456789")) for r in range(5, 14))  # 计算依据 … = 5940
    before = book.read_bytes()
    assert main(["recalc", str(book)]) == 0 and book.read_bytes() == before  # a second recalc writes nothing


def test_a_removed_persons_signature_is_named_with_its_value_not_dropped_silently(six, tmp_path, capsys):
    """刘洋 leaves 人员 after signing: his row leaves 发放, and the warning at his 签收 cell keeps what was typed."""
    book = copy_of(six, tmp_path)
    add_signed_column(book, {p[0]: f"{p[0]}已签" for p in STAFF})
    add_totals_row_keeping(book)
    row = next(r for r in range(5, 11) if openpyxl.load_workbook(book)["发放"].cell(r, 1).value == "刘洋")
    set_staff(book, [p for p in STAFF if p[0] != "刘洋"])
    assert main(["recalc", str(book), "-v"]) == 0
    out = capsys.readouterr().out
    ws = openpyxl.load_workbook(book)["校验"]
    found = [[ws.cell(r, c).value for c in range(1, 5)] for r in range(5, ws.max_row + 1) if ws.cell(r, 1).value]
    mine = [f for f in found if f[1] == "发放" and "刘洋" in str(f[3])]
    assert len(mine) == 1 and mine[0][2] == f"K{row}" and "刘洋已签" in mine[0][3] and "刘洋已签" in out
    assert not any("合计" in str(f[3]) for f in found)  # the totals row's own 签收 cell is no person's
    assert signed_by_name(book) == {p[0]: f"{p[0]}已签" for p in STAFF if p[0] != "刘洋"} | {"合计": "=COUNTA(tblPayouts[签收])"}


def add_totals_row_keeping(path: Path) -> None:
    """An Excel totals row under a 发放 that already has 签收 (K): 合计, a sum of 合计 and a count of signatures."""
    wb = openpyxl.load_workbook(path)
    ws = wb["发放"]
    t = ws.tables["tblPayouts"]
    end = int(t.ref.split(":")[1][1:]) + 1
    t.ref = f"A4:K{end}"
    t.autoFilter.ref = f"A4:K{end - 1}"
    t.totalsRowCount = 1
    t.tableColumns[0].totalsRowLabel = "合计"
    ws.cell(end, 1, "合计")
    ws.cell(end, 11, "=COUNTA(tblPayouts[签收])")
    wb.save(path)
