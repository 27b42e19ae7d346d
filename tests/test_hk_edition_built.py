"""The Hong Kong edition as published (html/hk/, pdf/*-hk.pdf): the same pages as the Simplified edition, every
text converted and nothing else changed (every clause of the author's text, every number), each page linked to
its twin in both directions, its own Chinese search in Chromium, its PDFs in Hong Kong glyph forms."""
from __future__ import annotations

import asyncio
import json
import re
import subprocess
from collections import Counter
from pathlib import Path

import pytest
from pages import Page, content_pages, html_pages, squeeze
from test_article_text import chapter_pages, compare, source_clauses
from test_briefing import page_count

import szhk_hant
from szhk_sphinx.hant import HK_FOLDER

SWITCH = "a.szhk-edition-switch"
NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
# Searches in each edition's own script, and the chapters whose text holds the words.
SEARCHES = {
    "sc": {"独角兽": {"book/02-hk-innovation.html", "book/03-government-measures.html", "book/04-key-industries.html"},
           "北部都会区": {"book/06-recommendations.html"}},
    "hk": {"獨角獸": {"book/02-hk-innovation.html", "book/03-government-measures.html", "book/04-key-industries.html"},
           "北部都會區": {"book/06-recommendations.html"}, "河套": {"book/05-cooperation.html"}},
}


def convert(text: str) -> str:
    return szhk_hant.converter().convert(text)


@pytest.fixture(scope="module")
def hk_dir(html_dir: Path) -> Path:
    folder = html_dir / HK_FOLDER
    assert (folder / "book" / "index.html").is_file(), f"{folder} has no HK edition"
    return folder


def twins(html_dir: Path, hk_dir: Path) -> list[tuple[Page, Page]]:
    return [(Page.read(page), Page.read(hk_dir / page.relative_to(html_dir))) for page in content_pages(html_dir)
            if HK_FOLDER not in page.relative_to(html_dir).parts]


def test_every_page_has_its_twin_in_the_other_edition(html_dir: Path, hk_dir: Path) -> None:
    sc = {p.relative_to(html_dir) for p in html_pages(html_dir) if p.relative_to(html_dir).parts[0] != HK_FOLDER}
    hk = {p.relative_to(hk_dir) for p in html_pages(hk_dir)}
    assert sc == hk | {Path("changes.html")} - (set() if Path("changes.html") in hk else {Path("changes.html")}), \
        f"only in one edition: {sorted(sc ^ hk)}"


def test_each_page_links_to_the_same_page_in_the_other_edition_in_that_edition_s_words(html_dir: Path,
                                                                                      hk_dir: Path) -> None:
    problems = []
    for sc, hk in twins(html_dir, hk_dir):
        for page, other, lang, script in ((sc, hk, "zh-HK", "hk"), (hk, sc, "zh-CN", "sc")):
            links = page.soup.select(SWITCH)
            if len(links) != 1:
                problems.append(f"{page.path}: {len(links)} switches")
                continue
            link = links[0]
            target = (page.path.parent / link["href"]).resolve()
            if target != other.path.resolve():
                problems.append(f"{page.path}: the switch leads to {target}, not {other.path}")
            label = link.get_text().strip()
            in_own_script = convert(label) == label if script == "hk" else convert(label) != label
            if link.get("lang") != lang or link.get("hreflang") != lang or not in_own_script:
                problems.append(f"{page.path}: the switch says {label!r} (lang {link.get('lang')}), not in {lang}")
    assert not problems, "\n".join(problems)


def test_hk_pages_say_their_language(hk_dir: Path) -> None:
    wrong = [p for p in html_pages(hk_dir) if Page.read(p).soup.html.get("lang") != "zh-HK"]
    assert not wrong, f"pages not marked lang=zh-HK: {wrong}"


def test_each_hk_page_is_its_simplified_twin_converted(html_dir: Path, hk_dir: Path) -> None:
    """The article's text (the author's, the editor's, tables, captions, citations) converted and nothing else."""
    different = []
    for sc, hk in twins(html_dir, hk_dir):
        expected = squeeze(editor_marks_undone(convert(sc.article_text())))
        shown = squeeze(editor_marks_undone(hk.article_text()))
        if expected != shown:
            at = next(i for i, (a, b) in enumerate(zip(expected + "\0", shown + "\0")) if a != b)
            different.append(f"{hk.path.name}: …{shown[max(at - 20, 0):at + 20]}… expected "
                             f"…{expected[max(at - 20, 0):at + 20]}…")
    assert not different, "\n".join(different)


AUTHOR_QUOTATION = re.compile(r"“([^“”]+)”")
EDITOR_PAGES = ("index.html", "briefing.html", "claims.html", "data-appendix.html")


def _editor_text(page: Page) -> list[str]:
    """The texts of a page's paragraphs, list items and table cells in Chinese, without what is someone else's
    words: block quotes, the register's excerpts (links to the article's paragraphs), bibliographic entries, code."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(str(page.article or page.soup), "html.parser")
    for kept in soup.select('blockquote, a[href*="#para-"], .szhk-author, .bibtex-citation, .citation, code, pre, '
                            '[lang="en"]'):
        kept.decompose()
    return [e.get_text(" ", strip=True) for e in soup.select("p, li, td, th")
            if re.search(r"[\u4e00-\u9fff]", e.get_text())]


def test_the_hk_editor_s_text_uses_hong_kong_quotation_marks_and_terms(hk_dir: Path) -> None:
    """The editor's words in the HK edition: 「」 quotation marks, none of “” left, and 數碼 for the IMD ranking, as
    the Hong Kong government calls it (szhk_hant/hk_editor_words.csv)."""
    pages = {p.name: Page.read(p) for p in content_pages(hk_dir) if p.name in EDITOR_PAGES}
    assert sorted(pages) == sorted(EDITOR_PAGES), sorted(pages)
    left = [f"{name}: {text[:80]}" for name, page in pages.items() for text in _editor_text(page)
            if "“" in text or "”" in text]
    assert not left, "“” in the HK editor's text:\n" + "\n".join(left[:10])
    titles = [f"{name}: {t.get_text(' ', strip=True)}" for name, page in pages.items()
              for t in page.soup.select("h1, h2, h3, nav a, title") if "“" in t.get_text()]
    assert not titles, f"“” in the HK pages' titles or their lists of contents: {titles[:5]}"
    assert all("「" in "".join(_editor_text(page)) for page in pages.values())
    notes = [n.get_text() for page in chapter_pages(hk_dir) for n in page.soup.select(".szhk-editor-note")]
    assert notes and not [n for n in notes if "“" in n], "an editor's note on a chapter keeps “”"
    assert "世界數碼競爭力排名" in "".join(_editor_text(pages["briefing.html"]) + _editor_text(pages["data-appendix.html"]))
    assert "數字競爭力" not in "".join(_editor_text(pages["briefing.html"]))
    change_page = (hk_dir / "changes.html").read_text(encoding="utf-8")  # the change report: the editor's words too
    assert "「版本記錄」" in change_page and "“" not in change_page and "”" not in change_page


def test_the_author_s_quotations_keep_their_marks_and_words_on_the_hk_pages(hk_dir: Path) -> None:
    """The author's “…” (and words: the article's 數字競爭力) stay as the article writes them, converted only in script."""
    quoted = AUTHOR_QUOTATION.findall("".join(source_clauses_raw()))
    assert len(quoted) > 10, quoted
    rendered = "".join(squeeze(page.article_text()) for page in chapter_pages(hk_dir))
    missing = [q for q in quoted if f"“{squeeze(convert(q))}”" not in rendered]
    assert not missing, f"the author's quotations changed on the HK chapters: {missing[:5]}"
    assert "數字競爭力" in rendered


def test_the_author_s_quotations_keep_their_marks_in_the_hk_book_pdf(pdf_dir: Path) -> None:
    """The same in print: the PDF's tree holds every page, and the author's prose there keeps its “…” too."""
    quoted = AUTHOR_QUOTATION.findall("".join(source_clauses_raw()))
    text = squeeze(subprocess.run(["pdftotext", str(pdf_dir / "szhk-report-hk.pdf"), "-"], capture_output=True,
                                  text=True, check=True).stdout)
    missing = [q for q in quoted if f"“{squeeze(convert(q))}”" not in text]
    assert len(missing) <= len(quoted) // 10, f"the author's quotations changed in the HK PDF: {missing[:5]}"
    assert "「一國兩制」" not in text.split("引言", 2)[-1], "the introduction's “一国两制” is the author's"


def test_the_hk_briefing_keeps_the_author_s_leads_and_marks_the_editor_s_words(hk_dir: Path, pdf_dir: Path) -> None:
    """The briefing quotes the author's recommendations as written (their “…” kept: {szhk-author}); its own words,
    the credit line of the print style too, take 「」."""
    leads = [a.get_text() for a in Page.read(hk_dir / "book" / "briefing.html").soup.select(".szhk-author")]
    assert any("“深港連片科技帶”" in lead for lead in leads), leads
    printed = squeeze(subprocess.run(["pdftotext", str(pdf_dir / "szhk-briefing-hk.pdf"), "-"], capture_output=True,
                                     text=True, check=True).stdout)
    # (the table's columns come out of pdftotext interleaved: the lead's quotation is looked for as it opens)
    assert "打造“深港連" in printed and "打造「深港連" not in printed and "「核心觀點」" in printed


def source_clauses_raw() -> list[str]:
    from test_article_text import SOURCE, source_prose

    return [source_prose(SOURCE.read_text(encoding="utf-8"))]


def test_every_clause_of_the_author_s_text_is_on_the_hk_pages_converted_in_order(hk_dir: Path) -> None:
    expected = [convert(clause) for clause in source_clauses()]
    rendered = "".join(squeeze(page.article_text()) for page in chapter_pages(hk_dir))
    missing, out_of_order = compare(expected, rendered)
    assert not missing and not out_of_order, f"missing: {missing[:10]}; out of order: {out_of_order[:10]}"


def test_the_numbers_on_each_hk_page_are_the_simplified_page_s(html_dir: Path, hk_dir: Path) -> None:
    different = [f"{hk.path.name}: {sorted(set(NUMBER.findall(sc.article_text())) ^ set(NUMBER.findall(hk.article_text())))[:10]}"
                 for sc, hk in twins(html_dir, hk_dir)
                 if NUMBER.findall(sc.article_text()) != NUMBER.findall(hk.article_text())]
    assert not different, "pages whose numbers differ between the editions:\n" + "\n".join(different)


def test_the_editor_s_notes_are_set_apart_on_the_hk_pages_as_on_the_simplified_ones(html_dir: Path,
                                                                                  hk_dir: Path) -> None:
    """szhk_sphinx.editor_notes marks the same notes in both editions (its marks are matched after the conversion)."""
    def notes(page: Page) -> int:
        return len(page.soup.select(".szhk-editor-note"))
    counts = [(sc.path.name, notes(sc), notes(hk)) for sc, hk in twins(html_dir, hk_dir)]
    assert sum(sc for _, sc, _ in counts) >= 10, counts
    assert all(sc == hk for _, sc, hk in counts), [c for c in counts if c[1] != c[2]]


def test_no_simplified_text_is_left_on_the_hk_pages(hk_dir: Path) -> None:
    """Menus, buttons, the search box, titles: everything but the name of the other edition."""
    left = []
    for path in html_pages(hk_dir):
        soup = Page.read(path).soup
        for link in soup.select(SWITCH):
            link.decompose()
        texts = [soup.get_text(" ")] + [str(tag.get(a)) for tag in soup.find_all(True)
                                        for a in ("alt", "title", "aria-label", "placeholder") if tag.get(a)]
        left += [f"{path.relative_to(hk_dir)}: {text[:60]!r}" for text in texts
                 for text in re.findall(r"[^\x00-\x7f]{2,}", text) if convert(text) != text]
    words = json.loads(re.search(r"addTranslations\((.*)\)", (hk_dir / "_static" / "translations.js").read_text(
        encoding="utf-8"), re.DOTALL).group(1))["messages"]  # the search page's "搜索完成，匹配到 5 頁。"
    left += [f"_static/translations.js: {text!r}" for text in words.values()
             if isinstance(text, str) and convert(text) != text]
    for sheet in sorted((hk_dir / "_static").glob("*.css")):  # words shown by CSS (a phone's table cue)
        shown = re.findall(r'content:\s*"([^"]*)"', sheet.read_text(encoding="utf-8"))
        left += [f"_static/{sheet.name}: {text!r}" for text in shown if convert(text) != text]
    assert not left, "Simplified text on HK pages:\n" + "\n".join(left[:20])


def test_the_hk_pages_offer_the_hk_pdfs_under_their_own_names(hk_dir: Path) -> None:
    """The front page's text and every page's download menu link szhk-report-hk.pdf and szhk-briefing-hk.pdf (not
    the Simplified names: saving both editions would overwrite one), and the English briefing; each file is there."""
    wanted = {"szhk-report-hk.pdf", "szhk-briefing-hk.pdf", "szhk-briefing-en.pdf"}
    problems = []
    for path in html_pages(hk_dir):
        soup = Page.read(path).soup
        if soup.find("div", class_="dropdown-download-buttons") is None and path.name != "index.html":
            continue
        links = {a["href"] for a in soup.find_all("a", href=True) if "_downloads/pdf/" in a["href"]}
        names = {link.rsplit("/", 1)[1] for link in links}
        if names and names != wanted:
            problems.append(f"{path.relative_to(hk_dir)}: links {sorted(names)}")
        problems += [f"{path.relative_to(hk_dir)}: {link} (no file)" for link in links
                     if not (path.parent / link).resolve().is_file()]
    front = {a["href"].rsplit("/", 1)[1] for a in Page.read(hk_dir / "book" / "index.html").soup.find_all("a", href=True)
             if "_downloads/pdf/" in a["href"]}
    assert front == wanted, f"the HK front page links {sorted(front)}"
    assert not problems, "\n".join(problems[:20])


def test_the_hk_figures_are_drawn_apart_from_the_simplified_ones(html_dir: Path, hk_dir: Path) -> None:
    for sc, hk in twins(html_dir, hk_dir):
        assert set(sc.figures) == set(hk.figures), hk.path
        for name in sc.figures:
            if sc.figures[name].find("img") is not None:
                assert sc.image_of(name).read_bytes() != hk.image_of(name).read_bytes(), f"{hk.path.name} {name}"


CONTENTS_LEADER = re.compile(r"(?:\. ){8}")  # the dotted leaders of a table of contents


@pytest.mark.parametrize("name", ["szhk-report-hk.pdf", "szhk-briefing-hk.pdf"])
def test_the_hk_pdfs_are_in_traditional_chinese_with_hong_kong_fonts(pdf_dir: Path, name: str) -> None:
    pdf = pdf_dir / name
    sc = pdf_dir / name.replace("-hk", "")
    assert page_count(pdf) == page_count(sc), f"{name}: {page_count(pdf)} pages, the Simplified edition {page_count(sc)}"
    # The table of contents is left out: its page numbers follow the page breaks, which the two scripts may place
    # differently (a line of Traditional text breaks elsewhere, and a paragraph moves to the next page).
    text, original = ("\f".join(page for page in subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout.split("\f")
        if not CONTENTS_LEADER.search(page)) for path in (pdf, sc))
    # The same text in the other script, character for character (read back into Simplified: pdftotext breaks
    # lines and pages inside words, which a conversion of its output would read differently), and the same numbers.
    # hk2s, not t2s: a Traditional title the Simplified edition prints as written (曾國衛) is written the Hong Kong
    # way in the HK edition (曾國衞), which t2s does not read back
    back = szhk_hant._opencc("hk2s").convert
    expected = Counter(back(editor_marks_undone(squeeze(original))))
    shown = Counter(back(editor_marks_undone(squeeze(text))))
    assert expected == shown, (f"{name} is not its Simplified twin converted: {(expected - shown).most_common(5)} "
                               f"missing, {(shown - expected).most_common(5)} added")
    assert squeeze(text) != squeeze(original), f"{name} is in Simplified Chinese"
    assert sorted(NUMBER.findall(original)) == sorted(NUMBER.findall(text)), f"{name}: the numbers differ"
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "NotoSansCJKhk" in fonts and "NotoSerifCJKhk" in fonts, fonts
    assert not re.search(r"CJK(?:jp|sc|kr|tc)", fonts, re.IGNORECASE), fonts


def editor_marks_undone(text: str) -> str:
    """The HK edition's text with the editor's Hong Kong quotation marks and terms (szhk_hant.EditorText) put back as
    the Simplified edition has them, so that the rest can be compared character for character."""
    for converted, hk in szhk_hant.read_editor_words():
        text = text.replace(hk, converted)
    return text.translate(str.maketrans("「」『』", "“”‘’"))


async def _search_both(site: str) -> dict[tuple[str, str], list[str]]:
    from playwright.async_api import async_playwright
    from test_browser import CHROMIUM, CHROMIUM_ARGS, _search

    found = {}
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            page = await (await browser.new_context()).new_page()
            for edition, searches in SEARCHES.items():
                root = site if edition == "sc" else f"{site}{HK_FOLDER}/"
                for words in searches:
                    found[edition, words] = await _search(page, root, words)
        finally:
            await browser.close()
    return found


def test_chinese_search_works_in_both_editions_in_chromium(html_dir: Path, hk_dir: Path) -> None:
    from test_browser import _served

    with _served(html_dir) as site:
        found = asyncio.run(_search_both(site))
    problems = []
    for (edition, words), results in found.items():
        missing = SEARCHES[edition][words] - set(results)
        if missing:
            problems.append(f"{edition}: {words} finds {results}, not {sorted(missing)}")
        folder = html_dir if edition == "sc" else hk_dir
        for result in results:
            if words not in Page.read(folder / result).article_text():
                problems.append(f"{edition}: {words} finds {result}, which does not contain it")
    assert not problems, "\n".join(problems)


def test_the_hk_pass_executes_nothing(html_dir: Path) -> None:
    """The HK pass reads the notebooks the first pass executed (one jupyter-cache, keyed by the same code cells):
    a data change re-executes each affected chapter once for both editions."""
    work = html_dir.resolve().parents[1] / ".work"
    hk_log = work / "logs" / f"html-{HK_FOLDER}.log"
    assert hk_log.is_file(), f"{hk_log}: the HK pass left no log"
    text = re.sub(r"\x1b\[[0-9;]*m", "", hk_log.read_text(encoding="utf-8", errors="replace"))
    assert f"Using jupyter-cache at: {work / '_build' / '.jupyter_cache'}" in text, "the HK pass has a cache of its own"
    assert "Executing notebook" not in text, "the HK pass executed notebooks of its own"
