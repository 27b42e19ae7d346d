"""Front matter (issue 15, item 1): the editor's key messages, the checking's findings, the edition line, how to
cite, on the web front page and at the front of the book PDF.

Unit tests call the generators (szhk.front in the kernel, szhk_sphinx.edition in Sphinx); the last tests read the
published build (`make build` first; SZHK_HTML_DIR / SZHK_PDF_DIR point them at another build).
"""
from __future__ import annotations

import datetime
import csv
import json
import os
import shutil
import re
import subprocess
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
from bs4 import BeautifulSoup

from szhk import claims, data, front
from szhk_sphinx import edition

ROOT = Path(__file__).resolve().parents[1]
HTML = Path(os.environ.get("SZHK_HTML_DIR", ROOT / "_build" / "html"))
PDF = Path(os.environ.get("SZHK_PDF_DIR", ROOT / "_build" / "pdf")) / "szhk-report.pdf"


@pytest.fixture(scope="module")
def results() -> list[claims.Result]:
    return claims.register()


def loader_with(resource: str, change: Callable[[pd.DataFrame], pd.DataFrame]) -> Callable[[str], pd.DataFrame]:
    """data.load, except that `resource` comes back changed by `change(frame)`."""
    def load(name: str) -> pd.DataFrame:
        frame = data.load(name)
        return change(frame.copy()) if name == resource else frame
    return load


# ---- Key messages and "since the article" (data/key_messages.csv) -----------------------------------------------
def plain(markdown_text: str) -> str:
    """As read: szhk.markdown escapes punctuation, numbers are bold."""
    return re.sub(r"\\([!-/:-@[-`{-~])", r"\1", markdown_text).replace("**", "")


def test_every_key_message_has_its_numbers_from_verified_rows_and_links():
    messages = front.key_messages()
    assert 3 <= len(messages) <= 5
    text = front.key_messages_markdown()
    assert "{" not in plain(text).replace("{ref}", ""), "every placeholder is filled from the data"
    for message in messages:
        assert f"<{message.paragraph}>" in text, message.message_id  # links to its paragraph
        if message.resource:
            assert f"](data-{message.resource})" in text, message.message_id  # and to its dataset
    assert "核验：" not in text and "未能核实" not in text, "the key messages carry no caveats: verified rows only"


def test_key_messages_come_only_from_the_data_file(tmp_path, monkeypatch):
    """The sentences are the rows of data/key_messages.csv: no message is written in Python, and editing the file
    (here a copy of data/) changes the page's messages."""
    sentences = [name for name, value in vars(front).items() if name.isupper()
                 and len(re.findall(r"[\u4e00-\u9fff]", repr(value))) >= 8]
    assert not sentences, f"editorial sentences written in szhk.front: {sentences}"
    copy = tmp_path / "data"
    shutil.copytree(ROOT / "data", copy)
    rows = list(csv.DictReader((copy / "key_messages.csv").open(encoding="utf-8")))
    fields = list(rows[0])
    rows = [r for r in rows if r["message_id"] != "digital"]
    rows[[r["section"] for r in rows].index(front.KEY)]["text_zh"] = "编者改写的一句：集群 {c.latest_year} 年第 {c.latest} 位。"
    with (copy / "key_messages.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)
    monkeypatch.setenv("SZHK_DATA_DIR", str(copy))
    text = plain(front.key_messages_markdown())
    assert "编者改写的一句：集群 " in text
    assert "数字竞争力居全球前列" not in text
    assert len(front.key_messages()) == sum(r["section"] == front.KEY for r in rows)


def message_line(message_id: str) -> int:
    """The line of a message in data/key_messages.csv (the header is line 1)."""
    rows = list(csv.DictReader((ROOT / "data" / "key_messages.csv").open(encoding="utf-8")))
    return [r["message_id"] for r in rows].index(message_id) + 2


def test_a_message_resting_on_an_unverified_row_fails_naming_file_row_and_column():
    latest_hk = loader_with("gii_ranks", lambda f: f.assign(verification=f["verification"].where(
        ~((f["year"] == f["year"].max()) & (f["economy_code"] == "HKG")), "unconfirmed")))
    with pytest.raises(data.DataValidationError) as caught:
        front.key_messages_markdown(load=latest_hk)
    message = str(caught.value)
    line = message_line("gii")
    assert "data/key_messages.csv" in message and f"第 {line} 行" in message and "列 rows" in message, message
    ranks = list(csv.DictReader((ROOT / "data" / "gii_ranks.csv").open(encoding="utf-8")))
    latest = max(int(r["year"]) for r in ranks)  # the row the message's latest value comes from (it moves each year)
    row = next(i + 2 for i, r in enumerate(ranks) if int(r["year"]) == latest and r["economy_code"] == "HKG")
    assert f"data/gii_ranks.csv 第 {row} 行" in message and "verification" in message and "unconfirmed" in message


def test_a_message_naming_a_row_that_does_not_exist_fails_naming_it():
    gone = loader_with("key_messages", lambda f: f.assign(rows=f["rows"].where(
        f["message_id"] != "gii", "hk=1999|HKG;cn=2021|CHN")))
    with pytest.raises(data.DataValidationError,
                       match=rf"key_messages\.csv，第 {message_line('gii')} 行，列 rows：.*1999\|HKG.*不存在"):
        front.key_messages_markdown(load=gone)
    unknown = loader_with("key_messages", lambda f: f.assign(resource=f["resource"].where(
        f["message_id"] != "gii", "no_such_data")))
    with pytest.raises(data.DataValidationError, match=r"列 resource：.*no_such_data"):
        front.key_messages_markdown(load=unknown)


def test_appending_an_edition_refreshes_the_messages_and_leaves_the_article_alone(tmp_path, monkeypatch):
    """A new GII edition in a copy of data/ (as a maintainer adds one): the messages and 文章发表以来 name it, the
    article's own figures (the claims register's article values) stay as they were."""
    before = plain(front.key_messages_markdown())
    latest = max(front.latest_years())
    assert f"{latest} 年" in before
    article_values = [r.article_value for r in claims.register()]
    copy = tmp_path / "data"
    shutil.copytree(ROOT / "data", copy)
    with (copy / "gii_ranks.csv").open("a", encoding="utf-8") as handle:
        handle.write(f"{latest + 1},HKG,中国香港,false,,9,139,match (secondary),gii-2025-hk01,,\n")
        handle.write(f"{latest + 1},CHN,中国,false,,8,139,match (secondary),gii-2025-hk01,,\n")
    monkeypatch.setenv("SZHK_DATA_DIR", str(copy))
    after = plain(front.key_messages_markdown())
    assert f"中国香港 2021 年第 14 名、{latest + 1} 年第 9 名" in after, after
    assert f"变为 {latest + 1} 年的第 9 名" in plain(front.since_markdown())
    assert max(front.latest_years()) == latest + 1
    assert [r.article_value for r in claims.register()] == article_values, "the article's figures are unchanged"


def test_the_since_section_gives_each_series_latest_value_year_and_source():
    text = front.since_markdown()
    assert len(front.key_messages(front.SINCE)) == text.count("\n- ") + 1
    for resource in ("gii_ranks", "gii_cluster_ranks", "imd_digital_ranks", "qs_university_ranks", "hk_startups",
                     "rd_share_of_gdp"):
        frame = data.load(resource)
        year = next(c for c in ("year", "survey_year", "edition") if c in frame.columns)
        assert f"{frame[year].max()} 年" in plain(text), resource
    assert text.count("{cite}`") >= 6, "each latest value names its source"


# ---- Findings ---------------------------------------------------------------------------------------------------
def test_findings_name_the_year_label_pattern_and_the_table_1_contradiction(results):
    sentences = front.findings(results)
    assert 3 <= len(sentences) <= 5
    text = re.sub(r"\\([!-/:-@[-`{-~])", r"\1", "\n".join(sentences))  # as read: szhk.markdown escapes punctuation
    counts = claims.status_counts(results)
    assert f"{len(results)} 处" in text and f"{counts[claims.DIFFERS]} 处不一致" in text
    assert "2017 年第 16 名" in text  # the article's own Table 1 against "近 5 年均排在前 15 名"
    assert "2022 年的发布为 3985 家" in text and "2.56 倍" in text  # 近 4000 家 / 2.6 倍 fit the 2022 survey
    assert "可能用了 2022 年发布的数据，却标作 2021 年" in text
    assert "用的是下一年发布中的同一个数字" in text and "只算 1 份证据" in text  # both rest on the 2022 survey
    # short for an official: the larger gaps lead, the off-by-one ones are only counted (the register lists them)
    assert text.index("相差较大") < text.index("细微差异") and "第 53 名" not in text


def test_findings_change_with_the_data(results):
    no_2022 = loader_with("hk_startups", lambda f: f[f["survey_year"] != 2022])
    # without the 2022 survey nothing fits the next year (IMD's 63 economies of 2022 were also 2017–2020's count)
    assert [s.result.claim.claim_id for s in front.year_shifts(results, no_2022)] == []
    assert "2022 年的发布为 3985 家" not in "\n".join(front.findings(results, no_2022))
    assert [r.claim.claim_id for r, _ in front.self_contradictions(results)] == ["gii-top15"]
    within = loader_with("gii_ranks", lambda f: f.assign(rank_article=f["rank_article"].clip(upper=15)))
    assert [r.claim.claim_id for r, _ in front.self_contradictions(results, within)] == []


def test_year_shift_needs_the_next_years_value_to_support_the_article(results):
    far = loader_with("hk_startups", lambda f: f.assign(
        startups_published=f["startups_published"].where(f["survey_year"] != 2022, 5000)))
    assert [s.result.claim.claim_id for s in front.year_shifts(results, far)] == []
    found = front.year_shifts(results)
    assert {s.result.claim.claim_id for s in found} == {"hk-startups-2021", "hk-startups-growth"}
    assert all(s.year == 2021 for s in found)
    assert {s.release for s in found} == {("hk_startups", "2022", "3985")}  # one survey, one piece of evidence


def test_a_value_other_years_also_give_is_no_year_shift(results):
    # IMD's "/63": 2022 had 63 economies, but so had 2017–2020; were those years 62, the 2022 match would count
    unique = loader_with("imd_digital_ranks", lambda f: f.assign(
        economies_ranked=f["economies_ranked"].where(~f["year"].between(2017, 2020), 62)))
    assert "t1-imd-economies-2021" in {s.result.claim.claim_id for s in front.year_shifts(results, unique)}
    assert "t1-imd-economies-2021" not in {s.result.claim.claim_id for s in front.year_shifts(results)}


# ---- Edition and citation (Sphinx side) -------------------------------------------------------------------------
def test_latest_date_is_the_newest_dated_value(tmp_path):
    (tmp_path / "datapackage.json").write_text(json.dumps({"resources": [
        {"name": "a", "path": "a.csv", "schema": {"fields": [{"name": "published_as_of"}, {"name": "year"}]}},
        {"name": "sources", "path": "s.csv", "schema": {"fields": [{"name": "date"}]}},
    ]}), encoding="utf-8")
    (tmp_path / "a.csv").write_text("published_as_of,year\n2021-06,2030\n2023-11-02,\n,\n", encoding="utf-8")
    (tmp_path / "s.csv").write_text("date\n2015/2022\n2023-11\n", encoding="utf-8")
    assert edition.latest_date(tmp_path) == "2023-11-02"  # `year` fields do not date a published value
    assert edition.zh_date("2023-11-02") == "2023 年 11 月 2 日" and edition.zh_date("2022") == "2022 年"


def test_the_data_are_as_recent_as_the_newest_source_a_row_cites(tmp_path):
    (tmp_path / "datapackage.json").write_text(json.dumps({"resources": [
        {"name": "a", "path": "a.csv", "schema": {"fields": [{"name": "published_as_of"}, {"name": "published_source"}]}},
    ]}), encoding="utf-8")
    (tmp_path / "a.csv").write_text("published_as_of,published_source\n2023-11-02,cited\n,\n", encoding="utf-8")
    bib = tmp_path / "refs.bib"
    bib.write_text("@online{cited, title={a}, date={2025-09-16}}\n@online{uncited, title={b}, date={2026-01-01}}\n",
                   encoding="utf-8")
    assert edition.latest_date(tmp_path, [bib]) == "2025-09-16"  # a later entry no row cites does not count
    real = edition.latest_date(ROOT / "data", [ROOT / "book" / "references.bib"])
    assert real >= "2025", f"the data hold 2025 editions, but the edition line would say {real}"


def test_an_event_is_as_recent_as_the_source_that_reports_it(tmp_path):
    """recommendation_events cites its sources by `source_id`: a report dated after the event dates the data."""
    (tmp_path / "datapackage.json").write_text(json.dumps({"resources": [
        {"name": "events", "path": "e.csv", "schema": {"fields": [{"name": "date"}, {"name": "source_id"}]}},
    ]}), encoding="utf-8")
    (tmp_path / "e.csv").write_text("date,source_id\n2026-01-28,report\n", encoding="utf-8")
    bib = tmp_path / "refs.bib"
    bib.write_text("@online{report, title={a}, date={2026-02-15}}\n", encoding="utf-8")
    assert edition.latest_date(tmp_path) == "2026-01-28"
    assert edition.latest_date(tmp_path, [bib]) == "2026-02-15"


def test_the_citation_follows_gbt7714_and_names_version_date_and_address():
    ed = edition.Edition("深港科技创新产业深化合作论析", "1.2", datetime.date(2026, 11, 28), "2024-01-31",
                         "https://example.org/szhk/", label="可执行版本", author="佚名")
    reference = edition.gbt7714(ed)
    # the article's title unaltered, the edition as the 版本项 after the type mark
    assert reference.startswith("佚名. 深港科技创新产业深化合作论析[EB/OL]. 可执行版本 1.2. (2026-11-28)")
    assert reference.endswith("https://example.org/szhk/.")
    assert "[2026-11-28]" in reference, "with an address, the citation gives the access date (引用日期)"
    bib = edition.bibtex(ed)
    assert "urldate = {2026-11-28}" in bib
    assert "@online{szhk-report," in bib and "version = {1.2}" in bib and "url = {https://example.org/szhk/}" in bib
    assert "title = {深港科技创新产业深化合作论析}," in bib
    unpublished = replace(ed, site_url="")
    assert "url" not in edition.bibtex(unpublished) and "[2026" not in edition.gbt7714(unpublished)
    assert edition.gbt7714(unpublished).endswith("(2026-11-28).")  # no address is invented


def test_the_edition_words_come_from_the_configuration_and_a_missing_one_is_named():
    from types import SimpleNamespace

    from sphinx.errors import ConfigError

    config = SimpleNamespace(szhk_edition_words={"site": "网址", "data_as_of_value": "{date}（最新）"})
    assert edition.words(config, "site") == "网址"
    assert edition.words(config, "data_as_of_value", date="2025 年") == "2025 年（最新）"
    with pytest.raises(ConfigError, match="szhk_edition_words lacks version"):
        edition.words(config, "version")
    with pytest.raises(ConfigError, match="data_as_of_value: placeholder 'date' is not one the build fills in"):
        edition.words(config, "data_as_of_value", when="2022 年")


def test_the_edition_date_is_the_commits_never_the_clock(monkeypatch):
    monkeypatch.delenv(edition.EPOCH_ENV, raising=False)
    with pytest.raises(Exception, match="SOURCE_DATE_EPOCH"):
        edition.commit_date()
    monkeypatch.setenv(edition.EPOCH_ENV, "1764288000")  # 2025-11-28 00:00 UTC
    assert edition.commit_date() == datetime.date(2025, 11, 28)


# ---- The built front page and PDF -------------------------------------------------------------------------------
def front_page() -> BeautifulSoup:
    page = HTML / "book" / "index.html"
    if not page.is_file():
        pytest.fail(f"{page} is missing: run `make build` first")
    return BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")


@pytest.mark.needs_build
def test_the_front_page_holds_key_messages_edition_line_and_citation():
    soup = front_page()
    main = soup.find("main") or soup
    text = main.get_text(" ", strip=True)
    headings = [h.get_text(strip=True).rstrip("#") for h in main.find_all(["h2"]) if h.get_text(strip=True) != "目录"]
    assert headings[:4] == ["核心观点（编者）", "文章发表以来（编者）", "本书的核验发现", "如何引用"], headings
    assert "如何引用" in headings and any(h.startswith("Summary in English") for h in headings)
    as_of = edition.zh_date(edition.latest_date(ROOT / "data", [ROOT / "book" / "references.bib"]))
    for label in ("原文写作时间", "数据截至", "版本", as_of, "据正文推断"):
        assert label in text, label
    assert "GB/T 7714-2015" in text and "[EB" in text
    assert len(main.select("ol li")) >= 3  # the key messages
    assert "如何由数据构建" not in text and "make build" not in text  # build instructions left the reader's path
    bib_link = main.select_one('a[href$="szhk-report.bib"]')
    assert bib_link is not None
    bib = (HTML / "book" / bib_link["href"]).resolve()
    assert bib.is_file() and "@online{szhk-report," in bib.read_text(encoding="utf-8")


def configured_address() -> str:
    import yaml

    return (yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8")).get("html") or {}).get("baseurl") or ""


@pytest.mark.needs_build
def test_the_front_page_gives_the_address_only_when_one_is_configured():
    text = front_page().get_text(" ", strip=True)
    if configured_address():
        assert "网址" in text and configured_address() in text
    else:  # no invented address, and no line telling readers about the build's configuration
        assert "网址" not in text and "未配置" not in text


@pytest.mark.needs_build
def test_the_book_pdf_opens_with_the_edition_line_key_messages_and_citation():
    if not PDF.is_file():
        pytest.fail(f"{PDF} is missing: run `make build` first")
    first = subprocess.run(["pdftotext", "-l", "1", str(PDF), "-"], capture_output=True, text=True, check=True).stdout
    for label in ("原文写作时间", "数据截至", "版本", *(["网址"] if configured_address() else [])):
        assert label in first, f"title page lacks {label}"
    assert "未配置" not in first
    pages = subprocess.run(["pdftotext", "-l", "5", str(PDF), "-"], capture_output=True, text=True, check=True).stdout
    for label in ("核心观点", "本书的核验发现", "如何引用", "GB/T 7714-2015", "@online{szhk-report,"):
        assert label in pages, f"the PDF's first 5 pages lack {label}"


def test_not_found_is_explained_as_searched_and_minor_gaps_come_last(results):
    text = "\n".join(front.findings(results))
    counts = claims.status_counts(results)
    assert f"{counts[claims.NOT_FOUND]} 处未找到来源" in text and "编者检索过" in text and "并不表示它有误" in text
    assert f"{counts[claims.BY_TEXT]} 处由文章本身即可确定" in text
    others = text.split("相差较大")[-1]
    # the larger gaps (科学园 研发人员 约 17000 vs 逾 11000) are named; the off-by-one ones only counted, last
    minor = [r for r in results if r.status == claims.DIFFERS and r.minor]
    assert others.index("逾 11000 人") < others.index(f"另有 {len(minor)} 处细微差异")
    assert "约 900 家" not in text  # 科学园 逾千家: the chairman's 超過1000 supports it


@pytest.mark.needs_build  # reads the published pages
def test_the_front_page_names_the_latest_edition_in_the_data():
    soup = front_page()
    main = soup.find("main") or soup
    heading = next(h for h in main.find_all("h2") if h.get_text(strip=True).startswith("核心观点"))
    messages = heading.find_parent("section").get_text(" ", strip=True)
    text = main.get_text(" ", strip=True)
    latest = max(front.latest_years())
    gii = data.load("gii_ranks")
    assert latest == gii["year"].max()
    assert f"{latest} 年" in messages, "the key messages name the latest edition"
    since = main.find(id="since-article")
    assert since is not None and f"{latest} 年" in since.get_text(" ", strip=True)
    assert "四个附录" in text and "两个附录" not in text


@pytest.mark.needs_build  # reads the published pages
def test_chapter_two_tells_the_clusters_latest_rank_beside_the_article():
    page = HTML / "book" / "02-hk-innovation.html"
    if not page.is_file():
        pytest.fail(f"{page} is missing: run `make build` first")
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    main = re.sub(r"\s+", "", soup.find("main").get_text(" ", strip=True))
    assert "【编者注】文章发表以来，深圳—香港—广州科技集群" in main, "the editor's note on the cluster's later ranks"
    note = main.split("【编者注】文章发表以来，深圳—香港—广州科技集群", 1)[1][:300]
    ranks = data.load("gii_cluster_ranks").dropna(subset=["rank_published"]).sort_values("year")
    latest = ranks.iloc[-1]
    said = re.sub(r"\s+", "", note)
    assert f"{latest['year']}年版居第{int(latest['rank_published'])}位" in said, said
    assert f"{ranks.loc[ranks['method_changed'], 'year'].min()}年版起" in said, "the method change is told"
    # beside the author's sentence: the note follows the paragraph that says 第二, before Table 1
    assert main.index("第二大科技集群") < main.index("【编者注】文章发表以来，深圳—香港—广州") < main.index("表1续")


def test_editing_a_message_reexecutes_only_the_pages_that_read_it():
    """The messages are data: a page's cache key holds the digests of the resources it declares, so editing
    data/key_messages.csv re-executes the pages that declare it (and those reading all data), not the chapters."""
    from szhk_sphinx import reexecution

    book = ROOT / "book"
    everything = {p.stem for p in book.glob("*.md") if reexecution.declared(p.read_text(encoding="utf-8"), str(p)) == "all"}
    readers = set(reexecution.readers(book).get("key_messages", [])) | everything
    # the front page, the two briefings and the English page (these read all data: their 截至 date is the package's)
    assert {"index", "briefing", "briefing-en", "en"} <= readers, readers
    chapters = {p.stem for p in book.glob("0*.md")}
    assert not readers & chapters, "no chapter of the article re-executes when a message changes"


# ---- How current "latest" is (P1) and a dip after the article (P3.7) --------------------------------------------
def test_the_pages_cut_off_is_the_edition_lines():
    """“截至” beside the latest values and the edition line's 数据截至 are one computation (szhk_names.data_cut_off)."""
    assert front.data_cut_off() == edition.latest_date(ROOT / "data", [ROOT / "book" / "references.bib"])
    text = plain(front.as_of_markdown())
    assert f"截至 {edition.zh_date(front.data_cut_off())}" in text


def test_the_series_behind_this_edition_are_computed_and_a_new_edition_leaves_the_list(tmp_path, monkeypatch):
    year = front.edition_year()
    behind = dict(front.series_behind(year=year))
    for resource, latest in behind.items():
        assert latest < year
    gii_latest = int(data.load("gii_ranks")["year"].max())
    assert ("gii_ranks" in behind) == (gii_latest < year)
    text = plain(front.as_of_markdown())
    assert ("全球创新指数（最新为" in text) == ("gii_ranks" in behind)
    assert dict(front.series_behind(year=gii_latest)).get("gii_ranks") is None, "a series at the year is not behind"
    copy = tmp_path / "data"
    shutil.copytree(ROOT / "data", copy)
    if gii_latest < year:  # (an edition already updated to the year has its rows)
        with (copy / "gii_ranks.csv").open("a", encoding="utf-8") as handle:
            for code, name in (("HKG", "中国香港"), ("CHN", "中国")):
                handle.write(f"{year},{code},{name},false,,12,139,match (secondary),gii-2025-hk01,,\n")
    later = f"{year + 1}-11-30"  # a dated development after any cut-off (a test row, never in data/)
    with (copy / "recommendation_events.csv").open("a", encoding="utf-8") as handle:
        handle.write(f"t_late,5,{later},测试事件。,Test.,false,gii-2025-hk01,,测试。,Test.\n")
    monkeypatch.setenv("SZHK_DATA_DIR", str(copy))
    assert "gii_ranks" not in dict(front.series_behind(year=year))
    assert front.data_cut_off() == later
    assert f"截至 {edition.zh_date(later)}" in plain(front.as_of_markdown())


def test_a_dip_after_the_article_is_said_only_when_the_data_show_one():
    frame = data.load("gii_ranks")
    hk = {int(r.year): int(r.rank_published) for r in frame[frame["economy_code"] == "HKG"].itertuples()
          if pd.notna(r.rank_published)}
    latest = max(hk)
    low_year, low = max(((y, r) for y, r in hk.items() if 2021 < y < latest), key=lambda item: (item[1], -item[0]))
    gii = next(m for m in front.key_messages() if m.message_id == "gii")
    text = front.message_values(gii)
    dipped = low > max(hk[2021], hk[latest])
    assert (f"（{low_year} 年曾降至第 {low} 名）" in text) == dipped, text
    assert text.count("降至") == int(dipped), "the mainland's rank did not dip: nothing said for it"
    flat = loader_with("gii_ranks", lambda f: f.assign(rank_published=f["rank_published"].where(
        ~((f["economy_code"] == "HKG") & (f["year"] > 2021) & (f["year"] < latest)), hk[2021])))
    assert "降至" not in front.message_values(gii, load=flat)
    assert "after falling to No." in front.message_values(gii, "en") or not dipped


# ---- The third cold review (brief6): how current "latest" is, Shenzhen's R&D measure, the recommendations' status --
def test_shenzhen_rd_says_its_measure_and_the_statistics_offices_latest_from_the_csv():
    """The R&D sentence names what the latest Shenzhen row's measure column says (6.67 % in 2024 rests on a source
    that states no measure) and gives the statistics office's latest value with its year, both read from the CSV."""
    rows = [r for r in csv.DictReader((ROOT / "data" / "rd_share_of_gdp.csv").open(encoding="utf-8"))
            if r["region_code"] == "SZ"]
    latest = max(rows, key=lambda r: int(r["year"]))
    statistics = max((r for r in rows if r["measure"] == "sz_rd_statistics"), key=lambda r: int(r["year"]))
    words = {r["term"]: r["zh"] for r in csv.DictReader((ROOT / "data" / "briefing_phrases.csv").open(encoding="utf-8"))
             if r["phrase_id"].startswith("measure_")}
    sentence = next(line for line in plain(front.since_markdown()).splitlines() if "研发投入" in line)
    assert f"深圳 {latest['year']} 年为 {latest['rd_share_gdp']}%" in sentence, sentence
    assert f"（{words[latest['measure']]}）" in sentence, sentence
    assert f"{statistics['year']} 年的 {statistics['rd_share_gdp']}%" in sentence, sentence
    # a later statistics-office row becomes the one named
    later = loader_with("rd_share_of_gdp", lambda f: pd.concat([f, f[(f["region_code"] == "SZ") & (
        f["measure"] == "sz_rd_statistics")].tail(1).assign(year=int(latest["year"]) + 1, rd_share_gdp=7.01)]))
    moved = next(line for line in plain(front.since_markdown(load=later)).splitlines() if "研发投入" in line)
    assert f"{int(latest['year']) + 1} 年的 7.01%" in moved and "统计部门的 R&D 经费口径" in moved, moved


def test_a_series_filter_on_a_column_the_data_lack_fails_naming_the_row():
    bad = loader_with("key_messages", lambda f: f.assign(rows=f["rows"].where(
        f["message_id"] != "since-rd", "hk=*|HK;sz=*|SZ;st=*|SZ@no_such_column=x")))
    with pytest.raises(data.DataValidationError,
                       match=rf"key_messages\.csv，第 {message_line('since-rd')} 行，列 rows：.*no_such_column"):
        front.since_markdown(load=bad)


def test_behind_only_gives_the_series_sentence_alone_or_nothing(monkeypatch):
    behind = front.series_behind()
    text = plain(front.as_of_markdown(behind_only=True))
    assert "截至" not in text, "the date is in the key numbers' column header"
    assert (text != "") == bool(behind)
    for resource, year in behind:
        assert f"（{year}）" in text and f"尚无 {front.edition_year()} 年数值" in text
    monkeypatch.setattr(front, "edition_year", lambda: 2000)  # every series has a value for the year
    assert front.as_of_markdown(behind_only=True) == ""
    assert "截至" in plain(front.as_of_markdown())
