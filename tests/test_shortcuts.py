"""`xl-appraisal install-shortcuts` (issue 15, item 6): the Send To files' exact content."""

from __future__ import annotations

import sys

from xl_appraisal.cli import main
from xl_appraisal.shortcuts import SENDTO_ENV, SHORTCUTS


def test_shortcut_files_run_this_python_on_the_selected_workbooks_and_wait(tmp_path, capsys):
    assert main(["install-shortcuts", "--folder", str(tmp_path)]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(f"{s.name}.cmd" for s in SHORTCUTS)
    assert {s.name for s in SHORTCUTS} >= {"考核·重新计算", "考核·校验", "考核·导出报送版"}
    raw = (tmp_path / "考核·重新计算.cmd").read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")  # a BOM would break the first line
    assert raw.count(b"\r\n") == raw.count(b"\n")  # CRLF throughout
    lines = raw.decode("utf-8").split("\r\n")
    assert lines[:2] == ["@echo off", "chcp 65001 >nul"]  # UTF-8 console before any Chinese
    assert f'"{sys.executable}" -m xl_appraisal.cli recalc "%~1"' in lines
    assert lines[-2:] == ["pause", ""]  # waits for a key, so the verdict can be read
    assert ":next" in lines and "shift" in lines and 'if not "%~1"=="" goto next' in lines  # several files
    assert all(ord(ch) < 128 for line in lines[:2] for ch in line)
    export = (tmp_path / "考核·导出报送版.cmd").read_text(encoding="utf-8")
    assert f'"{sys.executable}" -m xl_appraisal.cli export "%~1" -o "%~dpn1（报送版）.xlsx"' in export
    assert "-m xl_appraisal.cli check" in (tmp_path / "考核·校验.cmd").read_text(encoding="utf-8")
    assert capsys.readouterr().out.rstrip().splitlines()[-1].startswith("已在“发送到”菜单加入“考核·重新计算”")


def test_the_folder_comes_from_the_environment_and_a_missing_one_is_refused(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv(SENDTO_ENV, str(tmp_path))
    assert main(["install-shortcuts", "-q"]) == 0
    assert (tmp_path / "考核·重新计算.cmd").exists()
    assert main(["install-shortcuts", "--folder", str(tmp_path / "没有")]) == 2
    assert "不存在" in capsys.readouterr().out


def test_a_percent_sign_in_the_python_path_is_escaped(tmp_path):
    from xl_appraisal.shortcuts import cmd_text

    assert '"C:\\100%%\\python.exe" -m' in cmd_text(SHORTCUTS[0], "C:\\100%\\python.exe")


def test_the_cli_module_runs_as_the_shortcut_calls_it(tmp_path):
    import subprocess

    done = subprocess.run([sys.executable, "-m", "xl_appraisal.cli", "check", str(tmp_path / "无.xlsm")],
                          capture_output=True, text=True, encoding="utf-8")
    assert done.returncode == 2 and "Traceback" not in done.stderr
