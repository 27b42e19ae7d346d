"""Values a page's own Markdown takes from _config.yml, as MyST substitutions (``{{ web_edition }}``).

A Sphinx extension, set up by szhk_sphinx. The briefing says where the web edition is: "全书网页版：<address>；"
with the address configured as `html.baseurl` in _config.yml, or nothing while none is configured (never an
invented address).
"""
from __future__ import annotations

from typing import Any

from sphinx.application import Sphinx


def _add_substitutions(app: Sphinx, config: Any) -> None:
    url = str(config.html_baseurl or "").strip()
    substitutions = dict(getattr(config, "myst_substitutions", None) or {})
    substitutions["web_edition"] = f"全书网页版：<{url}>；" if url else ""  # an autolink
    config.myst_substitutions = substitutions


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("config-inited", _add_substitutions)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
