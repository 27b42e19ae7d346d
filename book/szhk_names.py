"""The names the build's processes share: environment variables, the data folder, the front-matter key, the
resource digest, the list of editions and the record of the edition shown. Imported by the kernel side (szhk), the
Sphinx side (szhk_sphinx) and tools/, so a name is declared once; the standard library only, so that importing it
drags nothing into either process.

tools/build.py sets the variables for the processes it starts (Sphinx, and through it every chapter's kernel):

- SZHK_BUILD        set to 1: the extension refuses a plain `jupyter-book build` without it (no PDFs to link)
- SZHK_ROOT         the project folder (the kernels run in book/)
- SZHK_DATA_DIR     the build's snapshot of data/ (tests point it at a copy)
- SZHK_CACHE_DIR    the build's cache of validated frames and cut-down fonts (szhk.cache); unset, nothing is cached
- SOURCE_DATE_EPOCH the commit's date: the edition's date, and the same bytes from the same commit
- SZHK_DATE_BASIS   what SOURCE_DATE_EPOCH is: "commit" (git, or tools/commit.txt filled in by `git archive`) or
                    "files" (no usable git: the newest file time of book/ and data/, which the edition line says)
"""
from __future__ import annotations

import csv
import hashlib
import json
import os
import re
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

ENV_PREFIX = "SZHK_"  # every variable of the project's own starts so (a build's copy clears them)
BUILD_ENV = "SZHK_BUILD"
ROOT_ENV = "SZHK_ROOT"
DATA_DIR_ENV = "SZHK_DATA_DIR"
CACHE_DIR_ENV = "SZHK_CACHE_DIR"
EPOCH_ENV = "SOURCE_DATE_EPOCH"
DATE_BASIS_ENV = "SZHK_DATE_BASIS"
DATE_FROM_COMMIT, DATE_FROM_FILES = "commit", "files"

PACKAGE_FILE = "datapackage.json"
FRONT_MATTER_KEY = "data"  # a chapter's front matter: `data: [gii_ranks, …]`, or `data: all`
ALL = "all"
# A date as the data, the references and the editions write one: YYYY, YYYY-MM or YYYY-MM-DD
DATE = re.compile(r"(?P<year>\d{4})(?:-(?P<month>\d{2})(?:-(?P<day>\d{2}))?)?")
PERIOD = re.compile(r"(?P<year>\d{4})-(?:H(?P<half>[12])|Q(?P<quarter>[1-4]))")  # a half-year, a quarter: 2021-H1
EDITIONS_FILE = "editions.csv"  # in data/: one row per edition (version, released, summary), oldest first
# In Sphinx's doctree folder: the edition the pages show (szhk_sphinx.edition.Edition as JSON: version, data_as_of …),
# which the change report records
EDITION_STATE_FILE = "szhk-edition.json"
# The editions: Simplified Chinese, and Traditional Chinese (Hong Kong), made by a second Sphinx pass
# (szhk_sphinx.hant, tools/build.py) and published at html/hk/ and as pdf/*-hk.pdf
SC, HK = "sc", "hk"
HK_FOLDER = "hk"


def data_dir(project: Path) -> Path:
    """The folder holding datapackage.json and the CSVs: SZHK_DATA_DIR, else the project's data/."""
    override = os.environ.get(DATA_DIR_ENV)
    return Path(override).resolve() if override else project / "data"


def resource_digest(resource: Mapping[str, Any], content: bytes) -> str:
    """SHA-256 of a resource: its descriptor (as data) and its file's bytes. The Sphinx side writes it into a
    chapter's guard cell; the kernel checks the bytes it reads against it."""
    described = json.dumps(resource, sort_keys=True, ensure_ascii=False).encode()
    return hashlib.sha256(described + b"\0" + content).hexdigest()


def zh_date(value: str) -> str:
    """ "2024-01-31" → "2024 年 1 月 31 日"; "2021-06" → "2021 年 6 月"; "2022" → "2022 年": how the book writes a
    date, on both sides (the edition line, the change report, the briefing's events, the figures' timelines);
    "2021-H1" → "2021 年上半年", "2020-Q4" → "2020 年第四季度"."""
    if period := PERIOD.fullmatch(value):
        year, half, quarter = period.groups()
        return f"{year} 年" + (("上半年", "下半年")[int(half) - 1] if half else f"第{'一二三四'[int(quarter) - 1]}季度")
    match = DATE.fullmatch(value)
    if not match:
        raise ValueError(f"not a date of the form YYYY[-MM[-DD]]: {value!r}")
    year, month, day = match.groups()
    return f"{year} 年" + (f" {int(month)} 月" if month else "") + (f" {int(day)} 日" if day else "")


def editions(directory: Path) -> list[dict[str, str]]:
    """The editions `directory`/editions.csv records, oldest first (rows without a version left out); [] without the
    file. The Sphinx side takes the book's version from the last one, the change report lists them all."""
    path = directory / EDITIONS_FILE
    if not path.is_file():
        return []
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return [row for row in csv.DictReader(handle) if (row.get("version") or "").strip()]


# Data fields that date a published value: "YYYY", "YYYY-MM", "YYYY-MM-DD", and sources' "YYYY/YYYY" ranges.
DATED_FIELDS = ("published_as_of", "date")
# A row's source, a key of the book's .bib files (bibtex_bibfiles): a value's `published_source`, an event's `source_id`
# (not in sources.csv, where `source_id` is the row's own key).
SOURCE_FIELDS = ("published_source", "source_id")


def _cell(value: Any) -> str:
    """A cell as text: empty for a missing value (None, or a frame's NaN, which is not equal to itself)."""
    return "" if value is None or value != value else str(value).strip()


def _date_key(value: str) -> tuple[int, int, int] | None:
    match = DATE.fullmatch(value.strip())
    if not match:
        return None
    year, month, day = match.groups()
    return int(year), int(month or 0), int(day or 0)


def _csv_rows(directory: Path, resource: Mapping[str, Any]) -> Iterable[Mapping[str, Any]]:
    with open(directory / resource["path"], encoding="utf-8-sig", newline="") as handle:
        yield from csv.DictReader(handle)


def data_cut_off(directory: Path, cited_dates: Callable[[set[str]], Iterable[str]] = lambda keys: (),
                 rows: Callable[[str], Iterable[Mapping[str, Any]]] | None = None) -> str | None:
    """The latest date the published values are current to (数据截至), as written: the data's own dates (fields
    `published_as_of` and the sources' `date`; the end of a range "2015/2022") and `cited_dates(keys)`, the
    publication dates of the sources the data's rows cite (`published_source`, an event's `source_id`). None when nothing is dated. The
    edition line (szhk_sphinx.edition) and the pages' "截至" (szhk.front) both call it: one cut-off. (A `year` field
    is not a date: a ranking labelled 2026 may appear in 2025.) `rows(name)` reads a resource's rows (the kernel
    reads them through szhk.data.load, which checks that its page declares them); by default its CSV file."""
    descriptor = json.loads((directory / PACKAGE_FILE).read_text(encoding="utf-8"))
    dates: list[str] = []
    cited: set[str] = set()
    for resource in descriptor["resources"]:
        names = [f["name"] for f in resource.get("schema", {}).get("fields", [])]
        fields = [name for name in names if name in DATED_FIELDS]
        own_key = resource.get("schema", {}).get("primaryKey")
        citing = [name for name in names if name in SOURCE_FIELDS and name != own_key and [name] != own_key]
        if not fields and not citing:
            continue
        for row in (rows(resource["name"]) if rows else _csv_rows(directory, resource)):
            dates += [_cell(row.get(name)).split("/")[-1] for name in fields]
            cited.update(key.strip() for name in citing for key in _cell(row.get(name)).split(";") if key.strip())
    dates += list(cited_dates(cited))
    dated = [(key, text) for text in dates if (key := _date_key(text))]
    return max(dated)[1] if dated else None
