"""Named failures (issue 12 item 5, issue 13 "no traceback reaches the user"): Unusable exits 2,
Refused exits 1 with its reason, anything else is a bug: one sentence, the traceback in a log file, exit 3."""

from __future__ import annotations

import pytest

from xl_appraisal import cli
from xl_appraisal.errors import EXIT_ERRORS, EXIT_INTERNAL, EXIT_UNUSABLE, Refused, Unusable


def run_with(monkeypatch, tmp_path, exc: BaseException, capsys) -> tuple[int, str]:
    def boom(args):
        raise exc

    monkeypatch.setenv("XL_APPRAISAL_LOG_DIR", str(tmp_path / "logs"))
    parser = cli.build_parser()
    monkeypatch.setattr(cli, "build_parser", lambda: parser)
    args = parser.parse_args(["check", "x.xlsm"])
    monkeypatch.setattr(parser, "parse_args", lambda argv=None: args)
    args.func = boom
    code = cli.main(["check", "x.xlsm"])
    return code, capsys.readouterr().out


def test_unusable_is_one_sentence_and_exit_2(monkeypatch, tmp_path, capsys):
    code, out = run_with(monkeypatch, tmp_path, Unusable("文件“[b]张伟[/b].xlsm”无法使用"), capsys)
    assert code == EXIT_UNUSABLE == 2
    assert out.strip() == "文件“[b]张伟[/b].xlsm”无法使用"  # printed literally, brackets and all
    assert "Traceback" not in out


def test_refused_gives_its_reason_and_details_and_exit_1(monkeypatch, tmp_path, capsys):
    code, out = run_with(monkeypatch, tmp_path, Refused("工作簿有2个错误，不能导出", details=["办公室!G5 …", "人员!A7 …"]),
                         capsys)
    assert code == EXIT_ERRORS == 1
    assert out.splitlines()[0] == "工作簿有2个错误，不能导出" and "人员!A7" in out


@pytest.mark.parametrize("bug", [KeyError("汇总"), ValueError("bad"), ZeroDivisionError()])
def test_a_bug_is_logged_not_shown(monkeypatch, tmp_path, capsys, bug):
    code, out = run_with(monkeypatch, tmp_path, bug, capsys)
    assert code == EXIT_INTERNAL == 3
    assert "Traceback" not in out and "程序内部出错" in out
    logs = list((tmp_path / "logs").iterdir())
    assert len(logs) == 1 and "Traceback" in logs[0].read_text(encoding="utf-8")
    assert str(logs[0]) in out.replace("\n", "")  # the sentence names the log file


def test_the_old_exception_classes_are_part_of_the_family():
    from xl_appraisal.export import NotAnExport
    from xl_appraisal.handout import HandoutRefused
    from xl_appraisal.policy import PolicyInvalid
    from xl_appraisal.signins import RecordsUnusable
    from xl_appraisal.workbook.read import WorkbookUnusable
    from xl_appraisal.workbook.save import FileBusy

    for cls in (NotAnExport, PolicyInvalid, RecordsUnusable, WorkbookUnusable, FileBusy):
        assert issubclass(cls, Unusable), cls
    assert issubclass(HandoutRefused, Refused)


def test_no_bare_value_error_is_raised_for_users():
    """Chinese messages travel in Unusable/Refused, never in a bare ValueError caught broadly."""
    import ast
    from pathlib import Path

    root = Path(cli.__file__).resolve().parent
    offenders = []
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call) and getattr(node.exc.func, "id", "") in (
                    "ValueError", "Exception", "RuntimeError"):
                text = ast.unparse(node.exc)
                if any("\u4e00" <= ch <= "\u9fff" for ch in text):
                    offenders.append(f"{path.name}: {text}")
    assert offenders == []
