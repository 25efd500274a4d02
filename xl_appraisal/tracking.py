"""变更记录 for a read book (file or live Excel): its input tables as plain data, the snapshot stored in it,
what changed, and the writes that record it (the snapshot table, the log rows, the hash property).

The rules (keys, labels, what counts as a change) are in the pure module `xl_appraisal.changelog`.
"""

from __future__ import annotations

import datetime as dt
import getpass
from dataclasses import dataclass, field
from operator import itemgetter

from xl_appraisal import changelog as cl
from xl_appraisal.engine.issues import WARNING, Issue
from xl_appraisal.plan import AppendRows, Plan, TableWrite
from xl_appraisal.workbook import contract as c
from xl_appraisal.workbook.read import Book, TableRows, WorkbookUnusable, read_table
from xl_appraisal.workbook.write import split_ref

UNSET = "-"  # the hash property of a workbook with no snapshot yet
TOOL_NAMES = {"", "xl-appraisal", "openpyxl"}  # a last-modified-by that names no person


def now() -> str:
    return dt.datetime.now().strftime("%Y-%m-%d %H:%M")


def os_user() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError, ImportError):  # no user name in the environment (a service account)
        return ""


def who(book: Book) -> str:
    """修改人: the file's last-modified-by (who saved the edits) or the Excel user; else the OS user."""
    name = (book.modified_by or "").strip()
    return name if name.lower() not in TOOL_NAMES else os_user()


def _tracked(table: c.Table) -> tuple[str, ...]:
    return tuple(h for h in table.headers if h not in table.computed)


def _plain(tr: TableRows, headers: tuple[str, ...]) -> cl.PlainTable:
    headers = tuple(h for h in headers if h in tr.columns)
    last = max(split_ref(tr.ref)[3], max(map(itemgetter(0), tr.rows), default=0))
    return cl.plain_table(tr.sheet, headers, (tr.columns[h] for h in headers), tr.rows, tr.header_row, last)


def current(book: Book) -> cl.Snapshot:
    """The book's input tables now: 人员, 考勤, 请假, 日历, each department's items and bonus rows, 参数."""
    snap: cl.Snapshot = {}
    for t in (c.STAFF, c.ATTENDANCE, c.LEAVE, c.CALENDAR):
        snap[t.name] = _plain(book.tables[t.name], _tracked(t))
    for dept in book.policy.departments:
        items = book.tables[f"tblItems_{dept.code}"]
        snap[items.table.name] = _plain(items, _tracked(items.table))
        bonus = book.tables[f"tblBonus_{dept.code}"]
        snap[bonus.table.name] = _plain(bonus, _tracked(bonus.table))
    snap[c.POLICY.name] = _plain(read_table(book.raw, c.POLICY), ("参数", "值"))
    snap[c.BONUS_KINDS.name] = _plain(read_table(book.raw, c.BONUS_KINDS), _tracked(c.BONUS_KINDS))
    return snap


@dataclass
class Tracking:
    """What 变更记录 found in one read of a book."""

    available: bool  # the book has the 变更记录 sheet and the snapshot
    baseline: bool = False  # no usable snapshot before: this run records one, and no changes
    snapshot: cl.Snapshot = field(default_factory=dict)  # the input tables now
    text: str = ""  # their encoded snapshot
    changes: list[cl.Change] = field(default_factory=list)
    notes: list[list] = field(default_factory=list)  # log rows that are not cell changes (a damaged snapshot)
    issues: list[Issue] = field(default_factory=list)
    log_start: int = 0  # the first unused row of tblChanges
    stored_text: str = ""
    who: str = ""
    when: str = ""


def _log_table(book: Book) -> TableRows:
    return read_table(book.raw, c.CHANGES, extend=True)


def stored(book: Book) -> tuple[str, str | None, bool]:
    """(the stored snapshot's text, its hash from the document properties (None: cannot be read here),
    whether the snapshot table had anything in it)."""
    table = read_table(book.raw, c.SNAPSHOT)
    parts = sorted((r.get("序号") if isinstance(r.get("序号"), (int, float)) else 0, str(r.get("内容") or ""))
                   for _, r in table.rows)
    text = "".join(p for _, p in parts)
    props = book.properties
    return text, (None if props is None else props.get(c.SNAPSHOT_PROP, "")), bool(table.rows)


def track(book: Book) -> Tracking:
    """Compare the book's input tables with its stored snapshot. Never raises for a damaged snapshot:
    that is a warning, and this run records a new baseline."""
    if not all(t.name in book.raw for t in c.TRACKING_TABLES):
        return Tracking(False, issues=[Issue(WARNING, "", "", "本工作簿没有“变更记录”表（用旧版模板建立），本次未记录变更；"
                                                             "用 xl-appraisal new 新建的工作簿会自动记录")])
    if book.policy is None or book.inputs is None:
        return Tracking(False)  # the tables cannot all be read: compare next time, against the last snapshot
    try:
        log = _log_table(book)
        text, hash_, filled = stored(book)
    except WorkbookUnusable as exc:  # a header of the log or the snapshot was changed by hand
        return Tracking(False, issues=[Issue(WARNING, c.CHANGES.sheet, "", f"变更记录未更新：{exc}")])
    t = Tracking(True, when=now(), who=who(book), stored_text=text)
    t.log_start = max((r for r, _ in log.rows), default=log.header_row) + 1
    t.snapshot = current(book)
    parts = cl.encode_parts(t.snapshot)
    t.text = cl.join(parts)
    damaged = ""
    if not filled and hash_ in (None, "", UNSET):
        t.baseline = True
    elif hash_ is not None and hash_ != cl.digest(text):
        damaged = "与文件属性中的校验值不符" if hash_ not in ("", UNSET) else "文件属性中没有它的校验值"
    if not t.baseline and not damaged and text == t.text:
        pass  # the tables are as they were: no change (the common case, without decoding)
    elif not t.baseline and not damaged:
        try:
            t.changes = cl.diff(cl.decode_like(text, t.snapshot, parts), t.snapshot)
        except (cl.SnapshotDamaged, TypeError, ValueError, IndexError):  # never a crash: a warning and a new baseline
            damaged = "无法读取"
    if damaged:
        t.baseline = True
        t.issues.append(Issue(WARNING, c.CHANGES.sheet, "", f"变更记录的快照（隐藏工作表“{c.SNAPSHOT_SHEET}”）{damaged}，"
                                                              "可能被改动过：本次未比较变更，已按当前数据重新建立基线"))
        t.notes.append([t.when, t.who, c.SNAPSHOT_SHEET, "", "变更记录快照", f"校验失败：{damaged}",
                        "已按当前数据重新建立基线", "recalc", None])
    rows = [r for _, r in log.rows] + [dict(zip(c.CHANGES.all_headers, row, strict=True))
                                       for row in cl.log_rows(t.changes, t.when, t.who, "recalc")]
    t.issues += cl.decided_warnings(rows)
    return t


def plan(t: Tracking | None, source: str = "recalc", changes: list[cl.Change] | None = None,
         text: str | None = None) -> Plan:
    """The writes that record a run: new log rows, and the snapshot with its hash when it changed."""
    if t is None or not t.available:
        return Plan()
    text = t.text if text is None else text
    rows = t.notes + cl.log_rows(t.changes if changes is None else changes, t.when, t.who, source)
    out = Plan()
    if rows:
        out.appends.append(AppendRows(c.CHANGES.name, rows, t.log_start))
    if text != t.stored_text or t.baseline:
        out.tables.append(TableWrite(c.SNAPSHOT.name, [[i + 1, part] for i, part in enumerate(cl.chunks(text))]))
        out.properties[c.SNAPSHOT_PROP] = cl.digest(text)
    return out


def record(book: Book, edits: Plan, source: str, sources: dict[str, str] | None = None,
           found_by: str = "") -> Plan:
    """变更记录 for a command that writes input cells (collect, import-signins): hand edits made since the
    last recalc first (来源 `found_by`), then the command's own changes (来源 `source`, or per sheet from
    `sources`); the snapshot becomes the tables as the command leaves them, so the next recalc does not
    record the same changes again."""
    t = track(book)
    if not t.available:
        return Plan()
    after = cl.with_writes(t.snapshot, [(w.sheet, w.ref, w.value) for w in edits.cells],
                           [(a.table, a.rows, a.start) for a in edits.appends])
    own = cl.diff(t.snapshot, after)
    t.notes += cl.log_rows(t.changes, t.when, t.who, found_by or f"手工修改（{source.split('：')[0]}时发现）")
    for ch in own:
        t.notes += cl.log_rows([ch], t.when, t.who, (sources or {}).get(ch.sheet, source))
    return plan(t, changes=[], text=cl.encode(after))


def summary(t: Tracking | None) -> str:
    """One line for the screen and the ribbon's message: what 变更记录 did this run ('' when nothing)."""
    if t is None or not t.available:
        return ""
    if t.changes:
        decided = sum(ch.decided for ch in t.changes)
        return f"变更记录：记下{len(t.changes)}处改动" + (f"，其中{decided}处是部门审定后改的审定分" if decided else "") + "。"
    if t.baseline:
        return "变更记录：已建立基线（以后每次重新计算记下改动）。"
    return ""

