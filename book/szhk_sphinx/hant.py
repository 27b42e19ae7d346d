"""The Hong Kong edition (Traditional Chinese), made from the same sources by a second Sphinx pass; and on every
page of either edition, the switch to the same page in the other.

tools/build.py runs Jupyter Book a second time with `szhk_edition: hk`, sharing the first pass's jupyter-cache: no
chapter executes twice. Then, in that pass only, every word is the Simplified edition's word converted by szhk_hant
(OpenCC s2hk and the checked phrase table), Sphinx's and the theme's own words too (their zh_CN catalogues):

- the titles when a page is read (the table of contents, the search index's titles), every text of a page once it is
  resolved (after the other extensions, which may look for their own words), and each rendered page as a whole (the
  theme's words; the other edition's name in the switch is kept);
- the book's own configuration words (szhk_ui, the edition line, the licence …) are converted at config time;
- figures come from their Traditional drawing (szhk.hant in the kernels: the same execution draws both);
- the LaTeX files are converted as written, with Noto CJK HK and Traditional captions (book/_static/latex/szhkhant.sty);
- the editor's words (never the author's prose on the chapters, nor a quotation, an excerpt of the article, a
  bibliographic entry or code) take Hong Kong's quotation marks 「」 and the terms of szhk_hant/hk_editor_words.csv
  (szhk_hant.EditorText): their titles when the page is read, the rest once it is resolved and the editor's notes are
  marked.

Nothing here rewrites a source: the conversion happens on the way out.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.errors import ConfigError, ExtensionError

from szhk_names import HK, HK_FOLDER, SC  # noqa: F401  (HK_FOLDER: the HK pages' place, html/hk/)
LANG_TAG = {SC: "zh-CN", HK: "zh-HK"}
SWITCH_KEYS = ("edition_sc", "edition_hk", "edition_sc_tooltip", "edition_hk_tooltip")  # szhk_ui: never converted
HANT_FIGURE = "application/vnd.szhk.hant+json"  # = szhk.hant.MIME: a figure's Traditional drawings (web)
HANT_PDF = "application/vnd.szhk.hant-pdf"  # = szhk.hant.PDF_MIME: its Traditional drawing for print
HK_STYLE = "book/_static/latex/szhkhant.sty"  # HK fonts and captions for the PDFs
# The switch to the Simplified edition keeps its own script on the Traditional pages.
_KEEP = re.compile(r'<a [^>]*\bhreflang="zh-CN"[^>]*>[^<]*</a>')


def edition(config: Config) -> str:
    return HK if config.szhk_edition == HK else SC


def _converter():
    from szhk_hant import PhraseError, converter

    try:
        return converter()
    except PhraseError as error:  # a bad phrase-table entry stops the build, naming it
        raise ConfigError(str(error)) from None


def _convert_value(value: Any, convert) -> Any:
    if isinstance(value, str):
        return convert(value)
    if isinstance(value, dict):
        return {k: (v if k in SWITCH_KEYS else _convert_value(v, convert)) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_convert_value(v, convert) for v in value)
    return value


def _check_switch_words(app: Sphinx, config: Config) -> None:
    missing = [key for key in SWITCH_KEYS if not str((config.szhk_ui or {}).get(key, "")).strip()]
    if missing:
        raise ConfigError(f"_config.yml: sphinx.config.szhk_ui lacks {', '.join(missing)} (the words of the switch "
                          "between the Simplified and the Hong Kong edition)")
    if config.szhk_edition not in (SC, HK):
        raise ConfigError(f"szhk_edition is {config.szhk_edition!r}; it is {SC!r} or {HK!r}")


def _hk_configuration(app: Sphinx, config: Config) -> None:
    """The book's own words in Traditional Chinese: every szhk_* text, the title, the figure and table numbering,
    the search box; the figures' Traditional drawings first; the HK fonts in print."""
    if edition(config) != HK:
        return
    convert = _converter().convert
    names = [getattr(option, "name", option) for option in config]  # Sphinx 7.4 iterates ConfigValue tuples
    for name in [n for n in names if n.startswith("szhk_") and n != "szhk_edition"]:
        setattr(config, name, _convert_value(getattr(config, name), convert))
    for name in ("project", "author", "html_title", "numfig_format", "html_theme_options"):
        setattr(config, name, _convert_value(getattr(config, name), convert))
    config.nb_mime_priority_overrides = [*config.nb_mime_priority_overrides,
                                         ("html", HANT_FIGURE, -2), ("latex", HANT_PDF, -2)]
    config.latex_additional_files = [*config.latex_additional_files, HK_STYLE]
    elements = dict(config.latex_elements)
    elements["fontpkg"] = elements.get("fontpkg", "") + "\n\\usepackage{" + Path(HK_STYLE).stem + "}"
    config.latex_elements = elements


def convert_tree(doctree: nodes.Node, convert) -> None:
    """Every text of a document tree, and the texts kept in attributes (alt text, toctree captions)."""
    for text in list(doctree.findall(nodes.Text)):
        new = convert(str(text))
        if new != str(text):
            text.parent.replace(text, nodes.Text(new))
    for element in doctree.findall(nodes.Element):
        for attribute in ("alt", "caption", "title", "reftitle"):
            value = element.get(attribute)
            if isinstance(value, str) and value:
                element[attribute] = convert(value)


def _convert_titles(app: Sphinx, doctree: nodes.document) -> None:
    """The titles, before Sphinx collects them (the rest waits until the page is resolved)."""
    if edition(app.config) != HK:
        return
    convert = _converter().convert
    for title in list(doctree.findall(nodes.title)):
        convert_tree(title, convert)
    _editor_marks_and_words(app, doctree, app.env.docname, nodes.title)  # the titles the page's contents list
    for element in doctree.findall(nodes.Element):
        if isinstance(element.get("caption"), str):  # a toctree's caption (正文, 附录)
            element["caption"] = convert(element["caption"])


def _convert_resolved(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    if edition(app.config) == HK:
        convert_tree(doctree, _converter().convert)


# The editor's text in the Hong Kong edition: 「」 quotation marks and Hong Kong terms (szhk_hant.EditorText). The
# author's prose on the article's chapters (numbered pages, 00-… to 06-…) keeps its marks and words, as do
# quotations (block quotes, the register's excerpts: links to a paragraph of the article), bibliographic entries and
# code. Runs after szhk_sphinx.editor_notes (995), which marks the editor's notes inside the author's text.
CHAPTER = re.compile(r"(?:^|/)\d\d-[^/]*$")
EDITOR_CONTAINERS = ("cell", "szhk-editor-note", "tag_claims-note", "tag_editor-note")
_CJK = re.compile(r"[\u3400-\u9fff]")


def _page_of(node: nodes.Node, docname: str) -> str:
    """The page a node comes from. A PDF's tree holds every page, each under its start_of_file node, whose children
    Sphinx moves there without making it their parent: the page is then the `docname` Sphinx gives each of its
    sections (inline_all_toctrees)."""
    from sphinx import addnodes

    parent = node.parent
    while parent is not None:
        if isinstance(parent, addnodes.start_of_file) or (isinstance(parent, nodes.section) and parent.get("docname")):
            return str(parent["docname"])
        parent = parent.parent
    return docname


def _kept_as_written(node: nodes.Node, docname: str) -> bool:
    """Whether a text is the author's prose, a quotation, a bibliographic entry or code (not the editor's words)."""
    in_editor_container = False
    parent = node.parent
    while parent is not None and not isinstance(parent, nodes.document):
        classes = parent.get("classes", []) if isinstance(parent, nodes.Element) else []
        if isinstance(parent, (nodes.literal, nodes.literal_block, nodes.raw, nodes.block_quote, nodes.citation,
                               nodes.footnote)) or any(c.startswith("bibtex") or c == "citation" for c in classes):
            return True
        if AUTHOR_ROLE in classes:
            return True  # the author's words quoted on an editor's page
        if isinstance(parent, nodes.reference) and "para-" in (parent.get("refuri", "") + parent.get("refid", "")):
            return True  # the register's excerpt of the article, linked to its paragraph
        if any(c in EDITOR_CONTAINERS for c in classes) or isinstance(parent, (nodes.caption, nodes.figure)):
            in_editor_container = True
        parent = parent.parent
    return bool(CHAPTER.search(_page_of(node, docname))) and not in_editor_container


AUTHOR_ROLE = "szhk-author"  # {szhk-author}`…`: the author's words quoted on an editor's page (the briefing's leads)


def _author_role(name: str, rawtext: str, text: str, lineno: int, inliner: Any, options: Any = None,
                 content: Any = None) -> tuple[list[nodes.Node], list[nodes.system_message]]:
    """The author's words as written: an inline the HK edition's editor marks leave alone."""
    return [nodes.inline(rawtext, text, classes=[AUTHOR_ROLE])], []


def _editor_marks_and_words(app: Sphinx, doctree: nodes.document, docname: str,
                            only: type[nodes.Element] | None = None) -> None:
    """The editor's text of a page (or of its elements of type `only`: its titles, before Sphinx collects them)
    with Hong Kong quotation marks and terms."""
    if edition(app.config) != HK:
        return
    from szhk_sphinx.english import is_english
    from szhk_hant import EditorText

    if is_english(app, docname):
        return
    editor = EditorText()
    paragraph = None
    texts = [t for element in doctree.findall(only) for t in element.findall(nodes.Text)] if only else \
        list(doctree.findall(nodes.Text))
    for text in texts:
        owner = text.parent  # the paragraph (title, cell …) the text runs in, not its bold or link
        while owner is not None and (not isinstance(owner, nodes.TextElement) or isinstance(owner, nodes.Inline)):
            owner = owner.parent
        if owner is not paragraph:
            paragraph = owner
            editor.new_paragraph()
        if not _CJK.search(str(owner.astext() if owner is not None else text)) or _kept_as_written(text, docname):
            continue
        new = editor(str(text))
        if new != str(text):
            text.parent.replace(text, nodes.Text(new))


def _convert_rendered_pages(app: Sphinx) -> None:
    """Each page as rendered (the theme's words too), except the link named in the Simplified edition's words."""
    if edition(app.config) != HK or app.builder.format != "html":
        return
    templates = app.builder.templates  # type: ignore[attr-defined]
    render, convert_html = templates.render, _converter().convert_html
    templates.render = lambda template, context: convert_html(render(template, context), _KEEP)


def _switch(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any],
            doctree: nodes.document | None) -> None:
    """The link to the same page in the other edition (edition-switch.html), in that edition's words; and the
    page's language."""
    ui, here = app.config.szhk_ui, edition(app.config)
    up = "../" * pagename.count("/")
    other = HK if here == SC else SC
    url = f"{up}{HK_FOLDER}/{pagename}.html" if here == SC else f"../{up}{pagename}.html"
    context["szhk_edition_switch"] = {"url": url, "label": ui[f"edition_{other}"],
                                      "tooltip": ui[f"edition_{other}_tooltip"], "lang": LANG_TAG[other]}
    if here == HK:
        context["language"] = LANG_TAG[HK]


def _convert_written_files(app: Sphinx, exception: Exception | None) -> None:
    """What is written outside the page templates: the site's entry page (szhk_sphinx.web), and in print every
    .tex and .sty (the title page's words, the edition macros, the running heads)."""
    if exception is not None or edition(app.config) != HK:
        return
    converter = _converter()
    outdir = Path(app.outdir)
    if app.builder.format == "html":
        _convert_script_words(outdir / "_static" / "translations.js", converter.convert)
        convert_styles(outdir / "_static", [Path(app.confdir) / folder for folder in app.config.html_static_path],
                       converter.convert)
        entry = outdir / "index.html"
        if entry.is_file():
            text = converter.convert_html(entry.read_text(encoding="utf-8"))
            entry.write_text(text.replace(f'lang="{app.config.language.replace("_", "-")}"',
                                          f'lang="{LANG_TAG[HK]}"'), encoding="utf-8")
    elif app.builder.format == "latex":
        for path in [*outdir.glob("*.tex"), *outdir.glob("*.sty")]:
            text = path.read_text(encoding="utf-8")
            converted = converter.convert(text)
            if path.suffix == ".sty":  # the style's own words are the editor's (the briefing's credit line)
                converted = _editor_lines(converted)
            if converted != text:
                path.write_text(converted, encoding="utf-8")
        if not (outdir / Path(HK_STYLE).name).is_file():
            raise ExtensionError(f"{HK_STYLE} was not copied to {outdir}: the HK PDFs would use Simplified fonts")


def _editor_lines(text: str) -> str:
    """Each line of a style file holding Chinese with the editor's Hong Kong marks and terms."""
    from szhk_hant import EditorText

    editor = EditorText()
    lines = []
    for line in text.split("\n"):
        editor.new_paragraph()
        lines.append(editor(line) if _CJK.search(line) else line)
    return "\n".join(lines)


_SCRIPT_WORDS = re.compile(r"^(Documentation\.addTranslations\()(.*)(\);?\s*)$", re.DOTALL)


def _convert_script_words(path: Path, convert) -> None:
    """Sphinx's words for its scripts (the search page's "搜索完成，匹配到 5 页。"): the messages of
    _static/translations.js, a JSON object written with \\u escapes, converted and written the same way."""
    import json

    if not path.is_file():
        return
    match = _SCRIPT_WORDS.match(path.read_text(encoding="utf-8"))
    if match is None:
        raise ExtensionError(f"{path}: not Documentation.addTranslations({{…}}); its words cannot be converted")
    words = json.loads(match[2])
    words["messages"] = {key: _convert_value(value, convert) for key, value in words.get("messages", {}).items()}
    text = f"{match[1]}{json.dumps(words, indent=4, sort_keys=True)}{match[3]}"
    if text != path.read_text(encoding="utf-8"):
        path.write_text(text, encoding="utf-8")


def convert_styles(static: Path, sources: list[Path], convert) -> None:
    """The book's own style sheets as copied to the HK pages' _static/: their words shown by CSS (a phone's
    "表格较宽：左右滑动可看其余各列 →", the claims register's "来源：") converted like every other word."""
    for source in sources:
        for sheet in sorted(Path(source).glob("*.css")):
            path = static / sheet.name
            if not path.is_file():
                continue
            text = path.read_text(encoding="utf-8")
            converted = convert(text)
            if converted != text:
                path.write_text(converted, encoding="utf-8")


def setup(app: Sphinx) -> dict[str, Any]:
    # "sc" (the Simplified edition) or "hk": tools/build.py sets it for the second pass.
    app.add_config_value("szhk_edition", SC, "env", [str])
    if "szhk_ui" not in app.config:
        app.add_config_value("szhk_ui", {}, "html", types=[dict])
    app.add_role(AUTHOR_ROLE, _author_role)
    app.connect("config-inited", _check_switch_words)
    app.connect("config-inited", _hk_configuration, priority=100)  # before the others read the words
    app.connect("doctree-read", _convert_titles, priority=100)  # before the title and toc collectors (500)
    app.connect("doctree-resolved", _convert_resolved, priority=990)  # after the others (szhk_sphinx.pdf …)
    app.connect("doctree-resolved", _editor_marks_and_words, priority=996)  # after szhk_sphinx.editor_notes (995)
    app.connect("builder-inited", _convert_rendered_pages)
    app.connect("html-page-context", _switch)
    app.connect("build-finished", _convert_written_files, priority=900)  # after szhk_sphinx.web's entry page
    app.add_css_file("szhk-editions.css")
    return {"parallel_read_safe": True, "parallel_write_safe": True}


# Fields of a .bib entry that name who wrote or published a work (besides the persons: author, editor): a phrase-
# table entry may not touch them. A work's title is text like any other (converted, with the phrase table).
NAME_FIELDS = ("journal", "publisher", "institution", "organization", "school")


def citation_names(bibfile: Path) -> dict[str, str]:
    """Each name in the citations (authors, editors, publishers, journals …) → where it is."""
    from pybtex.database import parse_file

    names: dict[str, str] = {}
    for key, entry in parse_file(str(bibfile), bib_format="bibtex").entries.items():
        for role, persons in entry.persons.items():
            for person in persons:
                names.setdefault(str(person), f"{bibfile.name}, entry {key}, field {role}")
        for field in NAME_FIELDS:
            if entry.fields.get(field):
                names.setdefault(str(entry.fields[field]), f"{bibfile.name}, entry {key}, field {field}")
    return names


def check_phrase_table(bibfiles: list[Path]) -> None:
    """The phrase table as the build uses it, and not touching any name in the citations; PhraseError (naming
    file, row and column) otherwise."""
    from szhk_hant import PHRASES, read_phrases

    names: dict[str, str] = {}
    for bibfile in bibfiles:
        names.update({k: v for k, v in citation_names(bibfile).items() if k not in names})
    read_phrases(PHRASES, protected=names)
