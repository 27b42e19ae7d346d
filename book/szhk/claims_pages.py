"""The claims register (szhk.claims) written as pages: the margin note beside a paragraph, the register's summary
and tables (book/claims.md), and the shorter printed register of the book PDF.

Markdown rendered by myst-nb as MyST (the {ref} and {cite} roles work); every string from the data goes through
`szhk.markdown`, so a cell is shown as its characters.
"""
from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from . import data, phrases
from . import markdown as md
from .claims import (
    BY_TEXT, CONSISTENT, DIFFERS, NOT_FOUND, PENDING, STATUSES, Result, by_materiality, chapter_titles, register,
    secondary_only, source_kinds, status_counts,
)
from .descriptor import bibliography_keys

__all__ = ["margin_note", "summary_markdown", "register_markdown", "printed_register_markdown", "source_titles",
           "source_quotes", "labels_in", "register_header"]


def _md(phrase_id: str, **values: object) -> md.Markup:
    """A template of data/register_phrases.csv as MyST, its placeholders filled (plain values are escaped)."""
    return phrases.md(phrases.REGISTER, phrase_id, **values)


def _plain(phrase_id: str, **values: object) -> str:
    return phrases.plain(phrases.REGISTER, phrase_id, **values)


def _entry_link(result: Result, phrase_id: str = "entry_number") -> md.Markup:
    """A link to the claim's register entry, named by its number ("第 12 条")."""
    return md.link(_plain(phrase_id, number=result.claim.number), result.claim.label)


def margin_note(target: str) -> Any:
    """The margin note for one paragraph: a link to the register for each of its claims that differs from its
    source, or None (no output at all) when none does."""
    from IPython.display import Markdown

    phrases.template(phrases.REGISTER, "margin_note")  # read even when no note shows: the page declares the file
    lines = [_md("margin_note", statement=r.claim.statement, article=r.article_value, published=r.published_value,
                 entry=_entry_link(r, "register_entry"))
             for r in register(target) if r.status == DIFFERS]
    return Markdown("\n\n".join(lines)) if lines else None


def _source_cell(result: Result, source_titles: Mapping[str, str], keys: frozenset[str],
                 quotes: Mapping[str, tuple[str, str]] | None = None) -> str:
    """The claim's sources cited; with `quotes` (source id → its words and the date read, from sources.csv), each
    source's words follow, so a reader sees what the number rests on without leaving the register."""
    if not result.sources:
        return "—"
    cited = [s for s in result.sources if s in keys]
    named = [f"{md.text(source_titles.get(s, s))}" for s in result.sources if s not in keys]
    parts = ([md.role("cite", ",".join(cited))] if cited else []) + named
    cell = "；".join(parts)
    said = [(s, *quotes[s]) for s in result.sources if quotes and quotes.get(s, ("", ""))[0]]
    for source, words, read in said:
        who = md.role("cite", source) + " " if len(said) > 1 and source in keys else ""
        cell += f"\n\n{who}" + _md("quote", read=read, words=words)
    return cell


def source_quotes() -> dict[str, tuple[str, str]]:
    """Source id → (the words that give its numbers, the date they were read), from data/sources.csv."""
    frame = data.load("sources")
    return {str(r["source_id"]): (_cell(r.get("quote")), _cell(r.get("accessed"))) for r in frame.to_dict("records")}


def _cell(value: Any) -> str:
    return "" if value is None or (not isinstance(value, str) and value != value) else str(value).strip()


def summary_markdown(results: Sequence[Result]) -> str:
    """The counts, and the claims that differ from their sources (each linked to its register entry)."""
    counts = status_counts(results)
    secondary = secondary_only(results, source_kinds())
    text = _md("summary", total=len(results), consistent=counts[CONSISTENT], secondary=secondary,
               differs=counts[DIFFERS], not_found=counts[NOT_FOUND], pending=counts[PENDING], by_text=counts[BY_TEXT])
    differing = by_materiality([r for r in results if r.status == DIFFERS])
    if differing:
        text += _md("summary_differing") + "\n\n" + "\n".join(
            "- " + _md("summary_item", entry=_entry_link(r), statement=r.claim.statement, article=r.article_value,
                       published=r.published_value) for r in differing
        )
    return text + "\n"


REGISTER_COLUMNS = ("entry", "status", "article", "published", "source")  # the status second: see register_markdown
REGISTER_WIDTHS = [30, 10, 14, 18, 28]  # the source column holds each source's words


def register_header() -> list[str]:
    """The register table's column names (data/labels.csv, group register_column)."""
    names = data.labels("register_column")
    return [names[column] for column in REGISTER_COLUMNS]


def _register_rows(results: Sequence[Result], source_titles: Mapping[str, str], keys: frozenset[str], *,
                   anchors: bool = True, titles: Mapping[str, str] | None = None,
                   quotes: Mapping[str, tuple[str, str]] | None = None) -> list[list[md.Markup]]:
    """A row per claim: its number (with the entry's anchor when `anchors`; preceded by its chapter's title when
    `titles` are given), the article's words linked to their paragraph and what is checked; the status; the
    article's value; the published value; the source."""
    rows = []
    for r in results:
        number = f"**{_plain('entry_number', number=r.claim.number)}**"
        if titles is not None:  # the part's number only: 二、香港科技创新产业基本情况 → （二）
            number += f"（{md.text(titles.get(r.claim.chapter, r.claim.chapter).split('、')[0])}）"
        what = [number, "", md.link(r.claim.excerpt, r.claim.target), "", _md("check", statement=r.claim.statement)]
        if r.claim.note:
            what[-1] += f"。{md.text(r.claim.note)}"
        published = [md.text(r.published_value)]
        if r.data_value:
            published += ["", md.text(r.data_value)]
        status = f"**{r.status}**" if r.status == DIFFERS else r.status
        if r.status == NOT_FOUND and r.claim.searched:  # where the editor looked (claims.csv: searched)
            status += "\n\n" + _md("searched", searched=r.claim.searched)
        if r.remarks:
            status += "\n\n" + " ".join(md.text(x) for x in r.remarks)
        rows.append([md.Markup(cell) for cell in (
            (f"({r.claim.label})=\n\n" if anchors else "") + "\n".join(what),
            status,
            md.text(r.article_value),
            "\n".join(published),
            _source_cell(r, source_titles, keys, quotes),
        )])
    return rows


def register_markdown(results: Sequence[Result], titles: Mapping[str, str] | None = None,
                      source_titles: Mapping[str, str] | None = None, keys: frozenset[str] | None = None) -> str:
    """One table per chapter, a row per claim (see _register_rows, with each source's words), each row the anchor
    of its entry."""
    titles = chapter_titles() if titles is None else titles
    quotes = source_quotes()
    source_titles = source_titles or {}
    keys = bibliography_keys() if keys is None else keys
    out = []
    for chapter in dict.fromkeys(r.claim.chapter for r in results):
        mine = [r for r in results if r.claim.chapter == chapter]
        counts = status_counts(mine)
        out.append(f"### {md.text(titles.get(chapter, chapter))}\n")
        tally = md.Markup("，".join(f"{s} {counts[s]}" for s in STATUSES))
        out.append(_md("chapter_counts", chapter=md.role("doc", chapter), total=len(mine), counts=tally) + "\n")
        # the status second: on a phone it is in view before the table scrolls sideways
        out.append(md.list_table(register_header(), _register_rows(mine, source_titles, keys, quotes=quotes), widths=REGISTER_WIDTHS,
                                 css_class="claims-register"))
    return "\n".join(out)


def printed_register_markdown(results: Sequence[Result], cited: Sequence[str],
                              source_titles: Mapping[str, str] | None = None) -> str:
    """For the book PDF, which leaves out the full register: one table of the entries that differ from their
    sources and of those `cited` (claim ids) by the key messages, in register order, without anchors (the web
    register holds them)."""
    cited = set(cited)
    chosen = [r for r in results if r.status == DIFFERS or r.claim.claim_id in cited]
    rows = _register_rows(chosen, source_titles or {}, bibliography_keys(), anchors=False, titles=chapter_titles())
    # longtable: the table breaks across pages instead of running off the first one
    return md.list_table(register_header(), rows, widths=REGISTER_WIDTHS, css_class="claims-register longtable")


def source_titles() -> dict[str, str]:
    """Source id → how to name it in words when it is not cited from references.bib: only the article itself
    (every other source's title lives in references.bib and is cited)."""
    name = _plain("article_source")
    return {source: name for source, kind in source_kinds().items() if kind == "article"}


_LABEL = re.compile(r"^\(([A-Za-z0-9_-]+)\)=\s*$", re.M)


def labels_in(text: str) -> set[str]:
    """The MyST labels `(name)=` in a page's text."""
    return set(_LABEL.findall(text))
