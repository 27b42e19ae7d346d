"""A figure's Traditional drawings in the Hong Kong edition.

szhk.figures.publish (through szhk.hant in the kernel) adds to each figure's output a second set of drawings, its
labels converted and set in Noto Sans CJK HK: the desktop and phone SVGs (HANT_FIGURE) and the PDF (HANT_PDF). Only
the HK edition ranks these mime types first (szhk_sphinx.hant: the web the one, print the other); this renderer (an
entry point of the group myst_nb.mime_renderers, pyproject.toml) writes them as myst-nb writes any image: on the
web the two SVGs as one <picture> (szhk_sphinx.picture), in print the PDF.
"""
from __future__ import annotations

import json
from typing import Any

from docutils import nodes

from szhk_sphinx.hant import HANT_FIGURE, HANT_PDF, HK
from szhk_sphinx.picture import SVG, as_picture


class HantFigureRenderer:
    """myst-nb's MimeRenderPlugin for HANT_FIGURE (ranked by szhk_sphinx.hant, in the HK edition only)."""

    mime_priority_overrides: list[tuple[str, str, int | None]] = []

    @staticmethod
    def handle_mime(renderer: Any, data: Any, inline: bool) -> list[nodes.Element] | None:
        if data.mime_type not in (HANT_FIGURE, HANT_PDF) or inline:
            return None
        env = getattr(renderer.renderer, "sphinx_env", None)
        if env is None or env.config.szhk_edition != HK:
            return []  # myst-nb renders every output's mime types when it reads a page; the SC edition skips these
        from myst_nb.core.render import MimeData

        def image(mime: str, payload: str) -> nodes.Element:
            (node,) = renderer.render_image(MimeData(mime, payload, cell_metadata=data.cell_metadata,
                                                     output_metadata={}, line=data.line))
            return node

        if data.mime_type == HANT_PDF:  # print
            return [image("application/pdf", data.content)]
        content = data.content if isinstance(data.content, dict) else json.loads(data.content)
        images = [image(SVG, content[key]) for key in ("svg", "phone_svg") if content.get(key)]
        if not images:
            return []
        return as_picture(renderer, data, content, images)


__all__ = ["HANT_FIGURE", "HANT_PDF", "HantFigureRenderer"]
