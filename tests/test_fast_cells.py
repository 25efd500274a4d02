"""The reader's fast row loop (xlsx._row_values) gives exactly what reading each cell with `_cell` gives:
numbers, dates by style, shared strings, inline strings, rich text runs, formulas with and without a
cached result, booleans, errors, empty cells, cells without a reference; and a package's tables keep
only their own columns, with the cells beside them ignored."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from xl_appraisal.engine.values import Uncomputed
from xl_appraisal.workbook.ooxml import NS, PARSER, WINDOWS_EPOCH, ref_column
from xl_appraisal.workbook.xlsx import _cell, _row_values, read_tables

STRINGS = ["共享", "李明", "  空格 "]
DATES = {1, 3}  # style indexes that show a date


def reference(row) -> dict[int, object]:
    """The per-cell reading the fast loop replaced: a regex per reference and `_cell` for every cell."""
    values, col = {}, 0
    for c in row.iterchildren(f"{{{NS}}}c"):
        ref = c.get("r")
        col = ref_column(ref) if ref else col + 1
        value = _cell(c, STRINGS, DATES, WINDOWS_EPOCH)
        if value is not None:
            values[col] = value
    return values


def row_of(cells: str):
    return etree.fromstring(f'<row xmlns="{NS}" r="5">{cells}</row>', PARSER)


def fast(row) -> dict[int, object]:
    return _row_values(row, STRINGS, DATES, WINDOWS_EPOCH, {}, {})


SHAPES = {
    "number": ('<c r="{r}"><v>17.5</v></c>', 17.5),
    "whole number with t=n": ('<c r="{r}" t="n"><v>3</v></c>', 3),
    "date by style": ('<c r="{r}" s="1"><v>43139</v></c>', dt.datetime(2018, 2, 8)),
    "time by style": ('<c r="{r}" s="3"><v>0.5</v></c>', dt.time(12)),
    "number in a date style that is no date": ('<c r="{r}" s="1"><v>1e300</v></c>', 1e300),
    "number, style not a date": ('<c r="{r}" s="2"><v>43138</v></c>', 43138),
    "shared string": ('<c r="{r}" t="s"><v>1</v></c>', "李明"),
    "shared string with spaces": ('<c r="{r}" t="s"><v>2</v></c>', "  空格 "),
    "inline string": ('<c r="{r}" t="inlineStr"><is><t>旷工</t></is></c>', "旷工"),
    "inline string, entity": ('<c r="{r}" t="inlineStr"><is><t>A&amp;B &lt;1&gt;</t></is></c>', "A&B <1>"),
    "inline string, empty t": ('<c r="{r}" t="inlineStr"><is><t/></is></c>', ""),
    "inline string, no is": ('<c r="{r}" t="inlineStr"/>', None),
    "inline rich text runs": ('<c r="{r}" t="inlineStr"><is><r><rPr><b/></rPr><t>张</t></r><r><t xml:space="preserve"> 伟</t>'
                              '</r></is></c>', "张 伟"),
    "inline string, comment inside": ('<c r="{r}" t="inlineStr"><is><t>病<!-- x -->假</t></is></c>', "病"),
    "formula with cached number": ('<c r="{r}"><f>1+1</f><v>2</v></c>', 2),
    "formula without cached value": ('<c r="{r}"><f>30*0.9-7</f></c>', Uncomputed("30*0.9-7")),
    "formula with an empty v": ('<c r="{r}"><f>A1</f><v></v></c>', Uncomputed("A1")),
    "shared formula without text": ('<c r="{r}"><f t="shared" si="0"/></c>', Uncomputed("")),
    "formula giving an empty string": ('<c r="{r}" t="str"><f>""</f><v></v></c>', None),
    "formula giving text": ('<c r="{r}" t="str"><f>A1</f><v>文字</v></c>', "文字"),
    "boolean": ('<c r="{r}" t="b"><v>1</v></c>', True),
    "error": ('<c r="{r}" t="e"><v>#N/A</v></c>', "#N/A"),
    "ISO date": ('<c r="{r}" t="d"><v>2018-02-08T00:00:00</v></c>', dt.datetime(2018, 2, 8)),
    "empty styled cell": ('<c r="{r}" s="1"/>', None),
    "empty v": ('<c r="{r}"><v/></c>', None),
    "shared string, empty v": ('<c r="{r}" t="s"><v></v></c>', None),
}


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_each_cell_shape_reads_as_cell_by_cell(shape):
    xml, expected = SHAPES[shape]
    row = row_of(xml.format(r="C5"))
    got = fast(row)
    assert got == reference(row)
    assert got == ({} if expected is None else {3: expected})
    assert all(type(v) is type(expected) for v in got.values())  # 3 stays an int, True a bool


def test_cells_without_a_reference_follow_the_previous_one():
    row = row_of('<c r="B5"><v>1</v></c><c><v>2</v></c><c t="inlineStr"/><c><v>4</v></c><c r="AA5"><v>5</v></c><c><v>6</v></c>')
    assert fast(row) == reference(row) == {2: 1, 3: 2, 5: 4, 27: 5, 28: 6}


@pytest.mark.parametrize("ref", ["c5", "A", "5", "A5 ", "A-5", "$A$5"])
def test_a_damaged_reference_is_an_error_as_before(ref):
    row = row_of(f'<c r="{ref}"><v>1</v></c>')
    with pytest.raises(ValueError):
        reference(row)
    with pytest.raises(ValueError):
        fast(row)


def test_the_column_cache_is_only_trusted_for_a_letters_and_digits_reference():
    columns: dict[str, int] = {}
    _row_values(row_of('<c r="AB5"><v>1</v></c>'), STRINGS, DATES, WINDOWS_EPOCH, columns, {})
    assert columns == {"AB": 28}
    with pytest.raises(ValueError):  # 'AB' alone is no reference even though 'AB' is cached
        _row_values(row_of('<c r="AB"><v>1</v></c>'), STRINGS, DATES, WINDOWS_EPOCH, columns, {})


def test_a_damaged_shared_string_index_is_an_error_as_before():
    row = row_of('<c r="A5" t="s"><v>9</v></c>')
    with pytest.raises(IndexError):
        fast(row)


CELL_TEXT = st.sampled_from(["1", "0", "17.5", "43138", "-3", "2", "1e300", "x", ""])


@st.composite
def cells(draw):
    out = []
    for _ in range(draw(st.integers(0, 8))):
        ref = draw(st.sampled_from(["", "A5", "B5", "E5", "Z5", "AA5"]))
        attrs = f' r="{ref}"' if ref else ""
        kind = draw(st.sampled_from([None, "n", "s", "inlineStr", "str", "b", "e"]))
        attrs += f' t="{kind}"' if kind else ""
        style = draw(st.sampled_from([None, "0", "1", "2", "3"]))
        attrs += f' s="{style}"' if style else ""
        body = draw(st.sampled_from(["", "<v>{v}</v>", "<f>A1</f>", "<f>A1</f><v>{v}</v>", "<is><t>{v}</t></is>",
                                     "<is><r><t>{v}</t></r><r><t>二</t></r></is>", "<v/>"]))
        out.append(f"<c{attrs}>{body.format(v=draw(CELL_TEXT))}</c>" if body else f"<c{attrs}/>")
    return "".join(out)


def outcome(fn, row):
    try:
        return fn(row)
    except (ValueError, IndexError, OverflowError) as exc:
        return type(exc)


@settings(max_examples=300, deadline=None)
@given(cells())
def test_any_row_reads_as_cell_by_cell(xml):
    row = row_of(xml)
    assert outcome(fast, row) == outcome(reference, row)


def package(sheet_rows: str) -> bytes:
    """A minimal package: one sheet with one table A4:B6 (a date style, shared strings), cells beside it."""
    main = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    rels = "http://schemas.openxmlformats.org/package/2006/relationships"
    parts = {
        "xl/workbook.xml": f'<workbook xmlns="{NS}" xmlns:r="{main}"><sheets><sheet name="考勤" sheetId="1" '
                           f'r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": f'<Relationships xmlns="{rels}">'
                                      f'<Relationship Id="rId1" Type="{main}/worksheet" Target="worksheets/sheet1.xml"/>'
                                      f'<Relationship Id="rId2" Type="{main}/styles" Target="styles.xml"/>'
                                      f'<Relationship Id="rId3" Type="{main}/sharedStrings" Target="sharedStrings.xml"/>'
                                      "</Relationships>",
        "xl/styles.xml": f'<styleSheet xmlns="{NS}"><cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="14"/></cellXfs>'
                         "</styleSheet>",
        "xl/sharedStrings.xml": f'<sst xmlns="{NS}"><si><t>日期</t></si><si><t>姓名</t></si>'
                                "<si><r><t>张</t></r><r><t>伟</t></r><rPh><t>ちょう</t></rPh></si></sst>",
        "xl/worksheets/sheet1.xml": f'<worksheet xmlns="{NS}"><sheetData>{sheet_rows}</sheetData></worksheet>',
        "xl/worksheets/_rels/sheet1.xml.rels": f'<Relationships xmlns="{rels}"><Relationship Id="rId1" '
                                               f'Type="{main}/table" Target="../tables/table1.xml"/></Relationships>',
        "xl/tables/table1.xml": f'<table xmlns="{NS}" id="1" name="tblAttendance" displayName="tblAttendance" '
                                'ref="A4:B6"/>',
    }
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, xml in parts.items():
            z.writestr(name, xml)
    return buf.getvalue()


def test_a_table_keeps_its_own_columns_and_ignores_the_cells_beside_it():
    rows = ('<row r="1"><c r="A1" t="inlineStr"><is><t>标题</t></is></c></row>'
            '<row r="4"><c r="A4" t="s"><v>0</v></c><c r="B4" t="s"><v>1</v></c><c r="D4" t="inlineStr"><is><t>旁注</t>'
            '</is></c></row>'
            '<row r="5"><c r="A5" s="1"><v>43138</v></c><c r="B5" t="s"><v>2</v></c><c r="C5"><v>99</v></c>'
            '<c r="D5"><f>1/0</f></c></row>'
            '<row r="6"><c r="A6" s="1"><v>43139</v></c><c r="B6"><f>B5</f></c><c r="E6" t="s"><v>0</v></c></row>')
    table = read_tables(package(rows))["tblAttendance"]
    assert table.sheet == "考勤" and table.ref == "A4:B6"
    assert table.rows == [(4, ("日期", "姓名")), (5, (dt.datetime(2018, 2, 7), "张伟")),
                          (6, (dt.datetime(2018, 2, 8), Uncomputed("B5")))]
    assert table.beyond == []


def test_rows_above_the_table_are_not_read_and_rows_typed_below_it_are():
    rows = ('<row r="2"><c r="A2" t="s"><v>7</v></c></row>'  # above the table: not read (a bad index there is harmless)
            '<row r="4"><c r="A4" t="s"><v>0</v></c><c r="B4" t="s"><v>1</v></c></row>'
            '<row r="7"><c r="B7" t="inlineStr"><is><t>李明</t></is></c></row>'
            '<row r="9"><c r="A9" s="1"><v>43140</v></c></row>')
    table = read_tables(package(rows))["tblAttendance"]
    assert table.rows == [(4, ("日期", "姓名")), (5, (None, None)), (6, (None, None)), (7, (None, "李明"))]
    assert table.beyond == [9]


def lines_before(program, text: str, width: float, size: float) -> int:
    """measure._lines as it was before its speed-up: every character's width summed one by one."""
    from xl_appraisal.measure import _TOKEN, _is_wide

    capacity = program.capacity(width)
    scale = size / 11
    lines = 0
    for paragraph in text.split("\n"):
        lines += 1
        used = 0.0
        for token in _TOKEN.findall(paragraph):
            w = sum((program.wide if _is_wide(ch) else program.narrow) * scale for ch in token)
            if used + w <= capacity or token.isspace():
                used += w
            elif w <= capacity:
                lines += 1 if used > 0 else 0
                used = w
            else:
                extra, used = divmod(used + w, capacity)
                lines += int(extra)
    return lines


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="张伟旷工（）：，。、 \n\tabcXYZ019.,:;-_/%()ＡＢ１", max_size=120),
       st.sampled_from([4, 8.5, 12, 20, 33.3, 60, 100]), st.sampled_from([9, 10, 10.5, 11, 12, 14]))
def test_row_heights_are_measured_exactly_as_before(text, width, size):
    """The measure of wrapped text (row heights of 发放, 校验 …) gives the same line counts, to the last
    floating-point bit, now that runs of ASCII are not summed character by character in a generator."""
    from xl_appraisal.measure import PROGRAMS, _lines

    for program in PROGRAMS:
        assert _lines(program, text, width, size) == lines_before(program, text, width, size)
