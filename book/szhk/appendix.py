"""The data appendix (数据与方法, book/data-appendix.md): Markdown made from the package, rendered by myst-nb as MyST.

Its opening table says for each dataset what it is, where its numbers come from, what checking found (the
verification marks present, not a second count) and its download; the data dictionary then gives each dataset's
sentences, readers, sources, fields, rules and marks, folded away in a dropdown. The page reads the book's names
of the codes once (`words`) and hands them to each table.
"""
from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from . import claims, data, deps, phrases, provenance
from . import markdown as md

__all__ = ["Words", "words", "datasets_markdown", "resources_markdown", "dictionary_markdown", "sources_by_id",
           "secondary_only_markdown"]


@dataclass(frozen=True)
class Words:
    """How the book names the codes the appendix shows (data/labels.csv): verification marks, source kinds and
    field formats, each code -> its Chinese name in the file's order; and, for the rows a claim of the register
    reads alone, the register's status (so a row the data marks ``unconfirmed`` reads as the register reads it:
    未找到来源, 待核 or 文本自明)."""

    verification: dict[str, str]
    source_kind: dict[str, str]
    pattern: dict[str, str]
    register: dict[tuple[str, str], str] = field(default_factory=dict)


def words() -> Words:
    """The names of the codes and the register's statuses by row, read once for the page."""
    return Words(data.labels("verification"), data.labels("source_kind"), data.labels("pattern"),
                 claims.status_by_row(claims.register()))


def _cell(value: object) -> str:
    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value).strip()


def _row_verdicts(resource: dict[str, Any], frame: pd.DataFrame, words: Words) -> list[str]:
    """What checking found for each row, in the register's words (一致、不一致、未找到来源、待核、文本自明; 一致 only
    from secondary sources says so): the label of the row's mark, except that a row marked ``unconfirmed`` takes the
    status the register gives the claim that reads it (the data's mark cannot tell 未找到来源 from 待核 or 文本自明)."""
    if "verification" not in frame.columns:
        return []
    key = _primary_key(resource)
    verdicts = []
    for row in frame.to_dict("records"):
        mark = row["verification"]
        if mark is None or (not isinstance(mark, str) and pd.isna(mark)):
            continue
        row_key = "|".join(_cell(row[k]) for k in key)
        status = words.register.get((resource["name"], row_key)) if mark == "unconfirmed" else None
        verdicts.append(status if status in (claims.NOT_FOUND, claims.PENDING, claims.BY_TEXT)
                        else words.verification.get(mark, mark))
    return verdicts


def _verdict_counts(resource: dict[str, Any], frame: pd.DataFrame, words: Words) -> dict[str, int]:
    """How many rows carry each verdict, in the register's order (the labels' order, then the register's statuses)."""
    counts = Counter(_row_verdicts(resource, frame, words))
    order = dict.fromkeys([*words.verification.values(), *claims.STATUSES])
    return {verdict: counts[verdict] for verdict in order if counts[verdict]}


def _md(phrase_id: str, **values: object) -> md.Markup:
    """A template of data/register_phrases.csv as MyST (plain values escaped, `md.Markup` values as they are)."""
    return phrases.md(phrases.REGISTER, phrase_id, **values)


def _plain(phrase_id: str, **values: object) -> str:
    return phrases.plain(phrases.REGISTER, phrase_id, **values)


def _prose(text: str, resource: dict[str, Any], words: Words) -> md.Markup:
    """A description or rule of the package as a reader reads it: a yes/no field written the data's way ("in_article
    为 true", "in_article 均为 false") by its title (见于文章：是), a verification code by the book's name of it."""
    titled = {f["name"]: f["title"] for f in resource["schema"]["fields"] if f.get("title") and f.get("type") == "boolean"}

    def written(phrase_id: str) -> str:  # how the data writes such a value (register_phrases.csv), as a pattern
        return re.escape(_plain(phrase_id, field="FIELD", value="VALUE")).replace(
            "FIELD", rf"\b(?P<field>{'|'.join(map(re.escape, titled))})").replace("VALUE", r"(?P<value>true|false)\b")

    def flag(match: re.Match[str], phrase_id: str) -> str:
        value = _plain("flag_yes" if match.group("value") == "true" else "flag_no")
        return _plain(phrase_id, field=titled[match.group("field")], value=value)

    if titled:
        for data_way, reader_way in (("flag_written_all", "flag_all"), ("flag_written", "flag")):
            text = re.sub(written(data_way), lambda m, reader_way=reader_way: flag(m, reader_way), text)
    for code, name in sorted(words.verification.items(), key=lambda item: -len(item[0])):
        shown = _plain("mark_in_prose", mark=name)  # a function, so that a backslash in the name is not a group
        text = re.sub(rf"(?<![\w(]){re.escape(code)}(?![\w)])", lambda _match, shown=shown: shown, text)
    return md.text(text)


def _download(relative: str, text: str, page_dir: Path) -> md.Markup:
    """A link to a file of the data folder; a Markdown link to a file that is not a page is a download link."""
    return md.link(text, Path(os.path.relpath(data.data_dir() / relative, page_dir)).as_posix())


# ---- The opening table ------------------------------------------------------------------------------------------
def _sources_cell(resource: dict, kinds: dict[str, str]) -> md.Markup:
    """How many sources of each kind the dataset's rows cite (the article itself first), e.g. "article; official 3, secondary 9", in the book's words."""
    sources = data.sources_of(resource)
    counts = Counter(s.get("kind", "") for s in sources if s.get("kind") != "article")
    parts = ([kinds["article"]] if any(s.get("kind") == "article" for s in sources) else []) + [
        f"{kinds.get(kind, kind)} {n}" for kind, n in counts.items()]
    return md.text("、".join(parts) if parts else "—")


def _status_cell(resource: dict[str, Any], words: Words) -> md.Markup:
    """The verdicts the dataset's rows carry (一致、不一致、未找到来源 …), in the register's order; "—" when none."""
    shown = list(_verdict_counts(resource, data.load(resource["name"]), words))
    return md.text("、".join(shown) if shown else "—")


def datasets_markdown(page_dir: Path, headers: list[str], words: Words, *, brief: bool = False) -> str:
    """Every dataset: its title (linking to its fields on the data dictionary page) and description, its sources,
    its status and its CSV, as a list (it reads on a phone). `brief` (paper): a table of title, sources and status.
    `headers` are the page's words: the dataset, the sources, the status (and, on the web, the download)."""
    resources = data.package()["resources"]
    if brief:
        rows = [[md.text(r.get("title") or r["name"]), _sources_cell(r, words.source_kind),
                 _status_cell(r, words)] for r in resources]
        # longtable: on paper the table breaks across pages instead of running past the folio
        return md.list_table(headers, rows, widths=[50, 28, 22], css_class="longtable")
    items = []
    for resource in resources:
        name = resource["name"]
        title = md.link(resource.get("title") or name, f"data-{name}")
        items.append(f"- **{title}**：{_prose(resource.get('description', ''), resource, words)}\\\n"
                     f"  {md.text(headers[1])}：{_sources_cell(resource, words.source_kind)}；"
                     f"{md.text(headers[2])}：{_status_cell(resource, words)}；{md.text(headers[3])}："
                     f"{_download(resource['path'], resource['path'], page_dir)}")
    return "\n".join(items) + "\n"


# ---- The data dictionary ----------------------------------------------------------------------------------------
def _constraints_zh(field: dict[str, Any], formats: dict[str, str]) -> str:
    c = field.get("constraints", {})
    parts = []
    if c.get("required"):
        parts.append(_plain("required"))
    low, high = c.get("minimum"), c.get("maximum")
    if low is not None and high is not None:
        parts.append(f"{low}–{high}")
    elif low is not None:
        parts.append(f"≥ {low}")
    elif high is not None:
        parts.append(f"≤ {high}")
    if c.get("enum"):
        parts.append(_md("allowed_values", values=md.Markup("、".join(md.text(v) for v in c["enum"]))))
    if c.get("pattern"):
        parts.append(_md("format", format=formats.get(c["pattern"], formats["other"])))
    return "；".join(parts) or "—"


def _fmt(value: object) -> md.Markup:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return md.Markup("—")
    if isinstance(value, float) and value.is_integer():
        return md.text(int(value))
    return md.text(value)


def _qualified(row: pd.Series, column: str, qualifier_column: str) -> str:
    qualifier = row.get(qualifier_column) if qualifier_column in row.index else None
    prefix = "" if qualifier is None or pd.isna(qualifier) else f"{md.text(qualifier)} "
    return prefix + _fmt(row[column])


def _field_name(name: str, titles: dict[str, str]) -> md.Markup:
    """A field as a reader reads it: its title in datapackage.json where it has one, its code otherwise."""
    return md.text(titles[name]) if titles.get(name) else md.code(name)


def _differing_lines(frame: pd.DataFrame, key: Sequence[str], titles: dict[str, str] | None = None) -> list[str]:
    """One line per value marked differs: the article's and the published value, with qualifiers and the note."""
    titles = titles or {}
    lines = []
    for mark_column in [c for c in frame.columns if c == "verification" or c.endswith("_verification")]:
        if mark_column == "verification":
            pairs = [(c, c[: -len("_article")] + "_published") for c in frame.columns if c.endswith("_article")]
        else:
            stem = mark_column[: -len("_verification")]
            pairs = [(stem + "_article", stem)]
        pairs = [(a, p) for a, p in pairs if a in frame.columns and p in frame.columns]
        for _, row in frame[frame[mark_column] == "differs"].iterrows():
            values = "；".join(
                _md("differing_values", field=_field_name(a, titles), article=md.Markup(_qualified(row, a, "qualifier")),
                    published=md.Markup(_qualified(row, p, "qualifier_published")))
                for a, p in pairs if _fmt(row[a]) != _fmt(row[p])
            )
            note = f"。{md.text(row['note'])}" if "note" in frame.columns and not pd.isna(row["note"]) else ""
            label = " · ".join(md.text(row[k]) for k in key)
            lines.append("- " + _md("differing_line", row=md.Markup(label), values=md.Markup(values),
                                    note=md.Markup(note)))
    return lines


def _primary_key(resource: dict[str, Any]) -> list[str]:
    key = resource["schema"].get("primaryKey", [])
    return [key] if isinstance(key, str) else list(key)


def _lead(resource: dict[str, Any], frame: pd.DataFrame, page_dir: Path, words: Words) -> list[str]:
    """What the dataset is, how many rows, what checking found (the one tally of its marks) and its CSV; then the
    values that differ from their sources."""
    facts = [_plain("rows", rows=len(frame))]
    counts = _verdict_counts(resource, frame, words)
    if counts:
        summary = "、".join(_md("mark_count", mark=verdict, count=n) for verdict, n in counts.items())
        facts.append(f"**{_plain('marks_heading')}**：{summary}")
    facts.append(_download(resource["path"], _plain("download", path=resource["path"]), page_dir))
    lines = [f"{_prose(resource.get('description', ''), resource, words)}\n", "；".join(facts) + "。\n"]
    titles = {f["name"]: f.get("title", "") for f in resource["schema"]["fields"]}
    differing = _differing_lines(frame, _primary_key(resource), titles)
    return lines + (differing + [""] if differing else [])


def _sentences(resource: dict[str, Any]) -> list[str]:
    sentences = resource.get("article_sentences", [])
    if not sentences:
        return []
    out = [f"**{_plain('sentences_heading')}**\n", *(f"> {md.text(s)}\n>" for s in sentences)]
    out[-1] = out[-1].rstrip(">").rstrip()
    return [*out, ""]


def _readers_and_sources(resource: dict[str, Any], readers: Sequence[str], words: Words) -> list[str]:
    chapters = [c for c in readers if c != "data-appendix"]
    used = "、".join(md.role("doc", c) for c in chapters) if chapters else _plain("readers_none")
    out = [f"**{_plain('readers_heading')}**：{used}\n", f"**{_plain('sources_heading')}**\n"]
    for source in data.sources_of(resource):  # the bibliography (references.bib) gives each title, date and URL
        cited = md.text(_plain("article_source")) if source.get("kind") == "article" else md.role("cite", source["id"])
        kind = words.source_kind.get(source.get("kind", "")) or _plain("source_kind_unknown")
        out.append("- " + _md("source_item", source=cited, kind=kind, code=md.code(source.get("id", ""))))
    return [*out, ""]


def _schema(resource: dict[str, Any], words: Words) -> list[str]:
    """The fields (title or code, type, unit, description, constraints) and the rules Frictionless checks, folded
    away: a reader who wants the CSV's columns opens it."""
    schema, name = resource["schema"], resource["name"]
    field_rows = [
        [md.Markup(f"{md.text(f['title'])}（{md.code(f['name'])}）") if f.get("title") else md.code(f["name"]),
         f.get("type", ""), f.get("unit", ""), f.get("description", ""), md.Markup(_constraints_zh(f, words.pattern))]
        for f in schema["fields"]
    ]
    header = [_plain(f"field_column_{column}") for column in ("name", "type", "unit", "description", "constraints")]
    key = _primary_key(resource)
    rules = [_md("rule_primary_key", fields=md.Markup("、".join(md.code(k) for k in key)))] if key else []
    for fk in schema.get("foreignKeys", []):
        fields = fk["fields"] if isinstance(fk["fields"], list) else [fk["fields"]]
        target = fk["reference"].get("resource") or name
        rules.append(_md("rule_foreign_key", fields=md.Markup("、".join(md.code(x) for x in fields)),
                         target=md.code(target + ".csv")))
    for check in resource.get("checklist", {}).get("checks", []):
        rules.append(_prose(check.get("title") or check.get("formula") or check.get("type"), resource, words))
    out = [f":::{{dropdown}} {_md('schema_summary', name=md.code(name))}", f"**{_plain('fields_heading')}**\n",
           md.list_table(header, field_rows, widths=[18, 8, 8, 44, 22])]
    if rules:
        out += [f"**{_plain('rules_heading')}**{_plain('rules_heading_note')}\n", *(f"- {rule}" for rule in rules), ""]
    return [*out, ":::", ""]


def _resource_markdown(resource: dict[str, Any], page_dir: Path, licence: str, readers: Sequence[str],
                       words: Words) -> str:
    """One dataset in reader words first (what it is, its rows, what checking found, its CSV, the values that
    differ; the article's sentences it supports, the pages that read it, its sources), its schema folded away."""
    frame = data.load(resource["name"])
    out = [f"(data-{resource['name']})=", f"### {md.text(resource.get('title') or resource['name'])}", ""]
    out += _lead(resource, frame, page_dir, words) + _sentences(resource) + _readers_and_sources(resource, readers, words)
    if resource.get("licence_note") and resource["licence_note"] != licence:
        out.append(f"**{_plain('licence_heading')}**：{md.text(resource['licence_note'])}\n")
    out += _schema(resource, words)
    return "\n".join(out) + "\n"


def resources_markdown(page_dir: Path, words: Words, readers: dict[str, Sequence[str]] | None = None) -> str:
    """One section per dataset: description, article sentences, the pages that read it (`readers`: resource ->
    pages whose front matter declares it; by default what the Sphinx side told this `data: all` page), sources,
    fields, rules, marks."""
    descriptor = data.package()
    licence = descriptor.get("licence_note", "")
    readers = deps.readers() if readers is None else readers
    return "\n".join(_resource_markdown(r, page_dir, licence, readers.get(r["name"], []), words)
                     for r in descriptor["resources"])


def dictionary_markdown(page_dir: Path, words: Words) -> str:
    """The field-by-field dictionary for a dropdown: each dataset's heading becomes a bold line under its label (a
    heading cannot stand inside a directive), so the whole dictionary folds away under one summary."""
    return re.sub(r"^#{2,4} (.+)$", r"**\1**", resources_markdown(page_dir, words), flags=re.MULTILINE)


# ---- The values resting on secondary sources alone ---------------------------------------------------------------
def _text(value: object) -> str:
    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)


def sources_by_id() -> dict[str, dict[str, str]]:
    """The rows of data/sources.csv by source id, each cell as text ("" where empty), read once through szhk.data."""
    return {_text(row["source_id"]): {k: _text(v) for k, v in row.items()}
            for row in data.load("sources").to_dict("records")}


def secondary_only_markdown(words: Words) -> str:
    """The list of the later-year values that rest on secondary sources or mirrors alone (szhk.provenance), one row
    per source: its values, by dataset, and why no original release was used."""
    by_source: dict[str, dict[str, Any]] = {}
    for r in provenance.secondary_only(sources_by_id()):
        entry = by_source.setdefault(r["source"], {"kind": r["kind"], "reason": r["reason"], "values": {}})
        entry["values"].setdefault(r["resource"], []).append(f"{r['row']} {r['label']} {r['value']}")
    rows = [[md.role("cite", source), md.text(words.source_kind.get(e["kind"], e["kind"])),
             md.text("；".join(f"{title}　{'，'.join(values)}" for title, values in e["values"].items())),
             md.text(e["reason"])]
            for source, e in by_source.items()]
    header = [_plain(f"secondary_column_{column}") for column in ("source", "kind", "values", "reason")]
    return md.list_table(header, rows, widths=[8, 12, 40, 40])
