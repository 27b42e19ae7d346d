"""The front matter's content from the data: the editor's key messages (核心观点) and the checking's findings
(本书的核验发现), as MyST Markdown for book/index.md and, later, the briefing's first page.

- A key message is the editor's sentence, not the author's: it summarises a paragraph of the article, holds one
  number read from the data (a named row and column of a resource), links to that paragraph and to the dataset,
  and carries the claims register's caveat when the claim it rests on is 不一致, 未找到来源 or 待核. A message whose
  number is not in the data raises FrontMatterError naming the message: the page never states a number the data
  does not hold.
- The findings are written from the register (`szhk.claims.register()`), shortest first for an official: the
  tally of statuses, the larger discrepancies, the claims that the article's own figures contradict, the figures
  that match the next year's release rather than the year the article names (with how many releases that evidence
  rests on), and how many off-by-one gaps remain (listed in the register only). They change when the data do.
- Every word is data: the messages are data/key_messages.csv, the findings' templates data/findings_phrases.csv,
  the link words data/briefing_phrases.csv (szhk.phrases); this module only fills placeholders.
"""
from __future__ import annotations

import re
import string
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

import pandas as pd

import szhk_names

from . import bounds, claims, data, descriptor, markdown, phrases, text
from .claims import BY_TEXT, CONSISTENT, DIFFERS, NOT_FOUND, PENDING, Result

__all__ = ["FrontMatterError", "KeyMessage", "key_messages", "message_text", "message_values", "key_messages_markdown",
           "since_markdown", "latest_years", "headline", "data_cut_off", "edition_year", "series_behind", "as_of_markdown",
           "SeriesRow", "series_row", "primary_key", "row",
           "YearShift", "year_shifts", "self_contradictions", "findings", "findings_markdown"]

YEAR_KEYS = ("year", "survey_year")  # primary-key fields that name the year a row is for (findings)
SERIES_YEAR_KEYS = (*YEAR_KEYS, "edition")  # and the edition of a ranking (a series' latest value)


class FrontMatterError(ValueError):
    """A key message or finding cannot be written from the data (the message names which one)."""


def _text(value: Any) -> str:
    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value).strip()


def _decimal(value: Any) -> Decimal | None:
    try:
        return Decimal(_text(value)) if _text(value) else None
    except InvalidOperation:
        return None


def _number(value: Decimal, lang: str = "zh") -> str:
    """As the article writes numbers: no thousands separator, no trailing zeros (3755, 14.2, 2); in English running
    text with the thousands comma English readers expect (3,755)."""
    return text.number(value, lang)


def primary_key(resource: str) -> list[str]:
    """A resource's primary-key fields (datapackage.json)."""
    return _primary_key(resource)


def row(frame: pd.DataFrame, key: Sequence[str], spec: str) -> Mapping[str, Any] | None:
    """The row of `frame` whose primary key (`key`) reads `spec` ("2021|HKG"), or None."""
    return _row(frame, key, spec)


def _primary_key(resource: str) -> list[str]:
    for item in data.package()["resources"]:
        if item.get("name") == resource:
            key = item.get("schema", {}).get("primaryKey", [])
            return [key] if isinstance(key, str) else list(key)
    raise FrontMatterError(f"数据包中没有数据集“{resource}”")


def _row(frame: pd.DataFrame, key: Sequence[str], spec: str) -> Mapping[str, Any] | None:
    parts = spec.split("|")
    for record in frame.to_dict("records"):
        if len(parts) == len(key) and all(_text(record[k]) == p for k, p in zip(key, parts)):
            return record
    return None


# ----------------------------------------------------------------------------------------------------------------
# Key messages and "since the article" (the editor's sentences: data/key_messages.csv)
# ----------------------------------------------------------------------------------------------------------------
MESSAGES = "key_messages"      # the resource holding the editor's sentences
HEADLINE, KEY, SINCE = "headline", "key", "since"  # its `section`: the briefing's headline, 核心观点, 文章发表以来
UNVERIFIED_MARKS = ("", "unconfirmed")  # a row's `verification` a message's number must not rest on
BOLD = frozenset({"article", "published", "latest"})  # in a key message, the figures stand out
RANK_FIELD_PREFIX = "rank_"  # a ranking's published field (rank_published): a larger number is a lower rank


@dataclass(frozen=True)
class KeyMessage:
    """One row of data/key_messages.csv. `line` is its line in the file (the header is line 1), for errors."""

    message_id: str
    section: str
    text_zh: str
    text_en: str
    resource: str
    rows: tuple[tuple[str, str], ...]   # (placeholder name, primary-key value "2021|HKG"; year "*" = latest only)
    article_field: str
    published_field: str
    paragraph: str
    line: int

    def text(self, lang: str) -> str:
        return self.text_en if lang == "en" else self.text_zh


def _messages_file() -> Any:
    return data.data_dir() / f"{MESSAGES}.csv"


def _message_error(message: KeyMessage, column: str, problem: str) -> data.DataValidationError:
    return data.DataValidationError(_messages_file(), message.line, column,
                                    "核心观点与“文章发表以来”的每个数字都取自数据中存在且已核实的行", problem)


def key_messages(section: str = KEY, load: Callable[[str], pd.DataFrame] = data.load) -> list[KeyMessage]:
    """The editor's sentences of one section, in the file's order."""
    out = []
    for i, record in enumerate(load(MESSAGES).to_dict("records")):
        pairs = []
        for part in filter(None, (p.strip() for p in _text(record.get("rows")).split(";"))):
            name, _, spec = part.partition("=")
            pairs.append((name.strip(), spec.strip()))
        message = KeyMessage(_text(record["message_id"]), _text(record["section"]), _text(record["text_zh"]),
                             _text(record["text_en"]), _text(record.get("resource")), tuple(pairs),
                             _text(record.get("article_field")), _text(record.get("published_field")),
                             _text(record["paragraph"]), i + 2)
        if message.section == section:
            out.append(message)
    return out


@dataclass(frozen=True)
class _Value:
    text: str
    bold: bool = False
    markup: bool = False  # already MyST (a citation)


class _Series:
    """A named row of a message and the later rows of its series (same key but the year): the values its
    placeholders ask for, each checked against the row's `verification` when asked."""

    def __init__(self, message: KeyMessage, name: str, spec: str, load: Callable[[str], pd.DataFrame]):
        self.message, self.name, self.spec = message, name, spec
        resource = message.resource
        try:
            self.key = _primary_key(resource)
            self.frame = load(resource).reset_index(drop=True)
        except (FrontMatterError, KeyError) as error:
            raise _message_error(message, "resource", f"条目“{message.message_id}”所取的数据集“{resource}”不存在"
                                                      f"（{error}）") from error
        self.file = f"data/{resource}.csv"
        self.year_at = next((i for i, name in enumerate(self.key) if name in SERIES_YEAR_KEYS), None)
        spec, _, condition = spec.partition("@")  # "*|SZ@measure=sz_rd_statistics": the series' rows of one measure
        self.where = dict(c.split("=", 1) for c in condition.split(",")) if condition else {}
        unknown = [column for column in self.where if column not in self.frame.columns]
        if unknown:
            raise _message_error(message, "rows", f"条目“{message.message_id}”的“{name}={self.spec}”所限定的列 "
                                                  f"{'、'.join(unknown)} 不在 {self.file} 中")
        parts = spec.split("|")
        if self.year_at is None or len(parts) != len(self.key):
            raise _message_error(message, "rows", f"条目“{message.message_id}”的“{name}={spec}”不是 {self.file} 的主键"
                                                  f"（{'|'.join(self.key)}）")
        self.parts = parts
        self.index: int | None = None
        if parts[self.year_at] != "*":
            matches = [i for i, r in enumerate(self.frame.to_dict("records"))
                       if all(_text(r[k]) == p for k, p in zip(self.key, parts)) and self._kept(r)]
            if not matches:
                raise _message_error(message, "rows", f"条目“{message.message_id}”所取的行“{spec}”在 {self.file} 中不存在"
                                                      f"（主键 {'、'.join(self.key)}）")
            self.index = matches[0]

    def _kept(self, record: Mapping[str, Any]) -> bool:
        """The row is of the series the spec names after "@" (every column=value given), or no condition."""
        return all(_text(record[column]) == value for column, value in self.where.items())

    def _field(self, column: str) -> str:
        if not column:
            raise _message_error(self.message, "article_field" if column == self.message.article_field else
                                 "published_field", f"条目“{self.message.message_id}”没有给出所需的列")
        if column not in self.frame.columns:
            raise _message_error(self.message, "article_field" if column == self.message.article_field else
                                 "published_field", f"{self.file} 没有列“{column}”")
        return column

    def _verified(self, index: int, what: str) -> Mapping[str, Any]:
        row = self.frame.iloc[index]
        mark = _text(row.get("verification")) if "verification" in self.frame.columns else ""
        if mark in UNVERIFIED_MARKS:
            raise _message_error(self.message, "rows", f"条目“{self.message.message_id}”的{what}取自 {self.file} 第 "
                                                       f"{index + 2} 行（{self.spec}），该行列 verification 为“{mark or '空'}”："
                                                       "数字未经核实，不能写进核心观点")
        return row

    def _article_row(self, placeholder: str) -> Mapping[str, Any]:
        if self.index is None:
            raise _message_error(self.message, "rows", f"条目“{self.message.message_id}”用了 {{{placeholder}}}，但"
                                                       f"“{self.name}={self.spec}”没有指定年份")
        return self._verified(self.index, f" {{{placeholder}}} ")

    def _latest_index(self) -> int:
        field = self._field(self.message.published_field)
        others = [i for i, p in enumerate(self.parts) if i != self.year_at]
        best: tuple[int, int] | None = None
        for i, record in enumerate(self.frame.to_dict("records")):
            same = all(_text(record[self.key[j]]) == self.parts[j] for j in others) and self._kept(record)
            year = _text(record[self.key[self.year_at]])
            if same and year.isdigit() and _decimal(record[field]) is not None and (best is None or int(year) > best[0]):
                best = (int(year), i)
        if best is None:
            raise _message_error(self.message, "rows", f"条目“{self.message.message_id}”：{self.file} 中“{self.spec}”"
                                                       f"所在的系列没有已发表值（列 {field}）")
        return best[1]

    def _published_by_year(self) -> dict[int, Decimal]:
        """The series' published values by year (the row's key but its year)."""
        field = self._field(self.message.published_field)
        others = [i for i, p in enumerate(self.parts) if i != self.year_at]
        out = {}
        for record in self.frame.to_dict("records"):
            year, number = _text(record[self.key[self.year_at]]), _decimal(record[field])
            if (all(_text(record[self.key[j]]) == self.parts[j] for j in others) and self._kept(record)
                    and year.isdigit() and number is not None):
                out[int(year)] = number
        return out

    def dip(self) -> tuple[int, Decimal] | None:
        """A rank's low point between the article's year and the latest edition (the year and the rank), when it is
        lower than both ends (a larger number: HK's GII rank 14 → 17, 18 → 15 dipped to 18 in 2024); None for a
        series that is not a rank (its published field is not rank_…) or that did not dip."""
        if not self.message.published_field.startswith(RANK_FIELD_PREFIX):
            return None
        self._article_row(f"{self.name}.dip")
        start = int(self.parts[self.year_at])
        by_year = self._published_by_year()
        end = max(by_year)
        between = {year: rank for year, rank in by_year.items() if start < year < end}
        if start not in by_year or not between:
            return None
        year, rank = max(between.items(), key=lambda item: (item[1], -item[0]))  # the lowest rank, its first year
        return (year, rank) if rank > max(by_year[start], by_year[end]) else None

    def value(self, attribute: str, lang: str = "zh") -> _Value:
        year_field = self.key[self.year_at]
        if attribute in ("article", "article_number"):
            row = self._article_row(f"{self.name}.{attribute}")
            number = _decimal(row[self._field(self.message.article_field)])
            if number is None:
                raise _message_error(self.message, "article_field", f"{self.file} 第 {self.index + 2} 行的 "
                                                                    f"{self.message.article_field} 为空")
            qualifier = _text(row.get("qualifier")) if attribute == "article" else ""
            return _Value(text.as_written(float(number), "", qualifier) if qualifier else _number(number, lang),
                          bold=True)
        if attribute == "article_year":
            return _Value(self.parts[self.year_at])
        if attribute == "published":
            row = self._article_row(f"{self.name}.published")
            number = _decimal(row[self._field(self.message.published_field)])
            if number is None:
                raise _message_error(self.message, "published_field", f"{self.file} 第 {self.index + 2} 行的 "
                                                                      f"{self.message.published_field} 为空")
            return _Value(_number(number, lang), bold=True)
        if attribute == "dip":
            dip = self.dip()
            return _Value("" if dip is None else phrases.plain(phrases.BRIEFING, "since_dip", lang, year=dip[0],
                                                                   n=_number(dip[1], lang)))
        if attribute in ("latest", "latest_year", "source", "latest_measure"):
            index = self._latest_index()
            row = self._verified(index, f" {{{self.name}.{attribute}}} ")
            if attribute == "latest_measure":  # what the latest row's measure column says, in words
                if "measure" not in self.frame.columns:
                    raise _message_error(self.message, "rows", f"{{{self.name}.latest_measure}}：{self.file} 没有列 measure")
                return _Value(phrases.term(phrases.BRIEFING, "measure", _text(row["measure"]), lang))
            if attribute == "latest":
                return _Value(_number(_decimal(row[self.message.published_field]), lang), bold=True)
            if attribute == "latest_year":
                return _Value(_text(row[year_field]))
            keys = [k.strip() for k in _text(row.get("published_source")).split(";") if k.strip()]
            if not keys:
                raise _message_error(self.message, "rows", f"{self.file} 第 {index + 2} 行没有来源（published_source）")
            return _Value("{cite}`" + ",".join(keys) + "`", markup=True)
        raise _message_error(self.message, "text_zh", f"条目“{self.message.message_id}”的占位符 {{{self.name}.{attribute}}}"
                                                      "不可用（可用：article、article_number、article_year、published、"
                                                      "latest、latest_year、latest_measure、source、dip）")


def _parts(message: KeyMessage, lang: str, load: Callable[[str], pd.DataFrame]) -> list[_Value]:
    """The sentence as literal text and values, in order (placeholders resolved from the data)."""
    series = {name: _Series(message, name, spec, load) for name, spec in message.rows}
    out = []
    for literal, field, _, _ in string.Formatter().parse(message.text(lang)):
        if literal:
            out.append(_Value(literal))
        if field is None:
            continue
        name, _, attribute = field.partition(".")
        if name not in series:
            raise _message_error(message, "text_en" if lang == "en" else "text_zh",
                                 f"条目“{message.message_id}”的占位符 {{{field}}} 没有在列 rows 中给出所取的行")
        out.append(series[name].value(attribute, lang))
    return out


def message_text(message: KeyMessage, lang: str = "zh", load: Callable[[str], pd.DataFrame] = data.load,
                 bold: bool = True) -> str:
    """One sentence as MyST: the editor's words escaped, the numbers from the data (bold where `bold`)."""
    out = []
    for part in _parts(message, lang, load):
        if part.markup:
            out.append(part.text)
        elif part.bold and bold:
            out.append(f"**{markdown.text(part.text)}**")
        else:
            out.append(markdown.text(part.text))
    return "".join(out)


def message_values(message: KeyMessage, lang: str = "zh", load: Callable[[str], pd.DataFrame] = data.load
                   ) -> str:
    """The sentence as plain text (what a reader sees), for checks and tests."""
    return "".join(p.text for p in _parts(message, lang, load) if not p.markup)


def _title(resource: str) -> str:
    for item in data.package()["resources"]:
        if item.get("name") == resource:
            return _text(item.get("title")) or resource
    return resource


def key_messages_markdown(load: Callable[[str], pd.DataFrame] = data.load, *, lang: str = "zh",
                          links: bool = True, figures_only: bool = False) -> str:
    """The key messages as a numbered list: the sentence with its numbers in bold and (with `links`, on the web)
    links to the paragraph it summarises and to the dataset its numbers come from (the link words are
    data/briefing_phrases.csv's). `figures_only` leaves out the messages that give no figure (the briefing lists the
    article's asks on their own)."""
    lines = []
    chosen = [m for m in key_messages(KEY, load) if m.rows or not figures_only]
    for i, message in enumerate(chosen, 1):
        sentence = message_text(message, lang, load)
        if links:
            refs = [markdown.Markup(f"{{ref}}`{_link_words('msg_paragraph', lang)} <{message.paragraph}>`")]
            if message.resource:
                name = _title(message.resource) if lang == "zh" else f"{message.resource}.csv"
                refs.append(markdown.link(phrases.plain(phrases.BRIEFING, "msg_data", lang, name=name),
                                          f"data-{message.resource}"))
            joined = phrases.join(phrases.BRIEFING, "sep_group", lang, refs)
            sentence += "\\\n   " + phrases.md(phrases.BRIEFING, "msg_refs", lang, refs=joined)
        lines.append(f"{i}. {sentence}")
    return "\n".join(lines) + "\n"


def _link_words(phrase_id: str, lang: str) -> str:
    """Words inside a {ref} role's label: no backquote or angle bracket may reach the role."""
    return re.sub(r"[`<>]", "", phrases.plain(phrases.BRIEFING, phrase_id, lang))


def headline(load: Callable[[str], pd.DataFrame] = data.load, *, lang: str = "zh") -> str:
    """The briefing's headline: the main message (the one row of section `headline`), as MyST."""
    rows = key_messages(HEADLINE, load)
    if len(rows) != 1:
        raise data.DataValidationError(_messages_file(), "—", "section", "section 为 headline 的行恰有一行（简报的标题句）",
                                       f"有 {len(rows)} 行")
    return message_text(rows[0], lang, load, bold=False)


def since_markdown(load: Callable[[str], pd.DataFrame] = data.load, *, lang: str = "zh") -> str:
    """文章发表以来: one bullet per continuing series, the article's value, the latest with its year and source."""
    return "\n".join(f"- {message_text(m, lang, load, bold=False)}" for m in key_messages(SINCE, load)) + "\n"


def latest_years(load: Callable[[str], pd.DataFrame] = data.load, section: str = KEY) -> list[int]:
    """The years of the latest values the section's sentences give (the editions a reader is told about)."""
    years = []
    for message in key_messages(section, load):
        for name, spec in message.rows:
            years.append(int(_Series(message, name, spec, load).value("latest_year").text))
    return years


def data_cut_off() -> str:
    """The date the data are current to (数据截至), as the edition line gives it: szhk_names.data_cut_off over the
    data (each dated resource read through data.load: a page that says how current its values are declares them
    all) and the publication dates (book/references.bib) of the sources its rows cite."""
    entries = descriptor.bibliography()
    found = szhk_names.data_cut_off(data.data_dir(), lambda keys: [_text(entries[key].fields.get("date"))
                                                                   for key in sorted(keys) if key in entries],
                                    lambda name: data.load(name).reset_index().to_dict("records"))
    if found is None:
        raise FrontMatterError(f"{data.data_dir()}: no dated value in the data (published_as_of, date, or a cited "
                               "source's date): “截至” needs the date the data are current to")
    return found


def edition_year() -> int:
    """The year of this edition: the year of the commit the book is built from (szhk.bounds)."""
    return bounds.latest_year() - 1


def edition_released(load: Callable[[str], pd.DataFrame] = data.load) -> str:
    """The date this edition was released (data/editions.csv, its last row): when the editors last searched for the
    series' next editions (the search record, data/notes/sources-provenance.md, is checked by tests)."""
    return str(load("editions")["released"].iloc[-1])


def series_behind(load: Callable[[str], pd.DataFrame] = data.load, section: str = SINCE,
                  year: int | None = None) -> list[tuple[str, int]]:
    """The series the section's sentences follow whose latest published value in the data is for a year before
    `year` (this edition's, by default): (resource, its latest year), in the section's order."""
    year = edition_year() if year is None else year
    latest: dict[str, int] = {}
    for message in key_messages(section, load):
        for name, spec in message.rows:
            found = int(_Series(message, name, spec, load).value("latest_year").text)
            latest[message.resource] = max(found, latest.get(message.resource, found))
    return [(resource, found) for resource, found in latest.items() if found < year]


def as_of_markdown(load: Callable[[str], pd.DataFrame] = data.load, *, lang: str = "zh", section: str = SINCE,
                   short: bool = False, behind_only: bool = False) -> str:
    """One or two sentences for beside the "latest" values: the date the data are current to, and the series
    whose latest value in the data is older than this edition's year (data/briefing_phrases.csv: as_of, as_of_behind,
    series_latest and each series' name, series_<resource>); `short` (the printed briefing's first page): the date
    alone (as_of_short); `behind_only` (the printed briefing's key numbers, whose column header gives the date): the
    series sentence alone in its short form (as_of_behind_print, series_latest_print), or nothing when every series
    has this year's value."""
    year = edition_year()
    behind = [] if short else series_behind(load, section, year)
    words = phrases.md(phrases.BRIEFING, "as_of_short" if short else "as_of", lang, date=text.date(data_cut_off(), lang))
    if behind:
        suffix = "_print" if behind_only else ""  # the printed briefing's page 2 has room for the short sentence
        items = [phrases.plain(phrases.BRIEFING, f"series_latest{suffix}", lang, year=found,
                               series=_series_name(resource, lang)) for resource, found in behind]
        sentence = phrases.md(phrases.BRIEFING, f"as_of_behind{suffix}", lang, year=year,
                              series=phrases.plain_join(phrases.BRIEFING, "sep_group", lang, items),
                              released=text.date(edition_released(load), lang))
        words = sentence if behind_only else phrases.join(phrases.BRIEFING, "sep_sentence", lang, [words, sentence])
    elif behind_only:
        return ""
    return words + "\n"


def _series_name(resource: str, lang: str) -> str:
    """A series' short name (data/briefing_phrases.csv: the row series_… whose term is the resource)."""
    frame = data.load(phrases.BRIEFING)
    rows = frame[frame["phrase_id"].str.startswith("series_") & (frame["term"] == resource)]
    if rows.empty or not _text(rows[lang].iloc[0]):
        raise data.DataValidationError(data.data_dir() / f"{phrases.BRIEFING}.csv", len(frame) + 2, "term",
                                       "每个所跟踪的系列都有一行 series_…（term 为数据集名）给出简称",
                                       f"没有 term 为“{resource}”、有 {lang} 文本的 series_ 行")
    return _text(rows[lang].iloc[0])


@dataclass(frozen=True)
class SeriesRow:
    """A continuing series' row for a table of key numbers: the article's value (None when the article gives
    none), its year, the latest published value and its year, the article row's `verification` mark."""

    article: Decimal | None
    article_year: str
    latest: Decimal
    latest_year: str
    verification: str
    rank: bool


def series_row(message_id: str, name: str, load: Callable[[str], pd.DataFrame] = data.load) -> SeriesRow:
    """The series that sentence `message_id` (of 文章发表以来) follows under placeholder `name`, as a row of key
    numbers: what the article wrote, the latest published value with its year (data/key_messages.csv's rows)."""
    found = [m for m in key_messages(SINCE, load) if m.message_id == message_id]
    specs = dict(found[0].rows) if found else {}
    if name not in specs:
        raise data.DataValidationError(_messages_file(), "—", "rows", "简报的关键数字所取的系列是“文章发表以来”的一句",
                                       f"没有 message_id 为“{message_id}”、rows 中有“{name}”的行")
    series = _Series(found[0], name, specs[name], load)
    article, verification = None, ""
    if series.index is not None and found[0].article_field:
        row = series.frame.iloc[series.index]
        article, verification = _decimal(row[series._field(found[0].article_field)]), _text(row.get("verification"))
    latest = series.frame.iloc[series._latest_index()]
    return SeriesRow(article, series.parts[series.year_at], _decimal(latest[found[0].published_field]),
                     _text(latest[series.key[series.year_at]]), verification,
                     found[0].published_field.startswith(RANK_FIELD_PREFIX))


# ----------------------------------------------------------------------------------------------------------------
# Findings
# ----------------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class YearShift:
    """A claim that differs from the release for the year the article names but matches the next year's."""

    result: Result
    year: int              # the year the article names
    next_value: Decimal    # the published value one year later (a ratio for ratio claims)
    next_text: str
    # the later row the match rests on (resource, row, its published value): one row, one piece of evidence however
    # many claims use it
    release: tuple[str, str, str] = ("", "", "")


def _year_position(key: Sequence[str]) -> int | None:
    for i, name in enumerate(key):
        if name in YEAR_KEYS:
            return i
    return None


def _shift(spec: str, position: int) -> tuple[int, str] | None:
    parts = spec.split("|")
    if position >= len(parts) or not parts[position].isdigit():
        return None
    year = int(parts[position])
    parts[position] = str(year + 1)
    return year, "|".join(parts)


def _with_next_year(resource: str, spec: str, load: Callable[[str], pd.DataFrame]
                    ) -> tuple[int, Mapping[str, Any] | None, Mapping[str, Any]] | None:
    """The year of row `spec` of `resource`, that row (None if absent) and the same row a year later; None when the
    key has no year or the later row is absent."""
    key = _primary_key(resource)
    position = _year_position(key)
    shifted = _shift(spec, position) if position is not None else None
    if shifted is None:
        return None
    frame = load(resource)
    later = _row(frame, key, shifted[1])
    return None if later is None else (shifted[0], _row(frame, key, spec), later)


def _other_years_support(claim: claims.Claim, resource: str, spec: str, article: Decimal, qualifier: str,
                         load: Callable[[str], pd.DataFrame]) -> bool:
    """Whether a year other than the one the article names and the next gives a published value that supports the
    article's (IMD's "/63": 63 economies in 2017–2020 and 2022): then the next year's match says nothing about
    which release the author used."""
    key = _primary_key(resource)
    position = _year_position(key)
    parts = spec.split("|")
    named = int(parts[position])
    for row in load(resource).to_dict("records"):
        year = _decimal(row.get(key[position]))
        if year is None or int(year) in (named, named + 1):
            continue
        if any(_text(row.get(k)) != p for i, (k, p) in enumerate(zip(key, parts)) if i != position):
            continue
        published = _decimal(row.get(claim.published_field))
        if published is not None and (article == published if claim.check == "exact"
                                      else claims.amount_supported(article, qualifier, published)):
            return True
    return False


def _release(resource: str, row: Mapping[str, Any], field: str) -> tuple[str, str, str]:
    key = _primary_key(resource)
    return resource, "|".join(_text(row.get(k)) for k in key), _number(_decimal(row.get(field)) or Decimal(0))


def year_shifts(results: Sequence[Result], load: Callable[[str], pd.DataFrame] = data.load) -> list[YearShift]:
    """The 不一致 claims whose article value the next year's published value supports (same resource, the row for
    the following year): an `amount`/`exact` claim on one row, or a `ratio` whose numerator row is shifted. A value
    that other years' releases give as well is left out: it is no evidence of which release the author used."""
    found = []
    for result in results:
        claim = result.claim
        if result.status != DIFFERS:
            continue
        if claim.check in ("amount", "exact") and len(claim.rows) == 1:
            pair = _with_next_year(claim.resource, claim.rows[0], load)
            if pair is None or pair[1] is None:
                continue
            year, mine, later = pair
            article, published = _decimal(mine.get(claim.article_field)), _decimal(later.get(claim.published_field))
            if article is None or published is None:
                continue
            qualifier = _text(mine.get("qualifier"))
            supported = (article == published if claim.check == "exact" else
                         claims.amount_supported(article, qualifier, published))
            if supported and not _other_years_support(claim, claim.resource, claim.rows[0], article, qualifier, load):
                found.append(YearShift(result, year, published, _number(published),
                                       _release(claim.resource, later, claim.published_field)))
        elif claim.check == "ratio" and len(claim.other_rows) == 2 and claim.other_resource:
            pair = _with_next_year(claim.other_resource, claim.other_rows[0], load)
            if pair is None:
                continue
            year, _, top = pair
            bottom = _row(load(claim.other_resource), _primary_key(claim.other_resource), claim.other_rows[1])
            mine = _row(load(claim.resource), _primary_key(claim.resource), claim.rows[0])
            if top is None or bottom is None or mine is None:
                continue
            numerator, denominator = (_decimal(r.get(claim.published_field)) for r in (top, bottom))
            article = _decimal(mine.get(claim.article_field))
            if numerator is None or not denominator or article is None:
                continue
            ratio = numerator / denominator
            if claims.amount_supported(article, _text(mine.get("qualifier")), ratio):
                shown = ratio.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
                found.append(YearShift(result, year, ratio,
                                       f"{_number(shown)}（{_number(numerator)} ÷ {_number(denominator)}）",
                                       _release(claim.other_resource, top, claim.published_field)))
    return found


def self_contradictions(results: Sequence[Result], load: Callable[[str], pd.DataFrame] = data.load
                        ) -> list[tuple[Result, list[str]]]:
    """`at_most` claims ("近 5 年均排在前 15 名") that the article's own figures break (more rows over the threshold
    than the claim allows): each with the rows over it, written "2017 年第 16 名"."""
    found = []
    for result in results:
        claim = result.claim
        if claim.check != "at_most" or claim.threshold is None:
            continue
        key = _primary_key(claim.resource)
        frame = load(claim.resource)
        over = []
        for spec in claim.rows:
            row = _row(frame, key, spec)
            value = _decimal(row.get(claim.article_field)) if row is not None else None
            if value is not None and value > Decimal(str(claim.threshold)):
                over.append(_over(key, spec, value))
        if len(over) > claim.allowed_exceptions:  # "基本保持在前十名" allows one year outside
            found.append((result, over))
    return found


_LEADING_NUMBER = re.compile(r"^\d+(?:\.\d+)?")


def _with_unit_of(shown: str, published_value: str) -> str:
    """`shown` (a number, maybe with its computation in brackets) with the unit the register's published value
    uses: "3985", "3755 家" → "3985 家"; "2.56（3985 ÷ 1558）", "2.41 倍（…）" → "2.56 倍（3985 ÷ 1558）"."""
    match = _LEADING_NUMBER.match(published_value)
    if not match:
        return shown
    unit = published_value[match.end():].split("（")[0]
    number, bracket, rest = shown.partition("（")
    return f"{number}{unit}{bracket}{rest}"


def _say(phrase_id: str, **values: object) -> markdown.Markup:
    """A findings template (data/findings_phrases.csv) as MyST, its placeholders filled."""
    return phrases.md(phrases.FINDINGS, phrase_id, "zh", **values)


def _joined(items: Sequence[str], separator: str = "sep_item") -> markdown.Markup:
    return phrases.join(phrases.FINDINGS, separator, "zh", list(items))


def _entry(result: Result) -> markdown.Markup:
    """A link to the claim's entry in the register, in the template's words ("第 12 条")."""
    words = re.sub(r"[`<>]", "", phrases.plain(phrases.FINDINGS, "entry", "zh", number=result.claim.number))
    return markdown.Markup(f"{{ref}}`{words} <{result.claim.label}>`")


def _tally(results: Sequence[Result], load: Callable[[str], pd.DataFrame]) -> str:
    counts = claims.status_counts(results)
    secondary = claims.secondary_only(results, claims.source_kinds(load))
    pending = _say("tally_pending", pending=counts[PENDING]) if counts[PENDING] else ""
    return _say("tally", total=len(results), by_text=counts[BY_TEXT], consistent=counts[CONSISTENT],
                secondary=secondary, differs=counts[DIFFERS], not_found=counts[NOT_FOUND], pending=pending)


def _over(key: Sequence[str], spec: str, value: Decimal) -> str:
    position = _year_position(key)
    if position is None:
        return phrases.plain(phrases.FINDINGS, "over_row", "zh", row=spec, rank=_number(value))
    return phrases.plain(phrases.FINDINGS, "over_year", "zh", year=spec.split("|")[position], rank=_number(value))


def _shifts(shifts: Sequence[YearShift]) -> str:
    """The claims that fit the next year's release, the evidence they rest on, and the editor's inference."""
    items = [_say("shift_item", statement=s.result.claim.statement, article=s.result.article_value, year=s.year,
                  published=s.result.published_value.split("（")[0], next_year=s.year + 1,
                  next=_with_unit_of(s.next_text, s.result.published_value), entry=_entry(s.result)) for s in shifts]
    years = sorted({s.year for s in shifts})
    releases = list(dict.fromkeys(s.release for s in shifts))
    out = _say("shifts", count=len(shifts), items=_joined(items))
    if len(releases) < len(shifts):  # several claims resting on one later row are one piece of evidence
        which = _joined([_say("release_item", title=_title(resource), row=row, value=value)
                         for resource, row, value in releases])
        kind = _say("evidence_one") if len(releases) == 1 else _say("evidence_many", count=len(releases))
        out += _say("shifts_same_evidence", count=len(shifts), kind=kind, releases=which, evidence=len(releases))
    return out + _say("shifts_inference", next_year=years[-1] + 1, year=years[-1], evidence=len(releases))


def findings(results: Sequence[Result], load: Callable[[str], pd.DataFrame] = data.load) -> list[str]:
    """3–5 paragraphs (MyST Markdown) on what checking the article's numbers found, from the register, in the order an
    official needs them: the tally; the larger gaps; the claims the article's own figures contradict; the figures
    that fit the next year's release; how many small gaps remain (listed in the register only). Every word is a
    template of data/findings_phrases.csv."""
    out = [_tally(results, load)]
    explained: set[str] = set()
    contradicted = [(r, over) for r, over in self_contradictions(results, load) if r.status == DIFFERS]
    explained.update(r.claim.claim_id for r, _ in contradicted)
    order = {r.claim.claim_id: i for i, r in enumerate(claims.by_materiality(results))}
    shifts = sorted(year_shifts(results, load), key=lambda s: order[s.result.claim.claim_id])
    explained.update(s.result.claim.claim_id for s in shifts)
    others = [r for r in claims.by_materiality(results) if r.status == DIFFERS and r.claim.claim_id not in explained]
    major, minor = [r for r in others if not r.minor], [r for r in others if r.minor]
    if major:
        out.append(_say("major", count=len(major), items=_joined([
            _say("major_item", statement=r.claim.statement, article=r.article_value, published=r.published_value,
                 entry=_entry(r)) for r in major])))
    if contradicted:
        out.append(_say("contradiction", items=_joined([
            _say("contradiction_item", excerpt=r.claim.excerpt, over=_joined([markdown.text(o) for o in over], "sep_list"),
                 entry=_entry(r)) for r, over in contradicted])))
    if shifts:
        out.append(_shifts(shifts))
    if minor:
        out.append(_say("minor", count=len(minor), register=markdown.Markup(
            f"{{ref}}`{re.sub(r'[`<>]', '', phrases.plain(phrases.FINDINGS, 'register', 'zh'))} <claims-register>`")))
    return out


def findings_markdown(results: Sequence[Result], load: Callable[[str], pd.DataFrame] = data.load) -> str:
    return "\n\n".join(findings(results, load)) + "\n"
