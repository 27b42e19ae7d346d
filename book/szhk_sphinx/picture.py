"""A web figure as one <picture>: the phone drawing on phone screens, the desktop drawing elsewhere.

szhk.figures.publish puts both SVGs in a figure's output under one mime type (PICTURE). myst-nb hands that output
to the renderer plugin below (an entry point of the group myst_nb.mime_renderers, pyproject.toml), which writes
each SVG as myst-nb writes any image and returns a `picture` node holding the two image nodes: Sphinx copies both
to _images/ like any image, and the HTML visitor writes

    <picture><source media="screen and (max-width: 576px)" srcset="_images/….svg"><img src="_images/….svg" alt="…"></picture>

No script: the browser picks the drawing. Print (LaTeX) never chooses this mime type and takes the PDF.
The alt text may name colours as {colour-hk} / {colour-mainland}; the words come with the output (from the house
style, szhk.figures.colour_words()), so no page types a colour word by hand. An unknown placeholder stops the build.
"""
from __future__ import annotations

import json
import posixpath
import re
from typing import Any
from urllib.parse import quote

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxTranslator

PICTURE = "application/vnd.szhk.picture+json"  # = szhk.figures.PICTURE_MIME (this side never imports szhk)
SVG = "image/svg+xml"
_PLACEHOLDER = re.compile(r"\{colour-([a-z]+)\}")


class picture(nodes.General, nodes.Element):  # noqa: N801 (docutils node classes are lower case)
    """The desktop image node, then (optionally) the phone image node; `media` is the phone's media query."""


def fill_colours(text: str, words: dict[str, str]) -> str:
    """{colour-hk} → 蓝色 (words from the figure's output); an unknown name is an error naming it."""
    def word(match: re.Match) -> str:
        if match[1] not in words:
            raise ValueError(f"alt text names the colour {{colour-{match[1]}}}; the house style has {sorted(words)}")
        return words[match[1]]
    return _PLACEHOLDER.sub(word, text)


class PictureRenderer:
    """myst-nb's MimeRenderPlugin for PICTURE: first choice on HTML builders, never on others."""

    mime_priority_overrides = [("html", PICTURE, -1), ("dirhtml", PICTURE, -1), ("singlehtml", PICTURE, -1)]

    @staticmethod
    def handle_mime(renderer: Any, data: Any, inline: bool) -> list[nodes.Element] | None:
        if data.mime_type != PICTURE or inline:
            return None
        from myst_nb.core.render import MimeData

        content = data.content if isinstance(data.content, dict) else json.loads(data.content)
        images = []
        for key in ("svg", "phone_svg"):
            if content.get(key):
                (image,) = renderer.render_image(MimeData(SVG, content[key], cell_metadata=data.cell_metadata,
                                                          output_metadata={}, line=data.line))
                images.append(image)
        return as_picture(renderer, data, content, images)


def as_picture(renderer: Any, data: Any, content: dict[str, Any], images: list[nodes.Element]) -> list[nodes.Element]:
    """The rendered drawings of one figure (desktop, then phone) with the figure's alt text, its colour words filled
    in; two become one <picture> (the phone drawing for narrow screens)."""
    alt = content.get("alt") or images[0].get("alt", "")
    try:
        alt = fill_colours(alt, content.get("colour_words") or {})
    except ValueError as exc:
        renderer.logger.warning(str(exc), subtype="szhk_picture", line=data.line)
    for image in images:
        image["alt"] = alt
    if len(images) == 1:
        return images
    return [picture("", *images, media=content.get("phone_media", "screen and (max-width: 576px)"))]


def visit_picture_html(self: SphinxTranslator, node: picture) -> None:
    desktop, phone = node.children
    name = self.builder.images.get(phone["uri"])
    if name is None:
        raise nodes.SkipNode  # cannot happen: Sphinx copies every image node of the page
    srcset = posixpath.join(self.builder.imgpath, quote(name))
    self.body.append(f'<picture><source media="{self.attval(node["media"])}" srcset="{srcset}">')
    desktop.walkabout(self)
    self.body.append("</picture>")
    raise nodes.SkipNode


def visit_picture_other(self: SphinxTranslator, node: picture) -> None:
    node.children[0].walkabout(self)  # any other builder: the desktop drawing alone
    raise nodes.SkipNode


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_node(picture, html=(visit_picture_html, None), latex=(visit_picture_other, None),
                 text=(visit_picture_other, None))
    return {"parallel_read_safe": True, "parallel_write_safe": True}
