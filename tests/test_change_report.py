"""The change report for readers (tools/changes.py, 更新说明): plain words naming the table or figure and the row as
a reader knows them, new rows with their values and sources, 数据截至 and sources included, no column names, keys
or internal ids; compared with the previous *published* edition, kept, so a second build of the same edition writes
the same page; the history lists editions in words."""
from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest
from conftest import DATA, ROOT, TOOLS, read_csv, set_cells
import szhk_names
from szhk_names import EDITIONS_FILE

import sys

sys.path.insert(0, str(TOOLS))
import changes  # noqa: E402  (tools/changes.py)

QS = "qs_university_ranks.csv"
HKUST = {"edition": "2022", "university_code": "HKUST", "ranking_code": "overall"}
FIGURE_HTML = ("<html><body><figure id='fig-gii-ranks'><img src='x.svg'><figcaption><p>图 3 中国香港与中国内地的全球创新"
               "指数名次（2017—2025 年）。注释[1]</p></figcaption></figure><p>正文<sup>[{note}]</sup></p></body></html>")


def record(folder: Path, data: Path, version: str, released: str, note: int = 1) -> Path:
    """A published edition: its record (data, references.bib, version, data date) and a page with one figure."""
    html = folder / "html" / "book"
    html.mkdir(parents=True)
    (html / "02-hk-innovation.html").write_text(FIGURE_HTML.format(note=note), encoding="utf-8")
    with (data / EDITIONS_FILE).open("a", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerow([version, released, f"第 {version} 版的改动（测试）"])
    bib = folder / "references.bib"
    shutil.copy2(ROOT / "book" / "references.bib", bib)
    return changes.write_record(folder, data, bib, version, released, szhk_names.editions(data))


@pytest.fixture
def editions(tmp_path: Path):
    """The repository's data as the previous published edition, and a copy to edit as the new one."""
    old_data, new_data = shutil.copytree(DATA, tmp_path / "old-data"), shutil.copytree(DATA, tmp_path / "new-data")
    for data in (old_data, new_data):  # the history of these two editions only
        rows = read_csv(data / EDITIONS_FILE)
        with (data / EDITIONS_FILE).open("w", encoding="utf-8", newline="") as handle:
            csv.DictWriter(handle, list(rows[0]), lineterminator="\n").writeheader()
    old = record(tmp_path / "old", old_data, "8.0", "2030-01-01")

    def publish_new(edit=lambda data, bib: None, note: int = 1, data_as_of: str = "2030-01-01") -> changes.Report:
        shutil.rmtree(tmp_path / "new", ignore_errors=True)
        data = shutil.copytree(new_data, tmp_path / "edited-data", dirs_exist_ok=True)
        site = tmp_path / "new"
        (site / "html" / "book").mkdir(parents=True)
        (site / "html" / "book" / "02-hk-innovation.html").write_text(FIGURE_HTML.format(note=note), encoding="utf-8")
        bib = tmp_path / "new.bib"
        shutil.copy2(ROOT / "book" / "references.bib", bib)
        edit(data, bib)
        with (data / EDITIONS_FILE).open("a", encoding="utf-8", newline="") as handle:
            csv.writer(handle, lineterminator="\n").writerow(["8.1", "2030-02-01", "补充 QS 2027 年版（测试）"])
        new = changes.write_record(site, data, bib, "8.1", data_as_of, szhk_names.editions(data))
        return changes.report(old, new, site / "html")

    return publish_new


def text_of(report: changes.Report) -> str:
    return changes.as_text(report)


def test_a_changed_value_and_verdict_read_as_the_reader_knows_the_row(editions) -> None:
    def edit(data: Path, bib: Path) -> None:
        row = next(r for r in read_csv(data / QS) if all(r[k] == v for k, v in HKUST.items()))
        set_cells(data / QS, HKUST, rank_published=str(int(row["rank_published"]) + 1), verification="differs")
    report = editions(edit)
    lines = report.sections["data"]
    assert len(lines) == 1, lines
    line = lines[0]
    assert line.startswith("表 2 香港科技大学 大学总排名 2022 年"), line
    assert "已发表来源给出的名次：第 34 名 → 第 35 名" in line or "→ 第" in line, line
    assert "核验：" in line and "→ 不一致" in line, line
    for internal in ("rank_published", "verification", "HKUST", "overall", "|", "qs_university_ranks", "claim-"):
        assert internal not in text_of(report), f"the report shows {internal!r}: {text_of(report)}"


def test_a_new_row_shows_its_values_its_source_and_the_figures_that_show_it(editions) -> None:
    def edit(data: Path, bib: Path) -> None:
        rows = read_csv(data / "gii_ranks.csv")
        latest = max(int(r["year"]) for r in rows)
        with (data / "gii_ranks.csv").open("a", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, list(rows[0]), lineterminator="\n")
            for row in [r for r in rows if int(r["year"]) == latest]:
                writer.writerow(dict(row, year=str(latest + 1), rank_published="7"))
    report = editions(edit)
    text = text_of(report)
    added = [line for line in report.sections["data"] if "新增" in line]
    assert len(added) == 2, report.sections["data"]
    assert all(line.startswith("表 1 续、图 3 中国香港与中国内地的全球创新指数名次") for line in added), added
    assert any("中国香港" in line and "第 7 名" in line and "（来源：《" in line for line in added), added
    assert report.sections["figures"] == [f"图 3 中国香港与中国内地的全球创新指数名次：新增 中国香港 "
                                          f"{int(added[0].split(' 年')[0].split()[-1])} 年、中国 "
                                          f"{int(added[0].split(' 年')[0].split()[-1])} 年 的数据"], report.sections
    assert "gii_ranks" not in text and "rank_published" not in text


def test_sources_and_the_data_date_are_reported(editions) -> None:
    def edit(data: Path, bib: Path) -> None:
        bib.write_text(bib.read_text(encoding="utf-8") + "\n@online{report-test-new,\n  author = {{测试发布者}},\n"
                       "  title = {测试来源题名},\n  date = {2030-01-15},\n  url = {https://example.org/x},\n"
                       "  language = {chinese},\n}\n", encoding="utf-8")
    report = editions(edit, data_as_of="2030-02-01")
    assert report.sections["sources"] == ["新增来源：《测试来源题名》（测试发布者）"], report.sections["sources"]
    assert report.sections["edition"] == ["数据截至：2030 年 1 月 1 日 → 2030 年 2 月 1 日"]


def test_nothing_changed_and_a_renumbered_note_is_no_change(editions) -> None:
    report = editions(note=2)  # the same data; the page's note renumbered
    assert report.compared and not report.changed, report.sections
    assert "没有变化" in text_of(report)


def test_the_previous_published_edition_is_kept_for_a_second_build(tmp_path: Path) -> None:
    build = tmp_path / "_build"
    published = build / ".site-a"
    (published / changes.RECORD).mkdir(parents=True)
    (published / changes.RECORD / changes.EDITION_FILE).write_text(json.dumps({"version": "1.0"}), encoding="utf-8")
    first = changes.keep_previous(build, published, "1.1")
    assert first is not None and changes.edition_of(first)["version"] == "1.0"
    republished = build / ".site-b"  # 1.1 is now published; building 1.1 again compares with 1.0 again
    (republished / changes.RECORD).mkdir(parents=True)
    (republished / changes.RECORD / changes.EDITION_FILE).write_text(json.dumps({"version": "1.1"}), encoding="utf-8")
    again = changes.keep_previous(build, republished, "1.1")
    assert again == first and changes.edition_of(again)["version"] == "1.0"
    assert changes.keep_previous(build, republished, "1.2") is not None
    assert changes.edition_of(changes.keep_previous(build, republished, "1.2"))["version"] == "1.1"


def test_the_page_lists_the_editions_in_words_and_says_when_there_is_nothing_to_compare(tmp_path: Path) -> None:
    page = tmp_path / changes.PAGE
    history = szhk_names.editions(DATA)
    assert history and all(row["version"] and row["released"] and row["summary"] for row in history)
    changes.write_page(page, changes.Report(False, {"version": history[-1]["version"]}), history)
    text = page.read_text(encoding="utf-8")
    assert changes.WORDING["first"] in text and "版本记录" in text
    assert "首次发布" not in text, "a book with earlier editions on record is not a first edition"
    assert text.index(f"第 {history[-1]['version']} 版") < text.index(f"第 {history[0]['version']} 版")
    assert "Data:" not in text and "commit" not in text.lower()


def test_the_edition_recorded_last_is_the_books_version() -> None:
    from szhk_sphinx.edition import latest_version

    versions = [row["version"] for row in szhk_names.editions(DATA)]
    assert latest_version(DATA) == versions[-1]
    assert [tuple(map(int, v.split("."))) for v in versions] == sorted(tuple(map(int, v.split("."))) for v in versions)
    assert len(set(versions)) == len(versions), "two editions with one version"


def test_the_record_holds_the_version_and_data_date_the_pages_show(tmp_path: Path) -> None:
    """write_changes records the edition Sphinx recorded (szhk-edition.json in its doctree folder), not a second
    reading of the data: the change report names the edition the pages name."""
    build, doctrees = tmp_path / "_build", tmp_path / "doctrees"
    staged = build / ".site-staging"
    (staged / "html").mkdir(parents=True)
    doctrees.mkdir()
    latest = szhk_names.editions(DATA)[-1]
    shown = {"version": latest["version"], "data_as_of": "2030-01-31", "title": "（测试）"}
    (doctrees / szhk_names.EDITION_STATE_FILE).write_text(json.dumps(shown, ensure_ascii=False), encoding="utf-8")
    changes.write_changes(build, staged, DATA, ROOT / "book" / "references.bib", doctrees)
    assert changes.edition_of(staged / changes.RECORD) == {
        "version": latest["version"], "date": latest["released"], "data_as_of": "2030-01-31"}
    assert changes.WORDING["first"] in (staged / changes.TEXT).read_text(encoding="utf-8")
    assert f"第 {latest['version']} 版" in (staged / "html" / changes.PAGE).read_text(encoding="utf-8")


def test_the_page_has_the_books_look_and_leads_back_to_the_book(tmp_path: Path) -> None:
    """Written beside the book's pages, changes.html links the stylesheets the front page links (as addresses from
    its own folder) and leads back to the front page by the book's title; alone, it still leads to index.html."""
    home = tmp_path / changes.BOOK_HOME
    home.parent.mkdir()
    home.write_text('<html><head><link href="../_static/styles/theme.css?digest=1" rel="stylesheet" />'
                    '<link rel="stylesheet" type="text/css" href="../_static/szhk.css?v=2" /></head><body>'
                    '<a class="navbar-brand logo" href="#"><p class="title logo__title">书名甲</p></a></body></html>',
                    encoding="utf-8")
    history = szhk_names.editions(DATA)
    page = tmp_path / changes.PAGE
    changes.write_page(page, changes.Report(False, {"version": history[-1]["version"]}), history)
    text = page.read_text(encoding="utf-8")
    assert 'href="_static/styles/theme.css?digest=1"' in text and 'href="_static/szhk.css?v=2"' in text
    assert f'<a href="{changes.BOOK_HOME}">' in text and "书名甲" in text
    home.unlink()
    changes.write_page(page, changes.Report(False, {"version": history[-1]["version"]}), history)
    text = page.read_text(encoding="utf-8")
    assert '<a href="index.html">' in text and "stylesheet" not in text and "书名甲" not in text
