"""The English briefing (book/briefing-en.md → _build/pdf/szhk-briefing-en.pdf) and the English page (book/en.md):
the Chinese briefing's structure in the editors' English, from the same data. Built-book checks read this
worktree's published edition (run `make build`)."""
from __future__ import annotations

import re
from pathlib import Path

import pypdf
import pytest
from bs4 import BeautifulSoup

from szhk import briefing, front
from szhk_sphinx import pdf as pdf_edition
from test_briefing import ROOT, assert_no_page_more_than_a_fifth_empty, page_count, page_text

CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")


@pytest.fixture(scope="module")
def pdf(pdf_dir: Path) -> Path:
    path = pdf_dir / pdf_edition.PDF_FILES[2]
    assert path.is_file(), f"{path} missing: build the book first (make build)"
    return path


def main_text(html_dir: Path, page: str) -> tuple[BeautifulSoup, str]:
    soup = BeautifulSoup((html_dir / "book" / page).read_text(encoding="utf-8"), "html.parser")
    return soup, (soup.find("main") or soup).get_text(" ", strip=True)


def test_the_english_briefing_is_two_pages_none_more_than_a_fifth_empty(pdf: Path) -> None:
    assert page_count(pdf) == 2
    assert_no_page_more_than_a_fifth_empty(pdf)


def test_the_english_briefing_has_the_chinese_structure_in_english(pdf: Path) -> None:
    first, second = page_text(pdf, 1), re.sub(r"\s+", " ", page_text(pdf, 2))
    latest = max(front.latest_years())
    assert f"in {latest}" in first.split("Key messages")[0], "the headline names the latest edition in the data"
    assert "Key messages (editors" in first and all(f"{n}. " in first for n in range(1, 6))
    assert "Version" in first and "not translated" in first, "the edition line and who speaks"
    assert "Source: WIPO" in first, "the chart's source, in English"
    for heading in ("Who acts", "Key numbers", "Read more", "Editors:", "Licence:"):
        assert heading in second, heading


def test_no_chinese_on_the_english_briefing_and_english_metadata(pdf: Path) -> None:
    text = "".join(page_text(pdf, n) for n in (1, 2))
    assert not CJK.findall(text), f"Chinese on the English briefing: {sorted(set(CJK.findall(text)))}"
    reader = pypdf.PdfReader(pdf)
    assert reader.trailer["/Root"].get("/Lang") == "en"
    assert not CJK.search(str((reader.metadata or {}).get("/Title", "")))


def test_the_english_pages_are_marked_english_and_linked(html_dir: Path) -> None:
    for page in ("en.html", "briefing-en.html"):
        soup, _ = main_text(html_dir, page)
        assert soup.find("div", attrs={"lang": "en"}) is not None, f"{page}: content not marked lang=en"
    soup, _ = main_text(html_dir, "index.html")
    assert soup.find("a", href="en.html") is not None, "the front page links the English page"
    menu = [a.get("href", "") for a in soup.select(".dropdown-download-buttons a, a.btn")]
    assert any(h.endswith("_downloads/pdf/szhk-briefing-en.pdf") for h in menu), "the download menu offers it"


def page_controls_text(html_dir: Path, page: str) -> str:
    """The words of a page's own controls (skip link, header buttons, previous/next, contents, footer): the page
    without its content and without the site navigation, which names the chapters in Chinese."""
    soup = BeautifulSoup((html_dir / "book" / page).read_text(encoding="utf-8"), "html.parser")
    for part in soup.select("article, script, style, nav.bd-docs-nav, .bd-sidebar-primary, .prev-next-title, "
                            "link, .szhk-edition-switch"):
        part.decompose()
    return (soup.body or soup).get_text(" ", strip=True)


def test_an_english_pages_controls_speak_english_and_a_chinese_pages_chinese(html_dir: Path) -> None:
    for page in ("en.html", "briefing-en.html"):
        text = page_controls_text(html_dir, page)
        assert not CJK.findall(text), f"{page}: Chinese in the page's controls: {sorted(set(CJK.findall(text)))}"
        for words in ("Skip to main content", "Contents", "previous", "Print this page", "Editors:"):
            assert words in text, f"{page}: {words!r} missing from its controls"
        soup = BeautifulSoup((html_dir / "book" / page).read_text(encoding="utf-8"), "html.parser")
        tooltips = [t.get("title", "") for t in soup.select(".article-header-buttons [title]")]
        assert tooltips and not [t for t in tooltips if CJK.search(t)], f"{page}: Chinese tooltips: {tooltips}"
    chinese = page_controls_text(html_dir, "index.html")
    assert "目录" in chinese and "编者：" in chinese and "Contents" not in chinese, "the Chinese pages keep theirs"


def test_the_english_page_gives_messages_since_status_and_numbers(html_dir: Path) -> None:
    _, text = main_text(html_dir, "en.html")
    latest = max(front.latest_years())
    for part in ("Key messages", "Since the article", "what has happened since", "Key numbers", "editors' translation"):
        assert part in text, part
    assert f"in {latest}" in text
    found = briefing.events()
    for number in range(1, 6):  # each recommendation: its latest development in the data's English, or "none found"
        mine = [e for e in found if e.recommendation == number]
        assert (mine[-1].event_en if mine else "No public development found") in text, number


def test_the_english_claim_names_live_in_claims_csv_not_the_phrases() -> None:
    """A claim's English name is its statement_en column (declared in datapackage.json); briefing_phrases.csv
    holds no claim_ rows any more."""
    import json

    fields = next(r for r in json.loads((ROOT / "data" / "datapackage.json").read_text(encoding="utf-8"))["resources"]
                  if r["name"] == "claims")["schema"]["fields"]
    assert "statement_en" in [f["name"] for f in fields]
    phrases = (ROOT / "data" / "briefing_phrases.csv").read_text(encoding="utf-8").splitlines()
    assert not [line for line in phrases if line.startswith("claim_")]


def test_a_listed_claim_without_an_english_name_fails_naming_file_row_and_column(tmp_path, monkeypatch) -> None:
    """The English briefing needs the statement_en of each claim it lists: an empty one stops it, naming the row."""
    import csv
    import shutil

    from szhk import claims

    chosen = briefing.material_discrepancies(claims.register())[0].claim.claim_id
    copy = tmp_path / "data"
    shutil.copytree(ROOT / "data", copy)
    rows = list(csv.DictReader((copy / "claims.csv").open(encoding="utf-8")))
    line = next(i for i, r in enumerate(rows, start=2) if r["claim_id"] == chosen)
    rows[line - 2]["statement_en"] = ""
    with (copy / "claims.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    monkeypatch.setenv("SZHK_DATA_DIR", str(copy))
    with pytest.raises(briefing.BriefingError, match=rf"data/claims\.csv，第 {line} 行，列 statement_en"):
        briefing.discrepancies_markdown(claims.register(), lang="en")


def test_the_english_briefing_lists_the_same_material_discrepancies_in_english() -> None:
    """P3.4: the Chinese briefing's list, from the same register: the same claims, in the same order, the values
    written from the claims' rows (no Chinese), each claim named by its statement_en in data/claims.csv."""
    import csv

    from szhk import claims

    names = {r["claim_id"]: r["statement_en"] for r in csv.DictReader((ROOT / "data" / "claims.csv").open(encoding="utf-8"))}
    results = claims.register()
    chosen = briefing.material_discrepancies(results)
    english = briefing.discrepancies_markdown(results, lang="en").splitlines()
    assert len(english) == len(chosen) == len(briefing.discrepancies_markdown(results).splitlines()) <= 4
    assert not re.search(r"[\u4e00-\u9fff]", "".join(english)), english
    for line, result in zip(english, chosen):
        assert names[result.claim.claim_id], f"claims.csv: {result.claim.claim_id} has no statement_en"
        assert line.replace("\\", "").startswith(f"- {names[result.claim.claim_id]}: article ")
        numbers = re.findall(r"\d+", result.article_value.replace(",", ""))
        assert all(n in line.replace("\\,", "").replace(",", "") for n in numbers), (line, result.article_value)
