"""变更记录 (issue 16): the snapshot, the change rows, tampering, LibreOffice, the ribbon.

The rules first with plain data (xl_appraisal.changelog is pure), then through real files.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest
from test_nothing_lost import FULL, STAFF
from workbooks import fill, new_book

from xl_appraisal import changelog as cl
from xl_appraisal import service, tracking
from xl_appraisal.cli import main
from xl_appraisal.workbook import contract as c
from xl_appraisal.workbook.xlsx import custom_properties

D = dt.datetime
WHEN = "2018-12-20 10:00"


# The rules, with plain data ---------------------------------------------------------------------------
def _staff(*rows):
    return cl.plain_table("人员", ("姓名", "部门", "职务"), "ABC",
                          [(5 + i, dict(zip(("姓名", "部门", "职务"), r, strict=True))) for i, r in enumerate(rows)])


def _att(*rows):
    h = ("日期", "姓名", "时段", "情况")
    return cl.plain_table("考勤", h, "ABCD", [(5 + i, dict(zip(h, r, strict=True))) for i, r in enumerate(rows)])


def _items(*rows):
    h = ("编号", "自评", "评议", "调整", "审定")
    return cl.plain_table("财务部", h, "ADEFG", [(5 + i, dict(zip(h, r, strict=True))) for i, r in enumerate(rows)])


def _changes(old, new):
    return [(ch.sheet, ch.cell, ch.item, ch.old, ch.new) for ch in cl.diff(old, new)]


def test_sorting_rows_is_no_change_and_numbers_dates_are_one_spelling():
    a = {"tblAttendance": _att((D(2018, 5, 7), "张伟", "上午", "旷工"), (dt.date(2018, 5, 8), "李华", "下午", "迟到"))}
    b = {"tblAttendance": _att((dt.date(2018, 5, 8), "李华", "下午", "迟到"), (D(2018, 5, 7), "张伟", "上午", "旷工"))}
    assert cl.diff(a, b) == []
    assert cl.diff({"tblItems_finance": _items(("1", 18, 18.0, None, "18"))},
                   {"tblItems_finance": _items(("1", 18.0, 18, None, "18"))}) == []


def test_a_sequence_of_edits_gives_exactly_the_expected_rows():
    base = {"tblStaff": _staff(("张伟", "财务部", "工作人员"), ("李华", "办公室", "工作人员")),
            "tblAttendance": _att((D(2018, 5, 7), "李华", "上午", "迟到")),
            "tblItems_finance": _items(("1", 10, 10, None, None), ("3", 20, 18, None, None))}
    edited = {"tblStaff": _staff(("李华", "办公室", "工作人员"), ("张伟强", "财务部", "工作人员")),  # sorted, then renamed
              "tblAttendance": _att((D(2018, 5, 7), "李华", "上午", "迟到"), (D(2018, 5, 7), "张伟强", "上午", "旷工")),
              "tblItems_finance": _items(("1", 10, 10, None, None), ("3", 20, 18, None, 20))}
    assert _changes(base, edited) == [
        ("人员", "A5:C5", "张伟", "张伟，财务部，工作人员", None),  # moved AND renamed: gone and new
        ("人员", "A6:C6", "张伟强", None, "张伟强，财务部，工作人员"),
        ("考勤", "A6:D6", "张伟强 2018年5月7日上午", None, "2018-05-07，张伟强，上午，旷工"),
        ("财务部", "G6", "财务部第3项审定", None, 20),
    ]
    renamed_in_place = {"tblStaff": _staff(("张伟强", "财务部", "工作人员"), ("李华", "办公室", "工作人员"))}
    assert _changes({"tblStaff": base["tblStaff"]}, renamed_in_place) == [("人员", "A5", "张伟 姓名", "张伟", "张伟强")]
    deleted = {"tblStaff": _staff(("李华", "办公室", "工作人员"))}
    assert _changes({"tblStaff": base["tblStaff"]}, deleted) == [("人员", "A5:C5", "张伟", "张伟，财务部，工作人员", None)]


def test_two_rows_of_one_half_day_stay_two_rows():
    """迟到 and 早退 in the same half-day share the key 姓名+日期+时段: reordering them is no change,
    changing one is one change."""
    one = (D(2018, 5, 7), "张伟", "上午", "迟到")
    two = (D(2018, 5, 7), "张伟", "上午", "早退")
    assert cl.diff({"tblAttendance": _att(one, two)}, {"tblAttendance": _att(two, one)}) == []
    three = (D(2018, 5, 7), "张伟", "上午", "漏签")
    assert _changes({"tblAttendance": _att(one, two)}, {"tblAttendance": _att(one, three)}) == [
        ("考勤", "D6", "张伟 2018年5月7日上午 情况", "早退", "漏签")]


def test_decided_score_changed_is_flagged_and_warned_from_the_log():
    decided = {"tblItems_finance": _items(("1", 10, 10, None, 10), ("3", 20, 18, None, 18))}
    undecided = {"tblItems_finance": _items(("1", 10, 10, None, 10), ("3", 20, 18, None, None))}
    after = {"tblItems_finance": _items(("1", 10, 10, None, 10), ("3", 20, 18, None, 20))}
    [flagged] = cl.diff(decided, after)
    assert flagged.decided and flagged.item == "财务部第3项审定"
    [plain] = cl.diff(undecided, after)
    assert not plain.decided  # the department was not 审定 yet: filling 审定 is the normal course
    rows = [dict(zip(c.CHANGES.all_headers, r, strict=True)) for r in cl.log_rows([flagged], WHEN, "张敏", "recalc")]
    [warning] = cl.decided_warnings(rows)
    assert (warning.level, warning.sheet, warning.cell) == ("warning", "财务部", "G6")
    assert "财务部第3项审定在部门审定后被修改：18 → 20" in warning.message and "张敏" in warning.message


def test_bonus_rows_match_by_item_and_order():
    h = ("加分项目", "数量", "酌定分值", "说明")

    def bonus(*rows):
        return {"tblBonus_finance": cl.plain_table("财务部", h, "JKLM",
                                                   [(5 + i, dict(zip(h, r, strict=True))) for i, r in enumerate(rows)])}

    a = bonus(("宣传报道", 2, None, "甲"), ("宣传报道", 1, None, "乙"), ("表彰", 1, None, None))
    b = bonus(("表彰", 1, None, None), ("宣传报道", 2, None, "甲"), ("宣传报道", 1, None, "乙"))
    assert cl.diff(a, b) == []
    c2 = bonus(("宣传报道", 2, None, "甲"), ("宣传报道", 3, None, "乙"), ("表彰", 1, None, None))
    assert _changes(a, c2) == [("财务部", "K6", "财务部加分“宣传报道”第2条 数量", 1, 3)]


def test_snapshot_round_trip_in_cell_sized_chunks():
    big = {"tblAttendance": _att(*[(D(2018, 1, 2) + dt.timedelta(days=i % 300), f"人员{i}", "上午", "旷工")
                                  for i in range(4000)])}
    text = cl.encode(big)
    parts = cl.chunks(text)
    assert len(parts) > 1 and all(len(p) <= cl.CHUNK for p in parts) and "".join(parts) == text
    assert cl.diff(cl.decode(text), big) == []
    for bad in ("", "{", '{"v":1,"t":{"x":[1]}}', '{"v":99,"t":{}}', "[]"):
        with pytest.raises(cl.SnapshotDamaged):
            cl.decode(bad)


def test_with_writes_applies_cells_and_appends_to_plain_tables():
    t = _att((D(2018, 5, 7), "李华", "上午", "迟到"))
    t.top, t.last = 4, 5
    after = cl.with_writes({"tblAttendance": t}, [("考勤", "D5", "早退")], [("tblAttendance", [[D(2018, 5, 8), "张伟", "下午", "旷工", "备注"]], 6)])
    assert _changes({"tblAttendance": t}, after) == [
        ("考勤", "D5", "李华 2018年5月7日上午 情况", "迟到", "早退"),
        ("考勤", "A6:D6", "张伟 2018年5月8日下午", None, "2018-05-08，张伟，下午，旷工")]
    assert t.rows[0][1][3] == "迟到"  # the input is not changed in place


# Through real files ----------------------------------------------------------------------------------
@pytest.fixture(autouse=True)
def _clock(monkeypatch):
    monkeypatch.setattr(tracking, "now", lambda: WHEN)
    monkeypatch.setattr(tracking, "os_user", lambda: "cli-user")


def _log(path: Path) -> list[tuple]:
    wb = openpyxl.load_workbook(path)
    ws = wb["变更记录"]
    ref = ws.tables["tblChanges"].ref
    last = int(ref.split(":")[1].lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
    return [r for r in ws.iter_rows(min_row=5, max_row=last, max_col=9, values_only=True) if any(v is not None for v in r)]


def _edit(path: Path, who: str, fn) -> None:
    wb = openpyxl.load_workbook(path, keep_vba=path.suffix == ".xlsm")
    fn(wb)
    wb.properties.lastModifiedBy = who
    wb.save(path)


def _book(tmp_path: Path) -> Path:
    return fill(new_book(tmp_path), tmp_path / "book.xlsx", staff=STAFF, scores=FULL,
                attendance=[[D(2018, 3, 12), "刘洋", "上午", "迟到", None]])


def test_first_recalc_is_a_baseline_then_each_edit_is_one_row(tmp_path):
    book = _book(tmp_path)
    assert main(["recalc", str(book)]) == 0
    assert _log(book) == []  # the first recalc records a baseline and no changes
    props = custom_properties(book)
    assert len(props[c.SNAPSHOT_PROP]) == 64
    wb = openpyxl.load_workbook(book)
    assert wb["变更快照"].sheet_state == "veryHidden"

    def edits(wb):
        wb["办公室"]["G5"] = 28  # 办公室第1项审定 30 -> 28, after the department was 审定
        wb["人员"]["A9"] = "刘阳"  # 刘洋 renamed in place ...
        wb["考勤"]["B5"] = "刘阳"  # ... and in his attendance row
        wb["考勤"].append([D(2018, 5, 7), "陈静", "上午", "旷工"])
        wb["考勤"].tables["tblAttendance"].ref = "A4:E6"

    _edit(book, "张敏", edits)
    assert main(["recalc", str(book)]) == 0  # warnings only
    src = "recalc"
    assert _log(book) == [
        (WHEN, "张敏", "人员", "A9", "刘洋 姓名", "刘洋", "刘阳", src, None),
        (WHEN, "张敏", "考勤", "B5", "刘洋 2018年3月12日上午 姓名", "刘洋", "刘阳", src, None),
        (WHEN, "张敏", "考勤", "A6:E6", "陈静 2018年5月7日上午", None, "2018-05-07，陈静，上午，旷工", src, None),
        (WHEN, "张敏", "办公室", "G5", "办公室第1项审定", 30, 28, src, cl.DECIDED_NOTE),
    ]
    issues = service.evaluate(book).issues
    flagged = [i for i in issues if i.sheet == "办公室" and i.cell == "G5"]
    assert len(flagged) == 1 and "在部门审定后被修改：30 → 28" in flagged[0].message

    def sort_rows(wb):  # sort 考勤 and 人员 by hand: rows move, nothing changes
        ws = wb["考勤"]
        a, b = [c.value for c in ws[5]], [c.value for c in ws[6]]
        for j, v in enumerate(b):
            ws.cell(5, j + 1).value = v  # (ws.cell(r, c, None) would leave the old value)
        for j, v in enumerate(a):
            ws.cell(6, j + 1).value = v
        people = [[c.value for c in ws_row] for ws_row in wb["人员"].iter_rows(min_row=5, max_row=10, max_col=5)]
        for i, row in enumerate(reversed(people)):
            for j, v in enumerate(row):
                wb["人员"].cell(5 + i, 1 + j).value = v

    _edit(book, "张敏", sort_rows)
    assert main(["recalc", str(book)]) == 0
    assert len(_log(book)) == 4
    assert any(i.cell == "G5" and i.sheet == "办公室" for i in service.evaluate(book).issues)  # kept from the log

    def delete_row(wb):
        ws = wb["考勤"]
        row = 5 if ws["B5"].value == "陈静" else 6
        for j in range(1, 6):
            ws.cell(row, j).value = None

    _edit(book, "", delete_row)  # nobody named in the file: the OS user
    assert main(["recalc", str(book)]) == 0
    assert _log(book)[4:] == [(WHEN, "cli-user", "考勤", _log(book)[4][3], "陈静 2018年5月7日上午",
                               "2018-05-07，陈静，上午，旷工", None, src, None)]
    before = (tmp_path / "book.xlsx").read_bytes()
    assert main(["recalc", str(book)]) == 0  # nothing changed since: nothing written
    assert (tmp_path / "book.xlsx").read_bytes() == before


def _set_snapshot(path: Path, fn) -> None:
    wb = openpyxl.load_workbook(path)
    fn(wb)
    wb.save(path)


@pytest.mark.parametrize("how", ["edit", "hash", "garbage"])
def test_tampering_with_the_hidden_snapshot_is_detected_and_reported_never_a_crash(tmp_path, how):
    book = _book(tmp_path)
    service.recalc(book)
    if how == "edit":  # someone unhides the snapshot and hides a change in it
        def fn(wb):
            ws = wb["变更快照"]
            ws["B2"] = ws["B2"].value.replace("迟到", "早退")
    elif how == "hash":
        def fn(wb):
            for p in wb.custom_doc_props.props:
                if p.name == c.SNAPSHOT_PROP:
                    p.value = "0" * 64
    else:  # not JSON at all, and a hash that matches it
        def fn(wb):
            wb["变更快照"]["B2"] = "{乱码"
            for p in wb.custom_doc_props.props:
                if p.name == c.SNAPSHOT_PROP:
                    p.value = cl.digest("{乱码")
    _set_snapshot(book, fn)
    outcome = service.recalc(book)
    [warning] = [i for i in outcome.issues if i.sheet == "变更记录"]
    assert warning.level == "warning" and "可能被改动过" in warning.message
    [row] = _log(book)
    assert row[:5] == (WHEN, "cli-user", "变更快照", None, "变更记录快照") and row[6:] == ("已按当前数据重新建立基线", "recalc", None)
    assert row[5].startswith("校验失败：")
    again = service.recalc(book)  # the new baseline verifies
    assert not [i for i in again.issues if i.sheet == "变更记录"] and len(_log(book)) == 1


def test_a_workbook_without_custom_properties_gets_them(tmp_path):
    book = _book(tmp_path)
    stripped = tmp_path / "stripped.xlsx"
    with zipfile.ZipFile(book) as zin, zipfile.ZipFile(stripped, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "docProps/custom.xml":
                continue
            if info.filename in ("_rels/.rels", "[Content_Types].xml"):
                data = data.replace(b"docProps/custom.xml", b"docProps/none.xml")
            zout.writestr(info, data)
    service.recalc(stripped)
    assert len(custom_properties(stripped)[c.SNAPSHOT_PROP]) == 64
    assert openpyxl.load_workbook(stripped).custom_doc_props.props  # a valid part, related and typed
    assert not [i for i in service.evaluate(stripped).issues if i.sheet == "变更记录"]


def test_an_older_workbook_without_the_sheet_warns_once_and_writes_no_log(tmp_path):
    book = _book(tmp_path)
    wb = openpyxl.load_workbook(book)
    del wb["变更记录"]
    del wb["变更快照"]
    wb.save(book)
    outcome = service.recalc(book)
    assert [i.message for i in outcome.issues if "变更记录" in i.message] == [
        "本工作簿没有“变更记录”表（用旧版模板建立），本次未记录变更；用 xl-appraisal new 新建的工作簿会自动记录"]
    assert outcome.result is not None and not outcome.has_errors


@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice (soffice) is not installed")
def test_the_snapshot_survives_a_libreoffice_resave(tmp_path):
    book = _book(tmp_path)
    service.recalc(book)
    out = tmp_path / "lo"
    subprocess.run([shutil.which("soffice"), "--headless", f"-env:UserInstallation=file://{tmp_path}/lo-changelog-profile",
                    "--convert-to", "xlsm", "--outdir", str(out), str(book)], check=True, capture_output=True, timeout=300)
    saved = out / "book.xlsm"
    outcome = service.recalc(saved)
    assert not [i for i in outcome.issues if i.sheet == "变更记录"]  # hash and snapshot both survived
    assert outcome.tracking.available and not outcome.tracking.baseline and outcome.tracking.changes == []
    points = int(openpyxl.load_workbook(saved)["财务部"]["C6"].value)
    _edit(saved, "张敏", lambda wb: wb["财务部"].__setitem__("D6", points - 1))
    service.recalc(saved)
    assert [r[1:7] for r in _log(saved)] == [("张敏", "财务部", "D6", "财务部第2项自评", points, points - 1)]


def test_ribbon_recalc_through_xlwings_appends_the_same_rows(tmp_path):
    """The live sink: an edited book, recalculated from the ribbon, gets the change rows and a new snapshot."""
    import xlwings as xw
    from test_excel import apply_actions, remote_json

    from xl_appraisal.excel import macros

    book = _book(tmp_path)
    service.recalc(book)
    _edit(book, "张敏", lambda wb: wb["考勤"].__setitem__("D5", "早退"))
    data = remote_json(book)
    live = xw.Book(json=data)
    outcome = macros.recalc(live)
    assert [(ch.cell, ch.item, ch.old, ch.new) for ch in outcome.tracking.changes] == [
        ("D5", "刘洋 2018年3月12日上午 情况", "迟到", "早退")]
    grids = apply_actions(data, live.json()["actions"])
    assert grids["变更记录"][4][:8] == [WHEN, "cli-user", "考勤", "D5", "刘洋 2018年3月12日上午 情况", "迟到", "早退",
                                     "recalc"]  # the remote client has no Excel user name: the OS user
    assert grids["变更记录"][4][8] in (None, "")
    snapshot = "".join(r[1] for r in grids["变更快照"][1:] if r[1])
    assert cl.decode(snapshot)["tblAttendance"].rows[0][1][3] == "早退"


class _Props:
    """Excel's CustomDocumentProperties: called with a name, Add(Name=…, LinkToContent=…, Type=…, Value=…)."""

    def __init__(self, values: dict[str, str]):
        from types import SimpleNamespace

        self.items = {k: SimpleNamespace(Value=v) for k, v in values.items()}

    def __call__(self, name):
        return self.items[name]

    def Add(self, Name, LinkToContent, Type, Value):  # noqa: N802, N803 - Excel's names
        from types import SimpleNamespace

        assert Type == 4 and LinkToContent is False  # msoPropertyTypeString
        self.items[Name] = SimpleNamespace(Value=Value)


def test_ribbon_recalc_in_windows_excel_checks_the_hash_logs_the_excel_user_and_writes_the_new_hash(tmp_path):
    """Through the COM-faithful fake: the hash is read from and written to the document's properties, the
    修改人 is Excel's UserName; a snapshot edited in the open book is caught the same way."""
    import com_fake

    from xl_appraisal.excel import macros

    book = _book(tmp_path)
    service.recalc(book)
    _edit(book, "someone", lambda wb: wb["考勤"].__setitem__("D5", "早退"))

    def open_in_excel(path):
        fake = com_fake.Book.from_file(path)
        props = _Props(custom_properties(path))
        fake.api = type("BookApi", (), {"CustomDocumentProperties": props})()
        fake.app.api.UserName = "张敏（Excel）"
        return fake, props

    fake, props = open_in_excel(book)
    outcome = macros.recalc(fake)
    assert [(ch.cell, ch.old, ch.new) for ch in outcome.tracking.changes] == [("D5", "迟到", "早退")]
    log = [r for r in com_fake.table_values(fake, "变更记录", "tblChanges")[1:] if any(r)]
    assert [r[1:8] for r in log] == [["张敏（Excel）", "考勤", "D5", "刘洋 2018年3月12日上午 情况", "迟到", "早退", "recalc"]]
    text = "".join(r[1] for r in com_fake.table_values(fake, "变更快照", "tblSnapshot")[1:] if r[1])
    assert props(c.SNAPSHOT_PROP).Value == cl.digest(text) != custom_properties(book)[c.SNAPSHOT_PROP]
    assert any("变更记录：记下1处改动" in alert for alert, _ in fake.app.alerts)

    fake, props = open_in_excel(book)  # the file again, its snapshot edited by hand in Excel
    sheet = fake.sheets["变更快照"]
    sheet.cells[(2, 2)] = sheet.cells[(2, 2)].replace("迟到", "旷工")
    outcome = macros.recalc(fake)
    assert [i.message for i in outcome.issues if i.sheet == "变更记录"][0].startswith("变更记录的快照")


def test_live_properties_through_excels_object_model():
    """Windows Excel: the hash goes into CustomDocumentProperties (added the first time), the user from UserName."""
    from types import SimpleNamespace

    from xl_appraisal.excel.live import excel_user, live_properties, set_live_property

    class Props:
        def __init__(self):
            self.items = {}

        def __call__(self, name):
            return self.items[name]

        def Add(self, Name, LinkToContent, Type, Value):  # noqa: N802, N803 - Excel's names
            assert Type == 4 and LinkToContent is False
            self.items[Name] = SimpleNamespace(Value=Value)

    props = Props()
    book = SimpleNamespace(api=SimpleNamespace(CustomDocumentProperties=props),
                           app=SimpleNamespace(api=SimpleNamespace(UserName="张敏")))
    assert live_properties(book, (c.SNAPSHOT_PROP,)) == {}
    set_live_property(book, c.SNAPSHOT_PROP, "a" * 64)
    set_live_property(book, c.SNAPSHOT_PROP, "b" * 64)
    assert live_properties(book, (c.SNAPSHOT_PROP,)) == {c.SNAPSHOT_PROP: "b" * 64}
    assert excel_user(book) == "张敏"
    assert live_properties(SimpleNamespace(), (c.SNAPSHOT_PROP,)) is None and excel_user(SimpleNamespace()) == ""


def test_collect_records_each_merged_cell_with_its_file_and_hand_edits_before_it(tmp_path):
    from test_handout import self_score

    book = _book(tmp_path)
    service.recalc(book)
    _edit(book, "张敏", lambda wb: wb["人员"].__setitem__("E10", "借调"))  # a hand edit, not yet recalculated
    assert main(["split", str(book), "-o", str(tmp_path / "h")]) == 0
    returned = self_score(tmp_path / "h" / "女工部-自评.xlsx", {"1": 27})
    assert main(["collect", str(book), str(returned)]) == 0
    assert [r[1:8] for r in _log(book)] == [
        ("张敏", "人员", "E10", "陈静 备注", None, "借调", "手工修改（collect时发现）"),
        ("张敏", "女工部", "D5", "女工部第1项自评", 30, 27, "collect：女工部-自评.xlsx"),
    ]
    service.recalc(book)
    assert len(_log(book)) == 2  # recorded once: the snapshot already holds what collect wrote


def test_import_signins_records_each_added_event_with_the_records_file(tmp_path):
    from test_signins import LEAVES, zkteco_csv

    book = fill(new_book(tmp_path), tmp_path / "book.xlsx", staff=STAFF, scores=FULL, leave=LEAVES)
    service.recalc(book)
    assert main(["import-signins", str(book), str(zkteco_csv(tmp_path / "r.csv"))]) == 0
    rows = _log(book)
    assert len(rows) == 4 and {r[7] for r in rows} == {"import-signins：r.csv"}
    assert [r[4] for r in rows][0].startswith("刘洋 2018年")
    service.recalc(book)
    assert len(_log(book)) == 4


def test_the_change_rules_are_pure():
    from test_layering import imported_modules

    bad = {"openpyxl", "xlwings", "zipfile", "lxml", "xl_appraisal.workbook", "xl_appraisal.excel"}
    found = imported_modules(Path(cl.__file__))
    assert not {m for m in found if any(m == b or m.startswith(b + ".") for b in bad)}


def test_export_with_changes_carries_the_log_and_its_fingerprint_covers_it(tmp_path):
    from xl_appraisal.export import verify

    book = _book(tmp_path)
    service.recalc(book)
    _edit(book, "张敏", lambda wb: wb["考勤"].__setitem__("D5", "早退"))
    service.recalc(book)
    plain, with_log = tmp_path / "plain.xlsx", tmp_path / "log.xlsx"
    assert main(["export", str(book), "-o", str(plain)]) == 0
    assert main(["export", str(book), "-o", str(with_log), "--changes"]) == 0
    assert "变更记录" not in openpyxl.load_workbook(plain).sheetnames
    wb = openpyxl.load_workbook(with_log)
    ws = wb["变更记录"]
    assert "tblChanges" in ws.tables
    assert [c.value for c in ws[5]][:8] == [WHEN, "张敏", "考勤", "D5", "刘洋 2018年3月12日上午 情况", "迟到", "早退", "recalc"]
    assert verify(with_log).ok
    ws["G5"] = "旷工"  # someone edits the exported log
    wb.save(with_log)
    verdict = verify(with_log)
    assert not verdict.ok and any("变更记录" in line and "G5" in line for line in verdict.changes)


def test_a_snapshot_of_the_wrong_shape_is_damaged_not_a_crash():
    good = cl.encode({"tblStaff": _staff(("张伟", "财务部", "工作人员"))})
    assert cl.decode(good)["tblStaff"].rows == [(5, ("张伟", "财务部", "工作人员"))]
    for bad in (good.replace("[5,", '["5",'), good.replace('"张伟"', '{"a":1}'), good.replace('"张伟",', ""),
                good.replace('[5,"张伟","财务部","工作人员"]', '"张伟"')):
        with pytest.raises(cl.SnapshotDamaged):
            cl.decode(bad)


def test_calendar_records_the_days_it_writes(tmp_path):
    book = _book(tmp_path)
    service.recalc(book)

    def reset(wb):
        for row in wb["日历"].iter_rows(min_row=5):
            if row[0].value and row[0].value.date() == dt.date(2018, 10, 1):
                row[1].value, row[2].value = "是", "待核对"

    _edit(book, "张敏", reset)
    assert main(["calendar", str(book)]) == 0
    rows = [r[1:8] for r in _log(book)]
    cell = rows[0][2][1:]
    assert rows == [
        ("张敏", "日历", f"B{cell}", "日历 2018年10月1日 工作日", "否", "是", "手工修改（calendar时发现）"),
        ("张敏", "日历", f"C{cell}", "日历 2018年10月1日 说明", "国庆节", "待核对", "手工修改（calendar时发现）"),
        ("张敏", "日历", f"B{cell}", "日历 2018年10月1日 工作日", "是", "否", "calendar：chinesecalendar"),
        ("张敏", "日历", f"C{cell}", "日历 2018年10月1日 说明", "待核对", "国庆节", "calendar：chinesecalendar"),
    ]
    service.recalc(book)
    assert len(_log(book)) == 4


def test_recalc_says_what_the_log_recorded(tmp_path, capsys):
    book = _book(tmp_path)
    assert main(["recalc", str(book)]) == 0
    assert "变更记录：已建立基线" in capsys.readouterr().out
    _edit(book, "张敏", lambda wb: wb["办公室"].__setitem__("G5", 28))
    assert main(["recalc", str(book)]) == 0
    assert "变更记录：记下1处改动，其中1处是部门审定后改的审定分。" in capsys.readouterr().out
    assert main(["recalc", str(book)]) == 0
    assert "变更记录：" not in capsys.readouterr().out  # nothing new: no line


def test_a_log_with_a_changed_header_is_a_warning_and_recalc_goes_on(tmp_path):
    book = _book(tmp_path)
    service.recalc(book)
    _set_snapshot(book, lambda wb: wb["变更记录"].__setitem__("A4", "日期"))
    outcome = service.recalc(book)
    [warning] = [i for i in outcome.issues if i.sheet == "变更记录"]
    assert warning.level == "warning" and warning.message.startswith("变更记录未更新：") and "tblChanges" in warning.message
    assert outcome.result is not None and not outcome.has_errors


def test_a_decided_score_cleared_says_blank_in_words():
    decided = {"tblItems_finance": _items(("1", 10, 10, None, 10), ("3", 20, 18, None, 18))}
    cleared = {"tblItems_finance": _items(("1", 10, 10, None, 10), ("3", 20, 18, None, None))}
    [change] = cl.diff(decided, cleared)
    assert change.decided and change.new is None
    rows = [dict(zip(c.CHANGES.all_headers, r, strict=True)) for r in cl.log_rows([change], WHEN, "", "recalc")]
    [warning] = cl.decided_warnings(rows)
    assert "18 → 空白（2018-12-20 10:00，见“变更记录”）" in warning.message
