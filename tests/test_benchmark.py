"""The benchmark script runs (timings are in BENCHMARKS.md, never asserted here: machines are noisy)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_benchmark_runs_on_a_tiny_workbook(tmp_path):
    out = tmp_path / "r.json"
    subprocess.run([sys.executable, str(ROOT / "benchmarks" / "bench.py"), "--tiny", "--runs", "1", "--no-libreoffice",
                    "--out", str(out)], check=True, capture_output=True, timeout=300)
    data = json.loads(out.read_text(encoding="utf-8"))
    m = data["measure"]
    assert {"recalc", "check", "export", "openpyxl_floor", "engine", "cold_start_macros", "cold_start_xlwings"} <= set(m)
    assert m["peak_memory_mb"] > 0 and set(m["ratios"]) >= {"recalc/floor", "check/floor", "cold_start/xlwings",
                                                         "recalc_process/floor_process"}
    assert {"recalc_process", "check_process", "openpyxl_floor_process"} <= set(m)
    assert data["workbook"]["people"] == 10
