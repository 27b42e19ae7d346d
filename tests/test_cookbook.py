"""The cookbook in data/README.md (新增一个数据集和一幅图), followed literally: its code blocks marked `cookbook=` are
applied to a copy of the project, so the cookbook cannot drift from the code.

Fast here: the blocks are found, applied to a copy of data/ and the package validated. The build of a copy that
follows it (with the yearly update: one maintainer's year) is test_yearly_update's, which also checks the new figure
on the built page (web and PDF).
"""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import yaml
from conftest import DATA, ROOT

README = DATA / "README.md"
_BLOCK = re.compile(r"^(?P<indent> *)(?P<fence>`{3,})\w+ cookbook=(?P<target>\S+)\n(?P<body>.*?)^(?P=indent)(?P=fence)$",
                    re.M | re.S)
FIGURE_ID = "fig-hk-startup-employees"  # the cookbook's figure (asserted to be in its blocks)


def blocks(readme: Path = README) -> dict[str, str]:
    """target → the block's text, dedented, for every `cookbook=` block of the README."""
    found = {}
    for match in _BLOCK.finditer(readme.read_text(encoding="utf-8")):
        indent = len(match["indent"])
        found[match["target"]] = "".join(line[indent:] if line[:indent].isspace() else line
                                          for line in match["body"].splitlines(keepends=True))
    return found


def follow(project: Path, readme: Path = README) -> dict[str, str]:
    """Apply the cookbook's blocks to `project` (a copy with data/ and book/); returns the blocks."""
    steps = blocks(readme)
    for target, text in steps.items():
        path, _, part = target.partition("#")
        if path == "datapackage.json":
            package_path = project / "data" / "datapackage.json"
            package = json.loads(package_path.read_text(encoding="utf-8"))
            if part == "resources":
                package["resources"].append(json.loads(text))
            else:
                package.setdefault(part, {}).update(json.loads(text))
            package_path.write_text(json.dumps(package, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        elif part == "data":  # a name added to a chapter's `data:` front matter
            chapter = project / path
            source = chapter.read_text(encoding="utf-8")
            line = re.search(r"^data: \[(.*)\]", source, re.M)
            assert line, f"{path}: no `data: [...]` line in its front matter"
            names = [n.strip() for n in line[1].split(",")] + [text.strip()]
            chapter.write_text(source.replace(line[0], f"data: [{', '.join(names)}]", 1), encoding="utf-8")
        elif path.endswith(".md"):  # cells and the figure, before the chapter's footnote definitions
            chapter = project / path
            source = chapter.read_text(encoding="utf-8")
            notes = re.search(r"^\[\^[^\]]+\]:", source, re.M)
            at = notes.start() if notes else len(source)
            chapter.write_text(source[:at] + "\n" + text + "\n" + source[at:], encoding="utf-8")
        else:
            (project / path).write_text(text, encoding="utf-8")
    return steps


def test_the_cookbook_has_every_step() -> None:
    steps = blocks()
    assert set(steps) == {"data/hk_startup_employees.csv", "datapackage.json#resources", "datapackage.json#figures",
                          "book/02-hk-innovation.md#data", "book/02-hk-innovation.md"}, steps.keys()
    resource = json.loads(steps["datapackage.json#resources"])
    assert "used_in" not in resource, "the cookbook must not teach used_in (derived from the chapters' data:)"
    assert FIGURE_ID in steps["datapackage.json#figures"] and FIGURE_ID in steps["book/02-hk-innovation.md"]
    cell = steps["book/02-hk-innovation.md"]
    assert ":alt:" in cell and "{download}" in cell and "title_and_source" in cell and "figures.publish" in cell
    assert "数据来源：" in cell and "{cite}" in cell and "{numref}" in cell, "the caption and text conventions"
    assert not re.search(r"#[0-9A-Fa-f]{6}\b|color=", cell), "colours come from the house style, never written by hand"


def test_the_cookbook_dataset_validates_on_a_copy(tmp_path: Path, monkeypatch) -> None:
    from szhk import data, deps

    project = tmp_path / "project"
    shutil.copytree(DATA, project / "data")
    (project / "book").mkdir()
    shutil.copy2(ROOT / "book" / "02-hk-innovation.md", project / "book")
    follow(project)
    monkeypatch.setenv(deps.DATA_DIR_ENV, str(project / "data"))
    monkeypatch.setattr(data, "_frames", {})
    deps.reset()
    assert data.validate_all() == []
    frame = data.load("hk_startup_employees")
    assert len(frame) >= 2 and data.figure_unit(FIGURE_ID) == "人"
    front = yaml.safe_load((project / "book" / "02-hk-innovation.md").read_text(encoding="utf-8").split("---")[1])
    assert "hk_startup_employees" in front["data"]
