"""The names the build's processes share: environment variables, the data folder, the front-matter key and the
resource digest. Imported by the kernel side (szhk), the Sphinx side (szhk_sphinx) and tools/build.py, so a name
is declared once; the standard library only, so that importing it drags nothing into either process.

tools/build.py sets the variables for the processes it starts (Sphinx, and through it every chapter's kernel):

- SZHK_BUILD        set to 1: the extension refuses a plain `jupyter-book build` without it (no PDFs to link)
- SZHK_ROOT         the project folder (the kernels run in book/)
- SZHK_DATA_DIR     the build's snapshot of data/ (tests point it at a copy)
- SZHK_CACHE_DIR    the build's cache of validated frames and cut-down fonts (szhk.cache); unset, nothing is cached
- SOURCE_DATE_EPOCH the commit's date: the edition's date, and the same bytes from the same commit
"""
from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

ENV_PREFIX = "SZHK_"  # every variable of the project's own starts so (a build's copy clears them)
BUILD_ENV = "SZHK_BUILD"
ROOT_ENV = "SZHK_ROOT"
DATA_DIR_ENV = "SZHK_DATA_DIR"
CACHE_DIR_ENV = "SZHK_CACHE_DIR"
EPOCH_ENV = "SOURCE_DATE_EPOCH"

PACKAGE_FILE = "datapackage.json"
FRONT_MATTER_KEY = "data"  # a chapter's front matter: `data: [gii_ranks, …]`, or `data: all`
ALL = "all"


def data_dir(project: Path) -> Path:
    """The folder holding datapackage.json and the CSVs: SZHK_DATA_DIR, else the project's data/."""
    override = os.environ.get(DATA_DIR_ENV)
    return Path(override).resolve() if override else project / "data"


def resource_digest(resource: Mapping[str, Any], content: bytes) -> str:
    """SHA-256 of a resource: its descriptor (as data) and its file's bytes. The Sphinx side writes it into a
    chapter's guard cell; the kernel checks the bytes it reads against it."""
    described = json.dumps(resource, sort_keys=True, ensure_ascii=False).encode()
    return hashlib.sha256(described + b"\0" + content).hexdigest()
