"""What the command line prints, in one shape for every command: the summary first, the issues after
(capped, the rest counted and pointed at the 校验 sheet), and the verdict as the very last line, so it is
what the clerk sees when the command ends.

Every text is printed literally: the console interprets no markup and no emoji codes, so a name such as
`张伟[/b]` or a note `旷工[/am]` shows as typed (rich would otherwise eat or choke on the brackets).
Modes: normal (capped), verbose (everything), quiet (the verdict line only).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from rich.console import Console
from rich.text import Text

from xl_appraisal.engine.messages import half_days_text, linked_text, status_label

NORMAL, VERBOSE, QUIET = "normal", "verbose", "quiet"
ERROR_CAP, WARNING_CAP = 20, 10  # issues shown in normal mode
PEOPLE_CAP = 50  # rows of the payout table shown in normal mode


def _tolerate_unencodable(stream: object) -> None:
    """A console in a legacy code page (Chinese Windows pipes and redirects output in GBK) cannot encode every
    character a name may hold (an emoji, 𠀀): such a character is written as its code point (\\U0001f600)
    instead of failing the whole command after its work is done."""
    import io

    encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "").replace("_", "")
    if isinstance(stream, io.TextIOWrapper) and not encoding.startswith("utf") and stream.errors == "strict":
        stream.reconfigure(errors="backslashreplace")


def make_console() -> Console:
    """A console that prints user text literally (no markup, no emoji codes, no highlighting)."""
    import sys

    _tolerate_unencodable(sys.stdout)
    console = Console(highlight=False, markup=False, emoji=False)
    if not console.is_terminal:  # piped or captured: do not squeeze tables into 80 columns
        console = Console(highlight=False, markup=False, emoji=False, width=140)
    return console


class Screen:
    """The command line's output, honouring --verbose / --quiet."""

    def __init__(self, mode: str = NORMAL, console: Console | None = None) -> None:
        self.mode = mode
        self.console = console or make_console()

    @property
    def verbose(self) -> bool:
        return self.mode == VERBOSE

    def line(self, text: str, style: str | None = None) -> None:
        """A line of detail: not printed in quiet mode."""
        if self.mode != QUIET:
            self.console.print(Text(text, style=style or ""), soft_wrap=True)

    def table(self, table: Table) -> None:
        if self.mode != QUIET:
            lines = laid_out(table, self.console)
            width = self.console.options.max_width
            if lines is None and numbers_fit(table, width):
                self.console.print(rich_table(table, width))
            elif lines is None:  # too narrow for the amounts: one record a row, never an amount cut or folded
                self.console.print(Text("\n").join(records(table)))
            else:
                self.console.print(Text("\n").join(lines), soft_wrap=True)

    def verdict(self, text: str, style: str | None = None) -> None:
        """The command's last line, printed in every mode, never broken (a script may read it)."""
        self.console.print(Text(text, style=style or ""), soft_wrap=True)


class Styled(NamedTuple):
    """A table cell's text with its style (e.g. 错误 in red)."""

    text: str
    style: str = ""


@dataclass
class Table:
    """A table to print: a title, headers (some right-aligned), rows of literal text."""

    title: str
    headers: tuple[str, ...]
    right: frozenset[str]
    rows: list[tuple[tuple[Styled, ...], str]] = field(default_factory=list)  # (cells, row style)


def make_table(title: str, headers: Sequence[str], right: Iterable[str] = ()) -> Table:
    return Table(title, tuple(headers), frozenset(right))


def add_row(table: Table, *values: object, style: str | None = None) -> None:
    """A row of literal text (a value is never read as markup)."""
    table.rows.append((tuple(v if isinstance(v, Styled) else Styled("" if v is None else str(v)) for v in values),
                       style or ""))


def _widest(table: Table, i: int) -> int:
    from rich.cells import cell_len

    return max([cell_len(table.headers[i])] + [cell_len(cells[i].text) for cells, _ in table.rows if i < len(cells)])


def numbers_fit(table: Table, width: int) -> bool:
    """Whether a console `width` wide holds the table's right-aligned columns (amounts) whole, with room for
    the text columns to wrap (two cells each): then rich lays the table out wrapping only text."""
    n = len(table.headers)
    numbers = [i for i, h in enumerate(table.headers) if h in table.right]
    if not numbers:
        return True
    return len(numbers) < n and sum(_widest(table, i) + 2 for i in numbers) + 4 * (n - len(numbers)) + n + 1 <= width


def records(table: Table) -> list[Text]:
    """A table too wide for the console even with its text wrapped (the payout table in an 80-column
    window): each row as one record, its text cells first, then each amount after its header
    (`旷工：0天  考勤津贴：2,000.00`), fields two spaces apart so the console wraps between fields, never
    inside one."""
    lines = [Text(table.title, style="bold")]
    for cells, style in table.rows:
        line = Text(style=style)
        texts = [c for h, c in zip(table.headers, cells, strict=False) if h not in table.right and c.text]
        numbers = [(h, c) for h, c in zip(table.headers, cells, strict=False) if h in table.right and c.text]
        for k, c in enumerate(texts):
            line.append(("  " if k else "") + c.text, style=c.style)
        for k, (h, c) in enumerate(numbers):
            line.append(("  " if k or texts else "") + f"{h}：")
            line.append(c.text, style=c.style)
        lines.append(line)
    return lines


def rich_table(table: Table, width: int | None = None):
    """The table as rich lays it out (SIMPLE_HEAD box, no outer padding, bold header): the layout
    `laid_out` reproduces line for line when the table fits. A table wider than the console wraps its
    text cells (overflow "fold"): no name is cut to "欧阳长…"; the amounts stay whole on one line when the
    console (`width`) holds them (numbers_fit; else Screen prints `records`)."""
    from rich import box
    from rich.table import Table as RichTable

    whole = width is not None and numbers_fit(table, width)
    out = RichTable(title=Text(table.title), box=box.SIMPLE_HEAD, pad_edge=False, header_style="bold")
    for h in table.headers:
        out.add_column(Text(h), justify="right" if h in table.right else "left", overflow="fold",
                       no_wrap=whole and h in table.right)
    for cells, style in table.rows:
        out.add_row(*(Text(c.text, style=c.style) for c in cells), style=style or None)
    return out


def laid_out(table: Table, console: Console) -> list[Text] | None:
    """The table's lines exactly as rich's Table would print them (same characters, same styles), for a
    table that fits the console's width without wrapping: printing these lines costs a tenth of letting
    rich lay the table out. None when rich must do it (too wide, text needing wrapping or tab expansion,
    a console that cannot show the box characters, rows of another length)."""
    from rich.cells import cell_len

    options = console.options
    if options.legacy_windows or options.ascii_only or not table.headers:
        return None
    n = len(table.headers)
    header = tuple(Styled(h) for h in table.headers)
    rows = [(header, "bold")] + [(cells, "") for cells, _ in table.rows]
    if any(len(cells) != n for cells, _ in rows) or any(style for _, style in table.rows):
        return None
    texts = [table.title, *(c.text for cells, _ in rows for c in cells)]
    if not table.title or any(not t.isprintable() or t != t.strip() for t in texts):
        return None
    content = [max(cell_len(cells[i].text) for cells, _ in rows) for i in range(n)]
    pads = [(0 if i == 0 else 1, 0 if i == n - 1 else 1) for i in range(n)]
    widths = [content[i] + pads[i][0] + pads[i][1] for i in range(n)]
    total = sum(widths) + 2 + (n - 1)  # the box's two edges and the separators between columns
    title_width = cell_len(table.title)
    if min(widths) < 1 or min(content) < 1 or total > options.max_width or title_width > total:
        return None
    left = (total - title_width) // 2
    lines = [Text(" " * left + table.title + " " * (total - title_width - left)), Text(" " * total)]
    for number, (cells, style) in enumerate(rows):
        line = Text(" ")
        for i, cell in enumerate(cells):
            fill = " " * (content[i] - cell_len(cell.text))
            body = fill + cell.text if table.headers[i] in table.right else cell.text + fill
            before, after = " " * pads[i][0], " " * pads[i][1]
            if style:  # the header: padding and text in its style (three spans, as rich's segments)
                line.append(before, style=style)
                line.append(body, style=style)
                line.append(after, style=style)
            else:
                line.append(before)
                line.append(body, style=cell.style)
                line.append(after)
            line.append(" ")
        lines.append(line)
        if number == 0:
            lines.append(Text(" " + "─" * (total - 2) + " "))
    lines.append(Text(" " * total))
    return lines


def count_levels(issues: Sequence) -> tuple[int, int]:
    errors = sum(i.level == "error" for i in issues)
    return errors, len(issues) - errors


def check_line(issues: Sequence) -> str:
    errors, warnings = count_levels(issues)
    return f"校验：{errors}个错误，{warnings}个提醒"


def verdict_style(issues: Sequence) -> str:
    errors, warnings = count_levels(issues)
    return "red" if errors else "yellow" if warnings else "green"


def shown_issues(issues: Sequence, verbose: bool) -> list:
    """The issues printed: all in verbose mode, else the first ERROR_CAP errors and WARNING_CAP warnings."""
    if verbose:
        return list(issues)
    errors = [i for i in issues if i.level == "error"][:ERROR_CAP]
    warnings = [i for i in issues if i.level != "error"][:WARNING_CAP]
    keep = {id(i) for i in errors + warnings}
    return [i for i in issues if id(i) in keep]


def print_issues(screen: Screen, issues: Sequence, sheet_written: bool = True) -> None:
    """The issue table, capped unless verbose; the rest counted with where to find them."""
    if not issues:
        return
    shown = shown_issues(issues, screen.verbose)
    table = make_table("校验结果", ("级别", "位置", "说明"))
    for i in shown:
        level = Styled("错误", "red") if i.level == "error" else Styled("提醒", "yellow")
        add_row(table, level, i.where, i.message)
    screen.table(table)
    rest = len(issues) - len(shown)
    if rest:
        errors, warnings = count_levels([i for i in issues if all(i is not s for s in shown)])
        parts = "、".join(p for p in (f"{errors}个错误" if errors else "", f"{warnings}个提醒" if warnings else "") if p)
        where = "见“校验”表，或" if sheet_written else ""
        screen.line(f"另有{rest}条（{parts}）未显示，{where}加 --verbose 全部显示。")


def print_results(screen: Screen, result) -> None:
    """The departments' scores and the payout table (capped unless verbose)."""
    if result is None:
        return
    t = make_table("各部门得分", ("部门", "基础得分", "计入加分", "总分", "档次", "排名", "阶段"),
                   right=("基础得分", "计入加分", "总分", "档次", "排名"))
    for d in result.departments:
        add_row(t, d.name, f"{d.base:.2f}", f"{d.bonus:.2f}", f"{d.total:.2f}", d.tiers, d.rank, d.stage)
    screen.table(t)
    money_cols = ("挂钩得分", "旷工", "考勤津贴", "目标管理奖金", "合计")
    p = make_table(f"发放表（{status_label(result.final)}）",
                   ("姓名", "部门", "职务", *money_cols), right=money_cols)
    people = result.people if screen.verbose else result.people[:PEOPLE_CAP]
    for x in people:
        add_row(p, x.name, x.department, x.role, linked_text(x.linked_scores), half_days_text(x.absent_half_days),
                f"{x.allowance:,.2f}",
                f"{x.bonus:,.2f}", f"{x.total:,.2f}" + (" 全额扣除" if x.forfeited else ""))
    total = sum(x.total for x in result.people)
    add_row(p, "合计", "", "", "", "", "", "", f"{total:,.2f}")
    screen.table(p)
    if len(people) < len(result.people):
        screen.line(f"发放表另有{len(result.people) - len(people)}人未显示，见“发放”表，或加 --verbose 全部显示。")
