"""The book as a reader meets it: no code, stderr or traceback on any page; a failing cell stops the build."""
from __future__ import annotations

import re
from pathlib import Path

from conftest import copy_project, jupyter_book

# What myst-nb writes for a shown code cell, a stderr stream and an error output.
CODE_OR_ERRORS = {
    "a code cell's source": re.compile(r'class="[^"]*\bcell_input\b'),
    "highlighted Python": re.compile(r'class="[^"]*\bhighlight-ipython3\b'),
    "stderr output": re.compile(r'class="[^"]*\boutput stderr\b'),
    "an error output": re.compile(r'class="[^"]*\bhighlight-ipythontb\b'),
    "a traceback": re.compile(r"Traceback \(most recent call last\)"),
}


def test_no_page_shows_code_stderr_or_tracebacks(html_dir: Path) -> None:
    pages = sorted((html_dir / "book").glob("*.html"))
    assert len(pages) >= 10, pages
    found = [f"{page.name}: {what}" for page in pages for what, pattern in CODE_OR_ERRORS.items()
             if pattern.search(page.read_text(encoding="utf-8"))]
    assert not found, found


def test_a_failing_cell_stops_the_build_naming_chapter_and_cell(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")
    chapter = project / "book" / "00-introduction.md"
    chapter.write_text(chapter.read_text(encoding="utf-8") + (
        "\n```{code-cell} ipython3\n:tags: [remove-cell]\n"
        'shares = {"资讯科技": 21.8}\nshares["生物科技"]  # the failing line\n```\n'), encoding="utf-8")
    done = jupyter_book(project)
    log = done.stdout + done.stderr
    assert done.returncode != 0, log[-3000:]
    assert "book/00-introduction.md" in log and "Executing notebook failed" in log, log[-3000:]
    assert 'shares["生物科技"]  # the failing line' in log and "KeyError" in log, log[-3000:]
    assert not (project / "_build" / "html" / "book" / "00-introduction.html").exists()

