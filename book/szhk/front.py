"""The front matter's content from the data: the editor's key messages (核心观点) and the checking's findings
(本书的核验发现), as MyST Markdown for book/index.md and, later, the briefing's first page.

- A key message is the editor's sentence, not the author's: it summarises a paragraph of the article, holds one
  number read from the data (a named row and column of a resource), links to that paragraph and to the dataset,
  and carries the claims register's caveat when the claim it rests on is 不一致, 未找到来源 or 待核. A message whose
  number is not in the data raises FrontMatterError naming the message: the page never states a number the data
  does not hold.
- The findings are written from the register (`szhk.claims.register()`): the tally of statuses, the claims that
  the article's own figures contradict, the figures that match the next year's release rather than the year the
  article names (with how many releases that evidence rests on), and the other discrepancies. They change when the
  data do.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

import pandas as pd

from . import claims, data, markdown
from .claims import BY_TEXT, CONSISTENT, DIFFERS, NOT_FOUND, PENDING, UNSOURCED, Result

__all__ = ["FrontMatterError", "KeyMessage", "KEY_MESSAGES", "key_message_value", "key_messages_markdown",
           "YearShift", "year_shifts", "self_contradictions", "findings", "findings_markdown"]

EDITOR_MARK = "编者"
YEAR_KEYS = ("year", "survey_year")  # primary-key fields that name the year a row is for


class FrontMatterError(ValueError):
    """A key message or finding cannot be written from the data (the message names which one)."""


# ----------------------------------------------------------------------------------------------------------------
# Key messages
# ----------------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class KeyMessage:
    """One editor's sentence. `text` holds "{value}" where the number goes; the number is `field` of the row of
    `resource` whose primary key is `row` ("2021|HKG", as in claims.csv). `target` is the paragraph label it
    summarises, `claim_ids` the register entries whose status it must carry."""

    message_id: str
    text: str
    resource: str
    row: str
    field: str
    target: str
    claim_ids: tuple[str, ...] = ()


# The editor's reading of the article, in its order: where the two cities stand, and what the article proposes (the
# last message sums up its main asks, in its words, around the one number the data hold for them).
KEY_MESSAGES: tuple[KeyMessage, ...] = (
    KeyMessage("cluster", "深港合作有共同的底座：由香港、深圳和广州组成的科技集群，在 2021 年全球创新指数中居世界"
               "第 {value} 位。", "gii_cluster_ranks", "2021", "rank_published", "para-02-rankings",
               ("gii-cluster-rank",)),
    KeyMessage("gii", "香港的创新实力居全球前列，2021 年全球创新指数排第 {value} 名，但并非如文章所说近 5 年每年"
               "都在前 15 名。", "gii_ranks", "2021|HKG", "rank_published", "para-02-rankings", ("gii-top15",)),
    KeyMessage("startups", "香港的初创企业生态在扩大：香港投资推广署 2021 年的调查录得 {value} 家初创企业，少于"
               "文章所写的数目。", "hk_startups", "2021", "startups_published", "para-02-startups",
               ("hk-startups-2021",)),
    KeyMessage("hetao", "合作已有落地的平台：据文章，河套深港科技创新合作区落户和推进的优质科研项目累计超过 "
               "{value} 个。", "key_figures", "hetao_projects", "value_article", "para-05-hetao",
               ("hetao-projects",)),
    KeyMessage("manufacturing", "文章的主要建议：针对科技合作建立部门级的协调机制并组建深港科技合作顾问咨询委员会，"
               "依托深圳口岸经济带和香港北部都会区打造“深港连片科技带”，并在宝安统筹会展东及周边 {value} 平方公里"
               "片区建设深港先进制造业合作区，让香港的科研成果在深圳落地。", "cooperation_areas", "szhk_advanced_manufacturing_zone",
               "area_km2_article", "para-06-manufacturing", ("manufacturing-zone-area",)),
)


def _text(value: Any) -> str:
    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value).strip()


def _decimal(value: Any) -> Decimal | None:
    try:
        return Decimal(_text(value)) if _text(value) else None
    except InvalidOperation:
        return None


def _number(value: Decimal) -> str:
    """As the article writes numbers: no thousands separator, no trailing zeros (3755, 14.2, 2)."""
    return format(value.normalize(), "f")


def _primary_key(resource: str) -> list[str]:
    for item in data.package()["resources"]:
        if item.get("name") == resource:
            key = item.get("schema", {}).get("primaryKey", [])
            return [key] if isinstance(key, str) else list(key)
    raise FrontMatterError(f"数据包中没有数据集“{resource}”")


def _row(frame: pd.DataFrame, key: Sequence[str], spec: str) -> Mapping[str, Any] | None:
    parts = spec.split("|")
    for record in frame.to_dict("records"):
        if len(parts) == len(key) and all(_text(record[k]) == p for k, p in zip(key, parts)):
            return record
    return None


def key_message_value(message: KeyMessage, load: Callable[[str], pd.DataFrame] = data.load) -> Decimal:
    """The message's number from the data; FrontMatterError naming the message when the data do not hold it."""
    where = f"核心观点“{message.message_id}”（{message.text.format(value='…')}）"
    try:
        key = _primary_key(message.resource)
        frame = load(message.resource)
    except (FrontMatterError, KeyError) as error:
        raise FrontMatterError(f"{where}：读取不到数据集 {message.resource}（{error}）") from error
    if message.field not in frame.columns:
        raise FrontMatterError(f"{where}：{message.resource}.csv 没有列“{message.field}”")
    row = _row(frame, key, message.row)
    if row is None:
        raise FrontMatterError(f"{where}：{message.resource}.csv 中没有主键（{'、'.join(key)}）为“{message.row}”的行")
    value = _decimal(row[message.field])
    if value is None:
        raise FrontMatterError(f"{where}：{message.resource}.csv 中“{message.row}”行的 {message.field} 为空，"
                               "数据中没有这个数字")
    return value


def _caveat(result: Result) -> str:
    link = f"{{ref}}`数字核验第 {result.claim.number} 条 <{result.claim.label}>`"
    if result.status == DIFFERS:
        return f"核验：文章的数字与公开来源不一致，见{link}。"
    if result.status in UNSOURCED:
        return f"核验：{result.status}，见{link}。"
    return ""


def _title(resource: str) -> str:
    for item in data.package()["resources"]:
        if item.get("name") == resource:
            return _text(item.get("title")) or resource
    return resource


def key_messages_markdown(results: Sequence[Result], messages: Sequence[KeyMessage] = KEY_MESSAGES,
                          load: Callable[[str], pd.DataFrame] = data.load,
                          values: dict[str, float] | None = None) -> str:
    """A numbered list, one message each: the sentence with its number in bold, then links to the paragraph, the
    dataset and (where it applies) the register entry. `values`, when given, receives each message's number
    (for glue)."""
    by_id = {r.claim.claim_id: r for r in results}
    lines = []
    for i, message in enumerate(messages, 1):
        value = key_message_value(message, load)
        if values is not None:
            values[message.message_id] = float(value)
        # Escape the words around the placeholder, not the placeholder: markdown.text escapes its braces.
        sentence = f"**{_number(value)}**".join(markdown.text(part) for part in message.text.split("{value}"))
        refs = [f"{{ref}}`原文段落 <{message.target}>`",
                markdown.link(f"数据：{_title(message.resource)}", f"data-{message.resource}")]
        caveats = []
        for claim_id in message.claim_ids:
            if claim_id not in by_id:
                raise FrontMatterError(f"核心观点“{message.message_id}”：数字核验中没有条目“{claim_id}”（claims.csv）")
            caveat = _caveat(by_id[claim_id])
            if caveat:
                caveats.append(caveat)
        tail = "　".join(["出处：" + "；".join(refs) + "。", *caveats])
        lines.append(f"{i}. {sentence}\n\n   {tail}")
    return "\n".join(lines) + "\n"


# ----------------------------------------------------------------------------------------------------------------
# Findings
# ----------------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class YearShift:
    """A claim that differs from the release for the year the article names but matches the next year's."""

    result: Result
    year: int              # the year the article names
    next_value: Decimal    # the published value one year later (a ratio for ratio claims)
    next_text: str
    # the later row the match rests on (resource, row, its published value): one row, one piece of evidence however
    # many claims use it
    release: tuple[str, str, str] = ("", "", "")


def _year_position(key: Sequence[str]) -> int | None:
    for i, name in enumerate(key):
        if name in YEAR_KEYS:
            return i
    return None


def _shift(spec: str, position: int) -> tuple[int, str] | None:
    parts = spec.split("|")
    if position >= len(parts) or not parts[position].isdigit():
        return None
    year = int(parts[position])
    parts[position] = str(year + 1)
    return year, "|".join(parts)


def _with_next_year(resource: str, spec: str, load: Callable[[str], pd.DataFrame]
                    ) -> tuple[int, Mapping[str, Any] | None, Mapping[str, Any]] | None:
    """The year of row `spec` of `resource`, that row (None if absent) and the same row a year later; None when the
    key has no year or the later row is absent."""
    key = _primary_key(resource)
    position = _year_position(key)
    shifted = _shift(spec, position) if position is not None else None
    if shifted is None:
        return None
    frame = load(resource)
    later = _row(frame, key, shifted[1])
    return None if later is None else (shifted[0], _row(frame, key, spec), later)


def _other_years_support(claim: claims.Claim, resource: str, spec: str, article: Decimal, qualifier: str,
                         load: Callable[[str], pd.DataFrame]) -> bool:
    """Whether a year other than the one the article names and the next gives a published value that supports the
    article's (IMD's "/63": 63 economies in 2017–2020 and 2022): then the next year's match says nothing about
    which release the author used."""
    key = _primary_key(resource)
    position = _year_position(key)
    parts = spec.split("|")
    named = int(parts[position])
    for row in load(resource).to_dict("records"):
        year = _decimal(row.get(key[position]))
        if year is None or int(year) in (named, named + 1):
            continue
        if any(_text(row.get(k)) != p for i, (k, p) in enumerate(zip(key, parts)) if i != position):
            continue
        published = _decimal(row.get(claim.published_field))
        if published is not None and (article == published if claim.check == "exact"
                                      else claims.amount_supported(article, qualifier, published)):
            return True
    return False


def _release(resource: str, row: Mapping[str, Any], field: str) -> tuple[str, str, str]:
    key = _primary_key(resource)
    return resource, "|".join(_text(row.get(k)) for k in key), _number(_decimal(row.get(field)) or Decimal(0))


def year_shifts(results: Sequence[Result], load: Callable[[str], pd.DataFrame] = data.load) -> list[YearShift]:
    """The 不一致 claims whose article value the next year's published value supports (same resource, the row for
    the following year): an `amount`/`exact` claim on one row, or a `ratio` whose numerator row is shifted. A value
    that other years' releases give as well is left out: it is no evidence of which release the author used."""
    found = []
    for result in results:
        claim = result.claim
        if result.status != DIFFERS:
            continue
        if claim.check in ("amount", "exact") and len(claim.rows) == 1:
            pair = _with_next_year(claim.resource, claim.rows[0], load)
            if pair is None or pair[1] is None:
                continue
            year, mine, later = pair
            article, published = _decimal(mine.get(claim.article_field)), _decimal(later.get(claim.published_field))
            if article is None or published is None:
                continue
            qualifier = _text(mine.get("qualifier"))
            supported = (article == published if claim.check == "exact" else
                         claims.amount_supported(article, qualifier, published))
            if supported and not _other_years_support(claim, claim.resource, claim.rows[0], article, qualifier, load):
                found.append(YearShift(result, year, published, _number(published),
                                       _release(claim.resource, later, claim.published_field)))
        elif claim.check == "ratio" and len(claim.other_rows) == 2 and claim.other_resource:
            pair = _with_next_year(claim.other_resource, claim.other_rows[0], load)
            if pair is None:
                continue
            year, _, top = pair
            bottom = _row(load(claim.other_resource), _primary_key(claim.other_resource), claim.other_rows[1])
            mine = _row(load(claim.resource), _primary_key(claim.resource), claim.rows[0])
            if top is None or bottom is None or mine is None:
                continue
            numerator, denominator = (_decimal(r.get(claim.published_field)) for r in (top, bottom))
            article = _decimal(mine.get(claim.article_field))
            if numerator is None or not denominator or article is None:
                continue
            ratio = numerator / denominator
            if claims.amount_supported(article, _text(mine.get("qualifier")), ratio):
                shown = ratio.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
                found.append(YearShift(result, year, ratio,
                                       f"{_number(shown)}（{_number(numerator)} ÷ {_number(denominator)}）",
                                       _release(claim.other_resource, top, claim.published_field)))
    return found


def self_contradictions(results: Sequence[Result], load: Callable[[str], pd.DataFrame] = data.load
                        ) -> list[tuple[Result, list[str]]]:
    """`at_most` claims ("近 5 年均排在前 15 名") that the article's own figures break (more rows over the threshold
    than the claim allows): each with the rows over it, written "2017 年第 16 名"."""
    found = []
    for result in results:
        claim = result.claim
        if claim.check != "at_most" or claim.threshold is None:
            continue
        key = _primary_key(claim.resource)
        frame = load(claim.resource)
        over = []
        for spec in claim.rows:
            row = _row(frame, key, spec)
            value = _decimal(row.get(claim.article_field)) if row is not None else None
            if value is not None and value > Decimal(str(claim.threshold)):
                position = _year_position(key)
                label = f"{spec.split('|')[position]} 年" if position is not None else spec
                over.append(f"{label}第 {_number(value)} 名")
        if len(over) > claim.allowed_exceptions:  # "基本保持在前十名" allows one year outside
            found.append((result, over))
    return found


def _cat(prefix: str, value: str) -> str:
    """Prefix and value, with the space the book puts between Chinese and a following digit."""
    return f"{prefix} {value}" if value[:1].isdigit() else f"{prefix}{value}"


_LEADING_NUMBER = re.compile(r"^\d+(?:\.\d+)?")


def _with_unit_of(shown: str, published_value: str) -> str:
    """`shown` (a number, maybe with its computation in brackets) with the unit the register's published value
    uses: "3985", "3755 家" → "3985 家"; "2.56（3985 ÷ 1558）", "2.41 倍（…）" → "2.56 倍（3985 ÷ 1558）"."""
    match = _LEADING_NUMBER.match(published_value)
    if not match:
        return shown
    unit = published_value[match.end():].split("（")[0]
    number, bracket, rest = shown.partition("（")
    return f"{number}{unit}{bracket}{rest}"


def _entry(result: Result) -> str:
    return f"{{ref}}`第 {result.claim.number} 条 <{result.claim.label}>`"


def findings(results: Sequence[Result], load: Callable[[str], pd.DataFrame] = data.load) -> list[str]:
    """3–5 sentences (MyST Markdown) on what checking the article's numbers found, from the register."""
    md = markdown.text  # data text reaches the page only through szhk.markdown
    counts = claims.status_counts(results)
    secondary = claims.secondary_only(results, claims.source_kinds(load))
    pending = f"，{counts[PENDING]} 处待核（尚未检索）" if counts[PENDING] else ""
    out = [f"本书列出文章中的 {len(results)} 处数字、名次或比较。{counts[BY_TEXT]} 处由文章本身即可确定（文中列出的项数、"
           f"日期的推算），不需对照来源；其余逐一与数据包中的公开来源对照：{counts[CONSISTENT]} 处一致（其中 {secondary} "
           f"处只有新闻或汇编等二手来源），{counts[DIFFERS]} 处不一致，{counts[NOT_FOUND]} 处未找到来源{pending}。"
           "“未找到来源”是说编者检索过（各条写明查过哪里）而没有找到给出这一数字的公开来源，并不表示它有误。"]
    explained: set[str] = set()
    contradicted = [(r, over) for r, over in self_contradictions(results, load) if r.status == DIFFERS]
    if contradicted:
        out.append("文章的说法与它自己列出的数字相矛盾：" + "；".join(
            f"文章说“{md(r.claim.excerpt)}”，{_cat('但它自己的数字中', '、'.join(md(x) for x in over))}，公开来源也是如此"
            f"（{_entry(r)}）" for r, over in contradicted) + "。")
        explained.update(r.claim.claim_id for r, _ in contradicted)
    order = {r.claim.claim_id: i for i, r in enumerate(claims.by_materiality(results))}
    shifts = sorted(year_shifts(results, load), key=lambda s: order[s.result.claim.claim_id])
    if shifts:
        parts = "；".join(
            f"“{md(s.result.claim.statement)}”{_cat('文章为', md(s.result.article_value))}，"
            f"{_cat(f'{s.year} 年的发布为', md(s.result.published_value.split('（')[0]))}，"
            f"{s.year + 1} 年的发布为 {md(_with_unit_of(s.next_text, s.result.published_value))}"
            f"（{_entry(s.result)}）" for s in shifts)
        years = sorted({s.year for s in shifts})
        releases = list(dict.fromkeys(s.release for s in shifts))
        text = f"有 {len(shifts)} 处数字与文章所标年份的发布不符，却与下一年的发布相符：{parts}。"
        if len(releases) < len(shifts):  # several claims resting on one later row are one piece of evidence
            which = "；".join(f"{md(_title(resource))}，{md(row)}：{md(value)}" for resource, row, value in releases)
            text += (f"这 {len(shifts)} 处用的是下一年发布中的{'同一个' if len(releases) == 1 else f' {len(releases)} 个'}"
                     f"数字（{which}），只算 {len(releases)} 份证据。")
        out.append(text)
        explained.update(s.result.claim.claim_id for s in shifts)
        out.append(f"由此看，作者可能用了 {years[-1] + 1} 年发布的数据，却标作 {years[-1]} 年；这是编者的推断，"
                   f"只有 {len(releases)} 份证据，数据本身不能证实。")
    others = [r for r in claims.by_materiality(results) if r.status == DIFFERS and r.claim.claim_id not in explained]
    if others:
        def parts(chosen: Sequence[Result]) -> str:
            return "；".join(f"{md(r.claim.statement)}，{_cat('文章为', md(r.article_value))}，"
                            f"{_cat('公开来源为', md(r.published_value))}"
                            f"{_note(r, load)}（{_entry(r)}）" for r in chosen)
        major, minor = [r for r in others if not r.minor], [r for r in others if r.minor]
        # one paragraph (the findings stay 3–5 paragraphs): the larger gaps, then the off-by-one ones
        if major and minor:
            out.append(f"其余 {len(others)} 处不一致中，{len(major)} 处相差较大：{parts(major)}。"
                       f"另有细微差异（名次或个数只差 1）：{parts(minor)}。")
        elif major:
            out.append(f"其余 {len(others)} 处不一致：{parts(major)}。")
        else:
            out.append(f"其余 {len(others)} 处不一致均为细微差异（名次或个数只差 1）：{parts(minor)}。")
    return out


def _note(result: Result, load: Callable[[str], pd.DataFrame]) -> str:
    """The data's own note on the row a one-row claim points at (it often says which release the value is from)."""
    claim = result.claim
    if len(claim.rows) != 1:
        return ""
    row = _row(load(claim.resource), _primary_key(claim.resource), claim.rows[0])
    note = _text(row.get("note")) if row is not None else ""
    return f"（数据注：{markdown.text(note.rstrip('。'))}）" if note else ""


def findings_markdown(results: Sequence[Result], load: Callable[[str], pd.DataFrame] = data.load) -> str:
    return "\n\n".join(findings(results, load)) + "\n"
