"""Typed cells are sacred in Excel too (issue 13): the ribbon's live writer (xl_appraisal/excel/live.py) makes the
same layout decisions as the file writer (xl_appraisal/layout.py), tested through the COM-faithful fake
(tests/com_fake.py, which moves cells, formats, heights and tables when rows are inserted or deleted, as
Excel does). A growing table moves what is typed under it down or refuses naming the cells, before anything
is written; columns a person adds follow the row's key; the status line follows its table; an Excel totals
row stays the totals row; collect in Excel tells another book's handout by its id."""

from __future__ import annotations

import io
from pathlib import Path

import com_fake
import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.utils.cell import range_boundaries
from test_collect_merge import type_in_master
from test_handout import self_score
from test_nothing_lost import FULL, STAFF
from test_signins import LEAVES, zkteco_csv
from test_typed_cells import NAMES, NINE, _attendance_book, _small_book, add_totals_row, copy_of, set_staff
from workbooks import fill, new_book

from xl_appraisal.cli import main
from xl_appraisal.excel import live, macros
from xl_appraisal.plan import Plan, TableWrite
from xl_appraisal.workbook.write import apply


@pytest.fixture(scope="module")
def six(tmp_path_factory) -> Path:
    """A recalculated book with six people: 发放 is A4:J10."""
    tmp = tmp_path_factory.mktemp("six-live")
    book = fill(new_book(tmp), tmp / "book.xlsx", staff=STAFF, scores=FULL)
    assert main(["recalc", str(book)]) == 0
    return book


def ref_of(fake, sheet: str, table: str) -> str:
    return next(t.ref for t in fake.sheets[sheet].tables if t.name == table)


def text(fake, sheet: str) -> dict[tuple[int, int], object]:
    """Every value and formula of a fake sheet (formulas win: a formula cell has no cached value here)."""
    s = fake.sheets[sheet]
    return {**s.cells, **s.formulas}


def recalc_live(fake):
    outcome = macros.recalc(fake)
    assert outcome is not None, fake.app.alerts
    return outcome


# The live sink against the file sink on random layouts -------------------------------------------------------
def _num(v):
    if isinstance(v, bool) or v is None:
        return v
    if isinstance(v, (int, float)):
        return float(v)
    return v


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(
    old=st.lists(st.sampled_from(NAMES), unique=True, max_size=6),
    new=st.lists(st.sampled_from(NAMES), unique=True, max_size=9),
    typed=st.dictionaries(st.tuples(st.integers(1, 8), st.integers(1, 5)), st.text("核对人签字表审：", min_size=1, max_size=4),
                          max_size=6),
    totals=st.booleans(),
)
def test_the_live_writer_leaves_every_cell_where_the_file_writer_does(tmp_path_factory, old, new, typed, totals):
    """Same table, same typed text around it, same plan: the open book in Excel ends up with exactly the cells
    (values and formulas, table range) the command line writes to the file."""
    signed = {n: f"{n}签" for n in old[::2]}
    data = _small_book(old, signed, typed, totals)
    plan = Plan(tables=[TableWrite("tblPayouts", [[n, 1] for n in new], headers=("姓名", "金额"), key=("姓名",))])
    ws = openpyxl.load_workbook(io.BytesIO(apply(data, plan)))["发放"]
    path = tmp_path_factory.mktemp("h") / "small.xlsx"
    path.write_bytes(data)
    fake = com_fake.Book.from_file(path)
    live.apply_live(fake, plan)
    assert ref_of(fake, "发放", "tblPayouts") == ws.tables["tblPayouts"].ref
    expected = {(c.row, c.column): _num(c.value) for row in ws.iter_rows() for c in row if c.value is not None}
    got = {rc: _num(v) for rc, v in text(fake, "发放").items() if v is not None}
    assert got == expected


# 发放: a footer, a person's column, a totals row, through the ribbon ---------------------------------------------
FOOTER = {"A12": "制表：张敏", "D12": "审核：胡明", "G12": "签字：", "A13": "（本表一式两份）", "L12": "旁注"}


def test_a_footer_under_payouts_moves_down_when_the_table_grows_in_excel(six, tmp_path):
    book = copy_of(six, tmp_path)
    type_in_master(book, sheet="发放", cells=FOOTER)
    set_staff(book, NINE)
    fake = com_fake.Book.from_file(book)
    fake.sheets["发放"].heights[12] = 30
    recalc_live(fake)
    assert ref_of(fake, "发放", "tblPayouts") == "A4:J13"
    for ref, value in FOOTER.items():  # three more people, three rows down, beside cells too
        assert com_fake.cell(fake, "发放", f"{ref[0]}{int(ref[1:]) + 3}") == value
    assert fake.sheets["发放"].heights.get(15) == 30  # the row moved with its height
    names = {com_fake.cell(fake, "发放", f"A{r}") for r in range(5, 14)}
    assert names == {p[0] for p in NINE}


def test_the_same_footer_in_excel_and_in_the_file(six, tmp_path):
    book = copy_of(six, tmp_path)
    type_in_master(book, sheet="发放", cells=FOOTER)
    set_staff(book, NINE)
    fake = com_fake.Book.from_file(book)
    recalc_live(fake)
    assert main(["recalc", str(book)]) == 0
    ws = openpyxl.load_workbook(book)["发放"]
    for r in range(11, 20):
        for c in range(1, 13):
            assert _num(fake.sheets["发放"].cells.get((r, c))) == _num(ws.cell(r, c).value), (r, c)


def test_a_column_a_person_adds_to_payouts_keeps_its_values_in_excel(six, tmp_path):
    """签收 added as column K: after the roster is re-sorted and a person joins, each name keeps its own 签收."""
    book = copy_of(six, tmp_path)
    wb = openpyxl.load_workbook(book)
    ws = wb["发放"]
    t = ws.tables["tblPayouts"]
    from openpyxl.worksheet.table import TableColumn

    t.ref = "A4:K10"
    t.autoFilter.ref = "A4:K10"
    t.tableColumns.append(TableColumn(id=11, name="签收"))
    ws["K4"] = "签收"
    signed = {}
    for r in range(5, 11):
        name = ws.cell(r, 1).value
        signed[name] = f"{name}已签"
        ws.cell(r, 11, signed[name])
    ws["K6"] = "=1+1"  # a formula typed in the person's column follows its row too
    formula_name = ws["A6"].value
    wb.save(book)
    set_staff(book, list(reversed(STAFF)) + NINE[len(STAFF):len(STAFF) + 1])
    fake = com_fake.Book.from_file(book)
    recalc_live(fake)
    assert ref_of(fake, "发放", "tblPayouts") == "A4:K11"
    got = {fake.sheets["发放"].cells.get((r, 1)): text(fake, "发放").get((r, 11)) for r in range(5, 12)}
    expected = {**signed, formula_name: "=1+1", NINE[len(STAFF)][0]: None}
    assert got == expected


@pytest.mark.parametrize("staff", [NINE, STAFF[:4]], ids=["grow", "shrink"])
def test_R_totals_row_stays_the_totals_row_in_excel(six, tmp_path, staff):
    book = copy_of(six, tmp_path)
    add_totals_row(book)
    type_in_master(book, sheet="发放", cells={"A14": "制表：张敏"})  # a note three rows under the totals row
    set_staff(book, staff)
    fake = com_fake.Book.from_file(book)
    recalc_live(fake)
    end = 4 + len(staff) + 1
    table = fake.sheets["发放"].tables[0]
    assert table.ref == f"A4:J{end}" and table.show_totals
    assert com_fake.cell(fake, "发放", f"A{end}") == "合计"
    assert fake.sheets["发放"].formulas.get((end, 8)) == "=SUBTOTAL(109,tblPayouts[合计])"
    assert sorted(com_fake.cell(fake, "发放", f"A{r}") for r in range(5, end)) == sorted(p[0] for p in staff)
    note = [(r, c) for (r, c), v in fake.sheets["发放"].cells.items() if v == "制表：张敏"]
    assert note == [(14 + max(0, end - 11), 1)]  # moved down only as far as the table grew into it
    recalc_live(fake)  # stable
    assert table.ref == f"A4:J{end}"


# Status lines ------------------------------------------------------------------------------------------------
def test_the_status_line_follows_its_table_when_a_row_is_inserted_above_in_excel(six, tmp_path):
    book = copy_of(six, tmp_path)
    fake = com_fake.Book.from_file(book)
    payouts = fake.sheets["发放"]
    status = com_fake.cell(fake, "发放", "A3")
    assert isinstance(status, str) and status.startswith("状态：")
    payouts.protection = None  # the clerk unprotects the sheet (审阅 → 撤销工作表保护) and inserts a title row
    hint = com_fake.cell(fake, "发放", "A2")
    com_fake.RangeApi(payouts.range("A1")).EntireRow.Insert()
    payouts.cells[(1, 1)] = "2018年度考核发放表"
    payouts.cells[(4, 1)] = "状态：（上次的状态行）"
    recalc_live(fake)
    assert com_fake.cell(fake, "发放", "A1") == "2018年度考核发放表"
    assert com_fake.cell(fake, "发放", "A3") == hint  # the hint row, not overwritten by a status line
    assert com_fake.cell(fake, "发放", "A4") != "状态：（上次的状态行）"
    assert str(com_fake.cell(fake, "发放", "A4")).startswith("状态：") and com_fake.cell(fake, "发放", "A5") == "姓名"
    assert ref_of(fake, "发放", "tblPayouts").startswith("A5:")


def test_a_typed_cell_above_a_header_without_a_status_line_is_refused_in_excel_and_nothing_changes(six, tmp_path):
    book = copy_of(six, tmp_path)
    fake = com_fake.Book.from_file(book)
    summary = fake.sheets["汇总"]
    top = range_boundaries(ref_of(fake, "汇总", "tblSummary"))[1]
    for r in range(1, top):
        summary.cells.pop((r, 1), None)
    summary.cells[(top - 1, 1)] = "各部门得分（领导小组审定）"  # the person's own title right above the header
    before = {name: dict(fake.sheets[name].cells) for name in ("汇总", "发放", "校验")}
    assert macros.recalc(fake) is None
    message = fake.app.alerts[-1][0]
    assert f"A{top - 1}" in message and "汇总" in message
    assert {name: dict(fake.sheets[name].cells) for name in ("汇总", "发放", "校验")} == before


# Refused before anything is written -----------------------------------------------------------------------
def test_rows_excel_cannot_insert_are_refused_naming_the_cells_and_nothing_is_written(six, tmp_path, monkeypatch):
    book = copy_of(six, tmp_path)
    type_in_master(book, sheet="发放", cells=FOOTER)
    set_staff(book, NINE)
    fake = com_fake.Book.from_file(book)

    def array_formula(self, *a, **k):
        raise com_fake.ComError("You can't change part of an array.")

    monkeypatch.setattr(com_fake.EntireRow, "Insert", array_formula)
    before = {s.name: (dict(s.cells), dict(s.fmts), [t.ref for t in s.tables]) for s in fake.sheets}
    assert macros.recalc(fake) is None
    message = fake.app.alerts[-1][0]
    assert "A12" in message and "D12" in message and "未写入" in message
    assert {s.name: (dict(s.cells), dict(s.fmts), [t.ref for t in s.tables]) for s in fake.sheets} == before


# import-signins and collect in Excel ------------------------------------------------------------------------
def test_import_signins_in_excel_moves_a_note_typed_under_the_attendance_table(tmp_path):
    book = fill(new_book(tmp_path), tmp_path / "book.xlsx", staff=STAFF, scores=FULL, leave=LEAVES)
    wb = openpyxl.load_workbook(book)
    end = int(wb["考勤"].tables["tblAttendance"].ref.split(":")[1][1:])
    wb["考勤"].cell(end + 2, 1, "核对人：张敏")
    wb.save(book)
    fake = com_fake.Book.from_file(book)
    report = macros.import_signins(fake, str(zkteco_csv(tmp_path / "records.csv")))
    assert report is not None and report.added, fake.app.alerts
    new_end = range_boundaries(ref_of(fake, "考勤", "tblAttendance"))[3]
    assert new_end > end
    assert com_fake.cell(fake, "考勤", f"A{new_end + 2}") == "核对人：张敏"
    assert [r for (r, c), v in fake.sheets["考勤"].cells.items() if v == "核对人：张敏"] == [new_end + 2]


def test_collect_in_excel_refuses_a_handout_split_from_another_book_of_the_same_year(tmp_path):
    master = fill(new_book(tmp_path, "master.xlsm"), tmp_path / "master.xlsm", staff=STAFF)
    other = fill(new_book(tmp_path, "other.xlsm"), tmp_path / "other.xlsm", staff=STAFF)
    assert main(["split", str(other), "-o", str(tmp_path / "h")]) == 0
    stray = self_score(tmp_path / "h" / "办公室-自评.xlsx", {"1": 27})
    fake = com_fake.Book.from_file(master)
    before = dict(fake.sheets["办公室"].cells)
    macros.collect(fake, files=[str(stray)])
    said = "\n".join(a[0] for a in fake.app.alerts)
    assert "另一个考核工作簿" in said
    assert fake.sheets["办公室"].cells == before


def test_split_from_the_ribbon_stamps_a_book_without_an_id(tmp_path):
    master = fill(new_book(tmp_path, "master.xlsm"), tmp_path / "master.xlsm", staff=STAFF)
    fake = com_fake.Book.from_file(master)
    fake.properties.pop("xl-appraisal-book-id")
    saved = {}
    fake.save = lambda path=None: saved.setdefault("id", fake.properties.get("xl-appraisal-book-id"))
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("xl_appraisal.handout.split", lambda source, folder: [])
        macros.split(fake)
    assert saved["id"] and len(saved["id"]) == 32  # given before the save, so the handouts carry it



@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(
    existing=st.integers(0, 4),
    below=st.integers(0, 2),  # rows another tool typed just under the table (read with it)
    count=st.integers(1, 6),
    typed=st.dictionaries(st.tuples(st.integers(2, 8), st.integers(1, 7)), st.text("核对人：张敏", min_size=1, max_size=4),
                          max_size=5),
)
def test_appended_rows_in_excel_leave_every_cell_where_the_file_writer_does(tmp_path_factory, existing, below, count,
                                                                            typed):
    """import-signins and collect (AppendRows) in the open book: the same cells as the command line's file."""
    from xl_appraisal.plan import AppendRows

    data, last_used, _ = _attendance_book(existing, below, typed)
    plan = Plan(appends=[AppendRows("tblAttendance", [[None, f"新{i}", "上午", "迟到", "导入"] for i in range(count)],
                                    last_used + 1)])
    out = openpyxl.load_workbook(io.BytesIO(apply(data, plan)))["考勤"]
    path = tmp_path_factory.mktemp("a") / "att.xlsx"
    path.write_bytes(data)
    fake = com_fake.Book.from_file(path)
    live.apply_live(fake, plan)
    assert ref_of(fake, "考勤", "tblAttendance") == out.tables["tblAttendance"].ref
    expected = {(c.row, c.column): c.value for row in out.iter_rows() for c in row if c.value is not None}
    assert {rc: v for rc, v in text(fake, "考勤").items() if v is not None} == expected


@pytest.mark.parametrize(("dept", "moves"), [("办公室", True), ("财务部", False)])
def test_bonus_rows_collected_in_excel_move_a_note_or_refuse_when_the_items_table_is_beside_it(tmp_path, dept, moves):
    """A note under the bonus table (J16), twelve bonus rows returned. On 办公室 the items table ends above the
    rows to insert: the note moves down. On 财务部 the items table (A4:H16) is beside them: whole rows inserted
    would cut it in two, so collect refuses naming J16, as the command line does, and nothing changes."""
    master = fill(new_book(tmp_path, "master.xlsm"), tmp_path / "master.xlsm", staff=STAFF)
    assert main(["split", str(master), "-o", str(tmp_path / "h")]) == 0
    type_in_master(master, sheet=dept, cells={"J16": "加分依据见附件"})
    rows = [["宣传报道·其他版面", 1, None, f"第{i}篇"] for i in range(12)]
    returned = self_score(tmp_path / "h" / f"{dept}-自评.xlsx", {}, bonus=rows)
    fake = com_fake.Book.from_file(master)
    before = {s.name: dict(s.cells) for s in fake.sheets}
    table = next(t.name for t in fake.sheets[dept].tables if t.name.startswith("tblBonus"))
    macros.collect(fake, files=[str(returned)])
    said = "\n".join(a[0] for a in fake.app.alerts)
    if moves:
        end = range_boundaries(ref_of(fake, dept, table))[3]
        assert end == 16 and com_fake.cell(fake, dept, f"J{end + 2}") == "加分依据见附件", said
    else:
        assert "J16" in said and "未写入" in said, said
        assert {s.name: dict(s.cells) for s in fake.sheets} == before
    assert main(["collect", str(master), str(returned)]) == (0 if moves else 1)  # the command line decides alike


def test_a_column_inserted_in_the_middle_of_payouts_is_kept_in_excel_too(six, tmp_path):
    from test_typed_cells import insert_signed_column_before_explanation

    book = copy_of(six, tmp_path)
    signed = {p[0]: f"{p[0]}已签" for p in STAFF[::2]}
    insert_signed_column_before_explanation(book, signed)
    set_staff(book, list(reversed(NINE)))
    fake = com_fake.Book.from_file(book)
    recalc_live(fake)
    assert ref_of(fake, "发放", "tblPayouts") == "A4:K13"
    cells = fake.sheets["发放"].cells
    assert {cells.get((r, 1)): cells.get((r, 10)) for r in range(5, 14)} == {p[0]: signed.get(p[0]) for p in NINE}
    assert all(str(cells.get((r, 11))).startswith(("无旷工", "旷工")) for r in range(5, 14))


def test_a_removed_persons_signature_is_named_in_excel_too(six, tmp_path):
    from test_typed_cells import add_signed_column, add_totals_row_keeping

    book = copy_of(six, tmp_path)
    add_signed_column(book, {p[0]: f"{p[0]}已签" for p in STAFF})
    add_totals_row_keeping(book)
    set_staff(book, [p for p in STAFF if p[0] != "刘洋"])
    fake = com_fake.Book.from_file(book)
    outcome = recalc_live(fake)
    mine = [i for i in outcome.issues if i.sheet == "发放"]
    assert len(mine) == 1 and "刘洋已签" in mine[0].message and mine[0].cell.startswith("K")
