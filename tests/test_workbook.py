"""The workbook contract (WORKBOOK.md) and the command line: new / check / recalc / demo."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import zipfile
from decimal import Decimal

import openpyxl
from builders import POLICY
from workbooks import fill, new_book

from xl_appraisal.cli import main
from xl_appraisal.templates import TEMPLATE_PATH, template_bytes
from xl_appraisal.workbook import contract as c
from xl_appraisal.workbook.package import XLSM_MAIN

CODES = {d.name: d.code for d in POLICY.departments}  # the policy names the department sheets


def tables_of(path):
    wb = openpyxl.load_workbook(path)
    out = {}
    for ws in wb.worksheets:
        for t in ws.tables.values():
            name = t.displayName
            min_row = int("".join(ch for ch in t.ref.split(":")[0] if ch.isdigit()))
            first_col = t.ref.split(":")[0].rstrip("0123456789")
            col = openpyxl.utils.column_index_from_string(first_col)
            headers = [ws.cell(min_row, col + j).value for j in range(len(t.tableColumns))]
            out[name] = (ws.title, headers)
    return out


def test_every_contract_table_and_header_exists_in_a_new_workbook(tmp_path):
    found = tables_of(new_book(tmp_path))
    expected = [*c.INPUT_TABLES, *c.COMPUTED_TABLES]
    expected += [c.items_table(n, code) for n, code in CODES.items()]
    expected += [c.bonus_table(n, code) for n, code in CODES.items()]
    for t in expected:
        assert t.name in found, t.name
        sheet, headers = found[t.name]
        assert sheet == t.sheet and headers[: len(t.headers)] == list(t.headers), t.name


def test_R1_department_items_in_the_workbook_sum_to_100(tmp_path):
    wb = openpyxl.load_workbook(new_book(tmp_path))
    for name in CODES:
        ws = wb[name]
        total = sum(Decimal(str(r[2])) for r in ws.iter_rows(min_row=5, max_col=3, values_only=True) if r[0])
        assert total == 100, name


def test_R8_2018_calendar_has_250_working_days_with_tiaoxiu(tmp_path):
    wb = openpyxl.load_workbook(new_book(tmp_path))
    rows = list(wb["日历"].iter_rows(min_row=5, values_only=True))
    work = {r[0].date(): r[1] for r in rows if r[0]}
    assert len(work) == 365 and sum(v == "是" for v in work.values()) == 250
    assert work[dt.date(2018, 2, 11)] == "是"  # Sunday, make-up working day
    assert work[dt.date(2018, 10, 1)] == "否"


def test_unknown_year_falls_back_to_weekdays_and_says_so(tmp_path, capsys):
    out = tmp_path / "2031.xlsm"
    assert main(["new", "-o", str(out), "--year", "2031"]) == 0
    assert "手工核对" in capsys.readouterr().out
    wb = openpyxl.load_workbook(out)
    assert "手工核对" in wb["日历"]["A2"].value and "手工核对" in wb["说明"]["B22"].value


def test_template_is_macro_enabled_and_rebuilds_identically():
    data = TEMPLATE_PATH.read_bytes()
    assert hashlib.sha256(template_bytes()).hexdigest() == hashlib.sha256(data).hexdigest(), (
        "workbook_template.xlsm is stale: run python -m xl_appraisal.templates"
    )
    with zipfile.ZipFile(TEMPLATE_PATH) as z:
        assert XLSM_MAIN in z.read("[Content_Types].xml").decode()


def test_input_cells_unlocked_computed_sheets_protected(tmp_path):
    wb = openpyxl.load_workbook(new_book(tmp_path))
    office = wb["办公室"]
    assert office.protection.sheet and wb["发放"].protection.sheet and wb["汇总"].protection.sheet
    assert office["D5"].protection.locked is False and office["C5"].protection.locked is True
    assert office["N5"].protection.locked is True and office["J5"].protection.locked is False
    dvs = {str(dv.sqref): dv for dv in office.data_validations.dataValidation}
    assert dvs["D5:G5"].formula2 == "30" and "0到30" in dvs["D5:G5"].error
    assert office.freeze_panes == "A5"
    assert wb["考勤"].print_title_rows == "$4:$4"


def test_check_writes_nothing_and_exit_codes(tmp_path):
    book = new_book(tmp_path)
    before = book.read_bytes()
    assert main(["check", str(book)]) == 1  # nobody in 人员 yet: an error
    assert book.read_bytes() == before
    assert main(["check", str(tmp_path / "missing.xlsm")]) == 2


def fill_example(tmp_path):
    staff = [["吴建国", "领导班子", "主席", None, None], ["胡明", "领导班子", "常务副主席", "办公室、财务部", None],
             ["李华", "领导班子", "副主席", "组宣部、女工部、保障部、职工服务中心", None],
             ["刘洋", "办公室", "工作人员", None, None], ["陈静", "财务部", "部门负责人", None, None]]
    scores = {d.name: {i.number: [None, None, None, float(i.max_points)] for i in d.items} for d in POLICY.departments}
    scores["财务部"]["1"] = [25, 20, None, 17]  # 财务部 92
    attendance = [[dt.datetime(2018, 3, 12), "刘洋", "全天", "旷工", None],
                  [dt.datetime(2018, 3, 13), "刘洋", "上午", "旷工", None]]
    leave = [["陈静", dt.datetime(2018, 3, 14), "上午", dt.datetime(2018, 3, 14), "上午", "事假", "胡明", None]]
    bonuses = {"office": [["部门工作获表彰·省总", 1, None, "省总表彰"]]}
    return fill(new_book(tmp_path), tmp_path / "filled.xlsx", staff=staff, attendance=attendance, leave=leave,
                scores=scores, bonuses=bonuses)


def test_filled_by_openpyxl_recalc_json_gives_the_engine_answers(tmp_path):
    book = fill_example(tmp_path)
    out = tmp_path / "out.json"
    code = main(["recalc", str(book), "--json", str(out)])
    data = json.loads(out.read_text(encoding="utf-8"))
    assert code == 0
    levels = {i["level"] for i in data["issues"]}
    assert levels == {"warning"}  # 审定 filled while 自评/评议 empty (R5)
    depts = {d["name"]: d for d in data["departments"]}
    assert depts["办公室"]["total"] == 104 and depts["财务部"]["total"] == 92
    people = {p["name"]: p for p in data["people"]}
    # 刘洋: 3 half-days -> 1940; 办公室 104 -> 4000
    assert (people["刘洋"]["allowance"], people["刘洋"]["bonus"], people["刘洋"]["total"]) == (1940, 4000, 5940)
    # 陈静: 财务部 92 -> 2 tiers -> 3600
    assert people["陈静"]["bonus"] == 3600
    wb = openpyxl.load_workbook(book)
    assert wb["办公室"]["N5"].value == 4
    payouts = list(wb["发放"].iter_rows(min_row=5, values_only=True))
    assert [r[0] for r in payouts] == ["吴建国", "胡明", "李华", "刘洋", "陈静"]


def test_recalc_with_output_leaves_the_input_untouched(tmp_path):
    book = fill_example(tmp_path)
    before = book.read_bytes()
    main(["recalc", str(book), "-o", str(tmp_path / "copy.xlsx")])
    assert book.read_bytes() == before and (tmp_path / "copy.xlsx").exists()


def test_new_refuses_to_overwrite(tmp_path):
    book = new_book(tmp_path)
    assert main(["new", "-o", str(book), "--year", "2018"]) == 2


def test_demo_runs_and_writes_book_and_json(tmp_path, capsys):
    assert main(["demo", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "57,740.00" in out and "暂定" in out
    data = json.loads(next(tmp_path.glob("*.json")).read_text(encoding="utf-8"))
    assert data["policy"] == "pengze-2018" and data["final"] is False
    assert len(data["people"]) == 11 and sum(p["total"] for p in data["people"]) == 57740


def test_every_input_column_has_validation(tmp_path):
    """Dropdowns, number ranges, dates, and a length limit on free text (issue: every input column)."""
    from openpyxl.utils.cell import range_boundaries as rb

    wb = openpyxl.load_workbook(new_book(tmp_path))

    def covered(ws, col: str, row: int) -> bool:
        for dv in ws.data_validations.dataValidation:
            for rng in str(dv.sqref).split():
                c1, r1, c2, r2 = rb(rng)
                if c1 <= openpyxl.utils.column_index_from_string(col) <= c2 and r1 <= row <= r2:
                    return True
        return False

    inputs = {"人员": "ABCDE", "考勤": "ABCDE", "请假": "ABCDEFGH", "日历": "ABC", "办公室": "DEFGHJKLM"}
    for sheet, cols in inputs.items():
        for col in cols:
            assert covered(wb[sheet], col, 5), f"{sheet}!{col}5"
    params = wb["参数"]
    switch_rows = [r for r in range(5, 40) if params.cell(r, 4).value in ("tier_rounding", "leader_link")]
    assert switch_rows and all(covered(params, "B", r) for r in switch_rows)


def test_new_xlsx_has_no_macros_and_no_udf_sheets(tmp_path):
    out = tmp_path / "plain.xlsx"
    assert main(["new", "-o", str(out), "--year", "2018"]) == 0
    with zipfile.ZipFile(out) as z:
        assert "xl/vbaProject.bin" not in z.namelist() and b"macroEnabled" not in z.read("[Content_Types].xml")
    names = openpyxl.load_workbook(out).sheetnames
    assert "试算" not in names and "xlwings.conf" not in names and "发放" in names


def test_another_union_is_a_new_policy_file_not_new_code(tmp_path, capsys):
    """Copy the policy, change a number, build a workbook from it: the workbook carries and uses it."""
    from importlib import resources

    text = resources.files("xl_appraisal.policies").joinpath("pengze-2018.toml").read_text(encoding="utf-8")
    other = tmp_path / "other-2019.toml"
    other.write_text(text.replace('id = "pengze-2018"', 'id = "other-2019"').replace('value = "2000"', 'value = "2400"'),
                     encoding="utf-8")
    book = tmp_path / "other.xlsx"
    assert main(["new", "-o", str(book), "--year", "2019", "--policy", str(other)]) == 0
    filled = fill(book, tmp_path / "filled.xlsx", staff=[["甲", "领导班子", "主席", None, None]],
                  attendance=[[dt.datetime(2019, 3, 12), "甲", "上午", "旷工", None]])
    out = tmp_path / "r.json"
    main(["recalc", str(filled), "--json", str(out)])
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["policy"] == "other-2019" and data["people"][0]["allowance"] == 2380
    bad = tmp_path / "bad.toml"
    bad.write_text(text.replace('["6", "做好接待工作", "5"]', '["6", "做好接待工作", "7"]'), encoding="utf-8")
    capsys.readouterr()
    assert main(["new", "-o", str(tmp_path / "x.xlsx"), "--policy", str(bad)]) == 2
    assert "办公室各考核项目分值合计为102，应为100分" in capsys.readouterr().out


def test_payouts_status_row_has_no_styled_empty_cells_under_its_text():
    """The status line carries 发放's totals as text; the template leaves no filled, bordered empty cells for the
    text to run over (they printed as boxes behind it)."""
    import openpyxl

    ws = openpyxl.load_workbook(TEMPLATE_PATH)["发放"]
    row = int(ws.tables["tblPayouts"].ref.split(":")[0][1:]) - 1
    assert ws.cell(row, 1).font.b
    assert all(ws.cell(row, c).fill.fill_type is None and ws.cell(row, c).border.top.style is None for c in range(2, 11))
