"""Tables are printed as lines laid out by terminal.laid_out when they fit (a tenth of rich's own layout
time); the output is byte for byte what rich's Table prints, in a terminal with colours and piped, and
rich still lays out whatever does not fit or needs wrapping."""

from __future__ import annotations

import io

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console
from rich.text import Text

from xl_appraisal.terminal import (
    Screen,
    Styled,
    add_row,
    laid_out,
    make_console,
    make_table,
    numbers_fit,
    records,
    rich_table,
)


class Encoded(io.StringIO):
    encoding = "utf-8"


def console(terminal: bool, width: int, colors: str | None = "truecolor", encoding: str = "utf-8") -> Console:
    out = Encoded()
    out.encoding = encoding
    return Console(highlight=False, markup=False, emoji=False, width=width, file=out, force_terminal=terminal,
                   color_system=colors if terminal else None, legacy_windows=False)


def by_rich(table, con: Console) -> str:
    """What rich prints for the table (or, too narrow for its amounts, the records Screen falls back to)."""
    if laid_out(table, con) is None and not numbers_fit(table, con.options.max_width):
        con.print(Text("\n").join(records(table)))
    else:
        con.print(rich_table(table, con.options.max_width))
    return con.file.getvalue()  # type: ignore[attr-defined]


def by_screen(table, con: Console) -> str:
    Screen(console=con).table(table)
    return con.file.getvalue()  # type: ignore[attr-defined]


WORDS = ["张伟", "办公室", "101.00", "13天（26个半天）", "2,000.00", "0.00 全额扣除", "", "x", "[b]", "考勤!A5",
         "日期为空白", " 前后有空格 ", "a\tb", "两\n行", "ａｂｃ", "😀", "e\u0301", "零\u200b宽", "very long text " * 3]
STYLES = ["", "red", "yellow", "bold"]


@st.composite
def tables(draw):
    n = draw(st.integers(1, 6))
    headers = draw(st.lists(st.sampled_from(["姓名", "部门", "合计", "旷工", "说明", "级别", "A", "x y"]), min_size=n,
                            max_size=n))
    table = make_table(draw(st.sampled_from(["发放表（审定）", "校验结果", "T", "很长的标题" * 12])), headers,
                       right=draw(st.sets(st.sampled_from(headers))))
    for _ in range(draw(st.integers(0, 8))):
        add_row(table, *(Styled(draw(st.sampled_from(WORDS)), draw(st.sampled_from(STYLES))) for _ in range(n)))
    return table


@settings(max_examples=400, deadline=None)
@given(tables(), st.booleans(), st.sampled_from([20, 40, 80, 140]), st.sampled_from(["truecolor", "standard", "256"]))
def test_a_table_prints_byte_for_byte_as_rich_prints_it(table, terminal, width, colors):
    assert by_screen(table, console(terminal, width, colors)) == by_rich(table, console(terminal, width, colors))


def test_the_payout_table_and_the_issue_table_take_the_fast_path_and_match():
    pay = make_table("发放表（审定）", ("姓名", "部门", "职务", "挂钩得分", "旷工", "合计"), right=("挂钩得分", "旷工", "合计"))
    for i in range(40):
        add_row(pay, f"张伟{i}", "职工服务中心", "部门负责人", "101.00／101.00", f"{i}天（{2 * i}个半天）", f"{i * 100:,.2f}")
    issues = make_table("校验结果", ("级别", "位置", "说明"))
    add_row(issues, Styled("错误", "red"), "考勤!A5", "日期为空白")
    add_row(issues, Styled("提醒", "yellow"), "人员!B7", "职务“”无法识别")
    for table in (pay, issues):
        for terminal in (False, True):
            con = console(terminal, 140)
            assert laid_out(table, con) is not None
            assert by_screen(table, con) == by_rich(table, console(terminal, 140))


def test_what_does_not_fit_or_cannot_show_the_box_is_left_to_rich():
    table = make_table("发放表", ("姓名", "说明"))
    add_row(table, "张伟", "很长的说明" * 20)
    assert laid_out(table, console(False, 80)) is None  # wraps: rich wraps it
    assert by_screen(table, console(False, 80)) == by_rich(table, console(False, 80))
    narrow = make_table("发放表", ("姓名",))
    add_row(narrow, "张伟")
    gbk = console(True, 80, encoding="gbk")  # a Chinese Windows console without UTF-8: rich draws ASCII
    assert laid_out(narrow, gbk) is None
    assert by_screen(narrow, console(True, 80, encoding="gbk")) == by_rich(narrow, console(True, 80, encoding="gbk"))
    assert laid_out(make_table("空", ()), console(False, 80)) is None


def test_the_command_lines_console_prints_the_table_as_before():
    table = make_table("各部门得分", ("部门", "总分"), right=("总分",))
    add_row(table, "办公室", "101.00")
    con = make_console()
    con.file = io.StringIO()
    Screen(console=con).table(table)
    expected = make_console()
    expected.file = io.StringIO()
    expected.print(rich_table(table))
    assert con.file.getvalue() == expected.file.getvalue()
    assert Text  # rich's Text is what the lines are made of


def test_a_command_runs_without_the_cycle_collector_and_gives_it_back(tmp_path, monkeypatch, capsys):
    """A command is one short run: the cycle collector is off while it works (it cost ≈8 % of a recalc)
    and back on afterwards when main() was called inside a longer process, even when the command fails."""
    import gc

    from workbooks import new_book

    from xl_appraisal import cli

    seen = []
    real = cli.cmd_check

    def spy(args):
        seen.append(gc.isenabled())
        return real(args)

    book = new_book(tmp_path)
    monkeypatch.setattr(cli, "cmd_check", spy)
    assert gc.isenabled()
    assert cli.main(["check", str(book)]) in (0, 1)  # a new book has its blank cells to fill
    assert seen == [False] and gc.isenabled()
    assert cli.main(["check", str(tmp_path / "missing.xlsm")]) == 2  # Unusable: the collector is back too
    assert gc.isenabled()
    gc.disable()
    try:
        cli.main(["check", str(book)])
        assert not gc.isenabled()  # a caller that had it off keeps it off
    finally:
        gc.enable()


def test_a_table_too_wide_for_the_console_wraps_and_never_cuts_a_name_or_an_amount():
    """An 80-column console (or a narrow window) printed the payout table with amounts cut to "2,000.…" and
    the grand total to "57,740.…" (rich's ellipsis): every cell is now shown whole, text columns wrapping
    first; amounts stay on one line while the console can hold them."""
    pay = make_table("发放表（暂定）", ("姓名", "部门", "职务", "挂钩得分", "旷工", "考勤津贴", "目标管理奖金", "合计"),
                     right=("挂钩得分", "旷工", "考勤津贴", "目标管理奖金", "合计"))
    add_row(pay, "欧阳" + "长" * 30, "职工服务中心", "常务副主席", "99.33／109.00", "14.5天（29个半天）", "2,000.00",
            "3,940.00", "5,940.00")
    add_row(pay, "黄磊", "保障部", "工作人员", "89.00", "15天（30个半天）", "0.00", "0.00", "0.00 全额扣除")
    add_row(pay, "合计", "", "", "", "", "", "", "57,740.00")
    amounts = ("99.33／109.00", "14.5天（29个半天）", "2,000.00", "3,940.00", "5,940.00", "0.00 全额扣除", "57,740.00")
    for terminal in (False, True):  # amounts whole, the text columns wrap
        text = by_screen(pay, console(terminal, 100, colors=None))
        assert "…" not in text and all(a in text for a in amounts) and text.count("长") == 30, text
    for width in (40, 80):  # too narrow for the amounts: one record a row, every amount whole on its line
        text = by_screen(pay, console(False, width))
        assert "…" not in text and text.count("长") == 30 and all(a in text for a in amounts), text
        assert "合计：57,740.00" in text and "考勤津贴：2,000.00" in text
