"""The template's package, checked against MS-OVBA and against what other writers produce, without Excel:
the VBA project is parsed with olefile and oletools' olevba (relaxed=False: any deviation from MS-OVBA's
dir-stream layout raises) and compared with xlwings' own quickstart_standalone.xlsm; the workbook parts
are compared with a reference workbook written by XlsxWriter, part by part for the parts they share."""

from __future__ import annotations

import io
import zipfile
from importlib import resources
from pathlib import Path

import olefile
import pytest
from lxml import etree

from xl_appraisal.templates import TEMPLATE_PATH, template_bytes
from xl_appraisal.workbook.package import VBA_PROJECT_WRITTEN

NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
      "ct": "http://schemas.openxmlformats.org/package/2006/content-types",
      "rel": "http://schemas.openxmlformats.org/package/2006/relationships"}
STANDALONE = Path(str(resources.files("xlwings").joinpath("quickstart_standalone.xlsm")))
SAVED_BY_EXCEL = Path(str(resources.files("xlwings").joinpath("quickstart.xlsm")))


def parts_of(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {n: z.read(n) for n in z.namelist()}


def ole_of(path: Path) -> olefile.OleFileIO:
    return olefile.OleFileIO(io.BytesIO(parts_of(path.read_bytes())["xl/vbaProject.bin"]))


def olevba_modules(ole: olefile.OleFileIO):
    from oletools.olevba import VBA_Project

    project = VBA_Project(ole, "", "PROJECT", "VBA/dir", relaxed=False)
    project.parse_project_stream()
    for _ in project.parse_modules():
        pass
    return project.modules


# 1. The VBA project in the form Office compiles from source (MS-OVBA 2.3.4.1, 2.3.4.2.3.2.5) ------------
def test_vba_project_stream_is_the_written_form_of_xlwings_standalone_workbook():
    ours = ole_of(TEMPLATE_PATH).openstream("VBA/_VBA_PROJECT").read()
    theirs = ole_of(STANDALONE).openstream("VBA/_VBA_PROJECT").read()
    assert ours == theirs == VBA_PROJECT_WRITTEN == bytes.fromhex("CC61FFFF000100")
    assert ours[:2] == b"\xcc\x61" and ours[2:4] == b"\xff\xff"  # Reserved1 0x61CC, Version 0xFFFF: no cache
    # an Excel-saved project carries its Office's version and a cache (what we must not imitate)
    saved = ole_of(SAVED_BY_EXCEL).openstream("VBA/_VBA_PROJECT").read()
    assert saved[2:4] != b"\xff\xff" and len(saved) > 7


def test_every_module_is_source_at_offset_zero_and_nothing_else():
    from oletools.olevba import decompress_stream

    ole = ole_of(TEMPLATE_PATH)
    modules = olevba_modules(ole)
    names = {m.name for m in modules}
    assert {"ThisWorkbook", "Sheet1", "xlwings", "Dictionary", "Ribbon", "xlwings_udfs"} <= names
    assert len(modules) == 4 + 1 + sum(1 for p in parts_of(TEMPLATE_PATH.read_bytes()) if p.startswith("xl/worksheets/sheet"))
    for m in modules:
        stream = ole.openstream(f"VBA/{m.streamname}").read()
        assert m.textoffset == 0, m.name  # MODULEOFFSET: no p-code before the source
        assert stream[0] == 0x01, m.name  # a CompressedContainer's signature byte, at byte 0
        source = decompress_stream(bytearray(stream)).decode("cp1252")  # the whole stream is the source
        assert source.startswith('Attribute VB_Name = "') and m.name in source.splitlines()[0]
    streams = {"/".join(s) for s in ole.listdir()}
    assert not any(s.split("/")[-1].startswith("__SRP_") for s in streams)  # no performance-cache streams
    assert streams == {"PROJECT", "PROJECTwm", "VBA/dir", "VBA/_VBA_PROJECT"} | {f"VBA/{m.streamname}" for m in modules}


def test_xlwings_standalone_workbook_is_read_the_same_way():
    """The same parser on xlwings' own file: the check is not shaped to our writer (its document modules
    keep Excel's p-code before their source, which an Excel-saved file may; ours has none to keep)."""
    ole = ole_of(STANDALONE)
    offsets = {m.name: m.textoffset for m in olevba_modules(ole)}
    assert offsets["xlwings"] == 0 and offsets["ThisWorkbook"] > 0


def test_template_vba_sizes_are_reported(capsys):
    ole = ole_of(TEMPLATE_PATH)
    sizes = {"/".join(s): ole.get_size("/".join(s)) for s in ole.listdir()}
    print({k: v for k, v in sizes.items() if not k.startswith("VBA/Sheet")})
    assert sizes["VBA/_VBA_PROJECT"] == 7
    assert all(sizes[f"VBA/Sheet{i}"] < 200 for i in range(1, 10))  # source only: ~170 bytes, not 991 with p-code


# 2. Package details as Excel writes them, against XlsxWriter ----------------------------------------------
@pytest.fixture(scope="module")
def reference() -> dict[str, bytes]:
    """The same features written by XlsxWriter (which follows Excel's own files byte for byte): a VBA
    project, code names, a table, validations by name / list / range / date, a protected sheet whose rows
    and columns may be resized, a hidden sheet, a defined name."""
    xlsxwriter = pytest.importorskip("xlsxwriter", reason="XlsxWriter (test extra) is needed for the reference")
    buf = io.BytesIO()
    bin_path = io.BytesIO(parts_of(STANDALONE.read_bytes())["xl/vbaProject.bin"])
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    wb.set_vba_name("ThisWorkbook")
    ws = wb.add_worksheet("人员")
    ws.set_vba_name("Sheet1")
    ws.add_table("A4:E5", {"name": "tblStaff", "style": "Table Style Light 1",
                           "columns": [{"header": h} for h in ("姓名", "部门", "职务", "分管部门", "备注")]})
    wb.define_name("lstStaff", "='人员'!$A$5:$A$505")
    ws.data_validation("B5:B505", {"validate": "list", "source": "=lstStaff", "error_title": "姓名", "error_message": "须是人员表中的人"})
    ws.data_validation("C5:C505", {"validate": "list", "source": ["上午", "下午", "全天"]})
    ws.data_validation("D5", {"validate": "decimal", "criteria": "between", "minimum": 0, "maximum": 30})
    ws.data_validation("E5", {"validate": "date", "criteria": "between", "minimum": "=DATE(2018,1,1)",
                              "maximum": "=DATE(2018,12,31)"})
    ws.protect("", {"format_columns": True, "format_rows": True})
    hidden = wb.add_worksheet("xlwings.conf")
    hidden.set_vba_name("Sheet2")
    hidden.hide()
    wb.add_vba_project(bin_path, is_stream=True)
    wb.close()
    return parts_of(buf.getvalue())


def _xml(data: bytes):
    return etree.fromstring(data)


def _content_types(parts: dict[str, bytes]) -> dict[str, str]:
    """part name (or *.ext) -> content type."""
    root = _xml(parts["[Content_Types].xml"])
    out = {f"*.{d.get('Extension')}": d.get("ContentType") for d in root.iterfind("ct:Default", NS)}
    out |= {o.get("PartName").lstrip("/"): o.get("ContentType") for o in root.iterfind("ct:Override", NS)}
    return out


def _rels(parts: dict[str, bytes], rels: str) -> dict[str, str]:
    """relationship target -> type (targets as written)."""
    return {r.get("Target"): r.get("Type") for r in _xml(parts[rels]).iterfind("rel:Relationship", NS)}


def _sheet_part(parts: dict[str, bytes], name: str) -> str:
    wb = _xml(parts["xl/workbook.xml"])
    rid = next(s for s in wb.iterfind("m:sheets/m:sheet", NS) if s.get("name") == name).get(
        "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id")
    rels = {r.get("Id"): r.get("Target") for r in _xml(parts["xl/_rels/workbook.xml.rels"]).iterfind("rel:Relationship", NS)}
    return "xl/" + rels[rid]


@pytest.fixture(scope="module")
def ours() -> dict[str, bytes]:
    return parts_of(template_bytes())


def test_content_types_agree_for_every_shared_kind_of_part(ours, reference):
    a, b = _content_types(ours), _content_types(reference)
    shared = ["*.bin", "*.rels", "*.xml", "xl/workbook.xml", "xl/styles.xml", "xl/theme/theme1.xml",
              "docProps/app.xml", "docProps/core.xml", "xl/worksheets/sheet1.xml", "xl/tables/table1.xml"]
    for key in shared:
        assert a[key] == b[key], key
    assert a["xl/workbook.xml"] == "application/vnd.ms-excel.sheet.macroEnabled.main+xml"


def test_relationships_have_the_same_types_and_relative_targets(ours, reference):
    a, b = _rels(ours, "xl/_rels/workbook.xml.rels"), _rels(reference, "xl/_rels/workbook.xml.rels")
    for target in ("vbaProject.bin", "styles.xml", "theme/theme1.xml", "worksheets/sheet1.xml"):
        assert a[target] == b[target], target
    staff = _sheet_part(ours, "人员")
    sheet_rels = staff.replace("worksheets/", "worksheets/_rels/") + ".rels"
    assert all(t.startswith("../tables/table") for t in _rels(ours, sheet_rels))
    assert list(_rels(reference, "xl/worksheets/_rels/sheet1.xml.rels")) == ["../tables/table1.xml"]


def test_code_names_hidden_sheet_and_defined_names_agree(ours, reference):
    for parts in (ours, reference):
        wb = _xml(parts["xl/workbook.xml"])
        assert wb.find("m:workbookPr", NS).get("codeName") == "ThisWorkbook"
        conf = next(s for s in wb.iterfind("m:sheets/m:sheet", NS) if s.get("name") == "xlwings.conf")
        assert conf.get("state") == "hidden"
        names = {d.get("name"): d.text for d in wb.iterfind("m:definedNames/m:definedName", NS)}
        assert names["lstStaff"] == "'人员'!$A$5:$A$505"
        sheet = _xml(parts[_sheet_part(parts, "人员")])
        assert sheet.find("m:sheetPr", NS).get("codeName", "").startswith("Sheet")
    wb = _xml(ours["xl/workbook.xml"])
    assert wb.find("m:workbookProtection", NS) is None  # Excel writes one only for a protected structure


def _validations(parts: dict[str, bytes]) -> list[dict]:
    out = []
    for name, data in parts.items():
        if name.startswith("xl/worksheets/sheet"):
            for dv in _xml(data).iterfind("m:dataValidations/m:dataValidation", NS):
                out.append({"sheet": name, **dv.attrib, "formula1": dv.findtext("m:formula1", None, NS),
                            "formula2": dv.findtext("m:formula2", None, NS)})
    return out


def test_validation_formulas_have_no_leading_equals_as_excel_writes_them(ours, reference):
    ref = {v["sqref"]: v for v in _validations(reference)}
    assert ref["B5:B505"]["formula1"] == "lstStaff"  # XlsxWriter strips the "=" it was given
    assert ref["E5"]["formula1"] == "DATE(2018,1,1)"
    mine = _validations(ours)
    by_name = [v for v in mine if v["formula1"] in ("lstStaff", "lstBonusKinds")]
    assert len(by_name) == 9  # 考勤 B, 请假 A and G, the six departments' 加分项目
    for v in mine:
        for f in ("formula1", "formula2"):
            assert v[f] is None or not v[f].startswith("="), v
    # the same attribute set for the same kind of rule: nothing at its schema default
    for v in mine:
        assert v.get("operator") != "between" and "showDropDown" not in v and v.get("showInputMessage") != "0", v
    assert set(ref["B5:B505"]) - {"showInputMessage"} <= set(by_name[0]) | {"sqref"}
    listed = next(v for v in mine if v["formula1"].startswith('"'))
    assert set(ref["C5:C505"]) - {"showInputMessage"} <= set(listed) | {"errorTitle", "error"}


def test_sheet_protection_as_excel_writes_it(ours, reference):
    ref = _xml(reference["xl/worksheets/sheet1.xml"]).find("m:sheetProtection", NS).attrib
    assert dict(ref) == {"sheet": "1", "objects": "1", "scenarios": "1", "formatColumns": "0", "formatRows": "0"}
    payouts = _xml(ours[_sheet_part(ours, "发放")]).find("m:sheetProtection", NS).attrib
    # Excel's Protect with its defaults (DrawingObjects, Contents, Scenarios) and rows/columns resizable
    assert dict(payouts) == dict(ref)
    summary = _xml(ours[_sheet_part(ours, "汇总")]).find("m:sheetProtection", NS).attrib
    assert dict(summary) == {"sheet": "1", "objects": "1", "scenarios": "1"}


def test_tables_have_the_attributes_excel_writes(ours, reference):
    ref = _xml(reference["xl/tables/table1.xml"])
    for name, data in ours.items():
        if name.startswith("xl/tables/"):
            table = _xml(data)
            assert set(table.attrib) == set(ref.attrib), name
            assert table.get("totalsRowShown") == ref.get("totalsRowShown") == "0"
            assert table.find("m:autoFilter", NS).get("ref") == table.get("ref")
            assert set(table.find("m:tableStyleInfo", NS).attrib) == set(ref.find("m:tableStyleInfo", NS).attrib)


def test_calculation_is_not_forced_on_load(ours):
    calc = _xml(ours["xl/workbook.xml"]).find("m:calcPr", NS)
    assert calc.get("fullCalcOnLoad") is None and calc.get("calcId") == "191029"


def test_every_xml_part_we_rewrite_has_excels_declaration(ours):
    for name, data in ours.items():
        if name.startswith(("xl/tables/", "xl/worksheets/")) and name.endswith((".xml", ".rels")):
            assert data.startswith(b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'), name


def test_sync_vba_leaves_the_project_in_the_written_form(tmp_path):
    from pyopenvba import ExcelFile
    from workbooks import new_book

    from xl_appraisal.cli import main

    book = new_book(tmp_path)
    old = tmp_path / "old.xlsm"
    with ExcelFile(book) as f:  # an older embedded xlwings: pyOpenVBA's save zeroes the cache it keeps
        f.set_module("xlwings", f.get_module("xlwings").replace('XLWINGS_VERSION As String = "', 'XLWINGS_VERSION As String = "0.0.1-'))
        f.save(old)
    assert ole_of(old).openstream("VBA/_VBA_PROJECT").read() != VBA_PROJECT_WRITTEN
    assert main(["sync-vba", str(old)]) == 0
    ole = olefile.OleFileIO(io.BytesIO(parts_of(old.read_bytes())["xl/vbaProject.bin"]))
    assert ole.openstream("VBA/_VBA_PROJECT").read() == VBA_PROJECT_WRITTEN
    assert all(m.textoffset == 0 for m in olevba_modules(ole))


def test_trial_formulas_carry_their_values_since_nothing_forces_a_calculation_on_load(ours):
    """Without fullCalcOnLoad Excel shows a formula's cached value until an input changes: the template's 试算
    cells carry the values the UDFs give (trial.py, the functions the UDFs and recalc use)."""
    from decimal import Decimal

    from xl_appraisal.policy import load_policy
    from xl_appraisal.trial import xa_allowance, xa_bonus

    wb = _xml(ours["xl/workbook.xml"])
    sheet = _xml(ours[_sheet_part(ours, "试算")])
    cells = {c.get("r"): c for c in sheet.iter(f"{{{NS['m']}}}c")}
    formulas = {r: c.findtext("m:f", None, NS) for r, c in cells.items() if c.find("m:f", NS) is not None}
    assert formulas["D4"] == "XA_BONUS(B4)" and formulas["D6"] == "XA_ALLOWANCE(B6)"
    policy = load_policy()
    b4, b6 = (Decimal(cells[r].findtext("m:v", None, NS)) for r in ("B4", "B6"))
    assert float(cells["D4"].findtext("m:v", None, NS)) == float(xa_bonus(policy, b4))
    assert float(cells["D6"].findtext("m:v", None, NS)) == float(xa_allowance(policy, b6))
    assert all(cells[r].findtext("m:v", None, NS) not in (None, "") for r in formulas)  # every XA_* cell has a value
    assert wb.find("m:calcPr", NS).get("fullCalcOnLoad") is None
