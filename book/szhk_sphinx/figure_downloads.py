"""A "下载 SVG" link in the caption of every web figure whose image is an SVG, made once for all figures.

A figure's image file name on the web is known only when the HTML builder writes the page: it copies each image
to `_images/` (`builder.images`, filled by `post_process_images` just before the page is written) and points the
<img> there. So the link is a node of its own, `svg_download`, put in the caption when the doctree is resolved
(remembering the image's source path) and written by an HTML visitor that looks up that path's `_images/` name
— the same place the <img> points to. Other builders (LaTeX: the PDF is the download) drop the node.
No JavaScript: the link is in the page as served.
"""
from __future__ import annotations

import html
import posixpath
from typing import Any
from urllib.parse import quote

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxTranslator

from szhk_sphinx.english import is_english, ui_word

SVG = "image/svg+xml"
WORDS_KEY = "svg_download"  # szhk_ui: the link's words (svg_download_en on English pages: english.ui_word)


class svg_download(nodes.Inline, nodes.Element):  # noqa: N801 (docutils node classes are lower case)
    """A link to the SVG image of the figure it sits in; `image_uri` is the image's path in the doctree,
    `download_name` the file name offered to the reader (the figure's id, e.g. fig-gii-ranks.svg), `words` the
    link's words in the page's language."""


def _svg_uri(image: nodes.image) -> str | None:
    candidates = image.get("candidates", {})
    if SVG in candidates:
        return candidates[SVG]
    uri = image.get("uri", "")
    return uri if uri.lower().endswith(".svg") else None


def add_links(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Put an svg_download node at the end of each SVG figure's caption (web builders only)."""
    if app.builder.format != "html":
        return
    english, words = is_english(app, docname), ""
    for figure in doctree.findall(nodes.figure):
        image = next(iter(figure.findall(nodes.image)), None)
        uri = _svg_uri(image) if image is not None else None
        captions = [c for c in figure.children if isinstance(c, nodes.caption)]
        if uri is None or any(True for _ in figure.findall(svg_download)):
            continue
        if not captions:  # a figure without a caption (the briefing's chart): the link goes in a legend
            captions = [nodes.paragraph()]
            figure += nodes.legend("", captions[0])
        words = words or ui_word(app.config, WORDS_KEY, english, docname)  # asked for only where a figure needs it
        name = (figure.get("ids") or [posixpath.splitext(posixpath.basename(uri))[0]])[0]
        # No space before it: a space between Chinese characters shows as a gap (the theme draws a download icon).
        captions[0] += svg_download("", image_uri=uri, download_name=f"{name}.svg", words=words)


def visit_svg_download_html(self: SphinxTranslator, node: svg_download) -> None:
    images = self.builder.images  # source path → file name in _images/, filled before the page is written
    name = images.get(node["image_uri"])
    if name is None:
        raise nodes.SkipNode  # not an image this page shows (cannot happen for a figure that has its <img>)
    href = posixpath.join(self.builder.imgpath, quote(name))
    file_name = quote(node["download_name"])
    self.body.append(f'<a class="reference download svg-download" href="{href}" download="{file_name}">'
                     f'{html.escape(node["words"])}</a>')
    raise nodes.SkipNode


def skip(self: SphinxTranslator, node: svg_download) -> None:
    raise nodes.SkipNode


def setup(app: Sphinx) -> dict[str, Any]:
    if "szhk_ui" not in app.config:  # the words of the web controls (_config.yml); szhk_sphinx.web checks them
        app.add_config_value("szhk_ui", {}, "html", types=[dict])
    app.add_node(
        svg_download,
        html=(visit_svg_download_html, None),
        latex=(skip, None), text=(skip, None), man=(skip, None), texinfo=(skip, None),
    )
    app.connect("doctree-resolved", add_links)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
