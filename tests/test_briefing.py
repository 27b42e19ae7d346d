"""The briefing (book/briefing.md → _build/pdf/szhk-briefing.pdf): a two-page policy brief.

Built-PDF checks read the published PDF of this worktree (run `make build` first); the rest test szhk.briefing.
"""
from __future__ import annotations

import dataclasses
import re
import shutil
import subprocess
from pathlib import Path
from xml.etree import ElementTree

import pandas as pd
import pytest

from conftest import replace_once
from szhk import briefing, claims, data, front, markdown
from szhk import text as text_dates

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
    assert_no_page_more_than_a_fifth_empty(pdf)


def assert_no_page_more_than_a_fifth_empty(pdf: Path) -> None:
    """Every page's largest vertical band without text is at most a fifth of the body's height (both briefings)."""
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
    latest = max(front.latest_years())
    assert f"{latest} 年" in text.split("核心观点（编者）")[0], "the headline names the latest edition in the data"
    assert all(f"{n}. " in text for n in range(1, 6)), "the five asks"
    assert "{value}" not in text and "\\{" not in text, "every key message holds its number, not a placeholder"
    for part in ("版本", "原文写于"):  # the edition line under the title
        assert part in text
    assert "首次超过" in text or "领先" in text, "the chart's conclusion title is on page 1"
    assert "来源：" in text
    assert "建议、行动方" not in text, "page 1 is messages, chart and asks"
    assert "本简报摘录" not in text and "各部分要点" not in text, "no sentence about itself, no section summaries"


def test_page_two_holds_the_five_recommendations_each_with_an_actor(pdf: Path) -> None:
    text = page_text(pdf, 2, layout=True)
    flat = re.sub(r"\s+", "", page_text(pdf, 2))
    leads = briefing.author_recommendations()
    assert len(leads) == 5
    for lead in leads:
        # a table cell that wraps is read interleaved with its neighbours: the lead's characters in order
        rest = iter(flat)
        assert all(c in rest for c in re.sub(r"\s+", "", lead)), f"recommendation {lead!r} not on page 2"
    for number in range(1, 6):
        line = next((l for l in text.splitlines() if re.match(rf"\s*{number}\.\s", l)), None)
        assert line is not None, f"recommendation {number} not on page 2"
        assert any(actor in line for actor in ACTORS), f"recommendation {number} names no actor: {line.strip()!r}"
    for heading in ("关键数字", "重要的不一致", "延伸阅读"):
        assert heading in flat
    assert "szhk-report.pdf" not in flat and "出处：全书" not in flat, "no pointer that leads nowhere"
    assert re.search(r"数字核验，第\d+页", flat), "where to read more names pages of the book PDF"
    assert "编者：" in flat and "许可：" in flat and "CCBY4.0" in flat
    assert "编者据原文推断" in flat, "actors the article does not name are marked as the editor's inference"
    # each recommendation's status, and the categories defined once under the table
    for status in briefing.statuses().values():
        assert status.label_zh in flat
    assert all(re.sub(r"\s+", "", s.definition_zh) in flat for s in briefing.status_definitions())


def test_actor_quotes_and_asks_are_the_articles_words() -> None:
    """The recommendations come from data/recommendations.csv and data/recommendation_actors.csv: an actor marked
    原文写明 and each ask quote that recommendation's own paragraph in chapter 06 (parts around …… each verbatim);
    every actor the article does not name says why it is inferred."""
    paragraphs = briefing.recommendation_paragraphs()
    recs = briefing.recommendations()
    assert [r.lead for r in recs] == list(paragraphs)
    assert not hasattr(briefing, "RECOMMENDATION_ACTORS") and not hasattr(briefing, "RECOMMENDATION_ASKS")
    for rec in recs:
        for actor in rec.actors:
            assert actor.name in ACTORS
            for part in filter(None, actor.quote.split("……")):
                assert part in paragraphs[rec.lead], f"{rec.lead}: {actor.name}'s quote {part!r} is not in its paragraph"
            assert actor.quote or actor.reason, f"{rec.lead}: {actor.name} has neither a quote nor a reason"
        assert rec.ask and all(part in paragraphs[rec.lead] for part in rec.ask.split("……")), rec.lead
        assert rec.ask_line_zh and rec.ask_line_en, rec.lead
    by_lead = {r.lead: r for r in recs}
    stated = {a.name for a in by_lead["打造深港先进制造业合作区。"].actors if a.quote}
    assert "宝安区政府" in stated, "the article names 宝安区 (当前宝安区提出)"
    inferred = {a.name for a in by_lead["进一步优化“港企”在深投资经营环境。"].actors if not a.quote}
    assert {"香港特区政府", "海关总署", "中国人民银行", "国家外汇管理局"} <= inferred


def chapter_copy(folder: Path, old: str, new: str) -> Path:
    """A copy of the recommendations chapter with `old` (which must occur once) replaced by `new`."""
    chapter = folder / briefing.RECOMMENDATIONS_CHAPTER.name
    shutil.copyfile(briefing.RECOMMENDATIONS_CHAPTER, chapter)
    replace_once(chapter, old, new)
    return chapter


def test_an_ask_not_in_its_paragraph_fails_the_build_naming_file_row_and_column(tmp_path: Path) -> None:
    chapter = chapter_copy(tmp_path, "探索设立港资企业服务中心", "探索设立港企服务站")
    with pytest.raises(briefing.BriefingError, match=r"data/recommendations\.csv，第 2 行，列 ask_zh：“探索设立港资企业服务中心”"):
        briefing.recommendations(chapter)


def test_an_actor_quote_not_in_its_paragraph_fails_naming_file_row_and_column(tmp_path: Path) -> None:
    chapter = chapter_copy(tmp_path, "当前宝安区提出", "当前某区提出")
    with pytest.raises(briefing.BriefingError, match=r"data/recommendation_actors\.csv，第 \d+ 行，列 quote：“当前宝安区提出"):
        briefing.recommendations(chapter)


def test_page_one_asks_are_one_line_each() -> None:
    lines = briefing.asks_markdown().splitlines()
    assert [l.split(".")[0] for l in lines] == ["1", "2", "3", "4", "5"]
    assert all(len(l) <= 60 for l in lines), "one line each on the page"


def test_recommendations_table_fails_naming_an_unknown_recommendation(tmp_path: Path) -> None:
    chapter = chapter_copy(tmp_path, "打造深港先进制造业合作区。", "打造深港某某合作区。")
    with pytest.raises(briefing.BriefingError, match="打造深港某某合作区"):
        briefing.recommendations(chapter)


def test_chart_shows_published_ranks_thresholds_and_every_value_inside_the_axes() -> None:
    import matplotlib.pyplot as plt

    results = claims.register()
    thresholds = briefing.rank_thresholds(results)
    assert thresholds == {"gii_ranks": 15, "imd_digital_ranks": 10}
    fig = briefing.rank_figure(results=results)
    gii_ax, imd_ax = fig.axes[:2]
    for ax, top in ((gii_ax, 15), (imd_ax, 10)):
        dotted = [l for l in ax.get_lines() if l.get_linestyle() == ":"]
        assert [l.get_ydata()[0] for l in dotted] == [top + 0.5], "the text's threshold line is drawn (dotted)"
        assert max(dotted[0].get_xdata()) < max(x for l in ax.get_lines() for x in l.get_xdata()) + 0.5, \
            "the threshold line stops at the last edition, clear of the economies' names right of it"
        worst, best = ax.get_ylim()
        for line in ax.get_lines():
            for y in line.get_ydata():
                assert best < y < worst, f"{ax.get_title()}: rank {y} outside the axis {ax.get_ylim()}"
    # China 2018 in the IMD ranking: published 30 (on the line), the article's 33 marked as a hollow dot.
    imd_points = {(x, y, l.get_markerfacecolor()) for l in imd_ax.get_lines() for x, y in zip(l.get_xdata(), l.get_ydata())}
    assert any(x == 2018 and y == 30 and face != "white" for x, y, face in imd_points)
    assert any(x == 2018 and y == 33 and face == "white" for x, y, face in imd_points)
    # An edition without a rank is a gap: no line joins the years around it (the mainland's IMD 2023).
    imd = data.load("imd_digital_ranks")
    missing = sorted(set(imd["year"]) - set(imd.loc[imd["economy_zh"] == "中国", "year"]))
    for year in missing:
        assert not any(len(l.get_xdata()) == 2 and min(l.get_xdata()) < year < max(l.get_xdata())
                       for l in imd_ax.get_lines() if l.get_linestyle() != ":"), f"a line bridges the missing IMD {year} rank"
    # To the latest edition the data hold, and the title is the standing then, not the article's 2021.
    gii = data.load("gii_ranks")
    latest = int(gii["year"].max())
    assert latest > int(gii.query("in_article")["year"].max())
    assert max(x for l in gii_ax.get_lines() if l.get_linestyle() != ":" for x in l.get_xdata()) == latest
    texts = " ".join(t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text")))
    ranks = gii[gii["year"] == latest].set_index("economy_zh")["rank_published"]
    leader = "中国内地" if ranks["中国"] < ranks["中国香港"] else "中国香港"
    texts = "".join(texts.split())  # the title wraps
    assert f"全球创新指数：{leader}" in texts and f"（{latest}年第" in texts and "首次超过" not in texts, texts[:200]
    assert f"（{latest}年第{min(ranks):g}对第{max(ranks):g}名）" in texts, "the leader's rank, then the other's"
    plt.close(fig)


def test_only_material_discrepancies_at_most_four() -> None:
    results = claims.register()
    lines = briefing.discrepancies_markdown(results).splitlines()
    material = [r for r in claims.by_materiality(results) if r.status == claims.DIFFERS and not r.minor]
    assert 1 <= len(lines) <= 4 and len(lines) == min(4, len(material))
    chosen = briefing.material_discrepancies(results)
    for line, result in zip(lines, chosen):
        assert line.startswith("- " + markdown.text(result.claim.statement))
    # the largest gaps come first among single figures: the Science Park's 17000 against 11000 R&D staff is listed
    ids = [r.claim.claim_id for r in chosen]
    assert "science-park-rd-staff" in ids
    gaps = [briefing._relative_gap(r) for r in chosen if r.claim.check not in ("at_most", "ahead")]
    assert gaps == sorted(gaps, reverse=True)
    # a published value resting on secondary sources alone says so (the 2018 IMD rank, 30, is from a news report)
    kinds = claims.source_kinds()
    for line, result in zip(lines, chosen):
        secondary = all(kinds.get(s) == "secondary" for s in result.sources)
        assert ("仅有二手来源" in line) == secondary, line
    assert not any(r.minor and markdown.text(r.claim.statement) in "\n".join(lines) for r in results
                   if r.status == claims.DIFFERS), "off-by-one gaps (CityU 54 vs 53) stay off the briefing"



# ---- What happened to the recommendations since 2022 (data/recommendation_events.csv) -------------------------
EVENT_FIELDS = ["event_id", "recommendation", "date", "event_zh", "event_en", "carries_out_ask", "source_id", "note",
                "event_short_zh", "event_short_en"]


def events_copy(folder: Path, rows: list[dict[str, str]], monkeypatch: pytest.MonkeyPatch,
                statuses: dict[int, str] | None = None) -> Path:
    """A copy of data/ whose recommendation_events.csv holds `rows` (declared as in OWNERS.md when the repository
    does not declare it yet), used through SZHK_DATA_DIR: never invented events in data/."""
    import csv
    import json

    copy = folder / "data"
    shutil.copytree(ROOT / "data", copy)
    package = json.loads((copy / "datapackage.json").read_text(encoding="utf-8"))
    if not any(r["name"] == briefing.EVENTS for r in package["resources"]):
        package["resources"].append({
            "name": briefing.EVENTS, "path": f"{briefing.EVENTS}.csv", "profile": "tabular-data-resource",
            "title": "test", "description": "test", "article_sentences": [], "licence_note": "",
            "schema": {"fields": [{"name": f, "type": "integer" if f == "recommendation" else "string"}
                                  for f in EVENT_FIELDS], "primaryKey": ["event_id"], "missingValues": [""]}})
        (copy / "datapackage.json").write_text(json.dumps(package, ensure_ascii=False, indent=2), encoding="utf-8")
    with (copy / f"{briefing.EVENTS}.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=EVENT_FIELDS)
        writer.writeheader()
        writer.writerows(rows)
    # each recommendation's status as the test rows support it (a recommendation without rows: none found),
    # unless the test sets one
    numbers = {int(r["recommendation"]) for r in rows}
    statuses = statuses or {}
    recs = list(csv.DictReader((copy / "recommendations.csv").open(encoding="utf-8")))
    for rec in recs:
        number = int(rec["recommendation"])
        rec["status"] = statuses.get(number, "partial" if number in numbers else "none_found")
    with (copy / "recommendations.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(recs[0]))
        writer.writeheader()
        writer.writerows(recs)
    monkeypatch.setenv("SZHK_DATA_DIR", str(copy))
    return copy


SOURCE = next(r["source_id"] for r in __import__("csv").DictReader((ROOT / "data" / "sources.csv").open(encoding="utf-8"))
              if r["kind"] != "article")  # any registered source: these test rows are not facts, never in data/
TEST_ROWS = [
    {"event_id": "t_1", "recommendation": "5", "date": "2023-08", "event_zh": "测试事件甲。", "event_en": "Test A.",
     "carries_out_ask": "false", "source_id": SOURCE, "note": ""},
    {"event_id": "t_2", "recommendation": "5", "date": "2024-03-15", "event_zh": "测试事件乙。", "event_en": "Test B.",
     "carries_out_ask": "false", "source_id": SOURCE, "note": ""},
]


def test_events_show_under_their_recommendation_with_date_and_source(tmp_path, monkeypatch) -> None:
    events_copy(tmp_path, TEST_ROWS, monkeypatch)
    found = briefing.events()
    note = briefing.events_note(5, found, lead="【编者注】", none="未找到公开进展。")
    assert f"2023 年 8 月：测试事件甲。{{cite}}`{SOURCE}`" in note
    assert "2024 年 3 月 15 日：测试事件乙。" in note
    assert briefing.events_note(1, found, lead="【编者注】", none="未找到公开进展。") == "【编者注】未找到公开进展。\n"
    table = briefing.recommendations_markdown(found)
    # the status, then the latest development with its date (data/briefing_phrases.csv: status_cell, status_count_latest)
    assert "**部分推进**。最新：2024 年 3 月 15 日，测试事件乙。" in table
    assert table.count("**未见公开进展**。未找到公开进展") == 4
    english = briefing.recommendations_markdown(found, lang="en")
    assert "**Partly advanced**. Latest, 15 March 2024: Test B." in english.replace("\\", "")
    assert english.count("No public development found") == 4


def test_each_recommendation_has_a_status_the_events_support() -> None:
    found = briefing.events()
    checked = briefing.statuses(found)
    assert sorted(checked) == [1, 2, 3, 4, 5]
    categories = {s.code: s for s in briefing.status_definitions()}
    for number, status in checked.items():
        mine = [e for e in found if e.recommendation == number]
        assert status.code in categories and status.reason_zh and status.reason_en
        assert (len(mine) == 0) == (status.code == "none_found")
        if status.requires == "an_event_carrying_out_an_ask":
            assert any(e.carries_out_ask for e in mine)
    legend = briefing.status_legend()
    assert all(s.label_zh in legend and s.definition_zh in legend for s in categories.values()), "defined once"
    assert "Partly advanced" in briefing.status_legend("en")


@pytest.mark.parametrize("status, rows, row_line", [
    ("partial", [], 6),                       # progress claimed, no event at all
    ("in_place", TEST_ROWS, 6),               # "in place", but no event carries out an ask
    ("none_found", TEST_ROWS, 6),             # "none found", yet events are listed
])
def test_a_status_the_events_do_not_support_fails_naming_file_row_and_column(tmp_path, monkeypatch, status, rows,
                                                                             row_line) -> None:
    events_copy(tmp_path, rows, monkeypatch, statuses={5: status})
    with pytest.raises(briefing.BriefingError,
                       match=rf"data/recommendations\.csv，第 {row_line} 行，列 status：第 5 条建议标为"):
        briefing.statuses()
    with pytest.raises(briefing.BriefingError, match=r"data/recommendations\.csv，第 6 行，列 status"):
        briefing.recommendations_markdown(briefing.events())


def test_an_unknown_status_fails_naming_file_row_and_column(tmp_path, monkeypatch) -> None:
    events_copy(tmp_path, TEST_ROWS, monkeypatch, statuses={5: "done"})
    # the package's foreign key into recommendation_statuses.csv stops it at loading
    with pytest.raises(data.DataValidationError, match=r"data/recommendations\.csv，第 6 行，列 status：值 “done”"):
        briefing.statuses()


def test_an_event_without_a_source_fails_naming_file_row_and_column(tmp_path, monkeypatch) -> None:
    events_copy(tmp_path, [*TEST_ROWS, {**TEST_ROWS[0], "event_id": "t_3", "source_id": ""}], monkeypatch)
    with pytest.raises(Exception, match=r"data/recommendation_events\.csv，第 4 行，列 source_id"):
        briefing.events()


@pytest.mark.needs_build  # reads the published pages
def test_chapter_six_has_the_editors_note_under_each_recommendation() -> None:
    from bs4 import BeautifulSoup

    page = ROOT / "_build" / "html" / "book" / "06-recommendations.html"
    assert page.is_file(), f"{page} missing: build the book first (make build)"
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    text = soup.find("main").get_text(" ", strip=True)
    found = briefing.events()
    assert text.count("【编者注】进展状态：") == len(briefing.recommendations()) == 5
    checked = briefing.statuses(found)
    flat = re.sub(r"\s+", "", text)
    for number, s in checked.items():  # the status, dated by the latest development it rests on, and its reason
        dates = [e.date for e in found if e.recommendation == number]
        basis = f"（所录最近一项进展在{text_dates.date(max(dates))}）" if dates else "（未录得公开进展）"
        assert re.sub(r"\s+", "", f"进展状态：{s.label_zh}{basis}。{s.reason_zh}") in flat, number
    assert all(re.sub(r"\s+", "", s.definition_zh) in flat for s in briefing.status_definitions()), \
        "the categories defined on the page"
    # each note is set apart from the author's text (szhk_sphinx.editor_notes)
    notes = soup.select(".szhk-editor-note")
    assert sum("【编者注】进展状态：" in n.get_text() for n in notes) == 5
    for event in found:
        assert event.event_zh in text, event.event_zh
        assert text_dates.date(event.date) in text
    for number in range(1, 6):
        if not any(e.recommendation == number for e in found):
            assert "未找到公开进展" in text
    for rec, following in zip(briefing.recommendations(), briefing.recommendations()[1:] + [None]):
        block = text.split(rec.lead, 1)[1].split(following.lead, 1)[0] if following else text.split(rec.lead, 1)[1]
        assert "【编者注】进展状态：" in block and "文章发表以来的公开进展" in block, f"no note under {rec.lead}"


def test_the_latest_value_keeps_its_published_qualifier_and_english_numbers_have_thousands_commas() -> None:
    """A published "over 140" is never shown as a bare 140 beside "Matches"; English running text writes 4,000."""
    figures = data.load("key_figures").set_index("figure_id")
    english_names = {r.removeprefix("quantity_") for r in data.load(briefing.WORDS_FILE)["phrase_id"]}
    qualified = [name for name in figures.index if name in english_names
                 and str(figures.loc[name, "qualifier_published"]).strip() not in ("", "nan", "<NA>", "None")]
    assert qualified, "no key figure with a published qualifier to check"
    table = briefing.key_numbers_markdown([*briefing.KEY_NUMBERS, *qualified], lang="en", results=claims.register())
    rows = table.split("\n* - ")[1:]
    for name in qualified:
        english = briefing.plain_word(f"quantity_{name}", "en")
        (row,) = [r for r in rows if markdown.text(english) in r]
        latest = row.split("\n  - ")[2]
        word = briefing.term("qualifier", str(figures.loc[name, "qualifier_published"]), "en").split("{n}")[0].strip()
        assert latest.startswith(word), f"{name}: {latest!r} lacks {word!r}"
    messages = front.key_messages_markdown(lang="en")
    assert re.search(r"\d\\?,\d{3}", messages) and not re.search(r"\*\*\d{4,}\*\*", messages)


# ---- The state of play (P2.2), the print status cell (P2.3), the continuing series in the key numbers (P2.4) ----
def gii_copy(folder: Path, monkeypatch: pytest.MonkeyPatch, ranks: dict[str, int]) -> int:
    """A copy of data/ with one GII edition after the latest (rank per economy code), read through SZHK_DATA_DIR;
    returns its year. The rows cite a registered source: test rows, never in data/."""
    copy = folder / "data"
    shutil.copytree(ROOT / "data", copy)
    year = int(data.load("gii_ranks")["year"].max()) + 1
    with (copy / "gii_ranks.csv").open("a", encoding="utf-8") as handle:
        for code, rank in ranks.items():
            name = "中国香港" if code == "HKG" else "中国"
            handle.write(f"{year},{code},{name},false,,{rank},139,match (secondary),gii-2025-hk01,,\n")
    monkeypatch.setenv("SZHK_DATA_DIR", str(copy))
    return year


def hk_gii() -> dict[int, int]:
    frame = data.load("gii_ranks")
    rows = frame[frame["economy_code"] == "HKG"].dropna(subset=["rank_published"])
    return {int(r.year): int(r.rank_published) for r in rows.itertuples()}


def test_the_headline_states_the_statuses_and_the_latest_rank_after_its_low_point() -> None:
    headline = plain_text(briefing.headline())
    counts = briefing.status_counts()
    assert sum(n for _, n in counts) == len(briefing.recommendations())
    if len(counts) == 1:  # all alike: said once, not "5 条建议中 5 条"
        assert f"{counts[0][1]} 条建议均为“{counts[0][0].label_zh}”" in headline and "条建议中" not in headline
    for status, n in counts if len(counts) > 1 else ():  # each status some recommendation has, with how many
        assert f"{n} 条{status.label_zh}" in headline, (status.code, headline)
    ranks = hk_gii()
    latest = max(ranks)
    assert f"中国香港全球创新指数 {latest} 年居第 {ranks[latest]} 名" in headline
    between = {y: r for y, r in ranks.items() if 2021 < y < latest}
    low_year, low = max(between.items(), key=lambda item: (item[1], -item[0]))
    if low > max(ranks[2021], ranks[latest]):
        assert f"（{low_year} 年曾降至第 {low} 名）" in headline
    english = plain_text(briefing.headline("en"))
    assert f"in {latest}" in english and all(f"{n} “{s.label_en}”" in english for s, n in counts if len(counts) > 1)


def test_a_headline_with_statuses_that_differ_counts_each(data_copy) -> None:
    recommendations = data_copy / "recommendations.csv"
    frame = pd.read_csv(recommendations, dtype=str, keep_default_na=False)
    events = pd.read_csv(data_copy / "recommendation_events.csv", dtype=str, keep_default_na=False)
    carried = frame["recommendation"].isin(events.loc[events["carries_out_ask"] == "true", "recommendation"])
    assert carried.any(), "no recommendation has an event carrying out an ask: the test has nothing to raise"
    frame["status"] = "partial"
    frame.loc[carried.idxmax(), "status"] = "in_place"
    frame.to_csv(recommendations, index=False)
    headline = plain_text(briefing.headline())
    assert f"{len(frame)} 条建议中 1 条已有落实举措、{len(frame) - 1} 条部分推进" in headline, headline


def test_a_later_gii_edition_changes_the_headline_and_a_recovery_keeps_the_low_point(tmp_path, monkeypatch) -> None:
    ranks = hk_gii()
    year = gii_copy(tmp_path, monkeypatch, {"HKG": 9, "CHN": 8})
    headline = plain_text(briefing.headline())
    assert f"中国香港全球创新指数 {year} 年居第 9 名" in headline
    worst = max((r, -y) for y, r in ranks.items() if y > 2021)
    assert f"（{-worst[1]} 年曾降至第 {worst[0]} 名）" in headline, "the low point since the article stays"


def test_no_dip_is_claimed_when_the_rank_never_fell_below_both_ends(tmp_path, monkeypatch) -> None:
    ranks = hk_gii()
    gii_copy(tmp_path, monkeypatch, {"HKG": max(ranks.values()) + 1, "CHN": 8})  # the latest is the low point
    assert "降至" not in plain_text(briefing.headline())


def test_the_print_status_cell_gives_the_latest_events_one_line() -> None:
    found = briefing.events()
    table = plain_text(briefing.recommendations_markdown(found, short=True))
    for rec in briefing.recommendations():
        mine = [e for e in found if e.recommendation == rec.number]
        if mine:
            latest = mine[-1]
            assert f"{text_dates.date(latest.date)}：{latest.short_zh}" in table, rec.number
    english = plain_text(briefing.recommendations_markdown(found, short=True, lang="en"))
    assert all(f": {e.short_en}" in english for e in found if e is [x for x in found
                                                                        if x.recommendation == e.recommendation][-1])


def test_each_one_line_event_is_a_shortening_of_its_own_text() -> None:
    """No new facts: every number of the short line is in the event's own text, and it is shorter."""
    for e in briefing.events():
        for short, full in ((e.short_zh, e.event_zh), (e.short_en, e.event_en)):
            assert short and len(short) < len(full), (e.date, short)
            assert set(re.findall(r"\d+", short)) <= set(re.findall(r"\d+", full)), (short, full)


def test_a_latest_event_without_its_one_line_fails_naming_file_row_and_column(tmp_path, monkeypatch) -> None:
    events_copy(tmp_path, TEST_ROWS, monkeypatch)  # test rows without the one-line text
    with pytest.raises(briefing.BriefingError, match=r"recommendation_events\.csv，第 3 行，列 event_short_zh"):
        briefing.recommendations_markdown(briefing.events(), short=True)


def test_the_key_numbers_give_the_continuing_series_latest_value_and_year(tmp_path, monkeypatch) -> None:
    table = plain_text(briefing.key_numbers_markdown(results=claims.register()))
    ranks = hk_gii()
    latest = max(ranks)
    assert f"香港全球创新指数名次（2021 年）\n  - 第 14 名\n  - 第 {ranks[latest]} 名（{latest}）" in table, table
    for name in ("since-digital:hk", "since-qs:hku", "since-rd:hk", "since-cluster:c"):  # each continuing series has its row
        assert briefing.term("key_series", name) in table, name
    for words in ("文章未给出",):
        assert words in table
    year = gii_copy(tmp_path, monkeypatch, {"HKG": 9, "CHN": 8})
    table = plain_text(briefing.key_numbers_markdown(results=claims.register()))
    assert f"第 9 名（{year}）" in table


def plain_text(markdown_text: str) -> str:
    """As read: szhk.markdown's escapes and bold marks removed."""
    return re.sub(r"\\([!-/:-@[-`{-~])", r"\1", markdown_text).replace("**", "")


# ---- The third cold review (brief6) ---------------------------------------------------------------------------
def test_the_key_numbers_latest_column_says_how_current_it_is_and_unconfirmed_reads_as_the_articles():
    """“最新（年份；截至 …）”: the data cut-off (the edition line's 数据截至) in the column header, in both
    languages; a key figure whose article value no source gives reads 文章数字未找到来源 (the English says the same)."""
    szhk_text = text_dates
    results = claims.register()
    zh, en = (re.sub(r"\\(.)", r"\1", briefing.key_numbers_markdown(lang=lang, results=results))
              for lang in ("zh", "en"))  # as read: the table writer's escapes undone
    assert f"截至 {szhk_text.date(front.data_cut_off())}）" in zh
    assert f"as of {szhk_text.date(front.data_cut_off(), 'en')})" in en
    unsourced = [name for name, status in claims.status_by_row(results).items()
                 if name[0] == "key_figures" and name[1] in briefing.KEY_NUMBERS and status == claims.NOT_FOUND]
    assert unsourced, "a key figure whose article value was searched for and not found (the ITF row)"
    assert "文章数字未找到来源" in zh and "Article's figure: no source found" in en
    assert re.search(r"^\s*- 未找到来源$", zh, re.MULTILINE) is None, "not the bare register status"


def test_the_front_pages_status_sentence_counts_as_the_headline_and_dates_the_latest_event():
    found = briefing.events()
    counts = briefing.status_counts(found)
    sentence = briefing.status_summary(found=found)
    latest = max(e.date for e in found)
    assert f"{sum(n for _, n in counts)} 条建议" in sentence
    for status, _ in counts:
        assert status.label_zh in sentence
    assert text_dates.date(latest) in sentence and "<06-recommendations>" in sentence
    later = [*found, dataclasses.replace(found[-1], date="2099-01-02")]
    assert "2099 年 1 月 2 日" in briefing.status_summary(found=later)
    if len(counts) == 1:  # "5 条建议均为…", as the headline says it
        assert f"均为“{counts[0][0].label_zh}”" in sentence
