"""The figure house style: one colour per economy in every figure, one fill rule, text legible on a phone,
conclusion titles that come from the data, a timeline whose rows never overlap."""
from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from szhk import figures  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SVG = "{http://www.w3.org/2000/svg}"
COLOUR = re.compile(r"(?:fill|stroke):\s*(#[0-9a-fA-F]{6})")


def colours_by_economy(svg_text: str) -> tuple[dict[str, set[str]], set[str]]:
    """Colours used inside each economy's tagged groups (economy-HKG-…), and colours used outside any."""
    inside: dict[str, set[str]] = {}
    outside: set[str] = set()

    def walk(node: ET.Element, economy: str | None) -> None:
        gid = node.get("id", "")
        if gid.startswith("economy-"):
            economy = gid.split("-")[1]
        for colour in COLOUR.findall(node.get("style", "")):
            colour = colour.lower()
            if colour in ("#ffffff",):
                continue
            (inside.setdefault(economy, set()) if economy else outside).add(colour)
        for child in node:
            walk(child, economy)

    walk(ET.fromstring(svg_text), None)
    return inside, outside


def svg_of(fig: plt.Figure) -> str:
    out = io.StringIO()
    fig.savefig(out, format="svg", bbox_inches="tight")
    plt.close(fig)
    return out.getvalue()


def ranks() -> pd.DataFrame:
    return pd.DataFrame({
        "year": [2017, 2017, 2018, 2018, 2019, 2019],
        "economy_zh": ["中国香港", "中国"] * 3,
        "rank_article": [16, 22, 14, 33, 13, 12],
        "rank_published": [16, 22, 14, 30, 13, None],
    })


@pytest.fixture(autouse=True)
def house_style() -> None:
    figures.use_house_style()


def test_each_economy_has_its_one_colour_and_no_other_mark_uses_it() -> None:
    fig = figures.title_and_source(figures.rank_chart(ranks(), top=15), "标题", "来源")
    inside, outside = colours_by_economy(svg_of(fig))
    assert inside["HKG"] == {figures.HK.lower()}
    assert inside["CHN"] == {figures.MAINLAND.lower()}
    assert figures.HK.lower() not in outside and figures.MAINLAND.lower() not in outside


def test_published_values_are_filled_and_the_articles_outlined() -> None:
    assert figures.bar_style("published", figures.HK)["facecolor"] == figures.HK
    assert figures.bar_style("article", figures.HK)["facecolor"] == "white"
    assert figures.bar_style("article", figures.HK)["edgecolor"] == figures.HK
    assert figures.marker_style("article", figures.MAINLAND)["markerfacecolor"] == "white"
    with pytest.raises(ValueError, match="unknown kind"):
        figures.bar_style("claimed", figures.HK)


def test_rank_chart_marks_the_articles_different_rank_hollow() -> None:
    fig = figures.rank_chart(ranks(), top=15)
    hollow = [line for line in fig.axes[0].lines
              if line.get_markerfacecolor() == "white" and line.get_color() == figures.MAINLAND]
    # 2018: the article's 33 beside the published 30; 2019: no published rank, the article's 12 shown hollow
    assert sorted(float(line.get_ydata()[0]) for line in hollow) == [12.0, 33.0]
    assert fig.axes[0].get_ylim()[0] > fig.axes[0].get_ylim()[1], "rank 1 must be at the top"
    assert "第 1 名在上" in fig.axes[0].get_ylabel()
    plt.close(fig)


def test_crossing_title_comes_from_the_data() -> None:
    # "首次" within the editions the data holds, and the title says so; the mainland is named 中国内地
    assert figures.crossing_title(ranks(), "全球创新指数") == \
        "2019 年中国内地全球创新指数名次首次超过中国香港（本书数据所及 2017—2019 年）"
    steady = ranks()[ranks()["year"] < 2019]
    assert figures.crossing_title(steady, "全球创新指数") == "中国香港全球创新指数名次由 2017 年的第 16 名升至 2018 年的第 14 名"


def test_publish_refuses_small_text_wide_figures_and_missing_titles() -> None:
    fig, ax = plt.subplots(figsize=(figures.WIDTH, 3))
    ax.plot([1, 2], [1, 2])
    assert any("no title" in p for p in figures.check(fig))
    figures.title_and_source(fig, "标题", "来源")
    assert figures.check(fig) == []
    ax.annotate("小字", (1, 1), fontsize=8)
    assert any("under 11 pt" in p for p in figures.check(fig))
    plt.close(fig)
    wide, ax = plt.subplots(figsize=(7.2, 3))
    figures.title_and_source(wide, "标题", "来源")
    assert any("wide" in p for p in figures.check(wide))
    plt.close(wide)


def test_text_is_at_least_11_px_on_a_390_px_phone() -> None:
    # The phone's text column is 342 px (Chromium at 390 px); an image MAX_WIDTH inches wide is 96 px per inch.
    scale = 342 / (figures.MAX_WIDTH * 96)
    assert figures.MIN_TEXT_PT * 96 / 72 * scale >= 11


def test_wrapping_keeps_numbers_whole_and_leaves_no_orphan() -> None:
    lines = figures.wrap_em("文中提到的 21 件政策与大事中，8 件发生在 2021 年", 24).split("\n")
    assert all(not line.startswith(("年", "，", "》", "1")) for line in lines)
    assert "2021 年" in lines[-1]
    assert figures.wrap_em("《全面深化前海深港现代服务业合作区改革开放方案》发布", 20).count("\n》") == 0


def test_survey_columns_keep_missing_years_as_gaps_and_start_at_zero() -> None:
    fig = figures.survey_columns([2015, 2019], [1558, 3184], [None, 4000], ["", "文章：近 4000"], unit="家")
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == [str(y) for y in range(2015, 2020)]
    # one horizontal mark over the run of years the dataset lacks, worded as the dataset's gap
    marks = [t for t in ax.texts if t.get_text() == figures.NOT_IN_DATA]
    assert len(marks) == 1 and marks[0].get_rotation() == 0
    assert all(t.get_rotation() == 0 for t in ax.texts)
    assert ax.get_ylim()[0] == 0
    plt.close(fig)


def test_timeline_rows_never_overlap() -> None:
    events = pd.DataFrame({
        "date": ["1998", "2017-12", "2018", "2018", "2018-05", "2021-H1", "2020-Q4", "2022-07-01"],
        "event": ["香港特区政府公布科创发展蓝图", "公布《香港智慧城市蓝图》",
                  "香港交易所推出新上市制度，容许未通过主板财务资格测试的生物科技公司上市",
                  "阿里巴巴、商汤科技及香港科技园公司联合成立香港人工智能及数据实验室", "推出科技人才入境计划",
                  "推出“杰出创科学人计划”", "数据技术中心开始营运", "“创新科技局”更名为“创新科技及工业局”"],
        "confirmed": [False, True, False, False, False, False, False, True],
    })
    fig = figures.title_and_source(figures.timeline(events, ("日期已核实", "仅据文章")), "标题", "来源")
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    boxes = [t.get_window_extent(renderer) for t in fig.axes[0].texts if t.get_text() not in ("≈",)]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert not a.overlaps(b), "two timeline texts overlap"
    order = [t.get_text() for t in fig.axes[0].texts if "年" in t.get_text() and len(t.get_text()) <= 6]
    assert order == ["1998 年", "2017 年", "2018 年", "2020 年", "2021 年", "2022 年"]
    assert figures.check(fig) == []
    plt.close(fig)


def test_dates_in_words() -> None:
    assert figures.date_zh("2020-Q4") == "2020 年第四季度"
    assert figures.date_zh("2021-H1") == "2021 年上半年"
    assert figures.date_zh("2022-07-01") == "2022 年 7 月 1 日"


@pytest.mark.needs_build
def test_hong_kong_has_the_same_colour_in_every_published_figure() -> None:
    images = ROOT / "_build" / "html" / "_images"
    if not images.is_dir():
        pytest.fail(f"{images} is missing: run `make build` first")
    seen = {"HKG": 0, "CHN": 0, "SZX": 0}
    for path in sorted(images.glob("*.svg")):
        inside, _ = colours_by_economy(path.read_text(encoding="utf-8"))
        for economy, expected in (("HKG", figures.HK), ("CHN", figures.MAINLAND), ("SZX", figures.SHENZHEN)):
            if economy in inside:
                # its colour, and at most the lighter shade of it that fills a secondary value (measures_chart)
                allowed = {expected.lower(), figures.lighter(expected).lower()}
                assert expected.lower() in inside[economy] and inside[economy] <= allowed, \
                    f"{path.name}: {economy} drawn in {inside[economy]}"
                seen[economy] += 1
    assert seen["HKG"] >= 5 and seen["CHN"] >= 3 and seen["SZX"] >= 1, f"economy-tagged figures found: {seen}"


def test_rank_chart_dashes_segments_to_unconfirmed_ranks_and_names_the_mainland() -> None:
    fig = figures.rank_chart(ranks(), top=15)
    ax = fig.axes[0]
    mainland = [line for line in ax.lines if line.get_color() == figures.MAINLAND and len(line.get_xdata()) == 2]
    styles = {tuple(line.get_xdata()): line.get_linestyle() for line in mainland}
    assert styles[(2017, 2018)] == "-"   # both published
    assert styles[(2018, 2019)] == "--"  # into 2019's hollow (unconfirmed) rank
    names = {t.get_text() for t in ax.texts}
    assert "中国内地" in names and "中国" not in names
    plt.close(fig)


def test_rank_chart_has_a_legend_only_with_a_hollow_dot_and_keeps_labels_off_it() -> None:
    confirmed = ranks().assign(rank_published=ranks()["rank_article"])
    fig = figures.title_and_source(figures.rank_chart(confirmed, top=15), "标题", "来源")
    assert fig.axes[0].get_legend() is None, "filled dots alone: a legend of one kind says nothing"
    assert figures.dashed_segments(confirmed) == 0
    plt.close(fig)
    unconfirmed = ranks()  # 2019's rank has no published value: two segments into and out of it are dashed
    fig = figures.title_and_source(figures.rank_chart(unconfirmed, top=15), "标题", "来源")
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert legend == ["已发表名次", "文章所写（未核得或与来源不同）"]
    dashed = [l for l in fig.axes[0].get_lines() if l.get_linestyle() == "--"]
    assert figures.dashed_segments(unconfirmed) == len(dashed) > 0, "the note's count is the drawing's"
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    box = fig.axes[0].get_legend().get_window_extent(renderer)
    assert not any(t.get_window_extent(renderer).overlaps(box) for t in fig.axes[0].texts)
    plt.close(fig)


def test_survey_columns_write_no_number_twice_and_keep_the_article_a_dot() -> None:
    fig = figures.survey_columns([2015, 2016, 2020], [86, 138, None], [None, 138, 468], ["", "文章：138", "文章：468"],
                                 unit="家")
    ax = fig.axes[0]
    texts = [t.get_text() for t in ax.texts]
    assert texts.count("138") == 1 and "文章：138" not in texts and "文章：468" in texts
    hollow = [line for line in ax.lines if line.get_markerfacecolor() == "white"]
    assert sorted(float(line.get_ydata()[0]) for line in hollow) == [138.0, 468.0]
    plt.close(fig)


# ---- Phone drawings, colour words, finding titles, labels that do not collide -------------------------------------
def test_overlapping_texts_finds_labels_printed_over_each_other() -> None:
    fig, ax = plt.subplots(figsize=(figures.WIDTH, 3))
    ax.plot([2017, 2018], [1, 2])
    figures.title_and_source(fig, "标题", "来源")
    fig.canvas.draw()
    assert figures.overlapping_texts(fig) == []
    ax.annotate("3755", (2017.5, 1.5), fontsize=11)
    ax.annotate("文章：近 4000", (2017.5, 1.5), fontsize=11)
    fig.canvas.draw()
    assert ("3755", "文章：近 4000") in figures.overlapping_texts(fig)
    plt.close(fig)


def test_a_chart_drawn_for_the_phone_is_narrower_with_the_same_text_sizes() -> None:
    def draw() -> plt.Figure:
        return figures.title_and_source(figures.rank_chart(ranks(), top=15), "中国香港全球创新指数名次的变化", "来源")

    desktop = draw()
    with figures.drawn_at(figures.PHONE_WIDTH):
        assert figures.width() == figures.PHONE_WIDTH
        phone = draw()
    assert figures.width() == figures.WIDTH
    assert phone.get_figwidth() == figures.PHONE_WIDTH < desktop.get_figwidth()
    assert figures.check(phone, max_width=figures.PHONE_MAX_WIDTH) == []
    sizes = lambda fig: sorted({t.get_fontsize() for t in figures.visible_texts(fig)})  # noqa: E731
    assert sizes(phone) == sizes(desktop) and min(sizes(phone)) >= figures.MIN_TEXT_PT
    bundle = figures._Drawn("fig-test", desktop, phone=phone, alt="中国香港（{colour-hk}）")._repr_mimebundle_()
    picture = bundle[figures.PICTURE_MIME]
    assert picture["svg"] == bundle["image/svg+xml"] and picture["phone_svg"].startswith("<?xml")
    widths = [float(re.search(r'width="([\d.]+)pt"', svg)[1]) for svg in (picture["svg"], picture["phone_svg"])]
    assert widths[1] <= figures.PHONE_MAX_WIDTH * 72 < widths[0]
    assert picture["colour_words"] == {"hk": figures.colour_word("中国香港"), "mainland": figures.colour_word("中国"),
                                       "shenzhen": figures.colour_word("深圳")}


def test_colour_placeholders_are_filled_from_the_house_style_and_unknown_ones_refused() -> None:
    from szhk_sphinx import picture

    words = figures.colour_words()
    assert picture.PICTURE == figures.PICTURE_MIME
    assert picture.fill_colours("中国香港（{colour-hk}）", words) == f"中国香港（{figures.colour_word('中国香港')}）"
    with pytest.raises(ValueError, match="colour-green"):
        picture.fill_colours("{colour-green}", words)
    # Shenzhen is a city beside Hong Kong, not the mainland: a colour and a word of its own
    assert len({figures.colour_word(e) for e in ("深圳", "中国", "中国香港")}) == 3
    assert len({figures.economy_colour(e) for e in ("深圳", "中国", "中国香港")}) == 3


def test_since_article_title_tells_the_movement_after_the_article() -> None:
    later = pd.DataFrame({"year": [2020, 2020, 2021, 2021, 2022, 2022, 2023, 2023],
                          "economy_zh": ["中国香港", "中国"] * 4,
                          "in_article": [True, True, False, False, False, False, False, False],
                          "rank_article": [14, 12, None, None, None, None, None, None],
                          "rank_published": [14, 12, 17, 11, 18, 11, 15, 10]})
    assert figures.since_article_title(later, "全球创新指数") == \
        "全球创新指数：中国香港 2022 年降至第 18 名，2023 年回升至第 15 名；中国内地第 10 名"
    steady = later[later["year"] < 2022]
    assert figures.since_article_title(steady, "全球创新指数") == \
        "全球创新指数：中国香港由 2020 年第 14 名降至 2021 年第 17 名；中国内地第 11 名"


def test_dense_run_finds_where_the_timeline_thickens_and_its_peak() -> None:
    dates = ["1998", "2017", "2017-12", "2018", "2019-02", "2021-H1", "2021-07-01", "2021", "2022"]
    assert figures.dense_run(dates) == (2017, 2021)  # after the longest quiet spell (1998–2017); 2021 has most
    assert figures.dense_run(["2019", "2020", "2020"]) == (2019, 2020)  # no gap: from the first year
    with pytest.raises(ValueError, match="no date"):
        figures.dense_run([])


def test_words_fill_named_placeholders_and_name_the_file_when_one_is_missing() -> None:
    assert figures.words("rank_article_label", rank="33") == "文章：33"
    with pytest.raises(KeyError, match="house-words.yml.*no entry 'no_such_words'"):
        figures.words("no_such_words")
    with pytest.raises(KeyError, match="house-words.yml, words: rank_article_label: placeholder 'rank'"):
        figures.words("rank_article_label")


def test_wrapping_never_ends_a_line_with_an_opening_mark_or_parts_a_number_from_its_unit() -> None:
    title = "2025 年全球创新指数中国内地自 2021 年起领先（第 10 名对中国香港第 15 名），数字竞争力中国香港各版领先"
    for ems in range(12, 40):
        lines = figures.wrap_em(title, ems).split("\n")
        assert not any(line.endswith(("（", "第")) for line in lines), (ems, lines)
        assert not any(re.match(r"^(名|年)", line) for line in lines[1:]), (ems, lines)
        assert "".join(lines).replace(" ", "") == title.replace(" ", "")


def test_publish_refuses_texts_printed_over_each_other() -> None:
    fig, ax = plt.subplots(figsize=(figures.WIDTH, 3))
    ax.annotate("3755", (0.5, 0.5), fontsize=11)
    ax.annotate("文章：近 4000", (0.5, 0.5), fontsize=11)
    figures.title_and_source(fig, "标题", "来源")
    assert any(p.startswith("texts printed over each other: '3755'") for p in figures.check(fig))
    plt.close(fig)


def test_measures_chart_draws_one_shape_lighter_off_the_official_measure_and_fits_its_axis() -> None:
    rows = pd.DataFrame({"year": [2016, 2017, 2018, 2016, 2017],
                         "region_zh": ["深圳", "深圳", "深圳", "香港", "香港"],
                         "measure": ["society", "society", "unstated", "gerd", "gerd"],
                         "method_changed": [False] * 5, "share": [4.1, 4.13, 4.2, 0.79, 0.8]})
    fig = figures.measures_chart(rows, value="share", unit="占生产总值（%）",
                                 kinds={"society": "society", "unstated": "unspecified", "gerd": "official"})
    ax = fig.axes[0]
    assert {line.get_marker() for line in ax.lines if line.get_marker() not in ("None", None, "")} == {"o"}
    assert ax.get_ylim() == (0, 5)  # the tick above 4.2, not half as far again
    lines = {tuple(line.get_xdata()) for line in ax.lines if len(line.get_xdata()) == 2}
    assert (2017, 2018) not in lines  # no line into a value of an unstated measure
    # a statistics office's value filled, any other published value lighter, and a legend naming the two
    faces = {(line.get_xdata()[0], line.get_color(), line.get_markerfacecolor()) for line in ax.lines
             if len(line.get_xdata()) == 1}
    assert (2016, figures.SHENZHEN, figures.lighter(figures.SHENZHEN)) in faces  # society: not the office's
    assert (2018, figures.SHENZHEN, figures.lighter(figures.SHENZHEN)) in faces  # unstated measure
    assert (2016, figures.HK, figures.HK) in faces  # official: filled
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [figures.words("measures_official"),
                                                                  figures.words("measures_secondary")]
    official_only = figures.measures_chart(rows[rows["measure"] == "gerd"], value="share", unit="占生产总值（%）",
                                           kinds={"gerd": "official"})
    assert official_only.axes[0].get_legend() is None  # one kind of dot: nothing for a legend to tell
    plt.close(official_only)
    words = figures.measure_years(rows, {"society": "全社会", "unstated": "未说明", "gerd": "统计"})
    assert "深圳：" in words and "2016、2017 年为全社会" in words and "香港" not in words
    # only each region's last value is written, beside its name (a first value sat against the y axis)
    values = [t.get_text() for t in ax.texts if t.get_text()[:1].isdigit()]
    assert values == [], values
    assert sorted(t.get_text() for t in ax.texts if "\n" in t.get_text()) == ["深圳\n4.2", "香港\n0.8"]
    # Shenzhen in its own colour, not the mainland's
    assert {line.get_color() for line in ax.lines if line.get_color() != figures.HK} == {figures.SHENZHEN}
    plt.close(fig)
    # a region with official values: its label states the last official one, with its year when lighter dots follow
    later = pd.concat([rows, pd.DataFrame({"year": [2019, 2020], "region_zh": ["深圳", "深圳"],
                                           "measure": ["stats", "unstated"], "method_changed": [False, False],
                                           "share": [5.5, 6.7]})])
    fig = figures.measures_chart(later, value="share", unit="占生产总值（%）",
                                 kinds={"society": "society", "unstated": "unspecified", "gerd": "official",
                                        "stats": "official"})
    assert sorted(t.get_text() for t in fig.axes[0].texts if "\n" in t.get_text()) == ["深圳\n5.5（2019）", "香港\n0.8"]
    plt.close(fig)


def test_fill_legend_leaves_out_a_kind_the_chart_does_not_draw() -> None:
    fig, ax = plt.subplots(figsize=(figures.WIDTH, 3))
    figures.fill_legend(ax, colours=[figures.HK], article_colours=[])
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [figures.PUBLISHED_NAME]
    plt.close(fig)


def test_rank_chart_keeps_later_editions_solid_and_the_threshold_dotted() -> None:
    later = ranks().assign(in_article=True)
    later = pd.concat([later, pd.DataFrame({"year": [2020, 2020], "economy_zh": ["中国香港", "中国"],
                                            "rank_article": [float("nan")] * 2, "rank_published": [11, 14],
                                            "in_article": [False, False]})], ignore_index=True)
    ax = figures.rank_chart(later, top=15).axes[0]
    styles = {(line.get_color(), tuple(line.get_xdata())): line.get_linestyle() for line in ax.lines
              if len(line.get_xdata()) == 2}
    assert styles[(figures.HK, (2019, 2020))] == "-"  # a later edition, published: the band says when
    assert styles[(figures.MAINLAND, (2019, 2020))] == "--"  # from 2019's unconfirmed rank
    assert [line.get_linestyle() for line in ax.lines if list(line.get_ydata()) == [15.5, 15.5]] == [":"]
    plt.close("all")


def test_bars_with_names_above_fit_the_axis_to_the_data() -> None:
    fig, ax = plt.subplots(figsize=(figures.WIDTH, 3))
    figures.bars(ax, ["前海深港现代服务业合作区（扩区后）", "香港北部都会区"], [120.56, 300], size=0.4, names_above=True)
    names = [t.get_text() for t in ax.texts]
    assert "前海深港现代服务业合作区（扩区后）" in names and "香港北部都会区" in names  # whole, unbroken
    assert list(ax.get_yticks()) == []
    assert 300 < ax.get_xlim()[1] < 300 * 1.3  # just past the longest bar's label, not to 400
    plt.close(fig)


def test_the_phone_timeline_list_carries_the_drawings_title_and_note() -> None:
    events = pd.DataFrame({"date": ["2021", "2017-12"], "event": ["乙", "甲"], "confirmed": [False, True]})
    text = figures.timeline_markdown(events, ("已核", "仅据文章"), title="标题", note="另注。")
    lines = text.splitlines()
    assert lines[0] == "**标题**" and lines[-1] == "另注。"
    assert text.index("2017 年") < text.index("2021 年") and "甲（已核）" in text and "乙（仅据文章）" in text


def test_phone_rank_chart_numbers_only_each_lines_first_best_worst_and_last_point() -> None:
    """Every point numbered crowds a phone's narrow plot (and its threshold line): there, only the points a reader
    looks for; the desktop drawing numbers every point."""
    years = list(range(2017, 2024))
    hk = [16, 14, 13, 11, 14, 14, 17]
    frame = pd.DataFrame({"year": years * 2, "economy_zh": ["中国香港"] * 7 + ["中国"] * 7,
                          "rank_article": hk + [22, 17, 14, 14, 12, 11, 12],
                          "rank_published": hk + [22, 17, 14, 14, 12, 11, 12]})

    def numbers(fig: plt.Figure, colour: str) -> list[str]:
        return sorted(t.get_text() for t in fig.axes[0].texts if t.get_color() == colour and t.get_text().isdigit())

    desktop = figures.rank_chart(frame, top=15)
    assert numbers(desktop, figures.HK) == sorted(str(r) for r in hk)
    with figures.drawn_at(figures.PHONE_WIDTH):
        phone = figures.rank_chart(frame, top=15)
    assert numbers(phone, figures.HK) == sorted(["16", "11", "17"])  # first, best, worst and last (2023's 17)
    assert numbers(phone, figures.MAINLAND) == sorted(["22", "11", "12"])
    plt.close("all")


def test_a_paper_drawing_is_what_print_takes() -> None:
    """publish(paper=…): the PDF is drawn from the print-only drawing (the timeline in two columns at the page's
    width), the web's SVG from the desktop one."""
    events = pd.DataFrame({"date": [f"{y}-0{m}" for y in range(2015, 2023) for m in (3, 6)],
                           "event": ["一项较长的政策事件名称，写满一行以上"] * 16, "confirmed": [True, False] * 8})
    marks = ("日期已核实", "仅据文章")
    one = figures.title_and_source(figures.timeline(events, marks), "标题", "来源")
    two = figures.title_and_source(figures.timeline(events, marks, columns=2), "标题", "来源")
    assert two.get_figwidth() == figures.PAPER_WIDTH and two.get_figheight() < one.get_figheight() * 0.75
    assert figures.check(two, max_width=figures.PAPER_WIDTH + 0.35) == []
    bundle = figures._Drawn("fig-test", one, paper=two)._repr_mimebundle_()
    import base64
    pdf = base64.b64decode(bundle["application/pdf"])
    width_pt = float(re.search(rb"/MediaBox \[\s*[\d.]+ [\d.]+ ([\d.]+)", pdf)[1])
    assert width_pt > figures.MAX_WIDTH * 72  # the paper drawing, wider than any screen drawing
    assert float(re.search(r'width="([\d.]+)pt"', bundle["image/svg+xml"])[1]) <= figures.MAX_WIDTH * 72
    plt.close("all")


def test_survey_columns_on_a_phone_print_no_number_or_gap_mark_over_a_column() -> None:
    """At the phone's width a year is narrower than a four-digit number: the first column's number runs left from
    its column's edge instead of over the taller column beside it, and the mark of a two-year gap stands upright
    inside the gap instead of over the columns on either side."""
    with figures.drawn_at(figures.PHONE_WIDTH):
        fig = figures.title_and_source(figures.survey_columns(
            [2015, 2016, 2019, 2020, 2021, 2022, 2023, 2024, 2025],
            [1558, 1926, 3184, 3360, 3755, 3985, 4257, 4694, 5221], [None] * 4 + [4000] + [None] * 4,
            [""] * 4 + ["文章：近 4000"] + [""] * 4, unit="初创企业（家）", article_until=2021), "标题", "来源")
    ax = fig.axes[0]
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    columns = [p.get_window_extent(renderer) for p in ax.patches
               if matplotlib.colors.to_hex(p.get_facecolor()).upper() == figures.HK]  # not the grey band
    assert len(columns) == 9
    gap_marks = {"".join(mark.split()) for mark in (figures.NOT_IN_DATA, figures.NOT_IN_DATA_UPRIGHT)}
    checked = [t for t in ax.texts if t.get_text() in ("1558", "5221") or "".join(t.get_text().split()) in gap_marks]
    assert len(checked) == 3, [t.get_text() for t in ax.texts]
    for text in checked:
        box = text.get_window_extent(renderer).shrunk(0.95, 0.95)
        hit = [c for c in columns if c.overlaps(box)]
        assert not hit, f"{text.get_text()!r} printed over a column"
    assert not figures.check(fig, "家", max_width=figures.PHONE_MAX_WIDTH)
    plt.close(fig)


def test_lighter_mixes_a_colour_with_white() -> None:
    assert figures.lighter("#009E73", 0) == "#009E73"
    assert figures.lighter("#009E73", 1) == "#FFFFFF"
    assert figures.contrast(figures.lighter("#009E73"), "#FFFFFF") < figures.contrast("#009E73", "#FFFFFF")


@pytest.mark.parametrize("hk_last", [1.13, 6.5])  # far apart (the plot grows) and close (the lower label moves down)
def test_measures_chart_end_labels_with_long_names_do_not_print_over_each_other(hk_last: float) -> None:
    # names as hostile data makes them: each end label wraps to many lines hanging down from its last value
    sz, hk = "深圳<script>alert(1)</script>", '香港"><img src=x onerror=alert(1)>'
    rows = pd.DataFrame({"year": [2015, 2024, 2015, 2024], "region_zh": [sz, sz, hk, hk],  # years upright
                         "measure": ["gerd", "other", "gerd", "gerd"], "method_changed": [False] * 4,
                         "share": [4.0, 6.67, 0.76, hk_last]})
    # a two-line title and a four-line foot, as the chapter's: the plot as small as the chart lets it be
    for inches, max_width in ((figures.WIDTH, figures.MAX_WIDTH), (figures.PHONE_WIDTH, figures.PHONE_MAX_WIDTH)):
        with figures.drawn_at(inches):
            def chart() -> plt.Figure:
                return figures.measures_chart(rows, value="share", unit="占生产总值（%）",
                                              kinds={"gerd": "official", "other": "unspecified"})
            left_alone = chart()
            del left_alone._szhk_end_labels  # as drawn before the labels were kept apart: they meet
            figures.title_and_source(left_alone, "标题" * 20, "来源", note="注" * 90).canvas.draw()
            assert figures.overlapping_texts(left_alone), "the labels no longer meet here: the test shows nothing"
            plt.close(left_alone)
            fig = figures.title_and_source(chart(), "标题" * 20, "来源", note="注" * 90)
            assert figures.check(fig, "占生产总值（%）", max_width=max_width) == []
            plt.close(fig)


def test_rank_numbers_sit_off_their_lines_outside_the_bends() -> None:
    # the IMD chart's mainland line (31, 30, 22, 16, 15: rising steeply) and Hong Kong's bend at 11 (7, 11, 8)
    years = [2017, 2018, 2019, 2020, 2021]
    frame = pd.DataFrame({"year": years * 2, "economy_zh": ["中国香港"] * 5 + ["中国"] * 5,
                          "rank_article": [7, 11, 8, 5, 2, 31, 30, 22, 16, 15],
                          "rank_published": [7, 11, 8, 5, 2, 31, 30, 22, 16, 15]})
    for inches in (figures.WIDTH, figures.PHONE_WIDTH):
        with figures.drawn_at(inches):
            fig = figures.title_and_source(figures.rank_chart(frame, top=10), "标题", "来源")
        fig.canvas.draw()
        ax = fig.axes[0]
        renderer = fig.canvas.get_renderer()
        numbers = [t for t in ax.texts if t.get_text().isdigit()]
        assert {"30", "22", "16", "11"} <= {t.get_text() for t in numbers} or inches < figures.WIDTH
        crossed = []
        for line in ax.lines:
            xy = line.get_xydata()
            if len(xy) != 2:
                continue  # a dot
            for share in [i / 50 for i in range(51)]:  # points along the segment, on the screen
                point = ax.transData.transform(xy[0] + share * (xy[1] - xy[0]))
                crossed += [t.get_text() for t in numbers if t.get_window_extent(renderer).contains(*point)]
        assert not crossed, f"numbers printed over a line ({inches} in): {sorted(set(crossed))}"
        plt.close(fig)


def test_a_saved_drawing_carries_no_date(monkeypatch: pytest.MonkeyPatch) -> None:
    """A chapter executed again at a later commit must draw the same bytes as its cached drawing: no date in the SVG
    or PDF, whatever SOURCE_DATE_EPOCH says."""
    import matplotlib.pyplot as plt

    drawings = []
    for epoch in ("1656633600", "1796601600"):
        monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch)
        fig, ax = plt.subplots(figsize=(2, 1))
        ax.plot([1, 2], [1, 2])
        drawings.append((figures._saved(fig, "svg"), figures._saved(fig, "pdf")))
        plt.close(fig)
    assert drawings[0] == drawings[1]
    assert b"<dc:date>" not in drawings[0][0] and b"/CreationDate" not in drawings[0][1]


def test_the_band_label_of_survey_columns_stays_inside_its_band_on_a_phone() -> None:
    # eleven survey years, the article's the seventh: on a phone the band of the four later ones is narrow
    years = pd.Series(range(2015, 2026))
    counts = pd.Series([1558, 1926, None, None, 3184, 3360, 3755, 3985, 4257, 4694, 5221])
    article = pd.Series([None] * 6 + [4000] + [None] * 4)
    for inches in (figures.WIDTH, figures.PHONE_WIDTH):
        with figures.drawn_at(inches):
            fig = figures.title_and_source(figures.survey_columns(
                years, counts, article, ["文章：近 4000" if pd.notna(n) else "" for n in article],
                unit="初创企业（家）", article_until=2021), "标题", "来源")
        fig.canvas.draw()
        ax, renderer = fig.axes[0], fig.canvas.get_renderer()
        (label,) = [t for t in ax.texts if t.get_text() in (figures.AFTER_ARTICLE, figures.AFTER_ARTICLE_SHORT)]
        band_left = ax.transData.transform((2021.5, 0))[0]
        extent = label.get_window_extent(renderer)
        assert band_left <= extent.x0 and extent.x1 <= ax.get_window_extent(renderer).x1, (inches, label.get_text())
        plt.close(fig)
