"""Strict values and messages (issue 13, items 3 and 6): each bad CSV is refused naming file, row, real column
and rule. Fast: Frictionless validation of a copy of data/, no build."""
from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest
from conftest import DATA

from szhk import cells, data
from szhk.data import DataValidationError



def read(path: Path) -> tuple[list[str], list[list[str]]]:
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    return rows[0], rows[1:]


def write(path: Path, header: list[str], rows: list[list[str]]) -> None:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([header, *rows])
    path.write_text(out.getvalue(), encoding="utf-8")


def set_cell(path: Path, row: int, column: str, value: str) -> None:
    """Set the cell of data row `row` (1 = the first after the header) in `column`."""
    header, rows = read(path)
    rows[row - 1][header.index(column)] = value
    write(path, header, rows)


def problem(name: str) -> DataValidationError:
    problems = [p for p in data.validate_all() if p.file.name == f"{name}.csv"]
    assert problems, f"{name}.csv was accepted"
    return problems[0]


def test_the_real_data_is_valid(data_copy: Path) -> None:
    assert data.validate_all() == []


# ---- text keys are compared exactly -------------------------------------------------------------------------------
@pytest.mark.parametrize("value", ["中国香港 ", " 中国香港", "中国香港\u3000"])
def test_a_blank_at_either_end_of_a_text_cell_is_an_error_naming_the_cell(data_copy: Path, value: str) -> None:
    set_cell(data_copy / "gii_ranks.csv", 1, "economy_zh", value)
    error = problem("gii_ranks")
    assert (error.row, error.column) == (2, "economy_zh")
    assert "首尾有空格" in error.problem and value in error.problem
    assert "data/gii_ranks.csv" in str(error)


# ---- integers: ASCII digits only ----------------------------------------------------------------------------------
@pytest.mark.parametrize("value", ["１４", "+14", " 14 ", "١٤", "1_4", "14.0", "1,4"])
def test_an_integer_in_anything_but_ascii_digits_is_refused_saying_so(data_copy: Path, value: str) -> None:
    set_cell(data_copy / "gii_ranks.csv", 1, "rank_article", value)
    error = problem("gii_ranks")
    assert (error.row, error.column) == (2, "rank_article")
    assert value in error.problem and "ASCII" in error.problem


def test_plain_ascii_integers_and_declared_missing_values_pass() -> None:
    assert cells.problem("14", "integer") is None
    assert cells.problem("-3", "integer") is None
    assert cells.problem("21.8", "number") is None
    assert "ASCII" in cells.problem("２１.８", "number")


# ---- columns: the message names the real one ----------------------------------------------------------------------
def test_a_deleted_column_is_named(data_copy: Path) -> None:
    path = data_copy / "imd_digital_ranks.csv"
    header, rows = read(path)
    at = header.index("economies_ranked")
    write(path, header[:at] + header[at + 1:], [r[:at] + r[at + 1:] for r in rows])
    error = problem("imd_digital_ranks")
    assert error.column == "economies_ranked" and "缺少列 economies_ranked" in error.problem


def test_an_extra_column_in_the_middle_is_named(data_copy: Path) -> None:
    path = data_copy / "gii_ranks.csv"
    header, rows = read(path)
    write(path, header[:2] + ["comment"] + header[2:], [r[:2] + ["x"] + r[2:] for r in rows])
    error = problem("gii_ranks")
    assert error.column == "comment" and "多出一列 “comment”" in error.problem and "第 3 列" in error.problem


def test_reordered_columns_are_named(data_copy: Path) -> None:
    path = data_copy / "gii_ranks.csv"
    header, rows = read(path)
    order = [1, 0, *range(2, len(header))]
    write(path, [header[i] for i in order], [[r[i] for i in order] for r in rows])
    error = problem("gii_ranks")
    assert error.column == header[0]
    assert f"第 1 列是 {header[1]}，应为 {header[0]}" in error.problem


def test_an_empty_required_cell_is_shown_as_empty_not_none(data_copy: Path) -> None:
    for column in ("economy_zh", "rank_article"):
        shutil.copy(DATA / "gii_ranks.csv", data_copy / "gii_ranks.csv")
        set_cell(data_copy / "gii_ranks.csv", 3, column, "")
        error = problem("gii_ranks")
        # rank_article may be empty in a later edition's row, so for the article's row (in_article true) the rule
        # names both columns
        assert error.row == 4 and column in error.column.split("、")
        assert "None" not in error.problem  # (the rule's formula may say "is not None")
        assert ("空" in error.problem) if column == "economy_zh" else ("必须填 rank_article" in str(error))


# ---- labels too long, characters the fonts cannot draw ------------------------------------------------------------
def test_a_label_too_long_for_a_figure_is_refused_with_the_limit(data_copy: Path) -> None:
    set_cell(data_copy / "qs_university_ranks.csv", 1, "university_zh", "香港大学" * 500)
    error = problem("qs_university_ranks")
    assert (error.row, error.column) == (2, "university_zh")
    assert "maxLength" in error.rule and "2000 个字符" in error.problem and "上限 40" in error.problem


@pytest.mark.parametrize("value, code", [("香港😀大学", "U+1F600"), ("香港\u200d大学", "U+200D"),
                                         ("香港\ue000大学", "U+E000"), ("香港\x07大学", "U+0007"),
                                         ("香港\u2764大学", "U+2764"), ("香港\x85大学", "U+0085")])
def test_characters_the_fonts_cannot_draw_are_refused_naming_the_cell(data_copy: Path, value: str, code: str) -> None:
    set_cell(data_copy / "qs_university_ranks.csv", 2, "university_zh", value)
    error = problem("qs_university_ranks")
    assert (error.row, error.column) == (3, "university_zh")
    assert code in error.problem and "第 3 个字符" in error.problem


def test_cjk_text_and_its_punctuation_are_drawable() -> None:
    assert cells.unsupported_character("香港（中国）“创科”、《纲要》：约 1.7 万人；≈ ÷ — －") is None


def test_every_label_like_field_has_a_length_limit_the_data_meets() -> None:
    package = data.package()
    for resource in package["resources"]:
        for field in resource["schema"]["fields"]:
            if field.get("type", "string") == "string":
                constraints = field.get("constraints", {})
                assert "enum" in constraints or "maxLength" in constraints, (resource["name"], field["name"])
