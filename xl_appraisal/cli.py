"""The `xl-appraisal` command line (WORKBOOK.md): new, check, recalc, export, verify, demo.

Exit status: 0 no errors; 1 the workbook has errors; 2 the file could not be used at all.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from rich import box
from rich.console import Console
from rich.table import Table as RichTable

EXIT_OK, EXIT_ERRORS, EXIT_UNUSABLE = 0, 1, 2


def _console() -> Console:
    console = Console(highlight=False)
    if not console.is_terminal:  # piped or captured: do not squeeze tables into 80 columns
        console = Console(highlight=False, width=140)
    return console


def Table(**kw) -> RichTable:  # noqa: N802 - one look for every table
    return RichTable(box=box.SIMPLE_HEAD, pad_edge=False, **kw)


def print_issues(console: Console, issues) -> None:
    if not issues:
        console.print("[green]校验通过：没有错误或提醒。[/green]")
        return
    table = Table(title="校验结果", show_lines=False, header_style="bold")
    table.add_column("级别", no_wrap=True)
    table.add_column("位置", no_wrap=True)
    table.add_column("说明")
    for i in issues:
        level = "[red]错误[/red]" if i.level == "error" else "[yellow]提醒[/yellow]"
        table.add_row(level, i.where, i.message)
    console.print(table)
    errors = sum(i.level == "error" for i in issues)
    console.print(f"共 {errors} 个错误、{len(issues) - errors} 个提醒。")


def print_results(console: Console, outcome) -> None:
    r = outcome.result
    if r is None:
        return
    t = Table(title="各部门得分", header_style="bold")
    for h in ("部门", "基础得分", "计入加分", "总分", "档次", "排名", "阶段"):
        t.add_column(h, justify="right" if h not in ("部门", "阶段") else "left")
    for d in r.departments:
        t.add_row(d.name, f"{d.base:.2f}", f"{d.bonus:.2f}", f"{d.total:.2f}", str(d.tiers), str(d.rank), d.stage)
    console.print(t)
    p = Table(title=f"发放表（{'审定' if r.final else '暂定'}）", header_style="bold")
    for h in ("姓名", "部门", "职务", "挂钩得分", "旷工(半天)", "考勤津贴", "目标管理奖金", "合计"):
        p.add_column(h, justify="right" if h in ("挂钩得分", "旷工(半天)", "考勤津贴", "目标管理奖金", "合计") else "left")
    for x in r.people:
        score = "" if x.linked_score is None else f"{x.linked_score:.2f}"
        p.add_row(x.name, x.department, x.role, score, str(x.absent_half_days), f"{x.allowance:,.2f}",
                  f"{x.bonus:,.2f}", f"{x.total:,.2f}" + (" 全额扣除" if x.forfeited else ""))
    total = sum(x.total for x in r.people)
    p.add_row("合计", "", "", "", "", "", "", f"{total:,.2f}")
    console.print(p)


def cmd_new(args) -> int:
    from xl_appraisal.templates import check_year, new_workbook
    from xl_appraisal.workbook.paths import check_output

    console = _console()
    check_year(args.year)
    out = check_output(args.output, replace=args.force)
    cal = new_workbook(out, args.year, args.policy)
    console.print(f"已生成 {out}（{args.year}年，{cal.working_days}个工作日）")
    if not cal.official:
        from xl_appraisal.calendar import CHECK_BY_HAND

        console.print(f"[yellow]注意：{CHECK_BY_HAND.format(year=args.year)}[/yellow]")
    return EXIT_OK


def cmd_check(args) -> int:
    from xl_appraisal.service import evaluate

    console = _console()
    outcome = evaluate(args.book)
    print_issues(console, outcome.issues)
    return EXIT_ERRORS if outcome.has_errors else EXIT_OK


def cmd_recalc(args) -> int:
    from xl_appraisal.service import recalc, write_json
    from xl_appraisal.workbook.paths import check_output

    console = _console()
    if args.output:
        check_output(args.output, [args.book])
    if args.json:
        check_output(args.json, [args.book] + ([args.output] if args.output else []), what="JSON 文件")
    outcome = recalc(args.book, args.output)
    print_issues(console, outcome.issues)
    print_results(console, outcome)
    console.print(f"已写入 {args.output or args.book}（汇总、发放、校验、计分）")
    if args.json:
        write_json(outcome, args.json)
        console.print(f"已写出 {args.json}")
    return EXIT_ERRORS if outcome.has_errors else EXIT_OK


def cmd_demo(args) -> int:
    from xl_appraisal.service import recalc, write_json
    from xl_appraisal.templates import demo_workbook
    from xl_appraisal.workbook.paths import check_output_folder

    console = _console()
    folder = check_output_folder(args.dir)
    folder.mkdir(parents=True, exist_ok=True)
    book = folder / "2018年度目标管理考核（示例）.xlsm"
    demo_workbook(book)
    outcome = recalc(book, backup=False)
    print_issues(console, outcome.issues)
    print_results(console, outcome)
    json_path = folder / "2018年度目标管理考核（示例）.json"
    write_json(outcome, json_path, backup=False)
    console.print(f"示例工作簿：{book}\n计算结果：{json_path}")
    return EXIT_ERRORS if outcome.has_errors else EXIT_OK


def cmd_export(args) -> int:
    from xl_appraisal.export import email_draft, export_book
    from xl_appraisal.service import evaluate
    from xl_appraisal.workbook.paths import check_output

    console = _console()
    out = check_output(args.output, [args.book])
    if args.email:
        check_output(out.with_suffix(".eml"), [args.book, out], what="邮件草稿")
    fingerprint = export_book(Path(args.book), out)
    console.print(f"已导出报送版：{out}\n指纹（SHA-256）：{fingerprint}")
    if args.email:
        eml = email_draft(evaluate(args.book), out, fingerprint)
        console.print(f"已生成邮件草稿：{eml}（双击用 Outlook、Foxmail 或 Thunderbird 打开后发送）")
    return EXIT_OK


def cmd_verify(args) -> int:
    from xl_appraisal.export import NotAnExport, verify

    console = _console()
    try:
        verdict = verify(Path(args.file))
    except NotAnExport as exc:
        console.print(f"[red]{exc}[/red]")
        return EXIT_UNUSABLE
    if verdict.ok:
        console.print(f"[green]未被改动：指纹 {verdict.fingerprint} 相符。[/green]")
        return EXIT_OK
    console.print("[red]文件已被改动：[/red]\n" + "\n".join(f"  {line}" for line in verdict.changes))
    return EXIT_ERRORS


def cmd_signoff(args) -> int:
    from xl_appraisal.export import libreoffice
    from xl_appraisal.signoff import write_signoffs
    from xl_appraisal.workbook.paths import check_output_folder

    console = _console()
    folder = check_output_folder(args.output, [args.book])
    written = write_signoffs(Path(args.book), folder, pdf=not args.no_pdf, replace=args.force)
    for xlsx, pdf, digest in written:
        console.print(f"{xlsx}" + (f"  {pdf.name}" if pdf else "") + f"  指纹 {digest[:16]}…")
    if not args.no_pdf and not libreoffice():
        console.print("[yellow]未安装 LibreOffice，只生成了 .xlsx；安装后可同时生成 PDF。[/yellow]")
    return EXIT_OK


def cmd_sync_vba(args) -> int:
    from xl_appraisal.excel.sync import sync_vba

    console = _console()
    old, new = sync_vba(Path(args.book))
    console.print(f"已把 {args.book} 中的 xlwings 模块由 {old or '（无）'} 更新为 {new}，其他模块和数据不变。")
    return EXIT_OK


def cmd_import_signins(args) -> int:
    from xl_appraisal.signins import RecordsUnusable, import_signins
    from xl_appraisal.workbook.paths import check_output

    console = _console()
    if args.output:
        check_output(args.output, [args.book, args.records])
    try:
        report = import_signins(Path(args.book), Path(args.records), Path(args.output) if args.output else None)
    except RecordsUnusable as exc:
        console.print(f"[red]{exc}[/red]")
        return EXIT_UNUSABLE
    print_import(console, report)
    return EXIT_OK


def print_import(console: Console, report) -> None:
    if report.first is None:
        console.print("签到记录中没有可用的打卡。")
        return
    console.print(f"签到记录范围：{report.first} 至 {report.last}（范围外的日子不判断，视为出勤）")
    kinds = "、".join(f"{k}{n}个半天" for k, n in sorted(report.per_kind.items())) or "无"
    console.print(f"新增考勤记录 {len(report.added)} 条：{kinds}；已导入过、跳过 {report.already} 条。")
    if report.per_person:
        t = Table(title="按人统计（半天数）", header_style="bold")
        for h in ("姓名", "旷工", "迟到", "早退", "漏签"):
            t.add_column(h, justify="left" if h == "姓名" else "right")
        for name, counts in sorted(report.per_person.items()):
            t.add_row(name, *(str(counts.get(k, 0)) for k in ("旷工", "迟到", "早退", "漏签")))
        console.print(t)
    for line in report.typed_wins:
        console.print(f"[yellow]{line}[/yellow]")
    if report.unknown_names:
        console.print(f"[yellow]不在人员表中、未导入：{'、'.join(report.unknown_names)}[/yellow]")
    if report.not_in_records:
        console.print(f"[yellow]人员表中有、签到记录中没有（未判断）：{'、'.join(report.not_in_records)}[/yellow]")


def cmd_split(args) -> int:
    from xl_appraisal.handout import split
    from xl_appraisal.workbook.paths import check_output_folder

    console = _console()
    folder = check_output_folder(args.output, [args.book])
    for path in split(Path(args.book), folder, args.due or "", args.contact or "", replace=args.force):
        console.print(f"已生成 {path}")
    console.print("请把各文件发给对应部门填写自评后交回，再运行 xl-appraisal collect 回收。")
    return EXIT_OK


def cmd_collect(args) -> int:
    from xl_appraisal.handout import collect
    from xl_appraisal.workbook.paths import check_output

    console = _console()
    if args.output:
        check_output(args.output, [args.book, *args.files])
    report = collect(Path(args.book), [Path(f) for f in args.files], Path(args.output) if args.output else None)
    print_collect(console, report)
    return EXIT_ERRORS if report.refused else EXIT_OK


def print_collect(console: Console, report) -> None:
    console.print(f"已回收：{'、'.join(report.merged) or '无'}")
    for line in report.changes:
        console.print(f"[yellow]自评有改动：{line}[/yellow]")
    for name, why in report.refused:
        console.print(f"[red]未回收 {name}：{why}[/red]")
    if report.missing:
        console.print(f"尚未交回：{'、'.join(report.missing)}")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="xl-appraisal", description="县总工会机关目标管理考核、考勤津贴与目标管理奖金")
    sub = parser.add_subparsers(dest="command", required=True, metavar="命令")
    p = sub.add_parser("new", help="新建某年度的空白考核工作簿")
    p.add_argument("-o", "--output", required=True, help="输出文件，如 2026考核.xlsm")
    p.add_argument("--year", type=int, default=dt.date.today().year, help="考核年度（默认今年）")
    p.add_argument("--policy", default="pengze-2018", help="考核办法（内置名称或 .toml 文件）")
    p.add_argument("--force", action="store_true", help="覆盖已存在的文件")
    p.set_defaults(func=cmd_new)
    p = sub.add_parser("check", help="只校验，不写任何内容")
    p.add_argument("book")
    p.set_defaults(func=cmd_check)
    p = sub.add_parser("recalc", help="校验并计算，写入汇总、发放、校验表")
    p.add_argument("book")
    p.add_argument("-o", "--output", help="另存为（默认写回原文件，并在“备份”文件夹保留旧版）")
    p.add_argument("--json", help="同时写出 JSON 结果")
    p.set_defaults(func=cmd_recalc)
    p = sub.add_parser("export", help="导出报送版（只有数值，没有宏），附防篡改指纹")
    p.add_argument("book")
    p.add_argument("-o", "--output", required=True, help="报送版文件，如 2018考核（报送版）.xlsx")
    p.add_argument("--email", action="store_true", help="同时在旁边生成邮件草稿 .eml")
    p.set_defaults(func=cmd_export)
    p = sub.add_parser("verify", help="核对报送版是否被改动")
    p.add_argument("file")
    p.set_defaults(func=cmd_verify)
    p = sub.add_parser("signoff", help="生成各部门考核结果确认表（签字用，.xlsx 和 PDF）")
    p.add_argument("book")
    p.add_argument("-o", "--output", required=True, help="输出文件夹")
    p.add_argument("--no-pdf", action="store_true", help="不转换 PDF")
    p.add_argument("--force", action="store_true", help="覆盖文件夹中已有的签字表（旧文件先复制到“备份”文件夹）")
    p.set_defaults(func=cmd_signoff)
    p = sub.add_parser("import-signins", help="把打卡机或钉钉导出的签到记录转成考勤记录")
    p.add_argument("book")
    p.add_argument("records", help="签到记录：CSV（UTF-8 或 GBK）或 XLSX")
    p.add_argument("-o", "--output", help="另存为（默认写回原文件并备份）")
    p.set_defaults(func=cmd_import_signins)
    p = sub.add_parser("split", help="分发自评表：每个部门一个文件")
    p.add_argument("book")
    p.add_argument("-o", "--output", required=True, help="输出文件夹")
    p.add_argument("--due", help="交回期限，如 2018年12月20日")
    p.add_argument("--contact", help="交回给谁，如 考核办 张敏")
    p.add_argument("--force", action="store_true", help="覆盖文件夹中已有的自评表（旧文件先复制到“备份”文件夹）")
    p.set_defaults(func=cmd_split)
    p = sub.add_parser("collect", help="回收自评表：把各部门交回的自评合并进总表")
    p.add_argument("book")
    p.add_argument("files", nargs="+", help="交回的自评表文件")
    p.add_argument("-o", "--output", help="另存为（默认写回原文件并备份）")
    p.set_defaults(func=cmd_collect)
    p = sub.add_parser("sync-vba", help="把工作簿中的 xlwings VBA 模块更新为已安装的版本")
    p.add_argument("book")
    p.set_defaults(func=cmd_sync_vba)
    p = sub.add_parser("demo", help="生成2018年示例工作簿并计算")
    p.add_argument("dir", nargs="?", default="demo-out")
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
    try:
        return args.func(args)
    except AppError as exc:
        console = _console()
        console.print(exc.message, style="red", markup=False, soft_wrap=True)  # one sentence, one line
        for line in exc.details if isinstance(exc, Refused) else []:
            console.print(f"  {line}", markup=False)
        return exc.exit_code
    except KeyboardInterrupt:
        _console().print("已中断，未完成的写入不会留下半个文件。", style="yellow", markup=False)
        return 130
    except Exception:  # a bug: one sentence on screen, the traceback in a log file
        log = write_crash_log()
        where = f"详细信息已写入 {log}" if log else "详细信息无法写入日志"
        _console().print(f"程序内部出错，操作未完成（{where}）。请把这个文件发给维护人员。", style="red", markup=False)
        return EXIT_INTERNAL


if __name__ == "__main__":
    sys.exit(main())
