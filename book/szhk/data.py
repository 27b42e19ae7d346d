"""The report's data: every table in data/, validated against data/datapackage.json before anyone uses it.

    from szhk.data import load
    gii = load("gii_ranks")          # a pandas DataFrame; raises DataValidationError on bad data

Validation is done by the Frictionless library from what data/datapackage.json declares (szhk.validation, which
also turns the first error into one message naming the file, the row, the column and the rule). In a build,
`python -m szhk.data` validates every file once before the chapters run and caches the typed frames (szhk.cache):
``load`` then reads the cached frame for exactly those bytes.

The data directory is the repository's data/ unless the environment variable SZHK_DATA_DIR names another one.

Nothing derived from the CSVs is stored in datapackage.json (no hash, byte count or source list to keep in step):
a resource's sources are read from its rows (``sources_of``) whenever a page shows them.
"""
from __future__ import annotations

import argparse
import copy
import hashlib
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from . import cache, deps
from .deps import DATA_DIR_ENV, data_dir
from .descriptor import (
    PACKAGE_FILE, DataValidationError, bibliography_keys, figure_unit, package, read_descriptor,
    resource_descriptor, resource_names, shared_descriptor, sources_of,
)

__all__ = [
    "DATA_DIR_ENV",
    "DataValidationError",
    "LoadedResource",
    "PACKAGE_FILE",
    "bibliography_keys",
    "data_dir",
    "figure_unit",
    "key_figures",
    "labels",
    "load",
    "loaded_resources",
    "milestones",
    "package",
    "resource_names",
    "sources_of",
    "stated_counts",
    "validate_all",
]

# ----------------------------------------------------------------------------------------------------------------
# Loading
# ----------------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class LoadedResource:
    """What a process read: the resource's name, its file and the SHA-256 of the bytes it validated."""

    name: str
    path: Path
    sha256: str


_loaded: dict[str, LoadedResource] = {}
_frames: dict[tuple[str, str], pd.DataFrame] = {}


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def loaded_resources() -> dict[str, LoadedResource]:
    """Resources this process has loaded (name -> file and content hash), in the order first loaded."""
    return dict(_loaded)


def _validated(name: str, directory: Path, descriptor: dict[str, Any], key: str) -> pd.DataFrame:
    """Resource `name` as a typed frame: the build's cached copy when exactly these bytes were validated before
    (`key`: szhk.cache's digest of everything validation reads), else validated now with Frictionless and cached."""
    frame = cache.read(key)
    if frame is None:
        from . import validation  # Frictionless is imported only when a file must be validated

        frame = validation.validated_frame(name, directory, descriptor)
        if cache.validation_key(name, descriptor, directory) == key:  # nothing changed while validating
            cache.write(key, frame)
    return frame


def load(name: str) -> pd.DataFrame:
    """The resource `name` of the data package as a DataFrame, after Frictionless has validated it.

    Raises DataValidationError (naming file, row, column and rule) when the data breaks the package's rules.
    The frame's ``attrs`` carry the resource's title, path and sources.
    """
    deps.check_declared(name)  # a chapter may load only the resources its front matter declares

    directory = data_dir()
    descriptor = shared_descriptor(directory)  # only looked at here; validation is given its own copy
    resource = resource_descriptor(descriptor, name, directory)
    rel = str(resource.get("path", ""))
    path = directory / rel
    if path.is_file():  # a chapter's outputs must come from the data its cache key was made from
        deps.check_read(name, resource, path.read_bytes())
    key = cache.validation_key(name, descriptor, directory)
    frame = _frames.get((str(path), key))
    if frame is None:
        frame = _validated(name, directory, read_descriptor(directory), key)
        frame.attrs.update(
            resource=name, title=resource.get("title", name), path=str(path),
            sources=sources_of(resource, directory), sha256=_sha256(path),
        )
        _frames[(str(path), key)] = frame
    _loaded.setdefault(name, LoadedResource(name, path, frame.attrs["sha256"]))
    result = frame.copy()
    result.attrs = copy.deepcopy(frame.attrs)
    return result


def validate_all() -> list[DataValidationError]:
    """Validate every resource; also report listed resources whose file is missing and CSVs nobody lists.

    Returns the problems (one per file), empty when the package is sound.
    """
    directory = data_dir()
    descriptor = read_descriptor(directory)
    problems: list[DataValidationError] = []
    listed: set[Path] = set()
    for resource in descriptor["resources"]:
        name = resource.get("name", "")
        listed.add((directory / str(resource.get("path", ""))).resolve())
        try:
            # cached in a build, so the chapters' kernels need not validate again
            _validated(name, directory, descriptor, cache.validation_key(name, descriptor, directory))
        except DataValidationError as error:
            problems.append(error)
    if not problems:  # the later-year values' quotes and aggregator marks (szhk.provenance), once the files are sound
        from . import provenance

        problems.extend(provenance.problems(directory, descriptor))
    for csv_path in sorted(directory.glob("*.csv")):
        if csv_path.resolve() not in listed:
            problems.append(DataValidationError(
                csv_path, "—", "—", "data/ 中的每个 CSV 都必须在 datapackage.json 中列出（含字段、来源与约束）",
                "datapackage.json 没有列出这个文件：请为它添加一个资源，或把它移出 data/",
            ))
    return problems


def require_valid_package() -> None:
    """Raise the first problem validate_all finds (with the count of the others)."""
    problems = validate_all()
    if problems:
        first = problems[0]
        raise DataValidationError(first.file, first.row, first.column, first.rule, first.problem,
                                  first.more + len(problems) - 1)


# Tables several chapters read the same way: one name each, so a chapter says which table, not how to index it
def key_figures() -> pd.DataFrame:
    """The article's single numbers (key_figures.csv), one row per ``figure_id``."""
    return load("key_figures").set_index("figure_id")


def milestones() -> pd.DataFrame:
    """The dated events (milestones.csv), one row per ``event_code``."""
    return load("milestones").set_index("event_code")


def labels(group: str) -> dict[str, str]:
    """How the book names the codes of one `group` (data/labels.csv: verification marks, source kinds, field
    formats, the register's columns): code -> its Chinese name, in the file's order. Data like any other: a page
    writes it through `szhk.markdown`."""
    frame = load("labels")
    return dict(zip(frame.loc[frame["group"] == group, "code"], frame.loc[frame["group"] == group, "label_zh"]))


def stated_counts() -> pd.Series:
    """The count the article states for each list it gives ("八大方向" → 8), by ``list_code``."""
    return load("article_lists").groupby("list_code")["stated_count"].first()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m szhk.data", description="校验 data/ 的全部资源（也报告未列出的 CSV 与缺失的文件）")
    parser.parse_args(argv)
    try:
        problems = validate_all()
    except DataValidationError as error:  # e.g. a broken datapackage.json: the message, not a traceback
        print(error, file=sys.stderr)
        return 1
    for problem in problems:
        print(problem, file=sys.stderr)
    if not problems:
        print(f"数据包有效：{len(package()['resources'])} 个资源。")
    return 1 if problems else 0


if __name__ == "__main__":
    from szhk import data  # the package's own module: `python -m` runs a second copy, with its own error class

    sys.exit(data.main())
