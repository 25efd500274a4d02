"""Finding Python (setup-excel writes Interpreter_Win through the file sink) and what the ribbon's VBA says
in Chinese before Python has started: Ribbon.bas runs in pyOpenVBA's interpreter against the real
template (its named 说明 cells), with xlwings' RunPython / GetConfig / FileExists stubbed."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from workbooks import new_book

from xl_appraisal.cli import main
from xl_appraisal.excel import vba
from xl_appraisal.templates import TEMPLATE_PATH
from xl_appraisal.workbook.build import BUTTON_HELP

ROOT = Path(__file__).resolve().parent.parent
RIBBON_BAS = (ROOT / "macros" / "Ribbon.bas").read_text(encoding="ascii")

STUB = '''Attribute VB_Name = "StubXlwings"
Public Commands As String
Public Interpreter As String
Public Exists As Boolean
Public ExitCode As Long
Public Sub Configure(ByVal i As String, ByVal e As Boolean, ByVal c As Long)
    Interpreter = i
    Exists = e
    ExitCode = c
End Sub
Public Function RunPython(ByVal command As String) As Variant
    Commands = Commands & command & "|"
    RunPython = ExitCode
End Function
Public Function GetConfig(ByVal key As String, Optional ByVal default As String = "") As Variant
    If key = "INTERPRETER_WIN" Then GetConfig = Interpreter Else GetConfig = default
End Function
Public Function FileExists(ByVal spec As String) As Boolean
    FileExists = Exists
End Function
Public Function Ran() As String
    Ran = Commands
End Function
'''


def conf(path: Path) -> dict:
    wb = openpyxl.load_workbook(path)
    return {a: b for a, b in wb["xlwings.conf"].iter_rows(min_col=1, max_col=2, values_only=True) if a}


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(path.read_bytes())) as z:
        return {n: z.read(n) for n in z.namelist()}


def fake_python(tmp_path: Path, windowless: bool = True) -> Path:
    folder = tmp_path / "venv" / "Scripts"
    folder.mkdir(parents=True)
    (folder / "python.exe").write_bytes(b"")
    if windowless:
        (folder / "pythonw.exe").write_bytes(b"")
    return folder / "python.exe"


def test_setup_excel_writes_interpreter_win_through_the_file_sink(tmp_path, capsys):
    book = new_book(tmp_path)
    python = fake_python(tmp_path)
    before = parts(book)
    assert "Interpreter_Win" not in conf(book)  # not set by the template: xlwings' own config files still apply
    assert main(["setup-excel", str(book), "--python", str(python)]) == 0
    assert conf(book)["Interpreter_Win"] == str(python.with_name("pythonw.exe"))
    assert conf(book)["UDF Modules"] == vba.UDF_MODULE  # the other settings kept
    after = parts(book)
    changed = {n for n in after if after[n] != before.get(n)}
    assert len(changed) == 1 and changed.pop().startswith("xl/worksheets/sheet")  # only the xlwings.conf sheet
    assert "已写入" in capsys.readouterr().out
    backups = list((tmp_path / "备份").glob("*")) if (tmp_path / "备份").exists() else []
    # again with the same Python: nothing to write, no new backup
    assert main(["setup-excel", str(book), "--python", str(python)]) == 0
    assert "已是" in capsys.readouterr().out
    assert (list((tmp_path / "备份").glob("*")) if (tmp_path / "备份").exists() else []) == backups
    # another Python: the same row changes, no second row
    other = tmp_path / "conda" / "python.exe"
    other.parent.mkdir()
    other.write_bytes(b"")
    assert main(["setup-excel", str(book), "--python", str(other)]) == 0
    rows = [a for a, _ in openpyxl.load_workbook(book)["xlwings.conf"].iter_rows(min_col=1, max_col=2, values_only=True)]
    assert rows.count("Interpreter_Win") == 1 and conf(book)["Interpreter_Win"] == str(other)  # no pythonw there


def test_setup_excel_refuses_what_it_cannot_set_in_chinese(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr("sys.platform", "linux")
    book = new_book(tmp_path)
    assert main(["setup-excel", str(book)]) == 1
    assert "Windows" in capsys.readouterr().out
    xlsx = new_book(tmp_path, "book.xlsx")
    assert main(["setup-excel", str(xlsx), "--python", str(fake_python(tmp_path))]) == 2
    assert "不是启用宏的工作簿" in capsys.readouterr().out


def test_template_has_the_button_texts_named_for_the_vba_and_no_english_popups():
    wb = openpyxl.load_workbook(TEMPLATE_PATH)
    for name, text in BUTTON_HELP:
        sheet, ref = list(wb.defined_names[name].destinations)[0]
        assert sheet == "说明" and wb[sheet][ref.replace("$", "")].value == text
    assert conf(TEMPLATE_PATH)["SHOW_ERROR_POPUPS"] == "False"
    RIBBON_BAS.encode("ascii")
    assert set(re.findall(r'"(xaMsg\w+)"', RIBBON_BAS)) == {n for n, _ in BUTTON_HELP} | {"xaMsgTitle"}


def ribbon(interpreter: str = "", exists: bool = False, exit_code: int = 0):
    from pyopenvba.apps.excel import ExcelApplication

    app = ExcelApplication.open(TEMPLATE_PATH, with_vba=False)  # the real names and 说明 cells
    app.add_module(STUB, name="StubXlwings")
    app.add_module(RIBBON_BAS, name="Ribbon")
    app.run("Configure", interpreter, exists, exit_code)
    return app


def press(app, callback: str = "XA_Recalc"):
    app.add_module(f'Attribute VB_Name = "Press"\nPublic Sub PressIt()\n    {callback} Nothing\nEnd Sub\n', name="Press")
    app.run("PressIt")
    return app.run("Ran"), [(d[1], d[2]) for d in app.interpreter.dialogs]


def text(name: str) -> str:
    return dict(BUTTON_HELP)[name]


def test_a_button_runs_python_when_nothing_blocks_it():
    assert press(ribbon()) == ("import xl_appraisal.excel.macros as m; m.recalc()|", [])
    assert press(ribbon("C:\\venv\\Scripts\\pythonw.exe", True), "XA_Collect")[0].endswith("m.collect()|")


def test_a_missing_python_is_explained_in_chinese_before_anything_runs():
    ran, dialogs = press(ribbon("C:\\gone\\pythonw.exe", False))
    assert ran == "" and dialogs == [(text("xaMsgNoPython"), "按钮不能用时")]
    assert "setup-excel" in dialogs[0][0]


def test_python_that_could_not_start_is_explained_in_chinese():
    ran, dialogs = press(ribbon(exit_code=-1))
    assert ran.endswith("m.recalc()|") and dialogs == [(text("xaMsgFailed"), "按钮不能用时")]


@pytest.mark.parametrize("host,mac,expected", [("WPS 表格", False, "xaMsgHost"), ("LibreOffice Calc", False, "xaMsgHost"),
                                               ("Microsoft Excel", True, "xaMsgMac"), ("Microsoft Excel", False, "")])
def test_other_hosts_and_macs_are_told_what_to_do_instead(host, mac, expected):
    app = ribbon()
    assert app.run("XA_Blocker", host, mac, "", False) == expected
    if expected:
        message = app.run("XA_Message", expected)
        assert message == text(expected) and "xl-appraisal recalc" in message


def test_a_deleted_message_cell_still_says_something():
    assert ribbon().run("XA_Message", "xaMsgGone") == "xl-appraisal: xaMsgGone"
