"""The layers point one way (ARCHITECTURE.md): the engine is pure; the file adapter (workbook/) never
imports the live adapter (excel/); the reader and the writer share the package format and never import
each other; no import cycle anywhere in xl_appraisal (imports inside functions included)."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "xl_appraisal"
ENGINE = PACKAGE / "engine"
FORBIDDEN = {"openpyxl", "xlwings", "pandas.io", "zipfile", "xl_appraisal.workbook", "xl_appraisal.excel"}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{a.name}" for a in node.names)  # `from pkg import module`
    return names


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph() -> dict[str, set[str]]:
    modules = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    return {name: {m for m in imported_modules(path) if m in modules and m != name} for name, path in modules.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    found, state, stack = [], {}, []

    def visit(node: str) -> None:
        state[node] = "open"
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":
                found.append(stack[stack.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node)
    return found


def test_engine_imports_no_excel_or_file_library():
    files = sorted(ENGINE.glob("*.py"))
    assert len(files) >= 6
    for path in files:
        bad = {m for m in imported_modules(path) if any(m == f or m.startswith(f + ".") for f in FORBIDDEN)}
        assert not bad, f"{path.name} imports {bad}"


def test_no_import_cycle_in_the_package():
    graph = import_graph()
    assert len(graph) > 25
    assert cycles(graph) == []


def test_workbook_never_imports_excel():
    for path in sorted((PACKAGE / "workbook").glob("*.py")):
        bad = {m for m in imported_modules(path) if m.startswith("xl_appraisal.excel")}
        assert not bad, f"workbook/{path.name} imports {bad}"


def test_reader_and_writer_never_import_each_other():
    readers = {"read.py", "xlsx.py", "port.py"}
    writers = {"write.py", "sink.py", "save.py"}
    for name in readers:
        imported = imported_modules(PACKAGE / "workbook" / name)
        assert not {f"xl_appraisal.workbook.{w[:-3]}" for w in writers} & imported, name
    for name in writers - {"sink.py"}:  # the sink reads the bytes the book came from: it may use the reader
        imported = imported_modules(PACKAGE / "workbook" / name)
        assert not {f"xl_appraisal.workbook.{r[:-3]}" for r in readers} & imported, name


def test_the_engine_package_has_no_lazy_import_trick():
    tree = ast.parse((ENGINE / "__init__.py").read_text(encoding="utf-8"))
    assert not [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name == "__getattr__"]


def test_layering_check_itself_catches_an_import(tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text("from openpyxl import load_workbook\n", encoding="utf-8")
    assert "openpyxl" in imported_modules(probe)


def test_cycle_check_itself_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == [["a", "b", "c", "a"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_use_cases_read_the_engines_result_not_its_internals():
    """Sign-off sheets and sign-in import take items used, leaders' departments and leave coverage from
    the Result (issue 12): they never re-derive them through engine internals."""
    internals = {"score_item", "score_departments", "build_roster", "build_calendar", "tally", "apply_leaves",
                 "apply_events", "split_departments", "person_bonus"}
    for name in ("signoff.py", "signins.py", "export.py", "handout.py"):
        tree = ast.parse((PACKAGE / name).read_text(encoding="utf-8"))
        used = {a.name for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and (n.module or "").startswith(
            "xl_appraisal.engine") for a in n.names}
        assert not used & internals, f"{name} imports {used & internals}"


def test_layout_decisions_are_plain_code_both_sinks_can_share():
    """xl_appraisal/layout.py decides where a table's rows go for the file writer and the live writer:
    it must not depend on either (no XML, no openpyxl, no xlwings)."""
    layout = PACKAGE / "layout.py"
    bad = {m for m in imported_modules(layout) if any(m == f or m.startswith(f + ".") for f in FORBIDDEN | {"lxml"})}
    assert not bad, bad
