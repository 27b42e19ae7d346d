"""The briefing's decisive chart (szhk.briefing.rank_figure): one finding in its title, the other in its panel's
title, and each kind of mark named in a legend above the panel that draws it."""
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


def legend_texts(ax) -> list[str]:
    legend = ax.get_legend()
    return [t.get_text() for t in legend.get_texts()] if legend else []


def hollow_dots(ax) -> int:
    return sum(len(l.get_xdata()) for l in ax.get_lines()
               if l.get_marker() == "o" and l.get_markerfacecolor() == "white")


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("stacked", [False, True])
def test_the_hollow_dots_key_sits_above_the_panel_that_draws_them(results, lang: str, stacked: bool) -> None:
    fig = briefing.rank_figure(stacked=stacked, results=results, lang=lang)
    gii_ax, imd_ax = fig.axes[:2]
    article = briefing.plain_word("chart_legend_article", lang)
    published = briefing.plain_word("chart_legend_published", lang)
    assert hollow_dots(gii_ax) == 0 and hollow_dots(imd_ax) > 0, "the data: the article's IMD 2018 rank differs"
    assert legend_texts(gii_ax) == [published]
    assert legend_texts(imd_ax) == [article]
    plt.close(fig)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_title_holds_one_finding_and_the_second_panel_the_other(results, lang: str) -> None:
    gii, imd = data.load("gii_ranks"), data.load("imd_digital_ranks")
    first, second = briefing.chart_findings(gii, imd, lang)
    with figures.drawn_at(figures.PHONE_WIDTH):
        fig = briefing.rank_figure(stacked=True, results=results, lang=lang)
    flat = lambda s: " ".join(s.split()) if lang == "en" else "".join(s.split())  # noqa: E731
    assert flat(fig._suptitle.get_text()) == flat(first)
    assert flat(fig.axes[1].get_title(loc="left")) == flat(second)
    assert flat(second) not in flat(fig._suptitle.get_text())
    assert fig._suptitle.get_text().count("\n") <= 2, "at most three lines on a phone"
    assert not figures.check(fig, max_width=figures.PHONE_MAX_WIDTH)
    plt.close(fig)

