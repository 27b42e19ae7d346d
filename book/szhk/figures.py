"""The figure house style, defined once for every chapter (see house.mplstyle).

One meaning per mark through the whole book, web and print:

- colour says *whose* number it is: 中国香港 blue, 中国内地 vermillion, 深圳 (a city, not the mainland) wine,
  anything else ink grey;
- fill says *who says so*: a filled bar or dot is a value from a published source, an outlined (hollow) one is
  the article's own value where no source confirms it or a source says otherwise.

Every figure carries its conclusion as a title and its source as a last line inside the image (a chart forwarded
alone keeps both), and `publish` refuses a figure whose text would be under 11 px on a 390 px phone screen.

A chart handed to `publish` as a function is drawn twice: at the desktop width, and at PHONE_WIDTH for phones,
where the same 11 pt text fills a narrower image and so shows larger once the image is scaled to the phone's
column. The web page serves the two as one <picture> (szhk_sphinx.picture); print takes the desktop one.
"""
from __future__ import annotations

import base64
import io
import itertools
import math
import re
import textwrap
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
import pandas as pd
import yaml
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.legend_handler import HandlerTuple
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.text import Text
from matplotlib.ticker import MaxNLocator

from . import fonts, hant, text

STYLE_SHEET = Path(__file__).with_name("house.mplstyle")
WORDS = yaml.safe_load(Path(__file__).with_name("house-words.yml").read_text(encoding="utf-8"))  # the style's words

# ---- Colour: whose number (Okabe–Ito, colour-blind-safe) -----------------------------------------------------------
HK = "#0072B2"        # blue: 中国香港
MAINLAND = "#D55E00"  # vermillion: 中国内地 (the data names the mainland "中国", as the article's Table 1 does)
SHENZHEN = "#882255"  # wine (Paul Tol's colour-blind-safe palette): 深圳, a city beside Hong Kong, not the mainland
INK = "#333333"       # anything that is neither economy: text, timelines, legends of the fill convention
MUTED = "#999999"     # reference lines, "no data" labels
_DATA_ECONOMIES = {"中国香港": "HKG", "香港": "HKG", "中国": "CHN", "深圳": "SZX"}  # as the data name them
_ECONOMIES = {**_DATA_ECONOMIES, **{shown: _DATA_ECONOMIES[name] for name, shown in WORDS["economy_display"].items()}}
ECONOMY_COLOURS = {name: {"HKG": HK, "CHN": MAINLAND, "SZX": SHENZHEN}[code] for name, code in _ECONOMIES.items()}
ECONOMY_IDS = {name: f"economy-{code}" for name, code in _ECONOMIES.items()}
COLOURS = {**ECONOMY_COLOURS, "other": MUTED}
COLOUR_KEYS = {"hk": HK, "mainland": MAINLAND, "shenzhen": SHENZHEN}  # the colour placeholders' names ({colour-hk})


def words(key: str, /, **values: object) -> str:
    """A chart's words from house-words.yml (`words:`), its named placeholders filled with `values`: the one way a
    chart function or a chapter cell writes a title, a note or a label, so Python holds the logic and the file the
    wording. A key or a placeholder the file lacks is named with the file."""
    table = WORDS.get("words", {})
    if key not in table:
        raise KeyError(f"book/szhk/house-words.yml: no entry {key!r} under words:")
    entry = table[key]
    if not isinstance(entry, str):
        return entry
    try:
        return entry.format(**values)
    except KeyError as missing:
        raise KeyError(f"book/szhk/house-words.yml, words: {key}: placeholder {missing} not given "
                       f"(given: {sorted(values)})") from None


def colour_words() -> dict[str, str]:
    """How prose (alt texts, captions, notes under a chart) names each colour, by placeholder name: the one place
    a colour gets its word, beside its hex code above. A chapter writes {colour-hk} / {colour-mainland} in a
    figure's :alt: (filled in by szhk_sphinx.picture from the figure's output) and {glue:text}`colour_hk` in its
    caption (glued by glue_colour_words)."""
    return {key: WORDS["colour_words"][key] for key in COLOUR_KEYS}


def colour_word(economy: str) -> str:
    """The word prose uses for an economy's colour (中国香港 → 蓝色, 中国内地 → 橙红色, 深圳 → 酒红色)."""
    colour = ECONOMY_COLOURS.get(str(economy))
    if colour is None:
        raise KeyError(f"colour_word: {economy!r} has no colour (known: {sorted(ECONOMY_COLOURS)})")
    return colour_words()[next(key for key, c in COLOUR_KEYS.items() if c == colour)]


def glue_colour_words() -> None:
    """Glue colour_hk, colour_mainland and colour_shenzhen for a caption's {glue:text}."""
    from myst_nb import glue

    for key, word in colour_words().items():
        glue(f"colour_{key}", word, display=False)

# ---- Fill: who says so -----------------------------------------------------------------------------------------------
PUBLISHED = "published"  # filled
ARTICLE = "article"      # outlined, white inside
PUBLISHED_NAME, ARTICLE_NAME = WORDS["published"], WORDS["article"]
OUTLINE_WIDTH = 1.6

# ---- Size: legible on a phone ------------------------------------------------------------------------------------------
# On a 390 px phone the text column is 342 px wide (measured in Chromium) and an SVG is scaled down to it. An image
# at most MAX_WIDTH inches wide (342 pt = 456 px at its natural size) with text of at least MIN_TEXT_PT points
# keeps every glyph at least 11 px high there; on a desktop it shows at its natural width (about 420 px).
WIDTH = 4.4            # inches: every figure
MAX_WIDTH = 4.75       # inches: the saved image, i.e. the tight box plus savefig's padding on both sides
MIN_TEXT_PT = 11.0
LABEL_SIZE = 11
TITLE_SIZE = 13
NARROW = WIDTH         # the name chapters use
# The phone drawing: the same 11 pt text on an image at most PHONE_MAX_WIDTH inches wide, which a 342 px column
# shows at about 1.3 px per point (text about 14 px, as on a desktop), instead of 1.05 for the desktop drawing.
PHONE_WIDTH = 3.4
PHONE_MAX_WIDTH = 3.75
PHONE_MEDIA = "screen and (max-width: 576px)"  # the phone layout of szhk.css (print takes the desktop drawing)
PICTURE_MIME = "application/vnd.szhk.picture+json"  # rendered by szhk_sphinx.picture (an entry point of myst-nb)
_widths = [WIDTH]


def width() -> float:
    """The width (inches) of the figure being drawn: WIDTH, or PHONE_WIDTH inside `publish`'s phone drawing."""
    return _widths[-1]


@contextmanager
def drawn_at(inches: float) -> Iterator[None]:
    """Draw the figures made inside at `inches` wide (chart functions ask `width()`)."""
    _widths.append(inches)
    try:
        yield
    finally:
        _widths.pop()

ECONOMY_ORDER = ("中国香港", "中国")
# The data names the mainland "中国", as the article's Table 1 does (GII/IMD's "China", without Hong Kong and Macao);
# every chart label, legend and title says 中国内地. This is the one place that maps data names to chart names.
DISPLAY_NAMES = WORDS["economy_display"]


def display_name(economy: str) -> str:
    """An economy as a chart names it: 中国 → 中国内地; every other name as the data has it."""
    return DISPLAY_NAMES.get(str(economy), str(economy))


_gids = itertools.count()


def use_house_style() -> None:
    """Apply the house style (`publish` emits each figure as SVG for the web and PDF for print)."""
    plt.style.use(STYLE_SHEET)
    fonts.use_cut_fonts()  # in a build: PDF figures embed their glyphs from a small copy of the CJK font


def economy_colour(economy: str | None) -> str:
    """The colour of an economy (中国香港, 中国/中国内地/深圳); INK for anything else or None."""
    return ECONOMY_COLOURS.get(str(economy), INK) if economy is not None else INK


def tag(artist: Artist, economy: str | None) -> Artist:
    """Give an artist drawn for an economy an SVG id naming it (economy-HKG-12), so a test can read every
    figure's SVG and check that 中国香港 has one colour throughout the book."""
    if economy in ECONOMY_IDS:
        artist.set_gid(f"{ECONOMY_IDS[economy]}-{next(_gids)}")
    return artist


def bar_style(kind: str, colour: str) -> dict:
    """Keyword arguments for a bar: filled for a published value, outlined for the article's."""
    if kind == PUBLISHED:
        return {"facecolor": colour, "edgecolor": colour, "linewidth": 0}
    if kind == ARTICLE:
        return {"facecolor": "white", "edgecolor": colour, "linewidth": OUTLINE_WIDTH}
    raise ValueError(f"bar_style: unknown kind {kind!r} (known: {PUBLISHED}, {ARTICLE})")


def marker_style(kind: str, colour: str) -> dict:
    """Keyword arguments for a dot (Line2D): filled for a published value, hollow for the article's."""
    if kind not in (PUBLISHED, ARTICLE):
        raise ValueError(f"marker_style: unknown kind {kind!r} (known: {PUBLISHED}, {ARTICLE})")
    return {"marker": "o", "markersize": 7, "color": colour, "markeredgecolor": colour,
            "markeredgewidth": OUTLINE_WIDTH, "markerfacecolor": colour if kind == PUBLISHED else "white"}


def secondary_marker_style(colour: str) -> dict:
    """A published value that is not the official measure (a secondary figure): the filled dot's shape and
    outline, filled in a lighter shade of `colour` (as the claims chart's 一致（仅二手来源） is a lighter 一致)."""
    return {**marker_style(PUBLISHED, colour), "markerfacecolor": lighter(colour)}


def legend_above(ax: Axes, handles: Sequence, *, ncols: int = 2) -> None:
    """The legend just above the plot. A handle may be a tuple of marks (one per colour the chart draws that kind
    of mark in): the legend shows them side by side, so every swatch looks like the marks it names."""
    labels = [h[0].get_label() if isinstance(h, tuple) else h.get_label() for h in handles]
    room = width() * 72 / LABEL_SIZE - 1  # ems across the figure

    def across(n: int) -> float:  # ems the legend needs in n columns, swatches included
        # as matplotlib fills them: column by column, the first len % n columns one entry longer than the rest
        sizes = [len(labels) // n + (c < len(labels) % n) for c in range(n)]
        starts = list(itertools.accumulate([0, *sizes]))
        return sum(max(text_width(label) for label in labels[a:b]) + 2.5 for a, b in zip(starts, starts[1:]) if b > a)

    while ncols > 1 and across(ncols) > room:
        ncols -= 1  # side by side the entries would widen the figure (a phone drawing): fewer columns
    legend = ax.legend(handles=handles, labels=labels,
                       handler_map={tuple: HandlerTuple(ndivide=None, pad=0.25)}, loc="lower left",
                       bbox_to_anchor=(0, 1.01), ncols=ncols, borderaxespad=0, handlelength=1.2, columnspacing=1.0,
                       handletextpad=0.5)
    # A swatch in an economy's colour is that economy's mark (tagged as the chart's own marks are).
    economy_of = {HK: "中国香港", MAINLAND: "中国", SHENZHEN: "深圳"}
    for swatch in legend.findobj(lambda a: isinstance(a, (Line2D, Patch))):
        colour = swatch.get_markeredgecolor() if isinstance(swatch, Line2D) else swatch.get_edgecolor()
        colour = matplotlib.colors.to_hex(colour).upper() if colour is not None else None
        if colour in economy_of:
            tag(swatch, economy_of[colour])


def swatches(label: str, colours: Sequence[str], *, kind: str = PUBLISHED, marker: bool = True,
             shape: str = "o") -> tuple:
    """Legend marks for `label`: one dot (or bar patch, `marker` false) of fill `kind` in each of `colours`."""
    if marker:
        return tuple(Line2D([], [], linestyle="none", label=label, **{**marker_style(kind, c), "marker": shape})
                     for c in colours)
    return tuple(Patch(label=label, **bar_style(kind, c)) for c in colours)


def fill_legend(ax: Axes, *, published_name: str = PUBLISHED_NAME, article_name: str = ARTICLE_NAME,
                marker: bool = False, ncols: int = 2, colours: Sequence[str] = (INK,),
                article_colours: Sequence[str] | None = None) -> None:
    """The one legend of the fill convention (filled: published; hollow: the article's), just above the plot, its
    swatches in the `colours` the chart draws its published marks in (ink for a chart of no economy), and its
    article's marks in `article_colours` (None: the same). A kind given no colour (an empty list) is a kind the
    chart does not draw: the legend leaves it out, and says nothing when the chart draws neither."""
    article_colours = colours if article_colours is None else article_colours
    handles = [swatches(name, shown, kind=kind, marker=marker)
               for name, shown, kind in ((published_name, colours, PUBLISHED), (article_name, article_colours, ARTICLE))
               if len(shown)]
    if handles:
        legend_above(ax, handles, ncols=ncols)


# ---- Titles and sources ---------------------------------------------------------------------------------------------
def text_width(text: str) -> float:
    """A string's width in ems: CJK and full-width characters count 1, others about half."""
    return sum(1.0 if unicodedata.east_asian_width(c) in "WF" else 0.55 for c in text)


# Names a line never breaks inside ("中国内地", not "中国/内地"): house-words.yml's kept_whole and every economy's chart name.
_KEPT_WHOLE = sorted({*WORDS["typesetting"]["kept_whole"], *DISPLAY_NAMES.values(), *_DATA_ECONOMIES},
                     key=len, reverse=True)
_TOKEN = re.compile("|".join(map(re.escape, _KEPT_WHOLE)) + r"|[A-Za-z0-9.%@+\-—–/]+|.")


def _tokens(text: str) -> list[str]:
    """A name kept whole (_KEPT_WHOLE) as one token; other CJK characters one by one; a run of Latin letters, digits
    and their punctuation as one token."""
    return _TOKEN.findall(text)


_CLOSING = set("，。、；：）》”’！？ ")  # may not start a line (a Chinese typesetter's rule); nor may a space
# The typesetter's rules in house-words.yml: what may not end a line (an opening mark, 第 before its number) and the
# units a number keeps on its line ("10 名").
_OPENING = set(WORDS["typesetting"]["never_ends_a_line"])
_UNITS = set(WORDS["typesetting"]["stays_with_its_number"])


def wrap_em(text: str, ems: float) -> str:
    """Break text (Chinese has no spaces) into lines at most `ems` wide, never inside a number or Latin word,
    never before a closing mark, and never leaving one or two characters alone on the last line."""
    lines: list[list[str]] = [[]]
    for token in _tokens(str(text)):
        line = lines[-1]
        if line and token not in _CLOSING and text_width("".join(line) + token) > ems:
            carried = []
            if token in _UNITS and len(line) > 2 and line[-1] == " " and line[-2][:1].isdigit():
                carried, line[-2:] = line[-2:], []  # a number stays with its unit ("10 名")
            while len(line) > 1 and (line[-1] in _OPENING or line[-1] == " " and line[-2] in _OPENING):
                carried.insert(0, line.pop())
            lines.append([*carried, token])
        else:
            line.append(token)
    # no orphan: move words down from the line before until the last line holds three characters' width
    while len(lines) > 1 and text_width("".join(lines[-1]).strip()) < 3 and len(lines[-2]) > 3:
        lines[-1].insert(0, lines[-2].pop())
        while lines[-1][0] in _CLOSING and len(lines[-2]) > 1:  # a closing mark goes down with its word
            lines[-1].insert(0, lines[-2].pop())
        if lines[-1][0] in _UNITS and len(lines[-2]) > 3 and lines[-2][-1] == " " and lines[-2][-2][:1].isdigit():
            lines[-1][:0], lines[-2][-2:] = lines[-2][-2:], []  # a unit goes down with its number ("4 倍")
    return "\n".join("".join(line).strip() for line in lines)


TITLE_LINES, FOOT_LINES = 2, 4  # the lines of title and of note and source a chart's height allows for


def title_and_source(fig: Figure, title: str, source: str | None, note: str | None = None, *,
                     source_line: str | None = None) -> Figure:
    """Write the conclusion (结论式标题) above the chart and the source (after an optional note) below it, inside
    the image, left-aligned and wrapped to the figure's width. Returns the figure. `source_line`: the whole source
    line in another language's words (the English briefing's chart), instead of 来源：<source>. `source` None: no
    source line (a chart of the book's own data whose caption names and links its file: said once, there)."""
    width_pt = fig.get_figwidth() * 72
    heading = wrap_em(title, width_pt / TITLE_SIZE - 1)
    fig.suptitle(heading, x=0.0, ha="left", fontsize=TITLE_SIZE, fontweight="bold", linespacing=1.35)
    lines = [note, source_line if source_line is not None else
             words("source", source=source) if source is not None else None]
    foot = "\n".join(line for line in lines if line)
    foot = "\n".join(wrap_em(line, width_pt / LABEL_SIZE - 1) for line in foot.split("\n"))
    fig.supxlabel(foot, x=0.0, ha="left", fontsize=LABEL_SIZE, color="#555555", linespacing=1.3)
    fig._szhk_titled = True  # checked by publish
    if hasattr(fig, "_szhk_fit_rows"):
        _fit_rows(fig)
    elif fig.get_figwidth() <= MAX_WIDTH:
        # The layout takes a long title's or note's room from the plot: the figure grows by the lines beyond the
        # TITLE_LINES and FOOT_LINES each chart's height allows for, so the plot keeps its size (a phone's
        # narrower drawing wraps to more lines; a long name from the data cannot crush the plot).
        extra = (max(0, heading.count("\n") + 1 - TITLE_LINES) * TITLE_SIZE * 1.35
                 + max(0, foot.count("\n") + 1 - FOOT_LINES) * LABEL_SIZE * 1.3) / 72
        fig.set_figheight(fig.get_figheight() + extra)
    if hasattr(fig, "_szhk_end_labels"):
        _end_labels_apart(fig)
    return fig


def _end_labels_apart(fig: Figure, gap_pt: float = 2.0) -> None:
    """Keep the end labels `measures_chart` wrote right of each region's last value (`fig._szhk_end_labels`) off
    each other, now that title and source took their room: when a label hanging down from a higher value reaches
    the one below, the plot grows taller until they part (values far enough apart), or the lower label moves down
    (values too close for any height to part them). A long name from the data cannot print over another."""
    labels = sorted(fig._szhk_end_labels, key=lambda label: -label.xy[1])
    for _ in range(5):
        fig.canvas.draw()
        renderer = fig.canvas.get_renderer()
        moved = False
        for upper, lower in zip(labels, labels[1:]):
            a, b = upper.get_window_extent(renderer), lower.get_window_extent(renderer)
            overlap = (b.y1 - a.y0) * 72 / fig.dpi + gap_pt  # points
            if min(a.x1, b.x1) <= max(a.x0, b.x0) or overlap <= 0:
                continue
            ax = upper.axes
            span = abs(ax.get_ylim()[1] - ax.get_ylim()[0])
            apart = (upper.xy[1] - lower.xy[1]) / span  # the values' distance, as a share of the plot's height
            if apart > 0.25:
                fig.set_figheight(fig.get_figheight() + overlap / apart / 72)
            else:
                x, y = lower.xyann
                lower.xyann = (x, y - overlap)
            moved = True
            break
        if not moved:
            return


def publish(name: str, fig: Figure | Callable[[], Figure], *, print_only: bool = False, web_only: bool = False,
            alt: str | None = None, paper: Figure | None = None) -> None:
    """Hand a finished figure to the page: check it, glue it under `name` for a `{glue:figure}` directive, then
    close it. Refused (ValueError naming the figure): no title and source, wider than MAX_WIDTH, any text smaller
    than MIN_TEXT_PT (a chart that would be unreadable on a phone), or no axis title showing the unit that
    data/datapackage.json declares for the figure's value axis (``figures``; a figure left undeclared there, or
    one whose value fields mix units, is refused with a DataValidationError).

    The chapter places it with its number, caption and alt text::

        :::{glue:figure} fig-gii-ranks
        :name: fig-gii-ranks
        :alt: 折线图：……
        中国香港与中国的全球创新指数名次。注释……
        :::

    A `print_only` figure (placed under ``{only} latex``, e.g. the briefing's full-width chart, whose web page
    shows a phone-sized twin) is never shown on a screen: only its title, source and unit are required, and only
    its PDF is drawn. A `web_only` figure (under ``{only} html``, that twin) gets only its SVG.

    `fig` may be a function drawing the figure: it is then called again inside ``drawn_at(PHONE_WIDTH)`` for the
    phone drawing (checked the same way against PHONE_MAX_WIDTH), which web pages show on screens up to
    PHONE_MEDIA. `alt`, if given, is the image's alt text (the directive's :alt: otherwise); either may name
    colours as {colour-hk} / {colour-mainland}. `paper`: a drawing for print only (e.g. the timeline in two
    columns at PAPER_WIDTH, which a page's height holds at full size), checked against that width; the PDF is
    drawn from it instead of the desktop drawing.
    """
    from myst_nb import glue

    from . import data  # the unit its value axis declares in data/datapackage.json ("figures")

    draw = fig if callable(fig) and not isinstance(fig, Figure) else None
    figure = draw() if draw else fig
    phone = None
    if draw and not print_only:
        with drawn_at(PHONE_WIDTH):
            phone = draw()
    unit = data.figure_unit(name)
    problems = check(figure, unit)
    if print_only:
        problems = [p for p in problems if p.startswith(("no title", "no axis title", "texts printed"))]
    if phone is not None:
        problems += [f"phone drawing: {p}" for p in check(phone, unit, max_width=PHONE_MAX_WIDTH)]
    if paper is not None:
        problems += [f"paper drawing: {p}" for p in check(paper, unit, max_width=PAPER_WIDTH + 0.35)]
    if problems:
        plt.close("all")
        raise ValueError(f"figure {name}: " + "; ".join(problems))
    formats = ("pdf",) if print_only else ("svg",) if web_only else ("svg", "pdf")
    glue(name, _Drawn(name, figure, formats, phone=phone, alt=alt, paper=paper), display=False)
    for drawn in (figure, phone, paper):
        if drawn is not None:
            plt.close(drawn)


class _Drawn:
    """A checked figure as the page and the print take it (myst-nb picks one format per builder, _config.yml):
    SVG and PDF, each drawn once with the layout and the
    crop that `check` found. (Glued as a matplotlib figure, each format would be laid out and measured afresh
    before being drawn: a third of the figure's drawing time.)"""

    def __init__(self, name: str, fig: Figure, formats: Sequence[str] = ("svg", "pdf"), *,
                 phone: Figure | None = None, alt: str | None = None, paper: Figure | None = None) -> None:
        self._bundle = {"text/plain": words("figure_plain", name=name)}
        for fmt in formats:
            out = _saved(paper if fmt == "pdf" and paper is not None else fig, fmt)
            # As IPython's own formats give them: SVG as text, PDF base64-encoded.
            self._bundle.update({"image/svg+xml": out.decode("utf-8")} if fmt == "svg" else
                                {"application/pdf": base64.b64encode(out).decode("ascii")})
        if "svg" in formats:
            # The web page's picture: both drawings, and the words that fill a colour placeholder in the alt text.
            self._bundle[PICTURE_MIME] = {
                "svg": self._bundle["image/svg+xml"], "alt": alt, "colour_words": colour_words(),
                "phone_svg": _saved(phone, "svg").decode("utf-8") if phone is not None else None,
                "phone_media": PHONE_MEDIA}
        # The Hong Kong edition's drawings (szhk.hant): the same figure, its labels in Traditional Chinese.
        self._bundle.update(hant.drawings(fig, formats, _saved, phone=phone, alt=alt, colour_words=colour_words(),
                                          paper=paper))

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        return self._bundle


def _saved(fig: Figure, fmt: str) -> bytes:
    """The figure in `fmt`, cropped to the box `check` measured, laid out as `check` laid it out."""
    if getattr(fig, "_szhk_crop", None) is None:
        fig._szhk_crop = fig.get_tightbbox(fig.canvas.get_renderer()).padded(matplotlib.rcParams["savefig.pad_inches"])
        fig.set_layout_engine("none")  # keep the positions the check's draw found
    out = io.BytesIO()
    # no date in the file: a chapter executed again at a later commit draws the same bytes as its cached drawing
    undated = {"svg": {"Date": None}, "pdf": {"CreationDate": None}}.get(fmt)
    fig.savefig(out, format=fmt, bbox_inches=fig._szhk_crop, dpi=fig.dpi, facecolor=fig.get_facecolor(),
                edgecolor=fig.get_edgecolor(), metadata=undated)
    return out.getvalue()


def check(fig: Figure, unit: str | None = None, *, max_width: float = MAX_WIDTH) -> list[str]:
    """What keeps a figure from the page (empty list: nothing); `unit`, its value axis's declared unit, must be
    written in an axis title; the saved image may be at most `max_width` inches wide; no two texts may print over
    each other (`overlapping_texts`)."""
    problems = []
    if not getattr(fig, "_szhk_titled", False):
        problems.append("no title and source (call figures.title_and_source)")
    if unit and not any(unit in label for ax in fig.axes for label in (ax.get_xlabel(), ax.get_ylabel())):
        problems.append(f"no axis title shows the unit its data declares ({unit})")
    fig.canvas.draw()  # runs the constrained layout, so the measure is that of the saved image
    pad = matplotlib.rcParams["savefig.pad_inches"]
    width = fig.get_tightbbox(fig.canvas.get_renderer()).width + 2 * pad  # inches, as the page shows it
    if width > max_width + 1e-6:
        problems.append(f"{width:.2f} in wide, more than {max_width} in (text would shrink on a phone)")
    small = sorted({f"{t.get_text()[:12]!r} {t.get_fontsize():g} pt" for t in visible_texts(fig)
                    if t.get_fontsize() < MIN_TEXT_PT - 1e-6})
    if small:
        problems.append(f"text under {MIN_TEXT_PT:g} pt: {', '.join(small[:5])}")
    overlaps = overlapping_texts(fig)
    if overlaps:
        problems.append("texts printed over each other: " + ", ".join(f"{a!r} and {b!r}" for a, b in overlaps[:5]))
    return problems


def overlapping_texts(fig: Figure, tolerance: float = 1.0) -> list[tuple[str, str]]:
    """Pairs of texts (their first characters) whose drawn boxes overlap by more than `tolerance` points each way:
    a label printed over another (e.g. a number over an economy's name). Call after the figure was drawn."""
    renderer = fig.canvas.get_renderer()
    shrink = tolerance * fig.dpi / 72
    hidden = set()  # labels of ticks outside the axis's view: matplotlib keeps them but does not draw them
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            low, high = sorted(axis.get_view_interval())
            for tick in axis.get_major_ticks() + axis.get_minor_ticks():
                if not low - 1e-9 <= tick.get_loc() <= high + 1e-9:
                    hidden.update((tick.label1, tick.label2))
    boxes = [(t.get_text().strip()[:10], t.get_window_extent(renderer)) for t in visible_texts(fig)
             if t not in hidden and t.get_window_extent(renderer).width > 0]
    return [(a, b) for (a, box_a), (b, box_b) in itertools.combinations(boxes, 2)
            if min(box_a.x1, box_b.x1) - max(box_a.x0, box_b.x0) > shrink
            and min(box_a.y1, box_b.y1) - max(box_a.y0, box_b.y0) > shrink]


def visible_texts(fig: Figure) -> list[Text]:
    """Every text the figure draws (titles, labels, tick labels, annotations, legends)."""
    return [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]


# ---- Axes ------------------------------------------------------------------------------------------------------------
RANK_LABEL = WORDS["rank_axis"]


def rank_axis(ax: Axes, worst: int, label: str = RANK_LABEL, *, step: int | None = None) -> None:
    """A y axis for ranks, inverted and saying so: rank 1 at the top and labelled, then every 5th rank (every 10th
    on an axis past 30, where 1 and 5 would print over each other on a phone; or every `step`th)."""
    ax.set_ylim(worst + 0.5, -0.8)  # room above rank 1 for its label
    step = step or (5 if worst <= 30 else 10)
    ax.set_yticks([1] + list(range(step, worst + 1, step)))
    ax.set_ylabel(label)


def year_axis(ax: Axes, years: Iterable[int], label: str = "") -> None:
    """An x axis of whole years (no 2017.5); labelled only if `label` (a year axis needs no word)."""
    ticks = sorted({int(y) for y in years})
    ax.set_xticks(ticks, [str(y) for y in ticks])
    ax.set_xlabel(label)


AFTER_ARTICLE = WORDS["after_article"]
AFTER_ARTICLE_SHORT = WORDS["after_article_short"]  # where the band is too narrow for AFTER_ARTICLE
BAND = "#ececec"  # light grey: no economy's colour, no fill meaning


def after_article_band(ax: Axes, start: float, end: float, *, label_at: str = "top", label: str = AFTER_ARTICLE,
                       size: float = LABEL_SIZE, align: str = "left") -> None:
    """Shade the years after the article's period (x from `start` to `end`) and label the band 文章发表后 at its
    `label_at` ("top" or "bottom") corner, so later editions read as later editions, not as the author's numbers.
    `label`: the band's words in another language (the English briefing's chart); `align` "right" sets the label
    against the band's right edge.
    The band says *when*; fill still says who says so (later editions are published values, filled)."""
    ax.axvspan(start, end, color=BAND, zorder=0, linewidth=0)
    top = label_at == "top"
    left = align == "left"  # "right": the label ends at the band's far edge, clear of labels left of the band
    ax.annotate(label, (start if left else end, 1 if top else 0), xycoords=ax.get_xaxis_transform(),
                xytext=(3 if left else -3, -3 if top else 3), textcoords="offset points", ha=align,
                va="top" if top else "bottom", fontsize=size, color="#555555")


# ---- Bars -------------------------------------------------------------------------------------------------------------
CATEGORY_WIDTH = 9  # characters per line of a bar's category name (see `wrapped`)


def bars(
    ax: Axes,
    categories: Sequence[str],
    values: Sequence[float],
    labels: Sequence[str] | None = None,
    *,
    kind: str | Sequence[str] = PUBLISHED,
    economy: str | None | Sequence[str | None] = None,
    offset: float = 0.0,
    size: float = 0.7,
    horizontal: bool = True,
    missing: str | None = None,
    names_above: bool = False,
) -> list[Rectangle]:
    """One bar per category (the first on top, or on the left), from zero, each labelled at its end with `labels`
    (default: the value). `kind` (published: filled; article: outlined) and `economy` (colour) are one value for
    all bars or one per bar. An empty value draws no bar; `missing` (e.g. "未核得") is written in its place.
    `names_above` (horizontal bars): each category's name on one line above its bar, in the bar's colour, across the plot's width,
    instead of wrapped beside it (a long Chinese name cannot be broken between words reliably). The value axis
    runs from zero to just past the longest bar's end label."""
    categories, values = list(categories), [float("nan") if pd.isna(v) else float(v) for v in values]
    kinds = [kind] * len(values) if isinstance(kind, str) else list(kind)
    economies = [economy] * len(values) if economy is None or isinstance(economy, str) else list(economy)
    if not len(values) == len(categories) == len(kinds) == len(economies) or (
            labels is not None and len(labels) != len(categories)):
        raise ValueError(f"bars: {len(categories)} categories, {len(values)} values, {len(kinds)} kinds, "
                         f"{len(economies)} economies, {'no' if labels is None else len(labels)} labels")
    top = max((v for v in values if not math.isnan(v)), default=0.0)
    drawn: list[Rectangle] = []
    draw = ax.barh if horizontal else ax.bar
    for i, value in enumerate(values):
        position = i + offset
        if math.isnan(value):
            if missing:
                _end_label(ax, position, 0.0, missing, horizontal, colour=MUTED)
            continue
        (bar,) = draw(position, value, size, **bar_style(kinds[i], economy_colour(economies[i])))
        tag(bar, economies[i])
        drawn.append(bar)
        _end_label(ax, position, value, labels[i] if labels is not None else f"{value:g}", horizontal)
    ticks = list(range(len(categories)))
    if horizontal:
        if names_above:
            across = width() * 72 / LABEL_SIZE - 3  # ems: a name longer than the figure is wide wraps
            for i, name in enumerate(categories):  # in its bar's colour: the name is the bar's direct label
                tag(ax.annotate(wrap_em(str(name), across), (0, i + offset - size / 2), xytext=(0, 2),
                                textcoords="offset points", ha="left", va="bottom", fontsize=LABEL_SIZE,
                                color=economy_colour(economies[i])), economies[i])
            ax.set_yticks([])
            ax.set_ylim(len(categories) - 0.5, -0.5 - size / 2)  # first category on top, its name inside
        else:
            # A category name from the data is at most 40 characters; wrapped, it cannot widen the chart. Lines
            # the caller broke stay broken where it broke them.
            categories = ["\n".join(line if len(line) <= CATEGORY_WIDTH else wrapped([line])[0]
                                    for line in str(c).split("\n")) for c in categories]
            ax.set_yticks(ticks, categories)
            ax.set_ylim(len(categories) - 0.5, -0.5)  # first category on top
        # from zero to just past the end labels (their width in ems, at about 0.75 of the figure's width)
        scale = top / (0.75 * width() * 72) if top else 0
        ends = [v + scale * (text_width(labels[i] if labels is not None else f"{v:g}") * LABEL_SIZE + 6)
                for i, v in enumerate(values) if not math.isnan(v)]
        ax.set_xlim(0, max(ends, default=1.0))
        ax.grid(axis="y", visible=False)
        ax.tick_params(axis="y", length=0)
    else:
        ax.set_xticks(ticks, categories)
        ax.set_xlim(-0.5, len(categories) - 0.5)
        ax.set_ylim(0, max(ax.get_ylim()[1], top * 1.2 or 1))
        ax.grid(axis="x", visible=False)
    return drawn


def _end_label(ax: Axes, position: float, value: float, text: str, horizontal: bool, colour: str = INK) -> None:
    if horizontal:
        ax.annotate(text, (value, position), xytext=(3, 0), textcoords="offset points", va="center",
                    fontsize=LABEL_SIZE, color=colour)
    else:
        ax.annotate(text, (position, value), xytext=(0, 3), textcoords="offset points", ha="center",
                    va="bottom", fontsize=LABEL_SIZE, color=colour)


def wrapped(labels: Iterable[str], width: int = CATEGORY_WIDTH) -> list[str]:
    """Category labels broken into lines of at most `width` characters (Chinese has no spaces to break at), so
    long names do not squeeze the plot on a phone screen; a name with a bracketed part breaks before "（" when
    the name itself fits on one line ("前海深港现代服务业合作区" / "（扩区前）")."""
    def lines(text: str) -> list[str]:
        return textwrap.wrap(text, width, break_long_words=True, break_on_hyphens=False)

    out = []
    for label in labels:
        text = str(label).replace(" ", "\u00a0")  # keeps "第十八 A 章" together: textwrap breaks at ASCII spaces
        name, bracket, rest = text.partition("（")
        if bracket and len(text) > width and 0 < len(name) <= width:
            out.append("\n".join([name, *lines(bracket + rest)]))
        else:
            out.append("\n".join(lines(text)))
    return out


def wrap_label(label: str, width: int = 3) -> str:
    """A Chinese label longer than `width` on two lines, for narrow columns: after "与" (house-words.yml
    label_breaks_at) where it has one
    ("人文与艺术" → "人文与\\n艺术") or before it after a long word ("生命科学\\n与医学"), else in the middle
    ("自然科学" → "自然\\n科学"), as the article's Table 2 breaks them."""
    if len(label) <= width:
        return label
    at = label.find(WORDS["typesetting"]["label_breaks_at"], 1, len(label) - 1)
    cut = (at if at >= 3 else at + 1) if at > 0 else len(label) // 2
    return f"{label[:cut]}\n{label[cut:]}"


def contrast(colour: str, other: str) -> float:
    """The WCAG 2 contrast ratio of two colours (1 to 21)."""
    def luminance(c: str) -> float:
        channels = [v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4
                    for v in matplotlib.colors.to_rgb(c)]
        return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2]

    light, dark = sorted((luminance(colour), luminance(other)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


SECONDARY_HATCH = "\\\\\\"  # back-slanted lines: a lighter shade of a category, told apart without its colour


def lighter(colour: str, amount: float = 0.55) -> str:
    """`colour` mixed with white (`amount` 0: as is; 1: white): a category's weaker form, e.g. 一致 that only
    secondary sources back, beside 一致 itself."""
    rgb = matplotlib.colors.to_rgb(colour)
    return matplotlib.colors.to_hex([c + (1 - c) * amount for c in rgb]).upper()


# ---- Counts by category, one square per item (the claims register's results by chapter) -----------------------------
UNITS_PER_LINE = 20  # squares on one line of a row: a row of 63 items is four short lines, not a long thin bar


def stacked_counts(counts: pd.DataFrame, *, colours: dict[str, str], hatches: dict[str, str | None],
                   total_unit: str = "", axis_label: str = "") -> Figure:
    """One block of squares per row of `counts` (rows: named things, e.g. chapters by their titles, in order;
    columns: categories in order, each with a colour and a hatch, so colour is never the only cue): one square per
    item, UNITS_PER_LINE to a line, in the categories' order, the row's name on one line above its squares and its
    total (with `total_unit`) after the last square. A category of one item is one whole square, never a sliver,
    and no number sits on a coloured fill. `axis_label` (what a square counts) is written under the squares.
    Categories no row has are left out of the legend."""
    counts = counts.loc[:, counts.sum() > 0]
    square = 0.8  # of a unit cell
    name_lines = [wrap_em(str(name), width() * 72 / LABEL_SIZE - 3).count("\n") + 1 for name in counts.index]
    total_ems = max(text_width(f"{n:g}{total_unit}") for n in counts.sum(axis=1))
    columns = UNITS_PER_LINE + 0.6 + total_ems * 1.1  # room after a full line for the total
    unit_in = (width() - 0.3) / columns  # inches per cell, about (the plot spans the figure's width)
    name_cells = LINE_IN / unit_in  # one line of a name, in cells
    fig, ax = plt.subplots(figsize=(width(), 3))
    # a pale or hatched square gets a grey outline, so it stands out from the white page (3:1, as WCAG asks of marks)
    outline = {c: {"edgecolor": "#555555", "linewidth": 0.5}
               if hatches.get(c) or contrast(colours[c], "#FFFFFF") < 3 else {"edgecolor": colours[c], "linewidth": 0}
               for c in counts.columns}
    y, handles = 0.0, {}
    for (name, row), lines in zip(counts.iterrows(), name_lines):
        ax.annotate(wrap_em(str(name), width() * 72 / LABEL_SIZE - 3), (0, y), ha="left", va="top",
                    fontsize=LABEL_SIZE, color=INK, linespacing=1.3)
        y += name_cells * lines + 0.25
        k = 0
        for category, n in row.items():
            for _ in range(int(n)):
                ax.add_patch(Rectangle((k % UNITS_PER_LINE, y + k // UNITS_PER_LINE), square, square,
                                       facecolor=colours[category], hatch=hatches.get(category), **outline[category]))
                k += 1
            handles.setdefault(category, Patch(label=category, facecolor=colours[category],
                                               hatch=hatches.get(category), **outline[category]))
        last_line = max(k - 1, 0) // UNITS_PER_LINE
        ax.annotate(f"{k:g}{total_unit}", ((k - 1) % UNITS_PER_LINE + square + 0.3 if k else 0,
                                            y + last_line + square / 2),
                    ha="left", va="center", fontsize=LABEL_SIZE, color=INK)
        y += last_line + 1 + 0.7
    content = y - 0.7
    ax.set_xlim(0, columns)
    ax.set_ylim(content, 0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.grid(False)
    ax.set_xlabel(axis_label, loc="left")
    legend_above(ax, list(handles.values()), ncols=len(handles))
    fig._szhk_fit_rows = (ax, content * unit_in)  # title_and_source makes the plot this many inches tall
    ax._szhk_cell_in = unit_in  # and then as many cells wide as fit, so the squares stay square
    return fig


# ---- Columns on a true time axis (surveys): published filled, the article's value an outlined dot on its year ------
NOT_IN_DATA, NOT_IN_DATA_UPRIGHT = WORDS["not_in_data"], WORDS["not_in_data_upright"]


def survey_columns(
    years: Sequence[int],
    published: Sequence[float],
    article: Sequence[float],
    article_labels: Sequence[str],
    *,
    unit: str,
    economy: str | None = "中国香港",
    height: float | None = None,  # inches; default 3.4, and 4.2 on the phone drawing (its longer note and
    article_until: int | None = None,  # upright gap mark take more of the height)
    label_years: Iterable[int] | None = None,
) -> Figure:
    """One column per year on a true time axis from the first year to the last: a run of years the dataset lacks
    is a visible gap, never closed up, marked once, horizontally (house-words.yml not_in_data). The published value is a filled
    column; the article's value (with its own label, e.g. "文章：近 4000") is an outlined dot at its height on the
    same year, so the column stays visible. Numbers are horizontal, above the column: every year's when the span
    fits (at most 8 years), else only those of `label_years` (default: the first and last year with a published
    value and the years the article gives a value for). Where the article's value equals the published one, one
    number is written. Years after `article_until` (the article's last year) sit in a shaded band labelled
    文章发表后."""
    def floats(values: Sequence[float]) -> list[float]:
        return [float(v) if pd.notna(v) else math.nan for v in values]

    frame = pd.DataFrame({"year": [int(y) for y in years], "published": floats(published),
                          "article": floats(article), "label": list(article_labels)})
    if frame["year"].duplicated().any():
        raise ValueError(f"survey_columns: a year appears twice: {sorted(frame['year'][frame['year'].duplicated()])}")
    colour = economy_colour(economy)
    if height is None:
        height = 3.4 if width() >= WIDTH else 4.2
    fig, ax = plt.subplots(figsize=(width(), height))
    span = range(frame["year"].min(), frame["year"].max() + 1)
    top = pd.concat([frame["published"], frame["article"]]).max()
    with_published = frame.dropna(subset=["published"])["year"]
    if label_years is None:
        label_years = ({*span} if len(span) <= 8 else
                       {with_published.min(), with_published.max(), *frame.dropna(subset=["article"])["year"]})
    label_years = {int(y) for y in label_years}
    per_year = (width() * 72 - 70) / (len(span) + 1.5)  # points per year across the plot, about
    values = frame.set_index("year")["published"]
    for year in span:
        row = frame[frame["year"] == year]
        if row.empty:
            continue
        value, said = float(row["published"].iloc[0]), float(row["article"].iloc[0])
        if not math.isnan(value):
            (bar,) = ax.bar(year, value, 0.7, **bar_style(PUBLISHED, colour))
            tag(bar, economy)
        if not math.isnan(said):
            (dot,) = ax.plot([year], [said], linestyle="none", zorder=4, **marker_style(ARTICLE, colour))
            tag(dot, economy)
        # The number above its column; where the article gives another value, no number over its dot (it would
        # read as the dot's): the article's label and the survey's number side by side left of the dot instead.
        differs = not math.isnan(said) and said != value
        if not math.isnan(value) and not differs and (year in label_years or value == said):
            # a number wider than a year's room, beside a taller column on its right (a phone's narrow years):
            # it ends at its own column's right edge and runs left, over the lower column or the margin before it
            leftward = _leans_left(values, year, text_width(f"{value:g}") * LABEL_SIZE > per_year * 0.9)
            tag(ax.annotate(f"{value:g}", (year + (0.35 if leftward else 0), max(value, 0 if math.isnan(said) else said)),
                            xytext=(0, 10 if not math.isnan(said) else 3), textcoords="offset points",
                            ha="right" if leftward else "center", va="bottom", fontsize=LABEL_SIZE, color=colour),
                economy)
        if differs:
            said_text = str(row["label"].iloc[0])
            if not math.isnan(value):
                said_text += "\n" + words("survey_value", value=f"{value:g}")
            ax.annotate(said_text, (year, said), xytext=(-8, 2), textcoords="offset points", ha="right",
                        va="bottom", fontsize=LABEL_SIZE, color=INK, linespacing=1.2)
    # each run of years the dataset lacks: one horizontal mark over the run
    absent = [y for y in span if y not in set(frame["year"])]
    for _, run in itertools.groupby(enumerate(absent), key=lambda p: p[1] - p[0]):
        run = [y for _, y in run]
        mark = NOT_IN_DATA
        if max(text_width(line) for line in mark.split("\n")) * LABEL_SIZE > len(run) * per_year - 6:
            mark = "\n".join(NOT_IN_DATA_UPRIGHT)  # too wide for the gap (a phone): upright, a character a line
        ax.annotate(mark, ((run[0] + run[-1]) / 2, 0), xytext=(0, 3), textcoords="offset points",
                    ha="center", va="bottom", fontsize=LABEL_SIZE, color=MUTED, linespacing=1.2)
    year_axis(ax, span)
    if len(span) > 8:  # more years than fit side by side at this width
        ax.tick_params(axis="x", rotation=90)
    # room left of the first column for half its number, clear of the axis and its ticks (a phone's narrow years)
    first_value = values.get(min(span), math.nan)
    room = 0.0
    if pd.notna(first_value):
        label_pt = text_width(f"{first_value:g}") * LABEL_SIZE
        room = ((label_pt + 8) / per_year - 0.35 if _leans_left(values, min(span), label_pt > per_year * 0.9)
                else (label_pt / 2 + 8) / per_year)
    ax.set_xlim(min(span) - max(0.9, room), max(span) + 0.6)
    ax.set_ylim(0, top * 1.4)  # from zero; room for two lines of labels
    if article_until is not None and max(span) > article_until:
        start, end = article_until + 0.5, max(span) + 0.6
        # the band's words as long as they fit across it (a phone's band is narrow): else the short form
        fits = text_width(AFTER_ARTICLE) * LABEL_SIZE + 6 <= (end - start) * per_year
        after_article_band(ax, start, end, label=AFTER_ARTICLE if fits else AFTER_ARTICLE_SHORT)
    ax.set_ylabel(unit)
    ax.grid(axis="x", visible=False)
    legend_above(ax, [swatches(PUBLISHED_NAME, [colour], marker=False),
                      swatches(ARTICLE_NAME, [colour], kind=ARTICLE)])
    return fig


def _leans_left(values: pd.Series, year: int, wide: bool) -> bool:
    """Whether a column's number, `wide`r than a year's room, should run left from its column's right edge: the
    next year's column is taller (it would print over it) and the year before has no taller one."""
    after, before = values.get(year + 1, math.nan), values.get(year - 1, math.nan)
    return wide and pd.notna(after) and after > values[year] and not (pd.notna(before) and before > values[year])


# ---- Ranks: rank 1 on top, the text's threshold drawn, the article's values against the published ones ------------
def rank_chart(
    ranks: pd.DataFrame,
    *,
    top: int | None = None,
    height: float | None = None,  # inches; default: 4.6 for up to 25 ranks, taller for more (labels kept apart)
) -> Figure:
    """Each economy's rank by year (`year`, `economy_zh`, `rank_article`, optional `rank_published` and
    `in_article` columns), one line per economy in its colour, every point labelled with its rank (on the phone
    drawing only each line's first, best, worst and last point, and any the article gives otherwise), rank 1 on top.
    The line runs through the published rank where there is one (filled dot) and the article's otherwise; the
    article's rank is a hollow dot where it differs from the published one or no published rank was found.
    Editions after the article's (`in_article` false, or no article rank) are published ranks, so filled too:
    they sit in a shaded band labelled 文章发表后 (the band says when, so their line stays solid). A segment to or from
    a hollow dot (a rank no source confirms) is dashed: a solid line joins published ranks only. A year without a
    rank breaks the line. `top` draws the text's threshold ("前 15 名") as a light dotted line between rank `top` and the next; the
    note under the chart says what it is. Lines are named as charts name economies (中国 → 中国内地); the legend
    sits above the plot, with room kept between it and the best rank's label, only when the chart has a hollow dot
    (filled dots alone need no key: the note and the caption say what they are)."""
    missing = {"year", "economy_zh", "rank_article"} - set(ranks.columns)
    if missing:
        raise ValueError(f"rank_chart: columns {sorted(missing)} missing (have {list(ranks.columns)})")
    frame = ranks.copy()
    if "rank_published" not in frame:
        frame["rank_published"] = float("nan")
    frame["rank_shown"] = frame["rank_published"].fillna(frame["rank_article"]).astype(float)
    frame = frame.dropna(subset=["rank_shown"])
    ours = frame["in_article"].astype(bool) if "in_article" in frame else frame["rank_article"].notna()
    frame["later"] = ~ours.loc[frame.index]
    frame["checked"] = frame["rank_published"].notna()
    economies = [e for e in ECONOMY_ORDER if e in set(frame["economy_zh"])]
    economies += sorted(set(frame["economy_zh"]) - set(economies))
    worst = int(max(frame["rank_shown"].max(), frame["rank_article"].max()))
    if height is None:  # about 0.1 in per rank beyond 25: two numbers written toward each other keep apart;
        # the phone drawing's longer title and note take more of its height, so it gets more
        height = (4.6 if width() >= WIDTH else 5.2) + max(0, worst - 25) * 0.1
    fig, ax = plt.subplots(figsize=(width(), height))
    # In each year the better-ranked economy writes its number above its dot, the other below, so two lines that
    # cross never print over each other.
    best_in_year = frame.loc[frame.groupby("year")["rank_shown"].idxmin()].set_index("year")["economy_zh"]
    hollow: list[str] = []  # the colours of the economies that have a hollow dot (the legend shows those)
    number_box = {"boxstyle": "square,pad=0.1", "facecolor": "white", "edgecolor": "none", "alpha": 0.75}
    for economy in economies:
        rows = frame[frame["economy_zh"] == economy].sort_values("year")
        colour = economy_colour(economy)
        # On the phone drawing only the points a reader looks for carry their number (first, best, worst, last):
        # every year's number there crowds the lines and the threshold. The desktop drawing numbers every point.
        numbered = (set(rows["year"]) if width() >= WIDTH else
                    {rows["year"].iloc[0], rows["year"].iloc[-1],
                     rows.loc[rows["rank_shown"].idxmin(), "year"], rows.loc[rows["rank_shown"].idxmax(), "year"]})
        for a, b in zip(rows.itertuples(), rows.iloc[1:].itertuples()):
            if b.year - a.year != 1:  # no rank that year: no line across the gap
                continue
            (line,) = ax.plot([a.year, b.year], [a.rank_shown, b.rank_shown], color=colour, linewidth=2, zorder=2,
                              linestyle="-" if a.checked and b.checked else "--")
            tag(line, economy)
        for r in rows.itertuples():
            checked = pd.notna(r.rank_published)
            differs = checked and pd.notna(r.rank_article) and r.rank_article != r.rank_published
            if (differs or not checked) and colour not in hollow:
                hollow.append(colour)
            above = best_in_year[r.year] == economy or (differs and r.rank_article > r.rank_published)
            side = _neighbours_on_screen(rows, r.year)
            others = frame[(frame["year"] == r.year) & (frame["economy_zh"] != economy)]["rank_shown"]
            # a bend or a line's end: its number on the side no line leaves from, if the other economy leaves it free
            if not differs and side[above] and not side[not above]:
                if not ((others - r.rank_shown).between(-4, 4) & ((others > r.rank_shown) == above)).any():
                    above = not above
            # a line leaving the dot on the number's side on one hand only: the number leans to the other hand
            # (not at the line's ends: the first point's left is the axis's, the last's right the name's)
            shift = {frozenset({"left"}): (4, "left"), frozenset({"right"}): (-4, "right")}.get(
                frozenset(side[above]), (0, "center"))
            if (shift[1] == "left" and r.year == rows["year"].max()) or (
                    shift[1] == "right" and r.year == rows["year"].min()):
                shift = (0, "center")
            (dot,) = ax.plot([r.year], [r.rank_shown], linestyle="none", zorder=3,
                             **marker_style(PUBLISHED if checked else ARTICLE, colour))
            tag(dot, economy)
            if r.year in numbered or differs:
                tag(ax.annotate(f"{r.rank_shown:g}", (r.year, r.rank_shown), xytext=(shift[0], 7 if above else -7),
                                textcoords="offset points", ha=shift[1], va="bottom" if above else "top",
                                fontsize=LABEL_SIZE, color=colour, bbox=number_box), economy)
            if differs:  # the article's different rank, hollow, at its own place
                (dot,) = ax.plot([r.year], [r.rank_article], linestyle="none", zorder=3,
                                 **marker_style(ARTICLE, colour))
                tag(dot, economy)
                tag(ax.annotate(words("rank_article_label", rank=f"{r.rank_article:g}"), (r.year, r.rank_article), xytext=(7, 0),
                                textcoords="offset points", ha="left", va="center", fontsize=LABEL_SIZE,
                                color=colour), economy)
        last = rows.iloc[-1]
        others = frame[(frame["year"] == last["year"]) & (frame["economy_zh"] != economy)]["rank_shown"]
        nudge = 0
        if len(others) and abs(others.iloc[0] - last["rank_shown"]) < 3:  # names of close lines apart
            nudge = 6 if last["rank_shown"] < others.iloc[0] else -6
        if top is not None and not nudge and abs(last["rank_shown"] - (top + 0.5)) < 1.5:
            nudge = 6 if last["rank_shown"] <= top else -6  # the name clear of the threshold line
        tag(ax.annotate(display_name(economy), (last["year"], last["rank_shown"]), xytext=(10, nudge),
                        textcoords="offset points", va="center", ha="left", color=colour, fontsize=LABEL_SIZE,
                        fontweight="bold", bbox=number_box), economy)
    rank_axis(ax, worst + 3)
    # Room above the best rank for its number (about 20 pt of a plot about 150 pt tall), so no label reaches the
    # legend above the plot.
    bottom = worst + 3.5
    best = float(frame["rank_shown"].min())
    ax.set_ylim(bottom, min(-0.8, best - 0.16 * (bottom - best)))
    if top is not None:  # the text's threshold; the note under the chart names it (no label to collide)
        ax.axhline(top + 0.5, color="#999999", linestyle=":", linewidth=1.2, zorder=1)
    year_axis(ax, frame["year"])
    ax.set_xlim(frame["year"].min() - 0.4, frame["year"].max() + 1.6)  # room for the economy names
    if frame["later"].any():  # the band's label at the bottom, where the worst ranks (left of it) leave room
        after_article_band(ax, frame.loc[~frame["later"], "year"].max() + 0.5, frame["year"].max() + 1.6,
                           label_at="bottom")
    if frame["year"].nunique() > 7:  # more years than fit side by side at this width
        ax.tick_params(axis="x", rotation=90)
    colours = [economy_colour(e) for e in economies]
    if hollow:  # a legend of one kind of mark would say nothing the note and the title do not
        legend_above(ax, [swatches(words("ranks_published"), colours),
                          swatches(words("ranks_article"), hollow, kind=ARTICLE)])
    return fig


def _neighbours_on_screen(rows: pd.DataFrame, year: int) -> dict[bool, set[str]]:
    """Which hands ("left", "right") a line leaves a rank chart's point on, above it (True: to a better rank, drawn
    higher) and below it (False), from one economy's `rows` (`year`, `rank_shown`); a line joins consecutive years."""
    shown = rows.set_index("year")["rank_shown"]
    sides: dict[bool, set[str]] = {True: set(), False: set()}
    for hand, other in (("left", year - 1), ("right", year + 1)):
        if other in shown.index and shown[other] != shown[year]:
            sides[bool(shown[other] < shown[year])].add(hand)
    return sides


def dashed_segments(ranks: pd.DataFrame) -> int:
    """How many segments `rank_chart` draws dashed: lines between consecutive years of one economy where either
    rank is not a published one (a rank no source confirms). A note says what a dashed line is only if there is one."""
    frame = ranks.assign(shown=ranks.get("rank_published", pd.Series(float("nan"), index=ranks.index))
                         .fillna(ranks["rank_article"])).dropna(subset=["shown"])
    checked = frame["rank_published"].notna() if "rank_published" in frame else pd.Series(False, index=frame.index)
    count = 0
    for _, rows in frame.assign(checked=checked).sort_values("year").groupby("economy_zh"):
        for a, b in zip(rows.itertuples(), rows.iloc[1:].itertuples()):
            count += b.year - a.year == 1 and not (a.checked and b.checked)
    return count


def article_dots(ranks: pd.DataFrame) -> int:
    """How many hollow dots (the article's rank) `rank_chart` draws: ranks the article gives that no published
    rank confirms or that differ from it. None: every dot is a published rank, and the chart has no legend."""
    published = ranks["rank_published"] if "rank_published" in ranks else pd.Series(float("nan"), index=ranks.index)
    said = ranks["rank_article"].notna()
    return int((said & (published.isna() | (published != ranks["rank_article"]))).sum())


# ---- A share by region over the years, measures kept apart (研发投入占生产总值：深圳与香港) ----------------------------
END_LABEL_EMS = 3  # a region's name right of its last value: lines at most this wide (the x axis keeps the room)

def measures_chart(
    rows: pd.DataFrame,
    *,
    value: str,
    unit: str,
    kinds: dict[str, str],
    article_until: int | None = None,
    height: float = 4.9,
) -> Figure:
    """Published values by `year` for each region (`region_zh`, in its economy's colour). A line
    joins only values of one measure (`measure`, mapped by `kinds` to official/society/unspecified) and one method
    in consecutive years: never across measures, a gap or a row whose `method_changed` is true, never through a
    value of an unspecified measure. A value of an official measure (a statistics office's) is a filled dot; any
    other (a secondary figure: another measure, or one its source does not name) a lighter dot of the same shape
    and colour, and a legend above the plot names the two when the chart draws both. The note under the chart says
    which years are which measure (`measure_years`). Each region's last value is written beside its name right of the line (its
    last official value, with its year, when lighter dots follow; the title, not a label against the y axis, gives
    any other); the y axis names the unit once and runs from zero to the tick above the highest value.
    Years after `article_until` sit in a shaded band labelled 文章所用版次之后."""
    missing = {"year", "region_zh", "measure", "method_changed", value} - set(rows.columns)
    if missing:
        raise ValueError(f"measures_chart: columns {sorted(missing)} missing (have {list(rows.columns)})")
    unknown = sorted(set(rows["measure"]) - set(kinds))
    if unknown:
        raise ValueError(f"measures_chart: measure {unknown} has no kind (known: {sorted(kinds)})")
    fig, ax = plt.subplots(figsize=(width(), height))
    drawn: dict[str, list[str]] = {}  # the kinds of dot drawn ("official", "secondary") and their colours
    end_labels: list[Text] = []  # title_and_source keeps them apart (_end_labels_apart)
    for region, own in rows.groupby("region_zh", sort=False):
        colour = economy_colour(region)
        own = own.sort_values("year")
        for measure, same in own.groupby("measure", sort=False):
            if kinds[measure] == "unspecified":
                continue  # two values of unstated measures may not be comparable: no line
            for a, b in zip(same.itertuples(), same.iloc[1:].itertuples()):
                # consecutive years only: a line across a gap would run through the other measures' marks
                if b.year - a.year == 1 and not b.method_changed:
                    (line,) = ax.plot([a.year, b.year], [getattr(a, value), getattr(b, value)], color=colour,
                                      linewidth=2, zorder=2)
                    tag(line, region)
        for r in own.itertuples():
            official = kinds[r.measure] == "official"
            (dot,) = ax.plot([r.year], [getattr(r, value)], linestyle="none", zorder=3,
                             **(marker_style(PUBLISHED, colour) if official else secondary_marker_style(colour)))
            tag(dot, region)
            drawn.setdefault("official" if official else "secondary", []).append(colour)
        # Only the last value is written (a first value would sit against the y axis). When a single lighter
        # (secondary) dot follows the region's last official one, the label states the official value, with its
        # year, so it gives the basis the title compares; it hangs lower then, clear of that later dot. (A label
        # further back would sit inside the plot, away from the line's end.)
        last = own.iloc[-1]
        before = own.iloc[-2] if len(own) > 1 else last
        if (kinds[last["measure"]] != "official" and kinds[before["measure"]] == "official"
                and last["year"] - before["year"] == 1):
            last = before
        later = last["year"] < own["year"].max()
        label = words("end_label_year" if later else "end_label", name=wrap_em(str(region), END_LABEL_EMS),
                      value=f"{last[value]:g}", year=int(last["year"]))
        # the name wrapped to the room kept for it right of the line, so a long name cannot squeeze the plot
        end_labels.append(tag(ax.annotate(
            label, (last["year"], last[value]), xytext=(8, -3 if later else 5), textcoords="offset points",
            ha="left", va="top", fontsize=LABEL_SIZE, fontweight="bold", color=colour, linespacing=1.15),
            region))  # downward: the band's label is above
    years = range(int(rows["year"].min()), int(rows["year"].max()) + 1)
    year_axis(ax, years)
    if len(years) > 7:
        ax.tick_params(axis="x", rotation=90)
    ax.set_xlim(min(years) - 0.5, max(years) + 2.4)  # room for the region names and last values
    ticks = MaxNLocator(nbins=5, steps=[1, 2, 2.5, 5, 10]).tick_values(0, float(rows[value].max()))
    # the tick above the highest value, no further (one step beyond the last tick when the value sits on it)
    top = float(next((t for t in ticks if t > rows[value].max()), ticks[-1] + (ticks[1] - ticks[0])))
    ax.set_yticks(sorted({*(float(t) for t in ticks if t <= top), top}))
    ax.set_ylim(0, top)
    ax.set_ylabel(unit)
    if article_until is not None and max(years) > article_until:
        after_article_band(ax, article_until + 0.5, max(years) + 2.4)
    if len(drawn) > 1:  # both kinds of dot: the legend tells them apart
        legend_above(ax, [tuple(Line2D([], [], linestyle="none", label=words(f"measures_{kind}"), **style(c))
                                for c in dict.fromkeys(drawn[kind]))
                          for kind, style in (("official", lambda c: marker_style(PUBLISHED, c)),
                                              ("secondary", secondary_marker_style))], ncols=1)
    fig._szhk_end_labels = end_labels
    return fig


def measure_years(rows: pd.DataFrame, names: dict[str, str]) -> str:
    """For each region whose values mix measures, which years are which (`names`: measure → its words), in the
    words of house-words.yml (measure_years, measure_region): 深圳：2014、2016、2017 年为……；2018、2024 年来源未说明口径。"""
    parts = []
    for region, own in rows.groupby("region_zh", sort=False):
        if own["measure"].nunique() < 2:
            continue
        spans = [words("measure_years", years="、".join(str(y) for y in sorted(same["year"])), measure=names[m])
                 for m, same in own.groupby("measure", sort=False)]
        parts.append(words("measure_region", region=region, spans="；".join(spans)))
    return "".join(parts)


def _verb(before: float, after: float) -> str:
    """升至 / 降至 / 仍为 (house-words.yml rank_verbs): a rank's movement, rank 1 being the best."""
    verbs = words("rank_verbs")
    return verbs["up"] if after < before else verbs["down"] if after > before else verbs["same"]


def crossing_title(ranks: pd.DataFrame, index_zh: str) -> str:
    """The rank chart's conclusion, from the data: the first year the second economy ranks above the first
    (2021 年中国内地全球创新指数名次首次超过中国香港（本书数据所及 2017—2025 年）…), or else the first
    economy's rank in the first and last year."""
    shown = ranks.assign(rank=ranks["rank_published"].fillna(ranks["rank_article"]) if "rank_published" in ranks
                         else ranks["rank_article"]).pivot(index="year", columns="economy_zh", values="rank")
    first, second = [e for e in ECONOMY_ORDER if e in shown.columns][:2]
    ahead = shown.index[shown[second] < shown[first]]
    y0, y1 = shown.index.min(), shown.index.max()
    names = {"first": display_name(first), "second": display_name(second), "index": index_zh}
    if len(ahead) and (shown[second] >= shown[first]).loc[: ahead[0]].iloc[:-1].all():
        # "首次" only within the editions the data holds, and the title says which
        title = words("rank_title_crossing", year=ahead[0], first_year=y0, last_year=y1, **names)
        after = shown.loc[shown.index > ahead[0]].dropna()
        if len(after) and (after[second] < after[first]).all():  # and stayed ahead in every later edition
            span = (words("rank_title_crossing_span_one", year=after.index[0]) if len(after) == 1 else
                    words("rank_title_crossing_span", start=after.index[0], end=after.index[-1]))
            title += words("rank_title_crossing_kept", span=span)
        return title
    a, b = shown.loc[y0, first], shown.loc[y1, first]
    return words("rank_title_endpoints", first_year=y0, last_year=y1, a=f"{a:g}", b=f"{b:g}", verb=_verb(a, b),
                 **names)


def since_article_title(ranks: pd.DataFrame, index_zh: str) -> str:
    """The rank chart's conclusion told from the article's last edition to the latest, from the data: the first
    economy's low point after the article and where it stands now, and the second economy's latest rank, e.g.
    全球创新指数：中国香港 2024 年降至第 18 名，2025 年回升至第 15 名；中国内地第 10 名. Without later
    editions, the crossing title (`crossing_title`)."""
    ours = ranks["in_article"].astype(bool) if "in_article" in ranks else ranks["rank_article"].notna()
    shown = ranks.assign(rank=ranks["rank_published"].fillna(ranks["rank_article"]) if "rank_published" in ranks
                         else ranks["rank_article"])
    later = shown[~ours]
    if later.empty:
        return crossing_title(ranks, index_zh)
    first, second = [e for e in ECONOMY_ORDER if e in set(shown["economy_zh"])][:2]
    wide = shown.pivot(index="year", columns="economy_zh", values="rank")
    base_year = int(shown.loc[ours, "year"].max())
    latest = int(later["year"].max())
    after = wide.loc[wide.index > base_year, first].dropna()
    base, now = wide.loc[base_year, first], wide.loc[latest, first]
    low_year = int(after.idxmax())
    names = {"index": index_zh, "first": display_name(first), "second": display_name(second),
             "second_rank": f"{wide.loc[latest, second]:g}", "latest_year": latest, "now": f"{now:g}"}
    if low_year != latest and after[low_year] > max(base, now):
        return words("rank_title_dip" if now < after[low_year] else "rank_title_dip_flat", low_year=low_year,
                     low=f"{after[low_year]:g}", **names)
    return words("rank_title_moved", base_year=base_year, base=f"{base:g}", verb=_verb(base, now), **names)


# ---- Timeline ----------------------------------------------------------------------------------------------------------
def date_zh(date: str) -> str:
    """A data date in words: 1998 → 1998 年; 2017-12 → 2017 年 12 月; 2022-07-01 → 2022 年 7 月 1 日;
    2021-H1 → 2021 年上半年; 2020-Q4 → 2020 年第四季度."""
    return text.date(str(date))


def _sort_key(date: str) -> str:
    """Dates of mixed precision in time order: a year alone before its months, H1 with Q2, H2 with Q4."""
    parts = str(date).split("-")
    if len(parts) == 1:
        return parts[0] + "-00"
    month = {"H1": "06", "H2": "12", "Q1": "03", "Q2": "06", "Q3": "09", "Q4": "12"}.get(parts[1], parts[1])
    return "-".join([parts[0], month, *parts[2:]])


LINE_IN = LABEL_SIZE * 1.3 / 72  # one line of label text, in inches


def in_time_order(events: pd.DataFrame) -> pd.DataFrame:
    """Rows with a `date` of mixed precision (1998, 2017-12, 2021-H1, 2022-07-01) in time order."""
    return events.assign(key=events["date"].map(_sort_key)).sort_values("key", kind="stable").drop(columns="key")


def dense_run(dates: Iterable[str]) -> tuple[int, int]:
    """The shape of a timeline, for its title: the first year after its longest quiet spell (the years between
    two consecutive events; the first year when there is none) and the year with the most events (the earliest
    of equals)."""
    years = pd.Series(sorted(int(str(d)[:4]) for d in dates))
    if years.empty:
        raise ValueError("dense_run: no date")
    distinct = years.drop_duplicates().reset_index(drop=True)
    gaps = distinct.diff()
    start = int(distinct[gaps.idxmax()]) if len(distinct) > 1 and gaps.max() > 1 else int(distinct.iloc[0])
    counts = years.value_counts()
    peak = int(min(counts[counts == counts.max()].index))
    return start, peak


def timeline_markdown(events: pd.DataFrame, marks: tuple[str, str], *, title: str | None = None,
                      note: str | None = None) -> str:
    """The timeline as a list (what a phone shows instead of the drawing): one item per year, its events after
    their month or day, each marked with `marks` (confirmed, not: e.g. 日期已核实 / 仅据文章) as the drawing's
    filled and hollow dots are; the drawing's `title` in bold above it and its `note` below, as the drawing
    has them."""
    from . import markdown

    rows = in_time_order(events)
    lines = [f"**{markdown.text(title)}**\n"] if title else []
    for year, same in rows.groupby(rows["date"].map(lambda d: int(str(d)[:4])), sort=False):
        items = "；".join(
            f"{markdown.text(date_zh(d).partition('年')[2].strip() if '-' in str(d) else '')}"
            f"{markdown.text(e)}（{marks[0] if ok else marks[1]}）"
            for d, e, ok in zip(same["date"], same["event"], same["confirmed"]))
        lines.append(f"- **{words('year', year=year)}**：{items}")
    if note:
        lines.append(f"\n{markdown.text(note)}")
    return "\n".join(lines) + "\n"


PAPER_WIDTH = 6.3  # inches: the print's text width (A4, 25 mm margins), for a drawing made for paper only


def timeline(events: pd.DataFrame, marks: tuple[str, str], *, text_ems: float = 20, columns: int = 1) -> Figure:
    """A vertical timeline, oldest on top: each year once, in bold at the left of the line; one row per event
    (`date`, `event`, `confirmed` columns) with a dot on the line (filled: the date is confirmed by a published
    source; hollow: the article's date only) and the event, after its month or day where the data has one,
    wrapped. A gap of more than two years is drawn as a break (≈). Rows are laid out in inches, so no two texts
    can overlap. `columns` 2 (the print's drawing, at PAPER_WIDTH): the rows continue in a second column from the
    year nearest the middle, so the drawing keeps its text size within a page's height."""
    missing = {"date", "event", "confirmed"} - set(events.columns)
    if missing:
        raise ValueError(f"timeline: columns {sorted(missing)} missing (have {list(events.columns)})")
    if events.empty:
        raise ValueError("timeline: no event")
    rows = in_time_order(events)
    years = [int(str(d)[:4]) for d in rows["date"]]
    fig_width = PAPER_WIDTH if columns > 1 else width()
    column_in = (fig_width - 0.3) / columns
    year_in, text_in = 0.72, 0.85  # the line's x and the events' x within a column (the year's bold label left of it)
    row_gap, year_gap = (0.05, 0.06) if columns > 1 else (0.08, 0.1)  # inches after a row, and before a new year
    if columns > 1:
        text_ems = (column_in - text_in - 0.05) * 72 / LABEL_SIZE
    texts = [wrap_em(f"{date_zh(d).partition('年')[2].strip()} {e}".strip(), text_ems)
             for d, e in zip(rows["date"], rows["event"])]
    heights = [LINE_IN * (1 + text.count("\n")) + row_gap for text in texts]
    # where the second column starts: the first row of the year whose start is nearest half the rows' height
    split = len(texts)
    if columns > 1:
        starts = [i for i in range(1, len(years)) if years[i] != years[i - 1]]
        half = sum(heights) / 2
        split = min(starts, key=lambda i: abs(sum(heights[:i]) - half), default=len(texts))
    fig, ax = plt.subplots(figsize=(fig_width, 3))
    ax.axis("off")
    contents = []
    for column, part in enumerate(((0, split), (split, len(texts)))[:columns]):
        x0 = column * column_in
        line_x = x0 + year_in if columns > 1 else 0.2  # one column: in fractions of the plot's width
        text_x = x0 + text_in if columns > 1 else 0.25
        y, positions, breaks = 0.0, [], []
        for i in range(*part):
            if i > part[0] and years[i] != years[i - 1]:
                y += year_gap
                if years[i] - years[i - 1] > 2:
                    breaks.append(y + 0.05)
                    y += 0.2
            positions.append(y)
            y += heights[i]
        contents.append(y)
        if not positions:
            continue
        ax.plot([line_x, line_x], [0, positions[-1]], color=MUTED, linewidth=1.5, zorder=1)
        for at in breaks:
            ax.text(line_x, at, "≈", ha="center", va="center", fontsize=LABEL_SIZE + 2, color=MUTED,
                    bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.5})
        for i, pos in zip(range(*part), positions):
            ax.plot([line_x], [pos], linestyle="none", zorder=3,
                    **marker_style(PUBLISHED if rows["confirmed"].iloc[i] else ARTICLE, INK))
            if i == part[0] or years[i] != years[i - 1]:
                ax.text(line_x - (0.1 if columns > 1 else 0.05), pos, words("year", year=years[i]), va="center",
                        ha="right", fontsize=LABEL_SIZE, fontweight="bold", color=INK)
            ax.text(text_x, pos - LINE_IN * 0.5, texts[i], va="top", ha="left", fontsize=LABEL_SIZE, color=INK,
                    linespacing=1.3)
    content = max(contents)
    ax.set_xlim(0, fig_width - 0.3 if columns > 1 else 1)
    ax.set_ylim(content, -LINE_IN * 0.5)
    fill_legend(ax, published_name=marks[0], article_name=marks[1], marker=True)
    fig._szhk_fit_rows = (ax, content + LINE_IN * 0.5)  # title_and_source makes the plot this many inches tall
    return fig


def _fit_rows(fig: Figure) -> None:
    """Make a timeline's plot area exactly as tall (in inches) as its rows, after title and source took their
    room, so one data unit is one inch and the row spacing computed in inches holds."""
    ax, content = fig._szhk_fit_rows
    for _ in range(3):
        fig.canvas.draw()
        have = ax.get_position().height * fig.get_figheight()
        if abs(have - content) < 0.01:
            break
        fig.set_figheight(fig.get_figheight() + content - have)
    cell = getattr(ax, "_szhk_cell_in", None)
    if cell:  # a chart of square cells (stacked_counts): as many cells across as the plot's width holds
        ax.set_xlim(0, ax.get_position().width * fig.get_figwidth() / cell)
