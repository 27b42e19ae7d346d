"""The change report (本次更新): what the edition about to be published changes against the published one, in Chinese.

tools/build.py (the publish step, not Sphinx) calls `report()` after staging a new edition and before switching to it, writes `changes.html` into
the staged site (so it is published with it) and prints the same lines at the end of `make build`. Compared:

- the data: every cell of every CSV, by the resource's primary key in datapackage.json (file, row, column, old → new);
- the numbers in the author's paragraphs (the elements labelled ``para-…``);
- each figure's data, read from the text its SVG carries (matplotlib writes every label as a comment; a
  redraw with the same numbers and labels is not reported);
- each claims-register verdict and published value (数字核验);
- the rows of every table in the chapters (Tables 1–2, 表 1 续, 表 2 续, …).

The history of data updates comes from the repository's history of data/ (commit dates), newest first. Only the
standard library, BeautifulSoup (installed with the book's theme) and git are used: never szhk or pandas.
"""
from __future__ import annotations

import csv
import difflib
import html
import json
import re
import subprocess
from pathlib import Path

from bs4 import BeautifulSoup

PAGE = "changes.html"
DATA_COPY = "data"  # in each published site folder: the data it was built from, for the next comparison
NUMBER = re.compile(r"\d+(?:\.\d+)?")
SVG_TEXT = re.compile(r"<!-- (.*?) -->")
LIMIT = 12  # items listed per figure or table before "等"


def _rows(path: Path, key: list[str]) -> dict[str, dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    key = key or [next(iter(rows[0]), "")] if rows else key
    return {"|".join(r.get(k) or "" for k in key): r for r in rows}


def _keys(descriptor: Path) -> dict[str, list[str]]:
    """CSV file name → its primary key columns, from datapackage.json."""
    if not descriptor.is_file():
        return {}
    package = json.loads(descriptor.read_text(encoding="utf-8"))
    keys = {}
    for resource in package.get("resources", []):
        key = resource.get("schema", {}).get("primaryKey", [])
        keys[resource.get("path", "")] = [key] if isinstance(key, str) else list(key)
    return keys


def data_changes(old: Path, new: Path) -> list[str]:
    """Cell by cell, row by row, file by file: 'data/x.csv 第 2024|HKG 行 rank_published：18 → 19'."""
    keys = _keys(new / "datapackage.json")
    lines = []
    names = sorted({p.name for p in old.glob("*.csv")} | {p.name for p in new.glob("*.csv")})
    for name in names:
        before, after = old / name, new / name
        if not before.is_file():
            lines.append(f"新增数据文件 data/{name}")
            continue
        if not after.is_file():
            lines.append(f"删除数据文件 data/{name}")
            continue
        if before.read_bytes() == after.read_bytes():
            continue
        key = keys.get(name, [])
        a, b = _rows(before, key), _rows(after, key)
        for row in [k for k in b if k not in a]:
            lines.append(f"data/{name} 新增第 {row} 行")
        for row in [k for k in a if k not in b]:
            lines.append(f"data/{name} 删除第 {row} 行")
        for row in [k for k in b if k in a]:
            for column in list(b[row]) + [c for c in a[row] if c not in b[row]]:
                x, y = a[row].get(column), b[row].get(column)
                if x != y:
                    lines.append(f"data/{name} 第 {row} 行 {column}：{x or '（空）'} → {y or '（空）'}")
    return lines


def _soup(path: Path) -> BeautifulSoup | None:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser") if path.is_file() else None


def _title(soup: BeautifulSoup, page: str) -> str:
    heading = soup.find("h1")
    return heading.get_text(" ", strip=True).rstrip("#").strip() if heading else page


def _numbers_diff(old: str, new: str) -> str:
    a, b = NUMBER.findall(old), NUMBER.findall(new)
    if len(a) == len(b):  # the same sentence with other numbers: pair them by place
        return "；".join(f"{x} → {y}" for x, y in zip(a, b) if x != y) or "文字有改动，数字未变"
    parts = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op != "equal":
            parts.append(f"{'、'.join(a[i1:i2]) or '（无）'} → {'、'.join(b[j1:j2]) or '（无）'}")
    return "；".join(parts) or "文字有改动，数字未变"


def _prose(element) -> str:
    """A paragraph's words and numbers without its citation marks ([18-22] renumber when the bibliography grows)."""
    element = BeautifulSoup(str(element), "html.parser")
    for cite in element.select('a[href*="references.html#"]'):
        cite.decompose()
    return element.get_text(" ", strip=True)


def _figure_texts(page: Path, figure) -> tuple[str, list[str]]:
    image = figure.find("img")
    if image is None or not image.get("src", "").endswith(".svg"):
        return "", []
    path = (page.parent / image["src"]).resolve()
    if not path.is_file():
        return "", []
    svg = path.read_text(encoding="utf-8")
    return svg, [html.unescape(t) for t in SVG_TEXT.findall(svg)]


def _listed(items: list[str]) -> str:
    shown = "、".join(items[:LIMIT])
    return shown + ("等" if len(items) > LIMIT else "")


def page_changes(old: Path, new: Path) -> dict[str, list[str]]:
    """Prose numbers, figures, claims verdicts and table rows that differ between two built sites."""
    out: dict[str, list[str]] = {"正文数字": [], "图表数据": [], "核验结果": [], "表格": []}
    for new_page in sorted(new.rglob("*.html")):
        relative = new_page.relative_to(new)
        a, b = _soup(old / relative), _soup(new_page)
        if a is None or b is None:
            continue
        name = _title(b, relative.as_posix())
        for element in b.select('[id^="para-"]'):
            before = a.find(id=element["id"])
            x = _prose(before) if before else ""
            y = _prose(element)
            if before is None:
                out["正文数字"].append(f"{name}（{element['id']}）：新增段落")
            elif x != y:
                out["正文数字"].append(f"{name}（{element['id']}）：{_numbers_diff(x, y)}")
        for figure in b.find_all("figure", id=True):
            before = a.find("figure", id=figure["id"])
            _, texts_b = _figure_texts(new_page, figure)
            _, texts_a = _figure_texts(old / relative, before) if before else ("", [])
            if before is None:
                out["图表数据"].append(f"{name}：新增图 {figure['id']}")
            elif texts_a != texts_b:  # its numbers and labels (a redraw with the same text is no data change)
                gone = [t for t in texts_a if t not in texts_b]
                added = [t for t in texts_b if t not in texts_a]
                detail = "；".join(p for p in (f"新出现：{_listed(added)}" if added else "",
                                               f"不再出现：{_listed(gone)}" if gone else "") if p)
                out["图表数据"].append(f"{name}：图 {figure['id']} 已变（{detail or '文字次序改变'}）")
        for cell in b.select('[id^="claim-"]'):
            row = cell.find_parent("tr")
            before = a.find(id=cell["id"])
            before_row = before.find_parent("tr") if before else None
            if row is None or before_row is None:
                continue
            x = [td.get_text(" ", strip=True) for td in before_row.find_all("td")]
            y = [td.get_text(" ", strip=True) for td in row.find_all("td")]
            for index, label in ((1, "结果"), (3, "公开来源")):
                if len(x) > index and len(y) > index and x[index] != y[index]:
                    out["核验结果"].append(f"{cell['id']} {label}：{x[index]} → {y[index]}")
        if relative.name.startswith("0"):  # the chapters' tables, matched by their place on the page
            tables_a, tables_b = a.find_all("table"), b.find_all("table")
            for index, table in enumerate(tables_b):
                rows_b = [r.get_text(" ", strip=True) for r in table.find_all("tr")]
                rows_a = ([r.get_text(" ", strip=True) for r in tables_a[index].find_all("tr")]
                          if index < len(tables_a) else [])
                if rows_a != rows_b:
                    added = [r for r in rows_b if r not in rows_a]
                    gone = [r for r in rows_a if r not in rows_b]
                    out["表格"].append(f"{name} 第 {index + 1} 个表格：" + "；".join(
                        p for p in (f"新：{_listed(added)}" if added else "", f"旧：{_listed(gone)}" if gone else "")
                        if p))
    return out


def history(root: Path, limit: int = 30) -> list[tuple[str, str]]:
    """(date, commit subject) of the commits that changed data/, newest first; empty outside a git checkout."""
    try:
        result = subprocess.run(["git", "-C", str(root), "log", f"-{limit}", "--format=%cs%x09%s", "--", "data/"],
                                capture_output=True, text=True, timeout=30, check=True)
    except (OSError, subprocess.SubprocessError):
        return []
    return [tuple(line.split("\t", 1)) for line in result.stdout.splitlines() if "\t" in line]  # type: ignore[misc]


def report(previous_site: Path | None, staged_site: Path, data: Path) -> dict[str, list[str]]:
    """All changes of the staged edition against the published one ({} when there is none to compare with)."""
    if previous_site is None or not (previous_site / "html").is_dir():
        return {}
    sections = {"数据": data_changes(previous_site / DATA_COPY, data) if (previous_site / DATA_COPY).is_dir() else []}
    sections.update(page_changes(previous_site / "html", staged_site / "html"))
    return sections


def as_text(sections: dict[str, list[str]], compared: bool) -> str:
    if not compared:
        return "本次更新：首次发布，没有可比较的上一版。"
    if not any(sections.values()):
        return "本次更新：与上一版相比没有变化（no change）。"
    lines = ["本次更新（与上一版相比）："]
    for title, items in sections.items():
        if items:
            lines.append(f"【{title}】")
            lines += [f"  - {item}" for item in items]
    return "\n".join(lines)


def write_page(path: Path, sections: dict[str, list[str]], compared: bool, log: list[tuple[str, str]]) -> None:
    """A plain page in the site: this edition's changes, then the dated history of data updates."""
    body = []
    if not compared:
        body.append("<p>首次发布，没有可比较的上一版。</p>")
    elif not any(sections.values()):
        body.append("<p>与上一版相比没有变化。</p>")
    for title, items in sections.items():
        if items:
            body.append(f"<h2>{html.escape(title)}</h2><ul>"
                        + "".join(f"<li>{html.escape(i)}</li>" for i in items) + "</ul>")
    body.append("<h2>数据更新记录（据仓库中 data/ 的提交历史，新的在前）</h2><ul>"
                + "".join(f"<li><time>{html.escape(d)}</time>　{html.escape(s)}</li>" for d, s in log) + "</ul>")
    path.write_text(
        "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>本次更新 · 数据更新记录</title>"
        "<style>body{font-family:'Noto Sans CJK SC',sans-serif;max-width:46em;margin:2em auto;padding:0 1em;"
        "line-height:1.7;color:#222}li{margin:.3em 0;overflow-wrap:anywhere}time{color:#555}</style></head><body>"
        "<p><a href=\"index.html\">返回首页</a></p><h1>本次更新</h1>"
        "<p>本页由每次构建自动生成：把即将发布的版本与上一次发布的版本逐项比较（数据文件的每个单元格、正文中的数字、"
        "每幅图的数据、数字核验的结果、各章表格）。没有变化时保留上一次有变化时的记录。</p>"
        + "".join(body) + "</body></html>\n", encoding="utf-8")
