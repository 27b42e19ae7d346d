"""The claims register (数字核验): every number, ranking or comparison the article states, checked against the data.

data/claims.csv lists the claims: where each sits in the book (chapter, paragraph label), the article's words,
the kind of check, and *where* its values are in the data package (resource, rows, columns). It holds no values:
they are read from the data at build time, so a data edit changes the status. Statuses:

- 一致        the published value (or the value computed from the published data) supports the article's;
- 不一致      it does not;
- 未找到来源  no published value for the claim is in the data (or the data says the one it has is not for the
              article's date or scope: its ``verification`` mark is ``unconfirmed``), and the editor has searched:
              claims.csv's ``searched`` says when and where;
- 待核        the same, but ``searched`` is empty: nobody has looked yet;
- 文本自明    the article's own text settles it (a count of the items it lists, date arithmetic on dates it gives):
              a separate group, not a check against a source.

A claim that is 一致 or 不一致 (other than a list count the text contradicts) must rest on a source (the rows' ``published_source``): the register stops the build
otherwise, naming the data file, row and column; `unquoted_numbers` lists such sources whose quote (sources.csv)
does not give the number.

Checks (column ``check``):

- ``exact``       ranks and counts that must be equal;
- ``amount``      quantities the article may round or qualify (约、近、超过 …): see `amount_supported`;
- ``at_most``     every row's rank ≤ ``threshold`` (up to ``allowed_exceptions`` rows may miss), e.g. "近 5 年均排在
                  前 15 名";
- ``ahead``       each row ranks ahead of (a smaller number than) its partner in ``other_rows``;
- ``ratio``       the article's ratio (its row) against the ratio of the two ``other_rows`` of ``other_resource``;
- ``list_count``  a count the article states for a list it gives: 文本自明 when the list has that many items
                  (article_lists.csv), 不一致 when it does not;
- ``text``        settled by the article's own text (e.g. 回归 25 年 with the text's “25 周年大会” of 2022): 文本自明;
                  the claim's ``note`` must state the arithmetic.

Pure functions (`evaluate`, `combine`, …) take frames; `register` reads the data through `szhk.data.load`, like
any chapter. The rule for rounded and qualified numbers is `szhk.qualifiers.amount_supported` (the data's own
``verdict`` check uses it too); the register as pages (margin notes, tables, summary) is `szhk.claims_pages`.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import pandas as pd

from . import data, deps, phrases, quotes, text
from .descriptor import DataValidationError
from .qualifiers import amount_supported, precision

__all__ = [
    "CONSISTENT", "DIFFERS", "NOT_FOUND", "PENDING", "BY_TEXT", "STATUSES", "CHECKED", "UNSOURCED", "Claim",
    "Result", "by_materiality", "unquoted_numbers", "status_by_row",
    "amount_supported", "precision", "combine", "read_claims", "evaluate", "register", "resources_for",
    "status_counts", "chapter_titles", "source_kinds", "secondary_only",
]

CONSISTENT, DIFFERS, NOT_FOUND, PENDING, BY_TEXT = "一致", "不一致", "未找到来源", "待核", "文本自明"
STATUSES = (CONSISTENT, DIFFERS, NOT_FOUND, PENDING, BY_TEXT)  # the register's order
CHECKED = (CONSISTENT, DIFFERS)     # decided against a published source
UNSOURCED = (NOT_FOUND, PENDING)    # no published source settles the claim (searched, or not yet)
RESOURCE = "claims"
CHECKS = ("exact", "amount", "at_most", "ahead", "ratio", "list_count", "text")
TEXT_CHECKS = ("list_count", "text")  # settled by the article's own text, not by a source
BOOK_DIR = deps.root() / "book"

# ----------------------------------------------------------------------------------------------------------------
# Claims and results
# ----------------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Claim:
    """One row of claims.csv (`line` is its line in the file, the header being line 1)."""

    claim_id: str
    chapter: str
    target: str
    excerpt: str
    statement: str
    check: str
    resource: str
    rows: tuple[str, ...]
    article_field: str
    published_field: str
    other_resource: str = ""
    other_rows: tuple[str, ...] = ()
    threshold: float | None = None
    allowed_exceptions: int = 0
    note: str = ""
    searched: str = ""
    line: int = 0
    number: int = 0

    @property
    def label(self) -> str:
        """The register entry's MyST label (the paragraph's is `target`)."""
        return f"claim-{self.claim_id}"


@dataclass(frozen=True)
class Result:
    """A claim checked: the values as the reader sees them, the status, and the sources of the published side."""

    claim: Claim
    status: str
    article_value: str
    published_value: str
    data_value: str = ""          # a computation on the article's own figures, where that says something
    sources: tuple[str, ...] = ()
    remarks: tuple[str, ...] = field(default_factory=tuple)
    difference: Decimal | None = None  # |article − published| for a one-row exact/amount claim with both values

    @property
    def minor(self) -> bool:
        """A rank or count that is off by one (63 vs 64 economies, 54th vs 53rd): listed after the others."""
        return self.status == DIFFERS and self.claim.check == "exact" and self.difference == 1


# ----------------------------------------------------------------------------------------------------------------
# Numbers
# ----------------------------------------------------------------------------------------------------------------
def _decimal(value: Any) -> Decimal | None:
    """A number from a data cell (None for a missing one or for text such as "－")."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    try:
        return Decimal(str(value).strip())
    except InvalidOperation:
        return None


def combine(statuses: Sequence[str]) -> str:
    """One status for several checks: any 不一致 wins, then any without a source (未找到来源); 一致 only if all
    are. (Whether an unsourced claim has been searched is the claim's, not the rows': see `evaluate`.)"""
    if DIFFERS in statuses:
        return DIFFERS
    if NOT_FOUND in statuses or not statuses:
        return NOT_FOUND
    return CONSISTENT


def _say(phrase_id: str, **values: object) -> str:
    """A template of data/register_phrases.csv, its placeholders filled: the register's words are data."""
    return phrases.plain(phrases.REGISTER, phrase_id, **values)


def _number(value: Decimal) -> str:
    return text.number(value)


def _with_unit(value: Decimal, unit: str, qualifier: str = "") -> str:
    number = _number(value)
    if unit == "名":
        text = _say("rank", number=number)
    elif unit in ("%", ""):
        text = f"{number}{unit}"
    else:
        text = f"{number} {unit}"
    if not qualifier:
        return text
    if qualifier in ("多", "余"):  # 1800 多家, 100 余家: the word follows the number
        return f"{number} {qualifier}{unit}" if unit not in ("名", "%", "") else f"{text}{qualifier}"
    return f"{qualifier} {text}"


# ----------------------------------------------------------------------------------------------------------------
# Reading claims.csv and the rows it points at
# ----------------------------------------------------------------------------------------------------------------
def _csv_path() -> Path:
    return data.data_dir() / "claims.csv"


def _error(line: int | str, column: str, rule: str, problem: str) -> DataValidationError:
    return DataValidationError(_csv_path(), line, column, rule, problem)


def _text(value: Any) -> str:
    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value).strip()


def read_claims(frame: pd.DataFrame | None = None) -> list[Claim]:
    """The claims in claims.csv, in file order, numbered 1, 2, … (the frame is `data.load("claims")`)."""
    frame = data.load(RESOURCE) if frame is None else frame
    claims = []
    for index, row in enumerate(frame.to_dict("records")):
        threshold = _decimal(row.get("threshold"))
        exceptions = row.get("allowed_exceptions")
        claims.append(Claim(
            claim_id=_text(row["claim_id"]), chapter=_text(row["chapter"]), target=_text(row["target"]),
            excerpt=_text(row["excerpt"]), statement=_text(row["statement_zh"]), check=_text(row["check"]),
            resource=_text(row["resource"]), rows=tuple(r.strip() for r in _text(row["rows"]).split(";") if r.strip()),
            article_field=_text(row["article_field"]), published_field=_text(row.get("published_field")),
            other_resource=_text(row.get("other_resource")),
            other_rows=tuple(r.strip() for r in _text(row.get("other_rows")).split(";") if r.strip()),
            threshold=float(threshold) if threshold is not None else None,
            allowed_exceptions=0 if exceptions is None or pd.isna(exceptions) else int(exceptions),
            note=_text(row.get("note")), searched=_text(row.get("searched")), line=index + 2, number=index + 1,
        ))
    return claims


def _key_fields(descriptor: Mapping[str, Any], resource: str) -> list[str]:
    for item in descriptor["resources"]:
        if item.get("name") == resource:
            key = item.get("schema", {}).get("primaryKey", [])
            return [key] if isinstance(key, str) else list(key)
    return []


def _field_units(descriptor: Mapping[str, Any], resource: str) -> dict[str, str]:
    for item in descriptor["resources"]:
        if item.get("name") == resource:
            return {f["name"]: f.get("unit", "") for f in item.get("schema", {}).get("fields", [])}
    return {}


def _select(claim: Claim, frame: pd.DataFrame, key_fields: Sequence[str], specs: Sequence[str], column: str,
            resource: str) -> list[dict[str, Any]]:
    """The rows of `frame` named by `specs` ("2017|HKG": primary-key values joined by "|", or a prefix of them)."""
    if not key_fields:
        raise _error(claim.line, column, "只能引用有主键的数据集", f"数据集 {resource} 没有主键")
    records = frame.to_dict("records")
    selected: list[dict[str, Any]] = []
    for spec in specs:
        parts = spec.split("|")
        if len(parts) > len(key_fields):
            raise _error(claim.line, column, f"行键按 {resource} 的主键（{'、'.join(key_fields)}）写，用“|”分隔",
                         f"“{spec}”的部分多于主键的字段数")
        found = [r for r in records if all(_text(r[k]) == p for k, p in zip(key_fields, parts))]
        if not found:
            raise _error(claim.line, column, f"引用的行必须在 {resource}.csv 中存在",
                         f"{resource}.csv 中没有主键（{'、'.join(key_fields[:len(parts)])}）为“{spec}”的行")
        selected.extend(found)
    return selected


def _require_field(claim: Claim, frame: pd.DataFrame, name: str, column: str, resource: str) -> None:
    if name not in frame.columns:
        raise _error(claim.line, column, f"引用的列必须是 {resource}.csv 的列",
                     f"{resource}.csv 没有列“{name}”（有：{'、'.join(frame.columns)}）")


def resources_for(claims: Sequence[Claim]) -> list[str]:
    """The data resources these claims read (besides claims itself), sorted."""
    return sorted({c.resource for c in claims} | {c.other_resource for c in claims if c.other_resource})


# ----------------------------------------------------------------------------------------------------------------
# Evaluating one claim (pure: frames and the descriptor in, a Result out)
# ----------------------------------------------------------------------------------------------------------------
def _mark_column(frame: pd.DataFrame, article_field: str) -> str | None:
    stem = article_field[: -len("_article")] if article_field.endswith("_article") else ""
    for name in (f"{stem}_verification" if stem else "", "verification"):
        if name and name in frame.columns:
            return name
    return None


YEAR_FIELDS = ("year", "survey_year")


def _row_label(row: Mapping[str, Any], key_fields: Sequence[str], varying: Sequence[str]) -> str:
    parts = []
    for k in varying:
        value = _text(row[k])
        if k in YEAR_FIELDS:
            parts.append(_say("year", year=value))
        elif k.endswith("_code") and _text(row.get(k[: -len("_code")] + "_zh")):
            parts.append(_text(row[k[: -len("_code")] + "_zh"]))
        else:
            parts.append(value)
    return " ".join(parts)


def _varying(rows: Sequence[Mapping[str, Any]], key_fields: Sequence[str]) -> list[str]:
    varying = [k for k in key_fields if len({_text(r[k]) for r in rows}) > 1]
    return varying or list(key_fields)


def _sources(rows: Sequence[Mapping[str, Any]]) -> tuple[str, ...]:
    found: list[str] = []
    for row in rows:
        source = _text(row.get("published_source"))
        if source and source not in found:
            found.append(source)
    return tuple(found)


@dataclass(frozen=True)
class _Value:
    """One row's article and published values, with what is needed to show and compare them."""

    label: str
    year: str             # the row's year when the year alone tells the rows apart ("" otherwise)
    article: Decimal | None
    qualifier: str
    published: Decimal | None
    published_qualifier: str
    comparable: bool      # False when the data marks the published value as not for the article's claim
    unit: str
    as_of: str
    mark: str


def _values(claim: Claim, frame: pd.DataFrame, rows: Sequence[Mapping[str, Any]], key_fields: Sequence[str],
            units: Mapping[str, str], article_field: str, published_field: str) -> list[_Value]:
    mark_column = _mark_column(frame, article_field)
    varying = _varying(rows, key_fields)
    values = []
    for row in rows:
        mark = _text(row.get(mark_column)) if mark_column else ""
        values.append(_Value(
            label=_row_label(row, key_fields, varying),
            year=_text(row[varying[0]]) if len(varying) == 1 and varying[0] in YEAR_FIELDS else "",
            article=_decimal(row.get(article_field)),
            qualifier=_text(row.get("qualifier")),
            published=_decimal(row.get(published_field)) if published_field else None,
            published_qualifier=_text(row.get("qualifier_published")),
            comparable=mark != "unconfirmed",
            unit=_text(row.get("unit")) or units.get(article_field, "") or "",
            as_of=_text(row.get("published_as_of")),
            mark=mark,
        ))
    return values


def _row_status(claim: Claim, value: _Value) -> str:
    if value.article is None or value.published is None or not value.comparable:
        return NOT_FOUND
    if claim.check == "exact":
        return CONSISTENT if value.article == value.published else DIFFERS
    return CONSISTENT if amount_supported(value.article, value.qualifier, value.published,
                                          value.published_qualifier) else DIFFERS


def _published_text(value: _Value) -> str:
    if value.published is None:
        return _say("not_found_value")
    text = _with_unit(value.published, value.unit, value.published_qualifier)
    if not value.comparable:
        text += _say("not_comparable_as_of", as_of=value.as_of) if value.as_of else _say("not_comparable")
    return text


def _article_text(value: _Value) -> str:
    return _say("article_missing") if value.article is None else _with_unit(value.article, value.unit, value.qualifier)


def _mark_remark(value: _Value, status: str) -> str | None:
    """Data whose verification mark contradicts the computed status (the maintainer changed a value, not the mark)."""
    expected = {"match": CONSISTENT, "match (secondary)": CONSISTENT, "differs": DIFFERS}.get(value.mark)
    if expected and status in CHECKED and status != expected:
        return _say("mark_remark", mark=value.mark)
    return None


def evaluate(claim: Claim, frames: Mapping[str, pd.DataFrame], descriptor: Mapping[str, Any]) -> Result:
    """Check one claim against the data frames (resource name → frame as `data.load` returns it). A claim no
    source settles is 未找到来源 when claims.csv records a search (``searched``), else 待核."""
    result = _evaluate(claim, frames, descriptor)
    if result.status == NOT_FOUND and not claim.searched:
        return replace(result, status=PENDING)
    return result


def _evaluate(claim: Claim, frames: Mapping[str, pd.DataFrame], descriptor: Mapping[str, Any]) -> Result:
    if claim.check not in CHECKS:
        raise _error(claim.line, "check", f"check 取值：{'、'.join(CHECKS)}", f"未知的核对方式“{claim.check}”")
    frame = frames[claim.resource]
    key_fields = _key_fields(descriptor, claim.resource)
    units = _field_units(descriptor, claim.resource)
    _require_field(claim, frame, claim.article_field, "article_field", claim.resource)
    rows = _select(claim, frame, key_fields, claim.rows, "rows", claim.resource)
    if claim.check == "ratio":
        return _evaluate_ratio(claim, frames, descriptor, rows, units)
    if claim.published_field:
        _require_field(claim, frame, claim.published_field, "published_field", claim.resource)
    values = _values(claim, frame, rows, key_fields, units, claim.article_field, claim.published_field)

    if claim.check in ("exact", "amount"):
        statuses = [_row_status(claim, v) for v in values]
        status = combine(statuses)
        many = len(values) > 1
        article = "；".join((f"{v.label} " if many else "") + _article_text(v) for v in values)
        published = "；".join((f"{v.label} " if many else "") + _published_text(v) for v in values)
        remarks = tuple(r for v, s in zip(values, statuses) if (r := _mark_remark(v, s)))
        used = [r for r, v in zip(rows, values) if v.published is not None]
        one = values[0] if len(values) == 1 else None
        difference = (abs(one.article - one.published) if one is not None and one.article is not None
                      and one.published is not None and one.comparable else None)
        return Result(claim, status, article, published, sources=_sources(used), remarks=remarks,
                      difference=difference)

    if claim.check == "at_most":
        return _evaluate_at_most(claim, values, rows)
    if claim.check == "ahead":
        other = _select(claim, frame, key_fields, claim.other_rows, "other_rows", claim.resource)
        if len(other) != len(rows):
            raise _error(claim.line, "other_rows", "ahead：rows 与 other_rows 逐一配对，行数必须相同",
                         f"rows 选出 {len(rows)} 行，other_rows 选出 {len(other)} 行")
        other_values = _values(claim, frame, other, key_fields, units, claim.article_field, claim.published_field)
        return _evaluate_ahead(claim, values, other_values, rows, other, key_fields)
    if claim.check == "text":
        # settled by the article's own words; the note states how (no source is needed, none is cited)
        if not claim.note:
            raise _error(claim.line, "note", "text：核对说明（note）须写明由文本确定的依据（如日期的推算）", "note 为空")
        return Result(claim, BY_TEXT, _article_text(values[0]), _say("by_text_published"))
    # list_count: the article states how many items its list has, and lists them (article_lists.csv)
    stated = values[0].article
    listed = len(rows)
    items = "、".join(_text(r.get("item_zh")) for r in rows if _text(r.get("item_zh")))
    status = BY_TEXT if stated == listed else DIFFERS
    remarks = () if status == BY_TEXT else (
        _say("list_count_differs", listed=listed, stated=_number(stated) if stated is not None else _say("not_given")),)
    listing = _say("listed_items", count=listed, items=items) if items else _say("listed", count=listed)
    return Result(claim, status, _article_text(values[0]), listing, remarks=remarks)


def _span(values: Sequence[_Value]) -> str:
    """"2017—2021 年" for a run of years, else "所列 5 项"."""
    if len(values) > 1 and all(v.year for v in values):
        return _say("year_span", first=values[0].year, last=values[-1].year)
    return values[0].label if len(values) == 1 else _say("items_span", count=len(values))


def _evaluate_at_most(claim: Claim, values: Sequence[_Value], rows: Sequence[Mapping[str, Any]]) -> Result:
    if claim.threshold is None:
        raise _error(claim.line, "threshold", "at_most 需要 threshold", "threshold 为空")
    limit = Decimal(str(claim.threshold))
    top = _say("top", number=_number(limit))

    def split(kind: str) -> tuple[list[_Value], list[_Value], list[_Value]]:
        """(rows outside the limit, rows within it, rows without a usable value)."""
        present = [v for v in values if getattr(v, kind) is not None and (kind == "article" or v.comparable)]
        missing = [v for v in values if v not in present]
        return ([v for v in present if getattr(v, kind) > limit], [v for v in present if getattr(v, kind) <= limit],
                missing)

    def spread(within: Sequence[_Value], kind: str) -> str:
        """"第 11–14 名": the range of the values within the limit (one value: "第 14 名")."""
        low, high = (min(getattr(v, kind) for v in within), max(getattr(v, kind) for v in within))
        unit = within[0].unit
        if low == high:
            return _with_unit(low, unit)
        return _with_unit(high, unit).replace(_number(high), f"{_number(low)}–{_number(high)}", 1)

    def describe(kind: str) -> str:
        """The rows outside the limit named one by one, the others as a range: "2017 年第 16 名（其余各年第 11–14
        名）"; with none outside, "2017—2021 年均在前 15 名（第 11–14 名）"."""
        over, within, missing = split(kind)
        years = all(v.year for v in values)
        text = ""
        if over:
            text = "、".join(f"{v.label}{_with_unit(getattr(v, kind), v.unit)}" for v in over)
            if within:
                text += _say("rest_years" if years else "rest_items", range=spread(within, kind))
        elif within:
            text = _say("at_most_within", span=_span(within), top=top, range=spread(within, kind))
        if missing:
            text += ("；" if text else "") + _say("label_not_found", label="、".join(v.label for v in missing))
        return text

    over, _, missing = split("published")
    if len(over) > claim.allowed_exceptions:
        status = DIFFERS
    elif len(over) + len(missing) > claim.allowed_exceptions:
        status = NOT_FOUND
    else:
        status = CONSISTENT
    allowance = _say("allowance", count=claim.allowed_exceptions) if claim.allowed_exceptions else ""
    article = _say("at_most_mostly" if claim.allowed_exceptions else "at_most_all", span=_span(values), top=top,
                   allowance=allowance)
    used = [r for r, v in zip(rows, values) if v.published is not None]
    return Result(claim, status, article, describe("published"), data_value=_say("article_own", value=describe("article")),
                  sources=_sources(used))


def _pair_label(mine: Mapping[str, Any], theirs: Mapping[str, Any], key_fields: Sequence[str]) -> tuple[str, str]:
    """What tells two paired rows apart (e.g. 中国香港 / 中国)."""
    differing = [k for k in key_fields if _text(mine[k]) != _text(theirs[k])]
    return _row_label(mine, key_fields, differing), _row_label(theirs, key_fields, differing)


def _evaluate_ahead(claim: Claim, values: Sequence[_Value], others: Sequence[_Value],
                    rows: Sequence[Mapping[str, Any]], other_rows: Sequence[Mapping[str, Any]],
                    key_fields: Sequence[str]) -> Result:
    def side(kind: str) -> tuple[str, list[str]]:
        statuses, parts = [], []
        for mine, theirs in zip(values, others):
            a, b = getattr(mine, kind), getattr(theirs, kind)
            if kind == "published" and not (mine.comparable and theirs.comparable):
                a = b = None
            if a is None or b is None:
                statuses.append(NOT_FOUND)
                parts.append(_say("label_not_found", label=mine.label))
            else:
                statuses.append(CONSISTENT if a < b else DIFFERS)
                parts.append(_say("ahead_pair", label=mine.label, mine=_number(a), theirs=_number(b)))
        return "；".join(parts), statuses

    published, statuses = side("published")
    article_side, _ = side("article")
    first, second = _pair_label(rows[0], other_rows[0], key_fields)
    article = _say("ahead_article", span=_span(values), first=first, second=second)
    return Result(claim, combine(statuses), article, _say("ahead_published", first=first, second=second, pairs=published),
                  data_value=_say("ahead_article_table", first=first, second=second, pairs=article_side),
                  sources=_sources([r for r in [*rows, *other_rows] if _text(r.get("published_source"))]))


def _evaluate_ratio(claim: Claim, frames: Mapping[str, pd.DataFrame], descriptor: Mapping[str, Any],
                    rows: Sequence[Mapping[str, Any]], units: Mapping[str, str]) -> Result:
    if not claim.other_resource or len(claim.other_rows) != 2:
        raise _error(claim.line, "other_rows", "ratio 需要 other_resource 和两行 other_rows（分子;分母）",
                     f"other_resource “{claim.other_resource}”，other_rows “{';'.join(claim.other_rows)}”")
    if claim.other_resource not in frames:
        raise _error(claim.line, "other_resource", "other_resource 必须是数据包中的数据集",
                     f"没有数据集“{claim.other_resource}”")
    frame = frames[claim.resource]
    mine = _values(claim, frame, rows, _key_fields(descriptor, claim.resource), units, claim.article_field, "")[0]
    other = frames[claim.other_resource]
    _require_field(claim, other, claim.published_field, "published_field", claim.other_resource)
    key_fields = _key_fields(descriptor, claim.other_resource)
    numerator, denominator = (_select(claim, other, key_fields, [spec], "other_rows", claim.other_resource)[0]
                              for spec in claim.other_rows)
    article_field = claim.published_field.replace("_published", "_article")

    def ratio(kind: str) -> tuple[Decimal | None, str]:
        def pick(row: Mapping[str, Any]) -> Decimal | None:
            if kind == "article":  # the article's own figure where it gives one, else the published one
                return _decimal(row.get(article_field)) if _decimal(row.get(article_field)) is not None \
                    else _decimal(row.get(claim.published_field))
            return _decimal(row.get(claim.published_field))
        top, bottom = pick(numerator), pick(denominator)
        if top is None or bottom is None or bottom == 0:
            return None, _say("not_found_value")
        value = top / bottom
        return value, f"{value.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP)} {mine.unit}（{_number(top)} ÷ {_number(bottom)}）"

    published, published_text = ratio("published")
    _, data_text = ratio("article")
    if mine.article is None or published is None:
        status = NOT_FOUND
    else:
        status = CONSISTENT if amount_supported(mine.article, mine.qualifier, published) else DIFFERS
    return Result(claim, status, _article_text(mine), published_text, data_value=_say("ratio_article_own", value=data_text),
                  sources=_sources([numerator, denominator]))


# ----------------------------------------------------------------------------------------------------------------
# The register from the data (what the pages use)
# ----------------------------------------------------------------------------------------------------------------
def register(target: str | None = None) -> list[Result]:
    """Every claim checked against the data (only those of one paragraph label if `target` is given)."""
    claims = read_claims()
    if target is not None:
        claims = [c for c in claims if c.target == target]
        if not claims:
            raise _error("—", "target", "页面引用的段落标签必须在 claims.csv 的 target 列中出现",
                         f"没有 target 为“{target}”的核验条目")
    descriptor = data.package()
    names = {r.get("name") for r in descriptor["resources"]}
    for claim in claims:
        for column, name in (("resource", claim.resource), ("other_resource", claim.other_resource)):
            if name and name not in names:
                raise _error(claim.line, column, "引用的数据集必须在 datapackage.json 中列出", f"没有数据集“{name}”")
    frames = {name: data.load(name) for name in resources_for(claims)}
    results = [evaluate(claim, frames, descriptor) for claim in claims]
    for result in results:
        # a list count the text contradicts is 不一致 from the text alone: it cites none
        if result.status in CHECKED and not result.sources and result.claim.check not in TEXT_CHECKS:
            raise _unsourced(result.claim, frames, descriptor)
    return results


def _resource_path(descriptor: Mapping[str, Any], resource: str) -> Path:
    item = next(i for i in descriptor["resources"] if i.get("name") == resource)
    return data.data_dir() / item.get("path", f"{resource}.csv")


def _row_line(frame: pd.DataFrame, key_fields: Sequence[str], spec: str) -> int | str:
    """The line of row `spec` in its CSV (the header is line 1), "—" when it is not there."""
    parts = spec.split("|")
    for position, record in enumerate(frame.to_dict("records")):
        if all(_text(record[k]) == p for k, p in zip(key_fields, parts)):
            return position + 2
    return "—"


def _unsourced(claim: Claim, frames: Mapping[str, pd.DataFrame], descriptor: Mapping[str, Any]) -> DataValidationError:
    """A claim decided (一致 or 不一致) from a row that names no source: the error names that row."""
    resource, spec = ((claim.other_resource, claim.other_rows[0]) if claim.check == "ratio"
                      else (claim.resource, claim.rows[0]))
    line = _row_line(frames[resource], _key_fields(descriptor, resource), spec)
    return DataValidationError(
        _resource_path(descriptor, resource), line, "published_source",
        "核对结果为一致或不一致的已发表值必须注明来源（sources.csv 中的 source_id）",
        f"数字核验第 {claim.number} 条（{claim.claim_id}）据此行判为{'一致或不一致'}，但该行没有来源")


# ----------------------------------------------------------------------------------------------------------------
# The numbers the sources' quotes give (sources.csv: quote)
# ----------------------------------------------------------------------------------------------------------------
def _source_column(row: Mapping[str, Any], published_field: str) -> str:
    """The column naming the source of `published_field` (economies_ranked → economies_ranked_source when filled)."""
    for name in (f"{published_field.removesuffix('_published')}_source", f"{published_field}_source"):
        if name in row and _text(row.get(name)):
            return name
    return "published_source"


def unquoted_numbers(results: Sequence[Result], load: Any = None) -> list[DataValidationError]:
    """For every claim decided against a source (一致 or 不一致): each published value it compared whose source has a
    quote (sources.csv) that does not give that value. A source without a quote is not listed here (the sources'
    own validation asks for one); an error names sources.csv's row and its quote column."""
    load = load or data.load
    descriptor = data.package()
    sources = load("sources")
    quoted = {_text(r["source_id"]): (_text(r.get("quote")), i + 2) for i, r in enumerate(sources.to_dict("records"))}
    problems = []
    for result in results:
        claim = result.claim
        if result.status not in CHECKED:
            continue
        if claim.check == "ratio":
            picks = [(claim.other_resource, spec) for spec in claim.other_rows]
        else:
            picks = [(claim.resource, spec) for spec in claim.rows]
            if claim.check == "ahead":
                picks += [(claim.resource, spec) for spec in claim.other_rows]
        for resource, spec in picks:
            frame = load(resource)
            units = _field_units(descriptor, resource)
            for row in _select(claim, frame, _key_fields(descriptor, resource), [spec], "rows", resource):
                value = _decimal(row.get(claim.published_field))
                source = _text(row.get(_source_column(row, claim.published_field)))
                quote, line = quoted.get(source, ("", "—"))
                if value is None or not source or not quote:
                    continue
                unit = _text(row.get("unit")) or units.get(claim.published_field, "") or ""
                if not quotes.quote_gives(quote, value, unit):
                    problems.append(DataValidationError(
                        data.data_dir() / "sources.csv", line, "quote",
                        "来源的原话（quote）须给出它所支持的数字",
                        f"数字核验第 {claim.number} 条（{claim.claim_id}）用来源 {source} 的值 {_number(value)}"
                        f"（{resource}.csv，{spec}），但该来源的原话中没有这个数字"))
    return problems


def status_by_row(results: Sequence[Result]) -> dict[tuple[str, str], str]:
    """(resource, row) → status, for the claims that read one row (what a table of single figures can show)."""
    return {(r.claim.resource, r.claim.rows[0]): r.status for r in results
            if len(r.claim.rows) == 1 and not r.claim.other_rows}


def by_materiality(results: Sequence[Result]) -> list[Result]:
    """The results in the order a reader should see discrepancies: claims about a whole series first (an
    `at_most` or `ahead` claim that fails changes what the article's sentence says), then single figures, and
    last the ranks and counts off by one (`Result.minor`); the register's order within each group."""
    def rank(result: Result) -> int:
        if result.claim.check in ("at_most", "ahead"):
            return 0
        return 2 if result.minor else 1
    return sorted(results, key=rank)


def status_counts(results: Sequence[Result]) -> dict[str, int]:
    return {status: sum(r.status == status for r in results) for status in STATUSES}


def secondary_only(results: Sequence[Result], kinds: Mapping[str, str]) -> int:
    """How many consistent claims rest on secondary sources alone (news, blogs, compilations), given each source
    id's `kind` (sources.csv): the reader should know which agreements an official text backs."""
    return sum(r.status == CONSISTENT and bool(r.sources) and all(kinds.get(s) == "secondary" for s in r.sources)
               for r in results)


def source_kinds(load: Any = None) -> dict[str, str]:
    """Source id → its kind (article, official, mirror, secondary), from sources.csv."""
    frame = (load or data.load)("sources")
    return {_text(r["source_id"]): _text(r["kind"]) for r in frame.to_dict("records")}


def chapter_titles(book_dir: Path = BOOK_DIR) -> dict[str, str]:
    """Chapter file stem → its title (the first `# ` heading)."""
    titles = {}
    for path in sorted(book_dir.glob("0*.md")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith("# "):
                titles[path.stem] = line[2:].strip()
                break
    return titles


# ----------------------------------------------------------------------------------------------------------------
# The statuses' colours for the chart of statuses by chapter (szhk.figures.stacked_counts, book/claims.md)
# ----------------------------------------------------------------------------------------------------------------
# Colours no economy uses (中国香港 is blue and 中国内地 vermillion in every figure): Okabe–Ito green, reddish purple,
# yellow; greys for the claims without a source (the lighter, dotted, for those nobody has searched yet).
STATUS_COLOURS = {CONSISTENT: "#009E73", DIFFERS: "#CC79A7", NOT_FOUND: "#BBBBBB", PENDING: "#E4E4E4",
                  BY_TEXT: "#F0E442"}
STATUS_HATCH = {CONSISTENT: None, DIFFERS: "////", NOT_FOUND: None, PENDING: "..", BY_TEXT: None}  # colour is never the only cue
