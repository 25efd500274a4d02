"""The `xl-appraisal` command line (WORKBOOK.md): new, check, recalc, export, verify, demo.

Exit status: 0 no errors; 1 the workbook has errors; 2 the file could not be used at all.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import sys
from pathlib import Path

from xl_appraisal.argparse_zh import ChineseParser
from xl_appraisal.terminal import (
    NORMAL,
    QUIET,
    VERBOSE,
    Screen,
    add_row,
    check_line,
    make_console,
    make_table,
    print_issues,
    print_results,
    verdict_style,
)

EXIT_OK, EXIT_ERRORS, EXIT_UNUSABLE = 0, 1, 2


def _screen(args=None) -> Screen:
    mode = getattr(args, "mode", NORMAL) if args is not None else NORMAL
    return Screen(mode or NORMAL)


def cmd_new(args) -> int:
    from xl_appraisal.templates import check_year, new_workbook
    from xl_appraisal.workbook.paths import check_output

    screen = _screen(args)
    check_year(args.year)
    out = check_output(args.output, replace=args.force)
    cal = new_workbook(out, args.year, args.policy)
    if not cal.official:
        from xl_appraisal.calendar import CHECK_BY_HAND

        screen.line(f"注意：{CHECK_BY_HAND.format(year=args.year)}", style="yellow")
    screen.verdict(f"已生成 {out}（{args.year}年，{cal.working_days}个工作日）")
    return EXIT_OK


def cmd_check(args) -> int:
    from xl_appraisal.service import evaluate

    screen = _screen(args)
    outcome = evaluate(args.book)
    print_issues(screen, outcome.issues, sheet_written=False)
    screen.verdict(f"{check_line(outcome.issues)}（只校验，未写入）", style=verdict_style(outcome.issues))
    return EXIT_ERRORS if outcome.has_errors else EXIT_OK


def written_text(written: bool | None, path: object, what: str = "") -> str:
    """The tail of a verdict: where the result went, or that nothing needed writing."""
    if written is False:
        return f"内容无变化，未写入 {path}"
    return f"已写入 {path}" + (f"（{what}）" if what else "")


def cmd_recalc(args) -> int:
    from xl_appraisal.service import recalc, write_json
    from xl_appraisal.workbook.paths import check_output

    screen = _screen(args)
    if args.output:
        check_output(args.output, [args.book])
    if args.json:
        check_output(args.json, [args.book] + ([args.output] if args.output else []), what="JSON 文件")
    outcome = recalc(args.book, args.output)
    if args.json:  # every file first: a reader that closes the pipe early (| head) ends the printing
        write_json(outcome, args.json)
    print_results(screen, outcome.result)
    print_issues(screen, outcome.issues)
    if args.json:
        screen.line(f"已写出 {args.json}")
    from xl_appraisal.tracking import summary

    if summary(outcome.tracking):
        screen.line(summary(outcome.tracking))
    tail = written_text(outcome.written, args.output or args.book, "汇总、发放、校验、计分")
    screen.verdict(f"{check_line(outcome.issues)}；{tail}", style=verdict_style(outcome.issues))
    return EXIT_ERRORS if outcome.has_errors else EXIT_OK


def cmd_demo(args) -> int:
    from xl_appraisal.service import recalc, write_json
    from xl_appraisal.templates import demo_workbook
    from xl_appraisal.workbook.paths import check_output_folder

    screen = _screen(args)
    folder = check_output_folder(args.dir)
    folder.mkdir(parents=True, exist_ok=True)
    book = folder / "2018年度目标管理考核（示例）.xlsm"
    demo_workbook(book)
    outcome = recalc(book, backup=False)
    json_path = folder / "2018年度目标管理考核（示例）.json"
    write_json(outcome, json_path, backup=False)  # before printing: a closed pipe ends the printing
    print_results(screen, outcome.result)
    print_issues(screen, outcome.issues)
    screen.line(f"计算结果：{json_path}")
    screen.verdict(f"{check_line(outcome.issues)}；已写入示例工作簿 {book}", style=verdict_style(outcome.issues))
    return EXIT_ERRORS if outcome.has_errors else EXIT_OK


def _gate(screen: Screen, outcome, what: str, draft: bool):
    """The leadership's documents are made from a workbook without errors; with --draft, marked as a draft.
    Errors are listed as `check` lists them. Returns the Status, or None after refusing."""
    from xl_appraisal.errors import Refused
    from xl_appraisal.export import gate

    try:
        return gate(outcome, what, draft)
    except Refused as exc:
        print_issues(screen, outcome.issues, sheet_written=False)
        screen.line(f"如只需核对，可加 --draft 生成每页标明“草稿”的{what}。")
        screen.verdict(f"{exc.message}（{check_line(outcome.issues)}）", style="red")
        return None


def _marked(screen: Screen, status, what: str) -> None:
    """After the documents are written: say how they are marked when they are not final."""
    if status.draft:
        screen.line(f"注意：工作簿有{status.errors}个错误，{what}的每一页都标明“{status.mark}”。", style="yellow")
    elif not status.final:
        screen.line(f"注意：尚有部门未审定，{what}的每一页都标明“暂定”。", style="yellow")


def cmd_export(args) -> int:
    from xl_appraisal.export import NO_RECIPIENT, email_draft, export_book, recipients
    from xl_appraisal.service import evaluate
    from xl_appraisal.workbook.paths import check_output

    screen = _screen(args)
    out = check_output(args.output, [args.book])
    if args.email:
        check_output(out.with_suffix(".eml"), [args.book, out], what="邮件草稿")
    outcome = evaluate(args.book)
    status = _gate(screen, outcome, "报送版", args.draft)
    if status is None:
        return EXIT_ERRORS
    fingerprint = export_book(Path(args.book), out, draft=args.draft, outcome=outcome, changes=args.changes)
    eml = email_draft(outcome, out, fingerprint, draft=args.draft) if args.email else None  # files before printing
    screen.line(f"指纹（SHA-256）：{fingerprint}")
    if eml is not None:
        screen.line(f"已生成邮件草稿：{eml}（Outlook 打开即为草稿；其他邮件程序见 README）")
        if not recipients(outcome):
            screen.line(NO_RECIPIENT, style="yellow")
    _marked(screen, status, "报送版")
    screen.verdict(f"已导出报送版（{status.mark}）：{out}")
    return EXIT_OK


def cmd_verify(args) -> int:
    from xl_appraisal.export import NotAnExport, verify

    screen = _screen(args)
    try:
        verdict = verify(Path(args.file))
    except NotAnExport as exc:
        screen.verdict(str(exc), style="red")
        return EXIT_UNUSABLE
    if verdict.values_only:
        screen.line("注意：此报送版由旧版本生成，指纹只覆盖数值，不覆盖数字格式、隐藏的行列、文字颜色和批注。",
                    style="yellow")
    if verdict.ok:
        screen.verdict(f"未被改动：指纹 {verdict.fingerprint} 相符。", style="green")
        return EXIT_OK
    for line in verdict.changes:
        screen.line(f"  {line}")
    screen.verdict(f"文件已被改动（{len(verdict.changes)}处，见上）。", style="red")
    return EXIT_ERRORS


def cmd_signoff(args) -> int:
    from xl_appraisal.export import libreoffice
    from xl_appraisal.service import evaluate
    from xl_appraisal.signoff import write_signoffs
    from xl_appraisal.workbook.paths import check_output_folder

    screen = _screen(args)
    folder = check_output_folder(args.output, [args.book])
    outcome = evaluate(args.book)
    status = _gate(screen, outcome, "签字表", args.draft)
    if status is None:
        return EXIT_ERRORS
    written = write_signoffs(Path(args.book), folder, pdf=not args.no_pdf, replace=args.force, draft=args.draft,
                             outcome=outcome)
    for xlsx, pdf, digest in written:
        screen.line(f"{xlsx}" + (f"  {pdf.name}" if pdf else "") + f"  指纹 {digest[:16]}…")
    if not args.no_pdf and not libreoffice():
        screen.line("未安装 LibreOffice，只生成了 .xlsx；安装后可同时生成 PDF。", style="yellow")
    _marked(screen, status, "签字表")
    screen.verdict(f"已生成 {len(written)} 份确认表（{status.mark}），在 {args.output}")
    return EXIT_OK


def cmd_sync_vba(args) -> int:
    from xl_appraisal.excel.sync import sync_vba

    screen = _screen(args)
    old, new, changed = sync_vba(Path(args.book))
    if not changed:
        screen.verdict(f"{args.book} 中的 xlwings 模块已是最新（{new}），未写入。")
    else:
        screen.verdict(f"已把 {args.book} 中的 xlwings 模块由 {old or '（无）'} 更新为 {new}，其他模块和数据不变。")
    return EXIT_OK


def cmd_setup_excel(args) -> int:
    from xl_appraisal.excel.setup import setup_excel

    screen = _screen(args)
    interpreter, changed = setup_excel(Path(args.book), args.python)
    done = "已写入" if changed else "已是"
    screen.verdict(f"{args.book} 的功能区按钮和试算函数{done}使用 {interpreter}（xlwings.conf 中的 Interpreter_Win）；"
                   "换电脑或重装 Python 后请再运行一次。")
    return EXIT_OK


def cmd_import_signins(args) -> int:
    from xl_appraisal.signins import import_signins
    from xl_appraisal.workbook.paths import check_output

    screen = _screen(args)
    if args.output:
        check_output(args.output, [args.book, args.records])
    out = Path(args.output) if args.output else None
    report = import_signins(Path(args.book), Path(args.records), out)
    print_import(screen, report)
    unread = f"；{len(report.unreadable)} 行签到记录无法读取（见上）" if report.unreadable else ""
    if report.added:
        screen.verdict(f"新增考勤记录 {len(report.added)} 条；{written_text(report.written, out or args.book, '考勤')}{unread}")
    else:
        screen.verdict(f"没有需要新增的考勤记录，未写入{unread}。")
    return EXIT_OK


def print_import(screen: Screen, report) -> None:
    if report.unreadable:
        rows = "、".join(f"第{row}行（{what}）" for row, what in report.unreadable[:20])
        more = f"等（共{len(report.unreadable)}行）" if len(report.unreadable) > 20 else ""
        screen.line(f"签到记录中有{len(report.unreadable)}行无法读取，未使用：{rows}{more}", style="red")
    for line in report.unjudged:
        screen.line(line, style="yellow")
    if report.first is None:
        screen.line("签到记录中没有可用的打卡。")
        return
    screen.line(f"签到记录范围：{report.first} 至 {report.last}（范围外的日子不判断，视为出勤）")
    records = report.records_per_kind()
    kinds = "、".join(f"{k}{records[k]}条（{n}个半天）" for k, n in sorted(report.per_kind.items())) or "无"
    halves = sum(report.per_kind.values())
    screen.line(f"新增考勤记录 {len(report.added)} 条，共 {halves} 个半天：{kinds}。"
                f"此前已导入、这次跳过 {report.already} 个半天。")
    if report.per_person:
        t = make_table("按人统计（半天数；全天记录算2个半天）", ("姓名", "旷工", "迟到", "早退", "漏签"),
                       right=("旷工", "迟到", "早退", "漏签"))
        for name, counts in sorted(report.per_person.items()):
            add_row(t, name, *(counts.get(k, 0) for k in ("旷工", "迟到", "早退", "漏签")))
        screen.table(t)
    for line in report.typed_wins:
        screen.line(line, style="yellow")
    if report.unknown_names:
        screen.line(f"不在人员表中、未导入：{'、'.join(report.unknown_names)}", style="yellow")
    if report.not_in_records:
        screen.line(f"人员表中有、签到记录中没有（未判断）：{'、'.join(report.not_in_records)}", style="yellow")


def cmd_split(args) -> int:
    from xl_appraisal.handout import split
    from xl_appraisal.workbook.paths import check_output_folder

    screen = _screen(args)
    folder = check_output_folder(args.output, [args.book])
    paths = split(Path(args.book), folder, args.due or "", args.contact or "", replace=args.force, stamp=True)
    for path in paths:
        screen.line(f"已生成 {path}")
    screen.line("请把各文件发给对应部门填写自评后交回，再运行 xl-appraisal collect 回收。")
    screen.verdict(f"已生成 {len(paths)} 份自评表，在 {args.output}")
    return EXIT_OK


def cmd_collect(args) -> int:
    from xl_appraisal.handout import collect
    from xl_appraisal.workbook.paths import check_output

    screen = _screen(args)
    if args.output:
        check_output(args.output, [args.book, *args.files])
    out = Path(args.output) if args.output else None
    report = collect(Path(args.book), [Path(f) for f in args.files], out, force=args.force)
    print_collect(screen, report)
    if report.merged:
        tail = written_text(report.written, out or args.book)
    else:
        tail = "未写入"
    problems = report.refused or report.unreadable or report.conflicts or report.score_errors
    style = "red" if problems else None
    skipped = f"，{len(report.unreadable)} 处没有计算结果的公式未合并" if report.unreadable else ""
    screen.verdict(f"已回收 {len(report.merged)} 个部门，未回收 {len(report.refused)} 份{skipped}；{tail}", style=style)
    return EXIT_ERRORS if problems else EXIT_OK


def print_collect(screen: Screen, report) -> None:
    screen.line(f"已回收：{'、'.join(report.merged) or '无'}")
    for line in report.changes:
        screen.line(f"合并：{line}", style="yellow")
    for line in report.conflicts:
        screen.line(f"冲突：{line}", style="red")
    for line in report.kept:
        screen.line(f"保留总表：{line}")
    for line in report.score_errors:
        screen.line(f"自评有错误：{line}", style="red")
    for name, why in report.refused:
        screen.line(f"未回收 {name}：{why}", style="red")
    for line in report.unreadable:
        screen.line(line, style="red")
    if report.missing:
        screen.line(f"尚未交回：{'、'.join(report.missing)}")


def cmd_calendar(args) -> int:
    from xl_appraisal.calendar import weekday_zh
    from xl_appraisal.calendar_refresh import refresh_calendar
    from xl_appraisal.workbook.paths import check_output

    screen = _screen(args)
    if args.output:
        check_output(args.output, [args.book] + ([args.holidays] if args.holidays else []))
    out = Path(args.output) if args.output else None
    report = refresh_calendar(Path(args.book), Path(args.holidays) if args.holidays else None, out)
    changed = report.changed + (report.renamed if screen.verbose else [])
    if changed:
        t = make_table(f"按{report.source}改动的日子", ("日期", "星期", "原来", "现在"))
        for ch in sorted(changed, key=lambda ch: ch.day):
            add_row(t, ch.day.isoformat(), weekday_zh(ch.day), ch.before, ch.after)
        screen.table(t)
    if report.renamed and not screen.verbose:
        screen.line(f"另有{len(report.renamed)}天只改了说明（如“待核对”改为“周末”或空白），加 --verbose 全部列出。")
    if report.kept:
        t = make_table("保留的手工修改（与生成结果不同，未改动）", ("日期", "星期", "表中", "生成结果"))
        for ch in report.kept:
            add_row(t, ch.day.isoformat(), weekday_zh(ch.day), ch.before, ch.after)
        screen.table(t)
    if report.added:
        screen.line(f"日历表中缺少的 {report.added} 天已补在表格末尾。")
    summary = (f"日历：{report.year}年共{report.working_days}个工作日；{len(report.changed)}天改了是否工作日，"
               f"{len(report.renamed)}天只改了说明，保留手工修改{len(report.kept)}天")
    screen.verdict(f"{summary}；{written_text(report.written if report.plan else False, out or args.book, '日历')}")
    return EXIT_OK


def cmd_install_shortcuts(args) -> int:
    from xl_appraisal.shortcuts import install_shortcuts

    screen = _screen(args)
    paths = install_shortcuts(args.folder)
    for path in paths:
        screen.line(f"已写入 {path}")
    names = "、".join(f"“{p.stem}”" for p in paths)
    screen.verdict(f"已在“发送到”菜单加入{names}：在工作簿上点右键 → 发送到 → 选其中一项。")
    return EXIT_OK


def _output_options() -> ChineseParser:
    """-v/--verbose and -q/--quiet, shared by every command."""
    common = ChineseParser(add_help=False)
    group = common.add_argument_group("输出").add_mutually_exclusive_group()
    group.add_argument("-v", "--verbose", dest="mode", action="store_const", const=VERBOSE,
                       help="全部显示（不限条数）")
    group.add_argument("-q", "--quiet", dest="mode", action="store_const", const=QUIET, help="只显示最后一行结论")
    return common


def build_parser() -> argparse.ArgumentParser:
    parser = ChineseParser(prog="xl-appraisal", description="县总工会机关目标管理考核、考勤津贴与目标管理奖金")
    sub = parser.add_subparsers(dest="command", required=True, metavar="命令")
    common = [_output_options()]

    def command(name: str, help: str):
        return sub.add_parser(name, help=help, description=help, parents=common)

    book = {"metavar": "工作簿", "help": "考核工作簿（.xlsm 或 .xlsx）"}
    p = command("new", "新建某年度的空白考核工作簿")
    p.add_argument("-o", "--output", required=True, metavar="文件", help="输出文件，如 2026考核.xlsm")
    p.add_argument("--year", type=int, default=dt.date.today().year, metavar="年份", help="考核年度（默认今年）")
    p.add_argument("--policy", default="pengze-2018", metavar="办法", help="考核办法（内置名称或 .toml 文件）")
    p.add_argument("--force", action="store_true", help="覆盖已存在的文件")
    p.set_defaults(func=cmd_new)
    p = command("check", "只校验，不写任何内容")
    p.add_argument("book", **book)
    p.set_defaults(func=cmd_check)
    p = command("recalc", "校验并计算，写入汇总、发放、校验表")
    p.add_argument("book", **book)
    p.add_argument("-o", "--output", metavar="文件", help="另存为（默认写回原文件，并在“备份”文件夹保留旧版）")
    p.add_argument("--json", metavar="文件", help="同时写出 JSON 结果")
    p.set_defaults(func=cmd_recalc)
    p = command("export", "导出报送版（只有数值，没有宏），附防篡改指纹")
    p.add_argument("book", **book)
    p.add_argument("-o", "--output", required=True, metavar="文件", help="报送版文件，如 2018考核（报送版）.xlsx")
    p.add_argument("--email", action="store_true", help="同时在旁边生成邮件草稿 .eml")
    p.add_argument("--changes", action="store_true", help="附上“变更记录”表（指纹同样覆盖它）")
    p.add_argument("--draft", action="store_true", help="工作簿有错误时也导出，每页标明“草稿（有N个错误，未经审定）”")
    p.set_defaults(func=cmd_export)
    p = command("verify", "核对报送版是否被改动")
    p.add_argument("file", metavar="报送版", help="导出的报送版文件（.xlsx）")
    p.set_defaults(func=cmd_verify)
    p = command("signoff", "生成各部门考核结果确认表（签字用，.xlsx 和 PDF）")
    p.add_argument("book", **book)
    p.add_argument("-o", "--output", required=True, metavar="文件夹", help="输出文件夹")
    p.add_argument("--no-pdf", action="store_true", help="不转换 PDF")
    p.add_argument("--force", action="store_true", help="覆盖文件夹中已有的签字表（旧文件先复制到“备份”文件夹）")
    p.add_argument("--draft", action="store_true", help="工作簿有错误时也生成，每页标明“草稿（有N个错误，未经审定）”")
    p.set_defaults(func=cmd_signoff)
    p = command("import-signins", "把打卡机或钉钉导出的签到记录转成考勤记录")
    p.add_argument("book", **book)
    p.add_argument("records", metavar="签到记录", help="签到记录：CSV（UTF-8 或 GBK）或 XLSX")
    p.add_argument("-o", "--output", metavar="文件", help="另存为（默认写回原文件并备份）")
    p.set_defaults(func=cmd_import_signins)
    p = command("split", "分发自评表：每个部门一个文件")
    p.add_argument("book", **book)
    p.add_argument("-o", "--output", required=True, metavar="文件夹", help="输出文件夹")
    p.add_argument("--due", metavar="期限", help="交回期限，如 2018年12月20日")
    p.add_argument("--contact", metavar="联系人", help="交回给谁，如 考核办 张敏")
    p.add_argument("--force", action="store_true", help="覆盖文件夹中已有的自评表（旧文件先复制到“备份”文件夹）")
    p.set_defaults(func=cmd_split)
    p = command("collect", "回收自评表：把各部门交回的自评合并进总表")
    p.add_argument("book", **book)
    p.add_argument("files", nargs="+", metavar="自评表", help="交回的自评表文件（可以多个）")
    p.add_argument("-o", "--output", metavar="文件", help="另存为（默认写回原文件并备份）")
    p.add_argument("--force", action="store_true",
                   help="也回收其他工作簿或年度分发的自评表；总表和部门改了同一格时以部门为准")
    p.set_defaults(func=cmd_collect)
    p = command("sync-vba", "把工作簿中的 xlwings VBA 模块更新为已安装的版本")
    p.add_argument("book", **book)
    p.set_defaults(func=cmd_sync_vba)
    p = command("calendar", "按 chinesecalendar 或国务院放假通知更新“日历”表（保留手工修改）")
    p.add_argument("book", **book)
    p.add_argument("--holidays", metavar="放假安排", help="照国务院办公厅通知写的放假安排文件（格式见 README）；"
                   "不指定时用已安装的 chinesecalendar")
    p.add_argument("-o", "--output", metavar="文件", help="另存为（默认写回原文件并备份）")
    p.set_defaults(func=cmd_calendar)
    p = command("install-shortcuts", "在 Windows 右键“发送到”菜单中加入“考核·重新计算”等（不用命令行）")
    p.add_argument("--folder", metavar="文件夹", help="放到这个文件夹（默认是本用户的“发送到”文件夹）")
    p.set_defaults(func=cmd_install_shortcuts)
    p = command("setup-excel", "（Windows）让工作簿的功能区按钮和试算函数使用本机这个 Python：写入 xlwings.conf")
    p.add_argument("book", **book)
    p.add_argument("--python", metavar="python.exe", help="python.exe 的完整路径（默认：运行本命令的 Python）")
    p.set_defaults(func=cmd_setup_excel)
    p = command("demo", "生成2018年示例工作簿并计算")
    p.add_argument("dir", nargs="?", default="demo-out", metavar="文件夹", help="放示例的文件夹（默认 demo-out）")
    p.set_defaults(func=cmd_demo)
    return parser


def log_dir() -> Path:
    """Where an unexpected error's traceback goes (XL_APPRAISAL_LOG_DIR overrides it)."""
    import os

    if os.environ.get("XL_APPRAISAL_LOG_DIR"):
        return Path(os.environ["XL_APPRAISAL_LOG_DIR"])
    base = os.environ.get("LOCALAPPDATA") or str(Path.home() / ".cache")
    return Path(base) / "xl-appraisal" / "logs"


def write_crash_log() -> Path | None:
    """The current exception's traceback in a dated log file; None if even that fails."""
    import traceback

    try:
        folder = log_dir()
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"错误-{dt.datetime.now():%Y%m%d-%H%M%S-%f}.log"
        path.write_text(traceback.format_exc(), encoding="utf-8")
        return path
    except OSError:
        return None


def main(argv: list[str] | None = None) -> int:
    from xl_appraisal.errors import EXIT_INTERNAL, AppError, Refused

    args = build_parser().parse_args(argv)
    collecting = gc.isenabled()
    gc.disable()  # a command is one short run: the cycle collector only slows it (≈8 %, 15 % on 64,000 rows)
    try:
        return args.func(args)
    except AppError as exc:
        console = make_console()
        console.print(exc.message, style="red", soft_wrap=True)
        for line in exc.details if isinstance(exc, Refused) else []:
            console.print(f"  {line}", soft_wrap=True)
        return exc.exit_code
    except KeyboardInterrupt:
        make_console().print("已中断，未完成的写入不会留下半个文件。", style="yellow")
        return 130
    except Exception:  # a bug: one sentence on screen, the traceback in a log file
        log = write_crash_log()
        where = f"详细信息已写入 {log}" if log else "详细信息无法写入日志"
        make_console().print(f"程序内部出错，操作未完成（{where}）。请把这个文件发给维护人员。", style="red")
        return EXIT_INTERNAL
    finally:
        if collecting:  # main() called inside a longer process (the tests): as it was
            gc.enable()


if __name__ == "__main__":
    sys.exit(main())
