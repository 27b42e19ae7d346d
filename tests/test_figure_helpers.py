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
def _ranks() -> pd.DataFrame:
    return pd.DataFrame({
        "year": [2017, 2018, 2017, 2018],
        "economy_zh": ["中国香港", "中国香港", "中国", "中国"],
        "rank_article": [16, 14, 31, 33],
        "rank_published": [16, 14, 31, 30],
        "economies_ranked": [63, 63, 63, 64],
    })


def test_rank_chart_puts_rank_one_on_top_and_draws_the_threshold() -> None:
    fig = figures.rank_chart(_ranks(), top=15, top_label="前 15 名")
    ax = fig.axes[0]
    bottom, top = ax.get_ylim()
    assert top < 1 < 33 < bottom
    dashed = [line for line in ax.get_lines() if line.get_linestyle() == "--"]
    assert [tuple(line.get_ydata()) for line in dashed] == [(15.5, 15.5)]  # between 15th and 16th place
    texts = {t.get_text() for t in ax.texts}
    assert {"前 15 名", "中国香港", "中国"} <= texts
    lines = {line.get_label(): list(line.get_ydata()) for line in ax.get_lines() if line.get_label() in ("中国香港", "中国")}
    assert lines == {"中国香港": [16, 14], "中国": [31, 33]}
    assert [t.get_text() for t in ax.get_xticklabels()] == ["2017", "2018"]


def test_rank_chart_shows_a_differing_published_rank_beside_the_articles() -> None:
    ax = figures.rank_chart(_ranks()).axes[0]
    (published,) = ax.collections  # one open circle: only 2018 中国 differs (33 in the article, 30 published)
    assert published.get_offsets().tolist() == [[2018, 30]]
    assert "已发表名次（与文章不同）" in [t.get_text() for t in ax.get_legend().get_texts()]


def test_rank_chart_field_size_sets_the_last_place() -> None:
    ax = figures.rank_chart(_ranks(), field="economies_ranked").axes[0]
    assert ax.get_ylim()[0] > 64  # the axis runs down to the 64th (last) place
    assert "参评经济体总数（最末一名）" in {t.get_text() for t in ax.texts}


def test_rank_chart_threshold_label_avoids_the_end_points() -> None:
    ranks = _ranks().assign(rank_article=[9, 14, 31, 33])  # left end: a point just above the line at rank 10
    ax = figures.rank_chart(ranks, top=10, top_label="前十名").axes[0]
    label = next(t for t in ax.texts if t.get_text() == "前十名")
    assert (label.get_ha(), label.get_va()) == ("left", "top")  # below the line: the 2017 point sits above it


def test_rank_chart_names_missing_columns() -> None:
    with pytest.raises(ValueError, match=r"columns \['rank_article'\] missing"):
        figures.rank_chart(pd.DataFrame({"year": [2017], "economy_zh": ["中国"]}))


def test_rank_heatmap_shows_a_missing_rank_as_missing() -> None:
    table = pd.DataFrame({"大学总排名": [22, 54], "生命科学与医学": [49, pd.NA]}, index=["香港大学", "香港城市大学"],
                         dtype="Int64")
    ax = figures.rank_heatmap(table).axes[0]
    assert sorted(t.get_text() for t in ax.texts) == sorted(["22", "54", "49", "无排名"])
    image = ax.get_images()[0].get_array()
    assert image.mask[1, 1] and not image.mask[0, 1]  # the empty cell has no colour of its own …
    hatched = [p for p in ax.patches if p.get_hatch()]
    assert [(p.get_x(), p.get_y()) for p in hatched] == [(0.5, 0.5)]  # … but a hatched patch at row 1, column 1
    assert [t.get_text() for t in ax.get_xticklabels()] == ["大学\n总排名", "生命科学\n与医学"]


def test_rank_heatmap_refuses_a_table_without_ranks() -> None:
    with pytest.raises(ValueError, match="no rank"):
        figures.rank_heatmap(pd.DataFrame({"a": [pd.NA]}, dtype="Int64"))


def test_wrap_label_breaks_like_the_articles_table() -> None:
    assert [figures.wrap_label(s) for s in ("人文与艺术", "生命科学与医学", "自然科学", "大学")] == [
        "人文与\n艺术", "生命科学\n与医学", "自然\n科学", "大学"]


def test_figures_are_byte_reproducible(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    figures.use_house_style()

    def svg() -> bytes:
        fig = figures.rank_chart(_ranks(), top=15)
        fig.savefig(tmp_path / "f.svg")
        plt.close(fig)
        return (tmp_path / "f.svg").read_bytes()

    first = svg()
    assert first == svg(), "the same figure drawn twice gave different SVG bytes"
    assert b"<dc:date>2022-07-01" in first


def test_every_chapter_figure_has_all_its_glyphs(tmp_path: Path) -> None:
    # The chapters' labels (CJK, full-width brackets, digits) with warnings as errors: "Glyph … missing from font".
    table = pd.DataFrame({"人文与艺术": [20, pd.NA]}, index=["香港大学", "香港城市大学"], dtype="Int64")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for fig in (figures.rank_chart(_ranks(), top=10, top_label="前十名", field="economies_ranked",
                                       ylabel="全球排名（位）"), figures.rank_heatmap(table)):
            fig.savefig(tmp_path / "f.svg")
            fig.savefig(tmp_path / "f.pdf")


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


def test_bars_vertical_and_its_errors() -> None:
    fig, ax = plt.subplots()
    drawn = figures.bars(ax, ["甲", "乙"], [1.5, 2], horizontal=False)
    assert [b.get_height() for b in drawn] == [1.5, 2]
    assert [t.get_text() for t in ax.texts] == ["1.5", "2"]  # default labels: the values
    with pytest.raises(ValueError, match="2 categories, 1 values"):
        figures.bars(ax, ["甲", "乙"], [1])
    with pytest.raises(ValueError, match="unknown series 'guess'"):
        figures.bars(ax, ["甲"], [1], series="guess")


def test_paired_bars_tell_article_from_published_without_colour() -> None:
    fig, ax = plt.subplots()
    figures.paired_bars(ax, ["科学园", "数码港"], [1000, 1500], [900, np.nan],
                        article_labels=["逾 1000 家", "超过 1500 家"], published_labels=["约 900 家", ""])
    bars = _bars_of(ax)
    assert len(bars) == 3  # no bar for the missing published value …
    assert "未核得" in [t.get_text() for t in ax.texts]  # … but words in its place
    hatches = {b.get_width(): b.get_hatch() for b in bars}
    assert hatches[900] and not hatches[1000] and not hatches[1500]  # published hatched, article solid
    (legend,) = fig.legends
    assert [t.get_text() for t in legend.get_texts()] == [figures.ARTICLE_NAME, figures.PUBLISHED_NAME]
    assert [bool(h.get_hatch()) for h in legend.legend_handles] == [False, True]


def test_paired_bars_without_missing_words_and_legend() -> None:
    fig, ax = plt.subplots()
    figures.paired_bars(ax, ["甲"], [np.nan], [120.56], missing=None, legend=False)
    assert [t.get_text() for t in ax.texts] == ["文章未给出", "120.56"]
    assert not fig.legends


def test_with_remainder_adds_what_the_shares_leave() -> None:
    shares = pd.DataFrame({"article": [21.8, 21.2, 24.5, 15.0], "published": [21.8, 20.2, 24.1, 15.3]},
                          index=["资讯科技", "电气及电子", "基础工业", "生物科技"])
    out = figures.with_remainder(shares, "其他")
    assert list(out.index) == [*shares.index, "其他"]
    assert out.loc["其他"].round(6).to_dict() == {"article": 17.5, "published": 18.6}
    with pytest.raises(ValueError, match=r"shares in article add up to 110 %"):
        figures.with_remainder(pd.DataFrame({"article": [60, 50]}))


def test_wrapped_keeps_lines_short_and_breaks_before_brackets() -> None:
    assert figures.wrapped(["前海深港现代服务业合作区（扩区前）"], 12) == ["前海深港现代服务业合作区\n（扩区前）"]
    assert figures.wrapped(["南山区"], 12) == ["南山区"]
    for label in figures.wrapped(["河套合作区落户和推进的优质科研项目", "其中通过新上市制度（第十八 A 章）上市的公司"], 9):
        assert all(len(line) <= 9 for line in label.split("\n")), label
        assert "第十八\u00a0A\u00a0章" in label or "河套" in label  # "第十八 A 章" is never split


def test_point_labels_write_beside_each_point() -> None:
    fig, ax = plt.subplots()
    figures.point_labels(ax, [2016, 2020], [138, 468], ["138 家", "468 家"])
    figures.point_labels(ax, [2016], [138], ["138 家"], below=True)
    offsets = [(t.get_text(), t.xyann) for t in ax.texts]
    assert offsets[0][0] == "138 家" and offsets[0][1][1] > 0 > offsets[2][1][1]  # above, then below


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
        "extensions = ['szhk_sphinx.figure_downloads']\n",
        encoding="utf-8")
    (src / "index.rst").write_text(
        "Test\n====\n\n.. figure:: chart.svg\n   :name: fig-chart\n\n   A caption.\n\n"
        ".. figure:: chart.png\n\n   A PNG figure.\n\n.. image:: chart.svg\n", encoding="utf-8")
    for builder in ("html", "latex"):
        subprocess.run([sys.executable, "-m", "sphinx", "-b", builder, "-q", "-W", str(src), str(tmp_path / builder)],
                       check=True, capture_output=True, text=True)
    page = (tmp_path / "html" / "index.html").read_text(encoding="utf-8")
    links = re.findall(r'<a class="reference download svg-download" href="([^"]+)" download="([^"]+)">下载 SVG</a>', page)
    assert links == [("_images/chart.svg", "fig-chart.svg")]  # the SVG figure only; not the PNG, not a bare image
    assert (tmp_path / "html" / links[0][0]).is_file()
    (tex,) = (tmp_path / "latex").glob("*.tex")
    assert "A caption" in tex.read_text(encoding="utf-8") and "下载 SVG" not in tex.read_text(encoding="utf-8")
