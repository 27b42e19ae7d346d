"""The built web pages, read as files: nothing loaded from elsewhere, links that resolve, downloads on offer,
no code or error output shown, and the accessibility rules that can be checked without a browser
(tests/test_browser.py does the rest)."""
from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from bs4 import Tag
from conftest import Page
from pages import content_pages, html_pages

PDF_LINKS = ("_downloads/pdf/szhk-report.pdf", "_downloads/pdf/szhk-briefing.pdf")
EXTERNAL = re.compile(r"^(?:[a-z][a-z0-9+.-]*:)?//", re.IGNORECASE)  # http://, https://, //host
CSS_URL = re.compile(r"""url\(\s*['"]?([^'")\s]+)|@import\s+['"]([^'"]+)""", re.IGNORECASE)
# Elements whose attribute makes the browser fetch something while showing the page.
RESOURCE_ATTRS = {
    "script": ("src",), "img": ("src", "srcset"), "source": ("src", "srcset"), "iframe": ("src",),
    "audio": ("src",), "video": ("src", "poster"), "track": ("src",), "embed": ("src",),
    "object": ("data",), "input": ("src",), "link": ("href",),
}
# What myst-nb writes for a shown code cell, a stderr stream and an error output.
CODE_OR_ERRORS = {
    "a code cell's source": re.compile(r'class="[^"]*\bcell_input\b'),
    "highlighted Python": re.compile(r'class="[^"]*\bhighlight-ipython3\b'),
    "stderr output": re.compile(r'class="[^"]*\boutput stderr\b'),
    "an error output": re.compile(r'class="[^"]*\bhighlight-ipythontb\b'),
    "a traceback": re.compile(r"Traceback \(most recent call last\)"),
}


def parse(path: Path):
    return Page.read(path).soup


def article(soup) -> Tag | None:
    return soup.find("article", class_="bd-article")


def classes(element: Tag) -> set[str]:
    return set(element.get("class") or [])


def rel(html_dir: Path, page: Path) -> str:
    return page.relative_to(html_dir).as_posix()


@pytest.fixture(scope="module")
def pages(html_dir: Path) -> list[Path]:
    return html_pages(html_dir)


def test_no_resource_comes_from_another_site(html_dir: Path, pages: list[Path]) -> None:
    problems = []
    for page in pages:
        root = parse(page)
        for element in root.find_all(list(RESOURCE_ATTRS)):
            for attr in RESOURCE_ATTRS[element.name]:
                for value in re.split(r",\s*", element.get(attr, "")):
                    url = value.strip().split(" ")[0]
                    if url and EXTERNAL.match(url):
                        problems.append(f"{rel(html_dir, page)}: <{element.name} {attr}={url!r}>")
        for element in root.find_all(True):
            css = element.get("style", "") + (element.string or "" if element.name == "style" else "")
            for match in CSS_URL.finditer(css):
                url = match.group(1) or match.group(2)
                if EXTERNAL.match(url):
                    problems.append(f"{rel(html_dir, page)}: CSS in <{element.name}> loads {url!r}")
            if element.name == "script" and not element.get("src"):
                for url in re.findall(r"(?:https?:)?//[\w.-]+\.[a-z]{2,}[^\s'\"]*", element.string or ""):
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
    """…and the Hong Kong edition's pages (hk/) Traditional Chinese (Hong Kong)."""
    wrong = {}
    for page in pages:
        html = parse(page).find("html")
        lang = html.get("lang") if html else None
        if lang != ("zh-HK" if rel(html_dir, page).startswith("hk/") else "zh-CN"):
            wrong[rel(html_dir, page)] = lang
    assert not wrong, f'pages without <html lang="zh-CN"> (hk/: "zh-HK"): {wrong}'


def test_every_page_has_a_title(html_dir: Path, pages: list[Path]) -> None:
    untitled = [rel(html_dir, p) for p in pages
                if not (parse(p).title and parse(p).title.get_text().strip())]
    assert not untitled, f"pages without a <title>: {untitled}"


def test_every_image_has_alt_text(html_dir: Path, pages: list[Path]) -> None:
    missing = []
    for page in pages:
        for img in parse(page).find_all("img"):
            decorative = img.get("role") == "presentation" or img.get("aria-hidden") == "true"
            if not decorative and not img.get("alt", "").strip():
                missing.append(f"{rel(html_dir, page)}: {img.get('src')}")
    assert not missing, "images without alt text:\n" + "\n".join(missing)


def test_headings_start_at_h1_and_skip_no_level(html_dir: Path) -> None:
    problems = []
    for page in content_pages(html_dir):
        body = article(parse(page))
        assert body is not None, f"{rel(html_dir, page)} has no <article class='bd-article'>"
        levels = [int(h.name[1]) for h in body.find_all(["h1", "h2", "h3", "h4", "h5", "h6"])]
        if levels.count(1) != 1 or levels[0] != 1:
            problems.append(f"{rel(html_dir, page)}: needs exactly one h1, first; has levels {levels}")
        for before, after in zip(levels, levels[1:]):
            if after > before + 1:
                problems.append(f"{rel(html_dir, page)}: h{before} is followed by h{after}")
    assert not problems, "\n".join(problems)


def _ids(page: Path) -> set[str]:
    return Page.read(page).ids


def test_every_internal_link_resolves(html_dir: Path, pages: list[Path]) -> None:
    """Each link, image, script and stylesheet inside the book points at a file that exists (and a named
    place in it, for #anchors). The PDF links resolve once the build has copied the PDFs in."""
    broken = []
    for page in pages:
        for element in parse(page).find_all(["a", "link", "img", "script", "source", "iframe"]):
            for attr in ("href", "src"):
                url = element.get(attr)
                if not url or EXTERNAL.match(url) or re.match(r"^[a-z][a-z0-9+.-]*:", url, re.I):
                    continue  # absent, another site (an <a> to a cited page), mailto: or javascript:
                parts = urlsplit(url)
                target = page if not parts.path else (page.parent / unquote(parts.path)).resolve()
                if target.is_dir():
                    target = target / "index.html"
                if not target.is_file():
                    hint = " — tools/build.py copies the PDFs there" if "_downloads/pdf/" in url else ""
                    broken.append(f"{rel(html_dir, page)}: {url} (no file{hint})")
                elif parts.fragment and target.suffix == ".html" and unquote(parts.fragment) not in _ids(target):
                    broken.append(f"{rel(html_dir, page)}: {url} (no #{unquote(parts.fragment)} there)")
    assert not broken, f"{len(broken)} internal links do not resolve:\n" + "\n".join(sorted(set(broken)))


def _download_menu(page: Path) -> dict[str, str]:
    """The page's download menu: each entry's text, mapped to its link (or its script, for buttons)."""
    menu = parse(page).find("div", class_="dropdown-download-buttons")
    if menu is None:
        return {}
    entries = {}
    for item in menu.find_all("li"):
        for control in item.find_all(["a", "button"]):
            entries[" ".join(control.get_text().split())] = control.get("href") or control.get("onclick", "")
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
    hrefs = {a.get("href", "") for a in body.find_all("a")}
    missing = [link for link in PDF_LINKS if f"../{link}" not in hrefs]
    assert not missing, f"the front page's text does not link {missing}"


def _figures(html_dir: Path) -> list[tuple[Path, Tag]]:
    """Every figure image in the book's pages (images inside the article)."""
    found = []
    for page in content_pages(html_dir):
        body = article(parse(page))
        if body is not None:
            found.extend((page, img) for img in body.find_all("img"))
    return found


def _data_tables(html_dir: Path) -> list[tuple[Path, Tag]]:
    """The book's numbered tables (表 1, 表 2 …: a caption with a number), which the build makes from data.
    Unnumbered tables, such as the data appendix's field lists, describe data rather than show it."""
    found = []
    for page in content_pages(html_dir):
        body = article(parse(page))
        if body is None:
            continue
        for table in body.find_all("table"):
            numbered = table.find("caption") is not None and table.find("caption").find(class_="caption-number")
            if numbered:
                found.append((page, table))
    return found


# What holds a figure or table together with its caption and links: the <figure>, the notebook cell that
# drew it, or the theme's wrapper around a table.
HOLDERS = {"cell", "figure", "table-wrapper", "pst-scrollable-table-container"}


def _download_links_near(element: Tag) -> set[str]:
    """Links in the element's figure, table wrapper or notebook cell, and in the element right after it."""
    holder = next((a for a in element.parents if a.name == "figure" or classes(a) & HOLDERS), element)
    links = {a.get("href", "") for a in holder.find_all("a")}
    sibling = holder.find_next_sibling()
    if sibling is not None:
        links |= {a.get("href", "") for a in sibling.find_all("a")} | {sibling.get("href", "")}
    return {urlsplit(link).path.lower() for link in links if link}


def test_every_figure_offers_its_svg_and_csv(html_dir: Path) -> None:
    figures = _figures(html_dir)
    assert len(figures) >= 7, f"only {len(figures)} figures in the book"
    problems = []
    for page, img in figures:
        links = _download_links_near(img)
        lacking = [kind for kind in (".svg", ".csv") if not any(link.endswith(kind) for link in links)]
        if lacking:
            problems.append(f"{rel(html_dir, page)}: figure {img.get('src')} has no {'/'.join(lacking)} link")
    assert not problems, "\n".join(problems)


def test_every_data_table_offers_its_csv(html_dir: Path) -> None:
    tables = _data_tables(html_dir)
    assert len(tables) >= 2, f"only {len(tables)} numbered tables in the book"
    problems = []
    for page, table in tables:
        if not any(link.endswith(".csv") for link in _download_links_near(table)):
            caption = " ".join(table.get_text().split())[:40]
            problems.append(f"{rel(html_dir, page)}: table «{caption}» has no .csv link")
    assert not problems, "\n".join(problems)


def test_no_page_shows_code_stderr_or_tracebacks(html_dir: Path) -> None:
    pages = content_pages(html_dir)
    assert len(pages) >= 10, pages
    found = [f"{page.name}: {what}" for page in pages for what, pattern in CODE_OR_ERRORS.items()
             if pattern.search(Page.read(page).html)]
    assert not found, found
