"""What the leadership prints (issue 14): the 报送版, the sign-off sheets and the workbook, rendered by
LibreOffice to PDF and read back with poppler's `pdftotext -bbox-layout`.

On every page: no line of text on another, nothing off the page, no text too small to read; department
sheets and sign-off sheets at 9 pt or more; item texts exactly as the policy words them; printing the
workbook gives 说明, the results and the department sheets, not the calendar or the input lists.
"""

from __future__ import annotations

import re
import shutil

import pytest
from pdfboxes import Page, off_page, overlapping, pages, render

from xl_appraisal.cli import main
from xl_appraisal.policy import load_policy
from xl_appraisal.templates import demo_workbook

pytestmark = pytest.mark.skipif(
    not (shutil.which("soffice") or shutil.which("libreoffice")) or not shutil.which("pdftotext"),
    reason="LibreOffice (soffice) or poppler (pdftotext) is not installed: printed pages not checked",
)

POLICY = load_policy()
DEPARTMENTS = set(POLICY.department_names)
MARGIN = 40  # points: the page's header and footer live above and below this band
SMALLEST = 6.0  # points: nothing printed smaller (page headers and footers are 9 pt before scaling)
READABLE = 9.0  # points: the body of department sheets (issue 14)
SIGNED = 8.5  # points: a sign-off sheet is set at 10.5 pt and shrunk onto one page (what is signed is on it)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> dict[str, list[Page]]:
    """The demo year's documents as LibreOffice prints them (one soffice run for them all)."""
    folder = tmp_path_factory.mktemp("render")
    book = folder / "book.xlsm"
    demo_workbook(book)
    main(["recalc", str(book)])
    export = folder / "export.xlsx"
    assert main(["export", str(book), "-o", str(export)]) == 0
    assert main(["signoff", str(book), "-o", str(folder / "签字"), "--no-pdf"]) == 0
    signoffs = sorted((folder / "签字").glob("*.xlsx"))
    out = {}
    for name, path in [("workbook", book), ("export", export), *((p.stem, p) for p in signoffs)]:
        out[name] = pages(render(path, folder / "pdf", folder / "lo-profile"))
    return out


def body(page: Page) -> list:
    """Lines between the page header and footer bands."""
    return [b for b in page.lines if MARGIN < b.y0 and b.y1 < page.height - MARGIN]


def column_order(page: Page) -> list:
    """Lines column by column (a wrapped cell's lines share their left edge), top to bottom in each."""
    return sorted(page.lines, key=lambda b: (round(b.x0), b.y0))


def sheet_of(page: Page) -> str:
    """The sheet a page comes from: the page header's right part is the sheet name (&A)."""
    top = [b for b in page.lines if b.y1 < MARGIN and b.x0 > page.width / 2]
    return top[0].text if top else ""


def test_no_line_prints_over_another_and_nothing_leaves_the_page(rendered):
    for name, doc in rendered.items():
        assert doc, name
        for page in doc:
            assert not overlapping(page), (name, page.number, [(a.text, b.text) for a, b in overlapping(page)][:3])
            assert not off_page(page), (name, page.number, [b.text for b in off_page(page)][:3])
            small = [b for b in page.lines if b.size < SMALLEST]
            assert not small, (name, page.number, [(b.text, round(b.size, 1)) for b in small][:3])


def test_department_sheets_print_portrait_at_nine_points(rendered):
    for name in ("workbook", "export"):
        departmental = [p for p in rendered[name] if sheet_of(p) in DEPARTMENTS]
        assert {sheet_of(p) for p in departmental} == DEPARTMENTS, name
        for page in departmental:
            assert page.height > page.width, (name, page.number)  # portrait
            text = [b for b in body(page) if not b.text.startswith("报送版")]
            assert text and min(b.size for b in text) >= READABLE, (name, page.number, min(b.size for b in text))


def test_signoff_sheets_are_readable_and_print_the_items_verbatim(rendered):
    signoffs = {name: doc for name, doc in rendered.items() if name.endswith("签字表")}
    assert len(signoffs) == len(DEPARTMENTS)
    for name, doc in signoffs.items():
        dept = POLICY.department(name.split("-")[1])
        text = [b for p in doc for b in body(p) if not b.text.startswith(("指纹", "生成于"))]  # the small print
        assert min(b.size for b in text) >= SIGNED, name
        assert len(doc) == 1, name
        printed = re.sub(r"\s", "", "".join(b.text for p in doc for b in column_order(p)))
        for item in dept.items:
            assert re.sub(r"\s", "", item.text) in printed, (name, item.number)  # Chinese punctuation kept
        assert "制表人" in printed and "审核人" in printed and "分管领导" in printed and "部门负责人" in printed


def test_verbatim_policy_text_on_the_signoff_sheet(rendered):
    """R6: what is signed is what the policy says: "以上（含）", "活动，做好" — never "以上(含)" or "活动,做好"."""
    printed = "".join(b.text for name, doc in rendered.items() if name.endswith("签字表") for p in doc for b in p.lines)
    assert "（" in printed and "，" in printed
    assert "(含)" not in printed and ",做好" not in printed


def test_printing_the_workbook_gives_the_guide_results_and_departments_only(rendered):
    printed = [sheet_of(p) for p in rendered["workbook"]]
    assert set(printed) == {"说明", "汇总", "发放", "校验", *DEPARTMENTS} - ({"校验"} - set(printed))
    assert not {"日历", "参数", "考勤", "请假", "人员", "试算", "变更记录"} & set(printed)
    assert printed[:2] == ["说明", "汇总"]


def test_export_pages_are_marked_and_the_summary_carries_the_chart(rendered):
    doc = rendered["export"]
    marks = {b.text for p in doc for b in p.lines if b.y1 < MARGIN and abs((b.x0 + b.x1) / 2 - p.width / 2) < 40}
    assert marks == {"暂定"}  # the demo year has a department still at 评议
    summary = next(p for p in doc if sheet_of(p) == "汇总")
    words = {b.text for b in summary.lines}
    assert "各部门总分" in words and any("全额奖金线" in w for w in words)  # the chart's title and legend
    assert any(w.startswith("奖金挂钩的平均分") for w in words)


def test_the_workbooks_summary_prints_the_averages_beside_nothing_on_one_page(rendered):
    """汇总 in the workbook: the table, the chart and the averages the bonuses are linked to (tblAverages)
    on one A4 page, at the size the rest of the page is printed, no line over another or over the chart."""
    summary = [p for p in rendered["workbook"] if sheet_of(p) == "汇总"]
    assert len(summary) == 1
    page = summary[0]
    assert page.height > page.width  # portrait A4
    words = [b.text for b in page.lines]
    assert "各部门总分" in words and any(w.startswith("奖金挂钩的平均分") for w in words)
    title = next(b for b in page.lines if b.text.startswith("奖金挂钩的平均分"))
    chart = next(b for b in page.lines if b.text == "各部门总分")
    table = [b for b in body(page) if b.y0 > title.y1]
    printed = "".join(b.text for b in table)
    for text in ("全部部门", "吴建国", "胡明", "常务副主席", "99.33", "97.00", "109.00", "92.00"):
        assert text in printed, text
    assert chart.y1 < title.y0  # the chart's text ends above the averages
    assert all(b.y1 < page.height - MARGIN for b in table)  # above the footer band: on the page
    assert min(b.size for b in table) >= min(b.size for b in body(page) if b.y1 < chart.y0) - 0.1
    assert min(b.size for b in table) >= 8.0  # fitted to the page width, not shrunk to fit a second page
