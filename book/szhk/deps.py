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

import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import szhk_names
from szhk_names import ALL, DATA_DIR_ENV, FRONT_MATTER_KEY, ROOT_ENV, resource_digest

__all__ = ["ALL", "DATA_DIR_ENV", "FRONT_MATTER_KEY", "ROOT_ENV", "resource_digest", "root", "data_dir", "expect",
           "readers", "reset", "check_declared", "check_read", "check_all_used"]


def root() -> Path:
    """The project folder: SZHK_ROOT, else the folder the package was installed from (pip install -e .)."""
    override = os.environ.get(ROOT_ENV)
    return Path(override).resolve() if override else Path(__file__).resolve().parents[2]


def data_dir() -> Path:
    """The folder holding datapackage.json and the CSVs (SZHK_DATA_DIR, else the project's data/)."""
    return szhk_names.data_dir(root())


class DependencyError(Exception):
    """A chapter's data declaration does not match the data package or what its code loads."""


class DataChangedError(DependencyError):
    """A data file changed after the build fingerprinted it: the outputs would belong to other data."""


_chapter: str | None = None
_declared: frozenset[str] | str | None = None
_digests: dict[str, str] = {}
_used: set[str] = set()
_readers: dict[str, list[str]] | None = None


def expect(chapter: str, names: Iterable[str] | str, digests: Mapping[str, str],
           readers: Mapping[str, Sequence[str]] | None = None) -> None:
    """Start of a chapter: only `names` may be loaded, each with the content `digests` records. A page that
    declares `all` is also told `readers`: resource -> the pages whose front matter declares it (the Sphinx side
    reads the front matter; the data appendix shows it, so datapackage.json does not repeat it)."""
    global _chapter, _declared, _readers
    _chapter = chapter
    _declared = ALL if names == ALL else frozenset(names)
    _digests.clear()
    _digests.update(digests)
    _used.clear()
    _readers = None if readers is None else {name: list(pages) for name, pages in readers.items()}


def readers() -> dict[str, list[str]]:
    """Resource -> the pages (file stems in book/) whose front matter declares it, as handed to a `data: all`
    page; DependencyError anywhere else."""
    if _readers is None:
        raise DependencyError(
            f"{_chapter or 'this process'} was not told which pages read each resource: only a page whose front matter "
            f"says `{FRONT_MATTER_KEY}: {ALL}` is (szhk_sphinx.reexecution derives it from the chapters' front matter)")
    return {name: list(pages) for name, pages in _readers.items()}


def reset() -> None:
    """Forget the running chapter's declaration (tests; a kernel runs one chapter and exits)."""
    global _chapter, _declared, _readers
    _chapter, _declared, _readers = None, None, None
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
