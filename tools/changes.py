"""The change report for readers (更新说明): what the edition being published changes against the previous
*published* edition, in plain words, and the list of editions (版本记录).

tools/build.py calls write_changes when it stages a new edition. Each published site keeps a record of what it was
built from (``record/``: the data, references.bib and the edition's version and data date, as the pages show them);
the record of the last published edition of another version is kept in ``_build/previous-edition`` so that building
the same edition again compares with the same edition and writes the same page.

Compared, and said as a reader knows them (never column names, keys or internal ids):
- each data row, named by the table or figure that shows it and by its labels (year, economy, university …),
  with its values and sources when new; a changed value as old → new; verification marks in words;
- the figures: which rows of their data are new, gone or changed;
- the sources (book/references.bib): new, removed, or with another title, publisher, date or address;
- the version and 数据截至.
The words come from tools/changes.yml, field names from each field's description in datapackage.json, figure
names from the published pages' captions. Only the standard library, PyYAML, pybtex and BeautifulSoup are used.
"""
from __future__ import annotations

import csv
import html
import json
import posixpath
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from bs4 import BeautifulSoup
from szhk_names import EDITION_STATE_FILE, EDITIONS_FILE, editions, zh_date

PAGE = "changes.html"
TEXT = "changes.txt"
RECORD = "record"  # in each published site: what the edition was built from
EDITION_FILE = "edition.json"
BIBLIOGRAPHY = "references.bib"
WORDING = yaml.safe_load((Path(__file__).with_name("changes.yml")).read_text(encoding="utf-8"))
IMPLIED = ("note", "in_article")  # a note is reported on its own; in_article is which table shows the row
LIMIT = 12  # rows named per figure before "等 N 行"
_SHORT = re.compile(r"[；。：]")
_ASIDE = re.compile(r"（[^）]*）|【[^】]*】")  # parentheses and editorial marks: not part of a name
_CODE = re.compile(r"^[a-z0-9_]+$")  # a code value (hk_gerd): readers get words, not codes


# ---- Records --------------------------------------------------------------------------------------------------
def write_changes(build: Path, staged: Path, data: Path, bibliography: Path, doctrees: Path) -> None:
    """The record of the edition staged in `staged` (its data, bibliography, version and data date) and the change
    report for readers (html/changes.html, changes.txt): this edition against the previous *published* edition,
    which keep_previous keeps in `build`, so building the same edition again writes the same page. The version and
    the data date are those the pages show: szhk_sphinx.edition recorded them in Sphinx's doctree folder
    `doctrees`."""
    shown = json.loads((doctrees / EDITION_STATE_FILE).read_text(encoding="utf-8"))
    history = editions(data)
    record = write_record(staged, data, bibliography, shown["version"], shown["data_as_of"], history)
    current = build / "site"
    previous = keep_previous(build, current.resolve() if current.exists() else None, shown["version"])
    result = report(previous, record, staged / "html")
    (staged / TEXT).write_text(as_text(result) + "\n", encoding="utf-8")
    write_page(staged / "html" / PAGE, result, history)


def write_record(site: Path, data: Path, bibliography: Path, version: str, data_as_of: str,
                 history: list[dict[str, str]]) -> Path:
    """The record of the edition in `site`: its data, its bibliography, its version, date (when `history`, the rows
    of data/editions.csv, records it) and data date."""
    record = site / RECORD
    shutil.copytree(data, record / "data")
    shutil.copy2(bibliography, record / BIBLIOGRAPHY)
    released = next((row.get("released", "") for row in reversed(history) if row["version"].strip() == version), "")
    info = {"version": version, "date": released, "data_as_of": data_as_of}
    (record / EDITION_FILE).write_text(json.dumps(info, ensure_ascii=False, sort_keys=True), encoding="utf-8")
    return record


def edition_of(record: Path | None) -> dict[str, str]:
    if record is None or not (record / EDITION_FILE).is_file():
        return {}
    return json.loads((record / EDITION_FILE).read_text(encoding="utf-8"))


def keep_previous(build: Path, published_site: Path | None, version: str) -> Path | None:
    """The record to compare the new edition with: the published one when it is another version (it is then
    kept in _build/previous-edition), else the one kept when this version was first published."""
    kept = build / "previous-edition"
    current = published_site / RECORD if published_site is not None else None
    if current is not None and current.is_dir() and edition_of(current).get("version") != version:
        staging = build / ".previous-edition.new"
        shutil.rmtree(staging, ignore_errors=True)
        shutil.copytree(current, staging)
        shutil.rmtree(kept, ignore_errors=True)
        staging.rename(kept)
    return kept if (kept / EDITION_FILE).is_file() and edition_of(kept).get("version") != version else None


# ---- Reading the data as a reader sees it -------------------------------------------------------------------------
def _rows(path: Path) -> list[dict[str, str]]:
    if not path.is_file():
        return []
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def _short(description: str) -> str:
    """A field's description cut to its first clause: "已发表来源给出的名次；空表示…" → "已发表来源给出的名次"."""
    return _SHORT.split(_ASIDE.sub("", description or ""), maxsplit=1)[0].strip()


@dataclass(frozen=True)
class Place:
    """A table or figure as readers know it, and which rows it shows (in_article true, false, or None: all)."""
    name: str
    in_article: bool | None
    figure: bool


@dataclass
class Resource:
    name: str
    path: str
    title: str
    key: list[str]
    fields: dict[str, dict[str, Any]]
    sources: list[str] = field(default_factory=list)  # its columns citing sources.csv

    def label(self, row: dict[str, str]) -> str:
        """The row as a reader names it: its key's names (a code replaced by its *_zh name) and its year."""
        names, years = [], []
        for column in self.key:
            value = (row.get(column) or "").strip()
            zh = column[: -len("_code")] + "_zh" if column.endswith("_code") else ""
            if zh and (row.get(zh) or "").strip():
                names.append(row[zh].strip())
            elif self.fields.get(column, {}).get("unit") == "年":
                years.append(f"{value} 年")
            else:
                names.append(value)
        return " ".join([*names, *years])

    def value(self, column: str, value: str, titles: dict[str, str]) -> str:
        value = (value or "").strip()
        if not value:
            return WORDING["empty"]
        spec = self.fields.get(column, {})
        if column in self.sources:
            return "；".join(titles.get(v.strip(), v.strip()) for v in value.split(";") if v.strip())
        if spec.get("type") == "boolean":
            return WORDING["booleans"].get(value, value)
        if value in WORDING["verification"] and "enum" in spec.get("constraints", {}):
            return WORDING["verification"][value]
        unit = spec.get("unit")
        if unit == "名":
            return WORDING["rank"].format(value=value)
        return WORDING["quantity"].format(value=value, unit=unit).strip() if unit and unit != "年" else value

    def what(self, column: str) -> str:
        if column.endswith("verification"):
            return WORDING["verification_label"]
        return _short(self.fields.get(column, {}).get("description", "")) or column

    def is_code(self, column: str) -> bool:
        """A column of codes (a closed list of identifiers, e.g. a measure's): not shown to readers, except the
        verification marks, which have words (tools/changes.yml)."""
        enum = self.fields.get(column, {}).get("constraints", {}).get("enum") or []
        return bool(enum) and all(_CODE.match(str(v)) for v in enum) and not column.endswith("verification")

    def described_columns(self, row: dict[str, str]) -> list[str]:
        """Columns that carry values (not the key, the names that go with it, codes, notes or sources)."""
        names = {c[: -len("_code")] + "_zh" for c in self.key if c.endswith("_code")}
        return [c for c in row if c not in self.key and c not in names and c not in self.sources
                and c not in IMPLIED and c in self.fields and not self.is_code(c)]


def resources(data: Path) -> dict[str, Resource]:
    package = json.loads((data / "datapackage.json").read_text(encoding="utf-8-sig"))
    found = {}
    for item in package.get("resources", []):
        schema = item.get("schema", {})
        key = schema.get("primaryKey", [])
        sources = [f for fk in schema.get("foreignKeys", []) if (fk.get("reference") or {}).get("resource") == "sources"
                   for f in ([fk["fields"]] if isinstance(fk["fields"], str) else fk["fields"])]
        found[item["name"]] = Resource(item["name"], item.get("path", ""), item.get("title", item["name"]),
                                       [key] if isinstance(key, str) else list(key),
                                       {f["name"]: f for f in schema.get("fields", [])}, sources)
    return found


def figure_names(data: Path, html_dir: Path | None) -> dict[str, list[Place]]:
    """Resource → the figures and tables that show it, named as on the pages ("图 3 …", "表 1 续"), each with the
    rows it shows: those of the article (in_article true), the later ones (false), or all (None). Figures are
    datapackage.json's `figures` named by their captions; tables are its `tables`."""
    package = json.loads((data / "datapackage.json").read_text(encoding="utf-8-sig"))
    captions: dict[str, str] = {}
    if html_dir is not None:
        for page in sorted(html_dir.rglob("*.html")):
            soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
            for figure in soup.find_all("figure", id=True):
                caption = figure.find("figcaption")
                if caption is not None and figure["id"] not in captions:
                    words = caption.get_text(" ", strip=True)
                    name = re.split(r"[。：（]", _ASIDE.sub("", words), maxsplit=1)[0]
                    captions[figure["id"]] = re.sub(r"\s+", " ", name).strip(" #¶")
    shown: dict[str, list[Place]] = {}
    for title, spec in (package.get("tables") or {}).items():
        for name in spec.get("resources", []):
            shown.setdefault(name, []).append(Place(title, spec.get("in_article"), False))
    for figure_id, spec in (package.get("figures") or {}).items():
        if figure_id not in captions:
            continue
        read = {f.split(".", 1)[0] for f in spec.get("value_fields", [])} | set(filter(None, [spec.get("counts_rows_of")]))
        for name in sorted(read):
            if captions[figure_id] not in [place.name for place in shown.get(name, [])]:
                shown.setdefault(name, []).append(Place(captions[figure_id], None, True))
    return shown


def _where(shown: list[Place], row: dict[str, str], fallback: str) -> list[Place]:
    """The tables and figures that show `row` (a table of the article's rows shows no later row)."""
    in_article = (row.get("in_article") or "").strip().lower()
    places = [place for place in shown
              if place.in_article is None or not in_article or (in_article == "true") == place.in_article]
    return places or [Place(fallback, None, False)]


def source_titles(bibliography: Path) -> dict[str, dict[str, str]]:
    """Source id → its fields in references.bib (title, author, date, url, urldate), as written there."""
    if not bibliography.is_file():
        return {}
    from pybtex.database import parse_file

    entries = parse_file(str(bibliography), bib_format="bibtex").entries
    out = {}
    for key, entry in entries.items():
        fields = {name: re.sub(r"[{}]", "", str(entry.fields.get(name, ""))) for name in WORDING["bib_fields"]}
        authors = entry.persons.get("author") or []
        if authors and not fields["author"]:
            fields["author"] = re.sub(r"[{}]", "", " ".join(str(p) for p in authors))
        out[key] = fields
    return out


def _title(fields: dict[str, str], key: str) -> str:
    title = fields.get("title") or key
    return f"《{title}》" + (f"（{fields['author']}）" if fields.get("author") else "")


# ---- Comparing -------------------------------------------------------------------------------------------------
@dataclass
class Report:
    compared: bool
    new: dict[str, str]
    old: dict[str, str] = field(default_factory=dict)
    sections: dict[str, list[str]] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return any(self.sections.values())


def _listed(rows: list[str]) -> str:
    shown = WORDING["rows_separator"].join(rows[:LIMIT])
    return shown + (WORDING["more"].format(count=len(rows)) if len(rows) > LIMIT else "")


def data_changes(old: Path, new: Path, titles: dict[str, dict[str, str]],
                 shown: dict[str, list[Place]]) -> tuple[list[str], list[str]]:
    """(lines about rows, lines about figures) between two data folders."""
    before, after = resources(old), resources(new)
    names = {key: _title(fields, key) for key, fields in titles.items()}
    lines: list[str] = []
    figures: dict[str, dict[str, list[str]]] = {}
    for name, resource in after.items():
        if name == "sources" or resource.path == EDITIONS_FILE:
            continue  # the registry is reported through references.bib; the editions are the history
        a = _rows(old / before[name].path) if name in before else []
        b = _rows(new / resource.path)
        if a == b:
            continue
        key = lambda row: tuple((row.get(k) or "").strip() for k in resource.key)  # noqa: E731
        old_rows, new_rows = {key(r): r for r in a}, {key(r): r for r in b}
        places = shown.get(name, [])

        def cited(row: dict[str, str]) -> str:
            ids = [v.strip() for c in resource.sources for v in (row.get(c) or "").split(";") if v.strip()]
            return WORDING["source_of_row"].format(sources="；".join(names.get(i, i) for i in dict.fromkeys(ids))) if ids else ""

        def values(row: dict[str, str]) -> str:
            return WORDING["list_separator"].join(
                f"{resource.what(c)} {resource.value(c, row[c], names)}"
                for c in resource.described_columns(row) if (row.get(c) or "").strip())

        for k, row in new_rows.items():
            where = _where(places, row, resource.title)
            label = f"{'、'.join(w.name for w in where)} {resource.label(row)}"
            if k not in old_rows:
                lines.append(WORDING["added"].format(row=label, values=values(row)) + cited(row))
                for figure in [w.name for w in where if w.figure]:
                    figures.setdefault(figure, {}).setdefault("figure_added", []).append(resource.label(row))
                continue
            previous = old_rows[k]
            parts = [WORDING["changed"].format(row="", what=resource.what(c), old=resource.value(c, previous.get(c, ""), names),
                                               new=resource.value(c, row.get(c, ""), names)).strip()
                     for c in [*resource.described_columns(row), *resource.sources]
                     if (previous.get(c) or "").strip() != (row.get(c) or "").strip()]
            if parts:
                lines.append(f"{label} " + "；".join(parts))
                for figure in [w.name for w in where if w.figure]:
                    figures.setdefault(figure, {}).setdefault("figure_changed", []).append(resource.label(row))
            elif (previous.get("note") or "").strip() != (row.get("note") or "").strip():
                lines.append(WORDING["note_changed"].format(row=label, new=(row.get("note") or "").strip()))
        for k, row in old_rows.items():
            if k not in new_rows:
                where = _where(places, row, resource.title)
                lines.append(WORDING["removed"].format(row=f"{'、'.join(w.name for w in where)} {resource.label(row)}",
                                                       values=values(row)))
                for figure in [w.name for w in where if w.figure]:
                    figures.setdefault(figure, {}).setdefault("figure_removed", []).append(resource.label(row))
    figure_lines = [WORDING["figure_rows"].format(
        figure=figure, what="；".join(WORDING[kind].format(rows=_listed(rows)) for kind, rows in kinds.items()))
        for figure, kinds in figures.items()]
    return lines, figure_lines


def source_changes(old: dict[str, dict[str, str]], new: dict[str, dict[str, str]]) -> list[str]:
    lines = [WORDING["source_added"].format(title=_title(new[k], k)) for k in new if k not in old]
    lines += [WORDING["source_removed"].format(title=_title(old[k], k)) for k in old if k not in new]
    for key in [k for k in new if k in old]:
        for name, label in WORDING["bib_fields"].items():
            if old[key].get(name, "") != new[key].get(name, ""):
                lines.append(WORDING["source_changed"].format(title=_title(old[key], key), what=label,
                                                              new=new[key].get(name) or WORDING["empty"]))
    return lines


def report(previous: Path | None, record: Path, html_dir: Path | None = None) -> Report:
    """The staged edition's `record` against the `previous` published edition's (None: a first edition)."""
    new = edition_of(record)
    if previous is None:
        return Report(False, new)
    old = edition_of(previous)
    sections: dict[str, list[str]] = {key: [] for key in ("edition", "data", "figures", "sources")}
    if old.get("data_as_of") != new.get("data_as_of"):
        sections["edition"].append(WORDING["data_as_of"].format(old=_date(old.get("data_as_of")),
                                                                new=_date(new.get("data_as_of"))))
    titles_old, titles_new = source_titles(previous / BIBLIOGRAPHY), source_titles(record / BIBLIOGRAPHY)
    sections["data"], sections["figures"] = data_changes(previous / "data", record / "data", titles_new,
                                                         figure_names(record / "data", html_dir))
    sections["sources"] = source_changes(titles_old, titles_new)
    return Report(True, new, old, sections)


def _date(value: str | None) -> str:
    """A date as the book writes it (2026 年 1 月 26 日), or as recorded when it is not one."""
    try:
        return zh_date(value or "")
    except ValueError:
        return value or WORDING["empty"]


# ---- Writing ---------------------------------------------------------------------------------------------------
def as_text(result: Report) -> str:
    lines = [WORDING["title"]]
    if not result.compared:
        lines.append(WORDING["first"])
    else:
        lines.append(WORDING["compared"].format(new=result.new.get("version"), new_date=_date(result.new.get("date")),
                                                old=result.old.get("version"), old_date=_date(result.old.get("date"))))
        if not result.changed:
            lines.append(WORDING["nothing"])
        for key, items in result.sections.items():
            if items:
                lines.append(f"【{WORDING['sections'][key]}】")
                lines += [f"  - {item}" for item in items]
    return "\n".join(lines)


BOOK_HOME = "book/index.html"  # the book's front page, beside changes.html: its stylesheets give the page the book's look


def book_stylesheets(page_dir: Path) -> list[str]:
    """The book's stylesheets (the theme's and the book's own, as the front page links them), as addresses from
    `page_dir`; none when the front page is not there (a report written outside a build)."""
    home = page_dir / BOOK_HOME
    if not home.is_file():
        return []
    soup = BeautifulSoup(home.read_text(encoding="utf-8"), "html.parser")
    return [posixpath.normpath(posixpath.join(posixpath.dirname(BOOK_HOME), link["href"]))
            for link in soup.find_all("link", rel="stylesheet") if link.get("href")
            and "://" not in link["href"]]


def book_title(page_dir: Path) -> str:
    """The book's title as its front page shows it (the theme's title in the sidebar); "" when there is none."""
    soup = BeautifulSoup((page_dir / BOOK_HOME).read_text(encoding="utf-8"), "html.parser")
    found = soup.select_one(".logo__title")
    return found.get_text(" ", strip=True) if found else ""


def write_page(path: Path, result: Report, history: list[dict[str, str]]) -> None:
    """changes.html: this edition's changes, then the editions, newest first; in the book's look (its stylesheets,
    the article column) with a link back to the book's front page."""
    body = [f"<p>{html.escape(WORDING['intro'])}</p>"]
    if not result.compared:
        body.append(f"<p>{html.escape(WORDING['first'])}</p>")
    else:
        body.append("<p>" + html.escape(WORDING["compared"].format(
            new=result.new.get("version"), new_date=_date(result.new.get("date")),
            old=result.old.get("version"), old_date=_date(result.old.get("date")))) + "</p>")
        if not result.changed:
            body.append(f"<p>{html.escape(WORDING['nothing'])}</p>")
        for key, items in result.sections.items():
            if items:
                body.append(f"<h2>{html.escape(WORDING['sections'][key])}</h2><ul>"
                            + "".join(f"<li>{html.escape(i)}</li>" for i in items) + "</ul>")
    body.append(f"<h2 id=\"history\">{html.escape(WORDING['sections']['history'])}</h2><ul>" + "".join(
        "<li>" + html.escape(WORDING["history_line"].format(**{**row, "released": _date(row.get("released"))}))
        + "</li>" for row in reversed(history)) + "</ul>")
    title = html.escape(WORDING["title"])
    styles = "".join(f'<link rel="stylesheet" href="{html.escape(href)}">' for href in book_stylesheets(path.parent))
    home, book = (BOOK_HOME, book_title(path.parent)) if (path.parent / BOOK_HOME).is_file() else ("index.html", "")
    back = WORDING["back_to_book"].format(book=book) if book else WORDING["back"]
    path.write_text(
        "<!DOCTYPE html>\n<html lang=\"zh-CN\" data-theme=\"light\"><head><meta charset=\"utf-8\">"
        f"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{title}</title>{styles}"
        "<style>.szhk-changes{max-width:46em;margin:0 auto;padding:1.5rem 1rem 3rem}"
        ".szhk-changes li{margin:.3em 0;overflow-wrap:anywhere}"
        ".szhk-changes .szhk-changes-book{font-weight:600;margin-bottom:1.5rem}"
        "@media (max-width:576px){.szhk-changes h2{font-size:1.25rem}}</style></head><body>"
        "<div class=\"bd-container\"><main class=\"bd-main szhk-changes\"><article class=\"bd-article\">"
        f"<p class=\"szhk-changes-book\"><a href=\"{home}\">{html.escape(back)}</a></p><h1>{title}</h1>"
        + "".join(body) + "</article></main></div></body></html>\n", encoding="utf-8")
