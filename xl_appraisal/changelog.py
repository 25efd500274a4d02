"""变更记录: a compact snapshot of the input tables, and the changes between two snapshots.

Pure: plain tables in, plain change records out (no openpyxl, no xlwings, no files), so the rules are
tested with plain data. `xl_appraisal.tracking` turns a read book into plain tables and the changes
into a Plan.

Rows are matched by key, never by position, so sorting or moving rows is no change:

| table | key |
| --- | --- |
| tblStaff | 姓名 |
| tblAttendance | 姓名 + 日期 + 时段 |
| tblLeave | 姓名 + 开始日期 + 开始时段 |
| tblCalendar | 日期 |
| tblItems_<部门> | 编号 |
| tblBonus_<部门> | 加分项目 (+ order among rows of the same 加分项目) |
| tblPolicy | 参数 |
| tblBonusKinds | 加分项目 |

Within one key, rows equal in every tracked column are paired first, then the rest in their order (two
rows of one half-day, 迟到 and 早退, stay two rows). A row whose key changed but that stayed on its sheet
row (a person renamed in place) is one change of the key cell, not a deletion and an addition. A row
that disappeared is one change (原值 = the row, 新值 empty); a new row is one change.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import chain, repeat
from operator import itemgetter
from typing import Any

from xl_appraisal.cellref import col_index
from xl_appraisal.engine.issues import WARNING, Issue

VERSION = 1
CHUNK = 16_000  # characters per snapshot cell: ≤ 32,000 UTF-16 units even if every one is outside the BMP
DECIDED_NOTE = "部门已审定后修改"
DECIDED_STAGE = "审定"
LOG_HEADERS = ("时间", "修改人", "工作表", "单元格", "项目", "原值", "新值", "来源")
_REF = re.compile(r"^([A-Z]+)(\d+)$")


class SnapshotDamaged(Exception):
    """The stored snapshot cannot be decoded (internal: the caller turns it into a warning)."""


# Values ----------------------------------------------------------------------------------------------
def canonical(value: object) -> object:
    """One JSON-able spelling per cell value, whatever program wrote it: 18, 18.0 and Decimal('18') are
    18; a date-time at midnight is its date; blank text is None; a date is its ISO text after MARK
    (\x01d2018-05-07), so values stay plain JSON strings and hashable (identical rows pair at once)."""
    if type(value) is str:  # the common case first: this runs for every cell of a year
        return value if value.strip() else None
    if value is None:
        return None
    if type(value) is int:
        return value
    if type(value) is dt.datetime:  # dates of attendance and leave: a few hundred distinct ones a year
        hit = _DATES.get(value)
        if hit is None:
            hit = _DATES[value] = _datetime(value)
        return hit
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float, Decimal)):
        if isinstance(value, float) and not math.isfinite(value):
            return repr(value)
        if isinstance(value, Decimal) and not value.is_finite():
            return str(value)
        number = float(f"{float(value):.15g}")  # what Excel keeps: 15 significant digits
        return int(number) if number.is_integer() and abs(number) < 2**53 else number
    if isinstance(value, dt.datetime):
        return _datetime(value)
    if isinstance(value, dt.date):
        return f"{MARK}d{value.isoformat()}"
    if isinstance(value, dt.time):
        return f"{MARK}h{value.isoformat()}"
    text = str(value)
    return None if text.strip() == "" else text


_DATES: dict[dt.datetime, str] = {}
MARK = "\x01"  # starts a date's spelling: no cell can hold it (XML 1.0 forbids it; the writer strips it)


def _datetime(value: dt.datetime) -> str:
    if value.time() == dt.time() and value.tzinfo is None:
        return f"{MARK}d{value.date().isoformat()}"
    return f"{MARK}t{value.isoformat()}"


def shown(value: object) -> object:
    """A canonical value as the log shows it: numbers stay numbers, dates read 2018-05-07."""
    if isinstance(value, str) and value.startswith(MARK):
        return value[2:].replace("T", " ")
    return value


def _key_text(value: object) -> str:
    value = shown(value)
    return "" if value is None else unicodedata.normalize("NFKC", str(value)).strip()


def date_zh(value: object) -> str:
    """2018年5月7日 for a date (or its canonical form); the text as typed otherwise."""
    text = _key_text(value)
    m = re.match(r"^(\d{4})-(\d{2})-(\d{2})", text)
    return f"{int(m[1])}年{int(m[2])}月{int(m[3])}日" if m else text


# Tables ----------------------------------------------------------------------------------------------
@dataclass
class PlainTable:
    """One input table as plain data: the tracked columns, their letters and the non-blank rows."""

    sheet: str
    headers: tuple[str, ...]
    letters: tuple[str, ...]
    rows: list[tuple[int, tuple]] = field(default_factory=list)  # (sheet row, canonical values)
    top: int = 0  # header row (not stored in the snapshot: only for applying a plan)
    last: int = 0  # last row of the table's range


Snapshot = dict[str, PlainTable]


def plain_table(sheet: str, headers: Iterable[str], letters: Iterable[str],
                rows: Iterable[tuple[int, dict[str, object]]], top: int = 0, last: int = 0) -> PlainTable:
    headers, letters = tuple(headers), tuple(letters)
    rows = list(rows)
    if rows and headers and set(map(type, map(_SECOND, rows))) == {dict}:
        # column by column: this runs for every cell of a year, and a column is mostly of one type
        numbers, dicts = zip(*rows, strict=True)
        columns = [_canonical_column(list(map(dict.get, dicts, repeat(h)))) for h in headers]
        canon_rows = list(zip(*columns, strict=True))
        blank = (None,) * len(headers)
        kept = (list(zip(numbers, canon_rows, strict=True)) if blank not in canon_rows  # rows blank in every tracked column
                else [(row, canon) for row, canon in zip(numbers, canon_rows, strict=True) if canon != blank])
        return PlainTable(sheet, headers, letters, kept, top, last)
    out = []
    for row, values in rows:
        canon = tuple([_canonical_cell(v) for v in map(values.get, headers)])
        if canon.count(None) < len(canon):
            out.append((row, canon))
    return PlainTable(sheet, headers, letters, out, top, last)


def _canonical_cell(v: object) -> object:
    """canonical(v), the common types inline."""
    return v if v is None or (tv := type(v)) is int or (tv is str and v.strip()) else canonical(v)  # type: ignore[attr-defined]


_AS_IS = {type(None), int}
_TEXT = {type(None), str}


def _canonical_column(values: list) -> list:
    """canonical() of each value of one column. The common columns in C loops, without a call per cell: only
    numbers and blanks (as they are), only non-blank texts and blanks (as they are), only date-times (each distinct one
    spelled once: a year's 4,000 events have a few hundred dates); any other column value by value."""
    types = set(map(type, values))
    if types <= _AS_IS or (types <= _TEXT and "" not in values and all(map(str.strip, filter(None, values)))):
        return values
    if types == {dt.datetime}:
        for v in dict.fromkeys(values):  # each distinct date-time once, in order (as canonical would meet them)
            if v not in _DATES:
                _DATES[v] = _datetime(v)
        return list(map(_DATES.__getitem__, values))
    return [v if v is None or (tv := type(v)) is int or (tv is str and v.strip()) else canonical(v)
            for v in values]


def encode(snapshot: Snapshot) -> str:
    """Compact JSON of a snapshot (one line; the rows as arrays)."""
    return join(encode_parts(snapshot))


_DUMP: dict[str, Any] = {"ensure_ascii": False, "separators": (",", ":")}
_HEAD = f'{{"v":{VERSION},"t":{{'  # what json.dumps writes before the tables (the same spelling, table by table)


def encode_parts(snapshot: Snapshot) -> list[tuple[str, str]]:
    """Each table's part of the encoded snapshot: (its key as JSON, its value as JSON). `join` of them is the very
    text json.dumps writes for the whole snapshot; kept apart so that an unchanged table is found in the stored text
    without decoding it (`decode_like`)."""
    return [(json.dumps(name, **_DUMP),
             json.dumps([t.sheet, list(t.headers), list(t.letters), [[row, *values] for row, values in t.rows]], **_DUMP))
            for name, t in snapshot.items()]


def join(parts: list[tuple[str, str]]) -> str:
    return _HEAD + ",".join(f"{key}:{value}" for key, value in parts) + "}}"


_SCALARS = {str, int, float, bool, type(None)}
_FIRST, _SECOND, _REST = itemgetter(0), itemgetter(1), itemgetter(slice(1, None))


def decode(text: str) -> Snapshot:
    try:
        data = json.loads(text)
        if not isinstance(data, dict) or data.get("v") != VERSION:
            raise SnapshotDamaged("version")
        out: Snapshot = {}
        for name, value in data["t"].items():
            out[name] = _table(name, value)
        return out
    except SnapshotDamaged:
        raise
    except (ValueError, TypeError, KeyError, IndexError, AttributeError) as exc:
        raise SnapshotDamaged(type(exc).__name__) from exc


def _table(name: str, value: Any) -> PlainTable:
    """One decoded table's JSON value as a PlainTable; SnapshotDamaged (or TypeError, ValueError, …: the caller
    turns them into SnapshotDamaged) when it is not of the shape `encode` writes."""
    sheet, headers, letters, rows = value
    if len(headers) != len(letters):
        raise SnapshotDamaged(name)
    width = len(headers) + 1
    # every row a list of `width` scalars, the first an int (the sheet row); checked a condition at a
    # time over all rows (the same verdict as row by row, in C loops: a year's 4,000 rows)
    if not (set(map(type, rows)) <= {list} and set(map(len, rows)) <= {width}
            and set(map(type, map(_FIRST, rows))) <= {int}
            and _SCALARS.issuperset(map(type, chain.from_iterable(rows)))):
        raise SnapshotDamaged(name)
    return PlainTable(str(sheet), tuple(headers), tuple(letters), list(zip(map(_FIRST, rows), map(tuple, map(_REST, rows)))))


_DECODER = json.JSONDecoder()


def decode_like(text: str, snapshot: Snapshot, parts: list[tuple[str, str]]) -> Snapshot:
    """decode(text), decoding only the tables whose part differs from `snapshot`'s (`parts` = encode_parts(snapshot)):
    a table whose stored part is the very text of its part now is that table. Falls back to `decode` whenever the
    stored text is not laid out as `encode` writes it for these tables (other tables, another order, spacing), so
    the result (or SnapshotDamaged) is always decode's."""
    try:
        out = _decode_like(text, snapshot, parts)
    except (ValueError, TypeError, KeyError, IndexError, AttributeError, SnapshotDamaged):
        out = None
    return decode(text) if out is None else out


def _decode_like(text: str, snapshot: Snapshot, parts: list[tuple[str, str]]) -> Snapshot | None:
    if not text.startswith(_HEAD) or len(parts) != len(snapshot) or not parts:
        return None
    out: Snapshot = {}
    at = len(_HEAD)
    for k, ((name, t), (key, value)) in enumerate(zip(snapshot.items(), parts, strict=True)):
        if not text.startswith(key, at) or text[at + len(key):at + len(key) + 1] != ":":
            return None
        at += len(key) + 1
        end = at + len(value)
        if text.startswith(value, at) and text[end:end + 1] in (",", "}"):
            out[name] = PlainTable(t.sheet, t.headers, t.letters, list(t.rows))  # the same JSON: decode gives these rows
        else:
            like = _rows_like(text, at, name, t, value, f"]],{parts[k + 1][0]}:" if k + 1 < len(parts) else "]]}}")
            if like is None:
                found, end = _DECODER.raw_decode(text, at)
                out[name] = _table(name, found)
            else:
                out[name], end = like
        if text[end:end + 1] != ",":
            return out if text[end:] == "}}" and len(out) == len(parts) else None
        at = end + 1
    return None


_BLOCK = 64  # rows of a table looked for at once in the stored text (_rows_like)


def _rows_like(text: str, at: int, name: str, t: PlainTable, value: str, after: str) -> tuple[PlainTable, int] | None:
    """The table whose stored value starts at text[at] (decode's PlainTable, and where the value ends), when its
    sheet, headers and letters are `t`'s: blocks of `t`'s rows whose JSON is found, in order, in the stored rows are
    those rows; only the stored text between them is decoded (a few edited rows of a year's 4,000). `value` is `t`'s
    JSON; `after` what the stored text holds right after the table (the next table's key, or the end). None when
    this does not apply; an exception when the stored text between the blocks is no rows (the caller then decodes
    the whole text, which gives decode's verdict).

    Exact: the stored text is read from the start of a row to the start of the next block found; a block found at
    the start of a row is those very rows (a JSON value's text determines where it ends), and a block found inside
    a text value leaves the text before it cut inside that value, which is no JSON (an exception)."""
    head = json.dumps([t.sheet, list(t.headers), list(t.letters)], **_DUMP)[:-1] + ",["
    if not t.rows or not value.startswith(head) or not text.startswith(head, at):
        return None
    pieces = value[len(head) + 1:-3].split("],[")  # each row's JSON without its brackets
    if len(pieces) != len(t.rows):  # a text holds "],[": rows cannot be told apart this way
        return None
    rows: list[tuple[int, tuple]] = []
    pos = at + len(head)  # the start of the next stored row (or the "]" that ends them)

    def stored_rows(between: str) -> None:  # stored rows, "[…],…,[…]"
        if between:
            rows.extend(_table(name, [t.sheet, t.headers, t.letters, json.loads(f"[{between}]")]).rows)

    for b in range(0, len(pieces), _BLOCK):
        block = "[" + "],[".join(pieces[b:b + _BLOCK]) + "]"
        found = text.find(block, pos)
        if found < 0:
            continue  # rows edited in this block: they are in the stored text decoded next
        if found > pos:
            if text[found - 1] != ",":
                return None
            stored_rows(text[pos:found - 1])
        rows.extend(t.rows[b:b + _BLOCK])
        pos = found + len(block)
        if text[pos:pos + 1] != ",":  # the stored rows end here
            if not text.startswith("]]", pos) or not text.startswith(after[2:], pos + 2):
                return None
            return PlainTable(t.sheet, t.headers, t.letters, rows), pos + 2
        pos += 1
    end = text.find(after, pos)
    if end < 0:
        return None
    stored_rows(text[pos:end])  # the last rows
    return PlainTable(t.sheet, t.headers, t.letters, rows), end + 2


def chunks(text: str) -> list[str]:
    """The snapshot text cut into cell-sized pieces (a cell holds at most 32,767 characters)."""
    return [text[i:i + CHUNK] for i in range(0, len(text), CHUNK)] or [""]


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# Keys and labels -------------------------------------------------------------------------------------
KEYS = {
    "tblStaff": ("姓名",),
    "tblAttendance": ("姓名", "日期", "时段"),
    "tblLeave": ("姓名", "开始日期", "开始时段"),
    "tblCalendar": ("日期",),
    "tblPolicy": ("参数",),
    "tblBonusKinds": ("加分项目",),
}


def keys_of(table: str) -> tuple[str, ...]:
    if table.startswith("tblItems_"):
        return ("编号",)
    if table.startswith("tblBonus_"):
        return ("加分项目",)
    return KEYS.get(table, ())


def label(table: str, t: PlainTable, values: tuple, header: str = "", nth: int = 0) -> str:
    """项目: 财务部第3项审定, 张伟 2018年5月7日上午, 参数“考勤津贴” …"""
    v = {h: values[i] for i, h in enumerate(t.headers)}
    if table.startswith("tblItems_"):
        return f"{t.sheet}第{_key_text(v.get('编号'))}项{header}"
    if table.startswith("tblBonus_"):
        base = f"{t.sheet}加分“{_key_text(v.get('加分项目'))}”" + (f"第{nth + 1}条" if nth else "")
    elif table == "tblAttendance":
        base = f"{_key_text(v.get('姓名'))} {date_zh(v.get('日期'))}{_key_text(v.get('时段'))}"
    elif table == "tblLeave":
        base = f"{_key_text(v.get('姓名'))} {date_zh(v.get('开始日期'))}{_key_text(v.get('开始时段'))}起的请假"
    elif table == "tblCalendar":
        base = f"日历 {date_zh(v.get('日期'))}"
    elif table == "tblPolicy":
        base = f"参数“{_key_text(v.get('参数'))}”"
    elif table == "tblBonusKinds":
        base = f"加分项目“{_key_text(v.get('加分项目'))}”"
    else:
        base = _key_text(values[0]) if values else table
    return f"{base} {header}" if header else base


def row_text(values: tuple) -> str:
    """A whole row in one cell of the log: its non-blank values, in column order."""
    return "，".join(str(shown(v)) for v in values if v is not None)


# Diff ------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Change:
    sheet: str
    cell: str
    item: str  # 项目
    old: object  # as shown in the log
    new: object
    table: str = ""
    header: str = ""  # "" when a whole row was added or removed
    decided: bool = False  # a 审定 score changed after its department was 审定


def _match(old: PlainTable, new: PlainTable, keys: tuple[str, ...]):
    """Pairs (old index, new index) of rows that differ, and the old and new indices left over. Identical
    rows pair at once and are left out: most rows of a year, and every row that sorting moved."""
    pairs: list[tuple[int, int]] = []
    if old.headers == new.headers:
        rest_old, rest_new = _unpaired(list(map(_SECOND, old.rows)), list(map(_SECOND, new.rows)))
    else:
        rest_old, rest_new = list(range(len(old.rows))), list(range(len(new.rows)))

    def key(t: PlainTable, values: tuple) -> tuple:
        return tuple(_key_text(values[t.headers.index(k)]) if k in t.headers else "" for k in keys)

    groups_old: dict[tuple, list[int]] = {}
    for i in rest_old:
        groups_old.setdefault(key(old, old.rows[i][1]), []).append(i)
    groups_new: dict[tuple, list[int]] = {}
    for j in rest_new:
        groups_new.setdefault(key(new, new.rows[j][1]), []).append(j)
    same_shape = old.headers == new.headers
    left_old: list[int] = []
    left_new: list[int] = []
    for k, olds in groups_old.items():
        news = groups_new.get(k, [])
        if len(olds) == 1 and len(news) == 1:
            pairs.append((olds[0], news[0]))
            continue
        free_old = list(olds)
        free_new = []
        for j in news:  # identical rows first: reordering duplicates is no change
            same = next((i for i in free_old if same_shape and old.rows[i][1] == new.rows[j][1]), None)
            if same is None:
                free_new.append(j)
            else:
                free_old.remove(same)
        for i, j in zip(free_old, free_new, strict=False):
            pairs.append((i, j))
        left_old += free_old[len(free_new):]
        left_new += free_new[len(free_old):]
    left_new += [j for k, news in groups_new.items() if k not in groups_old for j in news]
    # a key edited in place: the same sheet row, one unmatched on each side
    new_at = {new.rows[j][0]: j for j in left_new}
    for i in list(left_old):
        moved = new_at.get(old.rows[i][0])
        if moved is not None:
            pairs.append((i, moved))
            left_old.remove(i)
            left_new.remove(moved)
            del new_at[old.rows[i][0]]
    return pairs, left_old, sorted(left_new)


def _unpaired(old: list[tuple], new: list[tuple]) -> tuple[list[int], list[int]]:
    """The indices of the rows left when each new row takes the first still-free old row of the same values
    (sorting rows leaves nothing). A year's rows are distinct and few of them change: then the sets differ in
    a few rows, found in C; otherwise row by row."""
    old_set, new_set = set(old), set(new)
    if len(old_set) == len(old) and len(new_set) == len(new):  # no two rows alike on either side
        either = old_set.symmetric_difference(new_set)  # one pass of lookups instead of two differences
        gone, came = either & old_set, either - old_set
        if len(gone) + len(came) <= _FEW:
            return sorted(map(old.index, gone)), sorted(map(new.index, came))
    waiting: dict[tuple, list[int]] = {}
    for i, values in enumerate(old):
        waiting.setdefault(values, []).append(i)
    rest_new = []
    for j, values in enumerate(new):
        hit = waiting.get(values)
        if hit:
            hit.pop(0)
        else:
            rest_new.append(j)
    return sorted(i for ids in waiting.values() for i in ids), rest_new


_FEW = 32  # changed rows looked up by position (each a scan of the table in C)


def _decided(table: str, t: PlainTable) -> bool:
    """A department whose every item has its 审定 filled (in the earlier snapshot)."""
    if not table.startswith("tblItems_") or DECIDED_STAGE not in t.headers or not t.rows:
        return False
    k = t.headers.index(DECIDED_STAGE)
    return all(values[k] is not None for _, values in t.rows)


def _letter(t: PlainTable, header: str) -> str:
    return t.letters[t.headers.index(header)] if header in t.headers else ""


def _span(t: PlainTable, row: int) -> str:
    return f"{t.letters[0]}{row}:{t.letters[-1]}{row}" if t.letters else ""


def diff_table(name: str, old: PlainTable, new: PlainTable) -> list[Change]:
    keys = keys_of(name)
    pairs, gone, added = _match(old, new, keys)
    decided = _decided(name, old)
    out: list[tuple[int, Change]] = []
    nth_old = _nth(name, old)
    for i, j in pairs:
        (_, ov), (new_row, nv) = old.rows[i], new.rows[j]
        before = dict(zip(old.headers, ov, strict=True))
        for h, value in zip(new.headers, nv, strict=True):
            was = before.get(h)
            if was == value:
                continue
            out.append((new_row, Change(
                new.sheet, f"{_letter(new, h)}{new_row}", label(name, old, ov, h, nth_old[i]), shown(was), shown(value),
                name, h, decided and h == DECIDED_STAGE and was is not None)))
    for i in gone:
        row, ov = old.rows[i]
        out.append((row, Change(old.sheet, _span(old, row), label(name, old, ov, nth=nth_old[i]), row_text(ov), None, name)))
    nth_new = _nth(name, new)
    for j in added:
        row, nv = new.rows[j]
        out.append((row, Change(new.sheet, _span(new, row), label(name, new, nv, nth=nth_new[j]), None, row_text(nv), name)))
    out.sort(key=lambda rc: rc[0])
    return [ch for _, ch in out]


def _nth(name: str, t: PlainTable) -> list[int]:
    """For bonus rows: the order of a row among the rows of the same 加分项目 (labels 第2条 …)."""
    if not name.startswith("tblBonus_"):
        return [0] * len(t.rows)
    seen: dict[str, int] = {}
    out = []
    for _, values in t.rows:
        k = _key_text(values[0]) if values else ""
        out.append(seen.get(k, 0))
        seen[k] = seen.get(k, 0) + 1
    return out


def diff(old: Snapshot, new: Snapshot) -> list[Change]:
    """Every change from `old` to `new`, table by table in `new`'s order, then row by row."""
    out: list[Change] = []
    for name, t in new.items():
        prior = old.get(name)
        if prior is not None and prior.headers == t.headers and prior.rows == t.rows:
            continue  # the same rows on the same sheet rows
        out += diff_table(name, prior or PlainTable(t.sheet, t.headers, t.letters), t)
    for name, t in old.items():
        if name not in new:  # a table gone (a department removed from the rules): its rows are gone
            out += diff_table(name, t, PlainTable(t.sheet, t.headers, t.letters))
    return out


# Applying a plan's writes to plain tables (collect, import-signins: what the tables will hold) -------
def with_writes(snapshot: Snapshot, cells: Iterable[tuple[str, str, object]],
                appends: Iterable[tuple[str, list[list], int]]) -> Snapshot:
    """The tables after writing `cells` (sheet, ref, value) and appending rows (table, rows in the table's
    column order from its first column, first sheet row). Tables are copied, never changed in place."""
    out = {name: PlainTable(t.sheet, t.headers, t.letters, list(t.rows), t.top, t.last) for name, t in snapshot.items()}
    for sheet, ref, value in cells:
        m = _REF.match(ref.replace("$", ""))
        if not m:
            continue
        letter, row = m[1], int(m[2])
        for t in out.values():
            if t.sheet != sheet or letter not in t.letters or not (t.top < row <= max(t.last, t.top)):
                continue
            _set(t, row, t.letters.index(letter), canonical(value))
            break
    for name, rows, start in appends:
        grown = out.get(name)
        if grown is None or not grown.letters:
            continue
        left = min(col_index(x) for x in grown.letters)
        for i, values in enumerate(rows):
            row = start + i
            for k, letter in enumerate(grown.letters):
                j = col_index(letter) - left
                _set(grown, row, k, canonical(values[j] if j < len(values) else None))
            grown.last = max(grown.last, row)
    return out


def _set(t: PlainTable, row: int, k: int, value: object) -> None:
    for idx, (r, values) in enumerate(t.rows):
        if r == row:
            new = values[:k] + (value,) + values[k + 1:]
            if all(v is None for v in new):
                del t.rows[idx]
            else:
                t.rows[idx] = (r, new)
            return
    if value is not None:
        values = tuple(value if i == k else None for i in range(len(t.headers)))
        t.rows.append((row, values))
        t.rows.sort(key=lambda rv: rv[0])


# The log ---------------------------------------------------------------------------------------------
def log_rows(changes: list[Change], when: str, who: str, source: str) -> list[list]:
    """tblChanges rows: 时间, 修改人, 工作表, 单元格, 项目, 原值, 新值, 来源, 备注."""
    return [[when, who, ch.sheet, ch.cell, ch.item, ch.old, ch.new, source, DECIDED_NOTE if ch.decided else None]
            for ch in changes]


def decided_warnings(rows: Iterable[dict[str, object]]) -> list[Issue]:
    """One warning per 审定 cell changed after its department was 审定, from the log (the latest change
    wins): the 校验 table is rewritten on every run, the log keeps the fact."""
    latest: dict[tuple[str, str], dict[str, object]] = {}
    for r in rows:
        if _key_text(r.get("备注")) == DECIDED_NOTE:
            latest[(_key_text(r.get("工作表")), _key_text(r.get("单元格")))] = r
    out = []
    for (sheet, cell), r in latest.items():
        who = _key_text(r.get("修改人"))
        when = _key_text(r.get("时间"))
        out.append(Issue(WARNING, sheet, cell,
                         f"{_key_text(r.get('项目'))}在部门审定后被修改：{_key_text(r.get('原值')) or '空白'} → "
                         f"{_key_text(r.get('新值')) or '空白'}（{when}{'，' + who if who else ''}，见“变更记录”），请核对"))
    return out
