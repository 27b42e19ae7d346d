"""The article's prose reaches the reader whole, in order, and free of PDF-extraction damage.

The reference is the extracted article, kept byte for byte in tests/source/article-zh.txt. Its prose is cut
into clauses at Chinese punctuation; every clause must appear, in order, in the visible text of the built
chapter pages (rendered HTML, not the .md sources, so numbers later glued in from data/ are compared as the
reader sees them).

Also a standalone check:  python tests/test_article_text.py [HTML_DIR]   (default: _build/html);
it prints every missing or misplaced clause and exits 1 if there is any.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from pages import Page

ROOT = Path(__file__).resolve().parents[1]
SOURCE = Path(__file__).resolve().parent / "source" / "article-zh.txt"
CHAPTERS = ("00-introduction", "01-background", "02-hk-innovation", "03-government-measures",
            "04-key-industries", "05-cooperation", "06-recommendations")
RUNNING_HEADER = "深港科技创新产业深化合作论析"
# A table in the extraction starts at its caption ("表 1 …") and runs, one cell per line, up to the first line
# with sentence punctuation, where the prose resumes.
TABLE_CAPTION = re.compile(r"^表\s*\d+\s")
SENTENCE_PUNCTUATION = re.compile(r"[，。、；：]")
SECTION_TITLE = re.compile(r"^[一二三四五六七八九十]+、\S+$")
NOTE_MARKER = re.compile(r"\[\d+\]")  # the author's notes [1]…[4]: rendered however the notes end up
CLAUSE_BREAK = re.compile(r"[，。；：、！？“”‘’《》（）「」【】〔〕…—·,;:!?()]+")
MIN_CLAUSE_CHARS = 4
WHITESPACE = re.compile(r"\s+")
CJK = "\u4e00-\u9fff"

# Paragraph leads the article sets apart as the first sentence of a paragraph; the book sets them in bold.
LEADS = (
    "香港创新实力和数字竞争力全球领先。", "香港本地院校科研实力强。", "香港的初创企业生态系统蓬勃发展。",
    "创新及科技基金支持力度大。", "科技基础设施推动创科生态圈的持续发展。", "多举措培育科技人才。",
    "人工智能领域涌现独角兽企业。", "生物科技领域科研成果转化能力强。", "智慧城市领域发布蓝图 2.0。",
    "金融科技领域生态系统吸引力强。", "河套深港科技创新合作区和前海深港现代服务业合作区上升为国家战略。",
    "香港高校纷纷在深圳设立分校。", "加快推进规则衔接机制对接。",
    "进一步完善深港合作的体制机制。", "依托深圳口岸经济带和香港北部都会区打造“深港连片科技带”。",
    "积极营造两地科创产业生态圈。", "进一步优化“港企”在深投资经营环境。", "打造深港先进制造业合作区。",
)


# --- the source side -------------------------------------------------------------------------------------

def source_prose(raw: str) -> str:
    """The article's prose: running headers, tables and page artefacts (blank lines, indents) removed; lines
    joined without a separator (whitespace is ignored in the comparison anyway), except that each section
    title stays on a line of its own, as it has no punctuation to end it."""
    kept: list[str] = []
    in_table = False
    for line in raw.splitlines():
        line = line.strip()
        if not line or line == RUNNING_HEADER:
            continue
        if TABLE_CAPTION.match(line):
            in_table = True
            continue
        if in_table and not SENTENCE_PUNCTUATION.search(line):
            continue
        in_table = False
        kept.append(f"\n{line}\n" if SECTION_TITLE.match(line) else line)
    return "".join(kept)


def clauses(prose: str) -> list[str]:
    """Clauses of at least MIN_CLAUSE_CHARS characters, whitespace removed, in reading order."""
    found = []
    for block in NOTE_MARKER.sub("", prose).split("\n"):
        found += [c for c in CLAUSE_BREAK.split(WHITESPACE.sub("", block)) if len(c) >= MIN_CLAUSE_CHARS]
    return found


def source_clauses(path: Path = SOURCE) -> list[str]:
    return clauses(source_prose(path.read_text(encoding="utf-8")))


# --- the built side --------------------------------------------------------------------------------------

def chapter_pages(html_dir: Path) -> list[Page]:
    pages = []
    for name in CHAPTERS:
        path = html_dir / "book" / f"{name}.html"
        if not path.exists():
            raise FileNotFoundError(f"{path}: chapter page missing from the built book")
        page = Page.read(path)
        if not page.article_text().strip():
            raise ValueError(f"{path}: no <article class=\"bd-article\"> or <main> with text found")
        pages.append(page)
    return pages


def compare(expected: list[str], rendered: str) -> tuple[list[str], list[str]]:
    """(missing, out_of_order): clauses absent from the rendered text, and clauses present only before the
    place where the previous clause was found."""
    missing, out_of_order = [], []
    position = 0
    for clause in expected:
        found = rendered.find(clause, position)
        if found >= 0:
            position = found + len(clause)
        elif clause in rendered:
            out_of_order.append(clause)
        else:
            missing.append(clause)
    return missing, out_of_order


def check_html(html_dir: Path) -> list[str]:
    """Problems found, as report lines (empty when every clause is there, in order)."""
    expected = source_clauses()
    rendered = WHITESPACE.sub("", "".join(page.article_text() for page in chapter_pages(html_dir)))
    missing, out_of_order = compare(expected, rendered)
    report = []
    if missing:
        report.append(f"{len(missing)} of {len(expected)} source clauses missing from the chapter pages:")
        report += [f"  {c}" for c in missing]
    if out_of_order:
        report.append(f"{len(out_of_order)} source clauses found only out of order:")
        report += [f"  {c}" for c in out_of_order]
    return report


# --- tests -----------------------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def pages(html_dir: Path) -> list[Page]:
    return chapter_pages(html_dir)


def test_clause_extraction_finds_the_article_prose() -> None:
    expected = source_clauses()
    assert len(expected) > 400, f"only {len(expected)} clauses extracted from {SOURCE}"
    assert expected[0] == "香港回归祖国25年来"
    assert expected[-1] == "提升服务港人港企新高度"
    joined = "".join(expected)
    assert "深港科创产业合作的背景" in expected  # a section title is a clause of its own
    for artefact in (RUNNING_HEADER, "2017年2018年", "16141311", "7/6311/63", "香港大学222039", "中国香港"):
        assert artefact not in joined, f"{artefact!r}: running header or table cell taken as prose"


def test_compare_reports_missing_and_misplaced_clauses() -> None:
    assert compare(["甲乙丙丁", "戊己庚辛"], "甲乙丙丁戊己庚辛") == ([], [])
    assert compare(["甲乙丙丁", "戊己庚辛"], "戊己庚辛甲乙丙丁") == ([], ["戊己庚辛"])
    assert compare(["甲乙丙丁", "壬癸子丑"], "甲乙丙丁") == (["壬癸子丑"], [])


def test_every_source_clause_is_in_the_chapters_in_order(html_dir: Path) -> None:
    report = check_html(html_dir)
    assert not report, "\n".join(report)


def test_no_whitespace_between_chinese_characters_in_rendered_paragraphs(pages: list[Page]) -> None:
    # A line break left inside a Markdown paragraph renders as a visible space between two characters.
    gap = re.compile(rf"[{CJK}，。；：、）》”]\s+[{CJK}（《“]")
    bad = [(CHAPTERS[i], m.group()) for i, page in enumerate(pages)
           for p in page.paragraphs for m in gap.finditer(p)]
    assert not bad, f"whitespace inside Chinese text in rendered paragraphs: {bad}"


def test_paragraph_leads_render_bold(pages: list[Page]) -> None:
    bold = {WHITESPACE.sub("", s) for page in pages for s in page.strong}
    not_bold = [lead for lead in LEADS if WHITESPACE.sub("", lead) not in bold]
    assert not not_bold, f"paragraph leads not rendered in bold: {not_bold}"


@pytest.mark.parametrize("name", CHAPTERS)
def test_chapter_source_has_no_extraction_damage(name: str) -> None:
    path = ROOT / "book" / f"{name}.md"
    damage = {
        "running header": re.compile(RUNNING_HEADER),
        "spaced digits": re.compile(r"\d[ \t]*\.[ \t]+\d|\d[ \t]+\.[ \t]*\d|\d[ \t]+\d"),
        "space between Chinese characters": re.compile(rf"[{CJK}] [{CJK}]"),
        "space before Chinese punctuation": re.compile(r"[ \t\u3000][，。；：、！？）》”]"),
    }
    problems = [
        f"{path.name}:{number}: {what}: …{line[max(0, m.start() - 8):m.end() + 8]}…"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        for what, pattern in damage.items() for m in pattern.finditer(line)
    ]
    assert not problems, "\n".join(problems)


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else ROOT / "_build" / "html")
    problems = check_html(target)
    print("\n".join(problems) or f"all {len(source_clauses())} source clauses found in order in {target}")
    sys.exit(1 if problems else 0)
