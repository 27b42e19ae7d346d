"""The report's data: every table in data/, validated against data/datapackage.json before anyone uses it.

    from szhk.data import load
    gii = load("gii_ranks")          # a pandas DataFrame; raises DataValidationError on bad data

Validation is done by the Frictionless library from what data/datapackage.json declares (szhk.validation, which
also turns the first error into one message naming the file, the row, the column and the rule). In a build,
`python -m szhk.data` validates every file once before the chapters run and caches the typed frames (szhk.cache):
``load`` then reads the cached frame for exactly those bytes.

The data directory is the repository's data/ unless the environment variable SZHK_DATA_DIR names another one.

Nothing derived from the CSVs is stored in datapackage.json (no hash, byte count or source list to keep in step):
a resource's sources are read from its rows (``sources_of``) whenever a page shows them.
"""
from __future__ import annotations

import argparse
import copy
import hashlib
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from . import cache, deps
from . import markdown as md
from .deps import DATA_DIR_ENV, data_dir
from .descriptor import (
    PACKAGE_FILE, DataValidationError, bibliography_keys, figure_unit, package, read_descriptor,
    resource_descriptor, resource_names, sources_of,
)

__all__ = [
    "DATA_DIR_ENV",
    "DataValidationError",
    "LoadedResource",
    "PACKAGE_FILE",
    "bibliography_keys",
    "data_dir",
    "figure_unit",
    "key_figures",
    "labels",
    "load",
    "loaded_resources",
    "milestones",
    "package",
    "resource_names",
    "sources_of",
    "stated_counts",
    "validate_all",
]

# ----------------------------------------------------------------------------------------------------------------
# Loading
# ----------------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class LoadedResource:
    """What a process read: the resource's name, its file and the SHA-256 of the bytes it validated."""

    name: str
    path: Path
    sha256: str


_loaded: dict[str, LoadedResource] = {}
_frames: dict[tuple[str, str], pd.DataFrame] = {}


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def loaded_resources() -> dict[str, LoadedResource]:
    """Resources this process has loaded (name -> file and content hash), in the order first loaded."""
    return dict(_loaded)


def _validated(name: str, directory: Path, descriptor: dict[str, Any], key: str) -> pd.DataFrame:
    """Resource `name` as a typed frame: the build's cached copy when exactly these bytes were validated before
    (`key`: szhk.cache's digest of everything validation reads), else validated now with Frictionless and cached."""
    frame = cache.read(key)
    if frame is None:
        from . import validation  # Frictionless is imported only when a file must be validated

        frame = validation.validated_frame(name, directory, descriptor)
        if cache.validation_key(name, descriptor, directory) == key:  # nothing changed while validating
            cache.write(key, frame)
    return frame


def load(name: str) -> pd.DataFrame:
    """The resource `name` of the data package as a DataFrame, after Frictionless has validated it.

    Raises DataValidationError (naming file, row, column and rule) when the data breaks the package's rules.
    The frame's ``attrs`` carry the resource's title, path and sources.
    """
    deps.check_declared(name)  # a chapter may load only the resources its front matter declares

    directory = data_dir()
    descriptor = read_descriptor(directory)
    resource = resource_descriptor(descriptor, name, directory)
    rel = str(resource.get("path", ""))
    path = directory / rel
    if path.is_file():  # a chapter's outputs must come from the data its cache key was made from
        deps.check_read(name, resource, path.read_bytes())
    key = cache.validation_key(name, descriptor, directory)
    frame = _frames.get((str(path), key))
    if frame is None:
        frame = _validated(name, directory, descriptor, key)
        frame.attrs.update(
            resource=name, title=resource.get("title", name), path=str(path),
            sources=sources_of(resource, directory), sha256=_sha256(path),
        )
        _frames[(str(path), key)] = frame
    _loaded.setdefault(name, LoadedResource(name, path, frame.attrs["sha256"]))
    result = frame.copy()
    result.attrs = copy.deepcopy(frame.attrs)
    return result


def validate_all() -> list[DataValidationError]:
    """Validate every resource; also report listed resources whose file is missing and CSVs nobody lists.

    Returns the problems (one per file), empty when the package is sound.
    """
    directory = data_dir()
    descriptor = read_descriptor(directory)
    problems: list[DataValidationError] = []
    listed: set[Path] = set()
    for resource in descriptor["resources"]:
        name = resource.get("name", "")
        listed.add((directory / str(resource.get("path", ""))).resolve())
        try:
            # cached in a build, so the chapters' kernels need not validate again
            _validated(name, directory, descriptor, cache.validation_key(name, descriptor, directory))
        except DataValidationError as error:
            problems.append(error)
    if not problems:  # the later-year values' quotes and aggregator marks (szhk.provenance), once the files are sound
        from . import provenance

        problems.extend(provenance.problems(directory, descriptor))
    for csv_path in sorted(directory.glob("*.csv")):
        if csv_path.resolve() not in listed:
            problems.append(DataValidationError(
                csv_path, "—", "—", "data/ 中的每个 CSV 都必须在 datapackage.json 中列出（含字段、来源与约束）",
                "datapackage.json 没有列出这个文件：请为它添加一个资源，或把它移出 data/",
            ))
    return problems


def require_valid_package() -> None:
    """Raise the first problem validate_all finds (with the count of the others)."""
    problems = validate_all()
    if problems:
        first = problems[0]
        raise DataValidationError(first.file, first.row, first.column, first.rule, first.problem,
                                  first.more + len(problems) - 1)


# Tables several chapters read the same way: one name each, so a chapter says which table, not how to index it
def key_figures() -> pd.DataFrame:
    """The article's single numbers (key_figures.csv), one row per ``figure_id``."""
    return load("key_figures").set_index("figure_id")


def milestones() -> pd.DataFrame:
    """The dated events (milestones.csv), one row per ``event_code``."""
    return load("milestones").set_index("event_code")


def stated_counts() -> pd.Series:
    """The count the article states for each list it gives ("八大方向" → 8), by ``list_code``."""
    return load("article_lists").groupby("list_code")["stated_count"].first()


# ----------------------------------------------------------------------------------------------------------------
# The data appendix (数据与方法): Markdown generated from the package, rendered by myst-nb as MyST
# ----------------------------------------------------------------------------------------------------------------
def labels(group: str) -> dict[str, str]:
    """How the book names the codes of one `group` (data/labels.csv: verification marks, source kinds, field
    formats, the register's columns): code -> its Chinese name, in the file's order."""
    frame = load("labels")
    return dict(zip(frame.loc[frame["group"] == group, "code"], frame.loc[frame["group"] == group, "label_zh"]))


def _constraints_zh(field: dict[str, Any]) -> str:
    c = field.get("constraints", {})
    parts = []
    if c.get("required"):
        parts.append("必填")
    low, high = c.get("minimum"), c.get("maximum")
    if low is not None and high is not None:
        parts.append(f"{low}–{high}")
    elif low is not None:
        parts.append(f"≥ {low}")
    elif high is not None:
        parts.append(f"≤ {high}")
    if c.get("enum"):
        parts.append("取值：" + "、".join(md.text(v) for v in c["enum"]))
    if c.get("pattern"):
        formats = labels("pattern")
        parts.append("格式：" + formats.get(c["pattern"], formats["other"]))
    return "；".join(parts) or "—"


def _download(path: Path, text: str, page_dir: Path) -> md.Markup:
    # A Markdown link to a file that is not a page is a download link; its text is escaped like any other.
    return md.link(text, Path(os.path.relpath(path, page_dir)).as_posix())


def _mark_counts(frame: pd.DataFrame) -> dict[str, int]:
    if "verification" not in frame.columns:
        return {}
    counts = frame["verification"].dropna().value_counts()
    return {mark: int(counts.get(mark, 0)) for mark in labels("verification")}


def _row_label(row: pd.Series, key: Sequence[str]) -> str:
    return " · ".join(md.text(row[k]) for k in key)


def _fmt(value: object) -> md.Markup:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return md.Markup("—")
    if isinstance(value, float) and value.is_integer():
        return md.text(int(value))
    return md.text(value)


def appendix_overview_markdown(page_dir: Path) -> str:
    """The table of all datasets and the count of each verification mark."""
    descriptor = package()
    marks = labels("verification")
    rows = []
    totals = dict.fromkeys(marks, 0)
    for resource in descriptor["resources"]:
        frame = load(resource["name"])
        counts = _mark_counts(frame)
        for mark, n in counts.items():
            totals[mark] += n
        rows.append([
            md.link(resource.get("title") or resource["name"], f"data-{resource['name']}"),
            _download(data_dir() / resource["path"], resource["path"], page_dir),
            len(frame),
            " / ".join(str(counts[m]) for m in marks) if counts else "—",
        ])
    table = md.list_table(["数据集", "数据文件", "行数", " / ".join(marks.values())], rows, widths=[34, 36, 8, 22])
    summary = "、".join(f"{marks[m]} {totals[m]} 行" for m in marks)
    whole = _download(data_dir() / PACKAGE_FILE, PACKAGE_FILE, page_dir)
    return (
        f"数据包共 {len(descriptor['resources'])} 个数据集，各行核对结果合计：{summary}（按数据行计；"
        f"{md.link('数字核验', 'claims-register')}按文中的说法计，一句说法可用到几行数据，两处的数目因此不同）。"
        f"数据包的完整描述（字段、单位、约束与规则）见 {whole}。\n\n" + table
    )


def _qualified(row: pd.Series, column: str, qualifier_column: str) -> str:
    qualifier = row.get(qualifier_column) if qualifier_column in row.index else None
    prefix = "" if qualifier is None or pd.isna(qualifier) else f"{md.text(qualifier)} "
    return prefix + _fmt(row[column])


def _differing_lines(frame: pd.DataFrame, key: Sequence[str]) -> list[str]:
    """One line per value marked differs: the article's and the published value, with qualifiers and the note."""
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
                f"{md.code(a)} 文章 {_qualified(row, a, 'qualifier')}，已发表 {_qualified(row, p, 'qualifier_published')}"
                for a, p in pairs if _fmt(row[a]) != _fmt(row[p])
            )
            note = f"。{md.text(row['note'])}" if "note" in frame.columns and not pd.isna(row["note"]) else ""
            lines.append(f"- 不一致：{_row_label(row, key)}：{values}{note}")
    return lines


def _resource_markdown(resource: dict[str, Any], page_dir: Path, licence: str, readers: Sequence[str]) -> str:
    name = resource["name"]
    frame = load(name)
    schema = resource["schema"]
    key = schema.get("primaryKey", [])
    key = [key] if isinstance(key, str) else key
    out = [f"(data-{name})=", f"### {md.text(resource.get('title') or name)}", ""]
    csv = _download(data_dir() / resource["path"], f"下载 {resource['path']}", page_dir)
    out.append(f"资源名 {md.code(name)}，{len(frame)} 行；{csv}。{md.text(resource.get('description', ''))}\n")
    sentences = resource.get("article_sentences", [])
    if sentences:
        out.append("**支持的文章语句**\n")
        out.extend(f"> {md.text(s)}\n>" for s in sentences)
        out[-1] = out[-1].rstrip(">").rstrip()
        out.append("")
    chapters = [c for c in readers if c != "data-appendix"]
    used = "、".join(md.role("doc", c) for c in chapters) if chapters else "仅本附录"
    out.append(f"**使用章节**：{used}\n")
    out.append("**来源**\n")
    kinds = labels("source_kind")
    for source in sources_of(resource):  # the bibliography (references.bib) gives each title, date and URL
        cited = "原文" if source.get("kind") == "article" else md.role("cite", source["id"])
        out.append(f"- {cited}（{kinds.get(source.get('kind', ''), '来源')}；代码 {md.code(source.get('id', ''))}）")
    out.append("")
    if resource.get("licence_note") and resource["licence_note"] != licence:
        out.append(f"**许可说明**：{md.text(resource['licence_note'])}\n")
    field_rows = [
        [md.code(f["name"]), f.get("type", ""), f.get("unit", ""), f.get("description", ""),
         md.Markup(_constraints_zh(f))]
        for f in schema["fields"]
    ]
    out.append("**字段**\n")
    out.append(md.list_table(["字段", "类型", "单位", "说明", "约束"], field_rows, widths=[18, 8, 8, 44, 22]))
    rules = [f"主键 {'、'.join(md.code(k) for k in key)} 各行唯一"] if key else []
    for fk in schema.get("foreignKeys", []):
        fields = fk["fields"] if isinstance(fk["fields"], list) else [fk["fields"]]
        target = fk["reference"].get("resource") or name
        rules.append(f"{'、'.join(md.code(x) for x in fields)} 必须是 {md.code(target + '.csv')} 中已有的值")
    for check in resource.get("checklist", {}).get("checks", []):
        rules.append(md.text(check.get("title") or check.get("formula") or check.get("type")))
    if rules:
        out.append("**校验规则**（每次构建由 Frictionless 检查）\n")
        out.extend(f"- {rule}" for rule in rules)
        out.append("")
    counts = _mark_counts(frame)
    if counts:
        marks = labels("verification")
        summary = "、".join(f"{marks[m]} {n} 行" for m, n in counts.items() if n)
        out.append(f"**核对结果**：{summary}。\n")
        lines = _differing_lines(frame, key)
        out.extend(lines)
        if lines:
            out.append("")
    return "\n".join(out) + "\n"


def appendix_resources_markdown(page_dir: Path, readers: dict[str, Sequence[str]] | None = None) -> str:
    """One section per dataset: description, article sentences, the pages that read it (`readers`: resource ->
    pages whose front matter declares it; by default what the Sphinx side told this `data: all` page), sources,
    fields, rules, marks."""
    descriptor = package()
    licence = descriptor.get("licence_note", "")
    readers = deps.readers() if readers is None else readers
    return "\n".join(_resource_markdown(r, page_dir, licence, readers.get(r["name"], []))
                     for r in descriptor["resources"])


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m szhk.data", description="校验 data/ 的全部资源（也报告未列出的 CSV 与缺失的文件）")
    parser.parse_args(argv)
    try:
        problems = validate_all()
    except DataValidationError as error:  # e.g. a broken datapackage.json: the message, not a traceback
        print(error, file=sys.stderr)
        return 1
    for problem in problems:
        print(problem, file=sys.stderr)
    if not problems:
        print(f"数据包有效：{len(package()['resources'])} 个资源。")
    return 1 if problems else 0


if __name__ == "__main__":
    from szhk import data  # the package's own module: `python -m` runs a second copy, with its own error class

    sys.exit(data.main())
