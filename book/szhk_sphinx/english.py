"""The English pages (book/en.md, book/briefing-en.md) and what the English briefing's PDF needs from the build.

A Sphinx extension, set up by szhk_sphinx (no szhk, no pandas).

- A page whose front matter says ``lang: en`` is English: on the web its content is wrapped in ``<div lang="en">``
  (screen readers read it as English, browsers hyphenate it as English), and the page's own controls speak English:
  the themes' words (previous, next, contents, search) are their English originals, the download menu and the
  footer take the ``_en`` words of _config.yml's szhk_ui. The site's navigation keeps the chapters' Chinese titles.
- ``{szhk-line}`` writes one configured value with its label (the page's word): "联系：…", "Editors: …". An empty
  value writes nothing: never a placeholder, never an invented institution or address.
- The English briefing's PDF: its edition line in English (\\szhkendate, \\szhkendataasof, \\szhkenwritten),
  defined ahead of the preamble as szhk_sphinx.pdf does for the Chinese ones.
"""
from __future__ import annotations

import calendar
import html
import re
from pathlib import Path
from typing import Any

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.application import Sphinx
from sphinx.errors import ConfigError
from sphinx.util.docutils import SphinxDirective

from szhk_sphinx.edition import edition
from szhk_sphinx.reexecution import front_matter

LANG_KEY = "lang"    # front matter: the page's language when it is not the book's
ENGLISH = "en"


def is_english(app: Sphinx, docname: str) -> bool:
    """Whether the page's front matter says `lang: en` (read from its source: while a page is parsed, Sphinx has not
    collected its metadata yet)."""
    path = Path(app.env.doc2path(docname))
    meta = front_matter(path.read_text(encoding="utf-8")) if path.is_file() else {}
    return str((meta or {}).get(LANG_KEY, "")).strip() == ENGLISH


def _content_language(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any],
                      doctree: nodes.document | None) -> None:
    if pagename in app.env.metadata and is_english(app, pagename) and isinstance(context.get("body"), str):
        context["body"] = f'<div lang="{ENGLISH}">{context["body"]}</div>'


def ui_word(config: Any, key: str, english: bool, pagename: str) -> str:
    """A page control's words: szhk_ui's `key`, or `key`_en on an English page; ConfigError naming the key."""
    name = f"{key}_{ENGLISH}" if english else key
    value = str((config.szhk_ui or {}).get(name, "")).strip()
    if not value:
        raise ConfigError(f"_config.yml: sphinx.config.szhk_ui lacks {name} (the words of a page's controls, "
                          f"page {pagename})")
    return value


def _untranslated(message: str) -> str:
    return message


def _untranslated_plural(singular: str, plural: str, n: int) -> str:
    return singular if n == 1 else plural


def _english_controls(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any],
                      doctree: nodes.document | None) -> None:
    """An English page's controls in English. The themes' templates look their words up through the context's
    gettext (Jinja's i18n `_` resolves it there) and `translate`: without a translation they print their English
    originals. The footer is the book's own (szhk_ui's footer_en); the download menu's words are chosen by
    szhk_sphinx.web."""
    if pagename not in app.env.metadata or not is_english(app, pagename):
        return
    context["gettext"], context["ngettext"] = _untranslated, _untranslated_plural
    context["translate"] = _untranslated  # sphinx-book-theme's own lookup (the page contents' title)
    editors = _config_value(app.config, "szhk_editors_en")
    if editors and context.get("theme_extra_footer"):
        footer = ui_word(app.config, "footer", True, pagename).format(
            editors=editors, licence=_config_value(app.config, "szhk_licence_en"))
        context["theme_extra_footer"] = f'<p class="szhk-footer" lang="{ENGLISH}">{html.escape(footer)}</p>'


def english_date(value: str) -> str:
    """"2025-12-23" → "23 December 2025"; "2021-06" → "June 2021"; "2022" → "2022"."""
    parts = [int(p) for p in re.findall(r"\d+", value)[:3]]
    words = [str(parts[2])] if len(parts) > 2 else []
    words += [calendar.month_name[parts[1]]] if len(parts) > 1 else []
    return " ".join([*words, str(parts[0])])


def _config_value(config: Any, name: str) -> str:
    if not hasattr(config, name):
        raise ConfigError(f"{{szhk-line}}: no configuration value {name!r} (_config.yml, sphinx.config)")
    return str(getattr(config, name) or "").strip()


class ConfigLine(SphinxDirective):
    """``{szhk-line} szhk_contact`` with ``:label: 联系``: "**联系：**<value>" (or "**Contact:** <value>" on an English
    page), or nothing when the configuration leaves the value empty."""

    required_arguments = 1
    option_spec = {"label": directives.unchanged_required}

    def run(self) -> list[nodes.Node]:
        value = _config_value(self.env.app.config, self.arguments[0])
        if not value:
            return []
        english = is_english(self.env.app, self.env.docname)
        label = self.options.get("label", "") + (": " if english else "：")
        return [nodes.paragraph("", "", nodes.strong("", label), nodes.Text(value), classes=["szhk-credit"])]


def _latex_text(value: str) -> str:
    return re.sub(r"([%#{}&$_\\^~])", lambda m: {"\\": r"\textbackslash{}", "^": r"\^{}", "~": r"\~{}"}.get(
        m[1], "\\" + m[1]), value)


def _english_macros(app: Sphinx) -> None:
    """The English briefing's edition line and the contact line, for every LaTeX document (only the English one,
    chosen by its job name in szhkprint.sty, prints the English macros)."""
    if app.builder.format != "latex":
        return
    ed = edition(app)
    config = app.config
    macros = (
        f"\\newcommand{{\\szhkendate}}{{{english_date(ed.commit_date.isoformat())}}}\n"
        f"\\newcommand{{\\szhkendataasof}}{{{english_date(ed.data_as_of)}}}\n"
        f"\\newcommand{{\\szhkenwritten}}{{{_latex_text(_config_value(config, 'szhk_written_en'))}}}\n"
    )
    context = app.builder.context  # type: ignore[attr-defined]
    context["preamble"] = macros + context.get("preamble", "")


def setup(app: Sphinx) -> dict[str, Any]:
    # The English pages' editors, licence and when the article was written, as _config.yml gives them; a contact
    # line (both briefings) and an English institution, printed only when configured.
    for name in ("szhk_editors_en", "szhk_licence_en", "szhk_written_en", "szhk_institution_en", "szhk_contact"):
        app.add_config_value(name, "", "env", [str])
    app.connect("builder-inited", _english_macros)
    app.connect("html-page-context", _content_language)
    app.connect("html-page-context", _english_controls)
    app.add_directive("szhk-line", ConfigLine)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
