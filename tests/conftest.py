"""Shared fixtures. `make test` builds the book first, so tests read the published output in _build/."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
DATA = ROOT / "data"
HTML = ROOT / "_build" / "html"
PDF_DIR = ROOT / "_build" / "pdf"
sys.path.insert(0, str(BOOK))

from szhk import build  # noqa: E402  (needs book/ on sys.path)


@pytest.fixture(scope="session")
def html_dir() -> Path:
    # SZHK_HTML_DIR points the tests at a private build (developers never build into the shared _build/).
    html = Path(os.environ.get("SZHK_HTML_DIR", HTML))
    if not (html / "index.html").exists():
        pytest.fail(f"{html} has no built book: run `make test` (it builds first) or `make build`")
    return html


def copy_project(dest: Path) -> Path:
    """A private copy of the project, to edit and rebuild without touching the real one."""
    return build.copy_project(ROOT, dest)


def jupyter_book(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run the venv's jupyter-book on a project copy with the CI flags; returns the finished process."""
    env = dict(os.environ, PYTHONPATH=str(project / "book"))
    jb = Path(sys.executable).with_name("jupyter-book")
    return subprocess.run(
        [str(jb), "build", str(project), "-n", "-W", "--keep-going", *args],
        cwd=project, env=env, capture_output=True, text=True, timeout=1800,
    )


def squeeze(text: str) -> str:
    """Text with all white space removed: HTML, pdftotext and the sources wrap Chinese text differently."""
    return re.sub(r"\s+", "", text)
