"""The writer copies the parts it did not change as they are compressed in the source (no second
compression): the package reads back with every part's content, CRC, date and attributes as the
recompressing writer gave them, whatever compressor made the source (stored, another level). Backup names are read without strptime."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xl_appraisal.workbook.save import _STAMP, STAMP_FORMAT, _stamp
from xl_appraisal.workbook.write import Package


def source(compression: int, level: int | None) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for i, (name, data) in enumerate([("[Content_Types].xml", b"<Types/>" * 50), ("xl/workbook.xml", b"<workbook/>"),
                                          ("xl/worksheets/sheet1.xml", "<c>考勤</c>".encode() * 2000),
                                          ("xl/vbaProject.bin", bytes(range(256)) * 40)]):
            info = zipfile.ZipInfo(name, date_time=(2018, 1, 1 + i, 0, 0, 0))
            info.compress_type = compression
            info.external_attr = (0o644 << 16) if i % 2 else 0
            z.writestr(info, data, compresslevel=level)
    return buf.getvalue()


def recompressed(pkg: Package) -> bytes:
    """What the writer wrote before: every part compressed again."""
    pkg.read = {}
    return pkg.to_bytes()


@pytest.mark.parametrize("compression,level", [(zipfile.ZIP_DEFLATED, None), (zipfile.ZIP_DEFLATED, 9),
                                               (zipfile.ZIP_DEFLATED, 1), (zipfile.ZIP_STORED, None)])
def test_unchanged_parts_are_copied_as_compressed_and_read_back_the_same(compression, level):
    data = source(compression, level)
    pkg = Package.load(data)
    pkg.parts["xl/workbook.xml"] = b"<workbook><changed/></workbook>"
    copied = pkg.to_bytes()
    again = Package.load(data)
    again.parts["xl/workbook.xml"] = b"<workbook><changed/></workbook>"
    reference = recompressed(again)
    with zipfile.ZipFile(io.BytesIO(copied)) as a, zipfile.ZipFile(io.BytesIO(reference)) as b, \
            zipfile.ZipFile(io.BytesIO(data)) as src:
        assert a.testzip() is None
        assert [i.filename for i in a.infolist()] == [i.filename for i in b.infolist()]
        for x, y in zip(a.infolist(), b.infolist(), strict=True):
            assert a.read(x) == b.read(y)
            for attr in ("date_time", "compress_type", "external_attr", "CRC", "file_size", "flag_bits",
                         "create_system", "extra", "comment"):
                assert getattr(x, attr) == getattr(y, attr), (x.filename, attr)
        sheet = a.getinfo("xl/worksheets/sheet1.xml")
        assert sheet.compress_size == src.getinfo("xl/worksheets/sheet1.xml").compress_size  # copied, not redone
        assert a.read("xl/workbook.xml") == b"<workbook><changed/></workbook>"


def test_a_part_replaced_by_equal_bytes_is_written_again_not_copied():
    data = source(zipfile.ZIP_DEFLATED, 9)
    pkg = Package.load(data)
    pkg.parts["xl/worksheets/sheet1.xml"] = bytes(bytearray(pkg.parts["xl/worksheets/sheet1.xml"]))  # new object
    assert pkg._compressed("xl/worksheets/sheet1.xml", pkg.parts["xl/worksheets/sheet1.xml"]) is None
    assert pkg._compressed("xl/vbaProject.bin", pkg.parts["xl/vbaProject.bin"]) is not None
    with zipfile.ZipFile(io.BytesIO(pkg.to_bytes())) as z:
        assert z.testzip() is None


def test_a_recalculated_workbook_opens_in_openpyxl_with_its_vba(tmp_path):
    import openpyxl
    from workbooks import new_book

    from xl_appraisal.service import recalc

    book = new_book(tmp_path)
    out = tmp_path / "out.xlsm"
    recalc(book, out)
    with zipfile.ZipFile(out) as z, zipfile.ZipFile(book) as src:
        assert z.testzip() is None
        assert z.read("xl/vbaProject.bin") == src.read("xl/vbaProject.bin")
    wb = openpyxl.load_workbook(out, keep_vba=True)
    assert wb.vba_archive is not None and "汇总" in wb.sheetnames


@settings(max_examples=500, deadline=None)
@given(st.from_regex(r"\A[0-9]{8}-[0-9]{6}-[0-9]{6}\Z") | st.datetimes(min_value=dt.datetime(1000, 1, 1)).map(
    lambda d: d.strftime(STAMP_FORMAT)))
def test_backup_stamps_read_as_strptime_reads_them(text):
    """Backup names are read without strptime (whose first use imports _strptime and locale on every save)."""
    def read(fn):
        try:
            return fn(text)
        except ValueError:
            return ValueError

    assert re.fullmatch(_STAMP, text)
    assert read(_stamp) == read(lambda t: dt.datetime.strptime(t, STAMP_FORMAT))
