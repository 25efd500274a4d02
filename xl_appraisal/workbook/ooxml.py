"""The package format both the reader and the writer use: namespaces, the safe XML parser, cell
references, relationships, and where sheets and tables live. Nothing here reads or writes a file.
"""

from __future__ import annotations

import datetime as dt
import posixpath
import re
from collections.abc import Callable

from lxml import etree

from xl_appraisal.cellref import col_index, col_letters  # noqa: F401 - the package format's refs

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
PARSER = etree.XMLParser(resolve_entities=False, no_network=True, remove_blank_text=False, huge_tree=False)
REF = re.compile(r"^([A-Z]+)(\d+)$")
Reader = Callable[[str], "bytes | None"]  # a package part's bytes by name, None when it is absent
EXCEL_EPOCH = dt.datetime(1899, 12, 30)


def q(tag: str) -> str:
    return f"{{{NS}}}{tag}"


def ref_column(ref: str) -> int:
    """The column number of a cell reference ('C7' -> 3); ValueError for anything else."""
    m = REF.match(ref)
    if m is None:
        raise ValueError(ref)
    return col_index(m[1])


def split_ref(ref: str) -> tuple[int, int, int, int]:
    """'A4:J10' or '$A$4:$J$10' -> (min_col, min_row, max_col, max_row)."""
    a, _, b = ref.replace("$", "").partition(":")
    b = b or a
    ma, mb = REF.match(a), REF.match(b)
    if not ma or not mb:
        raise ValueError(ref)
    return col_index(ma[1]), int(ma[2]), col_index(mb[1]), int(mb[2])


def relationships(read: Reader, part: str) -> dict[str, tuple[str, str]]:
    """A part's relationships: id -> (type, target part path)."""
    folder, name = posixpath.split(part)
    data = read(posixpath.join(folder, "_rels", name + ".rels"))
    if data is None:
        return {}
    out = {}
    for rel in etree.fromstring(data, PARSER).iter(f"{{{PKG_REL_NS}}}Relationship"):
        target = rel.get("Target", "")
        path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
        out[rel.get("Id")] = (rel.get("Type", ""), path)
    return out


def sheet_parts(read: Reader) -> list[tuple[str, str]]:
    """(sheet name, worksheet part) in workbook order."""
    workbook = etree.fromstring(read("xl/workbook.xml"), PARSER)
    rels = relationships(read, "xl/workbook.xml")
    out = []
    for sheet in workbook.iter(q("sheet")):
        part = rels.get(sheet.get(f"{{{REL_NS}}}id"), ("", ""))[1]
        if part:
            out.append((sheet.get("name"), part))
    return out


def table_parts(read: Reader, sheet_part: str) -> list[tuple[str, str, str, int]]:
    """(table name, table part, ref, totals rows) of every Excel table on a worksheet."""
    out = []
    for kind, target in relationships(read, sheet_part).values():
        data = read(target) if kind.endswith("/table") else None
        if data is not None:
            table = etree.fromstring(data, PARSER)
            out.append((table.get("displayName") or table.get("name"), target, table.get("ref"),
                        int(table.get("totalsRowCount") or 0)))
    return out


# Number formats and serial dates (ECMA-376 §18.8.30-31), as openpyxl reads them, without importing
# openpyxl (its import pulls numpy and costs more than reading a year's workbook).
BUILTIN_DATE_FORMATS = frozenset({*range(14, 23), 45, 46, 47, *range(27, 37), *range(50, 59)})  # 27-36, 50-58: CJK
WINDOWS_EPOCH = dt.datetime(1899, 12, 30)
MAC_EPOCH = dt.datetime(1904, 1, 1)
_LITERAL_OR_LOCALE = re.compile(r'".*?"|\[(?!hh?\]|mm?\]|ss?\])[^\]]*\]')
_DATE_PART = re.compile(r"(?<![_\\])[dmhysDMHYS]")


def is_date_format(code: str | None) -> bool:
    """A number format that shows a date or time (the first section, ignoring literals and [locale] parts)."""
    if not code:
        return False
    return _DATE_PART.search(_LITERAL_OR_LOCALE.sub("", code.split(";")[0])) is not None


def is_date_style(format_id: int, custom: dict[int, str]) -> bool:
    return is_date_format(custom[format_id]) if format_id in custom else format_id in BUILTIN_DATE_FORMATS


def from_excel(value: float, epoch: dt.datetime = WINDOWS_EPOCH) -> dt.datetime | dt.time:
    """An Excel serial as a datetime (a time for a fraction of a day), to the millisecond; 1900's leap-year
    bug kept as Excel has it (serials below 60 are one day later)."""
    day, fraction = divmod(value, 1)
    diff = dt.timedelta(milliseconds=round(fraction * 86400 * 1000))
    if 0 <= value < 1 and diff.days == 0:
        minutes, seconds = divmod(diff.seconds, 60)
        hours, minutes = divmod(minutes, 60)
        return dt.time(hours, minutes, seconds, diff.microseconds)
    if 0 < value < 60 and epoch == WINDOWS_EPOCH:
        day += 1
    return epoch + dt.timedelta(days=day) + diff
