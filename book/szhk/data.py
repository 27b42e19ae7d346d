"""The report's data: every table in data/, validated against data/datapackage.json before anyone uses it.

    from szhk.data import load
    gii = load("gii_ranks")          # a pandas DataFrame; raises DataValidationError on bad data

Validation is done by the Frictionless library from what data/datapackage.json declares: field types, units,
constraints, primary and foreign keys, and the resource's own checks (its custom ``checklist`` property, e.g.
``row-constraint`` formulas such as ``rank_article <= economies_ranked`` and this module's ``column-sum`` check).
Nothing here checks values by hand; this module only turns the first Frictionless error into one message that
names the file, the row, the column and the rule.

The data directory is the repository's data/ unless the environment variable SZHK_DATA_DIR names another one.

Nothing derived from the CSVs is stored in datapackage.json (no hash, byte count or source list to keep in step):
a resource's sources are read from its rows (``sources_of``) whenever a page shows them.
"""
from __future__ import annotations

import argparse
import ast
import copy
import hashlib
import json
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, ClassVar, Optional

import attrs
import frictionless
import pandas as pd
from frictionless import errors as fl_errors

from . import cache, cells, deps
from . import markdown as md
from .deps import DATA_DIR_ENV, data_dir

__all__ = [
    "DATA_DIR_ENV",
    "DataValidationError",
    "LoadedResource",
    "data_dir",
    "key_figures",
    "load",
    "loaded_resources",
    "milestones",
    "package",
    "resource_names",
    "bibliography_keys",
    "sources_of",
    "stated_counts",
    "validate_all",
]

PACKAGE_FILE = "datapackage.json"

_TYPE_ZH = {
    "integer": "整数",
    "number": "数字",
    "string": "文本",
    "boolean": "布尔值",
    "date": "日期",
    "year": "年份",
}


# ----------------------------------------------------------------------------------------------------------------
# The error
# ----------------------------------------------------------------------------------------------------------------
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


# ----------------------------------------------------------------------------------------------------------------
# A Frictionless check for "shares add up as stated", configured from the package like the built-in ones
# ----------------------------------------------------------------------------------------------------------------
class ColumnSumError(fl_errors.RowError):
    type = "column-sum"
    title = "Column Sum"
    description = "The values of a column add up to more than the package allows."
    template = "The row at position {rowNumber} has an error: {note}"


class ColumnTotalError(fl_errors.TableError):
    type = "column-total"
    title = "Column Total"
    description = "The values of a column do not add up to the stated total."
    template = "The column total is wrong: {note}"


@attrs.define(kw_only=True, repr=False)
class ColumnSum(frictionless.Check):
    """The non-missing values of `field` add up to at most `maximum` (and to `total` ± `tolerance` if given)."""

    type: ClassVar[str] = "column-sum"
    Errors: ClassVar[list[type[fl_errors.Error]]] = [ColumnSumError, ColumnTotalError]

    field: str
    maximum: Optional[float] = None
    total: Optional[float] = None
    tolerance: float = 0.05
    _running: float = attrs.field(default=0.0, init=False)
    _reported: bool = attrs.field(default=False, init=False)

    def validate_start(self):  # type: ignore[override]
        self._running, self._reported = 0.0, False
        yield from []

    def validate_row(self, row):  # type: ignore[override]
        value = row[self.field]
        if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):  # numbers parse as Decimal
            self._running += float(value)
        if self.maximum is not None and not self._reported and self._running > self.maximum + 1e-9:
            self._reported = True
            note = f"{self.field} 累计到本行为 {self._running:g}，超过 {self.maximum:g}"
            yield ColumnSumError.from_row(row, note=note)

    def validate_end(self):  # type: ignore[override]
        if self.total is not None and abs(self._running - self.total) > self.tolerance:
            note = f"{self.field} 合计为 {self._running:g}，应为 {self.total:g}"
            yield ColumnTotalError(note=note)

    metadata_profile_patch = {
        "required": ["field"],
        "properties": {
            "field": {"type": "string"},
            "maximum": {"type": "number"},
            "total": {"type": "number"},
            "tolerance": {"type": "number"},
        },
    }


class VerdictError(fl_errors.RowError):
    type = "verdict"
    title = "Verdict"
    description = "A typed verification mark contradicts the values it is about."
    template = "The row at position {rowNumber} has an error: {note}"


@attrs.define(kw_only=True, repr=False)
class Verdict(frictionless.Check):
    """A typed `verification` must agree with the values: match needs the published value to support the article's
    (by the claims register's own rule, `szhk.claims.amount_supported`: rounding and 约/近/超过 included), differs
    needs it not to. So the data appendix, the briefing and the claims register can never disagree."""

    type: ClassVar[str] = "verdict"
    Errors: ClassVar[list[type[fl_errors.Error]]] = [VerdictError]

    article: str
    published: str
    qualifier: Optional[str] = None
    published_qualifier: Optional[str] = None
    verification: str = "verification"

    def validate_row(self, row):  # type: ignore[override]
        from .claims import amount_supported  # the register's rule; imported late (claims imports this module)

        mark, article, published = row[self.verification], row[self.article], row[self.published]
        if mark not in ("match", "match (secondary)", "differs") or article is None or published is None:
            return
        qualifier = (row[self.qualifier] or "") if self.qualifier else ""
        published_qualifier = (row[self.published_qualifier] or "") if self.published_qualifier else ""
        supported = amount_supported(Decimal(str(article)), qualifier, Decimal(str(published)), published_qualifier)
        if supported != (mark != "differs"):
            said = f"{qualifier} {article}".strip()
            found = f"{published_qualifier} {published}".strip()
            verdict = "相符" if supported else "不相符"
            note = f"{self.verification} 写作 “{mark}”，但文章 {said} 与已发表 {found} 按核验规则{verdict}"
            yield VerdictError.from_row(row, note=note)

    metadata_profile_patch = {
        "required": ["article", "published"],
        "properties": {name: {"type": "string"} for name in
                       ("article", "published", "qualifier", "published_qualifier", "verification")},
    }


class StrictCellError(fl_errors.CellError):
    type = "strict-cell"
    title = "Strict Cell"
    description = "A cell's raw text has blanks at its ends, non-ASCII digits or a character the fonts lack."
    template = "Cell {cell} in row {rowNumber} and field {fieldName}: {note}"


@attrs.define(kw_only=True, repr=False)
class StrictCells(frictionless.Check):
    """Every non-missing cell's raw text follows szhk.cells (exact text, ASCII digits, drawable characters).

    Frictionless parses "１４", "+14" and " 14 " as 14 and keeps "中国香港 " apart from "中国香港" without a word;
    this check reads the cell as written in the file. Every resource gets it (see _validate)."""

    type: ClassVar[str] = "strict-cells"
    Errors: ClassVar[list[type[fl_errors.Error]]] = [StrictCellError]

    def validate_row(self, row):  # type: ignore[override]
        missing = set(self.resource.schema.missing_values)  # the resource's missingValues, e.g. "－"
        for field, raw in zip(row.fields, row.cells):
            if not isinstance(raw, str) or raw in missing or raw in (field.missing_values or []):
                continue
            note = cells.problem(raw, field.type)
            if note:
                yield StrictCellError.from_row(row, note=note, field_name=field.name)


class _Plugin(frictionless.Plugin):
    def select_check_class(self, type: Optional[str] = None):  # noqa: A002 - Frictionless's name
        return {ColumnSum.type: ColumnSum, Verdict.type: Verdict, StrictCells.type: StrictCells}.get(type or "")


frictionless.system.register("szhk", _Plugin())


# ----------------------------------------------------------------------------------------------------------------
# The package
# ----------------------------------------------------------------------------------------------------------------
def _read_descriptor(directory: Path) -> dict[str, Any]:
    path = directory / PACKAGE_FILE
    if not path.is_file():
        raise DataValidationError(path, "—", "—", "数据目录必须有 datapackage.json", "找不到数据包描述文件")
    try:
        descriptor = json.loads(path.read_text(encoding="utf-8-sig"))
    except json.JSONDecodeError as error:
        raise DataValidationError(
            path, error.lineno, "—", "datapackage.json 必须是合法的 JSON", f"第 {error.colno} 个字符处：{error.msg}"
        ) from None
    if not isinstance(descriptor, dict) or not isinstance(descriptor.get("resources"), list):
        raise DataValidationError(path, "—", "resources", "数据包必须有 resources 列表", "描述文件没有 resources 列表")
    return descriptor


def package() -> dict[str, Any]:
    """The package descriptor (a copy of data/datapackage.json) for metadata: titles, fields, sources …"""
    return _read_descriptor(data_dir())


def resource_names() -> list[str]:
    return [r.get("name", "") for r in package()["resources"]]


def _resource_descriptor(descriptor: dict[str, Any], name: str, directory: Path) -> dict[str, Any]:
    for resource in descriptor["resources"]:
        if resource.get("name") == name:
            return resource
    known = "、".join(r.get("name", "?") for r in descriptor["resources"])
    raise DataValidationError(
        directory / PACKAGE_FILE, "—", "—", "只能读取 datapackage.json 列出的资源",
        f"没有名为 {name!r} 的资源（已列出：{known}）",
    )


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# ----------------------------------------------------------------------------------------------------------------
# Turning Frictionless errors into one message
# ----------------------------------------------------------------------------------------------------------------
def _formula_columns(formula: str, field_names: Sequence[str]) -> list[str]:
    try:
        names = {node.id for node in ast.walk(ast.parse(formula, mode="eval")) if isinstance(node, ast.Name)}
    except SyntaxError:
        return []
    return [name for name in field_names if name in names]


def _encoding_location(path: Path) -> tuple[int, str, str]:
    """Row, column and a description of the first byte that is not UTF-8."""
    raw = path.read_bytes()
    try:
        raw.decode("utf-8")
        return 1, "—", "文件不是合法的 UTF-8 编码"
    except UnicodeDecodeError as error:
        position = error.start
    before = raw[:position]
    row = before.count(b"\n") + 1
    line_start = before.rfind(b"\n") + 1
    column_index = raw[line_start:position].count(b",")
    header = raw.split(b"\n", 1)[0].decode("utf-8", errors="replace").lstrip("\ufeff").strip().split(",")
    column = header[column_index] if column_index < len(header) else f"第 {column_index + 1} 列"
    guess = ""
    for encoding in ("gb18030", "big5"):
        try:
            raw.decode(encoding)
            guess = f"，看起来是 {'GBK/GB18030' if encoding == 'gb18030' else 'Big5'} 编码"
            break
        except UnicodeDecodeError:
            continue
    return row, column, f"第 {position + 1} 个字节（0x{raw[position]:02X}）不是 UTF-8{guess}；请用 UTF-8 另存此文件"


def _shown(cell: object) -> str:
    """A cell's value for a message: quoted, or 空 when the cell is empty."""
    return "空" if cell is None or cell == "" else f"“{cell}”"


def _header_problem(path: Path, field_names: Sequence[str]) -> tuple[str, str] | None:
    """The column and what is wrong when the file's header is not the declared field names, in order.

    Read here rather than left to Frictionless, which compares labels by position: one deleted column is then
    reported as the *last* column missing, and one inserted column as its neighbour."""
    import csv

    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            header = next(csv.reader(handle), [])
    except (UnicodeDecodeError, csv.Error):
        return None  # Frictionless reports the encoding or format, with the byte
    if header == list(field_names):
        return None
    seen: set[str] = set()
    for number, label in enumerate(header, 1):
        if not label.strip():
            return f"第 {number} 列", f"第 {number} 列的表头为空"
        if label in seen:
            return label, f"表头 “{label}” 出现了两次"
        seen.add(label)
    missing = [name for name in field_names if name not in header]
    extra = [label for label in header if label not in field_names]
    if missing and extra and len(missing) == len(extra) == 1:
        return missing[0], f"缺少列 {missing[0]}，多出一列 “{extra[0]}”（改名了？表头须与 datapackage.json 的字段名一致）"
    if missing:
        return "、".join(missing), f"缺少列 {'、'.join(missing)}"
    if extra:
        return extra[0], f"多出一列 “{extra[0]}”（第 {header.index(extra[0]) + 1} 列；datapackage.json 没有这个字段）"
    for number, (label, name) in enumerate(zip(header, field_names), 1):
        if label != name:
            return name, f"列的顺序不对：第 {number} 列是 {label}，应为 {name}"
    return None


def _constraint_rule(note: str, field: dict[str, Any]) -> str:
    # Frictionless notes read: constraint "minimum" is "1"
    parts = note.split('"')
    name = parts[1] if len(parts) > 1 else note
    wording = {
        "required": "必填，不能为空",
        "minimum": "不得小于 {}",
        "maximum": "不得大于 {}",
        "enum": "只能取 {}",
        "pattern": "必须符合格式 {}",
        "unique": "各行不得重复",
        "minLength": "长度不得少于 {}",
        "maxLength": "长度不得多于 {}",
    }.get(name, f"约束 {name} = {{}}")
    value = field.get("constraints", {}).get(name)
    if isinstance(value, list):
        value = "、".join(map(str, value))
    unit = f"（单位：{field['unit']}）" if field.get("unit") else ""
    return f"datapackage.json 中字段 {field['name']} 的约束 {name}：" + wording.format(value) + unit


def _convert(error: fl_errors.Error, path: Path, resource: dict[str, Any], more: int) -> DataValidationError:
    schema = resource.get("schema", {})
    fields = {f["name"]: f for f in schema.get("fields", [])}
    field_names = list(fields)
    expected_header = "、".join(field_names)
    kind = error.type
    row: int | str = getattr(error, "row_number", None) or "—"
    column = getattr(error, "field_name", None) or "—"
    note = getattr(error, "note", "") or ""
    cell = getattr(error, "cell", None)

    if kind == "encoding-error":
        enc_row, enc_column, problem = _encoding_location(path)
        return DataValidationError(path, enc_row, enc_column, "数据文件必须是 UTF-8 编码（带或不带 BOM 均可）", problem, more)
    if kind == "type-error":
        field = fields.get(column, {})
        type_ = field.get("type", "?")
        return DataValidationError(
            path, row, column, f"datapackage.json 中字段 {column} 的类型为 {type_}（{_TYPE_ZH.get(type_, type_)}）",
            f"值 {_shown(cell)} 不是{_TYPE_ZH.get(type_, type_)}"
            + ("（整数只用 ASCII 数字 0–9 书写，可有负号）" if type_ == "integer" else ""), more,
        )
    if kind == "constraint-error":
        field = fields.get(column, {"name": column})
        rule = _constraint_rule(note, field)
        if '"maxLength"' in note and isinstance(cell, str):
            problem = f"值有 {len(cell)} 个字符，多于上限 {field.get('constraints', {}).get('maxLength')}（值开头为 “{cell[:20]}…”）"
        else:
            problem = f"值 {_shown(cell)} 不符合约束" if cell not in (None, "") else "该单元格为空（值：空）"
        return DataValidationError(path, row, column, rule, problem, more)
    if kind == "strict-cell":
        return DataValidationError(
            path, row, column, "单元格按原样书写：首尾无空格，数字只用 ASCII 0–9，只用书中字体能显示的字符", note, more)
    if kind in ("missing-label", "extra-label", "incorrect-label", "blank-label", "duplicate-label"):
        label = getattr(error, "label", "") or ""
        problem = {
            "missing-label": f"缺少列 {column}",
            "extra-label": f"多出一列 “{label}”（datapackage.json 没有这个字段）",
            "incorrect-label": f"第 {getattr(error, 'field_number', '?')} 列的表头是 “{label}”，应为 {column}",
            "blank-label": f"第 {getattr(error, 'field_number', '?')} 列的表头为空",
            "duplicate-label": f"表头 “{label}” 重复",
        }[kind]
        column = column if kind != "extra-label" else (label or "—")
        return DataValidationError(path, "第 1 行（表头）", column, f"各列必须依次为：{expected_header}", problem, more)
    if kind in ("missing-cell", "extra-cell"):
        problem = "该行少了单元格（逗号个数少于表头）" if kind == "missing-cell" else "该行多出单元格（逗号个数多于表头）"
        return DataValidationError(path, row, column, f"每行都必须正好有 {len(field_names)} 列", problem, more)
    if kind == "blank-row":
        return DataValidationError(path, row, "—", "不得有空行", "该行为空", more)
    if kind == "primary-key":
        key = schema.get("primaryKey", [])
        key = [key] if isinstance(key, str) else key
        other = note.rsplit(" ", 1)[-1]
        return DataValidationError(
            path, row, "、".join(key), f"主键（{'、'.join(key)}）在各行中必须唯一",
            f"与第 {other} 行的主键相同" if other.isdigit() else note, more,
        )
    if kind == "foreign-key":
        for fk in schema.get("foreignKeys", []):
            fk_fields = [fk["fields"]] if isinstance(fk["fields"], str) else fk["fields"]
            if f'"{", ".join(fk_fields)}"' in note or any(f'"{name}"' in note for name in fk_fields):
                target = fk["reference"].get("resource") or resource.get("name", "")
                ref_fields = fk["reference"]["fields"]
                ref_fields = [ref_fields] if isinstance(ref_fields, str) else ref_fields
                values = note.split('values "', 1)[-1].split('"', 1)[0]
                return DataValidationError(
                    path, row, "、".join(fk_fields),
                    f"{'、'.join(fk_fields)} 必须是 {target}.csv 中已有的 {'、'.join(ref_fields)}",
                    f"值 “{values}” 在 {target}.csv 中找不到", more,
                )
        return DataValidationError(path, row, "—", "外键必须指向已有的行", note, more)
    if kind == "row-constraint":
        formula = note.split('"', 1)[-1].rsplit('"', 1)[0]
        checks = resource.get("checklist", {}).get("checks", [])
        title = next((c.get("title") for c in checks if c.get("formula") == formula and c.get("title")), None)
        columns = _formula_columns(formula, field_names)
        return DataValidationError(
            path, row, "、".join(columns) or "—", f"{title}（公式：{formula}）" if title else f"公式 {formula}",
            "该行不满足这条规则", more,
        )
    if kind == "verdict":
        checks = [c for c in resource.get("checklist", {}).get("checks", []) if c.get("type") == "verdict"]
        check = next((c for c in checks if f"{c.get('verification', 'verification')} 写作" in note), checks[0] if checks else {})
        columns = [check.get(k) for k in ("verification", "article", "published") if check.get(k)]
        if "verification" not in check:
            columns.insert(0, "verification")
        return DataValidationError(
            path, row, "、".join(columns), check.get("title") or "核对结果必须与数值一致", note, more,
        )
    if kind in ("column-sum", "column-total", "table-dimensions"):
        checks = resource.get("checklist", {}).get("checks", [])
        check_type = "column-sum" if kind == "column-total" else kind
        matching = [c for c in checks if c.get("type") == check_type]
        if kind != "table-dimensions":
            matching = [c for c in matching if f"{c.get('field')} " in note] or matching
        title = matching[0].get("title") if matching else None
        column = matching[0].get("field", "—") if matching and kind != "table-dimensions" else "—"
        where: int | str = row if kind == "column-sum" else "全表"
        return DataValidationError(path, where, column, title or kind, note, more)
    if kind in ("source-error", "scheme-error", "format-error", "resource-error", "file-error"):
        return DataValidationError(path, "—", "—", "数据文件必须存在、可读且是 CSV", note, more)
    return DataValidationError(path, row, column, kind, getattr(error, "message", note), more)


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


def loaded_resources() -> dict[str, LoadedResource]:
    """Resources this process has loaded (name -> file and content hash), in the order first loaded."""
    return dict(_loaded)


def _validate(name: str, directory: Path, descriptor: dict[str, Any]) -> tuple[frictionless.Resource, str]:
    """Validate one resource with Frictionless; returns the resource ready to read and the file's SHA-256."""
    resource_descriptor = _resource_descriptor(descriptor, name, directory)
    rel = resource_descriptor.get("path")
    if not isinstance(rel, str):
        raise DataValidationError(directory / PACKAGE_FILE, "—", "path", "每个资源都要有一个 path", f"资源 {name} 没有 path")
    path = directory / rel
    if not path.is_file():
        raise DataValidationError(
            path, "—", "—", f"datapackage.json 列出的资源 {name} 必须有这个文件",
            "文件不存在（改名或删除了？若不再需要，请同时从 datapackage.json 删去该资源）",
        )
    if path.stat().st_size == 0:
        raise DataValidationError(path, "第 1 行（表头）", "—", "数据文件至少要有表头一行", "文件是空的")

    field_names = [f.get("name") for f in resource_descriptor.get("schema", {}).get("fields", [])]
    header = _header_problem(path, field_names)
    if header:
        column, problem = header
        raise DataValidationError(path, "第 1 行（表头）", column, f"各列必须依次为：{'、'.join(field_names)}", problem)

    content = descriptor
    try:
        fl_package = frictionless.Package.from_descriptor(content, basepath=str(directory))
    except frictionless.FrictionlessException as error:
        raise DataValidationError(
            directory / PACKAGE_FILE, "—", "—", "datapackage.json 必须符合 Frictionless 数据包规范", str(error)
        ) from None
    resource = fl_package.get_resource(name)
    declared = resource_descriptor.get("checklist", {"checks": []})
    checklist = frictionless.Checklist.from_descriptor(
        {**declared, "checks": [{"type": StrictCells.type}, *declared.get("checks", [])]})  # first: its message says why
    report = resource.validate(checklist=checklist)
    problems = [error for task in report.tasks for error in task.errors]
    if problems:
        raise _convert(problems[0], path, resource_descriptor, len(problems) - 1)
    if name == "sources":
        _check_bibliography(path)
    return fl_package.get_resource(name), _sha256(path)


BIBLIOGRAPHY = Path("book") / "references.bib"  # in the project folder: the one registry of titles and URLs


def bibliography_keys() -> frozenset[str]:
    """Keys of book/references.bib, where every source's title, publisher, date and URL are recorded."""
    from pybtex.database import parse_file

    return frozenset(parse_file(str(deps.root() / BIBLIOGRAPHY), bib_format="bibtex").entries.keys())


def _check_bibliography(path: Path) -> None:
    """Every source but the article itself must have its bibliographic entry in references.bib (kind, note stay
    here): one registry, so a title is never kept in two places."""
    import csv

    keys = bibliography_keys()
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for number, row in enumerate(csv.DictReader(handle), start=2):
            source_id, kind = row.get("source_id") or "", row.get("kind") or ""
            if kind != "article" and source_id not in keys:
                raise DataValidationError(
                    path, number, "source_id", f"除 article 外，每个来源都必须在 {BIBLIOGRAPHY.as_posix()} 中有同名条目（题名、"
                    "发布者、日期与网址只记在那里）", f"{BIBLIOGRAPHY.as_posix()} 没有键为 “{source_id}” 的条目",
                )


_DTYPES = {"integer": "Int64", "number": "float64", "boolean": "boolean", "string": "string"}


def load(name: str) -> pd.DataFrame:
    """The resource `name` of the data package as a DataFrame, after Frictionless has validated it.

    Raises DataValidationError (naming file, row, column and rule) when the data breaks the package's rules.
    The frame's ``attrs`` carry the resource's title, path and sources.
    """
    deps.check_declared(name)  # a chapter may load only the resources its front matter declares

    directory = data_dir()
    descriptor = _read_descriptor(directory)
    resource_descriptor = _resource_descriptor(descriptor, name, directory)
    rel = str(resource_descriptor.get("path", ""))
    path = directory / rel
    if path.is_file():  # a chapter's outputs must come from the data its cache key was made from
        deps.check_read(name, resource_descriptor, path.read_bytes())
    # Validated once per build: szhk.cache keys the typed frame by everything validation reads.
    key = cache.validation_key(name, descriptor, directory)
    cache_key = (str(path), key)
    frame = _frames.get(cache_key)
    if frame is None:
        frame = cache.read(key)
        if frame is None:
            resource, _ = _validate(name, directory, descriptor)
            fields = resource_descriptor["schema"]["fields"]
            rows = [row.to_list() for row in resource.read_rows()]
            frame = pd.DataFrame(rows, columns=[f["name"] for f in fields])
            for field in fields:
                frame[field["name"]] = frame[field["name"]].astype(_DTYPES.get(field.get("type", "string"), "object"))
            if cache.validation_key(name, descriptor, directory) == key:  # nothing changed while validating
                cache.write(key, frame)
        frame.attrs.update(
            resource=name, title=resource_descriptor.get("title", name), path=str(path),
            sources=sources_of(resource_descriptor, directory), sha256=_sha256(path),
        )
        _frames[cache_key] = frame
    _loaded.setdefault(name, LoadedResource(name, path, frame.attrs["sha256"]))
    result = frame.copy()
    result.attrs = copy.deepcopy(frame.attrs)
    return result


def validate_all() -> list[DataValidationError]:
    """Validate every resource; also report listed resources whose file is missing and CSVs nobody lists.

    Returns the problems (one per file), empty when the package is sound.
    """
    directory = data_dir()
    descriptor = _read_descriptor(directory)
    problems: list[DataValidationError] = []
    listed: set[Path] = set()
    for resource in descriptor["resources"]:
        name = resource.get("name", "")
        listed.add((directory / str(resource.get("path", ""))).resolve())
        try:
            if not cache.contains(cache.validation_key(name, descriptor, directory)):  # validated earlier this build
                _validate(name, directory, descriptor)
        except DataValidationError as error:
            problems.append(error)
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


# Sources of a resource: the rows' published_source codes, looked up in sources.csv (never stored twice)
# ----------------------------------------------------------------------------------------------------------------
def _source_rows(directory: Path) -> dict[str, dict[str, str]]:
    import csv

    path = directory / "sources.csv"
    if not path.is_file():
        return {}
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return {row["source_id"]: row for row in csv.DictReader(handle) if row.get("source_id")}


def sources_of(resource: dict[str, Any], directory: Path | None = None) -> list[dict[str, str]]:
    """The article, then every source a row of the resource cites (its foreign keys into sources.csv), in order
    of first use: id, kind and note. Titles, publishers, dates and URLs are in book/references.bib (cite the id)."""
    import csv

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


# ----------------------------------------------------------------------------------------------------------------
# The data appendix (数据与方法): Markdown generated from the package, rendered by myst-nb as MyST
# ----------------------------------------------------------------------------------------------------------------
MARK_ZH = {
    "match": "一致",
    "match (secondary)": "一致（仅二手来源）",
    "differs": "不一致",
    "unconfirmed": "未核实",
}
KIND_ZH = {"article": "文章本身", "official": "官方文本", "mirror": "官方文本的镜像", "secondary": "二手来源"}
_PATTERN_ZH = {
    "^[a-z0-9_]+$": "小写字母、数字与下划线",
    "^[a-z0-9-]+$": "小写字母、数字与连字符",
}


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
        parts.append("格式：" + _PATTERN_ZH.get(c["pattern"], "日期（YYYY、YYYY-MM、YYYY-MM-DD 等）"))
    return "；".join(parts) or "—"


def _download(path: Path, text: str, page_dir: Path) -> md.Markup:
    # A Markdown link to a file that is not a page is a download link; its text is escaped like any other.
    return md.link(text, Path(os.path.relpath(path, page_dir)).as_posix())


def _mark_counts(frame: pd.DataFrame) -> dict[str, int]:
    if "verification" not in frame.columns:
        return {}
    counts = frame["verification"].dropna().value_counts()
    return {mark: int(counts.get(mark, 0)) for mark in MARK_ZH}


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
    rows = []
    totals = dict.fromkeys(MARK_ZH, 0)
    for resource in descriptor["resources"]:
        frame = load(resource["name"])
        counts = _mark_counts(frame)
        for mark, n in counts.items():
            totals[mark] += n
        rows.append([
            md.link(resource.get("title") or resource["name"], f"data-{resource['name']}"),
            _download(data_dir() / resource["path"], resource["path"], page_dir),
            len(frame),
            " / ".join(str(counts[m]) for m in MARK_ZH) if counts else "—",
        ])
    table = md.list_table(
        ["数据集", "数据文件", "行数", "一致 / 一致（二手） / 不一致 / 未核实"], rows, widths=[34, 36, 8, 22]
    )
    summary = "、".join(f"{MARK_ZH[m]} {totals[m]} 行" for m in MARK_ZH)
    whole = _download(data_dir() / PACKAGE_FILE, PACKAGE_FILE, page_dir)
    return (
        f"数据包共 {len(descriptor['resources'])} 个数据集，各行核对结果合计：{summary}。"
        f"数据包的完整描述（字段、单位、约束、来源与校验和）见 {whole}。\n\n" + table
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


def _resource_markdown(resource: dict[str, Any], page_dir: Path, licence: str) -> str:
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
    chapters = [c for c in resource.get("used_in", []) if c != "data-appendix"]
    used = "、".join(md.role("doc", c) for c in chapters) if chapters else "仅本附录"
    out.append(f"**使用章节**：{used}\n")
    out.append("**来源**\n")
    for source in sources_of(resource):  # the bibliography (references.bib) gives each title, date and URL
        cited = "原文" if source.get("kind") == "article" else md.role("cite", source["id"])
        out.append(f"- {cited}（{KIND_ZH.get(source.get('kind', ''), '来源')}；代码 {md.code(source.get('id', ''))}）")
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
        summary = "、".join(f"{MARK_ZH[m]} {n} 行" for m, n in counts.items() if n)
        out.append(f"**核对结果**：{summary}。\n")
        lines = _differing_lines(frame, key)
        out.extend(lines)
        if lines:
            out.append("")
    return "\n".join(out) + "\n"


def appendix_resources_markdown(page_dir: Path) -> str:
    """One section per dataset: description, article sentences, chapters, sources, fields, rules, marks."""
    descriptor = package()
    licence = descriptor.get("licence_note", "")
    return "\n".join(_resource_markdown(r, page_dir, licence) for r in descriptor["resources"])


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
    sys.exit(main())
