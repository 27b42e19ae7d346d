"""The briefings (book/briefing.md in Chinese, book/briefing-en.md in English, each printed as its own two-page PDF)
and the English page (book/en.md): what their cells write, from the data.

Page 1 carries the key messages (szhk.front, shared with the front page) and one decisive chart; page 2 the author's
five recommendations with who acts and what has happened since, the key numbers with their latest values and
verification, the material discrepancies, and where to read more. Everything here returns Markdown (MyST) or a
figure; the page only places them. Every word is data: the templates of data/briefing_phrases.csv (`lang` picks
the Chinese or the English one), the editor's summaries and translations in the data files.

- The recommendations are the author's own lead sentences, read from chapter 06 (never retyped here), each with
  its concrete ask: parts of its paragraph quoted verbatim (checked at build time); only the actors are the
  editor's, and each says whether the article names them or the editor inferred them. In English the article is
  not translated: a recommendation is the editor's one-line summary (ask_line_en).
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
from decimal import Decimal
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.legend_handler import HandlerTuple

from . import claims, deps, front, markdown, phrases, text
from .claims import DIFFERS, Result
from .data import data_dir, labels, load, package
from .figures import (ARTICLE, COLOURS, MUTED, PUBLISHED, RANK_LABEL, TITLE_SIZE, WORDS, after_article_band,
                      display_name, marker_style, rank_axis, swatches, title_and_source, width, wrap_em, year_axis)

__all__ = [
    "BriefingError", "Actor", "Recommendation", "recommendations", "author_recommendations", "recommendations_markdown",
    "asks_markdown", "Event", "events", "events_note", "Status", "statuses", "status_of", "status_definitions",
    "status_legend",
    "word", "term",
    "KEY_NUMBERS", "key_numbers_markdown", "checks_tally", "discrepancies_markdown", "csv_link", "data_note",
    "key_messages_print", "recommendation_paragraphs", "material_discrepancies", "headline", "status_counts",
    "status_summary", "rank_thresholds", "chart_title", "chart_findings", "rank_figure", "data_note_print",
]

RECOMMENDATIONS_CHAPTER = deps.root() / "book" / "06-recommendations.md"
CHAPTER_LABEL = "06-recommendations"  # the chapter's MyST label (its heading's target)
PHONE_FIT = "szhk-phone-fit"  # the briefing's tables: on a phone they fit the screen, no sideways scrolling (szhk.css)
AUTHOR_ROLE = "szhk-author"  # the role (szhk_sphinx.hant) marking the author's words on the briefing's pages
KEY_NUMBERS_TABLE = "szhk-key-numbers"  # on a phone each row is a block: its name, then the three values (szhk.css)
WORDS_FILE = phrases.BRIEFING


class BriefingError(ValueError):
    """The briefing cannot be written from the sources (the message names what is missing)."""


# Data text reaches the page through szhk.markdown (the book's one escaper and table writer); what this module
# writes as markup on purpose (bold actors, links) is a markdown.Markup built from escaped parts.
def word(phrase_id: str, lang: str = "zh", **values: object) -> markdown.Markup:
    """A template of data/briefing_phrases.csv as MyST, its placeholders filled."""
    return phrases.md(WORDS_FILE, phrase_id, lang, **values)


def plain_word(phrase_id: str, lang: str = "zh", **values: object) -> str:
    return phrases.plain(WORDS_FILE, phrase_id, lang, **values)


def term(kind: str, code: str, lang: str = "zh") -> str:
    """How the page names a code of the data in `lang` (data/briefing_phrases.csv: the row whose phrase_id starts
    with `kind`_ and whose term is `code`: a unit, a qualifier, a verification mark, a ranking, an economy)."""
    return phrases.term(WORDS_FILE, kind, code, lang, load)


def _scale(kind: str, code: str) -> float:
    frame = load(WORDS_FILE)
    rows = frame[frame["phrase_id"].str.startswith(f"{kind}_") & (frame["term"] == code)]
    return float(rows["scale"].iloc[0]) if len(rows) and not pd.isna(rows["scale"].iloc[0]) else 1.0


def csv_link(name: str, page_dir: Path | None = None) -> str:
    """A download link (a Markdown link to the file) to a data resource's CSV, relative to the briefing's folder (book/)."""
    paths = {r["name"]: r["path"] for r in package()["resources"]}
    if name not in paths:
        raise BriefingError(f"datapackage.json has no resource {name!r}")
    page_dir = page_dir or deps.root() / "book"
    return markdown.link(paths[name], os.path.relpath(data_dir() / paths[name], page_dir))


def data_note(resources: Sequence[str], lang: str = "zh") -> str:
    """The line under the web chart: the CSVs it was drawn from, to download (its source and note are in the chart)."""
    files = phrases.join(WORDS_FILE, "sep_list", lang, [csv_link(name) for name in resources])
    return word("data_note", lang, files=files)


# The book PDF's pages the printed chart's line leads to (LaTeX labels, docname:label, as szhkprint.sty's 延伸阅读).
BOOK_PAGES = {"table_page": "book/02-hk-innovation:para-02-table-1", "data_page": "book/data-appendix:data-appendix"}


def data_note_print(lang: str = "zh") -> markdown.Markup:
    """The line under the printed chart, where the web page links its data: on which pages of the book PDF the
    ranks by year and the data to download are (a link or a file name does nothing on paper; the source is in the
    chart). The page numbers are the book's, read from its .aux by the `bookpage` role (szhk_sphinx.pdf), as the
    briefing's 延伸阅读 line reads them."""
    pages = {key: word("chart_page", lang, page=markdown.Markup(f"{{bookpage}}`{label}`"))
             for key, label in BOOK_PAGES.items()}
    return word("chart_data_print", lang, **pages)


# ----------------------------------------------------------------------------------------------------------------
# Paper: the web page's links (原文段落, 数据：…, 下载数据) do nothing in the printed briefing
# ----------------------------------------------------------------------------------------------------------------
def key_messages_print(lang: str = "zh") -> str:
    """The key messages with figures (szhk.front, shared with the front page; the asks follow on their own) for
    paper: the sentences alone, without the web page's links, which do nothing on paper; page 2 says where to
    read more."""
    return front.key_messages_markdown(links=False, figures_only=True, lang=lang)


def status_counts(found: Sequence[Event] | None = None) -> list[tuple[Status, int]]:
    """How many recommendations have each status, in the categories' order (data/recommendation_statuses.csv),
    only those some recommendation has."""
    checked = statuses(found)
    counted = [(s, sum(c.code == s.code for c in checked.values())) for s in status_definitions()]
    return [(s, n) for s, n in counted if n]


def headline(lang: str = "zh", found: Sequence[Event] | None = None) -> str:
    """The briefing's headline, the state of play as of the data's cut-off date: how many of the recommendations have
    each status, then the main message of data/key_messages.csv (section headline: the latest ranks, and a dip since
    the article)."""
    counts = status_counts(found)
    ranks = markdown.Markup(front.headline(lang=lang))
    as_of = text.date(front.data_cut_off(), lang)  # how current the state of play is: the edition line's 数据截至
    if len(counts) == 1:  # "5 条建议均为…", not "5 条建议中 5 条…"
        (status, n), = counts
        return word("headline_all_one_status", lang, total=n, label=status.label(lang), ranks=ranks, date=as_of)
    parts = [plain_word("headline_status_count", lang, n=n, label=s.label(lang)) for s, n in counts]
    return word("headline", lang, total=sum(n for _, n in counts), date=as_of,
                counts=phrases.plain_join(WORDS_FILE, "sep_list", lang, parts), ranks=ranks)


def status_summary(lang: str = "zh", found: Sequence[Event] | None = None) -> str:
    """文章发表以来's sentence on the recommendations (the front page): how many have each status, as the headline
    counts them, the date of the latest development recorded, and a link to chapter 06's notes (MyST)."""
    found = events() if found is None else found
    counts = status_counts(found)
    link = markdown.Markup(f"{{ref}}`{re.sub(r'[`<>]', '', plain_word('since_status_link', lang))} <{CHAPTER_LABEL}>`")
    latest = max((e.date for e in found), default="")
    date = text.date(latest, lang) if latest else ""
    kind = "since_status_dated" if latest else "since_status_undated"
    if len(counts) == 1:
        (status, n), = counts
        counted = plain_word("since_status_all_one", lang, total=n, label=status.label(lang))
    else:
        parts = [plain_word("headline_status_count", lang, n=n, label=s.label(lang)) for s, n in counts]
        counted = plain_word("since_status_counts", lang, total=sum(n for _, n in counts),
                             counts=phrases.plain_join(WORDS_FILE, "sep_list", lang, parts))
    return word(kind, lang, counted=counted, date=date, link=link) + "\n"


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
    name_en: str = ""


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

    def ask_line(self, lang: str) -> str:
        return self.ask_line_en if lang == "en" else self.ask_line_zh


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
            mine.append(Actor(_text(actor["actor_zh"]), quote, reason, _text(actor.get("actor_en"))))
        out.append(Recommendation(number, lead, _text(row["ask_zh"]), _text(row["ask_line_zh"]),
                                  _text(row["ask_line_en"]), _text(row["paragraph"]), tuple(mine)))
    missing = [lead for lead in leads if lead not in {r.lead for r in out}]
    if missing:
        raise _data_error("recommendations", len(rows) + 2, "lead_zh", f"第六部分的建议 {missing} 在本表中没有一行")
    return out


def _actors_cell(actors: Sequence[Actor], lang: str) -> str:
    """The actors the article names (bold), then those the editor inferred, each group with who says so."""
    groups = [("actors_stated", [a for a in actors if a.quote]), ("actors_inferred", [a for a in actors if not a.quote])]
    cells = []
    for why, group in groups:
        if not group:
            continue
        if lang == "en" and any(not a.name_en for a in group):
            raise BriefingError("data/recommendation_actors.csv, column actor_en: no English name for "
                                f"{[a.name for a in group if not a.name_en]}")
        names = phrases.plain_join(WORDS_FILE, "sep_list", lang, [a.name_en if lang == "en" else a.name for a in group])
        cells.append(word("actors_group", lang, names=markdown.Markup(f"**{markdown.text(names)}**"),
                          why=plain_word(why, lang)))
    return phrases.join(WORDS_FILE, "sep_group", lang, cells)


def asks_markdown(recs: Sequence[Recommendation] | None = None, lang: str = "zh") -> str:
    """Page 1: the five asks, one line each (the editor's summary, numbered as in chapter 06)."""
    recs = recommendations() if recs is None else recs
    return "\n".join(f"{r.number}. {markdown.text(r.ask_line(lang))}" for r in recs) + "\n"


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
    carries_out_ask: bool = False  # the event carries out one of the recommendation's asks (not only a related step)
    short_zh: str = ""  # the one line print gives (event_short_zh: the event's own words, shortened)
    short_en: str = ""
    line: int = 0       # its line in the file (the header is line 1), for errors

    def text(self, lang: str) -> str:
        return self.event_en if lang == "en" else self.event_zh

    def short(self, lang: str) -> str:
        """The one line print gives; BriefingError naming file, row and column when the data have none."""
        found = self.short_en if lang == "en" else self.short_zh
        if not found:
            raise _data_error(EVENTS, self.line, f"event_short_{lang}", "印刷版简报印出每条建议最新一项进展的一行概括，"
                                                                        "这一行没有（由同一行的 event_zh/event_en 缩写）")
        return found


def events(load: Callable[[str], pd.DataFrame] = load) -> list[Event]:
    """The recommendations' dated developments, oldest first. A row without a source, or with a date that is not
    YYYY-MM[-DD], never reaches here: the package's schema for the file (required source_id, a foreign key into
    sources, a date pattern) stops the build at loading, naming file, row and column."""
    frame = load(EVENTS)
    out = [Event(int(row["recommendation"]), _text(row["date"]), _text(row["event_zh"]), _text(row.get("event_en")),
                 _text(row["source_id"]), _text(row.get("carries_out_ask")).lower() in ("true", "1"),
                 _text(row.get("event_short_zh")), _text(row.get("event_short_en")), i + 2)
           for i, (_, row) in enumerate(frame.iterrows())]
    return sorted(out, key=lambda e: (e.recommendation, e.date))


# ----------------------------------------------------------------------------------------------------------------
# Each recommendation's status since the article: the editor's call (recommendations.csv, column status), one of
# the categories of data/recommendation_statuses.csv, checked against the events: a status claiming progress
# needs the events its category `requires`, and "none found" allows none.
# ----------------------------------------------------------------------------------------------------------------
STATUSES = "recommendation_statuses"


@dataclass(frozen=True)
class Status:
    """A recommendation's status: its category's code, names and definition, and the editor's one-line reason."""

    code: str
    label_zh: str
    label_en: str
    definition_zh: str
    definition_en: str
    requires: str
    reason_zh: str = ""
    reason_en: str = ""

    def label(self, lang: str = "zh") -> str:
        return self.label_en if lang == "en" else self.label_zh

    def definition(self, lang: str = "zh") -> str:
        return self.definition_en if lang == "en" else self.definition_zh

    def reason(self, lang: str = "zh") -> str:
        return self.reason_en if lang == "en" else self.reason_zh


# What each `requires` of data/recommendation_statuses.csv asks of a recommendation's events: given how many events
# it has and how many of them carry out an ask, whether the status holds.
REQUIREMENTS: dict[str, Callable[[int, int], bool]] = {
    "an_event_carrying_out_an_ask": lambda events, carrying: carrying >= 1,
    "an_event": lambda events, carrying: events >= 1,
    "no_event": lambda events, carrying: events == 0,
}


def status_definitions(load: Callable[[str], pd.DataFrame] = load) -> list[Status]:
    """The categories, in the file's order (data/recommendation_statuses.csv)."""
    frame = load(STATUSES).reset_index(drop=True)
    out = []
    for i, row in frame.iterrows():
        if _text(row["requires"]) not in REQUIREMENTS:
            raise _data_error(STATUSES, i + 2, "requires", f"“{_text(row['requires'])}”不是已知的要求"
                                                          f"（{'、'.join(REQUIREMENTS)}）")
        out.append(Status(*(_text(row[c]) for c in ("status", "label_zh", "label_en", "definition_zh",
                                                     "definition_en", "requires"))))
    return out


def statuses(found: Sequence[Event] | None = None, load: Callable[[str], pd.DataFrame] = load) -> dict[int, Status]:
    """Each recommendation's status (data/recommendations.csv, column status), checked against `found` (the
    events; read when not given): a status whose category requires events the recommendation does not have (or a
    "none found" with events) fails, naming file, row and column."""
    found = events(load) if found is None else found
    categories = {s.code: s for s in status_definitions(load)}
    out = {}
    for i, row in load("recommendations").reset_index(drop=True).iterrows():
        number, code = int(row["recommendation"]), _text(row.get("status"))
        if code not in categories:
            raise _data_error("recommendations", i + 2, "status", f"“{code}”不是 data/{STATUSES}.csv 中的状态"
                                                                  f"（{'、'.join(categories)}）")
        category = categories[code]
        mine = [e for e in found if e.recommendation == number]
        carrying = sum(e.carries_out_ask for e in mine)
        if not REQUIREMENTS[category.requires](len(mine), carrying):
            raise _data_error("recommendations", i + 2, "status",
                              f"第 {number} 条建议标为“{category.label_zh}”（data/{STATUSES}.csv：requires = "
                              f"{category.requires}），但 data/{EVENTS}.csv 中该建议有 {len(mine)} 项进展，其中 "
                              f"{carrying} 项 carries_out_ask 为 true")
        out[number] = Status(**{**category.__dict__, "reason_zh": _text(row.get("status_reason_zh")),
                                "reason_en": _text(row.get("status_reason_en"))})
    return out


def status_of(number: int, found: Sequence[Event] | None = None) -> Status:
    """One recommendation's checked status."""
    return statuses(found)[number]


def status_legend(lang: str = "zh") -> str:
    """The categories defined once, one sentence: the name in bold and its definition (data/briefing_phrases.csv)."""
    parts = [word("status_definition", lang, label=markdown.Markup(f"**{markdown.text(s.label(lang))}**"),
                  definition=s.definition(lang)) for s in status_definitions()]
    return word("status_legend", lang, categories=markdown.Markup(phrases.join(WORDS_FILE, "sep_group", lang, parts))) + "\n"


def events_note(number: int, found: Sequence[Event], *, lead: str, none: str, status: str = "") -> str:
    """The editor's note under recommendation `number` in chapter 06: `status` (its status line, when given), then
    `lead` and its events with date and citation, or `none` when there are none (the sentences are the chapter's
    words)."""
    mine = [e for e in found if e.recommendation == number]
    head = f"{status}\n\n" if status else ""
    if not mine:
        return f"{head}{lead}{none}\n"
    items = "\n".join(f"- {text.date(e.date)}：{markdown.text(e.event_zh)}{{cite}}`{e.source_id}`" for e in mine)
    return f"{head}{lead}\n\n{items}\n"


def _status_cell(mine: Sequence[Event], status: Status, lang: str, short: bool = False) -> str:
    """What has happened since 2022: the status in bold, then the latest development with its date (the others are
    under the recommendation in chapter 06); `short` (paper, where page 2 has no room for the events' words): the
    status, how many developments and the date of the latest."""
    label = markdown.Markup(f"**{markdown.text(status.label(lang))}**")
    if not mine:
        return word("status_cell", lang, label=label, events=word("status_none", lang))
    if short:
        values = dict(label=label, date=text.date(mine[-1].date, lang), event=mine[-1].short(lang), count=len(mine))
        return word("status_cell_short_one" if len(mine) == 1 else "status_cell_short", lang, **values)
    latest = mine[-1]
    if lang == "en" and not latest.event_en:
        raise BriefingError(f"data/{EVENTS}.csv, recommendation {latest.recommendation}, {latest.date}, column "
                            "event_en: no English text")
    values = dict(date=text.date(latest.date, lang), event=latest.text(lang), count=len(mine))
    return word("status_cell", lang, label=label,
                events=word("status_latest" if len(mine) == 1 else "status_count_latest", lang, **values))


def recommendations_markdown(found: Sequence[Event] | None = None, *, lang: str = "zh",
                             chapter: Path = RECOMMENDATIONS_CHAPTER, short: bool = False) -> str:
    """Page 2: each recommendation (in Chinese the author's lead sentence, in English the editor's one-line
    summary) and who acts; with `found` (the events), also its status and what has happened since 2022: the latest
    development with its date (`short`, on paper: how many and the latest's date)."""
    rows = []
    checked = statuses(found) if found is not None else {}
    for rec in recommendations(chapter):
        # the author's lead as written ({szhk-author}: the HK edition keeps its quotation marks), or the editor's line
        what = markdown.Markup(f"{{{AUTHOR_ROLE}}}`{rec.lead}`") if lang == "zh" else markdown.text(rec.ask_line_en)
        row = [markdown.Markup(f"**{markdown.text(f'{rec.number}. ')}{what}**"), _actors_cell(rec.actors, lang)]
        if found is not None:
            row.append(markdown.Markup(_status_cell([e for e in found if e.recommendation == rec.number],
                                                    checked[rec.number], lang, short)))
        rows.append(row)
    headers = [plain_word("recs_header_recommendation", lang), plain_word("recs_header_actors", lang)]
    if found is not None:
        headers.append(plain_word("recs_header_status", lang, date=text.date(front.data_cut_off(), lang)))
    widths = ([25, 28, 47] if lang == "zh" else [30, 24, 46]) if found is not None else [55, 45]
    if found is not None and short:  # the status column holds one line of the latest event
        widths = [26, 32, 42] if lang == "zh" else [33, 35, 32]
    return markdown.list_table(headers, rows, widths=widths, css_class=PHONE_FIT)


# ----------------------------------------------------------------------------------------------------------------
# Key numbers and the discrepancies found
# ----------------------------------------------------------------------------------------------------------------
# The rows of the key numbers, in the article's order: a continuing series as "message_id:placeholder" (a sentence
# of 文章发表以来 in data/key_messages.csv and the row it follows), else a figure_id of data/key_figures.csv (or of
# series_key_numbers).
KEY_NUMBERS = (
    "since-gii:hk", "since-digital:hk", "since-qs:hku", "hk_startups_2021", "since-cluster:c", "since-rd:hk",
    "itf_funding_approved",
)


def _decimals(value: float) -> int:
    return max(0, -Decimal(str(float(value))).normalize().as_tuple().exponent)


def _rounded(value: float, like: float) -> float:
    """A later value for a brief, to the precision of the article's (404.084 next to 295 → 404): the data keep the
    exact figure, the register shows it."""
    return round(float(value), _decimals(like))


def as_written(value: float, unit: str, qualifier: object, lang: str = "zh") -> str:
    """The number as the article writes it (szhk.text): 约 3.4 万个, 超过 1500 亿港元, 100 余家; ranks as 第 2 名. In
    English with the unit's and the qualifier's English words (data/briefing_phrases.csv: HK$150 billion)."""
    if unit == _series_unit("gii_cluster_ranks", "rank_article"):  # a rank: the data's unit of ranks
        return plain_word("rank", lang, n=f"{value:g}")
    if lang == "zh":
        return text.as_written(value, unit, qualifier)
    shown = f"{float(value) * _scale('unit', unit):,.10g}"
    shown = term("unit", unit, lang).format(n=shown)
    return term("qualifier", str(qualifier), lang).format(n=shown) if _text(qualifier) else shown


def _latest(frame: pd.DataFrame, year: str, value: str) -> pd.Series:
    """The row with the latest published value of a series."""
    return frame.dropna(subset=[value]).sort_values(year).iloc[-1]


def _series_name(frame: pd.DataFrame) -> str:
    """A series' name for a table row: its dataset title (datapackage.json) without its closing bracket."""
    return re.sub(r"（[^）]*）$", "", str(frame.attrs.get("title", "")))


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
         "value_article": cluster.rank_article, "unit": _series_unit("gii_cluster_ranks", "rank_article"), "qualifier": pd.NA, "year": cluster.year,
         "value_published": cluster.rank_published, "qualifier_published": pd.NA, "verification": cluster.verification,
         "latest_value": cluster_now.rank_published, "latest_year": cluster_now.year},
        {"figure_id": "hk_startups_2021", "quantity_zh": _series_name(surveys),
         "value_article": startups.startups_article, "unit": _series_unit("hk_startups", "startups_article"),
         "qualifier": startups.qualifier, "year": startups.survey_year, "value_published": startups.startups_published,
         "qualifier_published": pd.NA, "verification": startups.verification,
         "latest_value": startups_now.startups_published, "latest_year": startups_now.survey_year},
    ]).set_index("figure_id")


def _series_unit(resource: str, field: str) -> str:
    """A field's unit as datapackage.json declares it (the data's own word, 家)."""
    for item in package()["resources"]:
        if item.get("name") == resource:
            for spec in item.get("schema", {}).get("fields", []):
                if spec.get("name") == field and spec.get("unit"):
                    return str(spec["unit"])
    raise BriefingError(f"datapackage.json: resource {resource}, field {field} declares no unit")


def _checked(row: pd.Series, name: str, unsourced: dict, lang: str) -> str:
    """What checking found, as the page names it: data/labels.csv in Chinese, data/briefing_phrases.csv in English;
    a differing figure with the source's number (不一致（来源 3755）); an unconfirmed figure takes the register's
    status for its row (未找到来源 when searched, 待核 when not)."""
    marks = labels("verification")  # data/labels.csv: the book's names of the verification marks
    if row.verification not in marks:
        raise BriefingError(f"data/key_figures.csv, figure_id {name}, column verification: "
                            f"unknown mark {row.verification!r}")
    if row.verification == "unconfirmed":
        status = unsourced.get(("key_figures", name), claims.PENDING)
        return markdown.text(term("status", status, lang))
    shown = marks[row.verification] if lang == "zh" else term("verification", row.verification, lang)
    if row.verification != "differs":
        return markdown.text(shown)
    if pd.notna(row.value_published):  # what the source says, beside the mark: the difference at a glance
        # the number alone (the article's column beside it gives the unit): the cell stays one short line
        source = text.number(Decimal(str(_rounded(row.value_published, row.value_article))), lang)
        shown = plain_word("checked_differs", lang, label=shown, value=source)
    return markdown.Markup(f"**{markdown.text(shown)}**")


def key_numbers_markdown(names: Sequence[str] = KEY_NUMBERS, *, lang: str = "zh",
                         results: Sequence[Result] | None = None) -> str:
    """The article's key numbers: what it wrote, the latest published value with its year (a series' latest
    edition; for a single figure the published value and the date it is as of), rounded to the article's precision,
    and what checking found (`results`: the register, read when not given)."""
    unsourced = claims.status_by_row(claims.register() if results is None else results)
    figures = load("key_figures").set_index("figure_id")
    figures["latest_value"] = figures["value_published"]
    figures["latest_year"] = figures["published_as_of"].astype("string").str[:4]
    figures = pd.concat([figures, series_key_numbers()])
    unknown = [name for name in names if ":" not in name and name not in figures.index]
    if unknown:
        raise BriefingError(f"data/key_figures.csv has no figure_id {unknown} (szhk.briefing.KEY_NUMBERS)")
    rows = []
    for name in names:
        if ":" in name:
            rows.append(_series_numbers(name, lang))
            continue
        row = figures.loc[name]
        quantity = row.quantity_zh if lang == "zh" else plain_word(f"quantity_{name}", lang)
        year = "" if pd.isna(row.year) else str(int(row.year))
        label = quantity if not year or year in quantity else plain_word("quantity_year", lang, quantity=quantity,
                                                                         year=year)
        if pd.isna(row.latest_value):
            latest = plain_word("latest_none", lang)
        else:
            # The published qualifier stays with the published value (over 140, not 140 beside "Matches").
            value = as_written(_rounded(row.latest_value, row.value_article), row.unit, row.qualifier_published, lang)
            latest = value if pd.isna(row.latest_year) else plain_word("latest_with_year", lang, value=value,
                                                                       year=int(row.latest_year))
        rows.append([label, as_written(row.value_article, row.unit, row.qualifier, lang), latest,
                     _checked(row, name, unsourced, lang)])
    as_of = text.date(front.data_cut_off(), lang)  # how current "latest" is, the edition line's 数据截至
    headers = [plain_word(f"numbers_header_{c}", lang, date=as_of) for c in ("quantity", "article", "latest", "checked")]
    return markdown.list_table(headers, rows, widths=[38, 17, 25, 20] if lang == "zh" else [40, 16, 22, 22],
                               css_class=f"{PHONE_FIT} {KEY_NUMBERS_TABLE}")


def _series_numbers(name: str, lang: str) -> list[str]:
    """A continuing series' row of the key numbers (name: "message_id:placeholder", front.series_row): its name
    (data/briefing_phrases.csv, key_series_… whose term is `name`) with the article's year, the article's value
    (or that the article gives none), the latest with its year, and what checking the article's value found."""
    message_id, _, placeholder = name.partition(":")
    found = front.series_row(message_id, placeholder)
    shown = (lambda n: plain_word("rank", lang, n=text.number(n, lang))) if found.rank else (
        lambda n: plain_word("percent", lang, n=text.number(n, lang)))
    quantity = term("key_series", name, lang)
    if found.article is None:
        return [quantity, plain_word("not_in_article", lang),
                plain_word("latest_with_year", lang, value=shown(found.latest), year=found.latest_year),
                plain_word("check_not_in_article", lang)]
    marks = labels("verification")
    checked = marks[found.verification] if lang == "zh" else term("verification", found.verification, lang)
    return [plain_word("quantity_year", lang, quantity=quantity, year=found.article_year), shown(found.article),
            plain_word("latest_with_year", lang, value=shown(found.latest), year=found.latest_year), checked]


def checks_tally(results: Sequence[Result], lang: str = "zh") -> str:
    """One sentence: what checking the article's numbers found (the register's tally)."""
    counts = claims.status_counts(results)
    pending = word("checks_pending", lang, pending=counts[claims.PENDING]) if counts[claims.PENDING] else ""
    return word("checks_tally", lang, total=len(results), consistent=counts[claims.CONSISTENT],
                differs=counts[DIFFERS], not_found=counts[claims.NOT_FOUND], pending=markdown.Markup(pending),
                by_text=counts[claims.BY_TEXT]) + "\n"


_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def _relative_gap(result: Result) -> float:
    """How far the article's figure is from the published one, as a share of the published (17000 against 11000:
    0.55); 0 where either side is not one number."""
    article, published = (_NUMBER.findall(v.split("（")[0]) for v in (result.article_value, result.published_value))
    if len(article) != 1 or len(published) != 1 or float(published[0]) == 0:
        return 0.0
    return abs(float(article[0]) - float(published[0])) / float(published[0])


def material_discrepancies(results: Sequence[Result], limit: int = 4) -> list[Result]:
    """The register's 不一致 entries a policy reader needs, at most `limit`: a claim about a whole series first
    (claims.by_materiality), then single figures by how far the article is from the source (relative gap), never
    a rank or count off by one, nor a ratio (it restates the figures a claim of their own already checks)."""
    differing = [r for r in claims.by_materiality(results)
                 if r.status == DIFFERS and not r.minor and r.claim.check != "ratio"]
    series = [r for r in differing if r.claim.check in ("at_most", "ahead")]
    single = sorted((r for r in differing if r not in series), key=_relative_gap, reverse=True)
    return (series + single)[:limit]


def discrepancies_markdown(results: Sequence[Result], limit: int = 4,
                           kinds: dict[str, str] | None = None, lang: str = "zh") -> str:
    """The material discrepancies, one line each: what, the article's value, the source's, and, where the
    published value rests on secondary sources only (news, reposts; sources.csv `kind`), that it does. In English
    the claim's name is data/claims.csv's statement_en (`statement_en`) and the values are written from the
    claim's rows (`_values_en`)."""
    kinds = claims.source_kinds() if kinds is None else kinds
    lines = []
    for r in material_discrepancies(results, limit):
        secondary = bool(r.sources) and all(kinds.get(s) == "secondary" for s in r.sources)
        if lang == "zh":
            statement, article, published = r.claim.statement, r.article_value, r.published_value.split("（")[0]
        else:
            statement, (article, published) = statement_en(r.claim.claim_id), _values_en(r)
        line = word("discrepancy", lang, statement=statement, article=article, published=published,
                    secondary=word("discrepancy_secondary", lang) if secondary else "")
        lines.append(f"- {line}\n")
    return "".join(lines)


def statement_en(claim_id: str) -> str:
    """A claim's name in English: its statement_en in data/claims.csv (the editor's; required of a claim the
    English briefing lists)."""
    frame = load("claims").reset_index(drop=True)
    rows = frame.index[frame["claim_id"] == claim_id]
    if not len(rows):
        raise _data_error("claims", len(frame) + 2, "claim_id", f"没有条目“{claim_id}”")
    value = _text(frame.at[rows[0], "statement_en"])
    if not value:
        raise _data_error("claims", int(rows[0]) + 2, "statement_en", f"条目“{claim_id}”列入英文简报，须有英文名称")
    return value


def _values_en(result: Result) -> tuple[str, str]:
    """A discrepancy's two sides in English, from the claim's rows: a series claim ("top 15 in 2017–2021") against
    the years its published ranks break it ("No. 16 in 2017"); a single figure as the article and the source write
    it (qualifier, number and unit: about 17,000 against over 11,000)."""
    claim = result.claim
    frame = load(claim.resource)
    key = front.primary_key(claim.resource)
    rows = [front.row(frame, key, spec) for spec in claim.rows]
    if any(row is None for row in rows):
        raise BriefingError(f"data/claims.csv, claim {claim.claim_id}, column rows: a row is not in "
                            f"data/{claim.resource}.csv")
    if claim.check == "at_most":
        years = [int(row[k]) for row in rows for k in key if k in front.SERIES_YEAR_KEYS]
        over = [plain_word("discrepancy_rank_year", "en", n=f"{row[claim.published_field]:g}", year=year)
                for row, year in zip(rows, years)
                if pd.notna(row[claim.published_field]) and row[claim.published_field] > claim.threshold]
        return (plain_word("discrepancy_at_most", "en", n=f"{claim.threshold:g}", first=min(years), last=max(years)),
                phrases.plain_join(WORDS_FILE, "sep_list", "en", over))
    (row,) = rows
    if claim.published_field.startswith(front.RANK_FIELD_PREFIX):
        return tuple(plain_word("rank", "en", n=f"{row[f]:g}") for f in (claim.article_field, claim.published_field))
    unit = _text(row.get("unit")) or _series_unit(claim.resource, claim.article_field)
    return (as_written(row[claim.article_field], unit, row.get("qualifier"), "en"),
            as_written(row[claim.published_field], unit, row.get("qualifier_published"), "en"))


# ----------------------------------------------------------------------------------------------------------------
# The decisive chart: Hong Kong and the mainland in the two rankings of the article's Table 1
# ----------------------------------------------------------------------------------------------------------------
RANKINGS = tuple(WORDS["rankings"].items())  # (resource, Chinese name), in the order drawn
HK_CODE, MAINLAND_CODE = "HKG", "CHN"  # the economies' codes in the ranking files


def _economy(ranks: pd.DataFrame, code: str) -> str:
    """An economy's name as the data write it (economy_zh of its code's rows)."""
    return str(ranks.loc[ranks["economy_code"] == code, "economy_zh"].iloc[0])


def _shown_name(economy_zh: str, lang: str) -> str:
    """As the chart names an economy: the house style's display name, or its English name (briefing_phrases)."""
    return display_name(economy_zh) if lang == "zh" else term("economy", economy_zh, lang)


def _ranking_name(resource: str, name_zh: str, lang: str) -> str:
    return name_zh if lang == "zh" else term("ranking", resource, lang)


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


def chart_title(gii: pd.DataFrame, imd: pd.DataFrame, lang: str = "zh") -> str:
    """The chart's one conclusion-style title (结论式标题) over both panels: each ranking's finding at the latest
    edition the data hold (`chart_findings`), as two clauses of one sentence, e.g. "全球创新指数：中国内地 2021 年起领先
    中国香港（2025 年第 10 对第 15 名）；数字竞争力：中国香港各版领先（2025 年第 4 对第 12 名）"."""
    title = phrases.plain_join(WORDS_FILE, "sep_clause", lang, chart_findings(gii, imd, lang))
    return title[:1].upper() + title[1:]  # an English title may open with "the mainland"


def _both_ranked(ranks: pd.DataFrame) -> pd.DataFrame:
    """The rank shown for each economy (columns) in the editions (index) that rank both."""
    return _shown(ranks).pivot(index="year", columns="economy_zh", values="rank_shown").dropna()


def chart_findings(gii: pd.DataFrame, imd: pd.DataFrame, lang: str = "zh") -> list[str]:
    """Each ranking's finding at its latest edition, e.g. "全球创新指数：中国内地 2021 年起领先中国香港（2025 年第 10 对第
    15 名）": which economy ranks ahead, since when where it has not led in every edition, and the ranks in
    the latest edition with its year (data/briefing_phrases.csv)."""
    findings = []
    for ranks, (resource, _) in zip((gii, imd), RANKINGS):
        hk, mainland = _economy(ranks, HK_CODE), _economy(ranks, MAINLAND_CODE)
        wide = _both_ranked(ranks)
        latest = int(wide.index.max())
        lead, other = (hk, mainland) if wide.loc[latest, hk] < wide.loc[latest, mainland] else (mainland, hk)
        ahead = (wide[lead] < wide[other])[::-1]
        since = int(ahead.index[ahead.cumprod().astype(bool)].min())  # the start of its current lead
        values = dict(ranking=term("short_ranking", resource, lang), lead=_title_name(lead, lang),
                      other=_title_name(other, lang), lead_rank=f"{wide.loc[latest, lead]:g}",
                      other_rank=f"{wide.loc[latest, other]:g}", since=since, year=latest)
        every = since == int(wide.index.min())
        findings.append(plain_word("chart_lead_every" if every else "chart_lead_since", lang, **values))
    return findings


def _title_name(economy_zh: str, lang: str) -> str:
    """As the chart's title names an economy: in English within a sentence (the mainland), else as the chart."""
    return _shown_name(economy_zh, lang) if lang == "zh" else term("title_economy", economy_zh, lang)


def _panel(ax: Axes, ranks: pd.DataFrame, title: str, threshold: int, label_size: float,
           lang: str, band: str) -> tuple[list[str], set[str]]:
    """One ranking's panel; returns the colours of the economies it draws a hollow (the article's) dot for, and
    which of the marks the note explains it drew ("dashed": a line to an unconfirmed rank; "gap": an edition
    without a rank)."""
    frame = _shown(ranks)
    hollow, drawn = [], set()
    for code in (HK_CODE, MAINLAND_CODE):
        economy = _economy(ranks, code)
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
            ax.annotate(plain_word("chart_article_rank", lang, rank=f"{r.rank_article:g}"), (r.year, r.rank_article),
                        xytext=(8, 0), textcoords="offset points", ha="left", va="center", fontsize=label_size,
                        color=colour)
        last = rows.iloc[-1]
        ax.annotate(_shown_name(economy, lang), (last["year"], last["rank_shown"]),
                    xytext=(7, 0), textcoords="offset points", ha="left", va="center", fontsize=label_size,
                    color=colour, fontweight="bold")
    worst = int(max(frame["rank_shown"].max(), frame["rank_article"].max()))
    # print's short panels: every 10th rank in both (at 9 pt, 1 and 5 nearly touch)
    rank_axis(ax, worst + 3, RANK_LABEL if lang == "zh" else plain_word("chart_rank_axis", lang),
              step=10 if label_size < 11 else None)
    # The text's threshold, dotted; the note under the chart names it (a label on the line would cover later ranks).
    # It stops at the last edition: right of it are the economies' names, which a line would strike through.
    first, last_year = frame["year"].min() - 0.3, frame["year"].max()
    ax.plot([first, last_year + 0.15], [threshold + 0.5] * 2, color=MUTED, linestyle=":", linewidth=1.4, zorder=1)
    year_axis(ax, frame["year"])
    ax.set_xlim(first, last_year + 1.5)  # room for the economy names
    later = frame.loc[frame["rank_article"].isna(), "year"]
    if len(later):  # editions after the article's: published ranks, in the band the book's charts use
        after_article_band(ax, later.min() - 0.5, frame["year"].max() + 1.5, label_at="bottom",
                           label=band, size=label_size,
                           align="right")  # clear of the article's rank written right of its dot
    if frame["year"].nunique() > 7:
        ax.tick_params(axis="x", rotation=90)
    ax.set_title(title, fontsize=label_size + 1)
    ax.tick_params(labelsize=label_size)
    ax.yaxis.label.set_size(label_size)
    return hollow, drawn


def _band_words(lang: str, room_pt: float, size: float) -> str:
    """The grey band's label, wrapped to `room_pt` points (the band's width, about) at `size` points."""
    if lang == "zh":
        return wrap_em(plain_word("chart_band", lang), room_pt / size)
    return _wrap_latin(plain_word("chart_band", lang), room_pt / size * 2)  # a Latin letter: about half an em


def editions(name: str) -> pd.DataFrame:
    """Every edition of a ranking the data hold: the article's Table 1 and the later ones (表 1 续)."""
    return load(name)


def source_text(lang: str = "zh") -> str:
    """The chart's source in words, with the editions drawn (the web page gives it under the chart)."""
    years = pd.concat([editions(name)["year"] for name, _ in RANKINGS])
    if lang == "zh":
        return WORDS["briefing_chart_source"].format(first=years.min(), last=years.max())
    return plain_word("chart_source", lang, first=years.min(), last=years.max())


def rank_figure(*, stacked: bool = False, results: Sequence[Result] | None = None, lang: str = "zh") -> Figure:
    """Hong Kong and the mainland in the two rankings of the article's Table 1, published ranks filled and the
    article's hollow where they differ or none was found, the text's thresholds dashed, the conclusion as its
    title and the source below. Side by side at the briefing's full print width (9 pt labels, print only);
    `stacked` (one above the other, 4.4 in wide, 11 pt labels) for the web page, read on phones too. `lang`: the
    labels' language (the English briefing's chart: "en", words from data/briefing_phrases.csv)."""
    thresholds = rank_thresholds(results)
    label_size = 11 if stacked else 9
    fig = plt.figure(figsize=(width(), 7.4) if stacked else (6.8, 3.3 if lang == "zh" else 3.2))
    # A thin first row holds the chart's one legend, under its title and over both panels (created last, so the
    # panels stay fig.axes[0] and [1]).
    grid = fig.add_gridspec(3 if stacked else 2, 1 if stacked else 2,
                            height_ratios=[0.001, 1, 1] if stacked else [0.001, 1])
    axes = [fig.add_subplot(grid[1, 0]), fig.add_subplot(grid[2, 0] if stacked else grid[1, 1])]
    gii, imd = editions("gii_ranks"), editions("imd_digital_ranks")
    panel_pt = fig.get_figwidth() * 72 / (1 if stacked else 2) - 50  # a panel's plot, about (the y axis left of it)
    band = _band_words(lang, panel_pt * 0.45, label_size)  # the band covers about half a panel's width
    colours = [COLOURS[_economy(gii, HK_CODE)], COLOURS[_economy(gii, MAINLAND_CODE)]]
    drawn: set[str] = set()  # the marks the note explains
    hollow: list[str] = []  # the colours of the article's hollow dots, in any panel
    for ax, (name, _) in zip(axes, RANKINGS):
        # A panel's title names its ranking only: the chart's one title gives both findings.
        heading = plain_word(f"chart_panel_{name}", lang)
        ems = panel_pt / (label_size + 1)
        heading = wrap_em(heading, ems) if lang == "zh" else _wrap_latin(heading, ems * 2.2)
        own_hollow, marks = _panel(ax, editions(name), heading, thresholds[name], label_size, lang, band)
        hollow += [c for c in own_hollow if c not in hollow]
        drawn |= marks
        ax.set_title(heading, loc="left", fontsize=label_size + 1, linespacing=1.25)
    if not stacked:
        axes[1].set_ylabel("")
    # One legend for the whole chart, under its title: the published ranks (filled) and, where a panel draws
    # them, the article's (hollow).
    key = [swatches(plain_word("chart_legend_published", lang), colours)]
    if hollow:
        key.append(swatches(plain_word("chart_legend_article", lang), hollow, kind=ARTICLE))
    legend_row = fig.add_subplot(grid[0, :])
    legend_row.set_axis_off()
    legend_row.set_xticks([]), legend_row.set_yticks([])  # no tick labels left to measure
    legend_row.legend(handles=key, labels=[k[0].get_label() for k in key], loc="lower left", bbox_to_anchor=(0, 0),
                      ncols=1 if stacked else len(key), fontsize=label_size,
                      handler_map={tuple: HandlerTuple(ndivide=None, pad=0.25)}, borderaxespad=0,
                      handlelength=1.2, columnspacing=1.5, handletextpad=0.5)
    title = chart_title(gii, imd, lang)
    thresholds_text = phrases.plain_join(WORDS_FILE, "sep_list", lang, [
        plain_word("chart_threshold", lang, ranking=_ranking_name(name, zh, lang), n=thresholds[name])
        for name, zh in RANKINGS])
    note = plain_word("chart_note", lang, thresholds=thresholds_text)  # the grey band: its own label says it
    note = phrases.plain_join(WORDS_FILE, "sep_sentence", lang,
                              [note, *(plain_word(f"chart_{mark}", lang) for mark in ("dashed", "gap") if mark in drawn)])
    source_line = plain_word("chart_source_line", lang, source=source_text(lang))
    title_and_source(fig, title, source_text(lang), note=note, source_line=None if lang == "zh" else source_line)
    if stacked and lang != "zh":  # English breaks at spaces, never before a closing bracket
        fig._suptitle.set_text(_wrap_latin(title, (fig.get_figwidth() * 72 / TITLE_SIZE - 1) * 2))
    if not stacked:  # print: the house sizes are for phones; this one is read on paper at full width
        width_pt = fig.get_figwidth() * 72
        ems = (1.0 if lang == "zh" else 0.5)  # a Latin letter is about half an em wide
        fig._suptitle.set_text(wrap_em(title, (width_pt / 11 - 1) / ems) if lang == "zh" else _wrap_latin(title, width_pt / 11 * 2))
        fig._suptitle.set_fontsize(11)
        lines = (note, source_line)
        fig._supxlabel.set_text("\n".join(wrap_em(line, width_pt / label_size - 1) if lang == "zh" else
                                          _wrap_latin(line, width_pt / label_size * 2) for line in lines))
        fig._supxlabel.set_fontsize(label_size)
    return fig


def _wrap_latin(line: str, chars: float) -> str:
    """English text wrapped at spaces to about `chars` characters a line."""
    import textwrap

    return "\n".join(textwrap.wrap(line, int(chars)))
