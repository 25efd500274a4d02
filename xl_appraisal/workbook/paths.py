"""The output-path guard every command runs before any work: outputs never clobber inputs.

`check_output(out, inputs)` refuses (Unusable, exit 2, one Chinese sentence, nothing written) an output
that is, or resolves to, one of the inputs — the same spelling, a relative spelling (`./a/../BOOK`),
a symlink to it, a hard link, or another case of its name where the file system ignores case (Windows:
os.path.normcase; any OS: samefile) — an output into a missing or read-only folder, an output that is
a folder, an existing read-only output, and an existing output the command does not replace.
`check_output_folder` does the same for commands that write several files into a folder.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from xl_appraisal.errors import Unusable
from xl_appraisal.workbook.save import ensure_not_open, ensure_writable, folder_not_writable

_normcase = os.path.normcase  # tests swap in ntpath.normcase to play Windows


def identity(path: str | os.PathLike) -> str:
    """One spelling per file: absolute, symlinks and `..` resolved, case folded where the OS folds it."""
    return _normcase(os.path.realpath(os.path.abspath(path)))


def same_file(a: str | os.PathLike, b: str | os.PathLike) -> bool:
    if identity(a) == identity(b):
        return True
    try:
        return os.path.samefile(a, b)  # hard links; case-insensitive file systems
    except (OSError, ValueError):
        return False


def _writable_folder(folder: Path) -> bool:
    return os.access(folder, os.W_OK | os.X_OK) if os.name == "posix" else os.access(folder, os.W_OK)


def check_output(out: str | os.PathLike, inputs: Iterable[str | os.PathLike] = (), *, replace: bool = True,
                 what: str = "输出文件") -> Path:
    """Refuse an output that cannot be written or would destroy an input, before anything is written.

    `replace`: the command documents that it replaces an existing output (it keeps the old one in
    备份/); False: an existing output is refused unless the user adds --force."""
    out = Path(out)
    for source in inputs:
        if same_file(out, source):
            raise Unusable(f"{what} {out} 就是输入文件 {source}：不会用输出覆盖输入，请换一个文件名")
    if out.is_dir():
        raise Unusable(f"{out} 是文件夹，不是文件名，没有写入任何文件：请给{what}写一个文件名")
    real = Path(os.path.realpath(out))
    folder = real.parent
    shown_folder = out.parent if str(out.parent) not in ("", ".") else Path.cwd()
    if not folder.exists():
        raise Unusable(f"文件夹“{shown_folder}”不存在，没有写入任何文件：请先建好这个文件夹，或换一个输出位置")
    if not folder.is_dir():
        raise Unusable(f"“{shown_folder}”不是文件夹，没有写入任何文件：请换一个输出位置")
    if not _writable_folder(folder):
        raise folder_not_writable(shown_folder)
    if out.exists():
        if not replace:
            raise Unusable(f"{out} 已存在，不会覆盖；如确需覆盖请加 --force（旧文件会先复制到“备份”文件夹）")
        ensure_writable(real, shown=out)
        ensure_not_open(out)
    return out


def check_output_folder(folder: str | os.PathLike, inputs: Iterable[str | os.PathLike] = ()) -> Path:
    """A folder that several files will be written into (created when missing): refused when it is a
    file (an input, say), or when it (or the folder it would be made in) cannot be written."""
    folder = Path(folder)
    for source in inputs:
        if same_file(folder, source):
            raise Unusable(f"输出文件夹 {folder} 就是输入文件 {source}：请写一个文件夹名")
    if folder.exists() and not folder.is_dir():
        raise Unusable(f"{folder} 是文件，不是文件夹，没有写入任何文件：请写一个文件夹名")
    existing = folder
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if existing.exists() and not existing.is_dir():
        raise Unusable(f"{existing} 是文件，不能在其中建文件夹 {folder}，没有写入任何文件")
    if not _writable_folder(existing if existing.exists() else Path.cwd()):
        raise folder_not_writable(existing)
    return folder


def check_outputs(paths: Iterable[Path], inputs: Iterable[str | os.PathLike] = (), *, replace: bool = True) -> None:
    """Several files a command writes into one folder: none may be an input; with `replace` False,
    all that exist are named in one refusal."""
    paths = list(paths)
    inputs = list(inputs)
    for out in paths:
        for source in inputs:
            if same_file(out, source):
                raise Unusable(f"要生成的 {out} 就是输入文件 {source}：不会用输出覆盖输入，请换一个输出文件夹")
    existing = [p for p in paths if p.exists()]
    if existing and not replace:
        names = "、".join(p.name for p in existing)
        raise Unusable(f"{existing[0].parent} 中已有 {names}，不会覆盖；如确需覆盖请加 --force（旧文件会先复制到“备份”文件夹）")
    for out in existing:
        if out.is_dir():
            raise Unusable(f"{out} 是文件夹，没有写入任何文件：请换一个输出文件夹")
        ensure_writable(out)
        ensure_not_open(out)
