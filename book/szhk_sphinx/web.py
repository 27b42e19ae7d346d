"""The report's web pages: offline-safe assets, the download menu, the site's entry page.

A Sphinx extension, set up by szhk_sphinx. It only touches the HTML builders.
"""
from __future__ import annotations

import html
import json
import shutil
from pathlib import Path
from typing import Any

from docutils import nodes
from docutils.parsers.rst.states import Inliner
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.errors import ExtensionError
from sphinx.util.nodes import split_explicit_title

from szhk_names import SC
from szhk_sphinx.english import is_english, ui_word
from szhk_sphinx.pdf import ENGLISH_PDF, PDF_FILES, pdf_files, published_pdf_name
from szhk_sphinx.reexecution import data_dir, tree_digest

# Where the published PDFs sit inside the HTML output. The build copies _build/pdf/<name> here after the
# PDF build (tools/build.py); the download menus and the front page link to these paths.
PDF_DOWNLOAD_DIR = "_downloads/pdf"
BOOK_PDF, BRIEFING_PDF, BRIEFING_EN_PDF = PDF_FILES
# The download menu's PDF entries: (file, key of its words in the config's szhk_ui, the theme's button label).
PDF_DOWNLOADS = ((BOOK_PDF, "book_pdf", "download-book-pdf-button"),
                 (BRIEFING_PDF, "briefing_pdf", "download-briefing-pdf-button"),
                 (BRIEFING_EN_PDF, "briefing_en_pdf", "download-briefing-en-pdf-button"))
UI_KEYS = ("book_pdf", "book_pdf_tooltip", "briefing_pdf", "briefing_pdf_tooltip", "briefing_en_pdf",
           "briefing_en_pdf_tooltip", "notebook", "source_prefix", "print", "print_tooltip", "svg_download",
           "entry_link")


def _check_ui_words(app: Sphinx, config: Config) -> None:
    """The controls' words come from _config.yml (sphinx.config.szhk_ui): name what is missing there."""
    missing = [key for key in UI_KEYS if not str((config.szhk_ui or {}).get(key, "")).strip()]
    if missing:
        raise ExtensionError(f"_config.yml: sphinx.config.szhk_ui lacks {', '.join(missing)} "
                             "(the words of the web pages' download menu and figure links)")


def _drop_thebe(app: Sphinx, config: Config) -> None:
    """Jupyter Book always loads sphinx-thebe, whose page script names a CDN copy of thebe.

    The book has no live code, so its listeners are disconnected: no thebe script, config or CDN address
    reaches a page. (Its stylesheet was registered at set-up; _offline_assets drops it per page.)
    """
    for listeners in app.events.listeners.values():
        for listener in list(listeners):
            if getattr(listener.handler, "__module__", "").startswith("sphinx_thebe"):
                app.disconnect(listener.id)


def _offline_assets(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any],
                    doctree: nodes.document | None) -> None:
    for key in ("css_files", "script_files"):
        assets = context.get(key)
        if isinstance(assets, list):
            assets[:] = [a for a in assets if "thebe" not in str(getattr(a, "filename", a) or "")]


def _citations_as_list_items(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any],
                             doctree: nodes.document | None) -> None:
    """Docutils writes the bibliography as <div role="list"> holding role="doc-biblioentry" entries, a role
    that ARIA 1.2 deprecated: screen readers and axe-core (aria-required-children, critical) no longer take it
    for a list item. Each entry becomes a plain list item."""
    body = context.get("body")
    if isinstance(body, str) and 'role="doc-biblioentry"' in body:
        context["body"] = body.replace('role="doc-biblioentry"', 'role="listitem"')


def _add_notebook_source(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any],
                         doctree: nodes.document | None) -> None:
    """Offer the chapter as a Jupyter notebook (.ipynb, code and text, no outputs: a reader runs it) next to the
    page's MyST source in the download menu.

    sphinx-book-theme lists context["ipynb_source"] but only fills it when launch buttons are on.
    """
    executed = Path(app.outdir).parent / "jupyter_execute" / f"{pagename}.ipynb"
    if not executed.is_file():
        return
    target = Path(app.outdir) / "_sources" / f"{pagename}.ipynb"
    target.parent.mkdir(parents=True, exist_ok=True)
    # The same sources must give the same file: cell ids are drawn at random each time a page is read (numbered
    # here instead), and a notebook executed in this build has outputs, execution counts and the kernel's
    # language_info, which myst-nb leaves out of one it took from jupyter-cache (so left out here too).
    notebook = json.loads(executed.read_text(encoding="utf-8"))
    notebook.get("metadata", {}).pop("language_info", None)
    for number, cell in enumerate(notebook.get("cells", [])):
        if "id" in cell:
            cell["id"] = f"cell-{number}"
        if cell.get("cell_type") == "code":
            cell["execution_count"] = None
            cell["outputs"] = []
    target.write_text(json.dumps(notebook, sort_keys=True, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    context["ipynb_source"] = f"{pagename}.ipynb"


def published_pdf(name: str, edition: str) -> str:
    """The path, under the HTML output, of a PDF as `edition` publishes it: the HK edition's own PDFs under their
    -hk names (tools/build.py serves them so in html/hk/), the English briefing, which only the Simplified build
    makes, under its own."""
    return f"{PDF_DOWNLOAD_DIR}/{published_pdf_name(name, edition) if name in pdf_files(edition) else name}"


def pdf_role(name: str, rawtext: str, text: str, lineno: int, inliner: Inliner, options: dict | None = None,
             content: list[str] | None = None) -> tuple[list[nodes.Node], list[nodes.system_message]]:
    """{pdf}`全书 PDF <szhk-report.pdf>` in a page: a link to a PDF the build publishes beside the pages, by the
    name this edition publishes it under (web only: a page puts it in an {only} html block)."""
    _, title, target = split_explicit_title(text)
    env = inliner.document.settings.env
    if target not in PDF_FILES:
        message = inliner.reporter.error(f"{{pdf}}: {target!r} is not one of the PDFs the build makes: {PDF_FILES}",
                                         line=lineno)
        return [inliner.problematic(rawtext, rawtext, message)], [message]
    href = "../" * env.docname.count("/") + published_pdf(target, getattr(env.config, "szhk_edition", SC))
    language = ' hreflang="en" lang="en"' if target == ENGLISH_PDF else ""
    return [nodes.raw(rawtext, f'<a href="{html.escape(href)}"{language}>{html.escape(title)}</a>',
                      format="html")], []


# The theme's own tooltips in the header (labels → szhk_ui keys): its translation gives them in the book's language,
# so only an English page takes the book's words for them (the keys with "_en").
THEME_TOOLTIPS = {"download-buttons": "download_tooltip", "download-notebook-button": "notebook_tooltip",
                  "download-source-button": "source_tooltip", "fullscreen-button": "fullscreen_tooltip"}


def _extend_download_menu(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any],
                          doctree: nodes.document | None) -> None:
    """Add the book and briefing PDFs to the theme's download menu, and name its entries in the book's words, in
    the page's language (szhk_sphinx.english.ui_word)."""
    pathto = context["pathto"]
    english = pagename in app.env.metadata and is_english(app, pagename)

    def word(key: str) -> str:
        return ui_word(app.config, key, english, pagename)

    for group in context.get("header_buttons", []):
        if english and group.get("label") in THEME_TOOLTIPS:
            group["tooltip"] = word(THEME_TOOLTIPS[group["label"]])
        if group.get("label") != "download-buttons":
            continue
        buttons = group["buttons"]
        for button in buttons:
            if english and button.get("label") in THEME_TOOLTIPS:
                button["tooltip"] = word(THEME_TOOLTIPS[button["label"]])
            if button.get("label") == "download-notebook-button":
                button["text"] = word("notebook")
            elif button.get("label") == "download-source-button":
                button["text"] = f"{word('source_prefix')} {button['text']}"
            elif button.get("label") == "download-pdf-button":
                button["text"] = word("print")
                button["tooltip"] = word("print_tooltip")
                button["icon"] = "fas fa-print"
        for name, key, label in PDF_DOWNLOADS:
            buttons.append({
                "type": "link",
                "url": pathto(published_pdf(name, getattr(app.config, "szhk_edition", SC)), 1),
                "text": word(key),
                "tooltip": word(f"{key}_tooltip"),
                "icon": "fas fa-file-pdf",
                "label": label,
            })


def _assets_digest(app: Sphinx) -> str:
    return "".join(tree_digest(Path(app.confdir, folder)) for folder in app.config.html_static_path)


def _rewrite_pages_when_assets_change(app: Sphinx, env: Any, added: set[str], changed: set[str],
                                      removed: set[str]) -> list[str]:
    """A changed stylesheet or script (book/_static/web) must reach the pages. Sphinx copies static files
    only when it writes some page, and each page names its assets with a checksum (?v=…): so every page is
    rewritten when they change."""
    if app.builder.format != "html":
        return []
    digest = _assets_digest(app)
    if getattr(env, "szhk_web_assets", None) == digest:
        return []
    env.szhk_web_assets = digest
    return sorted(env.found_docs - added - changed - removed)


def _write_entry_page(app: Sphinx, exception: Exception | None) -> None:
    """The site's index.html forwards to the front page (book/index).

    sphinx-external-toc would write a bare <meta> redirect with no language or title; this page has both,
    and a visible link for readers whose browser does not follow the redirect (its words: szhk_ui's entry_link,
    {title} the book's title).
    """
    if exception is not None or app.builder.name != "html" or app.config.root_doc == "index":
        return
    target = app.builder.get_target_uri(app.config.root_doc)
    book_title = app.config.html_title or app.config.project
    title, link = html.escape(book_title), html.escape(app.config.szhk_ui["entry_link"].format(title=book_title))
    lang = (app.config.language or "zh_CN").replace("_", "-")
    page = f"""<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="0; url={target}">
<title>{title}</title>
</head>
<body>
<main><p><a href="{target}">{link}</a></p></main>
</body>
</html>
"""
    (Path(app.outdir) / "index.html").write_text(page, encoding="utf-8")


def _downloads_from_the_data_snapshot(app: Sphinx, exception: Exception | None) -> None:
    """Pages link data/*.csv, but the build reads its snapshot of data/ (SZHK_DATA_DIR): publish the snapshot's
    bytes, so that a CSV saved while the book builds never sits beside pages made from the other version."""
    if exception is not None or app.builder.format != "html":
        return
    project = Path(app.srcdir).resolve()
    live, snapshot = (project / "data").resolve(), data_dir(project)
    if snapshot == live:
        return
    for source, (_, unique) in app.env.dlfiles.items():
        path = (project / source).resolve()
        if path.is_relative_to(live) and (snapshot / path.relative_to(live)).is_file():
            shutil.copyfile(snapshot / path.relative_to(live), Path(app.outdir) / "_downloads" / unique)


def _search_index_without_stale_words(app: Sphinx, exception: Exception | None) -> None:
    """Sphinx keeps the words of a page's earlier text in the search index with no page to show (after an edit
    and its undo, "4321": []): drop them and write the index again, so that the same sources publish the same
    searchindex.js. (The indexer has no public way to do this: its word tables are read directly.)"""
    indexer = getattr(app.builder, "indexer", None)
    if exception is not None or app.builder.format != "html" or indexer is None:
        return
    stale = 0
    for table in (indexer._mapping, indexer._title_mapping):
        for word in [word for word, pages in table.items() if not pages]:
            del table[word]
            stale += 1
    if stale:
        app.builder.dump_search_index()  # type: ignore[attr-defined]


def _mystnb_stylesheet_first(app: Sphinx) -> None:
    """myst-nb copies its stylesheet into _static only when the build finishes, and each page names a stylesheet
    with a checksum (?v=…) only when the file is already there: so a first build's pages named it without one and
    a later build's with one. Copied before any page is written, it is named the same way in every build."""
    if app.builder.format != "html":
        return
    from myst_nb.sphinx_ext import add_global_html_resources

    (Path(app.outdir) / "_static").mkdir(parents=True, exist_ok=True)
    add_global_html_resources(app, None)


def setup(app: Sphinx) -> dict[str, Any]:
    if "szhk_ui" not in app.config:  # also declared by szhk_sphinx.figure_downloads, which may run alone
        app.add_config_value("szhk_ui", {}, "html", types=[dict])
    app.add_role("pdf", pdf_role)
    app.connect("config-inited", _check_ui_words)
    app.connect("config-inited", _drop_thebe, priority=900)
    app.connect("builder-inited", _mystnb_stylesheet_first)
    app.connect("env-get-outdated", _rewrite_pages_when_assets_change)
    app.connect("html-page-context", _offline_assets)
    app.connect("html-page-context", _citations_as_list_items)
    # The theme builds its header buttons at priority 501: the notebook must be known before, the menu
    # edited after.
    app.connect("html-page-context", _add_notebook_source, priority=500)
    app.connect("html-page-context", _extend_download_menu, priority=502)
    # Before sphinx-external-toc's own entry page (default priority 500), which it skips when one exists.
    app.connect("build-finished", _write_entry_page, priority=400)
    app.connect("build-finished", _downloads_from_the_data_snapshot)
    app.connect("build-finished", _search_index_without_stale_words)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
