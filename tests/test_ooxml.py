"""The reader's own number-format and serial-date reading agrees with openpyxl's (which the reader no
longer imports: importing openpyxl pulls numpy and cost more than reading a year's workbook)."""

from __future__ import annotations

import subprocess
import sys

from hypothesis import given
from hypothesis import strategies as st
from openpyxl.styles.numbers import BUILTIN_FORMATS
from openpyxl.styles.numbers import is_date_format as openpyxl_is_date
from openpyxl.utils.datetime import MAC_EPOCH, WINDOWS_EPOCH
from openpyxl.utils.datetime import from_excel as openpyxl_from_excel

from xl_appraisal.workbook.ooxml import BUILTIN_DATE_FORMATS, from_excel, is_date_format

FORMAT_PIECES = ["yyyy", "m", "d", "h", "mm", "ss", "0.00", "#,##0", '"元"', '"d"', "[Red]", "[h]", "[$-804]",
                 "AM/PM", "@", ";", "_)", "\\d", "年", "月", "日", " ", "E+0", "[=5800]"]


@given(st.lists(st.sampled_from(FORMAT_PIECES), max_size=6).map("".join))
def test_date_formats_read_as_openpyxl_reads_them(code):
    assert is_date_format(code) == openpyxl_is_date(code)


def test_builtin_date_formats_are_openpyxls():
    dates = {fid for fid, code in BUILTIN_FORMATS.items() if openpyxl_is_date(code)}
    assert dates == {fid for fid in BUILTIN_DATE_FORMATS if fid in BUILTIN_FORMATS}


@given(st.floats(min_value=0, max_value=2958465, allow_nan=False), st.sampled_from([WINDOWS_EPOCH, MAC_EPOCH]))
def test_serial_dates_read_as_openpyxl_reads_them(value, epoch):
    def read(fn):
        try:
            return fn(value, epoch)
        except OverflowError:  # past year 9999: the reader keeps the number and the checks report it
            return OverflowError

    assert read(from_excel) == read(openpyxl_from_excel)


def test_reading_a_workbook_imports_neither_openpyxl_nor_numpy(tmp_path):
    from workbooks import new_book

    book = new_book(tmp_path)
    code = ("import sys; from xl_appraisal.service import evaluate; evaluate(sys.argv[1]); "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('openpyxl', 'numpy', 'pandas')))")
    out = subprocess.run([sys.executable, "-c", code, str(book)], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
