"""Each 核验 margin note beside the paragraph it annotates, on wide screens.

A chapter writes the note's cell (tagged claims-note, book/szhk/claims_pages.py) after the paragraph it annotates, the
paragraph labelled `(para-…)=` (tests/test_chapter_sources.py keeps it so). A float starts where it stands in the
flow, so on a desktop the note sat beside whatever followed its paragraph. Here, on web builders, the labelled
paragraph, what follows it and the note are wrapped in one `div.szhk-annotated`; szhk.css sets the wrapper
`position: relative` on wide screens and the note at its top in the right margin (`position: absolute`), and leaves
the note after the paragraph elsewhere (phones, print). No script.
"""
from __future__ import annotations

from typing import Any

from docutils import nodes
from sphinx.application import Sphinx

NOTE = "tag_claims-note"
WRAPPER = "szhk-annotated"


def _annotated_index(parent: nodes.Element, note_index: int) -> int | None:
    """The index, in `parent`, of the nearest node before the note that carries a paragraph label (para-…)."""
    for index in range(note_index - 1, -1, -1):
        if any(str(i).startswith("para-") for i in parent[index].get("ids", [])):
            return index
    return None


def wrap_notes(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    if app.builder.format != "html":
        return
    for note in list(doctree.findall(lambda n: isinstance(n, nodes.Element) and NOTE in n.get("classes", []))):
        parent = note.parent
        if parent is None or WRAPPER in parent.get("classes", []):
            continue
        at = parent.index(note)
        start = _annotated_index(parent, at)
        if start is None:
            continue  # a note with no labelled paragraph before it keeps its place
        wrapper = nodes.container(classes=[WRAPPER])
        moved = parent.children[start:at + 1]
        for child in moved:
            parent.remove(child)
            wrapper += child
        parent.insert(start, wrapper)


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("doctree-resolved", wrap_notes)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
