"""The ribbon's path (live adapter + entry points) against the command line's, through a COM-faithful fake
of the open book (tests/com_fake.py: values through xlwings' own Windows conversion functions, Excel's
protection rules, per-cell formats, counted calls).

Done when: the whole bad-input catalogue gives the same issues and the same computed tables through the
live path as through the file path; grown rows have the formats the command line gives them; writes are
bulk; the status bar is handed back; protection is kept exactly and a password is never prompted for."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import com_fake
import openpyxl
import pytest
from openpyxl.utils.cell import range_boundaries
from test_nothing_lost import CATALOGUE, FULL, INPUT_SHEETS, STAFF
from workbooks import fill, new_book

from xl_appraisal import service
from xl_appraisal.cli import main
from xl_appraisal.excel import live, macros

COMPUTED = (("汇总", "tblSummary"), ("汇总", "tblAverages"), ("发放", "tblPayouts"), ("校验", "tblIssues"))


def _num(v):
    if isinstance(v, bool) or v is None:
        return v
    if isinstance(v, (int, float)):
        return float(v)
    return None if v == "" else v


def file_results(book: Path, tmp_path: Path):
    """The command line's issues and its written workbook (values and formats)."""
    issues = [(i.level, i.sheet, i.cell, i.message) for i in service.evaluate(book).issues]
    out = tmp_path / f"cli-{book.stem}.xlsx"
    assert main(["recalc", str(book), "-o", str(out)]) in (0, 1)
    return issues, openpyxl.load_workbook(out)


def live_results(book: Path):
    fake = com_fake.Book.from_file(book)
    outcome = macros.recalc(fake)
    assert outcome is not None, fake.app.alerts
    return [(i.level, i.sheet, i.cell, i.message) for i in outcome.issues], fake


def assert_same_tables(wb, fake) -> None:
    for sheet, table in COMPUTED:
        ref = wb[sheet].tables[table].ref
        assert fake.sheets[sheet].tables[[t.name for t in fake.sheets[sheet].tables].index(table)].ref == ref, table
        c1, r1, c2, r2 = range_boundaries(ref)
        expected = [[_num(wb[sheet].cell(r, c).value) for c in range(c1, c2 + 1)] for r in range(r1, r2 + 1)]
        got = [[_num(v) for v in row] for row in com_fake.table_values(fake, sheet, table)]
        assert got == expected, sheet
        assert com_fake.cell(fake, sheet, "A3") == wb[sheet]["A3"].value  # the status line
    for name in (n for n in wb.sheetnames if "tblItems_" in " ".join(wb[n].tables)):
        bonus = next(t for t in wb[name].tables.values() if t.displayName.startswith("tblBonus_"))
        c1, r1, c2, r2 = range_boundaries(bonus.ref)
        for r in range(r1 + 1, r2 + 1):  # the 计分 column the program owns
            assert _num(com_fake.cell(fake, name, f"N{r}")) == _num(wb[name][f"N{r}"].value), (name, r)


# The whole bad-input catalogue, both ways -----------------------------------------------------------------
@pytest.mark.parametrize("case,kw,level,sheet,cell,words", CATALOGUE, ids=[c[0] for c in CATALOGUE])
def test_catalogue_through_the_live_path_gives_the_file_paths_issues_and_tables(tmp_path, case, kw, level, sheet,
                                                                                 cell, words):
    book = fill(new_book(tmp_path), tmp_path / "book.xlsx", **{"staff": STAFF, "scores": FULL, **kw})
    file_issues, wb = file_results(book, tmp_path)
    live_issues, fake = live_results(book)
    assert live_issues == file_issues
    assert any((lv, s, c) == (level, sheet, cell) and words in m for lv, s, c, m in live_issues)
    assert_same_tables(wb, fake)
    # nothing the user typed changed in the open book either (column N of a department sheet is 计分, the program's)
    before = com_fake.Book.from_file(book)
    for name in INPUT_SHEETS:
        typed = {k: v for k, v in before.sheets[name].cells.items() if name in ("人员", "考勤", "请假", "参数", "日历") or k[1] != 14}
        assert {k: fake.sheets[name].cells.get(k) for k in typed} == typed, name


# What COM gives that a file does not -------------------------------------------------------------------------
def _set(path: Path, out: Path, edits: dict[tuple[str, str], object]) -> Path:
    wb = openpyxl.load_workbook(path)
    for (sheet, ref), value in edits.items():
        wb[sheet][ref] = value
        if isinstance(value, dt.time):
            wb[sheet][ref].number_format = "h:mm"
    wb.save(out)
    return out


def test_a_time_typed_in_params_reads_as_the_file_path_reads_it(tmp_path):
    base = fill(new_book(tmp_path), tmp_path / "base.xlsx", staff=STAFF, scores=FULL,
                attendance=[[dt.datetime(2018, 3, 12), "刘洋", "上午", "迟到", None]])
    wb = openpyxl.load_workbook(base)
    row = next(r for r in range(5, 40) if wb["参数"][f"D{r}"].value == "signin_am")
    book = _set(base, tmp_path / "book.xlsx", {("参数", f"B{row}"): dt.time(9, 30)})
    fake = com_fake.Book.from_file(book)
    # COM hands xlwings a 1899-12-30 datetime, and xlwings passes it on as one
    assert fake.sheets["参数"].range(f"B{row}").value == dt.datetime(1899, 12, 30, 9, 30)
    file_issues, out = file_results(book, tmp_path)
    live_issues, fake = live_results(book)
    assert live_issues == file_issues
    assert not [i for i in live_issues if i[1] == "参数"]  # 9:30 is a valid time, not “1899-12-30 09:30:00”
    assert_same_tables(out, fake)


def test_error_cells_are_errors_on_both_paths(tmp_path):
    base = fill(new_book(tmp_path), tmp_path / "base.xlsx", staff=STAFF, scores=FULL)
    book = _set(base, tmp_path / "book.xlsx", {("办公室", "D5"): "#N/A", ("办公室", "E6"): "#DIV/0!"})
    fake = com_fake.Book.from_file(book)
    assert fake.sheets["办公室"].range("D5").value is None  # xlwings' default: an error reads as blank
    assert fake.sheets["办公室"].range("D5").options(err_to_str=True).value == "#N/A"
    file_issues, out = file_results(book, tmp_path)
    live_issues, fake = live_results(book)
    assert live_issues == file_issues
    assert any(s == "办公室" and c == "D5" and "#N/A" in m for _, s, c, m in live_issues)
    assert any(s == "办公室" and c == "E6" and "#DIV/0!" in m for _, s, c, m in live_issues)
    assert_same_tables(out, fake)


def test_rows_typed_just_below_a_table_are_read_with_the_same_warning(tmp_path):
    base = fill(new_book(tmp_path), tmp_path / "base.xlsx", staff=STAFF, scores=FULL,
                attendance=[[dt.datetime(2018, 3, 12), "刘洋", "上午", "旷工", None]])
    wb = openpyxl.load_workbook(base)
    last = range_boundaries(wb["考勤"].tables["tblAttendance"].ref)[3]
    edits = {("考勤", f"A{last + 1}"): dt.datetime(2018, 3, 13), ("考勤", f"B{last + 1}"): "刘洋",
             ("考勤", f"C{last + 1}"): "全天", ("考勤", f"D{last + 1}"): "旷工"}
    book = _set(base, tmp_path / "book.xlsx", edits)
    file_issues, out = file_results(book, tmp_path)
    live_issues, fake = live_results(book)
    assert live_issues == file_issues
    assert any(s == "考勤" and c == f"A{last + 1}" and "范围之外" in m for _, s, c, m in live_issues)
    assert_same_tables(out, fake)
    rows = dict(live.live_tables(fake)["tblAttendance"].rows)
    assert rows[last + 1][:4] == (dt.datetime(2018, 3, 13), "刘洋", "全天", "旷工")


# Writes like the file sink's, in bulk ------------------------------------------------------------------------
def _people(n: int) -> list[list]:
    return STAFF + [[f"员工{i:03d}", "办公室", "工作人员", None, None] for i in range(n)]


def test_grown_rows_have_the_formats_and_heights_the_command_line_gives_them(tmp_path):
    book = fill(new_book(tmp_path), tmp_path / "book.xlsx", staff=_people(12), scores=FULL,
                attendance=[[dt.datetime(2018, 3, d), "王五", "上午", "旷工", None] for d in (12, 13, 14, 15)])
    _, wb = file_results(book, tmp_path)
    _, fake = live_results(book)
    for sheet, table in COMPUTED:
        c1, r1, c2, r2 = range_boundaries(wb[sheet].tables[table].ref)
        assert r2 - r1 > 2, table  # the table grew
        for r in range(r1 + 1, r2 + 1):
            for c in range(c1, c2 + 1):
                assert fake.sheets[sheet].fmt(r, c) == com_fake.Fmt.of(wb[sheet].cell(r, c)), (sheet, r, c)
            assert fake.sheets[sheet].heights.get(r) == wb[sheet].row_dimensions[r].height, (sheet, r)
    payouts = fake.sheets["发放"]
    assert payouts.fmt(r2, 10).wrap and payouts.fmt(r2, 8).number_format == "#,##0.00"
    assert payouts.fmt(r2, 1).border == "thin"


def test_shrinking_a_table_clears_rows_with_their_formats_like_the_file_sink(tmp_path):
    book = fill(new_book(tmp_path), tmp_path / "book.xlsx", staff=_people(10), scores=FULL)
    fake = com_fake.Book.from_file(book)
    macros.recalc(fake)
    grown = fake.sheets["发放"].tables[0].ref
    staff = fake.sheets["人员"]
    staff.range((15, 1), (24, 5)).clear_contents()  # ten people leave
    macros.recalc(fake)
    _, r1, _, r2 = range_boundaries(fake.sheets["发放"].tables[0].ref)
    assert r2 - r1 == 10 and grown != fake.sheets["发放"].tables[0].ref
    assert fake.sheets["发放"].fmt(r2 + 1, 1) == com_fake.Fmt()  # no leftover borders below the table
    assert all(fake.sheets["发放"].cells.get((r2 + 1, c)) is None for c in range(1, 11))


def test_writes_are_bulk_whatever_the_number_of_people(tmp_path):
    calls = {}
    for n in (0, 60):
        book = fill(new_book(tmp_path), tmp_path / f"book{n}.xlsx", staff=_people(n), scores=FULL,
                    attendance=[[dt.datetime(2018, 3, 12), "王五", "上午", "旷工", None]])
        fake = com_fake.Book.from_file(book)
        macros.recalc(fake)
        calls[n] = fake.app.calls
    assert calls[60] <= calls[0] + 4, calls  # a few more runs of row heights at most, never one call per row
    assert calls[0] < 200, calls


def test_screen_updating_is_off_during_the_write_and_the_status_bar_is_handed_back(tmp_path):
    book = fill(new_book(tmp_path), tmp_path / "book.xlsx", staff=STAFF, scores=FULL)
    fake = com_fake.Book.from_file(book)
    macros.recalc(fake)
    assert fake.app.screen_log == [False, True]
    assert fake.app.status_history[0] == "目标管理考核：正在重新计算……"
    assert fake.app.status_history[-1] is False and fake.app.status_bar is False


def test_status_bar_is_handed_back_after_a_failure_too(tmp_path, monkeypatch):
    book = fill(new_book(tmp_path), tmp_path / "book.xlsx", staff=STAFF, scores=FULL)
    fake = com_fake.Book.from_file(book)
    monkeypatch.setenv("XL_APPRAISAL_LOG_DIR", str(tmp_path / "logs"))
    monkeypatch.setattr(live, "_write_column", lambda *a: 1 / 0)
    assert macros.recalc(fake) is None
    assert fake.app.status_bar is False and fake.app.screen_log == [False, True]
    assert "程序内部出错" in fake.app.alerts[-1][0] and "Traceback" not in fake.app.alerts[-1][0]
    assert list((tmp_path / "logs").glob("*.log"))
    assert fake.sheets["发放"].protection is not None  # protected again after the failure


def test_protection_is_kept_exactly_with_its_own_options(tmp_path):
    book = fill(new_book(tmp_path), tmp_path / "book.xlsx", staff=STAFF, scores=FULL)
    fake = com_fake.Book.from_file(book)
    fake.sheets["发放"].api.Protect(DrawingObjects=False, Scenarios=False, AllowSorting=True, AllowFiltering=True,
                                   AllowFormattingColumns=True)
    before = {s.name: s.protection for s in fake.sheets}
    macros.recalc(fake)
    assert {s.name: s.protection for s in fake.sheets} == before
    assert fake.sheets["发放"].protection["AllowSorting"] and not fake.sheets["发放"].protection["AllowFormattingRows"]
    assert fake.app.prompts == []


def test_a_sheet_with_a_password_is_refused_in_chinese_without_a_prompt_and_nothing_changes(tmp_path):
    book = fill(new_book(tmp_path), tmp_path / "book.xlsx", staff=STAFF, scores=FULL)
    fake = com_fake.with_password(com_fake.Book.from_file(book), "校验", "秘密")
    cells = {s.name: dict(s.cells) for s in fake.sheets}
    assert macros.recalc(fake) is None
    assert fake.app.prompts == []
    message = fake.app.alerts[-1][0]
    assert "“校验”工作表设有密码保护" in message and "撤销工作表保护" in message
    assert {s.name: dict(s.cells) for s in fake.sheets} == cells  # nothing written anywhere
    assert fake.sheets["校验"].password == "秘密" and fake.sheets["校验"].protection is not None
    assert all(s.protection is not None for s in fake.sheets if s.name in ("汇总", "发放", "办公室"))
    assert fake.app.status_bar is False


# Pickers and failures: Chinese message boxes, never a traceback -------------------------------------------------
def test_pickers_pass_keywords_only_and_cancel_quietly(tmp_path):
    book = fill(new_book(tmp_path), tmp_path / "book.xlsx", staff=STAFF, scores=FULL)
    fake = com_fake.Book.from_file(book)
    assert macros.import_signins(fake) is None and macros.collect(fake) is None  # cancelled: False comes back
    (args1, kw1), (args2, kw2) = fake.app.picker_calls
    assert args1 == args2 == ()
    assert kw1 == {"FileFilter": "签到记录 (*.csv;*.xlsx),*.csv;*.xlsx", "FilterIndex": 1, "Title": "选择签到记录",
                   "MultiSelect": False}
    assert kw2["MultiSelect"] is True and fake.app.alerts == []


def test_picked_signins_are_imported(tmp_path):
    from test_signins import LEAVES, zkteco_csv

    book = fill(new_book(tmp_path), tmp_path / "book.xlsx", staff=STAFF, scores=FULL, leave=LEAVES)
    fake = com_fake.Book.from_file(book)
    fake.app.open_filename = str(zkteco_csv(tmp_path / "r.csv"))
    report = macros.import_signins(fake)
    assert report is not None and len(report.added) == 4
    rows = [r for r in com_fake.table_values(fake, "考勤", "tblAttendance")[1:] if r[1]]
    assert [(r[1], r[2], r[3]) for r in rows] == [("刘洋", "上午", "迟到"), ("刘洋", "上午", "早退"),
                                                  ("刘洋", "上午", "漏签"), ("刘洋", "全天", "旷工")]
    assert fake.sheets["考勤"].fmt(8, 1).number_format == fake.sheets["考勤"].fmt(5, 1).number_format


@pytest.mark.parametrize("entry", ["export", "split"])
def test_a_busy_file_is_a_chinese_message_not_a_traceback(tmp_path, monkeypatch, entry):
    from xl_appraisal.workbook.save import FileBusy

    book = fill(new_book(tmp_path), tmp_path / "book.xlsx", staff=STAFF, scores=FULL)
    fake = com_fake.Book.from_file(book)

    def busy(*a, **k):
        raise FileBusy("book.xlsx 无法写入（可能正在 Excel 或 WPS 中打开）：请先关闭它再试")

    monkeypatch.setattr("xl_appraisal.export.export_book", busy)
    monkeypatch.setattr("xl_appraisal.handout.split", busy)
    assert getattr(macros, entry)(fake) is None
    assert fake.app.alerts == [("book.xlsx 无法写入（可能正在 Excel 或 WPS 中打开）：请先关闭它再试", macros.TITLE)]
    assert fake.app.status_bar is False


def test_an_unusable_or_refused_book_is_its_own_chinese_sentence(tmp_path, monkeypatch):
    from xl_appraisal.errors import Refused

    book = fill(new_book(tmp_path), tmp_path / "book.xlsx", staff=STAFF, scores=FULL)
    fake = com_fake.Book.from_file(book)
    fake.sheets["请假"].tables.clear()  # the 请假 table deleted
    assert macros.recalc(fake) is None
    assert "tblLeave" in fake.app.alerts[-1][0]

    def refuse(*a, **k):
        raise Refused("这些自评表不属于本工作簿", details=["女工部-自评.xlsx：年度不同"])

    monkeypatch.setattr("xl_appraisal.handout.plan_collect", refuse)
    fake = com_fake.Book.from_file(book)
    macros.collect(fake, files=["x.xlsx"])
    assert fake.app.alerts[-1][0] == "这些自评表不属于本工作簿\n女工部-自评.xlsx：年度不同"


def test_on_a_mac_the_buttons_point_to_the_command_line(tmp_path, monkeypatch):
    book = fill(new_book(tmp_path), tmp_path / "book.xlsx", staff=STAFF, scores=FULL)
    fake = com_fake.Book.from_file(book)
    monkeypatch.setattr(macros.sys, "platform", "darwin")
    for entry in (macros.recalc, macros.check, macros.import_signins, macros.collect, macros.export, macros.split):
        assert entry(fake) is None
    assert {a for a, _ in fake.app.alerts} == {macros.MAC} and "xl-appraisal recalc" in macros.MAC
    assert fake.app.picker_calls == [] and fake.saved == 0


def test_a_button_runs_without_the_cycle_collector_and_gives_it_back(tmp_path, monkeypatch):
    import gc

    book = fill(new_book(tmp_path), tmp_path / "book.xlsx", staff=STAFF, scores=FULL)
    fake = com_fake.Book.from_file(book)
    seen = []
    real = macros._evaluate
    monkeypatch.setattr(macros, "_evaluate", lambda b: (seen.append(gc.isenabled()), real(b))[1])
    assert gc.isenabled()
    assert macros.recalc(fake) is not None
    assert seen == [False] and gc.isenabled()
    monkeypatch.setattr(macros, "_evaluate", lambda b: 1 / 0)  # a bug: the collector is given back too
    assert macros.recalc(fake) is None and gc.isenabled()
