"""What the ribbon buttons run (RunPython "import xl_appraisal.excel.macros as m; m.recalc()").

Kept light: the click's cold start imports only what the click needs; the engine and the workbook
layer are imported inside each entry point. Messages to the user are Chinese, in a message box; while
a button works, the status bar says so, and it is handed back to Excel afterwards (Excel keeps any text
set there until it is set to False). On errors the 校验 sheet is brought to the front.

Every entry point is wrapped by `button`: a failure the user can act on (`AppError`: the file is open
elsewhere, unusable, refused) becomes its Chinese sentence in a message box; anything else is a bug,
logged to a file, and the message box says where. Nothing reaches xlwings' English traceback popup.

Windows Excel only: on a Mac the buttons say so and point to the command line (README, "在Excel中使用").
"""

from __future__ import annotations

import functools
import gc
import sys

TITLE = "目标管理考核"
MAC = ("Mac 版 Excel 上本工具的功能区按钮不可用（没有经过测试，也不保证结果）。请在“终端”中运行命令行，结果与按钮完全相同：\n"
       "xl-appraisal recalc 工作簿.xlsm\n运行前请先在 Excel 中保存并关闭工作簿。")


def _caller():
    import xlwings as xw

    return xw.Book.caller()


def _alert(book, message: str) -> None:
    try:
        book.app.alert(message, title=TITLE)
    except Exception:  # noqa: BLE001 - the message box itself failed: nothing else can show it
        print(message, file=sys.stderr)


def _tell(book, message: str, *, errors: bool = False) -> None:
    if errors:
        from xl_appraisal.excel.live import LiveTable

        LiveTable.find(book, "tblIssues").sheet.activate()  # by table name: the sheet may be renamed
    _alert(book, message)


def _status(book, value) -> None:
    try:
        book.app.status_bar = value
    except (AttributeError, NotImplementedError):  # a client without a status bar
        pass


def button(func):
    """A ribbon entry point: the book it works on, the status bar while it works (cleared in a finally),
    and every failure as a Chinese message box."""

    @functools.wraps(func)
    def run(book=None, *args, **kwargs):
        from xl_appraisal.errors import AppError, Refused

        book = book or _caller()
        if sys.platform == "darwin":
            _alert(book, MAC)
            return None
        collecting = gc.isenabled()
        gc.disable()  # one short run, as the command line does (≈8 % of a recalc); given back in the finally
        try:
            _status(book, f"{TITLE}：正在{func.__doc__.split(':')[0]}……")
            return func(book, *args, **kwargs)
        except AppError as exc:
            details = exc.details[:8] if isinstance(exc, Refused) else []
            _alert(book, "\n".join([exc.message, *details]))
        except Exception:  # a bug: one sentence in the box, the traceback in a log file
            from xl_appraisal.cli import write_crash_log

            log = write_crash_log()
            where = f"详细信息已写入 {log}" if log else "详细信息无法写入日志"
            _alert(book, f"程序内部出错，操作未完成（{where}）。请把这个文件发给维护人员。")
        finally:
            _status(book, False)
            if collecting:  # a Python that stays up (xlwings' COM server): as it was
                gc.enable()
        return None

    return run


def _summary(outcome) -> str:
    errors = sum(i.level == "error" for i in outcome.issues)
    warnings = len(outcome.issues) - errors
    lines = [f"校验：{errors}个错误、{warnings}个提醒。"]
    r = outcome.result
    if r is not None:
        from xl_appraisal.engine.messages import status_label

        total = sum(p.total for p in r.people)
        lines.append(f"{len(r.people)}人，发放合计{total:,.2f}元（{status_label(r.final)}）。")
    if errors:
        lines.append("请按“校验”表逐条改正后再次重新计算。")
    return "\n".join(lines)


def _evaluate(book):
    """Read the open book through the live adapter and compute."""
    from xl_appraisal.excel.live import read_live
    from xl_appraisal.service import evaluate_book

    return evaluate_book(read_live(book))


def _pick(book, file_filter: str, title: str, multi: bool = False):
    """Excel's file picker, by keyword (a positional None would reach COM as VT_NULL); None if cancelled."""
    chosen = book.app.api.GetOpenFilename(FileFilter=file_filter, FilterIndex=1, Title=title, MultiSelect=multi)
    if chosen is False or chosen is None or chosen == "False" or (isinstance(chosen, (list, tuple)) and not chosen):
        return None
    return chosen


@button
def recalc(book):
    """重新计算: validate, compute, write 汇总 / 发放 / 校验 / 计分 into the open workbook."""
    from xl_appraisal.excel.live import apply_live
    from xl_appraisal.service import plan_recalc
    from xl_appraisal.tracking import summary

    outcome = _evaluate(book)
    apply_live(book, plan_recalc(outcome))
    logged = summary(outcome.tracking)
    _tell(book, "重新计算完成，结果已写入工作簿（请记得保存）。\n" + _summary(outcome) + (f"\n{logged}" if logged else ""),
          errors=outcome.has_errors)
    return outcome


@button
def check(book):
    """校验: write only the 校验 table; leave 汇总 and 发放 as they are."""
    from xl_appraisal.excel.live import apply_live
    from xl_appraisal.service import plan_check

    outcome = _evaluate(book)
    apply_live(book, plan_check(outcome))
    _tell(book, "校验完成。\n" + _summary(outcome), errors=outcome.has_errors)
    return outcome


@button
def export(book):
    """导出报送版: save, then write the values-only copy beside the workbook. A workbook with errors is
    refused (the leadership never receives wrong results from the ribbon; a draft is a command-line option)."""
    from pathlib import Path

    from xl_appraisal.errors import Refused
    from xl_appraisal.export import default_export_path, export_book

    book.save()
    source = Path(book.fullname)
    target = default_export_path(source)
    try:
        fingerprint = export_book(source, target)
    except Refused as exc:
        lines = exc.details[:10] + (["……"] if len(exc.details) > 10 else [])
        _tell(book, "\n".join([f"未导出报送版：{exc.message}", *lines]), errors=True)
        return None
    pdf = target.with_suffix(".pdf")
    try:  # Excel's own PDF export of the result sheets (not every client has it)
        from xl_appraisal.excel.live import LiveTable

        book.to_pdf(str(pdf), include=[LiveTable.find(book, t).sheet.name for t in ("tblSummary", "tblPayouts")])
        made = f"\nPDF：{pdf}"
    except Exception:  # noqa: BLE001 - the PDF is a convenience; the 报送版 itself is written
        made = ""
    _tell(book, f"已导出报送版：\n{target}{made}\n指纹：{fingerprint[:16]}…")
    return target


@button
def import_signins(book, path=None):
    """导入签到记录: pick a punch-machine/DingTalk export, add the judged events to 考勤 in the open book."""
    from pathlib import Path

    from xl_appraisal.excel.live import apply_live, read_live
    from xl_appraisal.signins import plan_import

    if path is None:
        path = _pick(book, "签到记录 (*.csv;*.xlsx),*.csv;*.xlsx", "选择签到记录")
        if path is None:
            return None
    report = plan_import(read_live(book), Path(path))
    apply_live(book, report.plan)
    kinds = "、".join(f"{k}{n}个半天" for k, n in sorted(report.per_kind.items())) or "无"
    lines = [f"新增考勤记录{len(report.added)}条（{kinds}），已导入过的{report.already}条未重复添加。"]
    lines += report.typed_wins[:5]
    if report.unreadable:
        lines.append(f"无法读取的行（未使用）：{'、'.join(f'第{row}行' for row, _ in report.unreadable[:20])}"
                     + (f"等{len(report.unreadable)}行" if len(report.unreadable) > 20 else ""))
    lines += report.unjudged[:5]
    if report.unknown_names:
        lines.append("不在人员表中：" + "、".join(report.unknown_names))
    _tell(book, "\n".join(lines))
    return report


@button
def split(book):
    """分发自评表: save, then write one file per department into a folder beside the workbook."""
    from pathlib import Path

    from xl_appraisal.excel.live import live_properties, set_live_property
    from xl_appraisal.handout import split as split_files
    from xl_appraisal.workbook.contract import BOOK_ID_PROP, new_book_id

    # a book made before books had an id gets one (saved below), so collect can tell its handouts from another's
    if live_properties(book, (BOOK_ID_PROP,)) == {}:
        set_live_property(book, BOOK_ID_PROP, new_book_id())
    book.save()
    source = Path(book.fullname)
    folder = source.with_name(f"{source.stem}-自评表")
    written = split_files(source, folder)
    _tell(book, f"已生成{len(written)}个部门的自评表：\n{folder}")
    return written


@button
def collect(book, files=None):
    """回收自评表: pick the returned files, copy 自评, 说明 and bonus rows into the open workbook."""
    from xl_appraisal.excel.live import apply_live, read_live
    from xl_appraisal.handout import plan_collect

    if files is None:
        chosen = _pick(book, "自评表 (*.xlsx),*.xlsx", "选择交回的自评表", multi=True)
        if chosen is None:
            return None
        files = [chosen] if isinstance(chosen, str) else list(chosen)
    report = plan_collect(read_live(book), files)
    apply_live(book, report.plan)
    lines = [f"已回收：{'、'.join(report.merged) or '无'}"] + report.changes[:8]
    lines += [f"未回收 {name}：{why}" for name, why in report.refused]
    lines += report.unreadable
    if report.missing:
        lines.append(f"尚未交回：{'、'.join(report.missing)}")
    _tell(book, "\n".join(lines), errors=False)
    return report


@button
def show_help(book):
    """帮助: the five steps in a message box."""
    _alert(
        book,
        "1. 在“人员”“考勤”“请假”和各部门工作表的黄色格填写数据。\n"
        "2. 点“重新计算”：校验数据，算出汇总和发放表；有错误时会跳到“校验”表。\n"
        "3. 点“导出报送版”：生成没有宏、只有数值的 .xlsx，发给考核领导小组。\n"
        "详见工作簿第一张“说明”表。",
    )
