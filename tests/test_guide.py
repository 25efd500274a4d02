"""The user guide's sign-in example (docs/用户指南.md, 导入签到记录) states what really happens: its
commands are run as written (demo, then import-signins with docs/examples/签到记录示例.csv), the output
it quotes must appear in the real output, and the allowances it says change (R9, R12) are recomputed."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

from xl_appraisal.service import evaluate

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "docs" / "用户指南.md"


def section(title: str) -> str:
    text = GUIDE.read_text(encoding="utf-8")
    match = re.search(rf"^## [0-9. ]*{re.escape(title)}\n(.*?)(?=^## |\Z)", text, flags=re.M | re.S)
    assert match, title
    return match.group(1)


def blocks(text: str, lang: str) -> list[str]:
    return re.findall(rf"^```{lang}\n(.*?)^```", text, flags=re.M | re.S)


def squeeze(line: str) -> str:
    return " ".join(line.split())


def run(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, COLUMNS="160", PYTHONIOENCODING="utf-8")
    return subprocess.run([sys.executable, "-m", "xl_appraisal.cli", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, encoding="utf-8", timeout=300)


def test_the_guides_sign_in_example_is_what_really_happens(tmp_path):
    """R9: the example's counts (records and half-days, per person) and the allowances after recalc."""
    text = section("导入签到记录")
    commands = [line for line in blocks(text, "bat")[-1].splitlines() if line.startswith("xl-appraisal ")]
    assert [c.split()[1] for c in commands] == ["demo", "import-signins"]
    examples = tmp_path / "docs" / "examples"
    examples.mkdir(parents=True)
    shutil.copy(ROOT / "docs" / "examples" / "签到记录示例.csv", examples)

    demo = run(shlex.split(commands[0])[1:], tmp_path)
    assert demo.returncode == 0, demo.stdout + demo.stderr
    book = tmp_path / shlex.split(commands[1])[2]
    before = {p.name: p for p in evaluate(book).result.people}
    imported = run(shlex.split(commands[1])[1:], tmp_path)
    assert imported.returncode == 0, imported.stdout + imported.stderr

    quoted = [squeeze(line) for line in blocks(text, "text")[0].splitlines() if line.strip()]
    real = [squeeze(line) for line in imported.stdout.splitlines()]
    assert len(quoted) >= 6
    missing = [line for line in quoted if line not in real]
    assert missing == [], imported.stdout
    assert quoted[-1] == real[-1]  # the verdict is the last line, as quoted

    after = {p.name: p for p in evaluate(book).result.people}
    said = re.findall(r"^- (\S+)：旷工由 (\d+) 个半天变为 (\d+) 个半天，考勤津贴由 (\d+) 元变为 (\d+) 元", text, flags=re.M)
    assert {name for name, *_ in said} == {"刘洋", "陈静"}
    for name, half_before, half_after, money_before, money_after in said:
        assert before[name].absent_half_days == int(half_before), name
        assert after[name].absent_half_days == int(half_after), name
        assert before[name].allowance == int(money_before), name
        assert after[name].allowance == int(money_after), name
    changed = {n for n in after if after[n].allowance != before[n].allowance}
    assert changed == {"刘洋", "陈静"}  # nobody else's money moved
