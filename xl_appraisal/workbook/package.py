"""Turn the built workbook into deterministic .xlsm bytes.

openpyxl writes the .xlsx content type and a timestamp; this step fixes the content type, pins the
timestamps and zip dates, and (when macros/ is given) adds the VBA project and the ribbon part.
"""

from __future__ import annotations

import io
import posixpath
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


# MS-OVBA 2.3.4.1: a writer's _VBA_PROJECT stream is Reserved1 0x61CC, Version 0xFFFF, Reserved2 0x00,
# Reserved3 0x0003 (read as `00 01 00` in xlwings' quickstart_standalone.xlsm, which Office compiles): no
# performance cache. With Version 0xFFFF Office ignores any cache and compiles the modules from their source.
VBA_PROJECT_WRITTEN = bytes.fromhex("CC61FFFF000100")


def source_only_project(bin_data: bytes) -> bytes:
    """vbaProject.bin in the form Office compiles from source (MS-OVBA 2.3.4.1, 2.3.4.2.3.2.5, 2.3.4.3):
    the 7-byte _VBA_PROJECT stream, and every module stream holding only its compressed source at offset
    0 (MODULEOFFSET 0) -- no p-code left from the blank workbook pyOpenVBA starts from."""
    from pyopenvba.cfb import CFB
    from pyopenvba.vba import compress, parse_vba_project, serialize_dir_stream

    cfb = CFB.from_bytes(bin_data)
    project = parse_vba_project(cfb)
    moved = False
    for m in project.modules:
        if m.text_offset:
            stream = cfb.get_stream_in_storage("VBA", m.stream_name)
            cfb.write_stream_in_storage("VBA", m.stream_name, stream[m.text_offset:])  # the CompressedContainer
            m.text_offset, m.prefix_bytes, moved = 0, b"", True
    if moved:
        cfb.write_stream_in_storage("VBA", "dir", compress(serialize_dir_stream(project)))
    cfb.write_stream_in_storage("VBA", "_VBA_PROJECT", VBA_PROJECT_WRITTEN)
    return cfb.to_bytes()


def source_only_package(data: bytes) -> bytes:
    """A saved package with its vbaProject.bin in the source-only form, every other part as it was."""
    from xl_appraisal.workbook.write import Package

    pkg = Package.load(data)
    pkg.parts["xl/vbaProject.bin"] = source_only_project(pkg.parts["xl/vbaProject.bin"])
    return pkg.to_bytes()


RIBBON_PART = "customUI/customUI14.xml"
RIBBON_REL_TYPE = "http://schemas.microsoft.com/office/2007/relationships/ui/extensibility"


class VbaModule(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def source(self) -> str: ...
    @property
    def kind(self) -> str: ...  # "standard" or "class"


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


# Attribute defaults of the schema (ECMA-376 part 1, CT_SheetProtection, CT_DataValidation, CT_Table):
# Excel leaves out an attribute that has its default; openpyxl writes every one.
DEFAULTS = {
    "sheetProtection": {"sheet": "0", "objects": "0", "scenarios": "0", "formatCells": "1", "formatColumns": "1",
                        "formatRows": "1", "insertColumns": "1", "insertRows": "1", "insertHyperlinks": "1",
                        "deleteColumns": "1", "deleteRows": "1", "selectLockedCells": "0", "sort": "1",
                        "autoFilter": "1", "pivotTables": "1", "selectUnlockedCells": "0"},
    "dataValidation": {"type": "none", "operator": "between", "allowBlank": "0", "showDropDown": "0",
                       "showInputMessage": "0", "showErrorMessage": "0", "errorStyle": "stop", "imeMode": "noControl"},
    "table": {"headerRowCount": "1"},
}
XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
TRUE_FALSE = {"true": "1", "false": "0"}


def _relative(part: str, target: str) -> str:
    """A relationship target as Excel writes it: relative to the part's folder."""
    if not target.startswith("/"):
        return target
    folder = posixpath.dirname(posixpath.dirname(part))  # xl/_rels/workbook.xml.rels -> xl
    return posixpath.relpath(target.lstrip("/"), folder or ".")


def excel_form(parts: dict[str, bytes]) -> None:
    """Package details the way Excel writes them (compared with XlsxWriter's output in tests/test_excel_package.py):
    no attributes at their schema default, tables with totalsRowShown="0" and explicit first/last-column
    style flags, relative relationship targets inside xl/."""
    from lxml import etree

    from xl_appraisal.workbook.ooxml import PARSER, PKG_REL_NS, q

    for name in list(parts):
        tag_defaults: dict[str, dict[str, str]] = {}
        if name.startswith("xl/worksheets/sheet") and name.endswith(".xml"):
            tag_defaults = {t: DEFAULTS[t] for t in ("sheetProtection", "dataValidation")}
        elif name.startswith("xl/tables/"):
            tag_defaults = {"table": DEFAULTS["table"]}
        elif not (name.startswith("xl/") and name.endswith(".rels")):
            continue
        root = etree.fromstring(parts[name], PARSER)
        if name.endswith(".rels"):
            for rel in root.iter(f"{{{PKG_REL_NS}}}Relationship"):
                if rel.get("TargetMode") != "External":
                    rel.set("Target", _relative(name, rel.get("Target", "")))
        for tag, defaults in tag_defaults.items():
            for el in root.iter(q(tag)):
                for key, default in defaults.items():
                    if TRUE_FALSE.get(el.get(key, ""), el.get(key)) == default:
                        del el.attrib[key]
                if tag == "table":
                    el.set("totalsRowShown", "0")
                    style = el.find(q("tableStyleInfo"))
                    if style is not None:
                        for key in ("showFirstColumn", "showLastColumn"):
                            style.set(key, style.get(key, "0"))
        parts[name] = XML_DECLARATION + etree.tostring(root, encoding="UTF-8")


def package(wb: Workbook, year: int, macros: Macros | None = None) -> bytes:
    """openpyxl's workbook -> .xlsm bytes (content type, VBA project, ribbon) when `macros` are given,
    else plain .xlsx bytes; pinned dates either way."""
    parts = read_parts(workbook_bytes(wb))
    excel_form(parts)
    if macros is not None:
        parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(XLSX_MAIN.encode(), XLSM_MAIN.encode())
        parts = read_parts(add_vba_project(rezip(parts), macros.modules))
        parts["xl/vbaProject.bin"] = source_only_project(parts["xl/vbaProject.bin"])
        add_ribbon(parts, macros.ribbon)
    parts["docProps/core.xml"] = pin_timestamps(parts["docProps/core.xml"], f"{year}-01-01T00:00:00Z")
    return rezip(parts)
