"""The clerk's command line (issue 15): Chinese all the way, output that ends with the verdict, capped
length; user text printed literally (issue 13, item 16)."""

from __future__ import annotations

import argparse
import datetime as dt
import inspect
import re
import sys
from pathlib import Path

import pytest
from test_nothing_lost import FULL, STAFF
from workbooks import fill, new_book

from xl_appraisal.cli import build_parser, main
from xl_appraisal.terminal import ERROR_CAP, WARNING_CAP

ROOT = Path(__file__).resolve().parent.parent


def argparse_words() -> set[str]:
    """Every English word of argparse's message catalogue (its gettext ids), read from its source."""
    src = inspect.getsource(argparse)
    ids = re.findall(r"""(?:\b_|ngettext)\(\s*(['"])(.*?)\1""", src, flags=re.S)
    ids += re.findall(r"""ngettext\([^,]*,\s*(['"])(.*?)\1""", src)
    words = {"int", "float", "subcommands"}
    for _, msgid in ids:
        words |= {w.lower() for w in re.findall(r"[A-Za-z]{2,}", re.sub(r"%\(\w+\)[sr]|%[sr]", " ", msgid))}
    return words


def run(argv: list[str], capsys) -> tuple[int, str]:
    try:
        code = main(argv)
    except SystemExit as exc:
        code = int(exc.code or 0)
    out = capsys.readouterr()
    return code, out.out + out.err


def english_left(text: str, inputs: list[str]) -> list[str]:
    """Catalogue words in `text` once option strings (-o/--output), command names and what the user
    typed are taken out."""
    for token in sorted(inputs, key=len, reverse=True):
        text = text.replace(token, " ")
    text = re.sub(r"(?<![\w-])--?[A-Za-z][\w-]*", " ", text)
    for name in COMMANDS:
        text = re.sub(rf"(?<![\w-]){re.escape(name)}(?![\w-])", " ", text)
    catalogue = argparse_words()
    return [w for w in re.findall(r"[A-Za-z]+", text) if w.lower() in catalogue]


def _commands() -> list[str]:
    sub = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    return list(sub.choices)


COMMANDS = _commands()
WRONG = [
    [],
    ["recal", "x.xlsm"],
    ["new"],
    ["new", "-o", "x.xlsm", "--year", "abc"],
    ["recalc"],
    ["recalc", "a.xlsm", "--bogus"],
    ["recalc", "a.xlsm", "-o"],
    ["recalc", "a.xlsm", "-v", "-q"],
    ["check", "a.xlsm", "b.xlsm"],
    ["collect", "b.xlsm"],
    ["verify"],
    ["--version"],
]


@pytest.mark.parametrize("argv", [[], *[[c] for c in COMMANDS]], ids=["main", *COMMANDS])
def test_help_is_chinese(argv, capsys):
    code, text = run([*argv, "--help"], capsys)
    assert code == 0 and "用法：" in text and "显示本帮助并退出" in text
    assert english_left(text, argv) == [], text
    assert not re.search(r"\b(OUTPUT|BOOK|FILE|FILES|DIR|RECORDS|YEAR|POLICY)\b", text), text  # metavars in Chinese


@pytest.mark.parametrize("argv", WRONG, ids=[" ".join(a) or "nothing" for a in WRONG])
def test_argparse_errors_are_chinese(argv, capsys):
    code, text = run(argv, capsys)
    assert code == 2 and "错误：" in text and "用法：" in text
    assert english_left(text, argv) == [], text


def test_the_catalogue_scan_can_fail(capsys):
    """The scan above finds argparse's own English (a plain ArgumentParser), so its silence means something."""
    parser = argparse.ArgumentParser(prog="x")
    parser.add_argument("-o", "--output", required=True)
    with pytest.raises(SystemExit):
        parser.parse_args([])
    text = capsys.readouterr().err
    assert {"usage", "error", "the", "following", "arguments", "are", "required"} <= set(english_left(text, []))


def test_argparse_is_english_again_outside_our_parser(capsys):
    """The Chinese catalogue is swapped in only while our parser works (pytest's own parser is untouched)."""
    run(["recalc"], capsys)
    assert argparse._("usage: ") == "usage: "


# output that ends with the verdict ------------------------------------------------------------------


@pytest.fixture(scope="module")
def noisy_year(tmp_path_factory) -> Path:
    """A 4,000-row year (the benchmark's large union) where every second date is text (a warning) and
    every fifth event names someone not in 人员 (an error): 800 errors, 1,600 warnings."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from bench import large_union

    from xl_appraisal.calendar import year_calendar
    from xl_appraisal.policy import load_policy
    from xl_appraisal.workbook.build import build_workbook
    from xl_appraisal.workbook.package import package

    data = large_union()
    for i, row in enumerate(data.attendance):
        if i % 2:
            row[0] = row[0].strftime("%Y/%m/%d")
        if i % 5 == 0:
            row[1] = row[1] + "[/b]"
    path = tmp_path_factory.mktemp("noisy") / "noisy.xlsm"
    path.write_bytes(package(build_workbook(load_policy(), year_calendar(2018), data), 2018))
    return path


def lines_of(text: str) -> list[str]:
    return [line for line in text.rstrip().splitlines()]


def test_big_year_output_is_capped_and_ends_with_the_verdict(noisy_year, tmp_path, capsys):
    out = tmp_path / "out.xlsm"
    assert main(["recalc", str(noisy_year), "-o", str(out)]) == 1
    lines = lines_of(capsys.readouterr().out)
    assert lines[-1] == f"校验：800个错误，1600个提醒；已写入 {out}（汇总、发放、校验、计分）"
    assert len(lines) < 120  # 40 people, two summary tables, 30 issues; was 2,464 lines
    assert sum("不在人员表中" in line for line in lines) == ERROR_CAP
    assert sum("不是日期格式" in line for line in lines) == WARNING_CAP
    assert "另有2370条（780个错误、1590个提醒）未显示，见“校验”表，或加 --verbose 全部显示。" in lines
    first_issue = next(i for i, line in enumerate(lines) if "校验结果" in line)
    assert first_issue > next(i for i, line in enumerate(lines) if "发放表" in line)  # summary first


def test_verbose_prints_everything_and_quiet_only_the_verdict(noisy_year, tmp_path, capsys):
    out = tmp_path / "out.xlsm"
    main(["recalc", str(noisy_year), "-o", str(out), "--verbose"])
    text = capsys.readouterr().out
    assert text.count("不在人员表中") == 800 and text.count("不是日期格式") == 1600
    assert "另有" not in text and lines_of(text)[-1].startswith("校验：800个错误，1600个提醒；已写入")
    main(["recalc", str(noisy_year), "-o", str(out), "--quiet"])
    assert lines_of(capsys.readouterr().out) == [f"校验：800个错误，1600个提醒；已写入 {out}（汇总、发放、校验、计分）"]


@pytest.fixture
def book(tmp_path) -> Path:
    return fill(new_book(tmp_path), tmp_path / "book.xlsm", staff=STAFF, scores=FULL)


def test_a_recalc_that_changes_nothing_says_so(book, capsys):
    main(["recalc", str(book)])
    assert lines_of(capsys.readouterr().out)[-1] == f"校验：0个错误，0个提醒；已写入 {book}（汇总、发放、校验、计分）"
    before = book.read_bytes()
    main(["recalc", str(book)])
    assert lines_of(capsys.readouterr().out)[-1] == f"校验：0个错误，0个提醒；内容无变化，未写入 {book}"
    assert book.read_bytes() == before


def test_check_ends_with_its_verdict_and_writes_nothing(book, capsys):
    assert main(["check", str(book)]) == 0
    assert lines_of(capsys.readouterr().out) == ["校验：0个错误，0个提醒（只校验，未写入）"]


def test_sync_vba_says_up_to_date_when_there_is_nothing_to_do(tmp_path, capsys):
    book = new_book(tmp_path)  # the template's module is the installed xlwings'
    before = book.read_bytes()
    assert main(["sync-vba", str(book)]) == 0
    text = capsys.readouterr().out
    assert "已是最新（" in text and "更新为" not in text
    assert book.read_bytes() == before


# user text printed literally (issue 13, item 16) ---------------------------------------------------

ODD = "张伟[/b]"  # a closing tag rich would choke on
EATEN = "李明[am]"  # a tag rich would silently eat
D = dt.datetime(2018, 3, 12)


def test_bracketed_names_and_notes_print_literally_in_recalc_and_check(tmp_path, capsys):
    staff = [*STAFF, [ODD, "办公室", "工作人员", None, "备注[/i]"]]
    attendance = [[D, ODD, "上午", "旷工", "旷工[/am]"], [D, EATEN, "上午", "迟到", "[red]x[/red]"]]
    book = fill(new_book(tmp_path), tmp_path / "book.xlsm", staff=staff, scores=FULL, attendance=attendance)
    for command in ("recalc", "check"):
        code, text = run([command, str(book), "--verbose"], capsys)
        assert code == 1, text
        assert f"“{EATEN}”不在人员表中" in text and "程序内部出错" not in text
        if command == "recalc":
            assert ODD in text  # the payout table


def test_bracketed_names_print_literally_in_import_signins(tmp_path, capsys):
    staff = [*STAFF, [ODD, "办公室", "工作人员", None, None]]
    book = fill(new_book(tmp_path), tmp_path / "book.xlsm", staff=staff, scores=FULL)
    lines = ["姓名,日期时间"]
    for name in ("刘洋", "陈静", EATEN):
        lines += [f"{name},2018/3/{day} {t}" for day in (12, 13) for t in ("08:55", "11:05", "14:50", "17:05")]
    # 张伟[/b]: late on Monday morning, no punch at all on Tuesday (旷工 全天: one record, two half-days)
    lines += [f"{ODD},2018/3/12 {t}" for t in ("09:30", "11:05", "14:50", "17:05")]
    records = tmp_path / "签到[am].csv"
    records.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, text = run(["import-signins", str(book), str(records)], capsys)
    assert code == 0 and "程序内部出错" not in text, text
    assert ODD in text and EATEN in text
    assert lines_of(text)[-1] == f"新增考勤记录 2 条；已写入 {book}（考勤）"
    assert "新增考勤记录 2 条，共 3 个半天：旷工1条（2个半天）、迟到1条（1个半天）" in text


def test_bracketed_file_names_print_literally_in_collect(book, tmp_path, capsys):
    import openpyxl

    foreign = tmp_path / "别人的[am].xlsx"
    openpyxl.Workbook().save(foreign)
    code, text = run(["collect", str(book), str(foreign)], capsys)
    assert code == 1 and "别人的[am].xlsx" in text and "程序内部出错" not in text, text
    assert lines_of(text)[-1] == "已回收 0 个部门，未回收 1 份；未写入"


def test_help_fits_the_terminal_and_lines_up_by_display_width(monkeypatch, capsys):
    """argparse pads by len(): a Chinese metavar (工作簿) pushed its help text out of line."""
    from xl_appraisal.argparse_zh import display_width

    monkeypatch.setenv("COLUMNS", "80")
    for command in COMMANDS:
        _, text = run([command, "--help"], capsys)
        assert all(display_width(line) <= 80 for line in text.splitlines()), text
    _, text = run(["recalc", "--help"], capsys)
    starts = set()
    for line in text.splitlines():
        m = re.match(r"^(  \S.*?\S)\s{2,}(\S.*)$", line)
        if m and not line.startswith("用法"):
            starts.add(display_width(line) - display_width(m[2]))
    assert len(starts) == 1, text


def test_any_text_with_markup_characters_prints_as_typed():
    """Property (issue 13, item 16): names, notes and messages with [ ] / : \\ print exactly as typed,
    in lines, verdicts and table cells."""
    import io

    from hypothesis import given, settings
    from hypothesis import strategies as st

    from xl_appraisal.terminal import Screen, add_row, make_console, make_table

    text = st.text(alphabet="[]/\\:=#@ab李张伟 旷工amredlink", min_size=1, max_size=30).map(str.strip).filter(bool)

    @settings(max_examples=200, deadline=None)
    @given(text, text)
    def check(name, note):
        buf = io.StringIO()
        console = make_console()  # the command line's own console, writing into a buffer
        console.file = buf
        console.width = 200
        screen = Screen(console=console)
        screen.line(note)
        table = make_table(name, ("姓名", "说明"))
        add_row(table, name, note)
        screen.table(table)
        screen.verdict(f"校验：{name}")
        out = buf.getvalue()
        assert note in out.splitlines()[0] and name in out and out.rstrip().splitlines()[-1] == f"校验：{name}"

    check()


def test_a_gbk_console_prints_names_it_cannot_encode_and_still_ends_with_the_verdict(tmp_path, monkeypatch):
    """Chinese Windows pipes and redirects output in the ANSI code page (GBK): a name with an emoji or a
    character outside GBK (𠀀) crashed the printing after the workbook was written (exit 3, no verdict).
    Such a character is shown by its code point; everything else as typed."""
    import io

    staff = [*STAFF, ["😀王", "办公室", "工作人员", None, None], ["𠀀明", "财务部", "工作人员", None, "备注😀"]]
    book = fill(new_book(tmp_path), tmp_path / "book.xlsm", staff=staff, scores=FULL)
    for command in ("recalc", "check"):
        raw = io.BytesIO()
        out = io.TextIOWrapper(raw, encoding="gbk")
        monkeypatch.setattr(sys, "stdout", out)
        code = main([command, str(book)])
        out.flush()
        text = raw.getvalue().decode("gbk")
        assert code == 0 and "程序内部出错" not in text, text
        if command == "recalc":  # the payout table
            assert "\\U0001f600王" in text and "\\U00020000明" in text and "刘洋" in text
        assert lines_of(text)[-1].startswith("校验：0个错误")


def test_output_piped_into_a_reader_that_stops_early_still_gets_its_json_written(tmp_path):
    """`recalc BOOK --json OUT | head -1`: the reader closes the pipe while the tables print; rich then ends
    the process. The JSON used to be written after the printing, so it was never written at all."""
    import subprocess

    book = fill(new_book(tmp_path), tmp_path / "book.xlsm",
                staff=[*STAFF, *([f"员工{i}", "办公室", "工作人员", None, None] for i in range(60))], scores=FULL)
    out = tmp_path / "结果.json"
    code = "import sys; from xl_appraisal.cli import main; sys.exit(main(sys.argv[1:]))"
    proc = subprocess.Popen([sys.executable, "-c", code, "recalc", str(book), "--json", str(out), "--verbose"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.readline()  # the reader takes one line and goes away
    proc.stdout.close()
    proc.wait(timeout=120)
    assert out.exists() and '"people"' in out.read_text(encoding="utf-8"), proc.stderr.read().decode()
    assert b"Traceback" not in proc.stderr.read()


def test_export_piped_into_a_reader_that_stops_early_still_writes_its_email_draft(tmp_path):
    """`export BOOK -o OUT --email | head -1`: the .eml was written after the fingerprint line was printed."""
    import subprocess

    book = fill(new_book(tmp_path), tmp_path / "book.xlsm", staff=STAFF, scores=FULL)
    out = tmp_path / "报送版.xlsx"
    code = "import sys; from xl_appraisal.cli import main; sys.exit(main(sys.argv[1:]))"
    proc = subprocess.Popen([sys.executable, "-c", code, "export", str(book), "-o", str(out), "--email"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()  # nobody reads
    proc.wait(timeout=120)
    assert out.exists() and out.with_suffix(".eml").exists(), proc.stderr.read().decode()
