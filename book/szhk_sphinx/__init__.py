"""The report's Sphinx extension (`sphinx: extra_extensions: [szhk_sphinx]` in _config.yml).

It runs in the Sphinx process and never imports the chapter helpers (szhk), which run in the kernels.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from szhk_names import BUILD_ENV  # set by tools/build.py, which also makes the PDFs the web pages link to

if TYPE_CHECKING:  # Sphinx itself is imported where it runs: tools/build.py imports this package without it
    from sphinx.application import Sphinx

__all__ = ["BUILD_ENV", "setup"]


def _require_make_build(app: Sphinx, config: Any) -> None:
    from sphinx.errors import ConfigError

    if not os.environ.get(BUILD_ENV):
        raise ConfigError(
            "请用 make build 构建本书（它生成网页与 PDF 并原子发布）。 Build this book with `make build`: a plain "
            "`jupyter-book build .` would publish pages whose PDF links are missing."
        )


def _check_bibfiles(app: Sphinx, config: Any) -> None:
    """Stop the build before sphinxcontrib-bibtex reads a bad .bib file, naming the entry at fault."""
    from pybtex_gbt7714 import BibliographyError, check_bibfile
    from sphinx.errors import ConfigError

    for name in getattr(config, "bibtex_bibfiles", []) or []:
        try:
            check_bibfile(Path(app.srcdir) / name, label=name)
        except (BibliographyError, OSError) as exc:
            raise ConfigError(str(exc)) from exc


def _remember_pybtex_plugins() -> None:
    """pybtex finds a plugin by reading every installed distribution's entry points, on each call;
    sphinxcontrib-bibtex asks for the same few plugins (style, backend) for every citation. Installed distributions
    do not change during a build, so each answer is kept: about 0.6 s of a 6 s Sphinx pass (measured)."""
    import functools

    import pybtex.plugin

    find = getattr(pybtex.plugin, "_load_entry_point", None)
    if callable(find) and not hasattr(find, "cache_info"):
        pybtex.plugin._load_entry_point = functools.cache(find)


def setup(app: Sphinx) -> dict[str, Any]:
    _remember_pybtex_plugins()
    app.connect("config-inited", _require_make_build, priority=100)
    app.connect("config-inited", _check_bibfiles)
    app.setup_extension("szhk_sphinx.reexecution")  # re-execute/re-read a chapter exactly when its inputs changed
    app.setup_extension("szhk_sphinx.citation_links")  # citing pages written again when the anchors renumber
    app.setup_extension("szhk_sphinx.web")  # web pages: offline assets, download menu, entry page, no orphan files
    app.setup_extension("szhk_sphinx.edition")  # edition line, citation and .bib (front page, title page)
    app.setup_extension("szhk_sphinx.pdf")  # PDF editions: title-page data, briefing apart from the book
    app.setup_extension("szhk_sphinx.english")  # the English pages: lang="en", the English briefing's edition line
    app.setup_extension("szhk_sphinx.figure_downloads")  # "下载 SVG" in each web figure's caption
    app.setup_extension("szhk_sphinx.data_download")  # all of data/ as one zip (the data appendix links to it)
    app.setup_extension("szhk_sphinx.picture")  # a web figure's phone and desktop drawings as one <picture>
    app.setup_extension("szhk_sphinx.margin_notes")  # a 核验 note beside the paragraph it annotates
    app.setup_extension("szhk_sphinx.editor_notes")  # the editor's notes set apart from the author's text
    app.setup_extension("szhk_sphinx.headings")  # headings break between phrases on phones, not inside a word
    app.setup_extension("szhk_sphinx.hant")  # the Hong Kong edition (a second pass) and the switch between editions
    app.setup_extension("szhk_sphinx.substitutions")  # {{ site_url }} in a page's Markdown (the briefing)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "env_version": _code_version()}


def _code_version() -> int:
    """This package's code as Sphinx's `env_version`: Sphinx reads and writes every page again when it changes (an
    edited extension otherwise reaches only the pages that changed for other reasons)."""
    from szhk_sphinx.reexecution import tree_digest

    return int(tree_digest(Path(__file__).parent)[:12], 16)
