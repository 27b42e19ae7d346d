"""A figure's Traditional Chinese (Hong Kong) drawings, made in the same execution as its Simplified ones.

Figures draw their text as outlines, so the Hong Kong edition cannot convert them afterwards: `drawings` converts
every label of the finished figure with szhk_hant (OpenCC s2hk and the phrase table), sets it in Noto Sans CJK HK,
and draws it again with the layout and crop the Simplified drawing was checked with (a CJK character is as wide in
either script). Both editions then read one executed notebook: szhk_sphinx.hant_figures shows these drawings in the
HK edition only. In a build the HK face is cut down to the book's characters, as szhk.fonts does for the SC face.
"""
from __future__ import annotations

import base64
from collections.abc import Callable, Sequence

import matplotlib.pyplot as plt
from matplotlib import font_manager
from matplotlib.figure import Figure
from matplotlib.text import Text

from . import cache, fonts

MIME = "application/vnd.szhk.hant+json"  # = szhk_sphinx.hant.HANT_FIGURE (that side never imports szhk)
PDF_MIME = "application/vnd.szhk.hant-pdf"  # = szhk_sphinx.hant.HANT_PDF: the print drawing, base64 as PDFs are
HK_FAMILY = "Noto Sans CJK HK"  # Debian fonts-noto-cjk: the Hong Kong glyph forms
_families: list[str] = []


def families() -> list[str]:
    """The font families of the HK drawings: the HK face (cut down in a build), then the house style's others."""
    if _families:
        return _families
    from szhk_hant import converter

    others = [f for f in plt.rcParams["font.sans-serif"] if "CJK" not in f]
    chosen = [HK_FAMILY, *others]
    folder = cache.cache_dir("fonts")
    faces = [e for e in font_manager.fontManager.ttflist if e.name == HK_FAMILY]
    if folder is not None and faces:
        book = fonts.book_characters()
        characters = "".join(sorted(set(book) | set(converter().convert(book))
                                    | {c for p in converter().phrases for c in p.hk}))
        registered = {e.fname for e in font_manager.fontManager.ttflist}
        for entry in faces:
            cut = str(fonts._cut(entry, characters, fonts._PREFIX + HK_FAMILY, folder))
            if cut not in registered:
                font_manager.fontManager.addfont(cut)
        chosen = [fonts._PREFIX + HK_FAMILY, *chosen]
    _families.extend(chosen)
    return _families


def to_hk(text: str) -> str:
    """A figure's text as the Hong Kong edition writes it: converted, then the editor's 「」 and Hong Kong terms
    (every word on a chart is the editor's; one label is one paragraph)."""
    from szhk_hant import EditorText, converter

    return EditorText()(converter().convert(text))


def convert_labels(fig: Figure) -> None:
    """Every text of the figure in Traditional Chinese, set in the HK face."""
    chosen = families()
    for text in fig.findobj(Text):
        text.set_text(to_hk(text.get_text()))
        text.set_fontfamily(chosen)


def drawings(fig: Figure, formats: Sequence[str], save: Callable[[Figure, str], bytes], *,
             phone: Figure | None = None, alt: str | None = None,
             colour_words: dict[str, str] | None = None, paper: Figure | None = None) -> dict[str, object]:
    """The HK drawings of a checked figure (after its Simplified ones were saved), as output entries: the web's
    (SVGs, alt text and colour words, under MIME) and the print's (PDF_MIME, from `paper` where the figure has a
    drawing for print only)."""
    content: dict[str, object] = {"alt": to_hk(alt) if alt else None,
                                  "colour_words": {k: to_hk(v) for k, v in (colour_words or {}).items()}}
    convert_labels(fig)
    if "svg" in formats:
        content["svg"] = save(fig, "svg").decode("utf-8")
    bundle: dict[str, object] = {}
    if "pdf" in formats:
        if paper is not None:
            convert_labels(paper)
        bundle[PDF_MIME] = base64.b64encode(save(paper if paper is not None else fig, "pdf")).decode("ascii")
    if phone is not None:
        convert_labels(phone)
        content["phone_svg"] = save(phone, "svg").decode("utf-8")
    if "svg" in formats:
        bundle[MIME] = content
    return bundle


def main() -> int:
    """`python -m szhk.hant` (tools/build.py, before Jupyter Book): cut the figures' CJK faces, Simplified and Hong
    Kong, into the build's cache once, outside any chapter's cell (whose time is limited: execute.timeout)."""
    from pathlib import Path

    if cache.cache_dir("fonts") is None:
        return 0
    plt.style.use(Path(__file__).with_name("house.mplstyle"))  # the house style's faces, as figures applies it
    fonts.use_cut_fonts()
    families()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
