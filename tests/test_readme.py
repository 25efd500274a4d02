"""The worked example (「奖金和津贴怎么算」, in the user guide since README became short) is the program's
own output, checked here; README keeps the two setup commands that .ci/run runs."""

from __future__ import annotations

import re
from pathlib import Path

from xl_appraisal.service import evaluate
from xl_appraisal.templates import demo_workbook

README = Path(__file__).resolve().parent.parent / "README.md"
GUIDE = README.parent / "docs" / "用户指南.md"


def test_guide_worked_example_matches_the_engine(tmp_path):
    """R12, R14, R16: the three explanations quoted in the guide are the engine's, word for word."""
    text = GUIDE.read_text(encoding="utf-8")
    section = re.split(r"^## [0-9. ]*奖金和津贴怎么算\n", text, flags=re.M)[1].split("\n## ", 1)[0]
    quoted = re.findall(r"^- (\S+)（.*?\n\s+`([^`]+)`", section, flags=re.M)
    assert len(quoted) == 3
    book = tmp_path / "demo.xlsm"
    demo_workbook(book)
    people = {p.name: p.explanation for p in evaluate(book).result.people}
    for name, explanation in quoted:
        assert people[name] == explanation, name


def test_readme_has_the_two_setup_commands():
    text = README.read_text(encoding="utf-8")
    assert '.venv/bin/pip install -e ".[test]" && .venv/bin/xl-appraisal demo' in text
    assert ".venv/bin/python -m pytest" in text
    ci = (README.parent / ".ci" / "run").read_text(encoding="utf-8")
    assert ".venv/bin/python -m pytest" in ci
