"""Numbers in the prose: computed from the data, glued into the page, written as the article writes them.

The article writes large numbers in 万 (10^4) and 亿 (10^8) units ("3.4 万个", "295 亿港元"); the data keeps
亿港元 amounts in that unit already, and counts as plain numbers (in_wan converts). A chapter glues the
plain number in the unit its sentence uses and formats it in the role, e.g. ``{glue:text}`itf_projects_wan:.1f```.
"""
from __future__ import annotations

import calendar
import numbers
from collections.abc import Iterable
from decimal import Decimal

import pandas as pd

from szhk_names import DATE, zh_date

from .qualifiers import AFTER_NUMBER, BEFORE_NUMBER

WAN = 10_000


def in_wan(value: float) -> float:
    """`value` in units of 万: 34000 → 3.4."""
    return value / WAN


def ratio(new: float, old: float) -> float:
    """How many times `old` is `new` (the article's "增长 2.6 倍" compares the two counts as a ratio)."""
    if old == 0:
        raise ZeroDivisionError("ratio: the base value is 0")
    return new / old


def glue_number(name: str, value: float | int) -> float | int:
    """Glue a plain Python number (not a numpy scalar) for `{glue:text}` in the page; returns it."""
    from myst_nb import glue

    plain = value.item() if hasattr(value, "item") else value  # numpy → Python, so formats behave
    glue(name, plain, display=False)
    return plain


# ---- Labels and words as the article writes them (chapters 03–06) ------------------------------------------------
# The article's qualifiers (data column `qualifier`, szhk.qualifiers): some stand before the number (约 700 个,
# 超过 1500 家), some between the number and its unit (1800 多家, 100 余家).
_ZH_DIGITS = "零一二三四五六七八九"


def _blank(value: object) -> bool:
    """An empty data cell: None, NaN or pandas' NA."""
    return value is None or bool(pd.isna(value))


def as_written(value: float, unit: str = "", qualifier: object = None) -> str:
    """A data value with its unit and qualifier as the article writes it, for figure labels.

    as_written(700, "个", "约") → "约 700 个"; as_written(1800, "家", "多") → "1800 多家";
    as_written(17000, "人", "约") → "约 1.7 万人"; as_written(21.8, "%") → "21.8%".
    """
    if _blank(value):
        raise ValueError("as_written: the value is empty")
    qualifier = "" if _blank(qualifier) else str(qualifier)
    if qualifier and qualifier not in BEFORE_NUMBER + AFTER_NUMBER:
        raise ValueError(f"as_written: unknown qualifier {qualifier!r} (known: {BEFORE_NUMBER + AFTER_NUMBER})")
    if abs(value) >= WAN and unit and unit[0] not in ("万", "亿", "%"):
        value, unit = in_wan(value), f"万{unit}"
    number = f"{float(value):g}"
    if unit == "%":
        return f"{qualifier} {number}%".strip()
    if qualifier in AFTER_NUMBER:
        return f"{number} {qualifier}{unit}"
    return f"{qualifier} {number} {unit}".strip()


def zh_numeral(n: int, counting: bool = False) -> str:
    """0–99 in Chinese numerals, where the article writes a count in words: 8 → "八" (第八位), 23 → "二十三";
    with counting=True, 2 → "两" (两个)."""
    whole = isinstance(n, numbers.Real) and not isinstance(n, bool) and float(n).is_integer()
    if not whole or not 0 <= n <= 99:
        raise ValueError(f"zh_numeral: {n!r} is not a whole number from 0 to 99")
    n = int(n)  # numpy and pandas integers too
    if counting and n == 2:
        return "两"
    tens, ones = divmod(n, 10)
    if tens == 0:
        return _ZH_DIGITS[ones]
    return ("" if tens == 1 else _ZH_DIGITS[tens]) + "十" + (_ZH_DIGITS[ones] if ones else "")


def year_month(date: str) -> tuple[int, int]:
    """The year and month of a "YYYY-MM" or "YYYY-MM-DD" data cell: "2017-12" → (2017, 12)."""
    parts = str(date).split("-")
    if len(parts) < 2 or not (parts[0].isdigit() and parts[1].isdigit() and 1 <= int(parts[1]) <= 12):
        raise ValueError(f"year_month: {date!r} is not a date of the form YYYY-MM")
    return int(parts[0]), int(parts[1])


def number(value: Decimal, lang: str = "zh") -> str:
    """As the article writes numbers: no thousands separator, no trailing zeros (3755, 14.2, 2); in English running
    text with the thousands comma English readers expect (3,755)."""
    return format(value.normalize(), ",f" if lang == "en" else "f")


def date(value: str, lang: str = "zh") -> str:
    """A data cell's date as a reader writes it: "2023-08-15" → "2023 年 8 月 15 日" (zh) or "15 August 2023"
    (en); "2023-08" → "2023 年 8 月" or "August 2023"; in Chinese also "2021-H1" → "2021 年上半年", "2020-Q4" →
    "2020 年第四季度" (szhk_names.zh_date: one way to write a date on both sides)."""
    if lang != "en":
        return zh_date(str(value))
    match = DATE.fullmatch(str(value))
    if not match:
        raise ValueError(f"not a date of the form YYYY[-MM[-DD]]: {value!r}")
    year, month, day = match.groups()
    return " ".join([*([str(int(day))] if day else []), *([calendar.month_name[int(month)]] if month else []), year])


def glue_text(name: str, text: str) -> str:
    """Glue a word for `{glue:text}`name:s`` (e.g. a Chinese numeral from zh_numeral); returns it."""
    from myst_nb import glue

    glue(name, str(text), display=False)
    return str(text)


# Tables from data are written by szhk.markdown (frame_table), which escapes every cell.


def labels_as_written(values: Iterable[float], units: str | Iterable[str] = "",
                      qualifiers: Iterable[object] | None = None) -> list[str]:
    """`as_written` for each value of a data column (figure labels); an empty value gives "" (nothing drawn)."""
    values = list(values)
    units = [units] * len(values) if isinstance(units, str) else list(units)
    qualifiers = [None] * len(values) if qualifiers is None else list(qualifiers)
    if not len(units) == len(qualifiers) == len(values):
        raise ValueError(f"labels_as_written: {len(values)} values, {len(units)} units, {len(qualifiers)} qualifiers")
    return ["" if _blank(v) else as_written(v, u, q) for v, u, q in zip(values, units, qualifiers)]
