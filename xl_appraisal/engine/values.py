"""Reading what people type into cells, and writing numbers back in the way people read them.

Pure functions: a raw cell value in, a typed value (or None) and a reason out. Callers turn the
reason into an Issue at the right sheet and cell.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
import unicodedata
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation

CENT = Decimal("0.01")
_WIDE = Context(prec=60)
TOO_BIG = Decimal(10) ** 15  # no score, count or amount here comes near; bigger is a typo (or 1e400)  # rounding a huge typed number to the cent must not overflow the default 28 digits

_TEXT_DATE = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*$")


@dataclass(frozen=True)
class Uncomputed:
    """A formula cell saved without its result: what openpyxl, pandas or any script writes (`=30*0.9-7`)
    before a spreadsheet program has calculated it. Not blank and not a value: an error at its cell."""

    formula: str = ""

    def __str__(self) -> str:
        return f"={self.formula}" if self.formula else "（公式）"


def uncomputed_message(value: Uncomputed) -> str:
    """What the user reads at such a cell."""
    shown = f"“{value}”" if value.formula else ""
    return (f"此格是公式{shown}，但文件里没有保存它的计算结果（公式由其他程序写入，尚未计算），无法读取；"
            "请用 Excel 或 WPS 打开此文件并保存一次，或直接填写数值")


@dataclass(frozen=True)
class Merged:
    """An empty cell inside a merged range: only the range's first cell (`anchor`, e.g. A5) holds a value."""

    anchor: str

    def __str__(self) -> str:
        return ""  # shown (and logged) as the empty cell it is


def is_blank(raw: object) -> bool:
    return raw is None or isinstance(raw, Merged) or (isinstance(raw, str) and raw.strip() == "")


def blank_message(raw: object, what: str) -> str:
    """Why a required cell is empty: merged with the cell above (a common layout), or just empty."""
    if isinstance(raw, Merged):
        return (f"{what}所在的单元格与{raw.anchor}合并了（合并单元格只有第一格有值，其余各行读不到）；"
                f"请取消合并，在每一行填写{what}")
    return f"{what}为空白"


# Characters nobody sees but that make two names differ (copied from web pages, chat apps, BOM-marked CSVs).
INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))


def has_invisible(raw: object) -> bool:
    return isinstance(raw, str) and raw != raw.translate(INVISIBLE)


def invisible_message(raw: object, what: str) -> str:
    return f"{what}“{normalize_text(raw)}”中有看不见的字符（如零宽空格），已去除后再比对；建议重新输入此格"


BLANK = "空白"


def shown(raw: object) -> str:
    """A cell's content quoted in a message: “…”, or 空白 (never “None” or “”)."""
    if is_blank(raw):
        return BLANK
    if isinstance(raw, dt.datetime) and raw.time() == dt.time():
        raw = raw.date()
    if isinstance(raw, dt.date) and not isinstance(raw, dt.datetime):
        return f"“{raw.year}年{raw.month}月{raw.day}日”"
    return f"“{str(raw).strip()}”"


def normalize_text(raw: object) -> str:
    """Full-width letters/digits to half-width (NFKC), invisible characters (zero-width spaces, BOM)
    removed, surrounding spaces removed."""
    if raw is None or isinstance(raw, Merged):
        return ""
    if type(raw) is str:
        return _normalized(raw)
    return unicodedata.normalize("NFKC", str(raw).translate(INVISIBLE)).strip()


@functools.lru_cache(maxsize=4096)
def _normalized(text: str) -> str:
    """normalize_text of a str, remembered: a year's 考勤 repeats a few dozen names, 时段 and 情况."""
    return unicodedata.normalize("NFKC", text.translate(INVISIBLE)).strip()


_THOUSANDS = re.compile(r"[-+]?\d{1,3}(,\d{3})+(\.\d*)?")


def comma_problem(raw: object) -> str:
    """A number typed with a comma that is not a thousands separator (1,5: a decimal comma?), else ""."""
    text = normalize_text(raw) if isinstance(raw, str) else ""
    if "," not in text or _THOUSANDS.fullmatch(text.rstrip("分次元").strip()):
        return ""
    return f"“{raw}”中的逗号无法判断是小数点还是千位分隔，未读取；小数请用小数点，如{text.replace(',', '.', 1)}"


def parse_number(raw: object, unit: str = "") -> tuple[Decimal | None, bool]:
    """A number from a cell: (value, was_text). Full-width digits and a trailing unit (分) are read.

    (None, _) when the cell holds something that is not a number. bool values are not numbers.
    """
    if isinstance(raw, bool):
        return None, False
    if isinstance(raw, (int, float, Decimal)):
        if isinstance(raw, float) and not math.isfinite(raw):
            return None, False
        value = Decimal(repr(raw)) if isinstance(raw, float) else Decimal(raw)
        return (value, False) if value.is_finite() and abs(value) < TOO_BIG else (None, False)
    text = normalize_text(raw)
    if unit and text.endswith(unit):
        text = text[: -len(unit)].strip()
    if "," in text:  # only a thousands separator (1,500); 1,5 may be a decimal comma: not a number
        if not _THOUSANDS.fullmatch(text):
            return None, True
        text = text.replace(",", "")
    if not re.fullmatch(r"[-+]?(\d+(\.\d*)?|\.\d+)", text):
        return None, True
    try:
        value = Decimal(text)
        return (value, True) if abs(value) < TOO_BIG else (None, True)
    except InvalidOperation:  # pragma: no cover - the regex admits only valid literals
        return None, True


def places(value: Decimal) -> int:
    """Decimal places written: 19.5 -> 1, 20 -> 0, 19.555 -> 3."""
    exponent = value.as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def parse_date(raw: object) -> tuple[dt.date | None, bool]:
    """A date from a cell: (value, not_a_date_cell). Excel dates arrive as datetime; text like 2018/3/16
    and bare Excel serial numbers are read too, flagged so that the caller can warn."""
    if isinstance(raw, dt.datetime):
        return raw.date(), False
    if isinstance(raw, dt.date):
        return raw, False
    if isinstance(raw, (int, float)) and not isinstance(raw, bool) and 1 <= raw < 2958466:
        # an Excel date serial that lost its date format (pasted, or read from a live book as a number)
        return dt.date(1899, 12, 30) + dt.timedelta(days=int(raw)), True
    m = _TEXT_DATE.match(normalize_text(raw)) if isinstance(raw, str) else None
    if not m:
        return None, isinstance(raw, str)
    try:
        return dt.date(int(m[1]), int(m[2]), int(m[3])), True
    except ValueError:
        return None, True


def money(value: Decimal) -> Decimal:
    """Round half-up to the cent: done once, at the end of each amount (RULES.md preamble)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP, context=_WIDE)


def fmt_exact(value: Decimal, most: int = 4) -> str:
    """A score as exactly as it is, up to `most` decimals: an average of 89 and 94.99 is 91.995, shown beside
    its gap to 100 (8.005) so that the two add up (92 and 8.01 would not). A value that does not end within
    `most` decimals (99.333…) is shown rounded to `most` decimals after 约, so that a score just under a
    line (99.9967) never reads as on it (100)."""
    for places in range(2, most + 1):
        q = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP, context=_WIDE)
        if q == value:
            text = f"{q:f}"
            return text.rstrip("0").rstrip(".") if "." in text else text
    return f"约{q:f}"


def fmt(value: Decimal) -> str:
    """A number as people write it: 1940, 1939.5, 97.25 (no trailing zeros, no exponent)."""
    q = value.quantize(CENT, rounding=ROUND_HALF_UP, context=_WIDE)
    text = f"{q:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text

