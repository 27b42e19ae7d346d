"""The built web pages, read as files: nothing loaded from elsewhere, links that resolve, downloads on offer,
and the accessibility rules that can be checked without a browser (tests/test_browser.py does the rest)."""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[1]
# The same folder as conftest's html_dir fixture; needed at import for the figure test's xfail condition.
HTML_DIR = Path(os.environ.get("SZHK_HTML_DIR", ROOT / "_build" / "html"))

PDF_LINKS = ("_downloads/pdf/szhk-report.pdf", "_downloads/pdf/szhk-briefing.pdf")
EXTERNAL = re.compile(r"^(?:[a-z][a-z0-9+.-]*:)?//", re.IGNORECASE)  # http://, https://, //host
CSS_URL = re.compile(r"""url\(\s*['"]?([^'")\s]+)|@import\s+['"]([^'"]+)""", re.IGNORECASE)
# Elements whose attribute makes the browser fetch something while showing the page.
RESOURCE_ATTRS = {
    "script": ("src",), "img": ("src", "srcset"), "source": ("src", "srcset"), "iframe": ("src",),
    "audio": ("src",), "video": ("src", "poster"), "track": ("src",), "embed": ("src",),
    "object": ("data",), "input": ("src",), "link": ("href",),
}


@dataclass(eq=False)  # elements are compared by identity (a parent links back to its children)
class Element:
    tag: str
    attrs: dict[str, str]
    parent: Element | None
    children: list[Element | str] = field(default_factory=list)

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def iter(self, *tags: str):
        for child in self.children:
            if isinstance(child, Element):
                if not tags or child.tag in tags:
                    yield child
                yield from child.iter(*tags)

    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    def ancestors(self):
        node = self.parent
        while node is not None:
            yield node
            node = node.parent


VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {}, None)
        self.node = self.root

    def handle_starttag(self, tag, attrs):
        element = Element(tag, {k: v or "" for k, v in attrs}, self.node)
        self.node.children.append(element)
        if tag not in VOID:
            self.node = element

    def handle_startendtag(self, tag, attrs):
        self.node.children.append(Element(tag, {k: v or "" for k, v in attrs}, self.node))

    def handle_endtag(self, tag):
        node = self.node
        while node is not self.root and node.tag != tag:
            node = node.parent
        if node is not self.root:
            self.node = node.parent

    def handle_data(self, data):
        self.node.children.append(data)


@lru_cache(maxsize=None)
def parse(path: Path) -> Element:
    builder = _TreeBuilder()
    builder.feed(path.read_text(encoding="utf-8"))
    return builder.root


def html_pages(html_dir: Path) -> list[Path]:
    """Every page a reader can open (theme template leftovers in _static and the sources are not pages)."""
    pages = [p for p in sorted(html_dir.rglob("*.html"))
             if p.relative_to(html_dir).parts[0] not in ("_static", "_sources", "_images", "_downloads")]
    assert pages, f"no HTML pages under {html_dir}"
    return pages


def article(root: Element) -> Element | None:
    return next((e for e in root.iter("article") if "bd-article" in e.classes()), None)


def content_pages(html_dir: Path) -> list[Path]:
    """Pages made from the book's sources (the chapters, front page, appendices)."""
    return [p for p in html_pages(html_dir) if p.relative_to(html_dir).parts[0] == "book"]


def rel(html_dir: Path, page: Path) -> str:
    return page.relative_to(html_dir).as_posix()


@pytest.fixture(scope="module")
def pages(html_dir: Path) -> list[Path]:
    return html_pages(html_dir)


def test_no_resource_comes_from_another_site(html_dir: Path, pages: list[Path]) -> None:
    problems = []
    for page in pages:
        root = parse(page)
        for element in root.iter(*RESOURCE_ATTRS):
            for attr in RESOURCE_ATTRS[element.tag]:
                for value in re.split(r",\s*", element.attrs.get(attr, "")):
                    url = value.strip().split(" ")[0]
                    if url and EXTERNAL.match(url):
                        problems.append(f"{rel(html_dir, page)}: <{element.tag} {attr}={url!r}>")
        for element in root.iter():
            css = element.attrs.get("style", "") + (element.text() if element.tag == "style" else "")
            for match in CSS_URL.finditer(css):
                url = match.group(1) or match.group(2)
                if EXTERNAL.match(url):
                    problems.append(f"{rel(html_dir, page)}: CSS in <{element.tag}> loads {url!r}")
            if element.tag == "script" and "src" not in element.attrs:
                for url in re.findall(r"(?:https?:)?//[\w.-]+\.[a-z]{2,}[^\s'\"]*", element.text()):
                    problems.append(f"{rel(html_dir, page)}: an inline script names {url!r}")
    for css in sorted(html_dir.joinpath("_static").rglob("*.css")):
        for match in CSS_URL.finditer(css.read_text(encoding="utf-8", errors="replace")):
            url = match.group(1) or match.group(2)
            if EXTERNAL.match(url):
                problems.append(f"{rel(html_dir, css)} loads {url!r}")
    assert not problems, "pages load things from other sites:\n" + "\n".join(problems)


def test_no_mathjax_thebe_or_launch_buttons(html_dir: Path, pages: list[Path]) -> None:
    """The book has no maths and no live code: neither MathJax nor thebe nor a launch button belongs on a page."""
    found = []
    for page in pages:
        source = page.read_text(encoding="utf-8").lower()
        for marker in ("mathjax", "thebe", "binder", "colab", "jupyterhub", "launch-buttons", "plausible",
                       "googletagmanager", "google-analytics"):
            if marker in source:
                found.append(f"{rel(html_dir, page)}: {marker}")
    assert not found, "pages carry machinery the book must not load:\n" + "\n".join(found)


def test_every_page_is_marked_simplified_chinese(html_dir: Path, pages: list[Path]) -> None:
    wrong = {}
    for page in pages:
        html = next(parse(page).iter("html"), None)
        lang = html.attrs.get("lang") if html else None
        if lang != "zh-CN":
            wrong[rel(html_dir, page)] = lang
    assert not wrong, f'pages without <html lang="zh-CN">: {wrong}'


def test_every_page_has_a_title(html_dir: Path, pages: list[Path]) -> None:
    untitled = [rel(html_dir, p) for p in pages
                if not "".join(t.text() for t in parse(p).iter("title")).strip()]
    assert not untitled, f"pages without a <title>: {untitled}"


def test_every_image_has_alt_text(html_dir: Path, pages: list[Path]) -> None:
    missing = []
    for page in pages:
        for img in parse(page).iter("img"):
            decorative = img.attrs.get("role") == "presentation" or img.attrs.get("aria-hidden") == "true"
            if not decorative and not img.attrs.get("alt", "").strip():
                missing.append(f"{rel(html_dir, page)}: {img.attrs.get('src')}")
    assert not missing, "images without alt text:\n" + "\n".join(missing)


def test_headings_start_at_h1_and_skip_no_level(html_dir: Path) -> None:
    problems = []
    for page in content_pages(html_dir):
        body = article(parse(page))
        assert body is not None, f"{rel(html_dir, page)} has no <article class='bd-article'>"
        levels = [int(h.tag[1]) for h in body.iter("h1", "h2", "h3", "h4", "h5", "h6")]
        if levels.count(1) != 1 or levels[0] != 1:
            problems.append(f"{rel(html_dir, page)}: needs exactly one h1, first; has levels {levels}")
        for before, after in zip(levels, levels[1:]):
            if after > before + 1:
                problems.append(f"{rel(html_dir, page)}: h{before} is followed by h{after}")
    assert not problems, "\n".join(problems)


def _ids(page: Path) -> set[str]:
    return {e.attrs[a] for e in parse(page).iter() for a in ("id", "name") if e.attrs.get(a)}


def test_every_internal_link_resolves(html_dir: Path, pages: list[Path]) -> None:
    """Each link, image, script and stylesheet inside the book points at a file that exists (and a named
    place in it, for #anchors). The PDF links resolve once the build has copied the PDFs in."""
    broken = []
    for page in pages:
        for element in parse(page).iter("a", "link", "img", "script", "source", "iframe"):
            for attr in ("href", "src"):
                url = element.attrs.get(attr)
                if not url or EXTERNAL.match(url) or re.match(r"^[a-z][a-z0-9+.-]*:", url, re.I):
                    continue  # absent, another site (an <a> to a cited page), mailto: or javascript:
                parts = urlsplit(url)
                target = page if not parts.path else (page.parent / unquote(parts.path)).resolve()
                if target.is_dir():
                    target = target / "index.html"
                if not target.is_file():
                    hint = " — szhk.build copies _build/pdf/*.pdf there" if "_downloads/pdf/" in url else ""
                    broken.append(f"{rel(html_dir, page)}: {url} (no file{hint})")
                elif parts.fragment and target.suffix == ".html" and unquote(parts.fragment) not in _ids(target):
                    broken.append(f"{rel(html_dir, page)}: {url} (no #{unquote(parts.fragment)} there)")
    assert not broken, f"{len(broken)} internal links do not resolve:\n" + "\n".join(sorted(set(broken)))


def _download_menu(page: Path) -> dict[str, str]:
    """The page's download menu: each entry's text, mapped to its link (or its script, for buttons)."""
    menu = next((e for e in parse(page).iter("div") if "dropdown-download-buttons" in e.classes()), None)
    if menu is None:
        return {}
    entries = {}
    for item in menu.iter("li"):
        for control in item.iter("a", "button"):
            entries[" ".join(control.text().split())] = control.attrs.get("href") or control.attrs.get("onclick", "")
    return entries


def test_each_page_offers_its_source_and_both_pdfs(html_dir: Path) -> None:
    problems = []
    for page in content_pages(html_dir):
        name = rel(html_dir, page)
        menu = _download_menu(page)
        if not menu:
            problems.append(f"{name}: no download menu")
            continue
        hrefs = set(menu.values())
        stem = page.relative_to(html_dir).with_suffix("")
        depth = "../" * (len(stem.parts) - 1)
        wanted = [f"{depth}_sources/{stem.as_posix()}.md"] + [depth + link for link in PDF_LINKS]
        notebook_source = html_dir / "_sources" / f"{stem.as_posix()}.md"
        if notebook_source.is_file() and "kernelspec:" in notebook_source.read_text(encoding="utf-8"):
            wanted.append(f"{depth}_sources/{stem.as_posix()}.ipynb")  # a chapter that runs code
        missing = [w for w in wanted if w not in hrefs]
        if missing:
            problems.append(f"{name}: download menu lacks {missing} (has {sorted(hrefs)})")
    assert not problems, "\n".join(problems)


def test_front_page_links_both_pdfs(html_dir: Path) -> None:
    front = html_dir / "book" / "index.html"
    body = article(parse(front))
    assert body is not None, f"{front} has no article"
    hrefs = {a.attrs.get("href", "") for a in body.iter("a")}
    missing = [link for link in PDF_LINKS if f"../{link}" not in hrefs]
    assert not missing, f"the front page's text does not link {missing}"


def _figures(html_dir: Path) -> list[tuple[Path, Element]]:
    """Every figure image in the book's pages (images inside the article)."""
    found = []
    for page in content_pages(html_dir):
        body = article(parse(page))
        if body is not None:
            found.extend((page, img) for img in body.iter("img"))
    return found


def _data_tables(html_dir: Path) -> list[tuple[Path, Element]]:
    """The book's numbered tables (表 1, 表 2 …: a caption with a number), which the build makes from data.
    Unnumbered tables, such as the data appendix's field lists, describe data rather than show it."""
    found = []
    for page in content_pages(html_dir):
        body = article(parse(page))
        if body is None:
            continue
        for table in body.iter("table"):
            numbered = any("caption-number" in span.classes() for caption in table.iter("caption")
                           for span in caption.iter("span"))
            if numbered:
                found.append((page, table))
    return found


# What holds a figure or table together with its caption and links: the <figure>, the notebook cell that
# drew it, or the theme's wrapper around a table.
HOLDERS = {"cell", "figure", "table-wrapper", "pst-scrollable-table-container"}


def _download_links_near(element: Element) -> set[str]:
    """Links in the element's figure, table wrapper or notebook cell, and in the element right after it."""
    holder = next((a for a in element.ancestors() if a.tag == "figure" or a.classes() & HOLDERS), element)
    links = {a.attrs.get("href", "") for a in holder.iter("a")}
    siblings = [c for c in (holder.parent.children if holder.parent else []) if isinstance(c, Element)]
    if holder in siblings:
        for sibling in siblings[siblings.index(holder) + 1: siblings.index(holder) + 2]:
            links |= {a.attrs.get("href", "") for a in sibling.iter("a")} | {sibling.attrs.get("href", "")}
    return {urlsplit(link).path.lower() for link in links if link}


def _built() -> bool:
    return (HTML_DIR / "index.html").is_file()  # without a build, the tests below fail (html_dir says why)


@pytest.mark.xfail(_built() and not _figures(HTML_DIR), strict=True,
                   reason="no chapter draws a figure yet; becomes a real check once one does")
def test_every_figure_offers_its_svg_and_csv(html_dir: Path) -> None:
    figures = _figures(html_dir)
    assert figures, "the book has no figure yet"
    problems = []
    for page, img in figures:
        links = _download_links_near(img)
        lacking = [kind for kind in (".svg", ".csv") if not any(link.endswith(kind) for link in links)]
        if lacking:
            problems.append(f"{rel(html_dir, page)}: figure {img.attrs.get('src')} has no {'/'.join(lacking)} link")
    assert not problems, "\n".join(problems)


@pytest.mark.xfail(_built() and not _data_tables(HTML_DIR), strict=True,
                   reason="no chapter builds a table from data yet; becomes a real check once one does")
def test_every_data_table_offers_its_csv(html_dir: Path) -> None:
    tables = _data_tables(html_dir)
    assert tables, "the book has no table built from data yet"
    problems = []
    for page, table in tables:
        if not any(link.endswith(".csv") for link in _download_links_near(table)):
            caption = " ".join(table.text().split())[:40]
            problems.append(f"{rel(html_dir, page)}: table «{caption}» has no .csv link")
    assert not problems, "\n".join(problems)
