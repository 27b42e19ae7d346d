"""Figures, tables and glued numbers of chapters 00–02, and the shared figure machinery behind them.

Unit tests exercise szhk.figures / szhk.text / szhk.figure_downloads without a build. The rest read the built
book (html_dir): each figure is there with its number, caption, source note, alt text, CSV and SVG links and a
{numref} reference; Tables 1–2 match the data cell by cell, computed here straight from the CSVs (not with the
chapter's code); the glued numbers are the data's. The last test edits one CSV value on a temporary copy of the
project and rebuilds it: the sentence and the figure change, the other figures stay byte for byte the same.
"""
from __future__ import annotations

import csv
import re
import shutil
import subprocess
import sys
import warnings
from html.parser import HTMLParser
from pathlib import Path

import matplotlib

matplotlib.use("agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from conftest import DATA, ROOT, copy_project, jupyter_book, squeeze  # noqa: E402

from szhk import figures, markdown, text  # noqa: E402

CHAPTERS = ("00-introduction", "01-background", "02-hk-innovation")
# Figure id → (page, data file its caption links, words its caption must name: dataset and publisher).
FIGURES = {
    "fig-gii-ranks": ("02-hk-innovation", "gii_ranks.csv", ("gii_ranks", "世界知识产权组织")),
    "fig-imd-ranks": ("02-hk-innovation", "imd_digital_ranks.csv", ("imd_digital_ranks", "瑞士洛桑国际管理发展学院")),
    "fig-qs-ranks": ("02-hk-innovation", "qs_university_ranks.csv", ("qs_university_ranks", "QS Quacquarelli Symonds")),
    "fig-hk-startups": ("02-hk-innovation", "hk_startups.csv", ("hk_startups", "香港投资推广署")),
}
TABLES = {"tbl-rankings": "表 1", "tbl-qs-2022": "表 2"}


def read_csv(name: str, data_dir: Path = DATA) -> list[dict[str, str]]:
    with open(data_dir / f"{name}.csv", encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(autouse=True)
def _house_style():
    with plt.style.context(figures.STYLE_SHEET):
        yield
    plt.close("all")


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
# szhk.markdown.frame_table (tables from data; the escaping itself: tests/test_markdown_escaping.py)
# ----------------------------------------------------------------------------------------------------------------
def test_list_table_is_a_myst_list_table_with_row_headers() -> None:
    frame = pd.DataFrame({"2017年": ["16", "7/63"], "人文与艺术": [20.0, None]}, index=["甲", "乙"])
    md = markdown.frame_table(frame, stub_header="全球排名")
    assert md.splitlines() == [
        "````{list-table}", ":header-rows: 1", ":stub-columns: 1", "",
        "* - 全球排名", "  - 2017年", "  - 人文与艺术",
        "* - 甲", "  - 16", "  - 20",
        "* - 乙", "  - 7\\/63", "  - －",
        "````",
    ]


def test_list_table_keeps_header_line_breaks_and_widths() -> None:
    frame = pd.DataFrame({"人文与\n艺术": [20]}, index=["香港大学"])
    md = markdown.frame_table(frame, stub_header="大学", widths=[7, 4])
    assert ":widths: 7 4" in md.splitlines()
    assert "  - ```{eval-rst}\n    | 人文与\n    | 艺术\n    ```" in md  # a reST line block: one line each
    assert "* - ```{eval-rst}\n    | 大学\n    ```" in md  # and so is every other header, to align in print
    with pytest.raises(ValueError, match="must be 2 positive whole numbers"):
        markdown.frame_table(frame, widths=[7])


def test_list_table_writes_a_cell_over_two_lines_on_one() -> None:
    assert "  - 一 二" in markdown.frame_table(pd.DataFrame({"a": ["一\n二"]})).splitlines()


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
        f"import sys; sys.path.insert(0, {str(ROOT / 'book')!r})\nextensions = ['szhk.figure_downloads']\n",
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


# ----------------------------------------------------------------------------------------------------------------
# The built chapters
# ----------------------------------------------------------------------------------------------------------------
class Page(HTMLParser):
    """Elements of interest in a built page: figures (with img, caption text and links), tables (caption, rows),
    and the article's visible text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.figures: dict[str, dict] = {}
        self.tables: dict[str, dict] = {}
        self.links: list[str] = []
        self.text: list[str] = []
        self._figure: dict | None = None
        self._table: dict | None = None
        self._in: list[str] = []  # open figcaption / caption / th / td / script / style

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "figure" and a.get("id"):
            self._figure = self.figures[a["id"]] = {"img": None, "caption": "", "links": []}
        elif tag == "table" and a.get("id"):
            self._table = self.tables[a["id"]] = {"caption": "", "rows": [], "following_links": []}
        elif tag == "img" and self._figure is not None:
            self._figure["img"] = a
        elif tag == "a":
            self.links.append(a.get("href", ""))
            if self._figure is not None:
                self._figure["links"].append(a.get("href", ""))
        elif tag == "tr" and self._table is not None:
            self._table["rows"].append([])
        if tag in ("figcaption", "caption", "th", "td", "script", "style"):
            self._in.append(tag)
            if tag in ("th", "td") and self._table is not None:
                self._table["rows"][-1].append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "figure":
            self._figure = None
        elif tag == "table":
            self._table = None
        if self._in and self._in[-1] == tag:
            self._in.pop()

    def handle_data(self, data: str) -> None:
        if "script" in self._in or "style" in self._in:
            return
        self.text.append(data)
        if self._figure is not None and "figcaption" in self._in:
            self._figure["caption"] += data
        if self._table is not None:
            if "caption" in self._in:
                self._table["caption"] += data
            elif self._in and self._in[-1] in ("th", "td"):
                self._table["rows"][-1][-1] += data


def parse_page(path: Path) -> Page:
    page = Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page




@pytest.fixture(scope="module")
def built(html_dir: Path) -> dict[str, Page]:
    return {name: parse_page(html_dir / "book" / f"{name}.html") for name in CHAPTERS}


@pytest.mark.parametrize("figure_id", FIGURES)
def test_figure_is_built_with_caption_source_alt_and_downloads(html_dir: Path, built: dict[str, Page],
                                                               figure_id: str) -> None:
    page_name, csv_name, named = FIGURES[figure_id]
    page = built[page_name]
    assert figure_id in page.figures, f"{page_name}.html has no figure #{figure_id}"
    figure = page.figures[figure_id]
    caption = squeeze(figure["caption"])
    assert re.match(r"^图\d+", caption), f"#{figure_id} is not numbered: {caption[:30]}"
    assert "数据来源：" in caption and all(squeeze(word) in caption for word in named), caption
    assert re.search(r"\[\d+(?:[-,]\d+)*\]", caption), f"#{figure_id}: the caption cites no reference"
    alt = figure["img"]["alt"]
    assert len(alt) >= 20 and alt.split("：")[0] in ("折线图", "柱状图", "热图"), f"#{figure_id}: alt text {alt!r}"
    svg = [link for link in figure["links"] if link.endswith(".svg")]
    assert svg == [figure["img"]["src"]], f"#{figure_id}: the SVG link should be the figure's own image"
    image = (html_dir / "book" / svg[0]).resolve()
    assert image.read_bytes().lstrip().startswith(b"<?xml") and b"<svg" in image.read_bytes()[:2000]
    assert any(link.endswith(f"/{csv_name}") for link in figure["links"]), f"#{figure_id}: no link to {csv_name}"
    assert f"#{figure_id}" in page.links, f"no {{numref}} reference to #{figure_id} in {page_name}"


def test_no_page_or_build_log_mentions_a_missing_glyph(html_dir: Path) -> None:
    logs = [p for p in (html_dir.parent / ".work" / "logs").glob("*.log")] + list((html_dir / "reports").glob("*"))
    pages = list(html_dir.rglob("*.html"))
    assert pages
    bad = [p for p in pages + logs if p.is_file() and "missing from font" in p.read_text(encoding="utf-8", errors="replace")]
    assert not bad, f"'missing from font' in {bad}"


def _cells(table: dict) -> list[list[str]]:
    return [[squeeze(cell) for cell in row] for row in table["rows"]]


def test_table_1_matches_the_data_cell_by_cell(built: dict[str, Page]) -> None:
    table = built["02-hk-innovation"].tables["tbl-rankings"]
    assert squeeze(table["caption"]).startswith("表1全球创新指数和世界数字竞争力排名")
    gii, imd = read_csv("gii_ranks"), read_csv("imd_digital_ranks")
    years = sorted({row["year"] for row in gii})
    expected = [["全球排名", *[f"{y}年" for y in years]]]
    for name, rows, cell in (("全球创新指数", gii, lambda r: r["rank_article"]),
                             ("数字竞争力", imd, lambda r: f"{r['rank_article']}/{r['economies_ranked_article']}")):
        for economy in ("中国香港", "中国"):
            by_year = {r["year"]: cell(r) for r in rows if r["economy_zh"] == economy}
            expected.append([f"{name}（{economy}）", *[by_year[y] for y in years]])
    assert _cells(table) == expected
    assert expected[1:3] == [["全球创新指数（中国香港）", "16", "14", "13", "11", "14"],
                             ["全球创新指数（中国）", "22", "17", "14", "14", "12"]]  # the article's Table 1


def test_table_2_matches_the_data_cell_by_cell(built: dict[str, Page]) -> None:
    table = built["02-hk-innovation"].tables["tbl-qs-2022"]
    caption = squeeze(table["caption"])
    assert caption.startswith("表2香港五所大学及部分学科世界排名（2022）[2]"), caption  # the author's note [2]
    qs = read_csv("qs_university_ranks")
    universities = list(dict.fromkeys(r["university_zh"] for r in qs))
    rankings = list(dict.fromkeys(r["ranking_zh"] for r in qs))
    rank = {(r["university_zh"], r["ranking_zh"]): r["rank_article"] or "－" for r in qs}
    expected = [["大学", *rankings]] + [[u, *[rank[u, k] for k in rankings]] for u in universities]
    assert _cells(table) == expected
    assert expected[0][1] == "大学总排名" and expected[4] == ["香港城市大学", "54", "131", "92", "－", "201", "69"]


@pytest.mark.parametrize("table_id", TABLES)
def test_tables_are_numbered_with_source_and_csv(html_dir: Path, table_id: str) -> None:
    html = (html_dir / "book" / "02-hk-innovation.html").read_text(encoding="utf-8")
    start = html.index(f'id="{table_id}"')
    after = html[html.index("</table>", start):]
    note = re.sub(r"<[^>]+>", "", after[:after.index("</p>")])
    assert f'<span class="caption-number">{TABLES[table_id]} </span>' in html[start:start + 300]
    assert "数据来源：" in note and re.search(r"\[\d+", note) and ".csv" in note, note


def test_glued_numbers_are_the_articles_values_from_the_data(built: dict[str, Page]) -> None:
    key = {r["figure_id"]: float(r["value_article"]) for r in read_csv("key_figures")}
    startups = next(r for r in read_csv("hk_startups") if r["startups_article"])
    years = {r["year"] for r in read_csv("gii_ranks")}
    zh = {2: "二", 5: "五"}
    expected = {
        "00-introduction": [f"香港回归祖国{key['hk_return_years']:.0f}年来"],
        "01-background": [f"占地{key['northern_metropolis_area']:.0f}平方公里"],
        "02-hk-innovation": [
            f"近{len(years)}年均排在全球经济体前15名",
            f"世界第{zh[int(key['gii_cluster_rank_2021'])]}大科技集群",
            f"香港拥有{zh[int(key['hk_universities_top100'])]}所在",
            f"{startups['survey_year']}年数据显示，香港初创企业达{startups['qualifier']}{startups['startups_article']}家",
            f"比2015年增长{key['hk_startups_growth_2015_2021']:.1f}倍",
        ],
    }
    for name, phrases in expected.items():
        visible = squeeze("".join(built[name].text))
        missing = [p for p in phrases if p not in visible]
        assert not missing, f"{name}: not in the page: {missing}"


# ----------------------------------------------------------------------------------------------------------------
# One CSV value edited on a copy: the sentence and the figure change, nothing else does
# ----------------------------------------------------------------------------------------------------------------
def _figure_images(html: Path) -> dict[str, bytes]:
    page = parse_page(html / "book" / "02-hk-innovation.html")
    return {fid: (html / "book" / f["img"]["src"]).resolve().read_bytes() for fid, f in page.figures.items()}


def test_editing_one_csv_value_changes_the_sentence_and_the_figure(html_dir: Path, tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")
    work = ROOT / "_build" / ".work"
    if work.is_dir():  # start from the real caches (content-keyed: only the edited chapter re-executes)
        shutil.copytree(work, project / "_build" / ".work", ignore=shutil.ignore_patterns(".lock", "logs"))
    path = project / "data" / "hk_startups.csv"
    original = path.read_text(encoding="utf-8")
    edited = re.sub(r"^2021,4000,", "2021,4321,", original, flags=re.M)
    assert edited != original, "hk_startups.csv has no 2021 row with the article's 4000"
    path.write_text(edited, encoding="utf-8")

    build = jupyter_book(project, "--builder", "html", "--path-output", str(project / "_build" / ".work"))
    assert build.returncode == 0, (build.stdout + build.stderr)[-4000:]
    html = project / "_build" / ".work" / "_build" / "html"
    visible = squeeze("".join(parse_page(html / "book" / "02-hk-innovation.html").text))
    assert "香港初创企业达近4321家" in visible and "近4000家" not in visible

    before, after = _figure_images(html_dir), _figure_images(html)
    assert before.keys() == after.keys() == {fid for fid, (page, *_) in FIGURES.items() if page == "02-hk-innovation"}
    changed = {fid for fid in before if before[fid] != after[fid]}
    assert changed == {"fig-hk-startups"}, f"figures changed by the hk_startups.csv edit: {sorted(changed)}"
