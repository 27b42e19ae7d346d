"""The two PDF editions: the whole book (_build/pdf/szhk-report.pdf) and the briefing (szhk-briefing.pdf).

They are read with poppler (pdftotext, pdffonts, pdfinfo). `make test` builds first. (Characters special to
LaTeX, in prose and in data: test_edited_build.py.)
"""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pypdf
import pytest
import yaml
from conftest import DATA, LATEX, ROOT, Page, figures_on_pages, squeeze

from szhk_sphinx import pdf as pdf_edition

BOOK_PDF, BRIEFING_PDF, BRIEFING_EN_PDF = pdf_edition.PDF_FILES
MAX_BOOK_BYTES = 5 * 1024 * 1024
MAX_BRIEFING_PAGES = 4
MAX_OVERFULL_PT = 5.0
# English LaTeX/Sphinx labels and build noise that must never reach a reader's page.
FORBIDDEN = ("Contents", "Chapter", "Bibliography", "Traceback", "Warning")
def _latex_dir() -> Path:
    return LATEX


@pytest.fixture(scope="session")
def pdfs(pdf_dir: Path) -> dict[str, Path]:
    found = {name: pdf_dir / name for name in (BOOK_PDF, BRIEFING_PDF, BRIEFING_EN_PDF)}
    missing = [str(path) for path in found.values() if not path.is_file()]
    if missing:
        pytest.fail(f"missing PDF(s) {missing}: run `make test` (it builds first) or `make build`")
    return found


def _run(*command: str) -> str:
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout


def pdf_text(path: Path) -> str:
    return _run("pdftotext", "-enc", "UTF-8", str(path), "-")


def pdf_pages(path: Path) -> int:
    match = re.search(r"^Pages:\s+(\d+)", _run("pdfinfo", str(path)), re.M)
    assert match, f"pdfinfo gives no page count for {path}"
    return int(match.group(1))




# pdffonts: "ABCDEF+NotoSerifCJKsc-Regular-Identity-H  CID Type 0C …": the CJK faces by name, region in lower case.
CJK_FONT = re.compile(r"^(?:[A-Z]{6}\+)?(Noto(?:Sans|Serif|SansMono)CJK([a-z]{2})-\S+)", re.M)


@pytest.mark.parametrize("name, region", [(BOOK_PDF, "sc"), (BRIEFING_PDF, "sc"), (BRIEFING_EN_PDF, "sc"),
                                          ("szhk-report-hk.pdf", "hk"), ("szhk-briefing-hk.pdf", "hk")])
def test_every_cjk_face_in_a_pdf_is_its_edition_s_region(pdf_dir: Path, name: str, region: str) -> None:
    """The Simplified PDFs are set in Noto CJK SC and the Hong Kong ones in Noto CJK HK, text and figures alike:
    no Japanese (or other region's) face, as pdffonts names them (szhk_sphinx.pdf.CJK_FACES)."""
    path = pdf_dir / name
    assert path.is_file(), f"{path} missing: build the book first (make build)"
    faces = CJK_FONT.findall(_run("pdffonts", str(path)))
    assert faces, f"{name}: pdffonts lists no Noto CJK face"
    wrong = sorted({face for face, found in faces if found != region})
    assert not wrong, f"{name}: CJK faces of another region than {region.upper()}: {wrong}"


def chapter_titles() -> list[str]:
    """Every document's title (its first `# ` heading), in _toc.yml's order, the briefing excepted."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    files = [entry["file"] for part in toc["parts"] for entry in part["chapters"]]
    titles = []
    for name in files:
        if name in pdf_edition.NOT_IN_BOOK:
            continue
        text = (ROOT / f"{name}.md").read_text(encoding="utf-8")
        match = re.search(r"^# (.+)$", text, re.M)
        assert match, f"{name}.md: no `# ` title line"
        titles.append(match.group(1).strip())
    return titles


def test_book_has_every_chapter_and_chinese_labels(pdfs: dict[str, Path]) -> None:
    text = squeeze(pdf_text(pdfs[BOOK_PDF]))
    expected = ["目录", "参考文献", *chapter_titles()]
    missing = [title for title in expected if squeeze(title) not in text]
    assert not missing, f"{BOOK_PDF}: missing {missing}"


@pytest.mark.parametrize("name", [BOOK_PDF, BRIEFING_PDF])
def test_no_english_labels_or_build_noise(pdfs: dict[str, Path], name: str) -> None:
    text = pdf_text(pdfs[name])
    found = [word for word in FORBIDDEN if word in text]
    assert not found, f"{name} shows {found}"
    # No index: neither an English nor a Chinese index heading on a line of its own.
    lines = {line.strip() for line in text.splitlines()}
    assert not lines & {"Index", "索引"}, f"{name} has an index"


def test_book_title_page_names_edition_date_and_data_version(pdfs: dict[str, Path]) -> None:
    first_page = _run("pdftotext", "-enc", "UTF-8", "-l", "1", str(pdfs[BOOK_PDF]), "-")
    assert "深港科技创新产业深化合作论析" in first_page
    assert squeeze("原文不改；编者据公开来源核对文中数字，表格和图由数据生成") in squeeze(first_page)
    assert not any(jargon in first_page for jargon in ("可执行版本", "数据版本", "构建")), first_page
    assert re.search(r"数据截至\s*\d{4} 年", first_page), first_page
    # what the source says of the article's author and venue, and who edits
    assert "原文作者与刊物" in first_page and "来源 PDF 均未注明" in first_page and "编者" in first_page, first_page
    # the maintainers' matter (the data's checksum, the commit) is not on the cover but in the colophon, the last page
    checksum = pdf_edition.data_version(DATA)
    assert checksum not in first_page and "校验码" not in first_page, first_page
    pages = int(re.search(r"^Pages:\s+(\d+)", _run("pdfinfo", str(pdfs[BOOK_PDF])), re.MULTILINE).group(1))
    last_page = _run("pdftotext", "-enc", "UTF-8", "-f", str(pages), "-l", str(pages), str(pdfs[BOOK_PDF]), "-")
    assert re.search(r"数据校验码：\s*" + checksum, last_page) and "提交构建" in squeeze(last_page), last_page
    # the colophon shares the last page with the book's last section: not a page of its own
    before = squeeze(last_page.split("版本说明")[0])
    assert len(re.sub(r"\d+", "", before)) > 40, f"the colophon stands alone on the last page: {last_page!r}"


def test_briefing_is_not_inside_the_book(pdfs: dict[str, Path]) -> None:
    # The briefing's own title line; the book may still name the briefing (e.g. in the data appendix).
    opening = "深港科技创新产业深化合作论析・要点简报"
    assert opening not in squeeze(pdf_text(pdfs[BOOK_PDF]))
    assert opening in squeeze(pdf_text(pdfs[BRIEFING_PDF]))


@pytest.mark.parametrize("name", [BOOK_PDF, BRIEFING_PDF])
def test_metadata_in_chinese(pdfs: dict[str, Path], name: str) -> None:
    reader = pypdf.PdfReader(pdfs[name])
    info = reader.metadata or {}
    assert str(info.get("/Title", "")).startswith("深港科技创新产业深化合作论析"), info
    assert info.get("/Subject") and info.get("/Keywords"), info
    assert reader.trailer["/Root"].get("/Lang") == "zh-CN"


def test_book_bookmarks_are_the_chapters(pdfs: dict[str, Path]) -> None:
    outline = pypdf.PdfReader(pdfs[BOOK_PDF]).outline
    top_level = [item.title for item in outline if not isinstance(item, list)]
    assert top_level == chapter_titles()[: len(top_level)] and len(top_level) == len(chapter_titles()), top_level


@pytest.mark.parametrize("name", [BOOK_PDF, BRIEFING_PDF, BRIEFING_EN_PDF])
def test_fonts_embedded_subset_no_type3(pdfs: dict[str, Path], name: str) -> None:
    rows = _run("pdffonts", str(pdfs[name])).splitlines()[2:]
    assert rows, f"{name}: pdffonts lists no fonts"
    problems = []
    for row in rows:
        # Columns from the right: emb sub uni object-number generation; the type may contain spaces.
        fields = row.split()
        emb, sub = fields[-5], fields[-4]
        if emb != "yes" or sub != "yes" or "Type 3" in row:
            problems.append(row)
    assert not problems, f"{name}: fonts not embedded as subsets, or Type 3:\n" + "\n".join(problems)


def test_briefing_fits_four_pages(pdfs: dict[str, Path]) -> None:
    pages = pdf_pages(pdfs[BRIEFING_PDF])
    assert 1 <= pages <= MAX_BRIEFING_PAGES, f"{BRIEFING_PDF} has {pages} pages"


def test_book_is_small_enough(pdfs: dict[str, Path]) -> None:
    size = pdfs[BOOK_PDF].stat().st_size
    assert size < MAX_BOOK_BYTES, f"{BOOK_PDF} is {size / 1024 / 1024:.1f} MB"


@pytest.mark.parametrize("name", [BOOK_PDF, BRIEFING_PDF, BRIEFING_EN_PDF])
def test_latex_log_has_no_wide_overfull_box(pdfs: dict[str, Path], name: str) -> None:
    built = _latex_dir() / name
    log = built.with_suffix(".log")
    assert log.is_file(), f"no LaTeX log {log}"
    assert built.is_file() and built.read_bytes() == pdfs[name].read_bytes(), \
        f"{log} is not the log of the published {name}"
    text = log.read_text(encoding="utf-8", errors="replace")
    wide = [float(w) for w in re.findall(r"Overfull \\[hv]box \(([\d.]+)pt too wide\)", text)
            if float(w) > MAX_OVERFULL_PT]
    assert not wide, f"{log}: overfull boxes wider than {MAX_OVERFULL_PT} pt: {wide}"


@pytest.mark.parametrize("name", [BOOK_PDF, BRIEFING_PDF, BRIEFING_EN_PDF])
def test_every_internal_link_resolves(pdfs: dict[str, Path], name: str) -> None:
    log = (_latex_dir() / name).with_suffix(".log").read_text(encoding="utf-8", errors="replace")
    undefined = sorted(set(re.findall(r"(?:Hyper r|R)eference `([^']+)' on page", log)))
    assert not undefined and "There were undefined references" not in log, f"{name}: links to nowhere {undefined}"


def _web_captions(html_dir: Path) -> list[str]:
    """Numbered captions of the web edition's book pages ("图 3 …", "表 1 …"), in reading order."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    pages = [entry["file"] for part in toc["parts"] for entry in part["chapters"]]
    captions = []
    for name in pages:
        if name in pdf_edition.NOT_IN_BOOK:
            continue
        for number in Page.read(html_dir / f"{name}.html").soup.find_all("span", class_="caption-number"):
            text = number.find_next_sibling("span", class_="caption-text")
            if text is None:
                continue
            # The number and the caption's opening words: enough to identify it; the rest of a caption holds
            # web-only links (下载 SVG) and citations that LaTeX typesets with other hyphens.
            words = "".join(s for s in text.strings if not s.find_parent("a", class_="svg-download"))
            captions.append(number.get_text() + words.strip()[:12])
    return captions


def test_figure_and_table_numbers_match_the_web(pdfs: dict[str, Path], html_dir: Path) -> None:
    """图 N / 表 N are numbered through the book alike on the web and in print (numfig_secnum_depth: 0)."""
    captions = _web_captions(html_dir)
    # every figure the chapters place and every numbered table (表 1, 表 2 and the claims register's)
    figures = [f for page, placed in figures_on_pages().items()
               if f"book/{page}" not in pdf_edition.NOT_IN_BOOK for f in placed]  # the briefings: unnumbered
    assert len([c for c in captions if c.startswith("图")]) == len(figures), (captions, figures)
    assert len([c for c in captions if c.startswith("表")]) >= 2, captions
    # -layout keeps a caption's label and text on one line (the plain mode may separate them).
    text = squeeze(_run("pdftotext", "-layout", "-enc", "UTF-8", str(pdfs[BOOK_PDF]), "-"))
    missing = [c for c in captions if squeeze(c) not in text]
    assert not missing, f"captions of the web edition not in {BOOK_PDF} with the same number: {missing}"
