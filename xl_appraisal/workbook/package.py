"""Turn the built workbook into deterministic .xlsm bytes.

openpyxl writes the .xlsx content type and a timestamp; this step fixes the content type, pins the
timestamps and zip dates, and (when macros/ is given) adds the VBA project and the ribbon part.
"""

from __future__ import annotations

import io
import re
import zipfile

from openpyxl import Workbook

XLSX_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
XLSM_MAIN = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
ZIP_DATE = (2018, 1, 1, 0, 0, 0)


def workbook_bytes(wb: Workbook) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def rezip(parts: dict[str, bytes]) -> bytes:
    """A zip with fixed dates and the parts in the given order: same input, same bytes."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            z.writestr(info, data)
    return buf.getvalue()


def read_parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {n: z.read(n) for n in z.namelist()}


def pin_timestamps(core_xml: bytes, stamp: str) -> bytes:
    text = core_xml.decode("utf-8")
    text = re.sub(r"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)", rf"\g<1>{stamp}\g<3>", text)
    return text.encode("utf-8")


def package(wb: Workbook, year: int, macro_enabled: bool = True) -> bytes:
    parts = read_parts(workbook_bytes(wb))
    parts["docProps/core.xml"] = pin_timestamps(parts["docProps/core.xml"], f"{year}-01-01T00:00:00Z")
    if macro_enabled:
        parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(XLSX_MAIN.encode(), XLSM_MAIN.encode())
    return rezip(parts)
