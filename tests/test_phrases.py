"""The editor's sentence templates are data (data/findings_phrases.csv, data/briefing_phrases.csv): one row per
template with its Chinese and English text. Editing one re-executes only the pages that read its file; a template
that names a placeholder the code does not give, or whose English names other placeholders than its Chinese, stops
the build naming file, row and column; the English pages' sentences come only from the data."""
from __future__ import annotations

import csv
import re
from pathlib import Path

import pandas as pd
import pytest

from conftest import ROOT
from szhk import briefing, claims, data, front, phrases
from szhk_sphinx import reexecution


def _edit(path: Path, phrase_id: str, column: str, value: str) -> int:
    """Set one cell of a phrases file; returns the row's line number."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    fields = list(rows[0])
    line = next(i for i, row in enumerate(rows, 2) if row["phrase_id"] == phrase_id)
    rows[line - 2][column] = value
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return line


def test_each_phrases_file_is_read_only_by_the_pages_that_use_it() -> None:
    book = ROOT / "book"
    readers = reexecution.readers(book)
    # the pages that read all data (the front page, the briefings, the English page: their 截至 date is the
    # package's) read every phrases file; no other page declares one
    everything = {p.stem for p in book.glob("*.md") if reexecution.declared(p.read_text(encoding="utf-8"), str(p)) == "all"}
    assert {"index", "briefing", "briefing-en", "en"} <= everything, everything
    assert set(readers.get(phrases.BRIEFING, [])) <= everything and set(readers.get(phrases.FINDINGS, [])) <= everything
    chapters = {p.stem for p in book.glob("0*.md")}
    assert not everything & chapters, "no chapter re-executes when a template changes"


def test_every_template_parses_and_english_names_the_chinese_placeholders() -> None:
    for resource in (phrases.FINDINGS, phrases.BRIEFING):
        found = phrases.templates(resource)
        assert len(found) >= 10, resource
        for entry in found.values():
            if all(entry.text.values()):
                assert set(entry.fields("zh")) == set(entry.fields("en")), entry.phrase_id


def test_an_unknown_placeholder_fails_naming_file_row_and_column(data_copy: Path) -> None:
    line = _edit(data_copy / "findings_phrases.csv", "minor", "zh", "另有 {count} 处细微差异，见{registr}。")
    with pytest.raises(data.DataValidationError, match=rf"data/findings_phrases\.csv，第 {line} 行，列 zh：.*{{registr}}"):
        front.findings(claims.register())


def test_english_with_other_placeholders_than_chinese_fails_naming_the_row(data_copy: Path) -> None:
    line = _edit(data_copy / "briefing_phrases.csv", "status_latest", "en", "{date}: {what}")
    with pytest.raises(data.DataValidationError, match=rf"data/briefing_phrases\.csv，第 {line} 行，列 en"):
        briefing.recommendations_markdown(briefing.events(), lang="en")


def test_a_template_edit_changes_the_page_and_no_python(data_copy: Path) -> None:
    _edit(data_copy / "briefing_phrases.csv", "status_none", "en", "Nothing public yet")
    _edit(data_copy / "briefing_phrases.csv", "recs_header_actors", "en", "Acting")
    # no events: each recommendation's status must then say none were found (briefing.statuses checks it)
    recs = data_copy / "recommendations.csv"
    frame = pd.read_csv(recs, dtype=str, keep_default_na=False).assign(status="none_found")
    frame.to_csv(recs, index=False)
    table = briefing.recommendations_markdown([], lang="en")
    assert table.count("Nothing public yet") == 5 and "Acting" in table


def test_english_messages_come_only_from_the_data(data_copy: Path) -> None:
    """Each English key message is its row's text_en with the numbers filled in: change the data's English and
    the page's sentence changes with it; nothing else is written around it."""
    path = data_copy / "key_messages.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    row = next(r for r in rows if r["message_id"] == "digital")
    row["text_en"] = "Edited: Hong Kong went from {hk.article} to {hk.latest} in {hk.latest_year}."
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    plain = [front.message_values(m, "en") for m in front.key_messages()]
    latest = data.load("imd_digital_ranks").query("economy_code == 'HKG'")["year"].max()
    assert f"Edited: Hong Kong went from 2 to " in plain[2] and plain[2].endswith(f"in {latest}.")
    page = front.key_messages_markdown(lang="en", links=False)
    numbered = re.findall(r"^\d+\. (.*)$", page, re.MULTILINE)
    assert [re.sub(r"\*\*|\\(.)", r"\1", s) for s in numbered] == plain, "the page is the data's sentences only"


def test_a_template_edited_after_it_was_read_is_read_anew(data_copy: Path) -> None:
    """Templates are checked once per content of their file (a page fills hundreds): an edit in the same process
    is still seen, and a broken edit still fails."""
    assert phrases.plain(phrases.BRIEFING, "status_none", "en") != "Nothing public yet"
    _edit(data_copy / "briefing_phrases.csv", "status_none", "en", "Nothing public yet")
    assert phrases.plain(phrases.BRIEFING, "status_none", "en") == "Nothing public yet"
    line = _edit(data_copy / "briefing_phrases.csv", "status_none", "en", "Nothing {public yet")
    with pytest.raises(data.DataValidationError, match=rf"data/briefing_phrases\.csv，第 {line} 行，列 en"):
        phrases.plain(phrases.BRIEFING, "status_none", "en")
