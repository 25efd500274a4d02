"""Nothing in the repository points outside it (issue 15.4): every Markdown file's links resolve to files
that exist inside the repository, and no text names a path outside it (``../``, ``/work/``, ``shared/``).
A clone must be complete: the workbook contract and the rules live in docs/."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

ROOT = Path(__file__).resolve().parent.parent
SKIP_DIRS = {".git", ".venv", "venv", "node_modules", "demo-out", "build", "dist", ".pytest_cache", ".ruff_cache"}

LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
REFERENCE = re.compile(r"^\s*\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)", re.M)
OUTSIDE = [
    (re.compile(r"(?<![\w./])\.\./"), "“../” 指向仓库之外"),
    (re.compile(r"/work/"), "“/work/” 是本机路径"),
    (re.compile(r"(?<![\w-])shared/"), "“shared/” 不在仓库中"),
]


def markdown_files() -> list[Path]:
    files = []
    for path in ROOT.rglob("*.md"):
        parts = path.relative_to(ROOT).parts
        if any(p in SKIP_DIRS or p.endswith(".egg-info") for p in parts[:-1]):
            continue
        files.append(path)
    return sorted(files)


def problems(path: Path, text: str) -> list[str]:
    """Every link or path in `text` (the content of `path`) that points outside the repository or to nothing."""
    found = []
    for n, line in enumerate(text.splitlines(), 1):
        for pattern, why in OUTSIDE:
            if pattern.search(line):
                found.append(f"{path.name}:{n}: {why}: {line.strip()}")
    for match in [*LINK.finditer(text), *REFERENCE.finditer(text)]:
        target = match.group(1)
        if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.I) or target.startswith("#"):
            continue  # http:, https:, mailto: or an anchor in the same file
        n = text.count("\n", 0, match.start()) + 1
        if target.startswith("/"):
            found.append(f"{path.name}:{n}: 绝对路径链接 {target}")
            continue
        resolved = (path.parent / unquote(target.split("#", 1)[0])).resolve()
        if not resolved.is_relative_to(ROOT):
            found.append(f"{path.name}:{n}: 链接指向仓库之外 {target}")
        elif not resolved.exists():
            found.append(f"{path.name}:{n}: 链接的文件不存在 {target}")
    return found


def test_the_scanner_catches_what_it_should(tmp_path):
    page = ROOT / "docs" / "x.md"
    bad = ("见 [约定](../shared/WORKBOOK.md) 和 `/work/shared/RULES.md`\n"
           "![图](docs/没有这张图.png) [绝对](/etc/passwd)\n[ref]: ../../outside.md\n")
    got = problems(page, bad)
    assert any("../" in g for g in got) and any("/work/" in g for g in got) and any("shared/" in g for g in got)
    assert any("不存在" in g for g in got) and any("绝对路径" in g for g in got)
    assert any("仓库之外" in g and "outside.md" in g for g in got)
    fine = "[约定](WORKBOOK.md) [网站](https://docs.xlwings.org/) [本节](#安装) 示例路径 `./x/../BOOK`\n"
    assert problems(page, fine) == []


def test_no_markdown_file_points_outside_the_repository():
    files = markdown_files()
    assert ROOT / "README.md" in files and ROOT / "docs" / "WORKBOOK.md" in files
    found = [p for f in files for p in problems(f, f.read_text(encoding="utf-8"))]
    assert found == []


def test_the_contract_and_the_rules_are_in_the_repository():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "docs/WORKBOOK.md" in readme
    contract = (ROOT / "docs" / "WORKBOOK.md").read_text(encoding="utf-8")
    for table in ("tblStaff", "tblAttendance", "tblLeave", "tblCalendar", "tblPolicy", "tblBonusKinds",
                  "tblSummary", "tblPayouts", "tblIssues", "tblChanges"):
        assert f"`{table}`" in contract, table
    rules = (ROOT / "docs" / "RULES.md").read_text(encoding="utf-8")
    assert all(f"**R{n} " in rules or f"**R{n}**" in rules for n in range(1, 19))
