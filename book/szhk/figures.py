"""The figure house style, defined once for every chapter (see house.mplstyle)."""
from __future__ import annotations

import math
import os
import textwrap
from collections.abc import Iterable, Sequence
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch, Rectangle
from matplotlib.ticker import MaxNLocator

STYLE_SHEET = Path(__file__).with_name("house.mplstyle")
REPRODUCIBLE_DATE = "1656633600"  # 2022-07-01 UTC, the article's time; any fixed value would do

# Fixed colours for the two economies that recur across chapters (from the Okabe–Ito palette).
COLOURS = {"中国香港": "#0072B2", "中国": "#D55E00", "深圳": "#009E73", "other": "#999999"}


def use_house_style() -> None:
    """Apply the house style; in a notebook, also emit every figure as SVG (HTML) and PDF (print)."""
    plt.style.use(STYLE_SHEET)
    # Same data, same image bytes: matplotlib stamps SVG/PDF files with this date instead of today's, so a
    # rebuild without a data change leaves every figure file as it was.
    os.environ.setdefault("SOURCE_DATE_EPOCH", REPRODUCIBLE_DATE)
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


# ---- Ranks (chapters 00–02): rank 1 on top, the text's threshold drawn, the article's values with published ones ----
ECONOMY_ORDER = ("中国香港", "中国")


def rank_chart(
    ranks: pd.DataFrame,
    *,
    top: int | None = None,
    top_label: str | None = None,
    field: str | None = None,
    worst: int | None = None,
    ylabel: str = "全球排名（位）",
) -> Figure:
    """Each economy's rank by year, one line per economy (`year`, `economy_zh`, `rank_article` columns), labelled
    at its end; rank 1 is at the top. `top` draws the text's threshold ("前 15 名") as a dashed line labelled
    `top_label`. Where a `rank_published` column holds a different rank, it is drawn as an open circle beside the
    article's. `field` names a column with the number of economies ranked: it is drawn as the last place, and
    the axis runs down to it."""
    missing = {"year", "economy_zh", "rank_article"} - set(ranks.columns)
    if missing:
        raise ValueError(f"rank_chart: columns {sorted(missing)} missing (have {list(ranks.columns)})")
    fig, ax = plt.subplots()
    economies = [e for e in ECONOMY_ORDER if e in set(ranks["economy_zh"])]
    economies += sorted(set(ranks["economy_zh"]) - set(economies))
    lowest = int(ranks["rank_article"].max())
    differs_drawn = False
    for economy in economies:
        rows = ranks[ranks["economy_zh"] == economy].sort_values("year")
        colour = COLOURS.get(economy, COLOURS["other"])
        ax.plot(rows["year"], rows["rank_article"], marker="o", color=colour, label=economy)
        last = rows.iloc[-1]
        ax.annotate(f"{economy}", (last["year"], last["rank_article"]), xytext=(6, 0),
                    textcoords="offset points", va="center", color=colour, fontsize=LABEL_SIZE)
        if "rank_published" in rows:
            differ = rows[rows["rank_published"].notna() & (rows["rank_published"] != rows["rank_article"])]
            if len(differ):
                ax.scatter(differ["year"], differ["rank_published"], s=36, facecolors="white", edgecolors=colour,
                           linewidths=1.2, zorder=3, label="已发表名次（与文章不同）" if not differs_drawn else None)
                differs_drawn = True
                lowest = max(lowest, int(differ["rank_published"].max()))
    if field is not None:
        size = ranks.groupby("year")[field].max()
        ax.step(size.index, size.values, where="mid", color=COLOURS["other"], linestyle=":", linewidth=1.2)
        ax.annotate("参评经济体总数（最末一名）", (size.index[0], size.iloc[0]), xytext=(0, 4),
                    textcoords="offset points", va="bottom", color="#555555", fontsize=LABEL_SIZE)
        lowest = max(lowest, int(size.max()))
    if top is not None:
        ax.axhline(top + 0.5, color="#555555", linestyle="--", linewidth=0.9)
        ax.annotate(top_label or f"前 {top} 名", (0, top + 0.5), xycoords=("axes fraction", "data"), xytext=(3, 2),
                    textcoords="offset points", va="bottom", color="#555555", fontsize=LABEL_SIZE, zorder=5,
                    bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.5, "alpha": 0.85})
    rank_axis(ax, worst or lowest + 2, ylabel)
    year_axis(ax, ranks["year"])
    ax.set_xlim(ranks["year"].min() - 0.3, ranks["year"].max() + 0.9)  # room for the end labels
    if differs_drawn:
        ax.legend(handles=[h for h, l in zip(*ax.get_legend_handles_labels()) if l.startswith("已发表")],
                  loc="best", fontsize=LABEL_SIZE)
    return fig


def wrap_label(label: str, width: int = 3) -> str:
    """A long Chinese label on two lines, for narrow columns: "生命科学与医学" → "生命科学\\n与医学"."""
    if len(label) <= width + 1:
        return label
    cut = len(label) - width if len(label) <= 2 * width + 1 else (len(label) + 1) // 2
    return f"{label[:cut]}\n{label[cut:]}"


def rank_heatmap(table: pd.DataFrame, *, colourbar_label: str = "名次（对数刻度）", missing_label: str = "无排名") -> Figure:
    """A table of ranks (rows × columns, empty cells allowed) as a heat map: each cell coloured by its rank on a
    log scale (better = darker) and labelled with it; an empty cell is hatched grey and labelled `missing_label`,
    never coloured as if it had a rank."""
    from matplotlib.colors import LogNorm

    values = table.apply(pd.to_numeric, errors="coerce").astype(float)
    known = values.stack().dropna()
    if known.empty:
        raise ValueError("rank_heatmap: the table has no rank")
    fig, ax = plt.subplots(figsize=(6.4, 0.55 * len(values) + 1.6))
    cmap = plt.get_cmap("cividis")  # colour-blind-safe; dark = good rank
    norm = LogNorm(vmin=max(1.0, known.min()), vmax=known.max())
    image = ax.imshow(values.to_numpy(), cmap=cmap, norm=norm, aspect="auto")
    for (i, j), rank in pd.DataFrame(values.to_numpy()).stack(future_stack=True).items():
        if pd.isna(rank):
            ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, facecolor="#f2f2f2", edgecolor="#999999",
                                   hatch="///", linewidth=0))
            ax.text(j, i, missing_label, ha="center", va="center", fontsize=LABEL_SIZE, color="#333333")
            continue
        r, g, b, _ = cmap(norm(rank))
        dark = 0.299 * r + 0.587 * g + 0.114 * b < 0.5
        ax.text(j, i, f"{rank:.0f}", ha="center", va="center", fontsize=LABEL_SIZE,
                color="white" if dark else "black")
    ax.set_xticks(range(values.shape[1]), [wrap_label(str(c)) for c in values.columns])
    ax.set_yticks(range(values.shape[0]), [str(r) for r in values.index])
    ax.tick_params(length=0)
    ax.xaxis.tick_top()
    ax.grid(False)
    for spine in ax.spines.values():
        spine.set_visible(False)
    bar = fig.colorbar(image, ax=ax, shrink=0.9, pad=0.02)
    bar.set_label(colourbar_label)
    ticks = [t for t in (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000) if norm.vmin <= t <= norm.vmax]
    bar.ax.minorticks_off()
    bar.set_ticks(ticks, labels=[str(t) for t in ticks])  # plain numbers, not 2×10¹
    bar.ax.invert_yaxis()  # rank 1 at the top of the colour bar too
    return fig

