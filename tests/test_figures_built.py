"""Figures, tables and glued numbers of the published chapters, computed here straight from the CSVs (not with
the chapters' code): each figure is on its page with its number, caption, source note, alt text, vector image,
CSV link and a {numref} reference; Tables 1-2 match the data cell by cell; each number the prose takes from data/
reads as the data's value and is not typed into the chapter's source. (How an edit reaches them: test_edited_build.)
"""
from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from conftest import BOOK, DATA, Page, chapter_figures, declared_figures, figure_resources, squeeze

from szhk import figures, text

CHAPTERS = ("00-introduction", "01-background", "02-hk-innovation")
TABLES = {"tbl-rankings": "表 1", "tbl-qs-2022": "表 2"}
# The figures of the chapters, as their MyST places them ({glue:figure}): figure id -> page.
CHAPTER_FIGURES = chapter_figures()
# Chapter 02's rank and survey figures, each citing its source in the caption.
RANKING_FIGURES = {fid: page for fid, page in CHAPTER_FIGURES.items() if page == "02-hk-innovation"}
# Words a figure's caption must name besides its datasets (figure id -> words).
CAPTION_NAMES = {
    "fig-milestones": ("policy_documents",),
    "fig-rd-share": ("编者补充",),
}
# The publisher of a figure's source: named once, in the chart's note inside the image (its source line, the words
# of house-words.yml), never again in the caption, which gives the dataset, its references and the download
# (figure id -> the words key of its source line, the publisher's name).
SOURCE_ONCE = {
    "fig-gii-ranks": ("gii_source", "世界知识产权组织"),
    "fig-imd-ranks": ("imd_source", "瑞士洛桑国际管理发展学院"),
    "fig-hk-startups": ("startups_source", "香港投资推广署"),
}


def csv_names(figure_id: str) -> list[str]:
    """The CSV files a figure's caption must link: those of the resources its value axis reads (none for a
    timeline, whose caption must still link a CSV)."""
    return sorted(f"{name}.csv" for name in figure_resources(figure_id))


def test_the_figure_sets_are_the_declared_figures() -> None:
    """Every figure a chapter places is declared in datapackage.json (its unit), and every word list above names
    a figure that is placed (a removed figure cannot leave a stale expectation behind)."""
    declared = declared_figures()
    assert CHAPTER_FIGURES and RANKING_FIGURES
    assert set(CHAPTER_FIGURES) <= set(declared), set(CHAPTER_FIGURES) - set(declared)
    assert set(CAPTION_NAMES) <= set(CHAPTER_FIGURES), set(CAPTION_NAMES) - set(CHAPTER_FIGURES)
    assert set(SOURCE_ONCE) <= set(CHAPTER_FIGURES), set(SOURCE_ONCE) - set(CHAPTER_FIGURES)


def read_data(name: str) -> list[dict[str, str]]:
    with open(DATA / f"{name}.csv", encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def article_rows(name: str) -> list[dict[str, str]]:
    """The rows of the article's period (in_article true): Tables 1 and 2 show only these."""
    return [r for r in read_data(name) if r["in_article"] == "true"]


@pytest.fixture(scope="module")
def built(html_dir: Path) -> dict[str, Page]:
    return {name: Page.read(html_dir / "book" / f"{name}.html") for name in CHAPTERS}


@pytest.mark.parametrize("figure_id", RANKING_FIGURES)
def test_ranking_figure_is_built_with_caption_source_alt_and_downloads(html_dir: Path, built: dict[str, Page],
                                                                       figure_id: str) -> None:
    page_name = RANKING_FIGURES[figure_id]
    named = [*(figure_resources(figure_id)), *CAPTION_NAMES.get(figure_id, ())]
    page = built[page_name]
    assert figure_id in page.figures, f"{page_name}.html has no figure #{figure_id}"
    element = page.figures[figure_id]
    figure = {"caption": element.find("figcaption").get_text(), "img": element.find("img"),
              "links": [a["href"] for a in element.find_all("a", href=True)]}
    caption = squeeze(figure["caption"])
    assert re.match(r"^图\d+", caption), f"#{figure_id} is not numbered: {caption[:30]}"
    assert "数据来源：" in caption and all(squeeze(word) in caption for word in named), caption
    assert re.search(r"\[\d+(?:[-,]\d+)*\]", caption), f"#{figure_id}: the caption cites no reference"
    if figure_id in SOURCE_ONCE:  # the publisher in the chart's source line, not again in the caption
        key, publisher = SOURCE_ONCE[figure_id]
        assert publisher in figures.words(key, first_year=0, last_year=0), f"{key} does not name {publisher}"
        assert publisher not in caption, f"#{figure_id}: the caption repeats the chart's source ({publisher})"
    alt = figure["img"]["alt"]
    assert len(alt) >= 20 and alt.split("：")[0] in ("折线图", "柱状图", "热图"), f"#{figure_id}: alt text {alt!r}"
    svg = [link for link in figure["links"] if link.endswith(".svg")]
    assert svg == [figure["img"]["src"]], f"#{figure_id}: the SVG link should be the figure's own image"
    image = (html_dir / "book" / svg[0]).resolve()
    assert image.read_bytes().lstrip().startswith(b"<?xml") and b"<svg" in image.read_bytes()[:2000]
    for csv_name in csv_names(figure_id):
        assert any(link.endswith(f"/{csv_name}") for link in figure["links"]), f"#{figure_id}: no link to {csv_name}"
    assert f"#{figure_id}" in page.links, f"no {{numref}} reference to #{figure_id} in {page_name}"


def test_no_page_or_build_log_mentions_a_missing_glyph(html_dir: Path) -> None:
    logs = [p for p in (html_dir.parent / ".work" / "logs").glob("*.log")] + list((html_dir / "reports").glob("*"))
    pages = list(html_dir.rglob("*.html"))
    assert pages
    bad = [p for p in pages + logs if p.is_file() and "missing from font" in p.read_text(encoding="utf-8", errors="replace")]
    assert not bad, f"'missing from font' in {bad}"


def _cells(table) -> list[list[str]]:
    """Each cell's text without its superscript note number (the notes are checked apart)."""
    def value(cell) -> str:
        return squeeze("".join(t for t in cell.find_all(string=True) if t.find_parent("sup") is None))
    return [[value(cell) for cell in row.find_all(["th", "td"])] for row in table.find_all("tr")]


def test_table_1_matches_the_data_cell_by_cell(built: dict[str, Page]) -> None:
    table = built["02-hk-innovation"].tables["tbl-rankings"]
    assert squeeze(table.find("caption").get_text()).startswith("表1全球创新指数和世界数字竞争力排名")
    gii, imd = article_rows("gii_ranks"), article_rows("imd_digital_ranks")
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
    caption = squeeze(table.find("caption").get_text())
    assert caption.startswith("表2香港五所大学及部分学科世界排名（2022）[2]"), caption  # the author's note [2]
    qs = article_rows("qs_university_ranks")
    universities = list(dict.fromkeys(r["university_zh"] for r in qs))
    rankings = list(dict.fromkeys(r["ranking_zh"] for r in qs))
    rank = {(r["university_zh"], r["ranking_zh"]): r["rank_article"] or "－" for r in qs}
    expected = [["大学", *rankings]] + [[u, *[rank[u, k] for k in rankings]] for u in universities]
    assert _cells(table) == expected
    assert expected[0][1] == "大学总排名" and expected[4] == ["香港城市大学", "54", "131", "92", "－", "201", "69"]


@pytest.mark.parametrize("table_id", TABLES)
def test_tables_are_numbered_with_source_and_csv(html_dir: Path, table_id: str) -> None:
    table = Page.read(html_dir / "book" / "02-hk-innovation.html").tables[table_id]
    assert table.find("caption").find(class_="caption-number").get_text(strip=True) == TABLES[table_id]
    note = next(p for p in table.find_all_next("p") if table not in p.parents).get_text()
    assert "数据来源：" in note and re.search(r"\[\d+", note) and ".csv" in note, note


def test_glued_numbers_are_the_articles_values_from_the_data(built: dict[str, Page]) -> None:
    key = {r["figure_id"]: float(r["value_article"]) for r in read_data("key_figures")}
    startups = next(r for r in read_data("hk_startups") if r["startups_article"])
    cluster = next(r for r in article_rows("gii_cluster_ranks"))
    zh = {2: "二", 5: "五"}
    expected = {
        "00-introduction": [f"香港回归祖国{key['hk_return_years']:.0f}年来"],
        "01-background": [f"占地{key['northern_metropolis_area']:.0f}平方公里"],
        "02-hk-innovation": [
            f"近{key['gii_top15_years']:.0f}年均排在全球经济体前15名",  # the author's number, never a row count
            f"世界第{zh[int(cluster['rank_article'])]}大科技集群",
            f"香港拥有{zh[int(key['hk_universities_top100'])]}所在",
            f"{startups['survey_year']}年数据显示，香港初创企业达{startups['qualifier']}{startups['startups_article']}家",
            f"比2015年增长{key['hk_startups_growth_2015_2021']:.1f}倍",
        ],
    }
    for name, phrases in expected.items():
        visible = squeeze(built[name].text())
        missing = [p for p in phrases if p not in visible]
        assert not missing, f"{name}: not in the page: {missing}"


# ----------------------------------------------------------------------------------------------------------------
# The built chapters
# ----------------------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def pages(html_dir: Path) -> dict[str, BeautifulSoup]:
    names = set(CHAPTER_FIGURES.values())
    return {name: Page.read(html_dir / "book" / f"{name}.html").soup for name in names}


@pytest.mark.parametrize("figure_id", CHAPTER_FIGURES)
def test_figure_is_built_with_number_caption_source_alt_and_csv(html_dir: Path, pages, figure_id: str) -> None:
    page_name = CHAPTER_FIGURES[figure_id]
    caption_words = CAPTION_NAMES.get(figure_id, ())
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
    csv_links = [a["href"] for a in figure.find_all("a", href=True) if a["href"].endswith(".csv")]
    assert csv_links, f"{figure_id}: no download link to a CSV"
    for csv_name in csv_names(figure_id):
        assert any(link.endswith("/" + csv_name) for link in csv_links), f"{figure_id}: no download link to {csv_name}"
    for link in csv_links:  # each the file in data/
        assert (html_dir / "book" / link).resolve().read_bytes() == (DATA / link.rsplit("/", 1)[-1]).read_bytes()
    # Referenced from the text, outside the figure, by the same number.
    refs = [a for a in page.find_all("a", href=f"#{figure_id}") if figure not in a.parents]
    assert refs and all(a.get_text(strip=True) == number for a in refs), f"{figure_id}: no {{numref}} to it"


def test_figure_numbers_run_on_through_the_chapters(html_dir: Path) -> None:
    """Every figure of the chapters, in reading order (each list holds its page's figures in order): 图 1, 2, 3 …"""
    figures = list(CHAPTER_FIGURES.items())  # pages in reading order, each page's figures in its order
    numbers = [int(Page.read(html_dir / "book" / f"{page}.html").figures[fid].find(class_="caption-number")
                   .get_text()[2:]) for fid, page in figures]
    assert numbers == list(range(1, len(numbers) + 1)), dict(zip((f for f, _ in figures), numbers))


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
    rendered = squeeze(Page.read(html_dir / "book" / f"{page_name}.html").article_text())
    source = squeeze((BOOK / f"{page_name}.md").read_text(encoding="utf-8"))
    for phrase in expected_phrases()[page_name]:
        assert phrase in rendered, f"{page_name}: {phrase!r} not in the built page"
        assert phrase not in source, f"{page_name}.md types {phrase!r} instead of gluing it from the data"


# ---- Colour words and the timeline on phones ---------------------------------------------------------------------
def test_alt_texts_and_captions_name_colours_in_the_house_styles_words(html_dir: Path) -> None:
    """The words come from szhk.figures.colour_words() (filled in at build time); none is left as a placeholder."""
    from szhk import figures

    pages = {p.name: Page.read(p) for p in (html_dir / "book").glob("*.html")}
    leftovers = [f"{name}: {img.get('alt', '')[:40]}" for name, page in pages.items()
                 for img in page.soup.select("figure img") if "{colour-" in img.get("alt", "")]
    assert not leftovers, f"colour placeholders left in alt texts: {leftovers}"
    hk, mainland = figures.colour_word("中国香港"), figures.colour_word("中国")
    gii = pages["02-hk-innovation.html"].figures["fig-gii-ranks"]
    assert f"中国香港（{hk}）" in gii.find("img")["alt"] and f"中国内地（{mainland}）" in gii.find("img")["alt"]


def test_chapter_6_compares_the_areas_in_an_editors_sentence_not_a_chart(html_dir: Path) -> None:
    """The cut bar chart of areas (a sentence says it better): no figure in 六, and the editor's sentence there, marked
    as the editor's, gives the proposed zone's area and its fractions of the expanded Qianhai and of the Northern
    Metropolis, computed here from data/cooperation_areas.csv (published value, else the article's)."""
    page = Page.read(html_dir / "book" / "06-recommendations.html")
    assert not page.soup.select("figure"), "chapter 6 still has a figure"
    km2 = {r["area_code"]: float(r["area_km2_published"] or r["area_km2_article"]) for r in read_data("cooperation_areas")}
    zone = km2["szhk_advanced_manufacturing_zone"]
    body = squeeze(page.soup.get_text())
    sentence = next((p for p in (squeeze(p.get_text()) for p in page.soup.find_all("p")) if "1/" in p and "平方公里" in p), "")
    assert sentence.startswith("【编者注】"), f"the areas sentence is not marked as the editor's: {sentence[:60]!r}"
    for part in (f"{zone:g}平方公里", f"1/{km2['qianhai_zone_after_2021'] / zone:.0f}",
                 f"1/{km2['northern_metropolis'] / zone:.0f}", "cooperation_areas.csv"):
        assert part in sentence, f"{part!r} not in the editor's sentence on areas: {sentence!r}"
    assert "fig-cooperation-areas" not in body


def test_the_timeline_is_also_a_list_for_phones(html_dir: Path) -> None:
    """Beside the timeline drawing (hidden on phones by szhk.css), a list with one item per year of the drawing's
    events: the milestones and the dated policy documents."""
    page = Page.read(html_dir / "book" / "01-background.html")
    figure = page.figures["fig-milestones"]
    assert "szhk-list-on-phone" in figure.get("class", [])
    lists = page.soup.select(".szhk-phone-list ul")
    assert len(lists) == 1, "no list of the timeline's events for phones"
    assert figure in lists[0].find_all_next("figure"), "on a phone the caption comes after the list it explains"
    years = {r["date_article"][:4] for r in read_data("milestones")} | {
        r["date_published"][:4] for r in read_data("policy_documents") if r["date_published"]}
    items = [squeeze(li.get_text()) for li in lists[0].find_all("li", recursive=False)]
    assert [item[:4] for item in items] == sorted(years), items
    events = {squeeze(r["event_zh"]) for r in read_data("milestones")}
    assert all(any(event in item for item in items) for event in events)
