"""Figures and glued numbers of chapters 03–06, and the helpers behind them (szhk.figures / szhk.text).

Unit tests exercise the helpers without a build. The rest read the built book (html_dir; SZHK_HTML_DIR points it at
a private build): each figure is on its page with its number, caption, source note, alt text, vector image, CSV
link and a {numref} reference; each number the prose takes from data/ reads as the data's value, computed here
straight from the CSVs, and is not typed into the chapter's source.
"""
from __future__ import annotations

import csv
import re
from pathlib import Path

import matplotlib

matplotlib.use("agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from bs4 import BeautifulSoup  # noqa: E402
from conftest import BOOK, DATA, squeeze  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402

from szhk import figures, text  # noqa: E402

# Figure id → (page, CSV its caption links, words its caption must contain: the source note and its publisher).
FIGURES = {
    "fig-itf-industries": ("03-government-measures", "itf_projects_by_industry.csv", ("香港创新科技署", "其他行业")),
    "fig-tech-parks": ("03-government-measures", "tech_parks.csv", ("施政报告",)),
    "fig-talent-schemes": ("03-government-measures", "talent_schemes.csv", ("原文",)),
    "fig-healthcare-listings": ("04-key-industries", "hkex_healthcare_listings_2020.csv", ("第十八 A 章", "二手来源")),
    "fig-smart-city-blueprints": ("04-key-industries", "smart_city_blueprints.csv", ("香港创新及科技局",)),
    "fig-fintech-startups": ("04-key-industries", "fintech_startups.csv", ("香港投资推广署",)),
    "fig-cooperation-platforms": ("05-cooperation", "cooperation_platforms.csv", ("原文",)),
    "fig-cooperation-counts": ("05-cooperation", "key_figures.csv", ("原文",)),
    "fig-cooperation-areas": ("06-recommendations", "cooperation_areas.csv", ("前海深港现代服务业合作区改革开放方案",)),
}


@pytest.fixture(autouse=True)
def _house_style():
    with plt.style.context(figures.STYLE_SHEET):
        yield
    plt.close("all")



# ----------------------------------------------------------------------------------------------------------------
# szhk.text
# ----------------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("value", "unit", "qualifier", "written"), [
    (700, "个", "约", "约 700 个"),
    (1500, "家", "超过", "超过 1500 家"),
    (680, "项", "超", "超 680 项"),
    (1800, "家", "多", "1800 多家"),
    (100, "家", "余", "100 余家"),
    (17000, "人", "约", "约 1.7 万人"),
    (140000, "平方米", "超过", "超过 14 万平方米"),
    (1500, "亿港元", None, "1500 亿港元"),
    (403.6, "亿港元", "约", "约 403.6 亿港元"),
    (21.8, "%", float("nan"), "21.8%"),
    (15.0, "%", pd.NA, "15%"),
])
def test_as_written_writes_numbers_like_the_article(value, unit, qualifier, written) -> None:
    assert text.as_written(value, unit, qualifier) == written


def test_as_written_refuses_an_unknown_qualifier_and_an_empty_value() -> None:
    with pytest.raises(ValueError, match="unknown qualifier '大约'"):
        text.as_written(5, "家", "大约")
    with pytest.raises(ValueError, match="empty"):
        text.as_written(float("nan"), "家")


def test_labels_as_written_leaves_empty_values_blank_and_checks_lengths() -> None:
    values = pd.Series([900.0, np.nan], dtype="float64")
    assert text.labels_as_written(values, ["家", "家"], ["约", pd.NA]) == ["约 900 家", ""]
    assert text.labels_as_written(pd.array([76, pd.NA], dtype="Int64"), "项") == ["76 项", ""]
    with pytest.raises(ValueError, match="2 values, 1 units"):
        text.labels_as_written([1, 2], ["家"])


@pytest.mark.parametrize(("n", "counting", "words"), [
    (0, False, "零"), (3, False, "三"), (8, False, "八"), (10, False, "十"), (14, False, "十四"),
    (20, False, "二十"), (23, False, "二十三"), (2, False, "二"), (2, True, "两"), (12, True, "十二"),
    (np.int64(4), False, "四"), (8.0, False, "八"),
])
def test_zh_numeral(n, counting, words) -> None:
    assert text.zh_numeral(n, counting=counting) == words


@pytest.mark.parametrize("bad", [-1, 100, 2.5, True, "8", None])
def test_zh_numeral_refuses_what_it_cannot_write(bad) -> None:
    with pytest.raises(ValueError, match="not a whole number from 0 to 99"):
        text.zh_numeral(bad)


def test_year_month() -> None:
    assert text.year_month("2017-12") == (2017, 12)
    assert text.year_month("2020-12-10") == (2020, 12)
    for bad in ("2021-H1", "2020-Q4", "2018", "2018-13"):
        with pytest.raises(ValueError, match="YYYY-MM"):
            text.year_month(bad)


def test_glue_text_glues_a_word() -> None:
    assert text.glue_text("w", "八") == "八"


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
# The built chapters
# ----------------------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def pages(html_dir: Path) -> dict[str, BeautifulSoup]:
    names = {page for page, _, _ in FIGURES.values()}
    return {name: BeautifulSoup((html_dir / "book" / f"{name}.html").read_text(encoding="utf-8"), "html.parser")
            for name in names}


@pytest.mark.parametrize("figure_id", FIGURES)
def test_figure_is_built_with_number_caption_source_alt_and_csv(html_dir: Path, pages, figure_id: str) -> None:
    page_name, csv_name, caption_words = FIGURES[figure_id]
    page = pages[page_name]
    figure = page.find("figure", id=figure_id)
    assert figure is not None, f"{figure_id} missing from {page_name}.html"
    img = figure.find("img")
    assert img is not None and img["src"].endswith(".svg"), f"{figure_id}: no SVG image"
    assert (html_dir / "book" / img["src"]).resolve().stat().st_size > 1000
    assert len(img.get("alt", "")) >= 30, f"{figure_id}: alt text missing or too short: {img.get('alt')!r}"
    caption = figure.find("figcaption")
    number = caption.find(class_="caption-number").get_text(strip=True)
    assert re.fullmatch(r"图 \d+", number), number
    caption_text = caption.get_text(" ", strip=True)
    assert "数据来源：" in caption_text, f"{figure_id}: no source note"
    for word in caption_words:
        assert word in caption_text, f"{figure_id}: caption does not name {word!r}"
    csv_links = [a["href"] for a in figure.find_all("a", href=True) if a["href"].endswith("/" + csv_name)]
    assert csv_links, f"{figure_id}: no download link to {csv_name}"
    assert (html_dir / "book" / csv_links[0]).resolve().read_bytes() == (DATA / csv_name).read_bytes()
    # Referenced from the text, outside the figure, by the same number.
    refs = [a for a in page.find_all("a", href=f"#{figure_id}") if figure not in a.parents]
    assert refs and all(a.get_text(strip=True) == number for a in refs), f"{figure_id}: no {{numref}} to it"


def test_figure_numbers_run_on_through_the_chapters(pages) -> None:
    order = [FIGURES[f][0] for f in FIGURES]
    assert order == sorted(order)  # FIGURES lists them in reading order
    numbers = [int(pages[FIGURES[f][0]].find("figure", id=f).find(class_="caption-number").get_text()[2:])
               for f in FIGURES]
    assert numbers == list(range(numbers[0], numbers[0] + len(numbers)))


# ---- glued numbers ---------------------------------------------------------------------------------------------
def rows(name: str) -> list[dict[str, str]]:
    with open(DATA / f"{name}.csv", encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def value(name: str, column: str = "value_article", **match: str) -> float:
    (row,) = [r for r in rows(name) if all(r[k] == v for k, v in match.items())]
    return float(row[column])


def g(x: float) -> str:
    return f"{x:g}"


def expected_phrases() -> dict[str, list[str]]:
    """Phrases of each chapter as the data says they read (article values), computed from the CSVs."""
    kf = lambda fid: value("key_figures", figure_id=fid)  # noqa: E731
    year = lambda code: value("milestones", "year", event_code=code)  # noqa: E731
    park = lambda p, m: value("tech_parks", park_code=p, measure_code=m)  # noqa: E731
    talent = lambda s, m: value("talent_schemes", scheme_code=s, measure_code=m)  # noqa: E731
    listing = lambda c, m: value("hkex_healthcare_listings_2020", category_code=c, measure_code=m)  # noqa: E731
    share = lambda code: value("itf_projects_by_industry", "share_article", industry_code=code)  # noqa: E731
    stated = lambda code: int(rows("article_lists")[[r["list_code"] for r in rows("article_lists")].index(code)]["stated_count"])  # noqa: E731,E501
    fintech = [r for r in rows("fintech_startups") if r["startups_article"]]
    blueprints = {r["blueprint_code"]: r for r in rows("smart_city_blueprints")}
    area = lambda code: value("cooperation_areas", "area_km2_article", area_code=code)  # noqa: E731
    y17, m17 = text.year_month(blueprints["blueprint_2017"]["released_article"])
    y20, m20 = text.year_month(blueprints["blueprint_2020"]["released_article"])
    return {
        "03-government-measures": [
            f"于{g(year('innovation_blueprint'))}年公布科创发展蓝图",
            f"数码港及{g(kf('rd_centres_count'))}所研发中心",
            f"在{g(year('eight_directions'))}年起确立{text.zh_numeral(stated('eight_directions'))}大方向",
            f"投放超过{g(kf('innovation_spending_5y'))}亿港元",
            f"共有{g(kf('itf_schemes'))}项资助计划",
            f"约{text.in_wan(kf('itf_projects_approved')):.1f}万个",
            f"累计核准资助资金{g(kf('itf_funding_approved'))}亿港元",
            f"资讯科技（占总累计核准项目{g(share('information_technology'))}%）"
            f"，电气及电子（{g(share('electrical_electronics'))}%）、基础工业（{g(share('foundation_industries'))}%）"
            f"、生物科技（{g(share('biotechnology'))}%）",
            f"每年向{g(kf('tsssu_universities'))}所本地大学",
            f"约{g(kf('tsssu_grant_per_university'))}万港元",
            f"于{g(year('itvf_established'))}年成立{g(kf('itvf_size'))}亿港元创科创投基金",
            f"约有{text.in_wan(park('science_park', 'rd_staff')):.1f}万名研发人员",
            f"培育了{g(park('science_park', 'unicorns'))}家独角兽企业，过去三年募集了"
            f"{g(park('science_park', 'funds_raised'))}亿港元",
            f"建设了{text.zh_numeral(kf('innohk_platforms_science_park'), counting=True)}个“InnoHK",
            f"云集超过{g(park('cyberport', 'companies'))}家初创企业",
            f"已培育出{g(park('cyberport', 'unicorns'))}家独角兽企业",
            f"于{g(year('data_technology_hub'))}年第四季度",
            f"共超过{g(text.in_wan(kf('new_floor_space')))}万平方米",
            f"。{len(rows('rd_centres'))}所研发中心分别是",
            "{}年{}月推出科技人才入境计划".format(*text.year_month(
                [r for r in rows("milestones") if r["event_code"] == "techtas"][0]["date_article"])),
            f"{g(year('global_stem_professorship'))}年上半年推出",
            f"{g(year('gba_youth_employment'))}年推出大湾区青年就业计划，设约"
            f"{g(talent('gba_youth_employment', 'posts'))}个创科职位名额",
            f"已资助超过{g(talent('researcher_programme', 'posts_funded'))}个研发职位",
            f"已为{g(talent('rttp', 'firms_trained'))}多家企业的逾{g(talent('rttp', 'employees_trained'))}个雇员",
        ],
        "04-key-industries": [
            f"自{g(year('four_areas'))}年起确立科技创新{text.zh_numeral(stated('four_areas'))}大发展范畴",
            f"，{g(year('chip_centre'))}年香港科技大学牵头",
            f"提供{g(kf('chip_centre_seed_funding'))}亿港元起始拨款；{g(year('hk_ai_data_lab'))}年，阿里巴巴",
            f"每年发表约{g(kf('biomedical_papers_per_year'))}篇",
            f"{g(year('hkex_new_listing_regime'))}年，香港交易所推出新上市制度",
            f"共有{g(listing('healthcare_all', 'listings'))}家医疗健康企业在香港上市，融资共"
            f"{g(listing('healthcare_all', 'funds_raised'))}亿港元，其中包括{g(listing('chapter_18a', 'listings'))}"
            f"家通过新上市制度上市的医疗健康公司，共融资{g(listing('chapter_18a', 'funds_raised'))}亿港元",
            f"政府于{y17}年{m17}月公布《香港智慧城市蓝图》",
            f"勾划未来{blueprints['blueprint_2017']['horizon_years_article']}年的发展计划。{y20}年{m20}月，政府公布",
            f"提出超过{blueprints['blueprint_2020']['initiatives_article']}项智慧城市措施",
            f"由{fintech[0]['year']}年的{fintech[0]['startups_article']}家增至"
            f"{fintech[-1]['year']}年的{fintech[-1]['startups_article']}家",
            f"全球排名第{text.zh_numeral(kf('fintech_ecosystem_rank_2020'))}位",
            f"首批共{g(kf('virtual_banks'))}家虚拟银行",
            f"已授权{g(kf('virtual_insurers'))}家虚拟保险公司",
        ],
        "05-cooperation": [
            f"{g(year('hetao_one_zone_two_parks'))}年，深港签署",
            f"材料科学{text.zh_numeral(stated('hetao_directions'))}大方向",
            f"累计超过{g(kf('hetao_projects'))}个",
            f"创新载体{g(kf('qianhai_innovation_carriers'))}余家",
            f"医学院已于{g(year('cuhk_sz_medicine'))}年正式成立",
            f"成立了{g(kf('szhk_working_groups'))}个工作专班",
            f"累计推出超{g(kf('qianhai_institutional_innovations'))}项",
        ],
        "06-recommendations": [
            f"统筹会展东及周边{g(area('szhk_advanced_manufacturing_zone'))}平方公里片区",
            f"（其中{g(area('szhk_advanced_manufacturing_zone_in_qianhai'))}平方公里位于前海新扩区范围）",
        ],
    }


def test_expected_phrases_are_the_articles_words() -> None:
    # With today's data, the phrases are the article's own (the data holds the article's values).
    phrases = expected_phrases()
    assert "约3.4万个" in phrases["03-government-measures"]
    assert "由2016年的138家增至2020年的468家" in phrases["04-key-industries"]
    assert "全球排名第八位" in phrases["04-key-industries"]
    assert "建设了两个“InnoHK" in phrases["03-government-measures"]


@pytest.mark.parametrize("page_name", ["03-government-measures", "04-key-industries", "05-cooperation",
                                       "06-recommendations"])
def test_numbers_in_the_prose_are_glued_from_the_data(html_dir: Path, page_name: str) -> None:
    html = BeautifulSoup((html_dir / "book" / f"{page_name}.html").read_text(encoding="utf-8"), "html.parser")
    article = html.find("article", class_="bd-article") or html.find("main")
    rendered = squeeze(article.get_text())
    source = squeeze((BOOK / f"{page_name}.md").read_text(encoding="utf-8"))
    for phrase in expected_phrases()[page_name]:
        assert phrase in rendered, f"{page_name}: {phrase!r} not in the built page"
        assert phrase not in source, f"{page_name}.md types {phrase!r} instead of gluing it from the data"
