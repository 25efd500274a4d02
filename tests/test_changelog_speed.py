"""变更记录's speed work (issue 16: at most +10 % on recalc) keeps behaviour identical: the snapshot's
decoding gives the same verdict and tables as the row-by-row check it replaced, the writer's control-character
filter gives the same text as the regex alone, and the snapshot's sheet part is compressed at a faster zlib
level (every other part as before) and reads back the same. Timings are in BENCHMARKS.md, never asserted."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
import zlib

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from workbooks import new_book

from xl_appraisal import changelog as cl
from xl_appraisal import service, tracking
from xl_appraisal.plan import Plan, TableWrite
from xl_appraisal.workbook import contract as c
from xl_appraisal.workbook import write
from xl_appraisal.workbook.read import read_book
from xl_appraisal.workbook.write import _CONTROL, FAST_LEVEL, _xml_safe


# decode: the checks a condition at a time over all rows = the old check row by row ---------------------
def _decode_before(text: str) -> cl.Snapshot:
    """decode as it was before the speed work (one check per row), kept here as the reference."""
    try:
        data = json.loads(text)
        if not isinstance(data, dict) or data.get("v") != cl.VERSION:
            raise cl.SnapshotDamaged("version")
        out: cl.Snapshot = {}
        for name, (sheet, headers, letters, rows) in data["t"].items():
            if len(headers) != len(letters):
                raise cl.SnapshotDamaged(name)
            width = len(headers) + 1
            if not all(type(r) is list and len(r) == width and type(r[0]) is int
                       and cl._SCALARS.issuperset(map(type, r)) for r in rows):
                raise cl.SnapshotDamaged(name)
            out[name] = cl.PlainTable(str(sheet), tuple(headers), tuple(letters), [(r[0], tuple(r[1:])) for r in rows])
        return out
    except cl.SnapshotDamaged:
        raise
    except (ValueError, TypeError, KeyError, IndexError, AttributeError) as exc:
        raise cl.SnapshotDamaged(type(exc).__name__) from exc


def _outcome(fn, text):
    try:
        return fn(text)
    except cl.SnapshotDamaged:
        return "damaged"


scalar = st.one_of(st.none(), st.booleans(), st.integers(-5, 5), st.floats(allow_nan=False), st.text(max_size=3))
cell = st.one_of(scalar, st.lists(scalar, max_size=2), st.dictionaries(st.text(max_size=1), scalar, max_size=1))
row = st.one_of(st.lists(cell, max_size=4),
                st.builds(lambda n, rest: [n, *rest], st.integers(1, 99), st.lists(scalar, min_size=1, max_size=2)),
                scalar, st.dictionaries(st.text(max_size=1), scalar, max_size=2))
rows_of_any_shape = st.one_of(st.lists(row, max_size=5), scalar, st.dictionaries(st.text(max_size=2), scalar, max_size=2))


@settings(max_examples=400, deadline=None)
@given(tables=st.lists(st.tuples(rows_of_any_shape, st.integers(0, 2)), min_size=1, max_size=3))
def test_decode_gives_the_same_verdict_and_tables_as_the_row_by_row_check(tables):
    body = {f"tbl{i}": ["人员", [f"h{k}" for k in range(width)], ["A"] * width, rows]
            for i, (rows, width) in enumerate(tables)}
    text = json.dumps({"v": cl.VERSION, "t": body}, ensure_ascii=False)
    assert _outcome(cl.decode, text) == _outcome(_decode_before, text)


def test_decode_of_a_real_snapshot_round_trips_and_each_kind_of_damage_is_caught():
    snap = {"tblAttendance": cl.plain_table("考勤", ("日期", "姓名"), "AB", [(5, {"日期": "2018-05-07", "姓名": "张伟"}),
                                                                            (6, {"日期": "2018-05-08", "姓名": 3})])}
    back = cl.decode(cl.encode(snap))["tblAttendance"]
    assert back.rows == snap["tblAttendance"].rows and back.headers == ("日期", "姓名")
    good = [[5, "a", "b"], [6, "c", None]]
    for bad in ([[5, "a"], [6, "c", None]],  # a row too short
                [[5, "a", "b"], ["6", "c", None]],  # the sheet row not an int
                [[5, "a", "b"], [True, "c", None]],  # a bool is no sheet row
                [[5, "a", ["b"]], [6, "c", None]],  # a nested value
                [[5, "a", "b"], (6, "c", None), "x"],  # not a list
                7):  # not rows at all
        text = json.dumps({"v": 1, "t": {"tblStaff": ["人员", ["x", "y"], ["A", "B"], bad]}})
        try:
            cl.decode(text)
        except cl.SnapshotDamaged:
            continue
        raise AssertionError(f"not caught: {bad!r}")
    assert cl.decode(json.dumps({"v": 1, "t": {"tblStaff": ["人员", ["x", "y"], ["A", "B"], good]}}))["tblStaff"].rows \
        == [(5, ("a", "b")), (6, ("c", None))]


# the writer's control-character filter --------------------------------------------------------------------
@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.characters(max_codepoint=0x3100), max_size=40))
def test_xml_safe_equals_the_regex_alone(text):
    assert _xml_safe(text) == _CONTROL.sub("", text)


def test_xml_safe_keeps_tabs_and_new_lines_and_drops_the_other_controls():
    assert _xml_safe("财务部\t第3项\n审定\r") == "财务部\t第3项\n审定\r"
    assert _xml_safe("a\x00b\x01c\x1fd\x0b") == "abcd"
    printable = '{"v":1,"t":{"tblStaff":["人员",["姓名"],["A"],[[5,"张伟"]]]}}'
    assert _xml_safe(printable) is printable  # returned as it is


# the snapshot part compressed at the fast level; everything else as before --------------------------------
def _snapshot_part(data: bytes) -> str:
    return write.Package.load(data).tables[c.SNAPSHOT.name][0]


def _deflated_size(data: bytes, level: int) -> int:
    z = zlib.compressobj(level, zlib.DEFLATED, -15)
    return len(z.compress(data) + z.flush())


def test_the_snapshot_sheet_is_compressed_at_the_fast_level_and_the_other_parts_as_before(tmp_path):
    book = new_book(tmp_path)
    service.recalc(book, backup=False)  # the baseline: the snapshot is written
    data = book.read_bytes()
    part = _snapshot_part(data)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        info = z.getinfo(part)
        content = z.read(part)
        assert z.testzip() is None
        assert info.compress_type == zipfile.ZIP_DEFLATED
        assert info.compress_size == _deflated_size(content, FAST_LEVEL)
        # another part this recalc wrote again (汇总's sheet): zlib's default level, as before
        summary = write.Package.load(data).tables[c.SUMMARY.name][0]
        assert z.getinfo(summary).compress_size == _deflated_size(z.read(summary), zlib.Z_DEFAULT_COMPRESSION)
    # what was stored reads back: the next recalc finds the tables unchanged (no change, no new baseline)
    again = service.evaluate_book(read_book(book))
    assert again.tracking is not None and again.tracking.available
    assert not again.tracking.baseline and again.tracking.changes == []
    assert tracking.stored(read_book(book))[0] == again.tracking.text


def test_a_package_without_levels_writes_every_changed_part_at_zlibs_default(tmp_path):
    book = new_book(tmp_path)
    data = book.read_bytes()
    pkg = write.Package.load(data)
    name = pkg.sheets["人员"]
    pkg.parts[name] = pkg.parts[name] + b"\n"
    with zipfile.ZipFile(io.BytesIO(pkg.to_bytes())) as z:
        assert z.getinfo(name).compress_size == _deflated_size(z.read(name), zlib.Z_DEFAULT_COMPRESSION)
    pkg.levels[name] = 1
    with zipfile.ZipFile(io.BytesIO(pkg.to_bytes())) as z:
        assert z.getinfo(name).compress_size == _deflated_size(z.read(name), 1)
        assert z.read(name) == pkg.parts[name]


# plain_table: column by column = cell by cell ---------------------------------------------------------------
def _plain_before(sheet, headers, letters, rows, top=0, last=0, spell=cl.canonical) -> cl.PlainTable:
    """plain_table as it was before the speed work (canonical() cell by cell), kept here as the reference."""
    headers, letters = tuple(headers), tuple(letters)
    out = []
    for row, values in rows:
        canon = tuple(spell(v) for v in map(values.get, headers))
        if canon.count(None) < len(canon):
            out.append((row, canon))
    return cl.PlainTable(sheet, headers, letters, out, top, last)


def _spelled_fresh(value):  # a date-time's spelling computed again, never from the cache
    return cl._datetime(value) if type(value) is dt.datetime else cl.canonical(value)


moments = st.datetimes(min_value=dt.datetime(1990, 1, 1), max_value=dt.datetime(2030, 12, 31))
any_value = st.one_of(st.none(), st.integers(-10**16, 10**16), st.booleans(), st.floats(), st.text(max_size=3),
                      st.sampled_from(["", " ", "\u3000", "张伟", " 上午 "]), moments,
                      moments.map(lambda m: m.replace(hour=0, minute=0, second=0, microsecond=0)),
                      st.dates(), st.times(), st.decimals(allow_nan=True, places=2))
column_kinds = [any_value, st.none(), st.integers(-5, 5), st.sampled_from(["张伟", "李华", "上午", "迟到 "]),
                moments.map(lambda m: m.replace(hour=0, minute=0, second=0, microsecond=0)), moments,
                st.one_of(st.none(), st.text(max_size=2))]


@st.composite
def tables(draw):
    width = draw(st.integers(0, 4))
    kinds = [draw(st.sampled_from(column_kinds)) for _ in range(width)]
    headers = [f"h{i}" for i in range(width)]
    rows = []
    for r in range(draw(st.integers(0, 8))):
        values = {h: draw(kind) for h, kind in zip(headers, kinds, strict=True) if draw(st.integers(0, 9))}  # keys missing
        if draw(st.booleans()):
            values["其他"] = draw(any_value)  # a column not tracked
        rows.append((5 + r, values))
    return headers, rows


@settings(max_examples=400, deadline=None)
@given(tables())
def test_plain_table_column_by_column_equals_canonical_cell_by_cell(table):
    headers, rows = table
    cl._DATES.clear()  # a fresh process: no date spelled yet
    got = cl.plain_table("考勤", headers, "ABCD"[:len(headers)], rows, 4, 20)
    want = _plain_before("考勤", headers, "ABCD"[:len(headers)], rows, 4, 20)
    assert got == want
    assert [[type(v) for v in values] for _, values in got.rows] == [[type(v) for v in values] for _, values in want.rows]
    fresh = _plain_before("考勤", headers, "ABCD"[:len(headers)], rows, 4, 20, spell=_spelled_fresh)
    assert got == fresh  # every date-time spelled as canonical spells it, not only as the cache holds it
    assert cl.plain_table("考勤", headers, "ABCD"[:len(headers)], rows, 4, 20) == want  # again, from the cache


def test_plain_table_of_a_year_shaped_table_spells_dates_and_drops_blank_rows():
    d = dt.datetime
    rows = [(5, {"日期": d(2018, 5, 7), "姓名": "张伟", "时段": "上午", "情况": "旷工", "备注": None}),
            (6, {"日期": d(2018, 5, 7, 9, 30), "姓名": "李华", "时段": "下午", "情况": "迟到", "备注": None}),
            (7, {"日期": None, "姓名": "  ", "时段": None, "情况": "", "备注": None}),  # blank: not a row
            (8, {"日期": d(2018, 5, 8), "姓名": "张伟", "时段": "上午", "情况": "漏签", "备注": 2})]
    t = cl.plain_table("考勤", ("日期", "姓名", "时段", "情况", "备注"), "ABCDE", rows)
    assert t.rows == [(5, ("\x01d2018-05-07", "张伟", "上午", "旷工", None)),
                      (6, ("\x01t2018-05-07T09:30:00", "李华", "下午", "迟到", None)),
                      (8, ("\x01d2018-05-08", "张伟", "上午", "漏签", 2))]
    # a mapping that is not a dict still works (value by value)
    from types import MappingProxyType
    assert cl.plain_table("考勤", t.headers, t.letters, [(r, MappingProxyType(v)) for r, v in rows]).rows == t.rows


# identical rows pair in C: the same rows left over as the loop it replaced -------------------------------------
def _unpaired_before(old: list[tuple], new: list[tuple]) -> tuple[list[int], list[int]]:
    """The pairing of identical rows in _match before the speed work (each new row takes the first free old
    row of the same values), kept here as the reference."""
    waiting: dict[tuple, list[int]] = {}
    for i, values in enumerate(old):
        waiting.setdefault(values, []).append(i)
    rest_new = []
    for j, values in enumerate(new):
        hit = waiting.get(values)
        if hit:
            hit.pop(0)
        else:
            rest_new.append(j)
    return sorted(i for ids in waiting.values() for i in ids), rest_new


row_values = st.tuples(st.sampled_from(["张伟", "李华", None]), st.integers(0, 40))
few_rows = st.one_of(st.lists(row_values, max_size=12),  # duplicates: row by row
                     st.lists(row_values, max_size=80, unique=True))  # distinct rows (a year's): by sets, or row by row past _FEW


@settings(max_examples=500, deadline=None)
@given(old=few_rows, new=few_rows, shuffle=st.randoms(use_true_random=False))
def test_identical_rows_leave_the_same_rows_over_as_before(old, new, shuffle):
    assert cl._unpaired(old, new) == _unpaired_before(old, new)
    edited = [(v[0], v[1] + 100) if k % 7 == 3 else v for k, v in enumerate(old)]  # a few rows edited
    assert cl._unpaired(old, edited) == _unpaired_before(old, edited)
    moved = list(old)
    shuffle.shuffle(moved)  # sorting rows: nothing left over
    assert cl._unpaired(old, moved) == ([], [])


def test_the_changes_of_a_year_are_the_same_whatever_the_order_of_its_rows():
    d = dt.datetime
    rows = [(5 + i, {"日期": d(2018, 1, 2 + i % 20), "姓名": "张伟李华"[i % 2] + "伟", "时段": "上午", "情况": "迟到"})
            for i in range(60)]
    rows += [(65, dict(rows[0][1])), (66, dict(rows[0][1]))]  # the same event three times
    h = ("日期", "姓名", "时段", "情况")
    before = {"tblAttendance": cl.plain_table("考勤", h, "ABCD", rows)}
    edited = [(r, dict(v)) for r, v in reversed(rows)]
    edited[3][1]["情况"] = "旷工"  # one edit, rows sorted the other way, one duplicate gone
    at = edited[3][0]
    del edited[0]
    after = {"tblAttendance": cl.plain_table("考勤", h, "ABCD", edited)}
    got = [(ch.cell, ch.old, ch.new) for ch in cl.diff(before, after)]
    assert len(got) == 2
    assert (f"D{at}", "迟到", "旷工") in got
    assert any(ch_new is None and "2018-01-02" in str(ch_old) for _, ch_old, ch_new in got)  # the duplicate gone


# encode table by table = json.dumps of the whole; decode_like = decode -------------------------------------------
def _encode_before(snapshot: cl.Snapshot) -> str:
    """encode as it was (one json.dumps of the whole snapshot), kept here as the reference."""
    body = {name: [t.sheet, list(t.headers), list(t.letters), [[row, *values] for row, values in t.rows]]
            for name, t in snapshot.items()}
    return json.dumps({"v": cl.VERSION, "t": body}, ensure_ascii=False, separators=(",", ":"))


plain_value = st.one_of(st.none(), st.booleans(), st.integers(-10**20, 10**20), st.floats(allow_nan=False),
                        st.text(max_size=4), st.sampled_from(["张伟", "\x01d2018-05-07", '"],[', "\\", "}}", "\u2028"]))


@st.composite
def snapshots(draw):
    out: cl.Snapshot = {}
    for name in draw(st.lists(st.sampled_from(["tblStaff", "tblAttendance", "tbl\"x", "表", "tblItems_office"]),
                              unique=True, max_size=4)):
        width = draw(st.integers(0, 3))
        rows = [(draw(st.integers(1, 50)), tuple(draw(plain_value) for _ in range(width)))
                for _ in range(draw(st.integers(0, 5)))]
        out[name] = cl.PlainTable(draw(st.sampled_from(["人员", "考勤", "a\"b"])), tuple(f"h{i}" for i in range(width)),
                                  tuple("ABC"[:width]), rows)
    return out


def _mutated(draw, snap: cl.Snapshot) -> cl.Snapshot:
    """Another snapshot near `snap`: some tables kept as they are, others edited, dropped, added or reordered."""
    out: cl.Snapshot = {}
    for name, t in snap.items():
        how = draw(st.sampled_from(["same", "same", "edit", "drop", "rows"]))
        if how == "same":
            out[name] = cl.PlainTable(t.sheet, t.headers, t.letters, list(t.rows), 3, 99)
        elif how == "edit" and t.rows:
            row, values = t.rows[0]
            out[name] = cl.PlainTable(t.sheet, t.headers, t.letters, [(row, tuple(draw(plain_value) for _ in values)),
                                                                       *t.rows[1:]])
        elif how == "rows":
            out[name] = cl.PlainTable(t.sheet, t.headers, t.letters, list(reversed(t.rows)))
    if draw(st.booleans()):
        out.update(draw(snapshots()))
    if draw(st.booleans()):
        out = dict(reversed(list(out.items())))
    return out


def _decoded(fn, *args):
    try:
        return fn(*args)
    except cl.SnapshotDamaged:
        return "damaged"


@settings(max_examples=400, deadline=None)
@given(snap=snapshots(), data=st.data())
def test_encode_table_by_table_is_the_json_of_the_whole_and_decode_like_is_decode(snap, data):
    text = cl.encode(snap)
    assert text == _encode_before(snap)
    assert cl.join(cl.encode_parts(snap)) == text
    now = _mutated(data.draw, snap)
    parts = cl.encode_parts(now)
    assert cl.decode_like(text, now, parts) == cl.decode(text)
    # stored texts that are not as encode writes them: spaces, damage, another version, cut short
    for other in (json.dumps(json.loads(text)), text[:-1], text.replace('"v":1', '"v":2'), text + " ",
                  text.replace("[[", "[[true,", 1), text[: len(text) // 2] + "}}", "{}", ""):
        assert _decoded(cl.decode_like, other, now, parts) == _decoded(cl.decode, other)


def test_decode_like_decodes_only_the_changed_tables_of_a_year(tmp_path, monkeypatch):
    book = new_book(tmp_path)
    service.recalc(book, backup=False)
    read = read_book(book)
    text = tracking.stored(read)[0]
    now = tracking.current(read)
    edited = dict(now)
    cal = now["tblCalendar"]
    assert len(cal.rows) > 300
    edited["tblCalendar"] = cl.PlainTable(cal.sheet, cal.headers, cal.letters,
                                          [(cal.rows[0][0], (*cal.rows[0][1][:-1], "改过")), *cal.rows[1:]])
    want = cl.decode(text)
    seen = []
    real = cl._table
    monkeypatch.setattr(cl, "_table", lambda name, value: seen.append(name) or real(name, value))
    got = cl.decode_like(text, edited, cl.encode_parts(edited))
    assert seen == ["tblCalendar"] and got == want  # only the changed table decoded, the same tables as decode's
    seen.clear()
    assert cl.decode_like(text, now, cl.encode_parts(now)) == want and seen == []  # nothing changed: nothing decoded
    assert cl.diff(got, edited) == cl.diff(want, edited) and len(cl.diff(got, edited)) == 1


# _rows_like: a changed table decoded between the blocks of rows found unchanged = decode -------------------------
cell_text = st.one_of(st.none(), st.integers(-3, 3), st.sampled_from(["张伟", "上午", "],[", "[1,2]", '"', "\x01d2018-05-07"]))


@st.composite
def year_and_edits(draw):
    """A stored table of many rows, and the table now: rows edited, removed, added or moved anywhere."""
    width = draw(st.integers(1, 3))
    count = draw(st.integers(0, 30))
    rows = [(5 + i, tuple(draw(cell_text) for _ in range(width))) for i in range(count)]
    now = list(rows)
    for _ in range(draw(st.integers(0, 4))):
        how = draw(st.sampled_from(["edit", "remove", "add", "move"]))
        if how == "add" or not now:
            now.insert(draw(st.integers(0, len(now))), (draw(st.integers(1, 99)), tuple(draw(cell_text) for _ in range(width))))
        elif how == "edit":
            i = draw(st.integers(0, len(now) - 1))
            now[i] = (now[i][0], tuple(draw(cell_text) for _ in range(width)))
        elif how == "remove":
            del now[draw(st.integers(0, len(now) - 1))]
        else:
            now.insert(draw(st.integers(0, len(now) - 1)), now.pop(draw(st.integers(0, len(now) - 1))))
    headers, letters = tuple(f"h{i}" for i in range(width)), tuple("ABC"[:width])
    before = {"tblStaff": cl.PlainTable("人员", ("姓名",), ("A",), [(5, ("张伟",))]),
              "tblAttendance": cl.PlainTable("考勤", headers, letters, rows)}
    after = {"tblStaff": before["tblStaff"], "tblAttendance": cl.PlainTable("考勤", headers, letters, now)}
    if draw(st.booleans()):  # the changed table last (the text's end after it)
        before, after = ({k: d[k] for k in ("tblAttendance", "tblStaff")} for d in (before, after))
    return before, after


@settings(max_examples=600, deadline=None)
@given(pair=year_and_edits(), block=st.integers(1, 5))
def test_a_changed_table_decoded_between_unchanged_blocks_is_decode(pair, block):
    before, after = pair
    text = cl.encode(before)
    parts = cl.encode_parts(after)
    saved = cl._BLOCK
    cl._BLOCK = block  # small blocks: many of them in a small table
    try:
        fast = cl._decode_like(text, after, parts)
    finally:
        cl._BLOCK = saved
    assert fast is not None  # a text encode wrote for these tables: never the fallback
    assert fast == cl.decode(text) == before
    assert cl.diff(fast, after) == cl.diff(before, after)


def test_rows_like_decodes_only_the_rows_between_blocks_found(monkeypatch):
    rows = [(5 + i, ("张伟", f"\x01d2018-01-{1 + i % 28:02d}", "上午")) for i in range(300)]
    before = {"tblAttendance": cl.PlainTable("考勤", ("姓名", "日期", "时段"), ("A", "B", "C"), rows)}
    now = list(rows)
    now[3] = (now[3][0], ("张伟", now[3][1][1], "下午"))  # rows edited at the top and at the bottom
    now[297] = (now[297][0], ("李华", now[297][1][1], "上午"))
    after = {"tblAttendance": cl.PlainTable("考勤", ("姓名", "日期", "时段"), ("A", "B", "C"), now)}
    decoded = []
    real = cl._table
    monkeypatch.setattr(cl, "_table", lambda name, value: decoded.append(len(value[3])) or real(name, value))
    got = cl.decode_like(cl.encode(before), after, cl.encode_parts(after))
    assert got == before
    assert decoded == [cl._BLOCK, 300 - 4 * cl._BLOCK]  # the two blocks with an edit, not the 300 rows
    # a text value holding "],[": rows cannot be told apart by it, the whole table is decoded (the same result)
    odd = {"tblAttendance": cl.PlainTable("考勤", ("姓名",), ("A",), [(5, ("a],[b",)), (6, ("c",))])}
    decoded.clear()
    assert cl.decode_like(cl.encode(odd), before, cl.encode_parts(before)) == odd and decoded[-1] == 2


# the snapshot table written without parsing its sheet = the table written through SheetEditor ---------------
def _apply_both(data: bytes, plan, monkeypatch) -> tuple[bytes, bytes, list[bool]]:
    """(the plan applied as recalc applies it, the plan applied with the old path only, whether the new path
    was taken for each table)."""
    taken: list[bool] = []
    rows_only = write._Applier.rows_only

    def spy(self, tw):
        taken.append(rows_only(self, tw))
        return taken[-1]

    with monkeypatch.context() as m:
        m.setattr(write._Applier, "rows_only", spy)
        fast = write.apply(data, plan)
    with monkeypatch.context() as m:
        m.setattr(write._Applier, "rows_only", lambda self, tw: False)
        slow = write.apply(data, plan)
    return fast, slow, taken


def _parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert z.testzip() is None
        return {i.filename: z.read(i.filename) for i in z.infolist()}


def _snapshot_plan(text: str, **props) -> Plan:
    return Plan(tables=[TableWrite(c.SNAPSHOT.name, [[i + 1, p] for i, p in enumerate(cl.chunks(text))])],
                properties=props)


SPECIAL = 'a&b<c>d"e\'f]]>&amp;\r\n\r\tx\x01\x0b\x1f\x7f\x85\xa0\u2028\u3000\U0001F600汉'
TEXTS = ["", "x", SPECIAL, SPECIAL * 2000, "汉" * (cl.CHUNK * 4 + 7), "<row r=\"9\"><c r=\"C9\"/></row>" * 900,
         "\x00" * 10 + "y" * cl.CHUNK]


def test_the_snapshot_sheet_written_directly_is_the_same_part_as_through_the_sheet_editor(tmp_path, monkeypatch):
    book = new_book(tmp_path)
    service.recalc(book, backup=False)  # a snapshot stored: the part holds rows written by this writer
    data = book.read_bytes()
    for text in TEXTS:  # and each from the one before: tables growing and shrinking by whole chunks
        fast, slow, taken = _apply_both(data, _snapshot_plan(text), monkeypatch)
        assert taken == [True], repr(text[:40])
        assert _parts(fast) == _parts(slow), repr(text[:40])
        assert fast == slow  # the same package, byte for byte (the same parts at the same levels)
        data = fast
        book.write_bytes(fast)
        assert tracking.stored(read_book(book))[0] == _xml_safe(text)  # the project's reader
        ws = openpyxl.load_workbook(io.BytesIO(fast))[c.SNAPSHOT_SHEET]
        assert "".join(ws.cell(r, 2).value or "" for r in range(2, ws.max_row + 1)) == _xml_safe(text)
        assert [ws.cell(r, 1).value for r in range(2, ws.max_row + 1)] == list(range(1, len(cl.chunks(text)) + 1))


@settings(max_examples=60, deadline=None)
@given(texts=st.lists(st.text(alphabet=st.sampled_from(list(SPECIAL) + ["\ud800", "\ufffe", "\uffff", "z"]), max_size=60),
                      min_size=1, max_size=3))
def test_any_text_gives_the_same_package_or_the_same_refusal_either_way(snapshot_book, texts):
    data = snapshot_book
    for text in texts:
        plan = Plan(tables=[TableWrite(c.SNAPSHOT.name, [[1, text], [2, text[:7]]])])
        with pytest.MonkeyPatch.context() as mp:
            try:
                fast, slow, _ = _apply_both(data, plan, mp)
            except (ValueError, UnicodeEncodeError) as exc:  # lxml refuses the text: so does the old path
                mp.setattr(write._Applier, "rows_only", lambda self, tw: False)
                with pytest.raises(type(exc)):
                    write.apply(data, plan)
                continue
        assert fast == slow
        data = fast


@pytest.fixture(scope="module")
def snapshot_book(tmp_path_factory) -> bytes:
    book = new_book(tmp_path_factory.mktemp("snap"))
    service.recalc(book, backup=False)
    return book.read_bytes()


def _edit_snapshot_part(data: bytes, edit) -> bytes:
    pkg = write.Package.load(data)
    part = pkg.tables[c.SNAPSHOT.name][0]
    pkg.parts[part] = edit(pkg.parts[part])
    return pkg.to_bytes()


@pytest.mark.parametrize("edit", [
    lambda x: x.replace(b"</row></sheetData>", b'<c r="C3" t="inlineStr"><is><t>typed</t></is></c></row></sheetData>'),
    lambda x: x.replace(b"</sheetData>", b'<row r="40"><c r="A40"><v>5</v></c></row></sheetData>'),
    lambda x: x.replace(b'<row r="2">', b'<row r="2" ht="30" customHeight="1">'),
    lambda x: x.replace(b"</sheetData>", b'</sheetData><mergeCells count="1"><mergeCell ref="A2:B2"/></mergeCells>'),
    lambda x: x.replace(b'<row r="2">', b'<row r="2"><!-- a comment -->'),
    lambda x: x.replace(b"<dimension ", b"<dimension  "),  # not as lxml writes it
], ids=["typed beside", "typed below", "row height", "merged", "comment", "spacing"])
def test_a_snapshot_sheet_not_as_this_writer_left_it_is_written_through_the_sheet_editor(snapshot_book, edit,
                                                                                         monkeypatch):
    data = _edit_snapshot_part(snapshot_book, edit)
    assert data != snapshot_book
    fast, slow, taken = _apply_both(data, _snapshot_plan(SPECIAL * 3000), monkeypatch)
    assert taken == [False]
    assert fast == slow
