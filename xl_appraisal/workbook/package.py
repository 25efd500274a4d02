"""Turn the built workbook into deterministic .xlsm bytes.

openpyxl writes the .xlsx content type and a timestamp; this step fixes the content type, pins the
timestamps and zip dates, and (when macros/ is given) adds the VBA project and the ribbon part.
"""

from __future__ import annotations

import io
import re
import tempfile
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

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


RIBBON_PART = "customUI/customUI14.xml"
RIBBON_REL_TYPE = "http://schemas.microsoft.com/office/2007/relationships/ui/extensibility"


class VbaModule(Protocol):
    name: str
    source: str
    kind: str  # "standard" or "class"


@dataclass(frozen=True)
class Macros:
    """What a macro-enabled workbook carries, handed in by the caller (the Excel side owns its contents)."""

    modules: Sequence[VbaModule]
    ribbon: bytes


def add_vba_project(data: bytes, modules: Sequence[VbaModule]) -> bytes:
    """The package with a VBA project holding the given modules (pyOpenVBA, no Excel)."""
    from pyopenvba import ExcelFile
    from pyopenvba.vba import VBAModuleKind

    with tempfile.TemporaryDirectory() as tmp:
        src, dst = Path(tmp) / "in.xlsm", Path(tmp) / "out.xlsm"
        src.write_bytes(data)
        with ExcelFile(src) as book:
            project = book.add_vba_project()
            for m in modules:
                kind = VBAModuleKind.other if m.kind == "class" else VBAModuleKind.standard
                project.add_module(m.name, m.source, kind=kind)
            book.save(dst)
        return dst.read_bytes()


def add_ribbon(parts: dict[str, bytes], ribbon: bytes) -> None:
    """customUI14.xml related from the package root (openpyxl would drop this 2007 relationship)."""
    parts[RIBBON_PART] = ribbon
    rel = f'<Relationship Id="rIdXaRibbon" Type="{RIBBON_REL_TYPE}" Target="{RIBBON_PART}"/>'.encode()
    if RIBBON_PART.encode() not in parts["_rels/.rels"]:
        parts["_rels/.rels"] = parts["_rels/.rels"].replace(b"</Relationships>", rel + b"</Relationships>")


def package(wb: Workbook, year: int, macros: Macros | None = None) -> bytes:
    """openpyxl's workbook -> .xlsm bytes (content type, VBA project, ribbon) when `macros` are given,
    else plain .xlsx bytes; pinned dates either way."""
    parts = read_parts(workbook_bytes(wb))
    if macros is not None:
        parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(XLSX_MAIN.encode(), XLSM_MAIN.encode())
        parts = read_parts(add_vba_project(rezip(parts), macros.modules))
        add_ribbon(parts, macros.ribbon)
    parts["docProps/core.xml"] = pin_timestamps(parts["docProps/core.xml"], f"{year}-01-01T00:00:00Z")
    return rezip(parts)
