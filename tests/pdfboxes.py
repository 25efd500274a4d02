"""Text boxes of a PDF, from poppler's `pdftotext -bbox-layout`: what the render tests check."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

ASCENT_DESCENT = 1.30  # a box is about 1.3 times its font size tall (measured with Noto CJK in LibreOffice)


@dataclass(frozen=True)
class Box:
    page: int
    x0: float
    y0: float
    x1: float
    y1: float
    text: str

    @property
    def size(self) -> float:
        """The font size in print (points), from the box's height."""
        return (self.y1 - self.y0) / ASCENT_DESCENT

    def overlaps(self, other: Box, slack: float = 0.5, vertical_slack: float = 1.5) -> bool:
        """Whether the two boxes share ink room. A line of digits alone is set in the Latin font, whose box
        is drawn shorter than a CJK line's pitch: boxes touching by under `vertical_slack` points are not
        text printed over text (an overprint, two rows' lines on one another, overlaps by a line's height)."""
        return (self.page == other.page and self.x0 < other.x1 - slack and other.x0 < self.x1 - slack
                and self.y0 < other.y1 - vertical_slack and other.y0 < self.y1 - vertical_slack)


@dataclass
class Page:
    number: int
    width: float
    height: float
    lines: list[Box]


_PAGE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', re.S)
_LINE = re.compile(r'<line xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</line>', re.S)
_WORD = re.compile(r"<word [^>]*>([^<]*)</word>")


def pages(pdf: Path) -> list[Page]:
    html = subprocess.run([shutil.which("pdftotext") or "pdftotext", "-bbox-layout", str(pdf), "-"], check=True,
                          capture_output=True, timeout=120).stdout.decode("utf-8")
    out = []
    for n, m in enumerate(_PAGE.finditer(html), start=1):
        lines = [Box(n, float(x0), float(y0), float(x1), float(y1), "".join(_WORD.findall(body)))
                 for x0, y0, x1, y1, body in _LINE.findall(m[3])]
        out.append(Page(n, float(m[1]), float(m[2]), lines))
    return out


def overlapping(page: Page) -> list[tuple[Box, Box]]:
    lines = sorted(page.lines, key=lambda b: b.y0)
    found = []
    for i, a in enumerate(lines):
        for b in lines[i + 1:]:
            if b.y0 >= a.y1:
                break
            if a.overlaps(b):
                found.append((a, b))
    return found


def off_page(page: Page) -> list[Box]:
    return [b for b in page.lines if b.x0 < 0 or b.y0 < 0 or b.x1 > page.width or b.y1 > page.height]


def render(xlsx: Path, outdir: Path, profile: Path) -> Path:
    """LibreOffice's PDF of a workbook (every sheet's print ranges), with a profile of its own."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice, "LibreOffice is not installed"
    subprocess.run([soffice, "--headless", f"-env:UserInstallation={profile.as_uri()}", "--convert-to", "pdf",
                    "--outdir", str(outdir), str(xlsx)], check=True, capture_output=True, timeout=300)
    return outdir / (xlsx.stem + ".pdf")
