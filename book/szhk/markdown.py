"""Data into MyST Markdown as text, never as markup: the one escaper and the one table writer every page uses.

A string from data/ (a CSV cell, a title in datapackage.json) reaches a page only through `text` (or a writer
below that calls it), so a MyST role (``{download}`…```), a directive fence (``:::{note}``), an HTML tag, a
substitution (``{{ x }}``), a comment (``<!-- -->``), a ``$`` or any Markdown punctuation in a cell is shown as
those characters. What the page's code writes as markup on purpose (links, bold, labels) is a `Markup`: a string
built here or by the caller from escaped parts, which the table writer passes through unchanged.

LaTeX needs no escaper of its own: these strings reach LaTeX only as docutils text nodes, which Sphinx's LaTeX
writer escapes; matplotlib never parses data as mathtext (``text.parse_math: False`` in house.mplstyle).
"""
from __future__ import annotations

import math
import re
import string
from collections.abc import Sequence

import pandas as pd

__all__ = ["Markup", "text", "link", "list_table", "frame_table"]

# CommonMark lets a backslash escape every ASCII punctuation character (and only those), and the MyST extensions
# this book enables (colon_fence, deflist, substitution) all start with ASCII punctuation: escaping all of it
# leaves no character that can open a construct.
_PUNCTUATION = frozenset(string.punctuation)
# A target of a Markdown link written by code: a MyST label, a page name or a relative file path.
_TARGET = re.compile(r"^[A-Za-z0-9_./#-]+$")


class Markup(str):
    """MyST written by the page's code (from escaped parts): passed through by `list_table` as it is."""


def text(value: object) -> Markup:
    """`value` as Markdown that shows exactly its characters: every ASCII punctuation character is backslash-escaped
    and line breaks become spaces (a cell never starts a new block)."""
    plain = " ".join(str(value).split()) if any(c in str(value) for c in "\r\n\t\f\v") else str(value)
    return Markup("".join("\\" + c if c in _PUNCTUATION else c for c in plain))


def link(label: object, target: str) -> Markup:
    """A Markdown link showing `label` as text, to a MyST label, a page or a file (a file becomes a download)."""
    if not _TARGET.match(target):
        raise ValueError(f"markdown.link: {target!r} is not a label, page name or relative path")
    return Markup(f"[{text(label)}]({target})")


def _rst_text(value: str) -> str:
    # reST (a header's line block): a backslash makes any following character literal
    return "".join("\\" + c if c in _PUNCTUATION else c for c in " ".join(value.split()))


def _cell(value: object, missing: str) -> list[str]:
    """A body cell's lines: Markup as written, anything else as text (a missing value as `missing`)."""
    if isinstance(value, Markup):
        return value.split("\n") if value else [text(missing)]
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return [text(missing)]
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        value = int(value)
    plain = text(value)
    return [plain] if plain.strip() else [text(missing)]


def list_table(header: Sequence[object], rows: Sequence[Sequence[object]], *, widths: Sequence[int] | None = None,
               stub_columns: int = 0, missing: str = "—", css_class: str = "") -> str:
    """A MyST ``{list-table}``: one header row, then `rows`. Every cell that is not `Markup` is escaped text; an
    empty cell shows `missing`. A header with a line break ("人文与\\n艺术") keeps it, on the web and in print
    (a reST line block; then every header is one, so they align), so narrow columns break where the article
    breaks them. `widths` gives the columns' relative widths (in print, columns are otherwise equal); `css_class`
    names the table for the stylesheet (e.g. the claims register's phone layout)."""
    columns = len(header)
    if widths is not None and (len(widths) != columns or not all(isinstance(w, int) and w > 0 for w in widths)):
        raise ValueError(f"list_table: widths {list(widths)} must be {columns} positive whole numbers")
    for number, row in enumerate(rows, 1):
        if len(row) != columns:
            raise ValueError(f"list_table: row {number} has {len(row)} cells, the header {columns}")
    broken = any("\n" in str(label) for label in header if not isinstance(label, Markup))

    def header_cell(label: object) -> list[str]:
        if isinstance(label, Markup) or not broken:
            return _cell(label, "")
        parts = [part for part in str(label).split("\n")]
        return ["```{eval-rst}", *(f"| {_rst_text(part)}" if part.strip() else "|" for part in parts), "```"]

    fence = "`" * 4  # longer than a header's ``` {eval-rst} fence inside it
    lines = [f"{fence}{{list-table}}", ":header-rows: 1"]
    if stub_columns:
        lines.append(f":stub-columns: {stub_columns}")
    if widths is not None:
        lines.append(f":widths: {' '.join(map(str, widths))}")
    if css_class:
        lines.append(f":class: {css_class}")
    lines.append("")
    for row in [[header_cell(label) for label in header], *([_cell(v, missing) for v in row] for row in rows)]:
        for i, content in enumerate(row):
            lines.append(f"{'* - ' if i == 0 else '  - '}{content[0]}".rstrip())
            lines += [f"    {more}".rstrip() for more in content[1:]]
    return "\n".join([*lines, fence, ""])


def frame_table(frame: pd.DataFrame, *, stub_header: str = "", missing: str = "－",
                widths: Sequence[int] | None = None) -> str:
    """`frame` as a `list_table`: the columns as the header, the index as the first column (row headers), for a
    chapter to glue as Markdown into a ``{table}`` directive that carries the caption and number::

        glue("table-1", Markdown(markdown.frame_table(table1, stub_header="全球排名")), display=False)

    An empty cell is written `missing` (the article's "－"); whole-number floats lose their ".0"."""
    rows = [[index, *values] for index, values in zip(frame.index, frame.itertuples(index=False))]
    return list_table([stub_header, *frame.columns], rows, widths=widths, stub_columns=1, missing=missing)


class CellNotes:
    """Superscript notes on table cells (as the FT and Our World in Data mark a figure that needs a word): `mark`
    returns the cell with its note's number, the same text sharing one number; `markdown` is the list under the
    table. Both are escaped text; the numbers are the only markup."""

    def __init__(self) -> None:
        self.texts: list[str] = []

    def mark(self, value: object, note: str) -> Markup:
        if note not in self.texts:
            self.texts.append(note)
        return Markup(f"{text(value)}{{sup}}`{self.texts.index(note) + 1}`")

    def markdown(self, lead: str) -> Markup:
        if not self.texts:
            return Markup("")
        return Markup(f"{text(lead)}：" + "；".join(f"{{sup}}`{i}` {text(t)}" for i, t in enumerate(self.texts, 1)) + "。")


def code(value: object) -> Markup:
    """`value` as inline code (shown in a fixed-width font, characters as they are): a code span is literal, so
    only its fence needs to be longer than any run of backticks inside."""
    plain = " ".join(str(value).split())
    longest = max((len(run) for run in re.findall(r"`+", plain)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if plain.startswith("`") or plain.endswith("`") or not plain.strip() else ""
    return Markup(f"{fence}{pad}{plain}{pad}{fence}")


def role(name: str, target: str) -> Markup:
    """A MyST role whose content is a name the code checked (a page, a label, citation keys), never free text."""
    if not re.fullmatch(r"[a-z]+", name) or not re.fullmatch(r"[A-Za-z0-9_.,/-]+", target):
        raise ValueError(f"markdown.role: {{{name}}}`{target}` is not a role on a plain name")
    return Markup(f"{{{name}}}`{target}`")


_URL = re.compile(r"^https?://[^\s<>\"'`\\]+$")


def url(address: str) -> Markup:
    """A web address as a link showing the address; only http(s) addresses are links (a ``javascript:`` or
    ``file:`` address from data is shown as text)."""
    if not _URL.match(address):
        return text(address)
    return Markup(f"[{text(address)}](<{address}>)")
