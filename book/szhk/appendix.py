"""The data appendix's opening table (数据与方法): for each dataset what it is, where its numbers come from, what
checking found (the verification marks present, not a second count) and its download. Then the field-by-field
dictionary (szhk.data), folded away in a dropdown."""
from __future__ import annotations

import os
import re
from collections import Counter
from pathlib import Path

from . import data, markdown

__all__ = ["datasets_markdown", "dictionary_markdown"]


def _sources_cell(resource: dict) -> markdown.Markup:
    """How many sources of each kind the dataset's rows cite (the article itself first), e.g. "article; official 3, secondary 9", in the book's words."""
    sources = data.sources_of(resource)
    kinds = Counter(s.get("kind", "") for s in sources if s.get("kind") != "article")
    parts = ([data.labels("source_kind")["article"]] if any(s.get("kind") == "article" for s in sources) else []) + [
        f"{data.labels('source_kind').get(kind, kind)} {n}" for kind, n in kinds.items()]
    return markdown.text("、".join(parts) if parts else "—")


def _status_cell(name: str) -> markdown.Markup:
    """The verification marks the dataset's rows carry (一致、不一致 …), in the book's order; "—" when it has none."""
    frame = data.load(name)
    marks = set(frame["verification"].dropna()) if "verification" in frame.columns else set()
    present = [label for mark, label in data.labels("verification").items() if mark in marks]
    return markdown.text("、".join(present) if present else "—")


def datasets_markdown(page_dir: Path, headers: list[str], *, brief: bool = False) -> str:
    """Every dataset: its title (linking to its fields on the data dictionary page) and description, its sources,
    its status and its CSV, as a list (it reads on a phone). `brief` (paper): a table of title, sources and status.
    `headers` are the page's words: the dataset, the sources, the status (and, on the web, the download)."""
    resources = data.package()["resources"]
    if brief:
        rows = [[markdown.text(r.get("title") or r["name"]), _sources_cell(r), _status_cell(r["name"])]
                for r in resources]
        # longtable: on paper the table breaks across pages instead of running past the folio
        return markdown.list_table(headers, rows, widths=[50, 28, 22], css_class="longtable")
    items = []
    for resource in resources:
        name = resource["name"]
        csv = markdown.link(resource["path"], Path(os.path.relpath(data.data_dir() / resource["path"],
                                                                   page_dir)).as_posix())
        title = markdown.link(resource.get("title") or name, f"data-{name}")
        items.append(f"- **{title}**：{markdown.text(resource.get('description', ''))}\\\n"
                     f"  {markdown.text(headers[1])}：{_sources_cell(resource)}；"
                     f"{markdown.text(headers[2])}：{_status_cell(name)}；{markdown.text(headers[3])}：{csv}")
    return "\n".join(items) + "\n"


def dictionary_markdown(page_dir: Path) -> str:
    """The field-by-field dictionary (szhk.data) for a dropdown: each dataset's heading becomes a bold line under
    its label (a heading cannot stand inside a directive), so the whole dictionary folds away under one summary."""
    return re.sub(r"^#{2,4} (.+)$", r"**\1**", data.appendix_resources_markdown(page_dir), flags=re.MULTILINE)
