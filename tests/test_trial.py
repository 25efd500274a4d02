"""Issue 15, item 5: numbers in every program. recalc writes the cached value of every XA_* formula,
computed by the engine with the book's own policy, so WPS, LibreOffice, a phone and an Excel without
Python show numbers. The UDFs and the cached values are the same functions (xl_appraisal.trial)."""

from __future__ import annotations

import shutil
import subprocess
from decimal import Decimal

import openpyxl
import pytest
from builders import POLICY
from workbooks import new_book

from xl_appraisal import service, trial
from xl_appraisal.workbook.read import read_book


def test_R14_R16_trial_functions_follow_the_policy():
    assert trial.xa_bonus(POLICY, 97.5) == float(POLICY.bonus_full - POLICY.tier_amount)  # one tier short
    assert trial.xa_tiers(POLICY, "九十") == "得分“九十”不是数字"
    assert trial.xa_allowance(POLICY, 3) == float(POLICY.allowance - 3 * POLICY.deduct_half_day)
    assert trial.xa_allowance(POLICY, None) == "旷工半天数空白不是数字"  # never empty quotes
    assert trial.xa_bonus_points(POLICY, [[10], [8], [7]]) == float(POLICY.bonus_cap)
    assert trial.xa_check_score(POLICY, 20, 30) == ""


def test_evaluate_reads_cells_ranges_and_numbers_of_the_same_sheet():
    cells = {"B4": 97.5, "B10": 6, "B11": "6", "B12": None}
    assert trial.evaluate(POLICY, "XA_BONUS(B4)", cells) == (True, trial.xa_bonus(POLICY, 97.5))
    assert trial.evaluate(POLICY, "XA_BONUS_POINTS($B$10:$B$12)", cells) == (True, 12.0)
    assert trial.evaluate(POLICY, "XA_CHECK_SCORE(B4,30)", cells)[1].startswith("得分97.5超过")
    assert trial.evaluate(POLICY, "SUM(B4)", cells) == (False, None)  # not ours
    assert trial.evaluate(POLICY, "XA_BONUS(参数!B4)", cells) == (False, None)  # another sheet: left to Excel
    assert trial.evaluate(POLICY, "XA_BONUS(B4)+1", cells) == (False, None)


def cached(path):
    ws = openpyxl.load_workbook(path, data_only=True)["试算"]
    return {ref: ws[ref].value for ref in ("D4", "D5", "D6", "D7", "D9", "D10")}


def test_recalc_writes_the_cached_value_of_every_xa_cell(tmp_path):
    book = new_book(tmp_path)
    # a new workbook already carries them (templates.with_trial_values: no full calculation is forced on load)
    assert None not in set(cached(book).values())
    service.recalc(book)
    values = cached(book)
    policy = read_book(book).policy
    assert values["D4"] == trial.xa_bonus(policy, 97.5)
    assert values["D6"] == trial.xa_allowance(policy, 3)
    assert values["D7"] == trial.xa_leader_bonus(policy, 99.33, 91.995)
    assert values["D9"].startswith("得分31超过")
    assert values["D10"] == float(min(Decimal(22), policy.bonus_cap))
    formulas = openpyxl.load_workbook(book)["试算"]
    assert formulas["D4"].value == "=XA_BONUS(B4)"  # the formula is kept


def test_cached_values_follow_a_changed_input(tmp_path):
    book = new_book(tmp_path)
    wb = openpyxl.load_workbook(book, keep_vba=True)
    wb["试算"]["B4"] = 80
    wb.save(book)
    service.recalc(book)
    assert cached(book)["D4"] == trial.xa_bonus(read_book(book).policy, 80)


def test_libreoffice_shows_the_cached_numbers(tmp_path):
    soffice = shutil.which("soffice")
    if not soffice:
        pytest.skip("LibreOffice (soffice) is not installed")
    book = new_book(tmp_path)
    service.recalc(book)
    out = tmp_path / "lo"
    subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp_path}/profile", "--convert-to", "xlsx",
                    "--outdir", str(out), str(book)], check=True, capture_output=True, timeout=300)
    values = cached(out / "book.xlsx")
    assert values["D4"] == trial.xa_bonus(read_book(book).policy, 97.5)
    assert values["D6"] == trial.xa_allowance(read_book(book).policy, 3)  # a number, not #NAME?
