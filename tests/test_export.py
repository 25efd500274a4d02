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
    assert all(ws["A2"].value.startswith("报送版 · 生成于") for ws in wb.worksheets if ws.sheet_state == "visible")
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
    assert msg["Subject"] == "〔2018年度〕目标管理考核结果（报送版）"
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
    assert ws.page_setup.fitToHeight == 1 and str(ws.page_setup.paperSize) == ws.PAPERSIZE_A4


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
