"""Nothing lost, nothing let in: the bad-input catalogue, bad files, atomic saves, write-back fidelity,
formula injection. Each bad input: a Chinese message naming sheet and cell, exit 1, no typed value changed."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import struct
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest
from builders import POLICY
from workbooks import fill, new_book

from xl_appraisal import service
from xl_appraisal.cli import main
from xl_appraisal.errors import Unusable
from xl_appraisal.workbook import save as save_mod
from xl_appraisal.workbook.read import WorkbookUnusable, read_book

D = dt.datetime
LEADERS = [["吴建国", "领导班子", "主席", None, None], ["胡明", "领导班子", "常务副主席", "办公室、财务部", None],
           ["李华", "领导班子", "副主席", "组宣部、女工部", None], ["周强", "领导班子", "副主席", "保障部、职工服务中心", None]]
STAFF = LEADERS + [["刘洋", "办公室", "工作人员", None, None], ["陈静", "财务部", "部门负责人", None, None]]
FULL = {d.name: {i.number: [float(i.max_points), float(i.max_points), None, float(i.max_points)] for i in d.items}
        for d in POLICY.departments}


def with_scores(dept: str, number: str, stages: list) -> dict:
    scores = {k: dict(v) for k, v in FULL.items()}
    scores[dept][number] = stages
    return scores


# (case, fill kwargs, level, sheet, cell, words in the message)
CATALOGUE = [
    ("score above max", {"scores": with_scores("办公室", "1", [31, None, None, None])}, "error", "办公室", "D5", "超过该项分值30"),
    ("negative score", {"scores": with_scores("办公室", "1", [None, -1, None, None])}, "error", "办公室", "E5", "负数"),
    ("score as text", {"scores": with_scores("办公室", "2", [None, None, "优秀", None])}, "error", "办公室", "F6", "不是分数"),
    ("full-width digits accepted", {"scores": with_scores("办公室", "1", ["３０", 30, None, 30])}, "warning", "办公室", "D5", "已按30分读取"),
    ("trailing 分 accepted", {"scores": with_scores("办公室", "1", ["30分", 30, None, 30])}, "warning", "办公室", "D5", "已按30分读取"),
    ("final without earlier stages", {"scores": with_scores("办公室", "1", [None, None, None, 30])}, "warning", "办公室", "G5", "自评、评议为空"),
    ("unknown department", {"staff": STAFF + [["王五", "宣传部", "工作人员", None, None]]}, "error", "人员", "B11", "不是考核部门"),
    ("duplicate name", {"staff": STAFF + [["刘洋", "财务部", "工作人员", None, None]]}, "error", "人员", "A11", "重复"),
    ("leader without overseen", {"staff": STAFF + [["钱七", "领导班子", "副主席", None, None]]}, "error", "人员", "D11", "须填写分管部门"),
    ("overseen unknown", {"staff": STAFF + [["钱七", "领导班子", "副主席", "宣传部", None]]}, "error", "人员", "D11", "宣传部"),
    ("nobody in 人员", {"staff": []}, "error", "人员", "A5", "还没有任何人"),
    ("unknown person", {"attendance": [[D(2018, 3, 12), "王五", "上午", "旷工", None]]}, "error", "考勤", "B5", "不在人员表"),
    ("unknown approver", {"leave": [["刘洋", D(2018, 3, 12), "上午", D(2018, 3, 12), "上午", "事假", "王五", None]]},
     "error", "请假", "G5", "审批人“王五”不在人员表"),
    ("date outside year", {"attendance": [[D(2019, 1, 3), "刘洋", "上午", "旷工", None]]}, "error", "考勤", "A5", "不在考核年度"),
    ("not a date", {"attendance": [["三月十二日", "刘洋", "上午", "旷工", None]]}, "error", "考勤", "A5", "不是日期"),
    ("text date accepted", {"attendance": [["2018/3/12", "刘洋", "上午", "旷工", None]]}, "warning", "考勤", "A5", "已按2018-03-12读取"),
    ("date serial accepted", {"attendance": [[D(2018, 3, 13), "刘洋", "上午", "迟到", None], [43171, "刘洋", "上午", "旷工", None]]},
     "warning", "考勤", "A6", "已按2018-03-12读取"),
    ("non-working day", {"attendance": [[D(2018, 2, 16), "刘洋", "全天", "旷工", None]]}, "warning", "考勤", "A5", "不是工作日"),
    ("overlapping leaves", {"leave": [["刘洋", D(2018, 3, 12), "上午", D(2018, 3, 12), "下午", "事假", "胡明", None],
                                      ["刘洋", D(2018, 3, 12), "下午", D(2018, 3, 12), "下午", "病假", "胡明", None]]},
     "error", "请假", "B6", "重叠"),
    ("leave ends before it starts", {"leave": [["刘洋", D(2018, 3, 13), "上午", D(2018, 3, 12), "下午", "事假", "吴建国", None]]},
     "error", "请假", "D5", "结束早于开始"),
    ("absence inside approved leave", {"leave": [["刘洋", D(2018, 3, 12), "上午", D(2018, 3, 12), "下午", "事假", "胡明", None]],
                                       "attendance": [[D(2018, 3, 12), "刘洋", "下午", "旷工", None]]},
     "error", "考勤", "D5", "不能同时记旷工"),
    ("leave approved too low", {"leave": [["陈静", D(2018, 3, 12), "上午", D(2018, 3, 13), "下午", "事假", "胡明", None]]},
     "error", "请假", "G5", "应由主席批准"),
    ("unknown bonus kind", {"bonuses": {"office": [["国家级表彰", 1, None, "x"]]}}, "error", "办公室", "J5", "不在参数表的加分项目中"),
    ("discretionary without note", {"bonuses": {"office": [["其他创新工作", 1, 3, None]]}}, "error", "办公室", "M5", "须在说明中写明依据"),
    ("discretionary on fixed kind", {"bonuses": {"office": [["招商引资突出贡献", 1, 3, "x"]]}}, "error", "办公室", "L5", "不能填写酌定分值"),
    # blank cells are named 空白, never “None” or “”
    ("blank period", {"attendance": [[D(2018, 3, 12), "刘洋", None, "旷工", None]]}, "error", "考勤", "C5", "现为空白"),
    ("blank kind", {"attendance": [[D(2018, 3, 12), "刘洋", "上午", None, None]]}, "error", "考勤", "D5", "情况为空白"),
    ("blank role", {"staff": STAFF + [["王五", "办公室", None, None, None]]}, "error", "人员", "C11", "职务为空白"),
    ("blank leave kind", {"leave": [["刘洋", D(2018, 3, 12), "上午", D(2018, 3, 12), "上午", None, "胡明", None]]},
     "error", "请假", "F5", "请假类型为空白"),
    ("quantity not a number", {"bonuses": {"office": [["招商引资突出贡献", "一次", None, "x"]]}}, "error", "办公室", "K5", "数量“一次”"),
    ("blank discretionary points", {"bonuses": {"office": [["其他创新工作", 1, None, "x"]]}}, "error", "办公室", "L5", "现为空白"),
    # the wrong stage is named at its own cell; "no valid score yet" only where no stage is valid
    ("only the last stage wrong", {"scores": with_scores("办公室", "1", [30, 30, None, 31])}, "error", "办公室", "G5", "不取前一栏"),
    # a vice-chair's own leave needs the 常务副主席 or the 主席, whoever signed it
    ("vice-chair's own leave", {"leave": [["李华", D(2018, 3, 12), "上午", D(2018, 3, 12), "上午", "事假", "陈静", None]]},
     "error", "请假", "G5", "李华（副主席）本人的请假半天应由常务副主席或主席批准"),
]
LEAKS = ("None", "“”", '""')

INPUT_SHEETS = ["人员", "考勤", "请假", "参数", "日历", *POLICY.department_names]


def typed_values(path: Path) -> dict:
    """Every value in the sheets people type into, except the 计分 column the program owns."""
    wb = openpyxl.load_workbook(path)
    out = {}
    for name in INPUT_SHEETS:
        for row in wb[name].iter_rows():
            for cell in row:
                if name in POLICY.department_names and getattr(cell, "column_letter", "") == "N":
                    continue
                out[(name, cell.coordinate)] = cell.value
    return out


@pytest.mark.parametrize("case,kw,level,sheet,cell,words", CATALOGUE, ids=[c[0] for c in CATALOGUE])
def test_bad_input_catalogue(tmp_path, capsys, case, kw, level, sheet, cell, words):
    kw = {"staff": STAFF, "scores": FULL, **kw}
    book = fill(new_book(tmp_path), tmp_path / "book.xlsx", **kw)
    before = typed_values(book)
    code = main(["recalc", str(book)])
    out = capsys.readouterr().out
    every = service.evaluate(book).issues
    assert not [i.message for i in every if any(leak in i.message for leak in LEAKS)]  # say 空白
    found = [i for i in every if (i.level, i.sheet, i.cell) == (level, sheet, cell)]
    assert found and any(words in i.message for i in found), [i for i in service.evaluate(book).issues]
    assert code == (1 if level == "error" else 0)
    assert f"{sheet}!{cell}" in out
    assert typed_values(book) == before  # nothing the user typed changed
    wb = openpyxl.load_workbook(book)
    issues = list(wb["校验"].iter_rows(min_row=5, values_only=True))
    assert any(r[1] == sheet and r[2] == cell and words in r[3] for r in issues)


# Bad files: exit 2 and one Chinese sentence, never a traceback ------------------------------------
def _zip(path: Path, parts: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return path


def _without_table(tmp_path: Path) -> Path:
    book = new_book(tmp_path)
    wb = openpyxl.load_workbook(book)
    del wb["请假"].tables["tblLeave"]
    out = tmp_path / "no-leave.xlsx"
    wb.save(out)
    return out


def _zip_bomb(tmp_path: Path) -> Path:
    """A zip whose directory claims a 4 GB part (the size check must refuse it before inflating)."""
    path = _zip(tmp_path / "bomb.xlsx", {"xl/workbook.xml": b"<workbook/>", "xl/big.xml": b"0" * 1000})
    data = bytearray(path.read_bytes())
    cd = data.rfind(b"PK\x01\x02")  # central directory entry of the last part
    struct.pack_into("<I", data, cd + 24, 0xFFFFFFF0)  # uncompressed size field
    path.write_bytes(bytes(data))
    return path


def _xml_bomb(tmp_path: Path) -> Path:
    book = new_book(tmp_path)
    bomb = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
            b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
            b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
            b'<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">&lol3;</workbook>')
    with zipfile.ZipFile(book) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    parts["xl/workbook.xml"] = bomb
    return _zip(tmp_path / "xmlbomb.xlsx", parts)


def _text_file(p: Path) -> Path:
    (p / "notes.xlsx").write_text("hello", encoding="utf-8")
    return p / "notes.xlsx"


def _encrypted(p: Path) -> Path:
    (p / "enc.xlsx").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)  # OLE: how Office stores encrypted books
    return p / "enc.xlsx"


BAD_FILES = {
    "missing": (lambda p: p / "nope.xlsm", "找不到文件"),
    "folder": (lambda p: p, "是文件夹"),
    "not a zip": (_text_file, "不是 Excel 工作簿"),
    "zip not a workbook": (lambda p: _zip(p / "a.xlsx", {"readme.txt": b"hi"}), "不是 Excel 工作簿"),
    "encrypted": (_encrypted, "加密"),
    "missing contract table": (_without_table, "tblLeave"),
    "zip bomb": (_zip_bomb, "过大"),
    "xml bomb": (_xml_bomb, "不安全"),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
@pytest.mark.parametrize("command", ["check", "recalc"])
def test_bad_files_exit_2_with_one_sentence(tmp_path, capsys, case, command):
    make, words = BAD_FILES[case]
    path = make(tmp_path)
    before = path.read_bytes() if path.is_file() else None
    assert main([command, str(path)]) == 2
    out = capsys.readouterr()
    assert words in out.out and "Traceback" not in out.out + out.err
    assert len(out.out.strip().splitlines()) == 1
    if before is not None:
        assert path.read_bytes() == before


# Atomic saves and backups ---------------------------------------------------------------------------
def filled(tmp_path):
    return fill(new_book(tmp_path), tmp_path / "book.xlsm", staff=STAFF, scores=FULL)


def test_failing_write_leaves_the_workbook_intact(tmp_path, monkeypatch):
    book = filled(tmp_path)
    before = book.read_bytes()

    def broken_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(save_mod.os, "replace", broken_replace)
    with pytest.raises(Unusable, match="没有写入"):  # one sentence for the user, exit 2
        service.recalc(book)
    assert book.read_bytes() == before
    assert not [p for p in tmp_path.iterdir() if p.suffix == ".tmp"]


def test_failing_writer_midway_leaves_the_workbook_intact(tmp_path, monkeypatch):
    book = filled(tmp_path)
    before = book.read_bytes()
    real_fdopen = save_mod.os.fdopen

    class HalfWriter(io.RawIOBase):
        def __init__(self, fh):
            self.fh = fh

        def write(self, data):
            self.fh.write(data[: len(data) // 2])
            raise OSError("interrupted")

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.fh.close()

    monkeypatch.setattr(save_mod.os, "fdopen", lambda fd, mode: HalfWriter(real_fdopen(fd, mode)))
    with pytest.raises(Unusable, match="失败"):
        service.recalc(book)
    assert book.read_bytes() == before
    assert not [p for p in tmp_path.iterdir() if p.suffix == ".tmp"]


def test_backups_keep_the_last_five(tmp_path):
    book = filled(tmp_path)
    for _ in range(7):
        save_mod.make_backup(book)
    backups = sorted((tmp_path / "备份").iterdir())
    assert len(backups) == 6  # the newest five and the day's first (tests/test_file_identity.py)
    assert all(openpyxl.load_workbook(b)["人员"]["A5"].value == "吴建国" for b in backups)


def test_a_recalc_that_changes_nothing_writes_nothing(tmp_path):
    book = filled(tmp_path)
    service.recalc(book)  # the first run fills the computed tables: one write, one backup
    written = book.read_bytes()
    stamp = book.stat().st_mtime_ns
    for _ in range(3):
        service.recalc(book)
    assert book.read_bytes() == written and book.stat().st_mtime_ns == stamp
    assert len(list((tmp_path / "备份").iterdir())) == 1


def test_workbook_open_in_excel_gets_a_chinese_message(tmp_path, capsys):
    book = filled(tmp_path)
    (tmp_path / ("~$" + book.name)).write_bytes(b"lock")
    before = book.read_bytes()
    assert main(["recalc", str(book)]) == 2
    assert "正在 Excel 或 WPS 中打开" in capsys.readouterr().out
    assert book.read_bytes() == before


# Write-back fidelity --------------------------------------------------------------------------------
X14_DV = (b'<extLst><ext uri="{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}" '
          b'xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main">'
          b'<x14:dataValidations xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main" count="1">'
          b'<x14:dataValidation type="list" allowBlank="1"><x14:formula1><xm:f>\'\xe4\xba\xba\xe5\x91\x98\'!$A$5:$A$50</xm:f>'
          b'</x14:formula1><xm:sqref>B5:B500</xm:sqref></x14:dataValidation></x14:dataValidations></ext></extLst>')
X14_BAR = (b'<extLst><ext uri="{78C0D931-6437-407d-A8EE-F0AAD7539E65}" '
           b'xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main"><x14:conditionalFormattings>'
           b'<x14:conditionalFormatting xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main">'
           b'<x14:cfRule type="dataBar" id="{00000000-0000-0000-0000-000000000001}"><x14:dataBar minLength="0" maxLength="100">'
           b'<x14:cfvo type="autoMin"/><x14:cfvo type="autoMax"/></x14:dataBar></x14:cfRule><xm:sqref>H5:H100</xm:sqref>'
           b'</x14:conditionalFormatting></x14:conditionalFormattings></ext></extLst>')
RIBBON_REL = (b'<Relationship Id="rIdRibbon" Type="http://schemas.microsoft.com/office/2007/relationships/ui/extensibility" '
              b'Target="customUI/customUI14.xml"/>')


def _sheet_part(parts: dict, sheet: str) -> str:
    from xl_appraisal.workbook.write import Package

    return Package.load(_bytes(parts)).sheets[sheet]


def _bytes(parts: dict) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for n, d in parts.items():
            z.writestr(n, d)
    return buf.getvalue()


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def with_extensions(tmp_path: Path) -> Path:
    """A filled workbook carrying what Excel and LibreOffice write and openpyxl drops: x14 validations on an
    input sheet, an x14 data bar on a computed sheet, a 2007 ribbon part and its root relationship."""
    book = filled(tmp_path)
    parts = _parts(book)
    att, pay = _sheet_part(parts, "考勤"), _sheet_part(parts, "发放")
    parts[att] = parts[att].replace(b"</worksheet>", X14_DV + b"</worksheet>")
    parts[pay] = parts[pay].replace(b"</worksheet>", X14_BAR + b"</worksheet>")
    parts["customUI/customUI14.xml"] = b'<customUI xmlns="http://schemas.microsoft.com/office/2009/07/customui"/>'
    parts["_rels/.rels"] = parts["_rels/.rels"].replace(b"</Relationships>", RIBBON_REL + b"</Relationships>")
    out = tmp_path / "ext.xlsm"
    out.write_bytes(_bytes(parts))
    return out


def owned_parts(path: Path) -> set[str]:
    from xl_appraisal.workbook.write import Package

    pkg = Package.load(path.read_bytes())
    owned = {pkg.sheets[s] for s in ("汇总", "发放", "校验", "变更记录", "变更快照", "试算", *POLICY.department_names)}
    owned |= {pkg.tables[t][1] for t in ("tblSummary", "tblAverages", "tblPayouts", "tblIssues", "tblChanges",
                                               "tblSnapshot")}
    return owned | {"docProps/custom.xml"}  # 变更记录: the snapshot's hash; 试算: the cached values of XA_* cells


def test_recalc_changes_only_owned_parts_and_keeps_extensions(tmp_path):
    book = with_extensions(tmp_path)
    before = _parts(book)
    assert main(["recalc", str(book)]) == 0
    after = _parts(book)
    assert list(after) == list(before)  # same parts, same order
    changed = {n for n in before if before[n] != after[n]}
    assert changed and changed <= owned_parts(book)
    pay = _sheet_part(after, "发放")
    # the data bar on a computed sheet survives the cell edits (lxml may reorder namespace declarations)
    assert b'<x14:dataBar minLength="0" maxLength="100">' in after[pay] and b"<xm:sqref>H5:H100</xm:sqref>" in after[pay]
    assert after["customUI/customUI14.xml"] == before["customUI/customUI14.xml"]
    assert RIBBON_REL in after["_rels/.rels"]


def test_recalc_twice_is_stable(tmp_path):
    book = filled(tmp_path)
    service.recalc(book)
    once = _parts(book)
    service.recalc(book)
    assert _parts(book) == once


def test_shrinking_tables_clears_old_rows(tmp_path):
    book = fill(new_book(tmp_path), tmp_path / "book.xlsx", staff=STAFF, scores=FULL,
                attendance=[["bad", "王五", "上午", "旷工", None]] * 3)
    service.recalc(book)
    wb = openpyxl.load_workbook(book)
    n_issues = wb["校验"].tables["tblIssues"].ref
    assert n_issues == "A4:D7"  # header row 4 + one issue per bad row (the unknown name)
    wb["考勤"].delete_rows(5, 3)
    wb.save(book)
    service.recalc(book)
    wb = openpyxl.load_workbook(book)
    assert wb["校验"].tables["tblIssues"].ref == "A4:D5"
    assert [wb["校验"].cell(r, 1).value for r in range(6, 13)] == [None] * 7


# Formula injection ---------------------------------------------------------------------------------
def test_text_that_looks_like_a_formula_stays_text(tmp_path):
    staff = STAFF + [["=HYPERLINK(\"http://x\",\"点我\")", "办公室", "工作人员", None, None], ["+1", "办公室", "工作人员", None, None]]
    book = fill(new_book(tmp_path), tmp_path / "book.xlsx", staff=staff, scores=FULL)
    service.recalc(book)
    parts = _parts(book)
    pay = parts[_sheet_part(parts, "发放")]
    assert b"<f>" not in pay and b"<f " not in pay
    wb = openpyxl.load_workbook(book)
    names = [c.value for c in wb["发放"]["A"][4:]]
    assert '=HYPERLINK("http://x","点我")' in names and "+1" in names
    cell = next(c for c in wb["发放"]["A"][4:] if c.value == "+1")
    assert cell.data_type == "s"


# A workbook saved by LibreOffice ------------------------------------------------------------------
def test_workbook_saved_by_libreoffice_recalculates_the_same(tmp_path):
    soffice = shutil.which("soffice")
    if not soffice:
        pytest.skip("LibreOffice (soffice) is not installed: cannot make a LibreOffice-saved workbook here")
    book = fill(new_book(tmp_path), tmp_path / "book.xlsx", staff=STAFF, scores=FULL,
                attendance=[[D(2018, 3, 12), "刘洋", "全天", "旷工", None]])
    lo_dir = tmp_path / "lo"
    lo_dir.mkdir()
    subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp_path}/profile", "--convert-to", "xlsx",
                    "--outdir", str(lo_dir), str(book)], check=True, capture_output=True, timeout=180)
    saved = lo_dir / "book.xlsx"
    assert saved.exists()
    a, b = service.evaluate(book), service.evaluate(saved)
    assert service.to_json(a)["people"] == service.to_json(b)["people"]
    assert service.to_json(a)["departments"] == service.to_json(b)["departments"]
    before = _parts(saved)
    assert main(["recalc", str(saved)]) == 0
    after = _parts(saved)
    assert list(after) == list(before)
    changed = {n for n in before if before[n] != after[n]}
    assert changed and changed <= owned_parts(saved)  # LibreOffice's own parts and layout are left alone
    assert [p.total for p in service.evaluate(saved).result.people] == [p.total for p in a.result.people]


def test_read_book_names_the_step_that_failed(tmp_path):
    with pytest.raises(WorkbookUnusable, match="tblLeave"):
        read_book(_without_table(tmp_path))


def test_owned_sheets_keep_everything_but_their_cells(tmp_path):
    """Inside a computed sheet only <sheetData> and <dimension> may change: protection, freeze panes,
    print setup, header/footer, validations, conditional formats, comments' drawing, extLst stay."""
    from lxml import etree
    from openpyxl.comments import Comment

    book = filled(tmp_path)
    wb = openpyxl.load_workbook(book)
    wb["发放"]["C3"].comment = Comment("领导小组要求按部门排序", "张敏", width=300, height=120)
    wb["考勤"]["E5"].comment = Comment("备注要写清原因", "张敏")
    wb.save(book)
    before = _parts(book)
    assert main(["recalc", str(book)]) == 0
    after = _parts(book)
    comment_parts = [n for n in before if "comments" in n or n.endswith(".vml")]
    assert comment_parts and all(before[n] == after[n] for n in comment_parts)
    for sheet in ("汇总", "发放", "校验", "办公室"):
        part = _sheet_part(before, sheet)
        old, new = etree.fromstring(before[part]), etree.fromstring(after[part])
        keep = [etree.tostring(e, method="c14n") for e in old if etree.QName(e).localname not in ("sheetData", "dimension")]
        now = [etree.tostring(e, method="c14n") for e in new if etree.QName(e).localname not in ("sheetData", "dimension")]
        assert keep == now, sheet
