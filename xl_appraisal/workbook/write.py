"""Write the computed tables back by editing only the XML parts that hold them.

Why not openpyxl load+save: it drops x14 extensions (cross-sheet validations, data bars), the 2007
ribbon relationship and anything else it does not model. Here every part we do not own is copied
byte for byte; in the parts we own (a computed sheet, a table definition) only the owned cells and
the table's size change. Strings are written inline, so shared strings are never touched, and text
that looks like a formula (=SUM…) stays text.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal

from lxml import etree

from xl_appraisal.plan import AppendRows, CellWrite, ColumnWrite, Plan, TableWrite  # noqa: F401 - re-exported
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

    @classmethod
    def load(cls, data: bytes) -> Package:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            infos = {i.filename: i for i in z.infolist()}
            parts = {name: z.read(name) for name in infos}
        pkg = cls(parts, infos)
        pkg._index()
        return pkg

    def _index(self) -> None:
        for name, part in sheet_parts(self.parts.get):
            if part not in self.parts:
                continue
            self.sheets[name] = part
            for table, table_part, _ in table_parts(self.parts.get, part):
                self.tables[table] = (part, table_part)

    def to_bytes(self) -> bytes:
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            for name, data in self.parts.items():
                info = self.infos[name]
                new = zipfile.ZipInfo(name, date_time=info.date_time)
                new.compress_type = info.compress_type
                new.external_attr = info.external_attr
                z.writestr(new, data)
        return buf.getvalue()


XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'  # as Excel writes it


def _serialize(root) -> bytes:
    return XML_DECLARATION + etree.tostring(root, encoding="UTF-8")


class SheetEditor:
    """Cell-level edits of one worksheet part, keeping everything else in it as it was."""

    def __init__(self, xml: bytes):
        self.root = etree.fromstring(xml, PARSER)
        self.data = self.root.find(q("sheetData"))
        self.rows = {int(r.get("r")): r for r in self.data.iter(q("row"))}

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
            if cref and col_index(REF.match(cref)[1]) > col:
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

    def clear_cells(self, r: int, cols: range) -> None:
        row = self.rows.get(r)
        if row is None:
            return
        for c in list(row.iterfind(q("c"))):
            if col_index(REF.match(c.get("r"))[1]) in cols:
                row.remove(c)
        if len(row) == 0:
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
                max_col = max(max_col, col_index(REF.match(last[-1].get("r"))[1]))
        min_col, min_row, _, _ = split_ref(dim.get("ref", "A1"))
        dim.set("ref", f"{col_letters(min_col)}{min_row}:{col_letters(max_col)}{max_row}")

    def to_bytes(self) -> bytes:
        self.fix_dimension()
        return _serialize(self.root)


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _xml_safe(text: str) -> str:
    return _CONTROL.sub("", text)


def _resized(table, ref: str) -> bytes:
    """A table definition (and its autofilter) covering `ref`."""
    table.set("ref", ref)
    auto = table.find(q("autoFilter"))
    if auto is not None:
        auto.set("ref", ref)
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
    no part (a recalc of an unchanged book), the very same bytes come back, so the sink writes nothing."""
    tables, columns, cells, appends = plan.tables, plan.columns, plan.cells, plan.appends
    pkg = Package.load(data)
    before = dict(pkg.parts)
    editors: dict[str, SheetEditor] = {}

    def editor(part: str) -> SheetEditor:
        if part not in editors:
            editors[part] = SheetEditor(pkg.parts[part])
        return editors[part]

    def open_table(name: str):
        """(table element, its part, bounds, editor of its sheet, the first data row's cell styles)."""
        sheet_part, table_part = pkg.tables[name]
        table = etree.fromstring(pkg.parts[table_part], PARSER)
        bounds = split_ref(table.get("ref"))
        ed = editor(sheet_part)
        styles = [ed.style(col, bounds[1] + 1) for col in range(bounds[0], bounds[2] + 1)]
        return table, table_part, bounds, ed, styles

    def put_rows(ed: SheetEditor, first_row: int, min_col: int, rows: list[list], styles: list) -> None:
        for i, values in enumerate(rows):
            for j, style in enumerate(styles):
                ed.set(min_col + j, first_row + i, values[j] if j < len(values) else None, style)

    for tw in tables:
        table, table_part, (min_col, min_row, max_col, max_row), ed, styles = open_table(tw.table)
        n = max(len(tw.rows), 1)
        put_rows(ed, min_row + 1, min_col, tw.rows or [[]], styles)
        for i in range(n if tw.heights else 0):
            ed.set_height(min_row + 1 + i, tw.heights[i] if i < len(tw.heights) else None)
        for r in range(min_row + 1 + n, max_row + 1):
            ed.clear_cells(r, range(min_col, max_col + 1))
        pkg.parts[table_part] = _resized(table, f"{col_letters(min_col)}{min_row}:{col_letters(max_col)}{min_row + n}")

    for cw in columns:
        table, _, (min_col, min_row, _, max_row), ed, _ = open_table(cw.table)
        names = [tc.get("name") for tc in table.iter(q("tableColumn"))]
        col = min_col + names.index(cw.header)
        for r in range(min_row + 1, max_row + 1):
            if r in cw.values or ed.cell(col, r, create=False) is not None:
                ed.set(col, r, cw.values.get(r))

    for ap in appends:
        table, table_part, (min_col, min_row, max_col, max_row), ed, styles = open_table(ap.table)
        put_rows(ed, ap.start, min_col, ap.rows, styles)
        last = max(max_row, ap.start + len(ap.rows) - 1)
        pkg.parts[table_part] = _resized(table, f"{col_letters(min_col)}{min_row}:{col_letters(max_col)}{last}")

    for cell in cells:
        m = REF.match(cell.ref)
        part = pkg.tables[cell.table][0] if cell.table else pkg.sheets[cell.sheet]
        editor(part).set(col_index(m[1]), int(m[2]), cell.value)

    for fv in plan.formula_values:
        m = REF.match(fv.ref)
        if fv.sheet in pkg.sheets and m:
            editor(pkg.sheets[fv.sheet]).set_cached(col_index(m[1]), int(m[2]), fv.value)

    for part, ed in editors.items():
        pkg.parts[part] = ed.to_bytes()
    if plan.properties:
        _set_properties(pkg, plan.properties)
    if before.keys() == pkg.parts.keys() and all(pkg.parts[name] == before[name] for name in pkg.parts):
        return data
    return pkg.to_bytes()
