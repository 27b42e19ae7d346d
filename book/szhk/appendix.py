"""The data appendix's opening table (数据与方法): for each dataset what it is, where its numbers come from, what
checking found (the verification marks present, not a second count) and its download. The field-by-field
dictionary is its own page (book/data-fields.md, szhk.data.appendix_resources_markdown)."""
from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

from . import data, markdown

__all__ = ["datasets_markdown"]


def _sources_cell(resource: dict) -> markdown.Markup:
    """How many sources of each kind the dataset's rows cite (the article itself first), e.g. "article; official 3, secondary 9", in the book's words."""
    sources = data.sources_of(resource)
    kinds = Counter(s.get("kind", "") for s in sources if s.get("kind") != "article")
    parts = ([data.labels("source_kind")["article"]] if any(s.get("kind") == "article" for s in sources) else []) + [
        f"{data.labels('source_kind').get(kind, kind)} {n}" for kind, n in kinds.items()]
    return markdown.text("；".join(parts) if parts else "—")


def _status_cell(name: str) -> markdown.Markup:
    """The verification marks the dataset's rows carry (一致、不一致 …), in the book's order; "—" when it has none."""
    frame = data.load(name)
    marks = set(frame["verification"].dropna()) if "verification" in frame.columns else set()
    present = [label for mark, label in data.labels("verification").items() if mark in marks]
    return markdown.text("、".join(present) if present else "—")


def datasets_markdown(page_dir: Path, headers: list[str]) -> str:
    """One row per dataset: its title (linking to its fields on the data dictionary page) and description, its
    sources, its status, its CSV. `headers` are the page's words."""
    rows = []
    for resource in data.package()["resources"]:
        name = resource["name"]
        what = markdown.Markup(markdown.link(resource.get("title") or name, f"data-{name}") + "：" +
                               markdown.text(resource.get("description", "")))
        csv = markdown.link(resource["path"], Path(os.path.relpath(data.data_dir() / resource["path"],
                                                                   page_dir)).as_posix())
        rows.append([what, _sources_cell(resource), _status_cell(name), csv])
    return markdown.list_table(headers, rows, widths=[52, 18, 14, 16])
