"""Provenance of the later-year values and of the references (issue 22): every later-year value's source quotes
its number, aggregators are marked secondary with a reason, the bibliography keeps the .bib's capitals and gives
every online address its access date, and no file of the repository names a path outside it."""
from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from pybtex.database import parse_file
from pybtex.richtext import Text

from pybtex_gbt7714 import GBT7714Style
from szhk import appendix, data, provenance, quotes

ROOT = Path(__file__).resolve().parents[1]
BIB = ROOT / "book" / "references.bib"


def rewrite(path: Path, change) -> None:
    """Apply `change` to every row (a dict) of the CSV at `path`, keeping its columns."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    fields = list(rows[0])
    for row in rows:
        change(row)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")


@pytest.fixture
def package(tmp_path: Path) -> Path:
    """A copy of data/ to break."""
    copy = tmp_path / "data"
    shutil.copytree(ROOT / "data", copy)
    return copy


def test_the_repositorys_later_year_values_are_quoted_and_their_aggregators_marked() -> None:
    assert provenance.problems() == []
    assert any(True for _ in provenance._checked_values(data.package(), data.data_dir())), "no value was checked"


@pytest.mark.parametrize("quote, raw, expected", [
    ("数目较二○一七年增加68.5%至3 755间", "3755", True),
    ("a total of 3,985 startups employing 14,932 staff", "14932", True),
    ("高新技術企業達到2.47萬家", "24700", True),
    ("国家级高新技术企业超2.4万家", "24000", True),
    ("The GERD as a ratio to the Gross Domestic Product in 2017 was 0.80", "0.8", True),
    ("The city then fell to ninth in 2022", "9", True),
    ("集群连续五年蝉联全球第二位", "2", True),
    ("The Global Innovation Index 2025", "2", False),   # the 2 of 2025 is not the rank 2
    ("占GDP比已达到4.13%", "4.1", False),              # 4.1 is not 4.13
    ("ranks 12th this year (11th in 2022)", "1", False),
    ("17 … Austria 50.3 18 … Hong Kong 50.1", "18", True),
])
def test_a_quote_gives_a_number_only_as_a_number_of_its_own(quote: str, raw: str, expected: bool) -> None:
    assert quotes.quote_gives(quote, raw) is expected


def test_a_cited_source_without_a_quote_fails_naming_file_row_and_column(package: Path) -> None:
    rewrite(package / "sources.csv", lambda r: r.update(quote="") if r["source_id"] == "gii-2024-zerohedge" else None)
    problems = provenance.problems(package)
    assert len(problems) == 1
    problem = problems[0]
    assert Path(problem.file).name == "sources.csv" and problem.column == "quote"
    lines = (package / "sources.csv").read_text(encoding="utf-8").splitlines()
    assert lines[int(problem.row) - 1].startswith("gii-2024-zerohedge,")
    assert "gii_ranks.csv" in problem.problem and "rank_published" in problem.problem


def test_a_value_the_quote_does_not_give_fails_naming_the_data_row(package: Path) -> None:
    rewrite(package / "hk_startups.csv",
            lambda r: r.update(employees_published="16454") if r["survey_year"] == "2023" else None)
    problems = provenance.problems(package)
    assert [(Path(p.file).name, p.column) for p in problems] == [("hk_startups.csv", "employees_published")]
    lines = (package / "hk_startups.csv").read_text(encoding="utf-8").splitlines()
    assert lines[int(problems[0].row) - 1].startswith("2023,")


@pytest.mark.parametrize("change, column", [
    (lambda r: r.update(kind="official"), "kind"),
    (lambda r: r.update(note=r["note"].split(data.package()["secondary_reason_marker"])[0]), "note"),
])
def test_a_later_year_rank_on_an_aggregator_host_fails_unless_marked_secondary_with_a_reason(
        package: Path, change, column: str) -> None:
    rewrite(package / "sources.csv", lambda r: change(r) if r["source_id"] == "gii-2024-zerohedge" else None)
    problems = provenance.problems(package)
    assert [(Path(p.file).name, p.column) for p in problems] == [("sources.csv", column)]
    assert "zerohedge.com" in problems[0].problem


def test_a_value_resting_on_an_aggregator_cannot_be_marked_plain_match(package: Path) -> None:
    rewrite(package / "gii_ranks.csv",
            lambda r: r.update(verification="match") if (r["year"], r["economy_code"]) == ("2024", "HKG") else None)
    problems = provenance.problems(package)
    assert [(Path(p.file).name, p.column) for p in problems] == [("gii_ranks.csv", "verification")]


def test_every_aggregator_the_issue_names_is_on_the_list() -> None:
    hosts = set(data.package()["aggregator_hosts"])
    assert {"zerohedge.com", "bepink.it", "internetor.net", "frominsideasia.com", "tellerreport.com", "a899.cn",
            "itiger.com", "1m1bchangemakers.com", "ppdoc.com", "idx365.com", "government-world.com"} <= hosts


def test_the_appendix_lists_the_values_resting_on_secondary_sources_alone(appendix_words: appendix.Words) -> None:
    listed = provenance.secondary_only(appendix.sources_by_id())
    assert {("gii-2024-zerohedge", "18")} <= {(r["source"], r["value"]) for r in listed}
    assert all(r["kind"] in provenance.SECONDARY_KINDS and r["reason"] for r in listed)
    table = appendix.secondary_only_markdown(appendix_words)
    assert "gii-2024-zerohedge" in table and "二手来源" in table
    assert "appendix.secondary_only_markdown(" in (ROOT / "book" / "data-appendix.md").read_text(encoding="utf-8")


# --- references ------------------------------------------------------------------------------------------------
def _plain_title(latex: str) -> str:
    """The title as the .bib writes it, LaTeX read (braces, \\%, --) but no case changed."""
    return Text.from_latex(latex).render_as("text")


def test_bibliography_titles_keep_the_capitals_of_the_bib() -> None:
    style = GBT7714Style()
    entries = parse_file(str(BIB), bib_format="bibtex").entries
    for key, entry in entries.items():
        rendered = style.format_entry("0", entry).text.render_as("text")
        title = _plain_title(entry.fields["title"])
        assert title in rendered, f"{key}: the title is not shown as the .bib writes it: {rendered}"


def test_every_online_address_has_its_access_date_unless_the_page_was_not_found_again() -> None:
    with (ROOT / "data" / "sources.csv").open(encoding="utf-8") as handle:
        notes = {row["source_id"]: row["note"] for row in csv.DictReader(handle)}
    entries = parse_file(str(BIB), bib_format="bibtex").entries
    missing = [key for key, entry in entries.items()
               if entry.fields.get("url") and not entry.fields.get("urldate")
               and "未重新找到" not in notes.get(key, "")]
    assert not missing, f"[EB/OL] entries without urldate (GB/T 7714-2015 requires the access date): {missing}"


def test_no_file_of_the_repository_names_a_path_outside_it() -> None:
    files = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout.split(b"\0")
    outside = re.compile(rb"(?<![\w.~-])/(?:work|home|Users|root|mnt)/[\w.-]+")
    offending = []
    for name in filter(None, files):
        path = ROOT / name.decode()
        if path.is_file() and path.stat().st_size < 2_000_000:
            for number, line in enumerate(path.read_bytes().splitlines(), start=1):
                if outside.search(line):
                    offending.append(f"{name.decode()}:{number}")
    assert not offending, f"files naming a path outside the repository: {offending}"


# --- the search for later editions (issue 21, P1 of the 2026-12 review) ----------------------------------------
NOTES = ROOT / "data" / "notes" / "sources-provenance.md"
# (what the search record calls the series, its dataset, the column holding its edition, the column of its value)
CONTINUING_SERIES = [
    ("GII", "gii_ranks.csv", "year", "rank_published"),
    ("集群", "gii_cluster_ranks.csv", "year", "rank_published"),
    ("IMD", "imd_digital_ranks.csv", "year", "rank_published"),
    ("QS", "qs_university_ranks.csv", "edition", "rank_published"),
    ("初创企业", "hk_startups.csv", "survey_year", "startups_published"),
    ("研发", "rd_share_of_gdp.csv", "year", "rd_share_gdp"),
]


def _editions_search_record(notes: str) -> list[str]:
    """The table rows of the notes' section on later editions (heading “… editions …”)."""
    match = re.search(r"^## [^\n]*editions[^\n]*\n(.*?)(?=^## |\Z)", notes, flags=re.MULTILINE | re.DOTALL)
    assert match, f"{NOTES.name} has no section recording the search for later editions"
    return [line for line in match.group(1).splitlines() if line.startswith("| ") and not line.startswith("| 系列")]


def unsearched_next_editions(data_dir: Path, notes: str) -> list[str]:
    """The continuing series whose next edition (the latest edition in the data plus one) has no row in the search
    record saying what was found, as “name year”."""
    rows = _editions_search_record(notes)
    missing = []
    for name, dataset, edition, value in CONTINUING_SERIES:
        with (data_dir / dataset).open(encoding="utf-8") as handle:
            latest = max(int(row[edition]) for row in csv.DictReader(handle) if row[value])
        wanted = str(latest + 1)
        if not any(name in row and wanted in row and ("找到" in row or "已有" in row) for row in rows):
            missing.append(f"{name} {wanted}")
    return missing


def test_the_search_for_each_series_next_edition_is_recorded_hit_or_miss() -> None:
    assert unsearched_next_editions(ROOT / "data", NOTES.read_text(encoding="utf-8")) == []


def test_appending_an_edition_asks_for_the_search_record_of_the_one_after(package: Path) -> None:
    with (package / "gii_ranks.csv").open("a", encoding="utf-8") as handle:
        handle.write("2026,HKG,中国香港,false,,15,139,match (secondary),gii-2025-hk01,,\n")
    assert unsearched_next_editions(package, NOTES.read_text(encoding="utf-8")) == ["GII 2027"]
