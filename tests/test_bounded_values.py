"""Bounded years and dates, and hostile cells (issue 23, items 1 and 7): each refused at validation naming file,
row and column, or accepted when harmless. Fast: Frictionless validation of a copy of data/ (and of
book/references.bib), no build."""
from __future__ import annotations

import datetime
import shutil
from pathlib import Path

import pytest
from conftest import BOOK
from test_strict_values import problem, read, set_cell

from szhk import bounds, data

EPOCH_2026 = str(int(datetime.datetime(2026, 12, 1, tzinfo=datetime.timezone.utc).timestamp()))
EPOCH_2027 = str(int(datetime.datetime(2027, 3, 1, tzinfo=datetime.timezone.utc).timestamp()))


@pytest.fixture
def commit_2026(monkeypatch: pytest.MonkeyPatch) -> None:
    """The build's commit is of 2026: years up to 2027 are allowed."""
    monkeypatch.setenv(bounds.EPOCH_ENV, EPOCH_2026)


def row_of(path: Path, column: str, value: str) -> int:
    """The data row (1 = first after the header) whose `column` is `value`."""
    header, rows = read(path)
    return next(n for n, row in enumerate(rows, 1) if row[header.index(column)] == value)


# ---- Years and dates ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name, column, value", [
    ("gii_ranks", "year", "2021"), ("hk_startups", "survey_year", "2021"), ("qs_university_ranks", "edition", "2022")])
def test_a_mistyped_year_is_refused_naming_file_row_and_column(data_copy: Path, commit_2026: None, name: str,
                                                               column: str, value: str) -> None:
    row = row_of(data_copy / f"{name}.csv", column, value)
    set_cell(data_copy / f"{name}.csv", row, column, "20255")
    error = problem(name)
    assert (error.row, error.column) == (row + 1, column), str(error)
    assert "20255" in error.problem and "2027" in error.problem and "2027" in error.rule, str(error)


def test_the_bound_is_the_commits_year_plus_one(data_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = data_copy / "gii_ranks.csv"
    row = row_of(path, "year", "2021")
    set_cell(path, row, "year", "2028")
    monkeypatch.setenv(bounds.EPOCH_ENV, EPOCH_2026)
    assert "2028" in problem("gii_ranks").problem
    monkeypatch.setenv(bounds.EPOCH_ENV, EPOCH_2027)  # a commit of 2027 may publish the 2028 edition
    assert not [p for p in data.validate_all() if p.file.name == "gii_ranks.csv"]


@pytest.mark.parametrize("name, column, value, words", [
    ("policy_documents", "date_published", "2021-02-30", "2 月没有 30 日"),
    ("policy_documents", "date_published", "2031-03", "2031"),
    ("milestones", "date_article", "2021-02-29", "2 月没有 29 日"),
    ("talent_schemes", "launched", "2035", "2035"),
    ("sources", "accessed", "2031-01-01", "2031"),
])
def test_an_impossible_or_future_date_is_refused(data_copy: Path, commit_2026: None, name: str, column: str,
                                                 value: str, words: str) -> None:
    path = data_copy / f"{name}.csv"
    header, rows = read(path)
    row = next(n for n, r in enumerate(rows, 1) if r[header.index(column)]) if name != "sources" else 2
    set_cell(path, row, column, value)
    error = problem(name)
    assert (error.row, error.column) == (row + 1, column), str(error)
    assert words in error.problem, str(error)


def test_every_year_and_date_field_of_the_package_is_bounded() -> None:
    """The fields are found from the schema (no declaration to forget): each year, edition and date of the package."""
    found = {(r["name"], f["name"]) for r in data.package()["resources"] for f in r["schema"]["fields"]
             if bounds.calendar_kind(f)}
    for expected in [("gii_ranks", "year"), ("hk_startups", "survey_year"), ("qs_university_ranks", "edition"),
                     ("sz_hightech_enterprises", "as_of"), ("key_figures", "published_as_of"),
                     ("talent_schemes", "launched"), ("milestones", "date_article"), ("sources", "accessed"),
                     ("policy_documents", "date_published"), ("smart_city_blueprints", "released_published")]:
        assert expected in found
    assert ("smart_city_blueprints", "horizon_years_article") not in found  # a number of years, not a year


def test_hk_startups_with_a_mistyped_year_fails_at_validation_not_in_the_chart(data_copy: Path,
                                                                              commit_2026: None) -> None:
    """20255 made the chart's true time axis 18,241 years long (one tick each): the build hung 300 s. Now it is
    refused before any chapter runs, in well under a second per file."""
    path = data_copy / "hk_startups.csv"
    set_cell(path, row_of(path, "survey_year", "2021"), "survey_year", "20255")
    started = datetime.datetime.now()
    error = problem("hk_startups")
    assert (datetime.datetime.now() - started).total_seconds() < 60
    assert error.column == "survey_year" and "20255" in str(error)


# ---- Text cells -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("value", ['=HYPERLINK("http://x.example","点此")', "@SUM(A1:A9)", "+cmd|' /C calc'!A0",
                                   "-2+3", "=1+1"])
def test_a_text_cell_a_spreadsheet_would_run_as_a_formula_is_refused(data_copy: Path, value: str) -> None:
    set_cell(data_copy / "qs_university_ranks.csv", 1, "note", value)
    error = problem("qs_university_ranks")
    assert (error.row, error.column) == (2, "note"), str(error)
    assert "公式" in error.problem and value[0] in error.problem


@pytest.mark.parametrize("value", ["-5", "+3.5", "5%"])
def test_a_signed_number_in_a_text_cell_is_not_a_formula(data_copy: Path, value: str) -> None:
    set_cell(data_copy / "qs_university_ranks.csv", 1, "note", value)
    assert not [p for p in data.validate_all() if p.file.name == "qs_university_ranks.csv"]


@pytest.mark.parametrize("value, code", [("香港ภาษาไทย大学", "U+0E20"), ("香港𝑥大学", "U+1D465")])
def test_characters_outside_the_books_fonts_are_refused(data_copy: Path, value: str, code: str) -> None:
    set_cell(data_copy / "qs_university_ranks.csv", 2, "university_zh", value)
    error = problem("qs_university_ranks")
    assert (error.row, error.column) == (3, "university_zh"), str(error)
    assert code in error.problem and "第 3 个字符" in error.problem and "Noto" in error.problem


def test_excel_true_and_false_are_booleans(data_copy: Path) -> None:
    path = data_copy / "gii_ranks.csv"
    header, rows = read(path)
    spelled = {"true": "TRUE", "false": "FALSE"}
    expected = [row[header.index("in_article")] == "true" for row in rows]
    for n, row in enumerate(rows, 1):
        set_cell(path, n, "in_article", spelled[row[header.index("in_article")]])
    frame = data.load("gii_ranks")
    assert frame["in_article"].tolist() == expected


def test_a_data_file_name_with_a_space_is_refused_naming_it(data_copy: Path) -> None:
    import json

    package = json.loads((data_copy / "datapackage.json").read_text(encoding="utf-8"))
    resource = next(r for r in package["resources"] if r["name"] == "hk_startups")
    resource["path"] = "hk startups.csv"
    (data_copy / "hk_startups.csv").rename(data_copy / "hk startups.csv")
    (data_copy / "datapackage.json").write_text(json.dumps(package, ensure_ascii=False, indent=2), encoding="utf-8")
    errors = [p for p in data.validate_all() if p.file.name == "datapackage.json"]
    assert errors and errors[0].column == "path" and "hk startups.csv" in errors[0].problem, errors
    assert "空格" in errors[0].rule


# ---- book/references.bib ----------------------------------------------------------------------------------------
@pytest.fixture
def bib_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, data_copy: Path, commit_2026: None) -> Path:
    """A project folder (SZHK_ROOT) with a copy of book/references.bib and the PDF's font settings."""
    root = tmp_path / "project"
    (root / "book" / "_static" / "latex").mkdir(parents=True)
    shutil.copy2(BOOK / "references.bib", root / "book" / "references.bib")
    shutil.copy2(BOOK / "_static" / "latex" / "szhkfonts.sty", root / "book" / "_static" / "latex")
    monkeypatch.setenv("SZHK_ROOT", str(root))
    yield root / "book" / "references.bib"


def edit_bib(path: Path, old: str, new: str) -> int:
    """Replace the first `old` by `new`; returns its line (1-based)."""
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    line = text[: text.index(old)].count("\n") + 1
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return line


def bib_error() -> data.DataValidationError:
    errors = [p for p in data.validate_all() if p.file.name == "references.bib"]
    assert errors, "references.bib was accepted"
    return errors[0]


@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html,<b>x</b>", "file:///etc/passwd",
                                 "www.example.com/no-scheme"])
def test_only_http_addresses_in_the_bibliography(bib_copy: Path, url: str) -> None:
    line = edit_bib(bib_copy, "url      = {https://www.gov.cn/", "url      = {" + url + "#")
    error = bib_error()
    assert (error.row, error.column) == (line, "url"), str(error)
    assert "book/references.bib" in str(error) and "http" in error.rule


@pytest.mark.parametrize("date, words", [("2026-31-01", "月份 31"), ("2021-02-30", "2 月没有 30 日"),
                                         ("2031-01", "2031"), ("20255", "20255")])
def test_impossible_or_future_dates_in_the_bibliography(bib_copy: Path, date: str, words: str) -> None:
    line = edit_bib(bib_copy, "date     = {2022-04-06}", "date     = {" + date + "}")
    error = bib_error()
    assert (error.row, error.column) == (line, "date"), str(error)
    assert words in error.problem and "qs-subject-2022" in error.problem, str(error)


def test_a_title_the_fonts_cannot_draw_is_refused(bib_copy: Path) -> None:
    text = bib_copy.read_text(encoding="utf-8")
    title_line = next(line for line in text.splitlines() if line.strip().startswith("title"))
    line = edit_bib(bib_copy, title_line, title_line.replace("{", "{ภาษาไทย ", 1))
    error = bib_error()
    assert (error.row, error.column) == (line, "title") and "U+0E20" in error.problem, str(error)


def test_an_entry_deleted_after_a_valid_build_is_reported_although_sources_was_cached(bib_copy: Path) -> None:
    """The validation cache keys sources.csv's frame with references.bib too: a deleted entry is not served
    from the cache of the last good build."""
    assert not data.validate_all()  # validated and cached
    text = bib_copy.read_text(encoding="utf-8")
    start = text.index("@techreport{gii-2017,")
    bib_copy.write_text(text[:start] + text[text.index("\n}\n", start) + 3:], encoding="utf-8")
    errors = [p for p in data.validate_all() if p.file.name == "sources.csv"]
    assert errors and errors[0].column == "source_id" and "gii-2017" in errors[0].problem, errors


def test_a_stand_in_date_outside_a_build_does_not_lower_the_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    """A tool may set SOURCE_DATE_EPOCH to a fixed old date outside a build (for files without today's date): the
    data of 2024 and later must still load; in a build (SZHK_BUILD) the variable is the commit's own time."""
    from conftest import commit_epoch

    commit_year = datetime.datetime.fromtimestamp(int(commit_epoch()), datetime.timezone.utc).year
    monkeypatch.delenv(bounds.BUILD_ENV, raising=False)
    monkeypatch.setenv(bounds.EPOCH_ENV, "1656633600")  # a stand-in of 2022-07-01
    assert bounds.latest_year() == commit_year + 1
    monkeypatch.setenv(bounds.BUILD_ENV, "1")
    monkeypatch.setenv(bounds.EPOCH_ENV, EPOCH_2026)
    assert bounds.latest_year() == 2027
