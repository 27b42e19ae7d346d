"""Kernel side of each chapter's data declaration: where the project is, which resources a chapter may read,
and a check that what it reads is what its cache key promised.

The Sphinx extension (szhk_sphinx.reexecution) injects a hidden first cell into every chapter::

    import szhk.deps; szhk.deps.expect("book/02-hk-innovation.md", ["gii_ranks", …], {"gii_ranks": "<sha256>", …})

The digests sit in a code cell, so jupyter-cache's key (it hashes code cells) changes exactly when a resource
the chapter reads changes. `szhk.data.load` calls `check_read` with the bytes it is about to parse: if they are
not the bytes the digest was made from (a CSV edited while the book was building), the cell fails and the
build with it — a notebook is never cached under another data version's key.
"""
from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

ROOT_ENV = "SZHK_ROOT"  # the project folder; tools/build.py sets it for the kernels it starts
DATA_DIR_ENV = "SZHK_DATA_DIR"  # the data folder; tools/build.py points it at its snapshot of data/
ALL = "all"
FRONT_MATTER_KEY = "data"


def root() -> Path:
    """The project folder: SZHK_ROOT, else the folder the package was installed from (pip install -e .)."""
    override = os.environ.get(ROOT_ENV)
    return Path(override).resolve() if override else Path(__file__).resolve().parents[2]


def data_dir() -> Path:
    """The folder holding datapackage.json and the CSVs (SZHK_DATA_DIR, else the project's data/)."""
    override = os.environ.get(DATA_DIR_ENV)
    return Path(override).resolve() if override else root() / "data"


def resource_digest(resource: Mapping[str, Any], content: bytes) -> str:
    """SHA-256 of a resource: its descriptor (as data) and its file's bytes. szhk_sphinx.reexecution computes
    the same for the guard cell; tests check that the two agree."""
    described = json.dumps(resource, sort_keys=True, ensure_ascii=False).encode()
    return hashlib.sha256(described + b"\0" + content).hexdigest()


class DependencyError(Exception):
    """A chapter's data declaration does not match the data package or what its code loads."""


class DataChangedError(DependencyError):
    """A data file changed after the build fingerprinted it: the outputs would belong to other data."""


_chapter: str | None = None
_declared: frozenset[str] | str | None = None
_digests: dict[str, str] = {}
_used: set[str] = set()


def expect(chapter: str, names: Iterable[str] | str, digests: Mapping[str, str]) -> None:
    """Start of a chapter: only `names` may be loaded, each with the content `digests` records."""
    global _chapter, _declared
    _chapter = chapter
    _declared = ALL if names == ALL else frozenset(names)
    _digests.clear()
    _digests.update(digests)
    _used.clear()


def reset() -> None:
    """Forget the running chapter's declaration (tests; a kernel runs one chapter and exits)."""
    global _chapter, _declared
    _chapter, _declared = None, None
    _digests.clear()
    _used.clear()


def check_declared(name: str) -> None:
    """Called by the loader before it reads `name`: refuse a resource the running chapter did not declare."""
    if _declared is None:  # not inside a chapter (tests, scripts): no declaration to enforce
        return
    if _declared != ALL and name not in _declared:
        raise DependencyError(
            f"{_chapter} loads data resource {name!r} but does not declare it: add it to the chapter's front "
            f"matter, e.g. `{FRONT_MATTER_KEY}: [{', '.join(sorted(set(_declared) | {name}))}]`"
        )
    _used.add(name)


def check_read(name: str, resource: Mapping[str, Any], content: bytes) -> None:
    """Called by the loader with the bytes it read: they must be those the chapter's cache key was made from."""
    expected = _digests.get(name)
    if expected is not None and resource_digest(resource, content) != expected:
        raise DataChangedError(
            f"{_chapter}: data resource {name!r} ({resource.get('path')}) changed while the book was being built; "
            "build again (make build)"
        )


def check_all_used() -> None:
    """End of a chapter: every declared resource was loaded (a stale declaration would re-execute it needlessly)."""
    if _declared is None or _declared == ALL:
        return
    unused = sorted(set(_declared) - _used)
    if unused:
        raise DependencyError(
            f"{_chapter} declares data resource(s) {', '.join(unused)} in its front matter `{FRONT_MATTER_KEY}:` "
            f"but never loads them: remove them from the declaration"
        )
