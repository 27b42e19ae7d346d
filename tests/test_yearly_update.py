"""The yearly update, tried as a maintainer would, following data/README.md: on a copy of the project, append the
next edition to every time-series file, each series citing a new source (a row in sources.csv, an entry in
references.bib), record the new edition in editions.csv, and follow the cookbook (a new dataset and figure in 二);
then `make build` (HTML and both PDFs, published in the copy) and check that

- the build passes (data validation included),
- every rank figure, the start-up figure and the update tables (表 1 续, 表 2 续) show the new year,
- every paragraph and table of the author's (the elements labelled ``para-…``) reads exactly as before,
- the checks the repository's own edition gets (every test that reads the published web pages and PDFs, run in the
  copy against its edition) pass: no test pins page layout, page breaks or this year's data,
- the change report names the new rows in words, with their sources, and the new version;
- a second `make build` with nothing changed does not run Jupyter Book and publishes nothing new.

The repository's own build (what `make build` published) gives the "before"; one build of the edited copy (warm
cache, started in the background when the tests are collected) gives the "after".
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from conftest import (BUILD_TIMEOUT, LOW_PRIORITY, PUBLISHED_CHECKS_ONLY_ENV, ROOT, TOOLS, background_result,
                      build_env, commit_epoch, copy_project, in_background)
from szhk.figures import AFTER_ARTICLE, AFTER_ARTICLE_SHORT
from szhk_names import ROOT_ENV
from test_cookbook import FIGURE_ID, follow

sys.path.insert(0, str(TOOLS))
import yearly  # noqa: E402  (tools/yearly.py: the yearly update, as make bench does it too)

CHAPTERS = [f"book/{name}.html" for name in (
    "00-introduction", "01-background", "02-hk-innovation", "03-government-measures", "04-key-industries",
    "05-cooperation", "06-recommendations")]
# The tests that read the published edition (web pages and PDFs): run again in the updated copy, on its edition.
PUBLISHED_CHECKS = ("test_article_text.py", "test_citations.py", "test_offline.py", "test_markdown_escaping.py",
                    "test_front_matter.py", "test_briefing_print.py", "test_briefing.py", "test_pdf_editions.py",
                    "test_figures_built.py", "test_claims_register.py")
SOURCE_PREFIX = "yearly-test-"


def _register_sources(project: Path, years: dict[str, int], day: str) -> dict[str, str]:
    """A source for each new edition (data/README.md, step 2); returns source id → title."""
    titles = {f"{SOURCE_PREFIX}{name.replace('_', '-')}-{year}": f"测试来源第 {number} 种，{year} 年版"
              for number, (name, year) in enumerate(years.items(), start=1)}
    for key, title in titles.items():
        yearly.register_source(project, key, title=title, author="测试发布者", url=f"https://example.org/{key}",
                               day=day, note="测试：新版次的来源。", quote=f"（测试）{title}")
    return titles


def _author_text(html: Path) -> dict[str, str]:
    """Text of every element the chapters label para-… (the author's paragraphs and tables), page by page, without
    the citation numbers (a new source cited earlier in the book renumbers them: no change to the author's words)."""
    texts = {}
    for page in CHAPTERS:
        soup = BeautifulSoup((html / page).read_text(encoding="utf-8"), "html.parser")
        for citation in soup.select('a[href*="references.html#"]'):
            citation.decompose()
        for element in soup.select('[id^="para-"]'):
            target = element if element.name != "span" else element.find_next(["p", "div", "table"])
            texts[f"{page}#{element['id']}"] = re.sub(r"\s+", " ", target.get_text(" ", strip=True))
    return texts


def _figure_svg(html: Path, page: str, figure_id: str) -> str:
    soup = BeautifulSoup((html / page).read_text(encoding="utf-8"), "html.parser")
    figure = soup.find(id=figure_id)
    assert figure is not None, f"{page} has no figure {figure_id}"
    figure = figure if figure.name == "figure" else figure.find_parent("figure") or figure
    image = figure.find("img")
    assert image is not None, f"figure {figure_id} has no image"
    return (html / page).parent.joinpath(image["src"]).resolve().read_text(encoding="utf-8")


def _block_after(html: Path, page: str, heading: str) -> str:
    """Text of the table that follows the paragraph starting with `heading` (表 1 续, 表 2 续)."""
    soup = BeautifulSoup((html / page).read_text(encoding="utf-8"), "html.parser")
    start = next((p for p in soup.find_all("p") if p.get_text(strip=True).startswith(heading)), None)
    assert start is not None, f"{page} has no {heading}"
    table = start.find_next("table")
    assert table is not None, f"{page}: no table after {heading}"
    return table.get_text(" ", strip=True)


@dataclass
class Updated:
    project: Path
    years: dict[str, int]
    titles: dict[str, str]
    version: str
    build: subprocess.CompletedProcess[str]
    checks: subprocess.CompletedProcess[str] | None = None
    again: subprocess.CompletedProcess[str] | None = None
    site_before_again: str = ""
    author_before: dict[str, str] = field(default_factory=dict)

    @property
    def html(self) -> Path:
        return self.project / "_build" / "html"


@in_background("updated")
def _update_and_build(base: Path) -> Updated:
    project = copy_project(base / "project")
    epoch = commit_epoch()  # the repository's commit date: caches and the LaTeX stamp stay valid in the copy
    day = yearly.day_before(epoch)  # a source read the day before the commit

    data = project / "data"
    later = yearly.later
    edits = {
        "gii_ranks": ("year", lambda r: later(
            r, rank_published=str(int(r["rank_published"]) + 1), economies_ranked=str(int(r["economies_ranked"]) + 1))),
        "imd_digital_ranks": ("year", lambda r: later(
            r, rank_published=str(int(r["rank_published"]) + 1), economies_ranked=str(int(r["economies_ranked"]) + 1),
            economies_ranked_verification="match")),
        "gii_cluster_ranks": ("year", lambda r: later(r, method_changed="false")),
        "qs_university_ranks": ("edition", later),
        "hk_startups": ("survey_year", lambda r: later(
            r, startups_published=str(int(r["startups_published"]) + 100), employees_published="")),
        "fintech_startups": ("year", later),
        "rd_share_of_gdp": ("year", later),
        "sz_hightech_enterprises": ("year", lambda r: later(r, as_of=str(int(r["year"])))),
    }
    # each series cites a new source of its own, named by the file and the year
    years = {name: yearly.next_year(data / f"{name}.csv", year_field,
                                    f"{SOURCE_PREFIX}{name.replace('_', '-')}-{{year}}", edit)
             for name, (year_field, edit) in edits.items()}
    # the repository's published edition is the copy's previous one (its record: what the change report compares)
    previous = project / "_build" / ".site-repository"
    shutil.copytree((ROOT / "_build" / "site").resolve() / "record", previous / "record")
    (project / "_build" / "site").symlink_to(previous.name)
    titles = _register_sources(project, years, day)
    yearly.quote_new_values(data, years)  # each new source's quote gives its numbers (szhk.provenance)
    version = yearly.raise_edition(project, day, "补充各系列的下一版（测试）。")
    follow(project)  # the cookbook: a new dataset and its figure in 二
    env = build_env(SOURCE_DATE_EPOCH=epoch)
    command = [*LOW_PRIORITY, sys.executable, str(project / "tools" / "build.py")]
    built = subprocess.run(command, cwd=project, env=env, text=True, capture_output=True, timeout=BUILD_TIMEOUT)
    result = Updated(project, years, titles, version, built)
    if built.returncode != 0:
        return result
    result.site_before_again = os.readlink(project / "_build" / "site")
    result.again = subprocess.run(command, cwd=project, env=env, text=True, capture_output=True, timeout=BUILD_TIMEOUT)
    # the checks of the published edition, on the copy's edition (the copy's tests read the copy's _build, and
    # the helpers the copy's project: SZHK_ROOT)
    result.checks = subprocess.run(
        [*LOW_PRIORITY, sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider",
         *[f"tests/{name}" for name in PUBLISHED_CHECKS]],
        cwd=project, env=build_env(**{PUBLISHED_CHECKS_ONLY_ENV: "1", ROOT_ENV: str(project)}), text=True,
        capture_output=True,
        timeout=BUILD_TIMEOUT)
    return result


@pytest.fixture(scope="module")
def updated(html_dir: Path) -> Updated:
    result = background_result("updated")
    result.author_before = _author_text(html_dir)
    return result


def test_the_build_passes_with_a_new_year_in_every_series(updated: Updated) -> None:
    after = updated.build
    assert after.returncode == 0, \
        f"build failed after appending {updated.years}:\n{after.stdout[-4000:]}\n{after.stderr[-3000:]}"


def test_the_checks_of_the_published_edition_pass_on_the_updated_edition(updated: Updated) -> None:
    assert updated.build.returncode == 0
    checks = updated.checks
    assert checks is not None and checks.returncode == 0, \
        f"the published-edition checks fail after a legitimate update:\n{checks.stdout[-6000:]}"
    assert re.search(r"\d+ passed", checks.stdout), checks.stdout[-2000:]


def test_the_change_report_names_the_new_rows_their_sources_and_the_version(updated: Updated) -> None:
    assert updated.build.returncode == 0
    report = (updated.project / "_build" / "site" / "changes.txt").read_text(encoding="utf-8")
    page = (updated.html / "changes.html").read_text(encoding="utf-8")
    assert f"第 {updated.version} 版" in report and f"第 {updated.version} 版" in page
    for title in updated.titles.values():
        assert f"《{title}》" in report, f"the change report does not name the source {title}: {report}"
    assert f"表 1 续" in report and f"表 2 续" in report and "新增" in report
    for internal in ("rank_published", "published_source", "gii_ranks", SOURCE_PREFIX, "|"):
        assert internal not in report, f"the change report shows {internal!r}:\n{report}"
    assert '<a href="../changes.html">' in (updated.html / "book" / "index.html").read_text(encoding="utf-8")


def test_a_second_build_with_nothing_changed_publishes_nothing_new(updated: Updated) -> None:
    assert updated.build.returncode == 0 and updated.again is not None
    assert updated.again.returncode == 0, updated.again.stderr[-3000:]
    assert "Jupyter Book not run" in updated.again.stdout, updated.again.stdout
    assert os.readlink(updated.project / "_build" / "site") == updated.site_before_again


def test_the_cookbook_figure_is_on_the_page_with_its_caption_and_alt_text(updated: Updated) -> None:
    assert updated.build.returncode == 0
    page = "book/02-hk-innovation.html"
    svg = _figure_svg(updated.html, page, FIGURE_ID)
    assert "<!-- 雇员（人） -->" in svg, "the value axis does not name the declared unit"
    soup = BeautifulSoup((updated.html / page).read_text(encoding="utf-8"), "html.parser")
    figure = soup.find(id=FIGURE_ID)
    figure = figure if figure.name == "figure" else figure.find_parent("figure")
    assert figure.find("img").get("alt", "").startswith("柱状图：香港初创企业雇员人数")
    assert "编者补充" in figure.find("figcaption").get_text()
    assert "hk_startup_employees.csv" in str(figure)


def test_the_figures_and_update_tables_show_the_new_year(updated: Updated):
    years = updated.years
    assert updated.build.returncode == 0
    html = updated.html
    page = "book/02-hk-innovation.html"
    for figure_id, resource in (("fig-gii-ranks", "gii_ranks"), ("fig-imd-ranks", "imd_digital_ranks"),
                                ("fig-hk-startups", "hk_startups")):
        svg = _figure_svg(html, page, figure_id)
        assert f"<!-- {years[resource]} -->" in svg, f"{figure_id} does not show {years[resource]}"
        assert any(f"<!-- {words} -->" in svg for words in (AFTER_ARTICLE, AFTER_ARTICLE_SHORT)), \
            f"{figure_id} does not set the later years apart"
    assert f"{years['gii_ranks']}年" in _block_after(html, page, "表 1 续")
    assert f"QS {years['qs_university_ranks']}" in _block_after(html, page, "表 2 续")


def test_the_authors_words_and_tables_are_unchanged(updated: Updated):
    author_before = updated.author_before
    assert updated.build.returncode == 0
    author_after = _author_text(updated.html)
    assert author_before, "no para-… elements found: the labels of the author's paragraphs moved?"
    assert author_after.keys() == author_before.keys()
    changed = {key: (author_before[key], author_after[key]) for key in author_before
               if author_before[key] != author_after[key]}
    assert not changed, f"the author's text changed with the data: {changed}"


def test_the_english_pages_name_the_new_latest_year(updated: Updated):
    """The English page and the English briefing read the same series: a new edition changes their latest year."""
    assert updated.build.returncode == 0
    year = updated.years["gii_ranks"]
    for page in ("book/en.html", "book/briefing-en.html"):
        soup = BeautifulSoup((updated.html / page).read_text(encoding="utf-8"), "html.parser")
        text = (soup.find("main") or soup).get_text(" ", strip=True)
        assert f"in {year}" in text, f"{page} does not name the new edition {year}"
