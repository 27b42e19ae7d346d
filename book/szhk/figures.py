"""The figure house style, defined once for every chapter (see house.mplstyle)."""
from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

STYLE_SHEET = Path(__file__).with_name("house.mplstyle")

# Fixed colours for the two economies that recur across chapters (from the Okabe–Ito palette).
COLOURS = {"中国香港": "#0072B2", "中国": "#D55E00", "深圳": "#009E73", "other": "#999999"}


def use_house_style() -> None:
    """Apply the house style; in a notebook, also emit every figure as SVG (HTML) and PDF (print)."""
    plt.style.use(STYLE_SHEET)
    if "inline" in matplotlib.get_backend():
        from matplotlib_inline.backend_inline import set_matplotlib_formats

        # Both vector formats travel with the notebook; myst-nb picks one per builder (_config.yml).
        set_matplotlib_formats("svg", "pdf")


def rank_axis(ax: Axes, worst: int, label: str = "全球排名（位）") -> None:
    """A y axis for ranks: rank 1 at the top, whole numbers only."""
    ax.set_ylim(worst + 0.5, 0.5)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel(label)


def year_axis(ax: Axes, years: Iterable[int], label: str = "年份") -> None:
    """An x axis of whole years (no 2017.5)."""
    ticks = sorted({int(y) for y in years})
    ax.set_xticks(ticks, [str(y) for y in ticks])
    ax.set_xlabel(label)


def publish(name: str, fig: Figure) -> None:
    """Hand a finished figure to the page: glue it under `name` for a `{glue:figure}` directive, then close it.

    The chapter places it with its number, caption, source note and alt text::

        :::{glue:figure} fig-gii-ranks
        :name: fig-gii-ranks
        :alt: 折线图：……
        中国香港与中国的全球创新指数排名。数据来源：……
        :::
    """
    from myst_nb import glue

    glue(name, fig, display=False)
    plt.close(fig)
