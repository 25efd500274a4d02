"""Files keep their identity and outputs never clobber inputs (issue 13, items 4, 5, 6, 9, 10, 17 and
the lock files): every case runs the command line and checks what the user sees (exit status, one
Chinese sentence, no traceback) and what is on disk afterwards (bytes, modes, links, 备份/)."""

from __future__ import annotations

import datetime as dt
import errno
import io
import ntpath
import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from xl_appraisal.cli import main
from xl_appraisal.errors import Unusable
from xl_appraisal.templates import demo_workbook
from xl_appraisal.workbook import paths as paths_mod
from xl_appraisal.workbook import save as save_mod
from xl_appraisal.workbook.paths import check_output, same_file

RECORDS = Path(__file__).resolve().parent.parent / "docs" / "examples" / "签到记录示例.csv"
ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


@pytest.fixture(scope="module")
def demo_bytes(tmp_path_factory) -> bytes:
    """A filled 2018 workbook not yet recalculated (recalc changes it)."""
    path = tmp_path_factory.mktemp("demo") / "2018考核.xlsm"
    demo_workbook(path)
    return path.read_bytes()


@pytest.fixture
def book(tmp_path, demo_bytes) -> Path:
    path = tmp_path / "2018考核.xlsm"
    path.write_bytes(demo_bytes)
    return path


def run(capsys, *argv) -> tuple[int, str]:
    code = main([str(a) for a in argv])
    out = capsys.readouterr()
    assert "Traceback" not in out.out + out.err
    return code, out.out


def one_sentence(text: str) -> bool:
    return len(text.strip().splitlines()) == 1


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Every file under `folder` (bytes, mode): 'nothing written' means this does not change."""
    return {str(p.relative_to(folder)): (p.read_bytes(), stat.S_IMODE(p.lstat().st_mode))
            for p in sorted(folder.rglob("*")) if p.is_file() and not p.is_symlink()}


# Item 4: outputs never clobber inputs ---------------------------------------------------------------
def test_export_onto_its_own_book_is_refused(book, capsys):
    before = snapshot(book.parent)
    code, out = run(capsys, "export", book, "-o", book)
    assert code == 2 and "就是输入文件" in out and one_sentence(out)
    assert snapshot(book.parent) == before  # the workbook is not the values-only copy; no 备份 either


@pytest.mark.parametrize("spelling", ["relative", "dotdot", "symlink", "hardlink"])
def test_export_onto_another_spelling_of_the_book_is_refused(book, capsys, monkeypatch, spelling):
    monkeypatch.chdir(book.parent)
    (book.parent / "sub").mkdir()
    out = {"relative": Path(book.name), "dotdot": Path("sub") / ".." / "." / book.name,
           "symlink": book.parent / "链接.xlsx", "hardlink": book.parent / "硬链接.xlsx"}[spelling]
    if spelling == "symlink":
        out.symlink_to(book)
    if spelling == "hardlink":
        os.link(book, out)
    before = book.read_bytes()
    code, text = run(capsys, "export", book, "-o", out)
    assert code == 2 and "就是输入文件" in text and one_sentence(text)
    assert book.read_bytes() == before and not (book.parent / "备份").exists()


def test_output_in_another_case_is_the_input_on_windows(book, capsys, monkeypatch):
    """Windows ignores case: 2018考核.XLSM is the workbook (os.path.normcase, played here by ntpath's)."""
    monkeypatch.setattr(paths_mod, "_normcase", ntpath.normcase)
    before = book.read_bytes()
    code, out = run(capsys, "export", book, "-o", book.with_name("2018考核.XLSM"))
    assert code == 2 and "就是输入文件" in out
    assert book.read_bytes() == before


def test_recalc_json_onto_the_book_is_refused(book, capsys):
    before = snapshot(book.parent)
    code, out = run(capsys, "recalc", book, "--json", book)
    assert code == 2 and "JSON 文件" in out and "就是输入文件" in out and one_sentence(out)
    assert snapshot(book.parent) == before  # refused before the workbook was written


def test_recalc_json_onto_its_own_output_is_refused(book, capsys):
    out_book = book.with_name("另存.xlsm")
    before = snapshot(book.parent)
    code, out = run(capsys, "recalc", book, "-o", out_book, "--json", out_book)
    assert code == 2 and "就是输入文件" in out
    assert snapshot(book.parent) == before


def test_recalc_output_onto_the_book_is_refused(book, capsys):
    before = snapshot(book.parent)
    code, out = run(capsys, "recalc", book, "-o", book.parent / "." / book.name)
    assert code == 2 and "就是输入文件" in out
    assert snapshot(book.parent) == before


def test_import_signins_output_onto_the_records_is_refused(book, tmp_path, capsys):
    records = tmp_path / "签到.csv"
    shutil.copy(RECORDS, records)
    before = snapshot(tmp_path)
    code, out = run(capsys, "import-signins", book, records, "-o", records)
    assert code == 2 and "就是输入文件" in out and one_sentence(out)
    assert snapshot(tmp_path) == before


def test_collect_output_onto_a_returned_file_is_refused(book, tmp_path, capsys):
    returned = tmp_path / "办公室-自评.xlsx"
    returned.write_bytes(b"what the department sent back")
    before = snapshot(tmp_path)
    code, out = run(capsys, "collect", book, returned, "-o", returned)
    assert code == 2 and "就是输入文件" in out
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("command", ["split", "signoff"])
def test_output_folder_that_is_the_book_is_refused(book, capsys, command):
    before = snapshot(book.parent)
    code, out = run(capsys, command, book, "-o", book)
    assert code == 2 and "就是输入文件" in out and one_sentence(out)
    assert snapshot(book.parent) == before


@pytest.mark.parametrize("command", ["split", "signoff"])
def test_existing_files_in_the_output_folder_are_kept_unless_force(book, tmp_path, capsys, command):
    """`split -o 交回` (the folder the departments' returns were saved in) would overwrite them."""
    folder = tmp_path / "交回"
    extra = ["--no-pdf"] if command == "signoff" else []
    assert run(capsys, command, book, "-o", folder, *extra)[0] == 0
    made = sorted(p.name for p in folder.iterdir())
    returned = folder / made[0]
    returned.write_bytes(b"the department's answers")
    before = snapshot(tmp_path)
    code, out = run(capsys, command, book, "-o", folder, *extra)
    assert code == 2 and "已有" in out and "--force" in out and one_sentence(out)
    assert snapshot(tmp_path) == before
    assert run(capsys, command, book, "-o", folder, *extra, "--force")[0] == 0
    assert returned.read_bytes() != b"the department's answers"
    kept = list((folder / "备份").iterdir())
    assert [p.read_bytes() for p in kept if p.name.startswith(returned.stem + ".")] == [b"the department's answers"]


@pytest.mark.parametrize("argv", [
    ["recalc", "{book}", "--json", "{missing}/结果.json"],
    ["recalc", "{book}", "-o", "{missing}/另存.xlsm"],
    ["export", "{book}", "-o", "{missing}/报送版.xlsx"],
    ["import-signins", "{book}", str(RECORDS), "-o", "{missing}/另存.xlsm"],
    ["collect", "{book}", "{book}", "-o", "{missing}/另存.xlsm"],
    ["new", "-o", "{missing}/2026考核.xlsm", "--year", "2026"],
], ids=["recalc-json", "recalc-o", "export", "import-signins", "collect", "new"])
def test_output_into_a_missing_folder_is_refused_before_anything_is_written(book, tmp_path, capsys, argv):
    before = snapshot(tmp_path)
    stamp = book.stat().st_mtime_ns
    code, out = run(capsys, *[a.format(book=book, missing=tmp_path / "没有这个文件夹") for a in argv])
    assert code == 2 and "不存在" in out and one_sentence(out)
    assert snapshot(tmp_path) == before and book.stat().st_mtime_ns == stamp


def test_output_that_is_a_folder_is_refused(book, tmp_path, capsys):
    (tmp_path / "报送").mkdir()
    code, out = run(capsys, "export", book, "-o", tmp_path / "报送")
    assert code == 2 and "是文件夹" in out and one_sentence(out)


@pytest.mark.parametrize("argv", [["export", "{book}", "-o", "{old}"], ["recalc", "{book}", "-o", "{old}"],
                                  ["recalc", "{book}", "--json", "{old}"],
                                  ["import-signins", "{book}", str(RECORDS), "-o", "{old}"]],
                         ids=["export", "recalc-o", "recalc-json", "import-signins-o"])
def test_replacing_an_existing_output_keeps_the_old_one_in_backup(book, tmp_path, capsys, argv):
    """Documented: recalc/import-signins/collect -o, export -o and --json replace an existing output,
    after copying it into 备份/ beside it."""
    old = tmp_path / "上周的结果.xlsx"
    old.write_bytes(b"last week's result")
    assert run(capsys, *[a.format(book=book, old=old) for a in argv])[0] in (0, 1)
    assert old.read_bytes() != b"last week's result"
    assert [p.read_bytes() for p in (tmp_path / "备份").iterdir() if p.name.startswith(old.stem)] == [
        b"last week's result"]


def test_new_does_not_replace_without_force(book, capsys):
    before = book.read_bytes()
    code, out = run(capsys, "new", "-o", book, "--year", "2018")
    assert code == 2 and "已存在" in out and one_sentence(out)
    assert book.read_bytes() == before
    assert run(capsys, "new", "-o", book, "--year", "2018", "--force")[0] == 0
    assert [p.read_bytes() for p in (book.parent / "备份").iterdir()] == [before]  # even --force loses nothing


SEGMENT = st.sampled_from([".", "sub/..", "sub/./..", "link/..", "subdir-link/.."])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(detours=st.lists(SEGMENT, max_size=4), absolute=st.booleans(), via_link=st.booleans(),
       slashes=st.integers(1, 3))
@example(detours=[], absolute=False, via_link=False, slashes=1)
def test_every_spelling_of_an_input_is_the_input(tmp_path, monkeypatch, detours, absolute, via_link, slashes):
    """Relative spellings, `..` detours, doubled separators and symlinked folders all name one file; a
    sibling never is. (Hypothesis: any mix of these.)"""
    base = tmp_path / "w"
    if not base.exists():
        (base / "sub").mkdir(parents=True)
        (base / "real").mkdir()
        (base / "real" / "2018考核.xlsm").write_bytes(b"book")
        (base / "real" / "2018考核 .xlsm").write_bytes(b"another book")
        (base / "link").symlink_to(base / "sub")
        (base / "subdir-link").symlink_to(base / "real")
    monkeypatch.chdir(base)
    folder = "subdir-link" if via_link else "real"
    parts = [*detours, folder, "2018考核.xlsm"]
    spelled = ("/" * slashes).join(parts)
    if absolute:
        spelled = str(base) + "/" + spelled
    assert same_file(spelled, base / "real" / "2018考核.xlsm")
    assert not same_file(spelled, base / "real" / "2018考核 .xlsm")
    with pytest.raises(Unusable, match="就是输入文件"):
        check_output(spelled, [base / "real" / "2018考核.xlsm"])


# Items 5 and 6: backups are exactly ours; disk full --------------------------------------------------
def test_pruning_never_deletes_files_it_did_not_make(book):
    folder = book.parent / "备份"
    folder.mkdir()
    others = ["2018考核.定稿.20181201-093000-000000.xlsm",  # backups of the workbook 2018考核.定稿.xlsm
              "2018考核.定稿.xlsm", "2018考核.1月原始版.xlsm",  # the user's own copies
              "2018考核.20181301-093000-000000.xlsm",  # month 13: not a stamp of ours
              "2018考核.20181201-093000-000000.xlsx",  # another extension: another file's backup
              "2018考核.20181201-0930.xlsm"]
    for name in others:
        (folder / name).write_bytes(name.encode())
    start = dt.datetime(2018, 12, 1, 9, 0)
    for i in range(8):
        save_mod.make_backup(book, now=start + dt.timedelta(minutes=i))
    for name in others:
        assert (folder / name).read_bytes() == name.encode()
    ours = [p for _, p in save_mod.backups_of(book)]
    assert len(ours) == 6  # the newest five and the first of 2018-12-01


def test_first_backup_of_each_day_is_kept_besides_the_last_five(book):
    days = [dt.datetime(2018, 12, d, 9, 0) for d in (3, 4, 5)]
    for day in days:
        for i in range(4):
            save_mod.make_backup(book, now=day + dt.timedelta(hours=i))
    kept = [stamp for stamp, _ in save_mod.backups_of(book)]
    newest_five = [days[1] + dt.timedelta(hours=3)] + [days[2] + dt.timedelta(hours=i) for i in range(4)]
    assert kept == sorted({days[0], days[1], *newest_five})


@given(st.lists(st.datetimes(min_value=dt.datetime(2018, 1, 1), max_value=dt.datetime(2018, 1, 10)),
                unique=True, max_size=30), st.integers(0, 6))
def test_kept_backups_are_exactly_the_newest_and_each_days_first(stamps, keep):
    kept = save_mod.backups_to_keep(stamps, keep)
    ordered = sorted(stamps)
    firsts = {min(s for s in stamps if s.date() == day) for day in {s.date() for s in stamps}}
    assert kept == set(ordered[max(0, len(ordered) - keep):] if keep else []) | firsts


class _FullDisk(io.RawIOBase):
    """A file whose disk fills half-way through the write."""

    def __init__(self, fh):
        self.fh = fh

    def write(self, data):
        self.fh.write(bytes(data)[: len(data) // 2])
        raise OSError(errno.ENOSPC, "No space left on device")

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.fh.close()


@pytest.mark.parametrize("fails", ["temp file", "backup"])
def test_disk_full_leaves_no_partial_file(book, capsys, monkeypatch, fails):
    save_mod.make_backup(book, now=dt.datetime(2018, 12, 1, 9, 0))  # an earlier backup, to count
    before = snapshot(book.parent)
    real_fdopen = os.fdopen
    calls = []

    def fdopen(fd, mode):
        calls.append(fd)  # the new workbook's temp file is written first, then the backup's
        failing = len(calls) == (1 if fails == "temp file" else 2)
        return _FullDisk(real_fdopen(fd, mode)) if failing else real_fdopen(fd, mode)

    monkeypatch.setattr(save_mod.os, "fdopen", fdopen)
    code, out = run(capsys, "recalc", book)
    assert code == 2 and "磁盘空间不足" in out and "没有写入" in out
    assert snapshot(book.parent) == before  # no temp file, no partial backup, the workbook as it was
    assert len(calls) == (1 if fails == "temp file" else 2)


@pytest.fixture
def small_disk(tmp_path):
    """A real 1 MB tmpfs (root on Linux only); skipped elsewhere."""
    mount = tmp_path / "disk"
    mount.mkdir()
    if not ROOT or not shutil.which("mount"):
        pytest.skip("mounting a small tmpfs needs root on Linux; the monkeypatched disk-full test covers it")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)], capture_output=True)
    if done.returncode:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode(errors='replace').strip()}")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


def _fill_disk(folder: Path, leave: int) -> None:
    """Take all free space but `leave` bytes."""
    vfs = os.statvfs(folder)
    free = vfs.f_bavail * vfs.f_frsize
    with open(folder / "填满.bin", "wb") as fh:
        fh.write(b"\0" * max(0, free - leave))


@pytest.mark.parametrize("room", ["less than the new file", "the new file but not the backup"])
def test_disk_really_full(small_disk, demo_bytes, tmp_path, capsys, room):
    other = tmp_path / "elsewhere.xlsm"
    other.write_bytes(demo_bytes)
    main(["recalc", str(other), "-o", str(tmp_path / "new-size.xlsm")])
    new_size = (tmp_path / "new-size.xlsm").stat().st_size
    book = small_disk / "2018考核.xlsm"
    book.write_bytes(demo_bytes)
    (small_disk / "备份").mkdir()
    capsys.readouterr()
    _fill_disk(small_disk, new_size // 2 if room.startswith("less") else new_size + 8192)
    before = snapshot(small_disk)
    code, out = run(capsys, "recalc", book)
    assert code == 2 and "磁盘空间不足" in out and one_sentence(out)
    assert snapshot(small_disk) == before


# Item 9: a symlinked workbook -----------------------------------------------------------------------
def test_symlinked_workbook_is_written_through_to_the_shared_file(tmp_path, demo_bytes, capsys):
    shared = tmp_path / "共享" / "2018考核.xlsm"
    shared.parent.mkdir()
    shared.write_bytes(demo_bytes)
    mine = tmp_path / "我的" / "考核.xlsm"
    mine.parent.mkdir()
    mine.symlink_to(shared)
    assert run(capsys, "recalc", mine)[0] == 0
    assert mine.is_symlink() and mine.resolve() == shared.resolve()
    assert shared.read_bytes() != demo_bytes  # the real, shared file was updated
    backups = list((mine.parent / "备份").iterdir())  # backups go beside the link, named after it
    assert len(backups) == 1 and backups[0].name.startswith("考核.") and backups[0].read_bytes() == demo_bytes
    assert not (shared.parent / "备份").exists()
    assert sorted(p.name for p in shared.parent.iterdir()) == ["2018考核.xlsm"]  # no temp file left


def test_lock_beside_the_symlinks_target_is_seen(tmp_path, demo_bytes, capsys):
    shared = tmp_path / "共享" / "2018考核.xlsm"
    shared.parent.mkdir()
    shared.write_bytes(demo_bytes)
    (shared.parent / "~$2018考核.xlsm").write_bytes(b"\x04")
    mine = tmp_path / "考核.xlsm"
    mine.symlink_to(shared)
    code, out = run(capsys, "recalc", mine)
    assert code == 2 and "正在 Excel 或 WPS 中打开" in out
    assert shared.read_bytes() == demo_bytes


# Item 10: read-only files, permission bits, the usual mode -------------------------------------------
@pytest.mark.parametrize("mode", [0o444, 0o440, 0o400])
def test_read_only_workbook_is_not_overwritten(book, capsys, mode):
    before = book.read_bytes()
    book.chmod(mode)
    try:
        code, out = run(capsys, "recalc", book)
        assert code == 2 and "只读" in out and one_sentence(out)
        assert book.read_bytes() == before and stat.S_IMODE(book.stat().st_mode) == mode
        assert not (book.parent / "备份").exists()
    finally:
        book.chmod(0o644)


def test_read_only_existing_output_is_refused_before_work(book, tmp_path, capsys):
    out = tmp_path / "报送版.xlsx"
    out.write_bytes(b"signed copy")
    out.chmod(0o444)
    code, text = run(capsys, "export", book, "-o", out)
    assert code == 2 and "只读" in text
    assert out.read_bytes() == b"signed copy"


@pytest.mark.parametrize("mode", [0o664, 0o660, 0o640, 0o600, 0o644, 0o666])
def test_every_write_keeps_the_files_permission_bits(book, capsys, mode):
    book.chmod(mode)
    assert run(capsys, "recalc", book)[0] == 0
    assert stat.S_IMODE(book.stat().st_mode) == mode


@pytest.mark.skipif(not ROOT, reason="giving a file another group needs root")
def test_a_shared_files_group_is_kept(book, capsys):
    os.chown(book, 0, 100)
    book.chmod(0o664)
    assert run(capsys, "recalc", book)[0] == 0
    assert book.stat().st_gid == 100 and stat.S_IMODE(book.stat().st_mode) == 0o664


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(mode=st.integers(0, 0o777).filter(lambda m: m & 0o200), umask=st.integers(0, 0o777))
def test_atomic_write_keeps_any_writable_mode_and_gives_new_files_the_umask(tmp_path, mode, umask):
    old = tmp_path / "old.bin"
    old.write_bytes(b"old")
    old.chmod(mode)
    new = tmp_path / "new.bin"
    if new.exists():
        new.unlink()
    previous = os.umask(umask)
    try:
        save_mod.atomic_write(old, b"new", backup=False)
        save_mod.atomic_write(new, b"new", backup=False)
    finally:
        os.umask(previous)
    assert stat.S_IMODE(old.stat().st_mode) == mode and old.read_bytes() == b"new"
    assert stat.S_IMODE(new.stat().st_mode) == 0o666 & ~umask


@pytest.mark.parametrize("command", ["new", "export", "split", "signoff"])
def test_new_files_get_the_usual_mode_not_0600(book, tmp_path, capsys, command):
    out = {"new": tmp_path / "2026考核.xlsm", "export": tmp_path / "报送版.xlsx",
           "split": tmp_path / "自评表", "signoff": tmp_path / "签字表"}[command]
    argv = {"new": ["new", "-o", out, "--year", "2026"], "export": ["export", book, "-o", out, "--email"],
            "split": ["split", book, "-o", out], "signoff": ["signoff", book, "-o", out, "--no-pdf"]}[command]
    previous = os.umask(0o002)  # a shared office folder: group may write
    try:
        assert run(capsys, *argv)[0] == 0
    finally:
        os.umask(previous)
    made = [out] if out.is_file() else list(out.iterdir())
    if command == "export":
        made.append(out.with_suffix(".eml"))
    assert made and all(stat.S_IMODE(p.stat().st_mode) == 0o664 for p in made)


# Item 17: read-only folder, years ---------------------------------------------------------------------
def test_write_into_a_folder_that_refuses_writing_is_one_sentence(book, capsys, monkeypatch):
    """The OS refusing the temp file (a read-only folder, a share without write access)."""
    before = snapshot(book.parent)
    real_open = os.open

    def refusing_open(path, flags, mode=0o777, **kw):
        if flags & os.O_CREAT:
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_open(path, flags, mode, **kw)

    monkeypatch.setattr(save_mod.os, "open", refusing_open)
    code, out = run(capsys, "recalc", book)
    assert code == 2 and "不能写入" in out and one_sentence(out)
    assert snapshot(book.parent) == before


@pytest.fixture
def read_only_folder(tmp_path, demo_bytes):
    """A folder holding the workbook that really cannot be written: chmod 555 for a normal user; for
    root (who ignores modes), a tmpfs remounted read-only."""
    folder = tmp_path / "只读"
    folder.mkdir()
    if not ROOT:
        (folder / "2018考核.xlsm").write_bytes(demo_bytes)
        folder.chmod(0o555)
        yield folder
        folder.chmod(0o755)
        return
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(folder)], capture_output=True)
    if done.returncode:
        pytest.skip("root without mount: cannot make a folder root may not write")
    try:
        (folder / "2018考核.xlsm").write_bytes(demo_bytes)
        subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True, capture_output=True)
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def test_read_only_folder(read_only_folder, book, capsys):
    inside = read_only_folder / "2018考核.xlsm"
    before = inside.read_bytes()
    code, out = run(capsys, "recalc", inside)
    assert code == 2 and "不能写入" in out and one_sentence(out)
    assert inside.read_bytes() == before
    code, out = run(capsys, "export", book, "-o", read_only_folder / "报送版.xlsx")  # refused before work
    assert code == 2 and "不能写入" in out and one_sentence(out)
    assert sorted(p.name for p in read_only_folder.iterdir()) == ["2018考核.xlsm"]


@pytest.mark.parametrize("year", ["10000", "0", "-1", "18", "20188", "1899"])
def test_new_with_an_impossible_year_is_one_sentence(tmp_path, capsys, year):
    code, out = run(capsys, "new", "-o", tmp_path / "x.xlsm", "--year", year)
    assert code == 2 and "年度" in out and one_sentence(out)
    assert list(tmp_path.iterdir()) == []


# Locks: Excel/WPS and LibreOffice --------------------------------------------------------------------
def office_owner_file(user: str) -> bytes:
    """What Excel writes into ~$NAME: length, ANSI name padded to 54 bytes, length, 0, UTF-16 name."""
    ansi = user.encode("gbk")
    head = bytes([len(user)]) + ansi.ljust(53, b" ")
    return (head + bytes([len(user), 0]) + user.encode("utf-16-le")).ljust(165, b" ")


def test_excel_lock_names_its_holder_and_how_to_remove_a_stale_one(book, capsys):
    lock = book.with_name("~$" + book.name)
    lock.write_bytes(office_owner_file("张敏"))
    old = (dt.datetime.now() - dt.timedelta(days=3)).timestamp()
    os.utime(lock, (old, old))  # left by a crash three days ago: still never ignored on a guess
    before = book.read_bytes()
    code, out = run(capsys, "recalc", book)
    assert code == 2 and one_sentence(out)
    assert "正在 Excel 或 WPS 中打开" in out and "张敏" in out and "删除" in out and str(lock) in out
    assert book.read_bytes() == before
    lock.unlink()  # what the sentence says to do
    assert run(capsys, "recalc", book)[0] == 0


def test_libreoffice_lock_is_detected(book, capsys):
    lock = book.with_name(".~lock." + book.name + "#")
    lock.write_text(",lihua,office-pc,30.11.2026 09:30,file:///home/lihua/.config/libreoffice/4;", encoding="utf-8")
    before = book.read_bytes()
    code, out = run(capsys, "recalc", book)
    assert code == 2 and "LibreOffice" in out and "lihua" in out and str(lock) in out and one_sentence(out)
    assert book.read_bytes() == before


def test_lock_on_an_existing_output_is_refused_before_work(book, tmp_path, capsys):
    out = tmp_path / "报送版.xlsx"
    out.write_bytes(b"open in Excel")
    (tmp_path / "~$报送版.xlsx").write_bytes(b"")
    code, text = run(capsys, "export", book, "-o", out)
    assert code == 2 and "正在 Excel 或 WPS 中打开" in text
    assert out.read_bytes() == b"open in Excel"


def test_signoff_force_keeps_the_old_pdfs_too(book, tmp_path, capsys, monkeypatch):
    """LibreOffice writes the PDF itself (not through atomic_write): with --force the old PDF goes to 备份/."""
    from xl_appraisal import signoff

    def fake_pdf(xlsx, outdir):
        pdf = outdir / (xlsx.stem + ".pdf")
        pdf.write_bytes(b"new pdf")
        return pdf

    monkeypatch.setattr(signoff, "to_pdf", fake_pdf)
    monkeypatch.setattr(signoff, "libreoffice", lambda: "soffice")
    folder = tmp_path / "签字表"
    assert run(capsys, "signoff", book, "-o", folder)[0] == 0
    pdf = sorted(folder.glob("*.pdf"))[0]
    pdf.write_bytes(b"signed and scanned")
    code, out = run(capsys, "signoff", book, "-o", folder)
    assert code == 2 and pdf.name in out
    assert run(capsys, "signoff", book, "-o", folder, "--force")[0] == 0
    kept = {p.name.split(".")[0]: p.read_bytes() for p in (folder / "备份").iterdir() if p.suffix == ".pdf"}
    assert kept[pdf.stem] == b"signed and scanned" and len(kept) == len(list(folder.glob("*.pdf")))


def test_any_other_os_error_while_writing_is_one_sentence(book, capsys, monkeypatch):
    """An I/O error from the disk or the network share: exit 2, one sentence, the workbook as it was."""
    before = snapshot(book.parent)

    def failing_fsync(fd):
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(save_mod.os, "fsync", failing_fsync)
    code, out = run(capsys, "recalc", book)
    assert code == 2 and "失败" in out and "原文件未改动" in out and one_sentence(out)
    assert snapshot(book.parent) == before
