"""The book PDF as a print edition: nothing below the folio or past the page edge, no dead 下载 labels, the long
web-only sections (data dictionary, update steps, full claims register) left to the web with one line saying so."""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BOOK_PDF = ROOT / "_build" / "pdf" / "szhk-report.pdf"
pytestmark = pytest.mark.needs_build  # every test reads the built book PDF
_WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>')
_PAGE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', re.S)


@pytest.fixture(scope="module")
def pages() -> list[tuple[float, float, list[tuple[float, float, float, float, str]]]]:
    if not BOOK_PDF.is_file():
        pytest.fail(f"{BOOK_PDF} is missing: run make build")
    bbox = subprocess.run(["pdftotext", "-bbox", str(BOOK_PDF), "-"], capture_output=True, text=True, check=True).stdout
    return [
        (float(w), float(h), [(float(a), float(b), float(c), float(d), t) for a, b, c, d, t in _WORD.findall(body)])
        for w, h, body in _PAGE.findall(bbox)
    ]


@pytest.fixture(scope="module")
def text() -> str:
    return subprocess.run(["pdftotext", str(BOOK_PDF), "-"], capture_output=True, text=True, check=True).stdout


def test_no_text_below_the_folio_or_past_the_edge(pages):
    for number, (width, height, words) in enumerate(pages, start=1):
        if not words:
            continue
        lowest = max(words, key=lambda word: word[3])
        folio_top = lowest[1] if re.fullmatch(r"[0-9ivxlc]+", lowest[4]) else height * 0.95
        below = [w[4] for w in words if w is not lowest and w[3] > folio_top + 0.5]
        assert not below, f"page {number}: text below the folio: {below[:5]}"
        outside = [w[4] for w in words if w[0] < 0 or w[2] > width]
        assert not outside, f"page {number}: text past the page edge: {outside[:5]}"


def test_no_download_labels_on_paper(text):
    assert "下载" not in text, [line for line in text.splitlines() if "下载" in line][:5]


def _outline_titles(outline) -> list[str]:
    titles = []
    for item in outline:
        titles += _outline_titles(item) if isinstance(item, list) else [item.title]
    return titles


def test_web_only_sections_are_named_not_printed(text):
    import pypdf

    assert "只在网页版中" in re.sub(r"\s+", "", text)
    headings = _outline_titles(pypdf.PdfReader(BOOK_PDF).outline)
    assert "数据与方法" in headings and "数字核验" in headings  # the compact summaries stay
    for heading in ("各数据集", "逐条核验", "怎样更新数据"):
        assert heading not in headings, f"{heading} is printed in the book PDF"


def test_every_register_entry_the_pdf_cites_is_printed(text):
    """The full register stays on the web; every "数字核验第 N 条" the book PDF names is in its printed table."""
    flat = re.sub(r"\s+", " ", text)
    cited = set(re.findall(r"数字核验第 ?(\d+) ?条", flat))
    assert cited, "the PDF's margin notes cite no register entry: did their wording change?"
    table = flat.split("与公开来源不一致的条目", 1)[1]
    missing = sorted((n for n in cited if not re.search(rf"第 ?{n} ?条 ?（", table)), key=int)
    assert not missing, f"the PDF cites register entries it does not print: {missing}"


def test_no_page_holds_only_the_web_only_line(pages):
    """The line standing for the web-only sections stays on the page of what comes before it: a page with that line
    and nothing else but its running head and folio would be a blank page to a reader."""
    found = 0
    for number, (_width, height, words) in enumerate(pages, start=1):
        body = [w for w in words if height * 0.08 < w[1] and not re.fullmatch(r"[0-9ivxlc]+", w[4])]
        text = "".join(w[4] for w in body)
        if "只在网页版中" in text:
            found += 1
            start = text.rindex("本节", 0, text.index("只在网页版中"))
            assert len(text[:start]) > 40, f"page {number} holds only the web-only line: {text!r}"
    assert found, "the web-only line is not printed"
