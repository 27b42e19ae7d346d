"""What book/references.bib must be before any page cites it, checked when sources.csv is validated
(szhk.validation), each problem refused naming the file, the line and the field:

- an address (url) is an http(s) address with a host: `javascript:…`, `data:…` or `file:…` would become a live
  link on the web page and in the PDF;
- every date (date, urldate, year) is a real calendar value no later than szhk.bounds.latest_year(): the edition
  line prints the latest one as 数据截至 (“2026 年 31 月 1 日” was published);
- titles, authors and publishers use only characters the book's fonts draw (szhk.glyphs).
"""
from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

from szhk_names import DATE

from . import bounds, glyphs
from .descriptor import DataValidationError, bibliography

__all__ = ["check"]

URL_FIELDS = ("url",)
DATE_FIELDS = ("date", "urldate", "year")
TEXT_FIELDS = ("title", "author", "publisher", "institution", "organization", "journal", "booktitle", "address")


def _line_of(lines: list[str], key: str, field: str) -> int | str:
    """The line of `field` in entry `key` (1-based), or the entry's first line, or "—"."""
    start = next((n for n, line in enumerate(lines) if re.match(rf"\s*@\w+\s*\{{\s*{re.escape(key)}\s*,", line)), None)
    if start is None:
        return "—"
    for n in range(start + 1, len(lines)):
        if re.match(r"\s*@\w+\s*\{", lines[n]):
            break
        if re.match(rf"\s*{field}\s*=", lines[n], flags=re.IGNORECASE):
            return n + 1
    return start + 1


def _is_date(text: str) -> bool:
    """YYYY, YYYY-MM or YYYY-MM-DD (szhk_names.DATE), or a range A/B of two such dates."""
    parts = text.strip().split("/")
    return len(parts) <= 2 and all(DATE.fullmatch(part) for part in parts)


def url_problem(url: str) -> str | None:
    parts = urlsplit(url.strip())
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return f"地址 “{url[:60]}” 不是 http:// 或 https:// 开头的网址（网页与 PDF 中会成为可点击的链接）"
    return None


def check(path: Path) -> None:
    """Raise DataValidationError for the first problem of the .bib file at `path` (see the module docstring)."""
    entries = bibliography(path)
    lines = path.read_text(encoding="utf-8").splitlines()
    for key, entry in entries.items():
        fields = {name.lower(): str(value) for name, value in entry.fields.items()}
        for name in URL_FIELDS:
            if name in fields and (problem := url_problem(fields[name])):
                raise DataValidationError(path, _line_of(lines, key, name), name,
                                          "references.bib 的网址只能是 http(s) 地址", f"条目 {key} 的{problem}")
        for name in DATE_FIELDS:
            if name in fields and (problem := bounds.date_problem(fields[name])):
                raise DataValidationError(path, _line_of(lines, key, name), name, bounds.rule(),
                                          f"条目 {key} 的{problem}")
            if name in fields and not _is_date(fields[name]):
                raise DataValidationError(path, _line_of(lines, key, name), name,
                                          "references.bib 的日期写作 YYYY、YYYY-MM 或 YYYY-MM-DD（区间写作 A/B）",
                                          f"条目 {key} 的 {name} 是 “{fields[name]}”")
        for name in TEXT_FIELDS:
            text = fields.get(name, "")
            persons = " ".join(str(person) for people in entry.persons.values() for person in people)
            problem = glyphs.missing_glyph(text if name != "author" else persons + text)
            if problem:
                raise DataValidationError(path, _line_of(lines, key, name), name,
                                          "只用书中字体能显示的字符", f"条目 {key} 的{problem}")
