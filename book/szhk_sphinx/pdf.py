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
- every PDF figure is re-embedded through cairo, so its CJK fonts are well-formed subsets;
- the CJK faces the text is set in (`CJK_FACES`), taken from fonts-noto-cjk's collections for the edition's region
  (Simplified: SC; Hong Kong: HK) and written beside the .tex files under the names szhkcjkfaces.sty loads (the
  package is added after szhkfonts.sty, whose families name the faces for the glyph check, szhk.glyphs). All regions
  of a Noto CJK collection share one CFF table, named for the Japanese face (NotoSerifCJKjp-Regular), and xdvipdfmx
  names an embedded font by that table: a PDF set in the SC face would say "jp". The copy is the region's face
  unchanged (its cmap chooses the region's glyphs) with the CFF table's names saying its region.
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

from szhk_names import HK, SC, zh_date
from szhk_sphinx.edition import credit, edition, words, written
from szhk_sphinx.reexecution import data_dir, tree_digest

BOOK_TEX = "szhk-report.tex"  # = latex.latex_documents.targetname in _config.yml (checked at build time)
BRIEFING_DOC = "book/briefing"
BRIEFING_TEX = "szhk-briefing.tex"
# The English briefing (book/briefing-en): a third LaTeX document, its design chosen by its job name in the .sty files.
BRIEFING_EN_DOC = "book/briefing-en"
BRIEFING_EN_TEX = "szhk-briefing-en.tex"
BRIEFINGS = ((BRIEFING_DOC, BRIEFING_TEX), (BRIEFING_EN_DOC, BRIEFING_EN_TEX))
ENGLISH_DOC = "book/en"  # the English page: web only (the English briefing is its print form)
NOT_IN_BOOK = (BRIEFING_DOC, BRIEFING_EN_DOC, ENGLISH_DOC)  # pages of the web edition cut out of the book's PDF
# The PDFs one LaTeX build makes; tools/build.py publishes them to _build/pdf/ under these names.
PDF_FILES = tuple(str(Path(tex).with_suffix(".pdf")) for tex in (BOOK_TEX, BRIEFING_TEX, BRIEFING_EN_TEX))
ENGLISH_PDF = PDF_FILES[2]


def pdf_files(edition: str = SC) -> tuple[str, ...]:
    """The PDFs one LaTeX build of `edition` makes. The HK edition has no English briefing of its own: its English
    is the same, and its pages link to the Simplified build's (tools/build.py copies it beside them)."""
    return PDF_FILES if edition == SC else tuple(name for name in PDF_FILES if name != ENGLISH_PDF)


HK_SUFFIX = "-hk"  # the HK PDFs are szhk-report-hk.pdf, szhk-briefing-hk.pdf: saved beside the Simplified ones


def published_pdf_name(name: str, edition: str) -> str:
    """szhk-report.pdf → szhk-report-hk.pdf for the HK edition (in _build/pdf and in html/hk/ alike)."""
    path = Path(name)
    return name if edition == SC else f"{path.stem}{HK_SUFFIX}{path.suffix}"


REFERENCES_DOC = "book/references"
# Sections that stay on the web: the book PDF is the article, its front matter, the references and a compact
# data-and-verification summary (labels in book/data-appendix.md and book/claims.md).
WEB_ONLY_SECTIONS = ("data-secondary-only", "data-update", "data-fields", "claims-full-register")
DATA_PACKAGE = "datapackage.json"
QR_FILE = "szhk-qr.pdf"  # the web address as a QR code, in the LaTeX folder (only when html.baseurl is set)


def qr_code(url: str, path: Path) -> Path:
    """The web address as a QR code (segno, a maintained pure-Python encoder; drawn offline as vector PDF)."""
    import segno

    segno.make(url, error="m").save(str(path), kind="pdf", scale=4, border=1)
    return path


def data_version(directory: Path) -> str:
    """A 12-digit fingerprint of every file in data/: it changes whenever any data file changes."""
    if not (directory / DATA_PACKAGE).is_file():
        raise ConfigError(f"{directory / DATA_PACKAGE}: missing; the PDF title page names the data version")
    return tree_digest(directory)[:12]


def _latex_url(url: str) -> str:
    """\\url{…} for the title page and the running foot (\\url takes any character but % # and braces)."""
    return r"\url{" + re.sub(r"([%#{}\\])", r"\\\1", url) + "}"


def _latex_text(value: str) -> str:
    """Configuration text (editors, licence) safe inside a LaTeX macro."""
    return re.sub(r"([%#{}&$_\\^~])", lambda m: {"\\": r"\textbackslash{}", "^": r"\^{}", "~": r"\~{}"}.get(
        m[1], "\\" + m[1]), value)


_BOOK_LABEL = re.compile(r"[A-Za-z0-9_/-]+:[A-Za-z0-9_-]+")  # a page of the book and a label on it (docname:label)


def book_page_role(name: str, rawtext: str, text: str, lineno: int, inliner: Any, options: Any = None,
                   content: Any = None) -> tuple[list[nodes.Node], list[nodes.system_message]]:
    """`{bookpage}`book/02-hk-innovation:para-02-table-1``: in the printed briefing, the page of the book PDF
    published with it on which that label stands (\\pageref* into the book's .aux, which szhkprint.sty has xr read,
    as its 延伸阅读 line does); nothing on the web (the line that uses it is under ``{only} latex``)."""
    if not _BOOK_LABEL.fullmatch(text):
        message = inliner.reporter.error(f"bookpage: {text!r} is not docname:label", line=lineno)
        return [inliner.problematic(rawtext, rawtext, message)], [message]
    return [nodes.raw(rawtext, rf"\pageref*{{book-{text}}}", format="latex")], []


# The CJK faces of the PDFs: (file szhkfonts.sty loads, fontconfig family pattern with {region}, style).
CJK_FACES = (
    ("szhk-cjk-serif-regular.otf", "Noto Serif CJK {region}", "Regular"),
    ("szhk-cjk-serif-bold.otf", "Noto Serif CJK {region}", "Bold"),
    ("szhk-cjk-sans-regular.otf", "Noto Sans CJK {region}", "Regular"),
    ("szhk-cjk-sans-bold.otf", "Noto Sans CJK {region}", "Bold"),
    ("szhk-cjk-mono-regular.otf", "Noto Sans Mono CJK {region}", "Regular"),
)
CJK_REGION = {SC: "SC", HK: "HK"}
CJK_FACES_STYLE = "book/_static/latex/szhkcjkfaces.sty"
_SHARED_CFF_REGION = b"CJKjp-"  # the Japanese face's name in the CFF table every region of the collection shares


def _font_file(family: str, style: str) -> tuple[Path, int]:
    """Where fontconfig finds `family` in `style`: the file and its index in a collection."""
    if shutil.which("fc-match") is None:
        raise ExtensionError("fc-match (Debian package fontconfig) is missing: the PDFs' fonts cannot be found")
    found = subprocess.run(["fc-match", "-f", "%{file}\t%{index}\t%{family}\t%{style}", f"{family}:style={style}"],
                           capture_output=True, text=True, check=True).stdout.split("\t")
    if len(found) != 4 or family not in found[2].split(",") or style not in found[3].split(","):
        raise ExtensionError(f"font {family} {style} is not installed (fc-match gives {' '.join(found[2:]) or '—'}): "
                             "install Debian's fonts-noto-cjk")
    return Path(found[0]), int(found[1])


def write_cjk_face(family: str, style: str, region: str, target: Path) -> Path:
    """The collection's face `family` `style` as a font file of its own at `target`, its CFF names saying
    `region` (sc, hk) where the shared table says jp; unchanged when `target` is newer than the collection."""
    from fontTools.ttLib import TTFont
    from fontTools.ttLib.sfnt import SFNTWriter

    source, index = _font_file(family, style)
    if target.is_file() and target.stat().st_mtime >= source.stat().st_mtime:
        return target
    reader = TTFont(str(source), fontNumber=index, lazy=True).reader
    tags = sorted(reader.keys())
    temporary = target.with_name(f".{target.name}.tmp")
    with open(temporary, "wb") as handle:
        writer = SFNTWriter(handle, len(tags), sfntVersion=reader.sfntVersion)
        for tag in tags:
            data = reader[tag]
            if tag == "CFF ":  # same length: every offset in the table stays right
                data = data.replace(_SHARED_CFF_REGION, f"CJK{region.lower()}-".encode())
            writer[tag] = data
        writer.close()
    temporary.replace(target)
    return target


def _load_cjk_faces(app: Sphinx, config: Any) -> None:
    """szhkcjkfaces.sty copied beside the .tex files and loaded last of the font packages."""
    config.latex_additional_files = [*config.latex_additional_files, CJK_FACES_STYLE]
    elements = dict(config.latex_elements)
    elements["fontpkg"] = elements.get("fontpkg", "") + "\n\\usepackage{" + Path(CJK_FACES_STYLE).stem + "}"
    config.latex_elements = elements


def _cjk_faces(app: Sphinx) -> None:
    """The edition's CJK faces beside the .tex files (LaTeX only), under the names szhkcjkfaces.sty loads."""
    if app.builder.format != "latex":
        return
    region = CJK_REGION[HK if app.config.szhk_edition == HK else SC]
    Path(app.outdir).mkdir(parents=True, exist_ok=True)
    for name, family, style in CJK_FACES:
        write_cjk_face(family.format(region=region), style, region, Path(app.outdir) / name)


def _edition_macros(app: Sphinx) -> None:
    """Define the edition's macros ahead of the preamble (LaTeX only): \\szhkbuilddate (the commit's date),
    \\szhkdataversion, \\szhkversion, \\szhkwritten (and its year alone, \\szhkwrittenyear, for the briefing's
    header), \\szhkdataasof, \\szhksite (the web address; empty while none is configured) and
    \\ifszhkhassite (the pages print the address only when there is one); \\szhksourcenote (what the source says
    of the article's author and venue) and \\szhkbuiltfrom (the commit: maintainers' matter, in the colophon)."""
    if app.builder.format != "latex":
        return
    ed = edition(app)
    site = _latex_url(ed.site_url) if ed.site_url else ""
    if ed.site_url:
        Path(app.outdir).mkdir(parents=True, exist_ok=True)
        qr_code(ed.site_url, Path(app.outdir) / QR_FILE)
    editors, licence = credit(app.config)
    when = written(app.config)[0]
    year = re.match(r"\d{4}", when)
    if year is None:
        raise ConfigError(f"_config.yml: sphinx.config.szhk_written {when!r} does not begin with the year (YYYY): "
                          "the briefing's header names it")
    macros = (
        f"\\newcommand{{\\szhkbuilddate}}{{{ed.commit_date_zh}}}\n"
        f"\\newcommand{{\\szhkdataversion}}{{{data_version(data_dir(Path(app.srcdir)))}}}\n"
        f"\\newcommand{{\\szhkversion}}{{{ed.version}}}\n"
        f"\\newcommand{{\\szhkwritten}}{{{words(app.config, 'written_print', when=when)}}}\n"
        f"\\newcommand{{\\szhkwrittenyear}}{{{zh_date(year[0])}}}\n"
        f"\\newcommand{{\\szhkdataasof}}{{{ed.data_as_of_zh}}}\n"
        f"\\newcommand{{\\szhksite}}{{{site}}}\n"
        f"\\newif\\ifszhkhassite\\szhkhassite{'true' if ed.site_url else 'false'}\n"
        f"\\newcommand{{\\szhkqrfile}}{{{QR_FILE}}}\n"
        f"\\newcommand{{\\szhkeditors}}{{{_latex_text(editors)}}}\n"
        f"\\newcommand{{\\szhklicence}}{{{_latex_text(licence)}}}\n"
        f"\\newcommand{{\\szhksourcenote}}{{{_latex_text(str(app.config.szhk_source_note or '').strip().rstrip('。'))}}}\n"
        f"\\newcommand{{\\szhkbuiltfrom}}{{{_latex_text(ed.built_from(app.config.szhk_edition_words))}}}\n"
    )
    # The builder copied latex_elements into its template context when it was initialised.
    context = app.builder.context  # type: ignore[attr-defined]
    context["preamble"] = macros + context.get("preamble", "")


def _add_briefing_document(app: Sphinx, env: BuildEnvironment) -> None:
    """The briefings as LaTeX documents of their own (Chinese, then English), titled like their pages; "howto" is
    Sphinx's article class. The English one names the English editors as its author (the PDF's metadata)."""
    if app.builder.format != "latex":
        return
    documents = list(app.config.latex_documents)
    briefings = BRIEFINGS if app.config.szhk_edition != HK else [b for b in BRIEFINGS if b[0] != BRIEFING_EN_DOC]
    for docname, tex in briefings:
        if docname not in env.titles or any(entry[0] == docname for entry in documents):
            continue
        if documents[0][1] != BOOK_TEX:
            raise ConfigError(f"_config.yml: latex.latex_documents.targetname must be {BOOK_TEX} "
                              f"(szhk_sphinx.pdf.PDF_FILES); the LaTeX documents are {[e[1] for e in documents]}")
        author = str(getattr(app.config, "szhk_editors_en", "") or "") if docname == BRIEFING_EN_DOC else ""
        documents.append((docname, tex, env.titles[docname].astext(), author or app.config.author, "howto", False))
    app.config.latex_documents = documents


def _split_editions(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """In the book's assembled LaTeX tree: drop the briefings and the English page, move the bibliography into 参考文献."""
    if app.builder.format != "latex" or docname != app.config.root_doc:
        return
    chapters = {sof["docname"]: sof for sof in doctree.findall(addnodes.start_of_file)}
    for page in NOT_IN_BOOK:
        if page in chapters:
            chapters[page].parent.remove(chapters.pop(page))
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
    """Drop the long web-only sections from the book PDF, with one line per page saying where they are. The line
    is kept on the page of what comes before it (no page break allowed before it: TeX carries the last lines or
    table rows over instead), so no page holds the line alone."""
    url = str(app.config.html_baseurl or "").strip()
    by_parent: dict[nodes.Element, list[nodes.section]] = {}
    for section in doctree.findall(nodes.section):
        if set(section["ids"]) & set(WEB_ONLY_SECTIONS):
            by_parent.setdefault(section.parent, []).append(section)
    for sections in by_parent.values():
        note = str(app.config.szhk_web_only_note or "")
        sections[0].replace_self([nodes.raw("", r"\nopagebreak[4]", format="latex"),
                                  nodes.paragraph("", note.format(where=f"：{url}" if url else ""))])
        for section in sections[1:]:
            section.parent.remove(section)


def _print_downloads(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """On paper a "下载" link does nothing: name the data file instead (数据文件 gii_ranks.csv; the words are
    szhk_edition_words' download_lead, download_lead_print and data_file_print). Run after the HK edition's
    conversion of the page (szhk_sphinx.hant), so that the page's words and the configuration's, converted when the
    configuration was read, are in the same script."""
    links = list(doctree.findall(addnodes.download_reference)) if app.builder.format == "latex" else []
    if not links:
        return
    lead, lead_print = words(app.config, "download_lead"), words(app.config, "download_lead_print")
    for link in links:
        filename = Path(link.get("reftarget", "")).name
        label = link.astext()
        before = link.previous_sibling()
        if isinstance(before, nodes.Text) and before.endswith(lead):
            before.parent.replace(before, nodes.Text(before[: -len(lead)] + lead_print))
        text = filename if label == filename else words(app.config, "data_file_print", file=filename)
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


def _briefing_after_book(app: Sphinx, exception: Exception | None) -> None:
    """The briefing names pages of the book PDF (where to read more, when no web address is configured): it reads
    the book's .aux (xr-hyper), so make typesets the book first. One prerequisite line added to the Makefile
    Sphinx wrote (make runs the two documents side by side otherwise)."""
    if exception is not None or app.builder.format != "latex":
        return
    makefile = Path(app.outdir) / "Makefile"
    if not makefile.is_file():
        raise ExtensionError(f"{makefile}: Sphinx wrote no Makefile; the briefing must be typeset after the book")
    rule = "\n# szhk_sphinx.pdf: the briefings read the book's page numbers\n" + "".join(
        f"{name}: {PDF_FILES[0]}\n" for name in pdf_files(app.config.szhk_edition)[1:])
    text = makefile.read_text(encoding="utf-8")
    if rule not in text:
        makefile.write_text(text + rule, encoding="utf-8")


def setup(app: Sphinx) -> dict[str, Any]:
    # The line that stands in the book PDF for the web-only sections ({where}: the web address, when configured).
    app.add_config_value("szhk_web_only_note", "", "env", [str])
    # What is known of the article's provenance (front page, PDF title page): never a name the source does not give.
    app.add_config_value("szhk_source_note", "", "env", [str])
    app.add_role("bookpage", book_page_role)  # the book PDF's page numbers in the printed briefing
    app.connect("config-inited", _load_cjk_faces, priority=600)  # after szhk_sphinx.hant adds szhkhant.sty (100)
    app.connect("builder-inited", _edition_macros)
    app.connect("builder-inited", _cjk_faces)
    app.connect("build-finished", _briefing_after_book)
    app.connect("env-updated", _add_briefing_document)
    app.connect("doctree-resolved", _split_editions)
    app.connect("doctree-resolved", _unlink_what_is_not_printed)  # after the cut, so it sees what is left
    app.connect("doctree-resolved", _print_downloads, priority=995)  # after szhk_sphinx.hant's conversion (990)
    app.connect("build-finished", _repair_figure_fonts)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
