"""Numbers in the prose: computed from the data, glued into the page, written as the article writes them.

The article writes large numbers in 万 (10^4) and 亿 (10^8) units ("3.4 万个", "295 亿港元"). A chapter glues the
plain number in the unit its sentence uses and formats it in the role, e.g. ``{glue:text}`itf_projects_wan:.1f```.
"""
from __future__ import annotations

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
