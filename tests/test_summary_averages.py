"""汇总's averages (issue 14): tblAverages under the chart shows the all-department average and, for each
leadership member, the averages their bonus is linked to (R16), as the engine computed them; recalc writes it
through the plan like every computed table (typed cells kept, the print area following it, nothing written
when nothing changed), and the ribbon's live path writes the same."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import com_fake
import openpyxl
import pytest
from openpyxl.utils.cell import get_column_letter, range_boundaries
from workbooks import append_rows

from xl_appraisal import service
from xl_appraisal.cli import main
from xl_appraisal.engine.model import CHAIR
from xl_appraisal.excel import macros
from xl_appraisal.templates import demo_workbook
from xl_appraisal.workbook import contract as c


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    """The demo year, recalculated once."""
    book = tmp_path_factory.mktemp("demo") / "book.xlsx"
    demo_workbook(book)
    assert main(["recalc", str(book)]) == 0
    return book


def copy_of(book: Path, folder: Path) -> Path:
    out = folder / book.name
    shutil.copy(book, out)
    return out


def averages(path: Path) -> tuple[list[list], tuple[int, int, int, int]]:
    """tblAverages' data rows (values as read back) and its bounds."""
    ws = openpyxl.load_workbook(path)["汇总"]
    bounds = range_boundaries(ws.tables[c.AVERAGES.name].ref)
    c1, r1, c2, r2 = bounds
    header = [ws.cell(r1, col).value for col in range(c1, c2 + 1)]
    assert header == list(c.AVERAGES.headers)
    return [[ws.cell(r, col).value for col in range(c1, c2 + 1)] for r in range(r1 + 1, r2 + 1)], bounds


def _d(value) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.01"))


def test_R16_the_averages_on_summary_are_the_engines_and_the_exports(demo, tmp_path):
    outcome = service.evaluate(demo)
    r = outcome.result
    rows, _ = averages(demo)
    leaders = [p for p in r.people if p.averages]
    assert {p.role for p in leaders} >= {CHAIR, "常务副主席", "副主席"}  # the demo has every kind
    assert [row[0] for row in rows] == ["全部部门", *(p.name for p in leaders)]
    all_departments = sum((d.total for d in r.departments), Decimal(0)) / len(r.departments)
    assert _d(rows[0][2]) == _d(r.average_all) == _d(all_departments) == Decimal("99.33")
    for row, p in zip(rows[1:], leaders, strict=True):
        assert row[1] == p.role and _d(row[2]) == _d(p.averages[0]) == _d(r.average_all)
        if p.role == CHAIR:
            assert row[3] is None and row[4] is None
        else:  # the two averages the split bonus follows (发放 shows them as 全部／分管)
            own = sum((r.department(d).total for d in p.overseen), Decimal(0)) / len(p.overseen)
            assert _d(row[3]) == _d(p.averages[1]) == _d(own)
            assert tuple(_d(x) for x in p.linked_scores) == (_d(row[2]), _d(row[3]))
            assert row[4] == "、\n".join(p.overseen)  # one department a line
    # the 报送版's block says the same
    out = tmp_path / "报送版.xlsx"
    assert main(["export", str(demo), "-o", str(out)]) == 0
    ws = openpyxl.load_workbook(out)["汇总"]
    block = {ws.cell(r, 1).value: (ws.cell(r, 3).value, ws.cell(r, 4).value) for r in range(1, ws.max_row + 1)}
    for row in rows:
        assert tuple(_d(v) for v in block[row[0]]) == (_d(row[2]), _d(row[3])), row[0]
    assert [row[:4] for row in service.average_rows(outcome)] == [
        [row[0], row[1] or "", _d(row[2]), _d(row[3])] for row in rows]


def test_a_second_recalc_writes_nothing(demo, tmp_path):
    book = copy_of(demo, tmp_path)
    before = book.read_bytes()
    assert service.recalc(book).written is False
    assert book.read_bytes() == before and not (tmp_path / "备份").exists()


def test_summary_prints_the_table_the_chart_and_the_averages(demo):
    wb = openpyxl.load_workbook(demo)
    ws = wb["汇总"]
    _, (_, header, last_col, end) = averages(demo)
    area = ws.print_area if isinstance(ws.print_area, str) else ws.print_area[0]
    c1, r1, c2, r2 = range_boundaries(area.split("!")[-1])
    assert (c1, r1) == (1, 1) and c2 >= last_col and r2 >= end
    assert ws.cell(header - 1, 1).value.startswith("奖金挂钩的平均分")  # its title, with the clause
    chart_row = ws._charts[0].anchor._from.row + 1
    assert range_boundaries(ws.tables["tblSummary"].ref)[3] < chart_row < header - 1


def _with_another_leader(book: Path, typed: dict[str, str]) -> tuple[int, int]:
    """Type text under and beside tblAverages, and add a 副主席 to 人员: tblAverages grows by one row."""
    wb = openpyxl.load_workbook(book)
    ws = wb["汇总"]
    _, header, _, end = range_boundaries(ws.tables[c.AVERAGES.name].ref)
    for ref, text in typed.items():
        ws[ref.format(below=end + 1, beside=end)] = text
    append_rows(wb, "tblStaff", [["王新", "领导班子", "副主席", "保障部", ""]])
    wb.save(book)
    return header, end


def test_typed_text_under_and_beside_the_averages_is_kept_and_moves_with_the_table(demo, tmp_path):
    book = copy_of(demo, tmp_path)
    header, end = _with_another_leader(book, {"A{below}": "制表：张敏", "C{below}": "审核：", "G{beside}": "已核对"})
    assert main(["recalc", str(book)]) == 0
    rows, (_, _, _, new_end) = averages(book)
    assert new_end == end + 1 and rows[-1][:2] == ["王新", "副主席"] and rows[-1][4] == "保障部"
    ws = openpyxl.load_workbook(book)["汇总"]
    assert ws[f"A{new_end + 1}"].value == "制表：张敏" and ws[f"C{new_end + 1}"].value == "审核："  # moved down
    assert ws[f"G{end}"].value == "已核对"  # beside the table's rows: kept where it was
    area = ws.print_area if isinstance(ws.print_area, str) else ws.print_area[0]
    assert range_boundaries(area.split("!")[-1])[3] == new_end  # the print area followed the table
    assert ws.cell(header - 1, 1).value.startswith("奖金挂钩的平均分")
    assert service.recalc(book).written is False


def test_a_workbook_without_the_averages_table_still_recalculates(demo, tmp_path):
    """Workbooks made before tblAverages: recalc writes nothing in its place (发放 states the same averages)."""
    book = copy_of(demo, tmp_path)
    wb = openpyxl.load_workbook(book)
    ws = wb["汇总"]
    c1, r1, c2, r2 = range_boundaries(ws.tables[c.AVERAGES.name].ref)
    del ws.tables[c.AVERAGES.name]
    for r in range(r1 - 1, r2 + 1):
        for col in range(c1, c2 + 1):
            ws.cell(r, col).value = None
    ws.cell(r1, 1).value = "我的备注"
    wb.save(book)
    assert main(["recalc", str(book)]) == 0
    ws = openpyxl.load_workbook(book)["汇总"]
    assert c.AVERAGES.name not in ws.tables and ws.cell(r1, 1).value == "我的备注"
    assert all(ws.cell(r, 3).value is None for r in range(r1 + 1, r2 + 1))


def test_the_ribbon_writes_the_same_averages_moves_typed_text_and_the_print_area(demo, tmp_path):
    book = copy_of(demo, tmp_path)
    _, end = _with_another_leader(book, {"A{below}": "制表：张敏"})
    fake = com_fake.Book.from_file(book)
    assert fake.sheets["汇总"].print_area == f"$A$1:$I${end}"
    assert macros.recalc(fake) is not None, fake.app.alerts
    assert main(["recalc", str(book)]) == 0
    rows, (_, _, _, new_end) = averages(book)
    got = com_fake.table_values(fake, "汇总", c.AVERAGES.name)
    assert got[0] == list(c.AVERAGES.headers)
    assert [[_d(v) if isinstance(v, float) else v for v in row] for row in got[1:]] == [
        [_d(v) if isinstance(v, (int, float)) else v for v in row] for row in rows]
    assert com_fake.cell(fake, "汇总", f"A{new_end + 1}") == "制表：张敏" == openpyxl.load_workbook(book)["汇总"][
        f"A{new_end + 1}"].value
    assert fake.sheets["汇总"].print_area == f"$A$1:$I${new_end}"  # as the file's
    assert openpyxl.load_workbook(book)["汇总"].print_area.endswith(f"$A$1:$I${new_end}")


def test_the_print_area_grows_only_with_a_table_it_held():
    from xl_appraisal.layout import grown_print_area

    assert grown_print_area("'汇总'!$A$1:$I$36", 1, 5, 36, 38) == "'汇总'!$A$1:$I$38"
    assert grown_print_area("$A$1:$I$36", 1, 5, 36, 38) == "$A$1:$I$38"  # Excel's PageSetup form
    assert grown_print_area("$A$1:$I$40", 1, 5, 36, 38) == "$A$1:$I$40"  # already beyond: left alone
    assert grown_print_area("$A$1:$I$20", 1, 5, 36, 38) == "$A$1:$I$20"  # ended above the table: a choice
    assert grown_print_area("$A$1:$I$36", 1, 5, 36, 34) == "$A$1:$I$36"  # a shrinking table: unchanged
    assert grown_print_area("$B$1:$I$36", 1, 5, 36, 38) == "$B$1:$I$36"  # not all the table's columns
    assert (grown_print_area("'办公室'!$A$1:$H$13,'办公室'!$J$3:$N$14", 1, 8, 13, 15)
            == "'办公室'!$A$1:$H$15,'办公室'!$J$3:$N$14")


def test_the_averages_table_sits_in_the_summary_tables_columns():
    """tblAverages' widths are tblSummary's (A..E): neither table widens a column the other has sized, and
    its rows' heights are measured in the columns it prints in."""
    from xl_appraisal.workbook import build as b

    assert [col.width for col in b.SUMMARY_COLUMNS[: len(c.AVERAGE_WIDTHS)]] == list(c.AVERAGE_WIDTHS)
    assert [col.header for col in b.AVERAGE_COLUMNS] == list(c.AVERAGES.headers)


def _signed_averages(book: Path) -> None:
    """A 签字 column added to tblAverages, each leader's signature typed; then 胡明's 职务 corrected in 人员
    (常务副主席 -> 副主席): he stays in the table, only his role cell changes."""
    from openpyxl.worksheet.table import TableColumn

    wb = openpyxl.load_workbook(book)
    ws = wb["汇总"]
    t = ws.tables[c.AVERAGES.name]
    c1, r1, c2, r2 = range_boundaries(t.ref)
    ws.cell(r1, c2 + 1).value = "签字"
    for r in range(r1 + 1, r2 + 1):
        if ws.cell(r, 2).value:
            ws.cell(r, c2 + 1).value = f"{ws.cell(r, 1).value}已签"
    t.tableColumns.append(TableColumn(id=len(t.tableColumns) + 1, name="签字"))
    t.ref = f"A{r1}:{get_column_letter(c2 + 1)}{r2}"
    staff = wb["人员"]
    for row in staff.iter_rows(min_row=5):
        if row[0].value == "胡明":
            row[2].value = "副主席"
    wb.save(book)


def _signatures(rows_of: list[list]) -> dict[str, object]:
    return {row[0]: row[5] for row in rows_of if row[0] != "全部部门"}


def test_a_leaders_signature_typed_beside_the_averages_stays_when_only_the_role_changes(demo, tmp_path):
    """The signature follows the person (对象), not the pair (对象, 职务): correcting 胡明's 职务 used to wipe
    the 签字 typed for him, without a word."""
    book = copy_of(demo, tmp_path)
    _signed_averages(book)
    assert main(["recalc", str(book)]) == 0
    ws = openpyxl.load_workbook(book)["汇总"]
    c1, r1, c2, r2 = range_boundaries(ws.tables[c.AVERAGES.name].ref)
    rows = [[ws.cell(r, col).value for col in range(c1, c2 + 1)] for r in range(r1 + 1, r2 + 1)]
    got = _signatures(rows)
    assert got["胡明"] == "胡明已签" and all(v == f"{k}已签" for k, v in got.items()), got
    assert next(r for r in rows if r[0] == "胡明")[1] == "副主席"


def test_the_ribbon_keeps_a_leaders_signature_when_only_the_role_changes(demo, tmp_path):
    book = copy_of(demo, tmp_path)
    _signed_averages(book)
    fake = com_fake.Book.from_file(book)
    assert macros.recalc(fake) is not None, fake.app.alerts
    got = _signatures(com_fake.table_values(fake, "汇总", c.AVERAGES.name)[1:])
    assert got["胡明"] == "胡明已签" and all(v == f"{k}已签" for k, v in got.items()), got


def _averages_turned_into_a_range(book: Path) -> int:
    """tblAverages converted to a range (Excel: 表设计 → 转换为区域; or renamed): its cells stay on 汇总.
    Then 保障部's decided first item goes 15 -> 5, so every average it feeds changes."""
    wb = openpyxl.load_workbook(book)
    header = range_boundaries(wb["汇总"].tables[c.AVERAGES.name].ref)[1]
    del wb["汇总"].tables[c.AVERAGES.name]
    wb["保障部"]["G6"] = 5
    wb.save(book)
    return header


def test_averages_that_are_no_longer_a_table_are_said_to_be_stale_at_their_cell(demo, tmp_path):
    """The averages block left as plain cells kept last time's numbers (全部部门平均分 99.33 where it is now
    97.67) on the printed 汇总, without a word: now a warning at its header cell says recalc no longer
    updates it and how to fix it."""
    book = copy_of(demo, tmp_path)
    header = _averages_turned_into_a_range(book)
    outcome = service.evaluate(book)
    stale = [i for i in outcome.issues if i.sheet == "汇总" and i.cell == f"A{header}"]
    assert len(stale) == 1 and c.AVERAGES.name in stale[0].message and "不再更新" in stale[0].message, outcome.issues
    assert main(["recalc", str(book)]) == 0  # a warning: recalc still writes the rest


def test_the_ribbon_says_the_same_of_averages_that_are_no_longer_a_table(demo, tmp_path):
    """The live adapter (xlwings' remote engine, which reports the used range) warns at the same cell."""
    import xlwings as xw
    from test_excel import remote_json

    from xl_appraisal.excel.live import read_live

    book = copy_of(demo, tmp_path)
    header = _averages_turned_into_a_range(book)
    live = service.evaluate_book(read_live(xw.Book(json=remote_json(book))))
    stale = [(i.level, i.sheet, i.cell, i.message) for i in live.issues if "不再更新" in i.message]
    assert stale == [(i.level, i.sheet, i.cell, i.message) for i in service.evaluate(book).issues
                     if "不再更新" in i.message]
    assert len(stale) == 1 and stale[0][2] == f"A{header}"


def test_text_typed_under_the_summary_of_an_older_book_is_no_stale_averages(demo, tmp_path):
    """A book made before tblAverages, with a footer under the chart: no warning about averages."""
    book = copy_of(demo, tmp_path)
    wb = openpyxl.load_workbook(book)
    ws = wb["汇总"]
    c1, r1, c2, r2 = range_boundaries(ws.tables[c.AVERAGES.name].ref)
    del ws.tables[c.AVERAGES.name]
    for r in range(r1 - 1, r2 + 1):
        for col in range(c1, c2 + 1):
            ws.cell(r, col).value = None
    ws.cell(r1, 1).value = "制表：张敏"
    wb.save(book)
    assert not [i for i in service.evaluate(book).issues if i.sheet == "汇总"]
