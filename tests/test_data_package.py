"""The data package: the real data is valid and current, and every kind of bad input gives one clear error.

Bad-input tests work on a temporary copy of data/ (SZHK_DATA_DIR), never on the real files.
"""
from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pandas as pd
import pytest
from conftest import BOOK, DATA, Page, read_csv

import szhk_sphinx.reexecution as reexecution
from szhk import appendix, data, deps
from szhk.data import DataValidationError

REAL_DATA = DATA


def edit_line(path: Path, line_number: int, old: str, new: str) -> None:
    """Replace `old` by `new` in one line (1-based, header = 1) of a UTF-8 CSV."""
    lines = path.read_text(encoding="utf-8").splitlines()
    assert old in lines[line_number - 1], f"{old!r} not in line {line_number} of {path.name}"
    lines[line_number - 1] = lines[line_number - 1].replace(old, new, 1)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def load_error(name: str) -> DataValidationError:
    with pytest.raises(DataValidationError) as caught:
        data.load(name)
    return caught.value


def assert_names(error: DataValidationError, file: str, row: int | str, column: str, *rule_words: str) -> None:
    message = str(error)
    assert file in message and error.file.name == file
    assert error.row == row, message
    assert column in error.column.split("、"), message
    assert str(row) in message
    assert column == "—" or f"列 {column}" in message or column in message
    for word in rule_words:
        assert word in error.rule, f"{word!r} not in rule of: {message}"
    assert "\n" not in message  # one message, one line


# ----------------------------------------------------------------------------------------------------------------
# The committed package
# ----------------------------------------------------------------------------------------------------------------
def test_committed_package_is_valid_and_complete() -> None:
    problems = data.validate_all()
    assert problems == [], "\n".join(map(str, problems))


def test_every_resource_has_the_metadata_the_appendix_shows() -> None:
    descriptor = data.package()
    for resource in descriptor["resources"]:
        name = resource["name"]
        for key in ("title", "description", "article_sentences", "licence_note"):
            assert resource.get(key), f"{name} has no {key}"
        # computed when needed, never stored: checksums (issue 12), the pages that read it (issue 20)
        for derived in ("hash", "bytes", "sources", "used_in"):
            assert derived not in resource, f"{name}: datapackage.json stores the derived field {derived}"
        assert data.sources_of(resource)[0]["id"] == "article"
        for field in resource["schema"]["fields"]:
            assert field.get("description"), f"{name}.{field['name']} has no description"


def test_the_pages_that_read_a_resource_are_derived_from_the_front_matter(appendix_words: appendix.Words) -> None:
    """The data appendix (`data: all`) is told, in its guard cell, which pages declare each resource, and lists
    exactly those under 使用章节; datapackage.json does not repeat it."""
    readers = reexecution.readers(BOOK)
    names = set(data.resource_names())
    assert set(readers) <= names, f"pages declare resources the package lacks: {set(readers) - names}"
    assert readers["gii_ranks"] and "02-hk-innovation" in readers["gii_ranks"]
    page = (BOOK / "data-appendix.md").read_text(encoding="utf-8")
    cell = reexecution.guard_cell("book/data-appendix.md", page, BOOK.parent)
    deps.reset()
    exec("\n".join(cell[2:-1]), {})  # the guard cell's code, as the appendix's kernel runs it
    try:
        assert deps.readers() == readers
        text = appendix.resources_markdown(BOOK, appendix_words)
    finally:
        deps.reset()
    sections = text.split("\n(data-")[1:] if not text.startswith("(data-") else text.split("(data-")[1:]
    assert len(sections) == len(names)
    for section in sections:
        name = section.split(")=", 1)[0]
        line = next(x for x in section.splitlines() if x.startswith("**使用章节**"))
        listed = re.findall(r"\{doc\}`([^`]+)`", line)
        assert listed == [p for p in readers.get(name, []) if p != "data-appendix"], (name, line)
        assert listed or "仅本附录" in line


def test_only_a_page_declaring_all_is_told_who_reads_what(appendix_words: appendix.Words) -> None:
    deps.reset()
    deps.expect("book/02-hk-innovation.md", ["gii_ranks"], {})
    try:
        with pytest.raises(deps.DependencyError, match="data: all"):
            appendix.resources_markdown(BOOK, appendix_words)
    finally:
        deps.reset()


def test_the_appendix_reads_the_names_of_the_codes_once_per_page(appendix_words: appendix.Words,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(data, "labels", lambda group: pytest.fail(f"labels({group!r}) read again for one table"))
    readers = reexecution.readers(BOOK)
    assert appendix.datasets_markdown(BOOK, ["数据集", "来源", "核对结果", "下载"], appendix_words)
    assert appendix.datasets_markdown(BOOK, ["数据集", "来源", "核对结果"], appendix_words, brief=True)
    assert appendix.resources_markdown(BOOK, appendix_words, readers)


def test_load_returns_typed_frames_with_missing_values_kept() -> None:
    gii = data.load("gii_ranks")
    assert str(gii["rank_article"].dtype) == "Int64"
    assert gii.attrs["title"].startswith("全球创新指数")
    hk = gii[(gii["economy_code"] == "HKG") & gii["in_article"]].set_index("year")["rank_article"]
    assert hk.to_dict() == {2017: 16, 2018: 14, 2019: 13, 2020: 11, 2021: 14}
    assert gii.loc[~gii["in_article"], "rank_article"].isna().all()  # later editions: no article rank
    qs = data.load("qs_university_ranks").query("in_article").set_index(["university_code", "ranking_code"])
    assert pd.isna(qs.loc[("CityU", "life_sciences_medicine"), "rank_article"])  # the article's "－"
    assert qs.loc[("CityU", "overall"), "rank_article"] == 54
    assert qs.loc[("CityU", "overall"), "rank_published"] == 53


def test_differing_published_values_are_kept_beside_the_article_values() -> None:
    """The article's values are fixed; a published value marked `differs` is kept beside it (whatever it is)."""
    imd = data.load("imd_digital_ranks").set_index(["year", "economy_code"])
    row = imd.loc[(2018, "CHN")]
    assert row["rank_article"] == 33 and row["verification"] == "differs"
    assert pd.notna(row["rank_published"]) and row["rank_published"] != row["rank_article"]
    hk_2021 = imd.loc[(2021, "HKG")]
    assert hk_2021["economies_ranked_article"] == 63
    assert pd.notna(hk_2021["economies_ranked"]) and hk_2021["economies_ranked"] != 63
    startups = data.load("hk_startups").set_index("survey_year")
    assert startups.loc[2021, "startups_article"] == 4000 and startups.loc[2021, "qualifier"] == "近"
    assert startups.loc[2021, "verification"] == "differs" and startups.loc[2021, "startups_published"] != 4000
    parks = data.load("tech_parks").set_index(["park_code", "measure_code"])
    science_park = parks.loc[("science_park", "rd_staff")]
    assert (science_park["value_article"], science_park["qualifier"]) == (17000, "约")
    assert science_park["verification"] == "differs" and pd.notna(science_park["value_published"])


def test_issue_figures_are_all_present() -> None:
    figures = data.load("key_figures").set_index("figure_id")
    expected = {
        "itf_schemes": (18, None), "itf_projects_approved": (34000, "约"), "itf_funding_approved": (295, None),
        "itvf_size": (20, None), "tsssu_universities": (6, None), "tsssu_grant_per_university": (800, "约"),
        "innovation_spending_5y": (1500, "超过"), "new_floor_space": (140000, "超过"),
        "biomedical_papers_per_year": (250, "约"), "virtual_banks": (8, None), "virtual_insurers": (4, None),
        "hetao_projects": (140, "超过"), "qianhai_innovation_carriers": (100, "余"),
        "qianhai_institutional_innovations": (680, "超"), "szhk_working_groups": (19, None),
        "fintech_ecosystem_rank_2020": (8, None),
    }
    for figure_id, (value, qualifier) in expected.items():
        assert figures.loc[figure_id, "value_article"] == value, figure_id
        got = figures.loc[figure_id, "qualifier"]
        assert (None if pd.isna(got) else got) == qualifier, figure_id
    listings = data.load("hkex_healthcare_listings_2020").set_index(["category_code", "measure_code"])
    assert listings["value_article"].to_dict() == {
        ("healthcare_all", "listings"): 23, ("healthcare_all", "funds_raised"): 980,
        ("chapter_18a", "listings"): 14, ("chapter_18a", "funds_raised"): 400,
    }
    areas = data.load("cooperation_areas").set_index("area_code")["area_km2_article"]
    assert (areas["northern_metropolis"], areas["szhk_advanced_manufacturing_zone"]) == (300, 14.2)
    assert areas["szhk_advanced_manufacturing_zone_in_qianhai"] == 6.4
    talent = data.load("talent_schemes").set_index(["scheme_code", "measure_code"])["value_article"]
    assert sorted(talent.tolist()) == [700, 1800, 3500, 3700]
    assert len(data.load("rd_centres")) == 5
    assert data.load("smart_city_blueprints").set_index("blueprint_code").loc["blueprint_2020", "initiatives_article"] == 130
    fintech = data.load("fintech_startups").set_index("year")["startups_article"]
    assert (fintech[2016], fintech[2020]) == (138, 468)
    shares = data.load("itf_projects_by_industry").set_index("industry_code")["share_article"]
    assert shares.round(1).to_dict() == {
        "information_technology": 21.8, "electrical_electronics": 21.2, "foundation_industries": 24.5,
        "biotechnology": 15.0,
    }


def test_loaded_resources_are_recorded_with_their_content_hash() -> None:
    data.load("rd_centres")
    record = data.loaded_resources()["rd_centres"]
    assert record.path == REAL_DATA / "rd_centres.csv"
    assert record.sha256 == hashlib.sha256((REAL_DATA / "rd_centres.csv").read_bytes()).hexdigest()


def test_frames_returned_are_copies_and_an_edit_is_picked_up(data_copy: Path) -> None:
    first = data.load("gii_ranks")
    first.loc[0, "rank_article"] = 99  # the caller's copy, not the cache
    assert data.load("gii_ranks").loc[0, "rank_article"] == 16
    edit_line(data_copy / "gii_ranks.csv", 2, ",16,16,", ",15,15,")
    assert data.load("gii_ranks").loc[0, "rank_article"] == 15


# ----------------------------------------------------------------------------------------------------------------
# Bad input: one clear error each, naming file, row, column and rule
# ----------------------------------------------------------------------------------------------------------------
def test_wrong_type_in_a_numeric_column(data_copy: Path) -> None:
    edit_line(data_copy / "gii_ranks.csv", 3, ",22,22,", ",二十二,22,")
    error = load_error("gii_ranks")
    assert_names(error, "gii_ranks.csv", 3, "rank_article", "integer")
    assert "二十二" in str(error)


def test_missing_column(data_copy: Path) -> None:
    path = data_copy / "gii_ranks.csv"
    lines = [line.rsplit(",", 1)[0] for line in path.read_text(encoding="utf-8").splitlines()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    error = load_error("gii_ranks")
    assert_names(error, "gii_ranks.csv", "第 1 行（表头）", "note", "各列必须依次为")
    assert "缺少列 note" in str(error)


def test_extra_column(data_copy: Path) -> None:
    path = data_copy / "rd_centres.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines = [lines[0] + ",comment"] + [line + ",x" for line in lines[1:]]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    error = load_error("rd_centres")
    assert_names(error, "rd_centres.csv", "第 1 行（表头）", "comment", "各列必须依次为")


def test_missing_file(data_copy: Path) -> None:
    (data_copy / "hk_startups.csv").unlink()
    error = load_error("hk_startups")
    assert error.file.name == "hk_startups.csv" and "文件不存在" in str(error)


def test_unknown_resource_name(data_copy: Path) -> None:
    error = load_error("gii_rank")
    assert error.file.name == "datapackage.json" and "'gii_rank'" in str(error) and "gii_ranks" in str(error)


def test_empty_file(data_copy: Path) -> None:
    (data_copy / "milestones.csv").write_bytes(b"")
    error = load_error("milestones")
    assert_names(error, "milestones.csv", "第 1 行（表头）", "—", "表头")
    assert "空" in str(error)


def test_header_only_file_breaks_the_row_count_rule(data_copy: Path) -> None:
    path = data_copy / "rd_centres.csv"
    path.write_text(path.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    error = load_error("rd_centres")
    assert_names(error, "rd_centres.csv", "全表", "—", "5")


def test_duplicate_key(data_copy: Path) -> None:
    edit_line(data_copy / "gii_ranks.csv", 4, "2018,HKG", "2017,HKG")
    error = load_error("gii_ranks")
    assert_names(error, "gii_ranks.csv", 4, "year", "主键")
    assert "economy_code" in error.column and "第 2 行" in str(error)


def test_out_of_range_value(data_copy: Path) -> None:
    edit_line(data_copy / "itf_projects_by_industry.csv", 2, ",21.8,21.8,", ",121.8,21.8,")
    error = load_error("itf_projects_by_industry")
    assert_names(error, "itf_projects_by_industry.csv", 2, "share_article", "maximum", "100")


def test_rank_above_the_number_ranked(data_copy: Path) -> None:
    edit_line(data_copy / "gii_ranks.csv", 11, "2021,CHN,中国,true,12,12,132", "2021,CHN,中国,true,133,133,132")
    error = load_error("gii_ranks")
    assert_names(error, "gii_ranks.csv", 11, "rank_article", "不得大于参评经济体数目", "rank_article <= economies_ranked")
    assert "economies_ranked" in error.column


def test_year_out_of_range(data_copy: Path) -> None:
    edit_line(data_copy / "milestones.csv", 2, "1998,1998", "1898,1898")
    error = load_error("milestones")
    assert_names(error, "milestones.csv", 2, "year", "minimum", "1990")


def test_shares_that_do_not_add_up(data_copy: Path) -> None:
    edit_line(data_copy / "itf_projects_by_industry.csv", 3, ",21.2,20.2,", ",61.2,20.2,")
    error = load_error("itf_projects_by_industry")
    # 21.8 + 61.2 = 83.0, + 24.5 = 107.5: the running total passes 100 on line 4
    assert_names(error, "itf_projects_by_industry.csv", 4, "share_article", "合计不得超过 100")
    assert "107.5" in str(error)


def test_unknown_source_is_a_foreign_key_error(data_copy: Path) -> None:
    edit_line(data_copy / "gii_ranks.csv", 2, "gii-2019,", "gii-2091,")
    error = load_error("gii_ranks")
    assert_names(error, "gii_ranks.csv", 2, "published_source", "sources.csv")


def test_differs_without_a_published_value(data_copy: Path) -> None:
    edit_line(data_copy / "imd_digital_ranks.csv", 5, ",33,30,differs,", ",33,,differs,")
    error = load_error("imd_digital_ranks")
    assert_names(error, "imd_digital_ranks.csv", 5, "rank_published", "differs")


def test_gbk_encoded_file(data_copy: Path) -> None:
    path = data_copy / "gii_ranks.csv"
    path.write_bytes(path.read_text(encoding="utf-8").encode("gbk"))
    error = load_error("gii_ranks")
    assert_names(error, "gii_ranks.csv", 2, "economy_zh", "UTF-8")
    assert "GBK" in str(error)


def test_utf8_with_bom_is_accepted(data_copy: Path) -> None:
    expected = data.load("gii_ranks")
    path = data_copy / "gii_ranks.csv"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    frame = data.load("gii_ranks")
    assert list(frame.columns) == list(expected.columns)
    pd.testing.assert_frame_equal(frame, expected)


def test_listed_resource_absent_is_reported_by_validate_all(data_copy: Path) -> None:
    (data_copy / "tech_parks.csv").unlink()
    problems = data.validate_all()
    assert len(problems) == 1
    assert problems[0].file.name == "tech_parks.csv" and "文件不存在" in str(problems[0])
    with pytest.raises(DataValidationError, match="tech_parks.csv"):
        data.require_valid_package()


def test_csv_not_listed_is_reported_by_validate_all(data_copy: Path) -> None:
    (data_copy / "gii_ranks_old.csv").write_text("year,rank\n2017,16\n", encoding="utf-8")
    problems = data.validate_all()
    assert len(problems) == 1
    assert problems[0].file.name == "gii_ranks_old.csv" and "没有列出" in str(problems[0])
    assert "datapackage.json" in problems[0].rule


def test_several_problems_give_one_message_with_a_count(data_copy: Path) -> None:
    edit_line(data_copy / "gii_ranks.csv", 2, ",16,16,", ",x,16,")
    edit_line(data_copy / "gii_ranks.csv", 3, ",22,22,", ",y,22,")
    error = load_error("gii_ranks")
    assert error.row == 2 and error.more >= 1 and f"另报告 {error.more} 处问题" in str(error)


# ----------------------------------------------------------------------------------------------------------------
# The data appendix in the built HTML (make test builds first)
# ----------------------------------------------------------------------------------------------------------------
def test_appendix_lists_every_dataset_with_a_working_download(html_dir: Path) -> None:
    """The appendix opens with every dataset (what, source, status, download) and one zip of all data; the
    field-by-field dictionary is its own page (数据字典)."""
    page = Page.read(html_dir / "book" / "data-appendix.html")
    fields_page = page  # the field-by-field dictionary folds away at the foot of the same page
    for each in (page,):
        assert "{download}" not in each.html and "{ref}" not in each.html and "{doc}" not in each.html
        assert "Traceback" not in each.html and "DataValidationError" not in each.html
    descriptor = json.loads((REAL_DATA / "datapackage.json").read_text(encoding="utf-8"))
    readers = reexecution.readers(BOOK)
    downloads = [a["href"] for a in page.soup.find_all("a", class_="download", href=True)]
    code = {c.get_text() for c in fields_page.soup.find_all("code")}
    zipped = page.soup.find("a", href=lambda h: bool(h) and h.endswith("szhk-data.zip"))
    assert zipped is not None, "one download of all the data"
    import zipfile
    with zipfile.ZipFile((page.path.parent / zipped["href"]).resolve()) as archive:
        names = set(archive.namelist())
    assert {"szhk-data/LICENSES.md", "szhk-data/LICENSE-CC-BY-4.0"} <= names, "the data's licence travels with it"
    for resource in descriptor["resources"]:
        assert f"szhk-data/{resource['path']}" in names, f"{resource['path']} is not in the zip"
        assert resource["title"] in page.text(), f"{resource['name']} is missing from the appendix"
        assert f"data-{resource['name'].replace('_', '-')}" in fields_page.ids  # the {ref} target of the overview
        links = [href for href in downloads if href.endswith("/" + resource["path"])]
        assert links, f"no download link for {resource['path']}"
        target = (page.path.parent / links[0]).resolve()
        assert target.read_bytes() == (REAL_DATA / resource["path"]).read_bytes(), f"{target} is not the CSV"
        for field in resource["schema"]["fields"]:
            assert field["name"] in code, f"field {resource['name']}.{field['name']} not described"
        # 使用章节: the pages whose front matter declares the resource (derived; datapackage.json has no used_in)
        anchor = fields_page.soup.find(id=f"data-{resource['name'].replace('_', '-')}")
        used = anchor.find_next(lambda tag: tag.name == "p" and tag.get_text().startswith("使用章节"))
        linked = [a["href"].removesuffix(".html") for a in used.find_all("a", href=True)]
        declared = [stem for stem in readers.get(resource["name"], []) if stem != "data-appendix"]
        assert linked == declared, f"{resource['name']}: 使用章节 links {linked}, the front matter says {declared}"
    assert "szhk-data/datapackage.json" in names
    assert "一致 / 一致（二手）" not in page.text(), "one tally (the register's), not a second one counted in rows"


def test_figures_recorded_in_two_tables_agree() -> None:
    figures = data.load("key_figures").set_index("figure_id")
    areas = data.load("cooperation_areas").set_index("area_code")
    assert figures.loc["northern_metropolis_area", "value_article"] == areas.loc["northern_metropolis", "area_km2_article"]
    # the 2021 start-ups and the cluster's rank live only in their series (one fact, one place)
    assert not {"hk_startups_2021", "gii_cluster_rank_2021"} & set(figures.index)
    centres = data.load("rd_centres")
    assert figures.loc["rd_centres_count", "value_article"] == len(centres)
    lists = data.load("article_lists")
    assert figures.loc["innohk_platforms_science_park", "value_article"] == (lists["list_code"] == "innohk_platforms").sum()


def _as_written(value: str, qualifier: str = "") -> str:
    return f"{qualifier} {value}" if qualifier else value


def test_appendix_markdown_states_every_differing_value_with_its_qualifiers(appendix_words: appendix.Words) -> None:
    text = appendix.resources_markdown(BOOK, appendix_words, reexecution.readers(BOOK))
    imd = {(r["year"], r["economy_code"]): r for r in read_csv(REAL_DATA / "imd_digital_ranks.csv")}
    startups = {r["survey_year"]: r for r in read_csv(REAL_DATA / "hk_startups.csv")}
    parks = {(r["park_code"], r["measure_code"]): r for r in read_csv(REAL_DATA / "tech_parks.csv")}
    park = parks[("science_park", "rd_staff")]
    # The article's values are fixed; the published ones are read from the data beside them.
    expected = [
        f"文章 33，已发表 {imd[('2018', 'CHN')]['rank_published']}",
        f"文章 63，已发表 {imd[('2021', 'HKG')]['economies_ranked']}",
        f"文章 近 4000，已发表 {startups['2021']['startups_published']}",
        f"文章 约 17000，已发表 {_as_written(park['value_published'], park['qualifier_published'])}",
    ]
    for phrase in expected:
        assert phrase in text, phrase
    differs = sum(
        int((data.load(r["name"])[c] == "differs").sum())
        for r in data.package()["resources"]
        for c in data.load(r["name"]).columns if c == "verification" or c.endswith("_verification")
    )
    assert text.count("- 不一致：") == differs
