"""The briefing's decisive chart (szhk.briefing.rank_figure): one title stating both rankings' findings over both
panels, panels titled by their ranking only, one legend for the whole chart, and in print the source given as text
under the chart rather than twice."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from szhk import briefing, claims, data, figures  # noqa: E402


@pytest.fixture(scope="module")
def results() -> list:
    figures.use_house_style()
    return claims.register()


def legends(fig) -> list:
    return [*fig.legends, *(ax.get_legend() for ax in fig.axes if ax.get_legend() is not None)]


def hollow_dots(ax) -> int:
    return sum(len(l.get_xdata()) for l in ax.get_lines()
               if l.get_marker() == "o" and l.get_markerfacecolor() == "white")


def flat(text: str, lang: str) -> str:
    return " ".join(text.split()) if lang == "en" else "".join(text.split())


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("stacked", [False, True])
def test_one_legend_names_both_kinds_of_mark_for_both_panels(results, lang: str, stacked: bool) -> None:
    fig = briefing.rank_figure(stacked=stacked, results=results, lang=lang)
    gii_ax, imd_ax = fig.axes[:2]
    assert hollow_dots(gii_ax) == 0 and hollow_dots(imd_ax) > 0, "the data: the article's IMD 2018 rank differs"
    assert gii_ax.get_legend() is None and imd_ax.get_legend() is None, "no panel has a legend of its own"
    (legend,) = legends(fig)
    assert [t.get_text() for t in legend.get_texts()] == [briefing.plain_word("chart_legend_published", lang),
                                                         briefing.plain_word("chart_legend_article", lang)]
    # over both panels: the legend sits above the first panel's title
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    assert legend.get_window_extent(renderer).y0 >= gii_ax.title.get_window_extent(renderer).y1 - 1
    assert legend.get_window_extent(renderer).y1 <= fig._suptitle.get_window_extent(renderer).y0 + 1
    plt.close(fig)


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("stacked", [False, True])
def test_the_title_holds_both_findings_and_the_panels_only_their_rankings(results, lang: str, stacked: bool) -> None:
    gii, imd = data.load("gii_ranks"), data.load("imd_digital_ranks")
    first, second = briefing.chart_findings(gii, imd, lang)
    with figures.drawn_at(figures.PHONE_WIDTH if stacked else figures.WIDTH):
        fig = briefing.rank_figure(stacked=stacked, results=results, lang=lang)
    title = flat(fig._suptitle.get_text(), lang)
    assert title == flat(briefing.chart_title(gii, imd, lang), lang)
    assert flat(first, lang)[1:] in title and flat(second, lang) in title  # [1:]: English capitalises the first
    for finding, ranks in ((first, gii), (second, imd)):  # each finding's ranks read with their edition's year
        assert str(int(ranks["year"].max())) in finding, finding
    for ax, name in zip(fig.axes[:2], ("gii_ranks", "imd_digital_ranks")):
        assert flat(ax.get_title(loc="left"), lang) == flat(briefing.plain_word(f"chart_panel_{name}", lang), lang)
    if stacked:
        assert fig._suptitle.get_text().count("\n") <= (3 if lang == "zh" else 4), "four lines on a phone (English five)"
        assert not figures.check(fig, max_width=figures.PHONE_MAX_WIDTH)
    else:
        fig.canvas.draw()
        assert not figures.overlapping_texts(fig)
    plt.close(fig)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_printed_chart_keeps_its_source_and_says_where_its_data_are(results, lang: str) -> None:
    fig = briefing.rank_figure(results=results, lang=lang)
    inside = flat(fig._supxlabel.get_text(), lang)
    assert flat(briefing.source_text(lang), lang)[:20] in inside, "the source stays in the chart (forwarded alone)"
    line = briefing.data_note_print(lang).replace("\\", "")
    assert line and flat(briefing.source_text(lang), lang)[:20] not in flat(line, lang), "the source said once"
    for dead in (".csv", "](", "下载数据"):  # nothing that works on a screen only (tests/test_briefing_print.py)
        assert dead not in line, line
    plt.close(fig)
