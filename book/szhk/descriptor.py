"""The data package as declared: data/datapackage.json read (never its CSVs parsed), and the error every check of
the data raises.

Below everything else that reads data: `szhk.validation` (Frictionless) and `szhk.data` (the loader) both read the
descriptor through here, and neither is imported by it. Nothing derived from the CSVs is stored in
datapackage.json: a resource's sources are read from its rows (``sources_of``) whenever a page shows them.
"""
from __future__ import annotations

import csv
import hashlib
import json
from functools import cache as memoized
from functools import lru_cache
from pathlib import Path
from typing import Any

from szhk_names import PACKAGE_FILE

from . import deps
from .deps import data_dir

__all__ = [
    "BIBLIOGRAPHY", "PACKAGE_FILE", "DataValidationError", "bibliography", "bibliography_keys", "figure_unit", "package",
    "package_digest",
    "read_descriptor", "resource_descriptor", "resource_names", "shared_descriptor", "sources_of",
]

BIBLIOGRAPHY = Path("book") / "references.bib"  # in the project folder: the one registry of titles and URLs


class DataValidationError(ValueError):
    """Bad data: names the file, the row, the column and the rule it breaks."""

    def __init__(self, file: Path | str, row: int | str, column: str, rule: str, problem: str, more: int = 0):
        self.file = Path(file)
        self.row = row
        self.column = column
        self.rule = rule
        self.problem = problem
        self.more = more
        where = f"第 {row} 行" if isinstance(row, int) else ("整个文件" if row == "—" else str(row))
        if column != "—":
            where += f"，列 {column}"
        message = f"数据错误：{_display(self.file)}，{where}：{problem}。规则：{rule}。"
        if more:
            message += f"（此文件另报告 {more} 处问题，可能同出一因；改正这一处后再运行即可看到余下的。）"
        super().__init__(message)


def _display(path: Path) -> str:
    """data/x.csv, also when the build reads its snapshot of data/ (what a maintainer edits is data/)."""
    path = path.resolve()
    if path.is_relative_to(data_dir()):
        return "data/" + path.relative_to(data_dir()).as_posix()
    return path.relative_to(deps.root()).as_posix() if path.is_relative_to(deps.root()) else str(path)


def read_descriptor(directory: Path) -> dict[str, Any]:
    """datapackage.json of `directory`, as data (a new copy: the caller may change it); DataValidationError when it
    is missing, not JSON or has no resources."""
    path = directory / PACKAGE_FILE
    return _parsed_descriptor(path, _package_text(path))


def shared_descriptor(directory: Path) -> dict[str, Any]:
    """datapackage.json of `directory` parsed once per content of the file, for readers that only look: the loader
    runs for every template a page fills (some pages fill a thousand), and parsing 170 kB each time was most of a
    page's time. The same object is returned for the same bytes, so it must never be changed."""
    path = directory / PACKAGE_FILE
    return _shared_descriptor(path, _package_text(path))


def package_digest(directory: Path) -> str:
    """SHA-256 of the descriptor's content, not its layout (re-indenting datapackage.json changes nothing it says),
    computed once per content of the file."""
    path = directory / PACKAGE_FILE
    return _canonical_digest(_package_text(path)) if path.is_file() else "<no package>"


@lru_cache(maxsize=8)
def _canonical_digest(text: str) -> str:
    canonical = json.dumps(json.loads(text), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _package_text(path: Path) -> str:
    if not path.is_file():
        raise DataValidationError(path, "—", "—", "数据目录必须有 datapackage.json", "找不到数据包描述文件")
    return path.read_text(encoding="utf-8-sig")


@lru_cache(maxsize=8)  # a few versions at once (the tests' edited copies); each is parsed anew when edited
def _shared_descriptor(path: Path, text: str) -> dict[str, Any]:
    return _parsed_descriptor(path, text)


def _parsed_descriptor(path: Path, text: str) -> dict[str, Any]:
    try:
        descriptor = json.loads(text)
    except json.JSONDecodeError as error:
        raise DataValidationError(
            path, error.lineno, "—", "datapackage.json 必须是合法的 JSON", f"第 {error.colno} 个字符处：{error.msg}"
        ) from None
    if not isinstance(descriptor, dict) or not isinstance(descriptor.get("resources"), list):
        raise DataValidationError(path, "—", "resources", "数据包必须有 resources 列表", "描述文件没有 resources 列表")
    return descriptor


def package() -> dict[str, Any]:
    """The package descriptor (a copy of data/datapackage.json) for metadata: titles, fields, sources …"""
    return read_descriptor(data_dir())


def resource_names() -> list[str]:
    return [r.get("name", "") for r in package()["resources"]]


def resource_descriptor(descriptor: dict[str, Any], name: str, directory: Path) -> dict[str, Any]:
    """The resource `name` of `descriptor`; DataValidationError naming the resources there are when it is not one."""
    for resource in descriptor["resources"]:
        if resource.get("name") == name:
            return resource
    known = "、".join(r.get("name", "?") for r in descriptor["resources"])
    raise DataValidationError(
        directory / PACKAGE_FILE, "—", "—", "只能读取 datapackage.json 列出的资源",
        f"没有名为 {name!r} 的资源（已列出：{known}）",
    )


def bibliography(path: Path | None = None) -> Any:
    """The entries of a .bib file (default book/references.bib) as pybtex parses them: parsed once for each content
    of the file, though the validation of sources.csv, the provenance check and the register all read it."""
    path = path or deps.root() / BIBLIOGRAPHY
    return _parsed_bibliography(path.read_text(encoding="utf-8"))


@memoized
def _parsed_bibliography(text: str) -> Any:
    from pybtex.database import parse_string

    return parse_string(text, bib_format="bibtex").entries


def bibliography_keys() -> frozenset[str]:
    """Keys of book/references.bib, where every source's title, publisher, date and URL are recorded (a source id
    that is one is cited with {cite}; others are named in words). The file is parsed once per content
    (`bibliography`), so an edited file is read anew."""
    return frozenset(bibliography().keys())


def figure_unit(name: str) -> str | None:
    """The unit of figure `name`'s value axis, from data/datapackage.json's ``figures``: the one unit its
    ``value_fields`` ("resource.field") share in the schema, or the ``unit`` of a count of a resource's rows
    (``counts_rows_of``); None for a figure with no value axis (a timeline: empty ``value_fields``).

    Raises DataValidationError naming the figure when it is not declared, names a field the schema lacks or one
    without a unit, or mixes units on one axis (e.g. 家 and 人)."""
    directory = data_dir()
    descriptor = read_descriptor(directory)
    path = directory / PACKAGE_FILE
    declared = descriptor.get("figures", {}).get(name)
    if not isinstance(declared, dict):
        raise DataValidationError(path, "—", "figures", "每幅图都要在 datapackage.json 的 figures 中声明其数值轴的字段与单位",
                                  f"图 {name} 没有声明")
    if "counts_rows_of" in declared:
        resource_descriptor(descriptor, str(declared["counts_rows_of"]), directory)
        return str(declared["unit"])
    units: dict[str, list[str]] = {}
    for qualified in declared.get("value_fields", []):
        resource_name, _, field_name = str(qualified).partition(".")
        fields = {f.get("name"): f for f in resource_descriptor(descriptor, resource_name, directory)["schema"]["fields"]}
        unit = fields.get(field_name, {}).get("unit")
        if field_name not in fields or not unit:
            raise DataValidationError(path, "—", "figures", "图的数值字段必须是数据包中带 unit 的字段",
                                      f"图 {name} 的 {qualified} " + ("不存在" if field_name not in fields else "没有 unit"))
        units.setdefault(unit, []).append(qualified)
    if len(units) > 1:
        mixed = "；".join(f"{unit}（{'、'.join(names)}）" for unit, names in units.items())
        raise DataValidationError(path, "—", "figures", "一幅图的数值轴只用一种单位", f"图 {name} 混用了 {mixed}")
    unit = next(iter(units), None)
    # a figure drawn in another language names its unit in that language ("unit_shown": "Rank" for 名)
    return str(declared["unit_shown"]) if unit and declared.get("unit_shown") else unit


# Sources of a resource: the rows' published_source codes, looked up in sources.csv (never stored twice)
def _source_rows(directory: Path) -> dict[str, dict[str, str]]:
    path = directory / "sources.csv"
    if not path.is_file():
        return {}
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return {row["source_id"]: row for row in csv.DictReader(handle) if row.get("source_id")}


def sources_of(resource: dict[str, Any], directory: Path | None = None) -> list[dict[str, str]]:
    """The article, then every source a row of the resource cites (its foreign keys into sources.csv), in order
    of first use: id, kind and note. Titles, publishers, dates and URLs are in book/references.bib (cite the id)."""
    directory = directory or data_dir()
    path = directory / str(resource.get("path", ""))
    used = ["article"]
    columns = [
        column for fk in resource.get("schema", {}).get("foreignKeys", [])
        if fk.get("reference", {}).get("resource") == "sources"
        for column in ([fk["fields"]] if isinstance(fk["fields"], str) else fk["fields"])
    ]
    if columns and path.is_file():
        with path.open(encoding="utf-8-sig", newline="") as handle:
            for row in csv.DictReader(handle):
                used += [v for v in ((row.get(c) or "").strip() for c in columns) if v and v not in used]
    sources = _source_rows(directory)
    return [{"id": source_id, **{key: sources[source_id][key] for key in ("kind", "note") if sources[source_id].get(key)}}
            for source_id in used if source_id in sources]
