"""The briefing (book/briefing.md → _build/pdf/szhk-briefing.pdf): a two-page policy brief.

Built-PDF checks read the published PDF of this worktree (run `make build` first); the rest test szhk.briefing.
"""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from xml.etree import ElementTree

import pytest

from conftest import replace_once
from szhk import briefing, claims, data, markdown

ROOT = Path(__file__).resolve().parents[1]
PDF = ROOT / "_build" / "pdf" / "szhk-briefing.pdf"
ACTORS = ("深圳市政府", "香港特区政府", "宝安区政府", "中央有关部门", "海关总署", "中国人民银行", "国家外汇管理局")
# The briefing's body on an A4 page (szhkprint.sty: top 15 mm, bottom 16 mm), in PDF points.
BODY_TOP, BODY_BOTTOM = 15 / 25.4 * 72, 842 - 16 / 25.4 * 72


@pytest.fixture(scope="module")
def pdf(pdf_dir: Path) -> Path:  # pdf_dir: needs the built book
    assert PDF.is_file(), f"{PDF} missing: build the book first (make build)"
    return PDF


def page_text(path: Path, page: int, layout: bool = False) -> str:
    args = ["pdftotext", "-f", str(page), "-l", str(page), *(["-layout"] if layout else []), str(path), "-"]
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def page_count(path: Path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE).group(1))


def body_boxes(path: Path) -> dict[int, list[tuple[float, float]]]:
    """Per page, the vertical extent (yMin, yMax) of every word in the body (running head and foot left out).
    The figures are vector PDF with real text, so their labels count as ink too."""
    xml = subprocess.run(["pdftotext", "-bbox", str(path), "-"], check=True, capture_output=True, text=True).stdout
    tree = ElementTree.fromstring(re.sub(r'\sxmlns="[^"]+"', "", xml, count=1))
    pages = {}
    for number, page in enumerate(tree.iter("page"), 1):
        words = [(float(w.get("yMin")), float(w.get("yMax"))) for w in page.iter("word")]
        pages[number] = [(a, b) for a, b in words if a >= BODY_TOP - 2 and b <= BODY_BOTTOM + 2]
    return pages


def test_briefing_is_at_most_four_pages_and_two_as_designed(pdf: Path) -> None:
    assert page_count(pdf) <= 4
    assert page_count(pdf) == 2, "the briefing is designed for two pages: page 1 messages and chart, page 2 the rest"


def test_no_page_is_more_than_a_fifth_empty(pdf: Path) -> None:
    """The largest vertical band without text (between two lines, or after the last one) is at most a fifth of the
    body's height: a figure's labels are text, so a chart is not counted as empty."""
    height = BODY_BOTTOM - BODY_TOP
    for page, boxes in body_boxes(pdf).items():
        assert boxes, f"page {page} has no text"
        edges = sorted(boxes)
        gaps, reach = [edges[0][0] - BODY_TOP], edges[0][1]
        for top, bottom in edges[1:]:
            gaps.append(top - reach)
            reach = max(reach, bottom)
        gaps.append(BODY_BOTTOM - reach)
        assert max(gaps) <= height / 5, f"page {page}: an empty band of {max(gaps):.0f} pt (body {height:.0f} pt)"


def test_page_one_holds_key_messages_edition_line_and_chart(pdf: Path) -> None:
    text = page_text(pdf, 1)
    assert "核心观点" in text
    assert "{value}" not in text and "\\{" not in text, "every key message holds its number, not a placeholder"
    for part in ("版本", "原文写于"):  # the edition line under the title
        assert part in text
    assert "首次超过" in text or "领先" in text, "the chart's conclusion title is on page 1"
    assert "来源：" in text
    assert "作者的五条建议" not in text, "page 1 is messages and chart only"
    assert "本简报摘录" not in text and "各部分要点" not in text, "no sentence about itself, no section summaries"


def test_page_two_holds_the_five_recommendations_each_with_an_actor(pdf: Path) -> None:
    text = page_text(pdf, 2, layout=True)
    flat = re.sub(r"\s+", "", page_text(pdf, 2))
    leads = briefing.author_recommendations()
    assert len(leads) == 5
    for lead in leads:
        assert re.sub(r"\s+", "", lead) in flat, f"recommendation {lead!r} not on page 2 as the author wrote it"
    for number in range(1, 6):
        line = next((l for l in text.splitlines() if re.match(rf"\s*{number}\.\s", l)), None)
        assert line is not None, f"recommendation {number} not on page 2"
        assert any(actor in line for actor in ACTORS), f"recommendation {number} names no actor: {line.strip()!r}"
    for heading in ("关键数字", "核验发现的不一致", "延伸阅读"):
        assert heading in flat
    assert "编者据原文推断" in flat, "actors the article does not name are marked as the editor's inference"


def test_actor_quotes_and_asks_are_the_articles_words() -> None:
    """An actor marked 原文写明 and each recommendation's ask quote that recommendation's own paragraph in chapter 06
    (parts around …… each verbatim); every actor the article does not name says why it is inferred."""
    paragraphs = briefing.recommendation_paragraphs()
    assert list(paragraphs) == list(briefing.RECOMMENDATION_ACTORS) == list(briefing.RECOMMENDATION_ASKS)
    for lead, actors in briefing.RECOMMENDATION_ACTORS.items():
        for actor in actors:
            assert actor.name in ACTORS
            for part in filter(None, actor.quote.split("……")):
                assert part in paragraphs[lead], f"{lead}: {actor.name}'s quote {part!r} is not in its paragraph"
            assert actor.quote or actor.reason, f"{lead}: {actor.name} has neither a quote nor a reason"
        asks = briefing.RECOMMENDATION_ASKS[lead]
        assert asks, f"{lead}: no concrete ask"
        for part in asks:
            assert part and part in paragraphs[lead], f"{lead}: ask {part!r} is not the author's words"
    # The actors the review found missing, and how each is marked.
    stated = {a.name for a in briefing.RECOMMENDATION_ACTORS["打造深港先进制造业合作区。"] if a.quote}
    assert "宝安区政府" in stated, "the article names 宝安区 (当前宝安区提出)"
    inferred = {a.name for a in briefing.RECOMMENDATION_ACTORS["进一步优化“港企”在深投资经营环境。"] if not a.quote}
    assert {"香港特区政府", "海关总署", "中国人民银行", "国家外汇管理局"} <= inferred
    assert any(a.name == "香港特区政府" for a in briefing.RECOMMENDATION_ACTORS[
        "依托深圳口岸经济带和香港北部都会区打造“深港连片科技带”。"])


def chapter_copy(folder: Path, old: str, new: str) -> Path:
    """A copy of the recommendations chapter with `old` (which must occur once) replaced by `new`."""
    chapter = folder / briefing.RECOMMENDATIONS_CHAPTER.name
    shutil.copyfile(briefing.RECOMMENDATIONS_CHAPTER, chapter)
    replace_once(chapter, old, new)
    return chapter


def test_an_ask_not_in_its_paragraph_fails_the_build_naming_it(tmp_path: Path) -> None:
    chapter = chapter_copy(tmp_path, "探索设立港资企业服务中心", "探索设立港企服务站")
    with pytest.raises(briefing.BriefingError, match="探索设立港资企业服务中心"):
        briefing.recommendations_markdown(chapter)


def test_each_recommendation_shows_its_quoted_ask() -> None:
    table = briefing.recommendations_markdown()
    for lead, asks in briefing.RECOMMENDATION_ASKS.items():
        shown = "……".join(asks).replace("“", "‘").replace("”", "’")
        assert markdown.text(f"“{shown}”") in table, f"{lead}: its ask is not in the table"


def test_recommendations_table_fails_naming_an_unknown_recommendation(tmp_path: Path) -> None:
    chapter = chapter_copy(tmp_path, "打造深港先进制造业合作区。", "打造深港某某合作区。")
    with pytest.raises(briefing.BriefingError, match="打造深港某某合作区"):
        briefing.recommendations_markdown(chapter)


def test_chart_shows_published_ranks_thresholds_and_every_value_inside_the_axes() -> None:
    import matplotlib.pyplot as plt

    results = claims.register()
    thresholds = briefing.rank_thresholds(results)
    assert thresholds == {"gii_ranks": 15, "imd_digital_ranks": 10}
    fig = briefing.rank_figure(results=results)
    gii_ax, imd_ax = fig.axes[:2]
    for ax, top in ((gii_ax, 15), (imd_ax, 10)):
        dashed = [l for l in ax.get_lines() if l.get_linestyle() == "--"]
        assert [l.get_ydata()[0] for l in dashed] == [top + 0.5], "the text's threshold line is drawn"
        worst, best = ax.get_ylim()
        for line in ax.get_lines():
            for y in line.get_ydata():
                assert best < y < worst, f"{ax.get_title()}: rank {y} outside the axis {ax.get_ylim()}"
    # China 2018 in the IMD ranking: published 30 (on the line), the article's 33 marked as a hollow dot.
    imd_points = {(x, y, l.get_markerfacecolor()) for l in imd_ax.get_lines() for x, y in zip(l.get_xdata(), l.get_ydata())}
    assert any(x == 2018 and y == 30 and face != "white" for x, y, face in imd_points)
    assert any(x == 2018 and y == 33 and face == "white" for x, y, face in imd_points)
    # To the latest edition the data hold, and the title is the standing then, not the article's 2021.
    gii = data.load("gii_ranks")
    latest = int(gii["year"].max())
    assert latest > int(gii.query("in_article")["year"].max())
    assert max(x for l in gii_ax.get_lines() for x in l.get_xdata()) == latest
    texts = " ".join(t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text")))
    ranks = gii[gii["year"] == latest].set_index("economy_zh")["rank_published"]
    leader = "中国内地" if ranks["中国"] < ranks["中国香港"] else "中国香港"
    assert f"{latest} 年全球创新指数{leader}" in texts and "首次超过" not in texts, texts[:200]
    assert f"第 {min(ranks):g} 名" in texts
    plt.close(fig)


def test_discrepancies_are_the_registers() -> None:
    results = claims.register()
    text = briefing.discrepancies_markdown(results)
    wrong = [r for r in results if r.status == claims.DIFFERS]
    assert f"{len(wrong)} 处不一致" in text
    for result in wrong:
        assert markdown.text(result.claim.statement) in text
