"""One model of a built web page (BeautifulSoup), used by every test that reads the HTML.

    page = Page.read(html_dir / "book" / "02-hk-innovation.html")
    page.figures["fig-gii-ranks"]      # the <figure> element
    page.article_text()                # what a reader sees of the chapter body

Parsed pages are cached by path and modification time: many tests read the same pages.
"""
from __future__ import annotations

import re
from functools import cached_property, lru_cache
from pathlib import Path

from bs4 import BeautifulSoup, Tag

WHITESPACE = re.compile(r"\s+")


def squeeze(text: str) -> str:
    """Text with all white space removed: HTML, pdftotext and the sources wrap Chinese text differently."""
    return WHITESPACE.sub("", text)


class Page:
    """A built HTML page: its parsed tree and the parts the tests look at."""

    def __init__(self, path: Path, html: str) -> None:
        self.path = path
        self.html = html
        self.soup = BeautifulSoup(html, "html.parser")

    @staticmethod
    def read(path: Path) -> Page:
        path = Path(path).absolute()  # not resolved: _build/html is a link that a new edition moves
        stat = path.stat()
        return _read(path, stat.st_mtime_ns, stat.st_size)

    # ---- the chapter body -----------------------------------------------------------------------------------
    @cached_property
    def article(self) -> Tag | None:
        """The theme's <article class="bd-article"> (or <main> for another theme)."""
        return self.soup.find("article", class_="bd-article") or self.soup.find("main")

    def article_text(self) -> str:
        """Visible text of the chapter body (get_text leaves out <script>, <style> and <template>)."""
        return self.article.get_text() if self.article else ""

    def text(self) -> str:
        """Visible text of the whole page."""
        return self.soup.get_text()

    @cached_property
    def paragraphs(self) -> list[str]:
        return [p.get_text() for p in self.article.find_all("p")] if self.article else []

    @cached_property
    def strong(self) -> list[str]:
        return [s.get_text() for s in self.article.find_all("strong")] if self.article else []

    @cached_property
    def ids(self) -> set[str]:
        return {tag[attr] for tag in self.soup.find_all(True) for attr in ("id", "name") if tag.get(attr)}

    @cached_property
    def links(self) -> list[str]:
        return [a["href"] for a in self.soup.find_all("a", href=True)]

    # ---- figures and tables ---------------------------------------------------------------------------------
    @cached_property
    def figures(self) -> dict[str, Tag]:
        return {f["id"]: f for f in self.soup.find_all("figure", id=True)}

    @cached_property
    def tables(self) -> dict[str, Tag]:
        return {t["id"]: t for t in self.soup.find_all("table", id=True)}

    def image_of(self, figure_id: str) -> Path:
        """The file of a figure's image."""
        return (self.path.parent / self.figures[figure_id].find("img")["src"]).resolve()

    # ---- citations, bibliography, footnotes -----------------------------------------------------------------
    @cached_property
    def citation_spans(self) -> list[Tag]:
        spans = self.soup.find_all("span", class_="bibtex-citation")
        return [s for s in spans if not s.find_parent("span", class_="bibtex-citation")]

    @cached_property
    def citations(self) -> list[tuple[str, str]]:
        """(target id in references.html, label) of each citation link, in page order."""
        return [(a.get("href", "").split("#")[-1], a.get_text().strip())
                for span in self.citation_spans for a in span.find_all("a")]

    @cached_property
    def citation_texts(self) -> list[str]:
        return [span.get_text() for span in self.citation_spans]

    @cached_property
    def running_text_citations(self) -> list[str]:
        """Citations outside figure captions (LaTeX floats figures away from the running text)."""
        return [span.get_text() for span in self.citation_spans if not span.find_parent("figcaption")]

    @cached_property
    def bibliography(self) -> list[tuple[str, str, str]]:
        """(id, label, text) of each bibliography entry."""
        entries = []
        for div in self.soup.find_all("div", class_="citation"):
            if div.find_parent("div", class_="citation"):
                continue
            match = re.match(r"\s*\[(\d+)\]\s*(.*)", div.get_text(), re.S)
            assert match, f"bibliography entry without a [n] label: {div.get_text()!r}"
            entries.append((div.get("id"), match.group(1), " ".join(match.group(2).split())))
        return entries

    @cached_property
    def footnotes(self) -> list[str]:
        return [" ".join(a.get_text().split()) for a in self.soup.find_all("aside", class_="footnote")]

    # ---- the claims register and its margin notes -----------------------------------------------------------
    @cached_property
    def margins(self) -> list[tuple[str, list[str]]]:
        """(text, link targets) of each 核验 margin cell."""
        return [(cell.get_text(), [a["href"] for a in cell.find_all("a", href=True)])
                for cell in self.soup.find_all(class_="tag_claims-note")]

    @cached_property
    def register_rows(self) -> dict[str, list[str]]:
        """Register rows: the claim's anchor id (claim-…) -> its cells' texts."""
        rows = {}
        for row in self.soup.find_all("tr"):
            anchor = row.find(id=re.compile(r"^claim-"))
            if anchor is not None:
                rows[anchor["id"]] = [cell.get_text().strip() for cell in row.find_all("td")]
        return rows


@lru_cache(maxsize=256)
def _read(path: Path, mtime_ns: int, size: int) -> Page:
    return Page(path, path.read_text(encoding="utf-8"))


def pages_in_reading_order(html_dir: Path) -> list[Path]:
    """The book's pages following the "next" links from the front page (Sphinx's order, which is also the
    order sphinxcontrib-bibtex numbers citations in)."""
    pages, page = [], html_dir / "book" / "index.html"
    while page.exists() and page not in pages:
        pages.append(page)
        link = Page.read(page).soup.find("link", rel="next")
        if link is None:
            break
        page = (page.parent / link["href"]).resolve()
    return pages


def html_pages(html_dir: Path) -> list[Path]:
    """Every page a reader can open (theme template leftovers in _static and the sources are not pages)."""
    pages = [p for p in sorted(html_dir.rglob("*.html"))  # the HK edition's (hk/) too, with its own _static …
             if not {"_static", "_sources", "_images", "_downloads"} & set(p.relative_to(html_dir).parts)]
    assert pages, f"no HTML pages under {html_dir}"
    return pages


def content_pages(html_dir: Path) -> list[Path]:
    """Pages made from the book's sources (the chapters, front page, appendices)."""
    return [p for p in html_pages(html_dir) if p.relative_to(html_dir).parts[0] == "book"]
