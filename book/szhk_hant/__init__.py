"""The Hong Kong edition's converter: Simplified → Traditional Chinese (Hong Kong), character by character.

OpenCC's s2hk configuration (a maintained library, PyPI `opencc`) converts; a small phrase table (hk_phrases.csv,
beside this file) corrects the few terms whose Hong Kong usage differs from what OpenCC chooses, e.g. 25 周年 (OpenCC
gives 週年). Both sides use it: the Sphinx extension (szhk_sphinx.hant: every text of the pages and the PDFs) and the
kernels (szhk.hant: the figures' labels). Standard library and OpenCC only.

A phrase-table entry may only choose another Traditional spelling of the same characters: it is refused, naming
file, row and column, when it changes a number, would change a name in a citation, or changes the author's words
(OpenCC's own Traditional → Simplified conversion of the HK form must give back the Simplified input exactly).
"""
from __future__ import annotations

import csv
import functools
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

PHRASES = Path(__file__).with_name("hk_phrases.csv")
COLUMNS = ("simplified", "converted", "hk", "why", "source", "accessed")
CONFIG = "s2hk"  # OpenCC: Simplified → Traditional Chinese, Hong Kong variant
BACK = "t2s"  # OpenCC: Traditional → Simplified, what a phrase entry's HK form must read back as
# Arabic and full-width digits, and the characters Chinese writes numbers with (Simplified and Traditional).
_NUMERALS = re.compile(r"[0-9０-９〇零一二三四五六七八九十廿卅百千万萬亿億兆两兩壹贰貳叁參肆伍陆陸柒捌玖拾佰仟]")


class PhraseError(ValueError):
    """A phrase-table entry that may not be used; the message names file, row and column."""


@dataclass(frozen=True)
class Phrase:
    simplified: str
    converted: str
    hk: str
    row: int


@functools.cache
def _opencc(config: str):
    import opencc  # the PyPI package of OpenCC (C++ core)

    return opencc.OpenCC(config)


def numerals(text: str) -> list[str]:
    return _NUMERALS.findall(text)


def _where(path: Path, row: int, column: str) -> str:
    return f"{path}, row {row}, column {column}"


def _filled_rows(path: Path, columns: Sequence[str]) -> Iterator[tuple[int, dict[str, str]]]:
    """(line, values) of each row of a CSV whose `columns` must all be present and filled (row 1 is the header, as
    a spreadsheet counts); PhraseError naming the file, row and column otherwise."""
    with open(path, encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in columns if c not in (reader.fieldnames or [])]
        if missing:
            raise PhraseError(f"{path}, row 1: missing column(s) {', '.join(missing)} (expected {', '.join(columns)})")
        for row_number, row in enumerate(reader, start=2):
            values = {c: (row.get(c) or "").strip() for c in columns}
            for column in columns:
                if not values[column]:
                    raise PhraseError(f"{_where(path, row_number, column)}: empty")
            yield row_number, values


def read_phrases(path: Path = PHRASES, protected: Mapping[str, str] | None = None) -> tuple[Phrase, ...]:
    """The phrase table, checked. `protected`: texts that must not change (a name in a citation → where it is);
    an entry whose Simplified form occurs in one of them is refused."""
    to_hk, back = _opencc(CONFIG), _opencc(BACK)
    phrases = []
    for row_number, values in _filled_rows(path, COLUMNS):
        simplified, converted, hk = values["simplified"], values["converted"], values["hk"]
        if to_hk.convert(simplified) != converted:
            raise PhraseError(f"{_where(path, row_number, 'converted')}: OpenCC ({CONFIG}) converts {simplified} "
                              f"to {to_hk.convert(simplified)}, not {converted}")
        if hk == converted:
            raise PhraseError(f"{_where(path, row_number, 'hk')}: {hk} is what OpenCC already gives")
        if numerals(hk) != numerals(converted):
            raise PhraseError(f"{_where(path, row_number, 'hk')}: {converted} → {hk} would change a number "
                              f"({''.join(numerals(converted)) or '—'} → {''.join(numerals(hk)) or '—'})")
        if back.convert(hk) != simplified:
            raise PhraseError(f"{_where(path, row_number, 'hk')}: {hk} reads back as {back.convert(hk)}, not "
                              f"{simplified}: the entry would change the author's words, not their script")
        for text, place in (protected or {}).items():
            if simplified in text:
                raise PhraseError(f"{_where(path, row_number, 'simplified')}: {simplified} occurs in {place} "
                                  f"({text}); the entry would change a name in a citation")
        phrases.append(Phrase(simplified, converted, hk, row_number))
    return tuple(phrases)


class Converter:
    """Simplified → Traditional (Hong Kong): OpenCC s2hk, then the phrase table where the Simplified text has the
    entry's characters."""

    def __init__(self, phrases: Iterable[Phrase] | None = None) -> None:
        self.phrases = tuple(read_phrases() if phrases is None else phrases)
        self.convert = functools.lru_cache(maxsize=65536)(self._convert)

    def _convert(self, text: str) -> str:
        if not text or text.isascii():
            return text
        out = _opencc(CONFIG).convert(text)
        for phrase in self.phrases:
            if phrase.simplified not in text and phrase.converted not in out:
                continue
            if len(out) == len(text):  # OpenCC kept every character in place: correct exactly where the input has it
                start = text.find(phrase.simplified)
                while start >= 0:
                    end = start + len(phrase.simplified)
                    if out[start:end] == phrase.converted:
                        out = out[:start] + phrase.hk + out[end:]
                    start = text.find(phrase.simplified, end)
            out = out.replace(phrase.converted, phrase.hk)
        return out

    def convert_html(self, markup: str, keep: re.Pattern[str] | None = None) -> str:
        """The text of an HTML page converted (between tags, and attribute values); the parts `keep` matches
        (e.g. a link named in the other edition's script) are left as they are."""
        if keep is None:
            return self._convert_markup(markup)
        parts, last = [], 0
        for match in keep.finditer(markup):
            parts += [self._convert_markup(markup[last:match.start()]), match.group(0)]
            last = match.end()
        return "".join(parts + [self._convert_markup(markup[last:])])

    def _convert_markup(self, markup: str) -> str:
        return _NON_ASCII.sub(lambda m: self.convert(m.group(0)), markup) if not markup.isascii() else markup


# Runs of characters outside ASCII (with the spaces and ASCII punctuation between them, so that OpenCC sees whole
# phrases): tags, attribute names and addresses are ASCII and stay as they are.
_NON_ASCII = re.compile(r"[^\x00-\x7f](?:[^<>\"'&\x00-\x1f]*[^\x00-\x7f])?")


@functools.cache
def converter() -> Converter:
    """The converter with the checked phrase table (one per process)."""
    return Converter()


# The editor's own words in the Hong Kong edition (never the author's, never a quotation): Hong Kong quotation marks
# 「」 (『』 inside them) for “” (‘’), and the few terms Hong Kong usage words differently from what a conversion of
# the script gives (hk_editor_words.csv: e.g. the IMD ranking is 世界數碼競爭力排名 in Hong Kong).
EDITOR_WORDS = Path(__file__).with_name("hk_editor_words.csv")
EDITOR_COLUMNS = ("converted", "hk", "why", "source", "accessed")
_OPENING, _CLOSING = {"“": 0, "‘": 1}, {"”": 0, "’": 1}
_HK_MARKS = (("「", "」"), ("『", "』"))  # outer, inner


def read_editor_words(path: Path = EDITOR_WORDS) -> tuple[tuple[str, str], ...]:
    """(converted, hk) pairs: a term as the script conversion gives it and as the Hong Kong editor writes it."""
    words = []
    for row_number, values in _filled_rows(path, EDITOR_COLUMNS):
        if numerals(values["hk"]) != numerals(values["converted"]):
            raise PhraseError(f"{_where(path, row_number, 'hk')}: {values['converted']} → {values['hk']} would "
                              "change a number")
        words.append((values["converted"], values["hk"]))
    return tuple(words)


class EditorText:
    """The Hong Kong editor's marks and words for converted text, one paragraph at a time: the open quotations are
    carried across the pieces of one paragraph (a quotation around bold text is three pieces). A ’ closes only a
    quotation ‘ opened: otherwise it is an apostrophe (Hong Kong’s, in a quoted English source) and stays."""

    def __init__(self, words: Iterable[tuple[str, str]] | None = None) -> None:
        self.words = tuple(read_editor_words() if words is None else words)
        self.open: list[str] = []

    def new_paragraph(self) -> None:
        self.open = []

    def __call__(self, text: str) -> str:
        """`text` with Hong Kong quotation marks, and the editor's terms outside quotations (a quotation is
        someone else's words: 文章說「……數字競爭力……」 keeps the article's word)."""
        pieces: list[list[object]] = [[len(self.open), ""]]  # [depth, text] runs
        for char in text:
            if char in _OPENING:
                pieces.append([len(self.open) + 1, _HK_MARKS[min(len(self.open), 1)][0]])
                self.open.append(char)
            elif char in _CLOSING and self.open and _OPENING[self.open[-1]] == _CLOSING[char]:
                self.open.pop()
                pieces[-1][1] += _HK_MARKS[min(len(self.open), 1)][1]
                pieces.append([len(self.open), ""])
            else:
                pieces[-1][1] += char
        return "".join(self._words(str(t)) if depth == 0 else str(t) for depth, t in pieces)

    def _words(self, text: str) -> str:
        for converted, hk in self.words:
            text = text.replace(converted, hk)
        return text


__all__ = ["COLUMNS", "Converter", "EDITOR_WORDS", "EditorText", "PHRASES", "Phrase", "PhraseError", "converter",
           "numerals", "read_editor_words", "read_phrases"]
