"""A fast, safe reader of the contract tables straight from the package XML (lxml iterparse).

openpyxl's full load builds an object for every cell and style of every sheet; `check` and `recalc` need
only the values inside the Excel tables. This reader parses shared strings, the date formats of the
styles, and the rows of the sheets that hold tables — values as openpyxl's data_only load gives them
(numbers, text, booleans, dates for date-formatted numbers, cached results of formulas).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import zipfile
from pathlib import Path

from lxml import etree

from xl_appraisal.engine.values import Merged, Uncomputed, is_blank
from xl_appraisal.workbook.ooxml import (
    MAC_EPOCH,
    NS,
    PARSER,
    REF,
    WINDOWS_EPOCH,
    col_index,
    col_letters,
    from_excel,
    is_date_style,
    relationships,
    sheet_parts,
    split_ref,
    table_parts,
)
from xl_appraisal.workbook.port import BEYOND_KEPT, RawTable

_C, _V, _IS, _T, _ROW, _F, _MERGE = (f"{{{NS}}}{t}" for t in ("c", "v", "is", "t", "row", "f", "mergeCell"))


def _xml(z: zipfile.ZipFile, name: str):
    return etree.fromstring(z.read(name), PARSER)


def _shared_strings(z: zipfile.ZipFile, rels: dict) -> list[str]:
    part = next((p for t, p in rels.values() if t.endswith("/sharedStrings")), None)
    if not part or part not in z.NameToInfo:
        return []
    out = []
    for si in _xml(z, part).iterfind(f"{{{NS}}}si"):
        # plain <t>, or rich-text runs <r><t>; phonetic runs (<rPh>) are not part of the value
        out.append("".join(t.text or "" for t in si.iter(_T) if t.getparent().tag != f"{{{NS}}}rPh"))
    return out


def _date_styles(z: zipfile.ZipFile, rels: dict) -> set[int]:
    part = next((p for t, p in rels.values() if t.endswith("/styles")), None)
    if not part or part not in z.NameToInfo:
        return set()
    root = _xml(z, part)
    custom = {int(f.get("numFmtId")): f.get("formatCode", "") for f in root.iter(f"{{{NS}}}numFmt")}
    xfs = root.find(f"{{{NS}}}cellXfs")
    dates = set()
    for i, xf in enumerate([] if xfs is None else xfs.iterfind(f"{{{NS}}}xf")):
        fid = int(xf.get("numFmtId", "0"))
        if is_date_style(fid, custom) or 27 <= fid <= 36 or 50 <= fid <= 58:  # CJK dates even when redefined
            dates.add(i)
    return dates


def _number(text: str) -> int | float:
    try:
        return int(text)
    except ValueError:
        return float(text)


def _zip(src: Path | bytes) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(src) if isinstance(src, bytes) else src)


def custom_properties(src: Path | bytes) -> dict[str, str]:
    """The package's custom document properties (docProps/custom.xml), name -> text value."""
    with _zip(src) as z:
        if "docProps/custom.xml" not in z.NameToInfo:
            return {}
        root = _xml(z, "docProps/custom.xml")
    return {prop.get("name"): "".join(prop.itertext()) for prop in root if prop.get("name")}


CORE_NS = "http://schemas.openxmlformats.org/package/2006/metadata/core-properties"


def last_modified_by(src: Path | bytes) -> str:
    """Who saved the package last (cp:lastModifiedBy in docProps/core.xml), '' when nobody is named."""
    with _zip(src) as z:
        if "docProps/core.xml" not in z.NameToInfo:
            return ""
        try:
            el = _xml(z, "docProps/core.xml").find(f"{{{CORE_NS}}}lastModifiedBy")
        except etree.XMLSyntaxError:
            return ""
    return (el.text or "").strip() if el is not None else ""


def read_tables(src: Path | bytes) -> dict[str, RawTable]:
    """Every Excel table in the package (a path or its bytes), with its rows (and rows typed just below it)."""
    with _zip(src) as z:

        def read(name: str) -> bytes | None:
            return z.read(name) if name in z.NameToInfo else None

        book_rels = relationships(read, "xl/workbook.xml")
        pr = _xml(z, "xl/workbook.xml").find(f"{{{NS}}}workbookPr")
        epoch = MAC_EPOCH if pr is not None and pr.get("date1904") in ("1", "true") else WINDOWS_EPOCH
        strings = _shared_strings(z, book_rels)
        dates = _date_styles(z, book_rels)
        found: dict[str, RawTable] = {}
        for index, (name, part) in enumerate(sheet_parts(read)):
            if part not in z.NameToInfo:
                continue
            tables = [(table, ref, totals) for table, _, ref, totals in table_parts(read, part)]
            if tables:
                found.update(_sheet_tables(z, part, name, index, tables, strings, dates, epoch))
    return found


def _sheet_tables(z, part, sheet_name, index, tables, strings, dates, epoch) -> dict[str, RawTable]:
    bounds = {name: split_ref(ref) for name, ref, _ in tables}
    rows: dict[int, dict[int, object]] = {}
    merged: list[tuple[int, int, int, int]] = []
    lo = min(b[1] for b in bounds.values())
    columns: dict[str, int] = {}  # column letters -> number, shared by the sheet's rows
    seen: dict[int | float, object] = {}  # serial -> date, for the sheet's date cells
    with z.open(part) as fh:
        row_number = 0
        for _, el in etree.iterparse(fh, events=("end",), tag=(_ROW, _MERGE), resolve_entities=False, no_network=True):
            if el.tag == _MERGE:
                with contextlib.suppress(ValueError, TypeError):
                    merged.append(split_ref(el.get("ref")))
                continue
            row_number = int(el.get("r") or row_number + 1)
            if row_number >= lo:
                values = _row_values(el, strings, dates, epoch, columns, seen)
                if values:
                    rows[row_number] = values
            el.clear()
            while el.getprevious() is not None:
                del el.getparent()[0]
    _mark_merged(rows, merged, bounds.values())
    out = {}
    for name, ref, totals in tables:
        min_col, min_row, max_col, max_row = bounds[name]
        cols = range(min_col, max_col + 1)
        collected = []
        r = min_row
        while True:
            values = rows.get(r, {})
            row = tuple(map(values.get, cols))
            if r > max_row and all(is_blank(v) for v in row):
                break
            collected.append((r, row))
            r += 1
        others = [b for other, b in bounds.items() if other != name and b[0] <= max_col and b[2] >= min_col]
        beyond = [n for n in sorted(rows) if n > r and any(not is_blank(rows[n].get(c)) for c in cols)
                  and not any(b[1] <= n <= b[3] for b in others)]
        out[name] = RawTable(sheet_name, ref, collected, index, beyond,
                             {n: tuple(map(rows[n].get, cols)) for n in beyond[:BEYOND_KEPT]}, totals)
    return out


def _mark_merged(rows: dict[int, dict[int, object]], merged: list, tables) -> None:
    """The empty cells of a merged range inside a table read as Merged(its first cell), so that a check can
    say why a date or a name is missing (only a merged range's first cell holds a value)."""
    for min_col, min_row, max_col, max_row in merged:
        if not any(t[1] < max_row and t[0] <= max_col and min_col <= t[2] for t in tables):
            continue  # a merged title or hint outside the tables
        anchor = Merged(f"{col_letters(min_col)}{min_row}")
        for r in range(min_row, min(max_row, min_row + 10_000) + 1):
            for col in range(min_col, max_col + 1):
                if (r, col) != (min_row, min_col) and rows.get(r, {}).get(col) is None:
                    rows.setdefault(r, {})[col] = anchor


_DIGITS = "0123456789"


def _row_values(row, strings: list[str], dates: set[int], epoch, columns: dict[str, int],
                seen: dict[int | float, object]) -> dict[int, object]:
    """One <row>'s values by column number: the same values as `_cell` gives cell by cell (it still reads
    every cell that is not one of the three common shapes), with the per-cell work of a year's 4,000-row
    sheet cut down: no regex per reference (column letters are looked up), no search for children.

    The common shapes: a number <c><v>n</v></c> (a date when its style shows a date), a shared string
    <c t="s"><v>i</v></c>, an inline string <c t="inlineStr"><is><t>text</t></is></c>, and an empty cell
    (no child: nothing, whatever its type). Anything else (formulas, rich text, errors, booleans, comments
    inside a cell) goes through `_cell`."""
    values: dict[int, object] = {}
    col = 0
    for c in row.iterchildren(_C):
        ref = c.get("r")
        if ref:
            letters = ref.rstrip(_DIGITS)
            found = columns.get(letters) if len(letters) < len(ref) else None
            if found is None:
                m = REF.match(ref)
                if m is None:
                    raise ValueError(ref)  # as ref_column: a damaged reference
                found = col_index(m[1])
                if m[1] == letters:
                    columns[letters] = found
            col = found
        else:
            col += 1
        if not len(c):
            continue  # no <v>, no <f>, no <is>: an empty (perhaps formatted) cell, of any type
        kind = c.get("t")
        if len(c) == 1:
            child = c[0]
            if kind == "inlineStr":
                if child.tag == _IS and len(child) == 1:
                    t = child[0]
                    if t.tag == _T and not len(t):
                        values[col] = t.text or ""
                        continue
            elif kind is None or kind == "n" or kind == "s":
                text = child.text
                if child.tag == _V and text:
                    if kind == "s":
                        values[col] = strings[int(text)]
                        continue
                    number = _number(text)
                    if int(c.get("s", "0")) in dates:
                        moment = seen.get(number)  # a year has a few hundred distinct days
                        if moment is None:
                            try:
                                moment = seen[number] = from_excel(number, epoch)
                            except (OverflowError, ValueError):  # a number in a date cell that is no date
                                moment = number
                        values[col] = moment
                    else:
                        values[col] = number
                    continue
        value = _cell(c, strings, dates, epoch)
        if value is not None:
            values[col] = value
    return values


def _cell(c, strings: list[str], dates: set[int], epoch) -> object:
    kind = c.get("t", "n")
    if kind == "inlineStr":
        is_ = c.find(_IS)
        return None if is_ is None else "".join(t.text or "" for t in is_.iter(_T))
    v = c.find(_V)
    if v is None or not v.text:
        f = c.find(_F)
        if f is not None and kind != "str":  # a formula nobody calculated (openpyxl, pandas: <f>…</f><v/>)
            return Uncomputed(f.text or "")
        return None  # blank, or a formula whose cached result is the empty string (t="str")
    text = v.text
    if kind == "s":
        return strings[int(text)]
    if kind in ("str", "e"):
        return text
    if kind == "b":
        return text == "1"
    if kind == "d":
        return dt.datetime.fromisoformat(text)
    value = _number(text)
    if int(c.get("s", "0")) in dates:
        try:
            return from_excel(value, epoch)
        except (OverflowError, ValueError):  # a number in a date cell that is no date: the checks say so
            return value
    return value


def formula_sheets(src: Path | bytes, marker: str = "XA_") -> dict[str, dict[str, tuple[str | None, object]]]:
    """For every sheet holding a formula that mentions `marker`: each cell's (formula or None, value)."""
    needle = marker.encode()
    with _zip(src) as z:

        def read(name: str) -> bytes | None:
            return z.read(name) if name in z.NameToInfo else None

        book_rels = relationships(read, "xl/workbook.xml")
        pr = _xml(z, "xl/workbook.xml").find(f"{{{NS}}}workbookPr")
        epoch = MAC_EPOCH if pr is not None and pr.get("date1904") in ("1", "true") else WINDOWS_EPOCH
        found: dict[str, dict[str, tuple[str | None, object]]] = {}
        strings: list[str] | None = None
        dates: set[int] = set()
        for name, part in sheet_parts(read):
            data = read(part)
            if data is None or needle not in data:
                continue
            if strings is None:
                strings, dates = _shared_strings(z, book_rels), _date_styles(z, book_rels)
            cells: dict[str, tuple[str | None, object]] = {}
            for c in etree.fromstring(data, PARSER).iter(_C):
                f = c.find(f"{{{NS}}}f")
                cells[c.get("r", "")] = (f.text if f is not None and f.text else None, _cell(c, strings, dates, epoch))
            found[name] = cells
    return found
