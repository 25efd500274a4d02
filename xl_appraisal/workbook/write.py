"""Write the computed tables back by editing only the XML parts that hold them.

Why not openpyxl load+save: it drops x14 extensions (cross-sheet validations, data bars), the 2007
ribbon relationship and anything else it does not model. Here every part we do not own is copied
byte for byte; in the parts we own (a computed sheet, a table definition) only the owned cells and
the table's size change. Strings are written inline, so shared strings are never touched, and text
that looks like a formula (=SUM…) stays text.
"""

from __future__ import annotations

import copy
import datetime as dt
import io
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from lxml import etree

from xl_appraisal.errors import Refused
from xl_appraisal.layout import (
    Room,
    follow_keys,
    grown_print_area,
    key_text,
    place_append,
    place_table,
    refusal,
    shift_span,
    status_row,
    subtotal_value,
)
from xl_appraisal.plan import AppendRows, CellWrite, ColumnWrite, Plan, TableWrite  # noqa: F401 - re-exported
from xl_appraisal.workbook.contract import SNAPSHOT
from xl_appraisal.workbook.ooxml import (  # noqa: F401 - re-exported for the writer's users
    EXCEL_EPOCH,
    NS,
    PARSER,
    PKG_REL_NS,
    REF,
    XML_SPACE,
    col_index,
    col_letters,
    q,
    ref_column,
    relationships,
    sheet_parts,
    split_ref,
    table_parts,
)


@dataclass
class Package:
    """A workbook package in memory: its parts in their original order, and where tables live."""

    parts: dict[str, bytes]
    infos: dict[str, zipfile.ZipInfo]
    sheets: dict[str, str] = field(default_factory=dict)  # sheet name -> part
    tables: dict[str, tuple[str, str]] = field(default_factory=dict)  # table name -> (sheet part, table part)
    source: bytes | None = None  # the package the parts were read from (unchanged parts are copied from it)
    read: dict[str, bytes] = field(default_factory=dict)  # the parts as read (by identity: unchanged or not)
    levels: dict[str, int] = field(default_factory=dict)  # zlib level of a part written again (default: zlib's)

    @classmethod
    def load(cls, data: bytes) -> Package:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            infos = {i.filename: i for i in z.infolist()}
            parts = {name: z.read(name) for name in infos}  # checks every part's CRC
        pkg = cls(parts, infos, source=data, read=dict(parts))
        pkg._index()
        return pkg

    def _index(self) -> None:
        for name, part in sheet_parts(self.parts.get):
            if part not in self.parts:
                continue
            self.sheets[name] = part
            for table, table_part, _, _ in table_parts(self.parts.get, part):
                self.tables[table] = (part, table_part)

    def shared_strings(self) -> list[str]:
        rels = relationships(self.parts.get, "xl/workbook.xml")
        part = next((p for t, p in rels.values() if t.endswith("/sharedStrings")), None)
        if not part or part not in self.parts:
            return []
        out = []
        for si in etree.fromstring(self.parts[part], PARSER).iterfind(q("si")):
            out.append("".join(t.text or "" for t in si.iter(q("t")) if t.getparent().tag != q("rPh")))
        return out

    def to_bytes(self) -> bytes:
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            for name, data in self.parts.items():
                info = self.infos[name]
                new = zipfile.ZipInfo(name, date_time=info.date_time)
                new.compress_type = info.compress_type
                new.external_attr = info.external_attr
                raw = self._compressed(name, data)
                if raw is None:
                    z.writestr(new, data, compresslevel=self.levels.get(name))
                else:
                    _write_compressed(z, new, info, raw)
        return buf.getvalue()

    def _compressed(self, name: str, data: bytes) -> bytes | None:
        """An unchanged part's compressed bytes in the source package (not compressed again: recompressing
        a year's attendance sheet was most of the writer's time); None when it changed or cannot be copied."""
        info = self.infos[name]
        if (self.source is None or self.read.get(name) is not data or info.flag_bits & 0x1  # encrypted
                or info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
                or max(info.file_size, info.compress_size, info.header_offset) >= zipfile.ZIP64_LIMIT // 2):
            return None
        head = self.source[info.header_offset:info.header_offset + 30]
        if len(head) < 30 or head[:4] != b"PK\x03\x04":
            return None
        start = info.header_offset + 30 + int.from_bytes(head[26:28], "little") + int.from_bytes(head[28:30], "little")
        raw = self.source[start:start + info.compress_size]
        return raw if len(raw) == info.compress_size else None


def _write_compressed(z: zipfile.ZipFile, new: zipfile.ZipInfo, info: zipfile.ZipInfo, raw: bytes) -> None:
    """Add an entry whose data is already compressed (as `writestr` does, minus the compression): a local
    header with the part's CRC and sizes, then the bytes; the central directory is written on close."""
    new.flag_bits = 0
    new.CRC, new.file_size, new.compress_size = info.CRC, info.file_size, len(raw)
    if not new.external_attr:
        new.external_attr = 0o600 << 16  # as writestr
    z.fp.seek(z.start_dir)  # type: ignore[union-attr]
    new.header_offset = z.fp.tell()  # type: ignore[union-attr]
    z._writecheck(new)  # type: ignore[attr-defined]
    z._didModify = True  # type: ignore[attr-defined]
    z.fp.write(new.FileHeader(False))  # type: ignore[union-attr]
    z.fp.write(raw)  # type: ignore[union-attr]
    z.filelist.append(new)
    z.NameToInfo[new.filename] = new
    z.start_dir = z.fp.tell()  # type: ignore[union-attr]


# Tables whose sheet part is large, machine-written text that changes often: compressed quickly when written
# (变更快照's ≈ 300 KB of JSON on a 4,000-row year: zlib level 1 takes ≈ 1 ms instead of ≈ 4 ms at the default
# level, for ≈ 14 KB more in the file). Any reader inflates every level alike.
FAST_TABLES = frozenset({SNAPSHOT.name})
FAST_LEVEL = 1


XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'  # as Excel writes it


def _serialize(root) -> bytes:
    return XML_DECLARATION + etree.tostring(root, encoding="UTF-8")


class SheetEditor:
    """Cell-level edits of one worksheet part, keeping everything else in it as it was."""

    def __init__(self, xml: bytes, strings: Callable[[], list[str]] | None = None):
        self.root = etree.fromstring(xml, PARSER)
        self.data = self.root.find(q("sheetData"))
        self.rows = {int(r.get("r")): r for r in self.data.iter(q("row"))}
        self._strings = strings  # the book's shared strings (parsed on first need), to read cells Excel saved

    def value(self, col: int, r: int) -> object:
        """A cell's value as stored (text, number, or a formula's cached result); None when empty."""
        c = self.cell(col, r, create=False)
        if c is None:
            return None
        return cell_value(c, self._strings() if self._strings is not None and c.get("t") == "s" else [])

    def typed_cells(self, r: int, cols: range) -> list[str]:
        """Refs of the cells of row r within `cols` that hold something (a value or a formula)."""
        row = self.rows.get(r)
        if row is None:
            return []
        out = []
        for c in row.iterfind(q("c")):
            ref = c.get("r") or ""
            m = REF.match(ref)
            if m and col_index(m[1]) in cols and has_content(c):
                out.append(ref)
        return out

    def row(self, r: int, create: bool = True):
        el = self.rows.get(r)
        if el is None and create:
            el = etree.Element(q("row"), r=str(r))
            later = [n for n in self.rows if n > r]
            if later:
                self.rows[min(later)].addprevious(el)
            else:
                self.data.append(el)
            self.rows[r] = el
        return el

    def cell(self, col: int, r: int, create: bool = True):
        row = self.row(r, create)
        if row is None:
            return None
        ref = f"{col_letters(col)}{r}"
        for c in row.iterfind(q("c")):
            cref = c.get("r")
            if cref == ref:
                return c
            if cref and ref_column(cref) > col:
                if not create:
                    return None
                el = etree.Element(q("c"), r=ref)
                c.addprevious(el)
                row.attrib.pop("spans", None)
                return el
        if not create:
            return None
        el = etree.SubElement(row, q("c"), r=ref)
        row.attrib.pop("spans", None)
        return el

    def set_height(self, r: int, height: float | None) -> None:
        row = self.row(r)
        if height is None:
            row.attrib.pop("ht", None)
            row.attrib.pop("customHeight", None)
        else:
            row.set("ht", f"{height:g}")
            row.set("customHeight", "1")

    def style(self, col: int, r: int) -> str | None:
        c = self.cell(col, r, create=False)
        return None if c is None else c.get("s")

    def set(self, col: int, r: int, value: object, style: str | None = None) -> None:
        c = self.cell(col, r)
        for child in list(c):
            c.remove(child)
        c.attrib.pop("t", None)
        if style is not None:
            c.set("s", style)
        if value is None or value == "":
            return
        if isinstance(value, bool):
            c.set("t", "b")
            etree.SubElement(c, q("v")).text = "1" if value else "0"
        elif isinstance(value, (int, float, Decimal)):
            etree.SubElement(c, q("v")).text = format(value, "f") if isinstance(value, Decimal) else repr(value)
        elif isinstance(value, (dt.date, dt.datetime)):
            moment = value if isinstance(value, dt.datetime) else dt.datetime.combine(value, dt.time())
            serial = (moment - EXCEL_EPOCH).total_seconds() / 86400
            etree.SubElement(c, q("v")).text = format(serial, "g")
        else:
            c.set("t", "inlineStr")  # always text: '=SUM(A1)' typed by a person stays text (no <f>)
            is_ = etree.SubElement(c, q("is"))
            t = etree.SubElement(is_, q("t"))
            t.text = _xml_safe(str(value))
            t.set(XML_SPACE, "preserve")

    def set_cached(self, col: int, r: int, value: object) -> None:
        """Give a formula cell its cached value, keeping the formula; a cell without a formula is left alone."""
        c = self.cell(col, r, create=False)
        if c is None or c.find(q("f")) is None:
            return
        for child in c.findall(q("v")) + c.findall(q("is")):
            c.remove(child)
        c.attrib.pop("t", None)
        if value is None:
            return
        v = etree.SubElement(c, q("v"))
        if isinstance(value, bool):
            c.set("t", "b")
            v.text = "1" if value else "0"
        elif isinstance(value, (int, float, Decimal)):
            v.text = format(value, "f") if isinstance(value, Decimal) else repr(value)
        else:
            c.set("t", "str")
            v.text = _xml_safe(str(value))

    def clear_cells(self, r: int, cols: range, keep_row: bool = False) -> None:
        """Remove the row's cells in `cols`; an emptied row goes too (its height with it) unless `keep_row`."""
        row = self.rows.get(r)
        if row is None:
            return
        for c in list(row.iterfind(q("c"))):
            if ref_column(c.get("r", "")) in cols:
                row.remove(c)
        if len(row) == 0 and not keep_row:
            self.data.remove(row)
            del self.rows[r]

    def fix_dimension(self) -> None:
        dim = self.root.find(q("dimension"))
        if dim is None or not self.rows:
            return
        max_row = max(self.rows)
        max_col = 1
        for row in self.rows.values():
            last = row.findall(q("c"))
            if last:
                max_col = max(max_col, ref_column(last[-1].get("r", "")))
        min_col, min_row, _, _ = split_ref(dim.get("ref", "A1"))
        dim.set("ref", f"{col_letters(min_col)}{min_row}:{col_letters(max_col)}{max_row}")

    def to_bytes(self) -> bytes:
        self.fix_dimension()
        return _serialize(self.root)


def has_content(c) -> bool:
    """Whether a cell element holds a value or a formula (a style alone is not content)."""
    v = c.find(q("v"))
    return (v is not None and bool(v.text)) or c.find(q("is")) is not None or c.find(q("f")) is not None


def cell_value(c, strings: list[str]) -> object:
    kind = c.get("t", "n")
    if kind == "inlineStr":
        is_ = c.find(q("is"))
        return None if is_ is None else "".join(t.text or "" for t in is_.iter(q("t")))
    v = c.find(q("v"))
    if v is None or v.text is None:
        return None
    if kind == "s":
        i = int(v.text)
        return strings[i] if 0 <= i < len(strings) else None
    if kind in ("str", "e"):
        return v.text
    if kind == "b":
        return v.text == "1"
    try:
        return int(v.text)
    except ValueError:
        try:
            return float(v.text)
        except ValueError:
            return v.text


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _xml_safe(text: str) -> str:
    """The text without the control characters XML 1.0 cannot hold. A printable text has none (they are
    not printable) and is returned as it is, without the regex (a C loop: 变更快照's ≈ 240,000 characters)."""
    return text if text.isprintable() else _CONTROL.sub("", text)




# Inserting whole rows (to move typed content out of a growing table's way) -------------------------
XDR_NS = "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing"
XM_NS = "http://schemas.microsoft.com/office/excel/2006/main"
_RANGE = re.compile(r"^(\$?)([A-Z]{1,3})(\$?)(\d+)(?::(\$?)([A-Z]{1,3})(\$?)(\d+))?$")
_STRINGS = re.compile(r'"[^"]*"|\[[^\]]*\]')
_A1_IN_FORMULA = re.compile(r"(?<![A-Za-z0-9_.$])\$?[A-Z]{1,3}\$?(\d+)(?![\d(A-Za-z_])")
_ROWS_IN_FORMULA = re.compile(r"(?<![A-Za-z0-9_.$])\$?(\d+):\$?(\d+)(?![\d(])")


def formula_rows(text: str) -> list[int]:
    """Sheet rows an A1-style formula refers to (structured references and strings ignored)."""
    bare = _STRINGS.sub("", text or "")
    rows = [int(m[1]) for m in _A1_IN_FORMULA.finditer(bare)]
    for m in _ROWS_IN_FORMULA.finditer(bare):
        rows += [int(m[1]), int(m[2])]
    return rows


def _shift_range(ref: str, room: Room) -> str:
    """One A1 range after inserting the room's rows: below it moves, across it grows."""
    m = _RANGE.match(ref)
    if not m:
        return ref
    first = int(m[4])
    last = int(m[8]) if m[8] else first
    new_first, new_last = shift_span(first, last, room)
    if new_first == first and new_last == last:
        return ref
    head = f"{m[1]}{m[2]}{m[3]}{new_first}"
    return f"{head}:{m[5]}{m[6]}{m[7]}{new_last}" if m[8] else head


def _shift_sqref(sqref: str, room: Room) -> str:
    return " ".join(_shift_range(part, room) for part in sqref.split())


def _range_rows(ref: str) -> tuple[int, int] | None:
    m = _RANGE.match(ref)
    if not m:
        return None
    first = int(m[4])
    return first, int(m[8]) if m[8] else first


class RowInserter:
    """Whole rows inserted into one worksheet part and everything in the package that points at them:
    cells, merged ranges, tables, conditional formats and validations (x14 too), hyperlinks, page
    breaks, drawings' anchors and the workbook's defined names. What cannot be moved faithfully — a
    formula, comment or another sheet referring to the moved cells, a merged range or table crossing
    the insertion point — is an obstacle: the caller refuses instead, naming it."""

    def __init__(self, pkg: Package, sheet_name: str, sheet_part: str, ed: SheetEditor, room: Room):
        self.pkg, self.sheet, self.part, self.ed, self.room = pkg, sheet_name, sheet_part, ed, room

    def obstacles(self, table_name: str) -> list[str]:
        at, root = self.room.at, self.ed.root
        out: list[str] = []
        for mc in root.iter(q("mergeCell")):
            span = _range_rows(mc.get("ref", ""))
            if span and span[0] < at <= span[1]:
                out.append(mc.get("ref"))
        for name, (part, table_part) in self.pkg.tables.items():
            if part == self.part and name != table_name:
                t = etree.fromstring(self.pkg.parts[table_part], PARSER)
                _, lo, _, hi = split_ref(t.get("ref"))
                if lo < at <= hi:
                    out.append(f"表格{name}（{t.get('ref')}）")
        for row in self.ed.rows.values():
            for c in row.iterfind(q("c")):
                f = c.find(q("f"))
                if f is not None and f.text and any(r >= at for r in formula_rows(f.text)):
                    out.append(c.get("r") or "")
        for block in [*root.iter(q("conditionalFormatting")), *root.iter(q("dataValidation")),
                      *root.iter(f"{{{XM_NS}}}sqref")]:
            sqref = block.get("sqref") if block.get("sqref") is not None else block.text
            spans = [_range_rows(p) for p in (sqref or "").split()]
            if not spans or not all(s and s[0] >= at for s in spans):
                continue  # rules above or across the insertion point keep their formulas valid
            owner = block.getparent() if block.tag == f"{{{XM_NS}}}sqref" else block
            texts = [e.text or "" for e in owner.iter() if e.tag in (q("formula"), q("formula1"), q("formula2"),
                                                                     f"{{{XM_NS}}}f")]
            if any(formula_rows(t) for t in texts):
                out.append(sqref or "")
        for kind, target in relationships(self.pkg.parts.get, self.part).values():
            if kind.endswith("/comments") and target in self.pkg.parts:
                for cm in etree.fromstring(self.pkg.parts[target], PARSER).iter(q("comment")):
                    span = _range_rows(cm.get("ref", ""))
                    if span and span[1] >= at:
                        out.append(f"{cm.get('ref')}的批注")
        names = (f"{self.sheet}!".encode(), f"'{self.sheet}'!".encode(), f'sheet="{self.sheet}"'.encode())
        for other, part in self.pkg.sheets.items():
            if part != self.part and any(n in self.pkg.parts[part] for n in names):
                out.append(f"“{other}”工作表中引用本表的公式")
        for name in self.pkg.parts:
            if name.startswith(("xl/charts/", "xl/pivotCache/")) and any(n in self.pkg.parts[name] for n in names):
                if name.startswith("xl/charts/chart") and not self._chart_refers_below(name, at):
                    continue  # a chart of cells above the insertion point (汇总's chart, over tblAverages)
                out.append(f"引用本表的图表或数据透视表（{name}）")
        return out

    def _chart_refers_below(self, part: str, at: int) -> bool:
        """Whether a chart's series refer to this sheet's rows from `at` down (or in a way not understood)."""
        try:
            root = etree.fromstring(self.pkg.parts[part], PARSER)
        except etree.XMLSyntaxError:
            return True
        prefixes = (f"{self.sheet}!", f"'{self.sheet}'!")
        for f in root.iter():
            if isinstance(f.tag, str) and f.tag.endswith("}f") and f.text:
                for ref in f.text.split(","):
                    ref = ref.strip().strip("()")
                    if not ref.startswith(prefixes):
                        continue
                    span = _range_rows(ref.split("!", 1)[1])
                    if span is None or span[1] >= at:
                        return True
        return False

    def insert(self) -> None:
        room, ed, root = self.room, self.ed, self.ed.root
        for r in sorted((r for r in ed.rows if r >= room.at), reverse=True):
            el = ed.rows.pop(r)
            new = r + room.count
            el.set("r", str(new))
            for c in el.iterfind(q("c")):
                m = REF.match(c.get("r") or "")
                if m:
                    c.set("r", f"{m[1]}{new}")
                f = c.find(q("f"))
                if f is not None and f.get("ref"):
                    f.set("ref", _shift_sqref(f.get("ref"), room))
            ed.rows[new] = el
        for tag in ("mergeCell", "hyperlink"):
            for el in root.iter(q(tag)):
                el.set("ref", _shift_sqref(el.get("ref", ""), room))
        for tag in ("conditionalFormatting", "dataValidation", "protectedRange", "ignoredError", "selection"):
            for el in root.iter(q(tag)):
                if el.get("sqref"):
                    el.set("sqref", _shift_sqref(el.get("sqref"), room))
        for el in root.iter(f"{{{XM_NS}}}sqref"):
            el.text = _shift_sqref(el.text or "", room)
        auto = root.find(q("autoFilter"))
        if auto is not None and auto.get("ref"):
            auto.set("ref", _shift_sqref(auto.get("ref"), room))
        for brk in root.iter(q("brk")):
            if brk.getparent().tag == q("rowBreaks") and int(brk.get("id", "0")) >= room.at:
                brk.set("id", str(int(brk.get("id")) + room.count))
        self._tables()
        self._drawings()
        self._defined_names()

    def _tables(self) -> None:
        for part, table_part in self.pkg.tables.values():
            if part != self.part:
                continue
            t = etree.fromstring(self.pkg.parts[table_part], PARSER)
            _, lo, _, _ = split_ref(t.get("ref"))
            if lo >= self.room.at:
                t.set("ref", _shift_sqref(t.get("ref"), self.room))
                auto = t.find(q("autoFilter"))
                if auto is not None:
                    auto.set("ref", _shift_sqref(auto.get("ref"), self.room))
                self.pkg.parts[table_part] = _serialize(t)

    def _drawings(self) -> None:
        for kind, target in relationships(self.pkg.parts.get, self.part).values():
            if not kind.endswith("/drawing") or target not in self.pkg.parts:
                continue
            root = etree.fromstring(self.pkg.parts[target], PARSER)
            changed = False
            for edge in ("from", "to"):
                for anchor in root.iter(f"{{{XDR_NS}}}{edge}"):
                    row = anchor.find(f"{{{XDR_NS}}}row")
                    if row is not None and row.text and int(row.text) + 1 >= self.room.at:
                        row.text = str(int(row.text) + self.room.count)
                        changed = True
            if changed:
                self.pkg.parts[target] = _serialize(root)

    def _defined_names(self) -> None:
        data = self.pkg.parts.get("xl/workbook.xml")
        if data is None:
            return
        prefix = f"(?:'{re.escape(self.sheet)}'|{re.escape(self.sheet)})!"
        pattern = re.compile(prefix + r"(\$?[A-Z]{1,3}\$?\d+(?::\$?[A-Z]{1,3}\$?\d+)?)")
        root = etree.fromstring(data, PARSER)
        changed = False
        for dn in root.iter(q("definedName")):
            text = dn.text or ""
            new = pattern.sub(lambda m: m[0][: -len(m[1])] + _shift_range(m[1], self.room), text)
            if new != text:
                dn.text = new
                changed = True
        if changed:
            self.pkg.parts["xl/workbook.xml"] = _serialize(root)


# Applying a plan -----------------------------------------------------------------------------------
def _resized(table, ref: str, totals: int) -> bytes:
    """A table definition (and its autofilter, which stops above a totals row) covering `ref`."""
    table.set("ref", ref)
    auto = table.find(q("autoFilter"))
    if auto is not None:
        min_col, min_row, max_col, max_row = split_ref(ref)
        auto.set("ref", f"{col_letters(min_col)}{min_row}:{col_letters(max_col)}{max_row - totals}")
    return _serialize(table)


CUSTOM_PART = "docProps/custom.xml"
CUSTOM_NS = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
VT_NS = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
CUSTOM_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties"
CUSTOM_TYPE = "application/vnd.openxmlformats-officedocument.custom-properties+xml"
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
FMTID = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"


def _set_properties(pkg: Package, props: dict[str, str]) -> None:
    """Custom document properties as text (docProps/custom.xml); the part is rewritten only when a value
    differs, and created (with its relationship and content type) when the package has none."""
    data = pkg.parts.get(CUSTOM_PART)
    if data is None:
        root = etree.Element(f"{{{CUSTOM_NS}}}Properties", nsmap={None: CUSTOM_NS, "vt": VT_NS})
    else:
        root = etree.fromstring(data, PARSER)
    existing = {p.get("name"): p for p in root}
    changed = False
    for name, value in props.items():
        prop = existing.get(name)
        if prop is not None and len(prop) == 1 and prop[0].tag == f"{{{VT_NS}}}lpwstr" and prop[0].text == value:
            continue
        if prop is None:
            pids = [int(p.get("pid", "1")) for p in root if (p.get("pid") or "").isdigit()]
            prop = etree.SubElement(root, f"{{{CUSTOM_NS}}}property", fmtid=FMTID, pid=str(max(pids, default=1) + 1),
                                    name=name)
        for child in list(prop):
            prop.remove(child)
        etree.SubElement(prop, f"{{{VT_NS}}}lpwstr").text = value
        changed = True
    if not changed:
        return
    if data is None:
        pkg.infos[CUSTOM_PART] = zipfile.ZipInfo(CUSTOM_PART, date_time=pkg.infos["xl/workbook.xml"].date_time)
        pkg.infos[CUSTOM_PART].compress_type = zipfile.ZIP_DEFLATED
        rels = etree.fromstring(pkg.parts["_rels/.rels"], PARSER)
        ids = {r.get("Id") for r in rels}
        rid = next(f"rIdXaCustom{i}" for i in range(1, 100) if f"rIdXaCustom{i}" not in ids)
        etree.SubElement(rels, f"{{{PKG_REL_NS}}}Relationship", Id=rid, Type=CUSTOM_REL, Target=CUSTOM_PART)
        pkg.parts["_rels/.rels"] = _serialize(rels)
        types = etree.fromstring(pkg.parts["[Content_Types].xml"], PARSER)
        etree.SubElement(types, f"{{{CT_NS}}}Override", PartName="/" + CUSTOM_PART, ContentType=CUSTOM_TYPE)
        pkg.parts["[Content_Types].xml"] = _serialize(types)
    pkg.parts[CUSTOM_PART] = _serialize(root)


def apply(data: bytes, plan: Plan) -> bytes:
    """The package with the plan's cells written; every other part byte-identical. When the plan changes
    no part (a recalc of an unchanged book), the very same bytes come back, so the sink writes nothing.
    Raises Refused (nothing written) when a write would replace typed content that cannot be moved."""
    return _Applier(data).run(plan)


@dataclass
class _Open:
    table: Any  # the table part's root element
    part: str
    sheet_part: str
    sheet: str
    bounds: tuple[int, int, int, int]
    totals: int
    names: list[str]
    ed: SheetEditor


_SHEET_DATA = re.compile(rb"(?P<head>.*?)<sheetData>(?P<body>.*)</sheetData>(?P<tail>(?:(?!<sheetData).)*)", re.S)
_TAG = re.compile(rb"<[^>]*>")
# the tags of rows this writer wrote (`rows_only` takes such rows only): a bare row, a cell, its value or text
_DATA_TAG = re.compile(rb'<row r="\d+">|</row>|<c r="[A-Z]{1,3}\d+"(?: s="\d+")?(?: t="inlineStr")?/?>|</c>'
                       rb'|<v>|</v>|<is>|</is>|<t xml:space="preserve">|<t>|</t>')
_BARE_ROW = re.compile(rb'<row r="(\d+)">')
_CELL_REF = re.compile(rb'<c r="([A-Z]{1,3})\d+"')
_CONTROL_BYTES = bytes(i for i in range(0x20) if i not in (0x09, 0x0A, 0x0D))  # _CONTROL's, as UTF-8


def _row_styles(data: bytes, r: int, letters: list[str]) -> list[str | None]:
    """The style of each column's cell in sheet row r (as `SheetEditor.style`), from the part's text."""
    start = data.find(b'<row r="%d">' % r)
    if start < 0:
        return [None] * len(letters)
    stop = data.find(b"</row>", start)
    row = data[start:stop if stop >= 0 else len(data)]
    out: list[str | None] = []
    for letter in letters:
        m = re.search(rb'<c r="%s%d"(?=[ />])([^>]*)' % (letter.encode(), r), row)
        s = re.search(rb' s="([^"]*)"', m[1]) if m else None
        out.append(s[1].decode() if s else None)
    return out


def _cell_xml(ref: str, value: object, style: str | None) -> bytes | None:
    """A cell as `SheetEditor.set` writes it and lxml serialises it; None for a value it is not made for
    (or text lxml refuses, which `set` then refuses alike)."""
    s = "" if style is None else f' s="{style}"'
    if value is None or value == "":
        return f'<c r="{ref}"{s}/>'.encode()
    if type(value) is int:
        return f'<c r="{ref}"{s}><v>{value!r}</v></c>'.encode()
    if type(value) is not str or "\ufffe" in value or "\uffff" in value:
        return None
    try:
        text = value.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate
        return None
    if len(text.translate(None, _CONTROL_BYTES)) != len(text):
        text = _xml_safe(value).encode("utf-8")
    text = text.replace(b"&", b"&amp;").replace(b"<", b"&lt;").replace(b">", b"&gt;").replace(b"\r", b"&#13;")
    return b'<c r="%s"%s t="inlineStr"><is><t xml:space="preserve">%s</t></is></c>' % (ref.encode(), s.encode(), text)


class _Applier:
    def __init__(self, data: bytes):
        self.data = data
        self.pkg = Package.load(data)
        self.before = dict(self.pkg.parts)
        self.editors: dict[str, SheetEditor] = {}
        self._strings: list[str] | None = None
        self.sheet_of = {part: name for name, part in self.pkg.sheets.items()}

    def strings(self) -> list[str]:
        if self._strings is None:
            self._strings = self.pkg.shared_strings()
        return self._strings

    def editor(self, part: str) -> SheetEditor:
        if part not in self.editors:
            self.editors[part] = SheetEditor(self.pkg.parts[part], self.strings)
        return self.editors[part]

    def open(self, name: str) -> _Open:
        sheet_part, table_part = self.pkg.tables[name]
        table = etree.fromstring(self.pkg.parts[table_part], PARSER)
        totals = int(table.get("totalsRowCount") or 0)
        names = [tc.get("name") for tc in table.iter(q("tableColumn"))]
        return _Open(table, table_part, sheet_part, self.sheet_of[sheet_part], split_ref(table.get("ref")),
                     totals, names, self.editor(sheet_part))

    def make_room(self, t: _Open, room: Room | None) -> None:
        if room is None:
            return
        inserter = RowInserter(self.pkg, t.sheet, t.sheet_part, t.ed, room)
        blocked = inserter.obstacles(t.table.get("displayName") or t.table.get("name"))
        if blocked:
            typed = [ref for r in room.typed for ref in t.ed.typed_cells(r, range(t.bounds[0], t.bounds[2] + 1))]
            raise Refused(refusal(t.sheet, typed, "有已填写的内容，表格需要扩展到这些行，但无法整行下移"),
                          details=[f"无法下移的原因：{'、'.join(blocked)}"])
        inserter.insert()

    def typed_below(self, t: _Open, last: int) -> list[int]:
        """Rows below the table (to `last`) with content in the table's columns or a merged range over them."""
        min_col, _, max_col, max_row = t.bounds
        cols = range(min_col, max_col + 1)
        rows = [r for r in t.ed.rows if max_row < r <= last and t.ed.typed_cells(r, cols)]
        for mc in t.ed.root.iter(q("mergeCell")):
            lo_c, lo_r, hi_c, hi_r = split_ref(mc.get("ref"))
            if hi_c >= min_col and lo_c <= max_col and hi_r > max_row and lo_r <= last:
                rows += range(max(lo_r, max_row + 1), min(hi_r, last) + 1)
        return rows

    def table(self, tw: TableWrite) -> None:
        if tw.table in FAST_TABLES and self.rows_only(tw):
            return
        t = self.open(tw.table)
        min_col, header, max_col, old_end = t.bounds
        ed = t.ed
        program = list(tw.headers) if tw.headers else t.names[: max((len(r) for r in tw.rows), default=len(t.names))]
        prog_cols = [min_col + t.names.index(h) for h in program]
        extra_cols = [min_col + j for j, h in enumerate(t.names) if h not in program]
        key_cols = [min_col + t.names.index(h) for h in tw.key if h in t.names]
        key_idx = [program.index(h) for h in tw.key if h in program]
        first_data, old_last_data = header + 1, old_end - t.totals
        styles = {col: ed.style(col, first_data) for col in range(min_col, max_col + 1)}
        # what a person put in the table: added columns (by key) and the totals row
        old_keys = [(r, tuple(key_text(ed.value(col, r)) for col in key_cols)) for r in range(first_data, old_last_data + 1)]
        kept = {(col, r): copy.deepcopy(ed.cell(col, r, create=False)) for r in range(first_data, old_last_data + 1)
                for col in extra_cols if ed.cell(col, r, create=False) is not None}
        totals = {col: copy.deepcopy(c) for r in range(old_last_data + 1, old_end + 1) for col in range(min_col, max_col + 1)
                  if (c := ed.cell(col, r, create=False)) is not None}
        total_height = {k: v for k, v in (ed.rows[old_end].attrib.items() if t.totals and old_end in ed.rows else [])
                        if k in ("ht", "customHeight")}
        place = place_table(header, old_end, len(tw.rows), t.totals, self.typed_below(t, header + max(len(tw.rows), 1) + t.totals))
        self.make_room(t, place.room)
        cols = range(min_col, max_col + 1)
        for r in range(first_data, old_end + 1):
            ed.clear_cells(r, cols, keep_row=r < place.end)  # rows the table keeps keep their height
        rows = tw.rows or [[]]
        new_keys = [tuple(key_text(row[i]) if i < len(row) else "" for i in key_idx) for row in rows]
        follow = follow_keys(old_keys, new_keys) if key_cols else {i: r for i, (r, _) in enumerate(old_keys)}
        for i, values in enumerate(rows):
            r = place.first + i
            for j, col in enumerate(prog_cols):
                ed.set(col, r, values[j] if j < len(values) else None, styles[col])
            for col in extra_cols:
                old = kept.get((col, follow[i])) if i in follow else None
                if old is not None:
                    self._put_cell(ed, col, r, old)
                else:
                    ed.set(col, r, None, styles[col])
        for i in range(len(rows) if tw.heights else 0):
            ed.set_height(place.first + i, tw.heights[i] if i < len(tw.heights) else None)
        if t.totals:
            for col, c in totals.items():
                self._put_cell(ed, col, place.end, c)
            row = ed.row(place.end)
            for k in ("ht", "customHeight"):
                row.attrib.pop(k, None)
            row.attrib.update(total_height)
            self._cache_totals(ed, t, place.first, place.last_data, place.end)
        ref = f"{col_letters(min_col)}{header}:{col_letters(max_col)}{place.end}"
        self.pkg.parts[t.part] = _resized(t.table, ref, t.totals)
        self.follow_print_area(t.sheet, t.bounds, old_end, place.end)
        if tw.table in FAST_TABLES:
            self.pkg.levels[t.sheet_part] = FAST_LEVEL

    def rows_only(self, tw: TableWrite) -> bool:
        """The table written without parsing its sheet (变更快照's ≈ 300 KB part: parsing and serialising it was
        most of the snapshot's write), giving the very bytes `table` gives. Only for the plain case, checked on
        the part's text: a table alone on its sheet (no totals row, no added column, nothing below or beside it,
        no merged cell), every data row a bare `<row r="n">`, values whole numbers and text, and the part's
        other elements written as lxml writes them. False (nothing done) otherwise: `table` does it."""
        if tw.key or tw.heights or tw.table not in self.pkg.tables:
            return False
        sheet_part, table_part = self.pkg.tables[tw.table]
        if sheet_part in self.editors:
            return False
        table = etree.fromstring(self.pkg.parts[table_part], PARSER)
        names = [tc.get("name") for tc in table.iter(q("tableColumn"))]
        if int(table.get("totalsRowCount") or 0) or (tw.headers and list(tw.headers) != names):
            return False
        min_col, header, max_col, old_end = bounds = split_ref(table.get("ref"))
        widest = max((len(r) for r in tw.rows), default=len(names))
        if max_col - min_col + 1 != len(names) or widest > len(names) or (not tw.headers and widest < len(names)):
            return False  # a row longer than the table, or columns `table` keeps as a person typed them
        xml = self.pkg.parts[sheet_part]
        cut = _SHEET_DATA.fullmatch(xml)
        if cut is None or b"<mergeCell" in cut["tail"]:
            return False
        body = cut["body"]
        found = re.search(rb'<row r="%d"[ >/]' % (header + 1), body)
        top, data = (body, b"") if found is None else (body[:found.start()], body[found.start():])
        letters = [col_letters(col) for col in range(min_col, max_col + 1)]
        # the old data rows: bare rows between the header and the table's end, cells in its columns only
        tags = _TAG.findall(data)
        numbers = [int(n) for n in _BARE_ROW.findall(data)]
        if (data.count(b"<") != len(tags) or not all(map(_DATA_TAG.fullmatch, tags))
                or any(not header < n <= old_end for n in numbers) or numbers != sorted(set(numbers))
                or any(m.decode() not in letters for m in _CELL_REF.findall(data))):
            return False
        styles = _row_styles(data, header + 1, letters)
        # everything else (the rows above the data, the part's other elements) as lxml writes it
        skeleton = cut["head"] + b"<sheetData>" + top + b"</sheetData>" + cut["tail"]
        root = etree.fromstring(skeleton, PARSER)
        if not top or root.nsmap.get(None) != NS or _serialize(root) != skeleton:
            return False
        rows_above = {int(r.get("r") or 0): r for r in root.find(q("sheetData")).iter(q("row"))}
        if any(not 0 < r <= header for r in rows_above):
            return False
        out = []
        for i, values in enumerate(tw.rows or [[]]):
            r = header + 1 + i
            out.append(b'<row r="%d">' % r)
            for j, letter in enumerate(letters):
                text = _cell_xml(f"{letter}{r}", values[j] if j < len(values) else None, styles[j])
                if text is None:
                    return False
                out.append(text)
            out.append(b"</row>")
        end = header + max(len(tw.rows), 1)
        dim = root.find(q("dimension"))
        if dim is not None:
            last = max([max_col, *(ref_column(row.findall(q("c"))[-1].get("r", "")) for row in rows_above.values()
                                   if len(row.findall(q("c"))))])
            lo_col, lo_row, _, _ = split_ref(dim.get("ref", "A1"))
            dim.set("ref", f"{col_letters(lo_col)}{lo_row}:{col_letters(last)}{end}")
        head, _, tail = _serialize(root).partition(b"</sheetData>")
        self.pkg.parts[sheet_part] = head + b"".join(out) + b"</sheetData>" + tail
        ref = f"{col_letters(min_col)}{header}:{col_letters(max_col)}{end}"
        self.pkg.parts[table_part] = _resized(table, ref, 0)
        sheet = self.sheet_of[sheet_part]
        self.follow_print_area(sheet, bounds, old_end, end)
        self.pkg.levels[sheet_part] = FAST_LEVEL
        return True

    def follow_print_area(self, sheet: str, bounds: tuple[int, int, int, int], old_end: int, new_end: int) -> None:
        """The sheet's print area grows with a table that grows past its end (layout.grown_print_area)."""
        data = self.pkg.parts.get("xl/workbook.xml")
        if new_end <= old_end or data is None:
            return
        root = etree.fromstring(data, PARSER)
        names = (f"{sheet}!", f"'{sheet.replace(chr(39), chr(39) * 2)}'!")
        changed = False
        for dn in root.iter(q("definedName")):
            if dn.get("name") != "_xlnm.Print_Area" or not dn.text or not dn.text.startswith(names):
                continue
            new = grown_print_area(dn.text, bounds[0], bounds[2], old_end, new_end)
            if new != dn.text:
                dn.text, changed = new, True
        if changed:
            self.pkg.parts["xl/workbook.xml"] = _serialize(root)

    @staticmethod
    def _cache_totals(ed: SheetEditor, t: _Open, first: int, last: int, end: int) -> None:
        """The totals row's formulas get the cached values of the rows just written (layout.subtotal_value)."""
        min_col = t.bounds[0]

        def column(header: str) -> list[object] | None:
            if header not in t.names:
                return None
            return [ed.value(min_col + t.names.index(header), r) for r in range(first, last + 1)]

        for j in range(len(t.names)):
            c = ed.cell(min_col + j, end, create=False)
            f = c.find(q("f")) if c is not None else None
            if f is not None and f.text:
                ed.set_cached(min_col + j, end, subtotal_value(f.text, column))

    @staticmethod
    def _put_cell(ed: SheetEditor, col: int, r: int, old) -> None:
        """A kept cell element (value, formula, style) placed at a new row."""
        c = ed.cell(col, r)
        c.getparent().replace(c, old)
        old.set("r", f"{col_letters(col)}{r}")
        f = old.find(q("f"))
        if f is not None and f.get("ref") and f.get("t") != "shared":
            f.set("ref", old.get("r"))

    def column(self, cw: ColumnWrite) -> None:
        t = self.open(cw.table)
        min_col, min_row, _, max_row = t.bounds
        col = min_col + t.names.index(cw.header)
        for r in range(min_row + 1, max_row + 1 - t.totals):
            if r in cw.values or t.ed.cell(col, r, create=False) is not None:
                t.ed.set(col, r, cw.values.get(r))

    def append(self, ap: AppendRows) -> None:
        t = self.open(ap.table)
        min_col, min_row, max_col, max_row = t.bounds
        styles = [t.ed.style(col, min_row + 1) for col in range(min_col, max_col + 1)]
        last, room = place_append(max_row, ap.start, len(ap.rows), self.typed_below(t, ap.start + len(ap.rows) - 1))
        self.make_room(t, room)
        for i, values in enumerate(ap.rows):
            for j, style in enumerate(styles):
                t.ed.set(min_col + j, ap.start + i, values[j] if j < len(values) else None, style)
        ref = f"{col_letters(min_col)}{min_row}:{col_letters(max_col)}{last}"
        self.pkg.parts[t.part] = _resized(t.table, ref, t.totals)

    def cell(self, cell: CellWrite) -> None:
        if cell.status_of and cell.status_of in self.pkg.tables:
            t = self.open(cell.status_of)
            min_col, header = t.bounds[0], t.bounds[1]
            above = {r: t.ed.value(min_col, r) for r in range(1, header)}
            row = status_row(header, above)
            if row is None:
                where = f"{col_letters(min_col)}{header - 1}"
                raise Refused(refusal(t.sheet, [where], "（表头上方一行）已有内容，无法写入状态行"),
                              details=[f"请在“{t.sheet}”表头上方插入一个空行，再重新运行"])
            t.ed.set(min_col, row, cell.value)
            return
        col, row, _, _ = split_ref(cell.ref)
        part = self.pkg.tables[cell.table][0] if cell.table else self.pkg.sheets[cell.sheet]
        self.editor(part).set(col, row, cell.value)

    def run(self, plan: Plan) -> bytes:
        for tw in plan.tables:
            self.table(tw)
        for cw in plan.columns:
            self.column(cw)
        for ap in plan.appends:
            self.append(ap)
        for cell in plan.cells:
            self.cell(cell)
        for fv in plan.formula_values:
            m = REF.match(fv.ref)
            if fv.sheet in self.pkg.sheets and m:
                self.editor(self.pkg.sheets[fv.sheet]).set_cached(col_index(m[1]), int(m[2]), fv.value)
        for part, ed in self.editors.items():
            self.pkg.parts[part] = ed.to_bytes()
        if plan.properties:
            _set_properties(self.pkg, plan.properties)
        if self.before.keys() == self.pkg.parts.keys() and all(self.pkg.parts[n] == self.before[n] for n in self.pkg.parts):
            return self.data
        return self.pkg.to_bytes()

