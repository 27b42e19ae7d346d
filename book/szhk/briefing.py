"""The briefing (book/briefing.md, printed as its own two-page PDF): what its cells write, from the data.

Page 1 carries the key messages (szhk.front, shared with the front page) and one decisive chart; page 2 the author's five recommendations with who acts,
the key numbers with their verification status, the discrepancies the claims register finds, and where to read
more. Everything here returns Markdown (MyST) or a figure; the page only places them.

- The recommendations are the author's own lead sentences, read from chapter 06 (never retyped here), each with
  its concrete ask: parts of its paragraph quoted verbatim (checked at build time); only the actors are the
  editor's, and each says whether the article names them or the editor inferred them.
- On paper, links do nothing: key_messages_print gives the sentences without them, and page 2 says where to read
  more (the web address and its QR code once html.baseurl is set, else the book PDF's pages); the web page keeps
  its links.
- The key numbers are rows of data/key_figures.csv; the discrepancies are the register's 不一致 entries.
"""
from __future__ import annotations

import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.legend_handler import HandlerTuple

from . import claims, deps, front, markdown, text
from .claims import DIFFERS, Result
from .data import data_dir, labels, load, package
from .figures import (AFTER_ARTICLE, ARTICLE, COLOURS, MUTED, PUBLISHED, WORDS, after_article_band, display_name,
                      marker_style, rank_axis, swatches, title_and_source, width, wrap_em, year_axis)
from .figures import words as chart_words

__all__ = [
    "BriefingError", "Actor", "Recommendation", "recommendations", "author_recommendations", "recommendations_markdown",
    "asks_markdown", "Event", "events", "events_note",
    "KEY_NUMBERS", "key_numbers_markdown", "discrepancies_markdown", "csv_link", "data_note",
    "key_messages_print", "recommendation_paragraphs",
    "rank_thresholds", "chart_title", "rank_figure",
]

RECOMMENDATIONS_CHAPTER = deps.root() / "book" / "06-recommendations.md"


class BriefingError(ValueError):
    """The briefing cannot be written from the sources (the message names what is missing)."""


# Data text reaches the page through szhk.markdown (the book's one escaper and table writer); what this module
# writes as markup on purpose (bold actors, links) is a markdown.Markup built from escaped parts.


def csv_link(name: str, page_dir: Path | None = None) -> str:
    """A download link (a Markdown link to the file) to a data resource's CSV, relative to the briefing's folder (book/)."""
    paths = {r["name"]: r["path"] for r in package()["resources"]}
    if name not in paths:
        raise BriefingError(f"datapackage.json has no resource {name!r}")
    page_dir = page_dir or deps.root() / "book"
    return markdown.link(paths[name], os.path.relpath(data_dir() / paths[name], page_dir))


def data_note(source: str, resources: Sequence[str]) -> str:
    """The line under a chart: its source, then the CSVs it was drawn from (in print: the file names)."""
    return f"{markdown.text(source)}下载数据：{'、'.join(csv_link(name) for name in resources)}。"


# ----------------------------------------------------------------------------------------------------------------
# Paper: the web page's links (原文段落, 数据：…, 下载数据) do nothing in the printed briefing
# ----------------------------------------------------------------------------------------------------------------
def key_messages_print() -> str:
    """The key messages with figures (szhk.front, shared with the front page; the asks follow on their own) for
    paper: the sentences alone, without the web page's links (原文段落, 数据：…), which do nothing on paper; page 2
    says where to read more."""
    return front.key_messages_markdown(links=False, figures_only=True)


# ----------------------------------------------------------------------------------------------------------------
# The author's five recommendations, and who acts on each
# ----------------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Actor:
    """Who acts on a recommendation. `quote` is the article's words naming it; empty when the editor inferred it,
    in which case `reason` says from what."""

    name: str
    quote: str = ""
    reason: str = ""


@dataclass(frozen=True)
class Recommendation:
    """One of the article's five recommendations (data/recommendations.csv, data/recommendation_actors.csv): the
    author's lead sentence and ask (verbatim, checked against chapter 06), the editor's one-line summary, who acts."""

    number: int
    lead: str
    ask: str            # parts of the paragraph, each verbatim, joined with ……
    ask_line_zh: str    # the editor's one line (page 1)
    ask_line_en: str
    paragraph: str      # its label in chapter 06
    actors: tuple[Actor, ...]


def _text(value: object) -> str:
    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value).strip()


def _data_error(resource: str, line: int, column: str, problem: str) -> BriefingError:
    return BriefingError(f"数据错误：data/{resource}.csv，第 {line} 行，列 {column}：{problem}。")


_LEAD = re.compile(r"^\{strong\}`([^`]+)`(.*)$", re.MULTILINE)


def recommendation_paragraphs(chapter: Path = RECOMMENDATIONS_CHAPTER) -> dict[str, str]:
    """The author's recommendations, as chapter 06 writes them: lead sentence (its bold opening) → the rest of its
    paragraph, in the chapter's order."""
    found = {lead: rest for lead, rest in _LEAD.findall(chapter.read_text(encoding="utf-8"))}
    if not found:
        raise BriefingError(f"{chapter}: no recommendation found (paragraphs opening with {{strong}}`…`)")
    return found


def author_recommendations(chapter: Path = RECOMMENDATIONS_CHAPTER) -> list[str]:
    """The lead sentences of the author's recommendations, as chapter 06 writes them (its bold openings)."""
    return list(recommendation_paragraphs(chapter))


def _check_quoted(resource: str, line: int, column: str, paragraph: str, quote: str) -> None:
    for part in filter(None, quote.split("……")):
        if part not in paragraph:
            raise _data_error(resource, line, column, f"“{part}”不在该建议的原文段落中（第六部分）；这里只能摘录原文")


def recommendations(chapter: Path = RECOMMENDATIONS_CHAPTER, load: Callable[[str], pd.DataFrame] = load
                    ) -> list[Recommendation]:
    """The five recommendations from the data, each checked against chapter 06: the lead sentence is the author's
    (in the chapter's order), the ask and each stated actor's quote stand in its paragraph."""
    paragraphs = recommendation_paragraphs(chapter)
    leads = list(paragraphs)
    rows = load("recommendations").reset_index(drop=True)
    actors = load("recommendation_actors").reset_index(drop=True)
    out = []
    for i, row in rows.iterrows():
        number, lead = int(row["recommendation"]), _text(row["lead_zh"])
        if number > len(leads) or leads[number - 1] != lead:
            raise _data_error("recommendations", i + 2, "lead_zh", f"“{lead}”不是第六部分第 {number} 条建议的首句"
                                                                   f"（第六部分的建议依次为：{'；'.join(leads)}）")
        _check_quoted("recommendations", i + 2, "ask_zh", paragraphs[lead], _text(row["ask_zh"]))
        mine = []
        for j, actor in actors.iterrows():
            if int(actor["recommendation"]) != number:
                continue
            quote, reason = _text(actor["quote"]), _text(actor["reason"])
            _check_quoted("recommendation_actors", j + 2, "quote", paragraphs[lead], quote)
            mine.append(Actor(_text(actor["actor_zh"]), quote, reason))
        out.append(Recommendation(number, lead, _text(row["ask_zh"]), _text(row["ask_line_zh"]),
                                  _text(row["ask_line_en"]), _text(row["paragraph"]), tuple(mine)))
    missing = [lead for lead in leads if lead not in {r.lead for r in out}]
    if missing:
        raise _data_error("recommendations", len(rows) + 2, "lead_zh", f"第六部分的建议 {missing} 在本表中没有一行")
    return out


def _actors_cell(actors: Sequence[Actor], stated: str, inferred: str) -> str:
    """"深圳市政府、香港特区政府（`stated`）", then the inferred ones with "（`inferred`）" (the page's words)."""
    groups = [(stated, [a.name for a in actors if a.quote]), (inferred, [a.name for a in actors if not a.quote])]
    return markdown.Markup("；".join(f"**{markdown.text('、'.join(names))}**（{markdown.text(why)}）"
                                     for why, names in groups if names))


def asks_markdown(recs: Sequence[Recommendation] | None = None) -> str:
    """Page 1: the five asks, one line each (the editor's summary, numbered as in chapter 06)."""
    recs = recommendations() if recs is None else recs
    return "\n".join(f"{r.number}. {markdown.text(r.ask_line_zh)}" for r in recs) + "\n"


# ----------------------------------------------------------------------------------------------------------------
# What happened since: data/recommendation_events.csv (dated public developments, each with its source)
# ----------------------------------------------------------------------------------------------------------------
EVENTS = "recommendation_events"


@dataclass(frozen=True)
class Event:
    recommendation: int
    date: str          # YYYY-MM-DD or YYYY-MM
    event_zh: str
    event_en: str
    source_id: str


def zh_date(value: str) -> str:
    """"2023-08-15" → "2023 年 8 月 15 日"; "2023-08" → "2023 年 8 月"."""
    return " ".join(f"{int(n)} {unit}" for n, unit in zip(value.split("-"), "年月日"))


def events(load: Callable[[str], pd.DataFrame] = load) -> list[Event]:
    """The recommendations' dated developments, oldest first. A row without a source, or with a date that is not
    YYYY-MM[-DD], never reaches here: the package's schema for the file (required source_id, a foreign key into
    sources, a date pattern) stops the build at loading, naming file, row and column."""
    frame = load(EVENTS)
    out = [Event(int(row["recommendation"]), _text(row["date"]), _text(row["event_zh"]), _text(row.get("event_en")),
                 _text(row["source_id"])) for _, row in frame.iterrows()]
    return sorted(out, key=lambda e: (e.recommendation, e.date))


def events_note(number: int, found: Sequence[Event], *, lead: str, none: str) -> str:
    """The editor's note under recommendation `number` in chapter 06: `lead`, then its events with date and
    citation, or `none` when there are none (both sentences are the chapter's words)."""
    mine = [e for e in found if e.recommendation == number]
    if not mine:
        return f"{lead}{none}\n"
    items = "\n".join(f"- {zh_date(e.date)}：{markdown.text(e.event_zh)}{{cite}}`{e.source_id}`" for e in mine)
    return f"{lead}\n\n{items}\n"


def recommendations_markdown(found: Sequence[Event] | None = None, *, headers: Sequence[str], stated: str,
                             inferred: str, none: str = "", chapter: Path = RECOMMENDATIONS_CHAPTER) -> str:
    """Page 2: each recommendation (the author's lead sentence) and who acts; with `found` (the events), also what has
    happened since 2022: the latest event with its date and how many more, or `none`. `headers` and `none` are
    the page's words."""
    rows = []
    for rec in recommendations(chapter):
        row = [markdown.Markup(f"**{markdown.text(f'{rec.number}. {rec.lead}')}**"),
               _actors_cell(rec.actors, stated, inferred)]
        if found is not None:
            mine = [e for e in found if e.recommendation == rec.number]
            row.append(markdown.Markup(markdown.text(f"{zh_date(mine[-1].date)}：{mine[-1].event_zh}") + (
                markdown.text(f"（另 {len(mine) - 1} 项）") if len(mine) > 1 else "")) if mine else markdown.text(none))
        rows.append(row)
    widths = [26, 30, 44] if found is not None else [55, 45]
    return markdown.list_table(list(headers)[:len(widths)], rows, widths=widths)


# ----------------------------------------------------------------------------------------------------------------
# Key numbers and the discrepancies found
# ----------------------------------------------------------------------------------------------------------------
KEY_NUMBERS = (  # figure_id in data/key_figures.csv (or series_key_numbers), in the article's order
    "northern_metropolis_area", "gii_cluster_rank_2021", "hk_startups_2021", "innovation_spending_5y",
    "itf_funding_approved", "itvf_size", "hetao_projects", "qianhai_institutional_innovations",
)


def as_written(value: float, unit: str, qualifier: object) -> str:
    """The number as the article writes it (szhk.text): 约 3.4 万个, 超过 1500 亿港元, 100 余家; ranks as 第 2 名."""
    return f"第 {value:g} 名" if unit == "名" else text.as_written(value, unit, qualifier)


def _latest(frame: pd.DataFrame, year: str, value: str) -> pd.Series:
    """The row with the latest published value of a series."""
    return frame.dropna(subset=[value]).sort_values(year).iloc[-1]


def _series_name(frame: pd.DataFrame) -> str:
    """A series' name for a table row: its dataset title (datapackage.json) without "（逐年…）"."""
    return re.sub(r"（逐年[^）]*）$", "", str(frame.attrs.get("title", "")))


def series_key_numbers() -> pd.DataFrame:
    """Two key numbers are one year of a series and live only in that series' file (one fact, one place): the
    cluster's rank (gii_cluster_ranks) and the start-ups (hk_startups), each from the article's row (in_article),
    with the series' latest published value."""
    clusters, surveys = load("gii_cluster_ranks"), load("hk_startups")
    cluster, startups = clusters.query("in_article").iloc[0], surveys.query("in_article").iloc[0]
    cluster_now, startups_now = _latest(clusters, "year", "rank_published"), _latest(surveys, "survey_year",
                                                                                      "startups_published")
    return pd.DataFrame([
        {"figure_id": "gii_cluster_rank_2021", "quantity_zh": _series_name(clusters),
         "value_article": cluster.rank_article, "unit": "名", "qualifier": pd.NA, "year": cluster.year,
         "value_published": cluster.rank_published, "qualifier_published": pd.NA, "verification": cluster.verification,
         "latest_value": cluster_now.rank_published, "latest_year": cluster_now.year},
        {"figure_id": "hk_startups_2021", "quantity_zh": _series_name(surveys),
         "value_article": startups.startups_article, "unit": "家", "qualifier": startups.qualifier,
         "year": startups.survey_year, "value_published": startups.startups_published, "qualifier_published": pd.NA,
         "verification": startups.verification, "latest_value": startups_now.startups_published,
         "latest_year": startups_now.survey_year},
    ]).set_index("figure_id")


def key_numbers_markdown(names: Sequence[str] = KEY_NUMBERS, *, headers: Sequence[str], none: str,
                         results: Sequence[Result] | None = None) -> str:
    """The article's key numbers: what it wrote, the latest published value with its year (a series' latest
    edition; for a single figure the published value and the date it is as of), and what checking found (an
    unconfirmed figure takes the register's status for its row: 未找到来源 when searched, 待核 when not; `results`:
    the register, read when not given). `headers` and `none` (no published value) are the page's words."""
    unsourced = claims.status_by_row(claims.register() if results is None else results)
    figures = load("key_figures").set_index("figure_id")
    figures["latest_value"] = figures["value_published"]
    figures["latest_year"] = figures["published_as_of"].astype("string").str[:4]
    figures = pd.concat([figures, series_key_numbers()])
    unknown = [name for name in names if name not in figures.index]
    if unknown:
        raise BriefingError(f"data/key_figures.csv has no figure_id {unknown} (szhk.briefing.KEY_NUMBERS)")
    rows = []
    for name in names:
        row = figures.loc[name]
        marks = labels("verification")  # data/labels.csv: the book's names of the verification marks
        if row.verification == "differs":
            checked = markdown.Markup(f"**{markdown.text(marks['differs'])}**")
        elif row.verification == "unconfirmed":
            checked = markdown.text(unsourced.get(("key_figures", name), claims.PENDING))
        elif row.verification in marks:
            checked = markdown.text(marks[row.verification])
        else:
            raise BriefingError(f"data/key_figures.csv, figure_id {name}, column verification: "
                                f"unknown mark {row.verification!r}")
        label = row.quantity_zh
        if not pd.isna(row.year) and str(int(row.year)) not in label:
            label = f"{label}（{int(row.year)} 年）"
        latest = none if pd.isna(row.latest_value) else (
            (f"第 {row.latest_value:g} 名" if row.unit == "名" else f"{row.latest_value:g} {row.unit}") +
            ("" if pd.isna(row.latest_year) else f"（{int(row.latest_year)}）"))
        rows.append([label, as_written(row.value_article, row.unit, row.qualifier), latest, checked])
    return markdown.list_table(list(headers), rows, widths=[38, 17, 25, 20])


def discrepancies_markdown(results: Sequence[Result], limit: int = 4) -> str:
    """The material discrepancies only (the register's 不一致 entries that are not off by one, most material
    first; at most `limit`): what, the article's value, the source's, one line each."""
    material = [r for r in claims.by_materiality(results) if r.status == DIFFERS and not r.minor][:limit]
    return "".join(f"- {markdown.text(r.claim.statement)}：{_cat_value('文章', r.article_value)}；"
                   f"{_cat_value('公开来源', r.published_value.split('（')[0])}\n" for r in material)


def _cat_value(who: str, value: str) -> str:
    """"文章 2017 年第 16 名" / "文章为近 4000 家": the book's space between Chinese and a digit."""
    return markdown.text(f"{who} {value}" if value[:1].isdigit() else f"{who}{value}")


# ----------------------------------------------------------------------------------------------------------------
# The decisive chart: Hong Kong and the mainland in the two rankings of the article's Table 1
# ----------------------------------------------------------------------------------------------------------------
RANKINGS = tuple(WORDS["rankings"].items())  # (resource, name), in the order drawn
HK, MAINLAND = "中国香港", "中国"  # economy_zh as the data write them
MAINLAND_SHOWN = display_name(MAINLAND)  # as the briefing's titles and legend name it


def rank_thresholds(results: Sequence[Result] | None = None) -> dict[str, int]:
    """The thresholds the article's text sets for each ranking ("前 15 名", "前十名"), from the claims register's
    at_most claims on the ranking's resource."""
    results = claims.register() if results is None else results
    found = {r.claim.resource: int(r.claim.threshold) for r in results
             if r.claim.check == "at_most" and r.claim.threshold is not None}
    missing = [name for name, _ in RANKINGS if name not in found]
    if missing:
        raise BriefingError(f"data/claims.csv: no at_most claim (the text's threshold) on {missing}")
    return {name: found[name] for name, _ in RANKINGS}


def _shown(ranks: pd.DataFrame) -> pd.DataFrame:
    """The rank to plot: the published one where the data hold it, else the article's."""
    frame = ranks.copy()
    frame["rank_shown"] = frame["rank_published"].fillna(frame["rank_article"])
    return frame


def chart_title(gii: pd.DataFrame, imd: pd.DataFrame) -> str:
    """A conclusion-style title (结论式标题) at the latest edition the data hold, e.g. "2025 年全球创新指数中国内地
    领先（第 10 名对中国香港第 15 名），数字竞争力中国香港领先（第 4 名对中国内地第 12 名）": which economy ranks
    ahead in each ranking, and since when where it has not led in every edition."""
    parts, years = [], []
    for ranks, (_, index_zh) in zip((gii, imd), RANKINGS):
        short = index_zh.replace("排名", "").replace("世界", "")
        wide = _shown(ranks).pivot(index="year", columns="economy_zh", values="rank_shown").dropna()
        latest = int(wide.index.max())
        lead, other = (HK, MAINLAND) if wide.loc[latest, HK] < wide.loc[latest, MAINLAND] else (MAINLAND, HK)
        ahead = (wide[lead] < wide[other])[::-1]
        since = int(ahead.index[ahead.cumprod().astype(bool)].min())  # the start of its current lead
        name = {HK: HK, MAINLAND: MAINLAND_SHOWN}
        lead_years = (chart_words("briefing_since_all") if since == int(wide.index.min()) else
                      chart_words("briefing_since", year=since))
        parts.append(chart_words("briefing_title_part", ranking=short, lead=name[lead], since=lead_years,
                                 lead_rank=f"{wide.loc[latest, lead]:g}", other=name[other],
                                 other_rank=f"{wide.loc[latest, other]:g}"))
        years.append(latest)
    if len(set(years)) == 1:
        return chart_words("briefing_title_year", year=years[0], parts="，".join(parts))
    return "，".join(chart_words("briefing_title_year", year=y, parts=p) for y, p in zip(years, parts))


def _panel(ax: Axes, ranks: pd.DataFrame, title: str, threshold: int, label_size: float) -> tuple[list[str], set[str]]:
    """One ranking's panel; returns the colours of the economies it draws a hollow (the article's) dot for, and
    which of the marks the note explains it drew ("dashed": a line to an unconfirmed rank; "gap": an edition
    without a rank)."""
    frame = _shown(ranks)
    hollow, drawn = [], set()
    for economy in (HK, MAINLAND):
        rows = frame[frame["economy_zh"] == economy].sort_values("year")
        colour = COLOURS[economy]
        # a line between consecutive editions only: an edition without a rank is a gap, never bridged
        for a, b in zip(rows.itertuples(), rows.iloc[1:].itertuples()):
            if b.year - a.year != 1:
                drawn.add("gap")
                continue
            confirmed = pd.notna(a.rank_published) and pd.notna(b.rank_published)  # solid joins published ranks only
            drawn.update(() if confirmed else ("dashed",))
            ax.plot([a.year, b.year], [a.rank_shown, b.rank_shown], color=colour, linewidth=2, zorder=2,
                    linestyle="-" if confirmed else "--")
        checked = rows[rows["rank_published"].notna()]
        ax.plot(checked["year"], checked["rank_published"], linestyle="none", zorder=3,
                **marker_style(PUBLISHED, colour))
        # The article's rank, hollow: where no published rank was found, or where it differs (the book's rule).
        said = rows[rows["rank_article"].notna()]
        own = said[said["rank_published"].isna() | (said["rank_published"] != said["rank_article"])]
        ax.plot(own["year"], own["rank_article"], linestyle="none", zorder=3, **marker_style(ARTICLE, colour))
        if len(own):
            hollow.append(colour)
        for r in said[said["rank_published"].notna() & (said["rank_published"] != said["rank_article"])].itertuples():
            ax.annotate(chart_words("rank_article_label", rank=f"{r.rank_article:g}"), (r.year, r.rank_article),
                        xytext=(8, 0), textcoords="offset points", ha="left", va="center", fontsize=label_size,
                        color=colour)
        last = rows.iloc[-1]
        ax.annotate(economy if economy == HK else MAINLAND_SHOWN, (last["year"], last["rank_shown"]),
                    xytext=(7, 0), textcoords="offset points", ha="left", va="center", fontsize=label_size,
                    color=colour, fontweight="bold")
    worst = int(max(frame["rank_shown"].max(), frame["rank_article"].max()))
    rank_axis(ax, worst + 3)
    # The text's threshold, dotted; the note under the chart names it (a label on the line would cover later ranks).
    ax.axhline(threshold + 0.5, color=MUTED, linestyle=":", linewidth=1.4, zorder=1)
    year_axis(ax, frame["year"])
    ax.set_xlim(frame["year"].min() - 0.3, frame["year"].max() + 1.5)  # room for the economy names
    later = frame.loc[frame["rank_article"].isna(), "year"]
    if len(later):  # editions after the article's: published ranks, in the band the book's charts use
        after_article_band(ax, later.min() - 0.5, frame["year"].max() + 1.5, label_at="bottom", size=label_size)
    if frame["year"].nunique() > 7:
        ax.tick_params(axis="x", rotation=90)
    ax.set_title(title, fontsize=label_size + 1)
    ax.tick_params(labelsize=label_size)
    ax.yaxis.label.set_size(label_size)
    return hollow, drawn


def editions(name: str) -> pd.DataFrame:
    """Every edition of a ranking the data hold: the article's Table 1 and the later ones (表 1 续)."""
    return load(name)


SOURCE = WORDS["briefing_chart_source"]


def source_text() -> str:
    """The chart's source in words, with the editions drawn (the web page gives it under the chart)."""
    years = pd.concat([editions(name)["year"] for name, _ in RANKINGS])
    return SOURCE.format(first=years.min(), last=years.max())


def rank_figure(*, stacked: bool = False, results: Sequence[Result] | None = None) -> Figure:
    """Hong Kong and the mainland in the two rankings of the article's Table 1, published ranks filled and the
    article's hollow where they differ or none was found, the text's thresholds dashed, the conclusion as its
    title and the source below. Side by side at the briefing's full print width (9 pt labels, print only);
    `stacked` (one above the other, 4.4 in wide, 11 pt labels) for the web page, read on phones too."""
    thresholds = rank_thresholds(results)
    label_size = 11 if stacked else 9
    fig, axes = plt.subplots(2 if stacked else 1, 1 if stacked else 2,
                             figsize=(width(), 7.0) if stacked else (6.8, 3.6))
    hollow: list[str] = []  # the colours the hollow dots are drawn in (the legend's hollow swatches)
    drawn: set[str] = set()  # the marks the note explains
    for ax, (name, title) in zip(axes, RANKINGS):
        colours, marks = _panel(ax, editions(name), title, thresholds[name], label_size)
        hollow += [c for c in colours if c not in hollow]
        drawn |= marks
    if not stacked:
        axes[1].set_ylabel("")
    # The legend's swatches in both economies' colours, as the marks are; above the panels, under the title.
    colours = [COLOURS[HK], COLOURS[MAINLAND]]
    key = [swatches(chart_words("ranks_published"), colours)]
    if hollow:
        key.append(swatches(chart_words("ranks_article"), hollow, kind=ARTICLE))
    ncols = 2 if width() > 4 or not stacked else 1
    axes[0].legend(handles=key, labels=[k[0].get_label() for k in key], loc="lower left",
                   bbox_to_anchor=(0, 1.01), ncols=ncols, fontsize=label_size,
                   handler_map={tuple: HandlerTuple(ndivide=None, pad=0.25)}, borderaxespad=0, handlelength=1.2,
                   columnspacing=1.0, handletextpad=0.5)
    # the panels' names above the legend: as many lines of legend as it has rows, and a gap (side by side in
    # print, both names at that height)
    for ax in axes[:1] if stacked else axes:
        ax.set_title(ax.get_title(loc="left"), loc="left", fontsize=label_size + 1, pad=len(key) / ncols * label_size * 1.5 + 6)
    title = chart_title(editions("gii_ranks"), editions("imd_digital_ranks"))
    note = chart_words("briefing_chart_note", band=AFTER_ARTICLE, thresholds="、".join(
        chart_words("briefing_chart_threshold", ranking=zh, top=thresholds[name]) for name, zh in RANKINGS))
    note += "".join(chart_words(f"briefing_chart_{mark}") for mark in ("dashed", "gap") if mark in drawn)
    title_and_source(fig, title, source_text(), note=note)
    if not stacked:  # print: the house sizes are for phones; this one is read on paper at full width
        width_pt = fig.get_figwidth() * 72
        fig._suptitle.set_text(wrap_em(title, width_pt / 11 - 1))
        fig._suptitle.set_fontsize(11)
        fig._supxlabel.set_text("\n".join(wrap_em(line, width_pt / label_size - 1)
                                          for line in (note, chart_words("source", source=source_text()))))
        fig._supxlabel.set_fontsize(label_size)
    return fig

