"""Numbers in the prose: computed from the data, glued into the page, written as the article writes them.

The article writes large numbers in 万 (10^4) and 亿 (10^8) units ("3.4 万个", "295 亿港元"). A chapter glues the
plain number in the unit its sentence uses and formats it in the role, e.g. ``{glue:text}`itf_projects_wan:.1f```.
"""
from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

WAN = 10_000
YI = 100_000_000


def in_wan(value: float) -> float:
    """`value` in units of 万: 34000 → 3.4."""
    return value / WAN


def in_yi(value: float) -> float:
    """`value` in units of 亿: 29_500_000_000 → 295.0."""
    return value / YI


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


# ---- Tables from data (chapters 00–02): a MyST list-table body for a `{table}` directive in the page ---------------
def list_table(frame: pd.DataFrame, *, stub_header: str = "", missing: str = "－") -> str:
    """`frame` as a MyST ``{list-table}`` (header row = the columns, first column = the index, as row headers),
    for a chapter to glue as Markdown into a ``{table}`` directive that carries the caption and number::

        glue("table-1-body", Markdown(text.list_table(table1, stub_header="全球排名")), display=False)

    An empty cell is written `missing` (the article's "－"); whole-number floats lose their ".0"."""
    def cell(value: object) -> str:
        if value is None or pd.isna(value):
            return missing
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        text = str(value).strip()
        if not text or "\n" in text:
            raise ValueError(f"list_table: cell {value!r} is empty or spans lines")
        return text

    rows = [[stub_header, *map(str, frame.columns)]]
    rows += [[cell(index), *map(cell, values)] for index, values in zip(frame.index, frame.itertuples(index=False))]
    fence = "`" * 3
    lines = [f"{fence}{{list-table}}", ":header-rows: 1", ":stub-columns: 1", ""]
    for row in rows:
        lines.append(f"* - {row[0]}".rstrip())
        lines += [f"  - {c}".rstrip() for c in row[1:]]
    return "\n".join([*lines, fence, ""])


def labels_as_written(values: Iterable[float], units: str | Iterable[str] = "",
                      qualifiers: Iterable[object] | None = None) -> list[str]:
    """`as_written` for each value of a data column (figure labels); an empty value gives "" (nothing drawn)."""
    values = list(values)
    units = [units] * len(values) if isinstance(units, str) else list(units)
    qualifiers = [None] * len(values) if qualifiers is None else list(qualifiers)
    if not len(units) == len(qualifiers) == len(values):
        raise ValueError(f"labels_as_written: {len(values)} values, {len(units)} units, {len(qualifiers)} qualifiers")
    return ["" if _blank(v) else as_written(v, u, q) for v, u, q in zip(values, units, qualifiers)]
