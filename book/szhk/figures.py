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


# ---- The article's numbers beside the published ones (chapters 03–06) --------------------------------------------
# Two series recur: what the article writes, and what a published source gives. They differ in fill *and* hatching
# (and every bar carries its value as text), so colour is never the only cue.
SERIES_STYLE = {
    "article": {"facecolor": COLOURS["中国香港"], "edgecolor": COLOURS["中国香港"], "hatch": None},
    "published": {"facecolor": "white", "edgecolor": COLOURS["中国"], "hatch": "////"},
}
ARTICLE_NAME = "文章所写"
PUBLISHED_NAME = "已发表来源"
LABEL_SIZE = 9


def bars(
    ax: Axes,
    categories: Sequence[str],
    values: Sequence[float],
    labels: Sequence[str] | None = None,
    *,
    series: str = "article",
    offset: float = 0.0,
    size: float = 0.7,
    horizontal: bool = True,
    missing: str | None = None,
) -> list[Rectangle]:
    """One bar per category (the first on top, or on the left), each labelled at its end with `labels`
    (default: the value). An empty value draws no bar; `missing` (e.g. "未核得") is written in its place.
    Returns the bars drawn. Call again with `series="published"` and an `offset` for a second series."""
    categories, values = list(categories), [float("nan") if pd.isna(v) else float(v) for v in values]
    if len(values) != len(categories) or (labels is not None and len(labels) != len(categories)):
        raise ValueError(f"bars: {len(categories)} categories, {len(values)} values, "
                         f"{'no' if labels is None else len(labels)} labels")
    if series not in SERIES_STYLE:
        raise ValueError(f"bars: unknown series {series!r} (known: {', '.join(SERIES_STYLE)})")
    known = [v for v in values if not math.isnan(v)]
    top = max(known, default=0.0)
    drawn: list[Rectangle] = []
    for i, value in enumerate(values):
        position = i + offset
        if math.isnan(value):
            if missing:
                _end_label(ax, position, 0.0, missing, horizontal, colour=COLOURS["other"])
            continue
        draw = ax.barh if horizontal else ax.bar
        (bar,) = draw(position, value, size, **SERIES_STYLE[series], linewidth=0.8)
        drawn.append(bar)
        _end_label(ax, position, value, labels[i] if labels is not None else f"{value:g}", horizontal)
    ticks = range(len(categories))
    if horizontal:
        ax.set_yticks(list(ticks), categories)
        ax.set_ylim(len(categories) - 0.5, -0.5)  # first category on top
        ax.set_xlim(0, max(ax.get_xlim()[1], top * 1.35 or 1))  # room for the end labels
        ax.grid(axis="y", visible=False)
    else:
        ax.set_xticks(list(ticks), categories)
        ax.set_xlim(-0.5, len(categories) - 0.5)
        ax.set_ylim(0, max(ax.get_ylim()[1], top * 1.2 or 1))
        ax.grid(axis="x", visible=False)
    return drawn


def _end_label(ax: Axes, position: float, value: float, text: str, horizontal: bool, colour: str = "black") -> None:
    if horizontal:
        ax.annotate(text, (value, position), xytext=(3, 0), textcoords="offset points", va="center",
                    fontsize=LABEL_SIZE, color=colour)
    else:
        ax.annotate(text, (position, value), xytext=(0, 3), textcoords="offset points", ha="center",
                    va="bottom", fontsize=LABEL_SIZE, color=colour)


def point_labels(ax: Axes, x: Iterable[float], y: Iterable[float], labels: Iterable[str], *,
                 below: bool = False) -> None:
    """Write each label next to its point: above and to the left, or below and to the right (below=True), so two
    series that share a point do not print over each other."""
    dx, dy, ha, va = (5, -5, "left", "top") if below else (-5, 5, "right", "bottom")
    for xi, yi, text in zip(x, y, labels):
        ax.annotate(text, (float(xi), float(yi)), xytext=(dx, dy), textcoords="offset points", ha=ha, va=va,
                    fontsize=LABEL_SIZE)


def with_remainder(shares: pd.DataFrame, label: str = "其他") -> pd.DataFrame:
    """Percentage shares (one column per series) with a last row `label` for what they leave of 100 %, so a
    partial list is not read as the whole. Shares adding up to more than 100 % are an error."""
    totals = shares.sum()
    over = totals[totals > 100 + 1e-9]
    if not over.empty:
        raise ValueError(f"with_remainder: shares in {', '.join(map(str, over.index))} add up to "
                         f"{', '.join(f'{t:g}' for t in over)} %, more than 100 %")
    rest = pd.DataFrame([100 - totals], index=[label])
    return pd.concat([shares, rest])


def wrapped(labels: Iterable[str], width: int = 9) -> list[str]:
    """Category labels broken into lines of at most `width` characters (Chinese has no spaces to break at), so
    long names do not squeeze the plot on a phone screen; a name with a bracketed part breaks before "（" when
    the name itself fits on one line ("前海深港现代服务业合作区" / "（扩区前）")."""
    def lines(text: str) -> list[str]:
        return textwrap.wrap(text, width, break_long_words=True, break_on_hyphens=False)

    out = []
    for label in labels:
        text = str(label).replace(" ", "\u00a0")  # keeps "第十八 A 章" together: textwrap breaks at ASCII spaces
        name, bracket, rest = text.partition("（")
        if bracket and len(text) > width and 0 < len(name) <= width:
            out.append("\n".join([name, *lines(bracket + rest)]))
        else:
            out.append("\n".join(lines(text)))
    return out


def paired_bars(
    ax: Axes,
    categories: Sequence[str],
    article: Sequence[float],
    published: Sequence[float],
    *,
    article_labels: Sequence[str] | None = None,
    published_labels: Sequence[str] | None = None,
    published_name: str = PUBLISHED_NAME,
    missing: str | None = "未核得",
    article_missing: str | None = "文章未给出",
    horizontal: bool = True,
    legend: bool = True,
) -> None:
    """The article's value and the published one side by side for each category (article first); a published
    value that was not found shows `missing` instead of a bar, an article's value it does not give
    `article_missing` (None: nothing, where the article names one year of a series)."""
    bars(ax, categories, article, article_labels, series="article", offset=-0.2, size=0.4,
         horizontal=horizontal, missing=article_missing)
    bars(ax, categories, published, published_labels, series="published", offset=0.2, size=0.4,
         horizontal=horizontal, missing=missing)
    if legend:
        series_legend(ax.figure, published_name=published_name)


def paired_panels(rows: pd.DataFrame, category: str, measures: Iterable[str], *, published_name: str,
                  height: float, xlabel: str = "{measure}（{unit}）", wrap: int | None = None) -> Figure:
    """Small multiples of `paired_bars`, one panel per measure (`measure_code`, titled with its `measure_zh`), for
    a table in the data's usual columns: `value_article`/`value_published` with their `unit` and
    `qualifier`/`qualifier_published`, labelled as the article writes them. `category` names the column of bar
    labels (wrapped at `wrap` characters if given); `xlabel` may use {measure} and {unit}."""
    from .text import labels_as_written

    measures = list(measures)
    fig, axes = plt.subplots(len(measures), 1, figsize=(NARROW, height), squeeze=False)
    for ax, measure in zip(axes[:, 0], measures):
        panel = rows[rows["measure_code"] == measure]
        if panel.empty:
            raise ValueError(f"paired_panels: no row has measure_code {measure!r}")
        names = panel[category] if wrap is None else wrapped(panel[category], wrap)
        paired_bars(ax, names, panel["value_article"], panel["value_published"],
                    article_labels=labels_as_written(panel["value_article"], panel["unit"], panel["qualifier"]),
                    published_labels=labels_as_written(panel["value_published"], panel["unit"],
                                                       panel["qualifier_published"]),
                    published_name=published_name, legend=ax is axes[0, 0])
        first = panel.iloc[0]
        ax.set_title(first["measure_zh"])
        ax.set_xlabel(xlabel.format(measure=first["measure_zh"], unit=first["unit"]))
    return fig


def series_legend(fig: Figure, article_name: str = ARTICLE_NAME, published_name: str = PUBLISHED_NAME) -> None:
    """One legend for the whole figure, above the plots (clear of any bar), naming the two series by their fill
    and hatching."""
    handles = [Patch(**SERIES_STYLE["article"], label=article_name),
               Patch(**SERIES_STYLE["published"], label=published_name)]
    fig.legend(handles=handles, loc="outside upper center", ncols=2)


# ---- Ranks (chapters 00–02): rank 1 on top, the text's threshold drawn, the article's values with published ones ----
ECONOMY_ORDER = ("中国香港", "中国")
# Figure width (inches) that keeps 9–10 pt labels at least 10 px high on a 390 px phone screen, where the
# image shrinks to the text column (about 350 px); on a desktop it shows at its natural width (about 420 px).
NARROW = 4.4


AFTER_ARTICLE = "文章发表后"


def after_article_band(ax: Axes, start: float, end: float, *, horizontal: bool = False) -> None:
    """Shade the years after the article's period (positions `start`…`end` on the year axis) and label the band
    文章发表后, so later editions are seen as later editions, not as the author's numbers."""
    span = ax.axhspan if horizontal else ax.axvspan
    span(start, end, color="#ececec", zorder=0, linewidth=0)
    if horizontal:
        ax.text(0.99, start, AFTER_ARTICLE, transform=ax.get_yaxis_transform(), ha="right", va="bottom",
                fontsize=LABEL_SIZE, color="#555555")
    else:
        ax.annotate(AFTER_ARTICLE, (start, 1), xycoords=ax.get_xaxis_transform(), xytext=(3, -2),
                    textcoords="offset points", ha="left", va="top", fontsize=LABEL_SIZE, color="#555555")


def rank_chart(
    ranks: pd.DataFrame,
    *,
    top: int | None = None,
    top_label: str | None = None,
    field: str | None = None,
    worst: int | None = None,
    ylabel: str = "全球排名（位）",
    legend_loc: str = "best",
) -> Figure:
    """Each economy's rank by year, one line per economy (`year`, `economy_zh`, `rank_article` columns), labelled
    at its end; rank 1 is at the top. `top` draws the text's threshold ("前 15 名") as a dashed line labelled
    `top_label`. Where a `rank_published` column holds a different rank, it is drawn as an open circle beside the
    article's. `field` names a column with the number of economies ranked: it is drawn as the last place, and
    the axis runs down to it. Rows with no article rank but a published one (editions after the article) are
    drawn as a dashed continuation in a shaded band labelled 文章发表后."""
    missing = {"year", "economy_zh", "rank_article"} - set(ranks.columns)
    if missing:
        raise ValueError(f"rank_chart: columns {sorted(missing)} missing (have {list(ranks.columns)})")
    fig, ax = plt.subplots(figsize=(NARROW, 3.2))
    economies = [e for e in ECONOMY_ORDER if e in set(ranks["economy_zh"])]
    economies += sorted(set(ranks["economy_zh"]) - set(economies))
    has_published = "rank_published" in ranks
    later_all = ranks[ranks["rank_article"].isna() & ranks["rank_published"].notna()] if has_published else ranks[:0]
    lowest = int(pd.concat([ranks["rank_article"].dropna(), later_all.get("rank_published", pd.Series(dtype=float))]).max())
    differs_drawn = False
    for economy in economies:
        all_rows = ranks[ranks["economy_zh"] == economy].sort_values("year")
        rows = all_rows[all_rows["rank_article"].notna()]
        later = later_all[later_all["economy_zh"] == economy].sort_values("year")
        colour = COLOURS.get(economy, COLOURS["other"])
        ax.plot(rows["year"], rows["rank_article"], marker="o", color=colour, label=economy)
        end_year, end_rank = (rows.iloc[-1]["year"], rows.iloc[-1]["rank_article"]) if len(rows) else (None, None)
        if len(later):
            xs = ([end_year] if end_year is not None else []) + later["year"].tolist()
            ys = ([end_rank] if end_rank is not None else []) + later["rank_published"].tolist()
            ax.plot(xs, ys, color=colour, linestyle="--", linewidth=1.2)
            ax.plot(later["year"], later["rank_published"], linestyle="none", marker="o", markersize=5,
                    markerfacecolor="white", markeredgecolor=colour)
            end_year, end_rank = later.iloc[-1]["year"], later.iloc[-1]["rank_published"]
        ax.annotate(f"{economy}", (end_year, end_rank), xytext=(6, 0),
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
    rank_axis(ax, worst or lowest + 2, ylabel)
    if top is not None:
        _threshold_line(ax, ranks, top, top_label or f"前 {top} 名")
    year_axis(ax, ranks["year"])
    ax.set_xlim(ranks["year"].min() - 0.3, ranks["year"].max() + 0.9)  # room for the end labels
    if len(later_all):
        after_article_band(ax, ranks.loc[ranks["rank_article"].notna(), "year"].max() + 0.5, ranks["year"].max() + 0.9)
    if differs_drawn:
        ax.legend(handles=[h for h, l in zip(*ax.get_legend_handles_labels()) if l.startswith("已发表")],
                  loc=legend_loc, fontsize=LABEL_SIZE)
    return fig


def _threshold_line(ax: Axes, ranks: pd.DataFrame, top: int, label: str) -> None:
    """A dashed line between rank `top` and the next, labelled at the first free corner: left or right end,
    above or below the line, where no rank of the first or last year would sit under the words."""
    line = top + 0.5
    ax.axhline(line, color="#555555", linestyle="--", linewidth=0.9)
    worst, best = ax.get_ylim()
    band = 0.1 * (worst - best)  # the label's height, about 10% of the axis at this figure size
    for side, year in (("left", ranks["year"].min()), ("right", ranks["year"].max())):
        shown = ranks["rank_article"].fillna(ranks["rank_published"]) if "rank_published" in ranks else ranks["rank_article"]
        at_end = shown[ranks["year"] == year].astype(float)
        for above in (True, False):
            low, high = (line - band, line) if above else (line, line + band)
            if not ((at_end >= low) & (at_end <= high)).any():
                ax.annotate(label, (0 if side == "left" else 1, line), xycoords=("axes fraction", "data"),
                            xytext=(3 if side == "left" else -3, 2 if above else -2), textcoords="offset points",
                            ha=side, va="bottom" if above else "top", color="#555555", fontsize=LABEL_SIZE,
                            zorder=5, bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.5, "alpha": 0.85})
                return
    raise ValueError(f"rank_chart: no free place for the label {label!r} of the line at rank {top}")


def wrap_label(label: str, width: int = 3) -> str:
    """A Chinese label longer than `width` on two lines, for narrow columns: after "与" where it has one
    ("人文与艺术" → "人文与\\n艺术") or before it after a long word ("生命科学\\n与医学"), else in the middle
    ("自然科学" → "自然\\n科学"), as the article's Table 2 breaks them."""
    if len(label) <= width:
        return label
    at = label.find("与", 1, len(label) - 1)
    cut = (at if at >= 3 else at + 1) if at > 0 else len(label) // 2
    return f"{label[:cut]}\n{label[cut:]}"


def rank_heatmap(table: pd.DataFrame, *, missing_label: str = "无排名") -> Figure:
    """A table of ranks (rows × columns, empty cells allowed) as a heat map: each cell coloured by its rank on a
    log scale (better = darker) and labelled with it; an empty cell is hatched grey and labelled `missing_label`,
    never coloured as if it had a rank. Every cell carries its number, so there is no colour bar (more room for
    the cells on a phone); the caption says what the colours mean."""
    from matplotlib.colors import LogNorm

    values = table.apply(pd.to_numeric, errors="coerce").astype(float)
    known = values.stack().dropna()
    if known.empty:
        raise ValueError("rank_heatmap: the table has no rank")
    fig, ax = plt.subplots(figsize=(NARROW, 0.5 * len(values) + 1.3))
    cmap = plt.get_cmap("cividis")  # colour-blind-safe; dark = good rank
    best = max(1.0, known.min())
    norm = LogNorm(vmin=best, vmax=max(known.max(), 2 * best))  # one rank alone still gets a colour scale
    ax.imshow(values.to_numpy(), cmap=cmap, norm=norm, aspect="auto")
    for (i, j), rank in pd.DataFrame(values.to_numpy()).stack(future_stack=True).items():
        if pd.isna(rank):
            ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, facecolor="#f2f2f2", edgecolor="#999999",
                                   hatch="///", linewidth=0))
            ax.text(j, i, missing_label, ha="center", va="center", fontsize=LABEL_SIZE, color="#333333")
            continue
        r, g, b, _ = cmap(float(norm(rank)))
        dark = 0.299 * r + 0.587 * g + 0.114 * b < 0.5
        ax.text(j, i, f"{rank:.0f}", ha="center", va="center", fontsize=LABEL_SIZE,
                color="white" if dark else "black")
    ax.set_xticks(range(values.shape[1]), [wrap_label(str(c)) for c in values.columns], fontsize=LABEL_SIZE)
    ax.set_yticks(range(values.shape[0]), [str(r) for r in values.index], fontsize=LABEL_SIZE)
    ax.tick_params(length=0)
    ax.xaxis.tick_top()
    ax.grid(False)
    for spine in ax.spines.values():
        spine.set_visible(False)
    return fig

