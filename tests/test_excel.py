"""Inside Excel, tested without Excel: the VBA runs in pyOpenVBA's interpreter, the live adapter runs
against xlwings' own Book API (its remote engine, licence key `noncommercial` for testing), and the
template's package is checked part by part (olevba reads the project)."""

from __future__ import annotations

import datetime as dt
import inspect
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils.cell import range_boundaries
from test_nothing_lost import FULL, STAFF
from workbooks import fill, new_book

from xl_appraisal.cli import main
from xl_appraisal.excel import macros, udfs, vba
from xl_appraisal.templates import TEMPLATE_PATH

ROOT = Path(__file__).resolve().parent.parent
RIBBON_XML = (ROOT / "macros" / "customUI14.xml").read_text(encoding="utf-8")
RIBBON_BAS = (ROOT / "macros" / "Ribbon.bas").read_text(encoding="ascii")

STUB_RUNPYTHON = '''Attribute VB_Name = "StubXlwings"
Public LastCommand As String
Public Function RunPython(ByVal command As String) As Variant
    LastCommand = command
    RunPython = 0
End Function
Public Function GetConfig(ByVal key As String, Optional ByVal default As String = "") As Variant
    GetConfig = default
End Function
Public Function FileExists(ByVal spec As String) As Boolean
    FileExists = False
End Function
Public Function Last() As String
    Last = LastCommand
End Function
'''


def interpreter():
    from pyopenvba.apps.excel import ExcelApplication

    return ExcelApplication()


def callbacks() -> list[str]:
    return re.findall(r'onAction="([^"]+)"', RIBBON_XML)


def test_macros_are_ascii_and_every_ribbon_button_has_its_callback():
    RIBBON_BAS.encode("ascii")
    assert callbacks() == ["XA_Recalc", "XA_Check", "XA_ImportSignins", "XA_Split", "XA_Collect", "XA_Export", "XA_Help"]
    for name in callbacks():
        assert re.search(rf"^Public Sub {name}\(control As IRibbonControl\)$", RIBBON_BAS, re.M), name


@pytest.mark.parametrize("callback", callbacks())
def test_each_callback_compiles_runs_and_hands_runpython_one_entry_point(callback):
    app = interpreter()
    app.add_module(STUB_RUNPYTHON, name="StubXlwings")
    app.add_module(RIBBON_BAS, name="Ribbon")
    app.add_module(f'Attribute VB_Name = "Press"\nPublic Sub PressIt()\n    {callback} Nothing\nEnd Sub\n', name="Press")
    app.run("PressIt")
    command = app.run("Last")
    m = re.fullmatch(r"import xl_appraisal\.excel\.macros as m; m\.(\w+)\(\)", command)
    assert m, command
    assert callable(getattr(macros, m[1]))


def test_udf_wrappers_compile_and_call_the_python_udf_with_its_arguments():
    """The wrappers as xlwings' Import Functions writes them; xlwings' XLPy is stubbed (pyOpenVBA cannot
    preprocess xlwings' own module). pyOpenVBA has no Application.Caller, so App is set to another host and
    the #Else branch (the same CallUDF without workbook and caller) runs; the Excel branch is checked as text."""
    source = vba.udf_wrappers()
    assert ('XA_BONUS = XLPy.CallUDF("xl_appraisal.excel.udfs", "XA_BONUS", Array(score, Nothing), ThisWorkbook, '
            "Application.Caller)") in source
    source = source.replace("""#Const App = "Microsoft Excel" 'Adjust when using outside of Excel""", '#Const App = "Test"')
    app = interpreter()
    app.add_module('''Attribute VB_Name = "FakeServer"
Public Function CallUDF(ByVal modname As String, ByVal fname As String, args As Variant, Optional wb As Variant, Optional caller As Variant) As Variant
    Dim i As Long, s As String
    s = modname & "." & fname & "("
    For i = LBound(args) To UBound(args)
        If IsObject(args(i)) Then
            s = s & "Nothing,"
        Else
            s = s & CStr(args(i)) & ","
        End If
    Next i
    CallUDF = s & ")"
End Function
''', name="FakeServer", kind="class")
    app.add_module('Attribute VB_Name = "StubXLPy"\nPublic Function XLPy() As Object\n    Set XLPy = New FakeServer\nEnd Function\n',
                   name="StubXLPy")
    app.add_module(source, name=vba.WRAPPER_MODULE)
    assert app.run("XA_BONUS", 95) == "xl_appraisal.excel.udfs.XA_BONUS(95,Nothing,)"
    assert app.run("XA_CHECK_SCORE", 31, 30) == "xl_appraisal.excel.udfs.XA_CHECK_SCORE(31,30,)"
    assert app.run("XA_LEADER_BONUS", 99, 91) == "xl_appraisal.excel.udfs.XA_LEADER_BONUS(99,91,Nothing,)"


def test_udf_wrappers_match_the_python_signatures():
    source = vba.udf_wrappers()
    for func in udfs.UDFS:
        visible = [p for p in inspect.signature(func).parameters if p != "caller"]
        assert f"Function {func.__name__}({', '.join(visible)})" in source
    assert source.count("\nFunction XA_") == source.count("\nEnd Function") == len(udfs.UDFS)
    assert len(udfs.UDFS) >= 6


def test_udfs_do_the_engine_arithmetic_outside_excel():
    assert udfs.XA_ALLOWANCE(3) == 1940.0 and udfs.XA_ALLOWANCE(30) == 0.0
    assert udfs.XA_TIERS(94.99) == 2 and udfs.XA_BONUS(99.99) == 3800.0 and udfs.XA_BONUS("１００分") == 4000.0
    assert udfs.XA_LEADER_BONUS(93.3333, 80) == 3320.0
    assert udfs.XA_CHECK_SCORE(20, 20) == "" and "超过该项分值30" in udfs.XA_CHECK_SCORE(31, 30)
    assert udfs.XA_BONUS_POINTS([[6], [6], [6], [4]]) == 20.0
    assert "不是数字" in udfs.XA_BONUS("优秀")


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def test_template_package_macro_enabled_with_ribbon_project_and_config():
    parts = _parts(TEMPLATE_PATH)
    assert b"application/vnd.ms-excel.sheet.macroEnabled.main+xml" in parts["[Content_Types].xml"]
    assert b"application/vnd.ms-office.vbaProject" in parts["[Content_Types].xml"]
    assert "xl/vbaProject.bin" in parts and "customUI/customUI14.xml" in parts
    rels = parts["_rels/.rels"].decode()
    assert 'Type="http://schemas.microsoft.com/office/2007/relationships/ui/extensibility" Target="customUI/customUI14.xml"' in rels
    assert parts["customUI/customUI14.xml"] == (ROOT / "macros" / "customUI14.xml").read_bytes()
    wb = openpyxl.load_workbook(TEMPLATE_PATH)
    conf = wb["xlwings.conf"]
    assert conf.sheet_state == "hidden"
    assert dict(conf.iter_rows(values_only=True))["UDF Modules"] == "xl_appraisal.excel.udfs"


def test_template_embeds_our_modules_and_the_installed_xlwings_version():
    import xlwings
    from pyopenvba import ExcelFile

    with ExcelFile(TEMPLATE_PATH) as book:
        names = book.module_names()
        assert {"xlwings", "Dictionary", "Ribbon", "xlwings_udfs"} <= set(names)
        assert vba.embedded_version(book.get_module("xlwings")) == xlwings.__version__
        assert book.get_module("Ribbon").replace("\r\n", "\n").strip().endswith("End Sub")
        assert "XA_LEADER_BONUS" in book.get_module("xlwings_udfs")
        assert book.validate() == []


def test_olevba_lists_the_modules():
    out = subprocess.run([sys.executable, "-m", "oletools.olevba", str(TEMPLATE_PATH)], capture_output=True, text=True,
                         timeout=120).stdout
    for name in ("xlwings.bas", "Dictionary.cls", "Ribbon.bas", "xlwings_udfs.bas"):
        assert f"VBA MACRO {name}" in out, name


def test_sync_vba_replaces_only_the_xlwings_module(tmp_path):
    from pyopenvba import ExcelFile

    book = new_book(tmp_path)
    with ExcelFile(book) as f:
        f.set_module("xlwings", f.get_module("xlwings").replace('XLWINGS_VERSION As String = "', 'XLWINGS_VERSION As String = "0.0.1-'))
        f.save(tmp_path / "old.xlsm")
    old = tmp_path / "old.xlsm"
    before = _parts(old)
    assert main(["sync-vba", str(old)]) == 0
    after = _parts(old)
    assert {n for n in before if before[n] != after[n]} == {"xl/vbaProject.bin"}
    with ExcelFile(old) as f:
        import xlwings

        assert vba.embedded_version(f.get_module("xlwings")) == xlwings.__version__
        assert f.get_module("Ribbon") and f.get_module("xlwings_udfs")


# The live adapter against xlwings' remote engine ----------------------------------------------------
def _json_value(v):
    if isinstance(v, dt.datetime):
        return v.strftime("%Y-%m-%dT%H:%M:%S.000Z")  # as a JavaScript client sends dates
    return v


def remote_json(path: Path) -> dict:
    """The payload an xlwings client sends: every sheet's values from A1, its tables with their addresses."""
    import xlwings as xw

    wb = openpyxl.load_workbook(path, data_only=True)
    sheets = []
    for ws in wb.worksheets:
        values = [[_json_value(c) for c in row] for row in ws.iter_rows(min_row=1, min_col=1, values_only=True)] or [[None]]
        width = max(len(r) for r in values)
        values = [r + [None] * (width - len(r)) for r in values]
        tables = []
        for t in ws.tables.values():
            min_col, min_row, max_col, max_row = range_boundaries(t.ref)
            col = openpyxl.utils.get_column_letter
            tables.append({"name": t.displayName, "range_address": t.ref,
                           "header_row_range_address": f"{col(min_col)}{min_row}:{col(max_col)}{min_row}",
                           "data_body_range_address": f"{col(min_col)}{min_row + 1}:{col(max_col)}{max_row}",
                           "total_row_range_address": None, "show_headers": True, "show_totals": False,
                           "table_style": "TableStyleLight1", "show_autofilter": True})
        sheets.append({"name": ws.title, "values": values, "pictures": [], "tables": tables})
    return {"client": "Microsoft Office Scripts", "version": xw.__version__,
            "book": {"name": path.name, "active_sheet_index": 0, "selection": "A1"}, "names": [], "sheets": sheets}


def apply_actions(data: dict, actions: list[dict]) -> dict[str, list[list]]:
    """What an xlwings client does with the returned actions, for the ones the live adapter sends."""
    grids = {s["name"]: [list(r) for r in s["values"]] for s in data["sheets"]}
    names = [s["name"] for s in data["sheets"]]
    for a in actions:
        if a["func"] in ("setValues", "clearContents"):
            grid = grids[names[a["sheet_position"]]]
            r0, c0 = a["start_row"], a["start_column"]
            values = a["values"] if a["func"] == "setValues" else [[None] * a["column_count"]] * a["row_count"]
            for i, row in enumerate(values):
                while len(grid) <= r0 + i:
                    grid.append([None] * len(grid[0]))
                for j, v in enumerate(row):
                    while len(grid[r0 + i]) <= c0 + j:
                        grid[r0 + i].append(None)
                    grid[r0 + i][c0 + j] = v
    return grids


def _region(grid: list[list], ref: str) -> list[list]:
    min_col, min_row, max_col, max_row = range_boundaries(ref)
    out = []
    for r in range(min_row - 1, max_row):
        row = grid[r] if r < len(grid) else []
        out.append([row[c] if c < len(row) else None for c in range(min_col - 1, max_col)])
    return out


def _norm(rows):
    return [[float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else (None if v == "" else v) for v in r]
            for r in rows]


def test_ribbon_recalc_through_xlwings_gives_the_command_line_tables(tmp_path):
    import xlwings as xw

    book_path = fill(new_book(tmp_path), tmp_path / "book.xlsx", staff=STAFF, scores=FULL,
                     attendance=[[dt.datetime(2018, 3, 12), "刘洋", "全天", "旷工", None],
                                 [dt.datetime(2018, 3, 13), "王五", "上午", "迟到", None]],
                     bonuses={"office": [["部门工作获表彰·省总", 2, None, "省总表彰"]]})
    data = remote_json(book_path)
    live = xw.Book(json=data)
    outcome = macros.recalc(live)
    assert outcome is not None and outcome.has_errors  # 王五 is not in 人员
    actions = live.json()["actions"]
    assert any(a["func"] == "resizeTable" for a in actions)
    assert any(a["func"] == "alert" for a in actions)  # the Chinese message box
    grids = apply_actions(data, actions)

    cli_out = tmp_path / "cli.xlsx"
    assert main(["recalc", str(book_path), "-o", str(cli_out)]) == 1
    wb = openpyxl.load_workbook(cli_out)
    for sheet, table in (("汇总", "tblSummary"), ("发放", "tblPayouts"), ("校验", "tblIssues")):
        ref = wb[sheet].tables[table].ref
        expected = [list(r) for r in wb[sheet].iter_rows(min_row=range_boundaries(ref)[1], max_row=range_boundaries(ref)[3],
                                                          min_col=1, max_col=range_boundaries(ref)[2], values_only=True)]
        assert _norm(_region(grids[sheet], ref)) == _norm(expected), sheet
        assert grids[sheet][2][0] == wb[sheet]["A3"].value  # the status line
    office = wb["办公室"]
    assert grids["办公室"][4][13] == office["N5"].value == 8


def test_ribbon_check_writes_only_the_issues_table(tmp_path):
    import xlwings as xw

    book_path = fill(new_book(tmp_path), tmp_path / "book.xlsx", staff=STAFF, scores=FULL)
    live = xw.Book(json=remote_json(book_path))
    macros.check(live)
    touched = {live.sheets[a["sheet_position"]].name for a in live.json()["actions"] if a["func"] == "setValues"}
    assert touched == {"校验"}


def test_live_writes_keep_formula_like_text_as_text():
    from xl_appraisal.excel.live import cell_value

    assert cell_value("=HYPERLINK(1)") == "'=HYPERLINK(1)" and cell_value("@x") == "'@x" and cell_value("正常") == "正常"


def test_ribbon_cold_start_imports_nothing_heavy():
    code = "import sys, xl_appraisal.excel.macros; print(','.join(m for m in ('pandas','openpyxl','lxml','xlwings') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == ""


def test_ribbon_import_signins_through_xlwings_adds_the_same_events(tmp_path):
    import xlwings as xw
    from test_signins import LEAVES, zkteco_csv

    book_path = fill(new_book(tmp_path), tmp_path / "book.xlsx", staff=STAFF, scores=FULL, leave=LEAVES)
    data = remote_json(book_path)
    live = xw.Book(json=data)
    report = macros.import_signins(live, path=zkteco_csv(tmp_path / "r.csv"))
    assert len(report.added) == 4
    grids = apply_actions(data, live.json()["actions"])
    rows = [r[:4] for r in grids["考勤"][4:9] if r[1]]
    assert [(r[1], r[2], r[3]) for r in rows] == [("刘洋", "上午", "迟到"), ("刘洋", "上午", "早退"),
                                                  ("刘洋", "上午", "漏签"), ("刘洋", "全天", "旷工")]


def test_ribbon_collect_through_xlwings_writes_only_self_scores(tmp_path):
    import xlwings as xw
    from test_handout import self_score

    book_path = fill(new_book(tmp_path), tmp_path / "book.xlsx", staff=STAFF, scores=FULL)
    assert main(["split", str(book_path), "-o", str(tmp_path / "h")]) == 0
    returned = self_score(tmp_path / "h" / "女工部-自评.xlsx", {"1": 27})
    data = remote_json(book_path)
    live = xw.Book(json=data)
    report = macros.collect(live, files=[returned])
    assert report.merged == ["女工部"]
    writes = [(live.sheets[a["sheet_position"]].name, a["start_row"], a["start_column"], a["values"])
              for a in live.json()["actions"] if a["func"] == "setValues"]
    log = [w for w in writes if w[0] == "变更记录"]
    assert [w for w in writes if w[0] not in ("变更记录", "变更快照")] == [("女工部", 4, 3, [[27]])]  # 女工部!D5 only
    assert [row[2:8] for row in log[0][3]] == [["女工部", "D5", "女工部第1项自评", 30, 27, "collect：女工部-自评.xlsx"]]


@pytest.mark.skipif(not __import__("shutil").which("soffice"), reason="LibreOffice (soffice) is not installed")
def test_libreoffice_opens_the_template(tmp_path):
    from xl_appraisal.export import to_pdf

    copy = tmp_path / "template.xlsm"
    copy.write_bytes(TEMPLATE_PATH.read_bytes())
    pdf = to_pdf(copy, tmp_path)
    assert pdf is not None and pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 20_000
