"""The briefing (book/briefing.md, printed as its own two-page PDF): what its cells write, from the data.

Page 1 carries the key messages (szhk.front, shared with the front page) and one decisive chart; page 2 the author's five recommendations with who acts,
the key numbers with their verification status, the discrepancies the claims register finds, and where to read
more. Everything here returns Markdown (MyST) or a figure; the page only places them.

- The recommendations are the author's own lead sentences, read from chapter 06 (never retyped here), each with
  its concrete ask: parts of its paragraph quoted verbatim (checked at build time); only the actors are the
  editor's, and each says whether the article names them or the editor inferred them.
- On paper, links do nothing: key_messages_print and data_note_print say where in the book PDF to look instead
  (全书第二部分, 全书数字核验第 3 条); the web page keeps its links.
- The key numbers are rows of data/key_figures.csv; the discrepancies are the register's 不一致 entries.
"""
from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.legend_handler import HandlerTuple

from . import claims, deps, front, markdown, text
from .claims import DIFFERS, Result
from .data import data_dir, load, package
from .figures import (ARTICLE, COLOURS, MUTED, PUBLISHED, after_article_band, marker_style, rank_axis, swatches,
                      title_and_source, width, wrap_em, year_axis)

__all__ = [
    "BriefingError", "Actor", "RECOMMENDATION_ACTORS", "author_recommendations", "recommendations_markdown",
    "KEY_NUMBERS", "key_numbers_markdown", "discrepancies_markdown", "csv_link", "data_note",
    "book_part", "key_messages_print", "data_note_print", "RECOMMENDATION_ASKS", "recommendation_paragraphs",
    "rank_thresholds", "chart_title", "rank_figure",
]

RECOMMENDATIONS_CHAPTER = deps.root() / "book" / "06-recommendations.md"
INFERRED = "编者据原文推断"
STATED = "原文写明"


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
_SOURCES = re.compile(r"出处：\{ref\}`原文段落 <(?P<label>[^>]+)>`；\[[^\]]*\]\([^)]*\)。")
_REGISTER_REF = re.compile(r"\{ref\}`(数字核验第 \d+ 条) <[^>]+>`")


def book_part(label: str, book: Path | None = None) -> str:
    """Where in the book a MyST label stands, as a reader of the book PDF finds it: "第二部分" (the chapter titled
    二、…), or the chapter's title when it has no number (引言)."""
    book = book or deps.root() / "book"
    for chapter in sorted(book.glob("0*.md")):
        source = chapter.read_text(encoding="utf-8")
        if re.search(rf"^\({re.escape(label)}\)=$", source, re.MULTILINE):
            title = re.search(r"^# (.+)$", source, re.MULTILINE)
            if title is None:
                raise BriefingError(f"{chapter.name}: no title (a line “# …”)")
            number = re.match(r"([一二三四五六七八九十]+)、", title.group(1))
            return f"第{number.group(1)}部分" if number else title.group(1).strip()
    raise BriefingError(f"no chapter of the book defines the label ({label})=")


def key_messages_print(results: Sequence[Result]) -> str:
    """The key messages (szhk.front) for paper: "出处：原文段落；数据：…" becomes where the paragraph is in the
    book (出处：全书第二部分), and a register link names the book's register entry (全书数字核验第 3 条)."""
    web = front.key_messages_markdown(results)
    found = len(_SOURCES.findall(web))
    if found != len(front.KEY_MESSAGES):
        raise BriefingError(f"szhk.front.key_messages_markdown: {found} of {len(front.KEY_MESSAGES)} key messages "
                            "end with the expected 出处 links (szhk.briefing.key_messages_print)")
    paper = _SOURCES.sub(lambda m: f"出处：全书{book_part(m['label'])}。", web)
    return _REGISTER_REF.sub(lambda m: f"全书{m[1]}", paper)


def data_note_print(label: str) -> str:
    """The line under the chart on paper: where the book gives the ranks year by year (its 表 1, the article's
    Table 1, after the paragraph `label`), with their sources and checks."""
    return f"逐年名次、来源及核验：全书{book_part(label)}表 1。\n"


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


# Keyed by the author's lead sentence (chapter 06): a changed or missing sentence fails the build by name. A quote
# (parts around …… each verbatim) must stand in that recommendation's paragraph, or the build fails.
RECOMMENDATION_ACTORS: dict[str, tuple[Actor, ...]] = {
    "进一步完善深港合作的体制机制。": (
        Actor("深圳市政府", quote="深圳要进一步加强与香港的联系沟通"),
        Actor("香港特区政府", quote="协同两地政府提升施政效能"),
    ),
    "依托深圳口岸经济带和香港北部都会区打造“深港连片科技带”。": (
        Actor("深圳市政府", quote="建议市级层面加大支持力度"),
        # The article names the Northern Metropolis, not its government: who plans it on the Hong Kong side is inferred.
        Actor("香港特区政府", reason="“与香港北部都会区统筹谋划、共同发展”"),
        Actor("中央有关部门", reason="“纳入国家总体规划”"),
    ),
    "积极营造两地科创产业生态圈。": (
        Actor("香港特区政府", reason="“善用香港在大湾区的大学和科研机构”"),
        Actor("深圳市政府", reason="“在香港科技园和深圳设立……研发机构”"),
    ),
    "进一步优化“港企”在深投资经营环境。": (
        Actor("深圳市政府", reason="“在深投资经营环境”“优化深港口岸通关环境”"),
        Actor("香港特区政府", reason="“一地两检”与 24 小时通关须两地口岸同时实施"),
        Actor("海关总署", reason="“全面推广口岸“一地两检”模式，推动口岸 24 小时通关”"),
        Actor("中国人民银行", reason="“本外币一体化资金池业务试点”"),
        Actor("国家外汇管理局", reason="“便利企业统筹使用跨境资金”"),
    ),
    "打造深港先进制造业合作区。": (
        Actor("宝安区政府", quote="当前宝安区提出要加快推进深港先进制造业合作区规划建设"),
        Actor("深圳市政府", quote="深圳市可积极鼓励港资、港企、港人……优先入住"),
    ),
}

# The concrete ask of each recommendation, in the author's words: parts of its paragraph, each verbatim, joined
# with …… (never reworded; the build fails if a part is not in the paragraph).
RECOMMENDATION_ASKS: dict[str, tuple[str, ...]] = {
    "进一步完善深港合作的体制机制。": (
        "专门针对科技合作建立部门级制度化的协调机制", "探索设立港资企业服务中心",
        "组建高级别对应的深港科技合作顾问咨询委员会"),
    "依托深圳口岸经济带和香港北部都会区打造“深港连片科技带”。": (
        "推动“深港口岸经济带”纳入国家总体规划，与香港北部都会区统筹谋划",),
    "积极营造两地科创产业生态圈。": ("建立粤港澳大湾区的大型科研平台，创造更多科研职位",),
    "进一步优化“港企”在深投资经营环境。": (
        "开展本外币一体化资金池业务试点", "全面推广口岸“一地两检”模式，推动口岸 24 小时通关"),
    "打造深港先进制造业合作区。": ("规划建设深港制造业合作区，引导香港科研成果落地",),
}

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


def _actors_cell(actors: Sequence[Actor]) -> str:
    """"深圳市政府、香港特区政府（原文写明）", or with "（编者据原文推断）" after the inferred ones."""
    groups = [(STATED, [a.name for a in actors if a.quote]), (INFERRED, [a.name for a in actors if not a.quote])]
    return markdown.Markup("；".join(f"**{markdown.text('、'.join(names))}**（{markdown.text(why)}）"
                                     for why, names in groups if names))


def _check_quoted(chapter: Path, lead: str, paragraph: str, what: str, quote: str) -> None:
    for part in filter(None, quote.split("……")):
        if part not in paragraph:
            raise BriefingError(f"{chapter.name}, recommendation “{lead}”: {what} quotes “{part}”, which its "
                                "paragraph does not contain (szhk.briefing)")


def recommendations_markdown(chapter: Path = RECOMMENDATIONS_CHAPTER) -> str:
    """The five recommendations, each its lead sentence and its concrete ask (both the author's words, the ask
    quoted and shortened with ……), and who acts on each."""
    paragraphs = recommendation_paragraphs(chapter)
    leads = list(paragraphs)
    for table, name in ((RECOMMENDATION_ACTORS, "RECOMMENDATION_ACTORS"), (RECOMMENDATION_ASKS, "RECOMMENDATION_ASKS")):
        unknown = [lead for lead in leads if lead not in table]
        missing = [lead for lead in table if lead not in leads]
        if unknown or missing:
            raise BriefingError(f"{chapter.name}: the briefing has recommendations {missing} that the chapter does "
                                f"not have, and none for {unknown} (szhk.briefing.{name})")
    rows = []
    for number, lead in enumerate(leads, 1):
        ask = "……".join(RECOMMENDATION_ASKS[lead])
        _check_quoted(chapter, lead, paragraphs[lead], "the ask", ask)
        for actor in RECOMMENDATION_ACTORS[lead]:
            _check_quoted(chapter, lead, paragraphs[lead], actor.name, actor.quote)
        # Quotation marks inside the quote become single ones (‘一地两检’), as Chinese nests them.
        quoted = "“" + ask.replace("“", "‘").replace("”", "’") + "”"
        cell = markdown.Markup(f"**{markdown.text(f'{number}. {lead}')}**\n\n{markdown.text(quoted)}")
        rows.append([cell, _actors_cell(RECOMMENDATION_ACTORS[lead])])
    return markdown.list_table(["建议及具体主张（作者原文）", "行动方"], rows, widths=[68, 32])


# ----------------------------------------------------------------------------------------------------------------
# Key numbers and the discrepancies found
# ----------------------------------------------------------------------------------------------------------------
KEY_NUMBERS = (  # figure_id in data/key_figures.csv (or series_key_numbers), in the article's order
    "northern_metropolis_area", "gii_cluster_rank_2021", "hk_startups_2021", "innovation_spending_5y",
    "itf_projects_approved", "itf_funding_approved", "itvf_size", "fintech_ecosystem_rank_2020", "virtual_banks",
    "hetao_projects", "qianhai_institutional_innovations",
)
# data/key_figures.csv `verification` → the register's words (szhk.claims statuses); an unconfirmed figure takes
# the register's status for its row (未找到来源 when searched, 待核 when not)
CHECKED = {"match": claims.CONSISTENT, "match (secondary)": f"{claims.CONSISTENT}（二手来源）"}


def as_written(value: float, unit: str, qualifier: object) -> str:
    """The number as the article writes it (szhk.text): 约 3.4 万个, 超过 1500 亿港元, 100 余家; ranks as 第 2 名."""
    return f"第 {value:g} 名" if unit == "名" else text.as_written(value, unit, qualifier)


def series_key_numbers() -> pd.DataFrame:
    """Two key numbers are one year of a series and live only in that series' file (one fact, one place): the
    cluster's rank (gii_cluster_ranks) and the start-ups (hk_startups), each from the article's row (in_article)."""
    cluster = load("gii_cluster_ranks").query("in_article").iloc[0]
    startups = load("hk_startups").query("in_article").iloc[0]
    return pd.DataFrame([
        {"figure_id": "gii_cluster_rank_2021", "quantity_zh": "广深港科技集群在全球创新指数中的名次",
         "value_article": cluster.rank_article, "unit": "名", "qualifier": pd.NA, "year": cluster.year,
         "value_published": cluster.rank_published, "qualifier_published": pd.NA, "verification": cluster.verification},
        {"figure_id": "hk_startups_2021", "quantity_zh": "香港初创企业数目",
         "value_article": startups.startups_article, "unit": "家", "qualifier": startups.qualifier,
         "year": startups.survey_year, "value_published": startups.startups_published, "qualifier_published": pd.NA,
         "verification": startups.verification},
    ]).set_index("figure_id")


def key_numbers_markdown(names: Sequence[str] = KEY_NUMBERS, results: Sequence[Result] | None = None) -> str:
    """指标 | 文章所写 | 核验: the article's key numbers and what checking them found (`results`: the register,
    read when not given)."""
    unsourced = claims.status_by_row(claims.register() if results is None else results)
    figures = pd.concat([load("key_figures").set_index("figure_id"), series_key_numbers()])
    unknown = [name for name in names if name not in figures.index]
    if unknown:
        raise BriefingError(f"data/key_figures.csv has no figure_id {unknown} (szhk.briefing.KEY_NUMBERS)")
    rows = []
    for name in names:
        row = figures.loc[name]
        if row.verification == "differs":
            checked = markdown.Markup(f"**{claims.DIFFERS}**：" + markdown.text(
                "来源为 " + as_written(row.value_published, row.unit, row.qualifier_published)))
        elif row.verification in CHECKED:
            checked = CHECKED[row.verification]
        elif row.verification == "unconfirmed":
            checked = unsourced.get(("key_figures", name), claims.PENDING)
        else:
            raise BriefingError(f"data/key_figures.csv, figure_id {name}, column verification: "
                                f"unknown mark {row.verification!r}")
        label = row.quantity_zh
        if not pd.isna(row.year) and str(int(row.year)) not in label:
            label = f"{label}（{int(row.year)} 年）"
        rows.append([label, as_written(row.value_article, row.unit, row.qualifier), checked])
    return markdown.list_table(["指标", "文章所写", "核验"], rows, widths=[56, 20, 24])


def discrepancies_markdown(results: Sequence[Result]) -> str:
    """The register's tally in one sentence, then its 不一致 entries: what, the article's value, the source's."""
    counts = claims.status_counts(results)
    wrong = [r for r in results if r.status == DIFFERS]
    # one line on the printed page: the register's categories, those no claim has left out
    tally = "，".join(f"{counts[status]} 处{status}" for status in claims.STATUSES if counts[status])
    lead = f"文章的 {len(results)} 处数字、名次和比较中：{tally}。"
    if not wrong:
        return lead + "\n"
    rows = [[r.claim.statement, r.article_value, r.published_value] for r in wrong]
    return lead + "\n\n" + markdown.list_table(["不一致之处", "文章", "公开来源"], rows, widths=[50, 16, 34])


# ----------------------------------------------------------------------------------------------------------------
# The decisive chart: Hong Kong and the mainland in the two rankings of the article's Table 1
# ----------------------------------------------------------------------------------------------------------------
RANKINGS = (("gii_ranks", "全球创新指数"), ("imd_digital_ranks", "世界数字竞争力排名"))
HK, MAINLAND = "中国香港", "中国"  # economy_zh as the data write them
MAINLAND_SHOWN = "中国内地"         # as the briefing's titles and legend name it


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
        lead_years = "各版" if since == int(wide.index.min()) else f"自 {since} 年起"
        parts.append(f"{short}{name[lead]}{lead_years}领先（第 {wide.loc[latest, lead]:g} 名对{name[other]}第 "
                     f"{wide.loc[latest, other]:g} 名）")
        years.append(latest)
    return (f"{years[0]} 年" + "，".join(parts) if len(set(years)) == 1 else
            "，".join(f"{y} 年{p}" for y, p in zip(years, parts)))


def _panel(ax: Axes, ranks: pd.DataFrame, title: str, threshold: int, label_size: float) -> None:
    frame = _shown(ranks)
    for economy in (HK, MAINLAND):
        rows = frame[frame["economy_zh"] == economy].sort_values("year")
        colour = COLOURS[economy]
        ax.plot(rows["year"], rows["rank_shown"], color=colour, linewidth=2, zorder=2)
        checked = rows[rows["rank_published"].notna()]
        ax.plot(checked["year"], checked["rank_published"], linestyle="none", zorder=3,
                **marker_style(PUBLISHED, colour))
        # The article's rank, hollow: where no published rank was found, or where it differs (the book's rule).
        said = rows[rows["rank_article"].notna()]
        own = said[said["rank_published"].isna() | (said["rank_published"] != said["rank_article"])]
        ax.plot(own["year"], own["rank_article"], linestyle="none", zorder=3, **marker_style(ARTICLE, colour))
        for r in said[said["rank_published"].notna() & (said["rank_published"] != said["rank_article"])].itertuples():
            ax.annotate(f"文章：{r.rank_article:g}", (r.year, r.rank_article),
                        xytext=(8, 0), textcoords="offset points", ha="left", va="center", fontsize=label_size,
                        color=colour)
        last = rows.iloc[-1]
        ax.annotate(economy if economy == HK else MAINLAND_SHOWN, (last["year"], last["rank_shown"]),
                    xytext=(7, 0), textcoords="offset points", ha="left", va="center", fontsize=label_size,
                    color=colour, fontweight="bold")
    worst = int(max(frame["rank_shown"].max(), frame["rank_article"].max()))
    rank_axis(ax, worst + 3)
    # The text's threshold; the note under the chart names it (a label on the line would cover later ranks).
    ax.axhline(threshold + 0.5, color=MUTED, linestyle="--", linewidth=1.2, zorder=1)
    year_axis(ax, frame["year"])
    ax.set_xlim(frame["year"].min() - 0.3, frame["year"].max() + 1.5)  # room for the economy names
    later = frame.loc[frame["rank_article"].isna(), "year"]
    if len(later):  # editions after the article's: published ranks, in the band the book's charts use
        after_article_band(ax, later.min() - 0.5, frame["year"].max() + 1.5, label_at="bottom")
    if frame["year"].nunique() > 7:
        ax.tick_params(axis="x", rotation=90)
    ax.set_title(title, fontsize=label_size + 1)
    ax.tick_params(labelsize=label_size)
    ax.yaxis.label.set_size(label_size)


def editions(name: str) -> pd.DataFrame:
    """Every edition of a ranking the data hold: the article's Table 1 and the later ones (表 1 续)."""
    return load(name)


SOURCE = "世界知识产权组织等《全球创新指数》；瑞士洛桑国际管理发展学院（IMD）《世界数字竞争力排名》；文章表 1"


def source_text() -> str:
    """The chart's source in words, with the editions drawn (the web page gives it under the chart)."""
    years = pd.concat([editions(name)["year"] for name, _ in RANKINGS])
    return f"{SOURCE}（{years.min()}—{years.max()} 年各版）"


def rank_figure(*, stacked: bool = False, results: Sequence[Result] | None = None) -> Figure:
    """Hong Kong and the mainland in the two rankings of the article's Table 1, published ranks filled and the
    article's hollow where they differ or none was found, the text's thresholds dashed, the conclusion as its
    title and the source below. Side by side at the briefing's full print width (9 pt labels, print only);
    `stacked` (one above the other, 4.4 in wide, 11 pt labels) for the web page, read on phones too."""
    thresholds = rank_thresholds(results)
    label_size = 11 if stacked else 9
    fig, axes = plt.subplots(2 if stacked else 1, 1 if stacked else 2,
                             figsize=(width(), 7.0) if stacked else (6.8, 3.6))
    for ax, (name, title) in zip(axes, RANKINGS):
        _panel(ax, editions(name), title, thresholds[name], label_size)
    if not stacked:
        axes[1].set_ylabel("")
    # The legend's swatches in both economies' colours, as the marks are; above the panels, under the title.
    colours = [COLOURS[HK], COLOURS[MAINLAND]]
    key = [swatches("已发表名次", colours), swatches("文章所写（未核得或与来源不同）", colours, kind=ARTICLE)]
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
    note = "虚线：文章所说的" + "、".join(f"{zh}前 {thresholds[name]} 名" for name, zh in RANKINGS) + "。灰底：文章发表后的版次。"
    title_and_source(fig, title, source_text(), note=note)
    if not stacked:  # print: the house sizes are for phones; this one is read on paper at full width
        width_pt = fig.get_figwidth() * 72
        fig._suptitle.set_text(wrap_em(title, width_pt / 11 - 1))
        fig._suptitle.set_fontsize(11)
        fig._supxlabel.set_text("\n".join(wrap_em(line, width_pt / label_size - 1)
                                          for line in (note, f"来源：{source_text()}")))
        fig._supxlabel.set_fontsize(label_size)
    return fig

