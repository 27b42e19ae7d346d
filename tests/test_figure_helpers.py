"""The house style: CJK glyphs render, vector output embeds fonts (no Type 3), rank axes put rank 1 on top."""
from __future__ import annotations

import subprocess
import warnings
from pathlib import Path

import matplotlib

matplotlib.use("agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from szhk import figures  # noqa: E402


@pytest.fixture(autouse=True)
def _house_style():
    with plt.style.context(figures.STYLE_SHEET):
        yield
    plt.close("all")


def test_chinese_labels_have_glyphs(tmp_path: Path) -> None:
    fig, ax = plt.subplots()
    ax.plot([2017, 2021], [16, -14])
    ax.set_title("全球创新指数排名")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Glyph … missing from font" is a UserWarning
        fig.savefig(tmp_path / "f.svg")
        fig.savefig(tmp_path / "f.pdf")


def test_pdf_fonts_embedded_and_not_type3(tmp_path: Path) -> None:
    fig, ax = plt.subplots()
    ax.set_xlabel("年份")
    fig.savefig(tmp_path / "f.pdf")
    out = subprocess.run(["pdffonts", str(tmp_path / "f.pdf")], capture_output=True, text=True, check=True).stdout
    rows = out.splitlines()[2:]
    assert rows, out
    assert all("Type 3" not in r for r in rows), out
    assert all(r.split()[-5] == "yes" for r in rows), out  # the "emb" column


def test_rank_axis_puts_rank_one_on_top() -> None:
    fig, ax = plt.subplots()
    figures.rank_axis(ax, worst=20)
    bottom, top = ax.get_ylim()
    assert top < bottom and top < 1 <= 20 < bottom


def test_year_axis_has_whole_years_only() -> None:
    fig, ax = plt.subplots()
    figures.year_axis(ax, [2017, 2019, 2018])
    assert [t.get_text() for t in ax.get_xticklabels()] == ["2017", "2018", "2019"]
