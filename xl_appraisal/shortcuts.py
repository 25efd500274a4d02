"""`xl-appraisal install-shortcuts`: a path without a terminal (WPS offices on Windows). It puts small
`.cmd` files into the Windows 发送到 (Send To) menu: right-click a workbook → 发送到 → 考核·重新计算. Each
runs this installation's Python (sys.executable) on the selected workbook(s) and waits for a key, so
the clerk can read the verdict; `chcp 65001` first, so the Chinese output shows.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

from xl_appraisal.errors import Unusable

SENDTO_ENV = "XL_APPRAISAL_SENDTO"  # a folder to use instead of %APPDATA%\Microsoft\Windows\SendTo


@dataclass(frozen=True)
class Shortcut:
    name: str  # the menu entry (file name without .cmd)
    command: str  # xl-appraisal subcommand
    extra: str = ""  # more arguments; %~dpn1 is the selected file's folder and name without extension


SHORTCUTS = (
    Shortcut("考核·重新计算", "recalc"),
    Shortcut("考核·校验", "check"),
    Shortcut("考核·导出报送版", "export", '-o "%~dpn1（报送版）.xlsx"'),
)


def sendto_folder(folder: str | os.PathLike | None = None) -> Path:
    """Where the shortcuts go: the given folder, else $XL_APPRAISAL_SENDTO, else the user's Send To."""
    if folder:
        return Path(folder)
    if os.environ.get(SENDTO_ENV):
        return Path(os.environ[SENDTO_ENV])
    if os.environ.get("APPDATA"):
        return Path(os.environ["APPDATA"]) / "Microsoft" / "Windows" / "SendTo"
    raise Unusable("找不到“发送到”菜单的文件夹（只有 Windows 有）；可以用 --folder 指定放快捷方式的文件夹")


def cmd_text(shortcut: Shortcut, python: str | None = None) -> str:
    """The .cmd file: every selected workbook in turn, then wait for a key. Lines end with CRLF."""
    python = (python or sys.executable).replace("%", "%%")  # a literal % in a batch file is %%
    extra = f" {shortcut.extra}" if shortcut.extra else ""
    lines = [
        "@echo off",
        "chcp 65001 >nul",
        f"rem {shortcut.name}: xl-appraisal {shortcut.command} (made by xl-appraisal install-shortcuts)",
        "set PYTHONIOENCODING=utf-8",
        'if "%~1"=="" (',
        f"  echo 请在工作簿上点右键，选“发送到”→“{shortcut.name}”。",
        "  pause",
        "  exit /b 1",
        ")",
        ":next",
        f'"{python}" -m xl_appraisal.cli {shortcut.command} "%~1"{extra}',
        "echo.",
        "shift",
        'if not "%~1"=="" goto next',
        "pause",
    ]
    return "\r\n".join(lines) + "\r\n"


def install_shortcuts(folder: str | os.PathLike | None = None, python: str | None = None) -> list[Path]:
    """Write (or replace) the shortcut files; their paths."""
    target = sendto_folder(folder)
    if not target.is_dir():
        raise Unusable(f"文件夹 {target} 不存在")
    written = []
    for shortcut in SHORTCUTS:
        path = target / f"{shortcut.name}.cmd"
        try:
            path.write_bytes(cmd_text(shortcut, python).encode("utf-8"))  # no BOM: it would break "@echo off"
        except OSError as exc:
            raise Unusable(f"无法写入 {path}（{exc.strerror or exc}）") from None
        written.append(path)
    return written
