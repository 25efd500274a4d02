"""Issue 12: one write path. recalc reads the workbook once and writes the plan into those very bytes,
so results computed from one version can never be written into another."""

from __future__ import annotations

import builtins
import io
import zipfile
from pathlib import Path

import pytest
from test_nothing_lost import filled

from xl_appraisal import service
from xl_appraisal.plan import CellWrite, Plan
from xl_appraisal.workbook.read import read_book
from xl_appraisal.workbook.sink import write_plan


def test_recalc_reads_the_file_once(tmp_path, monkeypatch):
    book = filled(tmp_path)
    reads: list[str] = []
    real_read_bytes, real_open, real_zip = Path.read_bytes, builtins.open, zipfile.ZipFile.__init__

    def read_bytes(self):
        if Path(self) == book:
            reads.append("read_bytes")
        return real_read_bytes(self)

    def opened(file, mode="r", *a, **kw):
        if isinstance(file, (str, Path)) and Path(file) == book and "r" in mode:
            reads.append("open")
        return real_open(file, mode, *a, **kw)

    def zip_init(self, file, *a, **kw):
        if isinstance(file, (str, Path)) and Path(file) == book:
            reads.append("zip")
        return real_zip(self, file, *a, **kw)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    monkeypatch.setattr(builtins, "open", opened)
    monkeypatch.setattr(zipfile.ZipFile, "__init__", zip_init)
    service.recalc(book, backup=False)  # the backup copies whatever is on disk at write time: not a read
    assert reads == ["read_bytes"]


def test_the_plan_goes_into_the_version_that_was_read(tmp_path):
    """Another program saves the file between reading and writing: the write is based on what was read
    (and the newer file is kept as the backup), never a mix of the two versions."""
    book_path = filled(tmp_path)
    book = read_book(book_path)
    other = filled(tmp_path / "other") if (tmp_path / "other").mkdir() is None else None
    book_path.write_bytes(other.read_bytes())  # the file changes on disk after it was read
    assert write_plan(book, Plan(cells=[CellWrite("校验", "A3", "标记")]))
    with zipfile.ZipFile(io.BytesIO(book_path.read_bytes())) as z, zipfile.ZipFile(io.BytesIO(book.data)) as was:
        untouched = [n for n in was.namelist() if not n.startswith("xl/worksheets/")]
        assert all(z.read(n) == was.read(n) for n in untouched)


def test_an_empty_plan_writes_nothing(tmp_path):
    book_path = filled(tmp_path)
    stamp = book_path.stat().st_mtime_ns
    assert write_plan(read_book(book_path), Plan()) is False
    assert book_path.stat().st_mtime_ns == stamp
    assert not (tmp_path / "备份").exists()


@pytest.mark.parametrize("use_case", ["recalc", "check"])
def test_the_file_and_the_live_sink_take_the_same_plan(tmp_path, use_case):
    outcome = service.evaluate(filled(tmp_path))
    plan = service.plan_recalc(outcome) if use_case == "recalc" else service.plan_check(outcome)
    assert isinstance(plan, Plan) and plan
    tables = {t.table for t in plan.tables}
    assert ("tblIssues" in tables) and (("tblPayouts" in tables) == (use_case == "recalc"))
