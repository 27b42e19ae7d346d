"""The report's Sphinx extension, enabled in _config.yml (sphinx.local_extensions)."""
from __future__ import annotations

from typing import Any

from sphinx.application import Sphinx

from szhk import gbt7714


def setup(app: Sphinx) -> dict[str, Any]:
    app.setup_extension("szhk.web")  # web pages: offline assets, download menu, entry page
    app.setup_extension("szhk.pdf")  # PDF editions: title-page data, briefing apart from the book
    gbt7714.setup_sphinx(app)  # pybtex style "gbt7714" (bibtex_default_style); a bad .bib entry stops the build
    app.setup_extension("szhk.deps")  # re-execute/re-read a chapter exactly when its data or code changed
    app.setup_extension("szhk.figure_downloads")  # "下载 SVG" in each web figure's caption
    return {"parallel_read_safe": True, "parallel_write_safe": True}
