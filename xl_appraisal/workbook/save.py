"""Atomic, recoverable saves: temp file in the same folder, fsync, replace; the old file kept in 备份/."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
from pathlib import Path

from xl_appraisal.errors import Unusable

BACKUP_DIR = "备份"
KEEP_BACKUPS = 5


class FileBusy(Unusable):
    """The workbook is open in Excel/WPS (lock file beside it, or the OS refuses): one Chinese sentence."""


def lock_file(path: Path) -> Path:
    return path.with_name("~$" + path.name)


def ensure_not_open(path: Path) -> None:
    if lock_file(path).exists():
        raise FileBusy(f"{path.name} 正在 Excel 或 WPS 中打开（发现 {lock_file(path).name}）：请先关闭它，或在 Excel 中点“重新计算”")


def make_backup(path: Path, keep: int = KEEP_BACKUPS) -> Path | None:
    """Copy the current file into 备份/ beside it, keeping the newest `keep` copies of this workbook."""
    if not path.exists():
        return None
    folder = path.parent / BACKUP_DIR
    folder.mkdir(exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    target = folder / f"{path.stem}.{stamp}{path.suffix}"
    shutil.copy2(path, target)
    olds = sorted(folder.glob(f"{path.stem}.*{path.suffix}"))
    for old in olds[:-keep]:
        old.unlink()
    return target


def atomic_write(path: Path, data: bytes, backup: bool = True) -> None:
    """Write `data` to `path` so that a crash at any moment leaves either the old or the new file."""
    path = Path(path)
    ensure_not_open(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if backup:
            make_backup(path)
        try:
            os.replace(tmp, path)
        except PermissionError as exc:  # Windows: the file is open in Excel
            raise FileBusy(f"{path.name} 无法写入（可能正在 Excel 或 WPS 中打开）：请先关闭它再试") from exc
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
