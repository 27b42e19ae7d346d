"""GB/T 7714-2015 顺序编码制 (numeric, citation order) as a pybtex formatting style named ``gbt7714``.

sphinxcontrib-bibtex formats the bibliography with it for every builder, so the HTML pages and the PDF
show the same entries, numbered the same way. ``GBT7714ReferenceStyle`` (``bibtex_reference_style =
"gbt7714"``) writes the in-text numbers as the standard does: "[3,5]", "[7-11]".

The rules are a port of the numeric style that TeX Live ships, ``gbt7714-numerical.bst`` (gbt7714
v2.1.5, Zeping Lee, LPPL; https://github.com/zepinglee/gbt7714-bibtex-style), with its default
options: entries in citation order (``sorting_style = "none"``: sphinxcontrib-bibtex hands the entries
over already in order of first citation), ``[n]`` labels, Western surnames in capitals followed by
initials, at most three authors then "等" / "et al.", document-type marks such as ``[M]``, ``[R]``,
``[Z]`` and ``[EB/OL]`` (``/OL`` added when the entry has a URL or DOI), sentence case for English
titles (brace-protected words keep their case). ``tests/test_citations.py`` checks the output against
the standard's examples and against BibTeX running the .bst on this project's references.bib.

Differences from the .bst, on purpose: no LaTeX markup (``~`` ties and ``\\allowbreak`` become plain
spaces or nothing); URLs and DOIs are links; a URL comes from the ``url`` field only (the .bst also
takes ``\\url{…}`` out of ``howpublished``/``note``); ``note`` is never shown (as in the .bst's
defaults). Entry types the report does not need and the .bst treats specially (``@preprint``, arXiv
entries) raise an error naming the entry instead of being formatted wrongly.

The fields that matter beyond the usual BibTeX ones:

- ``language`` (or ``langid``): ``chinese``/``english`` choose "等" or "et al." and the edition wording;
  without it the language is guessed from the author and title, as the .bst does. (``zh``/``en`` are
  understood too, but the .bst does not read them: it guesses; ``check_bibfile`` asks for the field.)
- ``mark``: overrides the document type mark (``Z``, ``R``, ``EB`` ...); ``medium``: e.g. ``OL``, ``CD``.
- ``date``: a full date (``2021-10-06``); online documents show it as ``(2021-10-06)``; ``urldate`` is
  the date the source was consulted, shown as ``[2024-01-31]``.
"""
from __future__ import annotations

import re
from urllib.parse import quote, unquote
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pybtex.bibtex.utils import split_name_list
from pybtex.database import BibliographyData, BibliographyDataError, Entry, Person, parse_string
from pybtex.scanner import PybtexSyntaxError
from pybtex.richtext import BaseText, HRef, Text
from pybtex.style import FormattedEntry
from pybtex.style.formatting import BaseStyle
from pybtex.style.template import FieldIsMissing, Node
from sphinxcontrib.bibtex.style.referencing import BracketStyle
from sphinxcontrib.bibtex.style.referencing.basic_label import BasicLabelParentheticalReferenceStyle
from sphinxcontrib.bibtex.style.referencing.label import LabelReferenceStyle

__all__ = ["BibliographyError", "GBT7714ReferenceStyle", "GBT7714Style", "UnsupportedEntry", "check_bibfile",
           "compress_labels", "display_url", "entry_language"]

# Language codes as in the .bst (get.str.lang): the highest one found in a string wins.
LANG_OTHER, LANG_EN, LANG_RU, LANG_ZH, LANG_JA = 0, 1, 2, 3, 4

_LANGUAGE_FIELD = {
    "english": LANG_EN, "american": LANG_EN, "british": LANG_EN, "en": LANG_EN,
    "chinese": LANG_ZH, "zh": LANG_ZH, "zh-cn": LANG_ZH, "zh-hans": LANG_ZH,
    "japanese": LANG_JA, "ja": LANG_JA, "russian": LANG_RU, "ru": LANG_RU,
}

# Output states of the .bst's output machinery.
_BEFORE_ALL, _MID_SENTENCE, _AFTER_SENTENCE, _AFTER_BLOCK, _AFTER_SLASH = range(5)

# Entry types that carry a number after the title ("题名: 编号"), as set.entry.numbered.
_NUMBERED_TYPES = {"patent", "standard", "techreport"}


_URL_ASCII = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789:/?#[]@!$&'()*+,;=-._~")


def display_url(url: str) -> str:
    """An address as shown: percent-encoded non-ASCII characters decoded (the same IRI, readable, and in print it
    breaks between Chinese characters instead of running past the margin); ASCII stays encoded (%20 stays %20)."""
    return "".join(c if ord(c) > 127 or c in _URL_ASCII else quote(c, safe="") for c in unquote(url))


class UnsupportedEntry(ValueError):
    """An entry the style cannot format the way GB/T 7714 wants; the message names the entry."""


class BibliographyError(ValueError):
    """A .bib file that cannot be used; the message names the file, the line and the entry."""


def _char_lang(ch: str) -> int:
    """The .bst's get.str.lang for one character, which reads UTF-8 lead and second bytes."""
    raw = ch.encode("utf-8")
    byte = raw[0]
    if byte < 128:
        return LANG_EN if ch.isascii() and ch.isalpha() else LANG_OTHER
    second = raw[1]
    if byte < 224:  # two-byte sequences: Cyrillic
        return LANG_RU if 207 < byte < 212 or (byte == 212 and second < 176) else LANG_OTHER
    if byte < 240:  # three-byte sequences: CJK, kana, full-width forms
        if 227 < byte < 234:
            return LANG_ZH
        if byte == 227:
            if second > 143:
                return LANG_ZH
            return LANG_JA if 128 < second < 132 else LANG_OTHER
        return LANG_ZH if byte == 239 and 163 < second < 172 else LANG_OTHER
    return LANG_ZH if byte == 240 and second > 159 else LANG_OTHER


def _str_lang(text: str) -> int:
    return max((_char_lang(ch) for ch in text), default=LANG_OTHER)


def entry_language(entry: Entry) -> int:
    """LANG_* of an entry: its ``langid``/``language`` field, else guessed from author and title."""
    declared = (entry.fields.get("langid") or entry.fields.get("language") or "").strip().lower()
    if declared in _LANGUAGE_FIELD:
        return _LANGUAGE_FIELD[declared]
    authors = " and ".join(str(p) for p in entry.persons.get("author", []))
    return _str_lang(authors + entry.fields.get("title", ""))


def _change_case(latex: str, mode: str) -> str:
    """BibTeX's change.case$ on a field's LaTeX source: "u" upper case, "t" sentence case.

    Text inside braces is left alone, as BibTeX does. "t" keeps the first character and the first
    character after a colon and white space, and lower-cases the rest.
    """
    out = []
    depth = 0
    prev_colon = False
    for i, ch in enumerate(latex):
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth = max(depth - 1, 0)
        elif depth == 0:
            if mode == "u":
                ch = ch.upper()
            elif not (i == 0 or (prev_colon and latex[i - 1].isspace())):
                ch = ch.lower()
            if ch == ":":
                prev_colon = True
            elif not ch.isspace():
                prev_colon = False
        out.append(ch)
    return "".join(out)


def _latex(source: str) -> Text:
    return Text.from_latex(source)


def _before(value: str, sep: str) -> str:
    """The part before the first ``sep`` (extract.before.dash / extract.before.slash)."""
    return value.split(sep, 1)[0]


def _after(value: str, seps: str) -> str:
    """The part after the first run of ``seps`` characters (extract.after.dash / .slash)."""
    match = re.search(f"[{re.escape(seps)}]+", value)
    return value[match.end():] if match else ""


def _hyphenate(pages: str) -> str:
    """Page ranges with one hyphen: "235--236" -> "235-236" (the .bst's hyphenate)."""
    return re.sub(r"-+", "-", pages)


def _ordinal(number: str) -> str:
    last = number[-1]
    return number + {"1": "st", "2": "nd", "3": "rd"}.get(last, "th")


class _Writer:
    """The .bst's output machinery: a pending piece, written with the separator the state asks for."""

    def __init__(self) -> None:
        self.parts: list[BaseText | str] = []
        self.pending: BaseText = Text()
        self.state = _BEFORE_ALL

    def _write_pending(self, mid_sep: str) -> None:
        if self.state == _MID_SENTENCE:
            self.parts += [self.pending, mid_sep]
            return
        if self.state == _AFTER_BLOCK:
            self.parts += [self.pending.add_period(), " "]
        elif self.state == _BEFORE_ALL:
            self.parts.append(self.pending)
        elif self.state == _AFTER_SLASH:
            self.parts += [self.pending, "//"]
        else:  # after a sentence
            self.parts += [self.pending.add_period(), " "]
        self.state = _MID_SENTENCE

    def output(self, piece: BaseText | str, mid_sep: str = ", ") -> None:
        """output / output.after: nothing happens for an empty piece."""
        if not piece:
            return
        self._write_pending(mid_sep)
        self.pending = piece if isinstance(piece, BaseText) else Text(piece)

    def new_block(self) -> None:
        if self.state not in (_BEFORE_ALL, _AFTER_SLASH):
            self.state = _AFTER_BLOCK

    def new_sentence(self) -> None:
        if self.state not in (_AFTER_BLOCK, _BEFORE_ALL, _AFTER_SLASH):
            self.state = _AFTER_SENTENCE

    def new_slash(self) -> None:
        if self.state != _BEFORE_ALL:
            self.state = _AFTER_SLASH

    def finish(self) -> Text:
        self.parts.append(self.pending.add_period())
        return Text(*[p for p in self.parts if p])


class _Formatter:
    """Formats one entry; mirrors the .bst's functions of the same names."""

    def __init__(self, entry: Entry) -> None:
        self.entry = entry
        self.f = entry.fields
        self.lang = entry_language(entry)
        self.numbered = entry.type.lower() in _NUMBERED_TYPES
        self.mark = ""
        self.url = self.f.get("url", "")
        doi = self.f.get("doi", "")
        self.is_electronic = bool(self.url or doi) or self.f.get("medium", "") in ("MT", "DK", "CD", "OL")
        self.pure_electronic = False
        self.w = _Writer()

    # -- small pieces -------------------------------------------------------------------------
    def get(self, name: str) -> str:
        return self.f.get(name, "").strip()

    def et_al(self) -> str:
        return {LANG_ZH: "等", LANG_JA: "他", LANG_RU: "идр"}.get(self.lang, "et al.")

    def set_mark(self, mark: str) -> None:
        if not self.mark:
            self.mark = self.get("mark") or mark

    def format_name(self, person: Person) -> Text | str:
        if " ".join(person.last_names) == "others" and not person.first_names:
            return self.et_al()
        full = " ".join(person.prelast_names + person.last_names + person.lineage_names
                        + person.first_names + person.middle_names)
        if _str_lang(full) == LANG_EN:
            surname = " ".join(person.prelast_names + person.last_names)
            initials = [_initial(n) for n in person.first_names + person.middle_names]
            text = _change_case(" ".join([surname, *filter(None, initials)]), "u")
            if person.lineage_names:
                text += ", " + " ".join(person.lineage_names)
            return _latex(text)
        return _latex(" ".join(person.last_names) + " ".join(person.first_names + person.middle_names))

    def persons(self, role: str) -> list[Person]:
        """Names in a role; pybtex parses author/editor itself, other roles (translator) are fields."""
        if role in self.entry.persons:
            return list(self.entry.persons[role])
        return [Person(name) for name in split_name_list(self.get(role))] if self.get(role) else []

    def format_names(self, role: str) -> Text:
        persons = self.persons(role)
        names: list[Text | str] = []
        for i, person in enumerate(persons, start=1):
            name = self.format_name(person)
            if name == self.et_al() or (len(persons) > 3 and i > 3):
                names.append(self.et_al())
                break
            names.append(name)
        return Text(", ").join([n if isinstance(n, BaseText) else Text(n) for n in names])

    def title_case(self, latex: str) -> str:
        return _change_case(latex, "t") if self.lang == LANG_EN else latex

    def format_title(self) -> Text:
        title = self.title_case(self.get("title"))
        if self.numbered and self.get("number"):
            title += ": " + self.get("number")
        return _latex(title)

    def format_volume_number(self) -> str:
        for name, zh_word, en_abbr in (("volume", "卷", "Vol."), ("number", "册", "No.")):
            value = self.get(name)
            if value:
                if not value.isdigit():
                    return value
                if self.lang == LANG_ZH:
                    return f"第 {value} {zh_word}"
                return f"{en_abbr} {value}"
        return ""

    def format_series_vol_num_title(self) -> Text:
        series = self.get("series")
        vol_num = self.format_volume_number()
        if series:
            text = self.title_case(series)
            if self.numbered:
                text += "\\quad "
            else:
                text += ": " + (vol_num + "\\quad " if vol_num else "")
            text += self.get("title")
            text = self.title_case(text)
            if self.numbered and self.get("number"):
                text += ": " + self.get("number")
            return _latex(text)
        text = self.title_case(self.get("title"))
        if self.numbered:
            if self.get("number"):
                text += ": " + self.get("number")
        elif vol_num:
            text += ": " + vol_num
        return _latex(text)

    def format_mark(self) -> str:
        mark = self.mark
        if self.get("medium"):
            mark += "/" + self.get("medium")
        elif self.is_electronic:
            mark += "/OL"
        return f"[{mark}]"

    def format_edition(self) -> str:
        edition = self.get("edition")
        if not edition:
            return ""
        if edition.isdigit():
            if edition == "1":
                return ""
            return edition + " 版" if self.lang == LANG_ZH else _ordinal(edition) + " ed."
        if self.lang == LANG_EN:
            edition = _change_case(edition, "t")
            return "Rev. ed." if edition in ("Revised", "Revised edition") else edition + " ed."
        return edition

    def format_publisher(self) -> str:
        for name in ("publisher", "school", "organization", "institution"):
            if self.get(name):
                return self.get(name)
        return ""

    def format_address_publisher(self) -> Text:
        address = self.get("address") or self.get("location")
        publisher = self.format_publisher()
        if address:
            return _latex(address + (": " + publisher if publisher else ""))
        return _latex(publisher) if publisher else Text()

    def format_year(self) -> str:
        if self.get("year"):
            return _before(self.get("year"), "/")
        if self.get("date"):
            return _before(self.get("date"), "-")
        if self.get("urldate"):
            return "[" + _before(self.get("urldate"), "-") + "]"
        return ""

    def format_date(self) -> str:
        date = self.get("date")
        if date and (self.entry.type.lower() in ("patent", "newspaper")
                     or (self.entry.type.lower() == "article" and self.get("entrysubtype") == "newspaper")):
            return date
        return self.format_year() if (date or self.get("year")) else ""

    def format_urldate(self) -> str:
        if self.get("urldate") and (self.url or self.pure_electronic):
            return "[" + self.get("urldate") + "]"
        return ""

    def format_pages(self) -> str:
        return _hyphenate(self.get("pages"))

    def output_url_doi(self) -> None:
        if self.url:
            self.w.new_block()
            self.w.output(Text(HRef(self.url, display_url(self.url))))
        doi = self.get("doi")
        if doi:
            dois = [d for d in re.split(r"[,\s]+", doi) if d and d not in self.url]
            if dois:
                parts: list[BaseText | str] = ["DOI: "]
                for i, d in enumerate(dois):
                    parts += ([", "] if i else []) + [HRef("https://doi.org/" + d, d)]
                self.w.new_block()
                self.w.output(Text(*parts))

    def require(self, piece: BaseText | str, field: str) -> BaseText | str:
        if not piece:
            raise FieldIsMissing(field, self.entry)
        return piece

    def authors_or_key(self) -> None:
        self.w.output(self.format_names("author"))
        if not self.entry.persons.get("author"):
            self.w.output(self.get("key"))

    # -- the .bst's entry functions ---------------------------------------------------------------
    def monograph(self) -> None:
        w = self.w
        names = self.format_names("author") or self.format_names("editor")
        w.output(names)
        w.new_block()
        w.output(self.require(self.format_series_vol_num_title(), "title"))
        self.set_mark("M")
        w.output(self.format_mark(), "")
        w.new_block()
        w.output(self.format_translators())
        w.new_sentence()
        w.output(self.format_edition())
        w.new_block()
        w.output(self.format_address_publisher())
        w.output(self.format_year())
        w.output(self.format_pages(), ": ")
        w.output(self.format_urldate(), "")
        self.output_url_doi()

    def format_translators(self) -> Text:
        names = self.format_names("translator")
        if names and self.lang == LANG_ZH:
            return names + ("译" if len(self.persons("translator")) > 3 else ", 译")
        return names

    def incollection(self) -> None:
        w = self.w
        self.authors_or_key()
        w.new_block()
        w.output(self.require(self.format_title(), "title"))
        self.set_mark("M")
        w.output(self.format_mark(), "")
        w.new_block()
        w.output(self.format_translators())
        w.new_slash()
        w.output(self.format_names("editor"))
        w.new_block()
        w.output(self.require(self.format_series_vol_num_booktitle(), "booktitle"))
        w.new_block()
        w.output(self.format_edition())
        w.new_block()
        w.output(self.format_address_publisher())
        w.output(self.format_year())
        pages = self.get("pages")
        w.output(_hyphenate(pages), ": ")
        w.output(self.format_urldate(), "")
        self.output_url_doi()

    def format_series_vol_num_booktitle(self) -> Text:
        vol_num = self.format_volume_number()
        series = self.get("series")
        if series:
            text = series + ": "
            if not self.numbered and vol_num:
                text += vol_num + "\\quad "
            return _latex(text + self.get("booktitle"))
        text = self.get("booktitle")
        if text and not self.numbered and vol_num:
            text += ": " + vol_num
        return _latex(text)

    def journal_article(self) -> None:
        w = self.w
        self.authors_or_key()
        w.new_block()
        w.output(self.require(self.format_title(), "title"))
        self.set_mark("N" if self.get("entrysubtype") == "newspaper" else "J")
        w.output(self.format_mark(), "")
        w.new_block()
        w.output(self.require(_latex(self.journal_title()), "journal"))
        w.output(self.format_date())
        w.output(self.get("volume"))
        if self.get("number"):
            w.output("(" + self.get("number") + ")", "")
        w.output(self.format_pages(), ": ")
        w.output(self.format_urldate(), "")
        self.output_url_doi()

    def periodical(self) -> None:
        """A whole serial: "1984, 1(1)–" and "1957(1)–1990(4)" ("--" in the .bst is LaTeX's en dash)."""
        w = self.w
        self.authors_or_key()
        w.new_block()
        w.output(self.require(self.format_title(), "title"))
        self.set_mark("J")
        w.output(self.format_mark(), "")
        w.new_block()
        year, volume, number = self.get("year"), self.get("volume"), self.get("number")
        first_year, last_year = _before(year, "/"), _after(year, "/")
        span = first_year + (", " + _before(volume, "-") if volume else "")
        span += "(" + _before(number, "-") + ")" if number else ""
        span += "\u2013"
        if last_year or _after(volume, "-") or _after(number, "-"):
            span += last_year or first_year
            span += ", " + _after(volume, "-") if volume else ""
            span += "(" + _after(number, "-") + ")" if number else ""
        w.output(span)
        w.new_block()
        w.output(self.format_address_publisher())
        w.output(first_year + "\u2013" + last_year if year else "")
        w.output(self.format_urldate(), "")
        self.output_url_doi()

    def journal_title(self) -> str:
        return self.get("journal") or self.get("journaltitle") or self.get("shortjournal")

    def patent(self) -> None:
        w = self.w
        self.authors_or_key()
        w.new_block()
        w.output(self.require(self.format_title(), "title"))
        self.set_mark("P")
        w.output(self.format_mark(), "")
        w.new_block()
        w.output(self.format_date())
        w.output(self.format_urldate(), "")
        self.output_url_doi()

    def electronic(self) -> None:
        self.is_electronic = True
        self.pure_electronic = True
        w = self.w
        self.authors_or_key()
        w.new_block()
        w.output(self.require(self.format_series_vol_num_title(), "title"))
        self.set_mark("EB")
        w.output(self.format_mark(), "")
        w.new_block()
        w.output(self.format_edition())  # 版本项 after the title, as for monographs: "题名[EB/OL]. 1.0 版."
        w.new_block()
        w.output(self.format_address_publisher())
        if not self.get("date"):
            w.output(self.format_date())
        w.output(self.format_pages(), ": ")
        if self.get("date"):
            w.output("(" + self.get("date") + ")", "")
        w.output(self.format_urldate(), "")
        self.output_url_doi()

    def misc(self) -> None:
        if self.journal_title():
            if self.journal_title()[:5].lower() == "arxiv":
                raise UnsupportedEntry(f"{self.entry.key}: arXiv preprints are not supported by the gbt7714 style")
            self.journal_article()
        elif self.get("booktitle"):
            self.incollection()
        elif self.get("publisher"):
            self.monograph()
        elif self.get("eprint") or self.get("archiveprefix"):
            raise UnsupportedEntry(f"{self.entry.key}: preprints (eprint) are not supported by the gbt7714 style")
        elif self.is_electronic:
            self.electronic()
        else:
            self.set_mark("Z")
            self.monograph()

    # Entry type -> (mark to set first, function), as the .bst's type functions.
    def run(self) -> Text:
        kind = self.entry.type.lower()
        table: dict[str, tuple[str, Callable[[], None]]] = {
            "article": ("", self.misc), "misc": ("", self.misc), "unpublished": ("", self.misc),
            "book": ("", self.monograph), "booklet": ("", self.monograph), "inbook": ("", self.monograph),
            "manual": ("", self.monograph), "collection": ("G", self.monograph),
            "proceedings": ("C", self.monograph), "mastersthesis": ("D", self.monograph),
            "phdthesis": ("D", self.monograph), "incollection": ("", self.incollection),
            "inproceedings": ("C", self.incollection), "conference": ("C", self.incollection),
            "newspaper": ("N", self.misc), "online": ("EB", self.electronic),
            "webpage": ("EB", self.electronic), "database": ("DB", self.electronic),
            "dataset": ("DS", self.electronic), "software": ("CP", self.electronic),
            "standard": ("S", self.misc), "techreport": ("R", self.misc), "archive": ("A", self.misc),
            "legislation": ("A", self.misc), "map": ("CM", self.misc), "patent": ("", self.patent),
            "periodical": ("", self.periodical),
        }
        if kind not in table:
            if kind == "preprint":
                raise UnsupportedEntry(f"{self.entry.key}: @{kind} entries are not supported by the gbt7714 style")
            mark, function = "", self.misc  # the .bst's default.type
        else:
            mark, function = table[kind]
        if mark:
            self.set_mark(mark)
        function()
        return self.w.finish()


def _initial(name: str) -> str:
    """Initials of a given name; "Jong-Rin" -> "J R" (the .bst's "{ f{~}}"). Braced groups stay whole."""
    initials = []
    for piece in (p for p in name.split("-") if p):
        if piece.startswith("{"):
            initials.append(piece[: piece.find("}") + 1] if "}" in piece else piece)
        else:
            initials.append(piece[0])
    return " ".join(initials)


class GBT7714Style(BaseStyle):
    """GB/T 7714-2015 numeric style: numbers in citation order, as the standard's 顺序编码制."""

    default_label_style = "number"
    default_sorting_style = "none"
    default_name_style = "plain"  # unused by the formatting itself, but pybtex requires one

    def format_entry(self, label: str, entry: Entry, bib_data: Any = None) -> FormattedEntry:
        return FormattedEntry(entry.key, _Formatter(entry).run(), label)


def compress_labels(children: Sequence[BaseText]) -> list[BaseText]:
    """Numbers of one citation in ascending order, runs of consecutive numbers as "first-last"
    (GB/T 7714-2015 10.1.2: 各序号间用","; 如遇连续序号，起讫序号间用短横线连接). Anything that is not a
    bare number (a citation with pre- or post-text) leaves the list as it is."""
    if not all(str(child).isdigit() for child in children):
        return list(children)
    ordered = sorted(children, key=lambda child: int(str(child)))
    out: list[BaseText] = []
    start = 0
    for i in range(1, len(ordered) + 1):
        if i == len(ordered) or int(str(ordered[i])) != int(str(ordered[i - 1])) + 1:
            out.append(ordered[start] if i - 1 == start else Text(ordered[start], "-", ordered[i - 1]))
            start = i
    return out


@dataclass
class _CompressedLabelStyle(BasicLabelParentheticalReferenceStyle):
    """sphinxcontrib-bibtex's [n] citations, with the numbers sorted and ranges compressed."""

    def outer(self, role_name: str, children: list[BaseText]) -> Node:
        return super().outer(role_name, compress_labels(children))


@dataclass
class GBT7714ReferenceStyle(LabelReferenceStyle):
    """In-text citations for GB/T 7714-2015 顺序编码制: "[1]", "[3,5]", "[7-11]" (no space after commas)."""

    bracket_parenthetical: BracketStyle = field(default_factory=lambda: BracketStyle(sep=","))

    def __post_init__(self) -> None:
        super().__post_init__()
        compressed = _CompressedLabelStyle(
            bracket=self.bracket_parenthetical, pre_text_sep=self.pre_text_sep, post_text_sep=self.post_text_sep)
        self.styles[0] = compressed
        self.role_style.update((name, compressed) for name in compressed.role_names())



_ENTRY_START = re.compile(r"^[ \t]*@\s*(\w+)\s*[{(]\s*([^,\s]*)", re.MULTILINE)


def _entry_lines(text: str) -> list[tuple[int, str, str]]:
    """(line, type, key) of every entry in a .bib text, in file order."""
    return [(text.count("\n", 0, m.start()) + 1, m.group(1).lower(), m.group(2)) for m in _ENTRY_START.finditer(text)]


def check_bibfile(path: Path, label: str | None = None) -> BibliographyData:
    """Parse a .bib file strictly and format every entry; raise BibliographyError naming the entry at fault.

    pybtex's own syntax errors give only a line number ("syntax error in line 278: premature end of
    file"); this names the entry that was being read there. An entry also has to declare its language
    (``language = {chinese}`` or ``{english}``), which decides "等" or "et al.", and must be formattable
    (a title, a supported type).
    """
    label = label or str(path)
    text = Path(path).read_text(encoding="utf-8")
    entries = _entry_lines(text)

    def entry_at(line: int) -> str:
        before = [(n, kind, key) for n, kind, key in entries if n <= line and kind not in ("comment", "preamble", "string")]
        return f"entry '{before[-1][2]}' (line {before[-1][0]})" if before else "the text before the first entry"

    try:
        data = parse_string(text, "bibtex")
    except PybtexSyntaxError as exc:
        raise BibliographyError(f"{label}, line {exc.lineno}: {entry_at(exc.lineno or 0)} is malformed: {exc}") from exc
    except BibliographyDataError as exc:  # e.g. a key used twice
        key = str(exc).rsplit(": ", 1)[-1]
        lines = [str(n) for n, _, k in entries if k.lower() == key.lower()]
        raise BibliographyError(f"{label}, lines {', '.join(lines)}: entry '{key}': {exc}") from exc
    line_of = {key.lower(): n for n, _, key in entries}
    style = GBT7714Style()
    for key, entry in data.entries.items():
        where = f"{label}, line {line_of.get(key.lower(), '?')}: entry '{key}'"
        declared = (entry.fields.get("langid") or entry.fields.get("language") or "").strip().lower()
        if declared not in _LANGUAGE_FIELD:
            raise BibliographyError(f"{where} needs language = {{chinese}} or {{english}} (found {declared or 'none'!r})")
        try:
            style.format_entry("0", entry)
        except (FieldIsMissing, UnsupportedEntry) as exc:
            raise BibliographyError(f"{where} cannot be formatted: {exc}") from exc
    return data
