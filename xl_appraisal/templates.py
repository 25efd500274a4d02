"""Workbooks made from the policy: the committed template, a new year's workbook, the demo.

`python -m xl_appraisal.templates` rebuilds workbook_template.xlsm at the top of the repository
(never hand-edit it); a test rebuilds it in memory and compares, so the two never drift.
"""

from __future__ import annotations

from pathlib import Path

from xl_appraisal.calendar import YearCalendar, year_calendar
from xl_appraisal.errors import Unusable
from xl_appraisal.policy import DEFAULT_POLICY, Policy, load_policy
from xl_appraisal.workbook.build import BookData, build_workbook
from xl_appraisal.workbook.package import Macros, package
from xl_appraisal.workbook.save import atomic_write

FIRST_YEAR, LAST_YEAR = 2000, 2100  # Excel dates and the holiday data need no more; outside is a typo
TEMPLATE_PATH = Path(__file__).resolve().parent.parent / "workbook_template.xlsm"


def macros() -> Macros:
    """The VBA modules and ribbon a macro-enabled workbook carries (the Excel side owns them)."""
    from xl_appraisal.excel.vba import project_modules, ribbon_xml

    return Macros(project_modules(), ribbon_xml())


def xlwings_conf() -> list[tuple[str, str]]:
    from xl_appraisal.excel.vba import config_rows

    return list(config_rows())


def build_bytes(policy: Policy, cal: YearCalendar, data: BookData | None = None, macro_enabled: bool = True) -> bytes:
    """The workbook for a policy and calendar as package bytes: the one place the parts are put together."""
    if not macro_enabled:
        return package(build_workbook(policy, cal, data), cal.year)
    return with_trial_values(policy, package(build_workbook(policy, cal, data, xlwings_conf()), cal.year, macros()))


def with_trial_values(policy: Policy, data: bytes) -> bytes:
    """The 试算 formulas with their values already cached (computed as recalc computes them), through the
    plan and the writer the file sink uses. The workbook does not force a full calculation on load (Excel
    would run the UDFs before "Enable Content" and show #NAME?), so a new workbook shows these numbers
    until an input changes, in Excel, WPS and LibreOffice alike."""
    from xl_appraisal.plan import FormulaValue, Plan
    from xl_appraisal.trial import cached_values
    from xl_appraisal.workbook.write import apply
    from xl_appraisal.workbook.xlsx import formula_sheets

    values = [FormulaValue(s, ref, v) for s, ref, v in cached_values(policy, formula_sheets(data))]
    return apply(data, Plan(formula_values=values)) if values else data


def workbook_bytes(year: int, policy_name: str = DEFAULT_POLICY, data: BookData | None = None,
                   macro_enabled: bool = True) -> tuple[bytes, YearCalendar]:
    policy = load_policy(policy_name)
    cal = year_calendar(year)
    return build_bytes(policy, cal, data, macro_enabled), cal


def template_bytes() -> bytes:
    policy = load_policy()
    return workbook_bytes(policy.year)[0]


def check_year(year: int) -> None:
    """An assessment year the workbook can hold (a typo such as 20188 or 18 is refused, exit 2)."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise Unusable(f"年度 {year} 不对：请写{FIRST_YEAR}到{LAST_YEAR}之间的四位数年份，如 2026")


def with_identity(data: bytes) -> bytes:
    """A new workbook gets its own id (a custom document property): a handout split from it carries the
    id and the year, so collect can refuse last year's handout or another book's (same file names)."""
    from xl_appraisal.plan import Plan
    from xl_appraisal.workbook.contract import BOOK_ID_PROP, new_book_id
    from xl_appraisal.workbook.write import apply

    return apply(data, Plan(properties={BOOK_ID_PROP: new_book_id()}))


def new_workbook(out: Path, year: int, policy_name: str = DEFAULT_POLICY) -> YearCalendar:
    """A new year's workbook at `out` (a file it replaces, with `new --force`, goes to 备份/ first)."""
    check_year(year)
    data, cal = workbook_bytes(year, policy_name, macro_enabled=out.suffix.lower() != ".xlsx")
    atomic_write(out, with_identity(data))
    return cal


def demo_workbook(out: Path) -> None:
    from xl_appraisal.demo import demo_data

    policy = load_policy()
    cal = year_calendar(policy.year)
    data, _ = workbook_bytes(policy.year, data=demo_data(policy, cal), macro_enabled=out.suffix.lower() != ".xlsx")
    atomic_write(out, with_identity(data), backup=False)


if __name__ == "__main__":
    TEMPLATE_PATH.write_bytes(template_bytes())
    print(f"wrote {TEMPLATE_PATH}")
