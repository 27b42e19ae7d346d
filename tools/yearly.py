"""The yearly update of a series, done on a copy of the project as data/README.md's steps say: the next edition's
rows, their source registered (sources.csv and references.bib) with a quote that gives the new values, the new
edition recorded in editions.csv. Used by tools/bench.py (what one new GII edition costs a build) and by the tests
(tests/test_yearly_update.py: a new year of every series; tests/test_reexecution.py). The standard library only.
"""
from __future__ import annotations

import csv
import json
import time
from collections.abc import Callable
from pathlib import Path

Row = dict[str, str]


def read_rows(path: Path) -> tuple[list[str], list[Row]]:
    """The header and rows of a CSV file."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def append_rows(path: Path, header: list[str], rows: list[Row]) -> None:
    with path.open("a", encoding="utf-8", newline="") as handle:
        csv.DictWriter(handle, header, lineterminator="\n").writerows(rows)


def day_before(epoch: str) -> str:
    """The day before SOURCE_DATE_EPOCH (YYYY-MM-DD): when a new source was read, no later than the commit."""
    return time.strftime("%Y-%m-%d", time.gmtime(int(epoch) - 86400))


def later(row: Row, **changes: str) -> Row:
    """A later-edition row: not the article's, no article value, a published value and a match mark."""
    row = dict(row, **{"in_article": "false", "verification": row.get("verification") or "match", **changes})
    for name in [f for f in row if f.endswith("_article") and f != "in_article"]:
        row[name] = ""
    return row


def next_year(path: Path, year_field: str, source: str, edit: Callable[[Row], Row] = later) -> int:
    """Append, for the latest year's rows, a copy one year later (made by `edit`) citing `source` (which may name
    the year: "gii-{year}"); its other source columns are emptied (e.g. economies_ranked_source: the new source gives
    those values too). Returns the new year."""
    header, rows = read_rows(path)
    latest = max(int(r[year_field]) for r in rows)
    source = source.format(year=latest + 1)
    added = [edit(dict(r, **{year_field: str(latest + 1)}, published_source=source))
             for r in rows if int(r[year_field]) == latest]
    for row in added:
        for column in [c for c in row if c.endswith("_source") and c != "published_source"]:
            row[column] = ""
    append_rows(path, header, added)
    return latest + 1


def register_source(project: Path, key: str, *, title: str, author: str, url: str, day: str, note: str, quote: str,
                    language: str = "chinese") -> None:
    """data/README.md, step 2: a row in sources.csv (read on `day`; quote_new_values adds the values to its
    `quote`) and an entry in book/references.bib."""
    header, _ = read_rows(project / "data" / "sources.csv")
    given = {"source_id": key, "kind": "official", "note": note, "accessed": day, "quote": quote}
    append_rows(project / "data" / "sources.csv", header, [{c: given.get(c, "") for c in header}])
    with (project / "book" / "references.bib").open("a", encoding="utf-8") as bib:
        bib.write(f"\n@online{{{key},\n  author = {{{{{author}}}}},\n  title = {{{title}}},\n  date = {{{day}}},\n"
                  f"  url = {{{url}}},\n  urldate = {{{day}}},\n  language = {{{language}}},\n}}\n")


def quote_new_values(data: Path, years: dict[str, int]) -> None:
    """What the maintainer also does: the cited source's quote gives each new published value (szhk.provenance
    checks it). Here the new numbers of each resource's new `years` are appended to their sources' quotes."""
    descriptor = json.loads((data / "datapackage.json").read_text(encoding="utf-8"))
    given: dict[str, list[str]] = {}
    for resource in descriptor["resources"]:
        if resource["name"] not in years or not resource.get("quoted_values"):
            continue
        _, rows = read_rows(data / resource["path"])
        year_field = resource["schema"]["fields"][0]["name"]
        for row in (r for r in rows if r[year_field] == str(years[resource["name"]])):
            for spec in resource["quoted_values"]:
                source = next((row[c] for c in spec["sources"] if row.get(c)), "")
                if row.get(spec["field"]) and source:
                    given.setdefault(source, []).append(row[spec["field"]])
    header, sources = read_rows(data / "sources.csv")
    for source in sources:
        if source["source_id"] in given:
            source["quote"] = (source["quote"] + " … 新版次：" + "、".join(given[source["source_id"]])).strip()
    with (data / "sources.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(sources)


def raise_edition(project: Path, day: str, summary: str) -> str:
    """data/README.md, step 4: a new row in editions.csv, one version up; returns the version."""
    header, rows = read_rows(project / "data" / "editions.csv")
    major, minor = rows[-1]["version"].split(".")
    version = f"{major}.{int(minor) + 1}"
    append_rows(project / "data" / "editions.csv", header, [{"version": version, "released": day, "summary": summary}])
    return version
