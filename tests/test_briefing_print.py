"""The printed briefing (_build/pdf/szhk-briefing.pdf) says nothing that only works on a screen: no link labels
(原文段落, 数据：…, 下载数据), no data-file names, no build terms in its header; instead it says where in the book to
look. The web page keeps its links. Built-PDF checks read this worktree's published PDF and HTML (run `make build`)."""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from szhk import briefing, claims, front

ROOT = Path(__file__).resolve().parents[1]
PDF = ROOT / "_build" / "pdf" / "szhk-briefing.pdf"
HTML = ROOT / "_build" / "html" / "book" / "briefing.html"


def pdf_text(layout: bool = False) -> str:
    assert PDF.is_file(), f"{PDF} missing: build the book first (make build)"
    args = ["pdftotext", *(["-layout"] if layout else []), str(PDF), "-"]
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def test_print_messages_point_into_the_book_instead_of_links() -> None:
    results = claims.register()
    paper = briefing.key_messages_print(results)
    assert "原文段落" not in paper and "](" not in paper and "{ref}" not in paper
    for message in front.KEY_MESSAGES:
        assert f"出处：全书{briefing.book_part(message.target)}。" in paper


def test_book_part_names_the_chapter_and_fails_on_an_unknown_label() -> None:
    assert briefing.book_part("para-02-table-1") == "第二部分"
    assert briefing.book_part("para-06-manufacturing") == "第六部分"
    assert briefing.book_part("00-introduction") == "引言"
    with pytest.raises(briefing.BriefingError, match="no-such-label"):
        briefing.book_part("no-such-label")


def test_print_messages_fail_when_the_front_page_links_change(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(front, "key_messages_markdown", lambda results: "1. 一句话。\n\n   来源：别处。\n")
    with pytest.raises(briefing.BriefingError, match="出处"):
        briefing.key_messages_print([])


@pytest.mark.needs_build
def test_briefing_pdf_has_no_screen_only_text_and_a_plain_header() -> None:
    flat = re.sub(r"\s+", "", pdf_text())
    for dead in ("原文段落", "数据：单项数字", "数据文件", "下载数据", ".csv", "可执行版本", "数据版本", "未配置"):
        assert dead not in flat, f"the printed briefing still says {dead!r}"
    assert "出处：全书第二部分" in flat and "全书数字核验第" in flat
    assert "逐年名次、来源及核验：全书第二部分表1" in flat
    header = pdf_text(layout=True).splitlines()[1]
    assert re.search(r"版本 1\.0\s*·\s*\d{4} 年 \d{1,2} 月 \d{1,2} 日\s*·\s*原文写于 2022 年\s*·\s*数据截至 \d{4} 年",
                     header), header
    assert "核心观点（编者）" in flat and "不是原文" in flat  # who speaks: the editors summarise, the author does not
    assert pdf_text(layout=True).splitlines()[2].strip() == "", "the header is one line (no date wrapped onto a second)"


@pytest.mark.needs_build
def test_briefing_web_page_keeps_its_links() -> None:
    assert HTML.is_file(), f"{HTML} missing: build the book first (make build)"
    page = HTML.read_text(encoding="utf-8")
    assert "原文段落" in page and "gii_ranks.csv" in page
    assert "href=\"02-hk-innovation.html#para-02-rankings\"" in page, "the key messages link to their paragraphs"
    assert "出处：全书第" not in page
