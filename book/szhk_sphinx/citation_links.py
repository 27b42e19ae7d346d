"""Pages that cite are written again when the references page's anchors change.

sphinxcontrib-bibtex numbers the anchors of the references page's entries in order (`references.html#id98`) and
tells Sphinx no page to write again when that numbering changes (its `env-updated` returns none). After an entry
is added to book/references.bib, a page not read again would keep links to the old anchors, each now pointing at
the entry before. This module remembers the anchors in the environment and, when they differ from the last build's,
has every page that cites written again.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment

ANCHORS = "szhk_citation_anchors"  # the environment's record of the last build's anchors (pickled with it)


def citing_pages_to_write(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """After sphinxcontrib-bibtex has placed the citations: every citing page when the anchors changed, else none."""
    domain: Any = env.get_domain("cite")
    anchors = sorted((citation.key, citation.citation_id) for citation in domain.citations)
    if getattr(env, ANCHORS, None) == anchors:
        return []
    setattr(env, ANCHORS, anchors)
    return sorted({reference.docname for reference in domain.citation_refs})


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("env-updated", citing_pages_to_write, priority=900)  # after sphinxcontrib-bibtex's (500)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "env_version": 1}
