"""The chapters' sources read like a report's source: prose, and short cells that say what they do.

Checks the MyST sources themselves (book/0*.md, claims.md, data-appendix.md) and the helpers that keep their cells
short (szhk.data.key_figures …, szhk.figures.paired_bars). No build needed.
"""
from __future__ import annotations

import re
from pathlib import Path

import matplotlib
import yaml

matplotlib.use("Agg")

from szhk import data, figures  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
CHAPTERS = sorted(BOOK.glob("0*.md"))
# Pages whose cells rely on the book-wide Markdown format (briefing.md keeps its own gfm table cell).
MYST_OUTPUT_PAGES = [*CHAPTERS, BOOK / "claims.md", BOOK / "data-appendix.md"]
CELL = re.compile(r"^```\{code-cell\}[^\n]*\n(.*?)^```[ \t]*$", re.S | re.M)


def code_cells(path: Path) -> list[tuple[list[str], str]]:
    """Each code cell of a MyST notebook as (tags, code)."""
    cells = []
    for body in CELL.findall(path.read_text(encoding="utf-8")):
        tags: list[str] = []
        if body.startswith("---\n"):
            meta, _, code = body[4:].partition("\n---\n")
            tags = list((yaml.safe_load(meta) or {}).get("tags", []))
        else:
            lines = body.splitlines(keepends=True)
            options = [line for line in lines if line.startswith(":")]
            code = "".join(lines[len(options):])
            for option in options:
                key, _, value = option[1:].partition(":")
                if key.strip() == "tags":
                    tags = list(yaml.safe_load(value))
        cells.append((tags, code))
    return cells


def test_chapters_exist() -> None:
    assert len(CHAPTERS) == 7, [p.name for p in CHAPTERS]


def test_markdown_output_format_is_set_once_for_the_book() -> None:
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    assert config["sphinx"]["config"]["nb_render_markdown_format"] == "myst"
    for path in MYST_OUTPUT_PAGES:
        text = path.read_text(encoding="utf-8")
        assert "markdown_format" not in text and "mystnb:" not in text, (
            f"{path.name}: a cell repeats the book-wide nb_render_markdown_format (set in _config.yml)")


def test_a_margin_note_is_one_call_in_a_tagged_cell() -> None:
    for path in CHAPTERS:
        notes = [(tags, code) for tags, code in code_cells(path) if "margin_note" in code]
        for tags, code in notes:
            assert sorted(tags) == ["claims-note", "remove-input"], f"{path.name}: margin-note cell tagged {tags}"
            assert re.fullmatch(r'claims_pages\.margin_note\("para-[0-9]{2}-[a-z0-9-]+"\)\n', code), (
                f"{path.name}: a margin-note cell holds only the call, got {code!r}")
        if notes:  # claims_pages is imported once, in the chapter's first (set-up) cell
            tags, setup = code_cells(path)[0]
            assert "remove-cell" in tags
            assert re.search(r"^from szhk import (.*, )?claims_pages\b", setup, re.M), f"{path.name}: set-up cell"


def test_margin_notes_stay_where_the_register_expects_them() -> None:
    """Each labelled paragraph a note belongs to is followed by its note cell before the next paragraph label."""
    for path in CHAPTERS:
        text = path.read_text(encoding="utf-8")
        for target in re.findall(r'claims_pages\.margin_note\("([^"]+)"\)', text):
            label = text.index(f"({target})=")
            note = text.index(f'claims_pages.margin_note("{target}")')
            between = text[label + 1:note]
            assert label < note and not re.search(r"^\(para-[^)]+\)=$", between, re.M), f"{path.name}: {target}"


def test_no_leftover_or_repeated_set_up_lines() -> None:
    for path in CHAPTERS:
        code = "".join(code for _, code in code_cells(path))
        assert not re.search(r"^import szhk$", code, re.M), f"{path.name}: leftover `import szhk`"
        for repeated in ('load("key_figures")', 'load("milestones")', 'load("article_lists")'):
            assert repeated not in code, f"{path.name}: {repeated} – use szhk.data's helper for it"


def test_key_figures_is_the_table_indexed_by_figure_id() -> None:
    table = data.key_figures()
    assert table.index.name == "figure_id" and table.index.is_unique
    assert table.equals(data.load("key_figures").set_index("figure_id"))
    assert "value_article" in table.columns


def test_milestones_and_stated_counts_are_indexed_by_their_codes() -> None:
    assert data.milestones().index.name == "event_code"
    counts = data.stated_counts()
    lists = data.load("article_lists")
    assert counts.index.name == "list_code" and set(counts.index) == set(lists["list_code"])
    assert counts["eight_directions"] == 8  # the article's 八大方向 (data/article_lists.csv)


def _texts(ax: matplotlib.axes.Axes) -> list[str]:
    return [child.get_text() for child in ax.texts]


def test_no_alt_text_holds_markup() -> None:
    """An :alt: option is plain text: a role there ({glue:text}`…`) reaches screen readers as written. The one
    exception is a colour placeholder the house style knows ({colour-hk}), filled in by szhk_sphinx.picture."""
    known = re.compile("|".join(re.escape(f"{{colour-{key}}}") for key in figures.colour_words()))
    for path in sorted((ROOT / "book").glob("*.md")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if line.startswith(":alt:"):
                plain = known.sub("", line)
                assert "{" not in plain and "`" not in plain, f"{path.name}:{number}: markup in alt text: {line[:80]}"


def test_no_figure_text_types_a_colour_word() -> None:
    """Alt texts, captions and chart notes name colours through the house style (szhk.figures.colour_words(), via
    {colour-…} in an alt text or {glue:text}`colour_…` in a caption), never by typing the word: a changed colour
    then changes every sentence about it."""
    words = {w for word in figures.colour_words().values() for w in (word, word.removesuffix("色"))}
    typed = []
    for path in sorted((ROOT / "book").glob("*.md")):
        text = path.read_text(encoding="utf-8")
        blocks = re.findall(r"^:::\{glue:figure\}.*?^:::$", text, re.M | re.S)  # alt texts and captions
        blocks += re.findall(r"note=f?\"[^\"]*\"", text)  # notes under a chart
        typed += [f"{path.name}: {w!r} in {b[:60]!r}" for b in blocks for w in words if w in b]
    assert not typed, "colour words typed by hand:\n" + "\n".join(typed)
