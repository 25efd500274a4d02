"""What the ribbon buttons run (RunPython "import xl_appraisal.excel.macros as m; m.recalc()").

Kept light: the click's cold start imports only what the click needs; the engine and the workbook
layer are imported inside each entry point. Messages to the user are Chinese, in Excel's status bar
and a message box; on errors the 校验 sheet is brought to the front.
"""

from __future__ import annotations

TITLE = "目标管理考核"


def _caller():
    import xlwings as xw

    return xw.Book.caller()


def _tell(book, message: str, *, errors: bool = False) -> None:
    try:
        book.app.status_bar = message.splitlines()[0]
    except Exception:  # noqa: S110 - not every client has a status bar
        pass
    if errors:
        from xl_appraisal.excel.live import LiveTable

        LiveTable.find(book, "tblIssues").sheet.activate()  # by table name: the sheet may be renamed
    book.app.alert(message, title=TITLE)


def _summary(outcome) -> str:
    errors = sum(i.level == "error" for i in outcome.issues)
    warnings = len(outcome.issues) - errors
    lines = [f"校验：{errors}个错误、{warnings}个提醒。"]
    r = outcome.result
    if r is not None:
        total = sum(p.total for p in r.people)
        lines.append(f"{len(r.people)}人，发放合计{total:,.2f}元（{'审定' if r.final else '暂定'}）。")
    if errors:
        lines.append("请按“校验”表逐条改正后再次重新计算。")
    return "\n".join(lines)


def _evaluate(book):
    """Read the open book through the live adapter and compute; None (after telling the user) if unusable."""
    from xl_appraisal.errors import AppError
    from xl_appraisal.excel.live import read_live
    from xl_appraisal.service import evaluate_book

    try:
        return evaluate_book(read_live(book))
    except AppError as exc:
        book.app.alert(exc.message, title=TITLE)
        return None


def recalc(book=None):
    """重新计算: validate, compute, write 汇总 / 发放 / 校验 / 计分 into the open workbook."""
    from xl_appraisal.excel.live import apply_live
    from xl_appraisal.service import plan_recalc

    book = book or _caller()
    outcome = _evaluate(book)
    if outcome is None:
        return None
    apply_live(book, plan_recalc(outcome))
    _tell(book, "重新计算完成，结果已写入工作簿（请记得保存）。\n" + _summary(outcome), errors=outcome.has_errors)
    return outcome


def check(book=None):
    """校验: write only the 校验 table; leave 汇总 and 发放 as they are."""
    from xl_appraisal.excel.live import apply_live
    from xl_appraisal.service import plan_check

    book = book or _caller()
    outcome = _evaluate(book)
    if outcome is None:
        return None
    apply_live(book, plan_check(outcome))
    _tell(book, "校验完成。\n" + _summary(outcome), errors=outcome.has_errors)
    return outcome


def export(book=None):
    """导出报送版: save, then write the values-only copy beside the workbook."""
    from pathlib import Path

    from xl_appraisal.export import default_export_path, export_book

    book = book or _caller()
    book.save()
    source = Path(book.fullname)
    target = default_export_path(source)
    fingerprint = export_book(source, target)
    pdf = target.with_suffix(".pdf")
    try:  # Excel's own PDF export of the result sheets (Windows and Mac Excel; not every client has it)
        from xl_appraisal.excel.live import LiveTable

        book.to_pdf(str(pdf), include=[LiveTable.find(book, t).sheet.name for t in ("tblSummary", "tblPayouts")])
        made = f"\nPDF：{pdf}"
    except Exception:
        made = ""
    _tell(book, f"已导出报送版：\n{target}{made}\n指纹：{fingerprint[:16]}…")
    return target


def import_signins(book=None, path=None):
    """导入签到记录: pick a punch-machine/DingTalk export, add the judged events to 考勤 in the open book."""
    from pathlib import Path

    from xl_appraisal.errors import AppError
    from xl_appraisal.excel.live import apply_live, read_live
    from xl_appraisal.signins import plan_import

    book = book or _caller()
    if path is None:
        chosen = book.app.api.GetOpenFilename("签到记录 (*.csv;*.xlsx),*.csv;*.xlsx", 1, "选择签到记录")
        if not chosen:
            return None
        path = chosen
    path = Path(path)
    try:
        report = plan_import(read_live(book), path)
    except AppError as exc:
        book.app.alert(exc.message, title=TITLE)
        return None
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


def split(book=None):
    """分发自评表: save, then write one file per department into a folder beside the workbook."""
    from pathlib import Path

    from xl_appraisal.handout import split as split_files

    book = book or _caller()
    book.save()
    source = Path(book.fullname)
    folder = source.with_name(f"{source.stem}-自评表")
    written = split_files(source, folder)
    _tell(book, f"已生成{len(written)}个部门的自评表：\n{folder}")
    return written


def collect(book=None, files=None):
    """回收自评表: pick the returned files, copy 自评, 说明 and bonus rows into the open workbook."""
    from xl_appraisal.excel.live import apply_live, read_live
    from xl_appraisal.handout import plan_collect

    book = book or _caller()
    if files is None:
        chosen = book.app.api.GetOpenFilename("自评表 (*.xlsx),*.xlsx", 1, "选择交回的自评表", None, True)
        if not chosen:
            return None
        files = list(chosen)
    report = plan_collect(read_live(book), files)
    apply_live(book, report.plan)
    lines = [f"已回收：{'、'.join(report.merged) or '无'}"] + report.changes[:8]
    lines += [f"未回收 {name}：{why}" for name, why in report.refused]
    lines += report.unreadable
    if report.missing:
        lines.append(f"尚未交回：{'、'.join(report.missing)}")
    _tell(book, "\n".join(lines), errors=False)
    return report


def show_help(book=None):
    book = book or _caller()
    book.app.alert(
        "1. 在“人员”“考勤”“请假”和各部门工作表的黄色格填写数据。\n"
        "2. 点“重新计算”：校验数据，算出汇总和发放表；有错误时会跳到“校验”表。\n"
        "3. 点“导出报送版”：生成没有宏、只有数值的 .xlsx，发给考核领导小组。\n"
        "详见工作簿第一张“说明”表。",
        title=TITLE,
    )
