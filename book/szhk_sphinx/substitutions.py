"""Values a page's own Markdown takes from _config.yml, as MyST substitutions (``{{ web_edition }}``).

A Sphinx extension, set up by szhk_sphinx. ``{{ web_edition }}`` says where the web edition is, in the words of
_config.yml's `szhk_web_edition` ("全书网页版：<{url}>；") with the address configured as `html.baseurl`, or nothing
while none is configured (never an invented address).
"""
from __future__ import annotations

from typing import Any

from sphinx.application import Sphinx
from sphinx.errors import ConfigError


def _add_substitutions(app: Sphinx, config: Any) -> None:
    url = str(config.html_baseurl or "").strip()
    substitutions = dict(getattr(config, "myst_substitutions", None) or {})
    words = str(config.szhk_web_edition or "").strip()
    if url and "{url}" not in words:
        raise ConfigError("_config.yml: sphinx.config.szhk_web_edition (where the web edition is, with {url} for "
                          f"html.baseurl) is {words!r}")
    substitutions["web_edition"] = words.format(url=url) if url else ""
    config.myst_substitutions = substitutions


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_config_value("szhk_web_edition", "", "env", [str])
    app.connect("config-inited", _add_substitutions)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
