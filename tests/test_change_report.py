"""The change report (szhk_sphinx.changes): after a one-value edit it names the file, the row, the column and the
old and new value; it sees a changed number in the author's paragraph, a changed figure and a changed verdict; and
it says "no change" when nothing changed."""
from __future__ import annotations

import json
from pathlib import Path

from szhk_sphinx import changes


def site(folder: Path, rank: str, verdict: str, label: str) -> Path:
    """A two-file site and its data: one CSV row, one paragraph, one figure (SVG with its text), one claim."""
    (folder / "data").mkdir(parents=True)
    (folder / "data" / "datapackage.json").write_text(json.dumps({"resources": [
        {"path": "gii_ranks.csv", "schema": {"primaryKey": ["year", "economy_code"]}}]}), encoding="utf-8")
    (folder / "data" / "gii_ranks.csv").write_text(
        f"year,economy_code,rank_published\n2025,HKG,{rank}\n", encoding="utf-8")
    book = folder / "html" / "book"
    book.mkdir(parents=True)
    (book / "fig.svg").write_text(f"<svg><!-- {label} --></svg>", encoding="utf-8")
    (book / "02-hk-innovation.html").write_text(
        "<html><body><h1>二、香港科技创新产业基本情况</h1>"
        f"<p id='para-02-rankings'>香港近 {rank} 年均排在前 15 名</p>"
        "<figure id='fig-gii-ranks'><img src='fig.svg'></figure>"
        "<table><tr><td>2025年</td><td>15/139</td></tr></table></body></html>", encoding="utf-8")
    (book / "claims.html").write_text(
        "<html><body><h1>数字核验</h1><table><tr><td><p id='claim-gii-top15'>第 1 条</p></td>"
        f"<td>{verdict}</td><td>5 年</td><td>{rank}</td></tr></table></body></html>", encoding="utf-8")
    return folder


def test_a_one_value_edit_names_file_row_column_and_both_values(tmp_path: Path) -> None:
    old = site(tmp_path / "old", "15", "一致", "15")
    new = site(tmp_path / "new", "16", "不一致", "16")
    sections = changes.report(old, new, new / "data")
    assert sections["数据"] == ["data/gii_ranks.csv 第 2025|HKG 行 rank_published：15 → 16"]
    assert sections["正文数字"] == ["二、香港科技创新产业基本情况（para-02-rankings）：15 → 16"]
    assert sections["图表数据"] == ["二、香港科技创新产业基本情况：图 fig-gii-ranks 已变（新出现：16；不再出现：15）"]
    assert "claim-gii-top15 结果：一致 → 不一致" in sections["核验结果"]
    text = changes.as_text(sections, compared=True)
    assert "15 → 16" in text and "gii_ranks.csv" in text


def test_no_change_says_so(tmp_path: Path) -> None:
    old = site(tmp_path / "old", "15", "一致", "15")
    new = site(tmp_path / "new", "15", "一致", "15")
    sections = changes.report(old, new, new / "data")
    assert not any(sections.values())
    assert "没有变化" in changes.as_text(sections, compared=True)
    page = tmp_path / "changes.html"
    changes.write_page(page, sections, True, [("2026-01-02", "Data: GII 2025")])
    assert "没有变化" in page.read_text(encoding="utf-8") and "2026-01-02" in page.read_text(encoding="utf-8")


def test_first_edition_has_nothing_to_compare_with(tmp_path: Path) -> None:
    new = site(tmp_path / "new", "15", "一致", "15")
    assert changes.report(None, new, new / "data") == {}
    assert "首次发布" in changes.as_text({}, compared=False)
