"""The report's two PDF editions, the book and the briefing, made by one Sphinx LaTeX build.

A Sphinx extension, set up by szhk_sphinx. The page design itself is LaTeX, in book/_static/latex/;
this module supplies what only the build knows, and keeps the two documents apart:

- the title pages print the edition line (szhk_sphinx.edition: writing time, data date, version and commit date,
  web address) and the data version (a fingerprint of data/);
- the briefing (book/briefing) is a page of the web edition, so it sits in _toc.yml, but it is a LaTeX
  document of its own and is cut out of the book's PDF. Its latex_documents entry is added here because
  Jupyter Book 1 fails on a latex_documents list of two in _config.yml (its message box crashes);
- the bibliography, which Sphinx gathers at the very end of a LaTeX document, is put back into the
  参考文献 chapter;
- every PDF figure is re-embedded through cairo, so its CJK fonts are well-formed subsets.
"""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.builders.latex.nodes import thebibliography
from sphinx.environment import BuildEnvironment
from sphinx.errors import ConfigError, ExtensionError

from szhk_sphinx.edition import WRITTEN, edition
from szhk_sphinx.reexecution import data_dir, tree_digest

BOOK_TEX = "szhk-report.tex"  # = latex.latex_documents.targetname in _config.yml (checked at build time)
BRIEFING_DOC = "book/briefing"
BRIEFING_TEX = "szhk-briefing.tex"
# The PDFs one LaTeX build makes; tools/build.py publishes them to _build/pdf/ under these names.
PDF_FILES = (str(Path(BOOK_TEX).with_suffix(".pdf")), str(Path(BRIEFING_TEX).with_suffix(".pdf")))
REFERENCES_DOC = "book/references"
# Sections that stay on the web: the book PDF is the article, its front matter, the references and a compact
# data-and-verification summary (labels in book/data-appendix.md and book/claims.md).
WEB_ONLY_SECTIONS = ("data-secondary-only", "data-update", "data-fields", "claims-full-register")
WEB_ONLY_NOTE = "本节（二手来源清单、数据字典、更新步骤与逐条核验表）只在网页版中{where}。"
DATA_PACKAGE = "datapackage.json"


def data_version(directory: Path) -> str:
    """A 12-digit fingerprint of every file in data/: it changes whenever any data file changes."""
    if not (directory / DATA_PACKAGE).is_file():
        raise ConfigError(f"{directory / DATA_PACKAGE}: missing; the PDF title page names the data version")
    return tree_digest(directory)[:12]


def _latex_url(url: str) -> str:
    """\\url{…} for the title page and the running foot (\\url takes any character but % # and braces)."""
    return r"\url{" + re.sub(r"([%#{}\\])", r"\\\1", url) + "}"


def _edition_macros(app: Sphinx) -> None:
    """Define the edition's macros ahead of the preamble (LaTeX only): \\szhkbuilddate (the commit's date),
    \\szhkdataversion, \\szhkversion, \\szhkwritten (and its year alone, \\szhkwrittenyear, for the briefing's
    header), \\szhkdataasof, \\szhksite (the web address; empty while none is configured) and
    \\ifszhkhassite (the pages print the address only when there is one)."""
    if app.builder.format != "latex":
        return
    ed = edition(app)
    site = _latex_url(ed.site_url) if ed.site_url else ""
    macros = (
        f"\\newcommand{{\\szhkbuilddate}}{{{ed.commit_date_zh}}}\n"
        f"\\newcommand{{\\szhkdataversion}}{{{data_version(data_dir(Path(app.srcdir)))}}}\n"
        f"\\newcommand{{\\szhkversion}}{{{ed.version}}}\n"
        f"\\newcommand{{\\szhkwritten}}{{{WRITTEN}（据正文推断）}}\n"
        f"\\newcommand{{\\szhkwrittenyear}}{{{WRITTEN.split('年')[0]}年}}\n"
        f"\\newcommand{{\\szhkdataasof}}{{{ed.data_as_of_zh}}}\n"
        f"\\newcommand{{\\szhksite}}{{{site}}}\n"
        f"\\newif\\ifszhkhassite\\szhkhassite{'true' if ed.site_url else 'false'}\n"
    )
    # The builder copied latex_elements into its template context when it was initialised.
    context = app.builder.context  # type: ignore[attr-defined]
    context["preamble"] = macros + context.get("preamble", "")


def _add_briefing_document(app: Sphinx, env: BuildEnvironment) -> None:
    """A second LaTeX document, the briefing, titled like its page; "howto" is Sphinx's article class."""
    if app.builder.format != "latex" or BRIEFING_DOC not in env.titles:
        return
    documents = list(app.config.latex_documents)
    if any(entry[0] == BRIEFING_DOC for entry in documents):
        return
    if [entry[1] for entry in documents] != [BOOK_TEX]:
        raise ConfigError(f"_config.yml: latex.latex_documents.targetname must be {BOOK_TEX} (szhk_sphinx.pdf.PDF_FILES); "
                          f"the LaTeX documents are {[entry[1] for entry in documents]}")
    title = env.titles[BRIEFING_DOC].astext()
    documents.append((BRIEFING_DOC, BRIEFING_TEX, title, app.config.author, "howto", False))
    app.config.latex_documents = documents


def _split_editions(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """In the book's assembled LaTeX tree: drop the briefing, move the bibliography into 参考文献."""
    if app.builder.format != "latex" or docname != app.config.root_doc:
        return
    chapters = {sof["docname"]: sof for sof in doctree.findall(addnodes.start_of_file)}
    if BRIEFING_DOC in chapters:
        chapters[BRIEFING_DOC].parent.remove(chapters[BRIEFING_DOC])
    # The front page's own sections precede the first chapter: bracket them as front matter (szhkprint.sty).
    first_chapter = next(iter(chapters.values()), None)
    root_section = next(iter(doctree.findall(nodes.section)), None)
    if first_chapter is not None and root_section is not None:
        root_section.insert(1, nodes.raw("", r"\szhkfrontmatter", format="latex"))
        first_chapter.parent.insert(first_chapter.parent.index(first_chapter),
                                    nodes.raw("", r"\szhkmainmatter", format="latex"))
    _leave_web_only_sections(app, doctree)
    references = chapters.get(REFERENCES_DOC)
    sections = [n for n in references.children if isinstance(n, nodes.section)] if references else []
    for bibliography in list(doctree.findall(thebibliography)):
        if sections:
            bibliography.parent.remove(bibliography)
            sections[0].append(bibliography)


def _unlink_what_is_not_printed(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """In each PDF (after _split_editions has cut the book): a link to a page or place that PDF leaves out (the
    briefing, the web-only sections; from the briefing, every page of the book) keeps its text and loses the link,
    which would point nowhere on paper."""
    if app.builder.format != "latex":
        return

    def docname_of(node: nodes.Node) -> str:
        part = next((a for a in [node, *_ancestors(node)] if isinstance(a, addnodes.start_of_file)), None)
        return part["docname"] if part is not None else docname

    printed: set[tuple[str, str]] = {(docname, "")}
    for node in doctree.findall(nodes.Element):
        owner = docname_of(node)
        printed.add((owner, ""))
        printed.update((owner, i) for i in node.get("ids", []))
    for link in list(doctree.findall(nodes.reference)):
        uri = link.get("refuri", "")
        if uri.startswith("%"):  # LaTeX URIs of other pages: %doc#id
            target = tuple(uri[1:].partition("#")[::2])
        elif link.get("refid"):  # a place on the same page
            target = (docname_of(link), link["refid"])
        else:
            continue
        if target not in printed:
            link.replace_self(nodes.inline("", "", *link.children))


def _ancestors(node: nodes.Node):
    while node.parent is not None:
        node = node.parent
        yield node


def _leave_web_only_sections(app: Sphinx, doctree: nodes.document) -> None:
    """Drop the long web-only sections from the book PDF, with one line per page saying where they are."""
    url = str(app.config.html_baseurl or "").strip()
    by_parent: dict[nodes.Element, list[nodes.section]] = {}
    for section in doctree.findall(nodes.section):
        if set(section["ids"]) & set(WEB_ONLY_SECTIONS):
            by_parent.setdefault(section.parent, []).append(section)
    for sections in by_parent.values():
        sections[0].replace_self(nodes.paragraph("", WEB_ONLY_NOTE.format(where=f"：{url}" if url else "")))
        for section in sections[1:]:
            section.parent.remove(section)


def _print_downloads(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """On paper a "下载" link does nothing: name the data file instead (数据文件 gii_ranks.csv)."""
    if app.builder.format != "latex":
        return
    for link in list(doctree.findall(addnodes.download_reference)):
        filename = Path(link.get("reftarget", "")).name
        label = link.astext()
        before = link.previous_sibling()
        if isinstance(before, nodes.Text) and before.endswith("下载数据："):
            before.parent.replace(before, nodes.Text(before[: -len("下载数据：")] + "数据文件："))
        text = filename if label == filename else f"数据文件 {filename}"
        link.replace_self(nodes.literal("", text))


def _repair_figure_fonts(app: Sphinx, exception: Exception | None) -> None:
    """Rewrite every PDF figure of the LaTeX build through cairo (poppler's pdftocairo), before LaTeX runs.

    matplotlib's "Type 42" embedding stores Noto CJK's CFF outlines under a TrueType font type, which poppler
    reports as a mismatch and stricter viewers and printers may reject; cairo re-embeds them as proper CFF
    subsets. Vector paths and text (searchable, copyable) are kept.
    """
    if exception is not None or app.builder.format != "latex":
        return
    pdftocairo = shutil.which("pdftocairo")
    if pdftocairo is None:
        raise ExtensionError("pdftocairo not found: install the Debian/Ubuntu package poppler-utils")
    outdir = Path(app.builder.outdir)
    for name in app.builder.images.values():  # type: ignore[attr-defined]
        figure = outdir / name
        if figure.suffix.lower() != ".pdf":
            continue
        repaired = figure.with_name(figure.stem + ".cairo.pdf")
        done = subprocess.run([pdftocairo, "-pdf", str(figure), str(repaired)], capture_output=True, text=True)
        if done.returncode != 0:
            raise ExtensionError(f"pdftocairo failed on figure {figure}: {done.stderr.strip()}")
        repaired.replace(figure)


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("builder-inited", _edition_macros)
    app.connect("env-updated", _add_briefing_document)
    app.connect("doctree-resolved", _split_editions)
    app.connect("doctree-resolved", _unlink_what_is_not_printed)  # after the cut, so it sees what is left
    app.connect("doctree-resolved", _print_downloads)
    app.connect("build-finished", _repair_figure_fonts)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
