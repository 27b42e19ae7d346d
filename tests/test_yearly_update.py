"""The yearly update, tried as a maintainer would: on a copy of the project, append one more year to every
time-series file (each row citing a source that exists), build, and check that

- the build passes (data validation included),
- every rank figure, the start-up figure and the update tables (表 1 续, 表 2 续) show the new year,
- every paragraph and table of the author's (the elements labelled ``para-…``) reads exactly as before.

The repository's own build (what `make build` published) gives the "before"; one build of the edited copy (warm
cache, started in the background when the tests are collected) gives the "after".
"""
from __future__ import annotations

import csv
import re
import subprocess
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from conftest import BUILD_TIMEOUT, LOW_PRIORITY, background_result, copy_project, in_background

CHAPTERS = [f"book/{name}.html" for name in (
    "00-introduction", "01-background", "02-hk-innovation", "03-government-measures", "04-key-industries",
    "05-cooperation", "06-recommendations")]
def _rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def _append(path: Path, year_field: str, new_rows) -> int:
    """Append, for the latest year's rows, a copy one year later (edited by `new_rows`); returns the new year."""
    header, rows = _rows(path)
    latest = max(int(r[year_field]) for r in rows)
    added = [new_rows(dict(r, **{year_field: str(latest + 1)})) for r in rows if int(r[year_field]) == latest]
    with path.open("a", encoding="utf-8", newline="") as handle:
        csv.DictWriter(handle, header, lineterminator="\n").writerows(added)
    return latest + 1


def _later(row: dict[str, str], **changes: str) -> dict[str, str]:
    """A later-edition row: not the article's, no article value, a published value and a match mark."""
    row = dict(row, in_article="false", verification=row.get("verification") or "match", **changes)
    for field in [f for f in row if f.endswith("_article") and f != "in_article"]:
        row[field] = ""
    return row


def _author_text(html: Path) -> dict[str, str]:
    """Text of every element the chapters label para-… (the author's paragraphs and tables), page by page."""
    texts = {}
    for page in CHAPTERS:
        soup = BeautifulSoup((html / page).read_text(encoding="utf-8"), "html.parser")
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


def _record_quotes(data: Path, years: dict[str, int]) -> None:
    """What the maintainer also does (data/README.md): the source's quote gives each new published value
    (szhk.provenance checks it). Here the new numbers are appended to the cited sources' quotes."""
    import json

    descriptor = json.loads((data / "datapackage.json").read_text(encoding="utf-8"))
    given: dict[str, list[str]] = {}
    for resource in descriptor["resources"]:
        if resource["name"] not in years or not resource.get("quoted_values"):
            continue
        _, rows = _rows(data / resource["path"])
        year_field = resource["schema"]["fields"][0]["name"]
        for row in (r for r in rows if r[year_field] == str(years[resource["name"]])):
            for spec in resource["quoted_values"]:
                source = next((row[c] for c in spec["sources"] if row.get(c)), "")
                if row.get(spec["field"]) and source:
                    given.setdefault(source, []).append(row[spec["field"]])
    header, sources = _rows(data / "sources.csv")
    for source in sources:
        if source["source_id"] in given:
            source["quote"] = (source["quote"] + " … 新版次：" + "、".join(given[source["source_id"]])).strip()
    with (data / "sources.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(sources)


@in_background("updated")
def _update_and_build(base: Path):
    project = copy_project(base / "project")

    data = project / "data"
    years = {
        "gii_ranks": _append(data / "gii_ranks.csv", "year", lambda r: _later(
            r, rank_published=str(int(r["rank_published"]) + 1), economies_ranked=str(int(r["economies_ranked"]) + 1))),
        "imd_digital_ranks": _append(data / "imd_digital_ranks.csv", "year", lambda r: _later(
            r, rank_published=str(int(r["rank_published"]) + 1), economies_ranked=str(int(r["economies_ranked"]) + 1),
            economies_ranked_verification="match")),
        "gii_cluster_ranks": _append(data / "gii_cluster_ranks.csv", "year", lambda r: _later(r, method_changed="false")),
        "qs_university_ranks": _append(data / "qs_university_ranks.csv", "edition", lambda r: _later(r)),
        "hk_startups": _append(data / "hk_startups.csv", "survey_year", lambda r: _later(
            r, startups_published=str(int(r["startups_published"]) + 100), employees_published="")),
        "fintech_startups": _append(data / "fintech_startups.csv", "year", lambda r: _later(r)),
        "rd_share_of_gdp": _append(data / "rd_share_of_gdp.csv", "year", lambda r: _later(r)),
        "sz_hightech_enterprises": _append(data / "sz_hightech_enterprises.csv", "year",
                                           lambda r: _later(r, as_of=str(int(r["year"])))),
    }
    _record_quotes(data, years)
    # The web pages are what this test reads: the HTML pass alone (no LaTeX, nothing published)
    after = subprocess.run([*LOW_PRIORITY, sys.executable, str(project / "tools" / "build.py"), "--html-only"],
                           cwd=project, text=True, capture_output=True, timeout=BUILD_TIMEOUT)
    return project, years, after


@pytest.fixture(scope="module")
def updated(html_dir: Path):
    project, years, after = background_result("updated")
    return project, years, _author_text(html_dir), after


def test_the_build_passes_with_a_new_year_in_every_series(updated):
    _, years, _, after = updated
    assert after.returncode == 0, f"build failed after appending {years}:\n{after.stdout[-4000:]}\n{after.stderr[-3000:]}"


def test_the_figures_and_update_tables_show_the_new_year(updated):
    project, years, _, after = updated
    assert after.returncode == 0
    html = project / "_build" / ".work" / "_build" / "html"
    page = "book/02-hk-innovation.html"
    for figure_id, resource in (("fig-gii-ranks", "gii_ranks"), ("fig-imd-ranks", "imd_digital_ranks"),
                                ("fig-hk-startups", "hk_startups")):
        svg = _figure_svg(html, page, figure_id)
        assert f"<!-- {years[resource]} -->" in svg, f"{figure_id} does not show {years[resource]}"
        assert "<!-- 文章发表后 -->" in svg, f"{figure_id} does not set the later years apart"
    assert f"{years['gii_ranks']}年" in _block_after(html, page, "表 1 续")
    assert f"QS {years['qs_university_ranks']}" in _block_after(html, page, "表 2 续")


def test_the_authors_words_and_tables_are_unchanged(updated):
    project, _, author_before, after = updated
    assert after.returncode == 0
    author_after = _author_text(project / "_build" / ".work" / "_build" / "html")
    assert author_before, "no para-… elements found: the labels of the author's paragraphs moved?"
    assert author_after.keys() == author_before.keys()
    changed = {key: (author_before[key], author_after[key]) for key in author_before
               if author_before[key] != author_after[key]}
    assert not changed, f"the author's text changed with the data: {changed}"
