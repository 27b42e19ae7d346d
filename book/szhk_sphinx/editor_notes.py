"""The editor's notes set apart from the author's text, on the web and in print, one way across the book.

An editor's note is a paragraph that opens with one of the editor's marks (_config.yml `szhk_editor_marks`: 【编者…】,
（编者：…）; in the HK edition both the marks (converted when the configuration is read) and the page (converted by
szhk_sphinx.hant at doctree-resolved, priority 990) are Traditional only after that conversion, so the notes are marked
after it) where the author's text runs (in a section, or as a cell's output), or a cell tagged `editor-note` (chapter 06: each recommendation's status
and developments). Each gets the class `szhk-editor-note`: szhk.css draws it as a tinted block with a rule on its
left, and in print szhkprint.sty sets it small behind a rule (environment `sphinxclassszhk-editor-note`). A note
that is a cell's output marks the whole cell (a note and the list under it). Captions, tables and the claims
register's margin notes keep their own styles.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx

NOTE = "szhk-editor-note"
TAGGED = "tag_editor-note"   # a cell tagged editor-note (myst-nb gives the cell's container the class tag_<tag>)
KEEP_OWN_STYLE = (nodes.caption, nodes.legend, nodes.figure, nodes.table, nodes.footnote, nodes.list_item,
                  nodes.admonition)


def _ancestor(node: nodes.Node, match: Callable[[nodes.Element], bool]) -> nodes.Element | None:
    """The nearest element above `node` (below the document) that `match`es, if any."""
    parent = node.parent
    while parent is not None and not isinstance(parent, nodes.document):
        if match(parent):
            return parent
        parent = parent.parent
    return None


def _cell(node: nodes.Node) -> nodes.Element | None:
    """The code cell (its container, class `cell`) a node is the output of, if any."""
    return _ancestor(node, lambda n: isinstance(n, nodes.container) and "cell" in n.get("classes", []))


def _inside(node: nodes.Node, kinds: tuple[type, ...], classes: tuple[str, ...] = ()) -> bool:
    found = _ancestor(node, lambda n: isinstance(n, kinds) or any(c in n.get("classes", []) for c in classes))
    return found is not None


def mark_notes(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    marks = tuple(str(m) for m in (app.config.szhk_editor_marks or ()))
    for cell in doctree.findall(lambda n: isinstance(n, nodes.container) and TAGGED in n.get("classes", [])):
        cell["classes"].append(NOTE)
    for paragraph in list(doctree.findall(nodes.paragraph)):
        if not marks or not paragraph.astext().lstrip().startswith(marks):
            continue
        if _inside(paragraph, KEEP_OWN_STYLE, (NOTE, "tag_claims-note")):
            continue
        cell = _cell(paragraph)
        if cell is not None:
            cell["classes"].append(NOTE)
            continue
        wrapper = nodes.container(classes=[NOTE])
        paragraph.replace_self(wrapper)
        wrapper += paragraph


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_config_value("szhk_editor_marks", [], "env", [list])
    app.connect("doctree-resolved", mark_notes, priority=995)  # after szhk_sphinx.hant's conversion (990)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
