"""A disk cache the build owns: each data file is validated once per build, by whichever kernel loads it first.

tools/build.py points SZHK_CACHE_DIR at a folder of its work area (_build/.work/cache); without that variable
(a notebook run by hand, a test) nothing is written and every load validates as before.

A validated frame is stored under the SHA-256 of everything its validation reads, so it is never served for other
data: the whole datapackage.json, the resource's file, the files
its foreign keys point to, the chapter-helper code that validates and parses, and the versions of the libraries
involved; the latest year a date may name (szhk.bounds); for sources, book/references.bib (its entries are
checked with it). A failed validation stores nothing, so bad data fails every time with its own message.
"""
from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

from szhk_names import CACHE_DIR_ENV

from . import bounds, deps
from .descriptor import BIBLIOGRAPHY, package_digest

__all__ = ["CACHE_DIR_ENV", "cache_dir", "code_digest", "contains", "read", "referenced", "validation_key", "write"]
_FORMAT = b"szhk-validated-frame-1"  # bump when what is stored changes shape
_LIBRARIES = ("frictionless", "pandas", "numpy")


def cache_dir(kind: str) -> Path | None:
    """The build's cache folder for `kind` (created), or None outside a build."""
    base = os.environ.get(CACHE_DIR_ENV)
    if not base:
        return None
    folder = Path(base) / kind
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@cache
def code_digest() -> str:
    """The helper package's Python sources and the library versions: what turns a CSV into a validated frame."""
    h = hashlib.sha256(_FORMAT)
    for library in _LIBRARIES:
        h.update(f"{library}=={metadata.version(library)}\0".encode())
    package = Path(__file__).parent
    for path in sorted(package.glob("*.py")):
        h.update(path.name.encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()


def referenced(resource: dict[str, Any]) -> list[str]:
    """Resources whose files a resource's foreign keys read ("" means the resource itself)."""
    return [fk.get("reference", {}).get("resource") or resource.get("name", "")
            for fk in resource.get("schema", {}).get("foreignKeys", []) if isinstance(fk, dict)]


def validation_key(name: str, descriptor: dict[str, Any], directory: Path) -> str:
    """SHA-256 of everything validating resource `name` reads (see the module docstring)."""
    h = hashlib.sha256(code_digest().encode())
    h.update(f"latest-year={bounds.latest_year()}\0".encode())
    if name == "sources":  # its validation checks the bibliography too
        bibliography = deps.root() / BIBLIOGRAPHY
        h.update(hashlib.sha256(bibliography.read_bytes()).digest() if bibliography.is_file() else b"<no .bib>")
    h.update(package_digest(directory).encode())  # `descriptor` is that file's content
    by_name = {r.get("name"): r for r in descriptor.get("resources", []) if isinstance(r, dict)}
    for needed in dict.fromkeys([name, *referenced(by_name.get(name, {}))]):
        rel = by_name.get(needed, {}).get("path")
        path = directory / str(rel) if isinstance(rel, str) else None
        h.update(f"\0{needed}\0".encode())
        h.update(hashlib.sha256(path.read_bytes()).digest() if path and path.is_file() else b"<none>")
    return h.hexdigest()


def _entry(key: str) -> Path | None:
    folder = cache_dir("data")
    return folder / f"{key}.pickle" if folder else None


def contains(key: str) -> bool:
    """Whether data with this key was validated (and stored) earlier in this build's work folder."""
    entry = _entry(key)
    return bool(entry and entry.is_file())


def read(key: str) -> Any | None:
    """The frame stored under `key`, or None."""
    entry = _entry(key)
    if not entry or not entry.is_file():
        return None
    try:
        with entry.open("rb") as handle:
            return pickle.load(handle)
    except (OSError, EOFError, pickle.UnpicklingError):  # a damaged entry is only a miss
        return None


def write(key: str, frame: Any) -> None:
    """Store `frame` under `key` (atomically: a kernel reading at the same time sees all of it or nothing)."""
    entry = _entry(key)
    if entry is None:
        return
    handle, temporary = tempfile.mkstemp(dir=entry.parent, prefix=".tmp-")
    try:
        with os.fdopen(handle, "wb") as out:
            pickle.dump(frame, out, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, entry)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
