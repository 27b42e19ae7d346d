"""Re-execution when data changes, and atomic builds (szhk.deps, szhk.build).

The build tests work on a temporary copy of the project, with a small synthetic chapter and CSV added so that the
mechanism is exercised whatever the real chapters read; the real chapters' declarations are checked too. The
copy starts from the real project's caches (_build/.work, made by `make build`) when they exist: cache entries are
keyed by content, so this only saves time.
"""
from __future__ import annotations

import csv
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from conftest import ROOT, copy_project, jupyter_book

from szhk import data, deps

PROBE_CSV = "key,value\na,41\n"
PROBE_RESOURCE = {
    "name": "zz_probe",
    "path": "zz_probe.csv",
    "title": "重建测试数据",
    "profile": "tabular-data-resource",
    "format": "csv",
    "mediatype": "text/csv",
    "encoding": "utf-8",
    "schema": {
        "fields": [
            {"name": "key", "type": "string", "constraints": {"required": True}},
            {"name": "value", "type": "integer", "constraints": {"required": True, "minimum": 0}},
        ],
        "primaryKey": ["key"],
    },
}
PROBE_CHAPTER = """---
jupytext:
  text_representation:
    extension: .md
    format_name: myst
    format_version: 0.13
kernelspec:
  display_name: Python 3
  language: python
  name: python3
data: [zz_probe]
---

(zz-probe)=
# 重建探针

```{code-cell} ipython3
:tags: [remove-cell]
import matplotlib.pyplot as plt
from myst_nb import glue
from szhk import figures
from szhk.data import load

figures.use_house_style()
value = int(load("zz_probe")["value"].iloc[0])
glue("zz_probe_value", value, display=False)
fig, ax = plt.subplots(figsize=(3, 2))
ax.bar(["探针"], [value])
ax.set_ylabel("数值（个）")
figures.publish("fig-zz-probe", fig)
```

探针数值为 {glue:text}`zz_probe_value` 个。

:::{glue:figure} fig-zz-probe
:name: fig-zz-probe
:alt: 柱状图：探针数值。
探针数值。数据来源：测试数据。
:::
"""


# ----------------------------------------------------------------------------------------------------------------
# The mechanism, without building
# ----------------------------------------------------------------------------------------------------------------
CHAPTER = "book/01-background.md"


def test_guard_cell_is_injected_without_moving_any_line() -> None:
    text = (ROOT / CHAPTER).read_text(encoding="utf-8")
    injected = deps.inject(text, CHAPTER)
    original, new = text.splitlines(), injected.splitlines()
    end = next(i for i in range(1, len(original)) if original[i].strip() == "---")
    assert new[end + 1 : len(original)] == original[end + 1 :], "lines after the front matter moved"
    guard = "\n".join(new[: end + 1])
    assert ":tags: [remove-cell]" in guard
    assert f'szhk.deps.expect("{CHAPTER}", ' in guard
    assert re.search(r'fingerprint="[0-9a-f]{64}"', guard)
    assert "szhk.deps.check_all_used()" in new[-4:]
    assert deps.front_matter(injected) == deps.front_matter(text)  # same notebook metadata for myst-nb


@pytest.fixture()
def data_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    copy = shutil.copytree(ROOT / "data", tmp_path / "data")
    monkeypatch.setenv(deps.DATA_DIR_ENV, str(copy))
    return copy


def _resource_with_foreign_key(descriptor: dict) -> tuple[str, str]:
    for resource in descriptor["resources"]:
        for fk in resource.get("schema", {}).get("foreignKeys", []):
            target = fk["reference"].get("resource")
            if target:
                return resource["name"], target
    raise AssertionError("no resource of data/datapackage.json has a foreign key to another resource")


def test_fingerprint_follows_content_not_modification_time(data_copy: Path) -> None:
    descriptor = json.loads((data_copy / "datapackage.json").read_text(encoding="utf-8"))
    name, target = _resource_with_foreign_key(descriptor)
    paths = {r["name"]: data_copy / r["path"] for r in descriptor["resources"]}
    others = [n for n in paths if n not in deps._with_referenced({name}, {r["name"]: r for r in descriptor["resources"]})]
    before = deps.fingerprint([name])
    os.utime(paths[name], (1, 1))  # an old mtime, same bytes
    assert deps.fingerprint([name]) == before
    paths[others[0]].write_text(paths[others[0]].read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert deps.fingerprint([name]) == before, f"{others[0]} is not a dependency of {name}"
    paths[name].write_bytes(paths[name].read_bytes().replace(b"\n", b"\r\n", 1))
    after = deps.fingerprint([name])
    assert after != before
    paths[target].write_bytes(paths[target].read_bytes() + b"\n")
    assert deps.fingerprint([name]) != after, f"{name} is validated against {target}: its edits must count"


def test_fingerprint_of_a_chapter_covers_the_package_code_it_imports() -> None:
    files = {p.name for p in deps.kernel_code("from szhk import figures\nfrom szhk.data import load\n")}
    assert {"__init__.py", "deps.py", "figures.py", "data.py", "house.mplstyle"} <= files
    assert not {"build.py", "sphinx_ext.py"} & files  # Sphinx-side code: editing it re-executes nothing
    assert "figures.py" not in {p.name for p in deps.kernel_code("import szhk\n")}
    # Files a kernel-side module names count as its code (the citation keys decide how a claim names its source);
    # data files do not: they count per resource, as declared.
    assert deps._named_files('BIB_FILE = BOOK_DIR / "references.bib"') == {ROOT / "book" / "references.bib"}
    assert deps._named_files('PACKAGE = "data/datapackage.json"\nCSV = "data/gii_ranks.csv"') == frozenset()


def test_comments_and_docstrings_do_not_count_as_code() -> None:
    code = 'def share(x):\n    """Per cent."""\n    return 100 * x  # of the total\n'
    assert deps._code_meaning(code) == deps._code_meaning('def share(x):\n\n    return 100*x\n')
    assert deps._code_meaning(code) != deps._code_meaning('def share(x):\n    return 1000 * x\n')


@pytest.fixture()
def in_chapter():
    """Run as if inside CHAPTER's kernel after its guard cell, with the given declaration."""

    def start(names: list[str]) -> None:
        text = (ROOT / CHAPTER).read_text(encoding="utf-8")
        deps.expect(CHAPTER, names, fingerprint=deps.fingerprint(names, text))

    yield start
    deps.reset()


def test_loader_refuses_a_resource_the_chapter_does_not_declare(in_chapter) -> None:
    declared, other = data.resource_names()[:2]
    in_chapter([declared])
    data.load(declared)
    with pytest.raises(deps.DependencyError, match=rf"{CHAPTER} loads data resource '{other}' but does not declare"):
        data.load(other)


def test_a_declared_resource_the_chapter_never_loads_fails_it(in_chapter) -> None:
    first, second = data.resource_names()[:2]
    in_chapter([first, second])
    data.load(first)
    with pytest.raises(deps.DependencyError, match=rf"{CHAPTER} declares data resource\(s\) {second} .* never loads"):
        deps.check_all_used()


def test_a_stale_fingerprint_writes_to_stderr_which_fails_a_build(in_chapter, capsys) -> None:
    deps.expect(CHAPTER, [data.resource_names()[0]], fingerprint="0" * 64)
    assert "changed after this notebook was prepared" in capsys.readouterr().err
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    assert config["execute"]["stderr_output"] == "error"


def test_unknown_resource_in_front_matter_is_named() -> None:
    with pytest.raises(deps.DependencyError, match="names no_such_table, which data/datapackage.json does not list"):
        deps.expect(CHAPTER, ["no_such_table"], fingerprint="0" * 64)


# ----------------------------------------------------------------------------------------------------------------
# Builds on a copy: first, no-op, one CSV edited, a broken CSV
# ----------------------------------------------------------------------------------------------------------------
@dataclass
class Build:
    returncode: int
    output: str
    executed: list[str]


@dataclass
class Snapshot:
    sentence: str
    figure_sha256: str
    pdf_text: str
    tree_sha256: str


def _run_build(project: Path) -> Build:
    env = dict(os.environ, PYTHONPATH=str(project / "book"))
    env.pop(deps.DATA_DIR_ENV, None)
    process = subprocess.run(
        [sys.executable, "-m", "szhk.build"], cwd=project, env=env, capture_output=True, text=True, timeout=1800
    )
    output = process.stdout + process.stderr
    executed = sorted(set(re.findall(r"^\s+executed (\S+\.md)", process.stdout, flags=re.M)))
    return Build(process.returncode, output, executed)


def _tree_sha256(*roots: Path) -> str:
    h = hashlib.sha256()
    for root in roots:
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            h.update(str(path.relative_to(root.parent)).encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def _snapshot(project: Path) -> Snapshot:
    html_dir, pdf_dir = project / "_build" / "html", project / "_build" / "pdf"
    page = (html_dir / "book" / "zz-probe.html").read_text(encoding="utf-8")
    text = re.sub(r"<[^>]+>", "", page)
    sentence = re.search(r"探针数值为\s*\S+\s*个", text)
    figure = re.search(r'<img[^>]+src="([^"]+)"[^>]*alt="柱状图：探针数值。"', page) or re.search(
        r'<img[^>]+alt="柱状图：探针数值。"[^>]*src="([^"]+)"', page
    )
    assert sentence and figure, "the probe page lacks its glued sentence or its figure"
    pdf_text = subprocess.run(
        ["pdftotext", "-layout", str(pdf_dir / "szhk-report.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    figure_bytes = (html_dir / "book" / figure.group(1)).resolve().read_bytes()
    return Snapshot(
        re.sub(r"\s+", "", sentence.group(0)), hashlib.sha256(figure_bytes).hexdigest(), pdf_text,
        _tree_sha256(html_dir, pdf_dir),
    )


def _add_probe(project: Path) -> None:
    (project / "data" / "zz_probe.csv").write_text(PROBE_CSV, encoding="utf-8")
    package_path = project / "data" / "datapackage.json"
    descriptor = json.loads(package_path.read_text(encoding="utf-8"))
    descriptor["resources"].append(PROBE_RESOURCE)
    package_path.write_text(json.dumps(descriptor, ensure_ascii=False, indent=2), encoding="utf-8")
    (project / "book" / "zz-probe.md").write_text(PROBE_CHAPTER, encoding="utf-8")
    toc_path = project / "_toc.yml"
    toc = yaml.safe_load(toc_path.read_text(encoding="utf-8"))
    # A page that executes nothing but declares the data (as a page showing it through a directive would).
    (project / "book" / "zz-plain.md").write_text("---\ndata: [zz_probe]\n---\n\n# 无代码页面\n\n正文。\n", encoding="utf-8")
    toc["parts"].append({"caption": "测试", "chapters": [{"file": "book/zz-probe"}, {"file": "book/zz-plain"}]})
    toc_path.write_text(yaml.safe_dump(toc, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _warm_start(project: Path) -> None:
    """Start from the real project's caches (content-keyed, so they cannot make the copy stale)."""
    work = ROOT / "_build" / ".work"
    if work.is_dir():
        shutil.copytree(work, project / "_build" / ".work", ignore=shutil.ignore_patterns(".lock", "logs"))


REAL_RESOURCE, REAL_CHAPTER, REAL_FIGURE = "gii_ranks", "02-hk-innovation", "fig-gii-ranks"
REAL_ROW_LABEL = "全球创新指数（中国）"  # Table 1's row for China's GII ranks, one cell per year


def _edit_real_csv(project: Path) -> str:
    """China's 2021 GII rank + 1 (article and published value alike, so the row stays valid); returns Table 1's
    row for China as its text should read afterwards, e.g. 全球创新指数（中国）2217141413."""
    path = project / "data" / f"{REAL_RESOURCE}.csv"
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        fields, rows = reader.fieldnames, list(reader)
    (row,) = [r for r in rows if r["year"] == "2021" and r["economy_code"] == "CHN"]
    old = row["rank_article"]
    row["rank_article"] = str(int(old) + 1)
    if row["rank_published"] == old:
        row["rank_published"] = row["rank_article"]
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    china = sorted((r["year"], r["rank_article"]) for r in rows if r["economy_code"] == "CHN")
    return REAL_ROW_LABEL + "".join(rank for _, rank in china)


def _real_snapshot(project: Path) -> dict[str, str]:
    html_dir = project / "_build" / "html"
    page = (html_dir / "book" / f"{REAL_CHAPTER}.html").read_text(encoding="utf-8")
    figure = re.search(rf'id="{REAL_FIGURE}".*?<img[^>]*src="([^"]+)"', page, flags=re.S)
    assert figure, f"{REAL_CHAPTER}.html has no figure {REAL_FIGURE}"
    pdf_text = subprocess.run(
        ["pdftotext", str(project / "_build" / "pdf" / "szhk-report.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    return {
        "html": re.sub(r"\s+", "", re.sub(r"<[^>]+>", " ", page)),
        "figure": hashlib.sha256((html_dir / "book" / figure.group(1)).resolve().read_bytes()).hexdigest(),
        "pdf": re.sub(r"\s+", "", pdf_text),
    }


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    project = copy_project(tmp_path_factory.mktemp("rebuild") / "project")
    _warm_start(project)
    _add_probe(project)
    csv_path = project / "data" / "zz_probe.csv"
    result: dict[str, object] = {"project": project}

    first = _run_build(project)
    assert first.returncode == 0, f"first build of the copy failed:\n{first.output[-6000:]}"
    result["first"], result["first_snapshot"] = first, _snapshot(project)
    result["first_real"] = _real_snapshot(project)

    result["noop"] = _run_build(project)

    csv_path.write_text(PROBE_CSV.replace("a,41", "a,58"), encoding="utf-8")
    result["real_row"] = _edit_real_csv(project)
    edited = _run_build(project)
    assert edited.returncode == 0, f"build after editing two CSVs failed:\n{edited.output[-6000:]}"
    result["edited"], result["edited_snapshot"] = edited, _snapshot(project)
    result["edited_real"] = _real_snapshot(project)
    result["edited_log"] = (project / "_build" / ".work" / "logs" / "html.log").read_text(encoding="utf-8")

    csv_path.write_text(PROBE_CSV.replace("a,41", "a,五十八"), encoding="utf-8")
    result["broken"] = _run_build(project)
    result["broken_tree"] = _tree_sha256(project / "_build" / "html", project / "_build" / "pdf")
    csv_path.write_text(PROBE_CSV.replace("a,41", "a,58"), encoding="utf-8")
    return result


def test_first_build_publishes_the_value(builds) -> None:
    snapshot = builds["first_snapshot"]
    assert snapshot.sentence == "探针数值为41个"
    assert "探针数值为 41 个" in snapshot.pdf_text


def test_noop_rebuild_executes_no_notebook(builds) -> None:
    noop = builds["noop"]
    assert noop.returncode == 0, noop.output[-3000:]
    assert noop.executed == [], f"a rebuild with nothing changed executed {noop.executed}"
    assert "0 notebook(s) executed" in noop.output


def _readers(project: Path, *resources: str) -> set[str]:
    """Notebooks that must re-execute when these resources change: their readers, and pages with `data: all`."""
    declared = deps.readers(project / "book")
    readers = {f"book/{stem}.md" for name in resources for stem in declared.get(name, [])}
    whole_package = {
        path.relative_to(project).as_posix()
        for path in (project / "book").glob("*.md")
        if deps.declared(path.read_text(encoding="utf-8")) == deps.ALL
    }
    return {page for page in readers | whole_package if deps.is_notebook((project / page).read_text(encoding="utf-8"))}


def test_csv_edits_reexecute_exactly_their_readers(builds) -> None:
    project: Path = builds["project"]
    assert deps.readers(project / "book")["zz_probe"] == ["zz-plain", "zz-probe"]
    assert REAL_CHAPTER in deps.readers(project / "book").get(REAL_RESOURCE, []), f"{REAL_CHAPTER} reads {REAL_RESOURCE}"
    expected = _readers(project, "zz_probe", REAL_RESOURCE)
    assert set(builds["edited"].executed) == expected, "re-executed chapters differ from the two CSVs' readers"
    # The pages that show the data are refreshed too: the data appendix (data: all) and the claims register.
    assert {"book/data-appendix.md", "book/claims.md"} <= set(builds["edited"].executed)
    all_notebooks = {p.relative_to(project).as_posix() for p in (project / "book").glob("*.md")
                     if deps.is_notebook(p.read_text(encoding="utf-8"))}
    assert all_notebooks - expected, "every chapter reads these CSVs: the test cannot show that others were left alone"


def test_csv_edit_rereads_a_page_that_declares_the_data_without_code(builds) -> None:
    rereading = re.search(r"data or package code changed, re-reading: (.*)", builds["edited_log"])
    assert rereading and "book/zz-plain" in rereading.group(1).split(", ")


def test_csv_edit_reaches_sentence_figure_and_pdf(builds) -> None:
    before, after = builds["first_snapshot"], builds["edited_snapshot"]
    assert after.sentence == "探针数值为58个"
    assert after.figure_sha256 != before.figure_sha256, "the figure was not redrawn from the new value"
    assert "探针数值为 58 个" in after.pdf_text and "探针数值为 41 个" not in after.pdf_text


def test_real_chapter_edit_reaches_table_figure_and_pdf(builds) -> None:
    before, after, row = builds["first_real"], builds["edited_real"], builds["real_row"]
    assert row not in before["html"] and row in after["html"], f"{REAL_CHAPTER}: Table 1 does not read {row}"
    assert after["figure"] != before["figure"], f"{REAL_FIGURE} was not redrawn from the edited {REAL_RESOURCE}.csv"
    assert row not in before["pdf"] and row in after["pdf"], f"the book PDF's Table 1 does not read {row}"


def test_broken_csv_fails_the_build_and_keeps_the_published_output(builds) -> None:
    broken = builds["broken"]
    assert broken.returncode != 0, "a build with a non-integer in an integer column succeeded"
    assert "zz_probe.csv" in broken.output and "value" in broken.output, broken.output[-3000:]
    assert "保持不变" in broken.output
    assert builds["broken_tree"] == builds["edited_snapshot"].tree_sha256, "the published output changed"


def test_plain_jupyter_book_build_reexecutes_only_the_readers(builds) -> None:
    """The extension alone (no szhk.build): `jupyter-book build` re-executes what changed, nothing else."""
    project: Path = builds["project"]
    work = project / "_build" / ".work"
    (project / "data" / "zz_probe.csv").write_text(PROBE_CSV.replace("a,41", "a,63"), encoding="utf-8")
    edited = jupyter_book(project, "--path-output", str(work))
    assert edited.returncode == 0, (edited.stdout + edited.stderr)[-3000:]
    executing = re.findall(r"(\S+\.md): Executing notebook", edited.stdout + edited.stderr)
    assert {f"book/{Path(p).name}" for p in executing} == _readers(project, "zz_probe"), executing
    assert len(executing) == len(set(executing))
    page = (work / "_build" / "html" / "book" / "zz-probe.html").read_text(encoding="utf-8")
    assert re.search(r"探针数值为\s*(<[^>]+>\s*)*63", page)
    again = jupyter_book(project, "--path-output", str(work))
    assert again.returncode == 0 and "Executing notebook" not in again.stdout + again.stderr


def test_tree_digest_follows_content_not_location(tmp_path: Path) -> None:
    first, second = tmp_path / "a" / "data", tmp_path / "b" / "data"
    shutil.copytree(ROOT / "data", first)
    shutil.copytree(ROOT / "data", second)
    assert deps.tree_digest(first) == deps.tree_digest(second) == deps.tree_digest(ROOT / "data")
    (second / ".editor-backup").write_text("ignored", encoding="utf-8")
    assert deps.tree_digest(second) == deps.tree_digest(first)
    csv = second / "gii_ranks.csv"
    csv.write_text(csv.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert deps.tree_digest(second) != deps.tree_digest(first)
