"""Re-execution when data changes, without building: the guard cell szhk_sphinx.reexecution injects, the
fingerprint it keys pages on, and the kernel side's checks (szhk.deps) of what a chapter loads.

The builds themselves (what re-executes after an edit, a mid-build edit) are in test_edited_build.py.
"""
from __future__ import annotations

import csv
import json
import os
import re
import shutil
import sys
from pathlib import Path

import pytest
from conftest import DATA, ROOT, TOOLS, read_csv, set_cells

import szhk_sphinx.reexecution as reexecution
from szhk import data, deps

sys.path.insert(0, str(TOOLS))
import yearly  # noqa: E402  (tools/yearly.py)

CHAPTER = "book/01-background.md"


def test_guard_cell_is_injected_without_moving_any_line() -> None:
    text = (ROOT / CHAPTER).read_text(encoding="utf-8")
    injected = reexecution.inject(text, CHAPTER, ROOT)
    original, new = text.splitlines(), injected.splitlines()
    end = next(i for i in range(1, len(original)) if original[i].strip() == "---")
    assert new[end + 1: len(original)] == original[end + 1:], "lines after the front matter moved"
    guard = "\n".join(new[: end + 1])
    assert ":tags: [remove-cell]" in guard
    match = re.search(rf'szhk\.deps\.expect\("{CHAPTER}", (\[.*?\]), (\{{.*\}})\)', guard)
    assert match, guard
    names, digests = json.loads(match.group(1)), json.loads(match.group(2))
    assert names == reexecution.declared(text)
    assert set(digests) >= set(names) | {"_code"} and all(re.fullmatch(r"[0-9a-f]{64}", d) for d in digests.values())
    assert digests["_code"] == reexecution.tree_digest(ROOT / "book" / "szhk")
    assert "szhk.deps.check_all_used()" in new[-4:]
    assert reexecution.front_matter(injected) == reexecution.front_matter(text)  # same notebook metadata


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
    resources = {r["name"]: r for r in descriptor["resources"]}
    paths = {n: data_copy / r["path"] for n, r in resources.items()}
    others = [n for n in paths if n not in reexecution._with_referenced({name}, resources)]

    def fingerprint() -> str:
        return reexecution.fingerprint([name], ROOT, executes=True)

    before = fingerprint()
    os.utime(paths[name], (1, 1))  # an old mtime, same bytes
    assert fingerprint() == before
    paths[others[0]].write_text(paths[others[0]].read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert fingerprint() == before, f"{others[0]} is not a dependency of {name}"
    paths[name].write_bytes(paths[name].read_bytes().replace(b"\n", b"\r\n", 1))
    after = fingerprint()
    assert after != before
    # the registry it cites: its rows that the resource's rows cite count, the others do not
    fk = next(fk for fk in resources[name]["schema"]["foreignKeys"] if fk["reference"]["resource"] == target)
    column, key = fk["fields"][0], fk["reference"]["fields"][0]
    cited = next(r[column] for r in read_csv(paths[name]) if r[column])
    rows = read_csv(paths[target])
    with paths[target].open("a", encoding="utf-8", newline="") as handle:
        csv.DictWriter(handle, list(rows[0]), lineterminator="\n").writerow({key: "not-cited-by-anyone"})
    assert fingerprint() == after, f"a row of {target} that no row of {name} cites counted"
    set_cells(paths[target], {key: cited}, **{list(rows[0])[-1]: "（测试：改动）"})
    assert fingerprint() != after, f"{name} cites {cited} of {target}: its edits must count"


def test_a_page_about_the_whole_package_follows_every_resource_and_the_descriptor(data_copy: Path) -> None:
    before = reexecution.fingerprint(reexecution.ALL, ROOT, executes=True)
    package = data_copy / "datapackage.json"
    descriptor = json.loads(package.read_text(encoding="utf-8"))
    descriptor["resources"][0]["description"] += "（改）"
    package.write_text(json.dumps(descriptor, ensure_ascii=False), encoding="utf-8")
    assert reexecution.fingerprint(reexecution.ALL, ROOT, executes=True) != before


def test_each_csv_is_parsed_at_most_once_and_a_page_of_all_parses_none(monkeypatch: pytest.MonkeyPatch) -> None:
    parsed: list[str] = []
    real = reexecution._csv_rows
    monkeypatch.setattr(reexecution, "_csv_rows", lambda path: parsed.append(path.name) or real(path))
    reexecution.resource_digests(reexecution.ALL, reexecution.data_dir(ROOT))
    assert parsed == [], "a page declaring `all` counts whole files: no CSV needs parsing"
    text = (ROOT / "book" / "claims.md").read_text(encoding="utf-8")
    reexecution.resource_digests(reexecution.declared(text), reexecution.data_dir(ROOT), through_claims=True)
    assert parsed and len(parsed) == len(set(parsed)), f"a CSV parsed twice: {parsed}"


def test_readers_are_the_chapters_that_declare_a_resource() -> None:
    readers = reexecution.readers(ROOT / "book")
    assert "02-hk-innovation" in readers["gii_ranks"]
    assert "06-recommendations" not in readers["gii_ranks"]
    assert all(stem != "data-appendix" for stems in readers.values() for stem in stems)  # `data: all` is apart


def test_a_bad_declaration_is_named() -> None:
    with pytest.raises(reexecution.DependencyError, match="book/x.md: front matter `data:` must be a list"):
        reexecution.declared("---\ndata: {a: 1}\n---\n", "book/x.md")


@pytest.fixture()
def in_chapter():
    """Run as if inside CHAPTER's kernel after its guard cell, with the given declaration."""

    def start(names: list[str]) -> None:
        deps.expect(CHAPTER, names, reexecution.resource_digests(names, reexecution.data_dir(ROOT)))

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


def test_a_csv_changed_after_the_guard_cell_fails_the_chapter(in_chapter, data_copy: Path) -> None:
    """What keeps a mid-build edit out of the cache: the kernel refuses bytes other than the cache key's."""
    in_chapter(["gii_ranks"])
    path = data_copy / "gii_ranks.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(",16,16,", ",15,15,", 1), encoding="utf-8")
    with pytest.raises(deps.DataChangedError, match=rf"{CHAPTER}: data resource 'gii_ranks' \(gii_ranks.csv\) changed"):
        data.load("gii_ranks")


def test_tree_digest_follows_content_not_location(tmp_path: Path) -> None:
    first, second = tmp_path / "a" / "data", tmp_path / "b" / "data"
    shutil.copytree(DATA, first)
    shutil.copytree(DATA, second)
    assert reexecution.tree_digest(first) == reexecution.tree_digest(second) == reexecution.tree_digest(DATA)
    (second / ".editor-backup").write_text("ignored", encoding="utf-8")
    assert reexecution.tree_digest(second) == reexecution.tree_digest(first)
    csv = second / "gii_ranks.csv"
    csv.write_text(csv.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert reexecution.tree_digest(second) != reexecution.tree_digest(first)


# ----------------------------------------------------------------------------------------------------------------
# What one new edition of one series re-executes (counted by cache key, without building; make bench counts the
# notebooks a real build executes)
# ----------------------------------------------------------------------------------------------------------------
NEW_SOURCE = "reexecution-test-gii"


def guard_cells(project: Path) -> dict[str, list[str]]:
    """Every notebook's hidden first cell: jupyter-cache keys a notebook by its code cells, and this is the only
    one that depends on the data, so a notebook re-executes exactly when its guard cell changes."""
    cells = {}
    for path in sorted((project / "book").glob("*.md")):
        text = path.read_text(encoding="utf-8")
        if reexecution.is_notebook(text):
            cells[path.stem] = reexecution.guard_cell(f"book/{path.name}", text, project)
    return cells


def add_gii_edition(data_dir: Path) -> int:
    """One new GII edition as data/README.md says (tools/yearly.py): a source in sources.csv (references.bib is read
    by no kernel) and one row per economy citing it. Returns the new year."""
    year = yearly.next_year(data_dir / "gii_ranks.csv", "year", NEW_SOURCE)
    header, _ = yearly.read_rows(data_dir / "sources.csv")
    yearly.append_rows(data_dir / "sources.csv", header,
                       [{"source_id": NEW_SOURCE, "kind": "official", "note": "测试：新版次的来源。"}])
    return year


def test_one_new_gii_edition_re_executes_only_the_pages_that_read_the_gii_series(data_copy: Path) -> None:
    before = guard_cells(ROOT)
    add_gii_edition(data_copy)
    after = guard_cells(ROOT)
    rerun = sorted(stem for stem in before if before[stem] != after[stem])
    readers = set(reexecution.readers(ROOT / "book").get("gii_ranks", [])) | {
        stem for stem in before if reexecution.declared((ROOT / "book" / f"{stem}.md").read_text(encoding="utf-8"))
        == reexecution.ALL}
    assert len(before) >= 10, before.keys()
    # its chapters (01, 02), the two briefings, the English page, and the two pages about all the data
    assert len(rerun) <= 7, f"one new GII edition re-executes {len(rerun)} of {len(before)} notebooks: {rerun}"
    assert set(rerun) <= readers, f"pages that do not read the GII series re-execute: {set(rerun) - readers}"
    assert "02-hk-innovation" in rerun, "the chapter with the GII figure and 表 1 续 must re-execute"


def test_a_page_reading_datasets_through_the_claims_register_follows_the_rows_claims_name(data_copy: Path) -> None:
    text = (ROOT / "book" / "claims.md").read_text(encoding="utf-8")
    assert reexecution.through_claims(text)
    before = reexecution.guard_cell("book/claims.md", text, ROOT)
    set_cells(data_copy / "gii_ranks.csv", {"year": "2017", "economy_code": "HKG"}, note="（测试：说明改动）")
    assert reexecution.guard_cell("book/claims.md", text, ROOT) != before, "a row claims.csv names changed"


def test_a_source_counts_for_the_pages_whose_rows_cite_it(data_copy: Path) -> None:
    text = (ROOT / "book" / "02-hk-innovation.md").read_text(encoding="utf-8")
    before = reexecution.guard_cell("book/02-hk-innovation.md", text, ROOT)
    cited = read_csv(data_copy / "gii_ranks.csv")[0]["published_source"]
    set_cells(data_copy / "sources.csv", {"source_id": cited}, note="（测试：核对说明改动）")
    assert reexecution.guard_cell("book/02-hk-innovation.md", text, ROOT) != before
