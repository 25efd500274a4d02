"""The copy for the leadership group (报送版), verify, the draft email and the sign-off sheets (R6)."""

from __future__ import annotations

import email
import email.policy
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils.cell import range_boundaries
from test_nothing_lost import FULL, STAFF
from workbooks import fill, new_book

from xl_appraisal.cli import main

WEIRD = STAFF + [["=1+1", "办公室", "工作人员", None, "@备注"]]


@pytest.fixture
def book(tmp_path) -> Path:
    path = fill(new_book(tmp_path), tmp_path / "book.xlsm", staff=WEIRD, scores=FULL,
                bonuses={"office": [["部门工作获表彰·省总", 1, None, "=HYPERLINK(\"x\")"]]})
    assert main(["recalc", str(path)]) == 0
    return path


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def table_values(path: Path, sheet: str, table: str) -> list[list]:
    wb = openpyxl.load_workbook(path)
    ws = wb[sheet]
    min_col, min_row, max_col, max_row = range_boundaries(ws.tables[table].ref)
    rows = ws.iter_rows(min_row=min_row, max_row=max_row, min_col=min_col, max_col=max_col, values_only=True)
    return [[round(v, 6) if isinstance(v, float) else v for v in r] for r in rows]


def test_export_has_no_macros_no_formulas_and_the_same_tables(book, tmp_path):
    out = tmp_path / "报送版.xlsx"
    assert main(["export", str(book), "-o", str(out)]) == 0
    parts = _parts(out)
    assert "xl/vbaProject.bin" not in parts and not any(n.startswith("customUI") for n in parts)
    assert b"macroEnabled" not in parts["[Content_Types].xml"]
    sheets = [n for n in parts if n.startswith("xl/worksheets/sheet")]
    assert sheets and all(b"<f>" not in parts[n] and b"<f " not in parts[n] for n in sheets)
    wb = openpyxl.load_workbook(out)
    assert "xlwings.conf" not in wb.sheetnames and "试算" not in wb.sheetnames
    assert wb.sheetnames[:3] == ["说明", "汇总", "发放"] and "办公室" in wb.sheetnames
    assert all(ws.protection.sheet for ws in wb.worksheets)
    assert all(ws["A2"].value.startswith("报送版 · 审定 · 生成于") for ws in wb.worksheets if ws.sheet_state == "visible")
    for sheet, table in (("汇总", "tblSummary"), ("发放", "tblPayouts")):
        assert table_values(out, sheet, table) == table_values(book, sheet, table), sheet
    assert table_values(out, "办公室", "tblItems_office") == table_values(book, "办公室", "tblItems_office")
    payouts = wb["发放"]
    weird = next(c for c in payouts["A"] if c.value == "=1+1")
    assert weird.data_type == "s"  # formula-looking text stays text
    assert any(c.value == '=HYPERLINK("x")' and c.data_type == "s" for c in wb["办公室"]["M"])


def test_verify_passes_untouched_and_names_a_changed_cell(book, tmp_path):
    out = tmp_path / "报送版.xlsx"
    main(["export", str(book), "-o", str(out)])
    assert main(["verify", str(out)]) == 0
    wb = openpyxl.load_workbook(out)
    wb["发放"]["G5"] = 9999
    tampered = tmp_path / "tampered.xlsx"
    wb.save(tampered)
    assert main(["verify", str(tampered)]) == 1


def test_verify_output_names_sheet_and_cell(book, tmp_path, capsys):
    out = tmp_path / "报送版.xlsx"
    main(["export", str(book), "-o", str(out)])
    wb = openpyxl.load_workbook(out)
    wb["汇总"]["E5"] = 120
    wb.save(out)
    capsys.readouterr()
    assert main(["verify", str(out)]) == 1
    text = capsys.readouterr().out
    assert "“汇总”表被改动：E5" in text


def test_verify_unreadable_or_not_an_export_is_exit_2(book, tmp_path):
    assert main(["verify", str(tmp_path / "none.xlsx")]) == 2
    assert main(["verify", str(book)]) == 2  # a workbook, but not a 报送版


def test_email_draft_parses_and_carries_the_export(book, tmp_path):
    out = tmp_path / "报送版.xlsx"
    assert main(["export", str(book), "-o", str(out), "--email"]) == 0
    msg = email.message_from_bytes(out.with_suffix(".eml").read_bytes(), policy=email.policy.default)
    assert msg["X-Unsent"] == "1"
    assert msg["Subject"] == "〔2018年度〕目标管理考核结果（报送版·审定）"
    body = msg.get_body(("plain",)).get_content()
    assert "第1名" in body and "合计" in body and "审定" in body and "附件指纹" in body
    attachment = next(msg.iter_attachments())
    assert attachment.get_filename() == out.name
    assert attachment.get_content() == out.read_bytes()


def test_signoff_one_sheet_per_department_with_signature_lines(book, tmp_path):
    outdir = tmp_path / "签字"
    assert main(["signoff", str(book), "-o", str(outdir), "--no-pdf"]) == 0
    files = sorted(outdir.glob("*.xlsx"))
    assert len(files) == 6
    ws = openpyxl.load_workbook(outdir / "2018-办公室-签字表.xlsx")["签字表"]
    text = "\n".join(str(c.value) for row in ws.iter_rows() for c in row if c.value is not None)
    assert "分管领导（签字）：胡明" in text and "部门负责人（签字）" in text and "指纹（SHA-256）" in text
    assert "年终目标考核总分" in text and "=1+1" in text
    assert ws.page_setup.fitToWidth == 1 and str(ws.page_setup.paperSize) == ws.PAPERSIZE_A4


@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice (soffice) is not installed: PDF conversion not tested")
def test_libreoffice_converts_export_and_signoff_to_pdf(book, tmp_path):
    from xl_appraisal.export import to_pdf

    out = tmp_path / "报送版.xlsx"
    main(["export", str(book), "-o", str(out)])
    pdf = to_pdf(out, tmp_path)
    assert pdf and pdf.read_bytes().startswith(b"%PDF")
    outdir = tmp_path / "签字"
    assert main(["signoff", str(book), "-o", str(outdir)]) == 0
    pdfs = sorted(outdir.glob("*.pdf"))
    assert len(pdfs) == 6 and all(p.read_bytes().startswith(b"%PDF") for p in pdfs)


@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice (soffice) is not installed: round trip not tested")
def test_export_saved_again_by_libreoffice_still_verifies(book, tmp_path):
    """Opening and saving the 报送版 in another program changes no value, so verify still passes."""
    import subprocess

    out = tmp_path / "报送版.xlsx"
    main(["export", str(book), "-o", str(out)])
    lo = tmp_path / "lo"
    subprocess.run([shutil.which("soffice"), "--headless", f"-env:UserInstallation=file://{tmp_path}/profile",
                    "--convert-to", "xlsx", "--outdir", str(lo), str(out)], check=True, capture_output=True, timeout=180)
    assert main(["verify", str(lo / out.name)]) == 0


# verify covers what a reader sees (issue 13, item 15) ----------------------------------------------------
def _export(book: Path, tmp_path: Path) -> Path:
    out = tmp_path / "报送版.xlsx"
    assert main(["export", str(book), "-o", str(out)]) == 0
    return out


def _money_cell(wb) -> str:
    ws = wb["发放"]
    return next(c.coordinate for c in ws["H"] if isinstance(c.value, (int, float)) and c.value > 0)


def _hide_amount(wb):
    ws = wb["发放"]
    ref = _money_cell(wb)
    ws[ref].number_format = f'[={ws[ref].value}]"8,800.00";#,##0.00'  # shows another amount
    return "发放", ref


def _hide_row(wb):
    wb["发放"].row_dimensions[6].hidden = True
    return "发放", "隐藏的行"


def _hide_column(wb):
    wb["汇总"].column_dimensions["F"].hidden = True
    return "汇总", "隐藏的列"


def _white_font(wb):
    ws = wb["发放"]
    ws["J5"].font = openpyxl.styles.Font(color="FFFFFFFF")  # the explanation, white on white
    return "发放", "J5"


def _comment(wb):
    wb["汇总"]["E5"].comment = openpyxl.comments.Comment("实际按90分计", "某人")
    return "汇总", "E5"


TAMPERINGS = {"number format": _hide_amount, "hidden row": _hide_row, "hidden column": _hide_column,
              "white font": _white_font, "comment": _comment}


def test_verify_passes_an_export_saved_again_by_openpyxl(book, tmp_path):
    """The tampering tests below save with openpyxl: an untouched round trip must still verify."""
    out = _export(book, tmp_path)
    openpyxl.load_workbook(out).save(tmp_path / "again.xlsx")
    assert main(["verify", str(tmp_path / "again.xlsx")]) == 0


@pytest.mark.parametrize("tamper", list(TAMPERINGS))
def test_verify_detects_what_changes_how_the_export_reads(book, tmp_path, capsys, tamper):
    out = _export(book, tmp_path)
    wb = openpyxl.load_workbook(out)
    sheet, where = TAMPERINGS[tamper](wb)
    wb.save(out)
    capsys.readouterr()
    assert main(["verify", str(out)]) == 1
    text = capsys.readouterr().out
    assert f"“{sheet}”表被改动" in text and where in text, text


def test_verify_of_an_export_from_before_version_2_covers_values_and_says_so(book, tmp_path, capsys, monkeypatch):
    from xl_appraisal import export

    monkeypatch.setattr(export, "VERSION", 1)
    out = _export(book, tmp_path)
    monkeypatch.undo()
    capsys.readouterr()
    assert main(["verify", str(out)]) == 0
    assert "只覆盖数值" in capsys.readouterr().out


@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice (soffice) is not installed: round trip not tested")
def test_tampering_survives_a_libreoffice_resave_and_is_detected(book, tmp_path, capsys):
    """The canonical view survives a LibreOffice re-save (test above) yet changes on these tamperings."""
    import subprocess

    out = _export(book, tmp_path)
    wb = openpyxl.load_workbook(out)
    named = [fn(wb) for fn in TAMPERINGS.values()]
    tampered = tmp_path / "t" / "报送版.xlsx"
    tampered.parent.mkdir()
    wb.save(tampered)
    lo = tmp_path / "lo"
    subprocess.run([shutil.which("soffice"), "--headless", f"-env:UserInstallation=file://{tmp_path}/profile",
                    "--convert-to", "xlsx", "--outdir", str(lo), str(tampered)], check=True, capture_output=True,
                   timeout=180)
    capsys.readouterr()
    assert main(["verify", str(lo / tampered.name)]) == 1
    text = capsys.readouterr().out
    for sheet, where in named:
        assert f"“{sheet}”表被改动" in text and where in text, (where, text)


# The gate, the marks and the leadership's view (issue 14) -----------------------------------------------
@pytest.fixture
def wrong_book(tmp_path) -> Path:
    """A book with two errors: a score written in words and a negative one."""
    from test_nothing_lost import with_scores

    scores = with_scores("办公室", "1", [None, None, None, "九十"])
    scores["财务部"]["1"] = [None, None, None, -2]
    path = fill(new_book(tmp_path), tmp_path / "wrong.xlsm", staff=STAFF, scores=scores)
    assert main(["recalc", str(path)]) == 1
    return path


def test_export_and_signoff_refuse_a_book_with_errors_listing_them(wrong_book, tmp_path, capsys):
    out = tmp_path / "报送版.xlsx"
    capsys.readouterr()
    assert main(["export", str(wrong_book), "-o", str(out), "--email"]) == 1
    said = capsys.readouterr().out
    assert "校验结果" in said and "办公室" in said and "财务部" in said and "校验：2个错误" in said  # as check lists them
    assert "不能生成报送版" in said and "--draft" in said
    assert not out.exists() and not out.with_suffix(".eml").exists()
    assert main(["signoff", str(wrong_book), "-o", str(tmp_path / "签字"), "--no-pdf"]) == 1
    assert "不能生成签字表" in capsys.readouterr().out
    assert not (tmp_path / "签字").exists()


def test_draft_marks_every_page_and_the_email(wrong_book, tmp_path):
    out = tmp_path / "报送版.xlsx"
    assert main(["export", str(wrong_book), "-o", str(out), "--email", "--draft"]) == 0
    mark = "草稿（有2个错误，未经审定）"
    wb = openpyxl.load_workbook(out)
    visible = [ws for ws in wb.worksheets if ws.sheet_state == "visible"]
    assert "校验" in wb.sheetnames
    assert all(ws.oddHeader.center.text == mark and mark in ws["A2"].value for ws in visible)
    msg = email.message_from_bytes(out.with_suffix(".eml").read_bytes(), policy=email.policy.default)
    assert mark in msg["Subject"] and mark in msg.get_body(("plain",)).get_content()
    outdir = tmp_path / "签字"
    assert main(["signoff", str(wrong_book), "-o", str(outdir), "--no-pdf", "--draft"]) == 0
    sheet = openpyxl.load_workbook(outdir / "2018-办公室-签字表.xlsx")["签字表"]
    assert sheet.oddHeader.center.text == mark and mark in sheet["A2"].value


def test_provisional_results_are_allowed_and_marked_on_every_page_and_in_the_subject(tmp_path, capsys):
    from test_nothing_lost import with_scores

    path = fill(new_book(tmp_path), tmp_path / "p.xlsm", staff=STAFF,
                scores=with_scores("办公室", "1", [30, 28, None, None]))  # 办公室 item 1 not 审定 yet
    assert main(["recalc", str(path)]) == 0
    out = tmp_path / "报送版.xlsx"
    assert main(["export", str(path), "-o", str(out), "--email"]) == 0
    assert "暂定" in capsys.readouterr().out
    wb = openpyxl.load_workbook(out)
    assert all(ws.oddHeader.center.text == "暂定" for ws in wb.worksheets if ws.sheet_state == "visible")
    msg = email.message_from_bytes(out.with_suffix(".eml").read_bytes(), policy=email.policy.default)
    assert msg["Subject"] == "〔2018年度〕目标管理考核结果（报送版·暂定）"


def test_an_email_without_recipient_says_where_to_fill_it_in(book, tmp_path, capsys):
    out = tmp_path / "报送版.xlsx"
    capsys.readouterr()
    assert main(["export", str(book), "-o", str(out), "--email"]) == 0
    said = capsys.readouterr().out
    assert "参数 → 领导小组邮箱" in said
    msg = email.message_from_bytes(out.with_suffix(".eml").read_bytes(), policy=email.policy.default)
    assert msg["To"] is None


def test_export_opens_on_the_results_with_a_plain_cover(book, tmp_path):
    out = tmp_path / "报送版.xlsx"
    main(["export", str(book), "-o", str(out)])
    wb = openpyxl.load_workbook(out)
    assert wb.active.title == "汇总" and not wb["说明"].sheet_view.tabSelected
    cover = "\n".join(str(c.value) for row in wb["说明"].iter_rows() for c in row if c.value is not None)
    full = next(p.value for p in wb.custom_doc_props.props if p.name == "xl-appraisal-fingerprint")
    for words in ("这是什么", "生成时间", "状态", "审定", "共7人", "发放合计42,000.00元", full[:12]):
        assert words in cover, words
    assert full not in cover and full in wb.properties.description  # short on the page, full in the properties
    assert "SHA-256" not in cover and "下方" not in cover


def test_summary_has_the_chart_the_average_and_payouts_the_totals_row(book, tmp_path):
    """The chart reads tblSummary's cells (so it follows recalc); the averages block and 发放's totals row
    are computed with the sheet, in the workbook and in the export."""
    import pandas as pd

    parts = _parts(book)
    charts = [n for n in parts if n.startswith("xl/charts/chart")]
    assert len(charts) == 1
    chart = parts[charts[0]].decode()
    assert "'汇总'!$E$5:$E$10" in chart and "'汇总'!$I$5:$I$10" in chart and "'汇总'!$A$5:$A$10" in chart
    out = tmp_path / "报送版.xlsx"
    main(["export", str(book), "-o", str(out)])
    assert any(n.startswith("xl/charts/chart") for n in _parts(out))
    wb = openpyxl.load_workbook(book)  # the workbook: in the status lines, the cells around the tables are the user's
    assert "共7人" in wb["发放"]["A3"].value and "发放合计42,000.00元" in wb["发放"]["A3"].value
    assert "考勤津贴合计14,000.00元" in wb["发放"]["A3"].value
    summary = wb["汇总"]  # under the chart: the averages' title and tblAverages, nothing else of the program's
    c1, r1, c2, r2 = openpyxl.utils.cell.range_boundaries(summary.tables["tblAverages"].ref)
    assert not [c.value for row in summary.iter_rows(min_row=11) for c in row if c.value is not None
                and not (r1 - 1 <= c.row <= r2 and c.column <= c2)]
    assert summary.cell(r1 - 1, 1).value.startswith("奖金挂钩的平均分")
    averages = {row[0]: row for row in summary.iter_rows(min_row=r1 + 1, max_row=r2, max_col=c2, values_only=True)}
    assert averages["全部部门"][2] == pytest.approx(round(sum(r[4] for r in summary.iter_rows(
        min_row=5, max_row=10, values_only=True)) / 6, 2))
    assert averages["胡明"][3] is not None and averages["胡明"][4]  # the overseen departments
    for path in (out,):
        wb = openpyxl.load_workbook(path)
        s = wb["汇总"]
        cells = {str(c.value): c for row in s.iter_rows(min_row=11) for c in row if c.value is not None}
        assert "全部部门" in cells
        totals = [r[4] for r in s.iter_rows(min_row=5, max_row=10, values_only=True)]
        assert s.cell(cells["全部部门"].row, 3).value == pytest.approx(round(sum(totals) / 6, 2))
        assert {"吴建国", "胡明"} <= set(cells)  # the chair and a vice chair, with their linked averages
        hu = cells["胡明"].row
        assert s.cell(hu, 4).value is not None and "分管" in s.cell(hu, 5).value
        p = wb["发放"]
        assert p["A3"].value.endswith("合计（7人）") and p["H3"].value == 42000 and p["F3"].value == 14000
        frame = pd.read_excel(path, sheet_name="发放", header=3)
        assert len(frame) == 7 and not frame["姓名"].astype(str).str.contains("合计").any()


def test_ribbon_export_refuses_a_book_with_errors_with_a_chinese_alert(wrong_book, monkeypatch):
    from types import SimpleNamespace

    from xl_appraisal.excel import live, macros
    from xl_appraisal.export import default_export_path

    alerts: list[str] = []
    shown: list[str] = []

    class App:
        status_bar = ""

        def alert(self, message, title=None):
            alerts.append(message)

    class Sheet:
        def __init__(self, name):
            self.name = name

        def activate(self):
            shown.append(self.name)

    class Book:  # the parts of an xlwings Book the export button uses
        fullname = str(wrong_book)
        app = App()
        sheets = {"校验": Sheet("校验")}

        def save(self):
            pass

    monkeypatch.setattr(live.LiveTable, "find", lambda book, name: SimpleNamespace(sheet=book.sheets["校验"]))
    assert macros.export(Book()) is None
    assert alerts and alerts[0].startswith("未导出报送版：工作簿有2个错误") and "错误" in alerts[0].splitlines()[1]
    assert shown == ["校验"] and not default_export_path(wrong_book).exists()
