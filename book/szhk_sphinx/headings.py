"""Headings that break between phrases on a phone, not inside a word.

A Chinese heading may break between any two characters; with `text-wrap: balance` (szhk.css) Chromium splits a
long one into even halves, wherever that falls: "关键数字：文章所 / 写、最新数值与核验", "二、香港科技创 / 新产业基本情况".
Punctuation marks the phrases a reader sees: here, on web builders, each short run of a heading (a section title
or a rubric) between
punctuation marks (at most `MAX_PHRASE` characters, so one always fits a phone's line) is kept whole
(`span.szhk-phrase`, `white-space: nowrap` in szhk.css), and the heading breaks after 、：，； or before （“. A longer
run is left to the browser. Words are unchanged: only where a line may break.
"""
from __future__ import annotations

import re
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx

PHRASE = "szhk-phrase"
MAX_PHRASE = 12  # characters: a phrase this long fits a 390 px phone's line at the largest heading size
# a break may follow these marks (and a space), or come before an opening bracket or quote
_CJK = re.compile(r"[\u3400-\u9fff]")
_PARTS = re.compile(r"[^、，：；。）”」\s（“「]*[、，：；。）”」]*\s*|[（“「][^、，：；。）”」\s（“「]*[、，：；。）”」]*\s*")


def phrases(text: str) -> list[str]:
    """The heading's text in the runs a line may break between (joined, they give the text back)."""
    return [part for part in _PARTS.findall(text) if part]


def keep_phrases(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    if app.builder.format != "html":
        return
    for title in list(doctree.findall(lambda n: isinstance(n, (nodes.title, nodes.rubric)))):
        if isinstance(title, nodes.title) and not isinstance(title.parent, nodes.section):
            continue  # a table's or a sidebar's title
        for text in list(title.findall(nodes.Text)):
            if text.parent is not title:  # only the heading's own words, not a link's or a number's
                continue
            parts = phrases(str(text))
            if len(parts) < 2 or not _CJK.search(str(text)):  # Latin headings break at spaces already
                continue
            pieces: list[nodes.Node] = []
            for part in parts:
                words, space = part.rstrip(), part[len(part.rstrip()):]
                # the space after a phrase stays outside it: a line may break there
                pieces += [nodes.inline(words, words, classes=[PHRASE]) if len(words) <= MAX_PHRASE
                           else nodes.Text(words), *([nodes.Text(space)] if space else [])]
            text.parent.replace(text, pieces)


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("doctree-resolved", keep_phrases)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
