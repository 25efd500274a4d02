"""Atomic, recoverable saves that keep a file's identity.

- The data goes to a temporary file in the target's folder, is flushed and fsynced, then replaces the
  target in one step: a failure at any moment leaves the old file (and no temporary file) behind.
- A symlink is written through: its target is replaced and the link stays a link. Backups and lock
  checks use the path as given (backups go into 备份/ beside the link); locks are looked for beside
  the link and beside its target.
- Identity: a replaced file keeps its permission bits (and, where the OS allows, its owner and group);
  a new file gets the usual mode (0666 minus the umask), never mkstemp's 0600.
- A read-only file (no write permission bit: chmod 444, or Windows' read-only attribute; or no write
  access for this user) is never overwritten: `ReadOnly`, exit 2.
- Before a file is replaced it is copied into 备份/ beside it as `<stem>.<YYYYMMDD-HHMMSS-ffffff><suffix>`
  (also written atomically: a full disk never leaves half a backup). Pruning matches exactly that
  scheme, so it never touches `2018考核.定稿.<time>.xlsm` or a user's own `2018考核.1月原始版.xlsm`;
  it keeps the newest five and the first backup of each day.
- Any OS failure while writing (disk full, read-only folder, ...) is one Chinese sentence (`Unusable`).
"""

from __future__ import annotations

import datetime as dt
import errno
import os
import re
import secrets
import shutil
import stat
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from xl_appraisal.errors import AppError, Unusable

BACKUP_DIR = "备份"
KEEP_BACKUPS = 5
STAMP_FORMAT = "%Y%m%d-%H%M%S-%f"
_STAMP = r"(\d{8}-\d{6}-\d{6})"
_NO_SPACE = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)}
_NO_SPACE_WINERROR = {39, 112}  # ERROR_HANDLE_DISK_FULL, ERROR_DISK_FULL
_NO_ACCESS = {errno.EACCES, errno.EPERM, errno.EROFS}


class FileBusy(Unusable):
    """The workbook is open in Excel/WPS/LibreOffice (lock file beside it, or the OS refuses)."""


class ReadOnly(Unusable):
    """The file or its folder may not be written (exit 2)."""


class DiskFull(Unusable):
    """No space left while writing (exit 2); nothing half-written is left behind."""


# Locks -----------------------------------------------------------------------------------------------
def lock_file(path: Path) -> Path:
    """Excel's and WPS's owner file beside an open workbook."""
    return path.with_name("~$" + path.name)


def libreoffice_lock(path: Path) -> Path:
    return path.with_name(".~lock." + path.name + "#")


def lock_owner(lock: Path) -> str:
    """Who holds the lock, as far as the lock file says (empty when it does not say)."""
    try:
        data = lock.read_bytes()[:512]
    except OSError:
        return ""
    if lock.name.startswith(".~lock."):  # LibreOffice: "Full Name,login,host,date,profile;"
        fields = data.decode("utf-8", "replace").split(",")
        return (fields[0].strip() or (fields[1].strip() if len(fields) > 1 else ""))[:60]
    if not data:
        return ""
    n = data[0]  # Office owner file: length, ANSI name padded to 54 bytes, length, 0, UTF-16 name
    if 0 < n <= 53 and len(data) >= 56 + 2 * n and data[54] == n:
        try:
            return data[56:56 + 2 * n].decode("utf-16-le").strip()
        except UnicodeDecodeError:
            pass
    if 0 < n < len(data):
        return data[1:1 + n].decode("gbk", "replace").strip()
    return ""


def _busy(path: Path, lock: Path) -> FileBusy:
    owner = lock_owner(lock)
    try:
        since = dt.datetime.fromtimestamp(lock.stat().st_mtime).strftime("%Y-%m-%d %H:%M")
    except OSError:
        since = "不详"
    held = f"打开者 {owner}，" if owner else ""
    if lock.name.startswith(".~lock."):
        app, close = "LibreOffice", "请先关闭它"
    else:
        app, close = "Excel 或 WPS", "请先关闭它，或在 Excel 中点“重新计算”"
    return FileBusy(f"{path.name} 正在 {app} 中打开（{held}锁文件 {lock.name} 生成于 {since}）：{close}；"
                    f"如果确定没有人打开它（程序异常退出会留下这个隐藏的锁文件），删除 {lock.absolute()} 后再试")


def ensure_not_open(path: Path) -> None:
    """FileBusy when Excel/WPS (`~$NAME`) or LibreOffice (`.~lock.NAME#`) holds the file.

    A lock is never ignored on a guess: Excel keeps its lock while the book stays open, also after it
    saves, so neither the lock's age nor the file's last write tells a stale lock from a live one
    (and on a shared folder the owner's computer cannot be asked). The sentence names the holder and
    the lock's time, and says which hidden file to delete when nobody has the book open.
    """
    path = Path(path)
    places = [path]
    real = Path(os.path.realpath(path))
    if real != path.absolute():
        places.append(real)
    for place in places:
        for lock in (lock_file(place), libreoffice_lock(place)):
            if lock.exists():
                raise _busy(path, lock)


# Read-only -------------------------------------------------------------------------------------------
def is_read_only(path: Path, st: os.stat_result | None = None) -> bool:
    """No write bit at all (chmod 444; Windows' read-only attribute) or no write access for this user."""
    st = st or os.stat(path)
    return not stat.S_IMODE(st.st_mode) & 0o222 or not os.access(path, os.W_OK)


def ensure_writable(path: Path, shown: Path | None = None) -> None:
    """ReadOnly when an existing file may not be replaced."""
    shown = shown or path
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return
    if is_read_only(path, st):
        if stat.S_IMODE(st.st_mode) & 0o222 and not os.access(Path(path).parent, os.W_OK):
            raise folder_not_writable(Path(path).parent)  # a read-only share or file system
        raise ReadOnly(f"{shown.name} 是只读文件，没有改动它：如需写入，请先取消只读（Windows：右键 → 属性，去掉“只读”；"
                       f"Linux 或 Mac：chmod u+w），或另存为新文件")


def folder_not_writable(folder: Path) -> ReadOnly:
    return ReadOnly(f"文件夹“{folder}”不能写入（只读或没有权限），没有写入任何文件：请换一个文件夹，或请管理员开放写入权限")


def write_failed(exc: OSError, shown: Path, folder: Path) -> Unusable:
    """One sentence for an OS failure while writing `shown` (nothing was replaced)."""
    if exc.errno in _NO_SPACE or getattr(exc, "winerror", None) in _NO_SPACE_WINERROR:
        return DiskFull(f"磁盘空间不足，{shown.name} 没有写入（原文件未改动，没有留下不完整的备份或临时文件）：请腾出空间后再试")
    if isinstance(exc, PermissionError) or exc.errno in _NO_ACCESS:
        return folder_not_writable(folder)
    return Unusable(f"写入 {shown.name} 失败（{exc.strerror or exc}），原文件未改动")


# Writing ---------------------------------------------------------------------------------------------
def _prepare(target: Path, fill: Callable[[BinaryIO], object], like: os.stat_result | None = None) -> Path:
    """A temporary file beside `target` (usual mode, or `like`'s identity), filled and fsynced; the caller
    renames it over `target`. On any failure the temporary file is removed and the error raised."""
    tmp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        with os.fdopen(fd, "wb") as fh:
            fill(fh)
            fh.flush()
            os.fsync(fh.fileno())
        if like is not None:
            _keep_identity(tmp, like)
    except BaseException:
        _discard(tmp)
        raise
    return tmp


def _commit(tmp: Path, target: Path) -> None:
    try:
        os.replace(tmp, target)
    except BaseException:
        _discard(tmp)
        raise


def _discard(tmp: Path) -> None:
    try:
        os.unlink(tmp)
    except OSError:
        pass


def _keep_identity(tmp: Path, st: os.stat_result) -> None:
    """The replaced file's owner/group (where allowed) and permission bits, onto its replacement."""
    if hasattr(os, "chown"):
        for uid in (st.st_uid, -1):  # only root may give a file away; a member may still set the group
            try:
                os.chown(tmp, uid, st.st_gid)
                break
            except OSError:
                continue
    os.chmod(tmp, stat.S_IMODE(st.st_mode))


def _sync_folder(folder: Path) -> None:
    if os.name != "posix":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def atomic_write(path: Path, data: bytes, backup: bool = True) -> None:
    """Write `data` to `path` so that a crash at any moment leaves either the old or the new file.

    `backup`: an existing file is first copied into 备份/ beside `path`. Writes through a symlink."""
    path = Path(path)
    real = Path(os.path.realpath(path))
    ensure_not_open(path)
    try:
        st: os.stat_result | None = os.stat(real)
    except FileNotFoundError:
        st = None
    except OSError as exc:
        raise write_failed(exc, path, real.parent) from exc
    if st is not None:
        ensure_writable(real, shown=path)
    try:
        tmp = _prepare(real, lambda fh: fh.write(data), like=st)
        try:
            if backup and st is not None:
                make_backup(path)  # after the new bytes are safely on disk, before they replace the file
        except BaseException:
            _discard(tmp)
            raise
        try:
            _commit(tmp, real)
        except PermissionError as exc:
            if st is not None and os.name == "nt":  # Windows: the file is open in Excel
                raise FileBusy(f"{path.name} 无法写入（可能正在 Excel 或 WPS 中打开）：请先关闭它再试") from exc
            raise
    except AppError:
        raise
    except OSError as exc:
        raise write_failed(exc, path, real.parent) from exc
    _sync_folder(real.parent)


# Backups ---------------------------------------------------------------------------------------------
def backup_name(path: Path, when: dt.datetime) -> str:
    return f"{path.stem}.{when.strftime(STAMP_FORMAT)}{path.suffix}"


def backups_of(path: Path) -> list[tuple[dt.datetime, Path]]:
    """This file's backups in 备份/ (exactly `<stem>.<stamp><suffix>`), oldest first."""
    folder = Path(path).parent / BACKUP_DIR
    pattern = re.compile(re.escape(path.stem) + r"\." + _STAMP + re.escape(path.suffix))
    found = []
    try:
        entries = list(folder.iterdir())
    except OSError:
        return []
    for entry in entries:
        m = pattern.fullmatch(entry.name)
        if not m or not entry.is_file():
            continue
        try:
            found.append((_stamp(m.group(1)), entry))
        except ValueError:
            continue
    return sorted(found)


def _stamp(text: str) -> dt.datetime:
    """'20181231-235959-123456' (STAMP_FORMAT; _STAMP fixes every field's width) as a datetime; ValueError
    for an impossible one. strptime would import _strptime and locale for this (≈4 ms on every save)."""
    return dt.datetime(int(text[0:4]), int(text[4:6]), int(text[6:8]), int(text[9:11]), int(text[11:13]),
                       int(text[13:15]), int(text[16:22]))


def backups_to_keep(stamps: list[dt.datetime], keep: int = KEEP_BACKUPS) -> set[dt.datetime]:
    """The newest `keep`, and the first of each day."""
    ordered = sorted(stamps)
    kept = set(ordered[-keep:]) if keep > 0 else set()
    days: set[dt.date] = set()
    for stamp in ordered:
        if stamp.date() not in days:
            days.add(stamp.date())
            kept.add(stamp)
    return kept


def make_backup(path: Path, keep: int = KEEP_BACKUPS, now: dt.datetime | None = None) -> Path | None:
    """Copy the current file into 备份/ beside it (atomically), then prune this file's older backups."""
    path = Path(path)
    if not path.exists():
        return None
    folder = path.parent / BACKUP_DIR
    try:
        folder.mkdir(exist_ok=True)
        when = now or dt.datetime.now()
        taken = {stamp for stamp, _ in backups_of(path)}
        while when in taken:  # two saves within one microsecond
            when += dt.timedelta(microseconds=1)
        target = folder / backup_name(path, when)
        with open(path, "rb") as src:
            tmp = _prepare(target, lambda fh: shutil.copyfileobj(src, fh, 1024 * 1024))
        try:
            shutil.copystat(path, tmp)  # the backup keeps the old file's times and mode
        except OSError:
            pass
        _commit(tmp, target)
    except OSError as exc:
        if exc.errno in _NO_SPACE or getattr(exc, "winerror", None) in _NO_SPACE_WINERROR:
            raise write_failed(exc, path, folder) from exc
        raise Unusable(f"无法在 {folder} 中保留旧版（{exc.strerror or exc}），{path.name} 没有写入：请检查这个文件夹后再试") from exc
    prune_backups(path, keep)
    return target


def prune_backups(path: Path, keep: int = KEEP_BACKUPS) -> None:
    """Delete this file's backups beyond the newest `keep` and the first of each day; nothing else."""
    found = backups_of(path)
    kept = backups_to_keep([stamp for stamp, _ in found], keep)
    for stamp, old in found:
        if stamp not in kept:
            try:
                old.unlink()
            except OSError:
                pass  # a backup that cannot be deleted is only kept
