"""The report's Sphinx extension, enabled in _config.yml (sphinx.local_extensions)."""
from __future__ import annotations

from typing import Any

from sphinx.application import Sphinx


def setup(app: Sphinx) -> dict[str, Any]:
    app.setup_extension("szhk.web")  # web pages: offline assets, download menu, entry page
    app.setup_extension("szhk.deps")  # re-execute/re-read a chapter exactly when its data or code changed
    return {"parallel_read_safe": True, "parallel_write_safe": True}
