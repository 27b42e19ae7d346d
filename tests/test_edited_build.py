"""Data edits reach every output, and only through a clean build: the shared edited build (conftest.edited_build).

One warm copy of the project is built three times with tools/build.py: with several CSV edits and a chapter edit
at once (a CSV edited again while that build ran); with the mid-build edit undone; with every edit undone. These
tests read those builds: what re-executed, what the pages and PDFs show, what the claims register says, which files
were published, and whether the same sources gave the same bytes as the repository's own edition.
"""
from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

from conftest import (EDITED_RESOURCES, MID_BUILD_EDIT, SPECIAL_DATA, SPECIAL_PRINTED, EditedBuild, Page,
                      figure_resources, figures_on_pages, pdf_text, squeeze)

import szhk_sphinx.reexecution as reexecution
from szhk import claims

BOOK_PDF = "szhk-report.pdf"
CHAPTER_02 = "book/02-hk-innovation.html"
CHAPTER_02_FIGURES = set(figures_on_pages()["02-hk-innovation"])  # as its MyST places them


def readers(project: Path, *resources: str) -> set[str]:
    """Notebooks that must re-execute when these resources change: their readers and the `data: all` pages."""
    declared = reexecution.readers(project / "book")
    pages = {f"book/{stem}.md" for name in resources for stem in declared.get(name, [])}
    pages |= {p.relative_to(project).as_posix() for p in (project / "book").glob("*.md")
              if reexecution.declared(p.read_text(encoding="utf-8")) == reexecution.ALL}
    return {p for p in pages if reexecution.is_notebook((project / p).read_text(encoding="utf-8"))}


def figure_bytes(html: Path, page: str = CHAPTER_02) -> dict[str, bytes]:
    """Each figure's SVG, without its date (the date of the commit its chapter was executed at, which jupyter-cache
    does not key on: a developer's cache may hold older dates than a fresh build's)."""
    parsed = Page.read(html / page)
    return {fid: re.sub(rb"<dc:date>[^<]*</dc:date>", b"", parsed.image_of(fid).read_bytes())
            for fid in parsed.figures if parsed.figures[fid].find("img")}


def visible(html: Path, page: str = CHAPTER_02) -> str:
    return squeeze(Page.read(html / page).article_text())


# ----------------------------------------------------------------------------------------------------------------
# Re-execution
# ----------------------------------------------------------------------------------------------------------------
def test_csv_edits_reexecute_exactly_their_readers(edited_build: EditedBuild) -> None:
    """The copy is warm (the repository's work folder): only the chapters reading an edited CSV execute."""
    project = edited_build.project
    expected = readers(project, *EDITED_RESOURCES)
    assert {"book/02-hk-innovation.md", "book/03-government-measures.md", "book/claims.md",
            "book/data-appendix.md"} <= expected
    assert set(edited_build.edited.executed) == expected, edited_build.edited.output[-2000:]
    notebooks = {p.relative_to(project).as_posix() for p in (project / "book").glob("*.md")
                 if reexecution.is_notebook(p.read_text(encoding="utf-8"))}
    assert notebooks - expected, "every chapter reads the edited CSVs: the test cannot show that others were left"


def test_a_rebuild_of_data_built_before_executes_nothing(edited_build: EditedBuild) -> None:
    """Back to the edited data (the mid-build edit undone), and back to the committed data: all from the cache."""
    again = edited_build.edited_again
    assert again.executed == [], again.output[-2000:]
    assert "LaTeX not run" in again.output, again.output[-2000:]
    assert edited_build.reverted.executed == [], edited_build.reverted.output[-2000:]


# ----------------------------------------------------------------------------------------------------------------
# The edits reach the pages, the figures, the PDF and the claims register
# ----------------------------------------------------------------------------------------------------------------
def test_a_csv_edit_reaches_table_figure_and_pdf(edited_build: EditedBuild, html_dir: Path, pdf_dir: Path) -> None:
    row = edited_build.china_row
    assert row not in visible(html_dir) and row in visible(edited_build.edited_html), f"Table 1 does not read {row}"
    assert row not in squeeze(pdf_text(pdf_dir / BOOK_PDF))
    assert row in squeeze(pdf_text(edited_build.edited_pdf / BOOK_PDF)), f"the book PDF's Table 1 does not read {row}"


def test_a_csv_edit_changes_its_sentence_and_only_its_figures(edited_build: EditedBuild, html_dir: Path) -> None:
    assert "香港初创企业达近4000家" in visible(html_dir)
    edited = visible(edited_build.edited_html)
    assert "香港初创企业达近4321家" in edited and "近4000家" not in edited
    before, after = figure_bytes(html_dir), figure_bytes(edited_build.edited_html)
    assert before.keys() == after.keys() == CHAPTER_02_FIGURES
    changed = {fid for fid in before if before[fid] != after[fid]}
    # exactly the figures whose value axis reads an edited resource (datapackage.json `figures`)
    expected = {fid for fid in CHAPTER_02_FIGURES if figure_resources(fid) & set(EDITED_RESOURCES)}
    assert changed == expected == {"fig-gii-ranks", "fig-hk-startups"}, f"figures redrawn: {sorted(changed)}"


def test_a_data_edit_changes_the_register_and_the_margin_note(edited_build: EditedBuild, html_dir: Path) -> None:
    book = edited_build.edited_html / "book"
    before = Page.read(html_dir / "book" / "claims.html").register_rows["claim-science-park-rd-staff"]
    assert before[1].startswith(claims.DIFFERS)
    row = Page.read(book / "claims.html").register_rows["claim-science-park-rd-staff"]
    assert row[1] == claims.CONSISTENT and "约 17000" in row[3], row
    chapter = Page.read(book / "03-government-measures.html")
    assert not any("claims.html#claim-science-park-rd-staff" in h for _, hrefs in chapter.margins for h in hrefs)
    assert all(not text.strip() for text, _ in chapter.margins), "chapter 03 has no other discrepancy"


def test_latex_special_characters_print_as_written(edited_build: EditedBuild) -> None:
    """In prose (a chapter's text) and in data (a note the data appendix prints), web and print alike."""
    book = re.sub(r"\s+", " ", pdf_text(edited_build.edited_pdf / BOOK_PDF))
    assert SPECIAL_PRINTED in book, "the special characters in prose did not print as written"
    assert SPECIAL_DATA in book, "the special characters in data did not print as written"
    web = " ".join(Page.read(edited_build.edited_html / "book" / "data-appendix.html").article_text().split())
    assert SPECIAL_DATA in web


# ----------------------------------------------------------------------------------------------------------------
# Publishing: the same sources give the same bytes; a mid-build edit cannot poison the cache; no orphan files
# ----------------------------------------------------------------------------------------------------------------
# The change report says how an edition differs from the one published before it: after an edit and its undo it
# rightly differs from the first build's report, so it is left out when two editions are compared byte for byte.
CHANGE_REPORT = ("changes.txt", "html/changes.html", "html/hk/changes.html")  # the HK edition has its own, converted


def without_change_report(published: dict[str, str]) -> dict[str, str]:
    return {name: digest for name, digest in published.items() if name not in CHANGE_REPORT}


def test_two_builds_of_the_same_sources_publish_identical_files(edited_build: EditedBuild) -> None:
    """The repository's published edition, and a copy of the project built again after an edit and its undo
    (every page that showed the edit read and written again, both PDFs typeset again): every published file but
    the change report has the same SHA-256."""
    original = without_change_report(edited_build.published)
    reverted = without_change_report(edited_build.reverted.published)
    assert any(name.endswith(".pdf") for name in original) and any(name.endswith(".svg") for name in original)
    assert "typeset with XeLaTeX" in edited_build.reverted.output
    assert original.keys() == reverted.keys(), sorted(original.keys() ^ reverted.keys())[:20]
    differing = sorted(name for name in original if original[name] != reverted[name])
    assert not differing, f"{len(differing)} published files differ between two builds of the same sources: " \
                          f"{differing[:20]} (is the repository's edition built from this commit? make build)"


def test_a_csv_edited_while_the_book_builds_cannot_poison_the_cache(edited_build: EditedBuild) -> None:
    """A CSV saved while the edited build ran: that build shows the data it started with, and so does the cache it
    filled (the build after the edit is undone executes nothing and publishes the same bytes)."""
    name, old, new = MID_BUILD_EDIT
    assert edited_build.mid_build_edit_made_while_running, "the edit was not made while the build ran"
    edited = visible(edited_build.edited_html)
    assert "香港初创企业达近4321家" in edited and "9999" not in edited
    csv = next((edited_build.edited_html / "_downloads").rglob(name))
    assert old in csv.read_text(encoding="utf-8") and new not in csv.read_text(encoding="utf-8"), \
        f"the published {name} is the one saved mid-build"
    assert without_change_report(edited_build.edited_again.published) == \
        without_change_report(edited_build.edited.published)
    assert "9999" not in squeeze(pdf_text(edited_build.edited_pdf / BOOK_PDF))


def referenced_files(html: Path) -> set[Path]:
    """Files that the pages, scripts and stylesheets of a site name (href, src, CSS url())."""
    html = html.resolve()
    used: set[Path] = set()
    for page in html.rglob("*"):
        if page.suffix == ".html":
            soup = Page.read(page).soup
            urls = [tag.get(attr) for tag in soup.find_all(True) for attr in ("href", "src") if tag.get(attr)]
            urls += [u for tag in soup.find_all(srcset=True) for u in re.findall(r"(\S+)(?:\s+\S+)?,?", tag["srcset"])]
        elif page.suffix in (".css", ".js"):
            urls = re.findall(r"""(?:url\(\s*['"]?|['"])([^'"()\s]*(?:_images|_downloads)/[^'"()\s]+)""",
                              page.read_text(encoding="utf-8", errors="replace"))
        else:
            continue
        for url in urls:
            path = urlsplit(url).path
            if path and not re.match(r"^[a-z][a-z0-9+.-]*:", url, re.I):
                used.add((page.parent / unquote(path)).resolve())
    return used


def orphans(html: Path) -> list[str]:
    html = html.resolve()
    used = referenced_files(html)
    return sorted(p.relative_to(html).as_posix() for folder in ("_images", "_downloads")
                  for p in (html / folder).rglob("*") if p.is_file() and p.resolve() not in used)


def test_the_published_site_holds_only_files_its_pages_reference(edited_build: EditedBuild) -> None:
    """After an edit and its undo, no figure of the edited data remains beside the pages."""
    current = edited_build.project / "_build" / "html"
    assert (current / "_images").is_dir() and any((current / "_images").iterdir())
    assert not orphans(current), f"files no page references: {orphans(current)}"
    assert not orphans(edited_build.edited_html), f"files no page references: {orphans(edited_build.edited_html)}"
    edited_only = set(figure_bytes(edited_build.edited_html).values()) - set(figure_bytes(current).values())
    assert edited_only, "the edit redrew no figure: the test cannot show that its files were dropped"
    published = {p.read_bytes() for p in (current / "_images").rglob("*.svg")}
    assert not edited_only & published, "a figure of the edited data is still published"
