"""szhk.markdown: data text reaches MyST only as text (fast: MyST is parsed with myst-parser's docutils
renderer, no Sphinx build)."""
from __future__ import annotations

import pandas as pd
import pytest
from docutils.core import publish_doctree
from myst_parser.docutils_ import Parser

from szhk import markdown

PAYLOADS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "{download}`/etc/passwd`",
    "{math}`\\input{/etc/passwd}`",
    "\\write18{touch /tmp/pwned}",
    "{{ title }}",
    "<!-- x -->",
    "$x$",
    "``a`b``",
    ":::{note}",
    "```{eval-rst}",
    "* [x](javascript:alert(1)) _y_ **z** # h | a | ~ &amp; \\",
    "term\n: definition",
]
SETTINGS = {"myst_enable_extensions": ["colon_fence", "deflist", "substitution"], "myst_substitutions": {"title": "T"},
            "report_level": 5, "output_encoding": "unicode"}


def doctree(source: str):
    return publish_doctree(source, parser=Parser(), settings_overrides=SETTINGS)


def only_text(tree) -> bool:
    """True when the document is paragraphs of plain text (no element made from the data)."""
    from docutils import nodes

    allowed = (nodes.document, nodes.paragraph, nodes.Text)
    return all(isinstance(node, allowed) for node in tree.findall())


@pytest.mark.parametrize("payload", PAYLOADS)
def test_text_shows_the_payload_as_characters(payload: str) -> None:
    tree = doctree(markdown.text(payload))
    assert only_text(tree), tree.pformat()
    assert tree.astext() == " ".join(payload.split())


@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_payload_at_the_start_of_a_line_opens_no_block(payload: str) -> None:
    tree = doctree("前文\n\n" + markdown.text(payload) + "\n\n后文")
    assert only_text(tree), tree.pformat()


def test_list_table_escapes_every_cell_and_header() -> None:
    from docutils import nodes

    rows = [[p, p] for p in PAYLOADS]
    tree = doctree(markdown.list_table(["<b>h</b>", "{{ title }}"], rows))
    tables = list(tree.findall(nodes.table))
    assert len(tables) == 1
    cells = [entry.astext() for entry in tables[0].findall(nodes.entry)]
    assert cells == ["<b>h</b>", "{{ title }}", *(" ".join(p.split()) for p in PAYLOADS for _ in range(2))]
    assert not list(tree.findall(nodes.raw)) and not list(tree.findall(nodes.reference))
    assert not list(tree.findall(nodes.math)) and not list(tree.findall(nodes.literal))


def test_frame_table_headers_with_line_breaks_stay_text() -> None:
    from docutils import nodes

    frame = pd.DataFrame({"人文与\n<i>艺术</i>`x`": [1.0, None]}, index=["大学$x$", ":::{note}"])
    tree = doctree(markdown.frame_table(frame, stub_header="大学"))
    entries = [e.astext() for e in tree.findall(nodes.entry)]
    assert entries[1].split() == ["人文与", "<i>艺术</i>`x`"]
    assert entries[2:] == ["大学$x$", "1", ":::{note}", "－"]
    assert not list(tree.findall(nodes.raw))


def test_markup_written_by_code_is_kept_and_links_show_their_text_escaped() -> None:
    from docutils import nodes

    cell = markdown.Markup("**粗体** " + markdown.link("<script>`x`</script>", "claim-1"))
    assert cell in markdown.list_table(["a"], [[cell]])
    with pytest.raises(ValueError):
        markdown.link("x", "javascript:alert(1) <a>")
    with pytest.raises(ValueError):
        markdown.role("doc", "02-x` {download}`/etc/passwd")
    url = markdown.url("javascript:alert(1)")
    tree = doctree(url)
    assert only_text(tree) and tree.astext() == "javascript:alert(1)"
    assert list(doctree(markdown.url("https://example.org/a_b")).findall(nodes.reference))


@pytest.mark.parametrize("value", ["a`b", "`a", "``", "x ``` y"])
def test_code_spans_hold_any_backticks(value: str) -> None:
    from docutils import nodes

    literals = list(doctree(markdown.code(value)).findall(nodes.literal))
    assert [node.astext() for node in literals] == [value]


def test_figure_text_is_never_mathtext() -> None:
    import matplotlib

    matplotlib.use("agg")
    import matplotlib.pyplot as plt

    from szhk import figures

    figures.use_house_style()
    fig, ax = plt.subplots()
    title = ax.set_title("{math}`\\input{/etc/passwd}` $\\frac{a}{b}$ $x$")
    fig.canvas.draw()  # a bad mathtext expression would raise here
    assert not title._preprocess_math(title.get_text())[1]
    plt.close(fig)


def test_cell_notes_number_each_note_once_and_escape_data() -> None:
    from szhk.markdown import CellNotes

    notes = CellNotes()
    first = notes.mark("33/63", "公开来源为第 30 名")
    second = notes.mark("2/63", "参评经济体为 64 个")
    again = notes.mark("15/63", "参评经济体为 64 个")
    assert first.endswith("{sup}`1`") and second.endswith("{sup}`2`") and again.endswith("{sup}`2`")
    assert notes.mark("<b>", "x").startswith("\\<b\\>")  # data stays text
    assert "{sup}`3` x" in notes.markdown("注") and notes.markdown("注").startswith("注：")
    assert CellNotes().markdown("注") == ""


def test_tables_1_and_2_mark_the_cells_the_data_finds_different(html_dir) -> None:
    from bs4 import BeautifulSoup

    page = BeautifulSoup((html_dir / "book" / "02-hk-innovation.html").read_text(encoding="utf-8"), "html.parser")
    for table_id, marked in (("tbl-rankings", "33/63"), ("tbl-qs-2022", "54")):
        table = page.find(id=table_id)
        table = table if table.name == "table" else table.find_next("table")
        cells = [td for td in table.find_all("td") if td.find("sup")]
        assert any(td.get_text().startswith(marked) for td in cells), (table_id, [c.get_text() for c in cells])
