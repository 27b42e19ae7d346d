"""szhk.text: the unit conversions, ratios, numerals and tables that turn data into the article's words."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from szhk import markdown, text


def test_units_match_the_articles_wording() -> None:
    assert text.in_wan(34_000) == pytest.approx(3.4)
    assert f"{text.in_wan(17_000):.1f}" == "1.7"


def test_ratio_and_its_base() -> None:
    assert round(text.ratio(3985, 1558), 1) == 2.6
    assert round(text.ratio(3755, 1558), 1) == 2.4
    with pytest.raises(ZeroDivisionError, match="base value is 0"):
        text.ratio(1, 0)


def test_glue_number_gives_plain_python_numbers() -> None:
    value = text.glue_number("n", np.int64(468))
    assert value == 468 and type(value) is int


# ----------------------------------------------------------------------------------------------------------------
# szhk.text
# ----------------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("value", "unit", "qualifier", "written"), [
    (700, "个", "约", "约 700 个"),
    (1500, "家", "超过", "超过 1500 家"),
    (680, "项", "超", "超 680 项"),
    (1800, "家", "多", "1800 多家"),
    (100, "家", "余", "100 余家"),
    (17000, "人", "约", "约 1.7 万人"),
    (140000, "平方米", "超过", "超过 14 万平方米"),
    (1500, "亿港元", None, "1500 亿港元"),
    (403.6, "亿港元", "约", "约 403.6 亿港元"),
    (21.8, "%", float("nan"), "21.8%"),
    (15.0, "%", pd.NA, "15%"),
])
def test_as_written_writes_numbers_like_the_article(value, unit, qualifier, written) -> None:
    assert text.as_written(value, unit, qualifier) == written


def test_as_written_refuses_an_unknown_qualifier_and_an_empty_value() -> None:
    with pytest.raises(ValueError, match="unknown qualifier '大约'"):
        text.as_written(5, "家", "大约")
    with pytest.raises(ValueError, match="empty"):
        text.as_written(float("nan"), "家")


def test_labels_as_written_leaves_empty_values_blank_and_checks_lengths() -> None:
    values = pd.Series([900.0, np.nan], dtype="float64")
    assert text.labels_as_written(values, ["家", "家"], ["约", pd.NA]) == ["约 900 家", ""]
    assert text.labels_as_written(pd.array([76, pd.NA], dtype="Int64"), "项") == ["76 项", ""]
    with pytest.raises(ValueError, match="2 values, 1 units"):
        text.labels_as_written([1, 2], ["家"])


@pytest.mark.parametrize(("n", "counting", "words"), [
    (0, False, "零"), (3, False, "三"), (8, False, "八"), (10, False, "十"), (14, False, "十四"),
    (20, False, "二十"), (23, False, "二十三"), (2, False, "二"), (2, True, "两"), (12, True, "十二"),
    (np.int64(4), False, "四"), (8.0, False, "八"),
])
def test_zh_numeral(n, counting, words) -> None:
    assert text.zh_numeral(n, counting=counting) == words


@pytest.mark.parametrize("bad", [-1, 100, 2.5, True, "8", None])
def test_zh_numeral_refuses_what_it_cannot_write(bad) -> None:
    with pytest.raises(ValueError, match="not a whole number from 0 to 99"):
        text.zh_numeral(bad)


def test_year_month() -> None:
    assert text.year_month("2017-12") == (2017, 12)
    assert text.year_month("2020-12-10") == (2020, 12)
    for bad in ("2021-H1", "2020-Q4", "2018", "2018-13"):
        with pytest.raises(ValueError, match="YYYY-MM"):
            text.year_month(bad)


def test_glue_text_glues_a_word() -> None:
    assert text.glue_text("w", "八") == "八"


# ----------------------------------------------------------------------------------------------------------------
# szhk.markdown.frame_table (tables from data; the escaping itself: tests/test_markdown_escaping.py)
# ----------------------------------------------------------------------------------------------------------------
def test_list_table_is_a_myst_list_table_with_row_headers() -> None:
    frame = pd.DataFrame({"2017年": ["16", "7/63"], "人文与艺术": [20.0, None]}, index=["甲", "乙"])
    md = markdown.frame_table(frame, stub_header="全球排名")
    assert md.splitlines() == [
        "````{list-table}", ":header-rows: 1", ":stub-columns: 1", "",
        "* - 全球排名", "  - 2017年", "  - 人文与艺术",
        "* - 甲", "  - 16", "  - 20",
        "* - 乙", "  - 7\\/63", "  - －",
        "````",
    ]


def test_list_table_keeps_header_line_breaks_and_widths() -> None:
    frame = pd.DataFrame({"人文与\n艺术": [20]}, index=["香港大学"])
    md = markdown.frame_table(frame, stub_header="大学", widths=[7, 4])
    assert ":widths: 7 4" in md.splitlines()
    assert "  - ```{eval-rst}\n    | 人文与\n    | 艺术\n    ```" in md  # a reST line block: one line each
    assert "* - ```{eval-rst}\n    | 大学\n    ```" in md  # and so is every other header, to align in print
    with pytest.raises(ValueError, match="must be 2 positive whole numbers"):
        markdown.frame_table(frame, widths=[7])


def test_list_table_writes_a_cell_over_two_lines_on_one() -> None:
    assert "  - 一 二" in markdown.frame_table(pd.DataFrame({"a": ["一\n二"]})).splitlines()
