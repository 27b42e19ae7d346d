"""Validation of one data file with Frictionless, and its first error turned into one message.

Imported only when a file must be validated: in a build, `python -m szhk.data` (tools/build.py runs it before
Jupyter Book) validates every file once and caches the typed frames (szhk.cache), so the chapters' kernels read
those frames and never import Frictionless.

Frictionless checks what data/datapackage.json declares: field types, units, constraints, primary and foreign keys
and each resource's own ``checklist`` (``row-constraint`` formulas and this module's ``column-sum`` and
``verdict`` checks); ``strict-cells`` comes first for every resource. Nothing here checks values by hand.
"""
from __future__ import annotations

import ast
import re
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any, ClassVar, Optional

import attrs
import frictionless
import pandas as pd
from frictionless import errors as fl_errors

from . import bounds, cache, cells, deps, glyphs, references
from .descriptor import BIBLIOGRAPHY, PACKAGE_FILE, DataValidationError, bibliography_keys, resource_descriptor
from .qualifiers import CHECKED_MARKS, amount_supported



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
    (by the claims register's own rule, `szhk.qualifiers.amount_supported`: rounding and 约/近/超过 included), differs
    needs it not to. So the data appendix, the briefing and the claims register can never disagree."""

    type: ClassVar[str] = "verdict"
    Errors: ClassVar[list[type[fl_errors.Error]]] = [VerdictError]

    article: str
    published: str
    qualifier: Optional[str] = None
    published_qualifier: Optional[str] = None
    verification: str = "verification"

    def validate_row(self, row):  # type: ignore[override]
        mark, article, published = row[self.verification], row[self.article], row[self.published]
        if mark not in CHECKED_MARKS or article is None or published is None:
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
            note = cells.problem(raw, field.type) or glyphs.missing_glyph(raw)
            if note:
                yield StrictCellError.from_row(row, note=note, field_name=field.name)


class CalendarError(fl_errors.CellError):
    type = "calendar"
    title = "Calendar"
    description = "A year or a date is not a real calendar value, or lies after the year after the commit's year."
    template = "Cell {cell} in row {rowNumber} and field {fieldName}: {note}"


@attrs.define(kw_only=True, repr=False)
class Calendar(frictionless.Check):
    """Every year and date (szhk.bounds.calendar_kind reads which fields hold one from the schema) is a real
    calendar value no later than szhk.bounds.latest_year(). Every resource gets it (see _validate)."""

    type: ClassVar[str] = "calendar"
    Errors: ClassVar[list[type[fl_errors.Error]]] = [CalendarError]

    _kinds: dict[str, Optional[str]] = attrs.field(factory=dict, init=False)

    def validate_start(self):  # type: ignore[override]
        self._kinds = {field.name: bounds.calendar_kind(field.to_descriptor()) for field in self.resource.schema.fields}
        yield from []

    def validate_row(self, row):  # type: ignore[override]
        for field, raw in zip(row.fields, row.cells):
            kind = self._kinds.get(field.name)
            if kind is None or not isinstance(raw, str) or not raw.strip():
                continue
            if kind == "year":
                note = bounds.year_problem(int(raw)) if raw.strip().isdigit() else None  # else: a type error
            else:
                note = bounds.date_problem(raw)
            if note:
                yield CalendarError.from_row(row, note=note, field_name=field.name)


class _Plugin(frictionless.Plugin):
    def select_check_class(self, type: Optional[str] = None):  # noqa: A002 - Frictionless's name
        return {ColumnSum.type: ColumnSum, Verdict.type: Verdict, StrictCells.type: StrictCells,
                Calendar.type: Calendar}.get(type or "")


frictionless.system.register("szhk", _Plugin())

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
        named = {"integer": "整数", "number": "数字", "string": "文本", "boolean": "布尔值", "date": "日期",
                 "year": "年份"}.get(type_, type_)
        return DataValidationError(
            path, row, column, f"datapackage.json 中字段 {column} 的类型为 {type_}（{named}）",
            f"值 {_shown(cell)} 不是{named}"
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
            path, row, column, "单元格按原样书写：首尾无空格，数字只用 ASCII 0–9，文本不以 = + - @ 开头，只用书中字体能显示的字符", note, more)
    if kind == "calendar":
        return DataValidationError(path, row, column, bounds.rule(), note, more)
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



_FILE_NAME = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9_.-]*\.csv")
_DTYPES = {"integer": "Int64", "number": "float64", "boolean": "boolean", "string": "string"}


def validated_frame(name: str, directory: Path, descriptor: dict[str, Any]) -> pd.DataFrame:
    """Resource `name` validated with Frictionless and read into a frame with the schema's types; raises
    DataValidationError naming file, row, column and rule."""
    resource = _validate(name, directory, descriptor)
    fields = resource_descriptor(descriptor, name, directory)["schema"]["fields"]
    frame = pd.DataFrame([row.to_list() for row in resource.read_rows()], columns=[f["name"] for f in fields])
    for field in fields:
        frame[field["name"]] = frame[field["name"]].astype(_DTYPES.get(field.get("type", "string"), "object"))
    return frame


# Excel and LibreOffice save a boolean cell as TRUE / FALSE: accepted beside the spellings the schema declares.
_SPREADSHEET_BOOLEANS = {"trueValues": ("TRUE", "True"), "falseValues": ("FALSE", "False")}


def _with_spreadsheet_booleans(resource: dict[str, Any]) -> dict[str, Any]:
    """The resource's descriptor with each boolean field also accepting the spreadsheets' TRUE and FALSE."""
    schema = resource.get("schema")
    if not isinstance(schema, dict) or not any(f.get("type") == "boolean" for f in schema.get("fields", [])):
        return resource
    fields = []
    for field in schema.get("fields", []):
        if field.get("type") == "boolean":
            field = dict(field)
            for key, spellings in _SPREADSHEET_BOOLEANS.items():
                declared = list(field.get(key, ["true"] if key == "trueValues" else ["false"]))
                field[key] = declared + [s for s in spellings if s not in declared]
        fields.append(field)
    return {**resource, "schema": {**schema, "fields": fields}}


def _validate(name: str, directory: Path, descriptor: dict[str, Any]) -> frictionless.Resource:
    """Validate one resource with Frictionless; returns it ready to read."""
    declared_resource = resource_descriptor(descriptor, name, directory)
    rel = declared_resource.get("path")
    if not isinstance(rel, str):
        raise DataValidationError(directory / PACKAGE_FILE, "—", "path", "每个资源都要有一个 path", f"资源 {name} 没有 path")
    if not _FILE_NAME.fullmatch(rel):
        raise DataValidationError(
            directory / PACKAGE_FILE, "—", "path", "数据文件名只用字母、数字、下划线、连字符和点，以 .csv 结尾，"
            "不含空格与文件夹（文件名会成为网页上的下载地址）", f"资源 {name} 的文件名是 “{rel}”",
        )
    path = directory / rel
    if not path.is_file():
        raise DataValidationError(
            path, "—", "—", f"datapackage.json 列出的资源 {name} 必须有这个文件",
            "文件不存在（改名或删除了？若不再需要，请同时从 datapackage.json 删去该资源）",
        )
    if path.stat().st_size == 0:
        raise DataValidationError(path, "第 1 行（表头）", "—", "数据文件至少要有表头一行", "文件是空的")

    field_names = [f.get("name") for f in declared_resource.get("schema", {}).get("fields", [])]
    header = _header_problem(path, field_names)
    if header:
        column, problem = header
        raise DataValidationError(path, "第 1 行（表头）", column, f"各列必须依次为：{'、'.join(field_names)}", problem)

    # The package as far as this resource needs it: the resource and those its foreign keys point to (Frictionless
    # would otherwise build every resource of the package for each file it validates).
    needed = {name, *cache.referenced(declared_resource)}
    content = {**descriptor, "resources": [_with_spreadsheet_booleans(r) for r in descriptor["resources"]
                                           if r.get("name") in needed]}
    try:
        fl_package = frictionless.Package.from_descriptor(content, basepath=str(directory))
    except frictionless.FrictionlessException as error:
        raise DataValidationError(
            directory / PACKAGE_FILE, "—", "—", "datapackage.json 必须符合 Frictionless 数据包规范", str(error)
        ) from None
    resource = fl_package.get_resource(name)
    declared = declared_resource.get("checklist", {"checks": []})
    checklist = frictionless.Checklist.from_descriptor(
        {**declared, "checks": [{"type": StrictCells.type}, {"type": Calendar.type},  # first: their messages say why
                                *declared.get("checks", [])]})
    report = resource.validate(checklist=checklist)
    problems = [error for task in report.tasks for error in task.errors]
    if problems:
        raise _convert(problems[0], path, declared_resource, len(problems) - 1)
    if name == "sources":
        _check_bibliography(path)
    return fl_package.get_resource(name)


def _check_bibliography(path: Path) -> None:
    """Every source but the article itself must have its bibliographic entry in references.bib (kind, note stay
    here): one registry, so a title is never kept in two places."""
    import csv

    references.check(deps.root() / BIBLIOGRAPHY)
    keys = bibliography_keys()
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for number, row in enumerate(csv.DictReader(handle), start=2):
            source_id, kind = row.get("source_id") or "", row.get("kind") or ""
            if kind != "article" and source_id not in keys:
                raise DataValidationError(
                    path, number, "source_id", f"除 article 外，每个来源都必须在 {BIBLIOGRAPHY.as_posix()} 中有同名条目（题名、"
                    "发布者、日期与网址只记在那里）", f"{BIBLIOGRAPHY.as_posix()} 没有键为 “{source_id}” 的条目",
                )


