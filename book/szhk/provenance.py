"""Provenance of the later-year values: each one's source has a quote that gives the number, and a value resting
on an aggregator or a mirror says so.

data/datapackage.json declares, per resource, which value columns are read from which source column
(``quoted_values``: ``{"field": …, "label": …, "sources": [first non-empty of these columns], "verification": …}``) and, for
the whole package, the hosts of aggregators and mirrors (``aggregator_hosts``). The rules, for every row whose
value is not the article's (``in_article`` is false) and is marked match, match (secondary) or differs:

1. the cited row of sources.csv has a ``quote`` (the words the value was read from), and
2. the quote contains the value in some written form (3755, 3,755, 3 755, 2.47万, 0.80 for 0.8, 17th, ninth, 第二…),
   as a number of its own (the 2 of 2025 does not count);
3. if the source's address (``url`` in book/references.bib) is on an aggregator host, the source is marked
   secondary or mirror, its note gives the reason after the package's ``secondary_reason_marker`` (二手来源原因：),
   and the row is not marked plain match.

A value the article prints is checked by the claims register instead. `problems` returns one DataValidationError
per breach, naming file, row and column; szhk.data.validate_all adds them to the package's problems.
"""
from __future__ import annotations

import csv
from pathlib import Path
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import urlsplit

from . import quotes
from .descriptor import DataValidationError, bibliography, read_descriptor
from .deps import data_dir
from .qualifiers import CHECKED_MARKS

SOURCES_FILE = "sources.csv"
SECONDARY_KINDS = ("secondary", "mirror")

# ----------------------------------------------------------------------------------------------------------------
def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def _addresses() -> dict[str, str]:
    """The url of each entry of book/references.bib, by key."""
    return {key: entry.fields.get("url", "") for key, entry in bibliography().items()}


def _host(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    return host[4:] if host.startswith("www.") else host


def _on_host(url: str, hosts: list[str]) -> str:
    """The listed host that `url` is on (the host itself or a subdomain), or ''."""
    host = _host(url)
    return next((h for h in hosts if host == h or host.endswith("." + h)), "")


def _checked_values(descriptor: dict[str, Any], directory: Path) -> Iterator[tuple[dict[str, Any], Path, int, dict[str, str], dict[str, Any], str]]:
    """(resource, file, line number, row, the quoted_values spec, source id) for every later-year value the rules
    apply to."""
    for resource in descriptor["resources"]:
        specs = resource.get("quoted_values", [])
        if not specs:
            continue
        path = directory / resource["path"]
        for number, row in enumerate(_rows(path), start=2):
            if (row.get("in_article") or "").strip() != "false":
                continue
            for spec in specs:
                raw = (row.get(spec["field"]) or "").strip()
                mark = (row.get(spec.get("verification", "verification")) or "").strip()
                source = next((row[c].strip() for c in spec["sources"] if (row.get(c) or "").strip()), "")
                if raw and source and mark in CHECKED_MARKS:
                    yield resource, path, number, row, spec, source


def problems(directory: Path | None = None, descriptor: dict[str, Any] | None = None) -> list[DataValidationError]:
    """Every breach of the module's rules in the package at `directory` (default: the project's data/)."""
    directory = directory or data_dir()
    descriptor = descriptor or read_descriptor(directory)
    sources_path = directory / SOURCES_FILE
    if not sources_path.is_file():  # a package without a source registry (e.g. the one-page test project)
        return []
    sources = {row["source_id"]: (number, row) for number, row in enumerate(_rows(sources_path), start=2)}
    hosts = [h.lower() for h in descriptor.get("aggregator_hosts", [])]
    marker = descriptor.get("secondary_reason_marker", "")
    addresses = _addresses()
    found: list[DataValidationError] = []
    reported: set[tuple[str, str]] = set()

    def once(key: tuple[str, str], error: DataValidationError) -> None:
        if key not in reported:
            reported.add(key)
            found.append(error)

    for resource, path, number, row, spec, source_id in _checked_values(descriptor, directory):
        field = spec["field"]
        if source_id not in sources:
            continue  # the foreign key check of the resource reports it
        source_line, source = sources[source_id]
        cited_by = f"{resource['path']} 第 {number} 行 {field}（{row[field]}）"
        quote = (source.get("quote") or "").strip()
        if not quote:
            once((source_id, "quote"), DataValidationError(
                sources_path, source_line, "quote",
                "文章之外的已发表值（in_article 为 false）所引的来源必须在 quote 列逐字摘录给出该数字的原话",
                f"来源 “{source_id}” 没有 quote，但 {cited_by} 引用它"))
            continue
        if not quotes.quote_gives(quote, row[field]):
            found.append(DataValidationError(
                path, number, field, "已发表值必须见于所引来源的 quote（数字本身，或其常见写法如 3,755、2.47万、第二、ninth）",
                f"{row[field]} 不见于来源 “{source_id}”（{SOURCES_FILE} 第 {source_line} 行）的 quote"))
        host = _on_host(addresses.get(source_id, ""), hosts)
        if not host:
            continue
        kind, note = (source.get("kind") or "").strip(), source.get("note") or ""
        reason = note.split(marker, 1)[1].strip() if marker and marker in note else ""
        if kind not in SECONDARY_KINDS or len(reason) < 4:
            once((source_id, "aggregator"), DataValidationError(
                sources_path, source_line, "kind" if kind not in SECONDARY_KINDS else "note",
                f"网址在汇编或转载网站（datapackage.json 的 aggregator_hosts）上的来源必须标为 secondary 或 mirror，"
                f"并在 note 中以 “{marker}” 写明为何没有用原始发布",
                f"来源 “{source_id}” 的网址在 {host} 上，kind 为 “{kind}”，note {'未写明原因' if len(reason) < 4 else '已写原因'}"))
        elif (row.get("verification") or "").strip() == "match":
            found.append(DataValidationError(
                path, number, "verification", "只有汇编或转载来源支持的已发表值须标为 match (secondary)",
                f"{cited_by} 的来源 “{source_id}” 在 {host} 上，但 verification 为 match"))
    return found


# ----------------------------------------------------------------------------------------------------------------
def secondary_only(sources: Mapping[str, Mapping[str, str]]) -> list[dict[str, str]]:
    """Later-year values whose source is secondary or a mirror: resource title, row, field, value, source, kind
    and the reason the note gives (the text after 二手来源原因：, else the whole note). `sources`: the rows of
    sources.csv by source id, as the page read them (szhk.data), so the registry is read once."""
    descriptor = read_descriptor(data_dir())
    marker = descriptor.get("secondary_reason_marker", "")
    out = []
    for resource, _path, _number, row, spec, source_id in _checked_values(descriptor, data_dir()):
        field = spec["field"]
        source = sources.get(source_id, {})
        if source.get("kind") not in SECONDARY_KINDS:
            continue
        key = resource["schema"].get("primaryKey", [])
        key = [key] if isinstance(key, str) else key
        note = source.get("note", "")
        out.append({
            "resource": resource.get("title", resource["name"]), "row": " · ".join(row[k] for k in key),
            "field": field, "label": spec.get("label", field), "value": row[field], "source": source_id,
            "kind": source.get("kind", ""),
            "reason": note.split(marker, 1)[1].strip() if marker and marker in note else note,
        })
    return out
