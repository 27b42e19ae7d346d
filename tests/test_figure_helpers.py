"""The chapter figures' helpers (szhk.figures), the house style, and the web figures' SVG download links
(szhk_sphinx.figure_downloads, in a small Sphinx project). No build of the book."""
from __future__ import annotations

import re
import subprocess
import sys
import warnings
from pathlib import Path

import matplotlib

matplotlib.use("agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402

from szhk import figures  # noqa: E402

pytestmark = pytest.mark.usefixtures("house_style")


def test_chinese_labels_have_glyphs(tmp_path: Path) -> None:
    fig, ax = plt.subplots()
    ax.plot([2017, 2021], [16, -14])
    ax.set_title("全球创新指数排名")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Glyph … missing from font" is a UserWarning
        fig.savefig(tmp_path / "f.svg")
        fig.savefig(tmp_path / "f.pdf")


def test_pdf_fonts_embedded_and_not_type3(tmp_path: Path) -> None:
    fig, ax = plt.subplots()
    ax.set_xlabel("年份")
    fig.savefig(tmp_path / "f.pdf")
    out = subprocess.run(["pdffonts", str(tmp_path / "f.pdf")], capture_output=True, text=True, check=True).stdout
    rows = out.splitlines()[2:]
    assert rows, out
    assert all("Type 3" not in r for r in rows), out
    assert all(r.split()[-5] == "yes" for r in rows), out  # the "emb" column


def test_rank_axis_puts_rank_one_on_top() -> None:
    fig, ax = plt.subplots()
    figures.rank_axis(ax, worst=20)
    bottom, top = ax.get_ylim()
    assert top < bottom and top < 1 <= 20 < bottom


def test_year_axis_has_whole_years_only() -> None:
    fig, ax = plt.subplots()
    figures.year_axis(ax, [2017, 2019, 2018])
    assert [t.get_text() for t in ax.get_xticklabels()] == ["2017", "2018", "2019"]


# ----------------------------------------------------------------------------------------------------------------
# szhk.figures
# ----------------------------------------------------------------------------------------------------------------
def test_rank_chart_names_missing_columns() -> None:
    with pytest.raises(ValueError, match=r"columns \['rank_article'\] missing"):
        figures.rank_chart(pd.DataFrame({"year": [2017], "economy_zh": ["中国"]}))


def test_wrap_label_breaks_like_the_articles_table() -> None:
    assert [figures.wrap_label(s) for s in ("人文与艺术", "生命科学与医学", "自然科学", "大学")] == [
        "人文与\n艺术", "生命科学\n与医学", "自然\n科学", "大学"]


# ----------------------------------------------------------------------------------------------------------------
# szhk.figures
# ----------------------------------------------------------------------------------------------------------------
def _bars_of(ax) -> list[Rectangle]:
    return [p for p in ax.patches if isinstance(p, Rectangle)]


def test_bars_labels_each_bar_and_puts_the_first_category_on_top() -> None:
    fig, ax = plt.subplots()
    drawn = figures.bars(ax, ["甲", "乙", "丙"], [3, None, 5], ["约 3 个", "", "5 个"], missing="未核得")
    assert len(drawn) == 2 and [b.get_width() for b in drawn] == [3, 5]
    assert [t.get_text() for t in ax.texts] == ["约 3 个", "未核得", "5 个"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["甲", "乙", "丙"]
    bottom, top = ax.get_ylim()
    assert top < 0 < 2 < bottom  # first category at the top
    assert ax.get_xlim()[1] > 5  # room for the end labels


def test_wrapped_keeps_lines_short_and_breaks_before_brackets() -> None:
    assert figures.wrapped(["前海深港现代服务业合作区（扩区前）"], 12) == ["前海深港现代服务业合作区\n（扩区前）"]
    assert figures.wrapped(["南山区"], 12) == ["南山区"]
    for label in figures.wrapped(["河套合作区落户和推进的优质科研项目", "其中通过新上市制度（第十八 A 章）上市的公司"], 9):
        assert all(len(line) <= 9 for line in label.split("\n")), label
        assert "第十八\u00a0A\u00a0章" in label or "河套" in label  # "第十八 A 章" is never split


# ----------------------------------------------------------------------------------------------------------------
# szhk.figure_downloads, in a small Sphinx project
# ----------------------------------------------------------------------------------------------------------------
def test_svg_figures_get_a_download_link_on_the_web_only(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    fig, ax = plt.subplots()
    ax.plot([1, 2])
    fig.savefig(src / "chart.svg")
    fig.savefig(src / "chart.png")
    (src / "conf.py").write_text(
        "extensions = ['myst_parser', 'szhk_sphinx.figure_downloads']\n"
        "szhk_ui = {'svg_download': '下载 SVG', 'svg_download_en': 'Download SVG'}\n", encoding="utf-8")
    (src / "index.rst").write_text(
        "Test\n====\n\n.. toctree::\n\n   en\n\n.. figure:: chart.svg\n   :name: fig-chart\n\n   A caption.\n\n"
        ".. figure:: chart.png\n\n   A PNG figure.\n\n.. image:: chart.svg\n", encoding="utf-8")
    # An English page (front matter lang: en) gets the English words.
    (src / "en.md").write_text("---\nlang: en\n---\n# English\n\n```{figure} chart.svg\n:name: fig-en\n\n"
                               "A caption.\n```\n", encoding="utf-8")
    for builder in ("html", "latex"):
        subprocess.run([sys.executable, "-m", "sphinx", "-b", builder, "-q", "-W", str(src), str(tmp_path / builder)],
                       check=True, capture_output=True, text=True)
    page = (tmp_path / "html" / "index.html").read_text(encoding="utf-8")
    links = re.findall(r'<a class="reference download svg-download" href="([^"]+)" download="([^"]+)">下载 SVG</a>', page)
    assert links == [("_images/chart.svg", "fig-chart.svg")]  # the SVG figure only; not the PNG, not a bare image
    assert (tmp_path / "html" / links[0][0]).is_file()
    english = (tmp_path / "html" / "en.html").read_text(encoding="utf-8")
    assert re.findall(r'download="([^"]+)">Download SVG</a>', english) == ["fig-en.svg"] and "下载 SVG" not in english
    (tex,) = (tmp_path / "latex").glob("*.tex")
    assert "A caption" in tex.read_text(encoding="utf-8") and "下载 SVG" not in tex.read_text(encoding="utf-8")


def test_wrap_em_never_breaks_inside_an_economys_name() -> None:
    """A title wrapped at any width keeps 中国香港 and 中国内地 whole on one line (a phone's narrow title once
    broke "中国/内地")."""
    title = "数字竞争力：中国香港 2024 年降至第 7 名，2025 年回升至第 4 名；中国内地第 12 名，中国香港领先"
    for ems in range(6, 30):
        lines = figures.wrap_em(title, ems).split("\n")
        assert "".join(lines).replace(" ", "") == title.replace(" ", "")
        for name in ("中国香港", "中国内地"):
            assert sum(line.count(name) for line in lines) == title.count(name), (ems, lines)


def test_wrap_em_keeps_a_number_with_its_unit_when_it_saves_the_last_line_from_an_orphan() -> None:
    """The R&D title once ended "…的 4" / "倍以上": a unit moved down to fill a short last line takes its number."""
    title = "按两地统计部门的口径，深圳研发投入占比最低的一年（5.49%）也是香港最高一年（1.13%）的 4 倍以上"
    for ems in range(8, 40):
        lines = figures.wrap_em(title, ems).split("\n")
        assert "".join(lines).replace(" ", "") == title.replace(" ", "")
        assert not any(line.rstrip().endswith(" 4") or line.rstrip() == "4" for line in lines[:-1]), (ems, lines)


def test_counts_are_drawn_one_square_per_item_with_no_number_on_a_fill() -> None:
    """The claims chart: a category of one item is a whole square (no sliver); every square stands out from the
    page (a pale one is outlined); each row's total follows its squares, and no text lies on a square."""
    counts = pd.DataFrame({"一致": [48, 1], "不一致": [7, 0], "文本自明": [1, 1]}, index=["二、甲", "三、乙"])
    colours = {"一致": "#009E73", "不一致": "#CC79A7", "文本自明": "#F0E442"}
    fig = figures.title_and_source(
        figures.stacked_counts(counts, colours=colours, hatches={"不一致": "////"}, total_unit=" 处",
                               axis_label="核验（处）"), "标题", "来源")
    assert figures.check(fig, "处") == []
    ax = fig.axes[0]
    squares = [p for p in ax.patches if isinstance(p, Rectangle)]
    for category, colour in colours.items():
        drawn = [p for p in squares if matplotlib.colors.to_hex(p.get_facecolor()) == colour.lower()]
        assert len(drawn) == counts[category].sum(), category
        for p in drawn:
            assert p.get_width() == p.get_height() > 0.5  # a whole square
            edge = p.get_edgecolor() if p.get_linewidth() > 0 else p.get_facecolor()
            assert figures.contrast(matplotlib.colors.to_hex(edge), "#FFFFFF") >= 3, category
    texts = [t.get_text() for t in ax.texts]
    assert "56 处" in texts and "2 处" in texts
    renderer = fig.canvas.get_renderer()
    boxes = [p.get_window_extent(renderer) for p in squares]
    for t in ax.texts:
        box = t.get_window_extent(renderer)
        assert not any(box.overlaps(b) for b in boxes), f"{t.get_text()!r} lies on a square"
    plt.close(fig)


def test_contrast_is_wcags_ratio() -> None:
    assert figures.contrast("#000000", "#FFFFFF") == pytest.approx(21)
    assert figures.contrast("#777777", "#FFFFFF") == pytest.approx(4.48, abs=0.01)


def test_article_dots_counts_the_ranks_no_source_confirms_or_that_differ() -> None:
    ranks = pd.DataFrame({"year": [2018, 2019, 2020, 2021], "economy_zh": ["中国"] * 4,
                          "rank_article": [33, 20, float("nan"), 12], "rank_published": [30, 20, 15, float("nan")]})
    assert figures.article_dots(ranks) == 2  # 2018 differs, 2021 has no published rank; 2020 is not the article's
    assert figures.article_dots(ranks.iloc[1:3]) == 0
    assert figures.article_dots(ranks.drop(columns="rank_published")) == 3


def test_the_claims_chart_says_what_a_square_is_once() -> None:
    axis, note = figures.words("claims_axis"), figures.words("claims_note")
    assert "处" in axis, "the axis label carries the unit the data declare for fig-claims-status"
    assert "方块" not in note and "核验的数字" not in note, "the note does not repeat the axis label"
