"""The Hong Kong edition's converter (book/szhk_hant) and its phrase table, without a build: each entry is what
OpenCC does not give and may only choose another Traditional spelling of the same characters; an entry that changes
a number, a name in a citation or the author's words is refused, naming file, row and column; the figures' labels
are converted in the kernel."""
from __future__ import annotations

import csv
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from conftest import BOOK, DATA, ROOT, TOOLS  # noqa: E402

import szhk_hant  # noqa: E402
from szhk_hant import COLUMNS, Converter, PhraseError, read_phrases  # noqa: E402
from szhk_sphinx.hant import check_phrase_table, citation_names, convert_styles  # noqa: E402
from szhk_sphinx.pdf import PDF_FILES  # noqa: E402
from szhk_sphinx.web import published_pdf  # noqa: E402

BIB = BOOK / "references.bib"


def table(tmp_path: Path, *rows: dict[str, str]) -> Path:
    """A phrase table holding the repository's entries and `rows` after them."""
    with open(szhk_hant.PHRASES, encoding="utf-8-sig", newline="") as handle:
        kept = list(csv.DictReader(handle))
    path = tmp_path / "hk_phrases.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, COLUMNS)
        writer.writeheader()
        writer.writerows(kept)
        for row in rows:
            writer.writerow({"why": "test", "source": "https://example.org/", "accessed": "2026-12-06", **row})
    return path


def test_the_phrase_table_is_what_the_converter_gets_wrong() -> None:
    phrases = read_phrases(protected=citation_names(BIB))
    assert phrases, "the phrase table is empty"
    plain = Converter(())
    for phrase in phrases:
        assert plain.convert(phrase.simplified) == phrase.converted != phrase.hk
        assert Converter(phrases).convert(phrase.simplified) == phrase.hk


def test_the_author_s_25th_anniversary_reads_as_hong_kong_writes_it() -> None:
    # book/01-background.md: "7 月 1 日香港回归祖国 25 周年大会上" (OpenCC alone: 迴歸 … 週年)
    assert szhk_hant.converter().convert("7 月 1 日香港回归祖国 25 周年大会上") == "7 月 1 日香港回歸祖國 25 周年大會上"


def test_an_entry_changing_a_number_fails_naming_the_entry(tmp_path: Path) -> None:
    path = table(tmp_path, {"simplified": "二十", "converted": "二十", "hk": "三十"})
    with pytest.raises(PhraseError) as caught:
        read_phrases(path)
    message = str(caught.value)
    rows = sum(1 for _ in open(path, encoding="utf-8")) - 1
    assert f"{path}, row {rows + 1}, column hk" in message and "number" in message, message


def test_an_entry_changing_the_author_s_words_fails_naming_the_entry(tmp_path: Path) -> None:
    path = table(tmp_path, {"simplified": "信息", "converted": "信息", "hk": "資訊"})  # a synonym, not a spelling
    with pytest.raises(PhraseError, match=r"row \d+, column hk: 資訊 reads back as 资讯, not 信息"):
        read_phrases(path)


def test_an_entry_that_would_change_a_name_in_a_citation_fails_naming_the_entry(tmp_path: Path) -> None:
    names = citation_names(BIB)
    name, place = next((n, p) for n, p in names.items() if "香港特别行政区政府" in n)
    # 特別行政區 → 特別行政区 would keep the characters' meaning but change how the author of a cited work is named
    path = table(tmp_path, {"simplified": "特别行政区", "converted": "特別行政區", "hk": "特別行政区"})
    with pytest.raises(PhraseError) as caught:
        read_phrases(path, protected={name: place})
    assert "column simplified" in str(caught.value) and "references.bib, entry" in str(caught.value), caught.value


def test_the_build_stops_on_a_bad_entry_naming_it(tmp_path: Path, monkeypatch) -> None:
    sys.path.insert(0, str(TOOLS))
    try:
        import build as build_tool
    finally:
        sys.path.remove(str(TOOLS))
    monkeypatch.setattr(szhk_hant, "PHRASES", table(tmp_path, {"simplified": "2021 年", "converted": "2021 年",
                                                                "hk": "2022 年"}))
    with pytest.raises(build_tool.BuildError, match=r"hk_phrases.csv, row \d+, column hk"):
        build_tool.check_phrase_table(ROOT)


@pytest.mark.parametrize("row, column", [({"converted": "回归"}, "converted"), ({"hk": ""}, "hk")])
def test_a_wrong_or_empty_cell_names_its_column(tmp_path: Path, row: dict[str, str], column: str) -> None:
    path = table(tmp_path, {"simplified": "回归", "converted": "迴歸", "hk": "回歸", **row})
    with pytest.raises(PhraseError, match=rf"row \d+, column {column}"):
        read_phrases(path)


def test_the_repository_s_table_passes_the_build_s_check() -> None:
    check_phrase_table([BIB])  # raises PhraseError otherwise


def test_converting_twice_changes_nothing_in_the_book() -> None:
    """The HK pass converts a page's texts when read, when resolved and when rendered: each after the first must
    find nothing left to change, in every text the book has (chapters, helpers' words, data)."""
    convert = szhk_hant.converter().convert
    sources = [*BOOK.glob("*.md"), *(BOOK / "szhk").glob("*.yml"), *DATA.glob("*.csv"), ROOT / "_config.yml"]
    for path in sources:
        once = convert(path.read_text(encoding="utf-8"))
        assert convert(once) == once, f"{path.name}: converting it again changes it"


def test_html_conversion_keeps_markup_and_the_other_edition_s_name() -> None:
    import re

    keep = re.compile(r'<a [^>]*\bhreflang="zh-CN"[^>]*>[^<]*</a>')
    page = '<p title="香港回归"><a href="数据.csv">数据</a> <a hreflang="zh-CN" href="x.html">简体中文</a></p>'
    assert szhk_hant.converter().convert_html(page, keep) == (
        '<p title="香港回歸"><a href="數據.csv">數據</a> <a hreflang="zh-CN" href="x.html">简体中文</a></p>')


def test_the_hk_pages_link_the_hk_pdfs_by_their_own_names() -> None:
    """A reader saving both editions' PDFs keeps both; the English briefing (made once) keeps its name."""
    assert [published_pdf(name, "hk") for name in PDF_FILES] == [
        "_downloads/pdf/szhk-report-hk.pdf", "_downloads/pdf/szhk-briefing-hk.pdf", "_downloads/pdf/szhk-briefing-en.pdf"]
    assert [published_pdf(name, "sc") for name in PDF_FILES] == [f"_downloads/pdf/{name}" for name in PDF_FILES]


def css_words(text: str) -> list[str]:
    """The words a style sheet shows (its `content:` strings) that hold Chinese."""
    import re

    return [w for w in re.findall(r'content:\s*"([^"]*)"', text) if re.search(r"[\u4e00-\u9fff]", w)]


def test_the_words_the_style_sheets_show_are_converted_on_the_hk_pages(tmp_path: Path) -> None:
    """A phone's "表格较宽：左右滑动可看其余各列 →" and the claims register's "来源：" are set by CSS."""
    import shutil

    web = BOOK / "_static" / "web"
    for sheet in web.glob("*.css"):
        shutil.copy(sheet, tmp_path / sheet.name)
    convert = szhk_hant.converter().convert
    convert_styles(tmp_path, [web], convert)
    shown = [w for sheet in sorted(tmp_path.glob("*.css")) for w in css_words(sheet.read_text(encoding="utf-8"))]
    original = [w for sheet in sorted(web.glob("*.css")) for w in css_words(sheet.read_text(encoding="utf-8"))]
    assert "表格較寬：左右滑動可看其餘各列 →" in shown, shown
    assert shown == [convert(w) for w in original]
    assert shown != original and all(convert(w) == w for w in shown), shown


def test_a_figure_s_labels_are_converted_and_set_in_the_hk_face() -> None:
    from szhk import hant

    fig, ax = plt.subplots()
    ax.set_title("香港回归祖国 25 周年", loc="center")
    ax.set_xlabel("数据")
    hant.convert_labels(fig)
    assert ax.get_title() == "香港回歸祖國 25 周年" and ax.get_xlabel() == "數據"
    assert hant.HK_FAMILY in ax.title.get_fontfamily()
    ax.set_title("IMD 世界数字竞争力排名：“文章所写”为空心点", loc="center")  # every chart word is the editor's: 「」 and HK terms
    hant.convert_labels(fig)
    assert ax.get_title() == "IMD 世界數碼競爭力排名：「文章所寫」為空心點"
    bundle = hant.drawings(fig, ("svg", "pdf"), lambda f, fmt: b"<svg/>" if fmt == "svg" else b"%PDF",
                           alt="图：{colour-hk}", colour_words={"hk": "蓝色"})
    assert bundle[hant.MIME]["alt"] == "圖：{colour-hk}" and bundle[hant.MIME]["colour_words"] == {"hk": "藍色"}
    assert bundle[hant.PDF_MIME] == "JVBERg=="  # the PDF, base64 as IPython gives PDFs
    plt.close(fig)


# ---- The editor's words in the HK edition: 「」 quotation marks and Hong Kong terms (szhk_hant.EditorText) ----
def test_the_editor_s_quotation_marks_are_hong_kong_s_nested_and_across_pieces() -> None:
    editor = szhk_hant.EditorText(words=())
    assert editor("文中寫“7 月 1 日”與‘乙’") == "文中寫「7 月 1 日」與「乙」"
    editor.new_paragraph()
    assert editor("他說“甲“乙”丙”") == "他說「甲『乙』丙」"
    editor.new_paragraph()  # a quotation around bold text comes in three pieces: the marks still pair up
    assert [editor("文章寫“"), editor("近 4000"), editor(" 家”。")] == ["文章寫「", "近 4000", " 家」。"]
    editor.new_paragraph()  # an apostrophe in a quoted English source is no quotation mark
    assert editor("原話：“Hong Kong’s fourth-place finish”") == "原話：「Hong Kong’s fourth-place finish」"


def test_an_editor_s_term_changes_outside_quotations_only() -> None:
    """The IMD ranking is 世界數碼競爭力排名 in the editor's words; a quotation of the article keeps its 數字."""
    editor = szhk_hant.EditorText()
    assert ("數字競爭力", "數碼競爭力") in editor.words
    assert editor("IMD 世界數字競爭力排名；文章說“香港數字競爭力全球領先”") == \
        "IMD 世界數碼競爭力排名；文章說「香港數字競爭力全球領先」"


def test_an_editor_s_term_that_changes_a_number_fails_naming_file_row_and_column(tmp_path: Path) -> None:
    path = tmp_path / "hk_editor_words.csv"
    path.write_text(f"{','.join(szhk_hant.EDITOR_COLUMNS)}\n第二名,第三名,test,https://example.org,2026-12-07\n",
                    encoding="utf-8")
    with pytest.raises(PhraseError, match=r"hk_editor_words\.csv, row 2, column hk"):
        szhk_hant.read_editor_words(path)
    path.write_text(f"{','.join(szhk_hant.EDITOR_COLUMNS)}\n數字,數碼,,https://example.org,2026-12-07\n",
                    encoding="utf-8")
    with pytest.raises(PhraseError, match=r"hk_editor_words\.csv, row 2, column why"):
        szhk_hant.read_editor_words(path)
