"""The editor's sentence templates: data, not Python (data/findings_phrases.csv, data/briefing_phrases.csv).

One row per template: `phrase_id`, its Chinese (`zh`) and English (`en`) text with named placeholders
(``{total}``), and a note for the maintainer. Code only fills the placeholders; every word a reader sees is in the
file. A template is checked when its file is read: its placeholders are plain names, and the English names the
same ones as the Chinese (a translation says the same thing). An unknown id, a placeholder the code does not give,
or an English text missing where an English page asks for it stops the build, naming file, row and column.

The templates live in three files so that editing one re-executes only the pages that read it: the front page's
findings (`FINDINGS`), the briefings' and English page's words (`BRIEFING`), and the claims register's, its margin
notes' and the data appendix's words (`REGISTER`).
"""
from __future__ import annotations

import re
import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import pandas as pd

from . import data, markdown

__all__ = ["FINDINGS", "BRIEFING", "REGISTER", "LANGS", "Template", "templates", "template", "plain", "md", "join", "plain_join",
           "term"]

FINDINGS = "findings_phrases"   # the front page's 本书的核验发现
BRIEFING = "briefing_phrases"   # the briefings (Chinese and English), the English page, the message links
REGISTER = "register_phrases"   # the claims register, the chapters' margin notes, the data appendix
LANGS = ("zh", "en")


@dataclass(frozen=True)
class Template:
    phrase_id: str
    text: Mapping[str, str]   # lang -> template
    line: int                 # its line in the file (the header is line 1), for errors
    resource: str

    def fields(self, lang: str) -> list[str]:
        return [f for _, f, _, _ in string.Formatter().parse(self.text[lang]) if f is not None]


def _cell(value: object) -> str:
    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)


def _error(resource: str, line: int | str, column: str, problem: str) -> data.DataValidationError:
    return data.DataValidationError(data.data_dir() / f"{resource}.csv", line, column,
                                    "每条模板的占位符是 {名称}，英文与中文用同样的占位符", problem)


def templates(resource: str, load: Callable[[str], pd.DataFrame] = data.load) -> dict[str, Template]:
    """Every template of `resource`, by id, each checked (placeholders well formed, the same in both languages).
    Checked once per content of the file (a page fills hundreds of templates); the file is loaded every time, so
    the chapter's declaration of what it reads still holds."""
    frame = load(resource)
    sha256 = frame.attrs.get("sha256")
    if not sha256:  # a frame that does not say which bytes it came from (a test's own loader)
        return _templates_of(resource, frame)
    if (resource, sha256) not in _checked_by_content:
        _checked_by_content[resource, sha256] = _templates_of(resource, frame)
    return _checked_by_content[resource, sha256]


_checked_by_content: dict[tuple[str, str], dict[str, Template]] = {}


def _templates_of(resource: str, frame: pd.DataFrame) -> dict[str, Template]:
    out = {}
    for i, record in enumerate(frame.to_dict("records")):
        entry = Template(_cell(record["phrase_id"]).strip(), {lang: _cell(record.get(lang)) for lang in LANGS},
                         i + 2, resource)
        for lang in LANGS:
            try:
                parsed = list(string.Formatter().parse(entry.text[lang]))
            except ValueError as error:
                raise _error(resource, entry.line, lang, f"模板“{entry.phrase_id}”的花括号不成对（{error}）") from error
            for _, field, spec, conversion in parsed:
                if field is not None and (not field.isidentifier() or spec or conversion):
                    raise _error(resource, entry.line, lang, f"模板“{entry.phrase_id}”的占位符 {{{field}}} 不是一个名称")
        if not any(entry.text.values()):
            raise _error(resource, entry.line, "zh", f"模板“{entry.phrase_id}”没有文本（zh 与 en 都为空）")
        if all(entry.text.values()) and sorted(set(entry.fields("en"))) != sorted(set(entry.fields("zh"))):
            raise _error(resource, entry.line, "en", f"模板“{entry.phrase_id}”的英文占位符 {sorted(set(entry.fields('en')))} "
                                                     f"与中文的 {sorted(set(entry.fields('zh')))} 不同")
        out[entry.phrase_id] = entry
    return out


def template(resource: str, phrase_id: str, lang: str = "zh",
             load: Callable[[str], pd.DataFrame] = data.load) -> Template:
    found = templates(resource, load)
    if phrase_id not in found:
        raise _error(resource, "—", "phrase_id", f"没有模板“{phrase_id}”（页面要用它）")
    entry = found[phrase_id]
    if not entry.text.get(lang, "").strip():
        raise _error(resource, entry.line, lang, f"模板“{phrase_id}”没有 {lang} 文本（{lang} 页面要用它）")
    return entry


def _parts(entry: Template, lang: str, values: Mapping[str, object]) -> list[tuple[str, object]]:
    """The template as (literal, value) pairs; a placeholder the code does not give names the row and column."""
    out = []
    for literal, field, _, _ in string.Formatter().parse(entry.text[lang]):
        if field is not None and field not in values:
            raise _error(entry.resource, entry.line, lang, f"模板“{entry.phrase_id}”的占位符 {{{field}}} 不可用"
                                                           f"（可用：{'、'.join(sorted(values)) or '无'}）")
        out.append((literal, values[field] if field is not None else None))
    return out


def plain(resource: str, phrase_id: str, lang: str = "zh", load: Callable[[str], pd.DataFrame] = data.load,
          **values: object) -> str:
    """The sentence as plain text (a chart's label, a LaTeX-free table cell written by the caller)."""
    entry = template(resource, phrase_id, lang, load)
    parts = _parts(entry, lang, values)
    out = []
    for i, (literal, value) in enumerate(parts):
        after = parts[i + 1][0] if i + 1 < len(parts) else ""
        out.append(literal + ("" if value is None else _spaced(literal, str(value), after, lang)))
    return "".join(out)


_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def _spaced(before: str, value: str, after: str, lang: str) -> str:
    """The book's rule in Chinese: a space between a Chinese character and a number beside it ("第 16 名",
    "为 3985 家"), so a template need not know whether its value starts with a digit."""
    if lang != "zh" or not value:
        return value
    if before[-1:] and _CJK.match(before[-1]) and value[0].isdigit():
        value = " " + value
    if after[:1] and _CJK.match(after[0]) and value[-1].isdigit():
        value += " "
    return value


def md(resource: str, phrase_id: str, lang: str = "zh", load: Callable[[str], pd.DataFrame] = data.load,
       **values: object) -> markdown.Markup:
    """The sentence as MyST: the template's words escaped (szhk.markdown), a `markdown.Markup` value as it is
    (a link, a citation), any other value escaped."""
    entry = template(resource, phrase_id, lang, load)
    parts = _parts(entry, lang, values)
    out = []
    for i, (literal, value) in enumerate(parts):
        out.append(markdown.text(literal))
        if value is not None:
            after = parts[i + 1][0] if i + 1 < len(parts) else ""
            if isinstance(value, markdown.Markup):
                out.append(value)
            else:
                out.append(markdown.text(_spaced(literal, str(value), after, lang)))
    return markdown.Markup("".join(out))


def join(resource: str, phrase_id: str, lang: str, items: list[str]) -> markdown.Markup:
    """Items (MyST) joined by a separator template "{a}、{b}" (a cell may not hold a bare ", ": its spaces)."""
    out = markdown.Markup(items[0]) if items else markdown.Markup("")
    for item in items[1:]:
        out = md(resource, phrase_id, lang, a=markdown.Markup(out), b=markdown.Markup(item))
    return out


def plain_join(resource: str, phrase_id: str, lang: str, items: list[str]) -> str:
    out = items[0] if items else ""
    for item in items[1:]:
        out = plain(resource, phrase_id, lang, a=out, b=item)
    return out


def term(resource: str, kind: str, code: str, lang: str = "zh", load: Callable[[str], pd.DataFrame] = data.load) -> str:
    """How the page names a code of the data in `lang`: the row of `resource` whose phrase_id starts with `kind`_
    and whose term is `code` (a unit, a verification mark, a measure); a missing row or text names file, row and
    column."""
    frame = load(resource).reset_index(drop=True)
    for i, row in frame.iterrows():
        if str(row["phrase_id"]).startswith(f"{kind}_") and _cell(row.get("term")).strip() == code:
            if not _cell(row.get(lang)).strip():
                raise data.DataValidationError(data.data_dir() / f"{resource}.csv", i + 2, lang,
                                               "页面所用的代码名称有该语言的文本", f"“{row['phrase_id']}”没有 {lang} 文本")
            return _cell(row[lang]).strip()
    raise data.DataValidationError(data.data_dir() / f"{resource}.csv", len(frame) + 2, "term",
                                   "页面所用的每个代码都有一行名称", f"没有 phrase_id 以 {kind}_ 开头、term 为“{code}”的行")
